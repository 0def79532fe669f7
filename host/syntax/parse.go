// Package syntax is pinsh's PowerShell-subset language front end: a
// mode-switching tokenizer (expression mode and argument mode, as
// PowerShell's), a recursive-descent parser producing a positioned syntax
// tree, and a printer of that tree.
//
// Errors are [*Error] values with a source range and a Partial flag that
// is set when more input could fix the error (an unclosed block or string,
// a pipeline ending in |); the REPL uses it for its continuation prompt.
// Every proper prefix of a valid script parses or fails only with partial
// errors.
//
// As in PowerShell, the en dash, em dash and horizontal bar count as '-'
// wherever a dash is expected, and the curly quotes count as straight ones.
package syntax

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits that turn hostile input into clear errors instead of stack
// overflows or huge allocations.
const (
	// MaxDepth is the deepest nesting of blocks, parentheses and unary
	// operators.
	MaxDepth = 256
	// MaxWeight bounds nesting plus the length of operator chains, so that
	// the depth of any syntax tree stays small.
	MaxWeight = 4096
	// MaxSize is the largest script accepted, in bytes.
	MaxSize = 16 << 20
)

type parser struct {
	src    string
	lt     *lineTable
	off    int
	depth  int
	weight int
	filter bool
	// noComma disables the comma operator inside method arguments,
	// attribute arguments and parameter defaults.
	noComma bool

	// last is the end of the last token consumed: PowerShell reports a
	// missing closing ')' and similar errors just after it.
	last int

	memo    map[memoKey]memoEntry
	pk      token
	pkOff   int
	pkEnd   int
	pkMode  mode
	pkValid bool
}

type bailout struct{ err *Error }

// Parse parses a script.
func Parse(src string) (*Script, error) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	var s *Script
	err = p.run(func() {
		body := p.parseBlockBody(tEOF, 0, 0, "")
		s = &Script{Span: p.span(0, len(src)), Body: body}
	})
	return s, err
}

// ParseFilter parses an OPATH-style filter such as
// `Department -eq "Finance" -and PinPolicy -eq $null`: one expression in
// which bare words are [PropertyRef] nodes naming properties of the object
// tested.
func ParseFilter(src string) (Expr, error) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	p.filter = true
	var e Expr
	err = p.run(func() {
		p.skipNewlines()
		t := p.peek(modeExpr)
		if t.kind == tEOF {
			p.failTok(t, "The filter is empty.")
		}
		e = p.parseExpr()
		p.skipNewlines()
		if t := p.peek(modeExpr); t.kind != tEOF {
			p.unexpected(t)
		}
	})
	return e, err
}

func newParser(src string) (*parser, error) {
	p := &parser{src: src}
	if len(src) > MaxSize {
		return nil, &Error{Msg: fmt.Sprintf("The script is too large (%d bytes; the limit is %d).", len(src), MaxSize),
			Start: Pos{Line: 1, Col: 1}, End: Pos{Line: 1, Col: 1}}
	}
	p.lt = newLineTable(src)
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size <= 1 {
			partial := !utf8.FullRuneInString(src[i:])
			ps := p.pos(i)
			return nil, &Error{Msg: fmt.Sprintf("The script is not valid UTF-8: byte 0x%02X at line %d, column %d.", c, ps.Line, ps.Col),
				Start: ps, End: p.pos(i + 1), Partial: partial, Line: strings.ToValidUTF8(p.lt.lineText(ps.Line), "\uFFFD")}
		}
		i += size
	}
	return p, nil
}

func (p *parser) run(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	f()
	return nil
}

func (p *parser) pos(off int) Pos     { return p.lt.pos(off) }
func (p *parser) span(a, b int) Span  { return Span{p.pos(a), p.pos(b)} }
func (p *parser) spanFrom(a int) Span { return p.span(a, p.off) }

func (p *parser) failRange(start, end int, partial bool, msg string) {
	s, e := p.pos(start), p.pos(end)
	panic(bailout{&Error{Msg: msg, Start: s, End: e, Partial: partial, Line: p.lt.lineText(s.Line)}})
}

// partialTok reports whether more input could change token t: it is the
// end of input, or a token that runs to the end and could grow.
func (p *parser) partialTok(t token) bool {
	if t.kind == tEOF {
		return true
	}
	if t.end >= len(p.src) {
		// Tokens that more characters would turn into other tokens: a
		// word into a keyword, -no into -notlike, + into +=.
		switch t.kind {
		case tWord, tOperator, tBadOp, tVariable, tParam, tDot, tColon, tMinus, tPlus,
			tStar, tSlash, tPercent, tAssign, tExcl, tSplat, tOther, tPipe, tInc, tDec, tRedirect, tAmp:
			return true
		}
	}
	return false
}

func (p *parser) failTok(t token, msg string) { p.failRange(t.start, t.end, p.partialTok(t), msg) }

// failAfter reports an error at the empty range at end (just after a
// token), found while looking at token t, as PowerShell's
// ReportIncompleteInput(After(...)) does.
func (p *parser) failAfter(end int, t token, msg string) {
	p.failRange(end, end, p.partialTok(t), msg)
}

// failAt reports an error at [start,end) found while looking at token t.
func (p *parser) failAt(start, end int, t token, msg string) {
	p.failRange(start, end, p.partialTok(t), msg)
}

func (p *parser) unexpected(t token) {
	switch t.kind {
	case tEOF:
		p.failTok(t, "Unexpected end of input.")
	case tAndAnd, tOrOr:
		p.failTok(t, fmt.Sprintf("The token '%s' is not a valid statement separator in this version.", p.src[t.start:t.end]))
	}
	p.failTok(t, fmt.Sprintf("Unexpected token '%s' in expression or statement.", p.src[t.start:t.end]))
}

func (p *parser) enter() {
	p.depth++
	p.weight++
	if p.depth > MaxDepth {
		p.failRange(p.off, p.off, false, fmt.Sprintf("The script is nested too deeply (more than %d levels).", MaxDepth))
	}
	if p.weight > MaxWeight {
		p.failRange(p.off, p.off, false, fmt.Sprintf("The expression is too complex (more than %d levels).", MaxWeight))
	}
}

func (p *parser) leave() { p.depth--; p.weight-- }

// chain counts one more operator of a left-associative chain.
func (p *parser) chain(n *int) {
	*n++
	p.weight++
	if p.weight > MaxWeight {
		p.failRange(p.off, p.off, false, fmt.Sprintf("The expression is too complex (more than %d levels).", MaxWeight))
	}
}

func (p *parser) skipNewlines() {
	for {
		p.skipSpace()
		l := p.newlineLen(p.off)
		if l == 0 {
			return
		}
		p.off += l
	}
}

