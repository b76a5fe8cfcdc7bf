#!/usr/bin/python3
"""dnsmasq's health step with 9,999 static leases, for a change dnsmasq re-reads.

Runs difosd (real backend, --debug) in a network namespace it creates,
applies 9,999 static leases, then RUNS (5) times changes one lease's
hostname (dnsmasq re-reads its files on SIGHUP) and applies. Prints the
wall time of each apply and the "health" step of its `apply: timings:` log
line: the time until dnsmasq answered for the new configuration. A health
step of a millisecond or less means the check was answered before the
re-read. Reported, not asserted.
"""
import json, os, re, subprocess, sys, tempfile, time, shutil
BUILD = os.environ.get("DIFOS_BUILD", os.path.join(os.path.dirname(__file__), "..", "build"))
RUNS = int(os.environ.get("RUNS", "5"))
NS = "difos-dns-bench-%d" % os.getpid()
def sh(*a, **kw):
    r = subprocess.run(a, capture_output=True, text=True, **kw)
    if r.returncode: sys.exit("%s: %s %s" % (a[:6], r.stdout[-300:], r.stderr[-300:]))
    return r
def ctl(root, *a, **kw): return sh("ip", "netns", "exec", NS, BUILD + "/difosctl", "--root", root, *a, **kw)
if os.geteuid() != 0:
    sys.exit("bench needs root")
root = tempfile.mkdtemp(prefix="difos-dns-bench-"); os.chmod(root, 0o755)
sh("ip", "netns", "add", NS)
try:
    sh("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up")
    for d in ("lan0", "wan0"):
        sh("ip", "netns", "exec", NS, "ip", "link", "add", d, "type", "veth", "peer", "name", d + "p")
        sh("ip", "netns", "exec", NS, "ip", "link", "set", d + "p", "up")
    log = os.path.join(root, "d.log")
    p = subprocess.Popen(["ip", "netns", "exec", NS, BUILD + "/difosd", "--root", root, "--debug"], stdout=open(log, "w"), stderr=subprocess.STDOUT)
    ctl(root, "wait", "--timeout", "20")
    leases = [{"id": i + 1, "mac": "02:00:%02x:%02x:%02x:%02x" % (i >> 24 & 255, i >> 16 & 255, i >> 8 & 255, i & 255),
               "ip": "10.1.%d.%d" % (i // 250, i % 250 + 1), "hostname": "h%d" % i} for i in range(9999)]
    ctl(root, "call", "config.set", "-", input=json.dumps({"changes": [
        {"path": "wan.ipv4", "value": {"proto": "static", "address": "198.51.100.2", "prefix": 24, "gateway": "198.51.100.1", "dns": []}},
        {"path": "lan.ipv4", "value": {"address": "10.0.0.1", "prefix": 8}},
        {"path": "lan.dhcp.start", "value": "10.0.0.100"},
        {"path": "dhcp.static_leases", "value": leases}]}))
    ctl(root, "apply")
    for i in range(RUNS):
        # one lease's hostname: dnsmasq re-reads its files (SIGHUP)
        ctl(root, "set", "dhcp.static_leases[1].hostname", "x%d" % i)
        t0 = time.monotonic(); ctl(root, "apply"); print("apply %.1f ms" % ((time.monotonic() - t0) * 1000))
    p.terminate(); p.wait(10)
    for m in re.findall(r"health ([\d.]+) ms", open(log).read())[-RUNS:]:
        print("health", m, "ms")
finally:
    subprocess.run(["ip", "netns", "del", NS]); shutil.rmtree(root, ignore_errors=True)
