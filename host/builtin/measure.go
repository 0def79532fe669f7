package builtin

import (
	"fmt"

	"pinsh/host/cmdlet"
	"pinsh/host/format"
	"pinsh/host/object"
)

// measureInfoType is what Measure-Object writes. It has six properties,
// so it shows as a list, like PowerShell's.
var measureInfoType = object.NewType("Microsoft.PowerShell.Commands.GenericMeasureInfo",
	object.P("Count", object.KindInt), object.P("Average", object.KindFloat),
	object.P("Sum", object.KindFloat), object.P("Maximum", object.KindAny),
	object.P("Minimum", object.KindAny), object.P("Property", object.KindString))

func init() {
	format.RegisterView(measureInfoType.Name(), format.View{Kind: format.List,
		Properties: []string{"Count", "Average", "Sum", "Maximum", "Minimum", "Property"}})
}

// invalidType is PowerShell's category for a value of the wrong type.
const invalidType cmdlet.Category = "InvalidType"

func measureObjectInfo() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Measure-Object",
		Aliases:  []string{"measure"},
		Synopsis: "Counts objects and calculates the sum, average, minimum and maximum of property values.",
		Description: "Measure-Object counts its input objects, ignoring $null. With -Property it measures " +
			"the named properties instead, one result per property, counting the objects that have a " +
			"value. -Sum, -Average, -Minimum and -Maximum (or -AllStats) add those statistics; values must " +
			"be numbers for -Sum and -Average, while -Minimum and -Maximum also compare text and dates.",
		Params: []cmdlet.Param{
			inputObject("The objects to measure, usually from the pipeline."),
			param("Property", object.KindList, "The properties to measure (names, wildcards or script blocks).", pos(0)),
			param("Sum", object.KindSwitch, "Adds the sum of the values."),
			param("Average", object.KindSwitch, "Adds the average of the values."),
			param("Maximum", object.KindSwitch, "Adds the largest value."),
			param("Minimum", object.KindSwitch, "Adds the smallest value."),
			param("AllStats", object.KindSwitch, "Adds all of the statistics."),
		},
		Examples: []cmdlet.Example{
			{Code: "Get-CsUser | Measure-Object",
				Remark: "Counts the users."},
			{Code: "1..10 | Measure-Object -Sum -Average -Maximum -Minimum",
				Remark: "Count 10, Average 5.5, Sum 55, Maximum 10, Minimum 1."},
		},
		New: func() cmdlet.Command { return &measureObject{} },
	}
}

// measure accumulates the statistics of one property (or of the objects).
type measure struct {
	name     string
	expr     *propExpr
	count    int64
	sum      float64
	numeric  bool // every value so far converted to a number
	max, min object.Value
	maxF     float64
	minF     float64
	found    bool
}

type measureObject struct {
	stats    bool // any of -Sum -Average -Maximum -Minimum
	sum      bool
	average  bool
	maximum  bool
	minimum  bool
	props    []propExpr
	wild     bool
	measures []*measure
	byName   map[string]*measure
	self     measure
}

func (m *measureObject) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error {
	props, err := parseProps(list(args, "Property"), keyExpression)
	if err != nil {
		return cmdlet.NewError(cmdlet.InvalidArgument, "InvalidCalculatedProperty", nil, err)
	}
	all := args.Bool("AllStats")
	m.sum = all || args.Bool("Sum")
	m.average = all || args.Bool("Average")
	m.maximum = all || args.Bool("Maximum")
	m.minimum = all || args.Bool("Minimum")
	m.stats = m.sum || m.average || m.maximum || m.minimum
	m.props = props
	m.wild = hasWild(props)
	m.byName = map[string]*measure{}
	m.self.numeric = true
	for i := range props {
		if !props[i].wild {
			m.add(&props[i])
		}
	}
	return nil
}