func (p *parser) skipNewlinesSemis() {
	for {
		p.skipNewlines()
		if p.off < len(p.src) && p.src[p.off] == ';' {
			p.off++
			continue
		}
		return
	}
}

var keywords = map[string]bool{
	"if": true, "elseif": true, "else": true, "foreach": true, "for": true,
	"while": true, "do": true, "until": true, "function": true, "filter": true,
	"break": true, "continue": true, "return": true, "exit": true, "throw": true,
	"param": true, "switch": true, "try": true, "catch": true, "finally": true,
	"trap": true, "data": true, "class": true, "enum": true, "using": true,
	"in": true, "workflow": true, "configuration": true,
}

// IsKeyword reports whether word is a PowerShell keyword, which a bare
// command name at the start of a statement cannot be.
func IsKeyword(word string) bool { return keywords[strings.ToLower(word)] }

// peekWord returns the lower-cased plain word at p.off, or "".
func (p *parser) peekWord() string {
	t := p.peek(modeArg)
	if t.kind == tWord && t.plain {
		return strings.ToLower(t.text)
	}
	return ""
}

func (p *parser) peekKeyword() string {
	w := p.peekWord()
	if keywords[w] {
		return w
	}
	return ""
}

// parseBlockBody parses a script or script block body up to closer
// (which it does not consume).
func (p *parser) parseBlockBody(closer tokKind, open, openEnd int, missing string) *Block {
	p.skipNewlinesSemis()
	start := p.off
	b := &Block{}
	var attrs []*Attribute
	for p.blockAttrAhead() {
		attrs = append(attrs, p.parseAttribute())
		p.skipNewlines()
	}
	if p.peekWord() == "param" {
		kw := p.next(modeArg)
		b.Param = p.parseParamBlock(kw, attrs)
	} else if len(attrs) > 0 {
		t := p.peek(modeArg)
		p.failTok(t, "Unexpected attribute '"+attrs[len(attrs)-1].Name+"'.")
	}
	p.skipNewlinesSemis()
	if p.namedBlockAhead() {
		b.Named = true
		for {
			p.skipNewlinesSemis()
			t := p.peek(modeExpr)
			if t.kind == closer {
				break
			}
			if t.kind == tEOF {
				p.failAt(open, openEnd, t, missing)
			}
			w := p.peekWord()
			if w != "begin" && w != "process" && w != "end" {
				p.unexpected(p.peek(modeArg))
			}
			p.next(modeArg)
			p.skipNewlines()
			ob := p.peek(modeExpr)
			if ob.kind != tLBrace {
				p.failTok(ob, fmt.Sprintf("Missing opening '{' of the '%s' block.", w))
			}
			sb := p.parseStmtBlock()
			switch w {
			case "begin":
				b.Begin = sb.Stmts
			case "process":
				b.Process = sb.Stmts
			default:
				b.End = sb.Stmts
			}
		}
	} else {
		b.End = p.parseStatements(closer, open, openEnd, missing)
	}
	b.Span = p.spanFrom(start)
	return b
}

// blockAttrAhead reports whether [CmdletBinding(...)] or [OutputType(...)]
// starts here.
func (p *parser) blockAttrAhead() bool {
	p.skipSpace()
	if p.off >= len(p.src) || p.src[p.off] != '[' {
		return false
	}
	rest := strings.ToLower(p.src[p.off+1:])
	return strings.HasPrefix(rest, "cmdletbinding") || strings.HasPrefix(rest, "outputtype")
}

// namedBlockAhead reports whether a begin/process/end block starts here.
func (p *parser) namedBlockAhead() bool {
	w := p.peekWord()
	if w != "begin" && w != "process" && w != "end" {
		return false
	}
	save := p.off
	p.next(modeArg)
	p.skipNewlines()
	ok := p.off < len(p.src) && p.src[p.off] == '{'
	p.off = save
	return ok
}

// parseStatements parses statements up to closer, which it leaves for the
// caller. At the end of input, when closer is not tEOF, it reports missing
// at the opening token [open, openEnd).
func (p *parser) parseStatements(closer tokKind, open, openEnd int, missing string) []Stmt {
	var out []Stmt
	for {
		p.skipNewlinesSemis()
		t := p.peek(modeExpr)
		if t.kind == tEOF {
			if closer == tEOF {
				return out
			}
			p.failAt(open, openEnd, t, missing)
		}
		if t.kind == closer {
			return out
		}
		out = append(out, p.parseStatement())
		t = p.peek(modeExpr)
		switch t.kind {
		case tNewline, tSemi, tEOF:
			continue
		}
		if t.kind == closer {
			continue
		}
		p.unexpected(t)
	}
}

func (p *parser) parseStatement() Stmt {
	p.enter()
	defer p.leave()
	p.skipSpace()
	start := p.off
	label := ""
	if p.off+1 < len(p.src) && p.src[p.off] == ':' {
		if r, _ := p.runeAt(p.off + 1); r >= 0 && isIdentChar(r) {
			p.off++
			label = p.scanIdent()
			p.skipNewlines()
			switch p.peekKeyword() {
			case "foreach", "for", "while", "do":
			default:
				p.failAt(start, p.off, p.peek(modeArg), "Missing loop statement after label ':"+label+"'.")
			}
		}
	}
	switch kw := p.peekKeyword(); kw {
	case "":
	case "if":
		return p.parseIf()
	case "foreach":
		return p.parseForeach(label, start)
	case "for":
		return p.parseFor(label, start)
	case "while":
		return p.parseWhile(label, start)
	case "do":
		return p.parseDo(label, start)
	case "function", "filter":
		return p.parseFunction()
	case "break", "continue":
		p.next(modeArg)
		p.skipSpace()
		lab := ""
		if r := p.cur(); r >= 0 && isIdentChar(r) {
			lab = p.scanIdent()
		}
		if kw == "break" {
			return &Break{Span: p.spanFrom(start), Label: lab}
		}
		return &Continue{Span: p.spanFrom(start), Label: lab}
	case "return", "exit", "throw":
		p.next(modeArg)
		var v Stmt
		if !p.atStatementEnd() {
			v = p.parsePipeline()
		}
		switch kw {
		case "return":
			return &Return{Span: p.spanFrom(start), Value: v}
		case "exit":
			return &Exit{Span: p.spanFrom(start), Value: v}
		}
		return &Throw{Span: p.spanFrom(start), Value: v}
	case "try":
		return p.parseTry()
	case "switch", "trap", "data", "class", "enum", "using", "workflow", "configuration":
		t := p.peek(modeArg)
		p.failRange(t.start, t.end, false, fmt.Sprintf("The '%s' statement is not supported by pinsh.", kw))
	default:
		p.unexpected(p.peek(modeArg))
	}
	return p.parsePipeline()
}

