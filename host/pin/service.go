package pin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"pinsh/host/store"
)

// EnvKey is the environment variable that may hold the PIN key (pepper) as
// hex or base64 instead of the key file.
const EnvKey = "PINSH_PIN_KEY"

// Options configure [New]. The zero value is the production setting.
type Options struct {
	// KeyPath is the key file; default "<store path>.key".
	KeyPath string
	// Key, when set, is the pepper itself (tests, embedding).
	Key []byte
	// Getenv reads the environment (default os.Getenv).
	Getenv func(string) string
	// Clock returns the current time (default time.Now); tests inject one.
	Clock func() time.Time
	// Params are the argon2id parameters for new hashes (default
	// [DefaultParams]).
	Params Params
}

// Service is the PIN security core over one store. It is safe for
// concurrent use.
type Service struct {
	st      *store.Store
	key     []byte
	keyID   string
	keyErr  error
	keyPath string
	clock   func() time.Time
	params  Params
	sem     chan struct{}
}

// AuditInfo says who does a change, for the audit trail.
type AuditInfo struct {
	// Operator is the principal the command runs as; OSAccount the real OS
	// account.
	Operator  string
	OSAccount string
	Cmdlet    string
	WhatIf    bool
}

// New returns the PIN service of a store, loading its key (creating one for
// a store that has none and no PINs yet). A missing or wrong key is not an
// error here: it makes every operation that needs the key fail with a
// message that says what is missing ([Service.KeyError]), while PIN state
// can still be read, locked and unlocked.
func New(ctx context.Context, st *store.Store, opts Options) (*Service, error) {
	s := &Service{st: st, clock: opts.Clock, params: opts.Params, keyPath: opts.KeyPath}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.params == (Params{}) {
		s.params = DefaultParams
	}
	if s.keyPath == "" {
		s.keyPath = st.Path() + ".key"
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	s.sem = make(chan struct{}, runtime.GOMAXPROCS(0))
	if err := s.loadKey(ctx, opts.Key, getenv(EnvKey)); err != nil {
		return nil, err
	}
	return s, nil
}

func keyError(format string, a ...any) error {
	return &PolicyError{RuleKey, fmt.Sprintf(format, a...)}
}

// loadKey finds the pepper and checks it against the fingerprint the store
// recorded. Only database failures are returned; key problems go to keyErr.
func (s *Service) loadKey(ctx context.Context, given []byte, env string) error {
	var key []byte
	source := ""
	switch {
	case given != nil:
		if len(given) != 32 {
			s.keyErr = keyError("The PIN key given to pinsh must be 32 bytes long.")
			return nil
		}
		key, source = given, "the PIN key given to pinsh"
	case strings.TrimSpace(env) != "":
		k, err := decodeKey([]byte(env), false)
		if err != nil {
			s.keyErr = keyError("%s is not a valid PIN key: %v.", EnvKey, err)
			return nil
		}
		key, source = k, EnvKey
	}
	// The usual case needs no write lock: the store records a key id and
	// the key at hand matches it.
	if recorded, _, err := s.st.Setting(ctx, store.SettingPinKeyID); err != nil {
		return err
	} else if recorded != "" {
		k, err := key, error(nil)
		if k == nil {
			k, err = s.readKeyFile()
		}
		if err == nil && keyID(k) == recorded {
			s.key, s.keyID = k, recorded
			return nil
		}
	}
	return s.st.Write(ctx, func(tx *store.Tx) error {
		s.keyErr, s.key, s.keyID = nil, nil, ""
		recorded, _, err := tx.Setting(store.SettingPinKeyID)
		if err != nil {
			return err
		}
		k := key
		src := source
		if k == nil {
			src = "the key file " + s.keyPath
			k, err = s.readKeyFile()
			switch {
			case err == nil:
			case errors.Is(err, os.ErrNotExist):
				if recorded != "" {
					s.keyErr = keyError("The PIN key of this store is missing: the key file %s does not exist and %s is not set. "+
						"The store's PINs were hashed with the key whose id is %s; restore that key file (mode 0600) from your backup or set %s. "+
						"pinsh never creates a new key for an existing store, because that would make every stored PIN unusable.",
						s.keyPath, EnvKey, recorded, EnvKey)
					return nil
				}
				hasPins, err := storeHasPins(tx)
				if err != nil {
					return err
				}
				if hasPins {
					s.keyErr = keyError("The PIN key of this store is missing: the key file %s does not exist and %s is not set, and the store does not record which key its PINs were hashed with.", s.keyPath, EnvKey)
					return nil
				}
				if k, err = s.createKeyFile(); err != nil {
					s.keyErr = keyError("Cannot create the PIN key file %s: %v.", s.keyPath, err)
					return nil
				}
			default:
				s.keyErr = keyError("Cannot use the PIN key file %s: %v.", s.keyPath, err)
				return nil
			}
		}
		id := keyID(k)
		if recorded == "" {
			hasPins, err := storeHasPins(tx)
			if err != nil {
				return err
			}
			if hasPins {
				s.keyErr = keyError("The store has PINs but does not record which key they were hashed with; refusing to adopt %s.", src)
				return nil
			}
			if err := tx.SetSetting(store.SettingPinKeyID, id); err != nil {
				return err
			}
		} else if recorded != id {
			s.keyErr = keyError("The PIN key in %s does not belong to this store: its id is %s, but the store's PINs were hashed with the key whose id is %s. "+
				"Restore the right key file or %s from your backup.", src, id, recorded, EnvKey)
			return nil
		}
		s.key, s.keyID = k, id
		return nil
	})
}

func storeHasPins(tx *store.Tx) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT EXISTS(SELECT 1 FROM pin_state WHERE hash IS NOT NULL)`).Scan(&n)
	return n == 1, err
}

func (s *Service) readKeyFile() ([]byte, error) {
	fi, err := os.Stat(s.keyPath)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("it is readable by other users (mode %04o); run chmod 600 on it", fi.Mode().Perm())
	}
	b, err := os.ReadFile(s.keyPath)
	if err != nil {
		return nil, err
	}
	return decodeKey(b, true)
}

func (s *Service) createKeyFile() ([]byte, error) {
	k := make([]byte, 32)
	if _, err := randRead(k); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(s.keyPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // created by a concurrent first open
			return s.readKeyFile()
		}
		return nil, err
	}
	_, err = fmt.Fprintf(f, "%x\n", k)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(s.keyPath)
		return nil, err
	}
	return k, nil
}

// KeyError returns why the PIN key is unusable, or nil when it is fine.
func (s *Service) KeyError() error { return s.keyErr }

// KeyPath returns the key file the service uses (when PINSH_PIN_KEY is not
// set), so that backups can say where the key must be kept.
func (s *Service) KeyPath() string { return s.keyPath }

// KeyID returns the fingerprint of the key in use ("" when unusable).
func (s *Service) KeyID() string { return s.keyID }

// Params returns the argon2id parameters new hashes use.
func (s *Service) Params() Params { return s.params }

// Store returns the service's store.
func (s *Service) Store() *store.Store { return s.st }

func (s *Service) now() time.Time { return s.clock() }

// EffectivePolicy returns the policy that applies to u: its granted tag
// policy, else the store's site policy, else Global.
func (s *Service) EffectivePolicy(ctx context.Context, u *store.User) (store.PinPolicy, error) {
	if u != nil && u.PinPolicy != "" {
		p, err := s.st.PinPolicy(ctx, store.PolicyKey(store.ScopeTag, u.PinPolicy))
		if err != nil || p != nil {
			return deref(p), err
		}
	}
	site, _, err := s.st.Setting(ctx, store.SettingSite)
	if err != nil {
		return store.PinPolicy{}, err
	}
	if site != "" {
		p, err := s.st.PinPolicy(ctx, store.PolicyKey(store.ScopeSite, site))
		if err != nil || p != nil {
			return deref(p), err
		}
	}
	p, err := s.st.PinPolicy(ctx, store.ScopeGlobal)
	if err != nil {
		return store.PinPolicy{}, err
	}
	if p == nil {
		return store.DefaultPinPolicy(store.ScopeGlobal, ""), nil
	}
	return *p, nil
}

func deref(p *store.PinPolicy) store.PinPolicy {
	if p == nil {
		return store.PinPolicy{}
	}
	return *p
}

// state is a user's row of pin_state.
type state struct {
	exists        bool
	hash          string
	pepperID      string
	setAt         time.Time
	lastChange    time.Time
	expires       time.Time
	locked        bool
	localFails    int
	windowStart   time.Time
	tempLockUntil time.Time
	globalFails   int
}

// stateOf converts the stored row.
func stateOf(p store.PinState) state {
	return state{exists: p.Exists, hash: p.Hash, pepperID: p.PepperID, setAt: p.SetAt,
		lastChange: p.LastChange, expires: p.Expires, locked: p.Locked, localFails: p.LocalFails,
		windowStart: p.WindowStart, tempLockUntil: p.TempLockUntil, globalFails: p.GlobalFails}
}

// loadState reads a user's PIN state inside a write transaction.
func loadState(tx *store.Tx, userID int64) (state, error) {
	p, err := tx.PinState(userID)
	return stateOf(p), err
}

// readState reads a user's PIN state now (one prepared query), for checks
// before a change.
func (s *Service) readState(ctx context.Context, userID int64) (state, error) {
	p, err := s.st.PinState(ctx, userID)
	return stateOf(p), err
}

func nano(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func (st *state) lockedAt(now time.Time) bool {
	return st.locked || (!st.tempLockUntil.IsZero() && now.Before(st.tempLockUntil))
}

// Info is what Get-CsClientPinInfo shows of a user's PIN.
type Info struct {
	// Identity is the user's SIP URI ("sip:...").
	Identity    string
	IsPinSet    bool
	IsLockedOut bool
	// LastPinChangeTime and PinExpirationTime are zero when there is none.
	LastPinChangeTime time.Time
	PinExpirationTime time.Time
}

// Info returns u's PIN state. It needs no key.
func (s *Service) Info(ctx context.Context, u *store.User) (Info, error) {
	p, err := s.st.UserPinState(ctx, u)
	if err != nil {
		return Info{}, err
	}
	return infoOf(u, stateOf(p), s.now()), nil
}

// InfoMany returns the PIN state of many users with one query per 500
// users, for pipelines such as Get-CsUser | Get-CsClientPinInfo over a
// whole directory; out[i] belongs to users[i]. It needs no key.
func (s *Service) InfoMany(ctx context.Context, users []*store.User) ([]Info, error) {
	out := make([]Info, len(users))
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	states, err := s.st.PinStates(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i, u := range users {
		out[i] = infoOf(u, stateOf(states[u.ID]), now)
	}
	return out, nil
}

func infoOf(u *store.User, st state, now time.Time) Info {
	return Info{
		Identity:          u.SipURI(),
		IsPinSet:          st.hash != "",
		IsLockedOut:       st.lockedAt(now),
		LastPinChangeTime: st.lastChange,
		PinExpirationTime: st.expires,
	}
}

func lockedError(u *store.User) error {
	return &PolicyError{RuleLocked, fmt.Sprintf("The PIN for %s is locked. Unlock it with Unlock-CsClientPin before setting a new PIN.", u.SipURI())}
}

// PendingSet is a PIN change that passed every check and waits to be
// hashed ([PendingSet.Hash]) and committed ([Service.CommitSets]).
type PendingSet struct {
	svc       *Service
	user      *store.User
	pin       string
	generated bool
	policy    store.PinPolicy
	hash      string
}

// User returns the user whose PIN is set.
func (p *PendingSet) User() *store.User { return p.user }

// PIN returns the new PIN, to show once to the administrator (a generated
// PIN is shown nowhere else). Never log it.
func (p *PendingSet) PIN() string { return p.pin }

// Generated reports whether the PIN was generated.
func (p *PendingSet) Generated() bool { return p.generated }

// Policy returns the effective policy the PIN was checked against.
func (p *PendingSet) Policy() store.PinPolicy { return p.policy }

// Hashed reports whether [PendingSet.Hash] has run.
func (p *PendingSet) Hashed() bool { return p.hash != "" }

// PrepareSet checks a new PIN for u against u's effective policy, or
// generates one when generate is true (pin is then ignored). It refuses a
// locked user and a store whose key is unusable. It does not hash, so it is
// cheap.
func (s *Service) PrepareSet(ctx context.Context, u *store.User, pin string, generate bool) (*PendingSet, error) {
	if s.keyErr != nil {
		return nil, s.keyErr
	}
	st, err := s.readState(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if st.lockedAt(s.now()) {
		return nil, lockedError(u)
	}
	pol, err := s.EffectivePolicy(ctx, u)
	if err != nil {
		return nil, err
	}
	p := &PendingSet{svc: s, user: u, policy: pol, generated: generate}
	if generate {
		if p.pin, err = Generate(&pol, u); err != nil {
			return nil, err
		}
	} else {
		if err := CheckPIN(pin, &pol, u); err != nil {
			return nil, err
		}
		p.pin = pin
	}
	return p, nil
}

// Hash computes the PIN's argon2id hash: the expensive step. It is safe to
// call concurrently on different sets; at most GOMAXPROCS hashes of one
// Service run at once (each needs Params.Memory of RAM).
func (p *PendingSet) Hash() error {
	s := p.svc
	if s.keyErr != nil {
		return s.keyErr
	}
	salt, err := newSalt()
	if err != nil {
		return err
	}
	s.sem <- struct{}{}
	p.hash = hashPIN(s.key, p.pin, s.params, salt)
	<-s.sem
	return nil
}

// HashAll hashes sets in parallel (GOMAXPROCS at a time) and returns one
// error per set.
func HashAll(sets []*PendingSet) []error {
	errs := make([]error, len(sets))
	var wg sync.WaitGroup
	next := make(chan int)
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if sets[i] != nil && !sets[i].Hashed() {
					errs[i] = sets[i].Hash()
				}
			}
		}()
	}
	for i := range sets {
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}

// CommitSets applies hashed sets in one write transaction, in order. Each
// set is re-checked (the user may have been locked or deleted since
// PrepareSet) and applied atomically with its audit record; a set that
// fails leaves no trace but its failure record and its error in the
// result, and the others go on. When the transaction itself fails, every
// set gets that error and nothing is changed.
func (s *Service) CommitSets(ctx context.Context, sets []*PendingSet, a AuditInfo) []error {
	errs := make([]error, len(sets))
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		now := s.now()
		for i, p := range sets {
			errs[i] = nil
			if p == nil {
				errs[i] = errors.New("no PIN change to commit")
				continue
			}
			if p.svc != s {
				errs[i] = errors.New("the PIN change was prepared by another PIN service")
				continue
			}
			if p.hash == "" {
				errs[i] = fmt.Errorf("the PIN for %s was not hashed before commit", p.user.SipURI())
				continue
			}
			if _, err := tx.Exec(`SAVEPOINT pinset`); err != nil {
				return err
			}
			if e := s.applySet(tx, p, now, a); e != nil {
				if store.IsBusy(e) {
					return e
				}
				if _, err := tx.Exec(`ROLLBACK TO pinset`); err != nil {
					return err
				}
				errs[i] = e
			}
			if _, err := tx.Exec(`RELEASE pinset`); err != nil {
				return err
			}
			if errs[i] != nil {
				if err := tx.AppendAudit(s.record(a, p.user, "SetPin", store.OutcomeFailure, errs[i].Error())); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
	}
	return errs
}

func (s *Service) record(a AuditInfo, u *store.User, action, outcome, detail string) *store.AuditRecord {
	target := ""
	if u != nil {
		target = u.SipURI()
	}
	return &store.AuditRecord{Time: s.now(), Operator: a.Operator, OSAccount: a.OSAccount, Cmdlet: a.Cmdlet,
		Target: target, Action: action, Outcome: outcome, WhatIf: a.WhatIf, Detail: detail}
}

// historyKeep is how many old hashes are kept per user: the largest
// PINHistoryCount a policy may have.
const historyKeep = 20

func (s *Service) applySet(tx *store.Tx, p *PendingSet, now time.Time, a AuditInfo) error {
	u := p.user
	st, err := loadState(tx, u.ID)
	if err != nil {
		return err
	}
	if st.lockedAt(now) {
		return lockedError(u)
	}
	var expires time.Time
	if p.policy.PINLifetime > 0 {
		expires = now.Add(time.Duration(p.policy.PINLifetime) * 24 * time.Hour)
	}
	_, err = tx.Exec(`INSERT INTO pin_state(user_id, hash, pepper_id, set_at, last_change, expires_at)
		VALUES(?, ?, ?, ?, ?, ?)
		ON CONFLICT(user_id) DO UPDATE SET hash = excluded.hash, pepper_id = excluded.pepper_id,
			set_at = excluded.set_at, last_change = excluded.last_change, expires_at = excluded.expires_at,
			local_fails = 0, window_start = NULL, temp_lock_until = NULL`,
		u.ID, p.hash, s.keyID, now.UnixNano(), now.UnixNano(), nano(expires))
	if err != nil {
		if strings.Contains(err.Error(), "FOREIGN KEY") {
			return fmt.Errorf("the user %s no longer exists in the store", u.SipURI())
		}
		return err
	}
	if _, err := tx.Exec(`INSERT INTO pin_history(user_id, hash, pepper_id, set_at) VALUES(?, ?, ?, ?)`,
		u.ID, p.hash, s.keyID, now.UnixNano()); err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM pin_history WHERE user_id = ? AND id NOT IN
		(SELECT id FROM pin_history WHERE user_id = ? ORDER BY id DESC LIMIT ?)`, u.ID, u.ID, historyKeep); err != nil {
		return err
	}
	detail := ""
	if p.generated {
		detail = "generated PIN"
	}
	return tx.AppendAudit(s.record(a, u, "SetPin", store.OutcomeSuccess, detail))
}

