package reliability

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// worker is one of the concurrent pinsh loops: it starts pinsh processes
// one after another until the deadline, each doing one bulk operation and
// checking it, and counts what it did.
type worker struct {
	name      string
	processes int
	ops       int // user-level operations done (PINs set, locks, imported rows, ...)
	busy      time.Duration
	failures  []string
	// lastPin is the newest PIN this worker set per user.
	lastPin map[string]string
}

func (w *worker) fail(format string, a ...any) {
	w.failures = append(w.failures, fmt.Sprintf(format, a...))
}

// lockErrors are what SQLite's lock errors look like if one ever reached
// the user.
var lockErrors = []string{"database is locked", "SQLITE_BUSY", "(5)", "(517)", "is busy", "locked (6)"}

// check records a failure when a pinsh run failed or wrote any error.
func (w *worker) check(r result, script string) bool {
	w.processes++
	w.busy += r.took
	if r.code == 0 && strings.TrimSpace(r.stderr) == "" {
		return true
	}
	for _, le := range lockErrors {
		if strings.Contains(r.stderr, le) {
			w.fail("LOCK ERROR in %.80q: %s", script, r.stderr)
			return false
		}
	}
	w.fail("pinsh -c %.80q: %s", script, r)
	return false
}

// TestConcurrentSessions runs four pinsh loops on one store at once: bulk
// PIN setting, bulk lock/unlock, directory imports, and set-then-verify of
// single PINs, each on its own users, for a bounded time. No run may fail
// (a lock error would), and afterwards each worker's last changes must be
// exactly what the store holds.
func TestConcurrentSessions(t *testing.T) {
	dur := time.Duration(envInt("PINSH_CONC_SECONDS", 20)) * time.Second
	if stress() {
		dur = time.Duration(envInt("PINSH_CONC_SECONDS", 120)) * time.Second
	}
	if testing.Short() {
		dur = 5 * time.Second
	}
	const users = 1000
	sh := newShell(t)
	sh.importDemo(users)
	ou := func(s string) string { return `"` + s + `,DC=litwareinc,DC=com"` }
	setOU, lockOU, importOU, singleOU := ou("OU=Finance"), ou("OU=Marketing,OU=Redmond"), ou("OU=Support,OU=Dublin"), ou("OU=HelpDesk")
	setUsers := sh.usersOf("-OU " + setOU)
	lockUsers := sh.usersOf("-OU " + lockOU)
	singleUsers := sh.usersOf("-OU " + singleOU)
	importRows := sh.csvRows(strings.Trim(importOU, `"`))
	db := sh.db()
	var auditStart int64
	if err := db.QueryRow(`SELECT COALESCE(MAX(seq), 0) FROM audit`).Scan(&auditStart); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(dur)
	ws := []*worker{
		{name: "bulk Set-CsClientPin", lastPin: map[string]string{}},
		{name: "bulk Lock/Unlock-CsClientPin"},
		{name: "Import-CsDirectory", lastPin: nil},
		{name: "Set-CsClientPin + Test-CsClientPin", lastPin: map[string]string{}},
	}
	locked := false
	imports := 0
	var wg sync.WaitGroup
	loops := []func(w *worker){
		func(w *worker) { // bulk set, every user of the OU
			script := `Get-CsUser -OU ` + setOU + ` | Set-CsClientPin | ForEach-Object { "SET " + $_.Identity + " " + $_.Pin }`
			r := sh.run(script)
			if !w.check(r, script) {
				return
			}
			n := 0
			for _, line := range strings.Split(r.stdout, "\n") {
				if f := strings.Fields(line); len(f) == 3 && f[0] == "SET" {
					w.lastPin[f[1]] = f[2]
					n++
				}
			}
			if n != len(setUsers) {
				w.fail("bulk set printed %d PINs for %d users", n, len(setUsers))
			}
			w.ops += n
		},
		func(w *worker) { // bulk lock or unlock, then count who is not in that state
			verb, want := "Lock", "-not $_.IsLockedOut"
			if locked {
				verb, want = "Unlock", "$_.IsLockedOut"
			}
			script := `Get-CsUser -OU ` + lockOU + ` | ` + verb + `-CsClientPin; ` +
				`"WRONG " + (Get-CsUser -OU ` + lockOU + ` | Get-CsClientPinInfo | Where-Object { ` + want + ` } | Measure-Object).Count`
			r := sh.run(script)
			if !w.check(r, script) {
				return
			}
			locked = !locked
			if !strings.Contains(r.stdout, "WRONG 0") {
				w.fail("after %s: %s", verb, r.stdout)
			}
			w.ops += len(lockUsers)
		},
		func(w *worker) { // import the OU again with a new title and one new user
			imports++
			title := fmt.Sprintf("conc-%d", imports)
			path := filepath.Join(sh.dir, fmt.Sprintf("import-%d.csv", imports))
			writeCSV(t, path, importRows, title, imports)
			script := `Import-CsDirectory -Path ` + quote(path) + `; ` +
				`"WRONG " + (Get-CsUser -OU ` + importOU + ` | Where-Object { $_.Title -ne "` + title + `" } | Measure-Object).Count`
			r := sh.run(script)
			if !w.check(r, script) {
				return
			}
			if !strings.Contains(r.stdout, "WRONG 0") || !strings.Contains(r.stdout, fmt.Sprintf("%d users added, %d updated", 1, len(importRows)+imports-1)) {
				w.fail("import %d: %s", imports, r.stdout)
			}
			w.ops += len(importRows) + imports
		},
		func(w *worker) { // set three single PINs, each verified in the same session
			var b strings.Builder
			picked := pick(singleUsers, w.processes, 3)
			for _, sip := range picked {
				fmt.Fprintf(&b, `$r = Set-CsClientPin -Identity %q; if (Test-CsClientPin -Identity %q -Pin $r.Pin) { "OK " + $r.Identity + " " + $r.Pin } else { "MISMATCH %s" }; `, sip, sip, sip)
			}
			r := sh.run(b.String())
			if !w.check(r, b.String()) {
				return
			}
			for _, line := range strings.Split(r.stdout, "\n") {
				f := strings.Fields(line)
				if len(f) == 3 && f[0] == "OK" {
					w.lastPin[f[1]] = f[2]
					w.ops++
				} else if len(f) > 0 && f[0] == "MISMATCH" {
					w.fail("a PIN just set did not verify: %s", line)
				}
			}
		},
	}
	start := time.Now()
	for i, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && len(w.failures) == 0 {
				loops[i](w)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, w := range ws {
		for _, f := range w.failures {
			t.Errorf("%s: %s", w.name, f)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// Afterwards: the store is sound and holds every worker's last change.
	if err := integrity(db); err != nil {
		t.Fatal(err)
	}
	if err := sh.verifyAudit(); err != nil {
		t.Fatal(err)
	}
	key := sh.key()
	lost := 0
	for _, w := range []*worker{ws[0], ws[3]} {
		for sip, pin := range w.lastPin {
			var hash string
			if err := db.QueryRow(`SELECT hash FROM pin_state JOIN users ON users.id = user_id WHERE users.sip = ?`, sip).Scan(&hash); err != nil || !pinMatches(key, pin, hash) {
				t.Errorf("%s: the last PIN set for %s is not the stored one (%v)", w.name, sip, err)
				lost++
			}
		}
	}
	for sip, id := range lockUsers {
		var l bool
		if err := db.QueryRow(`SELECT locked FROM pin_state WHERE user_id = ?`, id).Scan(&l); err != nil || l != locked {
			t.Errorf("%s: locked=%v, the last operation left %v (%v)", sip, l, locked, err)
			lost++
		}
	}
	var wrongTitle, added int
	db.QueryRow(`SELECT COUNT(*) FROM users WHERE ou_dn = ? AND COALESCE(title, '') <> ?`,
		strings.Trim(importOU, `"`), fmt.Sprintf("conc-%d", imports)).Scan(&wrongTitle)
	db.QueryRow(`SELECT COUNT(*) FROM users WHERE dn LIKE 'CN=Conc User %'`).Scan(&added)
	if wrongTitle != 0 || added != imports {
		t.Errorf("imports: %d users without the last title, %d of %d added users present", wrongTitle, added, imports)
		lost++
	}
	// Every change the workers made has its audit record: PIN sets, locks
	// and unlocks, imports.
	counts := map[string]int{}
	rows, err := db.Query(`SELECT action, COUNT(*) FROM audit WHERE seq > ? AND outcome = 'Success' GROUP BY action`, auditStart)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		var n int
		rows.Scan(&a, &n)
		counts[a] = n
	}
	rows.Close()
	if counts["SetPin"] != ws[0].ops+ws[3].ops || counts["Lock"]+counts["Unlock"] != ws[1].ops || counts["Import"] != imports {
		t.Errorf("audit records %v do not match the work done: %d + %d PINs, %d locks/unlocks, %d imports",
			counts, ws[0].ops, ws[3].ops, ws[1].ops, imports)
	}
	if t.Failed() {
		t.FailNow()
	}

	var parts []string
	procs := 0
	for _, w := range ws {
		procs += w.processes
		unit := map[string]string{ws[0].name: "PINs set", ws[1].name: "locks+unlocks", ws[2].name: "user rows imported", ws[3].name: "PINs set and verified"}[w.name]
		parts = append(parts, fmt.Sprintf("%s: %d runs, %d %s (%s)", w.name, w.processes, w.ops, unit, rate(w.ops, elapsed)))
	}
	t.Logf("concurrency: %v, %d pinsh processes; %s", elapsed.Round(time.Second), procs, strings.Join(parts, "; "))
	report(t, "Concurrency", "4 pinsh processes at once on one store, each on its own users, until the deadline: "+
		"bulk Set-CsClientPin on an OU; bulk Lock/Unlock-CsClientPin on an OU; Import-CsDirectory of a CSV that updates an OU and adds a user; Set-CsClientPin then Test-CsClientPin of single users",
		fmt.Sprintf("%v, %d-user directory, %d pinsh processes in all", elapsed.Round(time.Second), users, procs),
		fmt.Sprintf("0 failed runs, 0 lock errors, %d lost updates (every worker's last PIN, lock state and import found in the store; audit records match the work one to one); throughput: %s",
			lost, strings.Join(parts, "; ")))
}

// pick returns k users of the set, rotating with i.
func pick(users map[string]int64, i, k int) []string {
	sips := make([]string, 0, len(users))
	for s := range users {
		sips = append(sips, s)
	}
	sort.Strings(sips)
	var out []string
	for j := 0; j < k && j < len(sips); j++ {
		out = append(out, sips[(i*k+j)%len(sips)])
	}
	return out
}

// csvRows reads the users of an OU (not its sub-OUs) as CSV rows of the
// columns writeCSV writes.
func (sh *shell) csvRows(ouDN string) [][]string {
	sh.t.Helper()
	rows, err := sh.db().Query(`SELECT dn, sam, upn, sip, display, enabled, COALESCE(registrar_pool, '')
		FROM users WHERE ou_dn = ? ORDER BY id`, ouDN)
	if err != nil {
		sh.t.Fatal(err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		var dn, sam, upn, sip, display, pool string
		var enabled bool
		if err := rows.Scan(&dn, &sam, &upn, &sip, &display, &enabled, &pool); err != nil {
			sh.t.Fatal(err)
		}
		out = append(out, []string{dn, sam, upn, sip, display, strings.ToUpper(fmt.Sprint(enabled)), pool})
	}
	if len(out) == 0 {
		sh.t.Fatalf("no users in %s", ouDN)
	}
	return out
}

// writeCSV writes the rows with the given title, plus users "Conc User 1"
// to "Conc User n" (the newest one new in this file).
func writeCSV(t testing.TB, path string, rows [][]string, title string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"DistinguishedName", "SamAccountName", "UserPrincipalName", "SipAddress", "DisplayName", "Enabled", "RegistrarPool", "Title"})
	for _, r := range rows {
		w.Write(append(append([]string(nil), r...), title))
	}
	ouDN := rows[0][0][strings.Index(rows[0][0], ",")+1:]
	for i := 1; i <= n; i++ {
		sam := fmt.Sprintf("concuser%d", i)
		w.Write([]string{fmt.Sprintf("CN=Conc User %d,%s", i, ouDN), sam, sam + "@litwareinc.com",
			"sip:" + sam + "@litwareinc.com", fmt.Sprintf("Conc User %d", i), "TRUE", rows[0][6], title})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}
