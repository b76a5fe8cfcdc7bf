#!/bin/bash
# The PBX engine root: a Debian sid tree holding Asterisk (Debian 12 has no
# Asterisk, and sid's packages need sid's libc), built once by mmdebstrap into
# a cache outside the work tree and then only read. difos-engine-exec chroots
# into it to run the engine.
#
#   scripts/pbx-rootfs.sh            build it unless it is already there
#   DIFOS_PBX_ROOT=DIR               where it lives (default /var/cache/difos/pbx-root)
#
# The tree is built in a temporary folder beside its final place and renamed
# into place only when complete, so an interrupted run never leaves a tree
# that looks finished. The stamp file at its top records the package list and
# the installed Asterisk version; a second run with the same list does nothing.
set -euo pipefail

ROOT=${DIFOS_PBX_ROOT:-/var/cache/difos/pbx-root}
SUITE=sid
# sip-tester: sid's SIPp 3.8 speaks TLS (Debian 12's 3.6 does not); the tests
# run it from this tree for TLS registrations. libnss-myhostname: the host
# name resolves to the host's own addresses without asking any DNS (RTCP
# looks it up on every call with RTP bound to all addresses).
PACKAGES="asterisk asterisk-core-sounds-en-gsm sip-tester libnss-myhostname"
STAMP_NAME=difos-pbx-root.stamp

die() {
	echo "pbx-rootfs: $*" >&2
	exit 1
}

# The same list in the same order always gives the same stamp line.
want_line="packages: $(echo "$PACKAGES" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"

if [ -f "$ROOT/$STAMP_NAME" ] && grep -qxF "$want_line" "$ROOT/$STAMP_NAME"; then
	echo "pbx-rootfs: $ROOT is up to date ($(grep '^asterisk: ' "$ROOT/$STAMP_NAME"))"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "building $ROOT needs root (mmdebstrap, chroot)"
command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (scripts/install-deps.sh installs it)"

# The Debian mirror the host itself uses: the first URI of the main archive in
# deb822 sources, else the first plain "deb" line.
host_mirror() {
	local f=/etc/apt/sources.list.d/debian.sources
	if [ -f "$f" ]; then
		awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f"
		return
	fi
	[ -f /etc/apt/sources.list ] &&
		awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($i !~ /security/) { print $i; exit } break } }' \
			/etc/apt/sources.list
}
MIRROR=$(host_mirror || true)
[ -n "$MIRROR" ] || die "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"

parent=$(dirname "$ROOT")
base=$(basename "$ROOT")
mkdir -p "$parent"

# One builder at a time; under the lock, any temporary tree left is from an
# interrupted run and goes.
exec 9>"$parent/.$base.lock"
flock 9
if [ -f "$ROOT/$STAMP_NAME" ] && grep -qxF "$want_line" "$ROOT/$STAMP_NAME"; then
	echo "pbx-rootfs: $ROOT is up to date (built meanwhile)"
	exit 0
fi
rm -rf "$parent/.$base.build."*

tmp=$(mktemp -d "$parent/.$base.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "pbx-rootfs: building $ROOT from $SUITE at $MIRROR ($PACKAGES); this takes a few minutes"
start=$(date +%s)

# The archive may be a frozen snapshot whose Release files have expired.
mmdebstrap --variant=apt --include="$(echo "$PACKAGES" | tr ' ' ',')" \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
	--quiet "$SUITE" "$tmp" "$MIRROR" ||
	die "mmdebstrap failed for $SUITE at $MIRROR"

# Names: the host's own from itself (myhostname), never from a DNS server
# (RTCP's address lookup asked for it, and for A.ROOT-SERVERS.NET, on every
# call); other names (a trunk's host) from the DNS the resolver finds: an
# empty resolv.conf means the local one, the router's dnsmasq.
: >"$tmp/etc/resolv.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$tmp/etc/hosts"
sed -i 's/^hosts:.*/hosts:          files myhostname dns/' "$tmp/etc/nsswitch.conf"
grep -q '^hosts: *files myhostname dns$' "$tmp/etc/nsswitch.conf" ||
	die "cannot make the host name resolve without DNS"
echo difos-pbx >"$tmp/etc/hostname"

# Asterisk runs as its own user and writes below these when they are used.
for d in run/asterisk var/log/asterisk var/lib/asterisk var/spool/asterisk var/cache/asterisk; do
	mkdir -p "$tmp/$d"
done
chroot "$tmp" chown -R asterisk:asterisk /run/asterisk /var/log/asterisk /var/lib/asterisk \
	/var/spool/asterisk /var/cache/asterisk ||
	die "cannot give the asterisk user its directories"

version=$(dpkg-query --admindir="$tmp/var/lib/dpkg" -W -f='${Version}' asterisk) ||
	die "asterisk is not installed in the new tree"
uid=$(chroot "$tmp" id -u asterisk)
{
	echo "$want_line"
	echo "asterisk: $version"
	echo "asterisk-uid: $uid"
	echo "suite: $SUITE"
	echo "mirror: $MIRROR"
	echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$tmp/$STAMP_NAME"
# mktemp made it private; the engine's user must be able to walk it
chmod 755 "$tmp"

# Into place: an older tree (another package list) goes only once the new one
# is complete.
if [ -e "$ROOT" ]; then
	mv "$ROOT" "$tmp.old"
	mv "$tmp" "$ROOT"
	rm -rf "$tmp.old"
else
	mv "$tmp" "$ROOT"
fi
trap - EXIT
echo "pbx-rootfs: $ROOT ready in $(($(date +%s) - start)) s: asterisk $version, $(du -sh "$ROOT" | cut -f1)"
