package repl

import (
	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

const (
	adUserType  = "Microsoft.Rtc.Management.ADConnect.Schema.ADUser"
	pinInfoType = "Microsoft.Rtc.Management.UserPinService.PinInfoDetails"
)

// testRegistry holds cmdlets shaped like pinsh's real ones, enough for
// completion and masking.
func testRegistry() *cmdlet.Registry {
	reg := cmdlet.NewRegistry()
	none := func() cmdlet.Command { return &cmdlet.Funcs{} }
	identity := cmdlet.Param{Name: "Identity", Kind: object.KindString, Position: 0, Mandatory: true,
		FromPipeline: true, FromPipelineByName: true, Completer: "identity"}
	reg.MustAdd(&cmdlet.Info{Name: "Set-CsClientPin", SupportsShouldProcess: true, New: none,
		Params: []cmdlet.Param{identity,
			{Name: "Pin", Kind: object.KindString, Position: 1, Secret: true},
			{Name: "Force", Kind: object.KindSwitch, Position: -1}}})
	reg.MustAdd(&cmdlet.Info{Name: "Test-CsClientPin", New: none,
		Params: []cmdlet.Param{identity,
			{Name: "Pin", Kind: object.KindString, Position: 1, Secret: true}}})
	reg.MustAdd(&cmdlet.Info{Name: "Get-CsClientPinInfo", SupportsShouldProcess: true, New: none,
		OutputType: pinInfoType, Params: []cmdlet.Param{identity}})
	reg.MustAdd(&cmdlet.Info{Name: "Lock-CsClientPin", SupportsShouldProcess: true, New: none,
		Params: []cmdlet.Param{identity, {Name: "Force", Kind: object.KindSwitch, Position: -1}}})
	reg.MustAdd(&cmdlet.Info{Name: "Get-CsUser", New: none, OutputType: adUserType,
		Params: []cmdlet.Param{
			{Name: "Identity", Kind: object.KindString, Position: 0, FromPipeline: true, Completer: "identity"},
			{Name: "OU", Kind: object.KindString, Position: -1, Completer: "ou"},
			{Name: "Filter", Kind: object.KindString, Position: -1},
			{Name: "LdapFilter", Kind: object.KindString, Position: -1},
			{Name: "ResultSize", Kind: object.KindInt, Position: -1},
			{Name: "UnAssignedUser", Kind: object.KindSwitch, Position: -1},
		}})
	reg.MustAdd(&cmdlet.Info{Name: "Grant-CsPinPolicy", SupportsShouldProcess: true, New: none,
		Params: []cmdlet.Param{identity,
			{Name: "PolicyName", Kind: object.KindString, Position: 1, Completer: "policy"},
			{Name: "PassThru", Kind: object.KindSwitch, Position: -1}}})
	reg.MustAdd(&cmdlet.Info{Name: "Where-Object", Aliases: []string{"where", "?"}, New: none,
		Params: []cmdlet.Param{
			{Name: "FilterScript", Kind: object.KindScriptBlock, Position: 0},
			{Name: "InputObject", Kind: object.KindAny, Position: -1, FromPipeline: true}}})
	reg.MustAdd(&cmdlet.Info{Name: "ForEach-Object", Aliases: []string{"foreach", "%"}, New: none,
		Params: []cmdlet.Param{
			{Name: "Process", Kind: object.KindScriptBlock, Position: 0},
			{Name: "InputObject", Kind: object.KindAny, Position: -1, FromPipeline: true}}})
	reg.MustAdd(&cmdlet.Info{Name: "Sort-Object", Aliases: []string{"sort"}, New: none,
		Params: []cmdlet.Param{{Name: "Property", Kind: object.KindStringList, Position: 0},
			{Name: "Descending", Kind: object.KindSwitch, Position: -1}}})
	reg.MustAdd(&cmdlet.Info{Name: "Export-Csv", New: none,
		Params: []cmdlet.Param{{Name: "Path", Kind: object.KindString, Position: 0},
			{Name: "Encoding", Kind: object.KindString, Position: -1, Values: []string{"utf8", "ascii", "unicode"}},
			{Name: "NoTypeInformation", Kind: object.KindSwitch, Position: -1},
			{Name: "Append", Kind: object.KindBool, Position: -1}}})
	reg.MustAdd(&cmdlet.Info{Name: "Get-Help", Aliases: []string{"help"}, New: none,
		Params: []cmdlet.Param{{Name: "Name", Kind: object.KindString, Position: 0, Completer: "command"},
			{Name: "Full", Kind: object.KindSwitch, Position: -1}}})
	return reg
}
