// Package plugin runs pinsh's WebAssembly cmdlet plugins: it finds them,
// validates and caches them, and adapts each plugin cmdlet to the same
// [cmdlet.Command] interface built-ins implement, so that plugin cmdlets go
// through the same engine, binder, -WhatIf/-Confirm handling and error rules.
// Plugins are written with pinsh/sdk; the binary interface between the two
// is sdk/ABI.md (ABI 1, versioned apart from pinsh).
//
// # Wiring
//
//	m, err := plugin.NewManager(plugin.Options{
//		Services:   services,        // host/pin + host/store + host/rbac, see Services
//		Authorizer: decider,         // rbac.Decider; nil allows everything
//	})
//	plugins, errs := m.Discover(ctx) // report errs as warnings: one per unusable file
//	errs = m.Register(registry)      // cmdlet name clashes, one error each
//	...
//	defer m.Close(ctx)
//
// Discover reads the search path ([DefaultSearchPath]: the plugins directory
// next to the executable, the user's plugin directory, PINSH_PLUGIN_PATH).
// A file seen before is known by its size and modification time and its
// manifest comes from the cache: start-up runs no plugin code and compiles
// nothing (0.4-0.6 ms for three plugins, measured). A new file is inspected
// once: instrumented, and its manifest read from its pinsh.manifest section
// ([EmbedManifest]) or, without one, asked for in the sandbox under wazero's
// interpreter (about a quarter of a second; new files are inspected on every
// core at once). The optimizing compiler runs only for a plugin
// that is used, into the file cache ([Manager.Install] compiles at once). The
// registered [cmdlet.Info.New] instantiates the plugin only when a command
// uses it; [Plugin.Prepare] starts loading its code in the background.
//
// The engine drives a plugin cmdlet like any command: Begin, Process per input
// object, End. When it abandons a stage (a downstream terminating error,
// Ctrl-C) it should call Dispose if the command has one
// (interface{ Dispose() }); otherwise the instance is freed when the command
// is garbage collected. Terminating errors are *cmdlet.ErrorRecord values
// wrapping an [*Error] that names the plugin and the cause:
//
//	plugin testplugin was stopped while processing: it ran past its deadline
//	plugin testplugin was stopped while processing: interrupted
//	plugin testplugin crashed while processing: panic: boom in a goroutine (exit code 2)
//	plugin testplugin ran out of memory (limit 64 MiB) while processing: fatal error: out of memory
//	plugin testplugin called resolve_users without the directory.read capability; ...
//	plugin testplugin wrote a malformed object: malformed message at byte 0: unknown value tag 200
//	plugin file /x/y.wasm speaks plugin ABI 2; this pinsh speaks ABI 1 (rebuild the plugin ...)
//	plugin file /x/y.wasm is not a valid WebAssembly module (truncated or corrupt): ...
//
// After any of them the instance is discarded and the next command runs
// normally. A panic inside Begin, Process or End of an SDK plugin is caught
// by the SDK and reported as "panic: ..." (category NotSpecified, id
// PluginPanic).
//
// # The sandbox
//
// One wazero v1.12.0 runtime (optimizing compiler) serves a Manager. Each
// instance gets: no file system, no network, no arguments; an environment
// with only GOGC=400 and GOMEMLIMIT (a Go guest's live heap sits near Go's
// 4 MiB minimum heap goal, so by default it collects after every MiB it
// allocates, and a collection takes tens of ms in WebAssembly); the real
// wall and monotonic clocks (wazero's defaults are fake, and with them a Go
// reactor's GC stops completing, research/wasm-spike.md §5); crypto/rand;
// a sleeper that wakes when the call's context is done; stdout and stderr
// captured into 4 KiB buffers, whose first "panic:" or "fatal error:" line
// explains a crash; a memory cap (Options.MemoryLimit, 64 MiB by default)
// with capacity-from-max and, on Linux, an mmap allocator (each instance's
// memory is its own MAP_NORESERVE mapping, returned to the OS when the
// instance closes: no copying on growth and no 64 MiB of garbage in the Go
// heap after a memory bomb, research/wasm-sandbox-spike.md §4.3). Plugins
// reach users and PINs only through the host functions, each of which checks
// the capability granted to the plugin, asks the [Authorizer] about operator,
// cmdlet and target, and leaves auditing of changes to [Services].
//
// # Why plugins are rewritten to be stoppable
//
// The requirement is that every plugin, first-party or not, can always be
// stopped (deadline, Ctrl-C) without freezing the shell, while a plugin stage
// stays cheap per object. wazero offers WithCloseOnContextDone, which exits
// native code into Go at every loop header: Go guests put a loop in nearly
// every function, and the measured cost is about 29 ns per header, 5-7 times
// slower guests (12 µs per record instead of 2.3). Worse, it checks loop
// headers only: a loop-free recursive module froze the host at its next GC.
// Without it, a spinning guest cannot be stopped and freezes the whole
// process at the next stop-the-world GC.
//
// The research notes compared four ways out (research/wasm-sandbox-spike.md).
// A worker process the host can kill (design C) meets the targets too, but
// costs 27-32 MiB per concurrent plugin, about 30 ms to spawn per stage
// without a pool, and process management. Design D, used here, keeps
// everything in-process with CloseOnContextDone off, and rewrites every module
// when it is first seen (package instrument): a countdown on a new global after
// every loop instruction and at the entry of every function that calls, and
// every 4096 checks a call of the module's own sched_yield import, which this
// package overrides with a stack-based host function that aborts the call when
// its context is done. The deadline and Ctrl-C thus need no watcher goroutine
// and cost nothing per call.
//
// Measured here (2 vCPU, shared with other builds; load average 5-7 during
// most runs, so wall times are up to twice an idle machine's):
//   - the instrumenter handles our 2.4 MB plugins in 23-49 ms each, inserting
//     about 1,110 loop checks and 1,510 entry checks (+2.3% size); output is
//     deterministic and compiles like the input;
//   - every hostile guest in the tests is stopped within the deadline plus
//     a few ms (an endless Go loop, a one-hour sleep, an endless hand-written
//     wasm loop, loop-free recursion, an _initialize that never returns), and
//     the next command works;
//   - a check costs about a nanosecond; the spike measured +0-28% on
//     record-processing paths, against 1.8-6 times with CloseOnContextDone.
//
// The instrumenter is security-critical: it decodes every instruction it
// copies, refuses what it does not understand, refuses modules that would
// reach the counter, and is fuzzed (FuzzInstrument: it never panics, and
// whenever wazero validates the input, it validates the output). If wazero
// ships a cheap native check (wazero#2466, #2525, #2533), switching back means
// turning CloseOnContextDone on and dropping the rewrite, after measuring.
//
// What this does not stop: a guest blocked in a host function that ignores
// the context (ours honour it), and the compilation of a pathological module
// at inspection, which is not bounded (a worker process would bound it; not
// built).
//
// # Caches
//
// Under Options.CacheDir (default os.UserCacheDir()/pinsh):
//   - wazero-<version>-<arch>-<os>/: wazero's compilation cache, keyed by
//     the SHA-256 of the module it is given, the wazero version and the CPU
//     features, so a new module or a new wazero never reuses a stale entry;
//     it holds each plugin's compiled code under its skeleton's key;
//   - modules-v<instrumenter version>-abi<major>/<sha256>.wasm, .manifest,
//     .skel.wasm and .skel: the instrumented module, the manifest, the
//     skeleton and the record of its cache entry, keyed by the SHA-256 of
//     the plugin file; and the index of file sizes and modification times
//     that spares hashing unchanged files at start-up.
//
// Files are written atomically (temporary file and rename), so concurrent
// pinsh processes see whole entries. Within a process, one idle instance per
// plugin is kept after a clean stage, so `foreach` loops over a plugin cmdlet
// do not pay instantiation again.
//
// # Start-up: what a command pays
//
// Measured on the 2-vCPU development VM (load average in brackets; wall
// times vary by a factor of two with the load):
//
//	                                             first session  now
//	warm, pinsh -c 'Get-CsClientPinInfo ...'     84-158 ms      30-40 ms   [1.5-2]
//	  of which loading the compiled code         ~60 ms         16-18 ms
//	  of which instantiation (Go runtime start)  3-4 ms         3-4 ms
//	cold (empty caches, three plugins found)     1.3-1.7 s      0.92-1.01 s [1-2]
//
// Only the plugin a command uses is loaded (checked with strace: one module
// and one compiled file opened). wazero's CompileModule, even on a cache
// hit, decodes and validates the whole module again: about 40 ms for a Go
// plugin, two thirds of a warm start, with no option to skip it. So the
// host hands it a skeleton instead, the module with empty bodies, whose
// key leads to the real compiled code (codecache.go explains how, and why
// a mix-up can only fail, never run wrong code). What a warm start pays now
// is reading the 9.5 MB of compiled code (wazero reads it into fresh
// executable memory, with one small read per function for the offsets, and
// checksums it) and instantiation. The data segments (the Go linker writes
// ~27,800 small ones) are merged by the instrumenter into one or two.
// Overlapping the load with the opening of the store ([Plugin.Prepare])
// would hide at most the 3-5 ms that come before it; the shell does not
// call it for -c. A cold start is the compilation of the plugin used
// (1.7 s of CPU, on both cores), the skeleton's compilation (20-50 ms) and
// the manifests of the new plugins: read from the module's pinsh.manifest
// section when `make plugins` embedded it (scripts/embedmanifest), else by
// running pinsh_describe under the interpreter, about 0.25 s of CPU each
// (1.4-1.6 s for a cold start with three such plugins).
//
// # Crossing costs
//
// Go compiled to WebAssembly runs five to ten times slower than native Go:
// Go's wasm code keeps its locals on a stack in linear memory (every access
// bounds-checked), a function call costs tens of nanoseconds, and an
// allocation in the guest costs 0.5-0.8 µs (measured: a plugin that does
// nothing but allocate one 250-byte object per record takes 0.7 µs more per
// record; GOGC 400 or 1600 makes no difference, so it is mallocgc itself, not
// collections). The safe points of the instrumentation cost nothing
// measurable (the same plugin uninstrumented ran within noise). So the SDK
// decides the crossing cost, and it now:
//   - binds the usual process message (the parameter set "", short strings,
//     objects of known types with simple values) by indexing its bytes
//     instead of going through the general decoder, and keeps string
//     parameters out of interfaces (sdk's bindFast: -0.4 µs per record);
//   - decodes the usual reply of pin_info_for the same way (pinInfoFast),
//     and measures flat objects without a Reader (skipSimple);
//   - hands out service results and received objects from slabs of 32, so
//     that a record costs no allocation of its own;
//   - offers pin_info_for (ABI 1.1: resolve_users and pin_info in one
//     call; the host encodes the reply directly, without building objects)
//     and Context.WriteNew (an object written without being created).
//
// On the host side, the process message buffer is reused (it grew from
// nothing for every record before) and decoded objects are filled in place.
// Measured CPU per record (the plugin's own work, services free); before
// at load 5.7, now at 1.2 (the A/B figures alternate both builds in one
// process, at load 3-4):
//
//	                                              before        now
//	BenchmarkCrossing (10-property user object,    7.0-12.5 µs   6.1-7.1 µs
//	  host encode, guest decode and re-encode,
//	  host decode; 3.7-6.5 µs in alternating
//	  A/B runs against 7.5-11 µs)
//	BenchmarkGetClientPinInfo (identity in, one   17.2 µs       6.4-9.2 µs
//	  PinInfoDetails out; A/B: 15.9 -> 5.9 µs)
//	BenchmarkCallOverhead (a Process call with     1.1-1.5 µs    0.66-1.05 µs
//	  no input, no output)
//
// Roughly half of the crossing is the host's (encoding 0.6-0.9 µs and
// decoding about 1 µs of a 10-property object: mostly allocations, since
// every string and DateTime put in an object.Value is boxed) and half the
// guest's.
//
// # Batches
//
// Entering a Go guest costs about a microsecond (BenchmarkCallOverhead:
// the Go runtime's export entry and exit, and the host's call), so a
// read-only cmdlet (sdk.Cmdlet.ReadOnly, cmdlet.Info.Pure; the host
// functions refuse set_pin, lock, unlock and should_process to it) gets its
// input in batches of up to 64 records or 64 KiB when everything before it
// in the pipeline is pure (cmdlet.Purity): the stage is a cmdlet.Batcher,
// whose Process only encodes the record, and the engine makes it process
// what it holds (Flush) before an earlier command writes an error, a
// warning or a verbose message, or fails. So everything shown comes in the
// order of one object at a time (host/engine's TestBatchingKeepsOrder);
// what a batch changes is only when the plugin does its work. A
// downstream command that stops the pipeline (Select-Object -First) leaves
// the rest of a batch unprocessed, as upstream objects are left unread.
// A batch record also carries the host's word (abi.BatchLastSimple) that
// its last value is an object of a known type with simple values, which the
// guest then binds without walking it (skipSimple was a fifth of the guest's
// work). Measured, wall time per record, medians of 11 runs of 200,000
// records (single runs of one build vary by ±20% on this VM; load 0.7-1.4):
//
//	BenchmarkCrossing (batched)          4.44 µs (3.55-4.80)   5.71 before the flag
//	BenchmarkCrossingOneByOne            6.09 µs (4.84-7.30)
//	BenchmarkCrossingIn (way in only)    1.76 µs (0.92-1.94)
//
// Of a batched record, the host's encoding takes about 0.55 µs, its
// decoding 1 µs (11 allocations: every string and DateTime put in an
// object.Value is boxed) and the guest about 2.5 µs: Go compiled to
// WebAssembly runs this code about 15 times slower than natively (the same
// SDK path natively: 200 ns per record), so the guest's cost is the number
// of Go instructions it runs, which the SDK keeps low.
//
// In `Get-CsUser | Get-CsClientPinInfo | Where-Object {$_.IsPinSet -eq
// $False} | Measure-Object` over the 100,000-user directory (84,909 Lync
// users), the plugin's guest code takes about 30% of the CPU (0.6 s) and
// the host's services for it 10%; the rest is the store's scan (20%),
// Get-CsUser's objects, Where-Object and the garbage collector. The whole
// run went from 14.4-14.8 s (before pin_info_for and the store's cache of
// the users a stream just read) to 2.05-2.47 s at the end of the first
// session and 1.6-1.9 s with batches, the cheaper RBAC decision and
// GOGC=400 (host/cmd/pinsh).
//
// # PIN changes in parallel
//
// Set-CsClientPin on many users must run at the speed of hashing on every
// core while PowerShell's one-object-at-a-time order holds. set_pin validates
// or generates the PIN synchronously (it goes back to the plugin, which
// writes it), and queues the slow hash on one worker per core. From then on,
// outputs of that input object are held; the stage keeps up to Options.Window
// records in flight and, when the window is full, commits the changes of its
// first half in one transaction ([Services.CommitSets]; each user's change
// atomic), then releases their outputs in input order, replacing those of a
// failed change by its error. End commits the rest. ShouldProcess releases
// everything first when it may print or prompt (-WhatIf, -Confirm, the
// preferences), so prompts come after the outputs of earlier objects.
// Measured (BenchmarkBulkSetPin, 1 ms per hash, 2 cores, load average 5-9):
// 10,000 users took 0.98 times the pure parallel hashing time of 10,000 PINs
// (6.1 s against 6.2 s), 4,000 users 1.04 times. With a window of 8 records
// the same 10,000 took 1.43 times: whenever the loaded machine descheduled
// the pipeline's goroutine, the two hash workers ran out of work.
// Re-measured after the crossing work (load average 3.3): 0.74 times for
// 2,000 users. With the real argon2id parameters (37 ms per PIN), pinsh
// spent 37-40 ms of CPU per user on 300 and 1,000 piped users, argon2 being
// 87-93% of the profile; the wall-clock ratio to BenchmarkHashParallel swung
// between 0.75 and 1.6 from run to run on the loaded VM, where the parallel
// benchmark itself got the equivalent of one core.
//
// When a downstream command stops the pipeline early (Select-Object -First),
// changes already committed in the batch stay committed although their
// outputs are not shown; uncommitted ones are dropped.
package plugin
