//go:build !unix

package repl

import "os"

func replChild() { os.Exit(2) }
