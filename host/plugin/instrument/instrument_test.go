package instrument

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	wt "pinsh/host/plugin/internal/wasmtest"
)

var errStopped = errors.New("stopped")

// newRuntime returns a runtime whose sched_yield aborts when the call's
// context is done, as host/plugin's does.
func newRuntime(t testing.TB, ctx context.Context, interp bool) wazero.Runtime {
	t.Helper()
	cfg := wazero.NewRuntimeConfigCompiler()
	if interp {
		cfg = wazero.NewRuntimeConfigInterpreter()
	}
	cfg = cfg.WithCoreFeatures(api.CoreFeaturesV2 &^ api.CoreFeatureSIMD)
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	_, err := rt.NewHostModuleBuilder(wt.WASI).NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, _ api.Module, s []uint64) {
			if ctx.Err() != nil {
				panic(errStopped)
			}
			s[0] = 0
		}), nil, []api.ValueType{api.ValueTypeI32}).
		Export("sched_yield").Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(context.Background()) })
	return rt
}

func mustInstrument(t *testing.T, in []byte) *Result {
	t.Helper()
	res, err := Instrument(in)
	if err != nil {
		t.Fatalf("Instrument: %v", err)
	}
	return res
}

func TestSpinnerIsStoppable(t *testing.T) {
	ctx := context.Background()
	res := mustInstrument(t, wt.Spinner())
	if res.Loops != 1 || res.Entries != 1 || res.Functions != 3 {
		t.Errorf("loops=%d entries=%d functions=%d, want 1, 1, 3", res.Loops, res.Entries, res.Functions)
	}
	rt := newRuntime(t, ctx, false)
	mod, err := rt.Instantiate(ctx, res.Module)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		fn   string
		args []uint64
	}{
		{"spin", nil},
		{"rec", []uint64{60}}, // 2^60 calls: never ends on its own
	} {
		t.Run(tc.fn, func(t *testing.T) {
			cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := mod.ExportedFunction(tc.fn).Call(cctx, tc.args...)
			if !errors.Is(err, errStopped) {
				t.Fatalf("err = %v, want the sched_yield abort", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("stopped after %v", d)
			}
		})
	}
	// Functions that do end are unchanged in behaviour.
	mod2, err := rt.InstantiateWithConfig(ctx, res.Module, wazero.NewModuleConfig().WithName("second"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := mod2.ExportedFunction("add").Call(ctx, 2, 3)
	if err != nil || got[0] != 5 {
		t.Fatalf("add = %v, %v", got, err)
	}
	if _, err := mod2.ExportedFunction("rec").Call(ctx, 10); err != nil {
		t.Fatalf("rec(10): %v", err)
	}
}

func TestDeterministic(t *testing.T) {
	a := mustInstrument(t, wt.Spinner())
	b := mustInstrument(t, wt.Spinner())
	if !bytes.Equal(a.Module, b.Module) {
		t.Fatal("two runs differ")
	}
	// Instrumenting the output again is refused? No: it is valid input,
	// and instrumenting twice must still give a valid module.
	c := mustInstrument(t, a.Module)
	if _, err := wazero.NewRuntime(context.Background()).CompileModule(context.Background(), c.Module); err != nil {
		t.Fatalf("instrumented twice: %v", err)
	}
}

// module builds a module around one function body (type () -> ()), with
// sched_yield imported unless noYield, and the given extra sections
// placed before the code section.
func module(noYield bool, globals []byte, code []byte) []byte {
	var secs [][]byte
	secs = append(secs, wt.Section(wt.SecType, wt.Vec(wt.FuncType(nil, []byte{wt.I32}), wt.FuncType(nil, nil))))
	if !noYield {
		secs = append(secs, wt.Section(wt.SecImport, wt.Vec(wt.ImportFunc(wt.WASI, "sched_yield", 0))))
	}
	secs = append(secs, wt.Section(wt.SecFunction, wt.Vec(wt.U32(1))))
	if globals != nil {
		secs = append(secs, globals)
	}
	secs = append(secs, wt.Section(wt.SecCode, wt.Vec(wt.Body(nil, code, wt.End))))
	return wt.Module(secs...)
}

func TestRefused(t *testing.T) {
	oneGlobal := wt.Section(wt.SecGlobal, wt.Vec(wt.Cat([]byte{wt.I32, 1}, wt.I32Const(0), wt.End)))
	tests := []struct {
		name  string
		in    []byte
		class error
		msg   string
	}{
		{"not wasm", []byte("#!/bin/sh\necho hi\n"), ErrMalformed, "magic"},
		{"empty", nil, ErrMalformed, "magic"},
		{"version 2", []byte("\x00asm\x02\x00\x00\x00"), ErrMalformed, "version"},
		{"truncated", wt.Spinner()[:40], ErrMalformed, ""},
		{"no sched_yield", module(true, nil, nil), ErrNoYield, "sched_yield"},
		{"sched_yield wrong type", wt.Module(
			wt.Section(wt.SecType, wt.Vec(wt.FuncType(nil, nil))),
			wt.Section(wt.SecImport, wt.Vec(wt.ImportFunc(wt.WASI, "sched_yield", 0))),
		), ErrNoYield, "type"},
		{"writes the counter", module(false, nil, wt.Cat(wt.I32Const(7), wt.GlobalSet(0))), ErrCounter, "global 0"},
		{"reads the counter", module(false, oneGlobal, wt.Cat(wt.GlobalGet(1), wt.Drop)), ErrCounter, "global 1"},
		{"writes beyond", module(false, oneGlobal, wt.Cat(wt.I32Const(1), wt.GlobalSet(9))), ErrCounter, ""},
		{"exports the counter", wt.Module(
			wt.Section(wt.SecType, wt.Vec(wt.FuncType(nil, []byte{wt.I32}))),
			wt.Section(wt.SecImport, wt.Vec(wt.ImportFunc(wt.WASI, "sched_yield", 0))),
			wt.Section(wt.SecExport, wt.Vec(wt.Cat(wt.Name("ctr"), []byte{3}, wt.U32(0)))),
		), ErrCounter, "ctr"},
		{"global init reads the counter", wt.Module(
			wt.Section(wt.SecType, wt.Vec(wt.FuncType(nil, []byte{wt.I32}))),
			wt.Section(wt.SecImport, wt.Vec(wt.ImportFunc(wt.WASI, "sched_yield", 0))),
			wt.Section(wt.SecGlobal, wt.Vec(wt.Cat([]byte{wt.I32, 0}, wt.GlobalGet(1), wt.End))),
		), ErrCounter, ""},
		{"SIMD", module(false, nil, []byte{0xfd, 0x0c}), ErrUnsupported, "SIMD"},
		{"atomics", module(false, nil, []byte{0xfe, 0x03, 0x00}), ErrUnsupported, "threads"},
		{"tail call", module(false, nil, wt.Cat([]byte{0x12}, wt.U32(0))), ErrUnsupported, "tail"},
		{"exceptions", module(false, nil, []byte{0x06, 0x40, 0x0b}), ErrUnsupported, "exception"},
		{"tag section", wt.Module(wt.Section(13, []byte{0})), ErrUnsupported, "tag"},
		{"shared memory", wt.Module(wt.Section(wt.SecMemory, wt.Vec([]byte{3, 1, 1}))), ErrUnsupported, "shared"},
		{"trailing bytes", module(false, nil, wt.Cat(wt.End, []byte{0x01})), ErrMalformed, "after"},
		{"unterminated", wt.Module(
			wt.Section(wt.SecType, wt.Vec(wt.FuncType(nil, []byte{wt.I32}), wt.FuncType(nil, nil))),
			wt.Section(wt.SecImport, wt.Vec(wt.ImportFunc(wt.WASI, "sched_yield", 0))),
			wt.Section(wt.SecFunction, wt.Vec(wt.U32(1))),
			wt.Section(wt.SecCode, wt.Vec(wt.Body(nil, wt.Loop))),
		), ErrMalformed, "end"},
		{"section too long", append(wt.Spinner()[:8], 1, 0xff, 0x01, 0x00), ErrMalformed, "claims"},
		{"out of order", wt.Module(
			wt.Section(wt.SecImport, wt.Vec()), wt.Section(wt.SecType, wt.Vec())), ErrMalformed, "order"},
		{"bodies without functions", wt.Module(
			wt.Section(wt.SecType, wt.Vec(wt.FuncType(nil, []byte{wt.I32}))),
			wt.Section(wt.SecImport, wt.Vec(wt.ImportFunc(wt.WASI, "sched_yield", 0))),
			wt.Section(wt.SecCode, wt.Vec(wt.Body(nil, wt.End))),
		), ErrMalformed, "bodies"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Instrument(tc.in)
			if err == nil {
				t.Fatalf("accepted (%d bytes out)", len(res.Module))
			}
			if !errors.Is(err, tc.class) {
				t.Fatalf("err = %v, want class %v", err, tc.class)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %q, want it to mention %q", err, tc.msg)
			}
		})
	}
}

// TestCounterIndexAfterImportedGlobals checks that the counter follows
// imported and defined globals, and that using every existing global is
// accepted.
func TestCounterIndexAfterImportedGlobals(t *testing.T) {
	in := wt.Module(
		wt.Section(wt.SecType, wt.Vec(wt.FuncType(nil, []byte{wt.I32}), wt.FuncType(nil, nil))),
		wt.Section(wt.SecImport, wt.Vec(
			wt.Cat(wt.Name("env"), wt.Name("g"), []byte{3, wt.I32, 0}),
			wt.ImportFunc(wt.WASI, "sched_yield", 0))),
		wt.Section(wt.SecFunction, wt.Vec(wt.U32(1))),
		wt.Section(wt.SecGlobal, wt.Vec(wt.Cat([]byte{wt.I32, 1}, wt.GlobalGet(0), wt.End))),
		wt.Section(wt.SecCode, wt.Vec(wt.Body(nil,
			wt.GlobalGet(0), wt.GlobalSet(1), wt.Loop, wt.End, wt.End))),
	)
	res := mustInstrument(t, in)
	if res.Loops != 1 {
		t.Errorf("loops = %d", res.Loops)
	}
	// The check references global 2 (after the import and the defined one).
	if !bytes.Contains(res.Module, []byte{0x23, 0x02, 0x45, 0x04, 0x40}) {
		t.Error("check does not use global 2")
	}
	ctx := context.Background()
	rt := newRuntime(t, ctx, true)
	if _, err := rt.CompileModule(ctx, res.Module); err != nil {
		t.Fatalf("output does not validate: %v", err)
	}
	if len(res.Imports) != 2 || res.Imports[1].Name != "sched_yield" {
		t.Errorf("imports = %+v", res.Imports)
	}
}

func TestDropsDWARF(t *testing.T) {
	in := append(wt.Spinner(), wt.Section(wt.SecCustom, wt.Name(".debug_info"), []byte{1, 2, 3})...)
	in = append(in, wt.Section(wt.SecCustom, wt.Name("keep"), []byte{4})...)
	res := mustInstrument(t, in)
	if bytes.Contains(res.Module, []byte(".debug_info")) {
		t.Error("DWARF section kept")
	}
	if !bytes.Contains(res.Module, []byte("keep")) {
		t.Error("other custom section dropped")
	}
}

// validates reports whether wazero accepts the module (the interpreter
// validates exactly like the compiler and compiles much faster).
func validates(rt wazero.Runtime, b []byte) error {
	cm, err := rt.CompileModule(context.Background(), b)
	if err == nil {
		cm.Close(context.Background())
	}
	return err
}

func FuzzInstrument(f *testing.F) {
	f.Add(wt.Spinner())
	f.Add(module(false, nil, wt.Cat(wt.Loop, wt.Block, wt.Br0, wt.End, wt.End)))
	f.Add(module(false, nil, wt.Cat(wt.I32Const(7), []byte{0x04, 0x7f}, wt.I32Const(1), []byte{0x05}, wt.I32Const(2), wt.End, wt.Drop)))
	f.Add(module(false, wt.Section(wt.SecGlobal, wt.Vec(wt.Cat([]byte{wt.I64, 1}, wt.I64Const(-1), wt.End))),
		wt.Cat(wt.GlobalGet(1), []byte{0x1a}, []byte{0xfc, 0x00})))
	f.Add(module(true, nil, nil))
	f.Add(append(wt.Spinner(), wt.Section(wt.SecCustom, wt.Name("name"), []byte{0})...))
	f.Add(dataModule([][]byte{active(100, []byte("first")), active(0, []byte{1, 2, 3}), active(4000, []byte("x"))}, false))
	ctx := context.Background()
	rt := newRuntime(f, ctx, true)
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := Instrument(in)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		inErr := validates(rt, in)
		outErr := validates(rt, res.Module)
		if inErr == nil && outErr != nil {
			t.Fatalf("input validates but output does not: %v", outErr)
		}
		again, err := Instrument(in)
		if err != nil || !bytes.Equal(again.Module, res.Module) {
			t.Fatal("not deterministic")
		}
	})
}

