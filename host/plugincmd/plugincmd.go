// Package plugincmd holds the plugin management cmdlets: Get-CsPlugin,
// Install-CsPlugin and Uninstall-CsPlugin. Installing is the grant: the
// cmdlet shows the capabilities a plugin asks for and installs it only when
// the administrator agrees (ConfirmImpact High, so it always asks unless
// -Force or -Confirm:$false says yes in a script).
package plugincmd

import (
	"fmt"
	"strings"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
	"pinsh/host/plugin"
	"pinsh/host/rbac"
	"pinsh/host/store"
)

// Deps is what the cmdlets need.
type Deps struct {
	Manager  *plugin.Manager
	Registry *cmdlet.Registry
	Store    *store.Store
	Decider  rbac.Decider
	// OSAccount is the real OS account, for the audit trail.
	OSAccount string
}

// PluginType is the type of Get-CsPlugin's objects.
var PluginType = object.NewType("Pinsh.Plugin",
	object.P("Name", object.KindString),
	object.P("Version", object.KindString),
	object.P("Cmdlets", object.KindStringList),
	object.P("Capabilities", object.KindStringList),
	object.P("Granted", object.KindStringList),
	object.P("ABI", object.KindString),
	object.P("Hash", object.KindString),
	object.P("Path", object.KindString),
)

func strs(s []string) []object.Value {
	out := make([]object.Value, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// Object returns a plugin's object form.
func Object(p *plugin.Plugin) *object.Object {
	names := make([]string, len(p.Cmdlets))
	for i, c := range p.Cmdlets {
		names[i] = c.Name
	}
	abi := fmt.Sprintf("%d.%d", p.ABI>>16, p.ABI&0xffff)
	return object.New(PluginType, p.Name, p.Version, strs(names), strs(p.Capabilities),
		strs(p.Granted), abi, p.Hash, p.Path)
}

// allowed asks RBAC, through [rbac.Audited] so that a denial is recorded
// with target (a plugin's path or name) as its target, and writes a denial
// as a non-terminating error.
func (d *Deps) allowed(rt cmdlet.Runtime, target string) (bool, error) {
	guard := rbac.Audited{Decider: d.Decider, Log: d.Store, OSAccount: d.OSAccount}
	denial, _ := guard.AuthorizeOn(rt.Context(), rt.Operator(), rt.CommandName(), target)
	if denial == nil {
		return true, nil
	}
	return false, rt.WriteError(cmdlet.NewError(cmdlet.PermissionDenied, "AccessDenied", target, denial))
}

func (d *Deps) audit(rt cmdlet.Runtime, target, action, outcome, detail string) {
	_ = d.Store.AppendAudit(rt.Context(), &store.AuditRecord{Operator: rt.Operator(), OSAccount: d.OSAccount,
		Cmdlet: rt.CommandName(), Target: target, Action: action, Outcome: outcome, Detail: detail})
}

func (d *Deps) get() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Get-CsPlugin",
		Synopsis: "Lists the installed plugins: name, version, cmdlets, capabilities, hash and path.",
		Params: []cmdlet.Param{{Name: "Name", Kind: object.KindString, Position: 0,
			Help: "Only plugins whose name matches (wildcards allowed)."}},
		OutputType: PluginType.Name(),
		Examples:   []cmdlet.Example{{Code: `Get-CsPlugin | Format-Table Name, Version, Cmdlets`}},
		Source:     "builtin",
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				if ok, err := d.allowed(rt, ""); !ok {
					return err
				}
				pattern := a.String("Name")
				for _, p := range d.Manager.Plugins() {
					if pattern != "" && !object.Like(p.Name, pattern, false) {
						continue
					}
					if err := rt.WriteObject(Object(p)); err != nil {
						return err
					}
				}
				return nil
			}}
		},
	}
}

