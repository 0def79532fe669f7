package syntax

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"pinsh/host/object"
)

// tokKind is the kind of a token.
type tokKind uint8

const (
	tEOF tokKind = iota
	tNewline
	tSemi
	tPipe
	tOrOr
	tAmp
	tAndAnd
	tLParen
	tRParen
	tLBrace
	tRBrace
	tLBracket
	tRBracket
	tAtParen
	tAtBrace
	tDollarParen
	tComma
	tDot
	tDotDot
	tColon
	tColonColon
	tAssign // text: = += -= *= /= %=
	tPlus
	tMinus
	tStar
	tSlash
	tPercent
	tExcl
	tInc
	tDec
	tNumber
	tString
	tVariable
	tSplat
	tParam    // argument mode -Name or -Name:
	tOperator // expression mode -eq ...; text is the lower-case name
	tBadOp    // expression mode -xyz that is no operator
	tWord     // argument mode generic token, expression mode identifier
	tRedirect
	tOther // a character that starts no token
)

// mode is the tokenizer mode: expression mode (numbers are numbers, words
// are identifiers) or argument mode (bare words are strings, -Name is a
// parameter).
type mode uint8

const (
	modeExpr mode = iota
	modeArg
)

type token struct {
	kind       tokKind
	start, end int
	// text: word value, operator name, variable name, parameter name,
	// assignment operator.
	text string
	// node: *StringLit or *ExpandString for strings and words, *NumberLit
	// for numbers.
	node  Expr
	plain bool // a word without quotes, escapes or expansions
	colon bool // -Name: form
	// redirection
	stream byte
	append bool
	merge  bool
}

func isDash(r rune) bool { return r == '-' || r == '\u2013' || r == '\u2014' || r == '\u2015' }

func isSQuote(r rune) bool { return r == '\'' || (r >= '\u2018' && r <= '\u201B') }

func isDQuote(r rune) bool { return r == '"' || (r >= '\u201C' && r <= '\u201E') }

