// Package admincmd holds the cmdlets that administer pinsh itself: roles
// (Get/New/Set/Remove-CsAdminRole, Get-CsAdminRoleAssignment), the mapping
// of OS accounts to principals (Get/Set/Remove-CsOperator), what an
// operator may run (Get-CsOperatorCapability) and the audit trail
// (Get-CsAuditLog, Test-CsAuditLog). Each asks the RBAC decider first and
// audits every change in the transaction that makes it.
package admincmd

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	"pinsh/host/rbac"
	"pinsh/host/store"
)

// Deps is what the cmdlets need from the session.
type Deps struct {
	Store      *store.Store
	Authorizer *rbac.Authorizer
	// Decider is consulted for every cmdlet; usually the Authorizer.
	Decider rbac.Decider
	// OSAccount is the real OS account (audited beside the operator).
	OSAccount string
}

// RoleType is the type of Get-CsAdminRole's objects.
var RoleType = object.NewType("Microsoft.Rtc.Management.WritableConfig.Settings.Roles.Role",
	object.P("Identity", object.KindString),
	object.P("SID", object.KindString),
	object.P("IsStandardRole", object.KindBool),
	object.P("Cmdlets", object.KindList),
	object.P("ScriptModules", object.KindStringList),
	object.P("ConfigScopes", object.KindStringList),
	object.P("UserScopes", object.KindStringList),
)

// CmdletEntryType is one element of a role's Cmdlets: it shows as
// "Name=<cmdlet>", so `$_.Cmdlets -match "Set-CsClientPin"` works as in Lync.
var CmdletEntryType = object.NewType("Microsoft.Rtc.Management.WritableConfig.Settings.Roles.CmdletEntry",
	object.P("Name", object.KindString),
).WithString(func(o *object.Object) string { return "Name=" + object.ToString(o.Value(0)) })

func strList(s []string) []object.Value {
	out := make([]object.Value, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// RoleObject converts a stored role to its object form.
func RoleObject(r *store.Role) *object.Object {
	cmdlets := make([]object.Value, len(r.Cmdlets))
	for i, c := range r.Cmdlets {
		cmdlets[i] = object.New(CmdletEntryType, c)
	}
	return object.New(RoleType, r.Name, r.SID, r.IsStandard, cmdlets,
		strList(r.ScriptModules), strList(r.ConfigScopes), strList(r.UserScopes))
}

// check asks the decider, through [rbac.Audited] so that a denial is
// recorded, and writes a denial as a non-terminating error.
func (d *Deps) check(rt cmdlet.Runtime, target *rbac.Target) (bool, error) {
	guard := rbac.Audited{Decider: d.Decider, Log: d.Store, OSAccount: d.OSAccount}
	denial, _ := guard.Authorize(rt.Context(), rt.Operator(), rt.CommandName(), target)
	if denial == nil {
		return true, nil
	}
	t := ""
	if target != nil {
		t = target.Display
	}
	return false, rt.WriteError(cmdlet.NewError(cmdlet.PermissionDenied, "AccessDenied", t, denial))
}

func (d *Deps) audit(tx *store.Tx, rt cmdlet.Runtime, target, action, detail string) error {
	return tx.AppendAudit(&store.AuditRecord{Operator: rt.Operator(), OSAccount: d.OSAccount,
		Cmdlet: rt.CommandName(), Target: target, Action: action, Outcome: "Success", Detail: detail})
}

func (d *Deps) roles(ctx context.Context) ([]*store.Role, error) {
	var out []*store.Role
	err := d.Store.EachRole(ctx, func(r *store.Role) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

func (d *Deps) role(ctx context.Context, name string) (*store.Role, error) {
	roles, err := d.roles(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		if strings.EqualFold(r.Name, name) {
			return r, nil
		}
	}
	return nil, nil
}

func notFound(rt cmdlet.Runtime, what, id string) error {
	return rt.WriteError(cmdlet.NewError(cmdlet.ObjectNotFound, "RoleNotFound", id,
		fmt.Errorf("%s %q was not found.", what, id)))
}

func (d *Deps) getRole() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Get-CsAdminRole",
		Synopsis: "Returns the administrative roles: their cmdlets and scopes.",
		Description: "Each role maps to the directory group of the same name; members of the group hold the role. " +
			"Each entry of Cmdlets shows as Name=<cmdlet>, so -match finds the roles that may run a cmdlet.",
		DefaultSet: "Identity",
		OutputType: RoleType.Name(),
		Params: []cmdlet.Param{
			{Name: "Identity", Kind: object.KindString, Position: 0, Sets: []string{"Identity"},
				FromPipeline: true, FromPipelineByName: true, Completer: "role",
				Help: "The role's name (its group's SamAccountName)."},
			{Name: "Filter", Kind: object.KindString, Position: -1, Sets: []string{"Filter"},
				Help: "A wildcard over role names, such as \"*Admin*\"."},
		},
		Examples: []cmdlet.Example{
			{Code: `Get-CsAdminRole | Where-Object {$_.Cmdlets –match "Set-CsClientPin"}`,
				Remark: "Lists the roles that may run Set-CsClientPin."},
			{Code: `Get-CsAdminRole -Identity CsHelpDesk | Select-Object -ExpandProperty Cmdlets`,
				Remark: "Lists the cmdlets of the help desk role."},
		},
		Source: "builtin",
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				if ok, err := d.check(rt, nil); !ok {
					return err
				}
				roles, err := d.roles(rt.Context())
				if err != nil {
					return err
				}
				id, byID := a.Get("Identity")
				filter := a.String("Filter")
				found := false
				for _, r := range roles {
					switch {
					case byID && !strings.EqualFold(r.Name, object.ToString(id)):
						continue
					case filter != "" && !object.Like(r.Name, filter, false):
						continue
					}
					found = true
					if err := rt.WriteObject(RoleObject(r)); err != nil {
						return err
					}
				}
				if byID && !found {
					return notFound(rt, "The role", object.ToString(id))
				}
				return nil
			}}
		},
	}
}

