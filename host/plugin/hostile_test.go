package plugin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	wt "pinsh/host/plugin/internal/wasmtest"
	"pinsh/sdk/abi"
)

// hostile runs Invoke-Hostile -Mode mode under a deadline.
//
//lint:ignore ST1008 the error is the result under test, between the runtime and the time
func hostile(t *testing.T, reg *cmdlet.Registry, mode string, timeout time.Duration) (*fakeRuntime, error, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	rt := &fakeRuntime{}
	start := time.Now()
	err := run(ctx, lookup(t, reg, "Invoke-Hostile"), rt, named("Mode", mode))
	return rt, err, time.Since(start)
}

// stillWorks checks that the host runs plugins normally after a fault.
func stillWorks(t *testing.T, reg *cmdlet.Registry) {
	t.Helper()
	rt, err, _ := hostile(t, reg, "ok", 10*time.Second)
	if err != nil || len(rt.objects) != 1 {
		t.Fatalf("the next command failed: %v %v", err, rt.events)
	}
	rt = &fakeRuntime{}
	if err := run(context.Background(), lookup(t, reg, "Get-CsClientPinInfo"), rt, named("Identity", `litwareinc\kenmyer`)); err != nil || len(rt.objects) != 1 {
		t.Fatalf("Get-CsClientPinInfo after the fault: %v %v", err, rt.events)
	}
}

func TestHostileGuests(t *testing.T) {
	_, reg, _ := sharedManager(t)
	tests := []struct {
		mode    string
		timeout time.Duration
		want    string // in the terminating error
		cause   error  // errors.Is
	}{
		{"loop", 300 * time.Millisecond, "plugin testplugin was stopped while processing: it ran past its deadline", context.DeadlineExceeded},
		{"sleep", 300 * time.Millisecond, "plugin testplugin was stopped while processing: it ran past its deadline", context.DeadlineExceeded},
		{"alloc", 20 * time.Second, "plugin testplugin ran out of memory (limit 64 MiB) while processing: fatal error: out of memory", nil},
		{"panic", 10 * time.Second, "panic: boom", nil},
		{"gopanic", 10 * time.Second, "plugin testplugin crashed while processing: panic: boom in a goroutine", nil},
		{"nocap", 10 * time.Second, "plugin testplugin called resolve_users without the directory.read capability", nil},
		{"nocap2", 10 * time.Second, "plugin testplugin called pin_info_for without the directory.read capability", nil},
		{"malformed", 10 * time.Second, "plugin testplugin wrote a malformed object: malformed message at byte 0: unknown value tag 200", nil},
		{"badtype", 10 * time.Second, "plugin testplugin wrote a malformed object: malformed message at byte 2: object of undefined type number 9", nil},
		{"badptr", 10 * time.Second, "plugin testplugin called write with a buffer outside its memory", nil},
		{"badkind", 10 * time.Second, "plugin testplugin wrote a record of unknown kind 99", nil},
		{"fail", 10 * time.Second, "a terminating failure", nil},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			_, err, took := hostile(t, reg, tc.mode, tc.timeout)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q\ndoes not contain %q", err, tc.want)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("error does not wrap %v", tc.cause)
			}
			if tc.timeout < time.Second && took > tc.timeout+time.Second {
				t.Errorf("stopped after %v", took)
			}
			stillWorks(t, reg)
		})
	}
}

func TestHostileCtrlC(t *testing.T) {
	_, reg, _ := sharedManager(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	err := run(ctx, lookup(t, reg, "Invoke-Hostile"), &fakeRuntime{}, named("Mode", "loop"))
	if err == nil || !strings.Contains(err.Error(), "was stopped while processing: interrupted") || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stopped after %v", d)
	}
	stillWorks(t, reg)
}

