// Package instrument rewrites a WebAssembly module so that it can always be
// stopped: it adds safe points that call back into the host often enough
// for a deadline or Ctrl-C to end a runaway guest, without wazero's
// WithCloseOnContextDone (which makes Go guests 5 to 7 times slower; see
// host/plugin's package documentation for the measurements).
//
// # What the rewrite does
//
// A new mutable i32 global, the counter, is appended after every global the
// module declares. A check is inserted after every loop instruction (so it
// runs at each iteration) and at the entry of every function that contains
// a call and does not start with a loop (so recursion without loops is
// caught too):
//
//	global.get $ctr  i32.eqz
//	if  i32.const 4096  global.set $ctr  call $sched_yield  drop  end
//	global.get $ctr  i32.const 1  i32.sub  global.set $ctr
//
// $sched_yield is the module's own import of wasi_snapshot_preview1's
// sched_yield, which every Go wasip1 module has; the host overrides it with
// a function that aborts the call when its context is done. Reusing an
// existing import means no function, type or global index changes, so
// calls, tables, exports and the name section stay valid untouched.
//
// Every backward branch in wasm targets a loop, so a guest that runs for
// long either iterates a loop or calls functions; both pass a check every
// few instructions, and the host regains control at least every [Interval]
// checks.
//
// # What it refuses
//
// The rewriter decodes every instruction of the MVP, sign-extension,
// non-trapping float-to-int, bulk-memory and reference-types proposals and
// refuses anything else (SIMD, threads, exceptions, tail calls, typed
// function references, memory64) with [ErrUnsupported]. It refuses a module
// that refers to a global index at or beyond the counter's (which would
// otherwise become a valid reference to the counter, letting the guest reset
// it) with [ErrCounter], and a module without a sched_yield import of type
// () -> i32 with [ErrNoYield]. Malformed input is [ErrMalformed]. Stale
// DWARF sections (".debug_*") are dropped, since code offsets change.
//
// # Data segments
//
// The Go linker writes a module's initial data as tens of thousands of
// small active segments (27,800 in a 2.4 MB plugin), skipping runs of
// zeros. wazero decodes, validates and applies each one every time a
// process loads the module, even from its compilation cache, which costs
// several milliseconds of every warm start. When every segment is active,
// in memory 0, at a constant i32 offset, without overlaps, and the module
// has no data count section (so no instruction can name a segment), the
// rewriter merges segments less than [MaxDataGap] bytes apart into one,
// filling the gaps with the zeros memory holds anyway. Memory ends up
// byte for byte the same, and a segment out of bounds still fails
// instantiation. A Go plugin goes from about 27,800 segments to 1 or 2,
// for about 0.5 MB of explicit zeros.
//
// The output is deterministic: the same input always gives the same bytes.
package instrument

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// Interval is the number of safe-point checks between two calls of
// sched_yield. Each check costs about a nanosecond; a sched_yield call
// about 50 ns, so the host regains control every few microseconds.
const Interval = 4096

// Version identifies the rewriting; caches of instrumented modules must
// include it in their key, so a new rewriter never reuses old output.
// Version 2 merges data segments.
const Version = 2

// MaxDataGap is the largest run of zeros written out to merge two data
// segments (see "Data segments" above).
const MaxDataGap = 4096

// Error classes, for errors.Is.
var (
	ErrMalformed   = errors.New("malformed module")
	ErrUnsupported = errors.New("unsupported WebAssembly feature")
	ErrNoYield     = errors.New("no sched_yield import")
	ErrCounter     = errors.New("reference to the safe-point counter")
)

// Error is a refused module: the class, the byte offset in the input and
// what was wrong there.
type Error struct {
	Class  error
	Offset int
	Msg    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%v at byte %d: %s", e.Class, e.Offset, e.Msg)
}

// Unwrap returns the class.
func (e *Error) Unwrap() error { return e.Class }

