package plugin

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/tetratelabs/wazero/api"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	"pinsh/host/rbac"
	"pinsh/sdk/abi"
)

// The host functions of ABI 1 (import module pinsh_v1). All are
// stack-based (api.GoModuleFunc): about 50 ns a call, against 800 for
// reflection-based ones. Each finds its instance on the call's context and
// treats every argument as hostile: guest memory is read through wazero's
// bounds-checked Memory, messages through the decoder, and any violation
// stops the stage with an error naming the plugin.

// instanceOf returns the instance a host function serves.
func instanceOf(ctx context.Context) *instance {
	in, _ := ctx.Value(instKey{}).(*instance)
	if in == nil {
		panic(errors.New("pinsh host function called outside a plugin call"))
	}
	return in
}

// stop aborts the current call: the export call returns err, and the
// instance is discarded.
func (in *instance) stop(err error) {
	in.abort = err
	panic(err)
}

func (in *instance) stopf(format string, args ...any) {
	in.stop(in.p.errorf(nil, format, args...))
}

// stage returns the stage being served, stopping the guest when it calls
// fn outside of begin, process or end (from an init function, or while
// describing itself).
func (in *instance) stage(fn string) *stage {
	if in.st == nil {
		in.stopf("called %s outside begin, process and end", fn)
	}
	return in.st
}

// read returns a view of guest memory, valid until the guest runs again.
func (in *instance) read(mod api.Module, ptr, n uint32, fn string) []byte {
	b, ok := mod.Memory().Read(ptr, n)
	if !ok {
		in.stopf("called %s with a buffer outside its memory (%d bytes at %d)", fn, n, ptr)
	}
	return b
}

func hostWrite(ctx context.Context, mod api.Module, s []uint64) {
	in := instanceOf(ctx)
	st := in.stage(abi.FuncWrite)
	kind := uint32(s[0])
	msg := in.read(mod, uint32(s[1]), uint32(s[2]), abi.FuncWrite)
	st.write(kind, msg)
	s[0] = 0
}

func hostShouldProcess(ctx context.Context, mod api.Module, s []uint64) {
	in := instanceOf(ctx)
	st := in.stage(abi.FuncShouldProcess)
	if st.info.Pure {
		in.stopf("called %s, but its cmdlet %s is declared read-only", abi.FuncShouldProcess, st.info.Name)
	}
	r := abi.NewReader(in.read(mod, uint32(s[0]), uint32(s[1]), abi.FuncShouldProcess))
	target := st.reqString(r)
	action := st.reqString(r)
	if err := r.End(); err != nil {
		in.stopf("called %s with a malformed message: %v", abi.FuncShouldProcess, err)
	}
	if action == "" {
		action = st.rt.CommandName()
	}
	if st.shouldProcess(target, action) {
		s[0] = 1
	} else {
		s[0] = 0
	}
}

func hostTake(ctx context.Context, mod api.Module, s []uint64) {
	in := instanceOf(ctx)
	if in.held == nil {
		in.stopf("called %s with no reply waiting", abi.FuncTake)
	}
	ptr, n := uint32(s[0]), uint32(s[1])
	if uint64(n) < uint64(len(in.held)) {
		in.stopf("called %s with a %d-byte buffer for a %d-byte reply", abi.FuncTake, n, len(in.held))
	}
	if !mod.Memory().Write(ptr, in.held) {
		in.stopf("called %s with a buffer outside its memory", abi.FuncTake)
	}
	s[0] = uint64(len(in.held))
	in.held = nil
}

// service describes one service host function.
type service struct {
	name string
	// cap holds the capabilities the service needs, all of them.
	cap capSet
	// run returns the reply's value; or, when enc is set instead, enc
	// appends it to b itself (sparing host objects made only to be
	// encoded).
	run func(st *stage, r *abi.Reader) (object.Value, error)
	enc func(st *stage, r *abi.Reader, b []byte) ([]byte, error)
	// writes: the service changes the store, which a read-only cmdlet
	// (abi.KeyReadOnly) must not ask for.
	writes bool
}

