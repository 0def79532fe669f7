package rbac

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"pinsh/host/store"
)

// recorder is an AuditLog that keeps what it is given and can fail.
type recorder struct {
	recs []store.AuditRecord
	err  error
}

func (r *recorder) AppendAudit(_ context.Context, rec *store.AuditRecord) error {
	r.recs = append(r.recs, *rec)
	return r.err
}

// denyOutside denies every cmdlet on targets whose DN is not "CN=ok".
type denyOutside struct{}

func (denyOutside) Allow(op, cmd string, t *Target) error {
	if t == nil || t.DN == "CN=ok" {
		return nil
	}
	return &DeniedError{Operator: op, Cmdlet: cmd, Target: targetName(t), Reason: "outside"}
}

// denyAll denies everything.
type denyAll struct{}

func (denyAll) Allow(op, cmd string, t *Target) error {
	return &DeniedError{Operator: op, Cmdlet: cmd, Target: targetName(t), Reason: "no"}
}

func TestAudited(t *testing.T) {
	ctx := context.Background()
	denied := func(target, detail string) []store.AuditRecord {
		return []store.AuditRecord{{Operator: "CN=op", OSAccount: "alice", Cmdlet: "Lock-CsClientPin",
			Target: target, Action: "Authorize", Outcome: store.OutcomeDenied, Detail: detail}}
	}
	const outsideMsg = `Access denied: operator "CN=op" may not run Lock-CsClientPin on "sip:ken@x": outside.`
	tests := []struct {
		name    string
		decider Decider
		call    func(a Audited) error
		denied  bool
		want    []store.AuditRecord
	}{
		{"allowed records nothing", denyOutside{}, func(a Audited) error {
			d, _ := a.Authorize(ctx, "CN=op", "Lock-CsClientPin", &Target{DN: "CN=ok", Display: "sip:ok@x"})
			return d
		}, false, nil},
		{"denial names the display", denyOutside{}, func(a Audited) error {
			d, _ := a.Authorize(ctx, "CN=op", "Lock-CsClientPin", &Target{DN: "CN=ken", Display: "sip:ken@x"})
			return d
		}, true, denied("sip:ken@x", outsideMsg)},
		{"denial without a display names the DN", denyOutside{}, func(a Audited) error {
			d, _ := a.Authorize(ctx, "CN=op", "Lock-CsClientPin", &Target{DN: "CN=ken"})
			return d
		}, true, denied("CN=ken", `Access denied: operator "CN=op" may not run Lock-CsClientPin on "CN=ken": outside.`)},
		{"no target", denyAll{}, func(a Audited) error {
			d, _ := a.Authorize(ctx, "CN=op", "Lock-CsClientPin", nil)
			return d
		}, true, denied("", `Access denied: operator "CN=op" may not run Lock-CsClientPin: no.`)},
		{"AuthorizeOn decides without a target and records the object", denyAll{}, func(a Audited) error {
			d, _ := a.AuthorizeOn(ctx, "CN=op", "Lock-CsClientPin", "./x.wasm")
			return d
		}, true, denied("./x.wasm", `Access denied: operator "CN=op" may not run Lock-CsClientPin: no.`)},
		{"Allow records like Authorize", denyOutside{}, func(a Audited) error {
			return a.Allow("CN=op", "Lock-CsClientPin", &Target{DN: "CN=ken", Display: "sip:ken@x"})
		}, true, denied("sip:ken@x", outsideMsg)},
		{"Check records nothing", denyOutside{}, func(a Audited) error {
			return a.Check("CN=op", "Lock-CsClientPin", &Target{DN: "CN=ken", Display: "sip:ken@x"})
		}, true, nil},
		{"nil decider allows", nil, func(a Audited) error {
			return a.Allow("CN=op", "Lock-CsClientPin", &Target{DN: "CN=ken"})
		}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &recorder{}
			err := tt.call(Audited{Decider: tt.decider, Log: log, OSAccount: "alice"})
			var d *DeniedError
			if tt.denied != errors.As(err, &d) {
				t.Fatalf("denied=%v, got %v", tt.denied, err)
			}
			if !reflect.DeepEqual(log.recs, tt.want) {
				t.Errorf("records:\n got %+v\nwant %+v", log.recs, tt.want)
			}
		})
	}
}

func TestAuditedLogFailure(t *testing.T) {
	boom := errors.New("disk full")
	a := Audited{Decider: denyAll{}, Log: &recorder{err: boom}}
	denial, auditErr := a.Authorize(context.Background(), "CN=op", "Get-CsUser", nil)
	if denial == nil || !errors.Is(auditErr, boom) {
		t.Fatalf("Authorize = %v, %v; want the denial and the log's error", denial, auditErr)
	}
	if err := a.Allow("CN=op", "Get-CsUser", nil); err == nil {
		t.Fatal("Allow must deny even when the record cannot be written")
	}
	if _, auditErr := (Audited{Decider: denyAll{}}).Authorize(context.Background(), "CN=op", "Get-CsUser", nil); auditErr != nil {
		t.Fatalf("without a log: %v", auditErr)
	}
}
