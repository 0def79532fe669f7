// Command getclientpininfo is the Get-CsClientPinInfo plugin: it reports
// whether users have a PIN, whether it is locked, when it last changed and
// when it expires (../../shared/spec/cmdlets.md §2).
//
// Build: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o getclientpininfo.wasm .
package main

import "pinsh/sdk"

func main() {}

// pinInfoDetails is the output type, with the reference sample's property
// order.
var pinInfoDetails = sdk.NewType("Microsoft.Rtc.Management.UserPinService.PinInfoDetails",
	sdk.P("Identity", sdk.KindString),
	sdk.P("IsPinSet", sdk.KindBool),
	sdk.P("IsLockedOut", sdk.KindBool),
	sdk.P("LastPinChangeTime", sdk.KindDateTime),
	sdk.P("PinExpirationTime", sdk.KindDateTime),
)

func init() {
	sdk.Register(sdk.Plugin{
		Name:         "getclientpininfo",
		Version:      "1.0.0",
		Capabilities: []string{sdk.CapDirectoryRead, sdk.CapPinRead},
		Cmdlets: []sdk.Cmdlet{{
			Name:     "Get-CsClientPinInfo",
			Synopsis: "Returns information about a user's PIN: whether one is set, whether it is locked, when it last changed and when it expires.",
			Description: "The PIN itself can never be read back; an administrator can only reset it with Set-CsClientPin. " +
				"Identity accepts a SIP address, a user principal name, domain\\logon, a display name (with * wildcards) " +
				"or a distinguished name, from the command line or the pipeline (strings, Get-CsUser objects, PinInfoDetails objects).",
			Params: []sdk.Param{{
				Name: "Identity", Kind: sdk.KindString, Mandatory: true, Position: 1,
				FromPipeline: true, FromPipelineByName: true,
				Help: "The user: SIP address, user principal name, domain\\logon, display name (wildcards allowed) or distinguished name.",
			}},
			// The reference cmdlet accepts -WhatIf and -Confirm although it
			// changes nothing; reading needs no confirmation, so it never asks.
			SupportsShouldProcess: true,
			ConfirmImpact:         sdk.ImpactMedium,
			// It only reads, so pinsh may send it input objects in batches.
			ReadOnly:   true,
			OutputType: pinInfoDetails.Name(),
			Examples: []sdk.Example{
				{Code: `Get-CsClientPinInfo -Identity "litwareinc\kenmyer"`, Remark: "Shows Ken Myer's PIN information."},
				{Code: `Get-CsUser | Get-CsClientPinInfo | Where-Object {$_.IsLockedOut -eq $True}`, Remark: "Lists the users whose PIN is locked."},
			},
			New: func() sdk.Command { return &getInfo{} },
		}},
	})
}

type getInfo struct{ sdk.Base }

func (g *getInfo) Process(c *sdk.Context) error {
	id := c.String("Identity")
	// One call resolves the identity and reads every user's PIN state
	// (ResolveUsers and PinInfo per user, only cheaper).
	infos, err := c.PinInfoFor(id)
	if err != nil {
		c.WriteError(err, id)
		return nil
	}
	if len(infos) == 0 {
		c.WriteError(sdk.NotFound(id), id)
		return nil
	}
	for _, info := range infos {
		if info.Err != nil {
			c.WriteError(info.Err, info.Identity)
			continue
		}
		c.WriteNew(pinInfoDetails, info.Identity, info.IsPinSet, info.IsLockedOut,
			info.LastPinChangeTime, info.PinExpirationTime)
	}
	return nil
}
