package plugin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

func TestSetClientPin(t *testing.T) {
	ken := "sip:kenmyer@litwareinc.com"
	tests := []struct {
		name   string
		args   []cmdlet.Arg
		inputs []object.Value
		rt     fakeRuntime
		want   []string
	}{
		{name: "generated", args: named("Identity", `litwareinc\kenmyer`),
			want: []string{"obj @{Identity=" + ken + "; Pin=40917}"}},
		{name: "given, leading zero kept", args: named("Identity", `litwareinc\kenmyer`, "Pin", "0123456"),
			want: []string{"obj @{Identity=" + ken + "; Pin=0123456}"}},
		{name: "given as a number", args: []cmdlet.Arg{{Value: `litwareinc\kenmyer`}, {Value: int64(18723834)}},
			want: []string{"obj @{Identity=" + ken + "; Pin=18723834}"}},
		{name: "not digits", args: named("Identity", `litwareinc\kenmyer`, "Pin", "12a45"),
			want: []string{"err The PIN must contain only digits."}},
		{name: "locked", args: named("Identity", "Pilar Ackerman"),
			want: []string{"err The PIN of sip:pilar@litwareinc.com is locked. Unlock it with Unlock-CsClientPin before setting a new one."}},
		{name: "locked with -Force", args: named("Identity", "Pilar Ackerman", "Force", nil),
			want: []string{"verbose The PIN of sip:pilar@litwareinc.com is locked. Unlock it with Unlock-CsClientPin before setting a new one."}},
		{name: "what if", args: named("Identity", "* Smith", "WhatIf", nil), rt: fakeRuntime{whatIf: true},
			want: []string{
				`whatif Performing the operation "Set-CsClientPin" on target "sip:davids@litwareinc.com".`,
				`whatif Performing the operation "Set-CsClientPin" on target "sip:nancys@litwareinc.com".`}},
		{name: "wildcard", args: named("Identity", "* Smith"),
			want: []string{"obj @{Identity=sip:davids@litwareinc.com; Pin=40917}", "obj @{Identity=sip:nancys@litwareinc.com; Pin=40917}"}},
		{name: "pipeline keeps order", inputs: []object.Value{`litwareinc\kenmyer`, "nobody", "Pilar Ackerman", `litwareinc\davids`},
			want: []string{
				"obj @{Identity=" + ken + "; Pin=40917}",
				`err Management object not found for identity "nobody".`,
				"err The PIN of sip:pilar@litwareinc.com is locked. Unlock it with Unlock-CsClientPin before setting a new one.",
				"obj @{Identity=sip:davids@litwareinc.com; Pin=40917}"}},
		{name: "confirm releases earlier outputs before each prompt", inputs: []object.Value{`litwareinc\kenmyer`, `litwareinc\davids`},
			args: named("Confirm", nil), rt: fakeRuntime{confirm: true},
			want: []string{
				`prompt Performing the operation "Set-CsClientPin" on target "sip:kenmyer@litwareinc.com".`,
				"obj @{Identity=" + ken + "; Pin=40917}",
				`prompt Performing the operation "Set-CsClientPin" on target "sip:davids@litwareinc.com".`,
				"obj @{Identity=sip:davids@litwareinc.com; Pin=40917}"}},
		{name: "PinInfoDetails objects", inputs: []object.Value{object.New(pinInfoType, ken, false, false, nil, nil)},
			want: []string{"obj @{Identity=" + ken + "; Pin=40917}"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svc := newFakeServices()
			_, reg := newManager(t, svc, nil)
			rt := tc.rt
			if err := run(context.Background(), lookup(t, reg, "Set-CsClientPin"), &rt, tc.args, tc.inputs...); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(rt.events, "\n"); got != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", got, strings.Join(tc.want, "\n"))
			}
			if tc.rt.whatIf && len(svc.calls) != 0 {
				t.Errorf("-WhatIf changed something: %v", svc.calls)
			}
		})
	}
}

func TestSetClientPinCommits(t *testing.T) {
	svc := newFakeServices()
	_, reg := newManager(t, svc, nil)
	if err := run(context.Background(), lookup(t, reg, "Set-CsClientPin"), &fakeRuntime{}, named("Identity", `litwareinc\kenmyer`)); err != nil {
		t.Fatal(err)
	}
	st := svc.state["CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com"]
	if !st.set || st.hash == [32]byte{} {
		t.Fatalf("not committed: %+v", st)
	}
	// Get-CsClientPinInfo sees it.
	rt := &fakeRuntime{}
	if err := run(context.Background(), lookup(t, reg, "Get-CsClientPinInfo"), rt, named("Identity", `litwareinc\kenmyer`)); err != nil {
		t.Fatal(err)
	}
	if v, _ := rt.objects[0].(*object.Object).Get("IsPinSet"); v != true {
		t.Errorf("IsPinSet = %v after Set-CsClientPin", v)
	}
}

