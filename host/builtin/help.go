package builtin

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/format"
	"pinsh/host/object"
)

// helpWidth is the column help text is wrapped at.
const helpWidth = 80

// typeText is how a parameter's type shows in syntax and help: <String>,
// or the accepted values {utf8 | ascii} of a ValidateSet.
func typeText(p *cmdlet.Param) string {
	if p.Kind == object.KindSwitch {
		return ""
	}
	if len(p.Values) > 0 {
		return "{" + strings.Join(p.Values, " | ") + "}"
	}
	return "<" + p.Kind.String() + ">"
}

// Syntax renders the usage lines of a cmdlet, one per parameter set, as
// PowerShell's help shows them:
//
//	Set-CsClientPin [-Identity] <String> [[-Pin] <String>] [-Force] [-WhatIf] [-Confirm] [<CommonParameters>]
//
// Positional parameters come first in position order, then mandatory named
// ones, then the optional ones in declaration order.
func Syntax(in *cmdlet.Info) []string {
	var lines []string
	for _, set := range in.Sets() {
		var ps []*cmdlet.Param
		for i := range in.Params {
			if in.Params[i].InSet(set) {
				ps = append(ps, &in.Params[i])
			}
		}
		rank := func(p *cmdlet.Param) int {
			switch {
			case p.Position >= 0:
				return 0
			case p.Mandatory:
				return 1
			}
			return 2
		}
		sort.SliceStable(ps, func(i, j int) bool {
			ri, rj := rank(ps[i]), rank(ps[j])
			if ri != rj {
				return ri < rj
			}
			return ri == 0 && ps[i].Position < ps[j].Position
		})
		parts := []string{in.Name}
		for _, p := range ps {
			t := typeText(p)
			var s string
			if p.Position >= 0 {
				s = "[-" + p.Name + "]"
				if t != "" {
					s += " " + t
				}
			} else {
				s = "-" + p.Name
				if t != "" {
					s += " " + t
				}
			}
			if !p.Mandatory {
				s = "[" + s + "]"
			}
			parts = append(parts, s)
		}
		if in.SupportsShouldProcess {
			parts = append(parts, "[-WhatIf]", "[-Confirm]")
		}
		parts = append(parts, "[<CommonParameters>]")
		lines = append(lines, strings.Join(parts, " "))
	}
	return lines
}

// HelpOptions chooses what [RenderHelp] shows, like Get-Help's switches.
type HelpOptions struct {
	Detailed bool // adds parameter descriptions and examples
	Full     bool // adds parameter attributes, inputs and outputs
	Examples bool // only the name, synopsis and examples
	// Parameter, when set, shows only the parameters matching this name
	// or wildcard pattern.
	Parameter string
}

// wrap writes text wrapped at helpWidth, each line indented.
func wrap(sb *strings.Builder, text, indent string) {
	for _, para := range strings.Split(text, "\n") {
		line := indent
		for _, w := range strings.Fields(para) {
			if len(line) > len(indent) && len(line)+1+len(w) > helpWidth {
				sb.WriteString(line + "\n")
				line = indent
			}
			if len(line) > len(indent) {
				line += " "
			}
			line += w
		}
		sb.WriteString(line + "\n")
	}
}

