// Package guest is the SDK's plumbing inside a plugin module: the wasm
// exports the host calls, the host functions the plugin imports, and the
// buffers between them. It knows bytes, not values; package sdk encodes and
// decodes, and registers its [Hooks] at init.
//
// On platforms other than GOOS=wasip1 the host functions are stubs that
// panic, so that the SDK and plugins still compile (and vet) natively.
package guest

//lint:file-ignore U1000 the exports are reached through //go:wasmexport, which staticcheck does not see

// Hooks are the SDK's handlers for the exports. Each receives the message
// the host wrote (a view of the input buffer, valid during the call) and
// returns an abi.Status* value.
var Hooks struct {
	Describe func() []byte
	Begin    func(msg []byte) uint32
	Process  func(msg []byte) uint32
	// ProcessBatch handles a batch message (abi.ExportProcessBatch).
	ProcessBatch func(msg []byte) uint32
	End          func() uint32
}

// Service numbers the service host functions for [Call].
type Service int

// The services, one per host function of the same name.
const (
	ResolveUsers Service = iota
	PinInfo
	SetPin
	Lock
	Unlock
	Policy
	PinInfoFor // ABI 1.1
)

// inBuf is the buffer the host fills before begin and process; reply is
// where service replies land.
var (
	inBuf    []byte
	reply    = make([]byte, 4096)
	describe []byte // kept alive until the host has read it
)

func buffer(size uint32) []byte {
	if uint32(cap(inBuf)) < size {
		inBuf = make([]byte, size)
	}
	return inBuf[:cap(inBuf)]
}

func input(n uint32) ([]byte, bool) {
	if n > uint32(len(inBuf)) {
		return nil, false
	}
	return inBuf[:n], true
}
