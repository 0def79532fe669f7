package sdk

import "pinsh/sdk/abi"

// Kind is the declared type of a parameter or property. The numbers are
// pinsh's own (host/object.Kind), so a plugin's declarations mean exactly
// what a built-in's do.
type Kind uint8

// The kinds.
const (
	KindAny        Kind = iota // any value
	KindBool                   // [bool]; accepts $true/$false and numbers
	KindInt                    // [long]
	KindFloat                  // [double]
	KindString                 // [string]; anything converts to text
	KindDateTime               // [datetime]
	KindStringList             // [string[]]
	KindObject                 // an object, passed as is
	KindList                   // [object[]]
	KindHashtable              // @{...}
	_                          // script blocks cannot cross into a plugin
	KindSwitch                 // a switch parameter (-Force)
)

// Impact is a cmdlet's ConfirmImpact: pinsh asks for confirmation when it
// is at or above $ConfirmPreference (High by default) or with -Confirm.
type Impact uint8

// The impacts, in PowerShell's order.
const (
	ImpactNone Impact = iota
	ImpactLow
	ImpactMedium
	ImpactHigh
)

// Capabilities a plugin may request. The administrator grants them when
// installing the plugin; a call to a service the plugin was not granted
// ends the stage with an error.
const (
	CapDirectoryRead = abi.CapDirectoryRead // ResolveUsers, PinInfoFor
	CapPinRead       = abi.CapPinRead       // PinInfo, PinInfoFor, Policy
	CapPinWrite      = abi.CapPinWrite      // SetPin, GeneratePin
	CapPinLock       = abi.CapPinLock       // Lock, Unlock
)

// Plugin declares a plugin: its name, version, the capabilities it needs
// and its cmdlets. Pass it to [Register] from an init function.
type Plugin struct {
	// Name identifies the plugin in messages and Get-CsPlugin; use the
	// module's file name (without .wasm).
	Name    string
	Version string
	// Capabilities lists what the plugin needs (the Cap* constants).
	Capabilities []string
	Cmdlets      []Cmdlet
}

// Cmdlet declares one cmdlet, with the same metadata pinsh's built-ins
// declare, so binding, help, completion and errors work the same.
type Cmdlet struct {
	// Name is Verb-Noun, for example Get-CsClientPinInfo.
	Name        string
	Aliases     []string
	Synopsis    string
	Description string
	Params      []Param
	// DefaultSet is the parameter set used when binding cannot decide.
	DefaultSet string
	// SupportsShouldProcess adds -WhatIf and -Confirm, which pinsh
	// handles; the cmdlet asks [Context.ShouldProcess] before each change.
	SupportsShouldProcess bool
	ConfirmImpact         Impact
	// OutputType is the type name of the objects the cmdlet writes.
	OutputType string
	// ReadOnly declares that the cmdlet changes nothing and asks nothing:
	// it reads (users, PIN state, policies) and writes objects, errors,
	// warnings, verbose messages and progress. pinsh may then hand it
	// several input objects per call into the plugin (a call costs about
	// a microsecond), and it enforces the declaration: ShouldProcess,
	// SetPin, GeneratePin, Lock and Unlock end a read-only cmdlet's stage
	// with an error.
	ReadOnly bool
	Examples []Example
	// New returns a fresh command for one pipeline stage.
	New func() Command
}

// Param declares one parameter.
type Param struct {
	Name    string
	Aliases []string
	Kind    Kind
	// Mandatory parameters must be bound; pinsh prompts or fails first.
	Mandatory bool
	// Position is the 1-based position for positional binding, as
	// Get-Help shows it; 0 means the parameter is named only.
	Position int
	// Sets lists the parameter sets the parameter belongs to; empty means
	// all of them.
	Sets []string
	// FromPipeline binds the whole input object (ValueFromPipeline).
	FromPipeline bool
	// FromPipelineByName binds the input object's property of the same
	// name or alias (ValueFromPipelineByPropertyName).
	FromPipelineByName bool
	// Values, when set, is the complete set of accepted values.
	Values []string
	// Help is the paragraph Get-Help prints.
	Help string
	// Secret marks values never logged, audited or kept in history.
	Secret bool
}

// Example is a Get-Help example.
type Example struct {
	Code   string
	Remark string
}

// Command is one running instance of a cmdlet in a pipeline stage: Begin
// once, Process once per input object (once without input when the cmdlet
// comes first in its pipeline), End once. A returned error ends the stage
// (a terminating error); per-object failures go to [Context.WriteError]
// and the command carries on. Embed [Base] to implement only what you need.
type Command interface {
	Begin(c *Context) error
	Process(c *Context) error
	End(c *Context) error
}