// Import is one import of the module.
type Import struct {
	Module, Name string
	Kind         byte // 0 function, 1 table, 2 memory, 3 global
}

// Export is one export of the module.
type Export struct {
	Name  string
	Kind  byte // 0 function, 1 table, 2 memory, 3 global
	Index uint32
}

// Result is an instrumented module and what the rewriter learnt on the way.
type Result struct {
	Module  []byte
	Imports []Import
	Exports []Export
	// Loops and Entries count the checks inserted after loops and at
	// function entries; Functions counts the function bodies.
	Loops, Entries, Functions int
	// DataSegments counts the data segments before and after merging.
	DataSegments, MergedSegments int
	// Custom holds the contents of the custom sections the output keeps
	// (all but DWARF), by name; of sections sharing a name, the last.
	Custom map[string][]byte
}

const (
	secCustom    = 0
	secType      = 1
	secImport    = 2
	secFunction  = 3
	secTable     = 4
	secMemory    = 5
	secGlobal    = 6
	secExport    = 7
	secStart     = 8
	secElement   = 9
	secCode      = 10
	secData      = 11
	secDataCount = 12
	secTag       = 13
)

// order gives each known section its position; datacount sits between the
// element and code sections.
var order = [...]int{secType: 1, secImport: 2, secFunction: 3, secTable: 4,
	secMemory: 5, secGlobal: 6, secExport: 7, secStart: 8, secElement: 9,
	secDataCount: 10, secCode: 11, secData: 12}

const (
	valI32       = 0x7f
	valI64       = 0x7e
	valF32       = 0x7d
	valF64       = 0x7c
	valV128      = 0x7b
	valFuncref   = 0x70
	valExternref = 0x6f
)

type funcType struct{ params, results []byte }

// state is the module being rewritten.
type state struct {
	in  []byte
	res *Result

	types          []funcType
	importedFuncs  uint32
	importedGlobal uint32
	definedGlobals uint32
	definedFuncs   uint32
	yield          int64 // function index of sched_yield, -1 if none
	counter        uint32
	globalDone     bool // the global section (with the counter) is written

	check []byte // the inserted check sequence

	dataCount bool // the module has a data count section
}

// Instrument returns the rewritten module. It never panics, whatever the
// input.
func Instrument(module []byte) (*Result, error) {
	s := &state{in: module, res: &Result{}, yield: -1}
	out, err := s.run()
	if err != nil {
		return nil, err
	}
	s.res.Module = out
	return s.res, nil
}

