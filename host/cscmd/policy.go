package cscmd

import (
	"fmt"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/format"
	"pinsh/host/object"
	"pinsh/host/pin"
	"pinsh/host/store"
)

// PinPolicyType is the type of PIN policy objects, with the properties in
// the order Get-CsPinPolicy prints them.
var PinPolicyType = object.NewType(PinPolicyTypeName,
	object.P("Identity", object.KindString),
	object.P("Description", object.KindString),
	object.P("MinPasswordLength", object.KindInt),
	object.P("PINHistoryCount", object.KindInt),
	object.P("AllowCommonPatterns", object.KindBool),
	object.P("PINLifetime", object.KindInt),
	object.P("MaximumLogonAttempts", object.KindInt),
)

// PolicyObject converts a policy into the object Get-CsPinPolicy writes;
// an unset MaximumLogonAttempts is $null.
func PolicyObject(p *store.PinPolicy) *object.Object {
	var attempts object.Value
	if p.MaximumLogonAttempts > 0 {
		attempts = int64(p.MaximumLogonAttempts)
	}
	return object.New(PinPolicyType, p.Identity(), p.Description, int64(p.MinPasswordLength),
		int64(p.PINHistoryCount), p.AllowCommonPatterns, int64(p.PINLifetime), attempts)
}

// policyParams are the property parameters of New- and Set-CsPinPolicy.
var policyParams = []cmdlet.Param{
	{Name: "Description", Kind: object.KindString, Position: -1, Help: "Free text describing the policy."},
	{Name: "MinPasswordLength", Kind: object.KindInt, Position: -1, Help: "The shortest PIN allowed, 4 to 24 digits (default 5)."},
	{Name: "PINHistoryCount", Kind: object.KindInt, Position: -1, Help: "How many previous PINs a user may not reuse, 0 to 20 (default 0)."},
	{Name: "AllowCommonPatterns", Kind: object.KindBool, Position: -1, Help: "Allows PINs with common patterns such as 1234 or 1111 (default $False)."},
	{Name: "PINLifetime", Kind: object.KindInt, Position: -1, Help: "Days before a PIN expires, 0 to 999; 0 means never (default 0). Above 0, PINHistoryCount must be above 0 too."},
	{Name: "MaximumLogonAttempts", Kind: object.KindAny, Position: -1, Help: "Failed logons before the PIN is locked temporarily, 1 to 999; $null lets the server decide by PIN length."},
}

func withParams(ps ...[]cmdlet.Param) []cmdlet.Param {
	var out []cmdlet.Param
	for _, p := range ps {
		out = append(out, p...)
	}
	return out
}

// policyInts are the integer properties of a PIN policy: parameters of
// New- and Set-CsPinPolicy and properties of policy objects alike.
var policyInts = []struct {
	name  string
	r     [2]int64
	field func(*store.PinPolicy) *int
	// nullable: $null means "unset" (0) and is not checked against r.
	nullable bool
}{
	{"MinPasswordLength", pin.RangeMinPasswordLength, func(p *store.PinPolicy) *int { return &p.MinPasswordLength }, false},
	{"PINHistoryCount", pin.RangePINHistoryCount, func(p *store.PinPolicy) *int { return &p.PINHistoryCount }, false},
	{"PINLifetime", pin.RangePINLifetime, func(p *store.PinPolicy) *int { return &p.PINLifetime }, false},
	{"MaximumLogonAttempts", pin.RangeMaximumLogonAttempts, func(p *store.PinPolicy) *int { return &p.MaximumLogonAttempts }, true},
}

// applyPolicyParams copies the bound property parameters onto p, checking
// each range, then the policy as a whole.
func applyPolicyParams(a *cmdlet.Args, p *store.PinPolicy) error {
	if a.Has("Description") {
		p.Description = a.String("Description")
	}
	if a.Has("AllowCommonPatterns") {
		p.AllowCommonPatterns = a.Bool("AllowCommonPatterns")
	}
	for _, f := range policyInts {
		v, ok := a.Get(f.name)
		if !ok {
			continue
		}
		n, err := object.ToInt(v)
		if err != nil {
			return errorf("Cannot bind parameter '%s'. %v", f.name, err)
		}
		if v != nil || !f.nullable {
			if err := pin.CheckRange(f.name, n, f.r); err != nil {
				return err
			}
		}
		*f.field(p) = int(n)
	}
	return pin.ValidatePolicy(p)
}

