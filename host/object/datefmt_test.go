package object

import (
	"testing"
	"time"
)

// TestFormatDate checks .NET date formats in the en-US culture, as
// Get-Date -Format and [datetime]::ToString use them.
func TestFormatDate(t *testing.T) {
	local := time.Date(2012, 9, 25, 13, 5, 3, 120000000, time.FixedZone("X", 2*3600))
	for _, tc := range []struct{ f, want string }{
		{"d", "9/25/2012"},
		{"D", "Tuesday, September 25, 2012"},
		{"f", "Tuesday, September 25, 2012 1:05 PM"},
		{"G", "9/25/2012 1:05:03 PM"},
		{"M", "September 25"},
		{"o", "2012-09-25T13:05:03.1200000+02:00"},
		{"r", "Tue, 25 Sep 2012 11:05:03 GMT"},
		{"s", "2012-09-25T13:05:03"},
		{"u", "2012-09-25 11:05:03Z"},
		{"T", "1:05:03 PM"},
		{"y", "September 2012"},
		{"yyyyMMdd", "20120925"},
		{"yy-M-d h:m:s t", "12-9-25 1:5:3 P"},
		{"dddd dd MMM", "Tuesday 25 Sep"},
		{"HH:mm:ss.fff", "13:05:03.120"},
		{"ss.FFFF", "03.12"},
		{"ss.FFFF", "03.12"},
		{"zzz z zz K", "+02:00 +2 +02 +02:00"},
		{`'Today is' dddd \d`, "Today is Tuesday d"},
		{"%d", "25"},
		{"yyyyy g", "02012 A.D."},
	} {
		got, err := FormatDate(local, tc.f)
		if err != nil || got != tc.want {
			t.Errorf("FormatDate(%q) = %q, %v; want %q", tc.f, got, err, tc.want)
		}
	}
	zero := time.Date(2012, 9, 25, 13, 5, 3, 0, time.UTC)
	if got, _ := FormatDate(zero, "ss.FFF K"); got != "03 Z" {
		t.Errorf("F with zero fraction = %q", got)
	}
	for _, bad := range []string{"Q", "'open", "ffffffff"} {
		if _, err := FormatDate(local, bad); err == nil {
			t.Errorf("FormatDate(%q) did not fail", bad)
		}
	}
}

// TestFormatUnixDate checks Get-Date -UFormat's specifiers.
func TestFormatUnixDate(t *testing.T) {
	tm := time.Date(2012, 9, 5, 8, 7, 6, 0, time.FixedZone("X", -5*3600))
	for _, tc := range []struct{ f, want string }{
		{"%Y/%m/%d %H:%M:%S %j %A %%", "2012/09/05 08:07:06 249 Wednesday %"},
		{"%e|%k|%l|%I %p", " 5| 8| 8|08 AM"},
		{"%F %T %z %Z %u %w", "2012-09-05 08:07:06 -0500 -05 3 3"},
		{"%Q %", "%Q %"},
	} {
		if got := FormatUnixDate(tm, tc.f); got != tc.want {
			t.Errorf("FormatUnixDate(%q) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

// FuzzFormatDate checks that no format string makes FormatDate or
// FormatUnixDate panic.
func FuzzFormatDate(f *testing.F) {
	for _, s := range []string{"yyyy-MM-dd", "'x", `\`, "%", "FFFFFFF", "dddd, MMMM d", "%Y %Q %", "zzz K"} {
		f.Add(s)
	}
	tm := time.Date(2012, 9, 25, 13, 5, 3, 120000000, time.FixedZone("X", -5*3600))
	f.Fuzz(func(t *testing.T, s string) {
		FormatDate(tm, s)
		FormatUnixDate(tm, s)
	})
}