func (s *state) run() ([]byte, error) {
	in := s.in
	if len(in) < 8 || !bytes.Equal(in[:4], []byte("\x00asm")) {
		return nil, &Error{ErrMalformed, 0, "not a WebAssembly module (no \\0asm magic)"}
	}
	if !bytes.Equal(in[4:8], []byte{1, 0, 0, 0}) {
		return nil, &Error{ErrMalformed, 4, "unsupported binary format version"}
	}
	out := make([]byte, 0, len(in)+len(in)/32+64)
	out = append(out, in[:8]...)
	r := &reader{b: in, off: 8}
	last := 0
	for r.off < len(in) {
		start := r.off
		id, body, bodyOff, err := r.section()
		if err != nil {
			return nil, err
		}
		if id == secTag {
			return nil, &Error{ErrUnsupported, start, "exception handling (tag section)"}
		}
		if id >= byte(len(order)) {
			return nil, &Error{ErrMalformed, start, fmt.Sprintf("unknown section id %d", id)}
		}
		if id != secCustom {
			if order[id] <= last {
				return nil, &Error{ErrMalformed, start, fmt.Sprintf("section %d out of order or repeated", id)}
			}
			last = order[id]
			// The counter's global section goes before the first known
			// section that must follow it.
			if !s.globalDone && order[id] > order[secGlobal] {
				if err := s.prepareCounter(start); err != nil {
					return nil, err
				}
				out = appendSection(out, secGlobal, s.globalSection(nil, 0))
			}
		}
		sr := &reader{b: body, base: bodyOff}
		var content []byte
		switch id {
		case secCustom:
			name := sr.name()
			if sr.err != nil {
				return nil, sr.err
			}
			if len(name) >= 7 && name[:7] == ".debug_" {
				continue // stale after the rewrite
			}
			if s.res.Custom == nil {
				s.res.Custom = map[string][]byte{}
			}
			s.res.Custom[name] = body[sr.off:]
			content = body
		case secType:
			err = s.typeSection(sr)
			content = body
		case secImport:
			err = s.importSection(sr)
			content = body
		case secFunction:
			n := sr.count()
			for i := uint32(0); i < n && sr.err == nil; i++ {
				sr.u32()
			}
			s.definedFuncs = n
			err = sr.finish()
			content = body
		case secTable:
			n := sr.count()
			for i := uint32(0); i < n && sr.err == nil; i++ {
				sr.refType()
				sr.limits()
			}
			err = sr.finish()
			content = body
		case secMemory:
			n := sr.count()
			for i := uint32(0); i < n && sr.err == nil; i++ {
				sr.limits()
			}
			err = sr.finish()
			content = body
		case secGlobal:
			content, err = s.rewriteGlobals(sr, start)
		case secExport:
			err = s.exportSection(sr)
			content = body
		case secStart:
			sr.u32()
			err = sr.finish()
			content = body
		case secElement:
			err = s.elementSection(sr)
			content = body
		case secDataCount:
			sr.u32()
			err = sr.finish()
			content = body
			s.dataCount = true
		case secCode:
			content, err = s.rewriteCode(sr)
		case secData:
			var segs []segment
			segs, err = s.dataSection(sr)
			content = body
			if err == nil {
				content = s.mergeData(body, segs)
			}
		}
		if err != nil {
			return nil, err
		}
		out = appendSection(out, id, content)
	}
	if !s.globalDone {
		if err := s.prepareCounter(len(in)); err != nil {
			return nil, err
		}
		out = appendSection(out, secGlobal, s.globalSection(nil, 0))
	}
	if s.res.Functions != int(s.definedFuncs) {
		return nil, &Error{ErrMalformed, len(in), fmt.Sprintf("%d functions declared but %d bodies", s.definedFuncs, s.res.Functions)}
	}
	return out, nil
}

func appendSection(out []byte, id byte, content []byte) []byte {
	out = append(out, id)
	out = appendU32(out, uint32(len(content)))
	return append(out, content...)
}

// prepareCounter fixes the counter's index once imports and globals are
// known, and builds the check sequence.
func (s *state) prepareCounter(off int) error {
	if s.yield < 0 {
		return &Error{ErrNoYield, off, "the module does not import wasi_snapshot_preview1.sched_yield, which pinsh's safe points call (every Go wasip1 module imports it)"}
	}
	total := uint64(s.importedGlobal) + uint64(s.definedGlobals)
	if total >= 1<<32-1 {
		return &Error{ErrMalformed, off, "too many globals"}
	}
	s.counter = uint32(total)
	g := appendU32(nil, s.counter)
	y := appendU32(nil, uint32(s.yield))
	c := make([]byte, 0, 32)
	c = append(c, 0x23)
	c = append(c, g...)
	c = append(c, 0x45, 0x04, 0x40, 0x41)
	c = appendS32(c, Interval)
	c = append(c, 0x24)
	c = append(c, g...)
	c = append(c, 0x10)
	c = append(c, y...)
	c = append(c, 0x1a, 0x0b, 0x23)
	c = append(c, g...)
	c = append(c, 0x41, 0x01, 0x6b, 0x24)
	c = append(c, g...)
	s.check = c
	return nil
}

