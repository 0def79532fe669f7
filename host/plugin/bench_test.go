package plugin

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

// cpuTime returns the process's user+system CPU time: on a machine shared
// with other work, CPU per operation is steadier than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// discardRuntime counts outputs without keeping them.
type discardRuntime struct {
	fakeRuntime
	n int
}

func (r *discardRuntime) WriteObject(object.Value) error { r.n++; return nil }

var adUser = object.NewType("Microsoft.Rtc.Management.ADConnect.Schema.OCSADUser",
	object.P("Identity", object.KindString), object.P("SipAddress", object.KindString),
	object.P("DisplayName", object.KindString), object.P("UserPrincipalName", object.KindString),
	object.P("Department", object.KindString), object.P("LineURI", object.KindString),
	object.P("IsPinSet", object.KindBool), object.P("Enabled", object.KindBool),
	object.P("WhenCreated", object.KindDateTime), object.P("WhenChanged", object.KindDateTime))

func benchUser(i int) *object.Object {
	n := strconv.Itoa(i)
	t := time.Date(2012, 9, 25, 13, 35, 3, 0, time.UTC)
	return object.New(adUser, "CN=User "+n+",OU=Finance,DC=litwareinc,DC=com", "sip:user"+n+"@litwareinc.com",
		"User "+n, "user"+n+"@litwareinc.com", "Finance", "tel:+14255550"+n, false, true, t, t)
}