// policyFromObject reads a policy object (from Get-CsPinPolicy or
// New-CsPinPolicy -InMemory). Ranges are checked when it is saved.
func policyFromObject(v object.Value) (*store.PinPolicy, error) {
	o, ok := v.(*object.Object)
	if !ok {
		return nil, errorf("The -Instance value must be a PIN policy object, not %s.", object.TypeName(v))
	}
	idv, _ := o.Get("Identity")
	scope, name, err := store.ParsePolicyIdentity(object.ToString(idv))
	if err != nil {
		return nil, err
	}
	p := store.DefaultPinPolicy(scope, name)
	if x, ok := o.Get("Description"); ok {
		p.Description = object.ToString(x)
	}
	if x, ok := o.Get("AllowCommonPatterns"); ok {
		p.AllowCommonPatterns = object.ToBool(x)
	}
	for _, f := range policyInts {
		x, ok := o.Get(f.name)
		if !ok {
			continue
		}
		n, err := object.ToInt(x)
		if err != nil {
			return nil, err
		}
		*f.field(&p) = int(n)
	}
	if p.MinPasswordLength == 0 {
		p.MinPasswordLength = 5
	}
	return &p, nil
}

func policyNotFound(rt cmdlet.Runtime, id string) error {
	return rt.WriteError(cmdlet.NewError(cmdlet.ObjectNotFound, "PinPolicyNotFound", id,
		errorf("Cannot find a PIN policy with the identity \"%s\".", id)))
}

// parseIdentity parses a policy identity, writing an error when it is bad.
func parseIdentity(rt cmdlet.Runtime, id string) (scope, name string, ok bool, err error) {
	scope, name, perr := store.ParsePolicyIdentity(id)
	if perr != nil {
		return "", "", false, rt.WriteError(cmdlet.NewError(cmdlet.InvalidArgument, "InvalidPolicyIdentity", id, errorf("%s", format.Sentence(perr.Error()))))
	}
	return scope, name, true, nil
}

func getPolicyInfo(d *Deps) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Get-CsPinPolicy",
		Synopsis: "Returns client PIN policies.",
		Description: "Returns the PIN policy with the given Identity (Global, site:<name> or tag:<name>; no wildcards), " +
			"the policies whose Identity matches -Filter (wildcards, such as \"tag:*\"), or every policy.",
		Params: []cmdlet.Param{
			{Name: "Identity", Kind: object.KindString, Position: 0, Sets: []string{"Identity"}, Completer: "policy",
				Help: "Global, site:<name> or tag:<name> (a bare name is a tag)."},
			{Name: "Filter", Kind: object.KindString, Position: -1, Sets: []string{"Filter"},
				Help: "A wildcard pattern over Identity, such as \"tag:*\" or \"site:S*\"."},
			{Name: "LocalStore", Kind: object.KindSwitch, Position: -1, Help: "Accepted for compatibility; there is one store."},
		},
		DefaultSet: "Identity",
		OutputType: PinPolicyTypeName,
		Source:     "builtin",
		Examples: []cmdlet.Example{
			{Code: "Get-CsPinPolicy", Remark: "Returns every PIN policy."},
			{Code: `Get-CsPinPolicy -Filter "tag:*"`, Remark: "Returns the per-user PIN policies."},
		},
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				if ok, err := d.allow(rt, rt.CommandName(), nil); err != nil || !ok {
					return err
				}
				ctx := rt.Context()
				if a.Has("Identity") {
					id := a.String("Identity")
					scope, name, ok, err := parseIdentity(rt, id)
					if !ok {
						return err
					}
					p, err := d.Store.PinPolicy(ctx, store.PolicyKey(scope, name))
					if err != nil {
						return err
					}
					if p == nil {
						return policyNotFound(rt, id)
					}
					return rt.WriteObject(PolicyObject(p))
				}
				pattern := a.String("Filter")
				return d.Store.EachPinPolicy(ctx, func(p *store.PinPolicy) error {
					if pattern != "" && !object.Like(p.Identity(), pattern, false) {
						return nil
					}
					return rt.WriteObject(PolicyObject(p))
				})
			}}
		},
	}
}

