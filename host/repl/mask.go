package repl

import (
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

// Mask is what a secret value is replaced with in history.
const Mask = "***"

// Masker removes secret values (PINs) from command lines before they reach
// the history file, the way PSReadLine keeps secrets out of its history.
// It masks conservatively: a value is masked whenever it might bind to a
// secret parameter, even if the command would in fact bind it elsewhere.
//
// A value is masked when it follows a parameter name that is a prefix of a
// secret parameter's name or alias (-Pin 1234, -Pin:1234, -pi 1234, -p
// 1234), when it is a positional argument at or after a secret parameter's
// position for a command known to take one (Set-CsClientPin ken 1234), or
// when it is the value of a secret key in a hashtable literal (@{Pin=1234},
// for splatting). A plain variable ($pin, $u.Pin) is kept: it names a
// secret but does not contain one.
type Masker struct {
	names []string // folded secret parameter names and aliases
	// positional maps a folded cmdlet name or alias to the 0-based position
	// of its secret parameter.
	positional map[string]int
	// infos maps a folded cmdlet name or alias to its metadata, to tell
	// switches (which take no value) from parameters that consume one.
	infos map[string]*cmdlet.Info

	reg   *cmdlet.Registry
	extra []string
	mu    sync.Mutex
	count int // cmdlets in reg when the tables were built
}

// DefaultSecretPositions are the commands known to take a PIN positionally
// even when their metadata is not at hand: the PIN is their second
// positional argument.
var DefaultSecretPositions = map[string]int{
	"Set-CsClientPin":  1,
	"Test-CsClientPin": 1,
}

// NewMasker returns a masker for the given secret parameter names ("Pin"
// is always one) and for every parameter marked Secret in reg (nil for
// none), with its aliases and, when it is positional, its position. The
// masker follows reg: cmdlets registered later (a plugin installed during
// the session) are taken into account.
func NewMasker(reg *cmdlet.Registry, secrets ...string) *Masker {
	m := &Masker{reg: reg, extra: secrets}
	m.build()
	return m
}

// build computes the tables from the names and the registry.
func (m *Masker) build() {
	m.names = nil
	m.positional = map[string]int{}
	m.infos = map[string]*cmdlet.Info{}
	seen := map[string]bool{}
	addName := func(s string) {
		f := object.Fold(s)
		if f != "" && !seen[f] {
			seen[f] = true
			m.names = append(m.names, f)
		}
	}
	addName("Pin")
	for _, s := range m.extra {
		addName(s)
	}
	for name, pos := range DefaultSecretPositions {
		m.positional[object.Fold(name)] = pos
	}
	if m.reg == nil {
		return
	}
	all := m.reg.All()
	m.count = len(all)
	for _, in := range all {
		for i := range in.Params {
			p := &in.Params[i]
			if !p.Secret {
				continue
			}
			addName(p.Name)
			for _, a := range p.Aliases {
				addName(a)
			}
			if p.Position >= 0 {
				if old, ok := m.positional[object.Fold(in.Name)]; !ok || p.Position < old {
					m.positional[object.Fold(in.Name)] = p.Position
				}
			}
		}
	}
	for _, in := range all {
		if pos, ok := m.positional[object.Fold(in.Name)]; ok {
			m.infos[object.Fold(in.Name)] = in
			for _, a := range in.Aliases {
				m.positional[object.Fold(a)] = pos
				m.infos[object.Fold(a)] = in
			}
		}
	}
}

// isSecretParam reports whether a typed parameter name (without the dash
// and colon) may abbreviate a secret parameter.
func (m *Masker) isSecretParam(typed string) bool {
	f := object.Fold(typed)
	if f == "" {
		return false
	}
	for _, n := range m.names {
		if strings.HasPrefix(n, f) {
			return true
		}
	}
	return false
}

func (m *Masker) isSecretKey(key string) bool {
	key = strings.Trim(key, `'"`)
	f := object.Fold(key)
	for _, n := range m.names {
		if n == f {
			return true
		}
	}
	return false
}

// Mask returns line with every secret value replaced by [Mask], and whether
// anything was masked.
func (m *Masker) Mask(line string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.reg != nil && len(m.reg.All()) != m.count {
		m.build()
	}
	toks := lex(line)
	type span struct{ start, end int }
	var spans []span
	maskElem := func(e elem) {
		if e.first > e.last || e.first >= len(toks) {
			return
		}
		if e.first == e.last && toks[e.first].kind == tVar && !strings.HasPrefix(toks[e.first].text, "@") {
			return // a variable names a secret, it does not hold one
		}
		end := toks[e.last].end
		if toks[e.first].kind == tPunct && isOpener(&toks[e.first]) && toks[e.first].match < 0 {
			end = len(line)
		}
		spans = append(spans, span{toks[e.first].start, end})
	}

	// Visit every stage at every level: each stage starts at the line's
	// start, after a boundary, or just inside an opening bracket.
	var starts []int
	for i := range toks {
		if i == 0 || isBoundary(&toks[i-1]) || isOpener(&toks[i-1]) {
			starts = append(starts, i)
		}
	}
	for _, s := range starts {
		if s >= len(toks) {
			continue
		}
		level := toks[s].parent
		if s > 0 && isOpener(&toks[s-1]) {
			level = s - 1
		}
		if toks[s].parent != level || isCloser(&toks[s]) {
			continue
		}
		els := stageElems(toks, s, len(toks), level)
		if len(els) == 0 {
			continue
		}
		hash := level >= 0 && toks[level].text == "@{"
		if hash {
			// @{ Key = value; ... }: the stage is "Key", "=" ends it, the
			// value is the next stage.
			continue
		}
		m.maskStage(toks, els, maskElem)
	}
	// Hashtable keys: Key = value inside @{ }.
	for i := 0; i+1 < len(toks); i++ {
		t := &toks[i]
		if t.parent < 0 || toks[t.parent].text != "@{" {
			continue
		}
		if (t.kind == tWord || t.kind == tString) && toks[i+1].kind == tPunct && toks[i+1].text == "=" && m.isSecretKey(t.text) {
			els := stageElems(toks, i+2, len(toks), t.parent)
			if len(els) > 0 {
				maskElem(els[0])
			}
		}
	}
	if len(spans) == 0 {
		return line, false
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var sb strings.Builder
	pos := 0
	for _, sp := range spans {
		if sp.start < pos {
			if sp.end > pos {
				pos = sp.end
			}
			continue
		}
		sb.WriteString(line[pos:sp.start])
		sb.WriteString(Mask)
		pos = sp.end
		// A masked value that was self-delimited (a quoted string) may be
		// followed directly by text that would glue onto the mask and lex
		// differently the next time (''# is a string and a comment, ***# one
		// word): keep them apart, so masking a masked line changes nothing.
		if pos < len(line) && !strings.ContainsRune(" \t;|),}=", rune(line[pos])) {
			sb.WriteByte(' ')
		}
	}
	sb.WriteString(line[pos:])
	return sb.String(), true
}

// maskStage masks the secret values among one command's arguments.
func (m *Masker) maskStage(toks []token, els []elem, maskElem func(elem)) {
	cmdName := ""
	if first := toks[els[0].first]; first.kind == tWord && els[0].first == els[0].last {
		cmdName = object.Fold(first.text)
	}
	pos, hasPos := m.positional[cmdName]
	info := m.infos[cmdName]
	positional := 0
	for k := 1; k < len(els); k++ {
		e := els[k]
		t := &toks[e.first]
		if t.kind != tParam {
			if hasPos && positional >= pos {
				maskElem(e)
			}
			positional++
			continue
		}
		name := strings.TrimRight(t.text[dashLen(t.text):], ":")
		secret := m.isSecretParam(name)
		if t.colon && e.last > e.first {
			// -Name:value
			if secret {
				maskElem(elem{first: e.first + 1, last: e.last})
			}
			continue
		}
		if secret {
			// -Name value, or -Name: value
			if k+1 < len(els) && toks[els[k+1].first].kind != tParam {
				maskElem(els[k+1])
				k++
			}
			continue
		}
		// Only a parameter known to take a value consumes the next
		// argument; an unknown one is taken as a switch, so that what
		// follows still counts as positional (and may be masked). A
		// positional parameter bound by name moves the later positional
		// values one place forward, as the binder does.
		if info == nil {
			continue
		}
		p := resolveParam(info.AllParams(), name)
		if p == nil || p.Kind == object.KindSwitch {
			continue
		}
		if p.Position >= 0 && p.Position < pos {
			pos--
		}
		if !t.colon && k+1 < len(els) && toks[els[k+1].first].kind != tParam {
			k++
		}
	}
}

func dashLen(s string) int {
	r, n := utf8.DecodeRuneInString(s)
	if n > 0 && isDash(r) {
		return n
	}
	return 0
}

// resolveParam finds the parameter a typed name binds to, as the binder
// resolves it; nil when none or ambiguous.
func resolveParam(params []cmdlet.Param, name string) *cmdlet.Param {
	for i := range params {
		if strings.EqualFold(params[i].Name, name) {
			return &params[i]
		}
	}
	for i := range params {
		for _, a := range params[i].Aliases {
			if strings.EqualFold(a, name) {
				return &params[i]
			}
		}
	}
	var found *cmdlet.Param
	f := object.Fold(name)
	for i := range params {
		if strings.HasPrefix(object.Fold(params[i].Name), f) {
			if found != nil {
				return nil
			}
			found = &params[i]
		}
	}
	return found
}
