package cscmd

import (
	"errors"
	"math"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/directory"
	"pinsh/host/object"
	"pinsh/host/pin"
	"pinsh/host/store"
)

func getUserInfo(d *Deps, ad bool) *cmdlet.Info {
	name, out, what := "Get-CsUser", OCSADUserTypeName, "users enabled for Lync Server"
	if ad {
		name, out, what = "Get-CsAdUser", ADUserTypeName, "every user of the directory, enabled for Lync Server or not"
	}
	params := []cmdlet.Param{
		{Name: "Identity", Kind: object.KindString, Position: 0, FromPipeline: true, FromPipelineByName: true,
			Completer: "identity",
			Help: "The user: a SIP address (sip:kenmyer@litwareinc.com), a user principal name, domain\\logon, " +
				"a display name (\"Ken Myer\", with * wildcards: \"Pilar*\", \"* Smith\") or a distinguished name."},
		{Name: "OU", Kind: object.KindString, Position: -1, Completer: "ou",
			Help: "Returns only users in this organizational unit or container (a DN), child OUs included."},
		{Name: "Filter", Kind: object.KindAny, Position: -1,
			Help: "A filter over the user's properties, such as {EnterpriseVoiceEnabled -eq $True} or {PinPolicy -eq $Null}."},
		{Name: "LdapFilter", Kind: object.KindString, Position: -1,
			Help: "An LDAP filter over directory attributes, such as \"Department=Finance\" or \"&(Department=Finance)(Title=Manager)\"."},
		{Name: "ResultSize", Kind: object.KindAny, Position: -1,
			Help: "The most users to return (0 to 2147483647, or Unlimited)."},
	}
	if !ad {
		params = append(params,
			cmdlet.Param{Name: "UnassignedUser", Kind: object.KindSwitch, Position: -1,
				Help: "Returns users enabled for Lync Server who have no registrar pool (they cannot sign in)."},
			cmdlet.Param{Name: "OnLyncServer", Kind: object.KindSwitch, Position: -1,
				Help: "Returns users homed on Lync Server 2013 (all users of this store)."},
			cmdlet.Param{Name: "OnOfficeCommunicationServer", Kind: object.KindSwitch, Position: -1,
				Help: "Returns users homed on Office Communications Server (none in this store)."},
		)
	}
	return &cmdlet.Info{
		Name:        name,
		Synopsis:    "Returns " + what + ".",
		Description: "Returns " + what + " from the store, streamed, with the type " + out + ". -Filter and -LdapFilter cannot be used together.",
		Params:      params,
		OutputType:  out,
		Source:      "builtin",
		// It only reads (a denial of an identity is audited, which nothing
		// in the pipeline can see), so a read-only plugin after it may take
		// its users in batches.
		Pure: true,
		Examples: []cmdlet.Example{
			{Code: name + ` -Identity "Ken Myer"`, Remark: "Returns Ken Myer."},
			{Code: name + ` -OU "OU=Finance,DC=litwareinc,DC=com"`, Remark: "Returns the users of the Finance OU and its child OUs."},
			{Code: name + ` -LdapFilter "&(Department=Finance)(Title=Manager)"`, Remark: "Returns the Finance managers."},
			{Code: name + ` -Filter {PinPolicy -eq $Null}`, Remark: "Returns the users without a per-user PIN policy."},
		},
		New: func() cmdlet.Command { return newGetUser(d, ad) },
	}
}

type getUser struct {
	d         *Deps
	ad        bool
	filter    cmdlet.Filter
	ldap      directory.Filter
	remaining int64 // -1: unlimited
	ouChecked bool
	ouMissing bool
}

func newGetUser(d *Deps, ad bool) cmdlet.Command {
	g := &getUser{d: d, ad: ad, remaining: -1}
	return &cmdlet.Funcs{OnBegin: g.begin, OnProcess: g.process}
}

