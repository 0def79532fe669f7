package admincmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	"pinsh/host/rbac"
	"pinsh/host/store"
)

// OperatorType is the type of Get-CsOperator's objects.
var OperatorType = object.NewType("Pinsh.Operator",
	object.P("OSAccount", object.KindString),
	object.P("Principal", object.KindString),
	object.P("Roles", object.KindStringList),
	object.P("Note", object.KindString),
)

// CapabilityType is the type of Get-CsOperatorCapability's objects.
var CapabilityType = object.NewType("Pinsh.OperatorCapability",
	object.P("Operator", object.KindString),
	object.P("Cmdlet", object.KindString),
	object.P("Scopes", object.KindStringList),
)

// ResolvePrincipal turns an identity into a principal DN: any user identity
// form that names exactly one user, or a DN as it stands (principals such
// as the bootstrap administrator are not users).
func ResolvePrincipal(ctx context.Context, st *store.Store, identity string) (string, error) {
	users, err := st.ResolveIdentity(ctx, identity)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	switch {
	case len(users) == 1:
		return users[0].DN, nil
	case len(users) > 1:
		return "", fmt.Errorf("the identity %q names %d users; name exactly one", identity, len(users))
	case store.LooksLikeDN(identity):
		return identity, nil
	}
	return "", fmt.Errorf("no principal matches the identity %q", identity)
}

func (d *Deps) getOperator() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Get-CsOperator",
		Synopsis: "Lists the OS accounts that may run pinsh on this store and the principals they run as.",
		Params: []cmdlet.Param{{Name: "OSAccount", Kind: object.KindString, Position: 0,
			Help: "Only this OS account."}},
		OutputType: OperatorType.Name(),
		Examples:   []cmdlet.Example{{Code: `Get-CsOperator`}},
		Source:     "builtin",
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				if ok, err := d.check(rt, nil); !ok {
					return err
				}
				only := a.String("OSAccount")
				var ops []*store.Operator
				if err := d.Store.EachOperator(rt.Context(), func(o *store.Operator) error {
					if only == "" || strings.EqualFold(only, o.OSAccount) {
						ops = append(ops, o)
					}
					return nil
				}); err != nil {
					return err
				}
				for _, o := range ops {
					g, err := d.Authorizer.Grants(rt.Context(), o.Principal)
					if err != nil {
						return err
					}
					if err := rt.WriteObject(object.New(OperatorType, o.OSAccount, o.Principal, strList(g.Roles), o.Note)); err != nil {
						return err
					}
				}
				return nil
			}}
		},
	}
}

func (d *Deps) setOperator() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Set-CsOperator",
		Synopsis: "Maps an OS account to the directory principal it runs as.",
		Params: []cmdlet.Param{
			{Name: "OSAccount", Kind: object.KindString, Position: 0, Mandatory: true,
				Help: "The OS account name, as the operating system reports it."},
			{Name: "Identity", Kind: object.KindString, Position: 1, Mandatory: true, Completer: "identity",
				Help: "The principal: any user identity form, or a DN."},
			{Name: "Note", Kind: object.KindString, Position: -1, Help: "Free text kept with the mapping."},
		},
		SupportsShouldProcess: true,
		ConfirmImpact:         cmdlet.ImpactMedium,
		Examples: []cmdlet.Example{{Code: `Set-CsOperator -OSAccount hal -Identity "litwareinc\haldesk"`,
			Remark: "The OS account hal runs as the directory user haldesk, with that user's roles."}},
		Source: "builtin",
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				if ok, err := d.check(rt, nil); !ok {
					return err
				}
				acct := a.String("OSAccount")
				p, err := ResolvePrincipal(rt.Context(), d.Store, a.String("Identity"))
				if err != nil {
					return rt.WriteError(cmdlet.NewError(cmdlet.ObjectNotFound, "PrincipalNotFound", a.String("Identity"), err))
				}
				return d.write(rt, acct, "SetOperator", func(tx *store.Tx) error {
					return tx.PutOperator(&store.Operator{OSAccount: acct, Principal: p,
						CreatedBy: d.OSAccount, Note: a.String("Note")})
				})
			}}
		},
	}
}

func (d *Deps) removeOperator() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Remove-CsOperator",
		Synopsis: "Removes an OS account's mapping; the account can no longer use the store.",
		Params: []cmdlet.Param{{Name: "OSAccount", Kind: object.KindString, Position: 0, Mandatory: true,
			FromPipelineByName: true, Help: "The OS account."}},
		SupportsShouldProcess: true,
		ConfirmImpact:         cmdlet.ImpactHigh,
		Examples:              []cmdlet.Example{{Code: `Remove-CsOperator -OSAccount hal -Confirm:$false`}},
		Source:                "builtin",
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				if ok, err := d.check(rt, nil); !ok {
					return err
				}
				acct := a.String("OSAccount")
				found := false
				err := d.write(rt, acct, "RemoveOperator", func(tx *store.Tx) error {
					var err error
					found, err = tx.DeleteOperator(acct)
					if err == nil && !found {
						return errNoOperator
					}
					return err
				})
				if errors.Is(err, errNoOperator) {
					return rt.WriteError(cmdlet.NewError(cmdlet.ObjectNotFound, "OperatorNotFound", acct,
						fmt.Errorf("the OS account %q is not an operator of this store", acct)))
				}
				return err
			}}
		},
	}
}

var errNoOperator = errors.New("no such operator")

func (d *Deps) capability() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Get-CsOperatorCapability",
		Synopsis: "Shows exactly which cmdlets a principal may run, and where.",
		Description: "For each cmdlet that one of the principal's roles lists, the user scopes that apply: " +
			"Global, or the OU subtrees of exactly the roles that grant that cmdlet.",
		Params: []cmdlet.Param{{Name: "Identity", Kind: object.KindString, Position: 0,
			FromPipeline: true, Completer: "identity",
			Help: "The principal (any user identity form or a DN); the current operator when omitted."}},
		OutputType: CapabilityType.Name(),
		Examples: []cmdlet.Example{{Code: `Get-CsOperatorCapability -Identity "litwareinc\haldesk"`,
			Remark: "What the help desk operator may run and in which OUs."}},
		Source: "builtin",
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				p := rt.Operator()
				if id, ok := a.Get("Identity"); ok {
					var err error
					if p, err = ResolvePrincipal(rt.Context(), d.Store, object.ToString(id)); err != nil {
						return rt.WriteError(cmdlet.NewError(cmdlet.ObjectNotFound, "PrincipalNotFound", id, err))
					}
					if !strings.EqualFold(p, rt.Operator()) {
						if ok, err := d.check(rt, &rbac.Target{DN: p, Display: p}); !ok {
							return err
						}
					}
				}
				g, err := d.Authorizer.Grants(rt.Context(), p)
				if err != nil {
					return err
				}
				for _, c := range g.Capabilities() {
					if err := rt.WriteObject(object.New(CapabilityType, p, c.Cmdlet, strList(c.Scopes))); err != nil {
						return err
					}
				}
				return nil
			}}
		},
	}
}