// Base implements [Command] with methods that do nothing; embed it.
type Base struct{}

// Begin does nothing.
func (Base) Begin(*Context) error { return nil }

// Process does nothing.
func (Base) Process(*Context) error { return nil }

// End does nothing.
func (Base) End(*Context) error { return nil }

var registered *Plugin

// Register declares the plugin. Call it once, from an init function of
// the plugin's main package: pinsh reads the declaration when it installs
// the plugin, before any cmdlet runs. It panics when called twice or with
// a cmdlet that has no name or no New function.
func Register(p Plugin) {
	if registered != nil {
		panic("sdk.Register called twice")
	}
	for _, c := range p.Cmdlets {
		if c.Name == "" || c.New == nil {
			panic("sdk.Register: every cmdlet needs a Name and a New function")
		}
	}
	registered = &p
}

// manifest encodes the registration as the ABI's manifest hashtable.
func manifest(p *Plugin) []byte {
	b := abi.AppendHashtableHeader(nil, 5)
	b = abi.AppendRawString(b, abi.KeyABI)
	b = abi.AppendInt(b, abi.Version)
	b = abi.AppendRawString(b, abi.KeyName)
	b = abi.AppendString(b, p.Name)
	b = abi.AppendRawString(b, abi.KeyVersion)
	b = abi.AppendString(b, p.Version)
	b = abi.AppendRawString(b, abi.KeyCapabilities)
	b = abi.AppendStringList(b, p.Capabilities)
	b = abi.AppendRawString(b, abi.KeyCmdlets)
	b = abi.AppendListHeader(b, len(p.Cmdlets))
	for i := range p.Cmdlets {
		c := &p.Cmdlets[i]
		b = abi.AppendHashtableHeader(b, 11)
		b = kvs(b, abi.KeyCmdletName, c.Name)
		b = kvl(b, abi.KeyAliases, c.Aliases)
		b = kvs(b, abi.KeySynopsis, c.Synopsis)
		b = kvs(b, abi.KeyDescription, c.Description)
		b = kvs(b, abi.KeyDefaultSet, c.DefaultSet)
		b = abi.AppendBool(abi.AppendRawString(b, abi.KeyShouldProc), c.SupportsShouldProcess)
		b = abi.AppendBool(abi.AppendRawString(b, abi.KeyReadOnly), c.ReadOnly)
		b = abi.AppendInt(abi.AppendRawString(b, abi.KeyImpact), int64(c.ConfirmImpact))
		b = kvs(b, abi.KeyOutputType, c.OutputType)
		b = abi.AppendRawString(b, abi.KeyExamples)
		b = abi.AppendListHeader(b, len(c.Examples))
		for _, ex := range c.Examples {
			b = abi.AppendHashtableHeader(b, 2)
			b = kvs(b, abi.KeyExampleCode, ex.Code)
			b = kvs(b, abi.KeyExampleNote, ex.Remark)
		}
		b = abi.AppendRawString(b, abi.KeyParams)
		b = abi.AppendListHeader(b, len(c.Params))
		for j := range c.Params {
			p := &c.Params[j]
			b = abi.AppendHashtableHeader(b, 11)
			b = kvs(b, abi.KeyParamName, p.Name)
			b = kvl(b, abi.KeyAliases, p.Aliases)
			b = abi.AppendInt(abi.AppendRawString(b, abi.KeyParamKind), int64(p.Kind))
			b = abi.AppendBool(abi.AppendRawString(b, abi.KeyMandatory), p.Mandatory)
			b = abi.AppendInt(abi.AppendRawString(b, abi.KeyPosition), int64(p.Position-1))
			b = kvl(b, abi.KeySets, p.Sets)
			b = abi.AppendBool(abi.AppendRawString(b, abi.KeyFromPipeline), p.FromPipeline)
			b = abi.AppendBool(abi.AppendRawString(b, abi.KeyByName), p.FromPipelineByName)
			b = kvl(b, abi.KeyValues, p.Values)
			b = kvs(b, abi.KeyHelp, p.Help)
			b = abi.AppendBool(abi.AppendRawString(b, abi.KeySecret), p.Secret)
		}
	}
	return b
}

func kvs(b []byte, k, v string) []byte {
	return abi.AppendString(abi.AppendRawString(b, k), v)
}

func kvl(b []byte, k string, v []string) []byte {
	return abi.AppendStringList(abi.AppendRawString(b, k), v)
}
