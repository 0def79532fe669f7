package cscmd

import (
	"fmt"
	"time"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	"pinsh/host/pin"
	"pinsh/host/store"
)

func testPinInfo(d *Deps) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Test-CsClientPin",
		Synopsis: "Checks a user's PIN as a dial-in or phone logon would, counting the attempt.",
		Description: "Emits $True when the PIN is right and $False otherwise. Every attempt counts toward the lockout " +
			"rules of the user's PIN policy: a wrong PIN can lock the PIN temporarily or until Unlock-CsClientPin; " +
			"a locked or expired PIN is refused. Only users enabled for Lync Server have PINs.",
		Params: []cmdlet.Param{
			{Name: "Identity", Kind: object.KindString, Mandatory: true, Position: 0, FromPipeline: true,
				FromPipelineByName: true, Completer: "identity", Help: "The user, in any identity form."},
			{Name: "Pin", Kind: object.KindString, Mandatory: true, Position: 1, Secret: true,
				Help: "The PIN to check."},
		},
		OutputType: "System.Boolean",
		Source:     "builtin",
		Examples: []cmdlet.Example{
			{Code: `Test-CsClientPin -Identity "litwareinc\kenmyer" -Pin 58214`, Remark: "Checks Ken Myer's PIN."},
		},
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				if d.Pin == nil {
					return cmdlet.NewError(cmdlet.ResourceUnavailab, "NoPinService", nil, errorf("The PIN service is not available."))
				}
				v, _ := a.Get("Identity")
				id := IdentityOf(v)
				pinText := a.String("Pin")
				info := pin.AuditInfo{Operator: rt.Operator(), OSAccount: d.OSAccount, Cmdlet: rt.CommandName()}
				found := false
				err := d.Store.EachUser(rt.Context(), store.UserQuery{Identity: id, EnabledOnly: true}, func(u *store.User) error {
					found = true
					if ok, err := d.allow(rt, rt.CommandName(), target(u)); err != nil || !ok {
						return err
					}
					res, err := d.Pin.Verify(rt.Context(), u, pinText, info)
					if err != nil {
						if err := userError(rt, u, err); err != nil {
							return err
						}
						return rt.WriteObject(false)
					}
					sip := u.SipURI()
					switch {
					case res.NowLocked && res.Lock == pin.TempLocked:
						rt.WriteWarning(fmt.Sprintf("Too many failed attempts: the PIN for %s is locked for one hour, until %s.",
							sip, res.LockedUntil.UTC().Format(time.RFC3339)))
					case res.NowLocked:
						rt.WriteWarning(fmt.Sprintf("Too many failed attempts: the PIN for %s is now locked. Unlock it with Unlock-CsClientPin.", sip))
					case res.Outcome == pin.Locked:
						rt.WriteWarning(fmt.Sprintf("The PIN for %s is locked. Unlock it with Unlock-CsClientPin.", sip))
					case res.Outcome == pin.TempLocked:
						rt.WriteWarning(fmt.Sprintf("The PIN for %s is temporarily locked after too many failed attempts.", sip))
					case res.Outcome == pin.Expired:
						rt.WriteWarning(fmt.Sprintf("The PIN for %s has expired.", sip))
					case res.Outcome == pin.NotSet:
						rt.WriteWarning(fmt.Sprintf("No PIN is set for %s.", sip))
					}
					return rt.WriteObject(res.OK)
				})
				if err != nil {
					return err
				}
				if !found {
					d.Pin.DummyHash() // answer unknown users as slowly as known ones
					return notFound(rt, id)
				}
				return nil
			}}
		},
	}
}
