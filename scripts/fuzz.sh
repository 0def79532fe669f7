#!/usr/bin/env bash
# Runs every fuzz target of the repository for a given time each and prints
# the executions per target.
#
#   scripts/fuzz.sh [FUZZTIME]      e.g. 60s (the default), 10s, 5m, 20000x
#   scripts/fuzz.sh -list           list the targets and exit
#
# A target is every `func FuzzXxx(f *testing.F)` in a _test.go file under
# host/, sdk/, plugins/ and scripts/, found afresh on each run, so new
# targets are fuzzed without editing this script. FUZZ_MATCH=regexp keeps
# only the targets whose "package/FuzzName" matches.
#
# A target that fails leaves its failing input in the package's
# testdata/fuzz/FuzzXxx/ directory (go test does that): commit it as a
# regression seed once the bug is fixed. The script goes on with the other
# targets and exits 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

fuzztime=${1:-60s}
go=${GO:-go}

# targets prints "dir FuzzName" lines, sorted.
targets() {
	grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' host sdk plugins scripts 2>/dev/null |
		sed -E 's|^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($|\1 \2|' |
		sort -u |
		{ if [ -n "${FUZZ_MATCH:-}" ]; then while read -r d n; do
			if [[ "$d/$n" =~ $FUZZ_MATCH ]]; then echo "$d $n"; fi
		done; else cat; fi; }
}

if [ "$fuzztime" = "-list" ]; then
	targets
	exit 0
fi

list=$(targets)
count=$(printf '%s\n' "$list" | grep -c . || true)
if [ "$count" -eq 0 ]; then
	echo "fuzz.sh: no fuzz targets found" >&2
	exit 1
fi
echo "fuzz.sh: $count targets, $fuzztime each"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
summary=""
failed=0
start=$(date +%s)
while read -r dir name; do
	t0=$(date +%s)
	if "$go" test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "./$dir" >"$log" 2>&1; then
		result=ok
	elif grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
		# The fuzzing engine sometimes reports its own -fuzztime deadline
		# as a failure (most often with short times); no input failed.
		result="ok (deadline)"
	else
		result=FAIL
		failed=$((failed + 1))
		echo "--- FAIL: $dir $name"
		tail -n 40 "$log"
	fi
	# The last progress line holds the total: "fuzz: elapsed: 10s, execs: 123 (12/sec), ..."
	execs=$(grep -Eo 'execs: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' || true)
	line=$(printf '%-28s %-22s %12s %5ss %s' "$dir" "$name" "${execs:-?}" "$(($(date +%s) - t0))" "$result")
	echo "$line"
	summary+="$line"$'\n'
done <<<"$list"

echo
echo "fuzz.sh: $count targets in $(($(date +%s) - start))s ($fuzztime each), $failed failed"
printf '%-28s %-22s %12s %6s %s\n' package target executions wall result
printf '%s' "$summary"
[ "$failed" -eq 0 ]
