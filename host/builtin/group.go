package builtin

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/format"
	"pinsh/host/object"
)

// The types Group-Object writes.
var (
	groupInfoType = object.NewType("Microsoft.PowerShell.Commands.GroupInfo",
		object.P("Count", object.KindInt), object.P("Name", object.KindString),
		object.P("Group", object.KindList), object.P("Values", object.KindList))
	groupNoElementType = object.NewType("Microsoft.PowerShell.Commands.GroupInfoNoElement",
		object.P("Count", object.KindInt), object.P("Name", object.KindString),
		object.P("Values", object.KindList))
)

func init() {
	// PowerShell's GroupInfo views: Count right-aligned in 5 columns, Name
	// in 25.
	format.RegisterView(groupInfoType.Name(), format.View{Kind: format.Table, Properties: []string{"Count", "Name", "Group"},
		Widths: []int{5, 25, 0}, Aligns: []format.Align{format.AlignRight, format.AlignLeft, format.AlignLeft}})
	format.RegisterView(groupNoElementType.Name(), format.View{Kind: format.Table, Properties: []string{"Count", "Name"},
		Widths: []int{5, 25}, Aligns: []format.Align{format.AlignRight, format.AlignLeft}})
}

func groupObjectInfo() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Group-Object",
		Aliases:  []string{"group"},
		Synopsis: "Groups objects that have the same value for the specified properties.",
		Description: "Group-Object collects its input and writes one GroupInfo object per distinct key, " +
			"with the Count of objects, the key as Name (several keys are joined with \", \"), the objects " +
			"in Group and the key values in Values. Keys compare case-insensitively unless -CaseSensitive. " +
			"Groups are sorted by key when all keys have the same type, as in PowerShell 7. -NoElement " +
			"leaves out the Group property; -AsHashTable writes one hashtable from key to group.",
		Params: []cmdlet.Param{
			inputObject("The objects to group, usually from the pipeline."),
			param("Property", object.KindList, "The grouping keys: property names, script blocks or @{Expression=...}.", pos(0)),
			param("NoElement", object.KindSwitch, "Omits the objects from the results (Count and Name only)."),
			param("CaseSensitive", object.KindSwitch, "Compares text keys case-sensitively."),
			param("AsHashTable", object.KindSwitch, "Writes a hashtable whose keys are the key values and whose values are the groups.",
				aliases("AHT")),
			param("AsString", object.KindSwitch, "With -AsHashTable, uses the keys' text forms."),
		},
		Examples: []cmdlet.Example{
			{Code: "Get-CsUser | Group-Object RegistrarPool",
				Remark: "How many users are homed on each pool."},
			{Code: "Get-CsUser | Get-CsClientPinInfo | Group-Object IsPinSet, IsLockedOut -NoElement",
				Remark: "Counts users by PIN state."},
		},
		New: func() cmdlet.Command { return &groupObject{} },
	}
}

type group struct {
	name   string
	values []object.Value
	items  []object.Value
	count  int64
}

type groupObject struct {
	props     []propExpr
	cs        bool
	noElement bool
	groups    map[string]*group
	order     []*group
	sb        strings.Builder
}

func (g *groupObject) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error {
	props, err := parseProps(list(args, "Property"), keyExpression)
	if err != nil {
		return cmdlet.NewError(cmdlet.InvalidArgument, "InvalidCalculatedProperty", nil, err)
	}
	g.props = props
	g.cs = args.Bool("CaseSensitive")
	g.noElement = args.Bool("NoElement")
	g.groups = map[string]*group{}
	if args.Bool("AsString") && !args.Bool("AsHashTable") {
		return cmdlet.NewError(cmdlet.InvalidArgument, "ArgumentException", nil,
			errors.New("The AsString parameter requires the AsHashTable parameter."))
	}
	if args.Bool("AsHashTable") && len(props) > 1 && !args.Bool("AsString") {
		return cmdlet.NewError(cmdlet.InvalidArgument, "ArgumentException", nil,
			errors.New("The AsHashTable parameter needs a single grouping property, or the AsString parameter."))
	}
	return nil
}

func (g *groupObject) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	in, ok := input(args)
	if !ok || in == nil {
		return nil
	}
	var vals []object.Value
	if len(g.props) == 0 {
		vals = []object.Value{in}
	} else {
		ps := g.props
		if hasWild(ps) {
			ps = expand(ps, in)
		}
		vals = make([]object.Value, len(ps))
		for i := range ps {
			v, err := ps[i].eval(in)
			if err != nil {
				return err
			}
			vals[i] = v
		}
	}
	g.sb.Reset()
	for i, v := range vals {
		if i > 0 {
			g.sb.WriteByte(0)
		}
		s := object.ToString(v)
		if !g.cs {
			s = object.Fold(s)
		}
		g.sb.WriteString(s)
	}
	key := g.sb.String()
	gr, ok := g.groups[key]
	if !ok {
		names := make([]string, len(vals))
		for i, v := range vals {
			names[i] = object.ToString(v)
		}
		gr = &group{name: strings.Join(names, ", "), values: vals}
		g.groups[key] = gr
		g.order = append(g.order, gr)
	}
	gr.count++
	if !g.noElement {
		gr.items = append(gr.items, in)
	}
	return nil
}

// uniformKeys reports whether every group's keys have the same types, in
// which case PowerShell 7 sorts the groups.
func (g *groupObject) uniformKeys() bool {
	var types []string
	for _, gr := range g.order {
		for i, v := range gr.values {
			if v == nil {
				continue
			}
			t := fmt.Sprintf("%T", v)
			if i >= len(types) {
				types = append(types, make([]string, i+1-len(types))...)
			}
			if types[i] == "" {
				types[i] = t
			} else if types[i] != t {
				return false
			}
		}
	}
	return true
}

func (g *groupObject) End(rt cmdlet.Runtime, args *cmdlet.Args) error {
	if g.uniformKeys() {
		sort.SliceStable(g.order, func(i, j int) bool {
			a, b := g.order[i].values, g.order[j].values
			for k := 0; k < len(a) && k < len(b); k++ {
				if c := compareValues(a[k], b[k], g.cs); c != 0 {
					return c < 0
				}
			}
			return false
		})
	}
	if args.Bool("AsHashTable") {
		if len(g.order) == 0 {
			return nil
		}
		h := object.NewHashtable()
		for _, gr := range g.order {
			key := gr.name
			if !args.Bool("AsString") && len(gr.values) == 1 {
				key = object.ToString(gr.values[0])
			}
			h.Set(key, gr.itemsValue())
		}
		return rt.WriteObject(h)
	}
	for _, gr := range g.order {
		var o *object.Object
		if g.noElement {
			o = object.New(groupNoElementType, gr.count, gr.name, gr.values)
		} else {
			o = object.New(groupInfoType, gr.count, gr.name, gr.itemsValue(), gr.values)
		}
		if err := rt.WriteObject(o); err != nil {
			return err
		}
	}
	return nil
}

func (gr *group) itemsValue() object.Value {
	if gr.items == nil {
		return []object.Value{}
	}
	return gr.items
}
