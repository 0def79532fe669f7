package builtin

import (
	"errors"
	"io"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

func writeOutputInfo() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Write-Output",
		Aliases:  []string{"echo", "write"},
		Synopsis: "Writes objects to the pipeline.",
		Description: "Write-Output sends its arguments (several positional values are taken as a list) or " +
			"its pipeline input to the next command; collections are unrolled unless -NoEnumerate. At the " +
			"end of a pipeline the objects are shown on the screen.",
		Params: []cmdlet.Param{
			param("InputObject", object.KindAny, "The objects to write.", pos(0), fromPipeline, remaining),
			param("NoEnumerate", object.KindSwitch, "Writes a collection as one object."),
		},
		Examples: []cmdlet.Example{
			{Code: `Write-Output "PIN reset done"`, Remark: "Writes a string."},
			{Code: "Write-Output 1 2 3 | Measure-Object", Remark: "Count 3: the three values are written one by one."},
		},
		New: func() cmdlet.Command { return writeOutput{} },
	}
}

type writeOutput struct{}

func (writeOutput) Begin(cmdlet.Runtime, *cmdlet.Args) error { return nil }

func (writeOutput) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	v, ok := args.Get("InputObject")
	if !ok {
		return nil
	}
	if args.Bool("NoEnumerate") {
		return rt.WriteObject(v)
	}
	return writeAll(rt, v)
}

func (writeOutput) End(cmdlet.Runtime, *cmdlet.Args) error { return nil }

var consoleColors = []string{"Black", "DarkBlue", "DarkGreen", "DarkCyan", "DarkRed", "DarkMagenta",
	"DarkYellow", "Gray", "DarkGray", "Blue", "Green", "Cyan", "Red", "Magenta", "Yellow", "White"}

func writeHostInfo(o *Options) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Write-Host",
		Synopsis: "Writes text to the terminal.",
		Description: "Write-Host writes the text form of its arguments straight to the terminal, joined " +
			"by -Separator (a space), followed by a line break unless -NoNewline. Nothing goes down the " +
			"pipeline. Colours are accepted and ignored.",
		Params: []cmdlet.Param{
			param("Object", object.KindAny, "The values to write.", pos(0), fromPipeline, remaining),
			param("NoNewline", object.KindSwitch, "Does not end the output with a line break."),
			param("Separator", object.KindString, "The text between values; a space by default."),
			param("ForegroundColor", object.KindString, "Accepted for compatibility.", values(consoleColors...)),
			param("BackgroundColor", object.KindString, "Accepted for compatibility.", values(consoleColors...)),
		},
		Examples: []cmdlet.Example{
			{Code: `Write-Host "Resetting PINs..." -ForegroundColor Yellow`, Remark: "Shows a message on the terminal."},
		},
		New: func() cmdlet.Command { return &writeHost{w: o.stdout()} },
	}
}

type writeHost struct{ w io.Writer }

func (*writeHost) Begin(cmdlet.Runtime, *cmdlet.Args) error { return nil }

func (c *writeHost) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	sep := " "
	if args.Has("Separator") {
		sep = args.String("Separator")
	}
	var sb strings.Builder
	if v, ok := args.Get("Object"); ok {
		first := true
		object.Enumerate(v, func(e object.Value) error {
			if !first {
				sb.WriteString(sep)
			}
			first = false
			sb.WriteString(object.ToString(e))
			return nil
		})
	}
	if !args.Bool("NoNewline") {
		sb.WriteByte('\n')
	}
	_, err := io.WriteString(c.w, sb.String())
	return err
}

func (*writeHost) End(cmdlet.Runtime, *cmdlet.Args) error { return nil }

var errorCategories = []string{"NotSpecified", "OpenError", "CloseError", "DeviceError", "DeadlockDetected",
	"InvalidArgument", "InvalidData", "InvalidOperation", "InvalidResult", "InvalidType", "MetadataError",
	"NotImplemented", "NotInstalled", "ObjectNotFound", "OperationStopped", "OperationTimeout", "SyntaxError",
	"ParserError", "PermissionDenied", "ResourceBusy", "ResourceExists", "ResourceUnavailable", "ReadError",
	"WriteError", "FromStdErr", "SecurityError", "ProtocolError", "ConnectionError", "AuthenticationError",
	"LimitsExceeded", "QuotaExceeded", "NotEnabled"}

func writeErrorInfo() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Write-Error",
		Synopsis: "Writes a non-terminating error.",
		Description: "Write-Error reports an error the way a cmdlet does: it is shown on the error stream, " +
			"added to $Error and sets $? to False, and the script goes on unless -ErrorAction Stop (or " +
			"$ErrorActionPreference) turns it into a terminating error.",
		Params: []cmdlet.Param{
			param("Message", object.KindString, "The error message.", pos(0), mandatory, fromPipeline, aliases("Msg")),
			param("Category", object.KindString, "The error category; NotSpecified by default.", values(errorCategories...)),
			param("ErrorId", object.KindString, "An identifier for scripts to test."),
			param("TargetObject", object.KindAny, "The object the error is about."),
		},
		Examples: []cmdlet.Example{
			{Code: `Write-Error "No user matches the identity."`, Remark: "Reports an error and goes on."},
			{Code: `Write-Error "Stop here" -ErrorAction Stop`, Remark: "Reports an error and stops the script."},
		},
		New: func() cmdlet.Command { return writeError{} },
	}
}

