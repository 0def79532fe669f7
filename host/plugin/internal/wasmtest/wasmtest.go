// Package wasmtest assembles small WebAssembly modules by hand for tests:
// hostile guests (endless loops, loop-free recursion, counter tampering)
// and seeds for fuzzing the instrumenter. It is deliberately low level:
// callers write instruction bytes, this package does the framing.
package wasmtest

// Section ids.
const (
	SecCustom   = 0
	SecType     = 1
	SecImport   = 2
	SecFunction = 3
	SecTable    = 4
	SecMemory   = 5
	SecGlobal   = 6
	SecExport   = 7
	SecStart    = 8
	SecElement  = 9
	SecCode     = 10
	SecData     = 11
)

// Value types.
const (
	I32 = 0x7f
	I64 = 0x7e
	F32 = 0x7d
	F64 = 0x7c
)

// Module returns the header followed by the sections.
func Module(sections ...[]byte) []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	for _, s := range sections {
		b = append(b, s...)
	}
	return b
}

// Section frames content as a section with the given id.
func Section(id byte, content ...[]byte) []byte {
	c := Cat(content...)
	b := append([]byte{id}, U32(uint32(len(c)))...)
	return append(b, c...)
}

// Vec returns a count followed by the items.
func Vec(items ...[]byte) []byte {
	return append(U32(uint32(len(items))), Cat(items...)...)
}

// Cat concatenates byte slices.
func Cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// U32 encodes an unsigned LEB128.
func U32(x uint32) []byte {
	var b []byte
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

// S64 encodes a signed LEB128.
func S64(v int64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// Name encodes a length-prefixed name.
func Name(s string) []byte { return append(U32(uint32(len(s))), s...) }

// FuncType encodes a function type.
func FuncType(params, results []byte) []byte {
	b := []byte{0x60}
	b = append(b, Vec(bytesOf(params)...)...)
	return append(b, Vec(bytesOf(results)...)...)
}

func bytesOf(types []byte) [][]byte {
	out := make([][]byte, len(types))
	for i, t := range types {
		out[i] = []byte{t}
	}
	return out
}

// ImportFunc encodes a function import of the given type index.
func ImportFunc(module, name string, typeIdx uint32) []byte {
	return Cat(Name(module), Name(name), []byte{0}, U32(typeIdx))
}

// ExportFunc encodes a function export.
func ExportFunc(name string, idx uint32) []byte {
	return Cat(Name(name), []byte{0}, U32(idx))
}

// ExportMemory encodes a memory export.
func ExportMemory(name string, idx uint32) []byte {
	return Cat(Name(name), []byte{2}, U32(idx))
}

// Body encodes a function body: locals (already encoded entries) and code,
// which must end with the final end (0x0b).
func Body(locals [][]byte, code ...[]byte) []byte {
	c := Cat(Vec(locals...), Cat(code...))
	return append(U32(uint32(len(c))), c...)
}

// I32Const encodes i32.const v.
func I32Const(v int32) []byte { return append([]byte{0x41}, S64(int64(v))...) }

// I64Const encodes i64.const v.
func I64Const(v int64) []byte { return append([]byte{0x42}, S64(v)...) }

// Call encodes call f.
func Call(f uint32) []byte { return append([]byte{0x10}, U32(f)...) }

// LocalGet encodes local.get i.
func LocalGet(i uint32) []byte { return append([]byte{0x20}, U32(i)...) }

// GlobalGet encodes global.get i.
func GlobalGet(i uint32) []byte { return append([]byte{0x23}, U32(i)...) }

// GlobalSet encodes global.set i.
func GlobalSet(i uint32) []byte { return append([]byte{0x24}, U32(i)...) }

// Common instruction bytes.
var (
	Loop   = []byte{0x03, 0x40}
	Block  = []byte{0x02, 0x40}
	End    = []byte{0x0b}
	Br0    = []byte{0x0c, 0x00}
	Drop   = []byte{0x1a}
	I32Add = []byte{0x6a}
	I32Sub = []byte{0x6b}
	I64Add = []byte{0x7c}
)

// WASI is the import module of the WASI functions.
const WASI = "wasi_snapshot_preview1"

// Spinner returns a module importing sched_yield (function 0) whose
// exported "spin" (function 1) loops forever, "rec" (function 2) recurses
// without loops (rec(n) calls rec(n-1) twice until n is 0), and "add"
// (function 3) returns the sum of its two i32 arguments.
func Spinner() []byte {
	return Module(
		Section(SecType, Vec(
			FuncType(nil, []byte{I32}),              // 0: () -> i32
			FuncType(nil, nil),                      // 1: () -> ()
			FuncType([]byte{I32}, nil),              // 2: (i32) -> ()
			FuncType([]byte{I32, I32}, []byte{I32}), // 3: (i32,i32) -> i32
		)),
		Section(SecImport, Vec(ImportFunc(WASI, "sched_yield", 0))),
		Section(SecFunction, Vec(U32(1), U32(2), U32(3))),
		Section(SecExport, Vec(ExportFunc("spin", 1), ExportFunc("rec", 2), ExportFunc("add", 3))),
		Section(SecCode, Vec(
			Body(nil, Loop, Br0, End, End),
			Body(nil,
				LocalGet(0), []byte{0x45}, []byte{0x04, 0x40}, []byte{0x0f}, End, // if n == 0 return
				LocalGet(0), I32Const(1), I32Sub, Call(2),
				LocalGet(0), I32Const(1), I32Sub, Call(2),
				End),
			Body(nil, LocalGet(0), LocalGet(1), I32Add, End),
		)),
	)
}
