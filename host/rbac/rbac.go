// Package rbac decides what an operator may do: whether a principal may run
// a cmdlet on a target user. The host asks it for every built-in cmdlet and
// for every store access a plugin makes; plugins never import it.
package rbac

import "fmt"

// Target is the user a cmdlet acts on, as the decision needs it.
type Target struct {
	// DN is the user's distinguished name; scopes are OU subtrees of it.
	DN string
	// Display is how the target is named in a denial (SIP address or DN).
	Display string
}

// Decider decides whether operator may run cmdlet on target. A nil error
// allows; a [*DeniedError] denies. target is nil for cmdlets that act on no
// user (reading policies, listing roles).
type Decider interface {
	Allow(operator, cmdlet string, target *Target) error
}

// DeniedError is a denial, naming the operator, the cmdlet and the target.
type DeniedError struct {
	Operator string
	Cmdlet   string
	Target   string
	Reason   string
}

func (e *DeniedError) Error() string {
	msg := fmt.Sprintf("Access denied: operator %q may not run %s", e.Operator, e.Cmdlet)
	if e.Target != "" {
		msg += fmt.Sprintf(" on %q", e.Target)
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg + "."
}

// AllowAll is the permissive decider used until role data exists.
type AllowAll struct{}

// Allow allows everything.
func (AllowAll) Allow(string, string, *Target) error { return nil }
