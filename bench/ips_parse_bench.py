#!/usr/bin/python3
"""Intrusion prevention: reading an sshd log, difos against fail2ban and
sshguard, side by side in one run.

The same seeded log of LINES lines (200,000 by default) for all three:
OpenSSH 9 messages with a syslog prefix ("Nov 30 07:00:00 gw sshd[1234]:
..."), one line in three a failure (wrong passwords for root, unknown users
with their "Invalid user" and "Failed password for invalid user" lines,
connections closed by an authenticating user before auth), interleaved
between several connections at once as sshd writes them, each connection
from its own random address; the rest ordinary lines (accepted keys, PAM
sessions opened and closed, disconnects, scanners' bare "Connection closed
by A port N [preauth]", kex errors, sshd's own "Server listening").

 - difos: difos-ips-reader as difosd starts it (as root, it drops itself to
   nobody and installs its system call filter), fed the log as frames
   through a pipe (features/services/ips/ips_frame.h); timed from the first
   byte written to the end of its output; its records counted.
 - fail2ban: `fail2ban-regex <log> sshd` (the packaged filter), wall time of
   the process and the time it reports itself; failures: its "matched".
 - sshguard: its parser `/usr/libexec/sshguard/sshg-parser`, the log through
   a pipe on its stdin; its attack lines counted.

Peak RSS of each process from wait4(). RUNS runs each, interleaved; medians.
Reported, not asserted.
    RUNS=5 LINES=200000 DIFOS_BUILD=$PWD/build /usr/bin/python3 bench/ips_parse_bench.py
"""
import json, os, random, re, shutil, statistics, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(os.environ.get("DIFOS_BUILD", os.path.join(HERE, "..", "build")))
RUNS = int(os.environ.get("RUNS", "5"))
LINES = int(os.environ.get("LINES", "200000"))
SEED = int(os.environ.get("SEED", "1"))
READER = os.path.join(BUILD, "difos-ips-reader")
SSHG_PARSER = "/usr/libexec/sshguard/sshg-parser"
FAIL2BAN_REGEX = "/usr/bin/fail2ban-regex"
FRAME_MAX = 65536
TIME = "/usr/bin/time"   # its child's peak RSS: wait4() on a child forked from this
                         # Python would count the Python image the child started as

USERS = ["admin", "test", "oracle", "ubuntu", "pi", "git", "user", "postgres", "ftpuser",
         "guest", "support", "deploy", "jenkins", "hadoop", "minecraft"]