// RenderHelp renders a cmdlet's help from its metadata, in PowerShell's
// layout (NAME, SYNOPSIS, SYNTAX, DESCRIPTION, PARAMETERS, EXAMPLES...).
// Get-Help and the interactive help both use it. It fails only when
// opts.Parameter matches no parameter.
func RenderHelp(in *cmdlet.Info, opts HelpOptions) (string, error) {
	var sb strings.Builder
	if opts.Parameter != "" {
		n := 0
		all := in.AllParams()
		for i := range all {
			if object.Like(all[i].Name, opts.Parameter, false) {
				renderParam(&sb, &all[i], true)
				n++
			}
		}
		if n == 0 {
			return "", fmt.Errorf("No parameter matches criteria %s.", opts.Parameter)
		}
		return sb.String(), nil
	}
	sb.WriteString("\nNAME\n    " + in.Name + "\n")
	if in.Synopsis != "" {
		sb.WriteString("\nSYNOPSIS\n")
		wrap(&sb, in.Synopsis, "    ")
	}
	if opts.Examples {
		renderExamples(&sb, in)
		return sb.String(), nil
	}
	sb.WriteString("\n\nSYNTAX\n")
	for i, l := range Syntax(in) {
		if i > 0 {
			sb.WriteString("\n")
		}
		sb.WriteString("    " + l + "\n")
	}
	if in.Description != "" {
		sb.WriteString("\n\nDESCRIPTION\n")
		wrap(&sb, in.Description, "    ")
	}
	if opts.Detailed || opts.Full {
		sb.WriteString("\n\nPARAMETERS\n")
		ps := in.Params
		if in.SupportsShouldProcess {
			ps = append(append([]cmdlet.Param(nil), ps...), cmdlet.ShouldProcessParams...)
		}
		for i := range ps {
			renderParam(&sb, &ps[i], opts.Full)
		}
		sb.WriteString("    <CommonParameters>\n")
		var names []string
		for _, p := range cmdlet.CommonParams {
			names = append(names, p.Name)
		}
		wrap(&sb, "This cmdlet supports the common parameters: "+strings.Join(names, ", ")+".", "        ")
		sb.WriteString("\n")
	}
	if opts.Full {
		sb.WriteString("\nINPUTS\n")
		inputs := false
		for _, p := range in.Params {
			if p.FromPipeline || p.FromPipelineByName {
				sb.WriteString("    " + p.Kind.String() + " (" + p.Name + ")\n")
				inputs = true
			}
		}
		if !inputs {
			sb.WriteString("    None\n")
		}
		sb.WriteString("\n\nOUTPUTS\n")
		if in.OutputType != "" {
			sb.WriteString("    " + in.OutputType + "\n")
		} else {
			sb.WriteString("    Object\n")
		}
	}
	if opts.Detailed || opts.Full {
		renderExamples(&sb, in)
	}
	if len(in.Aliases) > 0 {
		sb.WriteString("\n\nALIASES\n")
		for _, a := range in.Aliases {
			sb.WriteString("    " + a + "\n")
		}
	}
	if !opts.Detailed && !opts.Full {
		sb.WriteString("\n\nREMARKS\n")
		fmt.Fprintf(&sb, "    To see the examples, type: \"Get-Help %s -Examples\".\n", in.Name)
		fmt.Fprintf(&sb, "    For more information, type: \"Get-Help %s -Detailed\".\n", in.Name)
		fmt.Fprintf(&sb, "    For technical information, type: \"Get-Help %s -Full\".\n", in.Name)
	}
	return sb.String(), nil
}

func renderParam(sb *strings.Builder, p *cmdlet.Param, full bool) {
	head := "    -" + p.Name
	if t := typeText(p); t != "" {
		head += " " + t
	}
	sb.WriteString(head + "\n")
	if p.Help != "" {
		wrap(sb, p.Help, "        ")
	}
	if full {
		position := "named"
		if p.Position >= 0 {
			position = strconv.Itoa(p.Position)
		}
		pipe := "False"
		switch {
		case p.FromPipeline && p.FromPipelineByName:
			pipe = "True (ByValue, ByPropertyName)"
		case p.FromPipeline:
			pipe = "True (ByValue)"
		case p.FromPipelineByName:
			pipe = "True (ByPropertyName)"
		}
		aliasText := "None"
		if len(p.Aliases) > 0 {
			aliasText = strings.Join(p.Aliases, ", ")
		}
		sb.WriteString("\n")
		fmt.Fprintf(sb, "        %-28s %s\n", "Required?", object.ToString(p.Mandatory))
		fmt.Fprintf(sb, "        %-28s %s\n", "Position?", position)
		fmt.Fprintf(sb, "        %-28s %s\n", "Accept pipeline input?", pipe)
		if len(p.Values) > 0 {
			fmt.Fprintf(sb, "        %-28s %s\n", "Accepted values", strings.Join(p.Values, ", "))
		}
		fmt.Fprintf(sb, "        %-28s %s\n", "Aliases", aliasText)
		fmt.Fprintf(sb, "        %-28s %s\n", "Accept wildcard characters?", "False")
	}
	sb.WriteString("\n")
}