type writeError struct{}

func (writeError) Begin(cmdlet.Runtime, *cmdlet.Args) error { return nil }

func (writeError) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	if !args.Has("Message") {
		return nil
	}
	cat := cmdlet.NotSpecified
	if args.Has("Category") {
		cat = cmdlet.Category(args.String("Category"))
	}
	id := "Microsoft.PowerShell.Commands.WriteErrorException"
	if args.Has("ErrorId") {
		id = args.String("ErrorId")
	}
	target, _ := args.Get("TargetObject")
	rec := cmdlet.NewError(cat, id, target, errors.New(args.String("Message")))
	rec.Command = "Write-Error"
	return rt.WriteError(rec)
}

func (writeError) End(cmdlet.Runtime, *cmdlet.Args) error { return nil }

func messageInfo(name, synopsis, desc, example, remark string, write func(rt cmdlet.Runtime, msg string)) *cmdlet.Info {
	return &cmdlet.Info{
		Name:        name,
		Synopsis:    synopsis,
		Description: desc,
		Params: []cmdlet.Param{
			param("Message", object.KindString, "The message.", pos(0), mandatory, fromPipeline, aliases("Msg")),
		},
		Examples: []cmdlet.Example{{Code: example, Remark: remark}},
		New:      func() cmdlet.Command { return messageCmd{write: write} },
	}
}

type messageCmd struct {
	write func(rt cmdlet.Runtime, msg string)
}

func (messageCmd) Begin(cmdlet.Runtime, *cmdlet.Args) error { return nil }

func (c messageCmd) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	if args.Has("Message") {
		c.write(rt, args.String("Message"))
	}
	return nil
}

func (messageCmd) End(cmdlet.Runtime, *cmdlet.Args) error { return nil }

func writeWarningInfo() *cmdlet.Info {
	return messageInfo("Write-Warning", "Writes a warning message.",
		"Write-Warning writes a message to the warning stream, shown as \"WARNING: message\" unless "+
			"-WarningAction or $WarningPreference hides it.",
		`Write-Warning "Ken Myer has no PIN."`, "Shows WARNING: Ken Myer has no PIN.",
		func(rt cmdlet.Runtime, msg string) { rt.WriteWarning(msg) })
}

func writeVerboseInfo() *cmdlet.Info {
	return messageInfo("Write-Verbose", "Writes a verbose message.",
		"Write-Verbose writes a message to the verbose stream, shown as \"VERBOSE: message\" only with "+
			"-Verbose or when $VerbosePreference is Continue.",
		`Write-Verbose "Checking the PIN policy" -Verbose`, "Shows VERBOSE: Checking the PIN policy.",
		func(rt cmdlet.Runtime, msg string) { rt.WriteVerbose(msg) })
}

func writeProgressInfo() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Write-Progress",
		Synopsis: "Shows a progress bar.",
		Description: "Write-Progress reports the progress of a long operation: an activity, a status and " +
			"a percentage. -Completed ends the activity. On a terminal the engine shows a progress line; " +
			"otherwise progress is not shown.",
		Params: []cmdlet.Param{
			param("Activity", object.KindString, "What is in progress.", pos(0)),
			param("Status", object.KindString, "The current state of the activity.", pos(1)),
			param("Id", object.KindInt, "Distinguishes separate progress bars.", pos(2)),
			param("PercentComplete", object.KindInt, "How much is done, from 0 to 100; -1 when unknown."),
			param("SecondsRemaining", object.KindInt, "Accepted for compatibility."),
			param("CurrentOperation", object.KindString, "The operation under way."),
			param("ParentId", object.KindInt, "Accepted for compatibility."),
			param("Completed", object.KindSwitch, "Ends the activity."),
		},
		Examples: []cmdlet.Example{
			{Code: `Write-Progress -Activity "Resetting PINs" -Status "42 of 100" -PercentComplete 42`,
				Remark: "Shows the progress of a bulk reset."},
		},
		New: func() cmdlet.Command { return writeProgress{} },
	}
}

type writeProgress struct{}

func (writeProgress) Begin(cmdlet.Runtime, *cmdlet.Args) error { return nil }

func (writeProgress) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	label := args.String("Activity")
	if s := args.String("Status"); s != "" {
		label += ": " + s
	}
	if s := args.String("CurrentOperation"); s != "" {
		label += " - " + s
	}
	switch pct, ok := args.Int("PercentComplete"); {
	case args.Bool("Completed"):
		rt.WriteProgress(label, 100, 100)
	case ok && pct >= 0:
		if pct > 100 {
			pct = 100
		}
		rt.WriteProgress(label, pct, 100)
	default:
		rt.WriteProgress(label, 0, -1)
	}
	return nil
}

func (writeProgress) End(cmdlet.Runtime, *cmdlet.Args) error { return nil }
