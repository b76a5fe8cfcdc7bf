#!/bin/bash
# The documents made from the code: docs/api.md (the method table),
# docs/openapi.json and docs/openapi.md.
#   docs.sh BUILD write   rewrites them
#   docs.sh BUILD check   fails (and shows the difference) while one is stale
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1 mode=${2:-check}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/difosd" --print-methods > "$tmp/methods.json"
/usr/bin/python3 scripts/api-md.py "$tmp/methods.json" > "$tmp/api.md"
"$build/difosd" --print-openapi > "$tmp/openapi.json"
/usr/bin/python3 scripts/openapi-md.py "$tmp/openapi.json" > "$tmp/openapi.md"
stale=0
for f in api.md openapi.json openapi.md; do
	if [ "$mode" = write ]; then
		cp "$tmp/$f" "docs/$f"
	elif ! diff -u "docs/$f" "$tmp/$f" > "$tmp/$f.diff"; then
		head -40 "$tmp/$f.diff"
		echo "docs/$f is stale: run make docs"
		stale=1
	fi
done
[ "$mode" = write ] && echo "docs: api.md, openapi.json, openapi.md written"
exit $stale