// atStatementEnd reports whether the statement ends here.
func (p *parser) atStatementEnd() bool {
	t := p.peek(modeExpr)
	switch t.kind {
	case tEOF, tNewline, tSemi, tRBrace, tRParen, tPipe:
		return true
	}
	return false
}

// parseValueStmt parses the value of an assignment or hash entry: a
// pipeline or a keyword statement that produces values.
func (p *parser) parseValueStmt() Stmt {
	switch p.peekKeyword() {
	case "if", "foreach", "for", "while", "do":
		return p.parseStatement()
	}
	return p.parsePipeline()
}

// commandStart reports whether the text at p.off starts a command rather
// than an expression.
func (p *parser) commandStart() bool {
	p.skipSpace()
	r, size := p.runeAt(p.off)
	r2, _ := p.runeAt(p.off + size)
	switch {
	case r < 0:
		return false
	case r == '&':
		return r2 != '&'
	case r == '.':
		if r2 >= '0' && r2 <= '9' {
			return false
		}
		return true
	case r == '$' || r == '@' || r == '(' || r == '[' || r == ']' || r == '{' || r == '}' || r == ')' ||
		r == '!' || r == '+' || r == ',' || r == ';' || r == '|' || r == '>' || r == '<' || r == '=':
		return false
	case r >= '0' && r <= '9':
		return false
	case isSQuote(r) || isDQuote(r) || isDash(r) || isNewline(r):
		return false
	}
	return true
}

// dotSource reports whether a '.' at p.off is the dot-source operator.
func (p *parser) dotSource() bool {
	if p.off >= len(p.src) || p.src[p.off] != '.' {
		return false
	}
	r, _ := p.runeAt(p.off + 1)
	return r < 0 || isSpaceRune(r) || r == '$' || r == '(' || r == '{' || r == '&' || isSQuote(r) || isDQuote(r)
}

func (p *parser) parsePipeline() Stmt {
	p.skipSpace()
	start := p.off
	pl := &Pipeline{}
	if p.commandStart() {
		pl.Cmds = append(pl.Cmds, p.parseCommand())
	} else {
		e := p.parseExpr()
		if t := p.peek(modeExpr); t.kind == tAssign {
			return p.parseAssignment(e, start)
		}
		pl.Expr = e
		// 'text' > file.txt: an expression's output redirected.
		for p.peek(modeArg).kind == tRedirect {
			pl.Redirs = append(pl.Redirs, p.parseRedirect())
		}
	}
	for {
		t := p.peek(modeExpr)
		if t.kind != tPipe {
			break
		}
		p.next(modeExpr)
		p.skipNewlines()
		t = p.peek(modeArg)
		switch t.kind {
		case tEOF, tPipe, tSemi, tRParen, tRBrace, tNewline:
			p.failTok(t, "An empty pipe element is not allowed.")
		}
		if !p.commandStart() {
			p.failTok(t, "Expressions are only allowed as the first element of a pipeline.")
		}
		pl.Cmds = append(pl.Cmds, p.parseCommand())
	}
	pl.Span = p.spanFrom(start)
	return pl
}

func assignable(e Expr) bool {
	switch x := e.(type) {
	case *Variable:
		return true
	case *Member:
		return !x.Static
	case *Index:
		return true
	case *Cast:
		_, ok := x.X.(*Variable)
		return ok
	case *ArrayLit:
		for _, el := range x.Elems {
			if !assignable(el) {
				return false
			}
		}
		return true
	}
	return false
}

func (p *parser) parseAssignment(target Expr, start int) Stmt {
	if !assignable(target) {
		r := target.Range()
		p.failRange(r.Start.Offset, r.End.Offset, false, "The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.")
	}
	op := p.next(modeExpr)
	p.skipNewlines()
	if p.atStatementEnd() {
		p.failTok(p.peek(modeExpr), fmt.Sprintf("You must provide a value expression following the '%s' operator.", op.text))
	}
	v := p.parseValueStmt()
	return &Assignment{Span: p.spanFrom(start), Target: target, Op: op.text, Value: v}
}

func (p *parser) parseCommand() *Command {
	p.skipSpace()
	start := p.off
	c := &Command{}
	switch {
	case p.cur() == '&':
		p.next(modeArg)
		p.skipSpace()
		c.Name = p.parseArgPrimary("&")
	case p.dotSource():
		p.off++
		p.skipSpace()
		c.Dot = true
		c.Name = p.parseArgPrimary(".")
	default:
		t := p.next(modeArg)
		if t.kind != tWord && t.kind != tNumber {
			p.unexpected(t)
		}
		if t.kind == tNumber {
			c.Name = &StringLit{Span: p.span(t.start, t.end), Value: t.text}
		} else {
			c.Name = t.node
		}
	}
	for {
		t := p.peek(modeArg)
		switch t.kind {
		case tEOF, tNewline, tSemi, tPipe, tRParen, tRBrace:
			c.Span = p.spanFrom(start)
			return c
		case tAmp:
			p.failTok(t, "The ampersand (&) character is not allowed. The & operator is reserved for future use; wrap an ampersand in double quotation marks (\"&\") to pass it as part of a string.")
		case tAndAnd, tOrOr:
			p.unexpected(t)
		case tParam:
			p.next(modeArg)
			cp := &CommandParam{Name: t.text, Colon: t.colon}
			if t.colon {
				p.skipSpace()
				if p.atArgEnd() {
					p.failAfter(t.end, p.peek(modeArg), fmt.Sprintf("Missing an argument for parameter '%s'.", t.text))
				}
				cp.Arg = p.parseArgValue()
			}
			cp.Span = p.spanFrom(t.start)
			c.Elems = append(c.Elems, cp)
		case tRedirect:
			c.Redirs = append(c.Redirs, p.parseRedirect())
		default:
			v := p.parseArgValue()
			c.Elems = append(c.Elems, &CommandArg{Span: v.Range(), Value: v})
		}
	}
}

// parseRedirect parses a redirection operator and its target.
func (p *parser) parseRedirect() *Redirect {
	t := p.next(modeArg)
	r := &Redirect{Stream: t.stream, Append: t.append, Merge: t.merge}
	if !t.merge {
		p.skipSpace()
		if p.atArgEnd() {
			p.failAfter(t.end, p.peek(modeArg), "Missing file specification after redirection operator.")
		}
		r.Target = p.parseArgPrimary(">")
	}
	r.Span = p.spanFrom(t.start)
	return r
}