var serviceList = []*service{
	{name: abi.FuncResolveUsers, cap: capBit(abi.CapDirectoryRead), run: (*stage).svcResolve},
	{name: abi.FuncPinInfo, cap: capBit(abi.CapPinRead), enc: (*stage).svcPinInfo},
	{name: abi.FuncSetPin, cap: capBit(abi.CapPinWrite), run: (*stage).svcSetPin, writes: true},
	{name: abi.FuncLock, cap: capBit(abi.CapPinLock), run: (*stage).svcLock, writes: true},
	{name: abi.FuncUnlock, cap: capBit(abi.CapPinLock), run: (*stage).svcUnlock, writes: true},
	{name: abi.FuncPolicy, cap: capBit(abi.CapPinRead), run: (*stage).svcPolicy},
	{name: abi.FuncPinInfoFor, cap: capBit(abi.CapDirectoryRead) | capBit(abi.CapPinRead), enc: (*stage).svcPinInfoFor},
}

// serviceFunc makes the host function for a service: (reqPtr, reqLen,
// outPtr, outCap) -> n, see abi's service calling convention.
func serviceFunc(svc *service) api.GoModuleFunc {
	return func(ctx context.Context, mod api.Module, s []uint64) {
		in := instanceOf(ctx)
		st := in.stage(svc.name)
		if missing := svc.cap &^ st.p.granted; missing != 0 {
			in.stopf("called %s without the %s capability; its manifest must request it and the administrator grant it",
				svc.name, missing.names()[0])
		}
		if svc.writes && st.info.Pure {
			in.stopf("called %s, but its cmdlet %s is declared read-only", svc.name, st.info.Name)
		}
		r := abi.NewReader(in.read(mod, uint32(s[0]), uint32(s[1]), svc.name))
		reply := append(st.reply[:0], abi.ReplyOK)
		var err error
		if svc.enc != nil {
			reply, err = svc.enc(st, r, reply)
		} else {
			var v object.Value
			if v, err = svc.run(st, r); err == nil {
				reply = st.enc.value(reply, v, 0)
			}
		}
		if err != nil {
			if ctxErr := st.ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
				panic(errStopped) // reported as stopped, with the cause
			}
			msg, cat, id := describeError(err)
			reply = append(reply[:0], abi.ReplyError)
			reply = abi.AppendString(reply, msg)
			reply = abi.AppendString(reply, cat)
			reply = abi.AppendString(reply, id)
		} else if st.enc.err != nil {
			in.stop(st.p.errorf(st.enc.err, "could not be sent the reply of %s: %v", svc.name, st.enc.err))
		}
		st.reply = reply
		outPtr, outCap := uint32(s[2]), uint32(s[3])
		if len(reply) > 1<<30 {
			in.stopf("asked for a reply of %d bytes", len(reply))
		}
		if uint64(len(reply)) <= uint64(outCap) {
			if !mod.Memory().Write(outPtr, reply) {
				in.stopf("called %s with a reply buffer outside its memory", svc.name)
			}
			s[0] = uint64(uint32(int32(len(reply))))
			return
		}
		in.held = append([]byte(nil), reply...)
		s[0] = uint64(uint32(-int32(len(reply))))
	}
}

// describeError returns an error's message, category and identifier as a
// plugin sees them.
func describeError(err error) (msg, cat, id string) {
	var rec *cmdlet.ErrorRecord
	var denied *rbac.DeniedError
	switch {
	case errors.As(err, &rec):
		cat, id = string(rec.Category), rec.ID
		if rec.Err != nil {
			msg = rec.Err.Error()
		}
	case errors.As(err, &denied):
		cat, id = string(cmdlet.PermissionDenied), "AccessDenied"
	default:
		cat = string(cmdlet.NotSpecified)
	}
	if msg == "" {
		msg = err.Error()
	}
	if cat == "" {
		cat = string(cmdlet.NotSpecified)
	}
	return msg, cat, id
}

// reqString reads a string argument of a request, stopping the guest on a
// malformed one.
func (st *stage) reqString(r *abi.Reader) string {
	switch t := r.Tag(); t {
	case abi.TagString:
		b := r.RawBytes()
		if utf8.Valid(b) {
			return string(b)
		}
		r.Failf("string is not valid UTF-8")
	case abi.TagNull:
	default:
		r.Failf("expected a string, found tag " + strconv.Itoa(int(t)))
	}
	if r.Err() != nil {
		st.in.stopf("sent a malformed request: %v", r.Err())
	}
	return ""
}

