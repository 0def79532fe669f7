//go:build wasip1

package guest

//lint:file-ignore U1000 the exports are reached through //go:wasmexport, which staticcheck does not see

import (
	"unsafe"

	"pinsh/sdk/abi"
)

//go:wasmimport pinsh_v1 write
func hostWrite(kind, ptr, n uint32) uint32

//go:wasmimport pinsh_v1 should_process
func hostShouldProcess(ptr, n uint32) uint32

//go:wasmimport pinsh_v1 take
func hostTake(ptr, n uint32) int32

//go:wasmimport pinsh_v1 resolve_users
func hostResolveUsers(req, n, out, cap uint32) int32

//go:wasmimport pinsh_v1 pin_info
func hostPinInfo(req, n, out, cap uint32) int32

//go:wasmimport pinsh_v1 set_pin
func hostSetPin(req, n, out, cap uint32) int32

//go:wasmimport pinsh_v1 lock
func hostLock(req, n, out, cap uint32) int32

//go:wasmimport pinsh_v1 unlock
func hostUnlock(req, n, out, cap uint32) int32

//go:wasmimport pinsh_v1 policy
func hostPolicy(req, n, out, cap uint32) int32

//go:wasmimport pinsh_v1 pin_info_for
func hostPinInfoFor(req, n, out, cap uint32) int32

func ptr(b []byte) uint32 {
	if cap(b) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
}

//go:wasmexport pinsh_abi_version
func exportVersion() uint32 { return abi.Version }

//go:wasmexport pinsh_buffer
func exportBuffer(size uint32) uint32 { return ptr(buffer(size)) }

//go:wasmexport pinsh_describe
func exportDescribe() uint64 {
	describe = Hooks.Describe()
	return uint64(ptr(describe))<<32 | uint64(len(describe))
}

//go:wasmexport pinsh_begin
func exportBegin(n uint32) uint32 {
	msg, ok := input(n)
	if !ok {
		return abi.StatusFailed
	}
	return Hooks.Begin(msg)
}

//go:wasmexport pinsh_process
func exportProcess(n uint32) uint32 {
	msg, ok := input(n)
	if !ok {
		return abi.StatusFailed
	}
	return Hooks.Process(msg)
}

//go:wasmexport pinsh_process_batch
func exportProcessBatch(n uint32) uint32 {
	msg, ok := input(n)
	if !ok {
		return abi.StatusFailed
	}
	return Hooks.ProcessBatch(msg)
}

//go:wasmexport pinsh_end
func exportEnd() uint32 { return Hooks.End() }

// Write sends a record of the given abi.Write* kind to the host.
func Write(kind uint32, b []byte) { hostWrite(kind, ptr(b), uint32(len(b))) }

// ShouldProcess asks the host; b holds the target and action.
func ShouldProcess(b []byte) bool { return hostShouldProcess(ptr(b), uint32(len(b))) == 1 }

// Call invokes a service with the encoded request and returns the reply,
// a view valid until the next Call.
func Call(s Service, req []byte) []byte {
	f := hostResolveUsers
	switch s {
	case PinInfo:
		f = hostPinInfo
	case SetPin:
		f = hostSetPin
	case Lock:
		f = hostLock
	case Unlock:
		f = hostUnlock
	case Policy:
		f = hostPolicy
	case PinInfoFor:
		f = hostPinInfoFor
	}
	n := f(ptr(req), uint32(len(req)), ptr(reply), uint32(len(reply)))
	if n < 0 {
		reply = make([]byte, -int(n))
		n = hostTake(ptr(reply), uint32(len(reply)))
	}
	return reply[:n]
}
