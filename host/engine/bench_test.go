package engine

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

func benchEngine(b *testing.B) *Engine {
	return New(Options{Registry: testRegistry(), Stdout: io.Discard, Stderr: io.Discard})
}

// BenchmarkWhereRange is the end-to-end target (engine part):
// 1..1000000 | Where-Object {$_ % 2 -eq 0} | Measure-Object, at 2,000,000
// objects/s or more.
func BenchmarkWhereRange(b *testing.B) {
	e := benchEngine(b)
	const n = 1_000_000
	script := fmt.Sprintf("$r = 1..%d | Where-Object {$_ %% 2 -eq 0} | Measure-Object", n)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if code := e.Run(context.Background(), script, ""); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "objects/s")
	if v, _ := e.Var("r"); object.ToString(property(v, "Count")) != "500000" {
		b.Fatalf("count = %v", property(v, "Count"))
	}
}

// BenchmarkWhereProperty filters 100,000 five-property objects on one
// string property (target: 1,000,000 objects/s).
func BenchmarkWhereProperty(b *testing.B) {
	e := benchEngine(b)
	const n = 100_000
	users := make([]object.Value, n)
	for i := range users {
		users[i] = object.New(userType, fmt.Sprintf("user%d", i), "Finance", nil, true, int64(i))
	}
	users[n/2] = object.New(userType, "x", "Sales", nil, true, int64(0))
	e.SetVar("users", users)
	script := "$r = $users | Where-Object { $_.Name -eq 'x' } | Measure-Object"
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if code := e.Run(context.Background(), script, ""); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "objects/s")
	if v, _ := e.Var("r"); object.ToString(property(v, "Count")) != "1" {
		b.Fatalf("count = %v", property(v, "Count"))
	}
}

// benchBlock compiles a script block value for direct Invoke benchmarks.
func benchBlock(b *testing.B, e *Engine, text string) cmdlet.ScriptBlock {
	if code := e.Run(context.Background(), "$sb = {"+text+"}", ""); code != 0 {
		b.Fatal("compile failed")
	}
	v, _ := e.Var("sb")
	return v.(cmdlet.ScriptBlock)
}

// BenchmarkInvokeModulo is one predicate call: {$_ % 2 -eq 0}.
func BenchmarkInvokeModulo(b *testing.B) {
	e := benchEngine(b)
	sb := benchBlock(b, e, "$_ % 2 -eq 0")
	keep := 0
	out := func(v object.Value) error {
		if object.ToBool(v) {
			keep++
		}
		return nil
	}
	in := object.Value(int64(12345))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := sb.Invoke(in, nil, out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInvokeProperty is one predicate call: {$_.Name -eq 'x'} on a
// five-property object.
func BenchmarkInvokeProperty(b *testing.B) {
	e := benchEngine(b)
	sb := benchBlock(b, e, "$_.Name -eq 'x'")
	in := object.Value(object.New(userType, "user1", "Finance", nil, true, int64(1)))
	out := func(v object.Value) error { return nil }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := sb.Invoke(in, nil, out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkForeachLoop is a language loop: foreach over a lazy range
// with an assignment per element.
func BenchmarkForeachLoop(b *testing.B) {
	e := benchEngine(b)
	const n = 100_000
	script := fmt.Sprintf("$s = 0; foreach ($i in 1..%d) { $s += $i }", n)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		e.Run(context.Background(), script, "")
	}
	b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "iterations/s")
}