// atArgEnd reports whether the command's elements end here.
func (p *parser) atArgEnd() bool {
	switch p.peek(modeArg).kind {
	case tEOF, tNewline, tSemi, tPipe, tRParen, tRBrace:
		return true
	}
	return false
}

// parseArgValue parses an argument-mode value, with commas making an
// array.
func (p *parser) parseArgValue() Expr {
	start := p.off
	first := p.parseArgPrimary("")
	if p.peek(modeArg).kind != tComma {
		return first
	}
	elems := []Expr{first}
	n := 0
	for p.peek(modeArg).kind == tComma {
		p.next(modeArg)
		p.chain(&n)
		p.skipNewlines()
		elems = append(elems, p.parseArgPrimary(","))
	}
	p.weight -= n
	return &ArrayLit{Span: p.span(start, p.off), Elems: elems}
}

// parseArgPrimary parses one argument-mode value. after names the token
// before it, for error messages.
func (p *parser) parseArgPrimary(after string) Expr {
	p.enter()
	defer p.leave()
	p.skipSpace()
	t := p.peek(modeArg)
	switch t.kind {
	case tVariable:
		p.next(modeArg)
		return p.parsePostfix(&Variable{Span: p.span(t.start, t.end), Name: t.text, Braced: !t.plain}, modeArg)
	case tLParen:
		return p.parsePostfix(p.parseParen(), modeArg)
	case tDollarParen, tAtParen:
		return p.parsePostfix(p.parseSubExpr(), modeArg)
	case tAtBrace:
		return p.parsePostfix(p.parseHash(), modeArg)
	case tLBrace:
		return p.parseScriptBlock()
	case tString, tNumber, tWord:
		p.next(modeArg)
		return t.node
	case tSplat:
		p.next(modeArg)
		return &Splat{Span: p.span(t.start, t.end), Name: t.text}
	case tParam:
		if after == "," {
			p.next(modeArg)
			return &StringLit{Span: p.span(t.start, t.end), Value: p.src[t.start:t.end]}
		}
	}
	switch after {
	case ",":
		p.failTok(t, "Missing expression after ','.")
	case "&", ".":
		p.failTok(t, fmt.Sprintf("Missing expression after '%s'.", after))
	case ">":
		p.failTok(t, "Missing file specification after redirection operator.")
	}
	p.unexpected(t)
	return nil
}

// parsePostfix parses member access, method calls, indexing and, in
// expression mode, postfix ++ and --, all adjacent to x.
func (p *parser) parsePostfix(x Expr, m mode) Expr {
	start := x.Range().Start.Offset
	n := 0
	defer func() { p.weight -= n }()
	for p.off < len(p.src) {
		c := p.src[p.off]
		var c2 byte
		if p.off+1 < len(p.src) {
			c2 = p.src[p.off+1]
		}
		switch {
		case c == '.' && c2 != '.', c == ':' && c2 == ':':
			static := c == ':'
			opStart := p.off
			if static {
				p.off += 2
			} else {
				p.off++
			}
			if m == modeArg && !static {
				// In argument mode "$x." followed by a blank is text.
				if r, _ := p.runeAt(p.off); r < 0 || isWordEnd(r) {
					p.off = opStart
					return x
				}
			}
			p.chain(&n)
			name := p.parseMemberName(opStart)
			if p.off < len(p.src) && p.src[p.off] == '(' {
				args := p.parseCallArgs()
				x = &InvokeMember{Span: p.spanFrom(start), X: x, Name: name, Static: static, Args: args}
			} else {
				x = &Member{Span: p.spanFrom(start), X: x, Name: name, Static: static}
			}
		case c == '[':
			open := p.off
			p.off++
			p.chain(&n)
			saved := p.noComma
			p.noComma = false
			p.skipNewlines()
			if t := p.peek(modeExpr); t.kind == tRBracket || t.kind == tEOF {
				p.failAt(open, open+1, t, "Array index expression is missing or not valid.")
			}
			idx := p.parseExpr()
			p.skipNewlines()
			t := p.peek(modeExpr)
			if t.kind != tRBracket {
				p.failTok(t, "Missing ']' after array index expression.")
			}
			p.next(modeExpr)
			p.noComma = saved
			x = &Index{Span: p.spanFrom(start), X: x, Index: idx}
		case m == modeExpr && (c == '+' && c2 == '+' || c == '-' && c2 == '-') && assignable(x):
			p.off += 2
			x = &Postfix{Span: p.spanFrom(start), Op: string([]byte{c, c2}), X: x}
		default:
			return x
		}
	}
	return x
}

// parseMemberName parses the name after '.' or '::'.
func (p *parser) parseMemberName(opStart int) Expr {
	r, _ := p.runeAt(p.off)
	switch {
	case r >= 0 && isIdentChar(r):
		start := p.off
		name := p.scanIdent()
		return &StringLit{Span: p.spanFrom(start), Value: name}
	case isSQuote(r) || isDQuote(r):
		t := p.next(modeExpr)
		return t.node
	case r == '$':
		t := p.next(modeExpr)
		if t.kind == tDollarParen {
			p.off = t.start
			return p.parseSubExpr()
		}
		return &Variable{Span: p.span(t.start, t.end), Name: t.text, Braced: !t.plain}
	case r == '(':
		return p.parseParen()
	}
	p.failRange(opStart, p.off, p.off >= len(p.src), "Missing property name after reference operator.")
	return nil
}

// parseCallArgs parses (a, b, c) of a method call.
func (p *parser) parseCallArgs() []Expr {
	open := p.off
	p.off++
	saved := p.noComma
	p.noComma = true
	defer func() { p.noComma = saved }()
	var args []Expr
	for {
		p.skipNewlines()
		t := p.peek(modeExpr)
		if t.kind == tRParen && len(args) == 0 {
			p.next(modeExpr)
			return args
		}
		if t.kind == tEOF {
			p.failAt(open, open+1, t, "Missing ')' in method call.")
		}
		args = append(args, p.parseExpr())
		p.skipNewlines()
		t = p.peek(modeExpr)
		switch t.kind {
		case tComma:
			p.next(modeExpr)
			p.skipNewlines()
			if k := p.peek(modeExpr).kind; k == tRParen {
				p.failTok(p.peek(modeExpr), "Missing argument in parameter list.")
			}
		case tRParen:
			p.next(modeExpr)
			return args
		case tEOF:
			p.failAt(open, open+1, t, "Missing ')' in method call.")
		default:
			p.failTok(t, "Missing ')' in method call.")
		}
	}
}

// Expressions, from the lowest precedence up.

func (p *parser) parseExpr() Expr {
	p.enter()
	defer p.leave()
	return p.parseLogical()
}

