#!/usr/bin/python3
"""Does the core stall? Latency of `status` while the core is busy.

Runs as root in a network namespace it creates and removes, with the real
backend (the firewall benchmark's namespace and configuration: 2,000 rules,
200 port forwards, country aliases of 200,000 CIDRs). Measured, each as
p50 / p99 / max of `status` answers, one call after the other, by two
clients at once: over the control socket (no process start), and
`GET /api/v1/status` through difosd-web (TLS, keep-alive, an API token,
from inside the namespace), RUNS times:

 1. idle: nothing else happens;
 2. during a full apply: from the empty configuration to the large one
    (`difosctl apply`, seconds of nft transaction and set loading);
 3. while CLIENTS clients call `GET /api/v1/dashboard` as fast as they can
    (wrk, keep-alive, in its own process).

Also reported: the wall time of `difosctl status` (process start included)
in each situation, and difosd's RSS before, right after, and one second
after the full apply (malloc_trim). The anchor is the idle figure of the
same run: the ratios say how much a busy core delays an answer.
Reported, not asserted.
"""
import http.client, json, os, socket, statistics, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import firewall_bench as fb  # noqa: E402  (namespace, configuration, difosd)
import webclient  # noqa: E402  (sockets inside a namespace)

ROUTER = "192.168.1.1"

RUNS = int(os.environ.get("RUNS", "3"))
CLIENTS = int(os.environ.get("CLIENTS", "50"))
IDLE_S = float(os.environ.get("IDLE_S", "3"))
HAMMER_S = float(os.environ.get("HAMMER_S", "5"))


def call(sock, f, method, params=None, _id=[0]):
    _id[0] += 1
    sock.sendall((json.dumps({"jsonrpc": "2.0", "id": _id[0], "method": method,
                              "params": params or {}}) + "\n").encode())
    line = f.readline()
    if not line:
        raise SystemExit("difosd closed the control socket")
    return json.loads(line)


def connect(dd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.path.join(dd.root, "run/difos/control.sock"))
    return s, s.makefile("r")


class Poller(threading.Thread):
    """Calls status one after the other; keeps (time, latency) pairs."""

    def __init__(self, dd):
        super().__init__(daemon=True)
        self.sock, self.f = connect(dd)
        self.samples = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            t0 = time.monotonic()
            call(self.sock, self.f, "status")
            t1 = time.monotonic()
            self.samples.append((t0, t1 - t0))
            time.sleep(0.005)

    def between(self, a, b):
        return [lat for t, lat in self.samples if a <= t <= b]


class RestPoller(Poller):
    """GET /api/v1/status over one keep-alive TLS connection."""

    def __init__(self, token):
        threading.Thread.__init__(self, daemon=True)
        sock = webclient.ns_connect(fb.NS, ROUTER, 443)
        self.conn = http.client.HTTPSConnection(ROUTER, 443, timeout=60)
        self.conn.sock = webclient.tls_context().wrap_socket(sock, server_hostname=None)
        self.headers = {"Authorization": "Bearer " + token}
        self.samples = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            t0 = time.monotonic()
            self.conn.request("GET", "/api/v1/status", headers=self.headers)
            r = self.conn.getresponse()
            r.read()
            if r.status != 200:
                raise SystemExit("GET /api/v1/status: HTTP %d" % r.status)
            self.samples.append((t0, time.monotonic() - t0))
            time.sleep(0.005)


def hammer(token, seconds):
    """wrk: CLIENTS connections calling the dashboard; returns requests/s."""
    r = fb.nsx(fb.NS, "wrk", "-t2", "-c%d" % CLIENTS, "-d%ds" % max(1, int(seconds)),
               "-H", "Authorization: Bearer " + token,
               "https://%s/api/v1/dashboard" % ROUTER, timeout=seconds + 60)
    for line in r.stdout.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    return float("nan")


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))] if v else float("nan")


def summary(v):
    return {"n": len(v), "p50": pct(v, 50) * 1e3, "p99": pct(v, 99) * 1e3,
            "max": max(v) * 1e3 if v else float("nan")}


