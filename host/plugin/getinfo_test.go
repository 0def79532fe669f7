package plugin

import (
	"context"
	"strings"
	"testing"
	"time"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

var ocsUser = object.NewType("Microsoft.Rtc.Management.ADConnect.Schema.OCSADUser",
	object.P("Identity", object.KindString), object.P("SipAddress", object.KindString),
	object.P("DisplayName", object.KindString))

func TestGetClientPinInfoMetadata(t *testing.T) {
	m, reg, _ := sharedManager(t)
	in := lookup(t, reg, "Get-CsClientPinInfo")
	if in.Source != "getclientpininfo" || !in.SupportsShouldProcess || in.ConfirmImpact != cmdlet.ImpactMedium {
		t.Errorf("info = %+v", in)
	}
	p := in.Param("Identity")
	if p == nil || !p.Mandatory || p.Position != 0 || !p.FromPipeline || !p.FromPipelineByName || p.Kind != object.KindString {
		t.Fatalf("Identity = %+v", p)
	}
	var found *Plugin
	for _, pl := range m.Plugins() {
		if pl.Name == "getclientpininfo" {
			found = pl
		}
	}
	if found == nil || found.Version != "1.0.0" || len(found.Hash) != 64 ||
		strings.Join(found.Capabilities, ",") != "directory.read,pin.read" ||
		strings.Join(found.Granted, ",") != "directory.read,pin.read" {
		t.Fatalf("plugin = %+v", found)
	}
}

func TestGetClientPinInfo(t *testing.T) {
	_, reg, _ := sharedManager(t)
	in := lookup(t, reg, "Get-CsClientPinInfo")
	ken := "Identity=sip:kenmyer@litwareinc.com; IsPinSet=False; IsLockedOut=False; LastPinChangeTime=9/25/2012 1:35:03 PM; PinExpirationTime="
	tests := []struct {
		name   string
		args   []cmdlet.Arg
		inputs []object.Value
		want   []string
	}{
		{"domain logon", named("Identity", `litwareinc\kenmyer`), nil, []string{"obj @{" + ken + "}"}},
		{"positional display name", []cmdlet.Arg{{Value: "Ken Myer"}}, nil, []string{"obj @{" + ken + "}"}},
		{"sip without prefix", named("Identity", "kenmyer@litwareinc.com"), nil, []string{"obj @{" + ken + "}"}},
		{"DN", named("Identity", "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com"), nil, []string{"obj @{" + ken + "}"}},
		{"wildcard", named("Identity", "* Smith"), nil, []string{
			"obj @{Identity=sip:davids@litwareinc.com; IsPinSet=True; IsLockedOut=False; LastPinChangeTime=9/25/2012 1:35:03 PM; PinExpirationTime=12/24/2012 1:35:03 PM}",
			"obj @{Identity=sip:nancys@litwareinc.com; IsPinSet=False; IsLockedOut=False; LastPinChangeTime=9/25/2012 1:35:03 PM; PinExpirationTime=}",
		}},
		{"not found", named("Identity", "nobody"), nil, []string{`err Management object not found for identity "nobody".`}},
		{"service error", named("Identity", "explode"), nil, []string{"err the directory is unavailable"}},
		{"pipeline strings", nil, []object.Value{"litwareinc\\kenmyer", "pilar@litwareinc.com"}, []string{
			"obj @{" + ken + "}",
			"obj @{Identity=sip:pilar@litwareinc.com; IsPinSet=True; IsLockedOut=True; LastPinChangeTime=9/25/2012 1:35:03 PM; PinExpirationTime=12/24/2012 1:35:03 PM}",
		}},
		{"pipeline user objects by Identity property", nil, []object.Value{
			object.New(ocsUser, "CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com", "sip:kenmyer@litwareinc.com", "Ken Myer"),
		}, []string{"obj @{" + ken + "}"}},
		{"pipeline PinInfoDetails objects", nil, []object.Value{
			object.New(pinInfoType, "sip:kenmyer@litwareinc.com", false, false, nil, nil),
		}, []string{"obj @{" + ken + "}"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := &fakeRuntime{}
			if err := run(context.Background(), in, rt, tc.args, tc.inputs...); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(rt.events, "\n"); got != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", got, strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestGetClientPinInfoObject(t *testing.T) {
	_, reg, svc := sharedManager(t)
	rt := &fakeRuntime{}
	if err := run(context.Background(), lookup(t, reg, "Get-CsClientPinInfo"), rt, named("Identity", `litwareinc\davids`)); err != nil {
		t.Fatal(err)
	}
	if len(rt.objects) != 1 {
		t.Fatalf("events %v", rt.events)
	}
	o := rt.objects[0].(*object.Object)
	if o.TypeName() != "Microsoft.Rtc.Management.UserPinService.PinInfoDetails" {
		t.Errorf("type %s", o.TypeName())
	}
	var names []string
	for i := 0; i < o.Len(); i++ {
		n, _ := o.At(i)
		names = append(names, n)
	}
	if strings.Join(names, ",") != "Identity,IsPinSet,IsLockedOut,LastPinChangeTime,PinExpirationTime" {
		t.Errorf("properties %v", names)
	}
	if v, _ := o.Get("LastPinChangeTime"); !v.(time.Time).Equal(changeTime) || v.(time.Time).Location() != time.Local {
		t.Errorf("LastPinChangeTime = %v", v)
	}
	if v, _ := o.Get("IsPinSet"); v != true {
		t.Errorf("IsPinSet = %v", v)
	}
	found := false
	for _, c := range svc.calls {
		if c == `PinInfo litwareinc\admin Get-CsClientPinInfo getclientpininfo CN=David Smith,OU=Finance,DC=litwareinc,DC=com` {
			found = true
		}
	}
	if !found {
		t.Errorf("service calls do not name operator, cmdlet and plugin: %v", svc.calls)
	}
}

func TestGetClientPinInfoDenied(t *testing.T) {
	svc := newFakeServices()
	_, reg := newManager(t, svc, func(o *Options) { o.Authorizer = denyDN("CN=Ken Myer,OU=Finance,DC=litwareinc,DC=com") })
	rt := &fakeRuntime{}
	if err := run(context.Background(), lookup(t, reg, "Get-CsClientPinInfo"), rt, nil, `litwareinc\kenmyer`, `litwareinc\davids`); err != nil {
		t.Fatal(err)
	}
	if len(rt.errors) != 1 || !strings.Contains(rt.errors[0].Error(), `Access denied: operator "litwareinc\\admin" may not run Get-CsClientPinInfo on "sip:kenmyer@litwareinc.com"`) ||
		rt.errors[0].Category != cmdlet.PermissionDenied || rt.errors[0].ID != "AccessDenied" ||
		rt.errors[0].Target != "sip:kenmyer@litwareinc.com" {
		t.Fatalf("errors = %v (target %v, id %q)", rt.errors, rt.errors[0].Target, rt.errors[0].ID)
	}
	if len(rt.objects) != 1 {
		t.Fatalf("the next user was not processed: %v", rt.events)
	}
}