func newPolicyInfo(d *Deps) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "New-CsPinPolicy",
		Synopsis: "Creates a site or per-user client PIN policy.",
		Description: "Creates a PIN policy at the site scope (site:<name>) or the per-user scope (tag:<name>, or a bare name). " +
			"Properties not given take their defaults. A second global policy cannot be created. " +
			"With -InMemory the policy is returned without being saved; Set-CsPinPolicy -Instance saves it.",
		Params: withParams([]cmdlet.Param{
			{Name: "Identity", Kind: object.KindString, Mandatory: true, Position: 0,
				Help: "site:<name> or tag:<name> (a bare name is a tag)."},
		}, policyParams, []cmdlet.Param{
			{Name: "InMemory", Kind: object.KindSwitch, Position: -1, Help: "Returns the new policy without saving it."},
			{Name: "Force", Kind: object.KindSwitch, Position: -1, Help: "Accepted for compatibility."},
		}),
		SupportsShouldProcess: true,
		ConfirmImpact:         cmdlet.ImpactMedium,
		OutputType:            PinPolicyTypeName,
		Source:                "builtin",
		Examples: []cmdlet.Example{
			{Code: "New-CsPinPolicy -Identity RedmondPinPolicy -MinPasswordLength 7", Remark: "Creates the per-user policy Tag:RedmondPinPolicy."},
		},
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				id := a.String("Identity")
				scope, name, ok, err := parseIdentity(rt, id)
				if !ok {
					return err
				}
				if scope == store.ScopeGlobal {
					return rt.WriteError(cmdlet.NewError(cmdlet.ResourceExists, "GlobalPolicyExists", id,
						errorf("The global PIN policy always exists and a second one cannot be created. Use Set-CsPinPolicy to change it.")))
				}
				p := store.DefaultPinPolicy(scope, name)
				if err := applyPolicyParams(a, &p); err != nil {
					return rt.WriteError(cmdlet.NewError(cmdlet.InvalidArgument, "InvalidPinPolicy", p.Identity(), err))
				}
				if a.Bool("InMemory") {
					return rt.WriteObject(PolicyObject(&p))
				}
				if ok, err := d.allowChange(rt, a, p.Identity(), "NewPinPolicy"); err != nil || !ok {
					return err
				}
				var existing *store.PinPolicy
				err = d.Store.Write(rt.Context(), func(tx *store.Tx) error {
					old, err := tx.PinPolicy(p.Key())
					if err != nil {
						return err
					}
					if existing = old; old != nil {
						return nil
					}
					return d.putPolicy(tx, rt, &p, "NewPinPolicy")
				})
				if err != nil {
					return err
				}
				if existing != nil {
					return rt.WriteError(cmdlet.NewError(cmdlet.ResourceExists, "PinPolicyExists", p.Identity(),
						errorf("The PIN policy \"%s\" already exists. Use Set-CsPinPolicy to change it.", existing.Identity())))
				}
				return rt.WriteObject(PolicyObject(&p))
			}}
		},
	}
}

func describePolicy(p *store.PinPolicy) string {
	attempts := "$null"
	if p.MaximumLogonAttempts > 0 {
		attempts = fmt.Sprint(p.MaximumLogonAttempts)
	}
	return fmt.Sprintf("MinPasswordLength=%d PINHistoryCount=%d AllowCommonPatterns=%v PINLifetime=%d MaximumLogonAttempts=%s",
		p.MinPasswordLength, p.PINHistoryCount, p.AllowCommonPatterns, p.PINLifetime, attempts)
}

// allowChange asks the decider, then ShouldProcess, before a change to the
// policy id; a -WhatIf run is audited as action.
func (d *Deps) allowChange(rt cmdlet.Runtime, a *cmdlet.Args, id, action string) (bool, error) {
	if ok, err := d.allow(rt, rt.CommandName(), nil); err != nil || !ok {
		return false, err
	}
	return d.shouldProcess(rt, a, id, action)
}

// putPolicy saves p in tx with its audit record, action describing the
// change.
func (d *Deps) putPolicy(tx *store.Tx, rt cmdlet.Runtime, p *store.PinPolicy, action string) error {
	if err := tx.PutPinPolicy(p); err != nil {
		return err
	}
	return tx.AppendAudit(d.record(rt, p.Identity(), action, describePolicy(p)))
}

// record is a success audit record for a change made in a transaction.
func (d *Deps) record(rt cmdlet.Runtime, target, action, detail string) *store.AuditRecord {
	return &store.AuditRecord{Operator: rt.Operator(), OSAccount: d.OSAccount, Cmdlet: rt.CommandName(),
		Target: target, Action: action, Outcome: store.OutcomeSuccess, Detail: detail}
}

