package repl

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The REPL needs to understand a command line that may be unfinished (the
// user is still typing it) or wrong, so it cannot use host/syntax's parser,
// which rejects such text. This lexer is forgiving: it never fails, marks
// what is unterminated, and records for every token the bracket it sits in,
// which is all that completion and history masking need.

type tokKind uint8

const (
	tWord   tokKind = iota // a bare word: command name, argument, number
	tParam                 // -Name or -Name: (colon set)
	tVar                   // $name, $_.Prop, ${x}, @splat
	tString                // '...' or "..." (open when unterminated)
	tPunct                 // | ; newline { } ( ) @( @{ $( , = && ||
)

// token is one lexeme of a command line.
type token struct {
	kind       tokKind
	start, end int // byte offsets in the line
	text       string
	// parent is the index of the opening bracket the token sits in, or -1
	// at the top level. A closing bracket has its opener's parent, so it is
	// at the same level as its opener.
	parent int
	// match is, for an opening bracket, the index of its closing bracket
	// (-1 while unclosed).
	match int
	// open marks an unterminated string.
	open bool
	// colon marks a -Name: parameter, whose value follows with no space.
	colon bool
	// space reports whitespace (or the start of the line) before the token.
	space bool
}

func isDash(r rune) bool { return r == '-' || r == '\u2013' || r == '\u2014' || r == '\u2015' }

func isSQuote(r rune) bool { return r == '\'' || (r >= '\u2018' && r <= '\u201B') }

func isDQuote(r rune) bool { return r == '"' || (r >= '\u201C' && r <= '\u201E') }

func isBlank(r rune) bool { return r != '\n' && r != '\r' && unicode.IsSpace(r) }

func isIdentChar(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// wordEnd reports whether r ends a bare word.
func wordEnd(r rune) bool {
	switch r {
	case ';', '|', '(', ')', '{', '}', ',', '\n', '\r':
		return true
	}
	return unicode.IsSpace(r)
}

func isOpener(t *token) bool {
	if t.kind != tPunct {
		return false
	}
	switch t.text {
	case "{", "(", "@(", "@{", "$(":
		return true
	}
	return false
}

func isCloser(t *token) bool {
	return t.kind == tPunct && (t.text == "}" || t.text == ")")
}

// lex splits a command line into tokens.
func lex(src string) []token {
	var toks []token
	var stack []int // indexes of open brackets
	i := 0
	space := true
	add := func(t token) {
		t.parent = -1
		if len(stack) > 0 {
			t.parent = stack[len(stack)-1]
		}
		t.match = -1
		t.text = src[t.start:t.end]
		t.space = space
		space = false
		if isCloser(&t) && len(stack) > 0 {
			op := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			t.parent = toks[op].parent
			toks[op].match = len(toks)
		}
		toks = append(toks, t)
		if isOpener(&t) {
			stack = append(stack, len(toks)-1)
		}
	}
	inHash := func() bool {
		return len(stack) > 0 && toks[stack[len(stack)-1]].text == "@{"
	}
	for i < len(src) {
		r, n := utf8.DecodeRuneInString(src[i:])
		switch {
		case isBlank(r):
			i += n
			space = true
			continue
		case r == '`' && i+1 < len(src) && (src[i+1] == '\n' || src[i+1] == '\r'):
			// line continuation
			i += 2
			if src[i-1] == '\r' && i < len(src) && src[i] == '\n' {
				i++
			}
			space = true
			continue
		case r == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			space = true
			continue
		case r == '<' && strings.HasPrefix(src[i:], "<#"):
			end := strings.Index(src[i+2:], "#>")
			if end < 0 {
				i = len(src)
			} else {
				i += 2 + end + 2
			}
			space = true
			continue
		}
		start := i
		switch {
		case r == '\n' || r == '\r' || r == ';' || r == '{' || r == '}' || r == '(' || r == ')' || r == ',':
			i += n
			add(token{kind: tPunct, start: start, end: i})
			if r == '\n' || r == '\r' || r == ';' {
				space = true
			}
		case r == '|' || r == '&':
			i += n
			if i < len(src) && rune(src[i]) == r {
				i++
			}
			add(token{kind: tPunct, start: start, end: i})
		case r == '=':
			i += n
			add(token{kind: tPunct, start: start, end: i})
		case r == '@' && i+1 < len(src) && (src[i+1] == '(' || src[i+1] == '{'):
			i += 2
			add(token{kind: tPunct, start: start, end: i})
		case r == '$' && i+1 < len(src) && src[i+1] == '(':
			i += 2
			add(token{kind: tPunct, start: start, end: i})
		case r == '$' || (r == '@' && i+1 < len(src) && isIdentStart(src[i+1:])):
			i = scanVar(src, i)
			add(token{kind: tVar, start: start, end: i})
		case isSQuote(r) || isDQuote(r):
			end, open := scanString(src, i)
			i = end
			add(token{kind: tString, start: start, end: i, open: open})
		case isDash(r) && i+n < len(src) && isParamStart(src[i+n:]):
			i += n
			for i < len(src) {
				r2, n2 := utf8.DecodeRuneInString(src[i:])
				if r2 == ':' {
					i += n2
					add(token{kind: tParam, start: start, end: i, colon: true})
					goto next
				}
				if wordEnd(r2) || isSQuote(r2) || isDQuote(r2) {
					break
				}
				i += n2
			}
			add(token{kind: tParam, start: start, end: i})
		default:
			i = scanWord(src, i, inHash())
			add(token{kind: tWord, start: start, end: i})
		}
	next:
	}
	return toks
}

func isIdentStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '_' || unicode.IsLetter(r)
}

func isParamStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '_' || r == '?' || unicode.IsLetter(r)
}

