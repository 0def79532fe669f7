package cmdlet

import (
	"fmt"
	"sort"
	"sync"

	"pinsh/host/object"
)

// Registry holds the cmdlets a session can run, by name and alias,
// case-insensitively. It is safe for concurrent use.
type Registry struct {
	mu      sync.RWMutex
	byName  map[string]*Info
	aliases map[string]string // folded alias -> cmdlet name
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byName: map[string]*Info{}, aliases: map[string]string{}}
}

// Add registers a cmdlet. A name or alias already taken by another cmdlet is
// an error: a plugin can never replace a built-in or another plugin's cmdlet.
func (r *Registry) Add(in *Info) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := object.Fold(in.Name)
	if old, ok := r.byName[key]; ok {
		return fmt.Errorf("the cmdlet %q is already provided by %s", in.Name, sourceName(old))
	}
	if target, ok := r.aliases[key]; ok {
		return fmt.Errorf("the name %q is already an alias of %s", in.Name, target)
	}
	for _, a := range in.Aliases {
		fa := object.Fold(a)
		if _, ok := r.byName[fa]; ok {
			return fmt.Errorf("the alias %q of %s is already a cmdlet name", a, in.Name)
		}
		if target, ok := r.aliases[fa]; ok {
			return fmt.Errorf("the alias %q of %s is already an alias of %s", a, in.Name, target)
		}
	}
	r.byName[key] = in
	for _, a := range in.Aliases {
		r.aliases[object.Fold(a)] = in.Name
	}
	return nil
}

// MustAdd is Add for built-ins registered at start-up; it panics on a clash,
// which is a programming error.
func (r *Registry) MustAdd(in *Info) {
	if err := r.Add(in); err != nil {
		panic(err)
	}
}

// Remove unregisters a cmdlet and its aliases.
func (r *Registry) Remove(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	in, ok := r.byName[object.Fold(name)]
	if !ok {
		return
	}
	delete(r.byName, object.Fold(name))
	for _, a := range in.Aliases {
		delete(r.aliases, object.Fold(a))
	}
}

func sourceName(in *Info) string {
	if in.Source == "" || in.Source == "builtin" {
		return "a built-in cmdlet"
	}
	return "the plugin " + in.Source
}

// Lookup finds a cmdlet by name or alias.
func (r *Registry) Lookup(name string) (*Info, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	key := object.Fold(name)
	if in, ok := r.byName[key]; ok {
		return in, true
	}
	if target, ok := r.aliases[key]; ok {
		in, ok := r.byName[object.Fold(target)]
		return in, ok
	}
	return nil, false
}

// All returns every registered cmdlet sorted by name.
func (r *Registry) All() []*Info {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Info, 0, len(r.byName))
	for _, in := range r.byName {
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Aliases returns alias -> cmdlet name for every alias.
func (r *Registry) Aliases() map[string]string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make(map[string]string, len(r.aliases))
	for a, n := range r.aliases {
		out[a] = n
	}
	return out
}
