package builtin

import (
	"errors"
	"fmt"
	"time"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

func getDateInfo(o *Options) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Get-Date",
		Synopsis: "Gets the current date and time, or a date you describe.",
		Description: "Get-Date writes a DateTime: now, or -Date, with any of -Year, -Month, -Day, -Hour, " +
			"-Minute, -Second and -Millisecond replaced. -Format writes a string instead, using .NET format " +
			"strings: standard ones such as d, D, g, G, o, s, u, or custom patterns built from yyyy, MM, dd, " +
			"HH, hh, mm, ss, fff, tt, ddd, MMM, zzz and quoted literals. -UFormat uses Unix-style %Y-%m-%d " +
			"specifiers.",
		Params: []cmdlet.Param{
			param("Date", object.KindDateTime, "The date to start from; now by default.", pos(0), fromPipeline, byName,
				aliases("LastWriteTime")),
			param("Year", object.KindInt, "Replaces the year."),
			param("Month", object.KindInt, "Replaces the month (1 to 12)."),
			param("Day", object.KindInt, "Replaces the day of the month (1 to 31)."),
			param("Hour", object.KindInt, "Replaces the hour (0 to 23)."),
			param("Minute", object.KindInt, "Replaces the minute (0 to 59)."),
			param("Second", object.KindInt, "Replaces the second (0 to 59)."),
			param("Millisecond", object.KindInt, "Replaces the millisecond (0 to 999)."),
			param("Format", object.KindString, "A .NET date format string; the result is a string.", sets("DateAndFormat")),
			param("UFormat", object.KindString, "A Unix-style format string such as %Y-%m-%d; the result is a string.", sets("DateAndUFormat")),
			param("AsUTC", object.KindSwitch, "Converts the date to UTC."),
		},
		DefaultSet: "DateAndFormat",
		OutputType: "System.DateTime",
		Examples: []cmdlet.Example{
			{Code: "Get-CsUser | Get-CsClientPinInfo | Where-Object {$_.PinExpirationTime -lt (Get-Date)} | Lock-CsClientPin",
				Remark: "Locks the PINs that have expired."},
			{Code: `Get-Date -Format "yyyy-MM-dd HH:mm:ss"`, Remark: "The current time as 2012-09-25 13:35:03."},
			{Code: "Get-Date -Date '9/25/2012' -Format D", Remark: "Tuesday, September 25, 2012."},
		},
		New: func() cmdlet.Command { return &getDate{opts: o} },
	}
}

type getDate struct{ opts *Options }

func (*getDate) Begin(cmdlet.Runtime, *cmdlet.Args) error { return nil }

func (c *getDate) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	t := c.opts.now()
	if v, ok := args.Get("Date"); ok && v != nil {
		t = v.(time.Time)
	}
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	ns := t.Nanosecond()
	for _, f := range []struct {
		name     string
		dst      *int
		min, max int
	}{{"Year", &y, 1, 9999}, {"Hour", &h, 0, 23}, {"Minute", &mi, 0, 59}, {"Second", &s, 0, 59}} {
		if n, ok := args.Int(f.name); ok {
			if n < int64(f.min) || n > int64(f.max) {
				return rangeError(f.name, n, f.min, f.max)
			}
			*f.dst = int(n)
		}
	}
	if n, ok := args.Int("Month"); ok {
		if n < 1 || n > 12 {
			return rangeError("Month", n, 1, 12)
		}
		mo = time.Month(n)
	}
	if n, ok := args.Int("Day"); ok {
		if n < 1 || n > 31 {
			return rangeError("Day", n, 1, 31)
		}
		d = int(n)
	}
	if n, ok := args.Int("Millisecond"); ok {
		if n < 0 || n > 999 {
			return rangeError("Millisecond", n, 0, 999)
		}
		ns = int(n) * 1e6
	}
	nt := time.Date(y, mo, d, h, mi, s, ns, t.Location())
	if nt.Day() != d {
		return cmdlet.NewError(cmdlet.InvalidArgument, "DateOutOfRange", nil,
			errors.New("Year, Month, and Day parameters describe an un-representable DateTime."))
	}
	if args.Bool("AsUTC") {
		nt = nt.UTC()
	}
	switch {
	case args.Has("Format"):
		s, err := object.FormatDate(nt, args.String("Format"))
		if err != nil {
			return cmdlet.NewError(cmdlet.InvalidArgument, "FormatException", args.String("Format"), err)
		}
		return rt.WriteObject(s)
	case args.Has("UFormat"):
		return rt.WriteObject(object.FormatUnixDate(nt, args.String("UFormat")))
	}
	return rt.WriteObject(nt)
}

func rangeError(name string, n int64, min, max int) error {
	return cmdlet.NewError(cmdlet.InvalidArgument, "ParameterArgumentValidationError", n,
		fmt.Errorf("Cannot validate argument on parameter '%s'. The %d argument is outside the range %d to %d.", name, n, min, max))
}

func (*getDate) End(cmdlet.Runtime, *cmdlet.Args) error { return nil }