func setPolicyInfo(d *Deps) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Set-CsPinPolicy",
		Synopsis: "Changes a client PIN policy; without -Identity, the global policy.",
		Description: "Changes the properties given. Without -Identity (or -Instance) it changes the global policy. " +
			"-Instance saves a policy object, such as one from New-CsPinPolicy -InMemory; parameters given as well override its properties.",
		Params: withParams([]cmdlet.Param{
			{Name: "Identity", Kind: object.KindString, Position: 0, Sets: []string{"Identity"}, Completer: "policy",
				FromPipelineByName: true, Help: "Global, site:<name> or tag:<name>; the global policy when left out."},
			{Name: "Instance", Kind: object.KindAny, Position: -1, Sets: []string{"Instance"}, FromPipeline: true,
				Help: "A PIN policy object to save."},
		}, policyParams, []cmdlet.Param{
			{Name: "Force", Kind: object.KindSwitch, Position: -1, Help: "Accepted for compatibility."},
		}),
		DefaultSet:            "Identity",
		SupportsShouldProcess: true,
		ConfirmImpact:         cmdlet.ImpactMedium,
		Source:                "builtin",
		Examples: []cmdlet.Example{
			{Code: "Set-CsPinPolicy -MinPasswordLength 7", Remark: "Raises the global minimum PIN length to 7."},
			{Code: "Set-CsPinPolicy -Identity site:Redmond -AllowCommonPatterns $True", Remark: "Allows common patterns for the Redmond site."},
		},
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				var p *store.PinPolicy
				fromInstance := false
				if v, ok := a.Get("Instance"); ok && v != nil {
					ip, err := policyFromObject(v)
					if err != nil {
						return rt.WriteError(cmdlet.NewError(cmdlet.InvalidArgument, "InvalidPinPolicy", v, err))
					}
					p, fromInstance = ip, true
				} else {
					scope, name := store.ScopeGlobal, ""
					if id := a.String("Identity"); a.Has("Identity") && id != "" {
						var ok bool
						var err error
						if scope, name, ok, err = parseIdentity(rt, id); !ok {
							return err
						}
					}
					pp := store.DefaultPinPolicy(scope, name)
					p = &pp
				}
				if ok, err := d.allowChange(rt, a, p.Identity(), "SetPinPolicy"); err != nil || !ok {
					return err
				}
				var verr error
				missing := false
				err := d.Store.Write(rt.Context(), func(tx *store.Tx) error {
					verr, missing = nil, false
					cur, err := tx.PinPolicy(p.Key())
					if err != nil {
						return err
					}
					np := *p
					switch {
					case cur == nil && !fromInstance:
						missing = true
						return nil
					case cur != nil && !fromInstance:
						np = *cur
					}
					if verr = applyPolicyParams(a, &np); verr != nil {
						return nil
					}
					return d.putPolicy(tx, rt, &np, "SetPinPolicy")
				})
				switch {
				case err != nil:
					return err
				case missing:
					return policyNotFound(rt, p.Identity())
				case verr != nil:
					return rt.WriteError(cmdlet.NewError(cmdlet.InvalidArgument, "InvalidPinPolicy", p.Identity(), verr))
				}
				return nil
			}}
		},
	}
}

func removePolicyInfo(d *Deps) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Remove-CsPinPolicy",
		Synopsis: "Removes a site or per-user PIN policy, or resets the global one.",
		Description: "Deletes a site or per-user policy; its users fall back to the next policy up. " +
			"Removing the global policy does not delete it: every property goes back to its default.",
		Params: []cmdlet.Param{
			{Name: "Identity", Kind: object.KindString, Mandatory: true, Position: 0, FromPipelineByName: true,
				Completer: "policy", Help: "Global, site:<name> or tag:<name>."},
			{Name: "Force", Kind: object.KindSwitch, Position: -1, Help: "Accepted for compatibility."},
		},
		SupportsShouldProcess: true,
		ConfirmImpact:         cmdlet.ImpactMedium,
		Source:                "builtin",
		Examples: []cmdlet.Example{
			{Code: "Remove-CsPinPolicy -Identity RedmondPinPolicy", Remark: "Deletes Tag:RedmondPinPolicy."},
			{Code: "Get-CsPinPolicy | Remove-CsPinPolicy", Remark: "Resets the global policy and deletes the others."},
		},
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				id := a.String("Identity")
				scope, name, ok, err := parseIdentity(rt, id)
				if !ok {
					return err
				}
				p := store.DefaultPinPolicy(scope, name)
				if ok, err := d.allowChange(rt, a, p.Identity(), "RemovePinPolicy"); err != nil || !ok {
					return err
				}
				found := true
				err = d.Store.Write(rt.Context(), func(tx *store.Tx) error {
					found = true
					if scope == store.ScopeGlobal {
						return d.putPolicy(tx, rt, &p, "ResetPinPolicy")
					}
					ok, err := tx.DeletePinPolicy(p.Key())
					if err != nil {
						return err
					}
					if found = ok; !ok {
						return nil
					}
					return tx.AppendAudit(d.record(rt, p.Identity(), "RemovePinPolicy", ""))
				})
				if err != nil {
					return err
				}
				if !found {
					return policyNotFound(rt, p.Identity())
				}
				return nil
			}}
		},
	}
}

