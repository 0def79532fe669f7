// Command setclientpin is the Set-CsClientPin plugin: it assigns a PIN, given
// or generated, to each user it is given, and writes the user's Identity and
// the new PIN, so that a generated PIN is shown once and can be exported
// (`Get-CsUser -OU ... | Set-CsClientPin | Export-Csv pins.csv`). See
// ../../shared/spec/cmdlets.md §1.
//
// Output: Microsoft.Rtc.Management.UserPinService.PinAssignment objects
// with Identity (sip:user@domain) and Pin (a string, so leading zeros
// stay). The type name is pinsh's: the reference documents no output type.
//
// Build: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o setclientpin.wasm .
package main

import "pinsh/sdk"

func main() {}

var pinAssignment = sdk.NewType("Microsoft.Rtc.Management.UserPinService.PinAssignment",
	sdk.P("Identity", sdk.KindString),
	sdk.P("Pin", sdk.KindString),
)

func init() {
	sdk.Register(sdk.Plugin{
		Name:         "setclientpin",
		Version:      "1.0.0",
		Capabilities: []string{sdk.CapDirectoryRead, sdk.CapPinWrite},
		Cmdlets: []sdk.Cmdlet{{
			Name:     "Set-CsClientPin",
			Synopsis: "Assigns a new PIN to a user, either the one given with -Pin or a random one that satisfies the user's PIN policy.",
			Description: "The PIN must follow the user's effective PIN policy (minimum length, common patterns) and contain " +
				"digits only; PIN history is not enforced on this administrative path. A locked PIN must be unlocked with " +
				"Unlock-CsClientPin first. The user's Identity and the new PIN are written once, so a generated PIN can be " +
				"passed on or exported.",
			Params: []sdk.Param{
				{Name: "Identity", Kind: sdk.KindString, Mandatory: true, Position: 1,
					FromPipeline: true, FromPipelineByName: true,
					Help: "The user: SIP address, user principal name, domain\\logon, display name (wildcards allowed) or distinguished name."},
				{Name: "Pin", Kind: sdk.KindString, Position: 2, Secret: true,
					Help: "The PIN to assign (digits only). Without it, a random PIN is generated."},
				{Name: "Force", Kind: sdk.KindSwitch,
					Help: "Hides non-fatal error messages (they still show with -Verbose)."},
			},
			SupportsShouldProcess: true,
			ConfirmImpact:         sdk.ImpactMedium,
			OutputType:            pinAssignment.Name(),
			Examples: []sdk.Example{
				{Code: `Set-CsClientPin -Identity "litwareinc\kenmyer"`, Remark: "Assigns Ken Myer a generated PIN and shows it."},
				{Code: `Set-CsClientPin -Identity "litwareinc\kenmyer" -Pin 18723834`, Remark: "Assigns the PIN 18723834."},
				{Code: `Get-CsUser -OU "OU=Finance,DC=litwareinc,DC=com" | Set-CsClientPin`, Remark: "Assigns generated PINs to every user of the Finance OU."},
				{Code: `Get-CsUser | Get-CsClientPinInfo | Where-Object {$_.IsPinSet -eq $False} | Set-CsClientPin`, Remark: "Assigns PINs to the users who have none."},
			},
			New: func() sdk.Command { return &setPin{} },
		}},
	})
}

// setPin counts the users it has handled, for the progress bar a bulk run
// shows (the host draws it only on a terminal, after about a second).
type setPin struct {
	sdk.Base
	done int64
}

func (s *setPin) Process(c *sdk.Context) error {
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
		var pin string
		if c.Has("Pin") {
			pin, err = c.SetPin(u, c.String("Pin"))
		} else {
			pin, err = c.GeneratePin(u)
		}
		if err != nil {
			report(c, err, target)
			continue
		}
		c.WriteObject(pinAssignment.New(target, pin))
		s.done++
		c.WriteProgress("Setting client PINs", s.done, -1)
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
