package store

import (
	"context"
	"database/sql"
	"sync"
)

// queries caches prepared statements on the reader pool by SQL text. The
// set of texts is small (one per identity form and flag combination), and a
// prepared statement saves SQLite's parse on every look-up.
type queries struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (s *Store) prepare() error {
	s.q = &queries{db: s.r, m: map[string]*sql.Stmt{}}
	return nil
}

func (q *queries) stmt(ctx context.Context, text string) (*sql.Stmt, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if st, ok := q.m[text]; ok {
		return st, nil
	}
	st, err := q.db.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	if len(q.m) > 256 { // a bound against unexpected query shapes
		for k, old := range q.m {
			old.Close()
			delete(q.m, k)
		}
	}
	q.m[text] = st
	return st, nil
}

func (q *queries) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, st := range q.m {
		st.Close()
	}
	q.m = nil
}
