#!/usr/bin/python3
"""Prometheus /metrics: what a scrape costs difos, against node_exporter.

Builds two network namespaces it creates: the router (difosd with the real
backend, lan0 and wan0 as veth ports) and a LAN client (eth0 192.168.1.50/24
peer of lan0), then:

  1. the render time of the `metrics` method: N calls (1,000) over the
     control socket, one JSON-RPC line each on one connection, timed from
     the request written to the answer read; beside it the same for
     `events.check` (a method that answers a constant), so the difference
     is what rendering the text costs;
  2. the same N scrapes of GET /metrics over HTTPS (keep-alive, a read-only
     API token) from the client namespace, as Prometheus would;
  3. difosd's RSS while /metrics is scraped every second for SCRAPE_SECONDS
     (60), against its RSS before;
  4. the anchor: prometheus-node-exporter (its default collectors) in the
     router namespace on 192.168.1.1:9100, scraped NODE_N (200) times over
     plain HTTP keep-alive from the client namespace, when it is installed.

Median and p99 in milliseconds. Reported, not asserted. Needs root.
Environment: N, NODE_N, SCRAPE_SECONDS, DIFOS_BUILD (build).
"""
import json, os, shutil, socket, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BUILD = os.path.abspath(os.environ.get("DIFOS_BUILD", os.path.join(REPO, "build")))
NS_R = "difos-mb-r-%d" % os.getpid()
NS_C = "difos-mb-c-%d" % os.getpid()
ROUTER = "192.168.1.1"
N = int(os.environ.get("N", "1000"))
NODE_N = int(os.environ.get("NODE_N", "200"))
SCRAPE_SECONDS = int(os.environ.get("SCRAPE_SECONDS", "60"))
NODE_EXPORTER = shutil.which("prometheus-node-exporter") or "/usr/bin/prometheus-node-exporter"

# Run inside the client namespace (the script runs itself there): N GETs on
# one keep-alive connection, the time of each printed as JSON.
CLIENT = r'''
import http.client, json, ssl, sys, time
host, port, path, n, token, tls = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6] == "1"
if tls:
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    c = http.client.HTTPSConnection(host, port, context=ctx, timeout=30)
else:
    c = http.client.HTTPConnection(host, port, timeout=30)
h = {"Authorization": "Bearer " + token} if token != "-" else {}
times, size = [], 0
for i in range(n + 5):
    t0 = time.perf_counter()
    c.request("GET", path, headers=h)
    r = c.getresponse()
    body = r.read()
    dt = time.perf_counter() - t0
    if r.status != 200:
        sys.exit("HTTP %d: %r" % (r.status, body[:200]))
    size = len(body)
    if i >= 5:          # the first ones open the connection
        times.append(dt * 1000)
print(json.dumps({"times": times, "size": size}))
'''


def sh(*argv, timeout=60, check=True, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode:
        raise RuntimeError("%s: exit %d: %s%s" % (" ".join(argv[:8]), r.returncode, r.stdout[-500:],
                                                 r.stderr[-500:]))
    return r


def ctl(root, *args):
    return sh("ip", "netns", "exec", NS_R, os.path.join(BUILD, "difosctl"), "--root", root, *args)


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(q / 100.0 * (len(v) - 1))))]