// operand parses the right operand of the binary operator t.
func (p *parser) operand(t token, f func() Expr) Expr {
	p.skipNewlines()
	if !p.startsUnary(p.peek(modeExpr)) {
		p.failTok(p.peek(modeExpr), fmt.Sprintf("You must provide a value expression following the '%s' operator.", p.src[t.start:t.end]))
	}
	return f()
}

func (p *parser) binary(x Expr, t token, op string, y Expr) Expr {
	return &Binary{Span: Span{x.Range().Start, y.Range().End}, Op: op, X: x, Y: y}
}

func (p *parser) parseLogical() Expr {
	x := p.parseBitwise()
	n := 0
	for {
		t := p.peek(modeExpr)
		if t.kind != tOperator || (t.text != "and" && t.text != "or" && t.text != "xor") {
			break
		}
		p.next(modeExpr)
		p.chain(&n)
		x = p.binary(x, t, "-"+t.text, p.operand(t, p.parseBitwise))
	}
	p.weight -= n
	return x
}

func (p *parser) parseBitwise() Expr {
	x := p.parseComparison()
	n := 0
	for {
		t := p.peek(modeExpr)
		if t.kind != tOperator || (t.text != "band" && t.text != "bor" && t.text != "bxor") {
			break
		}
		p.next(modeExpr)
		p.chain(&n)
		x = p.binary(x, t, "-"+t.text, p.operand(t, p.parseComparison))
	}
	p.weight -= n
	return x
}

func (p *parser) parseComparison() Expr {
	x := p.parseAdditive()
	n := 0
	for {
		t := p.peek(modeExpr)
		if t.kind != tOperator || !isComparisonOp(t.text) {
			break
		}
		p.next(modeExpr)
		p.chain(&n)
		x = p.binary(x, t, "-"+t.text, p.operand(t, p.parseAdditive))
	}
	p.weight -= n
	return x
}

func (p *parser) parseAdditive() Expr {
	x := p.parseMultiplicative()
	n := 0
	for {
		t := p.peek(modeExpr)
		var op string
		switch t.kind {
		case tPlus:
			op = "+"
		case tMinus:
			op = "-"
		default:
			p.weight -= n
			return x
		}
		p.next(modeExpr)
		p.chain(&n)
		x = p.binary(x, t, op, p.operand(t, p.parseMultiplicative))
	}
}

func (p *parser) parseMultiplicative() Expr {
	x := p.parseFormat()
	n := 0
	for {
		t := p.peek(modeExpr)
		var op string
		switch t.kind {
		case tStar:
			op = "*"
		case tSlash:
			op = "/"
		case tPercent:
			op = "%"
		default:
			p.weight -= n
			return x
		}
		p.next(modeExpr)
		p.chain(&n)
		x = p.binary(x, t, op, p.operand(t, p.parseFormat))
	}
}

func (p *parser) parseFormat() Expr {
	x := p.parseRange()
	n := 0
	for {
		t := p.peek(modeExpr)
		if t.kind != tOperator || t.text != "f" {
			break
		}
		p.next(modeExpr)
		p.chain(&n)
		x = p.binary(x, t, "-f", p.operand(t, p.parseRange))
	}
	p.weight -= n
	return x
}

func (p *parser) parseRange() Expr {
	x := p.parseArray()
	n := 0
	for {
		t := p.peek(modeExpr)
		if t.kind != tDotDot {
			break
		}
		p.next(modeExpr)
		p.chain(&n)
		x = p.binary(x, t, "..", p.operand(t, p.parseArray))
	}
	p.weight -= n
	return x
}

func (p *parser) parseArray() Expr {
	x := p.parseUnary()
	if p.noComma || p.peek(modeExpr).kind != tComma {
		return x
	}
	elems := []Expr{x}
	n := 0
	for p.peek(modeExpr).kind == tComma {
		t := p.next(modeExpr)
		p.chain(&n)
		p.skipNewlines()
		if !p.startsUnary(p.peek(modeExpr)) {
			p.failTok(p.peek(modeExpr), "Missing expression after ','.")
		}
		_ = t
		elems = append(elems, p.parseUnary())
	}
	p.weight -= n
	last := elems[len(elems)-1]
	return &ArrayLit{Span: Span{x.Range().Start, last.Range().End}, Elems: elems}
}

// startsUnary reports whether t can start a unary expression.
func (p *parser) startsUnary(t token) bool {
	switch t.kind {
	case tNumber, tString, tVariable, tLParen, tDollarParen, tAtParen, tAtBrace,
		tLBrace, tLBracket, tExcl, tMinus, tPlus, tInc, tDec, tComma:
		return true
	case tOperator:
		switch t.text {
		case "not", "bnot", "split", "join":
			return true
		}
	case tWord:
		return p.filter
	}
	return false
}

func (p *parser) parseUnary() Expr {
	p.enter()
	defer p.leave()
	t := p.peek(modeExpr)
	unary := func(op string) Expr {
		p.next(modeExpr)
		if !p.startsUnary(p.peek(modeExpr)) {
			p.failTok(p.peek(modeExpr), fmt.Sprintf("Missing expression after unary operator '%s'.", p.src[t.start:t.end]))
		}
		x := p.parseUnary()
		return &Unary{Span: Span{p.pos(t.start), x.Range().End}, Op: op, X: x}
	}
	switch t.kind {
	case tExcl:
		return unary("!")
	case tMinus:
		return unary("-")
	case tPlus:
		return unary("+")
	case tComma:
		return unary(",")
	case tInc, tDec:
		op := "++"
		if t.kind == tDec {
			op = "--"
		}
		u := unary(op).(*Unary)
		if !assignable(u.X) {
			p.failRange(t.start, t.end, false, fmt.Sprintf("The '%s' operator works only on variables or on properties.", op))
		}
		return u
	case tOperator:
		switch t.text {
		case "not", "bnot", "split", "join":
			return unary("-" + t.text)
		}
	case tLBracket:
		return p.parseTypeExpr()
	}
	return p.parsePostfix(p.parsePrimary(), modeExpr)
}

// parseTypeExpr parses [Type] followed by a cast operand, or a type
// literal.
func (p *parser) parseTypeExpr() Expr {
	open := p.next(modeExpr)
	name := p.scanTypeName(open.start, false)
	if p.cur() != ']' {
		p.failRange(open.start, p.off, p.off >= len(p.src), "Missing ] at end of attribute or type literal.")
	}
	p.off++
	end := p.off
	t := p.peek(modeExpr)
	if t.kind != tComma && p.startsUnary(t) && !(t.kind == tWord && p.filter) {
		x := p.parseUnary()
		return &Cast{Span: Span{p.pos(open.start), x.Range().End}, Type: name, X: x}
	}
	return p.parsePostfix(&TypeLit{Span: p.span(open.start, end), Type: name}, modeExpr)
}

