package sdk

import (
	"strconv"
	"time"

	"pinsh/sdk/abi"
	"pinsh/sdk/internal/guest"
)

// Context is what a running command sees: its bound parameters, the
// output streams and the host's services. It is valid during the stage.
type Context struct {
	cmdlet *Cmdlet
	set    string
	vals   []Value
	bound  []bool
	// fixed marks parameters bound on the command line (at Begin); the
	// others are rebound from each input object.
	fixed []bool
	out   []byte // reused encoding buffer
}

// CommandName returns the cmdlet's name.
func (c *Context) CommandName() string { return c.cmdlet.Name }

// ParameterSet returns the resolved parameter set ("" when the cmdlet
// declares none).
func (c *Context) ParameterSet() string { return c.set }

func (c *Context) index(name string) int {
	for i := range c.cmdlet.Params {
		if equalFold(c.cmdlet.Params[i].Name, name) {
			return i
		}
	}
	return -1
}

// Value returns the named parameter's value and whether it is bound.
// pinsh has already converted it to the parameter's kind.
func (c *Context) Value(name string) (Value, bool) {
	i := c.index(name)
	if i < 0 || !c.bound[i] {
		return nil, false
	}
	return c.vals[i], true
}

// Has reports whether the named parameter is bound.
func (c *Context) Has(name string) bool {
	_, ok := c.Value(name)
	return ok
}

// String returns the named parameter as a string ("" when unbound).
func (c *Context) String(name string) string {
	v, _ := c.Value(name)
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		if x {
			return "True"
		}
		return "False"
	}
	return ""
}

// Bool returns the named switch or bool parameter (false when unbound).
func (c *Context) Bool(name string) bool {
	v, _ := c.Value(name)
	b, _ := v.(bool)
	return b
}

// Int returns the named integer parameter (0 when unbound).
func (c *Context) Int(name string) int64 {
	v, _ := c.Value(name)
	n, _ := v.(int64)
	return n
}

// Strings returns the named string-list parameter.
func (c *Context) Strings(name string) []string {
	v, _ := c.Value(name)
	switch x := v.(type) {
	case []string:
		return x
	case []Value:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		return []string{x}
	}
	return nil
}

// WriteObject sends v to the next command in the pipeline.
func (c *Context) WriteObject(v Value) {
	c.out = enc.value(c.out[:0], v, 0)
	guest.Write(abi.WriteObject, c.out)
}

// WriteError reports a non-terminating error about target (an identity or
// object) and lets the command carry on. An [*Error] keeps its category
// and identifier; any other error is NotSpecified.
func (c *Context) WriteError(err error, target Value) {
	e := asError(err)
	b := abi.AppendString(c.out[:0], e.Message)
	b = abi.AppendString(b, e.Category)
	b = abi.AppendString(b, e.ID)
	c.out = enc.value(b, target, 0)
	guest.Write(abi.WriteError, c.out)
}

// WriteWarning writes a warning.
func (c *Context) WriteWarning(msg string) { c.text(abi.WriteWarning, msg) }

// WriteVerbose writes a message shown with -Verbose.
func (c *Context) WriteVerbose(msg string) { c.text(abi.WriteVerbose, msg) }

func (c *Context) text(kind uint32, msg string) {
	c.out = abi.AppendString(c.out[:0], msg)
	guest.Write(kind, c.out)
}

// WriteProgress reports progress; total is -1 when unknown.
func (c *Context) WriteProgress(activity string, done, total int64) {
	b := abi.AppendString(c.out[:0], activity)
	b = abi.AppendInt(b, done)
	c.out = abi.AppendInt(b, total)
	guest.Write(abi.WriteProgress, c.out)
}

// ShouldProcess asks whether to perform action on target, honouring
// -WhatIf, -Confirm and the confirmation preferences; pinsh prints the
// What if line or the prompt. An empty action means the cmdlet's name.
// Call it before every change, and skip the change when it returns false.
func (c *Context) ShouldProcess(target, action string) bool {
	if action == "" {
		action = c.cmdlet.Name
	}
	b := abi.AppendString(c.out[:0], target)
	c.out = abi.AppendString(b, action)
	return guest.ShouldProcess(c.out)
}

// Error is an error with PowerShell's context: a category such as
// InvalidArgument or ObjectNotFound and a stable identifier. Host services
// return them, and a plugin may create its own.
type Error struct {
	Message  string
	Category string
	ID       string
}

