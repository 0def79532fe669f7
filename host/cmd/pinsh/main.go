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
//
// For performance work, PINSH_CPUPROFILE=FILE writes a CPU profile of the
// whole run to FILE (go tool pprof reads it).
//
// Unless GOGC or GOMEMLIMIT say otherwise, the garbage collector runs at
// GOGC=400 under a 512 MiB soft limit: pinsh's live heap is a few MiB
// (users stream through pipelines), so the default collects far more
// often than it needs to; over 100,000 piped users this saves about a
// tenth of the run for 13 MiB more memory. Plugin memory is outside the
// Go heap and is capped per instance.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"runtime/pprof"

	"pinsh/host/shell"
)

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(512 << 20)
	}
	stop := func() {}
	if path := os.Getenv("PINSH_CPUPROFILE"); path != "" {
		var err error
		if stop, err = startProfile(path); err != nil {
			fmt.Fprintf(os.Stderr, "pinsh: PINSH_CPUPROFILE: %v\n", err)
			os.Exit(2)
		}
	}
	code := shell.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// startProfile starts a CPU profile into path and returns the function that
// ends it.
func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
