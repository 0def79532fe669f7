package repl

import "golang.org/x/sys/unix"

// echoesControl reports whether the terminal echoes control characters
// (ECHOCTL), in which case it has shown "^C" itself.
func echoesControl(fd int) bool {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil && t.Lflag&unix.ECHOCTL != 0 && t.Lflag&unix.ECHO != 0
}
