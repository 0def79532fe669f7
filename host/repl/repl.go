// Package repl is pinsh's interactive session: line editing (with
// github.com/reeflective/readline), multi-line input on a ">> " prompt,
// per-user history shared by concurrent sessions and kept free of PINs,
// tab completion from cmdlet metadata, prompts for -Confirm and missing
// parameters, a progress bar for long pipelines, Ctrl-C that stops the
// running command and not the shell, colour and paging on a terminal, and
// the about_ help topics (package about).
//
// The package knows nothing of the store or the engine's internals: the
// shell wires it with functions (run a command, parse, list variables, ...)
// in a [Config], and gives the engine the [Host] and [Progress] made here.
package repl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/reeflective/readline"
	"github.com/reeflective/readline/inputrc"
	"golang.org/x/term"

	"pinsh/host/syntax"
)

// Prompt and ContinuationPrompt are the primary and secondary prompts.
const (
	Prompt             = "PS> "
	ContinuationPrompt = ">> "
)

// Config is what [Run] needs from the shell.
type Config struct {
	// In is the terminal (os.Stdin). Line editing needs In to be os.Stdin
	// and a terminal; any other reader is read line by line, with the same
	// prompts and no editing.
	In io.Reader
	// Out receives prompts and the line editor's display; Err the "^C"
	// report. Nil means os.Stdout and os.Stderr.
	Out, Err io.Writer
	// RunCommand runs one complete input and returns its status. ctx is
	// cancelled by Ctrl-C.
	RunCommand func(ctx context.Context, text string) int
	// Parse checks an input without running it; a *syntax.Error with
	// Partial set asks for a continuation line.
	Parse func(text string) error
	// Exited reports whether the last command ran `exit`, and its code
	// (the engine's Exited). Nil means a line that is exactly `exit` or
	// `exit N` leaves.
	Exited func() (code int, ok bool)
	// Completer proposes completions (usually a *[Sources]); nil for none.
	Completer Completer
	// HistoryPath is the history file; empty means [DefaultHistoryPath],
	// "-" keeps the history in memory only.
	HistoryPath string
	// Secrets are parameter names whose values are masked in history
	// ("Pin" always is; see [NewMasker]). Ignored when Masker is set.
	Secrets []string
	// Masker masks history entries; nil builds one from Secrets and, when
	// Completer is a *Sources, its registry.
	Masker *Masker
	// Editor is the $VISUAL or $EDITOR command line, for Ctrl-X Ctrl-E;
	// empty means [EditorCommand]. Pager is $PAGER: Run does not page by
	// itself, the shell gives it to a [Pager] for help and long output.
	Editor, Pager string
	// Progress, when set, is begun and ended around every command and
	// tells how far an interrupted command got.
	Progress *Progress
	// Host, when set, is told which command to cancel when Ctrl-C is
	// typed at one of its prompts.
	Host *Host
	// Prompt returns the primary prompt; nil means [Prompt].
	Prompt func() string
}

// Run is the interactive loop: it reads complete inputs (asking for more
// on a ">> " prompt while the input is partial), runs each, and returns
// the exit status when the user types exit or Ctrl-D (the status of the
// last command then). Ctrl-C while editing clears the line; Ctrl-C while a
// command runs cancels that command's context, prints "^C" and how far it
// got, and returns to the prompt. Run also returns when ctx is done.
func Run(ctx context.Context, cfg Config) int {
	s, err := newSession(cfg)
	if err != nil {
		fmt.Fprintf(s.errw, "pinsh: %v\n", err)
	}
	last := 0
	for {
		if ctx.Err() != nil {
			return last
		}
		text, err := s.read()
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			continue
		case errors.Is(err, io.EOF):
			fmt.Fprintln(s.out)
			return last
		case err != nil:
			fmt.Fprintf(s.errw, "pinsh: reading the terminal: %v\n", err)
			return last
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		if !s.editing {
			if _, err := s.hist.Add(text); err != nil && !s.histWarned {
				s.histWarned = true
				fmt.Fprintf(s.errw, "pinsh: %v\n", err)
			}
		}
		last = s.run(ctx, text)
		if code, ok := s.exited(text); ok {
			return code
		}
	}
}

