package instrument

import (
	"bytes"
	"context"
	"testing"

	"github.com/tetratelabs/wazero"

	wt "pinsh/host/plugin/internal/wasmtest"
)

// dataModule is a module with one page of exported memory and the given
// data section (and, when dataCount is set, a data count section).
func dataModule(segments [][]byte, dataCount bool) []byte {
	sections := [][]byte{
		wt.Section(wt.SecType, wt.Vec(wt.FuncType(nil, []byte{wt.I32}))),
		wt.Section(wt.SecImport, wt.Vec(wt.ImportFunc(wt.WASI, "sched_yield", 0))),
		wt.Section(wt.SecMemory, wt.Vec([]byte{0x00, 0x01})),
		wt.Section(wt.SecExport, wt.Vec(wt.ExportMemory("memory", 0))),
	}
	if dataCount {
		sections = append(sections, wt.Section(12, wt.U32(uint32(len(segments)))))
	}
	sections = append(sections, wt.Section(wt.SecData, wt.Vec(segments...)))
	return wt.Module(sections...)
}

// active is an active segment of memory 0 at a constant offset.
func active(offset int32, data []byte) []byte {
	return wt.Cat([]byte{0}, wt.I32Const(offset), wt.End, wt.U32(uint32(len(data))), data)
}

// memoryAfter instantiates b without running anything and returns its
// memory, or the instantiation error.
func memoryAfter(t *testing.T, rt wazero.Runtime, b []byte) ([]byte, error) {
	t.Helper()
	ctx := context.Background()
	mod, err := rt.InstantiateWithConfig(ctx, b, wazero.NewModuleConfig().WithName("").WithStartFunctions())
	if err != nil {
		return nil, err
	}
	defer mod.Close(ctx)
	m, _ := mod.Memory().Read(0, mod.Memory().Size())
	return append([]byte(nil), m...), nil
}

func TestDataSegmentsMerged(t *testing.T) {
	rt := newRuntime(t, context.Background(), true)
	many := [][]byte{
		active(100, []byte("first")),
		active(40000, []byte("far away")), // more than MaxDataGap after the others
		active(105, []byte("-adjacent")),
		active(200, bytes.Repeat([]byte{7}, 300)),
		active(0, []byte{1, 2, 3}),
		active(4000, []byte("within the gap")),
	}
	tests := []struct {
		name      string
		module    []byte
		merged    int // segments after merging
		instances bool
	}{
		{"gaps", dataModule(many, false), 2, true},
		{"one segment", dataModule(many[:1], false), 1, true},
		{"overlap", dataModule([][]byte{active(10, []byte("abcdef")), active(12, []byte("XY"))}, false), 2, true},
		{"data count section", dataModule(many, true), len(many), true},
		{"passive segment", dataModule([][]byte{active(0, []byte("a")), wt.Cat([]byte{1}, wt.U32(1), []byte("b"))}, false), 2, true},
		{"negative offset", dataModule([][]byte{active(0, []byte("a")), active(-8, []byte("b"))}, false), 2, false},
		{"out of bounds", dataModule([][]byte{active(65000, []byte("a")), active(65534, []byte("bcd"))}, false), 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := mustInstrument(t, tc.module)
			if res.MergedSegments != tc.merged {
				t.Errorf("%d segments after merging, want %d", res.MergedSegments, tc.merged)
			}
			want, errIn := memoryAfter(t, rt, tc.module)
			got, errOut := memoryAfter(t, rt, res.Module)
			if (errIn == nil) != tc.instances || (errOut == nil) != tc.instances {
				t.Fatalf("instantiation: original %v, rewritten %v", errIn, errOut)
			}
			if !bytes.Equal(got, want) {
				t.Error("memory differs after instantiation")
			}
		})
	}
}

func TestDataZerosBounded(t *testing.T) {
	// Two-byte segments 4000 bytes apart: merging would write almost 2,000
	// times as many zeros as data; past the bound the section is kept.
	var segs [][]byte
	for i := int32(0); i < 1000; i++ {
		segs = append(segs, active(i*4000, []byte{1, 2}))
	}
	in := dataModule(segs, false)
	res := mustInstrument(t, in)
	if res.MergedSegments != len(segs) || len(res.Module) > 2*len(in) {
		t.Fatalf("%d segments, %d bytes from %d", res.MergedSegments, len(res.Module), len(in))
	}
}
