package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

// batchLog records, in order, what the test cmdlets did and what the
// engine printed, so that tests see the interleaving of streams.
type batchLog struct{ events []string }

func (l *batchLog) add(format string, a ...any) {
	l.events = append(l.events, fmt.Sprintf(format, a...))
}

// Write receives the engine's stdout and stderr.
func (l *batchLog) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "At ") && !strings.HasPrefix(line, "+") {
			l.add("print %s", line)
		}
	}
	return len(p), nil
}

// batchEcho holds up to 4 input objects when its upstream is pure, and
// writes "echo X" for each when it processes them.
type batchEcho struct {
	log     *batchLog
	held    []object.Value
	maxHeld *int
}

func (b *batchEcho) Begin(cmdlet.Runtime, *cmdlet.Args) error { return nil }

func (b *batchEcho) Process(rt cmdlet.Runtime, a *cmdlet.Args) error {
	in, _ := a.Get("InputObject")
	b.held = append(b.held, in)
	*b.maxHeld = max(*b.maxHeld, len(b.held))
	if p, ok := rt.(cmdlet.Purity); ok && p.UpstreamPure() && len(b.held) < 4 {
		return nil
	}
	return b.Flush(rt)
}

func (b *batchEcho) Flush(rt cmdlet.Runtime) error {
	held := b.held
	b.held = nil
	for _, v := range held {
		b.log.add("process %s", object.ToString(v))
		if err := rt.WriteObject("echo " + object.ToString(v)); err != nil {
			return err
		}
	}
	return nil
}

func (b *batchEcho) End(rt cmdlet.Runtime, a *cmdlet.Args) error { return b.Flush(rt) }

// batchRegistry adds to the test registry a pure Get-Pure (u1..uN, an
// error for -Bad, a warning for -Warn, a failure at -Fail) and Batch-Echo.
func batchRegistry(log *batchLog, maxHeld *int) *cmdlet.Registry {
	reg := testRegistry()
	reg.MustAdd(takeInfo())
	reg.MustAdd(&cmdlet.Info{Name: "Get-Pure", Pure: true,
		Params: []cmdlet.Param{{Name: "Count", Kind: object.KindInt, Position: 0},
			{Name: "Bad", Kind: object.KindInt}, {Name: "Warn", Kind: object.KindInt}, {Name: "Fail", Kind: object.KindInt}},
		New: func() cmdlet.Command {
			return &funcCmd{process: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				n, _ := a.Int("Count")
				bad, _ := a.Int("Bad")
				warn, _ := a.Int("Warn")
				fail, _ := a.Int("Fail")
				for i := int64(1); i <= n; i++ {
					id := fmt.Sprintf("u%d", i)
					switch i {
					case bad:
						if err := rt.WriteError(cmdlet.NewError(cmdlet.ObjectNotFound, "NotFound", id, fmt.Errorf("no user %s", id))); err != nil {
							return err
						}
						continue
					case warn:
						rt.WriteWarning("careful with " + id)
					case fail:
						return errors.New("the store failed at " + id)
					}
					if err := rt.WriteObject(id); err != nil {
						return err
					}
				}
				return nil
			}}
		}})
	reg.MustAdd(&cmdlet.Info{Name: "Batch-Echo",
		Params: []cmdlet.Param{inputParam()},
		New:    func() cmdlet.Command { return &batchEcho{log: log, maxHeld: maxHeld} }})
	// Batch-Name binds Identity by property name only.
	reg.MustAdd(&cmdlet.Info{Name: "Batch-Name",
		Params: []cmdlet.Param{{Name: "InputObject", Kind: object.KindString, Mandatory: true, Position: -1,
			FromPipelineByName: true, Aliases: []string{"Identity"}}},
		New: func() cmdlet.Command { return &batchEcho{log: log, maxHeld: maxHeld} }})
	return reg
}

// A batching command after pure ones holds its input, yet everything
// observable happens in the order of one-object-at-a-time processing:
// what an upstream command prints (errors, warnings) comes after the
// processing of the objects it wrote before.
func TestBatchingKeepsOrder(t *testing.T) {
	for _, c := range []struct {
		name, script string
		want         []string
		batched      bool
	}{
		{"pure upstream", "Get-Pure 6 | Batch-Echo | Out-Null",
			[]string{"process u1", "process u2", "process u3", "process u4", "process u5", "process u6"}, true},
		{"error in between", "Get-Pure 6 -Bad 3 | Batch-Echo | Out-Null",
			[]string{"process u1", "process u2", "print Get-Pure : no user u3", "process u4", "process u5", "process u6"}, true},
		{"warning in between", "Get-Pure 4 -Warn 3 | Batch-Echo | Out-Null",
			[]string{"process u1", "process u2", "print WARNING: careful with u3", "process u3", "process u4"}, true},
		{"-ErrorAction Stop", "Get-Pure 6 -Bad 3 -ErrorAction Stop | Batch-Echo | Out-Null",
			[]string{"process u1", "process u2", "print Get-Pure : no user u3"}, true},
		{"upstream failure", "Get-Pure 6 -Fail 3 | Batch-Echo | Out-Null",
			[]string{"process u1", "process u2", "print Get-Pure : the store failed at u3"}, true},
		{"downstream stops", "Get-Pure 100 | Batch-Echo | Take 2 | Out-Null",
			[]string{"process u1", "process u2"}, true},
		{"value input", "'a', 'b', 'c' | Batch-Echo | Out-Null",
			[]string{"process a", "process b", "process c"}, true},
		{"binding error in between", "[pscustomobject]@{Identity='a'}, [pscustomobject]@{Identity='b'}, 'no name', [pscustomobject]@{Identity='c'} | Batch-Name | Out-Null",
			[]string{"process a", "process b", "print Batch-Name : The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input.", "process c"}, true},
		{"script upstream is not pure", "Get-Pure 3 | ForEach-Object { $_ } | Batch-Echo | Out-Null",
			[]string{"process u1", "process u2", "process u3"}, false},
		{"redirected upstream is not pure", "Get-Pure 3 -Bad 2 2>&1 | Batch-Echo | Out-Null",
			[]string{"process u1", "process no user u2", "process u3"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			log := &batchLog{}
			maxHeld := 0
			reg := batchRegistry(log, &maxHeld)
			reg.MustAdd(&cmdlet.Info{Name: "Out-Null", Params: []cmdlet.Param{inputParam()},
				New: func() cmdlet.Command { return &funcCmd{} }})
			e := New(Options{Registry: reg, Stdout: log, Stderr: log})
			e.Run(context.Background(), c.script, "")
			got := strings.Join(log.events, "\n")
			if want := strings.Join(c.want, "\n"); got != want {
				t.Errorf("events:\n%s\nwant:\n%s", got, want)
			}
			if batched := maxHeld > 1; batched != c.batched {
				t.Errorf("held up to %d objects; batched = %v, want %v", maxHeld, batched, c.batched)
			}
		})
	}
}
