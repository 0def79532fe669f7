//go:build !wasip1

package sdk

import (
	"strings"
	"testing"

	"pinsh/sdk/abi"
	"pinsh/sdk/internal/guest"
)

// A native run of a Get-CsClientPinInfo-like command, to find the SDK's
// per-record costs (allocations and calls cost 10-20 times more in
// WebAssembly).
type infoCmd struct{ Base }

var infoType = NewType("Microsoft.Rtc.Management.UserPinService.PinInfoDetails",
	P("Identity", KindString), P("IsPinSet", KindBool), P("IsLockedOut", KindBool),
	P("LastPinChangeTime", KindDateTime), P("PinExpirationTime", KindDateTime))

func (g *infoCmd) Process(c *Context) error {
	id := c.String("Identity")
	users, err := c.ResolveUsers(id)
	if err != nil || len(users) == 0 {
		c.WriteError(NotFound(id), id)
		return nil
	}
	for _, u := range users {
		info, err := c.PinInfo(u)
		if err != nil {
			continue
		}
		c.WriteObject(infoType.New(info.Identity, info.IsPinSet, info.IsLockedOut, info.LastPinChangeTime, info.PinExpirationTime))
	}
	return nil
}

// infoForCmd is the same with PinInfoFor (ABI 1.1), as the
// Get-CsClientPinInfo plugin does it.
type infoForCmd struct{ Base }

func (g *infoForCmd) Process(c *Context) error {
	id := c.String("Identity")
	infos, err := c.PinInfoFor(id)
	if err != nil || len(infos) == 0 {
		c.WriteError(NotFound(id), id)
		return nil
	}
	for _, info := range infos {
		if info.Err != nil {
			c.WriteError(info.Err, info.Identity)
			continue
		}
		c.WriteNew(infoType, info.Identity, info.IsPinSet, info.IsLockedOut, info.LastPinChangeTime, info.PinExpirationTime)
	}
	return nil
}

func nativeHost(tb testing.TB) (process []byte, writes *int) {
	return nativeHostFor(tb, func() Command { return &infoCmd{} })
}

func nativeHostFor(tb testing.TB, newCmd func() Command) (process []byte, writes *int) {
	registered = &Plugin{Name: "t", Cmdlets: []Cmdlet{{Name: "Get-X", Params: []Param{{Name: "Identity", Kind: KindString}},
		New: newCmd}}}
	tb.Cleanup(func() { registered = nil })
	userDef := func(def bool) []byte {
		b := []byte{abi.ReplyOK}
		b = abi.AppendListHeader(b, 1)
		b = append(b, abi.TagObject)
		if def {
			b = abi.AppendUvarint(b, 0)
			b = abi.AppendRawString(b, abi.TypeUser)
			b = abi.AppendUvarint(b, 6)
			for _, p := range []string{"Identity", "SipAddress", "DisplayName", "UserPrincipalName", "SamAccountName"} {
				b = append(abi.AppendRawString(b, p), byte(KindString))
			}
			b = append(abi.AppendRawString(b, "Enabled"), byte(KindBool))
		} else {
			b = abi.AppendUvarint(b, 1)
		}
		for _, s := range []string{"CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com", "sip:kenmyer@litwareinc.com", "Ken Myer", "kenmyer@litwareinc.com", `litwareinc\kenmyer`} {
			b = abi.AppendString(b, s)
		}
		return abi.AppendBool(b, true)
	}
	infoDef := func(def bool, ref uint64) []byte {
		b := []byte{abi.ReplyOK, abi.TagObject}
		if def {
			b = abi.AppendUvarint(b, 0)
			b = abi.AppendRawString(b, abi.TypePinInfo)
			b = abi.AppendUvarint(b, 5)
			for _, p := range []string{"Identity", "IsPinSet", "IsLockedOut", "LastPinChangeTime", "PinExpirationTime"} {
				b = append(abi.AppendRawString(b, p), byte(KindAny))
			}
		} else {
			b = abi.AppendUvarint(b, ref)
		}
		b = abi.AppendString(b, "sip:kenmyer@litwareinc.com")
		b = abi.AppendBool(b, true)
		b = abi.AppendBool(b, false)
		b = abi.AppendDateTime(b, 1348580103, 0, abi.ZoneLocal)
		return abi.AppendNull(b)
	}
	infoForDef := func(def bool) []byte {
		b := []byte{abi.ReplyOK}
		b = abi.AppendListHeader(b, 1)
		return append(b, infoDef(def, 1)[1:]...) // the only type defined
	}
	first := map[guest.Service]bool{}
	n := 0
	replies := map[bool][3][]byte{true: {userDef(true), infoDef(true, 2), infoForDef(true)},
		false: {userDef(false), infoDef(false, 2), infoForDef(false)}}
	guest.Native.Call = func(s guest.Service, req []byte) []byte {
		def := !first[s]
		first[s] = true
		switch s {
		case guest.ResolveUsers:
			return replies[def][0]
		case guest.PinInfoFor:
			return replies[def][2]
		}
		return replies[def][1]
	}
	guest.Native.Write = func(kind uint32, b []byte) {
		if kind == abi.WriteFail {
			tb.Fatalf("fail: %q", b)
		}
		n++
	}
	tb.Cleanup(func() { guest.Native.Call, guest.Native.Write = nil, nil })
	begin := abi.AppendString(nil, "Get-X")
	begin = abi.AppendString(begin, "")
	begin = abi.AppendInt(begin, 0)
	if st := guest.Begin(begin); st != abi.StatusOK {
		tb.Fatalf("begin status %d", st)
	}
	p := abi.AppendString(nil, "")
	p = abi.AppendInt(p, 1)
	p = abi.AppendInt(p, 0)
	p = abi.AppendString(p, "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com")
	return p, &n
}