func renderExamples(sb *strings.Builder, in *cmdlet.Info) {
	if len(in.Examples) == 0 {
		return
	}
	sb.WriteString("\n\nEXAMPLES\n")
	for i, ex := range in.Examples {
		fmt.Fprintf(sb, "    -------------------------- Example %d --------------------------\n\n", i+1)
		sb.WriteString("    PS> " + ex.Code + "\n")
		if ex.Remark != "" {
			sb.WriteString("\n")
			wrap(sb, ex.Remark, "    ")
		}
		sb.WriteString("\n")
	}
}

// overview is Get-Help without a name.
const overview = `
TOPIC
    pinsh help system

SHORT DESCRIPTION
    Displays help about pinsh cmdlets.

LONG DESCRIPTION
    Get-Help shows the help of a cmdlet, built from the same metadata the
    parameter binder uses, so it always matches what the cmdlet accepts.

    Get-Help <name>              the syntax, description and remarks
    Get-Help <name> -Examples    the examples
    Get-Help <name> -Full        everything, with each parameter's details
    Get-Help <name> -Parameter P one parameter
    Get-Help *Pin*               the cmdlets whose names match a pattern
    Get-Command                  every cmdlet and alias
`

// helpSummaryType is what Get-Help writes for several matches.
var helpSummaryType = object.NewType("HelpInfoShort",
	object.P("Name", object.KindString), object.P("Category", object.KindString),
	object.P("Module", object.KindString), object.P("Synopsis", object.KindString))

// commandInfoType is what Get-Command writes.
var commandInfoType = object.NewType("System.Management.Automation.CommandInfo",
	object.P("CommandType", object.KindString), object.P("Name", object.KindString),
	object.P("DisplayName", object.KindString), object.P("Definition", object.KindString),
	object.P("Source", object.KindString), object.P("ResolvedCommandName", object.KindString))

func init() {
	format.RegisterView(helpSummaryType.Name(), format.View{Kind: format.Table,
		Properties: []string{"Name", "Category", "Module", "Synopsis"}})
	// PowerShell's CommandInfo view: CommandType in 15 columns, Name in 50
	// (pinsh has no Version column).
	format.RegisterView(commandInfoType.Name(), format.View{Kind: format.Table,
		Properties: []string{"CommandType", "DisplayName", "Source"}, Labels: []string{"", "Name", ""},
		Widths: []int{15, 50, 0}, Aligns: []format.Align{format.AlignLeft, format.AlignLeft, format.AlignLeft}})
}

func getHelpInfo(reg *cmdlet.Registry, o *Options) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Get-Help",
		Aliases:  []string{"help"},
		Synopsis: "Displays information about pinsh cmdlets.",
		Description: "Get-Help shows a cmdlet's help: its synopsis, the syntax of each parameter set, the " +
			"description and remarks; -Detailed adds the parameters and examples, -Full the parameter " +
			"attributes (required, position, pipeline input, aliases), -Examples only the examples and " +
			"-Parameter one parameter. A wildcard name lists the matching cmdlets.",
		Params: []cmdlet.Param{
			param("Name", object.KindString, "The cmdlet or alias, or a wildcard pattern.", pos(0), byName),
			param("Detailed", object.KindSwitch, "Adds the parameter descriptions and the examples.", sets("DetailedView")),
			param("Full", object.KindSwitch, "Shows the whole help, with each parameter's attributes.", sets("AllUsersView")),
			param("Examples", object.KindSwitch, "Shows only the examples.", sets("Examples")),
			param("Parameter", object.KindString, "Shows only the named parameter (wildcards allowed).", sets("Parameters")),
			param("Online", object.KindSwitch, "Accepted for compatibility; there is no online help.", sets("Online")),
		},
		DefaultSet: "AllUsersView",
		Examples: []cmdlet.Example{
			{Code: "Get-Help Set-CsClientPin -Full", Remark: "The complete help of Set-CsClientPin."},
			{Code: "Get-Help Where-Object -Examples", Remark: "Examples of Where-Object."},
			{Code: "Get-Help *Pin*", Remark: "The cmdlets whose names contain Pin."},
		},
		New: func() cmdlet.Command { return &getHelp{reg: reg, o: o} },
	}
}