func isSpaceRune(r rune) bool {
	switch r {
	case ' ', '\t', '\f', '\v', 0xA0, 0x85, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

func isNewline(r rune) bool { return r == '\n' || r == '\r' }

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }

func isIdentChar(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// isWordEnd reports whether r ends a generic argument-mode word.
func isWordEnd(r rune) bool {
	switch r {
	case ';', '|', '&', '(', ')', '{', '}', ',', '>', '<', '\n', '\r':
		return true
	}
	return isSpaceRune(r)
}

// runeAt decodes the rune at byte offset i; size 0 at the end.
func (p *parser) runeAt(i int) (rune, int) {
	if i >= len(p.src) {
		return -1, 0
	}
	c := p.src[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(p.src[i:])
}

func (p *parser) cur() rune {
	r, _ := p.runeAt(p.off)
	return r
}

// newlineLen returns the length of the line terminator at i (0 if none).
func (p *parser) newlineLen(i int) int {
	if i >= len(p.src) {
		return 0
	}
	switch p.src[i] {
	case '\n':
		return 1
	case '\r':
		if i+1 < len(p.src) && p.src[i+1] == '\n' {
			return 2
		}
		return 1
	}
	return 0
}

// skipSpace skips blanks, comments and line continuations, but not
// newlines, which are tokens.
func (p *parser) skipSpace() {
	for p.off < len(p.src) {
		r, size := p.runeAt(p.off)
		switch {
		case isSpaceRune(r):
			p.off += size
		case r == '`':
			n := p.off + 1
			if n >= len(p.src) {
				p.failRange(p.off, n, true, "The line continuation character (`) is not followed by a new line.")
			}
			if l := p.newlineLen(n); l > 0 {
				p.off = n + l
				continue
			}
			return
		case r == '#':
			for p.off < len(p.src) && p.src[p.off] != '\n' && p.src[p.off] != '\r' {
				p.off++
			}
		case r == '<' && p.off+1 < len(p.src) && p.src[p.off+1] == '#':
			end := strings.Index(p.src[p.off+2:], "#>")
			if end < 0 {
				p.failRange(p.off, len(p.src), true, "Missing the terminator '#>' of the block comment.")
			}
			p.off += 2 + end + 2
		default:
			return
		}
	}
}

// peek returns the next token in mode m without consuming it. Tokens
// that embed parsed subexpressions (strings, expandable words) are
// memoized by offset, so that looking at them again never re-parses: that
// keeps nested "$( "$( ... )" )" linear.
func (p *parser) peek(m mode) token {
	if p.pkValid && p.pkOff == p.off && (p.pkMode == m || p.pk.kind == tString) {
		return p.pk
	}
	if e, ok := p.memo[memoKey{p.off, m}]; ok {
		p.pk, p.pkOff, p.pkMode, p.pkEnd, p.pkValid = e.tok, p.off, m, e.end, true
		return e.tok
	}
	save := p.off
	t := p.scan(m)
	p.pk, p.pkOff, p.pkMode, p.pkEnd, p.pkValid = t, save, m, p.off, true
	if t.kind == tString || (t.kind == tWord && !t.plain) {
		if p.memo == nil {
			p.memo = map[memoKey]memoEntry{}
		}
		p.memo[memoKey{save, m}] = memoEntry{t, p.off}
		if t.kind == tString {
			p.memo[memoKey{save, 1 - m}] = memoEntry{t, p.off}
		}
	}
	p.off = save
	return t
}

type memoKey struct {
	off  int
	mode mode
}

type memoEntry struct {
	tok token
	end int
}

// next consumes and returns the next token in mode m.
func (p *parser) next(m mode) token {
	t := p.peek(m)
	p.off = p.pkEnd
	p.pkValid = false
	if t.kind != tEOF {
		p.last = t.end
	}
	return t
}

// scan reads one token at p.off in mode m.
func (p *parser) scan(m mode) token {
	p.skipSpace()
	start := p.off
	tok := func(k tokKind, n int) token {
		p.off += n
		return token{kind: k, start: start, end: p.off}
	}
	if p.off >= len(p.src) {
		return token{kind: tEOF, start: start, end: start}
	}
	r, size := p.runeAt(p.off)
	r2, size2 := p.runeAt(p.off + size)
	switch {
	case r == '\n' || r == '\r':
		return tok(tNewline, p.newlineLen(p.off))
	case r == ';':
		return tok(tSemi, 1)
	case r == '|':
		if r2 == '|' {
			return tok(tOrOr, 2)
		}
		return tok(tPipe, 1)
	case r == '&':
		if r2 == '&' {
			return tok(tAndAnd, 2)
		}
		return tok(tAmp, 1)
	case r == '(':
		return tok(tLParen, 1)
	case r == ')':
		return tok(tRParen, 1)
	case r == '{':
		return tok(tLBrace, 1)
	case r == '}':
		return tok(tRBrace, 1)
	case r == ',':
		return tok(tComma, 1)
	case r == '$':
		if r2 == '(' {
			return tok(tDollarParen, 2)
		}
		if m == modeArg {
			return p.scanArgDollar()
		}
		return p.scanVariable()
	case r == '@':
		switch {
		case r2 == '(':
			return tok(tAtParen, 2)
		case r2 == '{':
			return tok(tAtBrace, 2)
		case isSQuote(r2) || isDQuote(r2):
			return p.scanHereString()
		case isIdentChar(r2):
			p.off += 1
			name := p.scanIdent()
			return token{kind: tSplat, start: start, end: p.off, text: name}
		}
		p.failRange(start, start+size, r2 < 0, "Unrecognized token in source text.")
	case isSQuote(r):
		p.off += size
		s := p.scanSingleQuoted(start)
		return token{kind: tString, start: start, end: p.off, node: &StringLit{Span: p.span(start, p.off), Value: s, Quote: QuoteSingle}}
	case isDQuote(r):
		p.off += size
		sb := &strBuilder{}
		p.scanDoubleQuoted(start, sb)
		return token{kind: tString, start: start, end: p.off, node: sb.node(p.span(start, p.off), QuoteDouble)}
	case r == '>' || (r == '*' && r2 == '>') || (r >= '1' && r <= '6' && r2 == '>' && m == modeArg):
		return p.scanRedirect(m)
	case r == '<':
		p.failRange(start, start+1, start+1 >= len(p.src), "The '<' operator is reserved for future use.")
	}
	if m == modeArg {
		return p.scanArg(r, size, r2)
	}
	// Expression mode.
	switch {
	case r == '[':
		return tok(tLBracket, 1)
	case r == ']':
		return tok(tRBracket, 1)
	case r == '.':
		if r2 == '.' {
			return tok(tDotDot, 2)
		}
		if r2 >= '0' && r2 <= '9' {
			return p.scanNumberToken()
		}
		return tok(tDot, 1)
	case r == ':':
		if r2 == ':' {
			return tok(tColonColon, 2)
		}
		return tok(tColon, 1)
	case r == '=':
		t := tok(tAssign, 1)
		t.text = "="
		return t
	case r == '+' || r == '*' || r == '/' || r == '%':
		if r2 == '=' {
			t := tok(tAssign, 2)
			t.text = string(r) + "="
			return t
		}
		switch r {
		case '+':
			if r2 == '+' {
				return tok(tInc, 2)
			}
			return tok(tPlus, 1)
		case '*':
			return tok(tStar, 1)
		case '/':
			return tok(tSlash, 1)
		}
		return tok(tPercent, 1)
	case r == '!':
		return tok(tExcl, 1)
	case isDash(r):
		switch {
		case isDash(r2):
			return tok(tDec, size+size2)
		case r2 == '=':
			t := tok(tAssign, size+1)
			t.text = "-="
			return t
		case r2 >= 0 && isIdentStart(r2):
			p.off += size
			name := strings.ToLower(p.scanLetters())
			k := tOperator
			if !isOperator(name) {
				k = tBadOp
			}
			return token{kind: k, start: start, end: p.off, text: name}
		}
		return tok(tMinus, size)
	case r >= '0' && r <= '9':
		return p.scanNumberToken()
	case isIdentChar(r):
		name := p.scanIdent()
		return token{kind: tWord, start: start, end: p.off, text: name, plain: true}
	}
	return tok(tOther, size)
}

// scanLetters reads a run of letters (an operator name).
func (p *parser) scanLetters() string {
	start := p.off
	for p.off < len(p.src) {
		r, size := p.runeAt(p.off)
		if !unicode.IsLetter(r) {
			break
		}
		p.off += size
	}
	return p.src[start:p.off]
}

// scanIdent reads identifier characters.
func (p *parser) scanIdent() string {
	start := p.off
	for p.off < len(p.src) {
		r, size := p.runeAt(p.off)
		if !isIdentChar(r) {
			break
		}
		p.off += size
	}
	return p.src[start:p.off]
}

var operators = map[string]bool{
	"and": true, "or": true, "xor": true, "not": true, "band": true, "bor": true,
	"bxor": true, "bnot": true, "shl": true, "shr": true, "f": true, "join": true,
	"is": true, "isnot": true, "as": true,
}

var caseOperators = []string{"eq", "ne", "gt", "ge", "lt", "le", "like", "notlike",
	"match", "notmatch", "contains", "notcontains", "in", "notin", "replace", "split"}

func init() {
	for _, op := range caseOperators {
		operators[op] = true
		operators["c"+op] = true
		operators["i"+op] = true
	}
}

func isOperator(name string) bool { return operators[name] }

// comparisonOps are the operators at comparison precedence.
func isComparisonOp(name string) bool {
	switch name {
	case "and", "or", "xor", "not", "band", "bor", "bxor", "bnot", "f":
		return false
	}
	return operators[name]
}

// scanNumberToken scans an expression-mode number.
func (p *parser) scanNumberToken() token {
	start := p.off
	v, n := lexNumber(p.src[p.off:])
	if n == 0 {
		n = 1
	}
	p.off += n
	if r, _ := p.runeAt(p.off); (r >= 0 && isIdentChar(r)) || v == nil {
		for p.off < len(p.src) {
			r, size := p.runeAt(p.off)
			if !isIdentChar(r) && r != '.' {
				break
			}
			p.off += size
		}
		text := p.src[start:p.off]
		p.failRange(start, p.off, p.off >= len(p.src), "Unexpected token '"+text+"' in expression or statement.")
	}
	text := p.src[start:p.off]
	return token{kind: tNumber, start: start, end: p.off, node: &NumberLit{Span: p.span(start, p.off), Value: v, Text: text}}
}

// lexNumber scans a PowerShell numeric literal at the start of s: decimal
// or 0x hex integers, decimals with exponent, the type suffixes l and d and
// the multipliers kb mb gb tb pb. It returns the value and the length
// consumed (0 when s does not start with a number).
func lexNumber(s string) (object.Value, int) {
	i := 0
	isDigit := func(j int) bool { return j < len(s) && s[j] >= '0' && s[j] <= '9' }
	isHex := func(j int) bool {
		if j >= len(s) {
			return false
		}
		c := s[j] | 0x20
		return isDigit(j) || (c >= 'a' && c <= 'f')
	}
	var val object.Value
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isHex(2) {
		i = 2
		for isHex(i) {
			i++
		}
		u, err := strconv.ParseUint(s[2:i], 16, 64)
		if err != nil {
			return nil, i
		}
		val = int64(u)
		if i < len(s) && (s[i] == 'l' || s[i] == 'L') {
			i++
		}
	} else {
		for isDigit(i) {
			i++
		}
		float := false
		if i < len(s) && s[i] == '.' && isDigit(i+1) {
			float = true
			i++
			for isDigit(i) {
				i++
			}
		}
		if i == 0 {
			return nil, 0
		}
		if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
			j := i + 1
			if j < len(s) && (s[j] == '+' || s[j] == '-') {
				j++
			}
			if isDigit(j) {
				float = true
				for isDigit(j) {
					j++
				}
				i = j
			}
		}
		mant := s[:i]
		if i < len(s) {
			switch s[i] {
			case 'l', 'L':
				i++
			case 'd', 'D':
				float = true
				i++
			}
		}
		if float {
			f, err := strconv.ParseFloat(mant, 64)
			if err != nil {
				f = math.Inf(1)
			}
			val = f
		} else if n, err := strconv.ParseInt(mant, 10, 64); err == nil {
			val = n
		} else {
			f, _ := strconv.ParseFloat(mant, 64)
			val = f
		}
	}
	if i+1 < len(s) && (s[i+1] == 'b' || s[i+1] == 'B') {
		var mult int64
		switch s[i] | 0x20 {
		case 'k':
			mult = 1 << 10
		case 'm':
			mult = 1 << 20
		case 'g':
			mult = 1 << 30
		case 't':
			mult = 1 << 40
		case 'p':
			mult = 1 << 50
		}
		if mult != 0 {
			i += 2
			switch v := val.(type) {
			case int64:
				if v > math.MaxInt64/mult || v < math.MinInt64/mult {
					val = float64(v) * float64(mult)
				} else {
					val = v * mult
				}
			case float64:
				val = v * float64(mult)
			}
		}
	}
	return val, i
}

// wholeNumber parses s as one complete number, allowing a leading dash.
func wholeNumber(s string) (object.Value, bool) {
	neg := false
	if r, size := utf8.DecodeRuneInString(s); isDash(r) {
		neg = true
		s = s[size:]
	}
	v, n := lexNumber(s)
	if n == 0 || n != len(s) || v == nil {
		return nil, false
	}
	if neg {
		switch x := v.(type) {
		case int64:
			return -x, true
		case float64:
			return -x, true
		}
	}
	return v, true
}

// scanVariable scans $name, ${name} or a special variable, in expression
// mode.
func (p *parser) scanVariable() token {
	start := p.off
	p.off++ // $
	name, braced, ok := p.scanVarName()
	if !ok {
		p.failRange(start, start+1, p.off >= len(p.src), "Variable reference is not valid. '$' was not followed by a valid variable name character. Consider using ${} to delimit the name.")
	}
	t := token{kind: tVariable, start: start, end: p.off, text: name, plain: !braced}
	return t
}

// scanVarName scans a variable name after '$'.
func (p *parser) scanVarName() (name string, braced, ok bool) {
	r, size := p.runeAt(p.off)
	switch {
	case r == '{':
		open := p.off
		p.off++
		var sb strings.Builder
		for {
			r, size := p.runeAt(p.off)
			switch {
			case size == 0:
				p.failRange(open-1, len(p.src), true, "Missing closing '}' in variable reference ${...}.")
			case r == '}':
				p.off++
				if sb.Len() == 0 {
					p.failRange(open-1, p.off, false, "Empty variable reference ${}.")
				}
				return sb.String(), true, true
			case r == '`':
				p.off++
				r2, size2 := p.runeAt(p.off)
				if size2 == 0 {
					continue
				}
				sb.WriteRune(r2)
				p.off += size2
			default:
				sb.WriteRune(r)
				p.off += size
			}
		}
	case r == '$' || r == '?' || r == '^':
		p.off += size
		return string(r), false, true
	case r >= 0 && isIdentChar(r):
		start := p.off
		p.scanIdent()
		if p.off < len(p.src) && p.src[p.off] == ':' {
			if r2, _ := p.runeAt(p.off + 1); r2 >= 0 && isIdentChar(r2) {
				p.off++
				p.scanIdent()
			}
		}
		return p.src[start:p.off], false, true
	}
	return "", false, false
}

// startsVar reports whether the text at i begins a variable name after '$'.
func (p *parser) startsVar(i int) bool {
	r, _ := p.runeAt(i)
	return r == '{' || r == '(' || r == '$' || r == '?' || r == '^' || (r >= 0 && isIdentChar(r))
}

// scanArgDollar scans a token starting with '$' in argument mode: a
// variable, or an expandable word when the variable runs into more text
// ($a-x).
func (p *parser) scanArgDollar() token {
	start := p.off
	if !p.startsVar(p.off + 1) {
		return p.scanGenericWord(start)
	}
	t := p.scanVariable()
	r, _ := p.runeAt(p.off)
	if r < 0 || isWordEnd(r) || r == '.' || r == '[' || r == ':' {
		return t
	}
	p.off = start
	return p.scanGenericWord(start)
}

// scanArg scans an argument-mode token that is not punctuation: a
// parameter, a number or a generic word.
func (p *parser) scanArg(r rune, size int, r2 rune) token {
	start := p.off
	if isDash(r) && r2 >= 0 && (isIdentStart(r2) || r2 == '?') {
		p.off += size
		nameStart := p.off
		for p.off < len(p.src) {
			c, s := p.runeAt(p.off)
			if !(isIdentChar(c) || c == '-' || c == '?') {
				break
			}
			p.off += s
		}
		name := p.src[nameStart:p.off]
		c, _ := p.runeAt(p.off)
		switch {
		case c == ':':
			p.off++
			return token{kind: tParam, start: start, end: p.off, text: name, colon: true}
		case c < 0 || isWordEnd(c):
			return token{kind: tParam, start: start, end: p.off, text: name}
		}
		p.off = start
	}
	t := p.scanGenericWord(start)
	if t.plain {
		if v, ok := wholeNumber(t.text); ok {
			t.kind = tNumber
			t.node = &NumberLit{Span: p.span(start, p.off), Value: v, Text: t.text}
		}
	}
	return t
}

// strBuilder accumulates the parts of an expandable string.
type strBuilder struct {
	sb    strings.Builder
	parts []Expr
	start int // offset where the current literal run began
}

func (b *strBuilder) flush(p *parser, end int) {
	if b.sb.Len() == 0 {
		return
	}
	s := b.sb.String()
	b.sb.Reset()
	if n := len(b.parts); n > 0 {
		if lit, ok := b.parts[n-1].(*StringLit); ok {
			lit.Value += s
			lit.End = p.pos(end)
			return
		}
	}
	b.parts = append(b.parts, &StringLit{Span: p.span(b.start, end), Value: s, Quote: QuoteDouble})
}

func (b *strBuilder) add(e Expr) { b.parts = append(b.parts, e) }

// node returns a StringLit when there were no expansions, else an
// ExpandString.
func (b *strBuilder) node(sp Span, q QuoteKind) Expr {
	var lit strings.Builder
	for _, e := range b.parts {
		l, ok := e.(*StringLit)
		if !ok {
			return &ExpandString{Span: sp, Parts: b.parts, Quote: q}
		}
		lit.WriteString(l.Value)
	}
	lit.WriteString(b.sb.String())
	return &StringLit{Span: sp, Value: lit.String(), Quote: q}
}

// finish flushes pending literal text and returns the node.
func (b *strBuilder) finish(p *parser, sp Span, q QuoteKind) Expr {
	if len(b.parts) == 0 {
		return &StringLit{Span: sp, Value: b.sb.String(), Quote: q}
	}
	b.flush(p, sp.End.Offset)
	return b.node(sp, q)
}

// scanGenericWord scans an argument-mode word: text up to a blank or
// punctuation, with embedded quoted parts, backtick escapes and $var or
// $(...) expansions.
func (p *parser) scanGenericWord(start int) token {
	b := &strBuilder{start: start}
	plain := true
	for p.off < len(p.src) {
		r, size := p.runeAt(p.off)
		if isWordEnd(r) {
			break
		}
		switch {
		case r == '`':
			n := p.off + 1
			if n >= len(p.src) {
				p.failRange(p.off, n, true, "The line continuation character (`) is not followed by a new line.")
			}
			if p.newlineLen(n) > 0 {
				goto done
			}
			plain = false
			p.off = n
			p.escape(&b.sb)
		case isSQuote(r):
			plain = false
			q := p.off
			p.off += size
			b.sb.WriteString(p.scanSingleQuoted(q))
		case isDQuote(r):
			plain = false
			q := p.off
			p.off += size
			p.scanDoubleQuoted(q, b)
		case r == '$' && p.startsVar(p.off+1):
			plain = false
			p.expansion(b)
		default:
			if b.sb.Len() == 0 {
				b.start = p.off
			}
			b.sb.WriteRune(r)
			p.off += size
		}
	}
done:
	sp := p.span(start, p.off)
	node := b.finish(p, sp, QuoteBare)
	t := token{kind: tWord, start: start, end: p.off, node: node, plain: plain}
	if lit, ok := node.(*StringLit); ok {
		t.text = lit.Value
	}
	return t
}

// escape decodes the backtick escape whose character is at p.off.
func (p *parser) escape(sb *strings.Builder) {
	r, size := p.runeAt(p.off)
	if size == 0 {
		return
	}
	p.off += size
	switch r {
	case '0':
		sb.WriteByte(0)
	case 'a':
		sb.WriteByte(7)
	case 'b':
		sb.WriteByte(8)
	case 'e':
		sb.WriteByte(27)
	case 'f':
		sb.WriteByte(12)
	case 'n':
		sb.WriteByte('\n')
	case 'r':
		sb.WriteByte('\r')
	case 't':
		sb.WriteByte('\t')
	case 'v':
		sb.WriteByte(11)
	case 'u':
		if p.off < len(p.src) && p.src[p.off] == '{' {
			end := strings.IndexByte(p.src[p.off:], '}')
			if end > 1 && end <= 7 {
				if n, err := strconv.ParseUint(p.src[p.off+1:p.off+end], 16, 32); err == nil && n <= unicode.MaxRune {
					sb.WriteRune(rune(n))
					p.off += end + 1
					return
				}
			}
		}
		sb.WriteRune(r)
	default:
		sb.WriteRune(r)
	}
}

// expansion scans $name, ${name} or $(...) at p.off inside an expandable
// string or word and adds it to b.
func (p *parser) expansion(b *strBuilder) {
	start := p.off
	b.flush(p, start)
	if p.off+1 < len(p.src) && p.src[p.off+1] == '(' {
		p.off += 2
		stmts := p.parseStatements(tRParen, start, start+2, "Missing closing ')' in subexpression.")
		p.next(modeExpr) // )
		b.add(&SubExpr{Span: p.span(start, p.off), Stmts: stmts})
	} else {
		p.off++
		name, braced, _ := p.scanVarName()
		b.add(&Variable{Span: p.span(start, p.off), Name: name, Braced: braced})
	}
	b.start = p.off
}

// scanSingleQuoted scans the rest of a single-quoted string whose opening
// quote is at open; p.off is just after it.
func (p *parser) scanSingleQuoted(open int) string {
	var sb strings.Builder
	for {
		r, size := p.runeAt(p.off)
		if size == 0 {
			p.failRange(open, len(p.src), true, "The string is missing the terminator: '.")
		}
		p.off += size
		if isSQuote(r) {
			if r2, size2 := p.runeAt(p.off); size2 > 0 && isSQuote(r2) {
				sb.WriteRune(r)
				p.off += size2
				continue
			}
			return sb.String()
		}
		sb.WriteRune(r)
	}
}

// scanDoubleQuoted scans the rest of a double-quoted string into b.
func (p *parser) scanDoubleQuoted(open int, b *strBuilder) {
	b.start = p.off
	for {
		r, size := p.runeAt(p.off)
		switch {
		case size == 0:
			p.failRange(open, len(p.src), true, "The string is missing the terminator: \".")
		case isDQuote(r):
			p.off += size
			if r2, size2 := p.runeAt(p.off); size2 > 0 && isDQuote(r2) {
				b.sb.WriteRune(r)
				p.off += size2
				continue
			}
			b.flush(p, p.off-size)
			return
		case r == '`':
			p.off++
			if p.off >= len(p.src) {
				p.failRange(open, len(p.src), true, "The string is missing the terminator: \".")
			}
			p.escape(&b.sb)
		case r == '$' && p.startsVar(p.off+1):
			p.expansion(b)
		default:
			b.sb.WriteRune(r)
			p.off += size
		}
	}
}

// scanHereString scans @"..."@ or @'...'@ at p.off.
func (p *parser) scanHereString() token {
	start := p.off
	p.off++ // @
	q, size := p.runeAt(p.off)
	p.off += size
	double := isDQuote(q)
	// Only blanks may follow the header on its line.
	for p.off < len(p.src) {
		r, size := p.runeAt(p.off)
		if !isSpaceRune(r) {
			break
		}
		p.off += size
	}
	if p.off >= len(p.src) {
		p.failRange(start, p.off, true, "The string is missing the terminator: "+closeHere(double)+".")
	}
	if p.newlineLen(p.off) == 0 {
		p.failRange(p.off, p.off+1, false, "No characters are allowed after a here-string header but before the end of the line.")
	}
	p.off += p.newlineLen(p.off)
	b := &strBuilder{start: p.off}
	first := true
	for {
		if p.off >= len(p.src) {
			p.failRange(start, len(p.src), true, "The string is missing the terminator: "+closeHere(double)+".")
		}
		// At the start of a line: is it the terminator?
		if r, s := p.runeAt(p.off); (double && isDQuote(r) || !double && isSQuote(r)) && p.off+s < len(p.src) && p.src[p.off+s] == '@' {
			p.off += s + 1
			if !first {
				// Drop the line break before the terminator; it is always
				// the last text written.
				text := b.sb.String()
				text = strings.TrimSuffix(text, "\n")
				text = strings.TrimSuffix(text, "\r")
				b.sb.Reset()
				b.sb.WriteString(text)
			}
			sp := p.span(start, p.off)
			qk := QuoteHereSingle
			if double {
				qk = QuoteHereDouble
			}
			node := b.finish(p, sp, qk)
			return token{kind: tString, start: start, end: p.off, node: node}
		}
		first = false
		// Scan one line, including its terminator.
		for p.off < len(p.src) {
			r, size := p.runeAt(p.off)
			if l := p.newlineLen(p.off); l > 0 {
				b.sb.WriteString(p.src[p.off : p.off+l])
				p.off += l
				break
			}
			switch {
			case double && r == '`':
				p.off++
				if p.off < len(p.src) && p.newlineLen(p.off) == 0 {
					p.escape(&b.sb)
				}
			case double && r == '$' && p.startsVar(p.off+1):
				p.expansion(b)
			default:
				b.sb.WriteRune(r)
				p.off += size
			}
		}
	}
}

func closeHere(double bool) string {
	if double {
		return "\"@"
	}
	return "'@"
}

// scanRedirect scans > >> 2> 2>> 2>&1 *> and friends.
func (p *parser) scanRedirect(m mode) token {
	start := p.off
	stream := byte('1')
	c := p.src[p.off]
	if c != '>' {
		stream = c
		p.off++
	}
	p.off++ // >
	t := token{kind: tRedirect, start: start, stream: stream}
	if p.off < len(p.src) && p.src[p.off] == '>' {
		t.append = true
		p.off++
	} else if p.off+1 < len(p.src) && p.src[p.off] == '&' && p.src[p.off+1] == '1' {
		t.merge = true
		p.off += 2
	}
	t.end = p.off
	return t
}