// globalSection returns a global section holding the module's globals
// (entries, n of them) followed by the counter.
func (s *state) globalSection(entries []byte, n uint32) []byte {
	s.globalDone = true
	c := appendU32(nil, n+1)
	c = append(c, entries...)
	c = append(c, valI32, 0x01, 0x41)
	c = appendS32(c, Interval)
	return append(c, 0x0b)
}

func (s *state) typeSection(r *reader) error {
	n := r.count()
	for i := uint32(0); i < n && r.err == nil; i++ {
		if f := r.byte(); f != 0x60 && r.err == nil {
			if f == 0x4e || f == 0x50 || f == 0x4f || f == 0x5f || f == 0x5e {
				return r.fail(ErrUnsupported, "garbage-collection type definitions")
			}
			return r.fail(ErrMalformed, fmt.Sprintf("function type starts with 0x%02x, not 0x60", f))
		}
		var ft funcType
		np := r.count()
		for j := uint32(0); j < np && r.err == nil; j++ {
			ft.params = append(ft.params, r.valType())
		}
		nr := r.count()
		for j := uint32(0); j < nr && r.err == nil; j++ {
			ft.results = append(ft.results, r.valType())
		}
		s.types = append(s.types, ft)
	}
	return r.finish()
}

func (s *state) importSection(r *reader) error {
	n := r.count()
	for i := uint32(0); i < n && r.err == nil; i++ {
		mod := r.name()
		name := r.name()
		kind := r.byte()
		if r.err != nil {
			break
		}
		s.res.Imports = append(s.res.Imports, Import{Module: mod, Name: name, Kind: kind})
		switch kind {
		case 0:
			off := r.pos()
			t := r.u32()
			if r.err != nil {
				break
			}
			if mod == "wasi_snapshot_preview1" && name == "sched_yield" {
				if uint64(t) >= uint64(len(s.types)) {
					return &Error{ErrMalformed, off, "sched_yield import has an unknown type"}
				}
				ft := s.types[t]
				if len(ft.params) != 0 || len(ft.results) != 1 || ft.results[0] != valI32 {
					return &Error{ErrNoYield, off, "sched_yield is imported with a type other than () -> i32"}
				}
				if s.yield < 0 {
					s.yield = int64(s.importedFuncs)
				}
			}
			s.importedFuncs++
		case 1:
			r.refType()
			r.limits()
		case 2:
			r.limits()
		case 3:
			r.valType()
			r.mut()
			s.importedGlobal++
		case 4:
			return r.fail(ErrUnsupported, "exception handling (tag import)")
		default:
			return r.fail(ErrMalformed, fmt.Sprintf("unknown import kind %d", kind))
		}
	}
	return r.finish()
}

