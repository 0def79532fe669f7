// Package abi is the contract between pinsh and its WebAssembly plugins:
// ABI 1's version numbers, export and import names, capability names, and
// the primitives of the one binary encoding that carries values across the
// boundary. The host (pinsh/host/plugin) and the SDK (pinsh/sdk) both build
// on it, so there is exactly one definition of the wire format.
//
// Plugin authors never need this package: the SDK hides it. The prose
// specification, with the rationale, is sdk/ABI.md; this package must stay
// in step with it. It depends on nothing but the standard library so that
// it compiles for GOOS=wasip1 and stays small inside every plugin.
package abi

// Major is the ABI major version. A host runs a plugin only when the
// plugin's major version equals the host's; anything that would break a
// built plugin needs a new major version (and a new import module name).
const Major = 1

// Minor is the ABI minor version: additions a plugin may use only when
// the host reports at least this minor version. ABI 1.0 is the first; 1.1
// adds [FuncPinInfoFor]; 1.2 adds [ExportProcessBatch] and the manifest's
// [KeyReadOnly].
const Minor = 2

// Version packs Major and Minor as pinsh_abi_version returns them.
const Version = Major<<16 | Minor

// ImportModule is the wasm import module of the host functions of ABI 1.
// A later major version uses another name ("pinsh_v2"), so that a module
// built for it is refused statically, before it runs.
const ImportModule = "pinsh_v1"

// ImportModulePrefix starts the import module name of every ABI version.
const ImportModulePrefix = "pinsh_v"

// Exports a plugin module provides. All integers are i32 unless noted.
const (
	// ExportVersion: () -> i32, returns [Version].
	ExportVersion = "pinsh_abi_version"
	// ExportBuffer: (size) -> ptr. Returns the address of a guest buffer
	// of at least size bytes, which the host fills before begin and
	// process. The buffer stays valid until the next pinsh_buffer call.
	ExportBuffer = "pinsh_buffer"
	// ExportDescribe: () -> i64, returns ptr<<32 | len of the encoded
	// manifest (see [Manifest] keys).
	ExportDescribe = "pinsh_describe"
	// ExportBegin: (len) -> status. The buffer holds a begin message.
	ExportBegin = "pinsh_begin"
	// ExportProcess: (len) -> status. The buffer holds a process message.
	ExportProcess = "pinsh_process"
	// ExportEnd: () -> status.
	ExportEnd = "pinsh_end"
	// ExportProcessBatch (1.2, optional): (len) -> status. The buffer holds
	// a count, then that many process messages, each preceded by its
	// length (uvarint). The host sends batches only to a cmdlet whose
	// manifest declares it read-only ([KeyReadOnly]).
	ExportProcessBatch = "pinsh_process_batch"
	// ExportStart is the reactor initialiser every module must export.
	ExportStart = "_initialize"
)

// BatchLastSimple is a flag of a batch record (sdk/ABI.md): the record's
// last parameter value is an object of a type defined before, holding only
// null, bool, int, string and DateTime values, so it extends to the end of
// the record.
const BatchLastSimple = 1

// Status values returned by begin, process and end.
const (
	StatusOK = 0
	// StatusFailed: the guest wrote a [WriteFail] record just before
	// returning; the stage ends with that terminating error.
	StatusFailed = 1
)

// Host functions in [ImportModule]. The service functions all have the
// signature (reqPtr, reqLen, outPtr, outCap) -> i32 n: when n >= 0 the
// reply (n bytes) was written at outPtr; when n < 0 the reply (-n bytes)
// did not fit and is held by the host until the guest fetches it with
// [FuncTake]. A reply starts with [ReplyOK] followed by one value, or
// [ReplyError] followed by an error (message, category, id strings).
const (
	// FuncWrite: (kind, ptr, len) -> 0. kind is a Write* constant.
	FuncWrite = "write"
	// FuncShouldProcess: (ptr, len) -> 1 (go ahead) or 0 (skip). The
	// message holds the target and the action, two strings.
	FuncShouldProcess = "should_process"
	// FuncTake: (ptr, cap) -> n. Copies the held reply (n <= cap bytes).
	FuncTake = "take"
	// FuncResolveUsers: identity string -> list of user objects.
	FuncResolveUsers = "resolve_users"
	// FuncPinInfo: user DN -> PinInfoDetails object.
	FuncPinInfo = "pin_info"
	// FuncSetPin: user DN, PIN string or null (generate) -> PIN string.
	FuncSetPin = "set_pin"
	// FuncLock: user DN -> null.
	FuncLock = "lock"
	// FuncUnlock: user DN -> null.
	FuncUnlock = "unlock"
	// FuncPolicy: user DN -> the user's effective PIN policy object.
	FuncPolicy = "policy"
	// FuncPinInfoFor (ABI 1.1): identity string -> list with one entry per
	// user the identity names, in resolve_users order: the user's
	// PinInfoDetails object, or a [TypeServiceError] object when the
	// user's PIN state could not be read (a denial). resolve_users and
	// pin_info in one call.
	FuncPinInfoFor = "pin_info_for"
)

