// Command pinsh is the PowerShell-style admin shell for Lync/Skype for
// Business client PINs.
//
//	pinsh                      interactive session on a terminal; a script from stdin otherwise
//	pinsh -c 'TEXT'            run TEXT
//	pinsh FILE.ps1 [ARGS...]   run a saved script with $args
//	pinsh -                    run a script read from stdin
//
// Options: --store PATH (or PINSH_STORE) selects the SQLite store; --as
// IDENTITY runs as another principal; --version; --help.
//
// Exit status: 0 when no error record was written, 1 when one was, 2 for a
// usage error or a script that does not parse.
package main

import (
	"os"

	"pinsh/host/shell"
)

func main() {
	os.Exit(shell.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