// scanTypeName reads a type name after '[', with nested brackets
// (string[], List[string]); it stops at the closing ']' or, for
// attributes, at '('.
func (p *parser) scanTypeName(open int, attr bool) string {
	start := p.off
	if r := p.cur(); r < 0 || !isIdentStart(r) {
		p.failRange(open, p.off, r < 0, "Missing type name after '['.")
	}
	depth := 0
	for p.off < len(p.src) {
		r, size := p.runeAt(p.off)
		switch {
		case r == '[':
			depth++
		case r == ']':
			if depth == 0 {
				return p.src[start:p.off]
			}
			depth--
		case r == '(' && attr && depth == 0:
			return p.src[start:p.off]
		case isIdentChar(r) || r == '.' || r == '+' || r == '`' || (r == ',' && depth > 0):
		default:
			p.failRange(open, p.off, false, "Missing ] at end of attribute or type literal.")
		}
		p.off += size
	}
	p.failRange(open, p.off, true, "Missing ] at end of attribute or type literal.")
	return ""
}

func (p *parser) parsePrimary() Expr {
	t := p.peek(modeExpr)
	switch t.kind {
	case tNumber, tString:
		p.next(modeExpr)
		return t.node
	case tVariable:
		p.next(modeExpr)
		return &Variable{Span: p.span(t.start, t.end), Name: t.text, Braced: !t.plain}
	case tLParen:
		return p.parseParen()
	case tDollarParen, tAtParen:
		return p.parseSubExpr()
	case tAtBrace:
		return p.parseHash()
	case tLBrace:
		return p.parseScriptBlock()
	case tWord:
		if p.filter {
			p.next(modeExpr)
			return &PropertyRef{Span: p.span(t.start, t.end), Name: t.text}
		}
	}
	p.unexpected(t)
	return nil
}

func (p *parser) parseParen() Expr {
	open := p.next(modeExpr)
	saved := p.noComma
	p.noComma = false
	defer func() { p.noComma = saved }()
	p.skipNewlines()
	t := p.peek(modeExpr)
	if t.kind == tEOF {
		p.failAfter(p.last, t, "Missing closing ')' in expression.")
	}
	if t.kind == tRParen {
		p.failTok(t, "An expression was expected after '('.")
	}
	s := p.parsePipeline()
	p.skipNewlines()
	t = p.peek(modeExpr)
	if t.kind == tEOF {
		p.failAfter(p.last, t, "Missing closing ')' in expression.")
	}
	if t.kind != tRParen {
		p.unexpected(t)
	}
	p.next(modeExpr)
	return &Paren{Span: p.spanFrom(open.start), Stmt: s}
}

// parseSubExpr parses $( ... ) or @( ... ).
func (p *parser) parseSubExpr() Expr {
	open := p.next(modeExpr)
	saved := p.noComma
	p.noComma = false
	defer func() { p.noComma = saved }()
	stmts := p.parseStatements(tRParen, open.start, open.end, "Missing closing ')' in subexpression.")
	p.next(modeExpr)
	if open.kind == tAtParen {
		return &ArrayExpr{Span: p.spanFrom(open.start), Stmts: stmts}
	}
	return &SubExpr{Span: p.spanFrom(open.start), Stmts: stmts}
}

func (p *parser) parseHash() Expr {
	open := p.next(modeExpr)
	saved := p.noComma
	p.noComma = false
	defer func() { p.noComma = saved }()
	h := &HashLit{}
	for {
		p.skipNewlinesSemis()
		t := p.peek(modeExpr)
		if t.kind == tRBrace {
			p.next(modeExpr)
			break
		}
		if t.kind == tEOF {
			p.failAt(open.start, open.end, t, "Missing closing '}' in hash literal.")
		}
		kstart := p.off
		var key Expr
		if t.kind == tWord {
			p.next(modeExpr)
			key = &StringLit{Span: p.span(t.start, t.end), Value: t.text}
		} else {
			if !p.startsUnary(t) {
				p.failTok(t, "Missing key before '=' in hash literal.")
			}
			key = p.parseUnary()
		}
		t = p.peek(modeExpr)
		if t.kind != tAssign || t.text != "=" {
			p.failAfter(p.last, t, "Missing '=' operator after key in hash literal.")
		}
		p.next(modeExpr)
		p.skipNewlines()
		if p.atStatementEnd() {
			p.failTok(p.peek(modeExpr), "Missing statement after '=' in hash literal.")
		}
		v := p.parseValueStmt()
		h.Entries = append(h.Entries, &HashEntry{Span: p.spanFrom(kstart), Key: key, Value: v})
		t = p.peek(modeExpr)
		switch t.kind {
		case tNewline, tSemi, tRBrace:
			continue
		case tEOF:
			p.failAt(open.start, open.end, t, "Missing closing '}' in hash literal.")
		}
		p.unexpected(t)
	}
	h.Span = p.spanFrom(open.start)
	return h
}

func (p *parser) parseScriptBlock() *ScriptBlockExpr {
	open := p.next(modeExpr)
	saved := p.noComma
	p.noComma = false
	defer func() { p.noComma = saved }()
	body := p.parseBlockBody(tRBrace, open.start, open.end, "Missing closing '}' in statement block or type definition.")
	cl := p.next(modeExpr)
	return &ScriptBlockExpr{Span: p.spanFrom(open.start), Body: body, Text: p.src[open.end:cl.start]}
}

// parseStmtBlock parses { statements } of a keyword statement.
func (p *parser) parseStmtBlock() *StmtBlock {
	open := p.next(modeExpr)
	saved := p.noComma
	p.noComma = false
	defer func() { p.noComma = saved }()
	stmts := p.parseStatements(tRBrace, open.start, open.end, "Missing closing '}' in statement block or type definition.")
	p.next(modeExpr)
	return &StmtBlock{Span: p.spanFrom(open.start), Stmts: stmts}
}

// expectBlock parses a statement block or fails with msg.
func (p *parser) expectBlock(msg string) *StmtBlock {
	p.skipNewlines()
	t := p.peek(modeExpr)
	if t.kind != tLBrace {
		p.failTok(t, msg)
	}
	return p.parseStmtBlock()
}

