package pin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"pinsh/host/store"
)

var ctx = context.Background()

// cheap keeps unit tests fast; the production parameters are measured by
// BenchmarkHash and checked by TestDefaultParamsPHC.
var cheap = Params{Memory: 64, Time: 1, Threads: 1}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	st    *store.Store
	svc   *Service
	clock *fakeClock
	users []*store.User
}

var admin = AuditInfo{Operator: "CN=Admin,CN=Users,DC=litwareinc,DC=com", OSAccount: "root", Cmdlet: "Set-CsClientPin"}

func newEnv(t testing.TB, nUsers int) *env {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "pin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{st: st, clock: &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}}
	err = st.Write(ctx, func(tx *store.Tx) error {
		w, err := tx.DirectoryWriter()
		if err != nil {
			return err
		}
		defer w.Close()
		for i := 0; i < nUsers; i++ {
			u := &store.User{
				DN:             fmt.Sprintf("CN=User %d,OU=Finance,DC=litwareinc,DC=com", i),
				SamAccountName: fmt.Sprintf("user%d", i), SipAddress: fmt.Sprintf("sip:user%d@litwareinc.com", i),
				DisplayName: fmt.Sprintf("User %d", i), Enabled: true,
				Telephone: "+1 (425) 555-0142", LineURI: "tel:+14255550142;ext=4711",
			}
			if _, err := w.PutUser(u); err != nil {
				return err
			}
			e.users = append(e.users, u)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = e.service(t, Options{})
	return e
}

func (e *env) service(t testing.TB, o Options) *Service {
	t.Helper()
	o.Clock = e.clock.Now
	if o.Params == (Params{}) {
		o.Params = cheap
	}
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	svc, err := New(ctx, e.st, o)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func (e *env) setPolicy(t testing.TB, p store.PinPolicy) {
	t.Helper()
	if err := e.st.Write(ctx, func(tx *store.Tx) error { return tx.PutPinPolicy(&p) }); err != nil {
		t.Fatal(err)
	}
}

func TestCheckPIN(t *testing.T) {
	pol := store.DefaultPinPolicy(store.ScopeGlobal, "")
	u := &store.User{Telephone: "+1 (425) 555-0100", LineURI: "tel:+14255550199;ext=98765"}
	const common = "The PIN contains a common pattern (%s), which is not allowed by the PIN policy."
	tests := []struct {
		pin  string
		rule Rule
		msg  string
	}{
		{"58214", "", ""},
		{"05821", "", ""}, // leading zero kept
		{"0582", RuleTooShort, "The PIN must be at least 5 digits long."},
		{"", RuleTooShort, "The PIN must be at least 5 digits long."},
		{"1234567890123456789012587", RuleTooLong, "The PIN must be at most 24 digits long."},
		{"5821a", RuleDigits, "The PIN must contain only digits."},
		{"58 214", RuleDigits, "The PIN must contain only digits."},
		{"-58214", RuleDigits, "The PIN must contain only digits."},
		{"+58214", RuleDigits, "The PIN must contain only digits."},
		{"٥٨٢١٤", RuleDigits, "The PIN must contain only digits."}, // Arabic-Indic
		{"５８２１４", RuleDigits, "The PIN must contain only digits."}, // full-width
		{"582١4", RuleDigits, "The PIN must contain only digits."}, // one Arabic-Indic digit
		{"582a", RuleDigits, "The PIN must contain only digits."},  // too short too, but digits first
		{"22222", RuleAllSame, fmt.Sprintf(common, "all its digits are the same")},
		{"000000", RuleAllSame, fmt.Sprintf(common, "all its digits are the same")},
		{"11223344", RuleRepeatRuns, fmt.Sprintf(common, "it is made of runs of repeated digits, like 11223344")},
		{"225577", RuleRepeatRuns, fmt.Sprintf(common, "it is made of runs of repeated digits, like 11223344")},
		{"1122334", "", ""}, // the last 4 is alone
		{"12345", RuleSequence, fmt.Sprintf(common, "it has four or more consecutive ascending or descending digits, like 1234 or 4321")},
		{"991234", RuleSequence, fmt.Sprintf(common, "it has four or more consecutive ascending or descending digits, like 1234 or 4321")},
		{"54321", RuleSequence, fmt.Sprintf(common, "it has four or more consecutive ascending or descending digits, like 1234 or 4321")},
		{"97890", RuleSequence, fmt.Sprintf(common, "it has four or more consecutive ascending or descending digits, like 1234 or 4321")}, // 7890 wraps
		{"51098", RuleSequence, fmt.Sprintf(common, "it has four or more consecutive ascending or descending digits, like 1234 or 4321")}, // 1098
		{"12358", "", ""}, // 123 is only three
		{"55501", RulePhone, fmt.Sprintf(common, "it matches the digits of the user's phone number or extension")},
		{"14255550100", RulePhone, fmt.Sprintf(common, "it matches the digits of the user's phone number or extension")},
		{"50199", RulePhone, fmt.Sprintf(common, "it matches the digits of the user's phone number or extension")}, // LineURI
		{"98765", RuleSequence, ""}, // the extension, but the sequence rule comes first
		{"425559", "", ""},
	}
	for _, tt := range tests {
		err := CheckPIN(tt.pin, &pol, u)
		if tt.rule == "" {
			if err != nil {
				t.Errorf("CheckPIN(%q) = %v, want ok", tt.pin, err)
			}
			continue
		}
		var pe *PolicyError
		if !errors.As(err, &pe) || pe.Rule != tt.rule || (tt.msg != "" && pe.Msg != tt.msg) {
			t.Errorf("CheckPIN(%q) = %v, want %s %q", tt.pin, err, tt.rule, tt.msg)
		}
	}
	// The extension rule on its own.
	u2 := &store.User{LineURI: "tel:+14255550100;ext=83917"}
	if err := CheckPIN("83917", &pol, u2); err == nil || err.(*PolicyError).Rule != RulePhone {
		t.Errorf("extension: %v", err)
	}
	// AllowCommonPatterns lifts rules (a)-(d) but not digits and length.
	pol.AllowCommonPatterns = true
	for _, pin := range []string{"22222", "12345", "11223344", "55501"} {
		if err := CheckPIN(pin, &pol, u); err != nil {
			t.Errorf("AllowCommonPatterns: CheckPIN(%q) = %v", pin, err)
		}
	}
	if err := CheckPIN("1234", &pol, u); err == nil {
		t.Error("AllowCommonPatterns lifted the length rule")
	}
	pol.MinPasswordLength = 8
	if err := CheckPIN("1234567", &pol, u); err == nil || err.Error() != "The PIN must be at least 8 digits long." {
		t.Errorf("min 8: %v", err)
	}
}

func TestGenerate(t *testing.T) {
	u := &store.User{LineURI: "tel:+14255550100;ext=100"}
	for _, n := range []int{4, 5, 8, 24} {
		pol := store.DefaultPinPolicy(store.ScopeGlobal, "")
		pol.MinPasswordLength = n
		seen := map[string]bool{}
		for i := 0; i < 200; i++ {
			p, err := Generate(&pol, u)
			if err != nil {
				t.Fatal(err)
			}
			if len(p) != n {
				t.Fatalf("Generate(%d) = %q", n, p)
			}
			if err := CheckPIN(p, &pol, u); err != nil {
				t.Fatalf("Generate(%d) = %q, which fails: %v", n, p, err)
			}
			seen[p] = true
		}
		if len(seen) < 150 {
			t.Errorf("Generate(%d): only %d distinct PINs in 200", n, len(seen))
		}
	}
	// Digit frequencies are roughly uniform.
	var count [10]int
	pol := store.DefaultPinPolicy(store.ScopeGlobal, "")
	pol.AllowCommonPatterns = true
	pol.MinPasswordLength = 24
	for i := 0; i < 500; i++ {
		p, _ := Generate(&pol, nil)
		for _, c := range p {
			count[c-'0']++
		}
	}
	for d, c := range count {
		if c < 1000 || c > 1400 { // expected 1200
			t.Errorf("digit %d drawn %d times of 12000", d, c)
		}
	}
}

func TestValidatePolicy(t *testing.T) {
	tests := []struct {
		mod  func(p *store.PinPolicy)
		want string
	}{
		{func(p *store.PinPolicy) {}, ""},
		{func(p *store.PinPolicy) { p.MinPasswordLength = 3 }, "Cannot validate argument on parameter 'MinPasswordLength'. The 3 argument is less than the minimum allowed range of 4."},
		{func(p *store.PinPolicy) { p.MinPasswordLength = 25 }, "The 25 argument is greater than the maximum allowed range of 24."},
		{func(p *store.PinPolicy) { p.PINHistoryCount = 21 }, "'PINHistoryCount'. The 21 argument is greater"},
		{func(p *store.PinPolicy) { p.PINLifetime = 1000; p.PINHistoryCount = 1 }, "'PINLifetime'. The 1000 argument"},
		{func(p *store.PinPolicy) { p.MaximumLogonAttempts = 1000 }, "'MaximumLogonAttempts'. The 1000 argument"},
		{func(p *store.PinPolicy) { p.PINLifetime = 30 }, "When PINLifetime is greater than 0, PINHistoryCount must also be greater than 0"},
		{func(p *store.PinPolicy) { p.PINLifetime = 30; p.PINHistoryCount = 1 }, ""},
	}
	for i, tt := range tests {
		p := store.DefaultPinPolicy(store.ScopeTag, "x")
		tt.mod(&p)
		err := ValidatePolicy(&p)
		if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("case %d: ValidatePolicy = %v, want %q", i, err, tt.want)
		}
	}
	if l, g := Limits(&store.PinPolicy{MinPasswordLength: 4}); l != 10 || g != 100 {
		t.Errorf("limits 4: %d %d", l, g)
	}
	if l, g := Limits(&store.PinPolicy{MinPasswordLength: 5}); l != 25 || g != 1000 {
		t.Errorf("limits 5: %d %d", l, g)
	}
	if l, g := Limits(&store.PinPolicy{MinPasswordLength: 6, MaximumLogonAttempts: 3}); l != 3 || g != 5000 {
		t.Errorf("limits 6/3: %d %d", l, g)
	}
}

func TestDefaultParamsPHC(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	salt := bytes.Repeat([]byte{1}, 16)
	h := hashPIN(key, "58214", DefaultParams, salt)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$AQEBAQEBAQEBAQEBAQEBAQ$") {
		t.Errorf("PHC = %s", h)
	}
	ok, parsed, err := verifyPIN(key, "58214", h)
	if !ok || err != nil || parsed.params != DefaultParams {
		t.Errorf("verify = %v %v %+v", ok, err, parsed)
	}
	if ok, _, _ := verifyPIN(key, "58215", h); ok {
		t.Error("wrong PIN verified")
	}
	if ok, _, _ := verifyPIN(bytes.Repeat([]byte{8}, 32), "58214", h); ok {
		t.Error("PIN verified under another pepper")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=0,t=1,p=1$AA$AA",
		"$argon2id$v=19$m=64,t=1,p=1$!!$AA", "$argon2id$v=18$m=64,t=1,p=1$AA$AA", "$argon2id$v=19$m=64,t=1,p=1,x=2$AA$AA"} {
		if _, err := parsePHC(bad); err == nil {
			t.Errorf("parsePHC(%q) accepted", bad)
		}
	}
}

func TestSetPinInfoLockUnlock(t *testing.T) {
	e := newEnv(t, 2)
	u := e.users[0]
	info, err := e.svc.Info(ctx, u)
	if err != nil || info.IsPinSet || info.IsLockedOut || info.Identity != "sip:user0@litwareinc.com" || !info.LastPinChangeTime.IsZero() {
		t.Fatalf("initial info = %+v, %v", info, err)
	}
	if _, err := e.svc.SetPin(ctx, u, "1234", false, admin); err == nil || err.Error() != "The PIN must be at least 5 digits long." {
		t.Errorf("short PIN: %v", err)
	}
	pin, err := e.svc.SetPin(ctx, u, "", true, admin)
	if err != nil || len(pin) != 5 {
		t.Fatalf("generated: %q %v", pin, err)
	}
	info, _ = e.svc.Info(ctx, u)
	if !info.IsPinSet || !info.LastPinChangeTime.Equal(e.clock.Now()) || !info.PinExpirationTime.IsZero() {
		t.Errorf("after set: %+v", info)
	}
	if r, err := e.svc.Verify(ctx, u, pin, admin); err != nil || !r.OK {
		t.Errorf("verify generated: %+v %v", r, err)
	}
	// Lock keeps the PIN; setting is refused while locked.
	if err := e.svc.Lock(ctx, u, admin); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Lock(ctx, u, admin); err != nil {
		t.Errorf("lock twice: %v", err)
	}
	info, _ = e.svc.Info(ctx, u)
	if !info.IsPinSet || !info.IsLockedOut {
		t.Errorf("locked info: %+v", info)
	}
	want := "The PIN for sip:user0@litwareinc.com is locked. Unlock it with Unlock-CsClientPin before setting a new PIN."
	if _, err := e.svc.SetPin(ctx, u, "58214", false, admin); err == nil || err.Error() != want {
		t.Errorf("set while locked: %v", err)
	}
	if r, _ := e.svc.Verify(ctx, u, pin, admin); r.OK || r.Outcome != Locked {
		t.Errorf("verify while locked: %+v", r)
	}
	if err := e.svc.Unlock(ctx, u, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetPin(ctx, u, "58214", false, admin); err != nil {
		t.Errorf("set after unlock: %v", err)
	}
	// Lock a user who has no PIN: IsPinSet stays false.
	if err := e.svc.Lock(ctx, e.users[1], admin); err != nil {
		t.Fatal(err)
	}
	if info, _ := e.svc.Info(ctx, e.users[1]); info.IsPinSet || !info.IsLockedOut {
		t.Errorf("lock without PIN: %+v", info)
	}
	// Every change is audited, never with a PIN.
	var actions []string
	e.st.EachAudit(ctx, store.AuditFilter{}, func(r *store.AuditRecord) error {
		actions = append(actions, r.Action+"/"+r.Outcome)
		for _, f := range []string{r.Detail, r.Target, r.Action} {
			if strings.Contains(f, pin) || strings.Contains(f, "58214") {
				t.Errorf("audit record %d holds a PIN: %+v", r.Seq, r)
			}
		}
		return nil
	})
	got := strings.Join(actions, " ")
	if got != "SetPin/Failure SetPin/Success VerifyPin/Success Lock/Success Lock/Success SetPin/Failure VerifyPin/Failure Unlock/Success SetPin/Success Lock/Success" {
		t.Errorf("audit = %s", got)
	}
}

func TestInfoMany(t *testing.T) {
	e := newEnv(t, 1203)
	for i, u := range e.users {
		switch i % 3 {
		case 1:
			if _, err := e.svc.SetPin(ctx, u, "", true, admin); err != nil {
				t.Fatal(err)
			}
		case 2:
			e.svc.Lock(ctx, u, admin)
		}
		if i > 20 {
			break
		}
	}
	users := append(append([]*store.User{}, e.users...), e.users[1]) // a duplicate too
	infos, err := e.svc.InfoMany(ctx, users)
	if err != nil || len(infos) != len(users) {
		t.Fatal(err)
	}
	for i, u := range users {
		one, _ := e.svc.Info(ctx, u)
		if infos[i] != one {
			t.Fatalf("user %d: InfoMany %+v, Info %+v", i, infos[i], one)
		}
	}
}

func TestCommitSetsPerSetErrors(t *testing.T) {
	e := newEnv(t, 4)
	var sets []*PendingSet
	for _, u := range e.users {
		p, err := e.svc.PrepareSet(ctx, u, "", true)
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, p)
	}
	for i, err := range HashAll(sets) {
		if err != nil {
			t.Fatalf("hash %d: %v", i, err)
		}
	}
	// User 2 is locked between prepare and commit.
	if err := e.svc.Lock(ctx, e.users[2], admin); err != nil {
		t.Fatal(err)
	}
	errs := e.svc.CommitSets(ctx, sets, admin)
	for i, err := range errs {
		if (i == 2) != (err != nil) {
			t.Errorf("set %d: %v", i, err)
		}
	}
	for i, u := range e.users {
		info, _ := e.svc.Info(ctx, u)
		if info.IsPinSet != (i != 2) {
			t.Errorf("user %d IsPinSet = %v", i, info.IsPinSet)
		}
		if i != 2 {
			if r, _ := e.svc.Verify(ctx, u, sets[i].PIN(), admin); !r.OK {
				t.Errorf("user %d: committed PIN does not verify", i)
			}
		}
	}
	// A set that was never hashed is an error for that set only.
	p, _ := e.svc.PrepareSet(ctx, e.users[0], "", true)
	if errs := e.svc.CommitSets(ctx, []*PendingSet{p}, admin); errs[0] == nil || !strings.Contains(errs[0].Error(), "not hashed") {
		t.Errorf("unhashed: %v", errs[0])
	}
}

func TestLockoutLocal(t *testing.T) {
	e := newEnv(t, 1)
	u := e.users[0]
	pol := store.DefaultPinPolicy(store.ScopeGlobal, "")
	pol.MaximumLogonAttempts = 3
	e.setPolicy(t, pol)
	if _, err := e.svc.SetPin(ctx, u, "58214", false, admin); err != nil {
		t.Fatal(err)
	}
	verify := func(pin string) Result {
		t.Helper()
		r, err := e.svc.Verify(ctx, u, pin, admin)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// Two failures, then the window passes: the count starts again.
	verify("11111")
	verify("11111")
	e.clock.Add(31 * time.Minute)
	verify("11111")
	verify("11111")
	if r := verify("58214"); !r.OK {
		t.Fatalf("right PIN refused after window reset: %+v", r)
	}
	// A success resets the local counter.
	verify("11111")
	verify("11111")
	if r := verify("11111"); r.OK || !r.NowLocked || r.Outcome != Wrong {
		t.Fatalf("third failure: %+v", r)
	}
	if r := verify("58214"); r.OK || r.Outcome != TempLocked {
		t.Errorf("right PIN during the temporary lock: %+v", r)
	}
	if info, _ := e.svc.Info(ctx, u); !info.IsLockedOut {
		t.Errorf("IsLockedOut false during the temporary lock")
	}
	e.clock.Add(59 * time.Minute)
	if r := verify("58214"); r.Outcome != TempLocked {
		t.Errorf("after 59 minutes: %+v", r)
	}
	e.clock.Add(2 * time.Minute)
	if r := verify("58214"); !r.OK {
		t.Errorf("after the hour: %+v", r)
	}
	// Global counter: 4 failures so far, none reset by successes.
	var global int
	e.st.Reader().QueryRow(`SELECT global_fails FROM pin_state WHERE user_id = ?`, u.ID).Scan(&global)
	if global != 7 {
		t.Errorf("global_fails = %d, want 7", global)
	}
}

func TestLockoutGlobalAndUnlock(t *testing.T) {
	e := newEnv(t, 1)
	u := e.users[0]
	pol := store.DefaultPinPolicy(store.ScopeGlobal, "")
	pol.MinPasswordLength = 4 // global limit 100
	pol.MaximumLogonAttempts = 999
	e.setPolicy(t, pol)
	if _, err := e.svc.SetPin(ctx, u, "5821", false, admin); err != nil {
		t.Fatal(err)
	}
	var last Result
	for i := 0; i < 100; i++ {
		last, _ = e.svc.Verify(ctx, u, "0000", admin)
		if i%10 == 9 {
			e.clock.Add(time.Minute)
		}
	}
	if !last.NowLocked {
		t.Errorf("100th failure did not lock: %+v", last)
	}
	if r, _ := e.svc.Verify(ctx, u, "5821", admin); r.Outcome != Locked {
		t.Errorf("right PIN after global lock: %+v", r)
	}
	e.clock.Add(48 * time.Hour)
	if r, _ := e.svc.Verify(ctx, u, "5821", admin); r.Outcome != Locked {
		t.Errorf("global lock expired by itself: %+v", r)
	}
	if err := e.svc.Unlock(ctx, u, admin); err != nil {
		t.Fatal(err)
	}
	if r, _ := e.svc.Verify(ctx, u, "5821", admin); !r.OK {
		t.Errorf("after unlock: %+v", r)
	}
	if r, _ := e.svc.Verify(ctx, u, "0000", admin); r.OK || r.NowLocked {
		t.Errorf("counter not reset by unlock: %+v", r)
	}
}

func TestLockoutConcurrentGuesses(t *testing.T) {
	e := newEnv(t, 1)
	u := e.users[0]
	pol := store.DefaultPinPolicy(store.ScopeGlobal, "")
	pol.MaximumLogonAttempts = 5
	e.setPolicy(t, pol)
	if _, err := e.svc.SetPin(ctx, u, "58214", false, admin); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[Outcome]int{}
	locks := 0
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := e.svc.Verify(ctx, u, "00000", admin)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			outcomes[r.Outcome]++
			if r.NowLocked {
				locks++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if outcomes[Wrong] != 5 || outcomes[TempLocked] != 35 {
		t.Errorf("outcomes = %v, want 5 checked against the hash and 35 refused", outcomes)
	}
	if locks != 1 {
		t.Errorf("%d attempts report that they set the lock, want 1", locks)
	}
}

func TestExpiryAndHistory(t *testing.T) {
	e := newEnv(t, 1)
	u := e.users[0]
	pol := store.DefaultPinPolicy(store.ScopeGlobal, "")
	pol.PINLifetime = 30
	pol.PINHistoryCount = 2
	e.setPolicy(t, pol)
	set := e.clock.Now()
	if _, err := e.svc.SetPin(ctx, u, "58214", false, admin); err != nil {
		t.Fatal(err)
	}
	info, _ := e.svc.Info(ctx, u)
	if want := set.Add(30 * 24 * time.Hour); !info.PinExpirationTime.Equal(want) {
		t.Errorf("PinExpirationTime = %v, want %v", info.PinExpirationTime, want)
	}
	e.clock.Add(30*24*time.Hour - time.Second)
	if r, _ := e.svc.Verify(ctx, u, "58214", admin); !r.OK {
		t.Errorf("before expiry: %+v", r)
	}
	e.clock.Add(time.Second)
	if r, _ := e.svc.Verify(ctx, u, "58214", admin); r.OK || r.Outcome != Expired {
		t.Errorf("at expiry: %+v", r)
	}
	// Self-service enforces history (the current PIN included)...
	self := AuditInfo{Operator: u.DN, Cmdlet: "Set-CsOwnPin"}
	if err := e.svc.SetOwnPin(ctx, u, "58214", self); err == nil || err.(*PolicyError).Rule != RuleHistory {
		t.Errorf("reuse of the current PIN: %v", err)
	}
	if err := e.svc.SetOwnPin(ctx, u, "69325", self); err != nil {
		t.Fatal(err)
	}
	if r, _ := e.svc.Verify(ctx, u, "69325", admin); !r.OK {
		t.Errorf("new PIN after expiry: %+v", r)
	}
	if err := e.svc.SetOwnPin(ctx, u, "58214", self); err == nil {
		t.Error("PIN from 2 changes ago accepted with history 2")
	}
	if err := e.svc.SetOwnPin(ctx, u, "70436", self); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetOwnPin(ctx, u, "58214", self); err != nil {
		t.Errorf("PIN from 3 changes ago refused with history 2: %v", err)
	}
	// ...the administrator path does not.
	if _, err := e.svc.SetPin(ctx, u, "58214", false, admin); err != nil {
		t.Errorf("admin reuse: %v", err)
	}
}

func TestEffectivePolicy(t *testing.T) {
	e := newEnv(t, 1)
	u := *e.users[0]
	get := func() string {
		p, err := e.svc.EffectivePolicy(ctx, &u)
		if err != nil {
			t.Fatal(err)
		}
		return p.Identity()
	}
	if g := get(); g != "Global" {
		t.Errorf("no policies: %s", g)
	}
	e.setPolicy(t, store.DefaultPinPolicy(store.ScopeSite, "Redmond"))
	if g := get(); g != "Global" {
		t.Errorf("site policy without the site setting: %s", g)
	}
	e.st.SetSetting(ctx, store.SettingSite, "redmond")
	if g := get(); g != "Site:Redmond" {
		t.Errorf("site: %s", g)
	}
	u.PinPolicy = "RedmondPinPolicy"
	if g := get(); g != "Site:Redmond" {
		t.Errorf("dangling tag: %s", g)
	}
	e.setPolicy(t, store.DefaultPinPolicy(store.ScopeTag, "RedmondPinPolicy"))
	if g := get(); g != "Tag:RedmondPinPolicy" {
		t.Errorf("tag: %s", g)
	}
}

func TestRehashOnVerify(t *testing.T) {
	e := newEnv(t, 1)
	u := e.users[0]
	if _, err := e.svc.SetPin(ctx, u, "58214", false, admin); err != nil {
		t.Fatal(err)
	}
	stronger := e.service(t, Options{Params: Params{Memory: 128, Time: 2, Threads: 1}})
	if r, _ := stronger.Verify(ctx, u, "00000", admin); r.OK {
		t.Fatal("wrong PIN accepted")
	}
	var h string
	e.st.Reader().QueryRow(`SELECT hash FROM pin_state`).Scan(&h)
	if !strings.Contains(h, "m=64,t=1") {
		t.Errorf("a failed verification re-hashed: %s", h)
	}
	if r, _ := stronger.Verify(ctx, u, "58214", admin); !r.OK {
		t.Fatal("right PIN refused")
	}
	e.st.Reader().QueryRow(`SELECT hash FROM pin_state`).Scan(&h)
	if !strings.Contains(h, "$m=128,t=2,p=1$") {
		t.Errorf("not re-hashed with the new parameters: %s", h)
	}
	if r, _ := e.svc.Verify(ctx, u, "58214", admin); !r.OK {
		t.Error("re-hashed PIN refused by the old service")
	}
}

func TestKeyHandling(t *testing.T) {
	e := newEnv(t, 1)
	u := e.users[0]
	keyPath := e.st.Path() + ".key"
	fi, err := os.Stat(keyPath)
	if err != nil {
		t.Fatalf("no key file created: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %o", fi.Mode().Perm())
	}
	if _, err := e.svc.SetPin(ctx, u, "58214", false, admin); err != nil {
		t.Fatal(err)
	}
	keyText, _ := os.ReadFile(keyPath)

	// Reopening finds the same key.
	if r, _ := e.service(t, Options{}).Verify(ctx, u, "58214", admin); !r.OK {
		t.Error("PIN refused after reopening")
	}
	// The same key through the environment, in hex and base64.
	hexKey := strings.TrimSpace(string(keyText))
	os.Rename(keyPath, keyPath+".bak")
	envSvc := e.service(t, Options{Getenv: func(string) string { return hexKey }})
	if r, err := envSvc.Verify(ctx, u, "58214", admin); !r.OK {
		t.Errorf("PINSH_PIN_KEY (hex): %+v %v", r, err)
	}
	// Missing key file: a clear error, and no new key file.
	missing := e.service(t, Options{})
	for _, err := range []error{missing.KeyError(), verifyErr(missing, u), setErr(missing, u)} {
		if err == nil || !strings.Contains(err.Error(), "The PIN key of this store is missing: the key file "+keyPath+" does not exist and PINSH_PIN_KEY is not set") {
			t.Errorf("missing key: %v", err)
		}
	}
	if _, err := os.Stat(keyPath); err == nil {
		t.Error("a new key file was created for an existing store")
	}
	// Reading and locking still work without the key.
	if _, err := missing.Info(ctx, u); err != nil {
		t.Errorf("Info without key: %v", err)
	}
	if err := missing.Lock(ctx, u, admin); err != nil {
		t.Errorf("Lock without key: %v", err)
	}
	missing.Unlock(ctx, u, admin)
	// A wrong key.
	os.WriteFile(keyPath, []byte(strings.Repeat("ab", 32)+"\n"), 0o600)
	wrong := e.service(t, Options{})
	if err := verifyErr(wrong, u); err == nil || !strings.Contains(err.Error(), "does not belong to this store") {
		t.Errorf("wrong key: %v", err)
	}
	// A world-readable key file is refused.
	os.Rename(keyPath+".bak", keyPath)
	os.Chmod(keyPath, 0o644)
	if err := e.service(t, Options{}).KeyError(); err == nil || !strings.Contains(err.Error(), "readable by other users") {
		t.Errorf("mode 644: %v", err)
	}
	os.Chmod(keyPath, 0o600)
	// A malformed environment key.
	if err := e.service(t, Options{Getenv: func(string) string { return "c2hvcnQ=" }}).KeyError(); err == nil || !strings.Contains(err.Error(), "PINSH_PIN_KEY is not a valid PIN key") {
		t.Errorf("short env key: %v", err)
	}
	if r, _ := e.service(t, Options{}).Verify(ctx, u, "58214", admin); !r.OK {
		t.Error("PIN refused with the restored key")
	}
}

func verifyErr(s *Service, u *store.User) error {
	_, err := s.Verify(ctx, u, "58214", admin)
	return err
}

func setErr(s *Service, u *store.User) error {
	_, err := s.SetPin(ctx, u, "58214", false, admin)
	return err
}

// TestNoPlainPINInFile sets many PINs and searches the database file and
// its WAL for every one of them.
func TestNoPlainPINInFile(t *testing.T) {
	e := newEnv(t, 300)
	pol := store.DefaultPinPolicy(store.ScopeGlobal, "")
	pol.MinPasswordLength = 12
	e.setPolicy(t, pol)
	var sets []*PendingSet
	for _, u := range e.users {
		p, err := e.svc.PrepareSet(ctx, u, "", true)
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, p)
	}
	HashAll(sets)
	for _, err := range e.svc.CommitSets(ctx, sets, admin) {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Verify a few (wrong and right) so that the verify path writes too.
	for _, p := range sets[:10] {
		e.svc.Verify(ctx, p.User(), p.PIN(), admin)
		e.svc.Verify(ctx, p.User(), "000000000000", admin)
	}
	var data []byte
	for _, f := range []string{e.st.Path(), e.st.Path() + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, b...)
	}
	if len(data) < 10000 {
		t.Fatalf("only %d bytes read", len(data))
	}
	for _, p := range sets {
		if bytes.Contains(data, []byte(p.PIN())) {
			t.Errorf("PIN of %s found in plain text in the store", p.User().SipURI())
		}
	}
}

func BenchmarkHash(b *testing.B) {
	key := bytes.Repeat([]byte{7}, 32)
	salt := bytes.Repeat([]byte{1}, 16)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		hashPIN(key, "58214", DefaultParams, salt)
	}
}

// BenchmarkHashParallel hashes on every core at once (GOMAXPROCS
// goroutines); ns/op is the wall time per PIN of a parallel bulk job, the
// floor for Set-CsClientPin on many users (scripts/bench.sh uses it).
func BenchmarkHashParallel(b *testing.B) {
	key := bytes.Repeat([]byte{7}, 32)
	salt := bytes.Repeat([]byte{1}, 16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			hashPIN(key, "58214", DefaultParams, salt)
		}
	})
}

// BenchmarkBulkSet prepares, hashes (in parallel) and commits PINs for 64
// users per operation with the production parameters; ns/op divided by 64
// compares with BenchmarkHashParallel to show the overhead beyond hashing.
func BenchmarkBulkSet(b *testing.B) {
	e := newEnv(b, 64)
	e.svc = e.service(b, Options{Params: DefaultParams})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sets := make([]*PendingSet, len(e.users))
		for j, u := range e.users {
			p, err := e.svc.PrepareSet(ctx, u, "", true)
			if err != nil {
				b.Fatal(err)
			}
			sets[j] = p
		}
		HashAll(sets)
		for _, err := range e.svc.CommitSets(ctx, sets, admin) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkVerifyLocked(b *testing.B) {
	e := newEnv(b, 1)
	u := e.users[0]
	e.svc.SetPin(ctx, u, "58214", false, admin)
	e.svc.Lock(ctx, u, admin)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r, _ := e.svc.Verify(ctx, u, "58214", admin); r.Outcome != Locked {
			b.Fatal(r)
		}
	}
}