// scanWord scans a bare word from i; quoted parts inside it belong to it
// (abc'd e'f is one argument), as do balanced [...] (a type literal).
func scanWord(src string, i int, hash bool) int {
	for i < len(src) {
		r, n := utf8.DecodeRuneInString(src[i:])
		if wordEnd(r) || (hash && r == '=') {
			return i
		}
		if isSQuote(r) || isDQuote(r) {
			i, _ = scanString(src, i)
			continue
		}
		if r == '`' && i+n < len(src) {
			_, n2 := utf8.DecodeRuneInString(src[i+n:])
			i += n + n2
			continue
		}
		i += n
	}
	return i
}

// scanVar scans $name, $scope:name, ${any}, $_ and $$/$?/$^, followed by
// member access (.Name) and indexing ([...]); @name is a splat.
func scanVar(src string, i int) int {
	i++ // $ or @
	if i < len(src) && src[i] == '{' {
		end := strings.IndexByte(src[i:], '}')
		if end < 0 {
			return len(src)
		}
		i += end + 1
	} else if i < len(src) && (src[i] == '$' || src[i] == '?' || src[i] == '^') {
		return i + 1
	} else {
		for i < len(src) {
			r, n := utf8.DecodeRuneInString(src[i:])
			if !isIdentChar(r) && !(r == ':' && i+n < len(src) && isIdentStart(src[i+n:])) {
				break
			}
			i += n
		}
	}
	// member access and indexing
	for i < len(src) {
		switch src[i] {
		case '.':
			j := i + 1
			for j < len(src) {
				r, n := utf8.DecodeRuneInString(src[j:])
				if !isIdentChar(r) {
					break
				}
				j += n
			}
			i = j
		case '[':
			depth := 0
			j := i
			for ; j < len(src); j++ {
				if src[j] == '[' {
					depth++
				} else if src[j] == ']' {
					depth--
					if depth == 0 {
						j++
						break
					}
				}
			}
			i = j
		default:
			return i
		}
	}
	return i
}

// scanString scans a quoted string starting at i and returns its end and
// whether it is unterminated. Single-quoted strings double their quote to
// escape it; double-quoted ones also take backtick escapes.
func scanString(src string, i int) (int, bool) {
	q, n := utf8.DecodeRuneInString(src[i:])
	single := isSQuote(q)
	i += n
	for i < len(src) {
		r, n := utf8.DecodeRuneInString(src[i:])
		i += n
		if !single && r == '`' {
			if i < len(src) {
				_, n2 := utf8.DecodeRuneInString(src[i:])
				i += n2
			}
			continue
		}
		if (single && isSQuote(r)) || (!single && isDQuote(r)) {
			if i < len(src) {
				r2, n2 := utf8.DecodeRuneInString(src[i:])
				if (single && isSQuote(r2)) || (!single && isDQuote(r2)) {
					i += n2 // doubled quote
					continue
				}
			}
			return i, false
		}
	}
	return i, true
}

// isBoundary reports whether the token ends a pipeline stage: everything
// after it at the same level starts a new command.
func isBoundary(t *token) bool {
	if t.kind != tPunct {
		return false
	}
	switch t.text {
	case "|", ";", "\n", "\r", "&&", "||", "=", "&":
		return true
	}
	return false
}

// elem is one argument at a stage's level: a run of adjacent tokens (no
// space between), where a bracket counts with everything up to its match.
type elem struct{ first, last int }

// stageStart returns the index of the first token of the pipeline stage
// that contains token i at i's level, and the index of the token before it
// (a boundary or the enclosing opener; -1 at the start of the line).
func stageStart(toks []token, i int) (start, before int) {
	level := -1
	if i < len(toks) {
		level = toks[i].parent
	}
	j := i - 1
	for j >= 0 {
		t := &toks[j]
		if j == level {
			return j + 1, j
		}
		if t.parent == level && isBoundary(t) {
			return j + 1, j
		}
		j--
	}
	return 0, -1
}

// stageElems groups the tokens from start up to (not including) end, all at
// the level of toks[start], into arguments.
func stageElems(toks []token, start, end, level int) []elem {
	var out []elem
	for j := start; j < end; j++ {
		t := &toks[j]
		if t.parent != level {
			continue
		}
		if isBoundary(t) {
			break
		}
		last := j
		if isOpener(t) {
			if t.match >= 0 {
				last = t.match
			} else {
				last = end - 1
			}
			if last >= end {
				last = end - 1
			}
		}
		if len(out) > 0 && !t.space && !isCloser(t) {
			// adjacent to the previous argument: the same argument
			out[len(out)-1].last = last
			j = last
			continue
		}
		if isCloser(t) {
			continue
		}
		out = append(out, elem{first: j, last: last})
		j = last
	}
	return out
}
