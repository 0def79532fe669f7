package object

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// standardFormats are .NET's one-letter date formats for en-US.
var standardFormats = map[byte]string{
	'd': "M/d/yyyy",
	'D': "dddd, MMMM d, yyyy",
	'f': "dddd, MMMM d, yyyy h:mm tt",
	'F': "dddd, MMMM d, yyyy h:mm:ss tt",
	'g': "M/d/yyyy h:mm tt",
	'G': "M/d/yyyy h:mm:ss tt",
	'm': "MMMM d",
	'M': "MMMM d",
	'o': "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
	'O': "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
	'r': "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
	'R': "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
	's': "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
	't': "h:mm tt",
	'T': "h:mm:ss tt",
	'u': "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
	'U': "dddd, MMMM d, yyyy h:mm:ss tt",
	'y': "MMMM yyyy",
	'Y': "MMMM yyyy",
}

// FormatDate formats t with a .NET date format string in the en-US
// culture, as Get-Date -Format and [datetime]::ToString do: a one-letter
// standard format, or a custom pattern.
func FormatDate(t time.Time, f string) (string, error) {
	if f == "" {
		return t.Format(DateLayout), nil
	}
	if len(f) == 1 {
		p, ok := standardFormats[f[0]]
		if !ok {
			return "", fmt.Errorf("Input string was not in a correct format: %q is not a standard date format.", f)
		}
		switch f[0] {
		case 'r', 'R', 'u', 'U':
			t = t.UTC()
		}
		f = p
	}
	var sb strings.Builder
	for i := 0; i < len(f); {
		c := f[i]
		n := 1
		for i+n < len(f) && f[i+n] == c {
			n++
		}
		switch c {
		case '\'', '"':
			j := i + 1
			for j < len(f) && f[j] != c {
				if f[j] == '\\' && j+1 < len(f) {
					j++
				}
				sb.WriteByte(f[j])
				j++
			}
			if j >= len(f) {
				return "", fmt.Errorf("Input string was not in a correct format: the quote at %d in %q is not closed.", i, f)
			}
			i = j + 1
			continue
		case '\\':
			if i+1 < len(f) {
				sb.WriteByte(f[i+1])
			}
			i += 2
			continue
		case '%':
			i++
			continue
		}
		switch c {
		case 'd':
			switch n {
			case 1:
				sb.WriteString(strconv.Itoa(t.Day()))
			case 2:
				fmt.Fprintf(&sb, "%02d", t.Day())
			case 3:
				sb.WriteString(t.Weekday().String()[:3])
			default:
				sb.WriteString(t.Weekday().String())
			}
		case 'f', 'F':
			if n > 7 {
				return "", fmt.Errorf("Input string was not in a correct format: too many %c in %q.", c, f)
			}
			frac := fmt.Sprintf("%09d", t.Nanosecond())[:n]
			if c == 'F' {
				frac = strings.TrimRight(frac, "0")
				if frac == "" {
					s := sb.String()
					if strings.HasSuffix(s, ".") {
						sb.Reset()
						sb.WriteString(s[:len(s)-1])
					}
				}
			}
			sb.WriteString(frac)
		case 'g':
			sb.WriteString("A.D.")
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			pad(&sb, h, n)
		case 'H':
			pad(&sb, t.Hour(), n)
		case 'K':
			if t.Location() == time.UTC {
				sb.WriteString("Z")
			} else {
				sb.WriteString(t.Format("-07:00"))
			}
		case 'm':
			pad(&sb, t.Minute(), n)
		case 'M':
			switch n {
			case 1, 2:
				pad(&sb, int(t.Month()), n)
			case 3:
				sb.WriteString(t.Month().String()[:3])
			default:
				sb.WriteString(t.Month().String())
			}
		case 's':
			pad(&sb, t.Second(), n)
		case 't':
			ampm := "AM"
			if t.Hour() >= 12 {
				ampm = "PM"
			}
			if n == 1 {
				ampm = ampm[:1]
			}
			sb.WriteString(ampm)
		case 'y':
			switch n {
			case 1:
				sb.WriteString(strconv.Itoa(t.Year() % 100))
			case 2:
				fmt.Fprintf(&sb, "%02d", t.Year()%100)
			default:
				fmt.Fprintf(&sb, "%0*d", n, t.Year())
			}
		case 'z':
			_, off := t.Zone()
			sign := '+'
			if off < 0 {
				sign, off = '-', -off
			}
			switch n {
			case 1:
				fmt.Fprintf(&sb, "%c%d", sign, off/3600)
			case 2:
				fmt.Fprintf(&sb, "%c%02d", sign, off/3600)
			default:
				fmt.Fprintf(&sb, "%c%02d:%02d", sign, off/3600, off%3600/60)
			}
		case ':', '/':
			sb.WriteString(strings.Repeat(string(c), n))
		default:
			sb.WriteString(f[i : i+n])
		}
		i += n
	}
	return sb.String(), nil
}

