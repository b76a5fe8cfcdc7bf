#!/usr/bin/python3
"""Intrusion prevention: how long from a failed login written to the log to
the address in the kernel's set, difos against fail2ban, in one run.

Runs as root in the integration lab's namespaces (tests/integration/
conftest.py): difosd (DIFOS_BUILD, default build/: the release build) in the
router with the real backend, intrusion prevention on for ssh with
ssh_source "file", ssh_log a file of the bench, max_retries 1, ban_time 1h.

LINES failure lines (sshd's "Failed password for root from A port N ssh2"
with a syslog prefix), each from a new address (10.1.x.y: text only, these
addresses never send a packet), appended one at a time (one write()); for
each, the time from just before the write to the kernel's notification that
the element is in a set. The kernel side is read without polling nft: a
small listener in the router's namespace (bench/nft_elem_watch.py) is
subscribed to nftables' netlink notifications and stamps each new set
element with CLOCK_MONOTONIC, the clock the writer stamps with.

Anchor, same namespace, same run, after difos: fail2ban (Debian's package)
as a server of the bench's own (configuration copied from /etc/fail2ban
into a temporary folder, its socket, pid file, database and log there),
its sshd jail on another file of the bench, backend pyinotify, maxretry 1,
bantime 1h, banaction nftables (it runs `nft add element inet f2b-table
addr-set-sshd { A }` for each ban). F2B_LINES lines (fail2ban takes tenths
of a second per ban; 10.2.x.y). Each side gets one line first that is not
timed (fail2ban makes its table on its first ban).

Reported, not asserted.
    LINES=1000 F2B_LINES=200 DIFOS_BUILD=$PWD/build /usr/bin/python3 bench/ips_latency_bench.py
"""
import json, os, shutil, statistics, subprocess, sys, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(os.environ.get("DIFOS_BUILD", os.path.join(HERE, "..", "build")))
os.environ["DIFOS_BUILD"] = BUILD
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import conftest  # noqa: E402

LINES = int(os.environ.get("LINES", "1000"))
F2B_LINES = int(os.environ.get("F2B_LINES", "200"))
TIMEOUT = float(os.environ.get("TIMEOUT", "5"))
WATCH = os.path.join(HERE, "nft_elem_watch.py")
PY = "/usr/bin/python3"
F2B_CLIENT = "/usr/bin/fail2ban-client"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Watch:
    """The netlink listener in the router's namespace: address -> when the
    kernel added it, and which table."""

    def __init__(self, lab):
        self.seen = {}
        self.cond = threading.Condition()
        self.p = subprocess.Popen(["ip", "netns", "exec", lab.router, PY, "-u", WATCH],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  start_new_session=True, text=True)
        lab.procs.append(("nft-watch", self.p))
        if self.p.stdout.readline().strip() != "ready":
            raise SystemExit("the netlink listener did not start")
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        for line in self.p.stdout:
            t, table, set_, addr = line.split()
            with self.cond:
                self.seen.setdefault(addr, (float(t), table, set_))
                self.cond.notify_all()

    def wait(self, addr, timeout):
        end = time.monotonic() + timeout
        with self.cond:
            while addr not in self.seen:
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)
            return self.seen[addr]


def failure_line(addr, port):
    # the current time: fail2ban drops a line older than its find time
    return ("%s gw sshd[%d]: Failed password for root from %s port %d ssh2\n" % (
        time.strftime("%b %e %H:%M:%S"), 2000 + port % 30000, addr, port)).encode()


