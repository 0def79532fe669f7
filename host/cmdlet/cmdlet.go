// Package cmdlet declares what a cmdlet is to pinsh: its parameter metadata
// (shared by built-ins and plugins, so help, completion, binding and errors
// work the same for both), the [Command] lifecycle, the [Runtime] a running
// command talks to, and the binder that maps arguments and pipeline input
// onto parameters.
//
// The package knows metadata, not plugins or the store: the engine drives
// commands through this interface, and host/plugin adapts WASM modules to it.
package cmdlet

import (
	"context"
	"strings"

	"pinsh/host/object"
)

// Impact is a cmdlet's ConfirmImpact: how dangerous its changes are. A
// command prompts for confirmation when its impact is at or above
// $ConfirmPreference (default High) or when -Confirm is given.
type Impact uint8

// The impact levels, in PowerShell's order.
const (
	ImpactNone Impact = iota
	ImpactLow
	ImpactMedium
	ImpactHigh
)

var impactNames = [...]string{"None", "Low", "Medium", "High"}

func (i Impact) String() string {
	if int(i) < len(impactNames) {
		return impactNames[i]
	}
	return "Medium"
}

// ParseImpact parses None, Low, Medium or High, case-insensitively.
func ParseImpact(s string) (Impact, bool) {
	for i, n := range impactNames {
		if strings.EqualFold(n, s) {
			return Impact(i), true
		}
	}
	return ImpactMedium, false
}

// Param declares one parameter.
type Param struct {
	Name    string
	Aliases []string
	Kind    object.Kind
	// Mandatory parameters must be bound in every parameter set they belong to.
	Mandatory bool
	// Position is the 0-based position for positional binding, or -1 for
	// named only. Positions are counted per parameter set.
	Position int
	// Sets lists the parameter sets the parameter belongs to; empty means all.
	Sets []string
	// FromPipeline binds the whole input object (ValueFromPipeline).
	FromPipeline bool
	// FromPipelineByName binds the input object's property of the same name
	// or alias (ValueFromPipelineByPropertyName).
	FromPipelineByName bool
	// Remaining collects the positional values no other parameter takes
	// (ValueFromRemainingArguments): one value binds as itself, several as
	// an array of them (Write-Output 1 2 3).
	Remaining bool
	// Values, when set, is the complete set of accepted values
	// (ValidateSet), compared case-insensitively; completion offers them.
	Values []string
	// Completer names a dynamic value source for completion ("ou",
	// "identity", "policy", "role"); empty when there is none.
	Completer string
	// Help is the one-paragraph description Get-Help prints.
	Help string
	// Secret marks values that must never be logged, audited or kept in
	// history (a PIN).
	Secret bool
}

// InSet reports whether the parameter belongs to the named set.
func (p *Param) InSet(set string) bool {
	if len(p.Sets) == 0 || set == "" {
		return true
	}
	for _, s := range p.Sets {
		if strings.EqualFold(s, set) {
			return true
		}
	}
	return false
}

// Example is a Get-Help example.
type Example struct {
	Code   string
	Remark string
}

// Info is everything pinsh knows about a cmdlet without running it.
type Info struct {
	Name        string
	Aliases     []string
	Synopsis    string
	Description string
	Params      []Param
	// DefaultSet is the parameter set used when binding cannot decide.
	DefaultSet string
	// SupportsShouldProcess adds -WhatIf and -Confirm.
	SupportsShouldProcess bool
	ConfirmImpact         Impact
	// OutputType is the type name of the objects the cmdlet writes, used for
	// completion of `$_.` in the next stage; empty when unknown.
	OutputType string
	Examples   []Example
	// Pure declares that the cmdlet has no effect but what it writes to
	// its output and error streams: it changes nothing, prints nothing,
	// prompts for nothing and sets no variable. The commands after pure
	// ones may process their input in batches (see [Batcher]).
	Pure bool
	// Source is "builtin" or the plugin that provides the cmdlet.
	Source string
	// New creates a fresh instance for one pipeline stage.
	New func() Command
}

// Param returns the declared parameter with that exact (case-insensitive)
// name, or nil.
func (in *Info) Param(name string) *Param {
	for i := range in.Params {
		if strings.EqualFold(in.Params[i].Name, name) {
			return &in.Params[i]
		}
	}
	return nil
}

// Sets returns the names of the declared parameter sets, in order of first
// appearance; a cmdlet without sets has the single unnamed set "".
func (in *Info) Sets() []string {
	var sets []string
	seen := map[string]bool{}
	for _, p := range in.Params {
		for _, s := range p.Sets {
			k := strings.ToLower(s)
			if !seen[k] {
				seen[k] = true
				sets = append(sets, s)
			}
		}
	}
	if len(sets) == 0 {
		return []string{""}
	}
	return sets
}

