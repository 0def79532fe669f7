package shell

import (
	"context"

	"pinsh/host/cscmd"
)

// registerServices registers the directory and PIN-policy cmdlets and the
// plugin cmdlets.
func (s *Session) registerServices(ctx context.Context) error {
	cscmd.Register(s.reg, &cscmd.Deps{Store: s.store, Pin: s.pins, Decider: s.authz, OSAccount: s.osAcct})
	return nil
}
