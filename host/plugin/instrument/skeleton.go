package instrument

import "bytes"

// SkeletonSection names the custom section [Skeleton] adds.
const SkeletonSection = "pinsh.skeleton"

// Skeleton returns module with every function body replaced by
// `unreachable`: the same types, imports, function signatures, tables,
// memories, globals, exports, start function, elements, data and name
// section, and a custom section [SkeletonSection] holding tag (so that
// skeletons of different modules never share a cache key). Other custom
// sections are dropped.
//
// A skeleton describes a module's shape without its code. wazero validates
// a Go plugin's in about 0.7 ms (measured), against about 40 ms for the
// plugin itself, so host/plugin loads a plugin's compiled code from the
// file cache under its skeleton's key (see host/plugin's package
// documentation, "Start-up: what a command pays"). Every function of a skeleton
// compiled for itself traps, so a mix-up can only fail, never run wrong
// code.
//
// module must be a module Skeleton can read: an output of [Instrument].
func Skeleton(module []byte, tag []byte) ([]byte, error) {
	out, err := rewriteSections(module, func(id byte, name string, body []byte) []byte {
		switch {
		case id == secCustom && name != "name": // names serve trap stack traces
			return nil
		case id == secCode:
			r := &reader{b: body}
			n := r.count()
			if r.err != nil {
				return body // refused by wazero, as the module was
			}
			content := appendU32(make([]byte, 0, 5+4*int(n)), n)
			for i := uint32(0); i < n; i++ {
				content = append(content, 3, 0, 0x00, 0x0b) // size 3: no locals, unreachable, end
			}
			return content
		}
		return body
	})
	if err != nil {
		return nil, err
	}
	return appendCustom(out, SkeletonSection, tag), nil
}

// WithCustomSection returns module with every custom section called name
// removed and, unless data is nil, one holding data appended at the end.
func WithCustomSection(module []byte, name string, data []byte) ([]byte, error) {
	out, err := rewriteSections(module, func(id byte, sec string, body []byte) []byte {
		if id == secCustom && sec == name {
			return nil
		}
		return body
	})
	if err != nil || data == nil {
		return out, err
	}
	return appendCustom(out, name, data), nil
}

// appendCustom appends a custom section.
func appendCustom(module []byte, name string, data []byte) []byte {
	custom := appendU32(make([]byte, 0, 5+len(name)+len(data)), uint32(len(name)))
	custom = append(custom, name...)
	return appendSection(module, secCustom, append(custom, data...))
}

// rewriteSections copies module section by section, replacing each
// section's contents by what keep returns for it (nil drops the section).
// name is a custom section's name, "" for the others.
func rewriteSections(module []byte, keep func(id byte, name string, body []byte) []byte) ([]byte, error) {
	if len(module) < 8 || !bytes.Equal(module[:4], []byte("\x00asm")) {
		return nil, &Error{ErrMalformed, 0, "not a WebAssembly module (no \\0asm magic)"}
	}
	out := make([]byte, 0, len(module))
	out = append(out, module[:8]...)
	r := &reader{b: module, off: 8}
	for r.off < len(module) {
		id, body, off, err := r.section()
		if err != nil {
			return nil, err
		}
		name := ""
		if id == secCustom {
			sr := &reader{b: body, base: off}
			if name = sr.name(); sr.err != nil {
				return nil, sr.err
			}
		}
		if content := keep(id, name, body); content != nil {
			out = appendSection(out, id, content)
		}
	}
	return out, nil
}