func (st *stage) endRequest(r *abi.Reader, fn string) {
	if err := r.End(); err != nil {
		st.in.stopf("called %s with a malformed request: %v", fn, err)
	}
}

// userType is the object type of users sent to plugins.
var userType = object.NewType(abi.TypeUser,
	object.P("Identity", object.KindString),
	object.P("SipAddress", object.KindString),
	object.P("DisplayName", object.KindString),
	object.P("UserPrincipalName", object.KindString),
	object.P("SamAccountName", object.KindString),
	object.P("Enabled", object.KindBool),
)

var pinInfoType = object.NewType(abi.TypePinInfo,
	object.P("Identity", object.KindString),
	object.P("IsPinSet", object.KindBool),
	object.P("IsLockedOut", object.KindBool),
	object.P("LastPinChangeTime", object.KindDateTime),
	object.P("PinExpirationTime", object.KindDateTime),
)

// serviceErrorType is an entry of pin_info_for's reply for a user whose
// PIN state was not read.
var serviceErrorType = object.NewType(abi.TypeServiceError,
	object.P("Identity", object.KindString),
	object.P("Message", object.KindString),
	object.P("Category", object.KindString),
	object.P("ID", object.KindString),
)

var policyType = object.NewType(abi.TypePolicy,
	object.P("Identity", object.KindString),
	object.P("Description", object.KindString),
	object.P("MinPasswordLength", object.KindInt),
	object.P("PINHistoryCount", object.KindInt),
	object.P("AllowCommonPatterns", object.KindBool),
	object.P("PINLifetime", object.KindInt),
	object.P("MaximumLogonAttempts", object.KindInt),
)

func timeOrNull(t time.Time) object.Value {
	if t.IsZero() {
		return nil
	}
	return t
}

func (st *stage) svcResolve(r *abi.Reader) (object.Value, error) {
	id := st.reqString(r)
	st.endRequest(r, abi.FuncResolveUsers)
	users, err := st.m.opts.Services.ResolveUsers(st.ctx, st.call, id)
	if err != nil {
		return nil, err
	}
	list := make([]object.Value, len(users))
	for i, u := range users {
		st.remember(u)
		list[i] = object.New(userType, u.DN, u.SipAddress, u.DisplayName, u.UserPrincipalName, u.SamAccountName, u.Enabled)
	}
	return list, nil
}

// target resolves the DN a plugin names and asks the authorizer whether
// the operator may run the cmdlet on that user.
func (st *stage) target(r *abi.Reader, fn string) (*User, error) {
	dn := st.reqString(r)
	u, err := st.user(dn)
	if err != nil {
		return nil, err
	}
	if err := st.authorize(u); err != nil {
		return nil, err
	}
	return u, nil
}

// authorize asks the authorizer whether the operator may run the cmdlet
// on u.
func (st *stage) authorize(u *User) error {
	return st.m.opts.Authorizer.Allow(st.call.Operator, st.call.Cmdlet, &rbac.Target{DN: u.DN, Display: displayName(u)})
}

// displayName is how errors name a user: the SIP address, else the DN.
func displayName(u *User) string {
	if u.SipAddress != "" {
		return u.SipAddress
	}
	return u.DN
}

func (st *stage) svcPinInfo(r *abi.Reader, b []byte) ([]byte, error) {
	u, err := st.target(r, abi.FuncPinInfo)
	st.endRequest(r, abi.FuncPinInfo)
	if err != nil {
		return b, err
	}
	pi, err := st.m.opts.Services.PinInfo(st.ctx, st.call, u)
	if err != nil {
		return b, err
	}
	return st.appendPinInfo(b, pi), nil
}

// appendPinInfo encodes a PinInfoDetails object.
func (st *stage) appendPinInfo(b []byte, pi *PinInfo) []byte {
	b = st.enc.header(b, pinInfoType)
	b = abi.AppendString(b, pi.Identity)
	b = abi.AppendBool(b, pi.IsPinSet)
	b = abi.AppendBool(b, pi.IsLockedOut)
	b = st.enc.value(b, timeOrNull(pi.LastPinChangeTime), 1)
	return st.enc.value(b, timeOrNull(pi.PinExpirationTime), 1)
}

