// Package builtin holds pinsh's generic cmdlets, written in Go and declared
// with the same metadata as plugins: Where-Object, ForEach-Object,
// Select-Object, Sort-Object, Group-Object, Measure-Object, the Format-*,
// Out-*, CSV and JSON cmdlets, the Write-* cmdlets, Get-Date, Get-Command
// and Get-Help. [Register] adds them to a registry.
//
// Commands follow the engine's protocol: Begin once, Process once per input
// object (after [cmdlet.Args.BindInput]) or once with no input, End once.
// Per-object work is kept free of allocations where the cmdlet allows it:
// names are resolved and closures built in Begin.
package builtin

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

// Options configures the built-in cmdlets of a session.
type Options struct {
	// Stdout receives Write-Host and Out-Host output; nil means os.Stdout.
	Stdout io.Writer
	// Now is the clock of Get-Date; nil means time.Now.
	Now func() time.Time
	// TerminalWidth is the line width of Out-Host, Out-String and Out-File:
	// 0 means format.DefaultWidth, negative means unlimited.
	TerminalWidth int
	// Dir is the directory relative paths (Out-File, Export-Csv,
	// Import-Csv) are resolved against; "" means the process's.
	Dir string
	// Topic returns the text of an about_ help topic; TopicNames lists
	// them. Both may be nil.
	Topic      func(name string) (string, bool)
	TopicNames func() []string
}

func (o *Options) stdout() io.Writer {
	if o.Stdout == nil {
		return os.Stdout
	}
	return o.Stdout
}

func (o *Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// path resolves a user path: ~ is the home directory, relative paths are
// taken from Dir.
func (o *Options) path(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[1:])
		}
	}
	if o.Dir != "" && !filepath.IsAbs(p) {
		p = filepath.Join(o.Dir, p)
	}
	return p
}

// Register adds every built-in cmdlet to reg, with opts for those that
// write to the terminal, read the clock or open files. Get-Command and
// Get-Help read reg itself, so they also see cmdlets added later (plugins).
func Register(reg *cmdlet.Registry, opts Options) {
	o := &opts
	for _, in := range infos(reg, o) {
		in.Source = "builtin"
		reg.MustAdd(in)
	}
}

func infos(reg *cmdlet.Registry, o *Options) []*cmdlet.Info {
	return []*cmdlet.Info{
		whereObjectInfo(),
		forEachObjectInfo(),
		selectObjectInfo(),
		sortObjectInfo(),
		groupObjectInfo(),
		measureObjectInfo(),
		formatTableInfo(o),
		formatListInfo(o),
		outStringInfo(o),
		outFileInfo(o),
		outNullInfo(),
		outHostInfo(o),
		exportCsvInfo(o),
		importCsvInfo(o),
		convertToCsvInfo(),
		convertToJSONInfo(),
		convertFromJSONInfo(),
		writeOutputInfo(),
		writeHostInfo(o),
		writeErrorInfo(),
		writeWarningInfo(),
		writeVerboseInfo(),
		writeProgressInfo(),
		getDateInfo(o),
		getCommandInfo(reg),
		getHelpInfo(reg, o),
	}
}

// param builds a named (Position -1) parameter; options adjust it.
func param(name string, kind object.Kind, help string, opts ...func(*cmdlet.Param)) cmdlet.Param {
	p := cmdlet.Param{Name: name, Kind: kind, Position: -1, Help: help}
	for _, o := range opts {
		o(&p)
	}
	return p
}

func pos(n int) func(*cmdlet.Param)           { return func(p *cmdlet.Param) { p.Position = n } }
func mandatory(p *cmdlet.Param)               { p.Mandatory = true }
func fromPipeline(p *cmdlet.Param)            { p.FromPipeline = true }
func byName(p *cmdlet.Param)                  { p.FromPipelineByName = true }
func remaining(p *cmdlet.Param)               { p.Remaining = true }
func sets(s ...string) func(*cmdlet.Param)    { return func(p *cmdlet.Param) { p.Sets = s } }
func aliases(a ...string) func(*cmdlet.Param) { return func(p *cmdlet.Param) { p.Aliases = a } }
func values(v ...string) func(*cmdlet.Param)  { return func(p *cmdlet.Param) { p.Values = v } }

// inputObject is the InputObject parameter of the pipeline cmdlets. It is
// always declared first so that reading it per object is a one-step
// look-up.
func inputObject(help string, opts ...func(*cmdlet.Param)) cmdlet.Param {
	return param("InputObject", object.KindAny, help, append([]func(*cmdlet.Param){fromPipeline}, opts...)...)
}

// input returns the current input object, and false when the command runs
// without pipeline input.
func input(args *cmdlet.Args) (object.Value, bool) { return args.Get("InputObject") }

// list returns a list parameter's elements.
func list(args *cmdlet.Args, name string) []object.Value {
	v, _ := args.Get(name)
	l, _ := v.([]object.Value)
	return l
}

// strs returns a string list parameter's elements.
func strs(args *cmdlet.Args, name string) []string {
	var out []string
	for _, v := range list(args, name) {
		out = append(out, object.ToString(v))
	}
	return out
}

// collector gathers a script block's output.
type collector struct{ vals []object.Value }

func (c *collector) add(v object.Value) error {
	c.vals = append(c.vals, v)
	return nil
}

// result is the block output as one value: $null, the single value, or
// an array.
func (c *collector) result() object.Value {
	switch len(c.vals) {
	case 0:
		return nil
	case 1:
		return c.vals[0]
	}
	return append([]object.Value(nil), c.vals...)
}

// invoke runs a script block with $_ bound to in and returns its output as
// one value.
func invoke(sb cmdlet.ScriptBlock, in object.Value) (object.Value, error) {
	var c collector
	if err := sb.Invoke(in, nil, c.add); err != nil {
		return nil, err
	}
	return c.result(), nil
}

// writeAll writes v to the pipeline, unrolling an array.
func writeAll(rt cmdlet.Runtime, v object.Value) error {
	return object.Enumerate(v, rt.WriteObject)
}

// width is the formatting width from the options.
func (o *Options) width() int { return o.TerminalWidth }

// lineSink adapts a formatter's line output to the pipeline: each line is
// written as a string object with the runtime of the current call.
type lineSink struct{ rt cmdlet.Runtime }

func (l *lineSink) emit(line string) error { return l.rt.WriteObject(line) }
