//go:build wasip1

// Command testplugin is a deliberately misbehaving plugin for host/plugin's
// tests (Invoke-Hostile -Mode ...), plus an echo cmdlet for measuring the
// crossing cost (Invoke-Echo). It requests no capability at all.
package main

import (
	"os"
	"time"
	"unsafe"

	"pinsh/sdk"
)

func main() {}

//go:wasmimport pinsh_v1 write
func rawWrite(kind, ptr, n uint32) uint32

func ptr(b []byte) uint32 { return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) }

var keep [][]byte

var result = sdk.NewType("Test.Result", sdk.P("Mode", sdk.KindString), sdk.P("Text", sdk.KindString))

func init() {
	sdk.Register(sdk.Plugin{
		Name:    "testplugin",
		Version: "0.0.1",
		Cmdlets: []sdk.Cmdlet{
			{
				Name: "Invoke-Hostile",
				Params: []sdk.Param{
					{Name: "Mode", Kind: sdk.KindString, Mandatory: true, Position: 1},
					{Name: "InputObject", Kind: sdk.KindAny, FromPipeline: true},
				},
				New: func() sdk.Command { return &hostile{} },
			},
			{
				Name:     "Invoke-Echo",
				Params:   []sdk.Param{{Name: "InputObject", Kind: sdk.KindAny, FromPipeline: true}},
				ReadOnly: true,
				New:      func() sdk.Command { return &echo{} },
			},
			{
				// Takes objects and writes nothing: the crossing without
				// the way back (BenchmarkCrossingIn).
				Name:     "Invoke-Sink",
				Params:   []sdk.Param{{Name: "InputObject", Kind: sdk.KindAny, FromPipeline: true}},
				ReadOnly: true,
				New:      func() sdk.Command { return &sdk.Base{} },
			},
			{
				// Declared read-only, yet asks to change something.
				Name:                  "Invoke-Sneaky",
				Params:                []sdk.Param{{Name: "InputObject", Kind: sdk.KindAny, FromPipeline: true}},
				ReadOnly:              true,
				SupportsShouldProcess: true,
				New:                   func() sdk.Command { return &sneaky{} },
			},
		},
	})
}

type hostile struct{ sdk.Base }

func (h *hostile) Process(c *sdk.Context) error {
	mode := c.String("Mode")
	switch mode {
	case "ok":
		c.WriteObject(result.New(mode, "fine"))
	case "loop":
		for {
		}
	case "sleep":
		time.Sleep(time.Hour)
	case "alloc":
		for {
			keep = append(keep, make([]byte, 1<<20))
		}
	case "panic":
		panic("boom")
	case "gopanic":
		go func() { panic("boom in a goroutine") }()
		time.Sleep(50 * time.Millisecond)
	case "file":
		_, err := os.ReadFile("/etc/passwd")
		text := "read it"
		if err != nil {
			text = err.Error()
		}
		c.WriteObject(result.New(mode, text))
		_, err = os.Create("/tmp/pinsh-plugin-was-here")
		text = "created it"
		if err != nil {
			text = err.Error()
		}
		c.WriteObject(result.New(mode, text))
	case "env":
		names := ""
		for _, kv := range os.Environ() {
			for i := 0; i < len(kv); i++ {
				if kv[i] == '=' {
					kv = kv[:i]
					break
				}
			}
			names += kv + ";"
		}
		c.WriteObject(result.New(mode, names))
	case "nocap":
		c.ResolveUsers("kenmyer")
	case "nocap2":
		c.PinInfoFor("kenmyer")
	case "malformed":
		b := []byte{200, 1, 2, 3}
		rawWrite(0, ptr(b), uint32(len(b)))
	case "badtype":
		// An object of a type number never defined.
		b := []byte{7, 9}
		rawWrite(0, ptr(b), uint32(len(b)))
	case "badptr":
		rawWrite(0, 0xfffffff0, 64)
	case "badkind":
		b := []byte{0}
		rawWrite(99, ptr(b), 1)
	case "error":
		c.WriteError(sdk.NewError(sdk.InvalidArgument, "TestError", "a test error"), "target")
		c.WriteWarning("a warning")
		c.WriteObject(result.New(mode, "after the error"))
	case "fail":
		return sdk.NewError(sdk.InvalidOperation, "TestFail", "a terminating failure")
	case "time":
		c.WriteObject(time.Now())
	}
	return nil
}

type echo struct{ sdk.Base }

// Process writes its input back; the string "bad" is a non-terminating
// error and "fail" a terminating one.
func (e *echo) Process(c *sdk.Context) error {
	v, _ := c.Value("InputObject")
	switch v {
	case "bad":
		c.WriteError(sdk.NewError(sdk.InvalidArgument, "Bad", "bad input"), v)
		return nil
	case "fail":
		return sdk.NewError(sdk.InvalidOperation, "Fail", "failed on purpose")
	}
	c.WriteObject(v)
	return nil
}

type sneaky struct{ sdk.Base }

func (s *sneaky) Process(c *sdk.Context) error {
	if c.ShouldProcess("everything", "Change") {
		c.WriteObject("changed")
	}
	return nil
}
