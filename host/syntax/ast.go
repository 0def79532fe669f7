package syntax

import "pinsh/host/object"

// Node is any node of the syntax tree.
type Node interface {
	// Range returns the node's source range.
	Range() Span
}

// Stmt is a statement: a pipeline, an assignment or a keyword statement.
type Stmt interface {
	Node
	stmt()
}

// Expr is an expression.
type Expr interface {
	Node
	expr()
}

// Script is a parsed script: a block with an optional param(...) block.
type Script struct {
	Span
	Body *Block
}

// Block is the body of a script or script block: an optional param
// block, then either plain statements (End) or named begin/process/end
// blocks.
type Block struct {
	Span
	Param *ParamBlock
	// Named is set when the body was written as begin {} process {} end {}.
	Named bool
	// Begin, Process and End hold the named blocks' statements; a block
	// without named blocks keeps its statements in End.
	Begin, Process, End []Stmt
}

// ParamBlock is param(...), with the attributes written before it
// ([CmdletBinding()]).
type ParamBlock struct {
	Span
	Attrs  []*Attribute
	Params []*Parameter
}

// Parameter is one parameter declaration: attributes and type
// constraints, the variable, and an optional default value.
type Parameter struct {
	Span
	Attrs   []*Attribute
	Name    string
	Default Expr
}

// Attribute is [Name(args)] or, with IsType, a type constraint [Name].
type Attribute struct {
	Span
	Name   string
	IsType bool
	Args   []*AttrArg
}

// AttrArg is one attribute argument: Name=Value, a bare Name (Value nil),
// or a positional Value (Name empty).
type AttrArg struct {
	Span
	Name  string
	Value Expr
}

// Pipeline is a pipeline: an optional leading expression and commands.
type Pipeline struct {
	Span
	// Expr is the first element when it is an expression, else nil.
	Expr Expr
	Cmds []*Command
	// Redirs are the redirections of a pipeline that is only an
	// expression ('text' > file.txt); a command keeps its own.
	Redirs []*Redirect
}

// Command is one command invocation in a pipeline.
type Command struct {
	Span
	// Dot is set for dot-sourcing (". name").
	Dot bool
	// Name is the command name: a StringLit for a bare word, or any
	// expression after the call operator &.
	Name   Expr
	Elems  []CommandElem
	Redirs []*Redirect
}

// CommandElem is a command element: a *CommandParam or a *CommandArg.
type CommandElem interface {
	Node
	elem()
}

// CommandParam is -Name or -Name:value.
type CommandParam struct {
	Span
	Name  string
	Colon bool
	// Arg is the value after the colon, when Colon is set.
	Arg Expr
}

// CommandArg is a value element of a command.
type CommandArg struct {
	Span
	Value Expr
}

// Redirect is an output redirection: >, >>, 2>, 2>&1, *> ...
type Redirect struct {
	Span
	// Stream is '1', '2' or '*'.
	Stream byte
	Append bool
	// Merge is set for 2>&1; Target is nil then.
	Merge  bool
	Target Expr
}

// Assignment is Target Op Value, with Op one of = += -= *= /= %=.
type Assignment struct {
	Span
	Target Expr
	Op     string
	Value  Stmt
}

// StmtBlock is a braced statement list of a keyword statement.
type StmtBlock struct {
	Span
	Stmts []Stmt
}

// IfClause is one if or elseif condition with its block.
type IfClause struct {
	Span
	Cond Stmt
	Body *StmtBlock
}

// If is if/elseif/else.
type If struct {
	Span
	Clauses []*IfClause
	Else    *StmtBlock
}

// Foreach is foreach ($Var in Coll) { Body }.
type Foreach struct {
	Span
	Label string
	Var   *Variable
	Coll  Stmt
	Body  *StmtBlock
}

// While is while (Cond) { Body }.
type While struct {
	Span
	Label string
	Cond  Stmt
	Body  *StmtBlock
}

// DoLoop is do { Body } while (Cond), or until with Until set.
type DoLoop struct {
	Span
	Label string
	Body  *StmtBlock
	Cond  Stmt
	Until bool
}

// For is for (Init; Cond; Iter) { Body }; any part may be nil.
type For struct {
	Span
	Label            string
	Init, Cond, Iter Stmt
	Body             *StmtBlock
}

// Break is break [label].
type Break struct {
	Span
	Label string
}

// Continue is continue [label].
type Continue struct {
	Span
	Label string
}

// Return is return [pipeline].
type Return struct {
	Span
	Value Stmt
}

// Exit is exit [pipeline].
type Exit struct {
	Span
	Value Stmt
}

// Throw is throw [pipeline].
type Throw struct {
	Span
	Value Stmt
}

// Try is try { Body } catch [Types] { ... } finally { ... }.
type Try struct {
	Span
	Body    *StmtBlock
	Catches []*Catch
	Finally *StmtBlock
}

