#!/bin/bash
# The Debian 12 tree the package test installs the .deb into: bookworm with
# apt and systemd (what a real machine has; systemd-analyze verifies the unit
# against the tree's own units) and nothing else, built by mmdebstrap from the host's own apt sources,
# cached in /var/cache/difos and made again each day (its package lists then
# match the mirror's). The test copies it and installs the .deb into the copy
# with apt, so the package's Depends come from the mirror.
#
#   scripts/deb-tree.sh         build it unless today's is there; prints its path
#   DIFOS_DEB_TREE=DIR          where it lives (default /var/cache/difos/bookworm-base)
#
# As scripts/pbx-rootfs.sh: built beside its place, renamed into place when
# complete, one builder at a time.
set -euo pipefail

ROOT=${DIFOS_DEB_TREE:-/var/cache/difos/bookworm-base}
SUITE=bookworm
PACKAGES="systemd"
STAMP_NAME=difos-deb-tree.stamp

die() {
	echo "deb-tree: $*" >&2
	exit 1
}

# The host's sources (main archive, updates, security): the package is built
# against the host's libraries, so the tree must reach the same versions.
sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=/etc/apt/sources.list
[ -f "$sources" ] || die "no apt sources on the host (/etc/apt/sources.list.d/debian.sources)"
# man pages stay: the package's are checked there
DPKGOPTS="--dpkgopt=path-exclude=/usr/share/locale/*"
want_line="suite: $SUITE packages: $PACKAGES options: $DPKGOPTS day: $(date -u +%F) sources: $(grep -v '^#' "$sources" | sha256sum | cut -c1-16)"

if [ -f "$ROOT/$STAMP_NAME" ] && grep -qxF "$want_line" "$ROOT/$STAMP_NAME"; then
	echo "$ROOT"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "building $ROOT needs root (mmdebstrap, chroot)"
command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (scripts/install-deps.sh installs it)"

parent=$(dirname "$ROOT")
base=$(basename "$ROOT")
mkdir -p "$parent"
exec 9>"$parent/.$base.lock"
flock 9
if [ -f "$ROOT/$STAMP_NAME" ] && grep -qxF "$want_line" "$ROOT/$STAMP_NAME"; then
	echo "$ROOT"
	exit 0
fi
rm -rf "$parent/.$base.build."*
tmp=$(mktemp -d "$parent/.$base.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
echo "deb-tree: building $ROOT ($SUITE, the host's sources)" >&2

# apt's package lists are kept: the test installs from them without an update.
# The archive may be a frozen snapshot whose Release files have expired.
mmdebstrap --variant=apt --quiet --include="$PACKAGES" \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--skip=cleanup/apt/lists \
	"$DPKGOPTS" \
	"$SUITE" "$tmp" "$sources" >&2 ||
	die "mmdebstrap failed for $SUITE from $sources"
# the packages' services must not start in a tree (no init runs there)
printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
chmod 755 "$tmp/usr/sbin/policy-rc.d"
echo "$want_line" >"$tmp/$STAMP_NAME"
echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$tmp/$STAMP_NAME"
chmod 755 "$tmp"

if [ -e "$ROOT" ]; then
	mv "$ROOT" "$tmp.old"
	mv "$tmp" "$ROOT"
	rm -rf "$tmp.old"
else
	mv "$tmp" "$ROOT"
fi
trap - EXIT
echo "deb-tree: $ROOT ready in $(($(date +%s) - start)) s, $(du -sh "$ROOT" | cut -f1)" >&2
echo "$ROOT"
