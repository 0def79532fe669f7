package builtin

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"pinsh/host/cmdlet"
	"pinsh/host/format"
	"pinsh/host/object"
)

// delimiter reads a -Delimiter argument: one character, ',' by default.
func delimiter(args *cmdlet.Args) (rune, error) {
	if !args.Has("Delimiter") {
		return ',', nil
	}
	s := args.String("Delimiter")
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || size != len(s) || r == '"' || r == '\n' || r == '\r' {
		return 0, &cmdlet.BindError{Command: args.Info().Name, Param: "Delimiter",
			Msg: fmt.Sprintf("Cannot bind parameter 'Delimiter'. Cannot convert value \"%s\" to type \"System.Char\". Error: \"String must be exactly one character long.\"", s)}
	}
	return r, nil
}

func csvWriteParams(input cmdlet.Param, extra ...cmdlet.Param) []cmdlet.Param {
	ps := []cmdlet.Param{input}
	ps = append(ps, extra...)
	return append(ps,
		param("Delimiter", object.KindString, "The character between values; a comma by default."),
		param("NoTypeInformation", object.KindSwitch, "Accepted for compatibility: no #TYPE line is ever written.", aliases("NTI")),
	)
}

func exportCsvInfo(o *Options) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Export-Csv",
		Aliases:  []string{"epcsv"},
		Synopsis: "Converts objects into CSV lines and saves them in a file.",
		Description: "Export-Csv writes a header of the first object's property names and one line per " +
			"object, every value quoted, in UTF-8, as PowerShell 7 does (no #TYPE line). With -Append the " +
			"lines are added to an existing file and follow its header's columns.",
		Params: csvWriteParams(inputObject("The objects to export, usually from the pipeline."),
			param("Path", object.KindString, "The CSV file to write.", pos(0), mandatory, aliases("FilePath", "LiteralPath")),
			param("Append", object.KindSwitch, "Adds to the end of the file, following its existing header."),
			param("NoClobber", object.KindSwitch, "Fails instead of replacing an existing file.", aliases("NoOverwrite")),
			param("Force", object.KindSwitch, "Accepted for compatibility."),
			param("Encoding", object.KindString, "Accepted for compatibility; files are written in UTF-8.",
				values("utf8", "utf8NoBOM", "utf8BOM", "ascii", "default", "oem")),
		),
		Examples: []cmdlet.Example{
			{Code: "Get-CsUser | Get-CsClientPinInfo | Export-Csv -Path pins.csv -NoTypeInformation",
				Remark: "Saves the PIN state of every user as CSV."},
		},
		New: func() cmdlet.Command { return &exportCsv{opts: o} },
	}
}

type exportCsv struct {
	opts *Options
	file *os.File
	w    *bufio.Writer
	csv  *format.CSVWriter
}

func (c *exportCsv) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error {
	delim, err := delimiter(args)
	if err != nil {
		return err
	}
	path := args.String("Path")
	appendTo := args.Bool("Append")
	var names []string
	header := true
	if appendTo {
		// Follow the columns of the existing file, if it has a header.
		if f, err := os.Open(c.opts.path(path)); err == nil {
			h, herr := format.NewCSVReader(f, delim, nil).Header()
			f.Close()
			if herr == nil {
				names, header = h, false
			}
		}
	}
	if c.file, err = openOutput(c.opts, path, appendTo, args.Bool("NoClobber")); err != nil {
		return err
	}
	c.w = bufio.NewWriter(c.file)
	c.csv = format.NewCSVWriter(delim, header, names, func(line string) error {
		c.w.WriteString(line)
		return c.w.WriteByte('\n')
	})
	return nil
}

func (c *exportCsv) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	in, ok := input(args)
	if !ok || in == nil {
		return nil
	}
	return c.csv.Write(in)
}

func (c *exportCsv) End(rt cmdlet.Runtime, args *cmdlet.Args) error {
	err := c.w.Flush()
	if cerr := c.file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return cmdlet.NewError(writeErrorCategory, "FileWriteFailure", c.file.Name(), err)
	}
	return nil
}

func convertToCsvInfo() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "ConvertTo-Csv",
		Synopsis: "Converts objects into CSV strings.",
		Description: "ConvertTo-Csv writes a header line of the first object's property names and one " +
			"line per object, every value quoted, as PowerShell 7 does (no #TYPE line).",
		Params: csvWriteParams(inputObject("The objects to convert, usually from the pipeline.", pos(0))),
		Examples: []cmdlet.Example{
			{Code: "Get-CsClientPinInfo -Identity 'Ken Myer' | ConvertTo-Csv",
				Remark: `"Identity","IsPinSet",... followed by the values.`},
		},
		New: func() cmdlet.Command { return &convertToCsv{} },
	}
}

