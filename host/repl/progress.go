package repl

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"pinsh/host/engine"
)

// DefaultProgressDelay is how long a pipeline runs before its progress bar
// appears: short commands never flash one.
const DefaultProgressDelay = time.Second

// ProgressOptions configures a [Progress].
type ProgressOptions struct {
	// Preference returns $ProgressPreference; "SilentlyContinue" (or
	// "Ignore") turns the bar off. Nil means always on.
	Preference func() string
	// Delay is how long a command runs before the bar shows; 0 means
	// [DefaultProgressDelay].
	Delay time.Duration
	// Force draws even when the writer is not a terminal (tests).
	Force bool
	// Width returns the terminal width; nil asks the writer's terminal.
	Width func() int
}

// Progress draws the engine's Write-Progress reports as a bar on the
// terminal (with github.com/schollz/progressbar): activity, a bar when the
// total is known, count and total, rate, and time left. It draws only
// when its writer is a terminal, only once the running command has lasted
// the delay, and never when $ProgressPreference is SilentlyContinue.
//
// Give [Progress.Report] to the engine as Options.OnProgress, call
// [Progress.Begin] and [Progress.End] around each command ([Run] does it),
// and write the command's output through [Progress.Wrap] so that output
// lines never run into the bar.
type Progress struct {
	w     io.Writer
	file  *os.File
	draw  bool
	opts  ProgressOptions
	delay time.Duration

	mu      sync.Mutex
	start   time.Time
	bar     *progressbar.ProgressBar
	gate    *gate
	key     string
	last    engine.Progress
	hasLast bool
}

// NewProgress returns a progress display writing to w (normally os.Stderr).
func NewProgress(w io.Writer, opts ProgressOptions) *Progress {
	p := &Progress{w: w, opts: opts, delay: opts.Delay}
	if p.delay <= 0 {
		p.delay = DefaultProgressDelay
	}
	if f, ok := w.(*os.File); ok {
		p.file = f
		p.draw = term.IsTerminal(int(f.Fd()))
	}
	if opts.Force {
		p.draw = true
	}
	return p
}

// Drawing reports whether the bar can be drawn at all (its writer is a
// terminal).
func (p *Progress) Drawing() bool { return p.draw }

// Begin starts the clock for a new command and forgets the last report.
func (p *Progress) Begin() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closeBar()
	p.start = time.Now()
	p.hasLast = false
}

// End removes the bar, if any; the last report stays for [Progress.Last].
func (p *Progress) End() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closeBar()
	p.start = time.Time{}
}

// Last returns the latest report of the current (or just ended) command.
func (p *Progress) Last() (engine.Progress, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last, p.hasLast
}

func (p *Progress) enabled() bool {
	if p.opts.Preference == nil {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(p.opts.Preference())) {
	case "silentlycontinue", "ignore":
		return false
	}
	return true
}

func (p *Progress) width() int {
	if p.opts.Width != nil {
		if w := p.opts.Width(); w > 0 {
			return w
		}
	}
	if p.file != nil {
		if w, _, err := term.GetSize(int(p.file.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 80
}

// Report takes one Write-Progress report; it is the engine's OnProgress.
func (p *Progress) Report(r engine.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last, p.hasLast = r, true
	if !p.draw {
		return
	}
	if !p.enabled() {
		p.closeBar()
		return
	}
	now := time.Now()
	if p.start.IsZero() {
		p.start = now // no Begin: a script run outside the REPL
	}
	key := r.Command + "\x00" + r.Activity + "\x00" + fmt.Sprint(r.Total)
	if p.bar == nil || key != p.key {
		p.closeBar()
		p.newBar(r)
		p.key = key
	}
	if !p.gate.open && now.Sub(p.start) >= p.delay {
		p.gate.open = true
		_ = p.bar.RenderBlank()
	}
	_ = p.bar.Set64(r.Done)
	if r.Total >= 0 && r.Done >= r.Total {
		p.closeBar()
	}
}

// newBar starts a bar for a report. The bar is created at the first
// report, so that its rate and time left count from there, but writes
// through a gate that stays shut until the delay has passed.
func (p *Progress) newBar(r engine.Progress) {
	p.gate = &gate{w: p.w}
	desc := r.Activity
	if desc == "" {
		desc = r.Command
	}
	width := p.width()
	// Leave room for the counts, the rate and the times.
	room := width - 55
	if room < 10 {
		room = 10
	}
	if len(desc) > room {
		desc = desc[:room-1] + "…"
	}
	barWidth := width - len(desc) - 55
	if barWidth > 40 {
		barWidth = 40
	}
	if barWidth < 10 {
		barWidth = 10
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(p.gate),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWidth(barWidth),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("obj"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionUseANSICodes(true),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionSetSpinnerChangeInterval(0), // no redraw goroutine
		progressbar.OptionSetTheme(progressbar.Theme{Saucer: "=", SaucerHead: ">", SaucerPadding: " ", BarStart: "[", BarEnd: "]"}),
	}
	total := r.Total
	if total < 0 {
		total = -1
		opts = append(opts, progressbar.OptionSetElapsedTime(true))
	}
	p.bar = progressbar.NewOptions64(total, opts...)
}

// closeBar removes the bar from the screen.
func (p *Progress) closeBar() {
	if p.bar == nil {
		return
	}
	if p.gate.open && p.gate.drawn {
		_ = p.bar.Clear()
	}
	_ = p.bar.Exit()
	p.bar, p.gate, p.key = nil, nil, ""
}

// Clear erases the bar before other output; it is redrawn by the next
// report.
func (p *Progress) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil && p.gate.open && p.gate.drawn {
		_ = p.bar.Clear()
		p.gate.drawn = false
	}
}

// Wrap returns a writer that erases the bar before writing to w, so that
// output and error lines start on a clean line.
func (p *Progress) Wrap(w io.Writer) io.Writer {
	if !p.draw {
		return w
	}
	return &clearingWriter{p: p, w: w}
}

type clearingWriter struct {
	p *Progress
	w io.Writer
}

func (c *clearingWriter) Write(b []byte) (int, error) {
	c.p.Clear()
	return c.w.Write(b)
}

// gate passes writes once open.
type gate struct {
	w     io.Writer
	open  bool
	drawn bool
}

func (g *gate) Write(b []byte) (int, error) {
	if !g.open {
		return len(b), nil
	}
	g.drawn = true
	return g.w.Write(b)
}

// StoppedMessage says how far an interrupted command got, from its last
// progress report: "Set-CsClientPin stopped after 4213 of 10000
// (Setting client PINs)."
func StoppedMessage(r engine.Progress) string {
	var sb strings.Builder
	if r.Command != "" {
		sb.WriteString(r.Command + " stopped after ")
	} else {
		sb.WriteString("Stopped after ")
	}
	fmt.Fprintf(&sb, "%d", r.Done)
	if r.Total >= 0 {
		fmt.Fprintf(&sb, " of %d", r.Total)
	}
	if r.Activity != "" {
		sb.WriteString(" (" + r.Activity + ")")
	}
	sb.WriteString(".")
	return sb.String()
}
