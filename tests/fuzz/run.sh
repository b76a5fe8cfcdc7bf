#!/bin/bash
# Builds the libFuzzer targets with clang and runs each for SECONDS (default 30)
# from the seed corpus. A crash input is kept in tests/fuzz/ as crash-*; add it to
# the corpus once fixed so it stays a regression input.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-30}
out=build-fuzz
mkdir -p "$out"
# the core's sources, and of difosd-web only its framing (no sockets here)
srcs="$(grep -oE "'src/[^']+\.c'" meson.build | tr -d "'" | grep -v -e src/core/main.c -e src/cli/ -e src/web/ | sort -u) src/web/web_frame.c"
pkgs="jansson libuv sqlite3 libnftables libnftnl libmnl libsodium libcrypt"
cflags="-g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -DDIFOS_SOURCE_DATA=\"$PWD/data\" -DDIFOS_DATA_DIR=\"/usr/share/difos\" -Isrc $(pkg-config --cflags $pkgs)"
libs="$(pkg-config --libs $pkgs)"
passed=0; failed=0
for t in document rpc http; do
	if [ ! -x "$out/fuzz_$t" ] || [ -n "$(find src tests/fuzz -newer "$out/fuzz_$t" -name '*.[ch]' | head -1)" ]; then
		# shellcheck disable=SC2086
		clang $cflags -o "$out/fuzz_$t" "tests/fuzz/fuzz_$t.c" $srcs $libs
	fi
	mkdir -p "$out/corpus-$t"
	echo "fuzz_$t: ${secs}s"
	if "$out/fuzz_$t" -max_total_time="$secs" -max_len=8192 -timeout=10 \
		-artifact_prefix=tests/fuzz/ "$out/corpus-$t" "tests/fuzz/corpus/$t" \
		>"$out/fuzz_$t.log" 2>&1; then
		tail -1 "$out/fuzz_$t.log"
		passed=$((passed + 1))
	else
		tail -40 "$out/fuzz_$t.log"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
