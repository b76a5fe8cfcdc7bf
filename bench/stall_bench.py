#!/usr/bin/python3
"""Does the core stall? Latency of `status` while the core is busy.

Runs as root in a network namespace it creates and removes, with the real
backend (the firewall benchmark's namespace and configuration: 2,000 rules,
200 port forwards, country aliases of 200,000 CIDRs). Measured, each as
p50 / p99 / max of `status` answers over the control socket (one client,
one call after the other, no process start), RUNS times:

 1. idle: nothing else happens;
 2. during a full apply: from the empty configuration to the large one
    (`difosctl apply`, seconds of nft transaction and set loading);
 3. while CLIENTS clients call the dashboard as fast as they can (each over
    its own connection to the control socket).

Also reported: the wall time of `difosctl status` (process start included)
in each situation, and difosd's RSS before, right after, and one second
after the full apply (malloc_trim). The anchor is the idle figure of the
same run: the ratios say how much a busy core delays an answer.
Reported, not asserted.
"""
import json, os, socket, statistics, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import firewall_bench as fb  # noqa: E402  (namespace, configuration, difosd)

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


class Hammer(threading.Thread):
    def __init__(self, dd, method):
        super().__init__(daemon=True)
        self.sock, self.f = connect(dd)
        self.method = method
        self.stop = threading.Event()
        self.calls = 0

    def run(self):
        while not self.stop.is_set():
            call(self.sock, self.f, self.method)
            self.calls += 1


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


def measure(dd, results):
    big = fb.big_changes()
    pid = difosd_pid(dd)
    for i in range(RUNS):
        dd.stage(fb.EMPTY)
        dd.apply_any()
        dd.stage(big)
        time.sleep(1)
        rss0 = rss_kib(pid)
        poll = Poller(dd)
        poll.start()
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
        hammers = [Hammer(dd, "dashboard") for _ in range(CLIENTS)]
        t_h = time.monotonic()
        for h in hammers:
            h.start()
        hammer_cli = cli_status(dd)
        time.sleep(HAMMER_S)
        t_h_end = time.monotonic()
        for h in hammers:
            h.stop.set()
        calls = sum(h.calls for h in hammers)
        poll.stop.set()
        poll.join()
        run = {
            "idle": summary(poll.between(0, t_idle_end)),
            "apply": summary(poll.between(t_apply, t_apply_end)),
            "hammer": summary(poll.between(t_h, t_h_end)),
            "apply_s": t_apply_end - t_apply,
            "cli_idle_ms": idle_cli,
            "cli_apply_ms": statistics.median(cli) * 1e3 if cli else float("nan"),
            "cli_hammer_ms": hammer_cli,
            "dashboard_per_s": calls / (t_h_end - t_h),
            "rss_kib": (rss0, rss_after, rss_1s),
        }
        results.append(run)
        fb.log("run %d: %s" % (i + 1, json.dumps(run)))


def report(results):
    def med(key, sub):
        return statistics.median(r[key][sub] for r in results)
    print("status over the control socket (ms, medians of %d runs):" % len(results))
    print("| situation | p50 | p99 | max | p99 / idle p99 |")
    print("|---|---|---|---|---|")
    base = med("idle", "p99")
    for key, label in (("idle", "idle"), ("apply", "during a full apply (200k elements)"),
                       ("hammer", "%d clients calling the dashboard" % CLIENTS)):
        print("| %s | %.2f | %.2f | %.1f | %.1f× |" % (label, med(key, "p50"), med(key, "p99"),
                                                     med(key, "max"), med(key, "p99") / base))
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
        measure(dd, results)
        report(results)
    finally:
        dd.stop()
        fb.del_ns(fb.NS)


if __name__ == "__main__":
    main()
