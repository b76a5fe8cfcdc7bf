#!/bin/bash
# The Debian package of the tree: build-deb/difos_<version>_<arch>.deb.
#
#   scripts/deb.sh        build it unless the one there is of the same tree
#
# The tree (tracked and new files, as git sees them, and the built GUI in
# gui/dist) is copied to build-deb/src and dpkg-buildpackage runs there, so
# the work tree gets none of debhelper's files and the package lands in a
# known folder. The tree's hash is kept beside the package: a second run on
# an unchanged tree does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$PWD/build-deb
die() {
	echo "deb: $*" >&2
	exit 1
}

[ -f gui/dist/index.html ] || die "gui/dist is missing: run make gui (make deb does)"
command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
	die "dpkg-dev and debhelper are missing (scripts/install-deps.sh installs them)"

version=$(dpkg-parsechangelog -l debian/changelog -S Version)
arch=$(dpkg-architecture -q DEB_HOST_ARCH)
deb=$OUT/difos_${version}_${arch}.deb

# The files that make the package, in a stable order: tracked and untracked
# (not ignored) ones that exist, and the GUI's build.
tree_files() {
	{
		git ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done
		find gui/dist -type f -print0
	} | sort -z
}
hash=$(tree_files | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)

if [ -f "$deb" ] && [ "$(cat "$OUT/tree.sha256" 2>/dev/null)" = "$hash" ]; then
	echo "deb: $deb is of this tree"
	exit 0
fi

mkdir -p "$OUT"
rm -rf "$OUT/src" "$OUT"/difos_* "$OUT"/difos-dbgsym_* "$OUT/tree.sha256"
mkdir "$OUT/src"
tree_files | tar --null -T - -cf - | tar -C "$OUT/src" -xf -

start=$(date +%s)
echo "deb: building $deb"
(cd "$OUT/src" && dpkg-buildpackage -us -uc -b) >"$OUT/build.log" 2>&1 ||
	die "dpkg-buildpackage failed: $(tail -20 "$OUT/build.log")"
[ -f "$deb" ] || die "dpkg-buildpackage made no $deb (see $OUT/build.log)"
rm -rf "$OUT/src"
echo "$hash" >"$OUT/tree.sha256"
echo "deb: $deb built in $(($(date +%s) - start)) s"
