#!/usr/bin/python3
"""Apply latency of difosd against dnsmasq alone, and idle RSS.

Runs in a network namespace it creates (dummy lan0/wan0 ports), with the
real backend. For each configuration (defaults; 5,000 static leases and
5,000 hostnames; the defaults with the LAN address moved, which runs the
LAN applier too) it measures:
  - difos: `difosctl apply` of a change that re-renders dnsmasq's main file
    (so dnsmasq restarts), wall time until the call returns;
  - anchor: dnsmasq started alone on the same rendered file, time until it
    answers a DNS query for the router's name.
Prints a table and the ratio difos/anchor. Reported, not asserted.
"""
import json, os, re, shutil, socket, struct, subprocess, sys, tempfile, time

BUILD = os.environ.get("DIFOS_BUILD", os.path.join(os.path.dirname(__file__), "..", "build"))
NS = "difos-bench-%d" % os.getpid()
RUNS = int(os.environ.get("RUNS", "5"))


def sh(*argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode:
        sys.exit("%s: %s%s" % (" ".join(argv[:8]), r.stdout[-500:], r.stderr[-500:]))
    return r


def nsx(*argv, **kw):
    return sh("ip", "netns", "exec", NS, *argv, **kw)


def ctl(root, *args):
    if os.environ.get("BENCH_DEBUG"): print("ctl", args[:2], file=sys.stderr)
    return nsx(os.path.join(BUILD, "difosctl"), "--root", root, *args)


def dns_query(server, name, timeout=0.05):
    q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    q += struct.pack(">HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(q, (server, 53))
        data = s.recv(512)
        return len(data) > 12 and struct.unpack(">H", data[6:8])[0] > 0
    except OSError:
        return False
    finally:
        s.close()


def anchor_start(conf, lan_cidr):
    """dnsmasq alone: seconds from exec to the first answer, in a namespace
    of its own holding a br-lan device with the LAN address."""
    ns = NS + "-anchor"
    sh("ip", "netns", "add", ns)
    try:
        for argv in (("ip", "link", "set", "lo", "up"),
                     ("ip", "link", "add", "br-lan", "type", "veth", "peer", "name", "peer0"),
                     ("ip", "link", "set", "peer0", "up"), ("ip", "link", "set", "br-lan", "up"),
                     ("ip", "addr", "add", lan_cidr, "dev", "br-lan")):
            sh("ip", "netns", "exec", ns, *argv)
        return float(sh("ip", "netns", "exec", ns, "/usr/bin/python3", "-c", ANCHOR_CODE, conf,
                        lan_cidr.split("/")[0]).stdout.strip())
    finally:
        subprocess.run(["ip", "netns", "del", ns])


# run inside the anchor namespace: start dnsmasq, poll DNS until it answers
ANCHOR_CODE = r"""
import socket, struct, subprocess, sys, time
conf = sys.argv[1]
def q():
    m = struct.pack(">HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\x05difos\x03lan\x00" + struct.pack(">HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.005)
    try:
        s.sendto(m, (sys.argv[2], 53)); d = s.recv(512); return struct.unpack(">H", d[6:8])[0] > 0
    except OSError: return False
    finally: s.close()
t0 = time.monotonic()
p = subprocess.Popen(["dnsmasq", "--keep-in-foreground", "--conf-file=" + conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
while not q():
    if time.monotonic() - t0 > 20: break
print(time.monotonic() - t0)
p.terminate(); p.wait()
"""


def median(v):
    v = sorted(v)
    return v[len(v) // 2]


def big_dhcp(n):
    leases = [{"id": i + 1, "mac": "02:00:%02x:%02x:%02x:%02x" % (i >> 24 & 255, i >> 16 & 255, i >> 8 & 255, i & 255),
               "ip": "10.1.%d.%d" % (i // 250, i % 250 + 1), "hostname": "h%d" % i}
              for i in range(n)]
    hosts = [{"id": i + 1, "name": "name%d.example" % i, "ip": "10.200.%d.%d" % (i >> 8, i & 255)} for i in range(n)]
    return leases, hosts


def change_cache_size(root, i):
    # dnsmasq's main file changes, so it restarts
    ctl(root, "set", "dns.cache_size", str(1000 + (i % 2) + 2 * (i // 2) + 1))


def change_lan_address(root, i):
    # the LAN applier moves the bridge's address (netlink), dnsmasq restarts
    ctl(root, "set", "lan.ipv4.address", "192.168.1.%d" % (1 + (i % 2 == 0)))


def bench_config(root, label, setup, change=change_cache_size):
    setup()
    times = []
    for i in range(RUNS):
        change(root, i)
        t0 = time.monotonic()
        ctl(root, "apply")
        times.append(time.monotonic() - t0)
    conf = os.path.join(root, "run/difos/active/dhcp/dnsmasq.conf")
    # the anchor needs the port: stop difos's dnsmasq by disabling nothing; run on a copy
    copy = os.path.join(root, "anchor.conf")
    # same file, but its own pid and lease files (difos's dnsmasq keeps running)
    text = re.sub(r"(?m)^pid-file=.*$", "pid-file=%s/anchor.pid" % root, open(conf).read())
    text = re.sub(r"(?m)^dhcp-leasefile=.*$", "dhcp-leasefile=%s/anchor.leases" % root, text)
    open(copy, "w").write(text)
    return times, copy


def main():
    if os.geteuid() != 0:
        sys.exit("bench needs root")
    root = tempfile.mkdtemp(prefix="difos-bench-")
    os.chmod(root, 0o755)
    sh("ip", "netns", "add", NS)
    proc = None
    try:
        nsx("ip", "link", "set", "lo", "up")
        for d in ("lan0", "wan0"):
            nsx("ip", "link", "add", d, "type", "veth", "peer", "name", d + "p")
            nsx("ip", "link", "set", d + "p", "up")
        # a larger LAN so 5,000 static leases fit
        proc = subprocess.Popen(["ip", "netns", "exec", NS, os.path.join(BUILD, "difosd"), "--root", root],
                                stdout=subprocess.DEVNULL, stderr=open(os.path.join(root, "difosd.log"), "w"))
        ctl(root, "wait", "--timeout", "20")
        ctl(root, "call", "config.set", json.dumps({"changes": [
            {"path": "wan.ipv4", "value": {"proto": "static", "address": "198.51.100.2", "prefix": 24,
                                           "gateway": "198.51.100.1", "dns": []}}]}))
        ctl(root, "apply")
        time.sleep(0.5)
        rss = int([l for l in open("/proc/%d/status" % int(nsx("pgrep", "-f", "difosd --root " + root).stdout.split()[0]))
                   if l.startswith("VmRSS")][0].split()[1])
        results = []

        def defaults():
            pass

        def large():
            leases, hosts = big_dhcp(5000)
            nsx(os.path.join(BUILD, "difosctl"), "--root", root, "call", "config.set", "-",
                input=json.dumps({"changes": [
                    {"path": "lan.ipv4", "value": {"address": "10.0.0.1", "prefix": 8}},
                    {"path": "lan.dhcp.start", "value": "10.0.0.100"},
                    {"path": "dhcp.static_leases", "value": leases},
                    {"path": "dhcp.hostnames", "value": hosts}]}))
            ctl(root, "apply")

        for label, setup, change in (("defaults", defaults, change_cache_size),
                                     ("defaults, LAN address moved", defaults, change_lan_address),
                                     ("5k leases + 5k hostnames", large, change_cache_size)):
            times, conf = bench_config(root, label, setup, change)
            lan = "10.0.0.1/8" if setup is large else "192.168.1.1/24"
            anchors = [anchor_start(conf, lan) for _ in range(RUNS)]
            results.append((label, median(times), median(anchors)))

        print("difosd idle RSS: %d KiB" % rss)
        print("%-28s %12s %14s %8s" % ("configuration", "difos apply", "dnsmasq alone", "ratio"))
        for label, a, b in results:
            print("%-28s %10.1f ms %12.1f ms %7.1fx" % (label, a * 1000, b * 1000, a / b if b else 0))
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
