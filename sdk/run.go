package sdk

import (
	"pinsh/sdk/abi"
	"pinsh/sdk/internal/guest"
)

func init() {
	guest.Hooks.Describe = describe
	guest.Hooks.Begin = begin
	guest.Hooks.Process = process
	guest.Hooks.ProcessBatch = processBatch
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
	c := &Context{cmdlet: cl, vals: make([]Value, n), strs: make([]string, n), isStr: make([]bool, n),
		bound: make([]bool, n), fixed: make([]bool, n)}
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
		c.unbindPipeline()
	}
	n := r.Int()
	for k := int64(0); k < n && r.Err() == nil; k++ {
		i := r.Int()
		if i < 0 || i >= int64(len(c.vals)) {
			return NewError(InvalidOperation, "PluginProtocol", "pinsh bound an unknown parameter")
		}
		if r.Peek() == abi.TagString {
			// Kept unboxed: see Context.strs.
			c.strs[i], c.vals[i], c.isStr[i] = str(r), nil, true
		} else {
			c.vals[i], c.strs[i], c.isStr[i] = dec.value(r, 0), "", false
		}
		c.bound[i] = true
		if fixed {
			c.fixed[i] = true
		}
	}
	if err := r.End(); err != nil {
		return NewError(InvalidOperation, "PluginProtocol", "pinsh sent a malformed message: "+err.Error())
	}
	return nil
}

// bindFast binds a process message of the usual shape (the parameter set
// "", then strings shorter than 128 bytes and objects of types already
// defined, with simple values) by indexing the bytes: the general decoder
// costs about a microsecond per message in a WebAssembly guest, where each
// Go function call and each access to a local spilled to the stack is
// dear. It reports false for any other message, which bind then reads
// from the start (bind unbinds and binds every parameter again, and
// bindFast defines no type, so what it did first does not matter).
//
// lastSimple is the host's word (in a batch record) that the message's last
// value is an object of a type defined before, holding only simple values:
// it then extends to the end of the message and is not walked.
func (c *Context) bindFast(msg []byte, lastSimple bool) bool {
	if len(msg) < 4 || msg[0] != abi.TagString || msg[1] != 0 || msg[2] != abi.TagInt || msg[3]&0x81 != 0 {
		return false
	}
	n := int(msg[3] >> 1) // zigzag of a count under 64
	c.set = ""
	c.unbindPipeline()
	p := 4
	for k := 0; k < n; k++ {
		// The index: TagInt, zigzag of an index under 64.
		if p+4 > len(msg) || msg[p] != abi.TagInt || msg[p+1]&0x81 != 0 || int(msg[p+1]>>1) >= len(c.vals) {
			return false
		}
		i := int(msg[p+1] >> 1)
		p += 2
		switch msg[p] {
		case abi.TagString:
			l := int(msg[p+1])
			if l >= 0x80 || p+2+l > len(msg) {
				return false
			}
			c.strs[i], c.vals[i], c.isStr[i] = view(msg[p+2:p+2+l]), nil, true
			p += 2 + l
		case abi.TagObject:
			ref := int(msg[p+1])
			if ref == 0 || ref >= 0x80 || ref > len(dec.types) {
				return false
			}
			t := dec.types[ref-1]
			end := len(msg)
			if !lastSimple || k != n-1 {
				end = skipSimple(msg, p+2, len(t.props))
			}
			if end < 0 {
				return false
			}
			c.vals[i], c.strs[i], c.isStr[i] = rawObject(t, msg[p+2:end]), "", false
			p = end
		default:
			return false
		}
		c.bound[i] = true
	}
	return p == len(msg)
}

// unbindPipeline forgets the parameters bound from the previous input
// object.
func (c *Context) unbindPipeline() {
	for i := range c.vals {
		if !c.fixed[i] && c.bound[i] {
			c.vals[i], c.strs[i], c.isStr[i], c.bound[i] = nil, "", false, false
		}
	}
}

func process(msg []byte) (status uint32) {
	defer recoverFail(&status)
	if stage.cmd == nil {
		return fail(NewError(InvalidOperation, "PluginProtocol", "process before begin"))
	}
	if err := processRecord(arena(msg), false); err != nil {
		return fail(err)
	}
	return abi.StatusOK
}

// processRecord binds the parameters of one process message (in the arena)
// and runs the command's Process; lastSimple as for bindFast.
func processRecord(msg []byte, lastSimple bool) error {
	if !stage.ctx.bindFast(msg, lastSimple) {
		r := &reader
		r.Reset(msg)
		if err := stage.ctx.bind(r, false); err != nil {
			return err
		}
	}
	return stage.cmd.Process(stage.ctx)
}

// processBatch processes the input objects of a batch message in order,
// as process does one; a terminating error ends the batch (and the stage)
// at its object.
func processBatch(msg []byte) (status uint32) {
	defer recoverFail(&status)
	if stage.cmd == nil {
		return fail(NewError(InvalidOperation, "PluginProtocol", "process before begin"))
	}
	msg = arena(msg)
	n, p := varint(msg, 0)
	if n == 0 {
		p = -1 // a batch holds at least one record
	}
	for ; n > 0 && p > 0; n-- {
		l, q := varint(msg, p)
		if q < 0 || l == 0 || l > uint64(len(msg)-q) {
			break
		}
		rec := msg[q : q+int(l)]
		p = q + int(l)
		if err := processRecord(rec[1:], rec[0]&abi.BatchLastSimple != 0); err != nil {
			return fail(err)
		}
	}
	if n != 0 || p != len(msg) {
		return fail(NewError(InvalidOperation, "PluginProtocol", "pinsh sent a malformed batch message"))
	}
	return abi.StatusOK
}

func end() (status uint32) {
	defer recoverFail(&status)
	if stage.cmd == nil {
		return fail(NewError(InvalidOperation, "PluginProtocol", "end before begin"))
	}
	c := stage.ctx
	c.unbindPipeline()
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
