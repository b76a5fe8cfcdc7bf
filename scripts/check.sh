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

# suites of `meson test`, counted from its log (a unit test file counts its functions)
run_meson() {
	local name=$1 dir=$2; shift 2
	run_suite "$name" sh -c 'd=$1; shift; meson test -C "$d" --no-rebuild --print-errorlogs "$@";
		rc=$?; /usr/bin/python3 scripts/meson-count.py "$d/meson-logs/testlog.json"; exit $rc' \
		sh "$dir" "$@"
}

# The PBX engine root, cached outside the tree (instant once built). The PBX
# tests need it and fail without it: a failure to build it counts.
if ! ./scripts/pbx-rootfs.sh; then
	echo "check: the PBX engine root cannot be built (the PBX tests will fail)"
	failed=$((failed + 1)); failures+=(pbx-root)
fi

# The Debian 12 tree of the package test (tests/integration/test_package.py),
# downloaded while the first suites run; the test waits for it (the script
# holds a lock while it builds) and fails if it cannot be made.
./scripts/deb-tree.sh >/dev/null 2>&1 &

B=build-asan
run_meson   unit        $B --suite unit
run_meson   golden      $B --suite golden
run_suite   gui-unit    sh -c 'cd gui && npx vitest run'
run_suite   integration env DIFOS_BUILD="$PWD/$B" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration
make -s fuzz-build >/dev/null || { echo "check: fuzz build failed"; failed=$((failed + 1)); failures+=(fuzz-build); }
run_meson   fuzz        build-fuzz --suite fuzz

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "failed suites: ${failures[*]}"
fi
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#failures[@]} -eq 0 ]