// session is one Run.
type session struct {
	cfg        Config
	out, errw  io.Writer
	in         *bufio.Reader
	hist       *History
	histWarned bool
	rl         *readline.Shell
	editing    bool
	fd         int
	cooked     *term.State
	// pending is a line to run set by Ctrl-X Ctrl-E.
	pending *string
	// tabArmed is the line and cursor after a first Tab that found
	// several candidates: a second Tab there lists them.
	tabArmed string
}

func newSession(cfg Config) (*session, error) {
	s := &session{cfg: cfg, out: cfg.Out, errw: cfg.Err, fd: -1}
	if s.out == nil {
		s.out = os.Stdout
	}
	if s.errw == nil {
		s.errw = os.Stderr
	}
	if cfg.In == nil {
		cfg.In = os.Stdin
		s.cfg.In = os.Stdin
	}
	m := cfg.Masker
	if m == nil {
		if src, ok := cfg.Completer.(*Sources); ok && src != nil {
			m = NewMasker(src.Registry, cfg.Secrets...)
		} else {
			m = NewMasker(nil, cfg.Secrets...)
		}
	}
	path := cfg.HistoryPath
	var herr error
	if path == "" {
		path, herr = DefaultHistoryPath()
	}
	if path == "-" {
		path = ""
	}
	s.hist, _ = OpenHistory("", m, 0)
	if herr == nil && path != "" {
		h, err := OpenHistory(path, m, 0)
		if h != nil {
			s.hist = h
		}
		herr = err
	}
	if f, ok := cfg.In.(*os.File); ok && f == os.Stdin && term.IsTerminal(int(f.Fd())) {
		s.editing = true
		s.fd = int(f.Fd())
		s.cooked, _ = term.GetState(s.fd)
		s.setUpEditor()
	} else {
		s.in = bufio.NewReader(cfg.In)
	}
	return s, herr
}

func (s *session) prompt() string {
	if s.cfg.Prompt != nil {
		return s.cfg.Prompt()
	}
	return Prompt
}

// partial reports whether text is an unfinished input.
func (s *session) partial(text string) bool {
	if s.cfg.Parse == nil {
		return false
	}
	var se *syntax.Error
	return errors.As(s.cfg.Parse(text), &se) && se.Partial
}

// read returns the next complete input.
func (s *session) read() (string, error) {
	if !s.editing {
		return s.readPlain()
	}
	if s.pending != nil {
		text := *s.pending
		s.pending = nil
		return text, nil
	}
	_ = s.hist.Reload()
	text, err := s.rl.Readline()
	if s.pending != nil && err == nil {
		text = *s.pending
		s.pending = nil
	}
	return text, err
}

// readPlain reads lines from a non-terminal until the input is complete.
func (s *session) readPlain() (string, error) {
	var buf strings.Builder
	prompt := s.prompt()
	for {
		fmt.Fprint(s.out, prompt)
		line, err := s.in.ReadString('\n')
		if err != nil && line == "" {
			if buf.Len() > 0 {
				return buf.String(), nil
			}
			return "", io.EOF
		}
		buf.WriteString(line)
		if s.partial(buf.String()) {
			prompt = ContinuationPrompt
			continue
		}
		return strings.TrimRight(buf.String(), "\r\n"), nil
	}
}

var exitRE = regexp.MustCompile(`(?i)^\s*exit(\s+(-?\d+))?\s*;?\s*$`)

// exited reports whether the command just run ended the session.
func (s *session) exited(text string) (int, bool) {
	if s.cfg.Exited != nil {
		return s.cfg.Exited()
	}
	if m := exitRE.FindStringSubmatch(text); m != nil {
		code, _ := strconv.Atoi(m[2])
		return code, true
	}
	return 0, false
}