// SetPin sets u's PIN on the administrator path (history is not checked):
// the given PIN, or a generated one when generate is true. It returns the
// PIN that was set.
func (s *Service) SetPin(ctx context.Context, u *store.User, pin string, generate bool, a AuditInfo) (string, error) {
	p, err := s.PrepareSet(ctx, u, pin, generate)
	if err != nil {
		s.auditFailure(ctx, a, u, "SetPin", err)
		return "", err
	}
	if err := p.Hash(); err != nil {
		return "", err
	}
	if err := s.CommitSets(ctx, []*PendingSet{p}, a)[0]; err != nil {
		return "", err
	}
	return p.pin, nil
}

// auditFailure records a refused change; a failure to record is ignored
// here because the refusal is already reported to the caller.
func (s *Service) auditFailure(ctx context.Context, a AuditInfo, u *store.User, action string, err error) {
	_ = s.st.AppendAudit(ctx, s.record(a, u, action, store.OutcomeFailure, err.Error()))
}

// SetOwnPin is the self-service path (the Dial-in Conferencing page): like
// SetPin with a given PIN, but the PIN must also differ from the last
// PINHistoryCount PINs.
func (s *Service) SetOwnPin(ctx context.Context, u *store.User, pin string, a AuditInfo) error {
	p, err := s.PrepareSet(ctx, u, pin, false)
	if err != nil {
		s.auditFailure(ctx, a, u, "SetOwnPin", err)
		return err
	}
	if n := p.policy.PINHistoryCount; n > 0 {
		rows, err := s.st.Reader().QueryContext(ctx, `SELECT hash FROM pin_history WHERE user_id = ? ORDER BY id DESC LIMIT ?`, u.ID, n)
		if err != nil {
			return err
		}
		var old []string
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return err
			}
			old = append(old, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, h := range old {
			s.sem <- struct{}{}
			ok, _, verr := verifyPIN(s.key, pin, h)
			<-s.sem
			if verr == nil && ok {
				err := &PolicyError{RuleHistory, fmt.Sprintf("The PIN was used recently. Choose a PIN that differs from the last %d PINs.", n)}
				s.auditFailure(ctx, a, u, "SetOwnPin", err)
				return err
			}
		}
	}
	if err := p.Hash(); err != nil {
		return err
	}
	return s.CommitSets(ctx, []*PendingSet{p}, a)[0]
}