// Kinds of [FuncWrite] records.
const (
	WriteObject   = 0 // one value
	WriteError    = 1 // message, category, id (strings), target (value)
	WriteWarning  = 2 // string
	WriteVerbose  = 3 // string
	WriteProgress = 4 // activity string, done int, total int (-1 unknown)
	WriteFail     = 5 // terminating error: message, category, id strings
)

// Reply status bytes of service functions.
const (
	ReplyOK    = 0
	ReplyError = 1
)

// Capabilities a plugin requests in its manifest and the host grants.
// Every service function checks one of them.
const (
	CapDirectoryRead = "directory.read" // resolve_users
	CapPinRead       = "pin.read"       // pin_info, policy; pin_info_for (with directory.read)
	CapPinWrite      = "pin.write"      // set_pin
	CapPinLock       = "pin.lock"       // lock, unlock
)

// Capabilities lists every capability ABI 1 knows, for validation.
var Capabilities = []string{CapDirectoryRead, CapPinRead, CapPinWrite, CapPinLock}

// Type names of the objects host services return.
const (
	TypeUser    = "Microsoft.Rtc.Management.ADConnect.Schema.OCSADUser"
	TypePinInfo = "Microsoft.Rtc.Management.UserPinService.PinInfoDetails"
	TypePolicy  = "Microsoft.Rtc.Management.WritableConfig.Policy.UserPin.UserPinPolicy"
	// TypeServiceError is an entry of a list reply that failed on its own
	// (ABI 1.1): properties Identity (the user's SIP URI, or DN), Message,
	// Category, ID (strings).
	TypeServiceError = "Pinsh.Plugin.ServiceError"
)

// ManifestSection is the custom section that may carry a module's
// manifest, exactly as pinsh_describe returns it, so that a host reads it
// without running the module. `make plugins` adds it (scripts/embedmanifest,
// from the module's own pinsh_describe); a module without it is asked.
const ManifestSection = "pinsh.manifest"

// Manifest keys. The manifest is one hashtable value (see sdk/ABI.md); a
// reader ignores keys it does not know, so minor versions can add keys.
const (
	KeyABI          = "abi"          // int: Version
	KeyName         = "name"         // string
	KeyVersion      = "version"      // string
	KeyCapabilities = "capabilities" // string list
	KeyCmdlets      = "cmdlets"      // list of hashtables

	KeyCmdletName   = "name"
	KeyAliases      = "aliases"
	KeySynopsis     = "synopsis"
	KeyDescription  = "description"
	KeyParams       = "params"
	KeyDefaultSet   = "defaultSet"
	KeyShouldProc   = "supportsShouldProcess"
	KeyReadOnly     = "readOnly"      // bool (1.2)
	KeyImpact       = "confirmImpact" // int 0..3: None, Low, Medium, High
	KeyOutputType   = "outputType"
	KeyExamples     = "examples" // list of hashtables {code, remark}
	KeyExampleCode  = "code"
	KeyExampleNote  = "remark"
	KeyParamName    = "name"
	KeyParamKind    = "kind" // int, a Kind
	KeyMandatory    = "mandatory"
	KeyPosition     = "position" // int, 0-based; -1 named only
	KeySets         = "sets"
	KeyFromPipeline = "fromPipeline"
	KeyByName       = "fromPipelineByName"
	KeyValues       = "values"
	KeyHelp         = "help"
	KeySecret       = "secret"
)