// FuzzInstrumentBody fuzzes one function body inside a valid module
// skeleton (two globals, a memory, a table, a data segment), so that far more
// inputs are valid WebAssembly than with random whole modules.
func FuzzInstrumentBody(f *testing.F) {
	f.Add(wt.Cat(wt.Loop, wt.Block, wt.Br0, wt.End, wt.End))
	f.Add(wt.Cat(wt.I32Const(1), []byte{0x04, 0x40}, wt.Loop, wt.Call(0), wt.Drop, wt.End, []byte{0x05}, wt.End))
	f.Add(wt.Cat(wt.GlobalGet(0), wt.GlobalSet(1), wt.I32Const(0), []byte{0x28, 0x02, 0x00}, wt.Drop))
	f.Add(wt.Cat(wt.I32Const(0), wt.I32Const(0), wt.I32Const(4), []byte{0xfc, 0x0a, 0x00, 0x00}))
	f.Add(wt.Cat(wt.I32Const(0), []byte{0x11, 0x00, 0x00}, wt.Drop))
	f.Add([]byte{0x03, 0x7f, 0x41, 0x01, 0x0c, 0x00, 0x0b, 0x1a})
	skeleton := func(body []byte) []byte {
		return wt.Module(
			wt.Section(wt.SecType, wt.Vec(wt.FuncType(nil, []byte{wt.I32}), wt.FuncType(nil, nil))),
			wt.Section(wt.SecImport, wt.Vec(wt.ImportFunc(wt.WASI, "sched_yield", 0))),
			wt.Section(wt.SecFunction, wt.Vec(wt.U32(1), wt.U32(0))),
			wt.Section(wt.SecTable, wt.Vec([]byte{0x70, 0x00, 0x01})),
			wt.Section(wt.SecMemory, wt.Vec([]byte{0x00, 0x01})),
			wt.Section(wt.SecGlobal, wt.Vec(
				wt.Cat([]byte{wt.I32, 1}, wt.I32Const(5), wt.End),
				wt.Cat([]byte{wt.I32, 1}, wt.I32Const(6), wt.End))),
			wt.Section(wt.SecElement, wt.Vec(wt.Cat([]byte{0}, wt.I32Const(0), wt.End, wt.Vec(wt.U32(2))))),
			wt.Section(12, wt.U32(1)),
			wt.Section(wt.SecCode, wt.Vec(
				wt.Body(nil, body, wt.End),
				wt.Body(nil, wt.I32Const(7), wt.End))),
			wt.Section(wt.SecData, wt.Vec(wt.Cat([]byte{1}, wt.Name("abc")))),
		)
	}
	ctx := context.Background()
	rt := newRuntime(f, ctx, true)
	if err := validates(rt, skeleton(nil)); err != nil {
		f.Fatalf("skeleton: %v", err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in := skeleton(body)
		res, err := Instrument(in)
		inErr := validates(rt, in)
		if err != nil {
			// wazero accepts signed LEB128 constants whose padding bits are
			// not the sign extension the specification requires (e.g. an
			// i32.const ending in 0x38); the instrumenter follows the
			// specification and refuses them, which is the safe side.
			if inErr == nil && errors.Is(err, ErrMalformed) && !strings.Contains(err.Error(), "overflows") {
				t.Fatalf("valid module refused as malformed: %v", err)
			}
			return
		}
		if outErr := validates(rt, res.Module); inErr == nil && outErr != nil {
			t.Fatalf("input validates but output does not: %v", outErr)
		}
	})
}

