package engine

import (
	"strings"
	"testing"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

// takeInfo is a minimal Select-Object -First: it writes Count objects,
// then asks the engine to stop its upstream commands.
func takeInfo() *cmdlet.Info {
	return &cmdlet.Info{Name: "Take",
		Params: []cmdlet.Param{{Name: "Count", Kind: object.KindInt, Position: 0}, inputParam()},
		New: func() cmdlet.Command {
			n := int64(0)
			return &funcCmd{
				process: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
					max, _ := a.Int("Count")
					if n >= max {
						return cmdlet.ErrStopUpstream
					}
					in, _ := a.Get("InputObject")
					n++
					if err := rt.WriteObject(in); err != nil {
						return err
					}
					if n >= max {
						return cmdlet.ErrStopUpstream
					}
					return nil
				},
				end: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
					return rt.WriteObject("take end")
				},
			}
		}}
}

func TestStopUpstream(t *testing.T) {
	reg := testRegistry()
	reg.MustAdd(takeInfo())
	up := "function Up { process { $_; $global:after += 1 } end { 'up end' } }\n" +
		"function Down { process { \"down $_\" } end { 'down end' } }\n"
	for _, c := range []struct {
		name, script, out string
	}{
		// A billion-element range would take minutes if the range went on.
		{"huge range", "1..1000000000 | Take 3", lines("1", "2", "3")},
		{"upstream stops mid-block", "$n = 0; 1..100 | ForEach-Object { $n++; $_ } | Take 3 | Measure-Object | ForEach-Object { $_.Count }; $n",
			lines("3", "3")},
		// The upstream End and the requester's End do not run; the
		// downstream End does.
		{"end blocks", up + "$after = 0; 1..10 | Up | Take 2 | Down; $after", lines("down 1", "down 2", "down end", "1")},
		{"nested pipeline owns its stop", up + "1..3 | ForEach-Object { 1..100 | Take 1 } | Down",
			lines("down 1", "down 1", "down 1", "down end")},
		{"inner pipeline stopped by outer", "& { foreach ($i in 1..5) { 1..100 | ForEach-Object { $_ * $i } } } | Take 3",
			lines("1", "2", "3")},
		{"stop during an upstream End", up + "function Burst { end { 1..100 } }\nBurst | Take 2 | Down",
			lines("down 1", "down 2", "down end")},
		{"zero", "1..5 | Take 0; 'next'", lines("next")},
		{"collected", "$r = 1..10 | Take 4; $r.Count", lines("4")},
		{"input ends first", "1..2 | Take 5", lines("1", "2", "take end")},
		{"statement after runs", "1..10 | Take 1; 'after'", lines("1", "after")},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, _ := runWith(t, Options{Registry: reg}, c.script)
			if r.out != c.out {
				t.Errorf("stdout:\n got %q\nwant %q", r.out, c.out)
			}
			if r.err != "" || r.code != 0 {
				t.Errorf("stderr %q, exit status %d", r.err, r.code)
			}
		})
	}
}

// disposer records whether the engine ended or disposed of it.
type disposer struct {
	funcCmd
	log *[]string
}

func (d *disposer) Dispose() { *d.log = append(*d.log, "dispose") }

// TestDisposeAbandonedStages: a command whose End never runs (stopped
// upstream, or a terminating error) is disposed of exactly once; one that
// ends is not.
func TestDisposeAbandonedStages(t *testing.T) {
	var log []string
	reg := testRegistry()
	reg.MustAdd(takeInfo())
	reg.MustAdd(&cmdlet.Info{Name: "Held", Params: []cmdlet.Param{inputParam()},
		New: func() cmdlet.Command {
			return &disposer{log: &log, funcCmd: funcCmd{
				process: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
					v, _ := a.Get("InputObject")
					return rt.WriteObject(v)
				},
				end: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
					log = append(log, "end")
					return nil
				},
			}}
		}})
	for _, c := range []struct{ script, want string }{
		{"1..10 | Held | Take 2", "dispose"},
		{"1..3 | Held", "end"},
		{"1..3 | Held | ForEach-Object { throw 'boom' }", "dispose"},
	} {
		log = nil
		runWith(t, Options{Registry: reg}, c.script)
		if got := strings.Join(log, ","); got != c.want {
			t.Errorf("%s: %q, want %q", c.script, got, c.want)
		}
	}
}
