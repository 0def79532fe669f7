package store

import (
	"sync"
	"time"
)

// The cache of recently remembered users serves pipelines such as
//
//	Get-CsUser | Get-CsClientPinInfo | Where-Object {...}
//
// in which a plugin is given each user's distinguished name and looks the
// user up again, then reads its PIN state: two read transactions per user
// (about 25 µs each with the pure-Go driver) for data Get-CsUser read a
// moment before. A stream with [UserQuery.Remember] reads the PIN state in
// the same statement (a join on pin_state's primary key) and keeps the
// last [recentSize] users; the look-up by DN and [Store.UserPinState] then
// cost no query.
//
// The data served is exactly what the stream read, so the plugin sees the
// user as Get-CsUser emitted it. It is never served once anything has been
// written through this Store since the statement that read it began (a
// write generation, bumped by every [Store.Write]), so a pipeline that
// changes users (Get-CsUser | Lock-CsClientPin | ...) reads fresh state
// after its first change, and never after [recentMaxAge], so an object
// kept in a variable and looked up later is read again. Changes made by
// other processes meanwhile are not seen, as they are not seen by the
// stream itself.
const recentSize = 1024

// recentMaxAge is a variable for tests.
var recentMaxAge = 2 * time.Second

// snapshot is a user's PIN state read by a remembering stream.
type snapshot struct {
	pin PinState
	// gen is the store's write generation when the statement began; at is
	// when the row was read (zero: no snapshot).
	gen uint64
	at  time.Time
}

// fresh reports whether a snapshot may still be served.
func (s *Store) fresh(sn *snapshot) bool {
	return !sn.at.IsZero() && sn.gen == s.gen.Load() && time.Since(sn.at) < recentMaxAge
}

// recentCache holds the last recentSize remembered users by their DN
// exactly as stored, which is what Get-CsUser's Identity holds; a DN
// written otherwise is looked up in the database.
type recentCache struct {
	mu   sync.Mutex
	byDN map[string]*User
	ring [recentSize]*User
	next int
}

// put remembers u (which nobody may modify any more) under its DN.
func (c *recentCache) put(u *User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byDN == nil {
		c.byDN = make(map[string]*User, recentSize)
	}
	if old := c.ring[c.next]; old != nil && c.byDN[old.DN] == old {
		delete(c.byDN, old.DN)
	}
	c.byDN[u.DN] = u
	c.ring[c.next] = u
	c.next = (c.next + 1) % recentSize
}

// get returns a copy of the remembered user with that DN while its
// snapshot is fresh, else nil.
func (c *recentCache) get(dn string, s *Store) *User {
	c.mu.Lock()
	u := c.byDN[dn]
	c.mu.Unlock()
	if u == nil || !s.fresh(&u.snap) {
		return nil
	}
	cp := *u
	return &cp
}