func (d *Deps) install() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Install-CsPlugin",
		Synopsis: "Validates a plugin module and installs it in the user's plugin directory once its capabilities are granted.",
		Description: "The module is checked (WebAssembly, ABI version, manifest, instrumentation) and compiled into the cache " +
			"before anything is copied. The confirmation lists the capabilities the plugin asks for; answering yes grants " +
			"them. A plugin cannot replace a built-in or another plugin's cmdlet. Until a role lists its cmdlets, only " +
			"CsAdministrator and RTCUniversalServerAdmins may run them.",
		Params: []cmdlet.Param{
			{Name: "Path", Kind: object.KindString, Position: 0, Mandatory: true, FromPipelineByName: true,
				Help: "The .wasm module to install."},
			{Name: "Force", Kind: object.KindSwitch, Position: -1,
				Help: "Grants the requested capabilities without asking (for scripts)."},
		},
		SupportsShouldProcess: true,
		ConfirmImpact:         cmdlet.ImpactHigh,
		OutputType:            PluginType.Name(),
		Examples: []cmdlet.Example{{Code: `Install-CsPlugin -Path ./resetvoicemail.wasm`,
			Remark: "Shows the capabilities the plugin asks for, and installs it if you agree."}},
		Source: "builtin",
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				path := a.String("Path")
				if ok, err := d.allowed(rt, path); !ok {
					return err
				}
				p, err := d.Manager.Inspect(rt.Context(), path)
				if err != nil {
					return rt.WriteError(cmdlet.NewError(cmdlet.InvalidData, "PluginInvalid", path, err))
				}
				for _, in := range p.Cmdlets {
					if old, taken := d.Registry.Lookup(in.Name); taken && old.Source != p.Name {
						return rt.WriteError(cmdlet.NewError(cmdlet.ResourceExists, "CmdletTaken", path,
							fmt.Errorf("the plugin %s declares %s, which is already provided by %s; it is not installed",
								p.Name, in.Name, sourceName(old))))
					}
				}
				caps := "no capabilities"
				if len(p.Capabilities) > 0 {
					caps = "the capabilities " + strings.Join(p.Capabilities, ", ")
				}
				target := fmt.Sprintf("%s %s (%s), which asks for %s", p.Name, p.Version, path, caps)
				if !a.Bool("Force") {
					ok, err := rt.ShouldProcess(target, "Install-CsPlugin: grant and install")
					if err != nil || !ok {
						return err
					}
				}
				q, err := d.Manager.Install(rt.Context(), p)
				if err != nil {
					d.audit(rt, p.Name, "InstallPlugin", "Failed", err.Error())
					return rt.WriteError(cmdlet.NewError(cmdlet.InvalidOperation, "InstallFailed", path, err))
				}
				d.audit(rt, q.Name, "InstallPlugin", "Success",
					fmt.Sprintf("version %s, sha256 %s, granted %s", q.Version, q.Hash, strings.Join(q.Granted, ",")))
				for _, err := range q.Register(d.Registry) {
					rt.WriteWarning(err.Error())
				}
				return rt.WriteObject(Object(q))
			}}
		},
	}
}

func sourceName(in *cmdlet.Info) string {
	if in.Source == "" || in.Source == "builtin" {
		return "a built-in cmdlet"
	}
	return "the plugin " + in.Source
}

func (d *Deps) uninstall() *cmdlet.Info {
	return &cmdlet.Info{
		Name:     "Uninstall-CsPlugin",
		Synopsis: "Removes a plugin installed with Install-CsPlugin; plugins shipped with pinsh stay.",
		Params: []cmdlet.Param{{Name: "Name", Kind: object.KindString, Position: 0, Mandatory: true,
			FromPipelineByName: true, Help: "The plugin's name."}},
		SupportsShouldProcess: true,
		ConfirmImpact:         cmdlet.ImpactHigh,
		Examples:              []cmdlet.Example{{Code: `Uninstall-CsPlugin -Name resetvoicemail -Confirm:$false`}},
		Source:                "builtin",
		New: func() cmdlet.Command {
			return &cmdlet.Funcs{OnProcess: func(rt cmdlet.Runtime, a *cmdlet.Args) error {
				name := a.String("Name")
				if ok, err := d.allowed(rt, name); !ok {
					return err
				}
				ok, err := rt.ShouldProcess(name, "Uninstall-CsPlugin")
				if err != nil || !ok {
					return err
				}
				p, err := d.Manager.Uninstall(name)
				if err != nil {
					return rt.WriteError(cmdlet.NewError(cmdlet.InvalidOperation, "UninstallFailed", name, err))
				}
				for _, in := range p.Cmdlets {
					d.Registry.Remove(in.Name)
				}
				d.audit(rt, p.Name, "UninstallPlugin", "Success", "sha256 "+p.Hash)
				return nil
			}}
		},
	}
}

// Register adds the plugin management cmdlets to reg.
func Register(reg *cmdlet.Registry, d *Deps) {
	d.Registry = reg
	for _, in := range []*cmdlet.Info{d.get(), d.install(), d.uninstall()} {
		reg.MustAdd(in)
	}
}
