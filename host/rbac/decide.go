package rbac

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"

	"pinsh/host/object"
	"pinsh/host/store"
)

// Authorizer is the [Decider] over the roles in the store: an operator may
// run cmdlet C on user U when one of the operator's roles lists C and has
// a global user scope or an OU scope whose subtree holds U. An operator in
// several roles gets, for each cmdlet, the scopes of exactly the roles that
// grant that cmdlet. A cmdlet that no role lists (a newly installed
// plugin's) is runnable only by CsAdministrator and RTCUniversalServerAdmins.
//
// Grants are computed once per operator and cached; call [Authorizer.Reload]
// after changing roles or memberships. An Authorizer is safe for concurrent
// use; [Authorizer.Allow], called for every object a pipeline acts on, takes
// no lock and allocates nothing once the operator's grants are cached.
type Authorizer struct {
	st *store.Store

	// snap holds the roles as last read and the grants computed from
	// them; nil until the first decision and after Reload.
	snap atomic.Pointer[snapshot]
	// folded maps cmdlet names as callers spell them to their folded form.
	folded cowMap[string]
}

// snapshot is the roles read from the store at one time. Only grants
// changes once it is published, and that through its own copy-on-write.
type snapshot struct {
	roles  map[string]*store.Role // folded name -> role
	listed map[string]bool        // folded cmdlet -> some role lists it
	grants cowMap[*Grants]        // principal, as given and folded -> grants
}

// NewAuthorizer returns an authorizer reading roles from st.
func NewAuthorizer(st *store.Store) *Authorizer {
	return &Authorizer{st: st}
}

// Grants is what one operator may run and where.
type Grants struct {
	Principal string
	// Roles are the operator's role names, sorted.
	Roles []string
	// cmdlets maps a folded cmdlet name to its scopes.
	cmdlets map[string]*scopes
	// superuser holds CsAdministrator or RTCUniversalServerAdmins.
	superuser bool
}

type scopes struct {
	name   string // cmdlet as the role spells it
	global bool
	ous    []ouScope
	shown  []string // OU scopes as written
}

// Reload drops the cached roles and grants.
func (a *Authorizer) Reload() {
	a.snap.Store(nil)
}

