#!/usr/bin/env bash
# The long reliability runs (make stress): with PINSH_STRESS=1 the crash
# test kills a bulk Set-CsClientPin over a 10,000-user directory at many
# points and the concurrency test runs four pinsh processes for two
# minutes; other packages' Stress/Crash/Concurrency tests run as well.
# Prints each test's results row. Sizes can be changed with
# PINSH_CRASH_USERS, PINSH_CRASH_KILLS and PINSH_CONC_SECONDS.
set -u
cd "$(dirname "$0")/.."
go=${GO:-go}
# grep only filters the verbose output; the status is go test's.
PINSH_STRESS=1 $go test -count=1 -timeout 90m -v -run 'Stress|Crash|Concurren' ./... |
	grep -E '^(--- |ok |FAIL|PASS$|panic)|RESULT \||KNOWN BUG|concurrency:|round [0-9]+:|resume:|_test\.go:[0-9]+: '
exit "${PIPESTATUS[0]}"