func (e *Error) Error() string { return e.Message }

// Error categories commonly used.
const (
	InvalidArgument  = "InvalidArgument"
	InvalidOperation = "InvalidOperation"
	ObjectNotFound   = "ObjectNotFound"
	PermissionDenied = "PermissionDenied"
	NotSpecified     = "NotSpecified"
)

// NewError returns an [*Error].
func NewError(category, id, message string) *Error {
	return &Error{Message: message, Category: category, ID: id}
}

// NotFound is the error for an identity that matches no user.
func NotFound(identity string) *Error {
	return NewError(ObjectNotFound, "UserNotFound",
		`Management object not found for identity "`+identity+`".`)
}

func asError(err error) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	if err == nil {
		return &Error{Message: "unknown error", Category: NotSpecified}
	}
	return &Error{Message: err.Error(), Category: NotSpecified}
}

// User is a directory user, as [Context.ResolveUsers] returns it.
type User struct {
	// Identity is the distinguished name, which names the user exactly.
	Identity          string
	SipAddress        string // with the "sip:" prefix
	DisplayName       string
	UserPrincipalName string
	SamAccountName    string // domain\logon
	Enabled           bool
}

// PinInfo is a user's PIN state (Get-CsClientPinInfo's data).
type PinInfo struct {
	Identity          string // sip:user@domain
	IsPinSet          bool
	IsLockedOut       bool
	LastPinChangeTime *time.Time // nil when never set
	PinExpirationTime *time.Time // nil when the PIN never expires

	times [2]time.Time // where the pointers point, saving allocations
}

// Policy is a user's effective PIN policy.
type Policy struct {
	Identity             string // Global, site:..., tag:...
	Description          string
	MinPasswordLength    int64
	PINHistoryCount      int64
	AllowCommonPatterns  bool
	PINLifetime          int64 // days; 0 means PINs never expire
	MaximumLogonAttempts int64 // 0 when unset (the server decides)
}

var (
	req    []byte
	replyR abi.Reader
)

// call sends a request (its strings, already in req) and returns a reader
// on the reply's value, or the service's error.
func call(s guest.Service) (*abi.Reader, error) {
	r := &replyR
	r.Reset(arena(guest.Call(s, req)))
	switch r.Byte() {
	case abi.ReplyOK:
		return r, nil
	case abi.ReplyError:
		e := &Error{Message: r.String(), Category: r.String(), ID: r.String()}
		endReply(r)
		return nil, e
	}
	panic("sdk: malformed reply from pinsh")
}

func endReply(r *abi.Reader) {
	if err := r.End(); err != nil {
		panic("sdk: malformed reply from pinsh: " + err.Error())
	}
}

func boolv(r *abi.Reader) bool {
	switch r.Tag() {
	case abi.TagBool:
		return r.BoolPayload()
	case abi.TagNull:
	default:
		r.Failf("expected a bool")
	}
	return false
}

func intv(r *abi.Reader) int64 {
	switch r.Tag() {
	case abi.TagInt:
		return r.Varint()
	case abi.TagNull:
	default:
		r.Failf("expected an integer")
	}
	return 0
}

// timev reads a DateTime into *t and returns t, or nil for null.
func timev(r *abi.Reader, t *time.Time) *time.Time {
	switch r.Tag() {
	case abi.TagDateTime:
		*t = dateTime(r)
		return t
	case abi.TagNull:
	default:
		r.Failf("expected a DateTime")
	}
	return nil
}

// objectType reads the header of an object that must follow.
func objectType(r *abi.Reader) *Type {
	if r.Tag() != abi.TagObject {
		panic("sdk: pinsh replied without an object")
	}
	t := dec.header(r)
	if t == nil {
		panic("sdk: malformed reply from pinsh")
	}
	return t
}