// targetRole authorises the running cmdlet and finds the role its
// -Identity names; nil (with the error to return, if any) when the
// operator is denied or there is no such role.
func (d *Deps) targetRole(rt cmdlet.Runtime, a *cmdlet.Args) (*store.Role, error) {
	if ok, err := d.check(rt, nil); !ok {
		return nil, err
	}
	id := a.String("Identity")
	r, err := d.role(rt.Context(), id)
	if err != nil || r != nil {
		return r, err
	}
	return nil, notFound(rt, "The role", id)
}

// listChange is a -Cmdlets/-UserScopes value: a plain list replaces, a
// hashtable @{Add=...; Remove=...; Replace=...} edits (PSListModifier).
func listChange(v object.Value, old []string) ([]string, error) {
	h, ok := v.(*object.Hashtable)
	if !ok {
		var out []string
		_ = object.Enumerate(v, func(e object.Value) error {
			if s := object.ToString(e); s != "" {
				out = append(out, s)
			}
			return nil
		})
		return out, nil
	}
	out := append([]string(nil), old...)
	for _, k := range h.Keys() {
		val, _ := h.Get(k)
		var items []string
		_ = object.Enumerate(val, func(e object.Value) error {
			items = append(items, object.ToString(e))
			return nil
		})
		switch strings.ToLower(k) {
		case "replace":
			out = items
		case "add":
			for _, it := range items {
				if !containsFold(out, it) {
					out = append(out, it)
				}
			}
		case "remove":
			var kept []string
			for _, o := range out {
				if !containsFold(items, o) {
					kept = append(kept, o)
				}
			}
			out = kept
		default:
			return nil, fmt.Errorf("a list change takes the keys Add, Remove and Replace, not %q", k)
		}
	}
	return out, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// checkScopes validates user scopes: Global or OU:<DN>.
func checkScopes(scopes []string) error {
	for _, s := range scopes {
		if strings.EqualFold(s, rbac.GlobalScope) {
			continue
		}
		if len(s) > 3 && strings.EqualFold(s[:3], rbac.OUScopePrefix) && store.LooksLikeDN(s[3:]) {
			continue
		}
		return fmt.Errorf("the user scope %q must be \"Global\" or \"OU:<distinguished name>\"", s)
	}
	return nil
}

var roleListParams = []cmdlet.Param{
	{Name: "Cmdlets", Kind: object.KindAny, Position: -1,
		Help: "The cmdlets the role may run: a list, or @{Add=...; Remove=...} to edit it."},
	{Name: "UserScopes", Kind: object.KindAny, Position: -1,
		Help: "Where the role applies: \"Global\" or \"OU:<DN>\" entries (child OUs included)."},
	{Name: "ConfigScopes", Kind: object.KindAny, Position: -1,
		Help: "Configuration scopes: \"Global\" or \"site:<name>\"."},
	{Name: "ScriptModules", Kind: object.KindAny, Position: -1,
		Help: "Script modules the role may run."},
}

// applyLists applies the list parameters given in a to r.
func applyLists(a *cmdlet.Args, r *store.Role, standardOnly bool) error {
	for _, p := range roleListParams {
		v, ok := a.Get(p.Name)
		if !ok {
			continue
		}
		if standardOnly && p.Name != "ScriptModules" {
			return fmt.Errorf("the standard role %q cannot be changed except for its ScriptModules", r.Name)
		}
		var err error
		switch p.Name {
		case "Cmdlets":
			r.Cmdlets, err = listChange(v, r.Cmdlets)
		case "UserScopes":
			if r.UserScopes, err = listChange(v, r.UserScopes); err == nil {
				err = checkScopes(r.UserScopes)
			}
		case "ConfigScopes":
			r.ConfigScopes, err = listChange(v, r.ConfigScopes)
		case "ScriptModules":
			r.ScriptModules, err = listChange(v, r.ScriptModules)
		}
		if err != nil {
			return fmt.Errorf("-%s: %w", p.Name, err)
		}
	}
	return nil
}

// write runs one change the caller has authorised: ShouldProcess, then a
// transaction with its audit record, then a reload of the authorizer.
func (d *Deps) write(rt cmdlet.Runtime, target, action string, fn func(tx *store.Tx) error) error {
	ok, err := rt.ShouldProcess(target, rt.CommandName())
	if err != nil || !ok {
		return err
	}
	err = d.Store.Write(rt.Context(), func(tx *store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return d.audit(tx, rt, target, action, "")
	})
	if d.Authorizer != nil {
		d.Authorizer.Reload()
	}
	return err
}

func (d *Deps) newRole() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "New-CsAdminRole",
		Synopsis: "Creates a custom role from a standard template, for an existing directory group.",
		Params: append([]cmdlet.Param{
			{Name: "Identity", Kind: object.KindString, Position: 0, Mandatory: true,
				Help: "The SamAccountName of an existing group; its members will hold the role."},
			{Name: "Template", Kind: object.KindString, Position: -1, Mandatory: true, Completer: "role",
				Help: "The standard role whose cmdlets and scopes the new role starts from."},
			{Name: "Force", Kind: object.KindSwitch, Position: -1, Help: "Accepted for compatibility."},
		}, roleListParams...),
		SupportsShouldProcess: true,
		ConfirmImpact:         cmdlet.ImpactMedium,
		Examples: []cmdlet.Example{{
			Code:   `New-CsAdminRole -Identity "FinanceHelpDesk" -Template CsHelpDesk -UserScopes "OU:OU=Finance,DC=litwareinc,DC=com"`,
			Remark: "A help desk role limited to the Finance OU, held by the FinanceHelpDesk group.",
		}},
		Source: "builtin",
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				if ok, err := d.check(rt, nil); !ok {
					return err
				}
				ctx := rt.Context()
				id, tmplName := a.String("Identity"), a.String("Template")
				if existing, err := d.role(ctx, id); err != nil {
					return err
				} else if existing != nil {
					return cmdlet.NewError(cmdlet.ResourceExists, "RoleExists", id, fmt.Errorf("the role %q already exists", existing.Name))
				}
				if _, err := d.Store.GroupBySam(ctx, id); err != nil {
					if errors.Is(err, store.ErrNotFound) {
						return cmdlet.NewError(cmdlet.ObjectNotFound, "GroupNotFound", id,
							fmt.Errorf("there is no directory group with the SamAccountName %q; create or import the group first", id))
					}
					return err
				}
				tmpl, err := d.role(ctx, tmplName)
				if err != nil {
					return err
				}
				if tmpl == nil || !tmpl.IsStandard {
					return cmdlet.NewError(cmdlet.InvalidArgument, "BadTemplate", tmplName,
						fmt.Errorf("the template %q is not a standard role", tmplName))
				}
				r := &store.Role{Name: id, Template: tmpl.Name, Cmdlets: tmpl.Cmdlets,
					UserScopes: tmpl.UserScopes, ConfigScopes: tmpl.ConfigScopes,
					SID: customSID(id)}
				if err := applyLists(a, r, false); err != nil {
					return cmdlet.NewError(cmdlet.InvalidArgument, "BadRoleList", id, err)
				}
				return d.write(rt, id, "NewRole", func(tx *store.Tx) error { return tx.PutRole(r) })
			}}
		},
	}
}

