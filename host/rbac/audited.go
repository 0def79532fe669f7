package rbac

import (
	"context"

	"pinsh/host/store"
)

// AuditLog is where [Audited] records denials; [*store.Store] is one.
type AuditLog interface {
	AppendAudit(ctx context.Context, r *store.AuditRecord) error
}

// Audited is the one place where denials reach the audit trail: it wraps
// a [Decider] and records every denial it returns as an "Authorize" record
// with the outcome [store.OutcomeDenied], naming the operator, the OS
// account, the cmdlet, the target and the denial's message.
//
// It has two entry points, because a decision serves two purposes:
// [Audited.Authorize] (and [Audited.Allow]) for an action the operator asked
// for, whose denial must be on record; [Audited.Check] for filtering an
// enumeration, such as Get-CsUser leaving out the users outside the
// operator's scope, which must not write one record per user left out.
//
// The zero value allows everything and records nothing. An Audited is safe
// for concurrent use when its Decider and Log are.
type Audited struct {
	// Decider decides; nil allows everything.
	Decider Decider
	// Log receives the denial records; nil records nothing.
	Log AuditLog
	// OSAccount is the real OS account running pinsh, recorded beside the
	// operator.
	OSAccount string
}

// Check decides whether operator may run cmdlet on target without
// recording anything. Use it to filter what an enumeration shows.
func (a Audited) Check(operator, cmdlet string, target *Target) error {
	if a.Decider == nil {
		return nil
	}
	return a.Decider.Allow(operator, cmdlet, target)
}

// Authorize decides whether operator may run cmdlet on target and records
// a denial, naming the target by [Target.Display] (else its DN). It
// returns the denial (nil when allowed) and, apart from it, the error that
// writing the audit record failed with, which the caller may report as a
// warning or ignore; it is nil when there was nothing to record.
func (a Audited) Authorize(ctx context.Context, operator, cmdlet string, target *Target) (denial, auditErr error) {
	return a.authorize(ctx, operator, cmdlet, target, targetName(target))
}

// AuthorizeOn is [Audited.Authorize] for a cmdlet that acts on no user but
// on something else, such as a plugin module: the decision is made without
// a target, and a denial's record names object as its target.
func (a Audited) AuthorizeOn(ctx context.Context, operator, cmdlet, object string) (denial, auditErr error) {
	return a.authorize(ctx, operator, cmdlet, nil, object)
}

// Allow implements [Decider]: [Audited.Authorize] without a context, for
// callers that have none (the plugin host functions). A failure to write
// the record is dropped; the denial is returned all the same.
func (a Audited) Allow(operator, cmdlet string, target *Target) error {
	denial, _ := a.Authorize(context.Background(), operator, cmdlet, target)
	return denial
}

func (a Audited) authorize(ctx context.Context, operator, cmdlet string, target *Target, recorded string) (error, error) {
	denial := a.Check(operator, cmdlet, target)
	if denial == nil || a.Log == nil {
		return denial, nil
	}
	return denial, a.Log.AppendAudit(ctx, &store.AuditRecord{Operator: operator, OSAccount: a.OSAccount,
		Cmdlet: cmdlet, Target: recorded, Action: "Authorize", Outcome: store.OutcomeDenied, Detail: denial.Error()})
}
