// Package host is the pinsh shell itself. This file walks the data from the
// command line to the store and back, naming the package for each step; it
// holds no code.
//
// # Text in
//
// [pinsh/host/shell] parses the pinsh command line (-c TEXT, a script file
// with $args, stdin, or an interactive session), opens the store and wires
// the services, the built-in cmdlets and the plugins into an engine.
//
// # Text to tree
//
// [pinsh/host/syntax] turns the PowerShell-subset text into an AST with
// positions. A parse error names its line and column and carries a Partial
// flag (more input could fix it), which the interactive session uses for its
// ">>" continuation prompt. Nothing of a script runs when it does not parse.
//
// # Tree to running pipelines
//
// [pinsh/host/engine] compiles the AST once into closures and runs it:
// variables, operators, script blocks, functions and statements. A pipeline
// is PowerShell's push model: each object goes through every downstream
// stage before the upstream stage produces the next, synchronously, with no
// goroutine or channel per object. The engine implements
// [pinsh/host/cmdlet.Runtime] for each stage: the object, error, warning,
// verbose and progress streams, -ErrorAction, and ShouldProcess (-WhatIf,
// -Confirm), which belongs to the host, never to a cmdlet.
//
// # Values and binding
//
// [pinsh/host/object] is the value model: typed objects with a type name and
// ordered properties, and the one place where PowerShell's conversion and
// comparison rules live. [pinsh/host/cmdlet] declares cmdlets (parameter
// metadata shared by built-ins and plugins) and binds arguments and pipeline
// input to parameters: named, positional, by value and by property name.
//
// # Cmdlets
//
// Built-ins are Go: [pinsh/host/builtin] has the generic ones (Where-Object,
// Select-Object, Format-Table, Export-Csv ...), [pinsh/host/cscmd] the
// directory and policy ones (Get-CsUser, Import-CsDirectory, *-CsPinPolicy).
// Plugins are WebAssembly modules run by [pinsh/host/plugin] in a sandbox; a
// plugin reaches the world only through host functions. A read-only plugin
// cmdlet after pure commands (Get-CsUser) receives its input in batches: it
// is a [pinsh/host/cmdlet.Batcher], which the engine flushes before anything
// an earlier command shows, so the order of what is seen stays that of one
// object at a time (docs/RATIONALE.md).
//
// # Services and the store
//
// Every store access on behalf of a cmdlet, built-in or plugin, is
// authorised by [pinsh/host/rbac] for the operator, the cmdlet and the
// target, and every change is written to the audit trail in the same
// transaction. [pinsh/host/pin] is the PIN security core (policy checks,
// generation, argon2id hashing with a pepper, lockout), [pinsh/host/directory]
// imports LDIF and CSV and evaluates LDAP filters, and [pinsh/host/store]
// keeps everything in one SQLite file.
//
// # Text out
//
// [pinsh/host/format] renders objects at the end of a pipeline: a declared
// view per type, else a table for few properties and a list for many, and
// Format-Table, Format-List, CSV and JSON.
package host
