package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PinState is a user's row of pin_state as stored; host/pin gives it
// meaning. Times are zero when NULL. A user without a row has the zero
// PinState (Exists false): no PIN, not locked, no failures.
type PinState struct {
	Exists        bool
	Hash          string
	PepperID      string
	SetAt         time.Time
	LastChange    time.Time
	Expires       time.Time
	Locked        bool
	LocalFails    int
	WindowStart   time.Time
	TempLockUntil time.Time
	GlobalFails   int
}

// pinStateCols reads pin_state as one text record (fields joined with
// \x1f; empty for NULL), or NULL when the user has no row: one column is
// cheaper for the driver than eleven. It names pin_state's columns without
// a table prefix, which is unambiguous in a join with users.
const pinStateCols = `CASE WHEN user_id IS NULL THEN NULL ELSE concat_ws(char(31),
	COALESCE(hash,''), COALESCE(pepper_id,''), COALESCE(set_at,''), COALESCE(last_change,''),
	COALESCE(expires_at,''), locked, local_fails, COALESCE(window_start,''),
	COALESCE(temp_lock_until,''), global_fails) END`

const pinStateFields = 10

// decodePinState fills p from a record made by pinStateCols (NULL: no row).
func decodePinState(rec sql.NullString, p *PinState) error {
	*p = PinState{}
	if !rec.Valid {
		return nil
	}
	var f [pinStateFields]string
	s := rec.String
	for i := 0; i < pinStateFields-1; i++ {
		j := strings.IndexByte(s, 0x1f)
		if j < 0 {
			return fmt.Errorf("corrupt PIN state record: %d fields", i+1)
		}
		f[i], s = s[:j], s[j+1:]
	}
	f[pinStateFields-1] = s
	ints := [7]int64{}
	for i, k := range []int{2, 3, 4, 6, 7, 8, 9} {
		if f[k] == "" {
			continue
		}
		n, err := strconv.ParseInt(f[k], 10, 64)
		if err != nil {
			return fmt.Errorf("corrupt PIN state record: field %d is %q", k+1, f[k])
		}
		ints[i] = n
	}
	t := func(i int, k int) time.Time {
		if f[k] == "" {
			return time.Time{}
		}
		return time.Unix(0, ints[i])
	}
	*p = PinState{Exists: true, Hash: f[0], PepperID: f[1],
		SetAt: t(0, 2), LastChange: t(1, 3), Expires: t(2, 4),
		Locked: f[5] == "1", LocalFails: int(ints[3]), WindowStart: t(4, 7),
		TempLockUntil: t(5, 8), GlobalFails: int(ints[6])}
	return nil
}

const pinStateQuery = `SELECT ` + pinStateCols + ` FROM pin_state WHERE user_id = ?`

func scanPinState(row *sql.Row) (PinState, error) {
	var rec sql.NullString
	var p PinState
	err := row.Scan(&rec)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	return p, decodePinState(rec, &p)
}

// PinState reads a user's PIN state (one prepared query).
func (s *Store) PinState(ctx context.Context, userID int64) (PinState, error) {
	st, err := s.q.stmt(ctx, pinStateQuery)
	if err != nil {
		return PinState{}, err
	}
	return scanPinState(st.QueryRowContext(ctx, userID))
}

// PinState reads a user's PIN state inside the transaction.
func (tx *Tx) PinState(userID int64) (PinState, error) {
	return scanPinState(tx.QueryRow(pinStateQuery, userID))
}

// UserPinState returns u's PIN state: the snapshot read together with u
// when u came from a stream with [UserQuery.Remember] (or from the cache
// of such streams) and nothing has been written through this store since
// that read, else a fresh read.
func (s *Store) UserPinState(ctx context.Context, u *User) (PinState, error) {
	if s.fresh(&u.snap) {
		return u.snap.pin, nil
	}
	return s.PinState(ctx, u.ID)
}

// PinStates reads the PIN state of many users, one query per 500 ids; a
// user without a row is absent from the result (the zero PinState).
func (s *Store) PinStates(ctx context.Context, ids []int64) (map[int64]PinState, error) {
	out := make(map[int64]PinState, len(ids))
	const batch = 500
	for start := 0; start < len(ids); start += batch {
		part := ids[start:min(start+batch, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := s.r.QueryContext(ctx, `SELECT user_id, `+pinStateCols+` FROM pin_state WHERE user_id IN (?`+
			strings.Repeat(",?", len(part)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var rec sql.NullString
			var p PinState
			err := rows.Scan(&id, &rec)
			if err == nil {
				err = decodePinState(rec, &p)
			}
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
