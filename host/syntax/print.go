package syntax

import (
	"strings"
	"unicode/utf8"
)

// Print returns source text for a node. Parsing the text of a printed
// script gives a tree equal to the original, apart from positions and the
// way strings were quoted.
func Print(n Node) string {
	pr := &printer{}
	pr.node(n)
	return pr.sb.String()
}

type printer struct {
	sb     strings.Builder
	indent int
}

func (pr *printer) w(s string) { pr.sb.WriteString(s) }

func (pr *printer) nl() {
	pr.sb.WriteByte('\n')
	for i := 0; i < pr.indent; i++ {
		pr.sb.WriteString("    ")
	}
}

func (pr *printer) node(n Node) {
	switch n := n.(type) {
	case *Script:
		pr.block(n.Body)
	case Stmt:
		pr.stmt(n, true)
	case Expr:
		pr.expr(n)
	case *Block:
		pr.block(n)
	}
}

// block prints a script or script block body.
func (pr *printer) block(b *Block) {
	first := true
	sep := func() {
		if !first {
			pr.nl()
		}
		first = false
	}
	if b.Param != nil {
		sep()
		pr.paramBlock(b.Param)
	}
	if b.Named {
		for _, nb := range []struct {
			name  string
			stmts []Stmt
		}{{"begin", b.Begin}, {"process", b.Process}, {"end", b.End}} {
			if nb.stmts == nil {
				continue
			}
			sep()
			pr.w(nb.name + " ")
			pr.stmtBlock(nb.stmts)
		}
		if first {
			// Named with every block empty: keep it named.
			pr.w("end {}")
		}
		return
	}
	for i, s := range b.End {
		sep()
		pr.stmt(s, i == 0 && b.Param == nil)
	}
}

func (pr *printer) paramBlock(pb *ParamBlock) {
	for _, a := range pb.Attrs {
		pr.attr(a)
		pr.nl()
	}
	pr.w("param(")
	pr.params(pb.Params)
	pr.w(")")
}

func (pr *printer) params(ps []*Parameter) {
	for i, p := range ps {
		if i > 0 {
			pr.w(", ")
		}
		for _, a := range p.Attrs {
			pr.attr(a)
		}
		pr.variable(p.Name, false)
		if p.Default != nil {
			pr.w(" = ")
			pr.expr(p.Default)
		}
	}
}

func (pr *printer) attr(a *Attribute) {
	pr.w("[" + a.Name)
	if !a.IsType {
		pr.w("(")
		for i, arg := range a.Args {
			if i > 0 {
				pr.w(", ")
			}
			if arg.Name != "" {
				pr.w(arg.Name)
				if arg.Value != nil {
					pr.w(" = ")
				}
			}
			if arg.Value != nil {
				pr.expr(arg.Value)
			}
		}
		pr.w(")")
	}
	pr.w("]")
}

func (pr *printer) stmtBlock(stmts []Stmt) {
	if len(stmts) == 0 {
		pr.w("{}")
		return
	}
	pr.w("{")
	pr.indent++
	for _, s := range stmts {
		pr.nl()
		pr.stmt(s, true)
	}
	pr.indent--
	pr.nl()
	pr.w("}")
}