// SetLocked locks (lock true) or unlocks users in one transaction, each
// with its audit record. Locking keeps the PIN; unlocking also resets the
// local and global failure counters and any temporary lock. Locking a
// locked user or unlocking an unlocked one is not an error. It needs no
// key.
func (s *Service) SetLocked(ctx context.Context, users []*store.User, lock bool, a AuditInfo) []error {
	errs := make([]error, len(users))
	action := "Unlock"
	q := `INSERT INTO pin_state(user_id, locked) VALUES(?, 0) ON CONFLICT(user_id) DO UPDATE SET
		locked = 0, local_fails = 0, window_start = NULL, temp_lock_until = NULL, global_fails = 0`
	if lock {
		action = "Lock"
		q = `INSERT INTO pin_state(user_id, locked) VALUES(?, 1) ON CONFLICT(user_id) DO UPDATE SET locked = 1`
	}
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		for i, u := range users {
			errs[i] = nil
			if _, err := tx.Exec(`SAVEPOINT pinlock`); err != nil {
				return err
			}
			_, e := tx.Exec(q, u.ID)
			if e == nil {
				e = tx.AppendAudit(s.record(a, u, action, store.OutcomeSuccess, ""))
			}
			if e != nil {
				if store.IsBusy(e) {
					return e
				}
				if strings.Contains(e.Error(), "FOREIGN KEY") {
					e = fmt.Errorf("the user %s no longer exists in the store", u.SipURI())
				}
				if _, err := tx.Exec(`ROLLBACK TO pinlock`); err != nil {
					return err
				}
				errs[i] = e
			}
			if _, err := tx.Exec(`RELEASE pinlock`); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
	}
	return errs
}

