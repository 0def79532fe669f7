// Package reliability holds pinsh's fault, load and hostile-input tests.
// They run the real pinsh binary (built with its plugins once per test run)
// on stores in temporary directories, and check the store afterwards with
// SQL of their own:
//
//   - crash safety: pinsh is killed with SIGKILL at random points of a bulk
//     `Get-CsUser | Set-CsClientPin`; after each kill the store passes
//     PRAGMA integrity_check, every user has exactly the old or the new PIN
//     state (hash, times, history and audit record together), every PIN the
//     killed process printed is committed and verifies, and running the
//     command again completes the job;
//   - concurrency: four pinsh processes set, lock and unlock PINs and import
//     directory files on one store for a bounded time; none fails with a
//     lock error and none loses an update;
//   - keys and recovery: a missing or wrong PIN key makes setting and
//     verifying PINs fail with a message naming what is missing, and never
//     creates a new key; Backup-CsStore and Restore-CsStore round-trip;
//   - hostile input: malformed scripts, directory files, plugin modules,
//     identities with SQL and LDAP metacharacters, and PINs that are not
//     plain ASCII digits each give a clear error and lose nothing.
//
// The default sizes keep the package within a few minutes on two cores;
// PINSH_STRESS=1 (make stress) runs the full sizes: 10,000 users
// killed at many points, and longer concurrent runs. Each test adds rows to
// the results table that docs/RELIABILITY.md holds: run
// scripts/reliability-table.sh to regenerate it from the tests' own output.
package reliability