type getHelp struct {
	reg *cmdlet.Registry
	o   *Options
}

// topic answers about_ topics: the text of one, or the list for a pattern.
func (c *getHelp) topic(rt cmdlet.Runtime, name string) (bool, error) {
	if c.o == nil || c.o.Topic == nil || !strings.HasPrefix(strings.ToLower(name), "about_") {
		return false, nil
	}
	if text, ok := c.o.Topic(name); ok {
		return true, rt.WriteObject(text)
	}
	if c.o.TopicNames == nil {
		return false, nil
	}
	found := false
	for _, n := range c.o.TopicNames() {
		if object.Like(n, name, false) {
			found = true
			if err := rt.WriteObject(object.New(helpSummaryType, n, "HelpFile", "", "")); err != nil {
				return true, err
			}
		}
	}
	return found, nil
}

func (*getHelp) Begin(cmdlet.Runtime, *cmdlet.Args) error { return nil }

func (c *getHelp) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	name := args.String("Name")
	if name == "" {
		return rt.WriteObject(overview)
	}
	if ok, err := c.topic(rt, name); ok || err != nil {
		return err
	}
	var matches []*cmdlet.Info
	if in, ok := c.reg.Lookup(name); ok {
		matches = []*cmdlet.Info{in}
	} else {
		pattern := name
		if !object.HasWildcard(pattern) {
			pattern = "*" + pattern + "*"
		}
		for _, in := range c.reg.All() {
			if object.Like(in.Name, pattern, false) {
				matches = append(matches, in)
			}
		}
	}
	switch len(matches) {
	case 0:
		return rt.WriteError(cmdlet.NewError(cmdlet.ResourceUnavailab, "HelpNotFound", name,
			fmt.Errorf("Get-Help could not find %s in a help file in this session.", name)))
	case 1:
		text, err := RenderHelp(matches[0], HelpOptions{
			Detailed:  args.Bool("Detailed"),
			Full:      args.Bool("Full"),
			Examples:  args.Bool("Examples"),
			Parameter: args.String("Parameter"),
		})
		if err != nil {
			return rt.WriteError(cmdlet.NewError(cmdlet.ObjectNotFound, "NoParmsFound", args.String("Parameter"), err))
		}
		return rt.WriteObject(text)
	}
	for _, in := range matches {
		if err := rt.WriteObject(object.New(helpSummaryType, in.Name, "Cmdlet", in.Source, in.Synopsis)); err != nil {
			return err
		}
	}
	return nil
}

func (*getHelp) End(cmdlet.Runtime, *cmdlet.Args) error { return nil }

func getCommandInfo(reg *cmdlet.Registry) *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Get-Command",
		Aliases:  []string{"gcm"},
		Synopsis: "Gets the cmdlets and aliases of the session.",
		Description: "Get-Command lists the commands pinsh can run: aliases first, then the functions " +
			"defined in the session, then cmdlets (built-in and plugins), each sorted by name. -Name, -Verb and -Noun take wildcard patterns; -Module " +
			"filters by source (builtin or a plugin's name). -Syntax writes the usage lines instead.",
		Params: []cmdlet.Param{
			param("Name", object.KindStringList, "Names or wildcard patterns of commands.", pos(0), fromPipeline, byName),
			param("Verb", object.KindStringList, "Cmdlet verbs (the part before the dash), wildcards allowed."),
			param("Noun", object.KindStringList, "Cmdlet nouns (the part after the dash), wildcards allowed."),
			param("Module", object.KindStringList, "Sources: builtin or plugin names, wildcards allowed.", aliases("Source", "PSSnapin")),
			param("CommandType", object.KindString, "Lists only aliases, functions or cmdlets.", aliases("Type"),
				values("Alias", "Function", "Cmdlet", "All")),
			param("Syntax", object.KindSwitch, "Writes the syntax of the commands."),
			param("TotalCount", object.KindInt, "Writes at most this many commands."),
		},
		OutputType: commandInfoType.Name(),
		Examples: []cmdlet.Example{
			{Code: "Get-Command *-CsClientPin*", Remark: "The client PIN cmdlets."},
			{Code: "Get-Command -Verb Get -Module builtin", Remark: "The built-in Get cmdlets."},
			{Code: "Get-Command Set-CsClientPin -Syntax", Remark: "The usage line of Set-CsClientPin."},
		},
		New: func() cmdlet.Command { return &getCommand{reg: reg} },
	}
}

