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
	// strs holds the value of a bound string parameter, kept out of vals
	// until [Context.Value] asks for it: putting a string in an interface
	// allocates, and an allocation costs about half a microsecond in a
	// WebAssembly guest.
	strs  []string
	isStr []bool
	bound []bool
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
	ps := c.cmdlet.Params
	for i := range ps {
		if ps[i].Name == name {
			return i
		}
	}
	for i := range ps {
		if equalFold(ps[i].Name, name) {
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
	if c.isStr[i] {
		return c.strs[i], true
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
	i := c.index(name)
	if i < 0 || !c.bound[i] {
		return ""
	}
	if c.isStr[i] {
		return c.strs[i]
	}
	switch x := c.vals[i].(type) {
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

// WriteNew writes an object of type t with the given values, in
// declaration order (missing trailing values are $null): the same as
// WriteObject(t.New(vals...)), without creating the object, which spares
// two allocations per object (an allocation costs about half a
// microsecond in a WebAssembly guest).
func (c *Context) WriteNew(t *Type, vals ...Value) {
	c.out = enc.values(c.out[:0], t, vals, 0)
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

// Target is how a change to the user is named in ShouldProcess prompts and
// errors: the SIP address, else the distinguished name.
func (u *User) Target() string {
	if u.SipAddress != "" {
		return u.SipAddress
	}
	return u.Identity
}

// PinInfo is a user's PIN state (Get-CsClientPinInfo's data).
type PinInfo struct {
	Identity          string // sip:user@domain
	IsPinSet          bool
	IsLockedOut       bool
	LastPinChangeTime *time.Time // nil when never set
	PinExpirationTime *time.Time // nil when the PIN never expires
	// Err is set by [Context.PinInfoFor] for a user whose PIN state pinsh
	// would not read (the operator may not manage that user, ...); only
	// Identity is set then.
	Err error

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

// Property names of the objects services return, in the order of the
// fields they are decoded into. Replies are read by field number, not by
// comparing names for every object (see Type.fieldsOf).
var (
	userFields    = []string{"Identity", "SipAddress", "DisplayName", "UserPrincipalName", "SamAccountName", "Enabled"}
	pinInfoFields = []string{"Identity", "IsPinSet", "IsLockedOut", "LastPinChangeTime", "PinExpirationTime",
		// a ServiceError entry of pin_info_for
		"Message", "Category", "ID"}
	policyFields = []string{"Identity", "Description", "MinPasswordLength", "PINHistoryCount",
		"AllowCommonPatterns", "PINLifetime", "MaximumLogonAttempts"}
)

// fieldsOf returns, for each property of t, the index of its name in
// names (-1: unknown, skipped). It is computed on the type's first use.
func (t *Type) fieldsOf(names []string) []int8 {
	if t.fieldsFor != &names[0] {
		f := make([]int8, len(t.props))
		t.exact = len(f)
		for i, p := range t.props {
			f[i] = -1
			for j, n := range names {
				if p.Name == n {
					f[i] = int8(j)
					break
				}
			}
			if int(f[i]) != i {
				t.exact = -1
			}
		}
		t.fields, t.fieldsFor = f, &names[0]
	}
	return t.fields
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
		// The usual case, without an allocation of its own.
		one := newUsers()
		users, out = one.u[:], one.p[:]
	} else {
		users, out = make([]User, n), make([]*User, n)
	}
	for i := range users {
		u := &users[i]
		for _, f := range objectType(r).fieldsOf(userFields) {
			switch f {
			case 0:
				u.Identity = str(r)
			case 1:
				u.SipAddress = str(r)
			case 2:
				u.DisplayName = str(r)
			case 3:
				u.UserPrincipalName = str(r)
			case 4:
				u.SamAccountName = str(r)
			case 5:
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

// Targets is ResolveUsers for a cmdlet that acts on users: an identity
// that names nobody is a NotFound error (the reference's message).
func (c *Context) Targets(identity string) ([]*User, error) {
	users, err := c.ResolveUsers(identity)
	if err == nil && len(users) == 0 {
		err = NotFound(identity)
	}
	return users, err
}

// PinInfo returns the user's PIN state. Needs [CapPinRead].
func (c *Context) PinInfo(u *User) (*PinInfo, error) {
	req = abi.AppendString(req[:0], u.Identity)
	r, err := call(guest.PinInfo)
	if err != nil {
		return nil, err
	}
	info := &newInfos().i[0]
	pinInfo(r, info)
	endReply(r)
	return info, nil
}

// Results of services are handed out from slabs of 32: an allocation
// costs about half a microsecond in a WebAssembly guest, so that one
// allocation serves 32 calls. (A result a plugin keeps keeps its slab
// alive, some 10 KiB at most.)
const slabSize = 32

type oneInfo struct {
	i [1]PinInfo
	p [1]*PinInfo
}

type oneUser struct {
	u [1]User
	p [1]*User
}

var (
	infoSlab []oneInfo
	userSlab []oneUser
)

func newInfos() *oneInfo {
	if len(infoSlab) == 0 {
		infoSlab = make([]oneInfo, slabSize)
	}
	x := &infoSlab[0]
	infoSlab = infoSlab[1:]
	return x
}

func newUsers() *oneUser {
	if len(userSlab) == 0 {
		userSlab = make([]oneUser, slabSize)
	}
	x := &userSlab[0]
	userSlab = userSlab[1:]
	return x
}

// pinInfo decodes a PinInfoDetails object, or a ServiceError entry of a
// pin_info_for reply into info.Err.
func pinInfo(r *abi.Reader, info *PinInfo) {
	var e *Error
	for _, f := range objectType(r).fieldsOf(pinInfoFields) {
		switch f {
		case 0:
			info.Identity = str(r)
		case 1:
			info.IsPinSet = boolv(r)
		case 2:
			info.IsLockedOut = boolv(r)
		case 3:
			info.LastPinChangeTime = timev(r, &info.times[0])
		case 4:
			info.PinExpirationTime = timev(r, &info.times[1])
		case 5, 6, 7:
			if e == nil {
				e = &Error{}
				info.Err = e
			}
			switch f {
			case 5:
				e.Message = str(r)
			case 6:
				e.Category = str(r)
			default:
				e.ID = str(r)
			}
		default:
			dec.skip(r)
		}
	}
	if e != nil {
		if e.Message == "" {
			e.Message = "pinsh could not read the PIN state of " + info.Identity
		}
		if e.Category == "" {
			e.Category = NotSpecified
		}
	}
}

// PinInfoFor returns the PIN state of every user an identity names (any
// form [Context.ResolveUsers] accepts), in the order ResolveUsers would
// return the users: ResolveUsers and PinInfo for each user in one call to
// pinsh, which is much cheaper per user. A user whose PIN state pinsh
// would not read (the operator may not manage that user) has Err set and
// only Identity filled in. No match is an empty result, not an error.
// Needs [CapDirectoryRead] and [CapPinRead], and pinsh with plugin ABI 1.1.
func (c *Context) PinInfoFor(identity string) ([]*PinInfo, error) {
	req = abi.AppendString(req[:0], identity)
	r, err := call(guest.PinInfoFor)
	if err != nil {
		return nil, err
	}
	if r.Tag() != abi.TagList {
		panic("sdk: pin_info_for replied without a list")
	}
	n := r.Count(1)
	var infos []PinInfo
	var out []*PinInfo
	if n == 1 {
		// The usual case, without an allocation of its own.
		one := newInfos()
		if pinInfoFast(r, &one.i[0]) {
			one.p[0] = &one.i[0]
			return one.p[:], nil
		}
		infos, out = one.i[:], one.p[:]
	} else {
		infos, out = make([]PinInfo, n), make([]*PinInfo, n)
	}
	for i := range infos {
		pinInfo(r, &infos[i])
		out[i] = &infos[i]
	}
	endReply(r)
	return out, nil
}

// pinInfoFast decodes the usual last entry of a reply, a PinInfoDetails
// object of a type already defined, by indexing the bytes (see
// Context.bindFast for why). It reports false, having consumed nothing,
// for anything else.
func pinInfoFast(r *abi.Reader, info *PinInfo) bool {
	b := r.Rest()
	// TagObject, the number of a PinInfoDetails type already defined, then
	// Identity: TagString and a length < 128.
	if len(b) < 4 || b[0] != abi.TagObject || b[1] == 0 || b[1] >= 0x80 || int(b[1]) > len(dec.types) ||
		b[2] != abi.TagString || b[3] >= 0x80 {
		return false
	}
	t := dec.types[b[1]-1]
	if t.fieldsOf(pinInfoFields); t.exact != 5 {
		return false
	}
	q := 4 + int(b[3])
	// IsPinSet and IsLockedOut: TagBool, 0 or 1.
	if len(b) < q+4 || b[q] != abi.TagBool || b[q+1] > 1 || b[q+2] != abi.TagBool || b[q+3] > 1 {
		return false
	}
	id := view(b[4:q])
	set, locked := b[q+1] == 1, b[q+3] == 1
	q += 4
	var times [2]*time.Time
	for k := range times {
		switch {
		case q < len(b) && b[q] == abi.TagNull:
			q++
		case q < len(b) && b[q] == abi.TagDateTime:
			var tr abi.Reader
			tr.Reset(b[q+1:])
			info.times[k] = dateTime(&tr)
			if tr.Err() != nil {
				return false
			}
			times[k] = &info.times[k]
			q += 1 + tr.Offset()
		default:
			return false
		}
	}
	if q != len(b) {
		return false
	}
	info.Identity, info.IsPinSet, info.IsLockedOut = id, set, locked
	info.LastPinChangeTime, info.PinExpirationTime = times[0], times[1]
	r.Advance(q)
	return true
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
	for _, f := range objectType(r).fieldsOf(policyFields) {
		switch f {
		case 0:
			p.Identity = str(r)
		case 1:
			p.Description = str(r)
		case 2:
			p.MinPasswordLength = intv(r)
		case 3:
			p.PINHistoryCount = intv(r)
		case 4:
			p.AllowCommonPatterns = boolv(r)
		case 5:
			p.PINLifetime = intv(r)
		case 6:
			p.MaximumLogonAttempts = intv(r)
		default:
			dec.skip(r)
		}
	}
	endReply(r)
	return p, nil
}