type convertToCsv struct {
	csv  *format.CSVWriter
	sink lineSink
}

func (c *convertToCsv) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error {
	delim, err := delimiter(args)
	if err != nil {
		return err
	}
	c.csv = format.NewCSVWriter(delim, true, nil, c.sink.emit)
	return nil
}

func (c *convertToCsv) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	in, ok := input(args)
	if !ok || in == nil {
		return nil
	}
	c.sink.rt = rt
	return object.Enumerate(in, c.csv.Write)
}

func (c *convertToCsv) End(rt cmdlet.Runtime, args *cmdlet.Args) error { return nil }

func importCsvInfo(o *Options) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Import-Csv",
		Aliases:  []string{"ipcsv"},
		Synopsis: "Creates objects from the lines of a CSV file.",
		Description: "Import-Csv reads a CSV file whose first line names the columns (or uses -Header) " +
			"and writes one object per line, with string values. Lines starting with # before the header " +
			"(#TYPE) and blank lines are skipped. The file is read as it is written down the pipeline, so " +
			"memory stays flat.",
		Params: []cmdlet.Param{
			param("Path", object.KindStringList, "The CSV files to read.", pos(0), mandatory, fromPipeline, byName,
				aliases("FilePath", "LiteralPath", "PSPath")),
			param("Delimiter", object.KindString, "The character between values; a comma by default.", pos(1)),
			param("Header", object.KindStringList, "Column names to use; the first line is then data."),
			param("Encoding", object.KindString, "Accepted for compatibility; files are read as UTF-8.",
				values("utf8", "utf8NoBOM", "utf8BOM", "ascii", "default", "oem")),
		},
		Examples: []cmdlet.Example{
			{Code: "Import-Csv users.csv | ForEach-Object { Set-CsClientPin -Identity $_.Identity -Pin $_.Pin }",
				Remark: "Sets PINs from a file with Identity and Pin columns."},
		},
		New: func() cmdlet.Command { return &importCsv{opts: o} },
	}
}

type importCsv struct{ opts *Options }

func (c *importCsv) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error { return nil }

func (c *importCsv) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	delim, err := delimiter(args)
	if err != nil {
		return err
	}
	var header []string
	if args.Has("Header") {
		header = strs(args, "Header")
		if header == nil {
			header = []string{}
		}
	}
	for _, p := range strs(args, "Path") {
		if err := c.read(rt, p, delim, header); err != nil {
			return err
		}
	}
	return nil
}

func (c *importCsv) read(rt cmdlet.Runtime, path string, delim rune, header []string) error {
	full := c.opts.path(path)
	f, err := os.Open(full)
	if err != nil {
		cat := readError
		msg := err.Error()
		if errors.Is(err, os.ErrNotExist) {
			cat, msg = cmdlet.ObjectNotFound, fmt.Sprintf("Could not find file '%s'.", full)
		}
		return rt.WriteError(cmdlet.NewError(cat, "FileOpenFailure", path, errors.New(msg)))
	}
	defer f.Close()
	r := format.NewCSVReader(bufio.NewReader(skipBOM(f)), delim, header)
	for {
		o, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return cmdlet.NewError(cmdlet.InvalidData, "ImportCsvFailure", path, fmt.Errorf("%s: %w", path, err))
		}
		if err := rt.WriteObject(o); err != nil {
			return err
		}
	}
}

// skipBOM drops a UTF-8 byte order mark at the start of r.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	return br
}

func (c *importCsv) End(rt cmdlet.Runtime, args *cmdlet.Args) error { return nil }

func convertToJSONInfo() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "ConvertTo-Json",
		Synopsis: "Converts objects to JSON text.",
		Description: "ConvertTo-Json collects its input and writes one JSON string: the object itself when " +
			"there is one, an array otherwise (or always with -AsArray). Properties keep their order, " +
			"indentation is two spaces (none with -Compress), and a DateTime is an ISO 8601 string. Values " +
			"nested deeper than -Depth (2 by default) are written as their text form, with a warning.",
		Params: []cmdlet.Param{
			inputObject("The objects to convert, usually from the pipeline.", pos(0)),
			param("Depth", object.KindInt, "How many levels of nested objects to write (default 2)."),
			param("Compress", object.KindSwitch, "Omits white space and line breaks."),
			param("AsArray", object.KindSwitch, "Writes an array even for a single object."),
			param("EnumsAsStrings", object.KindSwitch, "Accepted for compatibility."),
		},
		Examples: []cmdlet.Example{
			{Code: "Get-CsClientPinInfo -Identity 'Ken Myer' | ConvertTo-Json",
				Remark: "The PIN information as a JSON object."},
			{Code: "Get-CsUser | Select-Object DisplayName, SipAddress | ConvertTo-Json -Compress",
				Remark: "A one-line JSON array."},
		},
		New: func() cmdlet.Command { return &convertToJSON{} },
	}
}

