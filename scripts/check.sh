#!/bin/bash
# make check: every test suite; the closing line sums them up.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0
failed=0
failures=()

run_suite() {
	local name=$1; shift
	local log
	log=$(mktemp)
	echo "== $name"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	# every suite closes with "N passed, N failed" (pytest: "N passed" / "N failed")
	local p f
	p=$(grep -oE '[0-9]+ passed' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
	f=$(grep -oE '[0-9]+ failed' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
	f=${f:-0}; p=${p:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f))
	[ "$rc" -ne 0 ] && failures+=("$name")
	rm -f "$log"
}

make -s asan || { echo "check: build failed"; echo "0 passed, 1 failed"; exit 1; }
make -s build >/dev/null || { echo "check: build failed"; echo "0 passed, 1 failed"; exit 1; }
make -s gui >/dev/null || { echo "check: GUI build failed"; echo "0 passed, 1 failed"; exit 1; }
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
	{ echo "check: cannot install playwright-core"; echo "0 passed, 1 failed"; exit 1; }

B=build-asan
run_suite unit-types  $B/test_types
run_suite unit-store  $B/test_store
run_suite unit-schema $B/test_schema
run_suite unit-engine $B/test_engine
run_suite unit-auth   $B/test_auth
run_suite unit-routes $B/test_routes
run_suite unit-qos    $B/test_qos
run_suite unit-firewall $B/test_firewall
run_suite golden      $B/golden tests/golden
run_suite gui-unit    sh -c 'cd gui && npx vitest run'
run_suite integration env DIFOS_BUILD="$PWD/$B" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration
run_suite fuzz        ./tests/fuzz/run.sh 30

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "failed suites: ${failures[*]}"
fi
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#failures[@]} -eq 0 ]
