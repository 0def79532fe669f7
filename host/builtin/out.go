package builtin

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/format"
	"pinsh/host/object"
)

func formatTableInfo(o *Options) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Format-Table",
		Aliases:  []string{"ft"},
		Synopsis: "Formats the output as a table.",
		Description: "Format-Table shows objects as a table: a header of property names, a dashed " +
			"underline and one row per object, columns sized to their content (from the first rows, or " +
			"from all rows with -AutoSize) and cut with … when the line is too long. -Property chooses the " +
			"columns: names, wildcards, script blocks or @{Label=...; Expression=...; Width=...; " +
			"Alignment=...}. Its output is text lines, so it belongs at the end of a pipeline.",
		Params: []cmdlet.Param{
			inputObject("The objects to format, usually from the pipeline."),
			param("Property", object.KindList, "The columns: property names, wildcards, script blocks or calculated properties.", pos(0)),
			param("AutoSize", object.KindSwitch, "Sizes the columns from all of the objects, not the first ones."),
			param("HideTableHeaders", object.KindSwitch, "Omits the column headers."),
			param("Wrap", object.KindSwitch, "Accepted for compatibility; long values are cut."),
		},
		Examples: []cmdlet.Example{
			{Code: "Get-CsUser | Format-Table DisplayName, SipAddress, Enabled -AutoSize",
				Remark: "Three columns sized to the data."},
			{Code: "Get-CsClientPinInfo -Identity 'Ken Myer' | Format-Table",
				Remark: "Shows the PIN information as a table instead of its default list."},
		},
		New: func() cmdlet.Command { return &formatCmd{kind: format.Table, opts: o} },
	}
}

func formatListInfo(o *Options) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Format-List",
		Aliases:  []string{"fl"},
		Synopsis: "Formats the output as a list of properties, each on its own line.",
		Description: "Format-List shows each object as lines of `Name : value`, names padded to the " +
			"longest, with a blank line between objects. -Property chooses the properties (use * for all); " +
			"without it, the type's declared view or all properties are shown. Its output is text lines.",
		Params: []cmdlet.Param{
			inputObject("The objects to format, usually from the pipeline."),
			param("Property", object.KindList, "The properties to show: names, wildcards (* for all), script blocks or calculated properties.", pos(0)),
		},
		Examples: []cmdlet.Example{
			{Code: "Get-CsUser -Identity 'Ken Myer' | Format-List *",
				Remark: "Every property of the user."},
			{Code: "Get-CsAdminRole | Format-List Identity, Cmdlets",
				Remark: "Each role's name and cmdlets."},
		},
		New: func() cmdlet.Command { return &formatCmd{kind: format.List, opts: o} },
	}
}

// formatCmd is Format-Table and Format-List: the formatter of host/format
// with its lines written to the pipeline as strings.
type formatCmd struct {
	kind  format.ViewKind
	opts  *Options
	props []propExpr
	cfg   format.Config
	f     *format.Formatter
	sink  lineSink
}

func (c *formatCmd) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error {
	keys := keyName | keyExpression | keyFormatString
	if c.kind == format.Table {
		keys |= keyWidth | keyAlignment
	}
	props, err := parseProps(list(args, "Property"), keys)
	if err != nil {
		return cmdlet.NewError(cmdlet.InvalidArgument, "InvalidCalculatedProperty", nil, err)
	}
	c.props = props
	c.cfg = format.Config{Kind: c.kind, Width: c.opts.width(), AutoSize: args.Bool("AutoSize"),
		HideTableHeaders: args.Bool("HideTableHeaders")}
	return nil
}

// columns turns -Property into formatter columns, resolving wildcards and
// the spelling of property names against the first object.
func columns(props []propExpr, sample object.Value) []format.Column {
	props = expand(props, sample)
	cols := make([]format.Column, 0, len(props))
	for i := range props {
		p := &props[i]
		c := format.Column{Label: p.label, Width: p.width, Align: p.align}
		if !p.calc && p.get != nil {
			c.Label = p.get.ResolvedName(sample)
		} else {
			c.Value = p.eval
		}
		cols = append(cols, c)
	}
	return cols
}

func (c *formatCmd) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	in, ok := input(args)
	if !ok {
		return nil
	}
	if c.f == nil {
		if len(c.props) > 0 {
			c.cfg.Columns = columns(c.props, in)
		}
		c.f = format.New(c.cfg, c.sink.emit)
	}
	c.sink.rt = rt
	return c.f.Write(in)
}