func (s *state) rewriteGlobals(r *reader, secStart int) ([]byte, error) {
	n := r.count()
	entriesStart := r.off
	// The counter's index depends on this section's count, known now.
	s.definedGlobals = n
	if err := s.prepareCounter(secStart); err != nil {
		return nil, err
	}
	for i := uint32(0); i < n && r.err == nil; i++ {
		r.valType()
		r.mut()
		s.constExpr(r)
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	return s.globalSection(r.b[entriesStart:], n), nil
}

func (s *state) exportSection(r *reader) error {
	n := r.count()
	for i := uint32(0); i < n && r.err == nil; i++ {
		name := r.name()
		kind := r.byte()
		off := r.pos()
		idx := r.u32()
		if r.err != nil {
			break
		}
		switch kind {
		case 0, 1, 2:
		case 3:
			if idx >= s.counter {
				return &Error{ErrCounter, off, fmt.Sprintf("export %q names global %d, which does not exist", name, idx)}
			}
		case 4:
			return r.fail(ErrUnsupported, "exception handling (tag export)")
		default:
			return r.fail(ErrMalformed, fmt.Sprintf("unknown export kind %d", kind))
		}
		s.res.Exports = append(s.res.Exports, Export{Name: name, Kind: kind, Index: idx})
	}
	return r.finish()
}

func (s *state) elementSection(r *reader) error {
	n := r.count()
	for i := uint32(0); i < n && r.err == nil; i++ {
		flags := r.u32()
		if r.err != nil {
			break
		}
		switch flags {
		case 0:
			s.constExpr(r)
			s.funcIndexes(r)
		case 1, 3:
			r.elemKind()
			s.funcIndexes(r)
		case 2:
			r.u32()
			s.constExpr(r)
			r.elemKind()
			s.funcIndexes(r)
		case 4:
			s.constExpr(r)
			s.exprs(r)
		case 5, 7:
			r.refType()
			s.exprs(r)
		case 6:
			r.u32()
			s.constExpr(r)
			r.refType()
			s.exprs(r)
		default:
			return r.fail(ErrMalformed, fmt.Sprintf("unknown element segment flags %d", flags))
		}
	}
	return r.finish()
}

func (s *state) funcIndexes(r *reader) {
	n := r.count()
	for i := uint32(0); i < n && r.err == nil; i++ {
		r.u32()
	}
}

func (s *state) exprs(r *reader) {
	n := r.count()
	for i := uint32(0); i < n && r.err == nil; i++ {
		s.constExpr(r)
	}
}

// segment is a data segment as mergeData needs it: an active segment of
// memory 0 at a constant offset (offset -1 for any other kind), and its
// bytes.
type segment struct {
	offset int64
	data   []byte
}

func (s *state) dataSection(r *reader) ([]segment, error) {
	n := r.count()
	segs := make([]segment, 0, min(n, 1<<16))
	for i := uint32(0); i < n && r.err == nil; i++ {
		flags := r.u32()
		seg := segment{offset: -1}
		switch flags {
		case 0:
			// The usual form, i32.const N end, is noted for merging.
			if p := r.off; p+1 < len(r.b) && r.b[p] == 0x41 {
				r.off++
				v := r.s32()
				if r.err == nil && r.off < len(r.b) && r.b[r.off] == 0x0b && v >= 0 {
					r.off++
					seg.offset = int64(v)
					break
				}
				r.off, r.err = p, nil
			}
			s.constExpr(r)
		case 1:
		case 2:
			r.u32()
			s.constExpr(r)
		default:
			if r.err == nil {
				return nil, r.fail(ErrMalformed, fmt.Sprintf("unknown data segment flags %d", flags))
			}
		}
		size := r.u32()
		if r.err == nil && uint64(size) <= uint64(r.remaining()) {
			seg.data = r.b[r.off : r.off+int(size)]
		}
		r.skip(size)
		segs = append(segs, seg)
	}
	return segs, r.finish()
}

// mergeData returns the data section with its segments merged (see the
// package documentation), or body unchanged when they cannot be.
func (s *state) mergeData(body []byte, segs []segment) []byte {
	s.res.DataSegments, s.res.MergedSegments = len(segs), len(segs)
	if s.dataCount || len(segs) < 2 {
		return body
	}
	for _, g := range segs {
		if g.offset < 0 {
			return body
		}
	}
	sorted := make([]segment, len(segs))
	copy(sorted, segs)
	slices.SortStableFunc(sorted, func(a, b segment) int { return cmp.Compare(a.offset, b.offset) })
	for i := 1; i < len(sorted); i++ {
		if sorted[i].offset < sorted[i-1].offset+int64(len(sorted[i-1].data)) {
			return body // overlapping segments: order matters, keep them
		}
	}
	type run struct {
		offset int64
		parts  []segment
		size   int64
	}
	var runs []run
	for _, g := range sorted {
		if n := len(runs); n > 0 && g.offset-(runs[n-1].offset+runs[n-1].size) <= MaxDataGap {
			r := &runs[n-1]
			r.parts = append(r.parts, g)
			r.size = g.offset + int64(len(g.data)) - r.offset
			continue
		}
		runs = append(runs, run{offset: g.offset, parts: []segment{g}, size: int64(len(g.data))})
	}
	if len(runs) == len(segs) {
		return body
	}
	// Bound the zeros written out, whatever the module: at most the size
	// of the section again, plus 1 MiB.
	var data, total int64
	for _, g := range segs {
		data += int64(len(g.data))
	}
	for _, r := range runs {
		total += r.size
	}
	if total-data > int64(len(body))+1<<20 {
		return body
	}
	out := appendU32(nil, uint32(len(runs)))
	for _, r := range runs {
		out = append(out, 0, 0x41)
		out = appendS32(out, int32(r.offset))
		out = append(out, 0x0b)
		out = appendU32(out, uint32(r.size))
		start := len(out)
		for _, g := range r.parts {
			if gap := g.offset - r.offset - int64(len(out)-start); gap > 0 {
				out = append(out, make([]byte, gap)...)
			}
			out = append(out, g.data...)
		}
	}
	s.res.MergedSegments = len(runs)
	return out
}

// constExpr reads a constant expression, checking its global references.
func (s *state) constExpr(r *reader) {
	for r.err == nil {
		op := r.byte()
		switch op {
		case 0x0b:
			return
		case 0x41:
			r.s32()
		case 0x42:
			r.s64()
		case 0x43:
			r.skip(4)
		case 0x44:
			r.skip(8)
		case 0x23:
			off := r.pos()
			idx := r.u32()
			if r.err == nil && idx >= s.counter {
				r.err = &Error{ErrCounter, off, fmt.Sprintf("constant expression reads global %d, which does not exist", idx)}
			}
		case 0xd0:
			r.refType()
		case 0xd2:
			r.u32()
		case 0xfd:
			r.fail(ErrUnsupported, "SIMD constant")
		default:
			if r.err == nil {
				r.fail(ErrUnsupported, fmt.Sprintf("opcode 0x%02x in a constant expression", op))
			}
		}
	}
}

func (s *state) rewriteCode(r *reader) ([]byte, error) {
	if s.check == nil { // cannot happen: the section order is checked
		return nil, r.fail(ErrMalformed, "code section before the counter exists")
	}
	n := r.count()
	out := make([]byte, 0, len(r.b)+len(r.b)/20+16)
	out = appendU32(out, n)
	var scratch []byte
	for i := uint32(0); i < n && r.err == nil; i++ {
		size := r.u32()
		if r.err != nil {
			break
		}
		if uint64(size) > uint64(r.remaining()) {
			return nil, r.fail(ErrMalformed, fmt.Sprintf("function body %d claims %d bytes, only %d remain", i, size, r.remaining()))
		}
		body := &reader{b: r.b[r.off : r.off+int(size)], base: r.base + r.off}
		r.off += int(size)
		var err error
		scratch, err = s.rewriteBody(body, scratch[:0])
		if err != nil {
			return nil, err
		}
		out = appendU32(out, uint32(len(scratch)))
		out = append(out, scratch...)
		s.res.Functions++
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	return out, nil
}

// rewriteBody copies one function body, inserting the checks. The locals
// are copied verbatim; instructions are decoded one by one and copied as
// raw bytes, so nothing but the inserted sequences changes.
func (s *state) rewriteBody(r *reader, out []byte) ([]byte, error) {
	nl := r.count()
	for i := uint32(0); i < nl && r.err == nil; i++ {
		r.u32()
		r.valType()
	}
	if r.err != nil {
		return nil, r.err
	}
	out = append(out, r.b[:r.off]...)
	entryAt := len(out)
	startsWithLoop := r.off < len(r.b) && r.b[r.off] == 0x03
	hasCall := false
	loops := 0
	depth := 0
	for {
		if r.off >= len(r.b) {
			return nil, r.fail(ErrMalformed, "function body ends without its final end")
		}
		instStart := r.off
		op := r.byte()
		switch {
		case op == 0x00 || op == 0x01 || op == 0x0f || op == 0x1a || op == 0x1b ||
			op == 0xd1 || (op >= 0x45 && op <= 0xc4):
			// no immediates
		case op == 0x02 || op == 0x04:
			r.blockType(s)
			depth++
		case op == 0x03:
			r.blockType(s)
			depth++
			if r.err == nil {
				out = append(out, r.b[instStart:r.off]...)
				out = append(out, s.check...)
				loops++
				continue
			}
		case op == 0x05:
		case op == 0x0b:
			if depth == 0 {
				out = append(out, op)
				if r.off != len(r.b) {
					return nil, r.fail(ErrMalformed, fmt.Sprintf("%d bytes after the function's final end", len(r.b)-r.off))
				}
				if hasCall && !startsWithLoop {
					n := len(out)
					out = append(out, s.check...)
					copy(out[entryAt+len(s.check):], out[entryAt:n])
					copy(out[entryAt:], s.check)
					s.res.Entries++
				}
				s.res.Loops += loops
				return out, nil
			}
			depth--
		case op == 0x0c || op == 0x0d:
			r.u32()
		case op == 0x0e:
			n := r.count()
			for i := uint32(0); i < n && r.err == nil; i++ {
				r.u32()
			}
			r.u32()
		case op == 0x10:
			r.u32()
			hasCall = true
		case op == 0x11:
			r.u32()
			r.u32()
			hasCall = true
		case op == 0x12 || op == 0x13:
			return nil, r.failAt(instStart, ErrUnsupported, "tail calls")
		case op == 0x14 || op == 0x15 || (op >= 0xd3 && op <= 0xd6):
			return nil, r.failAt(instStart, ErrUnsupported, "typed function references")
		case (op >= 0x06 && op <= 0x0a) || op == 0x18 || op == 0x19 || op == 0x1f:
			return nil, r.failAt(instStart, ErrUnsupported, "exception handling")
		case op == 0x1c:
			if c := r.byte(); c != 1 && r.err == nil {
				return nil, r.failAt(instStart, ErrMalformed, "typed select must name exactly one type")
			}
			r.valType()
		case op >= 0x20 && op <= 0x22:
			r.u32()
		case op == 0x23 || op == 0x24:
			off := r.pos()
			idx := r.u32()
			if r.err == nil && idx >= s.counter {
				return nil, &Error{ErrCounter, off, fmt.Sprintf("instruction uses global %d, which does not exist (the counter's index is %d)", idx, s.counter)}
			}
		case op == 0x25 || op == 0x26:
			r.u32()
		case op >= 0x28 && op <= 0x3e:
			r.u32()
			r.u32()
		case op == 0x3f || op == 0x40:
			r.u32()
		case op == 0x41:
			r.s32()
		case op == 0x42:
			r.s64()
		case op == 0x43:
			r.skip(4)
		case op == 0x44:
			r.skip(8)
		case op == 0xd0:
			r.refType()
		case op == 0xd2:
			r.u32()
		case op == 0xfc:
			sub := r.u32()
			if r.err != nil {
				break
			}
			switch {
			case sub <= 7:
			case sub == 8:
				r.u32()
				r.u32()
			case sub == 9 || sub == 11 || sub == 13 || (sub >= 15 && sub <= 17):
				r.u32()
			case sub == 10 || sub == 12 || sub == 14:
				r.u32()
				r.u32()
			default:
				return nil, r.failAt(instStart, ErrUnsupported, fmt.Sprintf("instruction 0xfc %d", sub))
			}
		case op == 0xfd:
			return nil, r.failAt(instStart, ErrUnsupported, "SIMD instructions")
		case op == 0xfe:
			return nil, r.failAt(instStart, ErrUnsupported, "threads (atomic instructions)")
		default:
			return nil, r.failAt(instStart, ErrUnsupported, fmt.Sprintf("unknown opcode 0x%02x", op))
		}
		if r.err != nil {
			return nil, r.err
		}
		out = append(out, r.b[instStart:r.off]...)
	}
}