// stmt prints a statement; first says whether it starts a statement list,
// where a command named begin, process or end would read as a named block.
func (pr *printer) stmt(s Stmt, first bool) {
	switch s := s.(type) {
	case *Pipeline:
		pr.pipeline(s)
	case *Assignment:
		pr.expr(s.Target)
		pr.w(" " + s.Op + " ")
		pr.stmt(s.Value, false)
	case *If:
		for i, c := range s.Clauses {
			if i == 0 {
				pr.w("if (")
			} else {
				pr.w(" elseif (")
			}
			pr.stmt(c.Cond, false)
			pr.w(") ")
			pr.stmtBlock(c.Body.Stmts)
		}
		if s.Else != nil {
			pr.w(" else ")
			pr.stmtBlock(s.Else.Stmts)
		}
	case *Foreach:
		pr.label(s.Label)
		pr.w("foreach (")
		pr.variable(s.Var.Name, false)
		pr.w(" in ")
		pr.stmt(s.Coll, false)
		pr.w(") ")
		pr.stmtBlock(s.Body.Stmts)
	case *While:
		pr.label(s.Label)
		pr.w("while (")
		pr.stmt(s.Cond, false)
		pr.w(") ")
		pr.stmtBlock(s.Body.Stmts)
	case *DoLoop:
		pr.label(s.Label)
		pr.w("do ")
		pr.stmtBlock(s.Body.Stmts)
		if s.Until {
			pr.w(" until (")
		} else {
			pr.w(" while (")
		}
		pr.stmt(s.Cond, false)
		pr.w(")")
	case *For:
		pr.label(s.Label)
		pr.w("for (")
		if s.Init != nil {
			pr.stmt(s.Init, false)
		}
		pr.w("; ")
		if s.Cond != nil {
			pr.stmt(s.Cond, false)
		}
		pr.w("; ")
		if s.Iter != nil {
			pr.stmt(s.Iter, false)
		}
		pr.w(") ")
		pr.stmtBlock(s.Body.Stmts)
	case *Break:
		pr.w("break")
		if s.Label != "" {
			pr.w(" " + s.Label)
		}
	case *Continue:
		pr.w("continue")
		if s.Label != "" {
			pr.w(" " + s.Label)
		}
	case *Return:
		pr.keywordValue("return", s.Value)
	case *Exit:
		pr.keywordValue("exit", s.Value)
	case *Throw:
		pr.keywordValue("throw", s.Value)
	case *Try:
		pr.w("try ")
		pr.stmtBlock(s.Body.Stmts)
		for _, c := range s.Catches {
			pr.w(" catch ")
			for i, t := range c.Types {
				if i > 0 {
					pr.w(", ")
				}
				pr.w("[" + t + "] ")
			}
			pr.stmtBlock(c.Body.Stmts)
		}
		if s.Finally != nil {
			pr.w(" finally ")
			pr.stmtBlock(s.Finally.Stmts)
		}
	case *FunctionDef:
		if s.Filter {
			pr.w("filter ")
		} else {
			pr.w("function ")
		}
		pr.w(s.Name + " ")
		pr.scriptBlock(s.Body)
	}
}

func (pr *printer) label(l string) {
	if l != "" {
		pr.w(":" + l + " ")
	}
}

func (pr *printer) keywordValue(kw string, v Stmt) {
	pr.w(kw)
	if v != nil {
		pr.w(" ")
		pr.stmt(v, false)
	}
}

func (pr *printer) pipeline(p *Pipeline) {
	if p.Expr != nil {
		pr.expr(p.Expr)
		pr.redirs(p.Redirs)
	}
	for i, c := range p.Cmds {
		if i > 0 || p.Expr != nil {
			pr.w(" | ")
		}
		pr.command(c, i == 0 && p.Expr == nil)
	}
}

func (pr *printer) command(c *Command, first bool) {
	switch {
	case c.Dot:
		pr.w(". ")
		pr.arg(c.Name)
	case bareCommandName(c.Name, first):
		pr.w(c.Name.(*StringLit).Value)
	default:
		pr.w("& ")
		pr.arg(c.Name)
	}
	for _, e := range c.Elems {
		pr.w(" ")
		switch e := e.(type) {
		case *CommandParam:
			pr.w("-" + e.Name)
			if e.Colon {
				pr.w(":")
				pr.arg(e.Arg)
			}
		case *CommandArg:
			pr.arg(e.Value)
		}
	}
	pr.redirs(c.Redirs)
}