func (a *Authorizer) load(ctx context.Context) (*snapshot, error) {
	if s := a.snap.Load(); s != nil {
		return s, nil
	}
	s := &snapshot{roles: map[string]*store.Role{}, listed: map[string]bool{}}
	err := a.st.EachRole(ctx, func(r *store.Role) error {
		s.roles[object.Fold(r.Name)] = r
		for _, c := range r.Cmdlets {
			s.listed[object.Fold(c)] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot read the roles: %w", err)
	}
	if !a.snap.CompareAndSwap(nil, s) {
		// Another goroutine loaded first: share its grants.
		if cur := a.snap.Load(); cur != nil {
			return cur, nil
		}
	}
	return s, nil
}

// Grants returns the grants of the principal (a DN), computing them from
// its group memberships on first use.
func (a *Authorizer) Grants(ctx context.Context, principal string) (*Grants, error) {
	s, err := a.load(ctx)
	if err != nil {
		return nil, err
	}
	return a.grants(ctx, s, principal)
}

func (a *Authorizer) grants(ctx context.Context, s *snapshot, principal string) (*Grants, error) {
	if g, ok := s.grants.get(principal); ok {
		return g, nil
	}
	key := object.Fold(principal)
	if g, ok := s.grants.get(key); ok {
		s.grants.put(principal, g)
		return g, nil
	}
	groups, err := a.st.MemberOf(ctx, principal)
	if err != nil {
		return nil, fmt.Errorf("cannot read the groups of %q: %w", principal, err)
	}
	g := &Grants{Principal: principal, cmdlets: map[string]*scopes{}}
	seen := map[string]bool{}
	for _, grp := range groups {
		r := s.roles[object.Fold(grp.SamAccountName)]
		if r == nil || seen[object.Fold(r.Name)] {
			continue
		}
		seen[object.Fold(r.Name)] = true
		g.Roles = append(g.Roles, r.Name)
		if strings.EqualFold(r.Name, Administrator) || strings.EqualFold(r.Name, ServerAdmins) {
			g.superuser = true
		}
		for _, c := range r.Cmdlets {
			ck := object.Fold(c)
			sc := g.cmdlets[ck]
			if sc == nil {
				sc = &scopes{name: c}
				g.cmdlets[ck] = sc
			}
			addScopes(sc, r.UserScopes)
		}
	}
	sort.Strings(g.Roles)
	s.grants.put(key, g)
	s.grants.put(principal, g)
	return g, nil
}

func addScopes(sc *scopes, user []string) {
	if len(user) == 0 {
		sc.global = true
		return
	}
	for _, u := range user {
		if strings.EqualFold(u, GlobalScope) {
			sc.global = true
			continue
		}
		if len(u) > len(OUScopePrefix) && strings.EqualFold(u[:len(OUScopePrefix)], OUScopePrefix) {
			sc.ous = append(sc.ous, newOUScope(u[len(OUScopePrefix):]))
			sc.shown = append(sc.shown, u)
		}
	}
}

// Allow implements [Decider]: operator is the principal's DN.
func (a *Authorizer) Allow(operator, cmdlet string, target *Target) error {
	ctx := context.Background()
	s, err := a.load(ctx)
	var g *Grants
	if err == nil {
		g, err = a.grants(ctx, s, operator)
	}
	if err != nil {
		return &DeniedError{Operator: operator, Cmdlet: cmdlet, Target: targetName(target), Reason: err.Error()}
	}
	return a.decide(s, g, operator, cmdlet, target)
}

func (a *Authorizer) decide(s *snapshot, g *Grants, operator, cmdlet string, target *Target) error {
	folded := a.fold(cmdlet)
	sc := g.cmdlets[folded]
	if sc == nil {
		listed := s.listed[folded]
		if !listed && g.superuser {
			return nil
		}
		reason := "none of the operator's roles lists the cmdlet"
		if !listed {
			reason = "no role lists this cmdlet yet; only CsAdministrator and RTCUniversalServerAdmins may run it"
		}
		return &DeniedError{Operator: operator, Cmdlet: cmdlet, Target: targetName(target), Reason: reason}
	}
	if target == nil || sc.global || sc.holds(target.DN) {
		return nil
	}
	return &DeniedError{Operator: operator, Cmdlet: cmdlet, Target: targetName(target),
		Reason: "the target is outside the operator's user scopes for this cmdlet (" + strings.Join(sc.shown, "; ") + ")"}
}

// fold is [object.Fold] of a cmdlet name, remembered: callers spell the
// same few names over and over.
func (a *Authorizer) fold(cmdlet string) string {
	if f, ok := a.folded.get(cmdlet); ok {
		return f
	}
	f := object.Fold(cmdlet)
	a.folded.put(cmdlet, f)
	return f
}

func targetName(t *Target) string {
	if t == nil {
		return ""
	}
	if t.Display != "" {
		return t.Display
	}
	return t.DN
}

// Capability is one cmdlet an operator may run and where.
type Capability struct {
	Cmdlet string
	// Scopes is {"Global"} or the "OU:<DN>" scopes that apply.
	Scopes []string
}

// Capabilities lists what the grants allow, sorted by cmdlet.
func (g *Grants) Capabilities() []Capability {
	out := make([]Capability, 0, len(g.cmdlets))
	for _, sc := range g.cmdlets {
		c := Capability{Cmdlet: sc.name}
		if sc.global {
			c.Scopes = []string{GlobalScope}
		} else {
			c.Scopes = append([]string(nil), sc.shown...)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Cmdlet) < strings.ToLower(out[j].Cmdlet) })
	return out
}

// Superuser reports whether the grants include CsAdministrator or
// RTCUniversalServerAdmins.
func (g *Grants) Superuser() bool { return g.superuser }

// Can reports whether the grants allow cmdlet on some target at all.
func (g *Grants) Can(cmdlet string) bool {
	_, ok := g.cmdlets[object.Fold(cmdlet)]
	return ok
}
