package shell

import (
	"context"
	"errors"
	"fmt"

	"pinsh/host/pin"
	"pinsh/host/plugin"
	"pinsh/host/store"
)

// pinServices implements [plugin.Services] over the PIN core and the
// store. host/plugin has checked the plugin's capabilities and asked RBAC
// before any method runs; every change is audited by host/pin in the
// transaction that makes it.
type pinServices struct {
	st     *store.Store
	pins   *pin.Service
	osAcct string
}

var _ plugin.Services = (*pinServices)(nil)

func (p *pinServices) audit(c plugin.Call) pin.AuditInfo {
	return pin.AuditInfo{Operator: c.Operator, OSAccount: p.osAcct, Cmdlet: c.Cmdlet}
}

func toPluginUser(u *store.User) *plugin.User {
	return &plugin.User{
		DN:                u.DN,
		SipAddress:        u.SipAddress,
		DisplayName:       u.DisplayName,
		UserPrincipalName: u.UserPrincipalName,
		SamAccountName:    u.SamAccountName,
		Enabled:           u.Enabled,
		Ref:               u,
	}
}

// storeUser returns the store's user behind a plugin user; a user the
// plugin made up (no Ref) is looked up again by DN.
func (p *pinServices) storeUser(ctx context.Context, u *plugin.User) (*store.User, error) {
	if su, ok := u.Ref.(*store.User); ok && su != nil {
		return su, nil
	}
	su, err := p.st.UserByDN(ctx, u.DN)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("Management object not found for identity %q.", u.DN)
		}
		return nil, err
	}
	u.Ref = su
	return su, nil
}

// ResolveUsers resolves an identity to the users enabled for Lync: the PIN
// cmdlets act on no one else, as in Lync.
func (p *pinServices) ResolveUsers(ctx context.Context, c plugin.Call, identity string) ([]*plugin.User, error) {
	var out []*plugin.User
	// Each user is the caller's own: an identity query without Remember
	// gives a new User per row, or a copy of the store's recent one.
	err := p.st.EachUser(ctx, store.UserQuery{Identity: identity, EnabledOnly: true}, func(u *store.User) error {
		out = append(out, toPluginUser(u))
		return nil
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return out, nil
}

func (p *pinServices) PinInfo(ctx context.Context, c plugin.Call, u *plugin.User) (*plugin.PinInfo, error) {
	su, err := p.storeUser(ctx, u)
	if err != nil {
		return nil, err
	}
	info, err := p.pins.Info(ctx, su)
	if err != nil {
		return nil, err
	}
	return &plugin.PinInfo{Identity: info.Identity, IsPinSet: info.IsPinSet, IsLockedOut: info.IsLockedOut,
		LastPinChangeTime: info.LastPinChangeTime, PinExpirationTime: info.PinExpirationTime}, nil
}

func (p *pinServices) Policy(ctx context.Context, c plugin.Call, u *plugin.User) (*plugin.Policy, error) {
	su, err := p.storeUser(ctx, u)
	if err != nil {
		return nil, err
	}
	pol, err := p.pins.EffectivePolicy(ctx, su)
	if err != nil {
		return nil, err
	}
	out := &plugin.Policy{Identity: pol.Identity(), Description: pol.Description,
		MinPasswordLength: int64(pol.MinPasswordLength), PINHistoryCount: int64(pol.PINHistoryCount),
		AllowCommonPatterns: pol.AllowCommonPatterns, PINLifetime: int64(pol.PINLifetime),
		MaximumLogonAttempts: int64(pol.MaximumLogonAttempts)}
	return out, nil
}

func (p *pinServices) PrepareSet(ctx context.Context, c plugin.Call, u *plugin.User, pinText string, generate bool) (plugin.PendingSet, string, error) {
	su, err := p.storeUser(ctx, u)
	if err != nil {
		return nil, "", err
	}
	ps, err := p.pins.PrepareSet(ctx, su, pinText, generate)
	if err != nil {
		return nil, "", err
	}
	return ps, ps.PIN(), nil
}

func (p *pinServices) CommitSets(ctx context.Context, c plugin.Call, sets []plugin.PendingSet) []error {
	ps := make([]*pin.PendingSet, len(sets))
	for i, s := range sets {
		ps[i] = s.(*pin.PendingSet)
	}
	return p.pins.CommitSets(ctx, ps, p.audit(c))
}

func (p *pinServices) Lock(ctx context.Context, c plugin.Call, u *plugin.User) error {
	su, err := p.storeUser(ctx, u)
	if err != nil {
		return err
	}
	return p.pins.Lock(ctx, su, p.audit(c))
}

func (p *pinServices) Unlock(ctx context.Context, c plugin.Call, u *plugin.User) error {
	su, err := p.storeUser(ctx, u)
	if err != nil {
		return err
	}
	return p.pins.Unlock(ctx, su, p.audit(c))
}