func (pr *printer) redirs(list []*Redirect) {
	for _, r := range list {
		pr.w(" ")
		if r.Stream != '1' {
			pr.sb.WriteByte(r.Stream)
		}
		pr.w(">")
		if r.Merge {
			pr.w("&1")
			continue
		}
		if r.Append {
			pr.w(">")
		}
		pr.w(" ")
		pr.arg(r.Target)
	}
}

// bareCommandName reports whether a command name can be written as a
// bare word.
func bareCommandName(e Expr, first bool) bool {
	lit, ok := e.(*StringLit)
	if !ok || lit.Value == "" {
		return false
	}
	if first && (IsKeyword(lit.Value) || isBlockName(lit.Value)) {
		return false
	}
	if _, num := wholeNumber(lit.Value); num {
		return false
	}
	r, _ := utf8.DecodeRuneInString(lit.Value)
	switch {
	case isDash(r), r == '.', r == '&', r == '[', r == ']', r == '!', r == '+', r == '=', r == ':', r >= '0' && r <= '9':
		return false
	}
	return plainWord(lit.Value)
}

func isBlockName(s string) bool {
	switch strings.ToLower(s) {
	case "begin", "process", "end", "param":
		return true
	}
	return false
}

// plainWord reports whether s scans as one argument-mode word with no
// special characters.
func plainWord(s string) bool {
	for i, r := range s {
		if isWordEnd(r) || isSQuote(r) || isDQuote(r) || r == '$' || r == '`' || r == '@' || r == '#' || r == '<' {
			return false
		}
		if i == 0 && (r == '{' || r == '(') {
			return false
		}
	}
	return true
}

// arg prints an argument-mode value.
func (pr *printer) arg(e Expr) {
	switch e := e.(type) {
	case *ArrayLit:
		for i, el := range e.Elems {
			if i > 0 {
				pr.w(",")
			}
			pr.arg(el)
		}
	case *NumberLit:
		pr.w(e.Text)
	default:
		pr.expr(e)
	}
}

func (pr *printer) expr(e Expr) {
	switch e := e.(type) {
	case *NumberLit:
		pr.w(e.Text)
	case *StringLit:
		pr.single(e.Value)
	case *ExpandString:
		pr.w("\"")
		for _, part := range e.Parts {
			switch part := part.(type) {
			case *StringLit:
				pr.doubleText(part.Value)
			case *Variable:
				pr.variable(part.Name, true)
			default:
				pr.expr(part)
			}
		}
		pr.w("\"")
	case *Variable:
		pr.variable(e.Name, false)
	case *Splat:
		pr.w("@" + e.Name)
	case *Paren:
		pr.w("(")
		pr.stmt(e.Stmt, false)
		pr.w(")")
	case *SubExpr:
		pr.w("$(")
		pr.stmtList(e.Stmts)
		pr.w(")")
	case *ArrayExpr:
		pr.w("@(")
		pr.stmtList(e.Stmts)
		pr.w(")")
	case *HashLit:
		pr.w("@{")
		for i, en := range e.Entries {
			if i > 0 {
				pr.w("; ")
			}
			if lit, ok := en.Key.(*StringLit); ok && identifier(lit.Value) {
				pr.w(lit.Value)
			} else {
				pr.expr(en.Key)
			}
			pr.w(" = ")
			pr.stmt(en.Value, false)
		}
		pr.w("}")
	case *ScriptBlockExpr:
		pr.scriptBlock(e)
	case *ArrayLit:
		for i, el := range e.Elems {
			if i > 0 {
				pr.w(", ")
			}
			pr.expr(el)
		}
	case *Unary:
		pr.w(e.Op)
		start := pr.sb.Len()
		switch e.Op {
		case "-not", "-bnot", "-split", "-join":
			pr.w(" ")
			pr.expr(e.X)
			return
		}
		pr.expr(e.X)
		// Keep "- -1" and "+ +1" from reading as -- and ++.
		if e.Op == "-" || e.Op == "+" || e.Op == "++" || e.Op == "--" {
			out := pr.sb.String()
			r, _ := utf8.DecodeRuneInString(out[start:])
			if isDash(r) || r == '+' || isIdentStart(r) {
				rest := out[start:]
				pr.sb.Reset()
				pr.sb.WriteString(out[:start])
				pr.sb.WriteString(" ")
				pr.sb.WriteString(rest)
			}
		}
	case *Postfix:
		pr.expr(e.X)
		pr.w(e.Op)
	case *Binary:
		pr.expr(e.X)
		if e.Op == ".." {
			pr.w("..")
		} else {
			pr.w(" " + e.Op + " ")
		}
		pr.expr(e.Y)
	case *Cast:
		pr.w("[" + e.Type + "]")
		pr.expr(e.X)
	case *TypeLit:
		pr.w("[" + e.Type + "]")
	case *Member:
		pr.expr(e.X)
		pr.memberOp(e.Static)
		pr.memberName(e.Name)
	case *InvokeMember:
		pr.expr(e.X)
		pr.memberOp(e.Static)
		pr.memberName(e.Name)
		pr.w("(")
		for i, a := range e.Args {
			if i > 0 {
				pr.w(", ")
			}
			pr.expr(a)
		}
		pr.w(")")
	case *Index:
		pr.expr(e.X)
		pr.w("[")
		pr.expr(e.Index)
		pr.w("]")
	case *PropertyRef:
		pr.w(e.Name)
	}
}

