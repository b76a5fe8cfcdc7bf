#!/bin/sh
# Runs every benchmark; results are reported, not asserted.
set -eu
cd "$(dirname "$0")/.."
/usr/bin/python3 bench/apply_bench.py
# the store after 200 applies: its size, the time of history
/usr/bin/python3 bench/store_bench.py
# dnsmasq's health step after a re-read of 9,999 static leases
/usr/bin/python3 bench/dns_health_bench.py
# the firewall: a large ruleset applied, one-element changes, packet cost (iperf3)
timeout 1800 /usr/bin/python3 bench/firewall_bench.py
# backup and restore of the firewall bench's configuration (10 revisions)
timeout 1800 /usr/bin/python3 bench/backup_bench.py
# intrusion prevention's bans: one element added to a set of 100,000 by
# netlink, flush + add of 100,000, against nft (in a namespace of its own)
/usr/bin/python3 bench/ips_bench.py
# the PBX: one extension added with 1,000 configured (a call up meanwhile),
# calls per second; in the engine root (built once, instant when cached)
if ./scripts/pbx-rootfs.sh; then
	timeout 900 /usr/bin/python3 bench/pbx_bench.py
else
	echo "bench: no PBX engine root (offline?): the PBX bench is skipped"
fi
# the web benchmark loads the GUI from gui/dist and drives Chromium with
# playwright-core from bench/web; both are fetched here when missing
[ -f gui/dist/index.html ] || (cd gui && timeout 600 npm ci --no-audit --no-fund --loglevel=error && timeout 600 npm run build --silent)
[ -d bench/web/node_modules/playwright-core ] || (cd bench/web && timeout 600 npm ci --no-audit --no-fund --loglevel=error) || echo "bench/web: npm ci failed; the GUI load is skipped"
timeout 900 /usr/bin/python3 bench/web_bench.py
# Prometheus /metrics: the render time over the control socket and HTTPS,
# difosd's RSS scraped every second, node_exporter's scrape beside it
timeout 600 /usr/bin/python3 bench/metrics_bench.py