func (d *Deps) setRole() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Set-CsAdminRole",
		Synopsis: "Changes a custom role's cmdlets and scopes, or a standard role's ScriptModules.",
		Params: append([]cmdlet.Param{
			{Name: "Identity", Kind: object.KindString, Position: 0, Mandatory: true,
				FromPipelineByName: true, Completer: "role", Help: "The role to change."},
			{Name: "Force", Kind: object.KindSwitch, Position: -1, Help: "Accepted for compatibility."},
		}, roleListParams...),
		SupportsShouldProcess: true,
		ConfirmImpact:         cmdlet.ImpactMedium,
		Examples: []cmdlet.Example{{
			Code:   `Set-CsAdminRole -Identity FinanceHelpDesk -Cmdlets @{Remove="Lock-CsClientPin"}`,
			Remark: "Removes one cmdlet from a custom role.",
		}},
		Source: "builtin",
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				r, err := d.targetRole(rt, a)
				if r == nil {
					return err
				}
				id := r.Name
				if err := applyLists(a, r, r.IsStandard); err != nil {
					return rt.WriteError(cmdlet.NewError(cmdlet.InvalidOperation, "RoleNotChangeable", id, err))
				}
				return d.write(rt, r.Name, "SetRole", func(tx *store.Tx) error { return tx.PutRole(r) })
			}}
		},
	}
}