def addr(net, i):
    return "10.%d.%d.%d" % (net, i // 250, i % 250 + 1)


def measure(watch, path, net, n, table):
    """Appends n failure lines to path, one at a time, each waited for:
    the latencies (s) and the lines whose element never came."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    lat, missed = [], 0
    try:
        for i in range(n + 1):
            a = addr(net, i)
            line = failure_line(a, 40000 + i % 20000)
            t0 = time.monotonic()
            os.write(fd, line)
            # the first line warms up (fail2ban makes its table on its first
            # ban, and its pyinotify backend was seen to take 20 s to notice
            # the first write to the file it had just opened)
            got = watch.wait(a, TIMEOUT if i else 60)
            if got is None:
                missed += 1
                log("%s: no element for %s within %.0f s" % (table, a, TIMEOUT))
                continue
            if got[1] != table:
                raise SystemExit("%s went into %s %s, not %s" % (a, got[1], got[2], table))
            if i:
                lat.append(got[0] - t0)
    finally:
        os.close(fd)
    return lat, missed


def pct(v, p):
    s = sorted(v)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def summary(name, lat, missed):
    if not lat:
        return {"name": name, "n": 0, "missed": missed}
    return {"name": name, "n": len(lat), "missed": missed, "p50": pct(lat, 50),
            "p90": pct(lat, 90), "p99": pct(lat, 99), "max": max(lat),
            "mean": statistics.mean(lat)}


def show(s):
    if not s["n"]:
        return "%s: nothing measured (%d missed)" % (s["name"], s["missed"])
    return "%-8s %5d bans  p50 %8.2f ms  p90 %8.2f ms  p99 %8.2f ms  max %8.2f ms  " \
           "(missed %d)" % (s["name"], s["n"], s["p50"] * 1e3, s["p90"] * 1e3, s["p99"] * 1e3,
                            s["max"] * 1e3, s["missed"])


def difos_side(lab, watch):
    d = lab.daemon
    path = lab.tmp / "difos-auth.log"
    path.touch()
    d.ctl_ok("set", "ips.services", json.dumps(["ssh"]))
    d.ctl_ok("set", "ips.max_retries", "1")
    d.ctl_ok("set", "ips.ban_time", "1h")
    d.ctl_ok("set", "ips.ssh_source", "file")
    d.ctl_ok("set", "ips.ssh_log", str(path))
    d.ctl_ok("apply")

    def following():
        det = d.ctl_json("status")["features"]["ips"]["detail"]
        return det["reader"]["running"] and det["sources"]["ssh"]["log"] == str(path)
    conftest.wait_for(following, 20, what="difosd to follow the log")
    return measure(watch, str(path), 1, LINES, "difos")


def fail2ban_side(lab, watch):
    tmp = lab.tmp / "f2b"
    conf = tmp / "conf"
    shutil.copytree("/etc/fail2ban", conf)
    for f in (conf / "jail.d").iterdir():   # Debian's jail.d enables its own sshd jail
        f.unlink()
    path = tmp / "auth.log"
    path.touch()
    sock, pid = tmp / "f2b.sock", tmp / "f2b.pid"
    (conf / "fail2ban.local").write_text(
        "[Definition]\nlogtarget = %s\nsocket = %s\npidfile = %s\ndbfile = %s\n" % (
            tmp / "f2b.log", sock, pid, tmp / "f2b.sqlite3"))
    (conf / "jail.local").write_text(
        "[DEFAULT]\nbanaction = nftables\nbanaction_allports = nftables[type=allports]\n"
        "[sshd]\nenabled = true\nport = ssh\nlogpath = %s\nbackend = pyinotify\n"
        "maxretry = 1\nfindtime = 1h\nbantime = 1h\n" % path)
    lab.spawn("fail2ban", lab.router, [F2B_CLIENT, "-c", conf, "-s", sock, "-p", pid, "-x",
                                       "-f", "start"])

    def started():
        cp = conftest.ns_exec(lab.router, F2B_CLIENT, "-s", str(sock), "status", "sshd")
        return cp.returncode == 0 and str(path) in cp.stdout
    conftest.wait_for(started, 30, what="fail2ban's sshd jail")
    try:
        lat, missed = measure(watch, str(path), 2, F2B_LINES, "f2b-table")
        if missed:
            log("fail2ban's log:\n" + "\n".join(
                (tmp / "f2b.log").read_text(errors="replace").splitlines()[-30:]))
        return lat, missed
    finally:
        conftest.ns_exec(lab.router, F2B_CLIENT, "-s", str(sock), "stop", timeout=30)


def main():
    if not os.access(F2B_CLIENT, os.X_OK):
        raise SystemExit("missing fail2ban (apt-get install fail2ban)")
    with conftest.make_lab() as lab:
        watch = Watch(lab)
        t = time.monotonic()
        res = [summary("difos", *difos_side(lab, watch))]
        log("difos: %d lines in %.1f s" % (LINES, time.monotonic() - t))
        t = time.monotonic()
        res.append(summary("fail2ban", *fail2ban_side(lab, watch)))
        log("fail2ban: %d lines in %.1f s" % (F2B_LINES, time.monotonic() - t))
        print("from a failed login written to the log to its address in the kernel's set:")
        for s in res:
            print("  " + show(s))
        if res[0]["n"] and res[1]["n"]:
            print("fail2ban / difos: p50 %.0fx, p99 %.0fx" % (res[1]["p50"] / res[0]["p50"],
                                                             res[1]["p99"] / res[0]["p99"]))
        print(json.dumps(res))
        # difosd must stop cleanly after it: a crash at exit is a finding
        rc = lab.daemon.stop()
        if rc:
            log("difosd exited with status %s after SIGTERM; the end of its log:\n%s" % (
                rc, lab.daemon.log_tail(40)))


if __name__ == "__main__":
    main()