def summary(label, times, extra=""):
    return "%-44s median %.3f ms, p99 %.3f ms (n=%d)%s" % (label, pct(times, 50), pct(times, 99),
                                                           len(times), extra)


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def control_calls(sock_path, method, n):
    """n calls of method on one connection to the control socket: ms each."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    f = s.makefile("rb")
    times, size = [], 0
    for i in range(n + 5):
        req = (json.dumps({"jsonrpc": "2.0", "id": i + 1, "method": method}) + "\n").encode()
        t0 = time.perf_counter()
        s.sendall(req)
        line = f.readline()
        dt = time.perf_counter() - t0
        ans = json.loads(line)
        if "result" not in ans:
            raise RuntimeError("%s: %s" % (method, ans))
        size = len(line)
        if i >= 5:
            times.append(dt * 1000)
    s.close()
    return times, size


def client_gets(port, path, n, token, tls):
    r = sh("ip", "netns", "exec", NS_C, sys.executable, "-c", CLIENT, ROUTER, str(port), path, str(n),
           token or "-", "1" if tls else "0", timeout=600)
    return json.loads(r.stdout)


def main():
    if os.geteuid() != 0:
        sys.exit("metrics_bench needs root (network namespaces)")
    root = tempfile.mkdtemp(prefix="difos-metricsbench-")
    os.chmod(root, 0o755)
    core = node = None
    made = []
    try:
        for ns in (NS_R, NS_C):
            sh("ip", "netns", "add", ns)
            made.append(ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "link", "add", "lan0", "netns", NS_R, "type", "veth", "peer", "name", "eth0", "netns", NS_C)
        sh("ip", "link", "add", "wan0", "netns", NS_R, "type", "veth", "peer", "name", "wan", "netns", NS_C)
        for dev in ("eth0", "wan"):
            sh("ip", "-n", NS_C, "link", "set", dev, "up")
        sh("ip", "-n", NS_C, "addr", "add", "192.168.1.50/24", "dev", "eth0")
        log = open(os.path.join(root, "difosd.log"), "w")
        core = subprocess.Popen(["ip", "netns", "exec", NS_R, os.path.join(BUILD, "difosd"), "--root", root],
                                stdout=log, stderr=subprocess.STDOUT)
        ctl(root, "wait", "--timeout", "20")
        token = json.loads(ctl(root, "--json", "token-create", "bench", "read-only").stdout)["token"]
        pids = [int(p) for p in sh("ip", "netns", "pids", NS_R).stdout.split()]
        core_pid = [p for p in pids if open("/proc/%d/comm" % p).read().strip() == "difosd"][0]
        sock = os.path.join(root, "run/difos/control.sock")
        t0 = time.monotonic()
        while True:     # difosd-web up
            try:
                client_gets(443, "/metrics", 1, token, True)
                break
            except RuntimeError:
                if time.monotonic() - t0 > 30:
                    raise
                time.sleep(0.3)
        time.sleep(4)   # the traffic sampler's first readings; the firewall's reading started
        lines = []

        m, msize = control_calls(sock, "metrics", N)
        base, _ = control_calls(sock, "events.check", N)
        lines.append(summary("metrics over the control socket", m, ", %d B answer" % msize))
        lines.append(summary("events.check (a constant) over the socket", base))
        lines.append("  render cost (difference of the medians): %.3f ms" % (pct(m, 50) - pct(base, 50)))
        h = client_gets(443, "/metrics", N, token, True)
        lines.append(summary("GET /metrics over HTTPS (keep-alive, token)", h["times"],
                             ", %d B text" % h["size"]))

        rss0 = rss_kib(core_pid)
        rss_max = rss0
        end = time.monotonic() + SCRAPE_SECONDS
        while time.monotonic() < end:
            client_gets(443, "/metrics", 1, token, True)
            rss_max = max(rss_max, rss_kib(core_pid))
            time.sleep(1)
        lines.append("difosd RSS: %s KiB before, %s KiB max and %s KiB after %d s of a scrape a second"
                     % ("{:,}".format(rss0), "{:,}".format(rss_max), "{:,}".format(rss_kib(core_pid)),
                        SCRAPE_SECONDS))

        if os.path.exists(NODE_EXPORTER):
            node = subprocess.Popen(["ip", "netns", "exec", NS_R, NODE_EXPORTER,
                                     "--web.listen-address=%s:9100" % ROUTER],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            t0 = time.monotonic()
            while True:
                try:
                    client_gets(9100, "/metrics", 1, None, False)
                    break
                except RuntimeError:
                    if time.monotonic() - t0 > 15:
                        raise
                    time.sleep(0.3)
            nd = client_gets(9100, "/metrics", NODE_N, None, False)
            lines.append(summary("node_exporter GET /metrics (plain HTTP)", nd["times"],
                                 ", %d B text" % nd["size"]))
            lines.append("node_exporter RSS: %s KiB" % "{:,}".format(rss_kib(node.pid)))
        else:
            lines.append("node_exporter: not installed (prometheus-node-exporter)")
        print("\n".join(lines))
    finally:
        for p in (node, core):
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
        for ns in made:
            sh("ip", "netns", "del", ns, check=False)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