// Command is one running instance of a cmdlet in a pipeline stage.
// Begin runs once before input, Process once per input object (once with no
// input when the command is first in its pipeline), End once after input.
// A returned error is terminating for the stage; per-object failures are
// written with [Runtime.WriteError] and the command goes on.
type Command interface {
	Begin(rt Runtime, args *Args) error
	Process(rt Runtime, args *Args) error
	End(rt Runtime, args *Args) error
}

// Batcher is a Command that may hold input objects and process them later,
// several at a time: a plugin cmdlet does, to enter its sandbox once per
// batch instead of once per object. A command may hold objects only when
// its runtime reports that everything before it in the pipeline is pure
// ([Purity]): then only the timing of its work can differ from processing
// each object as it comes. Process, End and Flush each process what is
// held before returning when they process anything; End processes all.
type Batcher interface {
	Command
	// Flush processes every held input object now. The engine calls it
	// before anything that would show how far the pipeline has got: an
	// error, warning or verbose message written by an earlier command of
	// the pipeline, or an earlier command's failure.
	Flush(rt Runtime) error
}

// Purity is implemented by the engine's [Runtime].
type Purity interface {
	// UpstreamPure reports whether everything before this command in its
	// pipeline is [Info.Pure] (or a value computed before the pipeline
	// ran), so that the command may hold its input objects.
	UpstreamPure() bool
}

// Runtime is what a running command may ask of the engine. It is valid only
// during the call it is passed to.
type Runtime interface {
	// Context is cancelled on Ctrl-C or when the pipeline is stopped.
	Context() context.Context
	// WriteObject sends v to the next stage, synchronously: the downstream
	// stages process it before WriteObject returns. Arrays are sent as one
	// object; use [object.Enumerate] to unroll them.
	WriteObject(v object.Value) error
	// WriteError reports a non-terminating error for the current object.
	// The returned error is non-nil when -ErrorAction Stop (or the
	// preference) turns it into a terminating one; return it.
	WriteError(rec *ErrorRecord) error
	WriteWarning(msg string)
	WriteVerbose(msg string)
	// WriteProgress reports progress; total is -1 when unknown.
	WriteProgress(activity string, done, total int64)
	// ShouldProcess asks whether to perform action on target, honouring
	// -WhatIf, -Confirm, ConfirmImpact and $ConfirmPreference. It prints
	// the What if line itself. A non-nil error (no terminal to prompt on,
	// Suspend, or Ctrl-C) is terminating.
	ShouldProcess(target, action string) (bool, error)
	// Operator is the principal the command runs as.
	Operator() string
	// CommandName is the name the cmdlet was invoked by.
	CommandName() string
	// Var reads a session variable ($null and false when unset).
	Var(name string) (object.Value, bool)
	// CompileFilter compiles an OPATH-style filter such as
	// `Department -eq "Finance" -and PinPolicy -eq $null`, in which bare
	// words name properties of the object tested (Get-CsUser -Filter). The
	// text may come from a script block's String or from a string.
	CompileFilter(text string) (Filter, error)
}

// Filter is a compiled -Filter expression.
type Filter func(obj object.Value) (bool, error)

// ScriptBlock is a compiled { ... } block that commands can run.
type ScriptBlock interface {
	// String returns the block's source text, without the braces.
	String() string
	// Invoke runs the block with $_ (and $PSItem) bound to input and $args
	// to args, calling out for each value the block outputs. It returns a
	// terminating error, if any.
	Invoke(input object.Value, args []object.Value, out func(object.Value) error) error
}

// Category is an ErrorRecord's category, as PowerShell names them.
type Category string

// The categories pinsh uses.
const (
	InvalidArgument   Category = "InvalidArgument"
	InvalidOperation  Category = "InvalidOperation"
	ObjectNotFound    Category = "ObjectNotFound"
	PermissionDenied  Category = "PermissionDenied"
	InvalidData       Category = "InvalidData"
	ResourceExists    Category = "ResourceExists"
	NotSpecified      Category = "NotSpecified"
	OperationStopped  Category = "OperationStopped"
	ParserError       Category = "ParserError"
	SecurityError     Category = "SecurityError"
	ResourceUnavailab Category = "ResourceUnavailable"
)

// ErrorRecord is an error with PowerShell's context: the category, the
// object it concerns and the command that wrote it.
type ErrorRecord struct {
	Err      error
	Category Category
	// Target is the object or identity the error is about.
	Target object.Value
	// ID is a stable identifier such as "PinNotDigits", for scripts.
	ID string
	// Command is the name of the command that wrote it; the engine fills it
	// when empty.
	Command string
}

func (r *ErrorRecord) Error() string { return r.Err.Error() }

// Unwrap returns the underlying error.
func (r *ErrorRecord) Unwrap() error { return r.Err }

// NewError is a short constructor for an [ErrorRecord].
func NewError(cat Category, id string, target object.Value, err error) *ErrorRecord {
	return &ErrorRecord{Err: err, Category: cat, ID: id, Target: target}
}
