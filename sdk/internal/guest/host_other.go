//go:build !wasip1

package guest

const notWasm = "pinsh plugins run only inside pinsh, built with GOOS=wasip1 GOARCH=wasm"

// Native is the host outside WebAssembly: nil functions panic. Tests of the
// SDK set them to run its code natively.
var Native struct {
	Write         func(kind uint32, b []byte)
	ShouldProcess func(b []byte) bool
	Call          func(s Service, req []byte) []byte
}

// Write sends a record of the given abi.Write* kind to the host.
func Write(kind uint32, b []byte) {
	if Native.Write == nil {
		panic(notWasm)
	}
	Native.Write(kind, b)
}

// ShouldProcess asks the host; b holds the target and action.
func ShouldProcess(b []byte) bool {
	if Native.ShouldProcess == nil {
		panic(notWasm)
	}
	return Native.ShouldProcess(b)
}

// Call invokes a service with the encoded request and returns the reply,
// a view valid until the next Call.
func Call(s Service, req []byte) []byte {
	if Native.Call == nil {
		panic(notWasm)
	}
	return Native.Call(s, req)
}

// Begin, Process and End run the hooks as the exports would.
func Begin(msg []byte) uint32 {
	inBuf = append(inBuf[:0], msg...)
	return Hooks.Begin(inBuf)
}

// Process runs the process hook on msg.
func Process(msg []byte) uint32 {
	inBuf = append(inBuf[:0], msg...)
	return Hooks.Process(inBuf)
}

// ProcessBatch copies a batch message into the input buffer and runs the
// batch hook.
func ProcessBatch(msg []byte) uint32 {
	inBuf = append(inBuf[:0], msg...)
	return Hooks.ProcessBatch(inBuf)
}

// End runs the end hook.
func End() uint32 { return Hooks.End() }
