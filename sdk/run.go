package sdk

import (
	"pinsh/sdk/abi"
	"pinsh/sdk/internal/guest"
)

func init() {
	guest.Hooks.Describe = describe
	guest.Hooks.Begin = begin
	guest.Hooks.Process = process
	guest.Hooks.End = end
}

// stage is the running command of this module instance (the host runs one
// stage per instance at a time).
var stage struct {
	cmd Command
	ctx *Context
}

var reader abi.Reader

func describe() []byte {
	if registered == nil {
		return manifest(&Plugin{})
	}
	return manifest(registered)
}

func begin(msg []byte) (status uint32) {
	defer recoverFail(&status)
	enc.reset()
	dec.reset()
	stage.cmd, stage.ctx = nil, nil
	r := &reader
	r.Reset(arena(msg))
	name := r.String()
	if r.Err() != nil || registered == nil {
		return fail(NewError(InvalidOperation, "PluginProtocol", "pinsh sent a malformed begin message"))
	}
	var cl *Cmdlet
	for i := range registered.Cmdlets {
		if registered.Cmdlets[i].Name == name {
			cl = &registered.Cmdlets[i]
		}
	}
	if cl == nil {
		return fail(NewError(InvalidOperation, "PluginProtocol", "this plugin has no cmdlet "+name))
	}
	n := len(cl.Params)
	c := &Context{cmdlet: cl, vals: make([]Value, n), bound: make([]bool, n), fixed: make([]bool, n)}
	if err := c.bind(r, true); err != nil {
		return fail(err)
	}
	cmd := cl.New()
	stage.cmd, stage.ctx = cmd, c
	if err := cmd.Begin(c); err != nil {
		return fail(err)
	}
	return abi.StatusOK
}

// bind reads a parameter message: the parameter set, then (index, value)
// pairs. At begin the values are the command line's; at process, those
// bound from the current input object replace the previous object's.
func (c *Context) bind(r *abi.Reader, fixed bool) error {
	c.set = str(r)
	if !fixed {
		for i := range c.vals {
			if !c.fixed[i] {
				c.vals[i], c.bound[i] = nil, false
			}
		}
	}
	n := r.Int()
	for k := int64(0); k < n && r.Err() == nil; k++ {
		i := r.Int()
		v := dec.value(r, 0)
		if i < 0 || i >= int64(len(c.vals)) {
			return NewError(InvalidOperation, "PluginProtocol", "pinsh bound an unknown parameter")
		}
		c.vals[i], c.bound[i] = v, true
		if fixed {
			c.fixed[i] = true
		}
	}
	if err := r.End(); err != nil {
		return NewError(InvalidOperation, "PluginProtocol", "pinsh sent a malformed message: "+err.Error())
	}
	return nil
}

func process(msg []byte) (status uint32) {
	defer recoverFail(&status)
	if stage.cmd == nil {
		return fail(NewError(InvalidOperation, "PluginProtocol", "process before begin"))
	}
	r := &reader
	r.Reset(arena(msg))
	if err := stage.ctx.bind(r, false); err != nil {
		return fail(err)
	}
	if err := stage.cmd.Process(stage.ctx); err != nil {
		return fail(err)
	}
	return abi.StatusOK
}

func end() (status uint32) {
	defer recoverFail(&status)
	if stage.cmd == nil {
		return fail(NewError(InvalidOperation, "PluginProtocol", "end before begin"))
	}
	c := stage.ctx
	for i := range c.vals {
		if !c.fixed[i] {
			c.vals[i], c.bound[i] = nil, false
		}
	}
	err := stage.cmd.End(c)
	stage.cmd, stage.ctx = nil, nil
	if err != nil {
		return fail(err)
	}
	return abi.StatusOK
}

// fail reports a terminating error to the host.
func fail(err error) uint32 {
	e := asError(err)
	b := abi.AppendString(nil, e.Message)
	b = abi.AppendString(b, e.Category)
	b = abi.AppendString(b, e.ID)
	guest.Write(abi.WriteFail, b)
	return abi.StatusFailed
}

// recoverFail turns a panic in the plugin into a terminating error naming
// the panic, so the stage ends with a message instead of a crash.
func recoverFail(status *uint32) {
	r := recover()
	if r == nil {
		return
	}
	msg := "unknown panic"
	switch x := r.(type) {
	case error:
		msg = x.Error()
	case string:
		msg = x
	case interface{ String() string }:
		msg = x.String()
	}
	*status = fail(NewError(NotSpecified, "PluginPanic", "panic: "+msg))
}
