// Package cscmd holds the built-in Lync directory and PIN-policy cmdlets:
// Get-CsUser, Get-CsAdUser, Import-CsDirectory, Get/New/Set/Remove/Grant-
// CsPinPolicy and Test-CsClientPin. They are [cmdlet.Info] values built over
// a [Deps]; [Register] adds them to a registry.
//
// Every cmdlet asks the RBAC decider for each target user (operator,
// cmdlet, target DN) and writes a denial as a non-terminating error naming
// the operator, the cmdlet and the target, recorded in the audit trail;
// enumerations (Get-CsUser without -Identity) silently leave out users
// outside the operator's scope instead of writing one error per user.
// Changes honour -WhatIf and -Confirm through Runtime.ShouldProcess and are
// audited, a -WhatIf run with the WhatIf flag.
package cscmd

import (
	"errors"
	"fmt"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	"pinsh/host/pin"
	"pinsh/host/rbac"
	"pinsh/host/store"
)

// Deps are what the cmdlets work on.
type Deps struct {
	Store *store.Store
	// Pin is the PIN service (Test-CsClientPin needs it).
	Pin *pin.Service
	// Decider authorises each operation; nil allows everything.
	Decider rbac.Decider
	// OSAccount is the real OS account running pinsh, for the audit trail.
	OSAccount string
}

// guard is the decider with denials recorded in the audit trail.
func (d *Deps) guard() rbac.Audited {
	return rbac.Audited{Decider: d.Decider, Log: d.Store, OSAccount: d.OSAccount}
}

// Cmdlets returns the cmdlets of this package.
func Cmdlets(d *Deps) []*cmdlet.Info {
	return []*cmdlet.Info{
		getUserInfo(d, false), getUserInfo(d, true), importInfo(d),
		getPolicyInfo(d), newPolicyInfo(d), setPolicyInfo(d), removePolicyInfo(d), grantPolicyInfo(d),
		testPinInfo(d),
	}
}

// Register adds the cmdlets of this package to reg.
func Register(reg *cmdlet.Registry, d *Deps) {
	for _, in := range Cmdlets(d) {
		reg.MustAdd(in)
	}
}

// Type names of the objects these cmdlets write.
const (
	OCSADUserTypeName = "Microsoft.Rtc.Management.ADConnect.Schema.OCSADUser"
	ADUserTypeName    = "Microsoft.Rtc.Management.ADConnect.Schema.ADUser"
	PinPolicyTypeName = "Microsoft.Rtc.Management.WritableConfig.Policy.UserPin.UserPinPolicy"
)

var userProps = []object.PropertyInfo{
	object.P("Identity", object.KindString),
	object.P("SipAddress", object.KindString),
	object.P("DisplayName", object.KindString),
	object.P("UserPrincipalName", object.KindString),
	object.P("SamAccountName", object.KindString),
	object.P("Enabled", object.KindBool),
	object.P("RegistrarPool", object.KindString),
	object.P("LineURI", object.KindString),
	object.P("EnterpriseVoiceEnabled", object.KindBool),
	object.P("PinPolicy", object.KindString),
	object.P("VoicePolicy", object.KindString),
	object.P("DistinguishedName", object.KindString),
	object.P("Department", object.KindString),
	object.P("Title", object.KindString),
	object.P("City", object.KindString),
	object.P("FirstName", object.KindString),
	object.P("LastName", object.KindString),
	object.P("WindowsEmailAddress", object.KindString),
	object.P("Phone", object.KindString),
	object.P("Guid", object.KindString),
}

// OCSADUserType is the type of Get-CsUser's objects; ADUserType of
// Get-CsAdUser's. Both have the same properties: Identity (the DN),
// SipAddress, DisplayName, UserPrincipalName, SamAccountName, Enabled,
// RegistrarPool, LineURI, EnterpriseVoiceEnabled, PinPolicy, VoicePolicy,
// DistinguishedName, Department, Title, City, FirstName, LastName,
// WindowsEmailAddress, Phone, Guid. Absent values are $null.
var (
	OCSADUserType = object.NewType(OCSADUserTypeName, userProps...)
	ADUserType    = object.NewType(ADUserTypeName, userProps...)
)

func null(s string) object.Value {
	if s == "" {
		return nil
	}
	return s
}

// UserObject converts a store user into the OCSADUser object Get-CsUser
// writes.
func UserObject(u *store.User) *object.Object { return userObject(OCSADUserType, u) }

// ADUserObject converts a store user into the ADUser object Get-CsAdUser
// writes.
func ADUserObject(u *store.User) *object.Object { return userObject(ADUserType, u) }