func TestNativeProcess(t *testing.T) {
	p, n := nativeHost(t)
	for i := 0; i < 3; i++ {
		if st := guest.Process(p); st != abi.StatusOK {
			t.Fatalf("status %d", st)
		}
	}
	if *n != 3 {
		t.Fatalf("%d writes", *n)
	}
	if guest.End() != abi.StatusOK {
		t.Fatal("end")
	}
}

func BenchmarkNativeProcess(b *testing.B) {
	p, _ := nativeHost(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		guest.Process(p)
	}
}

func TestNativePinInfoFor(t *testing.T) {
	p, n := nativeHostFor(t, func() Command { return &infoForCmd{} })
	for i := 0; i < 3; i++ {
		if st := guest.Process(p); st != abi.StatusOK {
			t.Fatalf("status %d", st)
		}
	}
	if *n != 3 {
		t.Fatalf("%d writes", *n)
	}
}

// BenchmarkNativePinInfoFor is the SDK's per-record work for
// Get-CsClientPinInfo with PinInfoFor, run natively (WebAssembly costs
// about ten times as much).
func BenchmarkNativePinInfoFor(b *testing.B) {
	p, _ := nativeHostFor(b, func() Command { return &infoForCmd{} })
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		guest.Process(p)
	}
}

// A batch message is processed as its process messages one by one; a
// malformed one fails the stage with a protocol error.
func TestNativeBatch(t *testing.T) {
	p, n := nativeHostFor(t, func() Command { return &infoForCmd{} })
	batch := abi.AppendUvarint(nil, 3)
	for i := 0; i < 3; i++ {
		batch = abi.AppendUvarint(batch, uint64(len(p)))
		batch = append(batch, p...)
	}
	if st := guest.ProcessBatch(batch); st != abi.StatusOK || *n != 3 {
		t.Fatalf("status %d, %d writes, want 0 and 3", st, *n)
	}
	var failed string
	guest.Native.Write = func(kind uint32, b []byte) {
		if kind == abi.WriteFail {
			failed = string(b)
		}
	}
	for _, bad := range [][]byte{
		batch[:len(batch)-1],            // truncated
		append([]byte{4}, batch[1:]...), // claims 4 records, holds 3
		abi.AppendUvarint(nil, 0),       // empty
	} {
		failed = ""
		if st := guest.ProcessBatch(bad); st != abi.StatusFailed || !strings.Contains(failed, "malformed batch") {
			t.Errorf("batch % x...: status %d, fail %q", bad[:min(4, len(bad))], st, failed)
		}
	}
}
