// Package sdk is how pinsh plugins are written: cmdlets in Go, compiled to
// WebAssembly, that pinsh loads from its plugin directories and runs in a
// sandbox. A plugin declares its cmdlets and their parameters as Go values,
// implements Begin, Process and End, receives typed objects and calls pinsh's
// services through typed functions. It never sees the binary interface
// underneath (documented in ABI.md for the curious and for other languages).
//
// # A cmdlet from nothing
//
// This tutorial builds Get-CsPinAge, which tells how many days ago each
// user's PIN changed, from an empty directory to a running cmdlet.
//
// 1. Create the plugin's package. Inside the pinsh repository that is a
// directory under plugins/; elsewhere, any Go module that requires pinsh.
// A plugin is a main package with an empty main function (pinsh never runs
// it) and an init function that registers the plugin:
//
//	// Command pinage is the Get-CsPinAge plugin.
//	package main
//
//	import (
//		"time"
//
//		"pinsh/sdk"
//	)
//
//	func main() {}
//
//	func init() {
//		sdk.Register(sdk.Plugin{
//			Name:    "pinage",
//			Version: "1.0.0",
//			// What the plugin may ask of pinsh: resolving identities and
//			// reading PIN state. The administrator sees this list when
//			// installing the plugin.
//			Capabilities: []string{sdk.CapDirectoryRead, sdk.CapPinRead},
//			Cmdlets: []sdk.Cmdlet{{
//				Name:     "Get-CsPinAge",
//				Synopsis: "Shows how many days ago each user's PIN changed.",
//				Params: []sdk.Param{{
//					Name: "Identity", Kind: sdk.KindString,
//					Mandatory: true, Position: 1,
//					FromPipeline: true, FromPipelineByName: true,
//					Help: "The user, in any identity form.",
//				}},
//				OutputType: pinAge.Name(),
//				ReadOnly:   true, // it changes nothing (see below)
//				New:        func() sdk.Command { return &getAge{} },
//			}},
//		})
//	}
//
// The parameter metadata is exactly what pinsh's own cmdlets declare:
// pinsh binds arguments and pipeline input with it, converts values to the
// declared [Kind], prompts for mandatory parameters, and shows it in
// Get-Help and completion. FromPipeline and FromPipelineByName make both
// `Get-CsPinAge kenmyer` and `Get-CsUser | Get-CsPinAge` work (a Get-CsUser
// object binds through its Identity property). Position counts from 1, as
// Get-Help shows it; 0 means the parameter is named only.
//
// 2. Declare the output type once, as a package variable, so that its
// definition crosses into pinsh once per pipeline stage rather than with
// every object:
//
//	var pinAge = sdk.NewType("Pinsh.Samples.PinAge",
//		sdk.P("Identity", sdk.KindString),
//		sdk.P("Days", sdk.KindInt),
//	)
//
// 3. Implement the command. [Base] provides Begin, Process and End that do
// nothing; override what you need. Process runs once per input object
// (once without input when the cmdlet starts a pipeline). Parameters bound
// from the current object are already in the [Context]:
//
//	type getAge struct{ sdk.Base }
//
//	func (g *getAge) Process(c *sdk.Context) error {
//		id := c.String("Identity")
//		users, err := c.ResolveUsers(id)
//		if err != nil {
//			c.WriteError(err, id) // non-terminating: go on with the next object
//			return nil
//		}
//		if len(users) == 0 {
//			c.WriteError(sdk.NotFound(id), id)
//			return nil
//		}
//		for _, u := range users {
//			info, err := c.PinInfo(u)
//			if err != nil {
//				c.WriteError(err, u.SipAddress)
//				continue
//			}
//			var days any // $null when the PIN never changed
//			if t := info.LastPinChangeTime; t != nil {
//				days = int64(time.Since(*t).Hours() / 24)
//			}
//			c.WriteObject(pinAge.New(u.SipAddress, days))
//		}
//		return nil
//	}
//
// When a cmdlet needs the PIN state of the users an identity names,
// [Context.PinInfoFor] does ResolveUsers and PinInfo in one call to pinsh,
// which is several times cheaper per object (Get-CsClientPinInfo uses it);
// and [Context.WriteNew] writes an object without creating it first:
//
//	infos, err := c.PinInfoFor(id)
//	...
//	for _, info := range infos {
//		if info.Err != nil { // pinsh would not read this user's PIN state
//			c.WriteError(info.Err, info.Identity)
//			continue
//		}
//		c.WriteNew(pinAge, info.Identity, days(info.LastPinChangeTime))
//	}
//
// Errors follow PowerShell's rules: [Context.WriteError] reports a
// non-terminating error for the current object and the command goes on; an
// error returned from Begin, Process or End ends the stage (a terminating
// error). A panic ends the stage too, with the panic's message. Host services
// return [*Error] values carrying PowerShell's category and an identifier;
// pass them to WriteError as they are.
//
// A cmdlet that changes something sets SupportsShouldProcess (pinsh then adds
// -WhatIf and -Confirm) and asks before each change:
//
//	if !c.ShouldProcess(u.SipAddress, "") { // "" means the cmdlet's name
//		continue
//	}
//
// pinsh prints the "What if:" line or the confirmation prompt; the plugin
// only obeys the answer.
//
// A cmdlet that only reads, as Get-CsPinAge does, sets ReadOnly in its
// declaration. pinsh may then hand it up to 64 input objects per call into
// the plugin (after Get-CsUser, say), which saves about a microsecond per
// object; Process still sees one object at a time, in order. pinsh holds
// the cmdlet to it: ShouldProcess, SetPin, GeneratePin, Lock and Unlock end
// a read-only cmdlet's stage with an error.
//
// 4. Build it for WebAssembly, as a reactor module:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o pinage.wasm ./plugins/pinage
//
// In the pinsh repository, `make plugin NAME=pinage` does the same into
// bin/plugins/, then copies the manifest into the module (go run
// ./scripts/embedmanifest FILE.wasm), so that pinsh finds the new plugin
// without running it; without that step the plugin works the same and is
// asked for its manifest once. Keep plugins lean: every MiB of module costs about a quarter
// of a second to compile once (at installation, or at its first use) and
// some ten milliseconds to load at each start; fmt, encoding/json,
// reflection and regexp are large.
//
// 5. Install it: put pinage.wasm in the plugins directory next to the pinsh
// binary, in your own plugin directory (Install-CsPlugin -Path pinage.wasm
// copies it there after showing the capabilities it asks for, and compiles
// it into pinsh's cache), or in a directory listed in PINSH_PLUGIN_PATH.
// pinsh checks it and reads its declarations once, and compiles it when a
// command first uses it; then:
//
//	PS> Get-CsUser -OU "OU=Finance,DC=litwareinc,DC=com" | Get-CsPinAge
//
// # What a plugin can and cannot do
//
// A plugin runs in a WebAssembly sandbox inside pinsh: it has no file
// system, no network, no environment variables and no arguments; its memory
// is capped (64 MiB by default); its clock and random numbers are the real
// ones. It reaches users and PINs only through the [Context] methods, each of
// which needs a capability the plugin requested and the administrator
// granted, and each of which pinsh authorises for the operator running the
// command, the cmdlet and the target user, and records in the audit trail
// when it changes something. A plugin that loops forever is stopped by the
// command's deadline or Ctrl-C; one that crashes or runs out of memory ends
// its pipeline stage with an error naming it, and pinsh carries on.
//
// # Speed
//
// Every object crossing into or out of a plugin is encoded, and Go compiled
// to WebAssembly runs five to ten times slower than native Go: a function
// call costs tens of nanoseconds and an allocation half a microsecond or
// more. The SDK avoids both on the usual paths (strings are views of the
// messages, service results come from slabs, objects received are decoded
// only when read); a plugin should likewise declare its output types once
// ([NewType]), prefer the typed results of the services ([User],
// [PinInfo]) to generic objects, use [Context.PinInfoFor] and
// [Context.WriteNew] on per-object paths, and not allocate per object what
// can be reused.
//
// # Compatibility
//
// The interface between plugins and pinsh is versioned on its own (ABI 1),
// apart from pinsh's releases: a plugin built with this SDK (ABI 1.1)
// runs on every pinsh that speaks ABI 1.1 or a later 1.x; one built for ABI
// 1.0 runs on every pinsh that speaks ABI 1.
package sdk