func userObject(t *object.Type, u *store.User) *object.Object {
	return object.New(t, u.DN, null(u.SipAddress), null(u.DisplayName), null(u.UserPrincipalName),
		null(u.SamAccountName), u.Enabled, null(u.RegistrarPool), null(u.LineURI),
		u.EnterpriseVoiceEnabled, null(u.PinPolicy), nil, u.DN, null(u.Department), null(u.Title),
		null(u.City), null(u.GivenName), null(u.Surname), null(u.Mail), null(u.Telephone), null(u.GUID))
}

// IdentityOf returns the identity text of a value given to an -Identity
// parameter: a string as it is, or the Identity (else SipAddress, else
// DistinguishedName) property of an object.
func IdentityOf(v object.Value) string {
	if o, ok := v.(*object.Object); ok {
		for _, p := range []string{"Identity", "SipAddress", "DistinguishedName"} {
			if x, ok := o.Get(p); ok && x != nil {
				return object.ToString(x)
			}
		}
	}
	return strings.TrimSpace(object.ToString(v))
}

// target is how a user is named to the decider and in errors.
func target(u *store.User) *rbac.Target {
	return &rbac.Target{DN: u.DN, Display: u.SipURI()}
}

// audit appends one record; failures to audit a read or a refusal are
// reported as warnings, since the operation itself did not change data.
func (d *Deps) audit(rt cmdlet.Runtime, r store.AuditRecord) {
	r.Operator, r.OSAccount = rt.Operator(), d.OSAccount
	if r.Cmdlet == "" {
		r.Cmdlet = rt.CommandName()
	}
	if err := d.Store.AppendAudit(rt.Context(), &r); err != nil {
		rt.WriteWarning(auditWarning(err))
	}
}

func auditWarning(err error) string {
	return fmt.Sprintf("The audit record could not be written: %v", err)
}

// allow asks the decider; a denial is audited and written as a
// non-terminating error, and allow reports false. The returned error is
// terminating (-ErrorAction Stop).
func (d *Deps) allow(rt cmdlet.Runtime, cmd string, t *rbac.Target) (bool, error) {
	denial, auditErr := d.guard().Authorize(rt.Context(), rt.Operator(), cmd, t)
	if denial == nil {
		return true, nil
	}
	if auditErr != nil {
		rt.WriteWarning(auditWarning(auditErr))
	}
	var target object.Value
	if t != nil && t.Display != "" {
		target = t.Display
	}
	return false, rt.WriteError(cmdlet.NewError(cmdlet.PermissionDenied, "AccessDenied", target, denial))
}

// shouldProcess asks the runtime and audits a -WhatIf run.
func (d *Deps) shouldProcess(rt cmdlet.Runtime, args *cmdlet.Args, target, action string) (bool, error) {
	ok, err := rt.ShouldProcess(target, rt.CommandName())
	if err != nil || ok {
		return ok, err
	}
	if args.Bool("WhatIf") {
		d.audit(rt, store.AuditRecord{Target: target, Action: action, Outcome: store.OutcomeWhatIf, WhatIf: true})
	}
	return false, nil
}

func notFound(rt cmdlet.Runtime, id string) error {
	return rt.WriteError(cmdlet.NewError(cmdlet.ObjectNotFound, "ManagementObjectNotFound", id, &store.NotFoundError{Identity: id}))
}

// eachUser resolves an identity and calls fn for every user it names that
// the operator may act on with cmd; an identity that names nobody is a
// non-terminating "not found" error.
func (d *Deps) eachUser(rt cmdlet.Runtime, cmd, identity string, enabledOnly bool, fn func(u *store.User) error) error {
	found := false
	err := d.Store.EachUser(rt.Context(), store.UserQuery{Identity: identity, EnabledOnly: enabledOnly}, func(u *store.User) error {
		found = true
		ok, err := d.allow(rt, cmd, target(u))
		if err != nil || !ok {
			return err
		}
		return fn(u)
	})
	if err != nil {
		return err
	}
	if !found {
		return notFound(rt, identity)
	}
	return nil
}

// errStop ends a stream early without an error.
var errStop = errors.New("stop")

// userError converts an error for a user into a non-terminating record.
func userError(rt cmdlet.Runtime, u *store.User, err error) error {
	cat, id := cmdlet.InvalidOperation, "InvalidOperation"
	var pe *pin.PolicyError
	if errors.As(err, &pe) {
		cat, id = cmdlet.InvalidArgument, string(pe.Rule)
	}
	return rt.WriteError(cmdlet.NewError(cat, id, u.SipURI(), err))
}

// msgError is a user-facing error message (PowerShell style: capitalised,
// ending with a period).
type msgError string

func (e msgError) Error() string { return string(e) }

func errorf(format string, a ...any) error { return msgError(fmt.Sprintf(format, a...)) }
