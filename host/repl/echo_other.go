//go:build !linux

package repl

// echoesControl reports whether the terminal echoes control characters;
// assumed not outside Linux, so pinsh prints "^C" itself.
func echoesControl(fd int) bool { return false }
