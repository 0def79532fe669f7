package shell

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"

	"pinsh/host/object"
	"pinsh/host/repl"
	"pinsh/host/repl/about"
	"pinsh/host/store"
)

// terminal holds the interactive pieces of a session: the progress bar,
// coloured error output, the prompt host.
type terminal struct {
	progress *repl.Progress
	host     *repl.Host
	stdout   io.Writer
	stderr   io.Writer
}

// newTerminal sets up progress and colour for the session's streams. The
// bar is drawn only when stderr is a terminal; colour only on a terminal
// without NO_COLOR. It also serves scripts run from a terminal.
func (s *Session) newTerminal() *terminal {
	t := &terminal{}
	t.progress = repl.NewProgress(s.cfg.Stderr, repl.ProgressOptions{Preference: func() string {
		if s.eng == nil {
			return ""
		}
		v, _ := s.eng.Var("ProgressPreference")
		return object.ToString(v)
	}})
	color := repl.ColorEnabled(s.cfg.Stderr) && s.getenv("NO_COLOR") == ""
	t.stderr = t.progress.Wrap(repl.NewColorWriter(s.cfg.Stderr, color))
	t.stdout = t.progress.Wrap(s.cfg.Stdout)
	if f, ok := s.cfg.Stdin.(*os.File); ok && s.cfg.Interactive {
		t.host = repl.NewHost(f, s.cfg.Stderr)
	}
	return t
}

// REPL runs the interactive session until exit or Ctrl-D. Ctrl-C cancels
// the running command only; the caller must not also cancel ctx on SIGINT.
func (s *Session) REPL(ctx context.Context) int {
	src := &repl.Sources{
		Registry:   s.reg,
		Values:     s.completionValues,
		Variables:  s.eng.VarNames,
		Properties: properties,
		Commands:   s.eng.FunctionNames,
		Topics:     about.Names,
	}
	defer func() {
		if f, ok := s.term.stderr.(interface{ Flush() error }); ok {
			_ = f.Flush()
		}
	}()
	return repl.Run(ctx, repl.Config{
		In:         s.cfg.Stdin,
		Out:        s.cfg.Stdout,
		Err:        s.term.stderr,
		RunCommand: func(c context.Context, text string) int { return s.eng.Run(c, text, "") },
		Parse:      func(text string) error { return s.eng.Parse(text, "") },
		Exited:     s.eng.Exited,
		Completer:  src,
		Editor:     repl.EditorCommand(),
		Pager:      s.getenv("PAGER"),
		Progress:   s.term.progress,
		Host:       s.term.host,
	})
}

// properties lists the properties of a declared type, for `$_.`
// completion.
func properties(typeName string) []string {
	t, ok := object.LookupType(typeName)
	if !ok {
		return nil
	}
	var out []string
	for _, p := range t.Properties() {
		out = append(out, p.Name)
	}
	return out
}

// completionValues answers the dynamic value sources of parameters.
func (s *Session) completionValues(kind, prefix string) []string {
	ctx := context.Background()
	const max = 50
	var out []string
	add := func(v string) error {
		if prefix == "" || strings.HasPrefix(object.Fold(v), object.Fold(prefix)) {
			out = append(out, v)
		}
		if len(out) >= max {
			return errEnough
		}
		return nil
	}
	var err error
	switch kind {
	case "ou":
		err = s.store.EachOU(ctx, func(o *store.OU) error { return add(o.DN) })
	case "policy":
		err = s.store.EachPinPolicy(ctx, func(p *store.PinPolicy) error { return add(p.Identity()) })
	case "role":
		err = s.store.EachRole(ctx, func(r *store.Role) error { return add(r.Name) })
	case "identity":
		if prefix == "" {
			return nil
		}
		err = s.store.EachUser(ctx, store.UserQuery{Identity: prefix + "*", Limit: max}, func(u *store.User) error {
			return add(u.DisplayName)
		})
	}
	if err != nil && !errors.Is(err, errEnough) {
		return nil
	}
	return out
}

var errEnough = errors.New("enough")