// pad writes n as one digit or more (width 1) or as two digits (width 2
// or more), as .NET's h, H, m, s and M specifiers do.
func pad(sb *strings.Builder, v, width int) {
	if width >= 2 {
		fmt.Fprintf(sb, "%02d", v)
		return
	}
	sb.WriteString(strconv.Itoa(v))
}

// FormatUnixDate formats t with Get-Date -UFormat's Unix-style specifiers:
// %Y %y %C %m %d %e %j %H %I %k %l %M %S %p %A %a %B %b %h %u %w %s %Z %z
// %F %T %D %R %r %c %x %X %n %t %%. Unknown specifiers are kept as typed.
func FormatUnixDate(t time.Time, f string) string {
	var sb strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			sb.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			fmt.Fprintf(&sb, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&sb, "%02d", t.Year()%100)
		case 'C':
			fmt.Fprintf(&sb, "%02d", t.Year()/100)
		case 'm':
			fmt.Fprintf(&sb, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&sb, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&sb, "%2d", t.Day())
		case 'j':
			fmt.Fprintf(&sb, "%03d", t.YearDay())
		case 'H':
			fmt.Fprintf(&sb, "%02d", t.Hour())
		case 'k':
			fmt.Fprintf(&sb, "%2d", t.Hour())
		case 'I', 'l':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			if f[i] == 'I' {
				fmt.Fprintf(&sb, "%02d", h)
			} else {
				fmt.Fprintf(&sb, "%2d", h)
			}
		case 'M':
			fmt.Fprintf(&sb, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&sb, "%02d", t.Second())
		case 'p':
			sb.WriteString(t.Format("PM"))
		case 'A':
			sb.WriteString(t.Weekday().String())
		case 'a':
			sb.WriteString(t.Weekday().String()[:3])
		case 'B':
			sb.WriteString(t.Month().String())
		case 'b', 'h':
			sb.WriteString(t.Month().String()[:3])
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			sb.WriteString(strconv.Itoa(wd))
		case 'w':
			sb.WriteString(strconv.Itoa(int(t.Weekday())))
		case 's':
			sb.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'Z':
			sb.WriteString(t.Format("-07"))
		case 'z':
			sb.WriteString(t.Format("-0700"))
		case 'F':
			sb.WriteString(t.Format("2006-01-02"))
		case 'T', 'X':
			sb.WriteString(t.Format("15:04:05"))
		case 'D', 'x':
			sb.WriteString(t.Format("01/02/06"))
		case 'R':
			sb.WriteString(t.Format("15:04"))
		case 'r':
			sb.WriteString(t.Format("03:04:05 PM"))
		case 'c':
			sb.WriteString(t.Format("Mon Jan  2 15:04:05 2006"))
		case 'n':
			sb.WriteByte('\n')
		case 't':
			sb.WriteByte('\t')
		case '%':
			sb.WriteByte('%')
		default:
			sb.WriteByte('%')
			sb.WriteByte(f[i])
		}
	}
	return sb.String()
}
