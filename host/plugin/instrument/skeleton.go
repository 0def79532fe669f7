package instrument

import (
	"bytes"
	"fmt"
)

// SkeletonSection names the custom section [Skeleton] adds.
const SkeletonSection = "pinsh.skeleton"

// Skeleton returns module with every function body replaced by
// `unreachable`: the same types, imports, function signatures, tables,
// memories, globals, exports, start function, elements, data and name
// section, and a custom section [SkeletonSection] holding tag (so that
// skeletons of different modules never share a cache key). Other custom
// sections are dropped.
//
// A skeleton describes a module's shape without its code. wazero decodes
// and validates one in well under a millisecond, against tens of
// milliseconds for a Go plugin, so host/plugin loads a plugin's compiled
// code from the file cache under its skeleton's key (see host/plugin's
// package documentation, "Warm start"). Every function of a skeleton
// compiled for itself traps, so a mix-up can only fail, never run wrong
// code.
//
// module must be a module Skeleton can read: an output of [Instrument].
func Skeleton(module []byte, tag []byte) ([]byte, error) {
	if len(module) < 8 || !bytes.Equal(module[:4], []byte("\x00asm")) {
		return nil, &Error{ErrMalformed, 0, "not a WebAssembly module (no \\0asm magic)"}
	}
	out := make([]byte, 0, len(module)/2)
	out = append(out, module[:8]...)
	r := &reader{b: module, off: 8}
	for r.off < len(module) && r.err == nil {
		start := r.off
		id := r.byte()
		size := r.u32()
		if r.err != nil {
			break
		}
		if uint64(size) > uint64(r.remaining()) {
			return nil, &Error{ErrMalformed, start, fmt.Sprintf("section %d claims %d bytes, only %d remain", id, size, r.remaining())}
		}
		body := module[r.off : r.off+int(size)]
		sr := &reader{b: body, base: r.off}
		r.off += int(size)
		switch id {
		case secCustom:
			if sr.name() == "name" && sr.err == nil {
				out = appendSection(out, id, body) // trap stack traces name functions
			}
		case secCode:
			n := sr.count()
			if sr.err != nil {
				return nil, sr.err
			}
			content := appendU32(make([]byte, 0, 5+4*int(n)), n)
			for i := uint32(0); i < n; i++ {
				// size 3: no locals, unreachable, end
				content = append(content, 3, 0, 0x00, 0x0b)
			}
			out = appendSection(out, id, content)
		default:
			out = appendSection(out, id, body)
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	var custom []byte
	custom = appendU32(custom, uint32(len(SkeletonSection)))
	custom = append(custom, SkeletonSection...)
	custom = append(custom, tag...)
	return appendSection(out, secCustom, custom), nil
}
