package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// stream runs a remembering enumeration, as Get-CsUser does.
func stream(t *testing.T, s *Store, q UserQuery) []*User {
	t.Helper()
	q.Remember = true
	var out []*User
	if err := s.EachUser(ctx, q, func(u *User) error { out = append(out, u); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func lookup(t *testing.T, s *Store, identity string, enabledOnly bool) []*User {
	t.Helper()
	var out []*User
	err := s.EachUser(ctx, UserQuery{Identity: identity, EnabledOnly: enabledOnly}, func(u *User) error {
		out = append(out, u)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func setLocked(t *testing.T, s *Store, userID int64, locked bool) {
	t.Helper()
	err := s.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO pin_state(user_id, hash, locked) VALUES(?, 'h', ?)
			ON CONFLICT(user_id) DO UPDATE SET locked = excluded.locked`, userID, locked)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRememberedUsers checks the cache of remembered users: a look-up by
// DN after a remembering stream returns the user and the PIN state as the
// stream read them (even when another process has changed them since),
// until anything is written through the store or the snapshot is too old.
func TestRememberedUsers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pinsh.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	loadFixture(t, s)
	other, err := Open(path) // another process
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ken := lookup(t, s, "Ken Myer", false)[0]
	setLocked(t, s, ken.ID, false)

	all := stream(t, s, UserQuery{})
	if len(all) != len(fixture) {
		t.Fatalf("%d users streamed", len(all))
	}
	setLocked(t, other, ken.ID, true)
	if err := other.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE users SET display = 'Kenneth Myer' WHERE id = ?`, ken.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// The DN as streamed, with spaces around it.
	for _, dn := range []string{ken.DN, " " + ken.DN + " "} {
		got := lookup(t, s, dn, true)
		if len(got) != 1 || got[0].DisplayName != "Ken Myer" || got[0].ID != ken.ID {
			t.Fatalf("%q: %+v, want the remembered Ken Myer", dn, got)
		}
		ps, err := s.UserPinState(ctx, got[0])
		if err != nil || ps.Locked {
			t.Errorf("%q: PIN state %+v, %v; want the remembered (unlocked) state", dn, ps, err)
		}
	}
	// Conditions the cache cannot answer go to the database.
	if got := lookup(t, s, ken.DN, false); len(got) != 1 {
		t.Fatal(got)
	}
	var fromDB []*User
	s.EachUser(ctx, UserQuery{Identity: ken.DN, OU: "OU=Finance,DC=litwareinc,DC=com"}, func(u *User) error {
		fromDB = append(fromDB, u)
		return nil
	})
	if len(fromDB) != 1 || fromDB[0].DisplayName != "Kenneth Myer" {
		t.Errorf("with -OU: %+v, want a fresh read", fromDB)
	}
	// A user not enabled is remembered too, and EnabledOnly still holds.
	jo := "CN=Jo Smith,OU=Sales,OU=Redmond,DC=litwareinc,DC=com"
	if got := lookup(t, s, jo, true); len(got) != 0 {
		t.Errorf("Jo is not enabled, got %+v", got)
	}
	if got := lookup(t, s, jo, false); len(got) != 1 {
		t.Errorf("Jo without EnabledOnly: %+v", got)
	}

	// Any write through this store makes the remembered data stale.
	if err := s.SetSetting(ctx, "x", "y"); err != nil {
		t.Fatal(err)
	}
	got := lookup(t, s, ken.DN, true)
	if len(got) != 1 || got[0].DisplayName != "Kenneth Myer" {
		t.Fatalf("after a write: %+v, want a fresh read", got)
	}
	if ps, _ := s.UserPinState(ctx, all[0]); !ps.Locked {
		t.Errorf("after a write the PIN state of a streamed user is %+v, want a fresh read (locked)", ps)
	}

	// So does age.
	all = stream(t, s, UserQuery{})
	setLocked(t, other, ken.ID, false)
	if ps, _ := s.UserPinState(ctx, all[0]); !ps.Locked {
		t.Fatalf("fresh snapshot not used: %+v", ps)
	}
	defer func(d time.Duration) { recentMaxAge = d }(recentMaxAge)
	recentMaxAge = time.Millisecond
	time.Sleep(2 * time.Millisecond)
	if ps, _ := s.UserPinState(ctx, all[0]); ps.Locked {
		t.Errorf("old snapshot used: %+v", ps)
	}
	// A user that was never streamed has no snapshot.
	plain := lookup(t, s, "Pilar Ackerman", false)[0]
	if !plain.snap.at.IsZero() {
		t.Errorf("a plain look-up carries a snapshot")
	}
	// A DN written otherwise is read from the database.
	stream(t, s, UserQuery{})
	setLocked(t, other, ken.ID, true)
	recentMaxAge = time.Hour
	got = lookup(t, s, "cn=ken myer, ou=finance, dc=litwareinc, dc=com", true)
	if ps, _ := s.UserPinState(ctx, got[0]); len(got) != 1 || !ps.Locked {
		t.Errorf("DN in another case: %+v %+v, want a fresh read", got, ps)
	}
}

// TestRememberedUsersBounded streams more users than the cache holds: it
// keeps the last recentSize, and enumerations read in pages return every
// user once, in id order.
func TestRememberedUsersBounded(t *testing.T) {
	s := openTemp(t)
	const n = recentSize + pageSize + 7
	err := s.Write(ctx, func(tx *Tx) error {
		w, err := tx.DirectoryWriter()
		if err != nil {
			return err
		}
		defer w.Close()
		for i := 0; i < n; i++ {
			u := &User{DN: fmt.Sprintf("CN=User %04d,OU=Bulk,DC=litwareinc,DC=com", i), DisplayName: fmt.Sprintf("User %04d", i), Enabled: i%3 != 0}
			if _, err := w.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all := stream(t, s, UserQuery{})
	if len(all) != n {
		t.Fatalf("%d users streamed, want %d", len(all), n)
	}
	for i, u := range all {
		if u.DisplayName != fmt.Sprintf("User %04d", i) {
			t.Fatalf("user %d is %q", i, u.DisplayName)
		}
	}
	if len(s.recent.byDN) != recentSize {
		t.Errorf("cache holds %d users, want %d", len(s.recent.byDN), recentSize)
	}
	if u := s.recent.get(all[0].DN, s); u != nil {
		t.Errorf("the first user is still remembered")
	}
	if u := s.recent.get(all[n-1].DN, s); u == nil {
		t.Errorf("the last user is not remembered")
	}
	// Paged enumerations with conditions and a limit.
	enabled := stream(t, s, UserQuery{EnabledOnly: true})
	if want := n - (n+2)/3; len(enabled) != want {
		t.Errorf("%d enabled users, want %d", len(enabled), want)
	}
	if got := stream(t, s, UserQuery{Limit: pageSize + 1}); len(got) != pageSize+1 || got[pageSize].DisplayName != fmt.Sprintf("User %04d", pageSize) {
		t.Errorf("limit: %d users", len(got))
	}
	if got := stream(t, s, UserQuery{Limit: pageSize}); len(got) != pageSize {
		t.Errorf("limit = page size: %d users", len(got))
	}
}
