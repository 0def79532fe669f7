package shell

import "context"

// registerServices registers the directory, PIN and plugin cmdlets.
func (s *Session) registerServices(ctx context.Context) error {
	return nil
}
