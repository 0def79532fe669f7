package cmdlet

import "errors"

// ErrStopUpstream is returned from [Command.Process] by a command that
// needs no more input, as Select-Object -First does once it has written
// its N objects (PowerShell's StopUpstreamCommandsException). The engine
// then stops the upstream commands: they produce nothing more and their End
// does not run, nor does the requesting command's; the downstream commands
// finish normally, End included. It is not an error: nothing is reported.
//
// An upstream command sees it as the error [Runtime.WriteObject] returns
// and must return that error unchanged (or wrapped with %w), as it does any
// WriteObject error.
var ErrStopUpstream = errors.New("the command needs no more input")

// FunctionLister is implemented by a [Runtime] that can list the
// session's user-defined functions, so that Get-Command shows them next to
// the cmdlets. Each function is described by an Info whose Source is
// "function"; its New is nil.
type FunctionLister interface {
	Functions() []*Info
}