// A skeleton keeps the module's shape (wazero validates it and sees the
// same imports and exports), holds no code but `unreachable`, and carries
// its tag, so that two modules never share a skeleton.
func TestSkeleton(t *testing.T) {
	res := mustInstrument(t, wt.Spinner())
	a, err := Skeleton(res.Module, []byte("tag-a"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Skeleton(res.Module, []byte("tag-b"))
	if bytes.Equal(a, b) || !bytes.Contains(a, []byte(SkeletonSection+"tag-a")) {
		t.Error("the tag does not distinguish skeletons")
	}
	if len(a) >= len(res.Module)+len(SkeletonSection)+8 {
		t.Errorf("skeleton of %d bytes from a module of %d", len(a), len(res.Module))
	}
	ctx := context.Background()
	rt := newRuntime(t, ctx, true)
	orig, err := rt.CompileModule(ctx, res.Module)
	if err != nil {
		t.Fatal(err)
	}
	skel, err := rt.CompileModule(ctx, a)
	if err != nil {
		t.Fatalf("wazero refuses the skeleton: %v", err)
	}
	shape := func(defs map[string]api.FunctionDefinition) string {
		var out []string
		for name, d := range defs {
			out = append(out, fmt.Sprint(name, d.ParamTypes(), d.ResultTypes()))
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	if g, w := shape(skel.ExportedFunctions()), shape(orig.ExportedFunctions()); g != w {
		t.Errorf("exports %s, want %s", g, w)
	}
	if len(skel.ImportedFunctions()) != len(orig.ImportedFunctions()) {
		t.Errorf("%d imports, want %d", len(skel.ImportedFunctions()), len(orig.ImportedFunctions()))
	}
	mod, err := rt.InstantiateModule(ctx, skel, wazero.NewModuleConfig().WithName("skeleton"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mod.ExportedFunction("add").Call(ctx, 2, 3); err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("a skeleton's function ran: %v", err)
	}
	if _, err := Skeleton([]byte("not wasm"), nil); err == nil {
		t.Error("Skeleton accepted garbage")
	}
}

// WithCustomSection replaces a custom section, and Instrument reports the
// custom sections it keeps.
func TestWithCustomSection(t *testing.T) {
	mod := wt.Spinner()
	a, err := WithCustomSection(mod, "pinsh.test", []byte("one"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := WithCustomSection(a, "pinsh.test", []byte("two"))
	if err != nil {
		t.Fatal(err)
	}
	res := mustInstrument(t, b)
	if got := string(res.Custom["pinsh.test"]); got != "two" {
		t.Errorf("custom section %q, want the replacement only", got)
	}
	if bytes.Count(b, []byte("pinsh.test")) != 1 {
		t.Error("the old section is still there")
	}
	if _, err := newRuntime(t, context.Background(), true).CompileModule(context.Background(), b); err != nil {
		t.Errorf("wazero refuses the module: %v", err)
	}
	if _, err := WithCustomSection(b[:len(b)-2], "x", nil); err == nil {
		t.Error("a truncated module was accepted")
	}
}