type getCommand struct{ reg *cmdlet.Registry }

func (*getCommand) Begin(cmdlet.Runtime, *cmdlet.Args) error { return nil }

type cmdEntry struct {
	alias string // "" for the cmdlet itself
	in    *cmdlet.Info
}

func (e cmdEntry) name() string {
	if e.alias != "" {
		return e.alias
	}
	return e.in.Name
}

func matchAny(s string, patterns []string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if object.Like(s, p, false) {
			return true
		}
	}
	return false
}

func (c *getCommand) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	names := strs(args, "Name")
	verbs, nouns, modules := strs(args, "Verb"), strs(args, "Noun"), strs(args, "Module")
	kind := args.String("CommandType")
	var aliases, funcs, cmdlets []cmdEntry
	if fl, ok := rt.(cmdlet.FunctionLister); ok && kind != "Alias" && kind != "Cmdlet" && len(modules) == 0 {
		for _, in := range fl.Functions() {
			verb, noun, _ := strings.Cut(in.Name, "-")
			if matchAny(in.Name, names) && matchAny(verb, verbs) && matchAny(noun, nouns) {
				funcs = append(funcs, cmdEntry{in: in})
			}
		}
	}
	for _, in := range c.reg.All() {
		if !matchAny(in.Source, modules) {
			continue
		}
		verb, noun, _ := strings.Cut(in.Name, "-")
		if len(verbs)+len(nouns) == 0 && kind != "Cmdlet" && kind != "Function" {
			for _, a := range in.Aliases {
				if matchAny(a, names) {
					aliases = append(aliases, cmdEntry{alias: a, in: in})
				}
			}
		}
		if kind != "Alias" && kind != "Function" && matchAny(in.Name, names) && matchAny(verb, verbs) && matchAny(noun, nouns) {
			cmdlets = append(cmdlets, cmdEntry{in: in})
		}
	}
	less := func(l []cmdEntry) func(i, j int) bool {
		return func(i, j int) bool { return object.CompareStrings(l[i].name(), l[j].name(), false) < 0 }
	}
	sort.SliceStable(aliases, less(aliases))
	sort.SliceStable(funcs, less(funcs))
	sort.SliceStable(cmdlets, less(cmdlets))
	all := append(append(aliases, funcs...), cmdlets...)
	if n, ok := args.Int("TotalCount"); ok && n >= 0 && int(n) < len(all) {
		all = all[:n]
	}
	for _, n := range names {
		if object.HasWildcard(n) {
			continue
		}
		found := false
		for _, e := range all {
			if strings.EqualFold(e.name(), n) {
				found = true
			}
		}
		if !found {
			err := rt.WriteError(cmdlet.NewError(cmdlet.ObjectNotFound, "CommandNotFoundException", n, errors.New(
				"The term '"+n+"' is not recognized as the name of a cmdlet, function, script file, or operable program. "+
					"Check the spelling of the name, or if a path was included, verify that the path is correct and try again.")))
			if err != nil {
				return err
			}
		}
	}
	for _, e := range all {
		var err error
		if args.Bool("Syntax") {
			err = rt.WriteObject(strings.Join(Syntax(e.in), "\n\n"))
		} else {
			err = rt.WriteObject(commandObject(e))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func commandObject(e cmdEntry) *object.Object {
	if e.alias != "" {
		return object.New(commandInfoType, "Alias", e.alias, e.alias+" -> "+e.in.Name, e.in.Name, e.in.Source, e.in.Name)
	}
	kind, source := "Cmdlet", e.in.Source
	if source == "function" {
		kind, source = "Function", ""
	}
	return object.New(commandInfoType, kind, e.in.Name, e.in.Name,
		strings.Join(Syntax(e.in), "\n\n"), source, e.in.Name)
}

func (*getCommand) End(cmdlet.Runtime, *cmdlet.Args) error { return nil }
