package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Audit outcomes used by pinsh.
const (
	OutcomeSuccess = "Success"
	OutcomeFailure = "Failure"
	OutcomeDenied  = "Denied"
	OutcomeWhatIf  = "WhatIf"
)

// AuditRecord is one entry of the append-only audit trail. It never holds a
// PIN.
type AuditRecord struct {
	Seq  int64
	Time time.Time
	// Operator is the principal the command ran as; OSAccount the real OS
	// account (they differ under --as).
	Operator  string
	OSAccount string
	Cmdlet    string
	// Target is the object acted on (SIP URI, DN, policy identity, file).
	Target string
	// Action says what was done ("SetPin", "Lock", "Import", ...).
	Action  string
	Outcome string
	WhatIf  bool
	// Detail is free text: a reason, counts. Never a secret.
	Detail   string
	PrevHash string
	Hash     string
}

// auditGenesis is the PrevHash of the first record.
const auditGenesis = "0000000000000000000000000000000000000000000000000000000000000000"

// auditHash is SHA-256 over the previous hash and the record's content,
// each field length-prefixed so that no two records encode alike.
func auditHash(r *AuditRecord) string {
	h := sha256.New()
	var n [8]byte
	put := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	put("pinsh-audit-v1")
	put(r.PrevHash)
	binary.BigEndian.PutUint64(n[:], uint64(r.Seq))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(r.Time.UnixNano()))
	h.Write(n[:])
	put(r.Operator)
	put(r.OSAccount)
	put(r.Cmdlet)
	put(r.Target)
	put(r.Action)
	put(r.Outcome)
	if r.WhatIf {
		put("1")
	} else {
		put("0")
	}
	put(r.Detail)
	return hex.EncodeToString(h.Sum(nil))
}

// AppendAudit appends a record inside the transaction, chaining it to the
// last one. The record's Seq, Time (when zero), PrevHash and Hash are set.
func (tx *Tx) AppendAudit(r *AuditRecord) error {
	var last sql.NullInt64
	var prev sql.NullString
	err := tx.QueryRow(`SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	r.PrevHash = auditGenesis
	if prev.Valid {
		r.PrevHash = prev.String
	}
	// The next rowid of an AUTOINCREMENT table is max(seq, sqlite_sequence)+1.
	var seqNext int64
	if err := tx.QueryRow(`SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0) + 1`).Scan(&seqNext); err != nil {
		return err
	}
	if last.Valid && last.Int64 >= seqNext {
		seqNext = last.Int64 + 1
	}
	r.Seq = seqNext
	if r.Time.IsZero() {
		r.Time = tx.s.Now()
	}
	r.Hash = auditHash(r)
	_, err = tx.Exec(`INSERT INTO audit(seq, time, operator, os_account, cmdlet, target, action, outcome, whatif, detail, prev_hash, hash)
		VALUES(?,?,?,?,?,?,?,?,?,?,?,?)`, r.Seq, r.Time.UnixNano(), r.Operator, r.OSAccount, r.Cmdlet,
		r.Target, r.Action, r.Outcome, r.WhatIf, r.Detail, r.PrevHash, r.Hash)
	return err
}

// AppendAudit appends one record in its own transaction.
func (s *Store) AppendAudit(ctx context.Context, r *AuditRecord) error {
	return s.Write(ctx, func(tx *Tx) error { return tx.AppendAudit(r) })
}

// AuditFilter selects audit records; empty fields match everything. Text
// fields match case-insensitively and exactly.
type AuditFilter struct {
	Operator string
	Target   string
	Cmdlet   string
	Since    time.Time
}

const auditCols = `seq, time, operator, os_account, cmdlet, target, action, outcome, whatif, detail, prev_hash, hash`

func scanAudit(sc scanner, r *AuditRecord) error {
	var t int64
	if err := sc.Scan(&r.Seq, &t, &r.Operator, &r.OSAccount, &r.Cmdlet, &r.Target, &r.Action,
		&r.Outcome, &r.WhatIf, &r.Detail, &r.PrevHash, &r.Hash); err != nil {
		return err
	}
	r.Time = time.Unix(0, t)
	return nil
}

// EachAudit streams the records f selects, oldest first.
func (s *Store) EachAudit(ctx context.Context, f AuditFilter, fn func(*AuditRecord) error) error {
	var where []string
	var args []any
	if f.Operator != "" {
		where = append(where, "operator = ? COLLATE NOCASE")
		args = append(args, f.Operator)
	}
	if f.Target != "" {
		where = append(where, "target = ? COLLATE NOCASE")
		args = append(args, f.Target)
	}
	if f.Cmdlet != "" {
		where = append(where, "cmdlet = ? COLLATE NOCASE")
		args = append(args, f.Cmdlet)
	}
	if !f.Since.IsZero() {
		where = append(where, "time >= ?")
		args = append(args, f.Since.UnixNano())
	}
	q := `SELECT ` + auditCols + ` FROM audit`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.r.QueryContext(ctx, q+" ORDER BY seq", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r AuditRecord
		if err := scanAudit(rows, &r); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AuditProblem is a break in the audit chain.
type AuditProblem struct {
	Seq    int64
	Reason string
}

// String describes the problem.
func (p AuditProblem) String() string { return fmt.Sprintf("record %d: %s", p.Seq, p.Reason) }

// VerifyAudit walks the whole chain and returns every record whose hash does
// not match its content (edited), whose PrevHash does not match the record
// before it (a record deleted or inserted), or whose sequence number skips.
// It also returns the number of records checked.
func (s *Store) VerifyAudit(ctx context.Context) (checked int, problems []AuditProblem, err error) {
	prev := auditGenesis
	var prevSeq int64
	err = s.EachAudit(ctx, AuditFilter{}, func(r *AuditRecord) error {
		checked++
		if r.PrevHash != prev {
			problems = append(problems, AuditProblem{r.Seq, "its link to the previous record is broken (a record was deleted, inserted or edited before it)"})
		} else if r.Seq != prevSeq+1 {
			problems = append(problems, AuditProblem{r.Seq, fmt.Sprintf("records %d to %d are missing", prevSeq+1, r.Seq-1)})
		}
		if auditHash(r) != r.Hash {
			problems = append(problems, AuditProblem{r.Seq, "its content does not match its hash (the record was edited)"})
		}
		prev, prevSeq = r.Hash, r.Seq
		return nil
	})
	if err == nil {
		// A deleted tail leaves sqlite_sequence ahead of the last record.
		var maxSeq int64
		if e := s.r.QueryRowContext(ctx, `SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0)`).Scan(&maxSeq); e == nil && maxSeq > prevSeq {
			problems = append(problems, AuditProblem{maxSeq, fmt.Sprintf("records %d to %d at the end are missing", prevSeq+1, maxSeq)})
		}
	}
	return checked, problems, err
}