// Lock locks one user's PIN.
func (s *Service) Lock(ctx context.Context, u *store.User, a AuditInfo) error {
	return s.SetLocked(ctx, []*store.User{u}, true, a)[0]
}

// Unlock unlocks one user's PIN and resets its failure counters.
func (s *Service) Unlock(ctx context.Context, u *store.User, a AuditInfo) error {
	return s.SetLocked(ctx, []*store.User{u}, false, a)[0]
}

// Outcome is the result of a verification.
type Outcome int

// The verification outcomes.
const (
	Accepted Outcome = iota
	Wrong
	NotSet
	Locked
	TempLocked
	Expired
)

var outcomeText = [...]string{"accepted", "wrong PIN", "no PIN set", "PIN locked", "PIN temporarily locked", "PIN expired"}

// String names the outcome.
func (o Outcome) String() string { return outcomeText[o] }

// Result is a verification's result.
type Result struct {
	OK      bool
	Outcome Outcome
	// NowLocked is true when this attempt locked the PIN (temporarily or
	// until unlocked); Lock then says which (TempLocked or Locked).
	NowLocked bool
	Lock      Outcome
	// LockedUntil is when a temporary lock set by this attempt ends.
	LockedUntil time.Time
}

// Window and TempLockDuration are the reference's lockout timings.
const (
	Window           = 30 * time.Minute
	TempLockDuration = time.Hour
)