func (d *Deps) removeRole() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Remove-CsAdminRole",
		Synopsis: "Removes a custom role. Standard roles cannot be removed.",
		Params: []cmdlet.Param{
			{Name: "Identity", Kind: object.KindString, Position: 0, Mandatory: true,
				FromPipelineByName: true, Completer: "role", Help: "The role to remove."},
			{Name: "Force", Kind: object.KindSwitch, Position: -1, Help: "Accepted for compatibility."},
		},
		SupportsShouldProcess: true,
		ConfirmImpact:         cmdlet.ImpactMedium,
		Examples:              []cmdlet.Example{{Code: `Remove-CsAdminRole -Identity FinanceHelpDesk`}},
		Source:                "builtin",
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				r, err := d.targetRole(rt, a)
				if r == nil {
					return err
				}
				id := r.Name
				if r.IsStandard {
					return rt.WriteError(cmdlet.NewError(cmdlet.InvalidOperation, "StandardRole", id,
						fmt.Errorf("the standard role %q cannot be removed", r.Name)))
				}
				return d.write(rt, r.Name, "RemoveRole", func(tx *store.Tx) error {
					_, err := tx.DeleteRole(r.Name)
					return err
				})
			}}
		},
	}
}

func (d *Deps) roleAssignment() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Get-CsAdminRoleAssignment",
		Synopsis: "Returns the names of the roles a user holds, by SamAccountName.",
		Params: []cmdlet.Param{
			{Name: "Identity", Kind: object.KindString, Position: 0, Mandatory: true, FromPipeline: true,
				Help: "The user's SamAccountName (a SIP address or display name is not accepted, as in Lync)."},
		},
		OutputType: "System.String",
		Examples: []cmdlet.Example{{Code: `Get-CsAdminRoleAssignment -Identity kenmyer`,
			Remark: "Lists the roles Ken Myer holds."}},
		Source: "builtin",
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				ctx := rt.Context()
				sam := a.String("Identity")
				dom, err := d.Store.NetBIOSName(ctx)
				if err != nil {
					return err
				}
				var users []store.User
				if !strings.ContainsAny(sam, `\@`) && dom != "" {
					users, err = d.Store.ResolveIdentity(ctx, dom+`\`+sam)
					if err != nil && !errors.Is(err, store.ErrNotFound) {
						return err
					}
				}
				if len(users) != 1 {
					return rt.WriteError(cmdlet.NewError(cmdlet.ObjectNotFound, "UserNotFound", sam,
						fmt.Errorf("no user has the SamAccountName %q (give a SamAccountName, not a SIP address or display name)", sam)))
				}
				target := &rbac.Target{DN: users[0].DN, Display: users[0].DN}
				if ok, err := d.check(rt, target); !ok {
					return err
				}
				g, err := d.Authorizer.Grants(ctx, users[0].DN)
				if err != nil {
					return err
				}
				for _, r := range g.Roles {
					if err := rt.WriteObject(r); err != nil {
						return err
					}
				}
				return nil
			}}
		},
	}
}

// customSID derives a stable, clearly synthetic SID for a custom role from
// its name (the directory import does not carry objectSid).
func customSID(name string) string {
	return fmt.Sprintf("S-1-5-21-0-0-1-%d", crc32.ChecksumIEEE([]byte(object.Fold(name))))
}

// Register adds the administration cmdlets to reg.
func Register(reg *cmdlet.Registry, d *Deps) {
	for _, in := range []*cmdlet.Info{d.getRole(), d.newRole(), d.setRole(), d.removeRole(),
		d.roleAssignment(), d.getOperator(), d.setOperator(), d.removeOperator(),
		d.capability(), d.auditLog(), d.testAuditLog()} {
		reg.MustAdd(in)
	}
}
