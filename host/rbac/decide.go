package rbac

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

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
// after changing roles or memberships.
type Authorizer struct {
	st *store.Store

	mu     sync.RWMutex
	roles  map[string]*store.Role // folded name -> role
	listed map[string]bool        // folded cmdlet -> some role lists it
	grants map[string]*Grants     // folded principal -> grants
	loaded bool
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
	ous    []string // DN keys
	shown  []string // OU scopes as written
}

// Reload drops the cached roles and grants.
func (a *Authorizer) Reload() {
	a.mu.Lock()
	a.loaded = false
	a.roles, a.listed, a.grants = nil, nil, nil
	a.mu.Unlock()
}

func (a *Authorizer) load(ctx context.Context) error {
	a.mu.RLock()
	ok := a.loaded
	a.mu.RUnlock()
	if ok {
		return nil
	}
	roles := map[string]*store.Role{}
	listed := map[string]bool{}
	err := a.st.EachRole(ctx, func(r *store.Role) error {
		roles[object.Fold(r.Name)] = r
		for _, c := range r.Cmdlets {
			listed[object.Fold(c)] = true
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cannot read the roles: %w", err)
	}
	a.mu.Lock()
	a.roles, a.listed, a.grants, a.loaded = roles, listed, map[string]*Grants{}, true
	a.mu.Unlock()
	return nil
}

// Grants returns the grants of the principal (a DN), computing them from
// its group memberships on first use.
func (a *Authorizer) Grants(ctx context.Context, principal string) (*Grants, error) {
	if err := a.load(ctx); err != nil {
		return nil, err
	}
	key := object.Fold(principal)
	a.mu.RLock()
	g, ok := a.grants[key]
	a.mu.RUnlock()
	if ok {
		return g, nil
	}
	groups, err := a.st.MemberOf(ctx, principal)
	if err != nil {
		return nil, fmt.Errorf("cannot read the groups of %q: %w", principal, err)
	}
	g = &Grants{Principal: principal, cmdlets: map[string]*scopes{}}
	a.mu.RLock()
	seen := map[string]bool{}
	for _, grp := range groups {
		r := a.roles[object.Fold(grp.SamAccountName)]
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
	a.mu.RUnlock()
	sort.Strings(g.Roles)
	a.mu.Lock()
	if a.grants != nil {
		a.grants[key] = g
	}
	a.mu.Unlock()
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
			dn := u[len(OUScopePrefix):]
			sc.ous = append(sc.ous, store.DNKey(dn))
			sc.shown = append(sc.shown, u)
		}
	}
}

// Allow implements [Decider]: operator is the principal's DN.
func (a *Authorizer) Allow(operator, cmdlet string, target *Target) error {
	g, err := a.Grants(context.Background(), operator)
	if err != nil {
		return &DeniedError{Operator: operator, Cmdlet: cmdlet, Target: targetName(target), Reason: err.Error()}
	}
	return a.decide(g, operator, cmdlet, target)
}

func (a *Authorizer) decide(g *Grants, operator, cmdlet string, target *Target) error {
	sc := g.cmdlets[object.Fold(cmdlet)]
	if sc == nil {
		a.mu.RLock()
		listed := a.listed[object.Fold(cmdlet)]
		a.mu.RUnlock()
		if !listed && g.superuser {
			return nil
		}
		reason := "none of the operator's roles lists the cmdlet"
		if !listed {
			reason = "no role lists this cmdlet yet; only CsAdministrator and RTCUniversalServerAdmins may run it"
		}
		return &DeniedError{Operator: operator, Cmdlet: cmdlet, Target: targetName(target), Reason: reason}
	}
	if target == nil || sc.global {
		return nil
	}
	key := store.DNKey(target.DN)
	for _, ou := range sc.ous {
		if store.KeyInSubtree(key, ou) {
			return nil
		}
	}
	return &DeniedError{Operator: operator, Cmdlet: cmdlet, Target: targetName(target),
		Reason: "the target is outside the operator's user scopes for this cmdlet (" + strings.Join(sc.shown, "; ") + ")"}
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
