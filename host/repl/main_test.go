package repl

import (
	"os"
	"testing"
)

// childEnv makes the test binary act as a helper process: "history"
// appends to a history file, "repl" runs an interactive session on its
// terminal (see pty_test.go).
const childEnv = "PINSH_REPL_TEST_CHILD"

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "history":
		historyChild()
	case "repl":
		replChild()
	}
	os.Exit(m.Run())
}
