package repl

import (
	"sort"
	"strings"
	"unicode/utf8"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

// Completer proposes completions for a command line. Complete returns the
// candidates for the text before pos (a byte offset in line) and the byte
// offset where the text they replace starts: accepting candidate c makes
// the line line[:replaceFrom] + c + line[pos:].
type Completer interface {
	Complete(line string, pos int) (candidates []string, replaceFrom int)
}

// Sources completes from cmdlet metadata and the session's state. Every
// field but Registry is optional.
type Sources struct {
	// Registry holds the cmdlets (built-in and plugins) and their aliases.
	Registry *cmdlet.Registry
	// Values answers a parameter's dynamic value source, named by its
	// Param.Completer ("ou", "identity", "policy", "role"), for the typed
	// prefix (unquoted). Its answers are used as given: it decides what
	// matches the prefix (identities match by display-name prefix, say).
	Values func(kind, prefix string) []string
	// Variables lists the session's variable names, without the $.
	Variables func() []string
	// Properties lists the property names of objects of a type, for $_.
	// completion after a stage whose cmdlet declares its OutputType.
	Properties func(typeName string) []string
	// Commands lists extra command names (functions defined in the
	// session), completed with the cmdlets.
	Commands func() []string
	// Topics lists help topics (about_*), completed for Get-Help's -Name.
	Topics func() []string
}

// passThrough are the cmdlets whose output objects are their input
// objects, so the type seen by $_ after them is the type before them.
var passThrough = map[string]bool{
	"where-object": true, "sort-object": true, "tee-object": true,
	"get-unique": true,
}

// operators are completed after a dash in expression context.
var operators = []string{
	"-and", "-as", "-band", "-bnot", "-bor", "-bxor", "-ccontains", "-ceq", "-cge",
	"-cgt", "-cin", "-cle", "-clike", "-clt", "-cmatch", "-cne", "-cnotcontains",
	"-cnotin", "-cnotlike", "-cnotmatch", "-contains", "-creplace", "-csplit",
	"-eq", "-f", "-ge", "-gt", "-in", "-is", "-isnot", "-join", "-le", "-like",
	"-lt", "-match", "-ne", "-not", "-notcontains", "-notin", "-notlike",
	"-notmatch", "-or", "-replace", "-shl", "-shr", "-split", "-xor",
}

// Complete implements [Completer]. It is a pure function of the line, the
// cursor and the sources: it completes command names and aliases at the
// start of a stage, parameter names after -, parameter values after a
// parameter or in a positional slot, variables after $, and property names
// after $_. inside a script block from the OutputType of the previous
// pipeline stage. Matching is case-insensitive.
func (s *Sources) Complete(line string, pos int) ([]string, int) {
	if pos < 0 || pos > len(line) {
		pos = len(line)
	}
	for pos > 0 && pos < len(line) && !utf8.RuneStart(line[pos]) {
		pos--
	}
	text := line[:pos]
	toks := lex(text)

	// The token being typed ends at the cursor; none when a space (or a
	// bracket or separator) comes right before it.
	cur := -1
	if n := len(toks); n > 0 && toks[n-1].end == pos {
		t := &toks[n-1]
		if t.kind != tPunct || t.text == "," {
			cur = n - 1
		}
	}
	if cur >= 0 && toks[cur].kind == tPunct {
		cur = -1 // after a comma: a new value in the same argument
	}
	var curText string
	var from int
	if cur >= 0 {
		curText, from = toks[cur].text, toks[cur].start
	} else {
		from = pos
	}

	// Variables and $_. properties.
	if cur >= 0 && toks[cur].kind == tVar && strings.HasPrefix(curText, "$") {
		return s.completeVariable(toks, cur, curText, from)
	}

	// The stage the token belongs to.
	idx := cur
	if idx < 0 {
		idx = len(toks)
		toks = append(toks, token{kind: tWord, start: pos, end: pos, parent: openParent(toks), match: -1, space: true})
		cur = idx
	}
	start, _ := stageStart(toks, idx)
	level := toks[idx].parent
	els := stageElems(toks, start, idx+1, level)
	if len(els) == 0 {
		return nil, from
	}
	// Which argument is being typed: the last element (which holds idx).
	k := len(els) - 1
	t := &toks[idx]

	// A command name at the start of the stage.
	if k == 0 {
		if t.kind == tWord {
			return s.completeCommand(curText), from
		}
		return nil, from
	}

	first := &toks[els[0].first]
	var info *cmdlet.Info
	if first.kind == tWord && els[0].first == els[0].last && s.Registry != nil {
		info, _ = s.Registry.Lookup(first.text)
	}

	// A lone dash being typed starts a parameter name.
	if t.kind == tWord && curText != "" && dashLen(curText) == len(curText) {
		t.kind = tParam
	}
	// -Name: a parameter name, or an operator in expression context.
	if t.kind == tParam && idx == els[k].first {
		if t.colon {
			// -Switch: or -Name: with the cursor after the colon
			if info == nil {
				return nil, pos
			}
			name := strings.TrimRight(t.text[dashLen(t.text):], ":")
			p := resolveParam(info.AllParams(), name)
			if p == nil {
				return nil, pos
			}
			return s.completeValue(info, p, ""), pos
		}
		if info == nil {
			return matchPrefix(operators, "-"+curText[dashLen(curText):]), from
		}
		return s.completeParamName(toks, info, els[:k], curText), from
	}
	if info == nil {
		return nil, from
	}
	// A -Name:value element: complete the value after the colon.
	if e := els[k]; toks[e.first].kind == tParam && toks[e.first].colon && e.first < idx {
		name := strings.TrimRight(toks[e.first].text[dashLen(toks[e.first].text):], ":")
		if p := resolveParam(info.AllParams(), name); p != nil {
			return s.completeValue(info, p, curText), from
		}
		return nil, from
	}
	if idx != els[k].first && toks[idx].kind != tWord && toks[idx].kind != tString {
		return nil, from
	}

	// A value: for the parameter named just before it, or positional.
	p := s.paramForValue(toks, info, els, k)
	if p == nil {
		return nil, from
	}
	if els[k].first != idx {
		// Several tokens make this argument (a,b or a'b'): complete the
		// last one only.
		from = toks[idx].start
	}
	return s.completeValue(info, p, curText), from
}

// openParent returns the innermost bracket still open at the end of toks.
func openParent(toks []token) int {
	if len(toks) == 0 {
		return -1
	}
	last := len(toks) - 1
	if isOpener(&toks[last]) {
		return last
	}
	return toks[last].parent
}

// paramForValue returns the parameter that the k-th argument of the stage
// binds to: the one named just before it, else the positional one.
func (s *Sources) paramForValue(toks []token, info *cmdlet.Info, els []elem, k int) *cmdlet.Param {
	all := info.AllParams()
	if k >= 2 {
		prev := &toks[els[k-1].first]
		if prev.kind == tParam && !prev.colon {
			name := prev.text[dashLen(prev.text):]
			if p := resolveParam(all, name); p != nil && p.Kind != object.KindSwitch {
				return p
			}
		}
	}
	// Count the positional arguments before this one, and skip the
	// positional parameters already bound by name.
	bound := map[string]bool{}
	positional := 0
	for j := 1; j < k; j++ {
		t := &toks[els[j].first]
		if t.kind != tParam {
			positional++
			continue
		}
		name := strings.TrimRight(t.text[dashLen(t.text):], ":")
		p := resolveParam(all, name)
		if p == nil {
			continue
		}
		bound[object.Fold(p.Name)] = true
		if p.Kind != object.KindSwitch && !t.colon && j+1 < k {
			j++
		}
	}
	var free []*cmdlet.Param
	for i := range info.Params {
		p := &info.Params[i]
		if p.Position >= 0 && !bound[object.Fold(p.Name)] {
			free = append(free, p)
		}
	}
	sort.SliceStable(free, func(a, b int) bool { return free[a].Position < free[b].Position })
	// Parameters sharing a position belong to different sets: keep the
	// first of each position.
	var slots []*cmdlet.Param
	for _, p := range free {
		if len(slots) > 0 && slots[len(slots)-1].Position == p.Position {
			continue
		}
		slots = append(slots, p)
	}
	if positional < len(slots) {
		return slots[positional]
	}
	return nil
}

// completeCommand completes cmdlet names, aliases and extra commands.
func (s *Sources) completeCommand(prefix string) []string {
	var names []string
	if s.Registry != nil {
		for _, in := range s.Registry.All() {
			names = append(names, in.Name)
			names = append(names, in.Aliases...)
		}
	}
	if s.Commands != nil {
		names = append(names, s.Commands()...)
	}
	return sortUnique(matchPrefix(names, prefix))
}

// completeParamName completes -Name for a cmdlet, leaving out parameters
// already given.
func (s *Sources) completeParamName(toks []token, info *cmdlet.Info, before []elem, prefix string) []string {
	all := info.AllParams()
	used := map[string]bool{}
	for _, e := range before {
		t := &toks[e.first]
		if t.kind == tParam {
			if p := resolveParam(all, strings.TrimRight(t.text[dashLen(t.text):], ":")); p != nil {
				used[object.Fold(p.Name)] = true
			}
		}
	}
	dash := "-"
	if prefix != "" {
		dash = prefix[:dashLen(prefix)]
	}
	typed := prefix[dashLen(prefix):]
	var out []string
	for _, p := range all {
		if used[object.Fold(p.Name)] {
			continue
		}
		if hasFoldPrefix(p.Name, typed) {
			out = append(out, dash+p.Name)
		}
	}
	return out
}

// completeValue completes a parameter's value. typed is the argument's
// text so far, possibly starting with a quote.
func (s *Sources) completeValue(info *cmdlet.Info, p *cmdlet.Param, typed string) []string {
	quote := ""
	raw := typed
	if typed != "" {
		r, n := utf8.DecodeRuneInString(typed)
		if isSQuote(r) || isDQuote(r) {
			quote = typed[:n]
			raw = strings.TrimSuffix(typed[n:], quote)
		}
	}
	var vals []string
	dynamic := false
	switch {
	case len(p.Values) > 0:
		vals = p.Values
	case p.Kind == object.KindSwitch || p.Kind == object.KindBool:
		vals = []string{"$true", "$false"}
	case p.Completer == "command" || (isHelpCommand(info) && strings.EqualFold(p.Name, "Name")):
		vals = s.completeCommand("")
		if s.Topics != nil {
			vals = append(vals, s.Topics()...)
		}
	case p.Completer != "" && s.Values != nil:
		vals = s.Values(p.Completer, raw)
		dynamic = true
	}
	if !dynamic {
		vals = matchPrefix(vals, raw)
	}
	// Quote all candidates alike when one needs it, so that they share
	// the opening quote the line editor inserts.
	if quote == "" {
		for _, v := range vals {
			if needsQuote(v) {
				quote = "'"
				break
			}
		}
	}
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		out = append(out, quoteArg(v, quote))
	}
	return out
}