type convertToJSON struct{ items []object.Value }

func (c *convertToJSON) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error {
	if n, ok := args.Int("Depth"); ok && (n < 0 || n > 100) {
		return cmdlet.NewError(cmdlet.InvalidArgument, "ParameterArgumentValidationError", n,
			fmt.Errorf("Cannot validate argument on parameter 'Depth'. The %d argument is outside the range 0 to 100.", n))
	}
	return nil
}

func (c *convertToJSON) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	if in, ok := input(args); ok {
		c.items = append(c.items, in)
	}
	return nil
}

func (c *convertToJSON) End(rt cmdlet.Runtime, args *cmdlet.Args) error {
	if len(c.items) == 0 {
		return nil
	}
	var v object.Value = c.items
	if len(c.items) == 1 && !args.Bool("AsArray") {
		v = c.items[0]
	}
	depth, ok := args.Int("Depth")
	if !ok {
		depth = format.DefaultJSONDepth
	}
	if depth == 0 {
		depth = -1 // keep only the top level
	}
	text, truncated := format.ToJSON(v, format.JSONOptions{Depth: int(depth), Compress: args.Bool("Compress")})
	if truncated {
		d, _ := args.Int("Depth")
		if !args.Has("Depth") {
			d = format.DefaultJSONDepth
		}
		rt.WriteWarning(fmt.Sprintf("Resulting JSON is truncated as serialization has exceeded the set depth of %d.", d))
	}
	return rt.WriteObject(text)
}

func convertFromJSONInfo() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "ConvertFrom-Json",
		Synopsis: "Converts JSON text to objects.",
		Description: "ConvertFrom-Json parses JSON: objects become PSCustomObjects (hashtables with " +
			"-AsHashtable) with their properties in order, numbers Int64 or Double, and a top-level array " +
			"is written element by element unless -NoEnumerate. Several input strings that are not each a " +
			"complete JSON text are joined with line breaks first, so the lines of a file can be piped in.",
		Params: []cmdlet.Param{
			param("InputObject", object.KindString, "The JSON text.", pos(0), mandatory, fromPipeline),
			param("AsHashtable", object.KindSwitch, "Converts JSON objects to hashtables."),
			param("NoEnumerate", object.KindSwitch, "Writes a top-level array as one object."),
			param("Depth", object.KindInt, "Accepted for compatibility; nesting up to 1024 levels is read."),
		},
		Examples: []cmdlet.Example{
			{Code: `'{"Identity":"sip:kenmyer@litwareinc.com","Pin":"24680"}' | ConvertFrom-Json`,
				Remark: "An object with Identity and Pin properties."},
		},
		New: func() cmdlet.Command { return &convertFromJSON{} },
	}
}

type convertFromJSON struct{ texts []string }

func (c *convertFromJSON) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error { return nil }

func (c *convertFromJSON) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	if in, ok := input(args); ok {
		c.texts = append(c.texts, object.ToString(in))
	}
	return nil
}

// End parses the collected text as PowerShell 7 does: one input string
// alone; several either each on its own when the first is complete JSON,
// or joined with line breaks.
func (c *convertFromJSON) End(rt cmdlet.Runtime, args *cmdlet.Args) error {
	asHash, noEnum := args.Bool("AsHashtable"), args.Bool("NoEnumerate")
	convert := func(text string) error {
		v, err := format.FromJSON(text, asHash)
		if err != nil {
			return cmdlet.NewError(cmdlet.InvalidArgument, "System.ArgumentException", text, err)
		}
		if noEnum {
			return rt.WriteObject(v)
		}
		return writeAll(rt, v)
	}
	switch len(c.texts) {
	case 0:
		return nil
	case 1:
		return convert(c.texts[0])
	}
	if _, err := format.FromJSON(c.texts[0], asHash); err == nil {
		for _, t := range c.texts {
			if err := convert(t); err != nil {
				return err
			}
		}
		return nil
	}
	return convert(strings.Join(c.texts, "\n"))
}
