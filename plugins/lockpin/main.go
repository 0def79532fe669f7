// Command lockpin provides Lock-CsClientPin and Unlock-CsClientPin: a locked
// PIN cannot be used to sign in or join a conference until an administrator
// unlocks it, which also resets its failed-logon counters. Neither cmdlet
// writes output. See ../../shared/spec/cmdlets.md §3.
//
// Build: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o lockpin.wasm .
package main

import "pinsh/sdk"

func main() {}

func params(verb string) []sdk.Param {
	return []sdk.Param{
		{Name: "Identity", Kind: sdk.KindString, Mandatory: true, Position: 1,
			FromPipeline: true, FromPipelineByName: true,
			Help: "The user whose PIN to " + verb + ": SIP address, user principal name, domain\\logon, display name (wildcards allowed) or distinguished name."},
		{Name: "Force", Kind: sdk.KindSwitch,
			Help: "Hides non-fatal error messages (they still show with -Verbose)."},
	}
}

func init() {
	sdk.Register(sdk.Plugin{
		Name:         "lockpin",
		Version:      "1.0.0",
		Capabilities: []string{sdk.CapDirectoryRead, sdk.CapPinLock},
		Cmdlets: []sdk.Cmdlet{
			{
				Name:     "Lock-CsClientPin",
				Synopsis: "Locks a user's PIN, so that it cannot be used until it is unlocked; the PIN itself is kept.",
				Description: "Locking a locked PIN does nothing. Only Unlock-CsClientPin (or the Control Panel) unlocks it. " +
					"The user can still sign in with a client and a password.",
				Params:                params("lock"),
				SupportsShouldProcess: true,
				ConfirmImpact:         sdk.ImpactMedium,
				Examples: []sdk.Example{
					{Code: `Lock-CsClientPin -Identity "litwareinc\kenmyer"`, Remark: "Locks Ken Myer's PIN."},
					{Code: `Get-CsUser | Get-CsClientPinInfo | Where-Object {$_.PinExpirationTime -lt (Get-Date)} | Lock-CsClientPin`, Remark: "Locks every expired PIN."},
				},
				New: func() sdk.Command { return &lock{unlock: false} },
			},
			{
				Name:     "Unlock-CsClientPin",
				Synopsis: "Unlocks a user's PIN and resets its failed-logon counters.",
				Description: "Unlocking an unlocked PIN does nothing. This is the only way back from a lock, whether an " +
					"administrator locked the PIN or too many failed logons did.",
				Params:                params("unlock"),
				SupportsShouldProcess: true,
				ConfirmImpact:         sdk.ImpactMedium,
				Examples: []sdk.Example{
					{Code: `Unlock-CsClientPin -Identity "litwareinc\kenmyer"`, Remark: "Unlocks Ken Myer's PIN."},
					{Code: `Get-CsUser | Get-CsClientPinInfo | Where-Object {$_.IsLockedOut -eq $True} | Unlock-CsClientPin`, Remark: "Unlocks every locked PIN."},
				},
				New: func() sdk.Command { return &lock{unlock: true} },
			},
		},
	})
}

type lock struct {
	sdk.Base
	unlock bool
	done   int64 // users handled, for the progress bar of a bulk run
}

func (l *lock) Process(c *sdk.Context) error {
	id := c.String("Identity")
	users, err := c.Targets(id)
	if err != nil {
		report(c, err, id)
		return nil
	}
	for _, u := range users {
		target := u.Target()
		if !c.ShouldProcess(target, "") {
			continue
		}
		if l.unlock {
			err = c.Unlock(u)
		} else {
			err = c.Lock(u)
		}
		if err != nil {
			report(c, err, target)
			continue
		}
		l.done++
		if l.unlock {
			c.WriteProgress("Unlocking client PINs", l.done, -1)
		} else {
			c.WriteProgress("Locking client PINs", l.done, -1)
		}
	}
	return nil
}

// report writes a non-fatal error, or only a verbose message with -Force.
func report(c *sdk.Context, err error, target string) {
	if c.Bool("Force") {
		c.WriteVerbose(err.Error())
		return
	}
	c.WriteError(err, target)
}