func isHelpCommand(in *cmdlet.Info) bool {
	return strings.EqualFold(in.Name, "Get-Help") || strings.EqualFold(in.Name, "Get-Command")
}

// completeVariable completes $name, or a property after $_. / $PSItem.
func (s *Sources) completeVariable(toks []token, cur int, text string, from int) ([]string, int) {
	if dot := strings.LastIndexByte(text, '.'); dot > 0 {
		base := text[:dot]
		if !strings.EqualFold(base, "$_") && !strings.EqualFold(base, "$PSItem") {
			return nil, from
		}
		typ := s.inputType(toks, cur)
		if typ == "" || s.Properties == nil {
			return nil, from
		}
		return sortUnique(matchPrefix(s.Properties(typ), text[dot+1:])), from + dot + 1
	}
	var names []string
	if s.Variables != nil {
		names = s.Variables()
	}
	names = append(names, "_", "PSItem", "true", "false", "null", "args", "Error")
	var out []string
	for _, n := range sortUnique(matchPrefix(names, text[1:])) {
		out = append(out, "$"+n)
	}
	return out, from
}

// inputType returns the type of the objects $_ holds at token cur: the
// OutputType of the stage before the one whose script block holds cur.
func (s *Sources) inputType(toks []token, cur int) string {
	if s.Registry == nil {
		return ""
	}
	// The innermost enclosing script block (not a hashtable).
	block := toks[cur].parent
	for block >= 0 && toks[block].text != "{" {
		block = toks[block].parent
	}
	if block < 0 {
		return ""
	}
	// The stage holding the block, hopping out of @{ } (Select-Object's
	// calculated properties).
	at := block
	for {
		start, before := stageStart(toks, at)
		_ = start
		if before >= 0 && toks[before].text == "@{" {
			at = before
			continue
		}
		if before < 0 || toks[before].text != "|" {
			return ""
		}
		// The previous stage: walk back through pass-through cmdlets.
		prevStart, _ := stageStart(toks, before)
		first := &toks[prevStart]
		if first.kind != tWord {
			return ""
		}
		in, ok := s.Registry.Lookup(first.text)
		if !ok {
			return ""
		}
		if in.OutputType != "" {
			return in.OutputType
		}
		if !passThrough[strings.ToLower(in.Name)] {
			return ""
		}
		at = prevStart
	}
}