func (m *measureObject) add(p *propExpr) *measure {
	key := object.Fold(p.label)
	if ms, ok := m.byName[key]; ok {
		return ms
	}
	ms := &measure{name: p.label, expr: p, numeric: true}
	m.byName[key] = ms
	m.measures = append(m.measures, ms)
	return ms
}

func (m *measureObject) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	in, ok := input(args)
	if !ok || in == nil {
		return nil
	}
	if len(m.props) == 0 {
		if !m.stats {
			m.self.count++ // the benchmark path: nothing else to do
			return nil
		}
		return m.take(rt, &m.self, in)
	}
	if m.wild {
		for _, p := range expand(m.props, in) {
			if !p.wild {
				p := p
				m.add(&p)
			}
		}
	}
	for _, ms := range m.measures {
		var v object.Value
		if ms.expr.block != nil {
			var err error
			if v, err = ms.expr.eval(in); err != nil {
				return err
			}
		} else {
			var has bool
			v, has = ms.expr.get.Get(in)
			if !has {
				continue
			}
		}
		ms.found = true
		if v == nil {
			continue
		}
		if err := m.take(rt, ms, v); err != nil {
			return err
		}
	}
	return nil
}

// take adds one value to a measure.
func (m *measureObject) take(rt cmdlet.Runtime, ms *measure, v object.Value) error {
	ms.found = true
	var f float64
	isNum := false
	if m.stats {
		var err error
		switch v.(type) {
		case int64, float64, string, bool:
			f, err = object.ToFloat(v)
			isNum = err == nil
		}
		if (m.sum || m.average) && !isNum {
			return rt.WriteError(cmdlet.NewError(invalidType, "NonNumericInputObject", v,
				fmt.Errorf("Input object \"%s\" is not numeric.", object.ToString(v))))
		}
	}
	ms.count++
	if !m.stats {
		return nil
	}
	ms.sum += f
	if !isNum {
		ms.numeric = false
	}
	if m.maximum && (ms.max == nil || better(v, f, isNum, ms.max, ms.maxF, ms.numeric) > 0) {
		ms.max, ms.maxF = v, f
	}
	if m.minimum && (ms.min == nil || better(v, f, isNum, ms.min, ms.minF, ms.numeric) < 0) {
		ms.min, ms.minF = v, f
	}
	return nil
}

// better compares a new value with the current extreme: as numbers while
// all values are numbers, otherwise by PowerShell's ordering.
func better(v object.Value, f float64, isNum bool, cur object.Value, curF float64, allNum bool) int {
	if isNum && allNum {
		switch {
		case f > curF:
			return 1
		case f < curF:
			return -1
		}
		return 0
	}
	return compareValues(v, cur, false)
}

func (m *measureObject) result(ms *measure, property object.Value) *object.Object {
	o := object.New(measureInfoType, ms.count)
	if m.average && ms.count > 0 {
		o.SetAt(1, ms.sum/float64(ms.count))
	}
	if m.sum {
		o.SetAt(2, ms.sum)
	}
	if m.maximum {
		o.SetAt(3, extreme(ms.max, ms.maxF, ms.numeric))
	}
	if m.minimum {
		o.SetAt(4, extreme(ms.min, ms.minF, ms.numeric))
	}
	o.SetAt(5, property)
	return o
}

func extreme(v object.Value, f float64, numeric bool) object.Value {
	if v == nil {
		return nil
	}
	if numeric {
		return f
	}
	return v
}

func (m *measureObject) End(rt cmdlet.Runtime, args *cmdlet.Args) error {
	if len(m.props) == 0 {
		return rt.WriteObject(m.result(&m.self, nil))
	}
	for _, ms := range m.measures {
		if !ms.found {
			if err := rt.WriteError(cmdlet.NewError(cmdlet.InvalidArgument, "GenericMeasurePropertyNotFound", ms.name,
				fmt.Errorf("The property \"%s\" cannot be found in the input for any objects.", ms.name))); err != nil {
				return err
			}
			continue
		}
		if err := rt.WriteObject(m.result(ms, ms.name)); err != nil {
			return err
		}
	}
	return nil
}