// benchStage runs b.N inputs through one stage of the named cmdlet; pure
// tells the stage its upstream is pure, as after Get-CsUser, so that a
// read-only cmdlet batches its input.
func benchStage(b *testing.B, reg *cmdlet.Registry, name string, pure bool, input func(i int) object.Value) int {
	in := lookup(b, reg, name)
	rt := &discardRuntime{}
	rt.ctx, rt.name, rt.pure = context.Background(), name, pure
	cmd, args := begin(b, in, rt, nil)
	inputs := make([]object.Value, 1024)
	for i := range inputs {
		inputs[i] = input(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if err := args.BindInput(inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
		if err := cmd.Process(rt, args); err != nil {
			b.Fatal(err)
		}
	}
	if err := cmd.End(rt, args); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	return rt.n
}

// wantOutputs fails b unless a stage wrote one output per input.
func wantOutputs(b *testing.B, n int) {
	if n != b.N {
		b.Fatalf("%d outputs for %d inputs", n, b.N)
	}
}

// BenchmarkCrossing is the per-object cost of a plugin stage with the
// sandbox fully on: a 10-property user object encoded by the host, decoded
// and re-encoded by the guest (Invoke-Echo, read-only) and decoded by the
// host, in batches (the upstream is pure, as Get-CsUser is).
func BenchmarkCrossing(b *testing.B) {
	_, reg, _ := sharedManager(b)
	wantOutputs(b, benchStage(b, reg, "Invoke-Echo", true, func(i int) object.Value { return benchUser(i) }))
}

// BenchmarkCrossingIn is the way in alone: the host encodes the user
// object, the guest binds it and writes nothing (Invoke-Sink).
func BenchmarkCrossingIn(b *testing.B) {
	_, reg, _ := sharedManager(b)
	if n := benchStage(b, reg, "Invoke-Sink", true, func(i int) object.Value { return benchUser(i) }); n != 0 {
		b.Fatalf("%d outputs", n)
	}
}

// BenchmarkCrossingOneByOne is the same with one call into the plugin per
// object (an upstream that is not pure, such as ForEach-Object).
func BenchmarkCrossingOneByOne(b *testing.B) {
	_, reg, _ := sharedManager(b)
	wantOutputs(b, benchStage(b, reg, "Invoke-Echo", false, func(i int) object.Value { return benchUser(i) }))
}

// BenchmarkCallOverhead is the fixed cost of one Process call into a plugin
// (Invoke-Hostile -Mode nothing: no input, no output).
func BenchmarkCallOverhead(b *testing.B) {
	_, reg, _ := sharedManager(b)
	in := lookup(b, reg, "Invoke-Hostile")
	rt := &discardRuntime{}
	rt.ctx, rt.name = context.Background(), in.Name
	cmd, args := begin(b, in, rt, named("Mode", "nothing"))
	args.Finish()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if err := cmd.Process(rt, args); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkGetClientPinInfo is Get-CsClientPinInfo per piped user with
// free services: the identity in, resolve_users and pin_info calls out, a
// PinInfoDetails object back.
func BenchmarkGetClientPinInfo(b *testing.B) {
	svc := newFakeServices()
	svc.quiet = true
	ids := svc.addUsers(1024)
	_, reg := newManager(b, svc, nil)
	wantOutputs(b, benchStage(b, reg, "Get-CsClientPinInfo", true, func(i int) object.Value {
		u := benchUser(i)
		u.SetAt(0, ids[i%len(ids)])
		return u
	}))
}

// BenchmarkWarmStart is what a new pinsh process pays for its first plugin
// record once the caches are filled: a new Manager, discovery from the
// manifest cache, compiled code from the file cache, instantiation and one
// Get-CsClientPinInfo record. (Process start and the Go runtime come on
// top: a few ms.)
func BenchmarkWarmStart(b *testing.B) {
	sharedManager(b) // the caches are filled
	svc := newFakeServices()
	ctx := context.Background()
	var discover, compile, first time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		m, err := NewManager(Options{Services: svc, CacheDir: cacheDir, SearchPath: []string{pluginDir}})
		if err != nil {
			b.Fatal(err)
		}
		if _, errs := m.Discover(ctx); len(errs) > 0 {
			b.Fatal(errs)
		}
		reg := cmdlet.NewRegistry()
		m.Register(reg)
		t1 := time.Now()
		in := lookup(b, reg, "Get-CsClientPinInfo")
		p := m.byName["getclientpininfo"]
		if _, err := m.compiled(ctx, p); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		rt := &fakeRuntime{}
		if err := run(ctx, in, rt, named("Identity", `litwareinc\kenmyer`)); err != nil || len(rt.objects) != 1 {
			b.Fatal(err, rt.events)
		}
		t3 := time.Now()
		discover += t1.Sub(t0)
		compile += t2.Sub(t1)
		first += t3.Sub(t2)
		m.Close(ctx)
	}
	b.ReportMetric(float64(discover.Microseconds())/float64(b.N)/1000, "ms-discover")
	b.ReportMetric(float64(compile.Microseconds())/float64(b.N)/1000, "ms-cache-load")
	b.ReportMetric(float64(first.Microseconds())/float64(b.N)/1000, "ms-instantiate+run")
}

// BenchmarkColdStart is the same with empty caches: instrumenting,
// compiling and describing every plugin of the search path.
func BenchmarkColdStart(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		only := filepath.Join(dir, "plugins")
		os.MkdirAll(only, 0o755)
		data, _ := os.ReadFile(wasmOf["./plugins/getclientpininfo"])
		os.WriteFile(filepath.Join(only, "getclientpininfo.wasm"), data, 0o644)
		m, err := NewManager(Options{Services: newFakeServices(), CacheDir: filepath.Join(dir, "cache"), SearchPath: []string{only}})
		if err != nil {
			b.Fatal(err)
		}
		if _, errs := m.Discover(ctx); len(errs) > 0 {
			b.Fatal(errs)
		}
		reg := cmdlet.NewRegistry()
		m.Register(reg)
		rt := &fakeRuntime{}
		if err := run(ctx, lookup(b, reg, "Get-CsClientPinInfo"), rt, named("Identity", `litwareinc\kenmyer`)); err != nil {
			b.Fatal(err)
		}
		m.Close(ctx)
	}
}

// BenchmarkBulkSetPin compares Set-CsClientPin over N piped users with the
// pure cost of hashing N PINs on every core (the floor), and reports the
// ratio. Each is run three times, alternately, and the fastest run of each
// counts, so that other load on a shared machine hurts both alike.
// PINSH_BULK_USERS (default 2000) and PINSH_BULK_HASH (default 1ms of CPU per
// hash) scale it.
func BenchmarkBulkSetPin(b *testing.B) {
	n := 2000
	if s := os.Getenv("PINSH_BULK_USERS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	cost := time.Millisecond
	if s := os.Getenv("PINSH_BULK_HASH"); s != "" {
		cost, _ = time.ParseDuration(s)
	}
	ctx := context.Background()
	pure, pipeline := time.Duration(1<<62), time.Duration(1<<62)
	for i := 0; i < 3*b.N; i++ {
		svc := newFakeServices()
		svc.hashCost = cost
		svc.quiet = true
		ids := svc.addUsers(n)

		// Floor: N hashes on GOMAXPROCS goroutines.
		sets := make(chan PendingSet, n)
		for j := 0; j < n; j++ {
			sets <- &fakePending{f: svc, pin: "40917"}
		}
		close(sets)
		t0 := time.Now()
		var wg sync.WaitGroup
		for w := 0; w < runtime.GOMAXPROCS(0); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for s := range sets {
					s.Hash()
				}
			}()
		}
		wg.Wait()
		pure = min(pure, time.Since(t0))

		_, reg := newManager(b, svc, nil)
		in := lookup(b, reg, "Set-CsClientPin")
		rt := &discardRuntime{}
		t1 := time.Now()
		if err := run(ctx, in, &rt.fakeRuntime, nil, ids...); err != nil {
			b.Fatal(err)
		}
		pipeline = min(pipeline, time.Since(t1))
		if got := len(rt.fakeRuntime.objects); got != n {
			b.Fatalf("%d outputs", got)
		}
	}
	b.ReportMetric(pure.Seconds(), "s-pure-hash")
	b.ReportMetric(pipeline.Seconds(), "s-pipeline")
	b.ReportMetric(float64(pipeline)/float64(pure), "x-pure")
}