func (pr *printer) memberOp(static bool) {
	if static {
		pr.w("::")
	} else {
		pr.w(".")
	}
}

func (pr *printer) memberName(n Expr) {
	if lit, ok := n.(*StringLit); ok && identifier(lit.Value) {
		pr.w(lit.Value)
		return
	}
	pr.expr(n)
}

func (pr *printer) stmtList(stmts []Stmt) {
	for i, s := range stmts {
		if i > 0 {
			pr.nl()
		}
		pr.stmt(s, true)
	}
}

func (pr *printer) scriptBlock(sb *ScriptBlockExpr) {
	pr.w("{")
	b := sb.Body
	if b.Param == nil && !b.Named && len(b.End) == 0 {
		pr.w("}")
		return
	}
	pr.indent++
	pr.nl()
	pr.block(b)
	pr.indent--
	pr.nl()
	pr.w("}")
}

// identifier reports whether s is a plain identifier.
func identifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !isIdentChar(r) || (i == 0 && !isIdentStart(r)) {
			return false
		}
	}
	return true
}

// variable prints $name, or ${name} when the name needs braces (always
// inside strings, so that following text cannot extend it).
func (pr *printer) variable(name string, inString bool) {
	simple := name != ""
	if name == "$" || name == "?" || name == "^" {
		if !inString {
			pr.w("$" + name)
			return
		}
		simple = false
	}
	colons := 0
	for i, r := range name {
		if r == ':' {
			colons++
			if i == 0 || i == len(name)-1 || colons > 1 {
				simple = false
			}
			continue
		}
		if !isIdentChar(r) {
			simple = false
		}
	}
	if simple && !inString {
		pr.w("$" + name)
		return
	}
	pr.w("${")
	for _, r := range name {
		if r == '}' || r == '`' || r == '{' {
			pr.w("`")
		}
		pr.sb.WriteRune(r)
	}
	pr.w("}")
}

// single prints a single-quoted string, doubling every quote character.
func (pr *printer) single(s string) {
	pr.w("'")
	for _, r := range s {
		if isSQuote(r) {
			pr.sb.WriteRune(r)
		}
		pr.sb.WriteRune(r)
	}
	pr.w("'")
}

// doubleText prints literal text inside a double-quoted string.
func (pr *printer) doubleText(s string) {
	for _, r := range s {
		switch {
		case r == '`' || r == '$' || isDQuote(r):
			pr.w("`")
			pr.sb.WriteRune(r)
		case r == 0:
			pr.w("`0")
		default:
			pr.sb.WriteRune(r)
		}
	}
}
