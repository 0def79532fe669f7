package engine

import (
	"fmt"
	"time"

	"pinsh/host/object"
)

// timeSpanType is System.TimeSpan, what subtracting two dates gives
// ((Get-Date) - $info.LastPinChangeTime). It has PowerShell's properties and
// text form ([-][d.]hh:mm:ss[.fffffff]); five or more properties make it
// show as a list, as PowerShell shows a TimeSpan.
var timeSpanType = object.NewType("System.TimeSpan",
	object.P("Days", object.KindInt), object.P("Hours", object.KindInt),
	object.P("Minutes", object.KindInt), object.P("Seconds", object.KindInt),
	object.P("Milliseconds", object.KindInt), object.P("Ticks", object.KindInt),
	object.P("TotalDays", object.KindFloat), object.P("TotalHours", object.KindFloat),
	object.P("TotalMinutes", object.KindFloat), object.P("TotalSeconds", object.KindFloat),
	object.P("TotalMilliseconds", object.KindFloat),
).WithString(func(o *object.Object) string { return formatSpan(spanOf(o)) })

// newTimeSpan returns the TimeSpan object for d.
func newTimeSpan(d time.Duration) *object.Object {
	ticks := int64(d / 100)
	return object.New(timeSpanType,
		int64(d/(24*time.Hour)), int64(d/time.Hour%24), int64(d/time.Minute%60),
		int64(d/time.Second%60), int64(d/time.Millisecond%1000), ticks,
		d.Hours()/24, d.Hours(), d.Minutes(), d.Seconds(), float64(d)/float64(time.Millisecond))
}

// spanOf returns the duration of a TimeSpan object.
func spanOf(o *object.Object) time.Duration {
	ticks, _ := o.Value(5).(int64)
	return time.Duration(ticks) * 100
}

// asSpan reports whether v is a TimeSpan object, and its duration.
func asSpan(v object.Value) (time.Duration, bool) {
	if o, ok := v.(*object.Object); ok && o.Type() == timeSpanType {
		return spanOf(o), true
	}
	return 0, false
}

func formatSpan(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	days := d / (24 * time.Hour)
	s := sign
	if days > 0 {
		s += fmt.Sprintf("%d.", days)
	}
	s += fmt.Sprintf("%02d:%02d:%02d", d/time.Hour%24, d/time.Minute%60, d/time.Second%60)
	if frac := d % time.Second / 100; frac != 0 {
		s += fmt.Sprintf(".%07d", frac)
	}
	return s
}

// dateArith is + and - on dates and TimeSpans: date - date and
// TimeSpan ± TimeSpan give a TimeSpan, date ± TimeSpan a date. ok is
// false when the operands are not of those kinds.
func dateArith(op object.ArithOp, l, r object.Value) (object.Value, bool) {
	if op != object.OpAdd && op != object.OpSub {
		return nil, false
	}
	rs, rSpan := asSpan(r)
	switch x := l.(type) {
	case time.Time:
		if t, ok := r.(time.Time); ok && op == object.OpSub {
			return newTimeSpan(x.Sub(t)), true
		}
		if rSpan {
			if op == object.OpSub {
				rs = -rs
			}
			return x.Add(rs), true
		}
	case *object.Object:
		if ls, ok := asSpan(x); ok && rSpan {
			if op == object.OpSub {
				return newTimeSpan(ls - rs), true
			}
			return newTimeSpan(ls + rs), true
		}
	}
	return nil, false
}