// Catch is one catch clause; Types lists the exception type names
// written, empty for a catch-all.
type Catch struct {
	Span
	Types []string
	Body  *StmtBlock
}

// FunctionDef is function Name { ... } or filter Name { ... }.
type FunctionDef struct {
	Span
	Name   string
	Filter bool
	Body   *ScriptBlockExpr
}

// NumberLit is a numeric literal; Value is int64 or float64.
type NumberLit struct {
	Span
	Value object.Value
	// Text is the literal as written.
	Text string
}

// QuoteKind says how a string was written; it does not change meaning.
type QuoteKind uint8

// The ways of writing a string.
const (
	QuoteBare QuoteKind = iota
	QuoteSingle
	QuoteDouble
	QuoteHereSingle
	QuoteHereDouble
)

// StringLit is a string without expansions.
type StringLit struct {
	Span
	Value string
	Quote QuoteKind `syntax:"-"`
}

// ExpandString is a string with $var and $(...) expansions; its parts are
// StringLit, Variable and SubExpr nodes.
type ExpandString struct {
	Span
	Parts []Expr
	Quote QuoteKind `syntax:"-"`
}

// Variable is $Name; Name keeps a scope or drive prefix ("env:PATH").
type Variable struct {
	Span
	Name   string
	Braced bool `syntax:"-"`
}

// Splat is @Name in a command's arguments.
type Splat struct {
	Span
	Name string
}

// Paren is ( pipeline ).
type Paren struct {
	Span
	Stmt Stmt
}

// SubExpr is $( statements ).
type SubExpr struct {
	Span
	Stmts []Stmt
}

// ArrayExpr is @( statements ).
type ArrayExpr struct {
	Span
	Stmts []Stmt
}

// HashEntry is one Key = Value entry of a hash literal.
type HashEntry struct {
	Span
	Key   Expr
	Value Stmt
}

// HashLit is @{ ... }.
type HashLit struct {
	Span
	Entries []*HashEntry
}

// ScriptBlockExpr is { ... }.
type ScriptBlockExpr struct {
	Span
	Body *Block
	// Text is the source between the braces.
	Text string `syntax:"-"`
}

// ArrayLit is a comma list a, b, c.
type ArrayLit struct {
	Span
	Elems []Expr
}

// Unary is a prefix operator: - + ! -not -bnot , ++ -- -split -join.
type Unary struct {
	Span
	Op string
	X  Expr
}

// Postfix is X++ or X--.
type Postfix struct {
	Span
	Op string
	X  Expr
}

// Binary is X Op Y. Op is written with a lower-case ASCII dash form for
// word operators ("-eq", "-cmatch", "-and") and as itself otherwise
// ("+", "..").
type Binary struct {
	Span
	Op   string
	X, Y Expr
}

// Cast is [Type]X.
type Cast struct {
	Span
	Type string
	X    Expr
}

// TypeLit is a type literal [Type] used as a value.
type TypeLit struct {
	Span
	Type string
}

// Member is X.Name or, with Static, X::Name. Name is a StringLit for a
// plain name, or any expression ($x.$name, $x.'odd name').
type Member struct {
	Span
	X      Expr
	Name   Expr
	Static bool
}

// InvokeMember is a method call X.Name(Args).
type InvokeMember struct {
	Span
	X      Expr
	Name   Expr
	Static bool
	Args   []Expr
}

// Index is X[Index].
type Index struct {
	Span
	X     Expr
	Index Expr
}

// PropertyRef is a bare word naming a property of the object tested, in
// an OPATH filter (see [ParseFilter]).
type PropertyRef struct {
	Span
	Name string
}

func (*Pipeline) stmt()    {}
func (*Assignment) stmt()  {}
func (*If) stmt()          {}
func (*Foreach) stmt()     {}
func (*While) stmt()       {}
func (*DoLoop) stmt()      {}
func (*For) stmt()         {}
func (*Break) stmt()       {}
func (*Continue) stmt()    {}
func (*Return) stmt()      {}
func (*Exit) stmt()        {}
func (*Throw) stmt()       {}
func (*FunctionDef) stmt() {}
func (*Try) stmt()         {}

func (*NumberLit) expr()       {}
func (*StringLit) expr()       {}
func (*ExpandString) expr()    {}
func (*Variable) expr()        {}
func (*Splat) expr()           {}
func (*Paren) expr()           {}
func (*SubExpr) expr()         {}
func (*ArrayExpr) expr()       {}
func (*HashLit) expr()         {}
func (*ScriptBlockExpr) expr() {}
func (*ArrayLit) expr()        {}
func (*Unary) expr()           {}
func (*Postfix) expr()         {}
func (*Binary) expr()          {}
func (*Cast) expr()            {}
func (*TypeLit) expr()         {}
func (*Member) expr()          {}
func (*InvokeMember) expr()    {}
func (*Index) expr()           {}
func (*PropertyRef) expr()     {}

func (*CommandParam) elem() {}
func (*CommandArg) elem()   {}
