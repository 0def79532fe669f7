package admincmd

import (
	"time"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	"pinsh/host/store"
)

// AuditType is the type of Get-CsAuditLog's objects.
var AuditType = object.NewType("Pinsh.AuditRecord",
	object.P("Sequence", object.KindInt),
	object.P("Time", object.KindDateTime),
	object.P("Operator", object.KindString),
	object.P("OSAccount", object.KindString),
	object.P("Cmdlet", object.KindString),
	object.P("Target", object.KindString),
	object.P("Action", object.KindString),
	object.P("Outcome", object.KindString),
	object.P("WhatIf", object.KindBool),
	object.P("Detail", object.KindString),
)

// AuditCheckType is the type of Test-CsAuditLog's result.
var AuditCheckType = object.NewType("Pinsh.AuditCheck",
	object.P("IsValid", object.KindBool),
	object.P("RecordsChecked", object.KindInt),
	object.P("Problems", object.KindStringList),
)

func (d *Deps) auditLog() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Get-CsAuditLog",
		Synopsis: "Reads the audit trail: every change and every denial, oldest first. It never holds a PIN.",
		Params: []cmdlet.Param{
			{Name: "Operator", Kind: object.KindString, Position: -1, Help: "Only records of this principal."},
			{Name: "Target", Kind: object.KindString, Position: -1, Help: "Only records about this target (SIP URI, DN, policy)."},
			{Name: "Cmdlet", Kind: object.KindString, Position: -1, Help: "Only records of this cmdlet."},
			{Name: "Since", Kind: object.KindDateTime, Position: -1, Help: "Only records at or after this time."},
		},
		OutputType: AuditType.Name(),
		Examples: []cmdlet.Example{{Code: `Get-CsAuditLog -Cmdlet Set-CsClientPin -Since (Get-Date).AddDays(-1)`,
			Remark: "Yesterday's PIN changes."}},
		Source: "builtin",
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				if ok, err := d.check(rt, nil); !ok {
					return err
				}
				f := store.AuditFilter{Operator: a.String("Operator"), Target: a.String("Target"), Cmdlet: a.String("Cmdlet")}
				if v, ok := a.Get("Since"); ok {
					f.Since, _ = v.(time.Time)
				}
				return d.Store.EachAudit(rt.Context(), f, func(r *store.AuditRecord) error {
					return rt.WriteObject(object.New(AuditType, r.Seq, r.Time, r.Operator, r.OSAccount,
						r.Cmdlet, r.Target, r.Action, r.Outcome, r.WhatIf, r.Detail))
				})
			}}
		},
	}
}

func (d *Deps) testAuditLog() *cmdlet.Info {
	return &cmdlet.Info{
		Name:       "Test-CsAuditLog",
		Synopsis:   "Checks the audit trail's hash chain; an edited or deleted record is reported.",
		OutputType: AuditCheckType.Name(),
		Examples:   []cmdlet.Example{{Code: `Test-CsAuditLog`}},
		Source:     "builtin",
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				if ok, err := d.check(rt, nil); !ok {
					return err
				}
				n, problems, err := d.Store.VerifyAudit(rt.Context())
				if err != nil {
					return err
				}
				list := make([]object.Value, len(problems))
				for i, p := range problems {
					list[i] = p.String()
				}
				if err := rt.WriteObject(object.New(AuditCheckType, len(problems) == 0, int64(n), list)); err != nil {
					return err
				}
				if len(problems) > 0 {
					return rt.WriteError(cmdlet.NewError(cmdlet.SecurityError, "AuditChainBroken", nil,
						&auditBroken{n: len(problems), first: problems[0].String()}))
				}
				return nil
			}}
		},
	}
}

type auditBroken struct {
	n     int
	first string
}

func (e *auditBroken) Error() string {
	return "the audit trail has been tampered with: " + itoa(e.n) + " problem(s), first: " + e.first
}

func itoa(n int) string { return object.ToString(int64(n)) }