func TestSandboxHasNoFilesOrEnvironment(t *testing.T) {
	_, reg, _ := sharedManager(t)
	marker := "/tmp/pinsh-plugin-was-here"
	os.Remove(marker)
	rt, err, _ := hostile(t, reg, "file", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range rt.objects {
		text, _ := o.(*object.Object).Get("Text")
		if s := text.(string); strings.Contains(s, "read it") || strings.Contains(s, "created it") {
			t.Errorf("the plugin reached the file system: %s", s)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the plugin created a host file")
	}
	// The environment holds only the Go runtime's tuning, set by pinsh.
	t.Setenv("PINSH_SECRET", "leaked")
	rt, err, _ = hostile(t, reg, "env", 10*time.Second)
	if err != nil || len(rt.events) != 1 || rt.events[0] != "obj @{Mode=env; Text=GOGC;GOMEMLIMIT;}" {
		t.Fatalf("environment: %v %v", err, rt.events)
	}
}

func TestGuestWritesInOrder(t *testing.T) {
	_, reg, _ := sharedManager(t)
	rt, err, _ := hostile(t, reg, "error", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := "err a test error\nwarn a warning\nobj @{Mode=error; Text=after the error}"
	if got := strings.Join(rt.events, "\n"); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if rt.errors[0].Category != cmdlet.InvalidArgument || rt.errors[0].ID != "TestError" || rt.errors[0].Target != "target" {
		t.Errorf("error record %+v", rt.errors[0])
	}
}

func TestGuestClockIsReal(t *testing.T) {
	_, reg, _ := sharedManager(t)
	rt, err, _ := hostile(t, reg, "time", 10*time.Second)
	if err != nil || len(rt.objects) != 1 {
		t.Fatal(err, rt.events)
	}
	if d := time.Since(rt.objects[0].(time.Time)); d < 0 || d > time.Minute {
		t.Errorf("guest time is off by %v", d)
	}
}

// handmade assembles a plugin by hand, in no language at all: it speaks
// ABI 1 with a fixed buffer at address 1024 and a manifest at 8192, and the
// given bodies for _initialize, begin and process (each ends with its final
// end; begin and process must leave an i32 status).
type handmade struct {
	init, begin, process []byte
	abiVersion           int32
	importModule         string
	manifest             []byte
}

func (h handmade) module() []byte {
	if h.abiVersion == 0 {
		h.abiVersion = abi.Version
	}
	if h.importModule == "" {
		h.importModule = abi.ImportModule
	}
	if h.init == nil {
		h.init = wt.End
	}
	if h.begin == nil {
		h.begin = wt.Cat(wt.I32Const(0), wt.End)
	}
	if h.process == nil {
		h.process = wt.Cat(wt.I32Const(0), wt.End)
	}
	if h.manifest == nil {
		h.manifest = manifestBytes("handmade", "Invoke-Handmade")
	}
	i32 := []byte{wt.I32}
	// Functions: 0 sched_yield, 1 write (import); 2 _initialize,
	// 3 version, 4 buffer, 5 describe, 6 begin, 7 process, 8 end, 9 rec.
	return wt.Module(
		wt.Section(wt.SecType, wt.Vec(
			wt.FuncType(nil, i32),                            // 0 () -> i32
			wt.FuncType(nil, nil),                            // 1 () -> ()
			wt.FuncType(i32, i32),                            // 2 (i32) -> i32
			wt.FuncType(nil, []byte{wt.I64}),                 // 3 () -> i64
			wt.FuncType([]byte{wt.I32, wt.I32, wt.I32}, i32), // 4 write
			wt.FuncType(i32, nil),                            // 5 (i32) -> ()
		)),
		wt.Section(wt.SecImport, wt.Vec(
			wt.ImportFunc(wt.WASI, "sched_yield", 0),
			wt.ImportFunc(h.importModule, "write", 4))),
		wt.Section(wt.SecFunction, wt.Vec(wt.U32(1), wt.U32(0), wt.U32(2), wt.U32(3), wt.U32(2), wt.U32(2), wt.U32(0), wt.U32(5))),
		wt.Section(wt.SecMemory, wt.Vec([]byte{0, 1})),
		wt.Section(wt.SecExport, wt.Vec(
			wt.ExportFunc("_initialize", 2), wt.ExportFunc(abi.ExportVersion, 3), wt.ExportFunc(abi.ExportBuffer, 4),
			wt.ExportFunc(abi.ExportDescribe, 5), wt.ExportFunc(abi.ExportBegin, 6), wt.ExportFunc(abi.ExportProcess, 7),
			wt.ExportFunc(abi.ExportEnd, 8), wt.ExportMemory("memory", 0))),
		wt.Section(wt.SecCode, wt.Vec(
			wt.Body(nil, h.init),
			wt.Body(nil, wt.I32Const(h.abiVersion), wt.End),
			wt.Body(nil, wt.I32Const(1024), wt.End),
			wt.Body(nil, wt.I64Const(8192<<32|int64(len(h.manifest))), wt.End),
			wt.Body(nil, h.begin),
			wt.Body(nil, h.process),
			wt.Body(nil, wt.I32Const(0), wt.End),
			// rec(n): if n == 0 return; rec(n-1); rec(n-1)
			wt.Body(nil,
				wt.LocalGet(0), []byte{0x45, 0x04, 0x40, 0x0f}, wt.End,
				wt.LocalGet(0), wt.I32Const(1), wt.I32Sub, wt.Call(9),
				wt.LocalGet(0), wt.I32Const(1), wt.I32Sub, wt.Call(9), wt.End),
		)),
		wt.Section(wt.SecData, wt.Vec(wt.Cat([]byte{0}, wt.I32Const(8192), wt.End, wt.Name(string(h.manifest))))),
	)
}

func manifestBytes(name, cmd string) []byte { return manifestABI(name, cmd, abi.Version) }

func manifestABI(name, cmd string, version int64) []byte {
	b := abi.AppendHashtableHeader(nil, 4)
	b = abi.AppendInt(abi.AppendRawString(b, abi.KeyABI), version)
	b = abi.AppendString(abi.AppendRawString(b, abi.KeyName), name)
	b = abi.AppendString(abi.AppendRawString(b, abi.KeyVersion), "1")
	b = abi.AppendRawString(b, abi.KeyCmdlets)
	b = abi.AppendListHeader(b, 1)
	b = abi.AppendHashtableHeader(b, 1)
	return abi.AppendString(abi.AppendRawString(b, abi.KeyCmdletName), cmd)
}

var (
	spin      = wt.Cat(wt.Loop, wt.Br0, wt.End, wt.I32Const(0), wt.End)
	recursion = wt.Cat(wt.I32Const(60), wt.Call(9), wt.I32Const(0), wt.End)
)

// loadHandmade writes the module to a fresh directory and loads it.
func loadHandmade(t *testing.T, h handmade, adjust func(*Options)) (*Plugin, error) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "handmade.wasm")
	if err := os.WriteFile(path, h.module(), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := Options{Services: newFakeServices(), CacheDir: cacheDir, SearchPath: []string{dir}}
	if adjust != nil {
		adjust(&opts)
	}
	m, err := NewManager(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(context.Background()) })
	return m.Load(context.Background(), path)
}

// A plugin built for ABI 1.0, before pin_info_for, still loads and runs.
func TestABI10PluginRuns(t *testing.T) {
	p, err := loadHandmade(t, handmade{abiVersion: 1 << 16, manifest: manifestABI("handmade", "Invoke-Handmade", 1<<16)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.ABI != 1<<16 {
		t.Errorf("ABI %#x", p.ABI)
	}
	if err := run(context.Background(), p.Cmdlets[0], &fakeRuntime{}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestHandmadeStoppable(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    handmade
	}{
		{"endless loop in begin", handmade{begin: spin}},
		{"loop-free recursion in process", handmade{process: recursion}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := loadHandmade(t, tc.h, nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			err = run(ctx, p.Cmdlets[0], &fakeRuntime{}, nil)
			if err == nil || !strings.Contains(err.Error(), "plugin handmade was stopped while") {
				t.Fatalf("err = %v", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("stopped after %v", d)
			}
		})
	}
}

func TestRefusedModules(t *testing.T) {
	real, err := os.ReadFile(wasmOf["./plugins/getclientpininfo"])
	if err != nil {
		t.Fatal(err)
	}
	counter := handmade{process: wt.Cat(wt.I32Const(0), wt.GlobalSet(0), wt.I32Const(0), wt.End)}.module()
	tests := []struct {
		name string
		data []byte
		h    *handmade
		opts func(*Options)
		want string
	}{
		{name: "not wasm", data: []byte("#!/bin/sh\necho not a plugin\n"), want: "is not a WebAssembly module"},
		{name: "empty", data: []byte{}, want: "is not a WebAssembly module"},
		{name: "truncated", data: real[:len(real)/2], want: "is not a valid WebAssembly module (truncated or corrupt)"},
		{name: "writes the counter", data: counter, want: "is refused: instruction uses global 0, which does not exist"},
		{name: "ABI 2 imports", h: &handmade{importModule: "pinsh_v2"}, want: "speaks plugin ABI 2; this pinsh speaks ABI 1"},
		{name: "ABI 2 version", h: &handmade{abiVersion: 2 << 16}, want: "speaks plugin ABI 2.0; this pinsh speaks ABI 1"},
		{name: "later minor version", h: &handmade{abiVersion: abi.Major<<16 | (abi.Minor + 1)},
			want: fmt.Sprintf("speaks plugin ABI 1.%d; this pinsh speaks ABI 1.%d (use a newer pinsh)", abi.Minor+1, abi.Minor)},
		{name: "unknown import", h: &handmade{importModule: "env"}, want: `imports from module "env", which pinsh does not provide`},
		{name: "init spins", h: &handmade{init: wt.Cat(wt.Loop, wt.Br0, wt.End, wt.End)},
			opts: func(o *Options) { o.InitTimeout = 300 * time.Millisecond }, want: "was stopped while starting: it ran past its deadline"},
		{name: "bad manifest", h: &handmade{manifest: manifestBytes("handmade", "NotVerbNoun")}, want: `declares an invalid manifest: declares the cmdlet name "NotVerbNoun", which is not Verb-Noun`},
		{name: "garbage manifest", h: &handmade{manifest: []byte{9, 9, 9}}, want: "declares a malformed manifest"},
		{name: "reserved parameter", data: nil, h: &handmade{manifest: func() []byte {
			b := abi.AppendHashtableHeader(nil, 3)
			b = abi.AppendInt(abi.AppendRawString(b, abi.KeyABI), abi.Version)
			b = abi.AppendString(abi.AppendRawString(b, abi.KeyName), "handmade")
			b = abi.AppendRawString(b, abi.KeyCmdlets)
			b = abi.AppendListHeader(b, 1)
			b = abi.AppendHashtableHeader(b, 2)
			b = abi.AppendString(abi.AppendRawString(b, abi.KeyCmdletName), "Invoke-Handmade")
			b = abi.AppendRawString(b, abi.KeyParams)
			b = abi.AppendListHeader(b, 1)
			b = abi.AppendHashtableHeader(b, 1)
			return abi.AppendString(abi.AppendRawString(b, abi.KeyParamName), "WhatIf")
		}()}, want: `a parameter "WhatIf", which pinsh provides itself`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "bad.wasm")
			data := tc.data
			if tc.h != nil {
				data = tc.h.module()
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			opts := Options{Services: newFakeServices(), CacheDir: cacheDir, SearchPath: []string{dir}}
			if tc.opts != nil {
				tc.opts(&opts)
			}
			m, err := NewManager(opts)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close(context.Background())
			plugins, errs := m.Discover(context.Background())
			if len(plugins) != 0 || len(errs) != 1 {
				t.Fatalf("plugins %v, errors %v", plugins, errs)
			}
			msg := errs[0].Error()
			if !strings.HasPrefix(msg, "plugin file "+path+" ") || !strings.Contains(msg, tc.want) {
				t.Fatalf("error %q\nwant the file and %q", msg, tc.want)
			}
			if tc.opts != nil {
				return // a deadline is not remembered
			}
			// The refusal is remembered: the module is not run or compiled
			// again.
			m2, _ := NewManager(opts)
			defer m2.Close(context.Background())
			if _, errs := m2.Discover(context.Background()); len(errs) != 1 || errs[0].Error() != msg || m2.eng != nil {
				t.Fatalf("second discovery: %v (runtime started: %v)", errs, m2.eng != nil)
			}
		})
	}
}

// An instance that has stopped (here: its end export failed, since no
// stage began) refuses further calls with an error instead of running.
func TestStoppedInstanceRefusesCalls(t *testing.T) {
	m, _, _ := sharedManager(t)
	in, err := m.instantiate(context.Background(), m.byName["testplugin"])
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.WithValue(context.Background(), instKey{}, in)
	if _, err := in.call(ctx, in.fnEnd, 0, "ending"); err == nil {
		t.Fatal("end without a stage did not fail")
	}
	_, err = in.call(ctx, in.fnEnd, 0, "ending")
	if err == nil || !strings.Contains(err.Error(), "after it had stopped") {
		t.Fatalf("second call: %v", err)
	}
}
