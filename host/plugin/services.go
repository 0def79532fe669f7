package plugin

import (
	"context"
	"time"

	"pinsh/host/rbac"
	"pinsh/sdk/abi"
)

// Call says who is asking a service: the operator the command runs as, the
// cmdlet (as invoked) and the plugin that provides it. Services use it for
// their own checks and for the audit trail.
type Call struct {
	Operator string
	Cmdlet   string
	Plugin   string
}

// User is a directory user as the services see it.
type User struct {
	// DN is the distinguished name; plugins name users by it.
	DN                string
	SipAddress        string // with the "sip:" prefix
	DisplayName       string
	UserPrincipalName string
	SamAccountName    string // domain\logon
	Enabled           bool
	// Ref is opaque to this package: a Services implementation may keep
	// its own row here (a primary key, prefetched PIN state) to make the
	// calls that follow a resolution cheaper.
	Ref any
}

// PinInfo is a user's PIN state. Zero times are $null.
type PinInfo struct {
	Identity          string // sip:user@domain
	IsPinSet          bool
	IsLockedOut       bool
	LastPinChangeTime time.Time
	PinExpirationTime time.Time
}

// Policy is a user's effective PIN policy.
type Policy struct {
	Identity             string
	Description          string
	MinPasswordLength    int64
	PINHistoryCount      int64
	AllowCommonPatterns  bool
	PINLifetime          int64 // days, 0 = never expires
	MaximumLogonAttempts int64 // 0 = unset ($null)
}

// PendingSet is a PIN change validated and ready, whose hash is not yet
// computed. The plugin runtime calls Hash on a worker goroutine (several
// sets hash in parallel), then hands finished sets to
// [Services.CommitSets] in batches.
type PendingSet interface {
	// Hash computes the PIN's hash. It is expensive, safe to run
	// concurrently with other sets' Hash, and called at most once.
	Hash() error
}

// Services are the host services plugins reach through host functions.
// host/plugin has already checked the plugin's capability and asked the
// [Authorizer] about the operator, the cmdlet and the target before it
// calls a method; the implementation does the work, returns errors in
// PowerShell's words (a *cmdlet.ErrorRecord keeps its category and
// identifier) and records every change in the audit trail, in the same
// transaction as the change, naming the Call's operator, cmdlet and plugin.
// Methods are called from the pipeline's goroutine, except
// [PendingSet.Hash].
type Services interface {
	// ResolveUsers returns the users an identity names (every identity
	// form; a display name may contain wildcards). No match is an empty
	// result, not an error. The identity is a DN when a plugin refers
	// back to a user it resolved; it must then match exactly that user.
	ResolveUsers(ctx context.Context, c Call, identity string) ([]*User, error)
	// PinInfo returns the user's PIN state.
	PinInfo(ctx context.Context, c Call, u *User) (*PinInfo, error)
	// Policy returns the user's effective PIN policy.
	Policy(ctx context.Context, c Call, u *User) (*Policy, error)
	// PrepareSet validates a PIN against the user's policy, or generates
	// one when generate is true (pin is then ""), and returns the pending
	// change and the PIN. A locked PIN is an error that tells the
	// administrator to unlock it first. History is not checked on this
	// administrative path.
	PrepareSet(ctx context.Context, c Call, u *User, pin string, generate bool) (PendingSet, string, error)
	// CommitSets commits hashed sets in one transaction, each user's change
	// atomic, and returns one error per set (nil or a nil slice when all
	// succeeded).
	CommitSets(ctx context.Context, c Call, sets []PendingSet) []error
	// Lock locks the user's PIN (a no-op when locked).
	Lock(ctx context.Context, c Call, u *User) error
	// Unlock unlocks the user's PIN and resets its failure counters (a
	// no-op when unlocked).
	Unlock(ctx context.Context, c Call, u *User) error
}

// Authorizer decides whether operator may run cmdlet on target (nil for no
// particular user); a nil error allows. It is host/rbac's decision
// function, which plugins never reach directly.
type Authorizer = rbac.Decider

// capability names, re-exported for the host's prompts and listings.
const (
	CapDirectoryRead = abi.CapDirectoryRead
	CapPinRead       = abi.CapPinRead
	CapPinWrite      = abi.CapPinWrite
	CapPinLock       = abi.CapPinLock
)
