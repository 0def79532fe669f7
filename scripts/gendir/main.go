// Command gendir writes the demo directory of the fictitious litwareinc.com
// as an LDIF file in ldifde's style (see package litware for what it holds).
//
//	go run ./scripts/gendir [-n 2000] [-seed 1] [-o litware.ldf]
//
// The output is deterministic for a given -n and -seed; -n 100000 makes the
// benchmark directory.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"pinsh/scripts/gendir/litware"
)

func main() {
	n := flag.Int("n", 2000, "number of users")
	seed := flag.Uint64("seed", 1, "random seed (the same seed gives the same file)")
	out := flag.String("o", "-", "output file (- for standard output)")
	flag.Parse()
	if *n < 1 {
		fmt.Fprintln(os.Stderr, "gendir: -n must be at least 1")
		os.Exit(2)
	}
	var w io.Writer = os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gendir:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	if err := litware.Write(w, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gendir:", err)
		os.Exit(1)
	}
}
