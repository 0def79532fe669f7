package rbac

import (
	"sync"
	"sync/atomic"
)

// cowMapLimit bounds a cowMap: past it, new keys are not remembered (the
// caller recomputes), so odd input cannot grow the cache without end.
const cowMapLimit = 1024

// cowMap is a string-keyed cache for a few keys read on every decision:
// readers take no lock and do not allocate; a writer copies the map. The
// zero value is empty and ready to use.
type cowMap[V any] struct {
	mu sync.Mutex // serialises writers
	m  atomic.Pointer[map[string]V]
}

func (c *cowMap[V]) get(k string) (V, bool) {
	if m := c.m.Load(); m != nil {
		v, ok := (*m)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

func (c *cowMap[V]) put(k string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var old map[string]V
	if p := c.m.Load(); p != nil {
		old = *p
	}
	if _, ok := old[k]; ok || len(old) >= cowMapLimit {
		return
	}
	m := make(map[string]V, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[k] = v
	c.m.Store(&m)
}
