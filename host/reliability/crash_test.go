//go:build unix

package reliability

import (
	"bufio"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// pinRow is one user's PIN state with its newest history entry.
type pinRow struct {
	hash, pepper      string
	setAt, lastChange int64
	history           int
	histHash          string
	histSetAt         int64
}

// pinSnapshot is the PIN state of every user and the audit trail's end.
type pinSnapshot struct {
	rows     map[int64]pinRow
	auditMax int64
}

func takeSnapshot(t testing.TB, db *sql.DB) pinSnapshot {
	t.Helper()
	s := pinSnapshot{rows: map[int64]pinRow{}}
	rows, err := db.Query(`SELECT p.user_id, COALESCE(p.hash, ''), COALESCE(p.pepper_id, ''),
		COALESCE(p.set_at, 0), COALESCE(p.last_change, 0),
		(SELECT COUNT(*) FROM pin_history h WHERE h.user_id = p.user_id),
		COALESCE((SELECT hash FROM pin_history h WHERE h.user_id = p.user_id ORDER BY id DESC LIMIT 1), ''),
		COALESCE((SELECT set_at FROM pin_history h WHERE h.user_id = p.user_id ORDER BY id DESC LIMIT 1), 0)
		FROM pin_state p`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r pinRow
		if err := rows.Scan(&id, &r.hash, &r.pepper, &r.setAt, &r.lastChange, &r.history, &r.histHash, &r.histSetAt); err != nil {
			t.Fatal(err)
		}
		s.rows[id] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COALESCE(MAX(seq), 0) FROM audit`).Scan(&s.auditMax); err != nil {
		t.Fatal(err)
	}
	return s
}

// roundCheck is what one round proved.
type roundCheck struct {
	changed  int // users whose PIN changed, each with its audit record
	printed  int // PINs the process printed (all committed)
	verified int // printed PINs checked against the stored hash
}

// checkRound checks the store after a round that started at start from
// the state prev: integrity, every user old or new (never half), audit
// records matching the changes one to one, and every printed PIN
// committed. It returns the new snapshot.
func checkRound(t testing.TB, sh *shell, prev pinSnapshot, start time.Time, target map[string]int64, printed map[string]string, key []byte) (pinSnapshot, roundCheck) {
	t.Helper()
	db := sh.db()
	if err := integrity(db); err != nil {
		t.Fatalf("after the kill: %v", err)
	}
	if err := sh.verifyAudit(); err != nil {
		t.Fatalf("after the kill: %v", err)
	}
	cur := takeSnapshot(t, db)
	var keyID string
	if err := db.QueryRow(`SELECT value FROM settings WHERE key = 'pin_key_id'`).Scan(&keyID); err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	// New SetPin records by target.
	audits := map[string]int{}
	rows, err := db.Query(`SELECT target, outcome FROM audit WHERE seq > ? AND action = 'SetPin'`, prev.auditMax)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var target, outcome string
		if err := rows.Scan(&target, &outcome); err != nil {
			t.Fatal(err)
		}
		if outcome != "Success" {
			t.Errorf("a SetPin record for %s has outcome %s", target, outcome)
			continue
		}
		audits[target]++
	}
	rows.Close()
	sipOf := map[int64]string{}
	for sip, id := range target {
		sipOf[id] = sip
	}
	var rc roundCheck
	changedSIP := map[string]bool{}
	for id, c := range cur.rows {
		p, had := prev.rows[id]
		if had && p == c {
			continue
		}
		sip, ok := sipOf[id]
		if !ok {
			t.Errorf("user %d outside the job changed: %+v -> %+v", id, p, c)
			continue
		}
		switch {
		case c.hash == "" || c.hash == p.hash:
			t.Errorf("%s: PIN state changed without a new hash: %+v -> %+v", sip, p, c)
		case c.setAt < start.UnixNano() || c.lastChange != c.setAt:
			t.Errorf("%s: half a change: hash new but times %d/%d (round began %d)", sip, c.setAt, c.lastChange, start.UnixNano())
		case c.pepper != keyID:
			t.Errorf("%s: hashed with key %q, the store's key is %q", sip, c.pepper, keyID)
		case c.history != p.history+1 && !(p.history == 20 && c.history == 20):
			t.Errorf("%s: history went from %d to %d entries", sip, p.history, c.history)
		case c.histHash != c.hash || c.histSetAt != c.setAt:
			t.Errorf("%s: the newest history entry is not the new PIN", sip)
		case audits[sip] != 1:
			t.Errorf("%s: changed with %d audit records", sip, audits[sip])
		}
		changedSIP[sip] = true
		rc.changed++
	}
	for sip, n := range audits {
		if !changedSIP[sip] {
			t.Errorf("%d audit record(s) claim a PIN change for %s that is not in the store", n, sip)
		}
	}
	for sip, pin := range printed {
		rc.printed++
		if !changedSIP[sip] {
			t.Errorf("the killed process printed a new PIN for %s, which is not committed", sip)
			continue
		}
		if rc.verified < 3 {
			if !pinMatches(key, pin, cur.rows[target[sip]].hash) {
				t.Errorf("the PIN printed for %s does not match its stored hash", sip)
			}
			rc.verified++
		}
	}
	return cur, rc
}

// runKilled starts pinsh on script and kills it with SIGKILL when kill
// says so (given the number of PINs printed so far); it returns the PINs
// printed and whether the kill landed while pinsh was running.
func runKilled(t testing.TB, sh *shell, script string, kill func(printed int, elapsed time.Duration) bool) (map[string]string, bool, result) {
	t.Helper()
	cmd := sh.command(script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	printed := map[string]string{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[0] == "SET" {
				mu.Lock()
				printed[f[1]] = f[2]
				mu.Unlock()
			}
		}
	}()
	killed := false
	for {
		select {
		case <-done:
		case <-time.After(time.Millisecond):
			mu.Lock()
			n := len(printed)
			mu.Unlock()
			if kill != nil && kill(n, time.Since(start)) {
				killed = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) == nil
				<-done
			} else {
				continue
			}
		}
		break
	}
	err = cmd.Wait()
	r := result{stderr: stderr.String(), took: time.Since(start)}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		killed = killed && ws.Signal() == syscall.SIGKILL
	} else {
		killed = false
		r.code = cmd.ProcessState.ExitCode()
	}
	_ = err
	return printed, killed, r
}

// TestCrashSafety kills a bulk Set-CsClientPin at random points and checks
// the store after each kill, then completes the job.
func TestCrashSafety(t *testing.T) {
	users, kills := envInt("PINSH_CRASH_USERS", 1000), envInt("PINSH_CRASH_KILLS", 8)
	sel := `-OU "OU=Finance,DC=litwareinc,DC=com"`
	what := "Get-CsUser -OU Finance | Set-CsClientPin"
	if stress() {
		users, kills = envInt("PINSH_CRASH_USERS", 10000), envInt("PINSH_CRASH_KILLS", 6)
		sel, what = "", "Get-CsUser | Set-CsClientPin"
	}
	if testing.Short() {
		users, kills = 300, 3
	}
	sh := newShell(t)
	sh.importDemo(users)
	target := sh.usersOf(sel)
	n := len(target)
	t.Logf("%d-user directory, %d users in the job, %d kills", users, n, kills)
	out := ` | ForEach-Object { "SET " + $_.Identity + " " + $_.Pin }`
	bulk := `Get-CsUser ` + sel + ` | Set-CsClientPin` + out
	resume := `Get-CsUser ` + sel + ` | Get-CsClientPinInfo | Where-Object { -not $_.IsPinSet } | Set-CsClientPin` + out

	db := sh.db()
	snap := takeSnapshot(t, db)
	var key []byte
	survived, changes, printed, verified := 0, 0, 0, 0
	var atStart, atProgress int
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for round := 0; round < kills; round++ {
		byTime := round%2 == 0
		var limit, reached time.Duration
		var k int
		if byTime {
			limit = time.Duration(rng.IntN(1500)) * time.Millisecond
		} else {
			// After the k-th printed PIN, wait a little more: the kill
			// lands while the next batch is hashed or committed.
			k = 1 + rng.IntN(max(1, n*3/4))
			limit = time.Duration(rng.IntN(800)) * time.Millisecond
			reached = -1
		}
		start := time.Now()
		pins, killed, r := runKilled(t, sh, bulk, func(p int, el time.Duration) bool {
			if byTime {
				return el >= limit
			}
			if reached < 0 && p >= k {
				reached = el
			}
			return reached >= 0 && el >= reached+limit
		})
		if !killed {
			if r.code != 0 || strings.TrimSpace(r.stderr) != "" {
				t.Fatalf("round %d: pinsh ended before the kill with an error: %s", round, r)
			}
			t.Logf("round %d: pinsh finished before the kill", round)
		}
		if key == nil {
			key = sh.key()
		}
		var rc roundCheck
		snap, rc = checkRound(t, sh, snap, start, target, pins, key)
		if t.Failed() {
			t.FailNow()
		}
		if killed {
			survived++
			if byTime {
				atStart++
			} else {
				atProgress++
			}
		}
		changes += rc.changed
		printed += rc.printed
		verified += rc.verified
		t.Logf("round %d: killed=%v after %v (%s), %d PINs committed, %d printed", round, killed, r.took.Round(time.Millisecond),
			map[bool]string{true: fmt.Sprintf("time %v", limit), false: fmt.Sprintf("%v after %d printed", limit, k)}[byTime], rc.changed, rc.printed)

		if round == 0 {
			// Resume the interrupted first job: only the users left without a PIN.
			missing := 0
			for _, id := range target {
				if snap.rows[id].hash == "" {
					missing++
				}
			}
			start := time.Now()
			pins, _, r := runKilled(t, sh, resume, nil)
			if r.code != 0 || strings.TrimSpace(r.stderr) != "" {
				t.Fatalf("resume: %s", r)
			}
			snap, rc = checkRound(t, sh, snap, start, target, pins, key)
			if rc.changed != missing || rc.printed != missing {
				t.Fatalf("resume set %d PINs and printed %d, but %d users had none", rc.changed, rc.printed, missing)
			}
			t.Logf("resume: %d PINs set for the users the killed run had not reached", missing)
		}
	}
	// Running the command again completes the job.
	start := time.Now()
	pins, _, r := runKilled(t, sh, bulk, nil)
	if r.code != 0 || strings.TrimSpace(r.stderr) != "" {
		t.Fatalf("final run: %s", r)
	}
	snap, rc := checkRound(t, sh, snap, start, target, pins, key)
	if rc.changed != n || rc.printed != n {
		t.Fatalf("the final run changed %d and printed %d PINs of %d users", rc.changed, rc.printed, n)
	}
	for sip, id := range target {
		if snap.rows[id].setAt < start.UnixNano() {
			t.Errorf("%s was not reached by the final run", sip)
		}
	}
	report(t, "Crash safety", fmt.Sprintf("SIGKILL at random points of `%s`: %d during start-up or the first batches (0-1.5 s), %d at a random time (0-0.8 s) after a random number of PINs was printed", what, atStart, atProgress),
		fmt.Sprintf("%d-user directory, %d users per run", users, n),
		fmt.Sprintf("%d of %d kills landed mid-run, all survived: integrity_check ok, audit chain intact, no user half-changed, %d committed changes each with exactly one audit record, no audit record without its change, %d printed PINs all committed (%d checked against the hash); an interrupted job resumed with `Where-Object { -not $_.IsPinSet }`; the re-run completed all %d users in %v",
			survived, kills, changes, printed, verified, n, r.took.Round(100*time.Millisecond)))
}