// svcPinInfoFor is resolve_users and pin_info for each user in one call:
// per user, the PinInfoDetails object, or a ServiceError entry when the
// authorizer or the service refused that user.
func (st *stage) svcPinInfoFor(r *abi.Reader, b []byte) ([]byte, error) {
	id := st.reqString(r)
	st.endRequest(r, abi.FuncPinInfoFor)
	users, err := st.m.opts.Services.ResolveUsers(st.ctx, st.call, id)
	if err != nil {
		return b, err
	}
	b = abi.AppendListHeader(b, len(users))
	for _, u := range users {
		err := st.authorize(u)
		var pi *PinInfo
		if err == nil {
			pi, err = st.m.opts.Services.PinInfo(st.ctx, st.call, u)
		}
		if err != nil {
			if ctxErr := st.ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
				return b, err
			}
			msg, cat, code := describeError(err)
			b = st.enc.header(b, serviceErrorType)
			b = abi.AppendString(b, displayName(u))
			b = abi.AppendString(b, msg)
			b = abi.AppendString(b, cat)
			b = abi.AppendString(b, code)
			continue
		}
		b = st.appendPinInfo(b, pi)
	}
	return b, nil
}

func (st *stage) svcPolicy(r *abi.Reader) (object.Value, error) {
	u, err := st.target(r, abi.FuncPolicy)
	st.endRequest(r, abi.FuncPolicy)
	if err != nil {
		return nil, err
	}
	p, err := st.m.opts.Services.Policy(st.ctx, st.call, u)
	if err != nil {
		return nil, err
	}
	var maxAttempts object.Value
	if p.MaximumLogonAttempts != 0 {
		maxAttempts = p.MaximumLogonAttempts
	}
	return object.New(policyType, p.Identity, p.Description, p.MinPasswordLength, p.PINHistoryCount,
		p.AllowCommonPatterns, p.PINLifetime, maxAttempts), nil
}

func (st *stage) svcSetPin(r *abi.Reader) (object.Value, error) {
	u, err := st.target(r, abi.FuncSetPin)
	generate := r.Peek() == abi.TagNull
	pin := st.reqString(r)
	st.endRequest(r, abi.FuncSetPin)
	if err != nil {
		return nil, err
	}
	ps, pin, err := st.m.opts.Services.PrepareSet(st.ctx, st.call, u, pin, generate)
	if err != nil {
		return nil, err
	}
	st.queue(ps, u)
	return pin, nil
}

func (st *stage) svcLock(r *abi.Reader) (object.Value, error) {
	u, err := st.target(r, abi.FuncLock)
	st.endRequest(r, abi.FuncLock)
	if err != nil {
		return nil, err
	}
	return nil, st.m.opts.Services.Lock(st.ctx, st.call, u)
}

func (st *stage) svcUnlock(r *abi.Reader) (object.Value, error) {
	u, err := st.target(r, abi.FuncUnlock)
	st.endRequest(r, abi.FuncUnlock)
	if err != nil {
		return nil, err
	}
	return nil, st.m.opts.Services.Unlock(st.ctx, st.call, u)
}

// maxUsers bounds the per-stage cache of resolved users.
const maxUsers = 4096

func (st *stage) remember(u *User) {
	if st.users == nil || len(st.users) >= maxUsers {
		st.users = make(map[string]*User)
	}
	st.users[u.DN] = u
}

// user finds the user a plugin names by DN: one it resolved in this stage
// (plugins pass back the DN they were given), else a fresh exact look-up.
func (st *stage) user(dn string) (*User, error) {
	if u, ok := st.users[dn]; ok {
		return u, nil
	}
	users, err := st.m.opts.Services.ResolveUsers(st.ctx, st.call, dn)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if object.Fold(u.DN) == object.Fold(dn) {
			st.remember(u)
			return u, nil
		}
	}
	return nil, cmdlet.NewError(cmdlet.ObjectNotFound, "UserNotFound", dn,
		fmt.Errorf("Management object not found for identity %q.", dn))
}