// ResolveUsers returns the users an identity names: a SIP address (with or
// without sip:), a user principal name, domain\logon, a display name (which
// may contain * wildcards and match several users) or a distinguished name.
// No match is an empty result, not an error. Needs [CapDirectoryRead].
func (c *Context) ResolveUsers(identity string) ([]*User, error) {
	req = abi.AppendString(req[:0], identity)
	r, err := call(guest.ResolveUsers)
	if err != nil {
		return nil, err
	}
	if r.Tag() != abi.TagList {
		panic("sdk: resolve_users replied without a list")
	}
	n := r.Count(1)
	var users []User
	var out []*User
	if n == 1 {
		// The usual case, in one allocation.
		one := &struct {
			u [1]User
			p [1]*User
		}{}
		users, out = one.u[:], one.p[:]
	} else {
		users, out = make([]User, n), make([]*User, n)
	}
	for i := range users {
		u := &users[i]
		for _, p := range objectType(r).props {
			switch p.Name {
			case "Identity":
				u.Identity = str(r)
			case "SipAddress":
				u.SipAddress = str(r)
			case "DisplayName":
				u.DisplayName = str(r)
			case "UserPrincipalName":
				u.UserPrincipalName = str(r)
			case "SamAccountName":
				u.SamAccountName = str(r)
			case "Enabled":
				u.Enabled = boolv(r)
			default:
				dec.skip(r)
			}
		}
		out[i] = u
	}
	endReply(r)
	return out, nil
}

// PinInfo returns the user's PIN state. Needs [CapPinRead].
func (c *Context) PinInfo(u *User) (*PinInfo, error) {
	req = abi.AppendString(req[:0], u.Identity)
	r, err := call(guest.PinInfo)
	if err != nil {
		return nil, err
	}
	info := &PinInfo{}
	for _, p := range objectType(r).props {
		switch p.Name {
		case "Identity":
			info.Identity = str(r)
		case "IsPinSet":
			info.IsPinSet = boolv(r)
		case "IsLockedOut":
			info.IsLockedOut = boolv(r)
		case "LastPinChangeTime":
			info.LastPinChangeTime = timev(r, &info.times[0])
		case "PinExpirationTime":
			info.PinExpirationTime = timev(r, &info.times[1])
		default:
			dec.skip(r)
		}
	}
	endReply(r)
	return info, nil
}

// SetPin sets the user's PIN to pin, which pinsh checks against the user's
// PIN policy, and returns it. A locked PIN must be unlocked first: that is
// an error. Needs [CapPinWrite].
//
// pinsh commits the change once its hash is computed, in parallel with
// the following input objects; what the command writes for this input
// object is held until then, and replaced by the error if the commit fails.
func (c *Context) SetPin(u *User, pin string) (string, error) {
	req = abi.AppendString(req[:0], u.Identity)
	req = abi.AppendString(req, pin)
	return setPin()
}

// GeneratePin sets a random PIN that satisfies the user's policy and
// returns it, as [Context.SetPin] does. Needs [CapPinWrite].
func (c *Context) GeneratePin(u *User) (string, error) {
	req = abi.AppendString(req[:0], u.Identity)
	req = abi.AppendNull(req)
	return setPin()
}

func setPin() (string, error) {
	r, err := call(guest.SetPin)
	if err != nil {
		return "", err
	}
	pin := str(r)
	endReply(r)
	return pin, nil
}

// Lock locks the user's PIN; locking a locked PIN does nothing. Needs
// [CapPinLock].
func (c *Context) Lock(u *User) error { return change(guest.Lock, u) }

// Unlock unlocks the user's PIN and resets its failed-logon counters;
// unlocking an unlocked PIN does nothing. Needs [CapPinLock].
func (c *Context) Unlock(u *User) error { return change(guest.Unlock, u) }

func change(s guest.Service, u *User) error {
	req = abi.AppendString(req[:0], u.Identity)
	r, err := call(s)
	if err != nil {
		return err
	}
	dec.skip(r)
	endReply(r)
	return nil
}

// Policy returns the user's effective PIN policy (per-user, else site,
// else global). Needs [CapPinRead].
func (c *Context) Policy(u *User) (*Policy, error) {
	req = abi.AppendString(req[:0], u.Identity)
	r, err := call(guest.Policy)
	if err != nil {
		return nil, err
	}
	p := &Policy{}
	for _, pr := range objectType(r).props {
		switch pr.Name {
		case "Identity":
			p.Identity = str(r)
		case "Description":
			p.Description = str(r)
		case "MinPasswordLength":
			p.MinPasswordLength = intv(r)
		case "PINHistoryCount":
			p.PINHistoryCount = intv(r)
		case "AllowCommonPatterns":
			p.AllowCommonPatterns = boolv(r)
		case "PINLifetime":
			p.PINLifetime = intv(r)
		case "MaximumLogonAttempts":
			p.MaximumLogonAttempts = intv(r)
		default:
			dec.skip(r)
		}
	}
	endReply(r)
	return p, nil
}