// run runs one input with a context that Ctrl-C cancels.
func (s *session) run(ctx context.Context, text string) int {
	if s.cfg.RunCommand == nil {
		return 0
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	interrupted := false
	stop := func() {
		mu.Lock()
		interrupted = true
		mu.Unlock()
		cancel()
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			stop()
		case <-done:
		}
	}()
	if h := s.cfg.Host; h != nil {
		h.setInterrupt(stop)
		defer h.setInterrupt(nil)
	}
	if p := s.cfg.Progress; p != nil {
		p.Begin()
	}
	code := s.cfg.RunCommand(cctx, text)
	close(done)
	signal.Stop(sigs)
	if p := s.cfg.Progress; p != nil {
		p.End()
	}
	mu.Lock()
	wasInterrupted := interrupted
	mu.Unlock()
	if wasInterrupted {
		msg := "^C"
		if p := s.cfg.Progress; p != nil {
			if last, ok := p.Last(); ok {
				msg += " " + StoppedMessage(last)
			}
		}
		if IsTerminal(s.errw) && s.fd >= 0 && echoesControl(s.fd) {
			// The terminal echoed ^C where the cursor was: write over it.
			msg = "\r\x1b[K" + msg
		}
		fmt.Fprintln(s.errw, msg)
	}
	return code
}

// setUpEditor configures the line editor.
func (s *session) setUpEditor() {
	rl := readline.NewShell(inputrc.WithApp("pinsh"))
	s.rl = rl
	rl.Prompt.Primary(s.prompt)
	rl.Prompt.Secondary(func() string { return ContinuationPrompt })
	rl.AcceptMultiline = func(line []rune) bool { return !s.partial(string(line)) }
	rl.History.Add("history", s.hist)
	rl.Config.Set("completion-ignore-case", true)
	rl.Config.Set("history-autosuggest", false)
	rl.Config.Set("autopairs", false)
	rl.Config.Set("multiline-column", true)
	// No "where is the cursor?" query on every key: it costs a round trip
	// per keystroke over a slow link, and keys typed while the answer is
	// awaited can be lost. The prompt starts at column 0, so the prompt's
	// width is exact.
	rl.Config.Set("cursor-position-probe", false)
	if s.cfg.Completer != nil {
		rl.Completer = s.complete
	}
	rl.Keymap.Register(map[string]func(){
		"pinsh-complete":     s.tabComplete,
		"pinsh-edit-and-run": s.editAndRun,
	})
	for _, km := range []string{"emacs", "emacs-standard", "vi-insert"} {
		rl.Config.Bind(km, inputrc.Unescape(`\C-i`), "pinsh-complete", false)
	}
	for _, km := range []string{"emacs", "emacs-standard", "emacs-ctlx"} {
		rl.Config.Bind(km, inputrc.Unescape(`\C-x\C-e`), "pinsh-edit-and-run", false)
	}
}

// complete adapts [Completer] to the line editor. The editor replaces the
// text between the start of the blank-separated word at the cursor and
// the cursor with the chosen candidate; when the completer replaces from
// further right (after "{" or "$_."), the candidates carry the text in
// between, and show without it.
func (s *session) complete(line []rune, cursor int) readline.Completions {
	text := string(line)
	pos := len(string(line[:cursor]))
	cands, from := s.cfg.Completer.Complete(text, pos)
	if len(cands) == 0 {
		return readline.Completions{}
	}
	wordStart := pos
	for wordStart > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:wordStart])
		if isBlank(r) || r == '\n' || r == '\r' {
			break
		}
		wordStart -= n
	}
	lead := ""
	if from > wordStart {
		lead = text[wordStart:from]
	} else {
		wordStart = from
	}
	vals := make([]readline.Completion, 0, len(cands))
	for _, c := range cands {
		vals = append(vals, readline.Completion{Value: lead + c, Display: c})
	}
	comps := readline.CompleteRaw(vals)
	comps.PREFIX = text[wordStart:pos]
	return comps
}

