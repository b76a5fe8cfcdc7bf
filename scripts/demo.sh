#!/bin/bash
# The demo lab: network namespaces for the router (running difosd), a LAN
# client and a WAN upstream. The host joins the router's LAN through a veth
# (difos-demo, 192.168.1.250/24). `demo.sh stop` removes all of it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=/var/tmp/difos-demo
B=$PWD/build
NS_R=difos-router NS_C=difos-lan NS_W=difos-wan

stop() {
	for f in "$ROOT"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
	done
	sleep 0.5
	for ns in $NS_R $NS_C $NS_W; do
		ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null || true
		ip netns del $ns 2>/dev/null || true
	done
	ip link del difos-demo 2>/dev/null || true
	rm -rf "$ROOT"
	echo "demo stopped"
}

start() {
	[ "$(id -u)" = 0 ] || { echo "make demo needs root (network namespaces)"; exit 1; }
	stop >/dev/null
	mkdir -p "$ROOT"
	chmod 755 "$ROOT"
	for ns in $NS_R $NS_C $NS_W; do
		ip netns add $ns
		ip -n $ns link set lo up
	done
	ip link add lan0 netns $NS_R type veth peer name eth0 netns $NS_C
	ip link add wan0 netns $NS_R type veth peer name eth0 netns $NS_W
	ip link add difos-demo type veth peer name lan1 netns $NS_R
	ip -n $NS_C link set eth0 up
	ip -n $NS_W link set eth0 up
	ip -n $NS_W addr add 198.51.100.1/24 dev eth0
	ip link set difos-demo up
	ip addr add 192.168.1.250/24 dev difos-demo

	# the WAN upstream: a DHCP server and a DNS server, like an ISP router
	ip netns exec $NS_W dnsmasq -k --no-resolv --no-hosts --interface=eth0 --bind-interfaces \
		--dhcp-range=198.51.100.10,198.51.100.50,255.255.255.0,1h \
		--dhcp-option=option:router,198.51.100.1 --dhcp-option=option:dns-server,198.51.100.1 \
		--txt-record=upstream.test,"answered by the WAN upstream" \
		--dhcp-leasefile="$ROOT/wan.leases" --pid-file="$ROOT/wan-dnsmasq.pid" \
		>"$ROOT/wan-dnsmasq.log" 2>&1 &

	# the PBX engine root (instant once cached); the demo runs without a PBX if missing
	if ./scripts/pbx-rootfs.sh; then
		pbx="PBX engine root   ${DIFOS_PBX_ROOT:-/var/cache/difos/pbx-root}"
		with_pbx=1
	else
		pbx="PBX engine root   missing (offline?): the demo runs without the PBX"
	fi

	ip netns exec $NS_R "$B/difosd" --root "$ROOT" --gui "$PWD/gui/dist" >"$ROOT/difosd.log" 2>&1 &
	echo $! >"$ROOT/difosd.pid"
	ctl="ip netns exec $NS_R $B/difosctl --root $ROOT"
	$ctl wait --timeout 20
	# the host's veth is a second LAN port
	$ctl set lan.interfaces lan0,lan1 >/dev/null
	$ctl apply --comment "demo: host port on the LAN" >/dev/null

	# two extensions a softphone on the host can register as (PBX on 192.168.1.1)
	if [ -n "${with_pbx:-}" ]; then
		for n in 1001 1002; do
			pw="Demo-$(openssl rand -hex 6)-Phone!"
			if $ctl add extensions.list name=Demo$n number=$n password="$pw" >/dev/null; then
				pbx="$pbx
  extension $n      password $pw   (SIP: 192.168.1.1, UDP 6067, TCP 6068, TLS 6069)"
			fi
		done
		$ctl apply --comment "demo: two extensions" >/dev/null ||
			pbx="$pbx
  (the PBX did not start: see $ROOT/difosd.log)"
	fi

	# the web interface: wait for difosd-web, then the one-time setup link
	for _ in $(seq 50); do
		ip netns exec $NS_R ss -Hltn 'sport = :443' | grep -q . && break
		sleep 0.2
	done
	link=$($ctl setup-link 2>/dev/null || echo "(the password is already set)")
	[ -d gui/dist ] || echo "note: gui/dist is missing (make gui); the API still answers"

	cat <<EOT

difos demo is running.
  web interface      https://192.168.1.1/   (factory certificate: accept it once)
  first-run setup    $link
  router namespace   $NS_R   (difosd log: $ROOT/difosd.log)
  LAN client         $NS_C   (try: ip netns exec $NS_C busybox udhcpc -q -n -i eth0)
  WAN upstream       $NS_W   (198.51.100.1: DHCP and DNS)
  the host is on the LAN as 192.168.1.250 (device difos-demo)
  $pbx

Try:
  $ctl status
  $ctl get lan
  $ctl set lan.dhcp.size 50 && $ctl changes && $ctl apply --confirm 60 && $ctl confirm
  dig @192.168.1.1 difos.lan
Stop with: make demo-stop
EOT
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
*) echo "usage: $0 start|stop"; exit 2 ;;
esac
