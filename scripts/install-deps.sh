#!/bin/sh
# Install the Debian packages listed in debian-packages.txt that are missing.
# Idempotent: does nothing (and needs no network) when all are present.
set -eu
here=$(dirname "$0")
pkgs=$(grep -v '^#' "$here/debian-packages.txt" | grep -v '^$')
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# difosd-web drops to this user (packaging creates it on a real system)
add_web_user() {
	getent passwd difos-web >/dev/null && return 0
	[ "$(id -u)" = 0 ] || { echo "install-deps: user difos-web missing (run as root)" >&2; return 1; }
	useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin difos-web
}
if [ -z "$missing" ]; then
	add_web_user
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# The packages' own services (sshd, hostapd, charon...) must not start: difosd
# and the tests run their engines themselves. policy-rc.d tells invoke-rc.d
# and deb-systemd-invoke so; one already there is left as it is.
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	made_policy=1
fi
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
[ -z "$made_policy" ] || rm -f "$policy"
add_web_user