func (c *formatCmd) End(rt cmdlet.Runtime, args *cmdlet.Args) error {
	if c.f == nil {
		return nil
	}
	c.sink.rt = rt
	return c.f.Close()
}

func outStringInfo(o *Options) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Out-String",
		Synopsis: "Converts objects into a string, formatted as they would show on screen.",
		Description: "Out-String formats its input as Out-Default would show it and writes the text as " +
			"one string (ending with a line break), or line by line with -Stream.",
		Params: []cmdlet.Param{
			inputObject("The objects to convert, usually from the pipeline."),
			param("Stream", object.KindSwitch, "Writes each line as a separate string."),
			param("Width", object.KindInt, "The line width tables are fitted to."),
		},
		Examples: []cmdlet.Example{
			{Code: "$text = Get-CsClientPinInfo -Identity 'Ken Myer' | Out-String",
				Remark: "Keeps the formatted PIN information in a variable."},
		},
		New: func() cmdlet.Command { return &outString{opts: o} },
	}
}

type outString struct {
	opts   *Options
	stream bool
	f      *format.Formatter
	sink   lineSink
	sb     strings.Builder
	any    bool
}

func (c *outString) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error {
	c.stream = args.Bool("Stream")
	w := c.opts.width()
	if n, ok := args.Int("Width"); ok {
		w = int(n)
	}
	emit := c.sink.emit
	if !c.stream {
		emit = func(line string) error {
			c.sb.WriteString(line)
			c.sb.WriteByte('\n')
			c.any = true
			return nil
		}
	}
	c.f = format.New(format.Config{Width: w}, emit)
	return nil
}

func (c *outString) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	in, ok := input(args)
	if !ok {
		return nil
	}
	c.sink.rt = rt
	return c.f.Write(in)
}

func (c *outString) End(rt cmdlet.Runtime, args *cmdlet.Args) error {
	c.sink.rt = rt
	if err := c.f.Close(); err != nil {
		return err
	}
	if !c.stream && c.any {
		return rt.WriteObject(c.sb.String())
	}
	return nil
}

func outFileInfo(o *Options) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Out-File",
		Synopsis: "Sends formatted output to a file.",
		Description: "Out-File writes its input to a file as it would show on screen (tables and lists " +
			"formatted, one line per string), in UTF-8. The file is created or replaced unless -Append.",
		Params: []cmdlet.Param{
			inputObject("The objects to write, usually from the pipeline."),
			param("FilePath", object.KindString, "The file to write.", pos(0), mandatory, aliases("Path")),
			param("Encoding", object.KindString, "The text encoding: utf8 (the default, without a byte order mark), utf8BOM or ascii.",
				pos(1), values("utf8", "utf8NoBOM", "utf8BOM", "ascii", "default", "oem")),
			param("Append", object.KindSwitch, "Adds to the end of the file instead of replacing it."),
			param("NoClobber", object.KindSwitch, "Fails instead of replacing an existing file.", aliases("NoOverwrite")),
			param("Force", object.KindSwitch, "Accepted for compatibility."),
			param("NoNewline", object.KindSwitch, "Writes no line breaks: the text of the objects is concatenated."),
			param("Width", object.KindInt, "The line width tables are fitted to."),
		},
		Examples: []cmdlet.Example{
			{Code: "Get-CsUser | Get-CsClientPinInfo | Out-File -FilePath pins.txt",
				Remark: "Saves the PIN report to pins.txt."},
		},
		New: func() cmdlet.Command { return &outFile{opts: o} },
	}
}

type outFile struct {
	opts  *Options
	file  *os.File
	w     *bufio.Writer
	f     *format.Formatter
	ascii bool
}