KEY_FP = "SHA256:3q2+7wAAAAC3NzaC1lZDI1NTE5AAAAIJb3vJz0Qk9mQb8b3aZl"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Gen:
    """The log: connections open at once, their lines interleaved."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.t = 7 * 3600
        self.pid = 1000
        self.failing = []      # failure connections: lists of messages still to write
        self.ordinary = []
        self.failure_lines = 0
        self.connections = {"root passwords": 0, "invalid user": 0, "closed before auth": 0}
        # what each reads as a failure, by its rule (README: why they differ)
        self.expect = {"difos": 0, "sshguard": 0, "fail2ban": 0}

    def addr(self):
        r = self.r
        return "%d.%d.%d.%d" % (r.choice([45, 61, 103, 112, 141, 159, 185, 193, 218, 222]),
                                r.randrange(256), r.randrange(256), r.randrange(1, 255))

    def new_failure(self):
        r, a, port = self.r, self.addr(), self.r.randrange(1024, 65536)
        kind = r.random()
        if kind < 0.45:
            self.connections["root passwords"] += 1
            n = r.choice([1, 1, 2, 3])
            self.expect["difos"] += n                 # each password tried
            self.expect["fail2ban"] += n              # the close is not a failure
            self.expect["sshguard"] += n + 1          # and the close is one more
            msgs = ["Failed password for root from %s port %d ssh2" % (a, port)] * n
            msgs.append("Connection closed by authenticating user root %s port %d [preauth]"
                        % (a, port))
        elif kind < 0.8:
            self.connections["invalid user"] += 1
            u = r.choice(USERS) + (str(r.randrange(100)) if r.random() < 0.3 else "")
            k = r.choice([1, 1, 2])
            self.expect["difos"] += k                 # the connection once, or its passwords
            self.expect["fail2ban"] += 1 + k          # "Invalid user" and each password
            self.expect["sshguard"] += 2 + k          # and the close
            msgs = ["Invalid user %s from %s port %d" % (u, a, port)]
            msgs += ["Failed password for invalid user %s from %s port %d ssh2" % (u, a, port)] \
                * k
            msgs.append("Connection closed by invalid user %s %s port %d [preauth]" % (u, a, port))
        else:
            self.connections["closed before auth"] += 1
            self.expect["difos"] += 1
            self.expect["sshguard"] += 1              # fail2ban: no failure without an attempt
            msgs = ["Connection closed by authenticating user root %s port %d [preauth]"
                    % (a, port)]
        self.pid += 1
        return [self.pid, msgs]

    def new_ordinary(self):
        r, port = self.r, self.r.randrange(1024, 65536)
        kind = r.random()
        self.pid += 1
        if kind < 0.6:
            a = "192.168.1.%d" % r.randrange(2, 60)
            u = r.choice(["admin", "backup", "monitor"])
            msgs = ["Accepted publickey for %s from %s port %d ssh2: ED25519 %s" % (u, a, port,
                                                                                    KEY_FP),
                    "pam_unix(sshd:session): session opened for user %s(uid=1000) by (uid=0)" % u,
                    "Received disconnect from %s port %d:11: disconnected by user" % (a, port),
                    "Disconnected from user %s %s port %d" % (u, a, port),
                    "pam_unix(sshd:session): session closed for user %s" % u]
        elif kind < 0.85:
            # a scanner that never tried a login: sshguard counts it
            self.expect["sshguard"] += 1
            msgs = ["Connection closed by %s port %d [preauth]" % (self.addr(), port)]
        elif kind < 0.97:
            msgs = ["error: kex_exchange_identification: Connection closed by remote host",
                    "Connection closed by %s port %d" % (self.addr(), port)]
        else:
            msgs = ["Server listening on 0.0.0.0 port 22.", "Server listening on :: port 22."]
        return [self.pid, msgs]

    def stamp(self):
        if self.r.random() < 0.02:
            self.t += 1
        h, m, s = self.t // 3600 % 24, self.t // 60 % 60, self.t % 60
        return "Nov 30 %02d:%02d:%02d" % (h, m, s)

    def line(self):
        failure = self.r.random() < 1 / 3
        pool, make = (self.failing, self.new_failure) if failure else \
            (self.ordinary, self.new_ordinary)
        if len(pool) < 8 or self.r.random() < 0.2:
            pool.append(make())
        i = self.r.randrange(len(pool))
        pid, msgs = pool[i]
        msg = msgs.pop(0)
        if not msgs:
            pool.pop(i)
        if failure:
            self.failure_lines += 1
        return "%s gw sshd[%d]: %s\n" % (self.stamp(), pid, msg)


def make_log(path, n):
    g = Gen(SEED)
    with open(path, "w") as f:
        for _ in range(n):
            f.write(g.line())
    return g


def frames(data, service=0):
    out = bytearray()
    for off in range(0, len(data), FRAME_MAX):
        chunk = data[off:off + FRAME_MAX]
        out += bytes([service, 0, 0, 0]) + len(chunk).to_bytes(4, "little") + chunk
    return bytes(out)


def peak_rss(path):
    with open(path) as f:
        return int(f.read().split()[-1])


def piped(argv, data, tmp, mark=b""):
    """argv fed data on a pipe by a thread; seconds from the first byte
    written to the end of its output, its output's lines that start with
    mark (by default: all), its peak RSS (KiB)."""
    rssf = os.path.join(tmp, "rss")
    p = subprocess.Popen([TIME, "-f", "%M", "-o", rssf, *argv], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.1)   # started and waiting on its stdin: its start is not timed
    infd, outfd = p.stdin.fileno(), p.stdout.fileno()

    def feed():
        view = memoryview(data)
        while view:
            view = view[os.write(infd, view[:1 << 20]):]
        p.stdin.close()

    w = threading.Thread(target=feed)
    t0 = time.monotonic()
    w.start()
    lines, rest = 0, b""
    while True:
        b = os.read(outfd, 1 << 20)
        if not b:
            break
        # whole lines only: those that start with mark
        b, cut = rest + b, (rest + b).rfind(b"\n") + 1
        lines += (b"\n" + b[:cut]).count(b"\n" + mark) if mark else b[:cut].count(b"\n")
        rest = b[cut:]
    t = time.monotonic() - t0
    w.join()
    err = p.stderr.read()
    if p.wait():
        raise SystemExit("%s: exit %d: %s" % (argv[0], p.returncode, err.decode()[-500:]))
    return t, lines, peak_rss(rssf)


def run_difos(frames_data, tmp):
    # started as root like difosd starts it: it becomes nobody and installs its filter
    # its records: failures and the logins that worked (they end a count)
    return piped([READER], frames_data, tmp, b"ips ssh failure ")


def run_sshguard(data, tmp):
    return piped([SSHG_PARSER], data, tmp)


def run_fail2ban(path, tmp):
    rssf = os.path.join(tmp, "rss")
    t0 = time.monotonic()
    p = subprocess.Popen([TIME, "-f", "%M", "-o", rssf, FAIL2BAN_REGEX, path, "sshd"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.read().decode(errors="replace")
    p.wait()
    t = time.monotonic() - t0
    m = re.search(r"Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed", out)
    own = re.search(r"\[processed in ([\d.]+) sec\]", out)
    if p.returncode or not m:
        raise SystemExit("fail2ban-regex: exit %d, no summary:\n%s" % (p.returncode, out[-2000:]))
    return t, int(m.group(3)), float(own.group(1)) if own else t, peak_rss(rssf)


def main():
    if os.geteuid() != 0:
        raise SystemExit("run as root: difos-ips-reader is measured as difosd starts it")
    for prog in (READER, SSHG_PARSER, FAIL2BAN_REGEX):
        if not os.access(prog, os.X_OK):
            raise SystemExit("missing %s (apt-get install fail2ban sshguard; make build)" % prog)
    tmp = tempfile.mkdtemp(prefix="ips-parse-bench.")
    path = os.path.join(tmp, "auth.log")
    g = make_log(path, LINES)
    data = open(path, "rb").read()
    fr = frames(data)
    log("log: %d lines, %d bytes, %d failure lines (%s connections: %s)" % (
        LINES, len(data), g.failure_lines, sum(g.connections.values()), g.connections))

    res = {"difos": [], "sshguard": [], "fail2ban": []}
    counts, rss, f2b_own = {}, {}, []
    for r in range(RUNS):
        t, n, kib = run_difos(fr, tmp)
        res["difos"].append(t)
        counts["difos"], rss["difos"] = n, max(rss.get("difos", 0), kib)
        t, n, kib = run_sshguard(data, tmp)
        res["sshguard"].append(t)
        counts["sshguard"], rss["sshguard"] = n, max(rss.get("sshguard", 0), kib)
        t, n, own, kib = run_fail2ban(path, tmp)
        res["fail2ban"].append(t)
        f2b_own.append(own)
        counts["fail2ban"], rss["fail2ban"] = n, max(rss.get("fail2ban", 0), kib)
        log("run %d: difos %.3f s, sshguard %.3f s, fail2ban %.2f s (it says %.2f s)" % (
            r + 1, res["difos"][-1], res["sshguard"][-1], t, own))

    med = {k: statistics.median(v) for k, v in res.items()}
    rate = {k: LINES / v for k, v in med.items()}
    f2b_own_rate = LINES / statistics.median(f2b_own)
    print("%d lines, median of %d runs:" % (LINES, RUNS))
    for k in ("difos", "sshguard", "fail2ban"):
        print("  %-8s %8.3f s  %12s lines/s  peak RSS %7s KiB  failures found %d" % (
            k, med[k], format(int(rate[k]), ","), format(rss[k], ","), counts[k]))
    print("  fail2ban's own figure (without its start): %s lines/s" %
          format(int(f2b_own_rate), ","))
    print("difos / fail2ban: %.0fx (against its own figure: %.0fx)   difos / sshguard: %.2fx" % (
        rate["difos"] / rate["fail2ban"], rate["difos"] / f2b_own_rate,
        rate["difos"] / rate["sshguard"]))
    print("failure lines written: %d; connections that failed: %d" % (
        g.failure_lines, sum(g.connections.values())))
    for k in ("difos", "sshguard", "fail2ban"):
        e = g.expect[k]
        print("  %-8s found %6d failures, %6d by its rule: %+.2f%%" % (
            k, counts[k], e, 100.0 * (counts[k] - e) / e if e else 0))
    print(json.dumps({"lines": LINES, "runs": RUNS, "seconds": med, "lines_per_s": rate,
                      "fail2ban_own_lines_per_s": f2b_own_rate, "rss_kib": rss,
                      "failures": counts, "failure_lines": g.failure_lines,
                      "failed_connections": g.connections, "expected": g.expect}))
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