// quoteArg renders a value as an argument: as it is when it is a plain
// word, else in quotes (the user's opening quote if any, else single).
func quoteArg(v, quote string) string {
	if quote == "" {
		return v
	}
	if r, _ := utf8.DecodeRuneInString(quote); isSQuote(r) {
		return quote + strings.ReplaceAll(v, "'", "''") + "'"
	}
	r := strings.NewReplacer("`", "``", `"`, "`\"", "$", "`$")
	return quote + r.Replace(v) + `"`
}

func needsQuote(v string) bool {
	if v == "" {
		return true
	}
	if strings.HasPrefix(v, "$") && (v == "$true" || v == "$false" || v == "$null") {
		return false
	}
	for i, r := range v {
		if wordEnd(r) || isSQuote(r) || isDQuote(r) || r == '$' || r == '`' || r == '@' && i == 0 || r == '#' && i == 0 {
			return true
		}
		if i == 0 && isDash(r) {
			return true
		}
	}
	return false
}

func hasFoldPrefix(s, prefix string) bool {
	if len(prefix) > len(s)*4 {
		return false
	}
	fs, fp := object.Fold(s), object.Fold(prefix)
	return strings.HasPrefix(fs, fp)
}

func matchPrefix(list []string, prefix string) []string {
	var out []string
	for _, s := range list {
		if hasFoldPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// sortUnique sorts case-insensitively and drops case-insensitive duplicates.
func sortUnique(list []string) []string {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := object.Fold(list[i]), object.Fold(list[j])
		if a != b {
			return a < b
		}
		return list[i] < list[j]
	})
	out := list[:0]
	for i, s := range list {
		if i > 0 && object.Fold(s) == object.Fold(out[len(out)-1]) {
			continue
		}
		out = append(out, s)
	}
	return out
}