func grantPolicyInfo(d *Deps) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Grant-CsPinPolicy",
		Synopsis: "Assigns a per-user PIN policy to users, or unassigns it.",
		Description: "Assigns the per-user policy tag:<PolicyName> to each user enabled for Lync Server that the Identity names. " +
			"-PolicyName $null (or no -PolicyName) unassigns it, so the site or global policy applies.",
		Params: []cmdlet.Param{
			{Name: "Identity", Kind: object.KindString, Mandatory: true, Position: 0, FromPipeline: true,
				FromPipelineByName: true, Completer: "identity", Help: "The user, in any identity form."},
			{Name: "PolicyName", Kind: object.KindString, Position: 1, Completer: "policy",
				Help: "The per-user policy's name, without tag:; $null unassigns."},
			{Name: "PassThru", Kind: object.KindSwitch, Position: -1, Help: "Returns the user object."},
			{Name: "DomainController", Kind: object.KindString, Position: -1, Help: "Accepted for compatibility."},
		},
		SupportsShouldProcess: true,
		ConfirmImpact:         cmdlet.ImpactMedium,
		OutputType:            OCSADUserTypeName,
		Source:                "builtin",
		Examples: []cmdlet.Example{
			{Code: `Grant-CsPinPolicy -Identity "Ken Myer" -PolicyName RedmondPinPolicy`, Remark: "Assigns Tag:RedmondPinPolicy to Ken Myer."},
			{Code: `Get-CsUser -OU "OU=Finance,DC=litwareinc,DC=com" | Grant-CsPinPolicy -PolicyName $null`, Remark: "Unassigns the per-user policy in Finance."},
		},
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				ctx := rt.Context()
				tag := ""
				if v, _ := a.Get("PolicyName"); v != nil {
					name := strings.TrimSpace(object.ToString(v))
					tag = name
					if pre, rest, ok := strings.Cut(name, ":"); ok {
						if !strings.EqualFold(strings.TrimSpace(pre), "tag") {
							return rt.WriteError(cmdlet.NewError(cmdlet.InvalidArgument, "NotPerUserPolicy", name,
								errorf("The policy \"%s\" is not a per-user policy. Grant-CsPinPolicy assigns per-user (tag:) policies only.", name)))
						}
						tag = strings.TrimSpace(rest)
					}
				}
				if tag != "" {
					p, err := d.Store.PinPolicy(ctx, store.PolicyKey(store.ScopeTag, tag))
					if err != nil {
						return err
					}
					if p == nil {
						return policyNotFound(rt, "Tag:"+tag)
					}
					tag = p.Name // the name as created
				}
				v, _ := a.Get("Identity")
				id := IdentityOf(v)
				return d.eachUser(rt, rt.CommandName(), id, true, func(u *store.User) error {
					if ok, err := d.shouldProcess(rt, a, u.SipURI(), "GrantPinPolicy"); err != nil || !ok {
						return err
					}
					err := d.Store.Write(ctx, func(tx *store.Tx) error {
						if err := tx.SetUserPinPolicy(u.ID, tag); err != nil {
							return err
						}
						detail := "Tag:" + tag
						if tag == "" {
							detail = "unassigned"
						}
						return tx.AppendAudit(d.record(rt, u.SipURI(), "GrantPinPolicy", detail))
					})
					if err != nil {
						return err
					}
					if a.Bool("PassThru") {
						nu := *u
						nu.PinPolicy = tag
						return rt.WriteObject(UserObject(&nu))
					}
					return nil
				})
			}}
		},
	}
}