// openOutput opens a file for Out-File and Export-Csv.
func openOutput(opts *Options, path string, appendTo, noClobber bool) (*os.File, error) {
	full := opts.path(path)
	flags := os.O_WRONLY | os.O_CREATE
	switch {
	case appendTo:
		flags |= os.O_APPEND
	case noClobber:
		flags |= os.O_EXCL
	default:
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(full, flags, 0o644)
	if err != nil {
		var cat = openError
		msg := err.Error()
		switch {
		case errors.Is(err, os.ErrExist):
			msg = fmt.Sprintf("The file '%s' already exists.", full)
			cat = cmdlet.ResourceExists
		case errors.Is(err, os.ErrNotExist):
			msg = fmt.Sprintf("Could not find a part of the path '%s'.", full)
			cat = cmdlet.ObjectNotFound
		case errors.Is(err, os.ErrPermission):
			msg = fmt.Sprintf("Access to the path '%s' is denied.", full)
			cat = cmdlet.PermissionDenied
		}
		return nil, cmdlet.NewError(cat, "FileOpenFailure", path, errors.New(msg))
	}
	return f, nil
}

func (c *outFile) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error {
	file, err := openOutput(c.opts, args.String("FilePath"), args.Bool("Append"), args.Bool("NoClobber"))
	if err != nil {
		return err
	}
	c.file = file
	c.w = bufio.NewWriter(file)
	enc := strings.ToLower(args.String("Encoding"))
	c.ascii = enc == "ascii"
	if enc == "utf8bom" && !args.Bool("Append") {
		c.w.WriteString("\ufeff")
	}
	width := c.opts.width()
	if n, ok := args.Int("Width"); ok {
		width = int(n)
	}
	noNewline := args.Bool("NoNewline")
	c.f = format.New(format.Config{Width: width}, func(line string) error {
		if c.ascii {
			line = toASCII(line)
		}
		if _, err := c.w.WriteString(line); err != nil {
			return err
		}
		if !noNewline {
			return c.w.WriteByte('\n')
		}
		return nil
	})
	return nil
}

// toASCII replaces characters outside ASCII with '?', as .NET's ASCII
// encoding does.
func toASCII(s string) string {
	if isASCII(s) {
		return s
	}
	var sb strings.Builder
	for _, r := range s {
		if r >= 0x80 {
			r = '?'
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

func (c *outFile) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	in, ok := input(args)
	if !ok {
		return nil
	}
	return c.f.Write(in)
}

func (c *outFile) End(rt cmdlet.Runtime, args *cmdlet.Args) error {
	err := c.f.Close()
	if ferr := c.w.Flush(); err == nil {
		err = ferr
	}
	if cerr := c.file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return cmdlet.NewError(writeErrorCategory, "FileWriteFailure", c.file.Name(), err)
	}
	return nil
}

func outNullInfo() *cmdlet.Info {
	return &cmdlet.Info{
		Name:        "Out-Null",
		Synopsis:    "Hides the output instead of sending it down the pipeline or displaying it.",
		Description: "Out-Null discards its input. Errors are still shown.",
		Params:      []cmdlet.Param{inputObject("The objects to discard.")},
		Examples: []cmdlet.Example{
			{Code: "Get-CsUser | Out-Null", Remark: "Runs Get-CsUser without showing its output."},
		},
		New: func() cmdlet.Command { return outNull{} },
	}
}

type outNull struct{}

func (outNull) Begin(cmdlet.Runtime, *cmdlet.Args) error   { return nil }
func (outNull) Process(cmdlet.Runtime, *cmdlet.Args) error { return nil }
func (outNull) End(cmdlet.Runtime, *cmdlet.Args) error     { return nil }

func outHostInfo(o *Options) *cmdlet.Info {
	return &cmdlet.Info{
		Name:        "Out-Host",
		Aliases:     []string{"oh"},
		Synopsis:    "Sends output to the terminal.",
		Description: "Out-Host formats its input as Out-Default does and writes it straight to the terminal, so nothing goes further down the pipeline.",
		Params: []cmdlet.Param{
			inputObject("The objects to show."),
			param("Paging", object.KindSwitch, "Accepted for compatibility; output is not paged."),
		},
		Examples: []cmdlet.Example{
			{Code: "Get-CsUser | Out-Host", Remark: "Shows the users on the terminal."},
		},
		New: func() cmdlet.Command { return &outHost{opts: o} },
	}
}

type outHost struct {
	opts *Options
	sink format.Sink
}

func (c *outHost) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error {
	c.sink = format.NewOutDefault(c.opts.stdout(), c.opts.width())
	return nil
}

func (c *outHost) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	in, ok := input(args)
	if !ok {
		return nil
	}
	return c.sink.Write(in)
}

func (c *outHost) End(rt cmdlet.Runtime, args *cmdlet.Args) error { return c.sink.Close() }

// PowerShell's categories for file errors.
const (
	openError          cmdlet.Category = "OpenError"
	writeErrorCategory cmdlet.Category = "WriteError"
	readError          cmdlet.Category = "ReadError"
)
