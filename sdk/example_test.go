package sdk_test

import (
	"time"

	"pinsh/sdk"
)

// pinAge is the output type, declared once.
var pinAge = sdk.NewType("Pinsh.Samples.PinAge",
	sdk.P("Identity", sdk.KindString),
	sdk.P("Days", sdk.KindInt),
)

type getAge struct{ sdk.Base }

// Process runs once per input object.
func (g *getAge) Process(c *sdk.Context) error {
	id := c.String("Identity")
	users, err := c.ResolveUsers(id)
	if err != nil {
		c.WriteError(err, id)
		return nil
	}
	if len(users) == 0 {
		c.WriteError(sdk.NotFound(id), id)
		return nil
	}
	for _, u := range users {
		info, err := c.PinInfo(u)
		if err != nil {
			c.WriteError(err, u.SipAddress)
			continue
		}
		var days any
		if t := info.LastPinChangeTime; t != nil {
			days = int64(time.Since(*t).Hours() / 24)
		}
		c.WriteObject(pinAge.New(u.SipAddress, days))
	}
	return nil
}

// A complete plugin: this is the whole main package of a plugin providing
// Get-CsPinAge (with an empty func main), built with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o pinage.wasm .
func Example() {
	// In a plugin, this call is in func init.
	sdk.Register(sdk.Plugin{
		Name:         "pinage",
		Version:      "1.0.0",
		Capabilities: []string{sdk.CapDirectoryRead, sdk.CapPinRead},
		Cmdlets: []sdk.Cmdlet{{
			Name:     "Get-CsPinAge",
			Synopsis: "Shows how many days ago each user's PIN changed.",
			Params: []sdk.Param{{
				Name: "Identity", Kind: sdk.KindString,
				Mandatory: true, Position: 1,
				FromPipeline: true, FromPipelineByName: true,
				Help: "The user, in any identity form.",
			}},
			OutputType: pinAge.Name(),
			ReadOnly:   true,
			Examples: []sdk.Example{{
				Code:   `Get-CsUser -OU "OU=Finance,DC=litwareinc,DC=com" | Get-CsPinAge`,
				Remark: "Shows the PIN age of every Finance user.",
			}},
			New: func() sdk.Command { return &getAge{} },
		}},
	})
}

// A cmdlet that changes something supports -WhatIf and -Confirm and asks
// before each change; pinsh prints the What if line or the prompt.
func ExampleContext_ShouldProcess() {
	var c *sdk.Context // given to Begin, Process and End
	lockAll := func(users []*sdk.User) {
		for _, u := range users {
			if !c.ShouldProcess(u.SipAddress, "") {
				continue
			}
			if err := c.Lock(u); err != nil {
				c.WriteError(err, u.SipAddress)
			}
		}
	}
	_ = lockAll
}

// Objects whose properties are known only at run time share one type per
// set of property names.
func ExampleBuilder() {
	o := sdk.NewBuilder("").Add("Name", "Ken Myer").Add("Department", "Finance").Object()
	_ = o
}

// getAgeFast is getAge with one call to pinsh per input object
// (PinInfoFor) and no object created per output (WriteNew): several times
// cheaper per object in a long pipeline.
type getAgeFast struct{ sdk.Base }

func (g *getAgeFast) Process(c *sdk.Context) error {
	id := c.String("Identity")
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
		var days any
		if t := info.LastPinChangeTime; t != nil {
			days = int64(time.Since(*t).Hours() / 24)
		}
		c.WriteNew(pinAge, info.Identity, days)
	}
	return nil
}

// Get-CsPinAge written for speed: see getAgeFast.
func ExampleContext_PinInfoFor() {
	var _ sdk.Command = &getAgeFast{}
}
