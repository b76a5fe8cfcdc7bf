#!/usr/bin/python3
"""The store after many applies: size of config.db and time of `history`.

Runs in a network namespace it creates (dummy lan0/wan0 ports), with the
real backend and the bench configuration (5,000 static leases and 5,000
hostnames, a document of some 490 KB). Applies N times (APPLIES, 200) a
change of dns.cache_size, then reports:
  - the median wall time of `difosctl --json history` (RUNS, 10),
    against `difosctl --json status` as the anchor (same process start,
    socket and JSON, no store);
  - config.db and its WAL while difosd runs, and config.db once it has
    stopped (the last connection checkpoints the WAL).
Reported, not asserted.
"""
import json, os, shutil, subprocess, sys, tempfile, time

BUILD = os.environ.get("DIFOS_BUILD", os.path.join(os.path.dirname(__file__), "..", "build"))
NS = "difos-store-bench-%d" % os.getpid()
APPLIES = int(os.environ.get("APPLIES", "200"))
RUNS = int(os.environ.get("RUNS", "10"))


def sh(*argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode:
        sys.exit("%s: %s%s" % (" ".join(argv[:8]), r.stdout[-500:], r.stderr[-500:]))
    return r


def ctl(root, *args, **kw):
    return sh("ip", "netns", "exec", NS, os.path.join(BUILD, "difosctl"), "--root", root, *args, **kw)


def median_ms(root, *args):
    times = []
    for _ in range(RUNS):
        t0 = time.monotonic()
        ctl(root, *args)
        times.append(time.monotonic() - t0)
    return sorted(times)[len(times) // 2] * 1000


def size(path):
    return os.path.getsize(path) if os.path.exists(path) else 0


def main():
    if os.geteuid() != 0:
        sys.exit("bench needs root")
    root = tempfile.mkdtemp(prefix="difos-store-bench-")
    os.chmod(root, 0o755)
    db = os.path.join(root, "var/lib/difos/config.db")
    sh("ip", "netns", "add", NS)
    proc = None
    try:
        sh("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up")
        for d in ("lan0", "wan0"):
            sh("ip", "netns", "exec", NS, "ip", "link", "add", d, "type", "veth", "peer", "name", d + "p")
            sh("ip", "netns", "exec", NS, "ip", "link", "set", d + "p", "up")
        proc = subprocess.Popen(["ip", "netns", "exec", NS, os.path.join(BUILD, "difosd"), "--root", root],
                                stdout=subprocess.DEVNULL, stderr=open(os.path.join(root, "difosd.log"), "w"))
        ctl(root, "wait", "--timeout", "20")
        leases = [{"id": i + 1, "mac": "02:00:%02x:%02x:%02x:%02x" % (i >> 24 & 255, i >> 16 & 255, i >> 8 & 255, i & 255),
                   "ip": "10.1.%d.%d" % (i // 250, i % 250 + 1), "hostname": "h%d" % i} for i in range(5000)]
        hosts = [{"id": i + 1, "name": "name%d.example" % i, "ip": "10.200.%d.%d" % (i >> 8, i & 255)}
                 for i in range(5000)]
        ctl(root, "call", "config.set", "-", input=json.dumps({"changes": [
            {"path": "wan.ipv4", "value": {"proto": "static", "address": "198.51.100.2", "prefix": 24,
                                           "gateway": "198.51.100.1", "dns": []}},
            {"path": "lan.ipv4", "value": {"address": "10.0.0.1", "prefix": 8}},
            {"path": "lan.dhcp.start", "value": "10.0.0.100"},
            {"path": "dhcp.static_leases", "value": leases},
            {"path": "dhcp.hostnames", "value": hosts}]}))
        ctl(root, "apply")
        doc = len(json.dumps(json.loads(ctl(root, "--json", "get").stdout), separators=(",", ":")))
        t0 = time.monotonic()
        for i in range(APPLIES):
            ctl(root, "set", "dns.cache_size", str(2000 + i % 2))
            ctl(root, "apply")
        took = time.monotonic() - t0
        revs = len(json.loads(ctl(root, "call", "history", "{\"limit\": 100000}").stdout))
        hist = median_ms(root, "--json", "history")
        status = median_ms(root, "--json", "status")
        running = (size(db), size(db + "-wal"))
        proc.terminate()
        proc.wait(20)
        proc = None
        print("document: %d KB of JSON; %d applies in %.1f s (%.0f ms each, set + apply)" %
              (doc // 1024, APPLIES, took, took * 1000 / APPLIES))
        print("revisions in the store: %d" % revs)
        print("difosctl history: %.1f ms (difosctl status: %.1f ms)" % (hist, status))
        print("config.db while running: %.1f MB + WAL %.1f MB; after stop: %.1f MB" %
              (running[0] / 1e6, running[1] / 1e6, size(db) / 1e6))
    finally:
        if proc:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        subprocess.run(["ip", "netns", "del", NS])
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