def cli_status(dd, n=5):
    out = []
    for _ in range(n):
        t0 = time.monotonic()
        subprocess.run(dd.argv("status"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out.append(time.monotonic() - t0)
    return statistics.median(out) * 1e3


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def difosd_pid(dd):
    r = fb.sh("ip", "netns", "pids", fb.NS)
    for pid in r.stdout.split():
        try:
            if open("/proc/%s/comm" % pid).read().strip() == "difosd":
                return int(pid)
        except OSError:
            pass
    raise SystemExit("no difosd in the namespace")


def measure(dd, token, results):
    big = fb.big_changes()
    pid = difosd_pid(dd)
    for i in range(RUNS):
        dd.stage(fb.EMPTY)
        dd.apply_any()
        dd.stage(big)
        time.sleep(1)
        rss0 = rss_kib(pid)
        poll, rest = Poller(dd), RestPoller(token)
        poll.start()
        rest.start()
        time.sleep(IDLE_S)
        idle_cli = cli_status(dd)
        t_idle_end = time.monotonic()
        # a full apply, with difosctl status started in the middle of it
        cli = []
        ap = subprocess.Popen(dd.argv("apply"), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        t_apply = time.monotonic()
        while ap.poll() is None:
            t0 = time.monotonic()
            subprocess.run(dd.argv("status"), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            if ap.poll() is None:
                cli.append(time.monotonic() - t0)
            time.sleep(0.2)
        t_apply_end = time.monotonic()
        if ap.returncode:
            raise SystemExit("apply failed: %s" % ap.stderr.read()[-2000:])
        rss_after = rss_kib(pid)
        time.sleep(1)
        rss_1s = rss_kib(pid)
        # the dashboard hammered by many clients
        out = {}
        wrk = threading.Thread(target=lambda: out.update(rate=hammer(token, HAMMER_S)))
        t_h = time.monotonic()
        wrk.start()
        time.sleep(1)   # wrk's connections are up
        hammer_cli = cli_status(dd)
        wrk.join()
        t_h_end = time.monotonic() - 0.5
        t_h += 1
        poll.stop.set()
        rest.stop.set()
        poll.join()
        rest.join()
        run = {
            "idle": summary(poll.between(0, t_idle_end)),
            "apply": summary(poll.between(t_apply, t_apply_end)),
            "hammer": summary(poll.between(t_h, t_h_end)),
            "rest_idle": summary(rest.between(0, t_idle_end)),
            "rest_apply": summary(rest.between(t_apply, t_apply_end)),
            "rest_hammer": summary(rest.between(t_h, t_h_end)),
            "apply_s": t_apply_end - t_apply,
            "cli_idle_ms": idle_cli,
            "cli_apply_ms": statistics.median(cli) * 1e3 if cli else float("nan"),
            "cli_hammer_ms": hammer_cli,
            "dashboard_per_s": out.get("rate", float("nan")),
            "rss_kib": (rss0, rss_after, rss_1s),
        }
        results.append(run)
        fb.log("run %d: %s" % (i + 1, json.dumps(run)))


def report(results):
    def med(key, sub):
        return statistics.median(r[key][sub] for r in results)
    for prefix, what in (("", "status over the control socket"),
                         ("rest_", "GET /api/v1/status through difosd-web")):
        print("%s (ms, medians of %d runs):" % (what, len(results)))
        print("| situation | p50 | p99 | max | p99 / idle p99 |")
        print("|---|---|---|---|---|")
        base = med(prefix + "idle", "p99")
        for key, label in (("idle", "idle"), ("apply", "during a full apply (200k elements)"),
                           ("hammer", "%d clients calling the dashboard" % CLIENTS)):
            key = prefix + key
            print("| %s | %.2f | %.2f | %.1f | %.1f× |" % (label, med(key, "p50"),
                  med(key, "p99"), med(key, "max"), med(key, "p99") / base))
        print()
    m = lambda k: statistics.median(r[k] for r in results)  # noqa: E731
    print()
    print("full apply: %.2f s; dashboard calls: %.0f/s" % (m("apply_s"), m("dashboard_per_s")))
    print("difosctl status (process start included): idle %.1f ms, during the apply %.1f ms, "
          "under the dashboard load %.1f ms" % (m("cli_idle_ms"), m("cli_apply_ms"),
                                                m("cli_hammer_ms")))
    rss = [statistics.median(r["rss_kib"][k] for r in results) for k in range(3)]
    print("difosd RSS: before the apply %d KiB, right after %d KiB, one second after %d KiB"
          % tuple(rss))


def main():
    if os.geteuid() != 0:
        sys.exit("bench needs root")
    dd = fb.Difosd()
    gui = tempfile.mkdtemp(prefix="difos-stall-gui-")
    with open(os.path.join(gui, "index.html"), "w") as f:
        f.write("<!doctype html><title>difos</title>")
    dd.extra = ["--gui", gui]
    fb.fresh_ns(fb.NS)
    results = []
    try:
        for dev in ("lan0", "wan0"):
            fb.nsx(fb.NS, "ip", "link", "add", dev, "type", "veth", "peer", "name", dev + "p")
            fb.nsx(fb.NS, "ip", "link", "set", dev + "p", "up")
        n = fb.write_country_lists(os.path.join(dd.root, "var/lib/difos"))
        fb.log("country lists: %d CIDRs" % n)
        dd.start()
        dd.stage([{"path": "wan.ipv4", "value": {"proto": "static", "address": "198.51.100.2",
                                                 "prefix": 24, "gateway": "198.51.100.1",
                                                 "dns": []}}])
        dd.ctl("apply")
        fb.nsx(fb.NS, "ip", "link", "set", "lo", "up")
        webclient.wait_web(fb.NS, ROUTER)
        c = webclient.Client(fb.NS, ROUTER)
        tok = json.loads(dd.ctl("--json", "call", "auth.setup_link").stdout)["token"]
        r = c.api("POST", "/auth/setup", {"token": tok, "password": "stall bench %d" % os.getpid()},
                  csrf="login")
        if r.status != 200:
            raise SystemExit("setup: %r" % r)
        # a read-only token (a build from before scopes takes a name only)
        r = fb.nsx(fb.NS, *dd.argv("--json", "call", "auth.token_create", json.dumps(
            {"name": "bench", "scope": "read-only"})), check=False)
        if r.returncode:
            r = dd.ctl("--json", "call", "auth.token_create", json.dumps({"name": "bench"}))
        token = json.loads(r.stdout)["token"]
        measure(dd, token, results)
        report(results)
    finally:
        dd.stop()
        fb.del_ns(fb.NS)


if __name__ == "__main__":
    main()