// tabComplete is Tab: a unique candidate is inserted; with several, the
// first Tab extends the word to their longest common prefix (in the
// candidates' spelling) and a second Tab lists them and selects the first,
// further Tabs cycling through the list. When the candidates all start
// with a quote the user has not typed (a display name with a space), the
// quote is inserted first, so that the editor's prefix matching keeps them.
func (s *session) tabComplete() {
	cmds := s.rl.Keymap.Commands()
	if s.cfg.Completer == nil {
		return
	}
	line := s.rl.Line()
	cur := s.rl.Cursor()
	text := string(*line)
	pos := len(string((*line)[:cur.Pos()]))
	cands, from := s.cfg.Completer.Complete(text, pos)
	if len(cands) == 0 || from > pos {
		s.tabArmed = ""
		return
	}
	if q := commonQuote(cands); q != "" {
		if r, _ := utf8.DecodeRuneInString(text[from:pos]); !isSQuote(r) && !isDQuote(r) {
			line.Insert(utf8.RuneCountInString(text[:from]), []rune(q)...)
			cur.Set(cur.Pos() + utf8.RuneCountInString(q))
			text = string(*line)
			pos += len(q)
		}
	}
	if len(cands) == 1 {
		s.tabArmed = ""
		if cmd := cmds["complete"]; cmd != nil {
			cmd()
		}
		return
	}
	key := text + "\x00" + strconv.Itoa(pos)
	if s.tabArmed == key {
		s.tabArmed = ""
		if cmd := cmds["menu-complete"]; cmd != nil {
			cmd()
		}
		return
	}
	typed := text[from:pos]
	if common := commonFoldPrefix(cands); len(common) >= len(typed) && common != typed {
		start := utf8.RuneCountInString(text[:from])
		line.Cut(start, start+utf8.RuneCountInString(typed))
		line.Insert(start, []rune(common)...)
		cur.Set(start + utf8.RuneCountInString(common))
		text = string(*line)
		pos = from + len(common)
	}
	s.tabArmed = text + "\x00" + strconv.Itoa(pos)
}

// commonFoldPrefix returns the longest prefix the candidates share,
// compared case-insensitively, in the first candidate's spelling.
func commonFoldPrefix(cands []string) string {
	if len(cands) == 0 {
		return ""
	}
	first := []rune(cands[0])
	n := len(first)
	for _, c := range cands[1:] {
		rc := []rune(c)
		i := 0
		for i < n && i < len(rc) && strings.EqualFold(string(first[i]), string(rc[i])) {
			i++
		}
		n = i
	}
	return string(first[:n])
}

// commonQuote returns the opening quote all candidates share, if any.
func commonQuote(cands []string) string {
	q := ""
	for i, c := range cands {
		r, n := utf8.DecodeRuneInString(c)
		if !isSQuote(r) && !isDQuote(r) {
			return ""
		}
		if i == 0 {
			q = c[:n]
		} else if c[:n] != q {
			return ""
		}
	}
	return q
}

// editAndRun opens the line in the editor (Ctrl-X Ctrl-E) and runs what
// is saved; an empty file cancels.
func (s *session) editAndRun() {
	text := string(*s.rl.Line())
	// The editor runs on the terminal as the shell found it (cooked), and
	// the line editor gets its raw mode back before it draws again.
	var raw *term.State
	if s.cooked != nil {
		raw, _ = term.GetState(s.fd)
		_ = term.Restore(s.fd, s.cooked)
	}
	fmt.Fprint(s.out, "\r\n")
	editor := s.cfg.Editor
	if strings.TrimSpace(editor) == "" {
		editor = EditorCommand()
	}
	edited, err := EditText(editor, text, os.Stdin, s.out, s.errw)
	if raw != nil {
		_ = term.Restore(s.fd, raw)
	}
	if err != nil {
		s.rl.Hint.SetTemporary("\x1b[31m" + err.Error() + "\x1b[0m")
		return
	}
	edited = strings.TrimRight(edited, "\r\n")
	if strings.TrimSpace(edited) == "" {
		return
	}
	s.pending = &edited
	s.rl.Line().Set([]rune(edited)...)
	s.rl.Cursor().Set(s.rl.Line().Len())
	if s.partial(edited) {
		// Nothing complete to run: keep editing it.
		s.pending = nil
		return
	}
	if cmd := s.rl.Keymap.Commands()["accept-line"]; cmd != nil {
		cmd()
	}
}