func (g *getUser) begin(rt cmdlet.Runtime, a *cmdlet.Args) error {
	if a.Has("Filter") && a.Has("LdapFilter") {
		return cmdlet.NewError(cmdlet.InvalidArgument, "FilterAndLdapFilter", nil,
			errorf("The parameters Filter and LdapFilter cannot be used together. Use one of them."))
	}
	if v, ok := a.Get("Filter"); ok && v != nil {
		text := object.ToString(v)
		if sb, ok := v.(cmdlet.ScriptBlock); ok {
			text = sb.String()
		}
		f, err := rt.CompileFilter(text)
		if err != nil {
			return cmdlet.NewError(cmdlet.InvalidArgument, "InvalidFilter", text, err)
		}
		g.filter = f
	}
	if a.Has("LdapFilter") {
		f, err := directory.ParseFilter(a.String("LdapFilter"))
		if err != nil {
			return cmdlet.NewError(cmdlet.InvalidArgument, "InvalidLdapFilter", a.String("LdapFilter"), err)
		}
		g.ldap = f
	}
	if v, ok := a.Get("ResultSize"); ok {
		n, err := parseResultSize(v)
		if err != nil {
			return cmdlet.NewError(cmdlet.InvalidArgument, "InvalidResultSize", v, err)
		}
		g.remaining = n
	}
	return nil
}

// parseResultSize reads -ResultSize: 0 to 2147483647, or Unlimited.
func parseResultSize(v object.Value) (int64, error) {
	if s, ok := v.(string); ok && strings.EqualFold(strings.TrimSpace(s), "unlimited") {
		return -1, nil
	}
	n, err := object.ToInt(v)
	if err != nil {
		return 0, errorf("Cannot bind parameter 'ResultSize'. Cannot convert value %q to type \"Unlimited[UInt32]\". Use a number from 0 to 2147483647 or Unlimited.", object.ToString(v))
	}
	if err := pin.CheckRange("ResultSize", n, [2]int64{0, math.MaxInt32}); err != nil {
		return 0, err
	}
	return n, nil
}

func (g *getUser) process(rt cmdlet.Runtime, a *cmdlet.Args) error {
	if g.remaining == 0 || a.Bool("OnOfficeCommunicationServer") {
		return nil
	}
	ctx := rt.Context()
	cmd := rt.CommandName()
	identity := ""
	if v, ok := a.Get("Identity"); ok && v != nil {
		identity = IdentityOf(v)
		if identity == "" {
			return rt.WriteError(cmdlet.NewError(cmdlet.InvalidArgument, "EmptyIdentity", "",
				errorf("Cannot bind argument to parameter 'Identity' because it is an empty string.")))
		}
	}
	ou := a.String("OU")
	if ou != "" && !g.ouChecked {
		g.ouChecked = true
		if _, err := g.d.Store.OUByDN(ctx, ou); err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			g.ouMissing = true
		}
	}
	if g.ouMissing {
		return notFound(rt, ou)
	}
	newObj := UserObject
	if g.ad {
		newObj = ADUserObject
	}
	// Remember: a downstream PIN cmdlet that looks each user up again (by
	// the DN in Identity) and reads its PIN state needs no query.
	q := store.UserQuery{Identity: identity, OU: ou, EnabledOnly: !g.ad, Unassigned: a.Bool("UnassignedUser"), Remember: true}
	found := false
	err := g.d.Store.EachUser(ctx, q, func(u *store.User) error {
		found = true
		if g.ldap != nil {
			attrs := directory.UserAttributes{U: u, MemberOf: func() []string { return g.groupDNs(rt, u) }}
			if !g.ldap.Match(attrs) {
				return nil
			}
		}
		obj := newObj(u)
		if g.filter != nil {
			ok, err := g.filter(obj)
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
		}
		if identity == "" {
			// An enumeration leaves out, without an error per user, the
			// users the operator may not read.
			if g.d.guard().Check(rt.Operator(), cmd, target(u)) != nil {
				return nil
			}
		} else if ok, err := g.d.allow(rt, cmd, target(u)); err != nil || !ok {
			return err
		}
		if err := rt.WriteObject(obj); err != nil {
			return err
		}
		if g.remaining > 0 {
			g.remaining--
			if g.remaining == 0 {
				return errStop
			}
		}
		return nil
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	if err != nil {
		return err
	}
	if identity != "" && !found {
		return notFound(rt, identity)
	}
	return nil
}

func (g *getUser) groupDNs(rt cmdlet.Runtime, u *store.User) []string {
	gs, err := g.d.Store.MemberOf(rt.Context(), u.DN)
	if err != nil {
		return nil
	}
	out := make([]string, len(gs))
	for i, x := range gs {
		out[i] = x.DN
	}
	return out
}