// parseCond parses "( pipeline )" after a keyword.
func (p *parser) parseCond(kw token, missingOpen, missingCond, missingClose string) Stmt {
	p.skipNewlines()
	t := p.peek(modeExpr)
	if t.kind != tLParen {
		p.failTok(t, missingOpen)
	}
	p.next(modeExpr)
	p.skipNewlines()
	if p.atStatementEnd() {
		p.failTok(p.peek(modeExpr), missingCond)
	}
	saved := p.noComma
	p.noComma = false
	c := p.parsePipeline()
	p.noComma = saved
	p.skipNewlines()
	t = p.peek(modeExpr)
	if t.kind == tEOF {
		p.failAfter(p.last, t, missingClose)
	}
	if t.kind != tRParen {
		p.failTok(t, missingClose)
	}
	p.next(modeExpr)
	return c
}

func (p *parser) parseIf() Stmt {
	start := p.off
	s := &If{}
	kw := p.next(modeArg)
	for {
		cstart := kw.start
		name := strings.ToLower(p.src[kw.start:kw.end])
		cond := p.parseCond(kw, fmt.Sprintf("Missing '(' after '%s' in if statement.", name),
			fmt.Sprintf("Missing condition in if statement after '%s ('.", name),
			fmt.Sprintf("Missing closing ')' after expression in '%s' statement.", name))
		body := p.expectBlock(fmt.Sprintf("Missing statement block after %s ( condition ).", name))
		s.Clauses = append(s.Clauses, &IfClause{Span: p.spanFrom(cstart), Cond: cond, Body: body})
		save := p.off
		p.skipNewlines()
		switch p.peekWord() {
		case "elseif":
			kw = p.next(modeArg)
			continue
		case "else":
			p.next(modeArg)
			s.Else = p.expectBlock("Missing statement block after 'else' keyword.")
		default:
			p.off = save
		}
		break
	}
	s.Span = p.spanFrom(start)
	return s
}

func (p *parser) parseForeach(label string, start int) Stmt {
	kw := p.next(modeArg)
	p.skipNewlines()
	t := p.peek(modeExpr)
	if t.kind != tLParen {
		p.failTok(t, "Missing opening '(' after keyword 'foreach'.")
	}
	p.next(modeExpr)
	p.skipNewlines()
	v := p.peek(modeExpr)
	if v.kind != tVariable {
		p.failTok(v, "Missing variable name after foreach.")
	}
	p.next(modeExpr)
	p.skipNewlines()
	if p.peekWord() != "in" {
		p.failAfter(v.end, p.peek(modeArg), "Missing 'in' after variable in foreach loop.")
	}
	p.next(modeArg)
	p.skipNewlines()
	if p.atStatementEnd() {
		p.failTok(p.peek(modeExpr), "Missing foreach loop collection after 'in'.")
	}
	coll := p.parsePipeline()
	p.skipNewlines()
	t = p.peek(modeExpr)
	if t.kind == tEOF {
		p.failAfter(p.last, t, "Missing closing ')' after expression in 'foreach' statement.")
	}
	if t.kind != tRParen {
		p.failTok(t, "Missing closing ')' after expression in 'foreach' statement.")
	}
	p.next(modeExpr)
	_ = kw
	body := p.expectBlock("Missing statement body in foreach loop.")
	return &Foreach{Span: p.spanFrom(start), Label: label,
		Var:  &Variable{Span: p.span(v.start, v.end), Name: v.text, Braced: !v.plain},
		Coll: coll, Body: body}
}

func (p *parser) parseWhile(label string, start int) Stmt {
	kw := p.next(modeArg)
	cond := p.parseCond(kw, "Missing opening '(' after keyword 'while'.",
		"Missing expression after 'while' in loop.",
		"Missing closing ')' after expression in 'while' statement.")
	body := p.expectBlock("Missing statement body in while loop.")
	return &While{Span: p.spanFrom(start), Label: label, Cond: cond, Body: body}
}

func (p *parser) parseDo(label string, start int) Stmt {
	p.next(modeArg)
	body := p.expectBlock("Missing statement body in do loop.")
	p.skipNewlines()
	w := p.peekWord()
	if w != "while" && w != "until" {
		p.failTok(p.peek(modeArg), "Missing while or until keyword in do loop.")
	}
	kw := p.next(modeArg)
	cond := p.parseCond(kw, fmt.Sprintf("Missing opening '(' after keyword '%s'.", w),
		fmt.Sprintf("Missing expression after '%s' in loop.", w),
		fmt.Sprintf("Missing closing ')' after expression in '%s' statement.", w))
	return &DoLoop{Span: p.spanFrom(start), Label: label, Body: body, Cond: cond, Until: w == "until"}
}

func (p *parser) parseFor(label string, start int) Stmt {
	p.next(modeArg)
	p.skipNewlines()
	t := p.peek(modeExpr)
	if t.kind != tLParen {
		p.failTok(t, "Missing opening '(' after keyword 'for'.")
	}
	p.next(modeExpr)
	saved := p.noComma
	p.noComma = false
	s := &For{Label: label}
	part := func() Stmt {
		p.skipNewlines()
		switch p.peek(modeExpr).kind {
		case tSemi, tRParen, tEOF:
			return nil
		}
		return p.parsePipeline()
	}
	s.Init = part()
	p.skipNewlines()
	if p.peek(modeExpr).kind == tSemi {
		p.next(modeExpr)
		s.Cond = part()
		p.skipNewlines()
		if p.peek(modeExpr).kind == tSemi {
			p.next(modeExpr)
			s.Iter = part()
			p.skipNewlines()
		}
	}
	p.noComma = saved
	t = p.peek(modeExpr)
	if t.kind == tEOF {
		p.failAfter(p.last, t, "Missing closing ')' after expression in 'for' statement.")
	}
	if t.kind != tRParen {
		p.failTok(t, "Missing closing ')' after expression in 'for' statement.")
	}
	p.next(modeExpr)
	s.Body = p.expectBlock("Missing statement body in for loop.")
	s.Span = p.spanFrom(start)
	return s
}

func (p *parser) parseFunction() Stmt {
	start := p.off
	kw := p.next(modeArg)
	filter := strings.EqualFold(p.src[kw.start:kw.end], "filter")
	p.skipSpace()
	nameStart := p.off
	for p.off < len(p.src) {
		r, size := p.runeAt(p.off)
		if isWordEnd(r) || isSQuote(r) || isDQuote(r) || r == '$' || r == '`' || r == '@' {
			break
		}
		p.off += size
	}
	name := p.src[nameStart:p.off]
	if name == "" {
		p.failAfter(kw.end, p.peek(modeArg), fmt.Sprintf("Missing name after '%s' keyword.", strings.ToLower(p.src[kw.start:kw.end])))
	}
	p.skipSpace()
	var params []*Parameter
	hasParens := false
	if p.cur() == '(' {
		hasParens = true
		open := p.next(modeExpr)
		params = p.parseParamList(open)
	}
	p.skipNewlines()
	t := p.peek(modeExpr)
	if t.kind != tLBrace {
		p.failTok(t, "Missing function body in function declaration.")
	}
	body := p.parseScriptBlock()
	if hasParens {
		if body.Body.Param != nil {
			r := body.Body.Param.Range()
			p.failRange(r.Start.Offset, r.End.Offset, false, "A function cannot have both a parameter list in parentheses and a param block.")
		}
		body.Body.Param = &ParamBlock{Params: params}
	}
	return &FunctionDef{Span: p.spanFrom(start), Name: name, Filter: filter, Body: body}
}