// Verify checks pin against u's PIN with the lockout rules of the package
// documentation, counting the attempt. Any error (database, key) means the
// PIN is refused; the Result is then not OK.
func (s *Service) Verify(ctx context.Context, u *store.User, pin string, a AuditInfo) (Result, error) {
	if s.keyErr != nil {
		return Result{}, s.keyErr
	}
	pol, err := s.EffectivePolicy(ctx, u)
	if err != nil {
		return Result{}, err
	}
	localLimit, globalLimit := Limits(&pol)
	var stored string
	res := Result{Outcome: Wrong}
	reserved := false
	err = s.st.Write(ctx, func(tx *store.Tx) error {
		now := s.now()
		reserved = false
		res = Result{Outcome: Wrong}
		st, err := loadState(tx, u.ID)
		if err != nil {
			return err
		}
		switch {
		case st.locked:
			res.Outcome = Locked
		case !st.tempLockUntil.IsZero() && now.Before(st.tempLockUntil):
			res.Outcome = TempLocked
		case st.hash == "":
			res.Outcome = NotSet
		case !st.expires.IsZero() && !now.Before(st.expires):
			res.Outcome = Expired
		}
		if res.Outcome != Wrong {
			return tx.AppendAudit(s.record(a, u, "VerifyPin", store.OutcomeFailure, res.Outcome.String()))
		}
		// A new window opens when none is open, the last one is over, or a
		// temporary lock has just ended.
		n := now.UnixNano()
		if _, err := tx.Exec(`UPDATE pin_state SET local_fails = 0, window_start = ?, temp_lock_until = NULL
			WHERE user_id = ? AND (window_start IS NULL OR window_start + ? <= ? OR temp_lock_until IS NOT NULL)`,
			n, u.ID, int64(Window), n); err != nil {
			return err
		}
		// Reserve the attempt: count it as a failure before hashing.
		err = tx.QueryRow(`UPDATE pin_state SET local_fails = local_fails + 1, global_fails = global_fails + 1
			WHERE user_id = ? AND locked = 0 AND hash IS NOT NULL AND local_fails < ? AND global_fails < ?
			RETURNING hash`, u.ID, localLimit, globalLimit).Scan(&stored)
		if err == nil {
			reserved = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// No attempt left: lock as the limits say.
		if st, err = loadState(tx, u.ID); err != nil {
			return err
		}
		if res.Outcome, res.NowLocked, err = s.lockForLimits(tx, u, st, now, localLimit, globalLimit, a); err != nil {
			return err
		}
		if res.NowLocked {
			res.Lock, res.LockedUntil = res.Outcome, lockEnd(res.Outcome, now)
		}
		return tx.AppendAudit(s.record(a, u, "VerifyPin", store.OutcomeFailure, res.Outcome.String()))
	})
	if err != nil {
		return Result{}, err
	}
	if !reserved {
		if res.Outcome == NotSet {
			s.DummyHash() // do not reveal by timing that no PIN is set
		}
		return res, nil
	}
	s.sem <- struct{}{}
	ok, h, verr := verifyPIN(s.key, pin, stored)
	<-s.sem
	if verr != nil {
		ok = false // a corrupt hash refuses, and the attempt stays counted
	}
	err = s.st.Write(ctx, func(tx *store.Tx) error {
		now := s.now()
		res = Result{OK: ok, Outcome: Wrong}
		if ok {
			// The PIN may have been locked or replaced while it was hashed.
			cur, err := loadState(tx, u.ID)
			if err != nil {
				return err
			}
			if cur.locked || cur.hash != stored {
				res = Result{Outcome: Locked}
				if !cur.locked {
					res.Outcome = Wrong
				}
				return tx.AppendAudit(s.record(a, u, "VerifyPin", store.OutcomeFailure, "the PIN changed during verification"))
			}
			res.Outcome = Accepted
			if _, err := tx.Exec(`UPDATE pin_state SET local_fails = 0, global_fails = MAX(global_fails - 1, 0)
				WHERE user_id = ?`, u.ID); err != nil {
				return err
			}
			if h.params != s.params || len(h.salt) != saltLen || len(h.sum) != hashLen {
				salt, err := newSalt()
				if err != nil {
					return err
				}
				if _, err := tx.Exec(`UPDATE pin_state SET hash = ?, pepper_id = ? WHERE user_id = ? AND hash = ?`,
					hashPIN(s.key, pin, s.params, salt), s.keyID, u.ID, stored); err != nil {
					return err
				}
			}
			return tx.AppendAudit(s.record(a, u, "VerifyPin", store.OutcomeSuccess, ""))
		}
		st, err := loadState(tx, u.ID)
		if err != nil {
			return err
		}
		detail := res.Outcome.String()
		if verr != nil {
			detail = "stored hash unreadable: " + verr.Error()
		}
		lock, nowLocked, err := s.lockForLimits(tx, u, st, now, localLimit, globalLimit, a)
		if err != nil {
			return err
		}
		if res.NowLocked = nowLocked; nowLocked {
			res.Lock, res.LockedUntil = lock, lockEnd(lock, now)
		}
		return tx.AppendAudit(s.record(a, u, "VerifyPin", store.OutcomeFailure, detail))
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// lockEnd is when a lock set at now ends (zero for a lock that only an
// unlock ends).
func lockEnd(o Outcome, now time.Time) time.Time {
	if o == TempLocked {
		return now.Add(TempLockDuration)
	}
	return time.Time{}
}

// lockForLimits applies the lock the counters call for and reports the
// outcome and whether a lock was set now.
func (s *Service) lockForLimits(tx *store.Tx, u *store.User, st state, now time.Time, localLimit, globalLimit int, a AuditInfo) (Outcome, bool, error) {
	switch {
	case st.globalFails >= globalLimit:
		if st.locked {
			return Locked, false, nil
		}
		if _, err := tx.Exec(`UPDATE pin_state SET locked = 1 WHERE user_id = ?`, u.ID); err != nil {
			return Locked, false, err
		}
		return Locked, true, tx.AppendAudit(s.record(a, u, "LockOut", store.OutcomeSuccess,
			fmt.Sprintf("global limit of %d failed attempts reached", globalLimit)))
	case st.localFails >= localLimit:
		if !st.tempLockUntil.IsZero() && now.Before(st.tempLockUntil) {
			// A concurrent attempt has just set the lock.
			return TempLocked, false, nil
		}
		until := now.Add(TempLockDuration)
		if _, err := tx.Exec(`UPDATE pin_state SET temp_lock_until = ? WHERE user_id = ?`, until.UnixNano(), u.ID); err != nil {
			return TempLocked, false, err
		}
		return TempLocked, true, tx.AppendAudit(s.record(a, u, "TempLockOut", store.OutcomeSuccess,
			fmt.Sprintf("%d failed attempts within %d minutes; locked until %s", localLimit, int(Window/time.Minute), until.UTC().Format(time.RFC3339))))
	}
	return Wrong, false, nil
}

// DummyHash spends the time of one verification, so that callers can
// answer for unknown users in the same time as for known ones.
func (s *Service) DummyHash() {
	var salt [saltLen]byte
	s.sem <- struct{}{}
	_ = hashPIN(make([]byte, 32), "00000", s.params, salt[:])
	<-s.sem
}
