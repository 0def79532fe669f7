package builtin

import (
	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

func forEachObjectInfo() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "ForEach-Object",
		Aliases:  []string{"foreach", "%"},
		Synopsis: "Runs a script block for each input object.",
		Description: "ForEach-Object runs its -Process script block once for each input object, with the " +
			"object in $_, and writes what the block outputs. -Begin runs once before the first object and " +
			"-End once after the last. Several positional script blocks are taken as begin, process and " +
			"end, as in PowerShell. With -MemberName (ForEach-Object Name) it writes the named property of " +
			"each object.",
		Params: []cmdlet.Param{
			inputObject("The objects to process, usually from the pipeline."),
			param("Process", object.KindScriptBlock, "The script block run for each object, with the object in $_.",
				pos(0), mandatory, sets("ScriptBlockSet")),
			param("Begin", object.KindScriptBlock, "A script block run once before the first object.", sets("ScriptBlockSet")),
			param("End", object.KindScriptBlock, "A script block run once after the last object.", sets("ScriptBlockSet")),
			param("RemainingScripts", object.KindList,
				"Further positional script blocks: with -Process they make begin, process and end blocks.",
				remaining, sets("ScriptBlockSet")),
			param("MemberName", object.KindString, "The property whose value is written for each object.",
				pos(0), mandatory, sets("PropertyAndMethodSet")),
		},
		DefaultSet: "ScriptBlockSet",
		Examples: []cmdlet.Example{
			{Code: "Get-CsUser | ForEach-Object {$_.DisplayName; Get-CsAdminRoleAssignment -Identity $_.SamAccountName}",
				Remark: "Lists each user's name followed by the roles assigned to them."},
			{Code: "1..3 | ForEach-Object -Begin {'start'} -Process {$_ * 2} -End {'done'}",
				Remark: "Writes start, 2, 4, 6, done."},
			{Code: "Get-CsUser | ForEach-Object SipAddress",
				Remark: "Writes the SipAddress property of every user."},
		},
		New: func() cmdlet.Command { return &forEachObject{} },
	}
}

type forEachObject struct {
	begin   []cmdlet.ScriptBlock
	process []cmdlet.ScriptBlock
	end     []cmdlet.ScriptBlock
	member  *object.Getter
	rt      cmdlet.Runtime
	out     func(object.Value) error
}

// emit forwards a block's output with the runtime of the current call; it
// is bound once in Begin so that Process allocates no closure.
func (f *forEachObject) emit(v object.Value) error { return f.rt.WriteObject(v) }

func (f *forEachObject) Begin(rt cmdlet.Runtime, args *cmdlet.Args) error {
	f.out = f.emit
	if args.Has("MemberName") {
		f.member = object.NewGetter(args.String("MemberName"))
		return nil
	}
	var scripts []cmdlet.ScriptBlock
	if v, ok := args.Get("Process"); ok {
		scripts = append(scripts, v.(cmdlet.ScriptBlock))
	}
	for _, v := range list(args, "RemainingScripts") {
		sb, ok := v.(cmdlet.ScriptBlock)
		if !ok {
			return &cmdlet.BindError{Command: "ForEach-Object", Param: "RemainingScripts",
				Msg: "Cannot bind parameter 'RemainingScripts'. Cannot convert the \"" + object.ToString(v) +
					"\" value of type \"" + object.TypeName(v) + "\" to type \"ScriptBlock\"."}
		}
		scripts = append(scripts, sb)
	}
	// PowerShell's rule for several blocks: without -Begin the first is
	// the begin block; without -End and with three or more, the last is
	// the end block; the rest are process blocks.
	if v, ok := args.Get("Begin"); ok {
		f.begin = []cmdlet.ScriptBlock{v.(cmdlet.ScriptBlock)}
	} else if len(scripts) > 1 {
		f.begin, scripts = scripts[:1], scripts[1:]
	}
	if v, ok := args.Get("End"); ok {
		f.end = []cmdlet.ScriptBlock{v.(cmdlet.ScriptBlock)}
	} else if len(scripts) > 1 {
		f.end, scripts = scripts[len(scripts)-1:], scripts[:len(scripts)-1]
	}
	f.process = scripts
	return f.run(rt, f.begin, nil)
}

func (f *forEachObject) run(rt cmdlet.Runtime, blocks []cmdlet.ScriptBlock, in object.Value) error {
	f.rt = rt
	for _, b := range blocks {
		if err := b.Invoke(in, nil, f.out); err != nil {
			return err
		}
	}
	return nil
}

func (f *forEachObject) Process(rt cmdlet.Runtime, args *cmdlet.Args) error {
	in, _ := input(args)
	if f.member != nil {
		if in == nil {
			return nil
		}
		v, ok := f.member.Get(in)
		if !ok {
			return nil
		}
		return writeAll(rt, v)
	}
	return f.run(rt, f.process, in)
}

func (f *forEachObject) End(rt cmdlet.Runtime, args *cmdlet.Args) error {
	return f.run(rt, f.end, nil)
}