func (p *parser) parseParamBlock(kw token, attrs []*Attribute) *ParamBlock {
	p.skipNewlines()
	t := p.peek(modeExpr)
	if t.kind != tLParen {
		p.failTok(t, "Missing '(' after 'param'.")
	}
	open := p.next(modeExpr)
	params := p.parseParamList(open)
	start := kw.start
	if len(attrs) > 0 {
		start = attrs[0].Start.Offset
	}
	return &ParamBlock{Span: p.spanFrom(start), Attrs: attrs, Params: params}
}

// parseParamList parses parameters up to and including ')'.
func (p *parser) parseParamList(open token) []*Parameter {
	var out []*Parameter
	for {
		p.skipNewlines()
		t := p.peek(modeExpr)
		if t.kind == tRParen && len(out) == 0 {
			p.next(modeExpr)
			return out
		}
		if t.kind == tEOF {
			p.failAfter(p.last, t, "Missing ')' in function parameter list.")
		}
		out = append(out, p.parseParameter())
		p.skipNewlines()
		t = p.peek(modeExpr)
		switch t.kind {
		case tComma:
			p.next(modeExpr)
		case tRParen:
			p.next(modeExpr)
			return out
		case tEOF:
			p.failAfter(p.last, t, "Missing ')' in function parameter list.")
		default:
			p.failTok(t, "Missing ')' in function parameter list.")
		}
	}
}

func (p *parser) parseParameter() *Parameter {
	p.enter()
	defer p.leave()
	p.skipNewlines()
	start := p.off
	prm := &Parameter{}
	for {
		p.skipNewlines()
		if p.peek(modeExpr).kind != tLBracket {
			break
		}
		prm.Attrs = append(prm.Attrs, p.parseAttribute())
	}
	t := p.peek(modeExpr)
	if t.kind != tVariable {
		p.failTok(t, "Parameter declarations are a comma-separated list of variable names with optional initializer expressions.")
	}
	p.next(modeExpr)
	prm.Name = t.text
	if a := p.peek(modeExpr); a.kind == tAssign && a.text == "=" {
		p.next(modeExpr)
		p.skipNewlines()
		if !p.startsUnary(p.peek(modeExpr)) {
			p.failTok(p.peek(modeExpr), "You must provide a value expression following the '=' operator.")
		}
		saved := p.noComma
		p.noComma = true
		prm.Default = p.parseExpr()
		p.noComma = saved
	}
	prm.Span = p.spanFrom(start)
	return prm
}

// parseAttribute parses [Type] or [Name(args)].
func (p *parser) parseAttribute() *Attribute {
	p.skipSpace()
	open := p.next(modeExpr)
	a := &Attribute{}
	a.Name = p.scanTypeName(open.start, true)
	if p.cur() == '(' {
		popen := p.off
		p.off++
		saved := p.noComma
		p.noComma = true
		for {
			p.skipNewlines()
			t := p.peek(modeExpr)
			if t.kind == tRParen && len(a.Args) == 0 {
				p.next(modeExpr)
				break
			}
			if t.kind == tEOF {
				p.failAt(popen, popen+1, t, "Missing ')' in attribute argument list.")
			}
			arg := &AttrArg{}
			astart := p.off
			if t.kind == tWord {
				p.next(modeExpr)
				arg.Name = t.text
				p.skipNewlines()
				if e := p.peek(modeExpr); e.kind == tAssign && e.text == "=" {
					p.next(modeExpr)
					p.skipNewlines()
					if !p.startsUnary(p.peek(modeExpr)) {
						p.failTok(p.peek(modeExpr), "You must provide a value expression following the '=' operator.")
					}
					arg.Value = p.parseExpr()
				}
			} else {
				if !p.startsUnary(t) {
					p.failTok(t, "Missing ')' in attribute argument list.")
				}
				arg.Value = p.parseExpr()
			}
			arg.Span = p.spanFrom(astart)
			a.Args = append(a.Args, arg)
			p.skipNewlines()
			t = p.peek(modeExpr)
			if t.kind == tComma {
				p.next(modeExpr)
				continue
			}
			if t.kind == tRParen {
				p.next(modeExpr)
				break
			}
			if t.kind == tEOF {
				p.failAt(popen, popen+1, t, "Missing ')' in attribute argument list.")
			}
			p.failTok(t, "Missing ')' in attribute argument list.")
		}
		p.noComma = saved
	} else {
		a.IsType = true
	}
	if p.cur() != ']' {
		p.failRange(open.start, p.off, p.off >= len(p.src), "Missing ] at end of attribute or type literal.")
	}
	p.off++
	a.Span = p.spanFrom(open.start)
	return a
}

func (p *parser) parseTry() Stmt {
	start := p.off
	p.next(modeArg)
	s := &Try{Body: p.expectBlock("Missing statement block after 'try'.")}
	for {
		save := p.off
		p.skipNewlines()
		w := p.peekWord()
		if w != "catch" && w != "finally" {
			p.off = save
			break
		}
		kw := p.next(modeArg)
		if w == "finally" {
			s.Finally = p.expectBlock("Missing statement block after 'finally'.")
			break
		}
		c := &Catch{}
		for {
			p.skipNewlines()
			t := p.peek(modeExpr)
			if t.kind != tLBracket {
				break
			}
			open := p.next(modeExpr)
			name := p.scanTypeName(open.start, false)
			if p.cur() != ']' {
				p.failRange(open.start, p.off, p.off >= len(p.src), "Missing ] at end of attribute or type literal.")
			}
			p.off++
			c.Types = append(c.Types, name)
			p.skipNewlines()
			if p.peek(modeExpr).kind == tComma {
				p.next(modeExpr)
				continue
			}
			break
		}
		c.Body = p.expectBlock("Missing statement block in catch block.")
		c.Span = p.spanFrom(kw.start)
		s.Catches = append(s.Catches, c)
	}
	if len(s.Catches) == 0 && s.Finally == nil {
		p.skipNewlines()
		p.failTok(p.peek(modeArg), "The Try statement is missing its Catch or Finally block.")
	}
	s.Span = p.spanFrom(start)
	return s
}
