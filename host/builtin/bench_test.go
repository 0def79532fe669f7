package builtin

import (
	"testing"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

// stage is a command driven the way the engine drives it, for benchmarks.
type stage struct {
	cmd  cmdlet.Command
	args *cmdlet.Args
	rt   *countRT
}

// countRT counts objects instead of keeping them.
type countRT struct {
	fakeRT
	n int
}

func (r *countRT) WriteObject(object.Value) error { r.n++; return nil }

func newStage(b *testing.B, name string, args []cmdlet.Arg) *stage {
	info, _ := testReg.Lookup(name)
	a, err := cmdlet.Bind(info, args)
	if err != nil {
		b.Fatal(err)
	}
	s := &stage{cmd: info.New(), args: a, rt: &countRT{}}
	if err := s.cmd.Begin(s.rt, a); err != nil {
		b.Fatal(err)
	}
	return s
}

func (s *stage) push(b *testing.B, v object.Value) {
	if err := s.args.BindInput(v); err != nil {
		b.Fatal(err)
	}
	if err := s.cmd.Process(s.rt, s.args); err != nil {
		b.Fatal(err)
	}
}

// boxed holds pre-boxed integers so the benchmarks measure the cmdlets,
// not interface conversions.
var boxed = func() []object.Value {
	out := make([]object.Value, 1024)
	for i := range out {
		out[i] = int64(i)
	}
	return out
}()

// BenchmarkWhereObjectScript is Where-Object {$_ % 2 -eq 0} per object
// with a Go function standing in for the compiled block: the cost of the
// binder and the cmdlet around the engine's evaluation.
func BenchmarkWhereObjectScript(b *testing.B) {
	fn := &sb{src: "$_ % 2 -eq 0", fn: func(in object.Value) (object.Value, error) { return in.(int64)%2 == 0, nil }}
	s := newStage(b, "Where-Object", cl(fn))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.push(b, boxed[i&1023])
	}
}

// BenchmarkWhereObjectProperty is `Where-Object Name -eq 'user42'` over
// five-property objects.
func BenchmarkWhereObjectProperty(b *testing.B) {
	objs := make([]object.Value, 1024)
	typ := object.NewType("Test.User", object.P("Name", object.KindString), object.P("Dept", object.KindString),
		object.P("Enabled", object.KindBool), object.P("Count", object.KindInt), object.P("Sip", object.KindString))
	for i := range objs {
		objs[i] = object.New(typ, "User"+string(rune('a'+i%26)), "IT", true, int64(i), "sip:x")
	}
	s := newStage(b, "Where-Object", cl("Name", "-eq", "userq"))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.push(b, objs[i&1023])
	}
}

// BenchmarkMeasureObjectCount is Measure-Object's counting path.
func BenchmarkMeasureObjectCount(b *testing.B) {
	s := newStage(b, "Measure-Object", nil)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.push(b, boxed[i&1023])
	}
}

// BenchmarkMeasureObjectSum is Measure-Object -Sum -Average -Maximum.
func BenchmarkMeasureObjectSum(b *testing.B) {
	s := newStage(b, "Measure-Object", cl("-Sum", "-Average", "-Maximum"))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.push(b, boxed[i&1023])
	}
}

// BenchmarkForEachObject is ForEach-Object {$_} per object.
func BenchmarkForEachObject(b *testing.B) {
	s := newStage(b, "ForEach-Object", cl(&sb{src: "$_", fn: func(in object.Value) (object.Value, error) { return in, nil }}))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.push(b, boxed[i&1023])
	}
}

// BenchmarkSelectObject is Select-Object Name, Count over typed objects.
func BenchmarkSelectObject(b *testing.B) {
	typ := object.NewType("Test.User", object.P("Name", object.KindString), object.P("Count", object.KindInt),
		object.P("X", object.KindInt))
	o := object.New(typ, "ken", int64(1), int64(2))
	s := newStage(b, "Select-Object", cl([]object.Value{"Name", "Count"}))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.push(b, o)
	}
}

// BenchmarkOutDefaultTable formats rows of a three-column table.
func BenchmarkOutDefaultTable(b *testing.B) {
	s := newStage(b, "Out-String", nil)
	o := obj("Name", "Ken Myer", "Id", int64(42), "Enabled", true)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.push(b, o)
	}
}
