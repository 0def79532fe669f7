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
	cap  capSet
	run  func(st *stage, r *abi.Reader) (object.Value, error)
}

var serviceList = []*service{
	{name: abi.FuncResolveUsers, cap: capBit(abi.CapDirectoryRead), run: (*stage).svcResolve},
	{name: abi.FuncPinInfo, cap: capBit(abi.CapPinRead), run: (*stage).svcPinInfo},
	{name: abi.FuncSetPin, cap: capBit(abi.CapPinWrite), run: (*stage).svcSetPin},
	{name: abi.FuncLock, cap: capBit(abi.CapPinLock), run: (*stage).svcLock},
	{name: abi.FuncUnlock, cap: capBit(abi.CapPinLock), run: (*stage).svcUnlock},
	{name: abi.FuncPolicy, cap: capBit(abi.CapPinRead), run: (*stage).svcPolicy},
}

// serviceFunc makes the host function for a service: (reqPtr, reqLen,
// outPtr, outCap) -> n, see abi's service calling convention.
func serviceFunc(svc *service) api.GoModuleFunc {
	return func(ctx context.Context, mod api.Module, s []uint64) {
		in := instanceOf(ctx)
		st := in.stage(svc.name)
		if st.p.granted&svc.cap == 0 {
			in.stopf("called %s without the %s capability; its manifest must request it and the administrator grant it",
				svc.name, svc.cap.names()[0])
		}
		r := abi.NewReader(in.read(mod, uint32(s[0]), uint32(s[1]), svc.name))
		v, err := svc.run(st, r)
		reply := st.reply[:0]
		if err != nil {
			if ctxErr := st.ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
				panic(errStopped) // reported as stopped, with the cause
			}
			msg, cat, id := describeError(err)
			reply = append(reply, abi.ReplyError)
			reply = abi.AppendString(reply, msg)
			reply = abi.AppendString(reply, cat)
			reply = abi.AppendString(reply, id)
		} else {
			reply = append(reply, abi.ReplyOK)
			reply = st.enc.value(reply, v, 0)
			if st.enc.err != nil {
				in.stop(st.p.errorf(st.enc.err, "could not be sent the reply of %s: %v", svc.name, st.enc.err))
			}
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
	display := u.SipAddress
	if display == "" {
		display = u.DN
	}
	if err := st.m.opts.Authorizer.Allow(st.call.Operator, st.call.Cmdlet, &rbac.Target{DN: u.DN, Display: display}); err != nil {
		return nil, err
	}
	return u, nil
}

func (st *stage) svcPinInfo(r *abi.Reader) (object.Value, error) {
	u, err := st.target(r, abi.FuncPinInfo)
	st.endRequest(r, abi.FuncPinInfo)
	if err != nil {
		return nil, err
	}
	pi, err := st.m.opts.Services.PinInfo(st.ctx, st.call, u)
	if err != nil {
		return nil, err
	}
	return object.New(pinInfoType, pi.Identity, pi.IsPinSet, pi.IsLockedOut,
		timeOrNull(pi.LastPinChangeTime), timeOrNull(pi.PinExpirationTime)), nil
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