// TestSetClientPinWindow checks the parallel path: outputs held behind
// pending hashes come out in input order, commits are batched, a failed
// commit replaces its record's output by the error.
func TestSetClientPinWindow(t *testing.T) {
	svc := newFakeServices()
	ids := svc.addUsers(50)
	svc.failDN = ids[17].(string)
	_, reg := newManager(t, svc, func(o *Options) { o.Window = 8 })
	rt := &fakeRuntime{}
	inputs := append([]object.Value{"nobody"}, ids...)
	if err := run(context.Background(), lookup(t, reg, "Set-CsClientPin"), rt, nil, inputs...); err != nil {
		t.Fatal(err)
	}
	var want []string
	want = append(want, `err Management object not found for identity "nobody".`)
	for i := range ids {
		if i == 17 {
			want = append(want, "err the store refused the change")
			continue
		}
		want = append(want, fmt.Sprintf("obj @{Identity=sip:user%d@litwareinc.com; Pin=40917}", i))
	}
	if got := strings.Join(rt.events, "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	if rt.errors[1].Target != "sip:user17@litwareinc.com" || rt.errors[1].Category != cmdlet.InvalidOperation {
		t.Errorf("commit error record %+v", rt.errors[1])
	}
	total := 0
	for _, b := range svc.batches {
		total += b
		if b > 8 {
			t.Errorf("batch of %d exceeds the window", b)
		}
	}
	if total != 50 || len(svc.batches) > 50/4+2 {
		t.Errorf("batches %v", svc.batches)
	}
	t.Logf("commit batches: %v", svc.batches)
	if svc.hashed.Load() != 50 {
		t.Errorf("%d hashes", svc.hashed.Load())
	}
}

func TestSetClientPinDownstreamStops(t *testing.T) {
	svc := newFakeServices()
	_, reg := newManager(t, svc, nil)
	rt := &fakeRuntime{stopAt: 1}
	err := run(context.Background(), lookup(t, reg, "Set-CsClientPin"), rt, nil, `litwareinc\kenmyer`, `litwareinc\davids`)
	if !errors.Is(err, errStopPipeline) {
		t.Fatalf("err = %v, want the engine's stop error passed through", err)
	}
}

func TestSetClientPinDisposed(t *testing.T) {
	svc := newFakeServices()
	ids := svc.addUsers(3)
	_, reg := newManager(t, svc, nil)
	in := lookup(t, reg, "Set-CsClientPin")
	rt := &fakeRuntime{ctx: context.Background(), name: in.Name}
	cmd, args := begin(t, in, rt, nil)
	for _, id := range ids {
		if err := args.BindInput(id); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Process(rt, args); err != nil {
			t.Fatal(err)
		}
	}
	cmd.(interface{ Dispose() }).Dispose()
	if len(svc.batches) != 0 || len(rt.events) != 0 {
		t.Fatalf("an abandoned stage committed or wrote: %v %v", svc.batches, rt.events)
	}
}

func TestLockUnlock(t *testing.T) {
	svc := newFakeServices()
	_, reg := newManager(t, svc, nil)
	ctx := context.Background()
	info := func() string {
		rt := &fakeRuntime{}
		if err := run(ctx, lookup(t, reg, "Get-CsClientPinInfo"), rt, named("Identity", `litwareinc\kenmyer`)); err != nil {
			t.Fatal(err)
		}
		v, _ := rt.objects[0].(*object.Object).Get("IsLockedOut")
		return object.ToString(v)
	}
	rt := &fakeRuntime{}
	if err := run(ctx, lookup(t, reg, "Lock-CsClientPin"), rt, named("Identity", `litwareinc\kenmyer`)); err != nil || len(rt.events) != 0 {
		t.Fatalf("lock: %v %v", err, rt.events)
	}
	if info() != "True" {
		t.Fatal("not locked")
	}
	rt = &fakeRuntime{whatIf: true}
	if err := run(ctx, lookup(t, reg, "Unlock-CsClientPin"), rt, named("Identity", `litwareinc\kenmyer`, "WhatIf", nil)); err != nil {
		t.Fatal(err)
	}
	if info() != "True" || len(rt.events) != 1 || !strings.HasPrefix(rt.events[0], `whatif Performing the operation "Unlock-CsClientPin"`) {
		t.Fatalf("-WhatIf unlocked or did not say so: %v", rt.events)
	}
	// Unlock from PinInfoDetails objects, as in the reference's pipeline.
	rt = &fakeRuntime{}
	piped := object.New(pinInfoType, "sip:kenmyer@litwareinc.com", false, true, nil, nil)
	if err := run(ctx, lookup(t, reg, "Unlock-CsClientPin"), rt, nil, piped); err != nil || len(rt.events) != 0 {
		t.Fatalf("unlock: %v %v", err, rt.events)
	}
	if info() != "False" {
		t.Fatal("not unlocked")
	}
	rt = &fakeRuntime{}
	if err := run(ctx, lookup(t, reg, "Lock-CsClientPin"), rt, named("Identity", "nobody", "Force", nil)); err != nil ||
		len(rt.events) != 1 || !strings.HasPrefix(rt.events[0], "verbose Management object not found") {
		t.Fatalf("-Force: %v %v", err, rt.events)
	}
	for _, c := range svc.calls {
		if strings.HasPrefix(c, "Lock ") && c != `Lock litwareinc\admin Lock-CsClientPin lockpin CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com` {
			t.Errorf("call %q", c)
		}
	}
}
