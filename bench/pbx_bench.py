#!/usr/bin/python3
"""The PBX: apply latency with 1,000 extensions, and calls per second.

Runs as root in the network namespaces of the integration lab
(tests/integration/conftest.py: router, LAN client, WAN), difosd in the
router with the real backend, --debug and --pbx-root (Asterisk from the
engine root, scripts/pbx-rootfs.sh); the phones are sipp in the LAN
namespace. No traffic leaves the namespaces. Two parts (PARTS=1,2):

 1. Apply latency of one extension added with 1,000 configured. The
    1,000 are staged in one `config.set` (the whole list, as a
    `PUT /config/extensions/list` would) and applied; then RUNS times one
    extension is added (`difosctl add`) and applied (`difosctl apply`),
    each timed inside the namespace, with difosd's own "apply: timings"
    line. Meanwhile a call is up between two of the 1,000 (a sipp UAC
    with a long -d to a sipp UAS with -rtp_echo); it must survive every
    apply (both channels still up after each, the UAC ends with its own
    BYE and both sipp exit 0). Anchor, interleaved with difos's runs on
    the same Asterisk and the same files: the two reloads an extension
    needs, `Reload` of res_pjsip.so and of pbx_config.so (what `module
    reload res_pjsip.so` and `dialplan reload` do), sent by the bench on
    a manager connection of its own, after touching the two files (an
    untouched file is not read again: that figure is reported too).
 2. Calls per second: a sipp UAC (1001, with digest authentication) calls
    1002, answered by a sipp UAS, at rate steps (RATES, STEP seconds each,
    calls held HOLD ms, no media); the highest rate with < 1 % failed calls
    (and at least 90 % of the rate reached: calls over the step's time
    less the hold), with Asterisk's CPU (its
    /proc/PID/stat) per step. Anchor, step by step in turn: the same
    against a standalone Asterisk from the same engine root with
    hand-written minimal files (tests/integration/pbx_lab.py), in
    namespaces of its own.

Reported, not asserted (a dropped call is reported as such).
    RUNS=3 DIFOS_BUILD=$PWD/build-bench /usr/bin/python3 bench/pbx_bench.py
"""
import json, os, re, secrets, shutil, statistics, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(os.environ.get("DIFOS_BUILD", os.path.join(HERE, "..", "build")))
os.environ["DIFOS_BUILD"] = BUILD   # read by the lab's modules when imported
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import conftest  # noqa: E402  (the lab: namespaces, difosd)
import firewall_bench as fb  # noqa: E402  (timed(), steps())
import pbx_lab  # noqa: E402  (AMI, sipp, a standalone Asterisk)
from test_pbx import Phones  # noqa: E402  (sipp phones in a difos lab)

RUNS = int(os.environ.get("RUNS", "3"))
PARTS = set(os.environ.get("PARTS", "1,2").split(","))
N_EXT = int(os.environ.get("EXTENSIONS", "1000"))
RATES = [int(r) for r in os.environ.get("RATES", "25,50,100,150,200,250,300,400").split(",")]
STEP = float(os.environ.get("STEP", "4"))
HOLD = int(os.environ.get("HOLD", "1000"))
DIFOSCTL = os.path.join(BUILD, "difosctl")

CLIENT = "192.168.1.50"
CALLER, CALLEE = "1001", "1002"
CALLER_SIP, CALLEE_SIP, CALLER_RTP, CALLEE_RTP = 5061, 5070, 6000, 6100
CPS_SIP = 5071
AMI_PASSWORD = "bench-" + secrets.token_hex(12)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def ms(v):
    return "%.1f ms" % (v * 1000)


def med(v):
    return statistics.median(v) if v else float("nan")


def password():
    """A random SIP password libpwquality takes (it refuses runs like "bc" or
    "98" when they add up: cracklib's "too simplistic/systematic")."""
    while True:
        pw = "Pw-" + secrets.token_urlsafe(18)
        if sum(abs(ord(a) - ord(b)) == 1 for a, b in zip(pw, pw[1:])) <= 1:
            return pw


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), in seconds."""
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def channels(ami):
    """Asterisk's count of active channels."""
    out = " ".join(ami.command("core show channels count"))
    m = re.search(r"(\d+) active channel", out)
    return int(m.group(1)) if m else -1


# ---------------------------------------------------------------------------
# difos


class DifosPbx:
    """difosd with --pbx-root in a lab; the phones in the LAN namespace."""

    def __init__(self, lab):
        self.lab = lab
        self.d = lab.daemons[0]
        self.ns = lab.router
        lab.phones_dir = tempfile.mkdtemp(prefix="%d-bench-" % os.getpid(),
                                          dir=pbx_lab.INSTANCES)
        os.chmod(lab.phones_dir, 0o755)
        lab.client_static(CLIENT)
        self.phones = Phones(lab, lab.lan, CLIENT, conftest.LAN_ADDR)
        shutil.copy(os.path.join(HERE, "pbx", "uac-cps.xml"), self.phones.scenarios)
        self.passwords = {}
        self.ami = None

    def stage(self, numbers):
        """The whole extension list in one config.set, and the manager's
        password (the anchor logs in as difos)."""
        exts = []
        for i, n in enumerate(numbers):
            pw = self.passwords.setdefault(n, password())
            e = {"id": i + 1, "name": "Ext %s" % n, "number": n, "password": pw}
            if n in (CALLER, CALLEE):
                e["qualify"] = False   # sipp answers no OPTIONS between its scenarios
            exts.append(e)
        body = {"changes": [{"path": "extensions.list", "value": exts},
                            {"path": "pbx.ami_password", "value": AMI_PASSWORD}]}
        for _ in range(200):
            t = time.monotonic()
            r = fb.nsx(self.ns, DIFOSCTL, "--root", str(self.d.root), "call", "config.set", "-",
                       input=json.dumps(body), check=False)
            took = time.monotonic() - t
            # libpwquality finds a random password systematic now and then: another one
            m = re.search(r"extensions\.list\[(\d+)\]\.password: the password", r.stderr)
            if r.returncode == 0 or not m:
                break
            e = exts[int(m.group(1)) - 1]   # an entry is named by its id
            e["password"] = self.passwords[e["number"]] = password()
        if r.returncode:
            raise SystemExit("config.set: %s%s" % (r.stdout[-500:], r.stderr[-500:]))
        return took

    def apply(self):
        return fb.timed(self.ns, [DIFOSCTL, "--root", str(self.d.root), "apply"])[0]

    def add_and_apply(self, number):
        """Wall times of `difosctl add` and `difosctl apply` of one more extension."""
        pw = self.passwords.setdefault(number, password())
        return fb.timed(self.ns,
                        [DIFOSCTL, "--root", str(self.d.root), "add", "extensions.list",
                         "name=Ext " + number, "number=" + number, "password=" + pw],
                        [DIFOSCTL, "--root", str(self.d.root), "apply"])

    def steps(self):
        return fb.steps(open(self.d.log, errors="replace").read())

    def engine_pid(self):
        det = self.d.ctl_json("status")["features"]["pbx"]["detail"]
        return det["engine"]["pid"]

    def connect_ami(self):
        self.ami = pbx_lab.Ami.connect(self.ns)
        self.ami.login("difos", AMI_PASSWORD, events=False)
        return self.ami

    def etc(self, name):
        return os.path.join(str(self.d.root), "run/difos/pbx/etc", name)

    def register(self, number, port):
        r = self.phones.register(number, self.passwords[number], port)
        if not r.ok:
            raise SystemExit("%s does not register:\n%s" % (number, r.describe()))


def anchor_reload(ami, files, touch=True):
    """The two reloads an extension needs, on the bench's own connection:
    seconds for res_pjsip.so, for pbx_config.so."""
    if touch:
        for f in files:
            os.utime(f)
    out = []
    for module in ("res_pjsip.so", "pbx_config.so"):
        t = time.monotonic()
        r = ami.action("Reload", timeout=30, Module=module)
        out.append(time.monotonic() - t)
        if r.get("Response") != "Success":
            raise SystemExit("Reload %s: %r" % (module, r))
    return out


def part1(px):
    res = {"n": N_EXT}
    numbers = [str(1000 + i) for i in range(N_EXT)]
    res["stage"] = px.stage(numbers)
    res["first_apply"] = px.apply()
    res["first_steps"] = px.steps()
    log("staged %d extensions in %s, first apply (Asterisk starts) %s" %
        (N_EXT, ms(res["stage"]), ms(res["first_apply"])))
    ami = px.connect_ami()
    px.register(CALLER, CALLER_SIP)
    px.register(CALLEE, CALLEE_SIP)
    files = [px.etc("pjsip.conf"), px.etc("extensions.conf")]

    # a warm-up round (not counted) tells how long the call must last
    t = time.monotonic()
    px.add_and_apply("2000")
    anchor_reload(ami, files)
    one = time.monotonic() - t
    talk_ms = int(4000 + RUNS * one * 1000 * 3)
    log("warm-up round %s; the call lasts %d ms" % (ms(one), talk_ms))

    ph = px.phones
    uas = ph.answer(CALLEE_SIP, CALLEE_RTP, timeout=talk_ms // 1000 + 40)
    uac = ph.call(CALLER, px.passwords[CALLER], CALLEE, CALLER_SIP, CALLER_RTP,
                  talk_ms=talk_ms, timeout=talk_ms // 1000 + 30)
    conftest.wait_for(lambda: channels(ami) == 2, 10, interval=0.05, what="the call to be up")
    started = time.monotonic()
    d_add, d_apply, d_steps, a_pjsip, a_plan, up = [], [], [], [], [], []
    for i in range(RUNS):
        add, apply = px.add_and_apply(str(2001 + i))
        d_add.append(add)
        d_apply.append(apply)
        d_steps.append(px.steps())
        up.append(channels(ami))
        p, x = anchor_reload(ami, files)
        a_pjsip.append(p)
        a_plan.append(x)
        up.append(channels(ami))
        log("run %d: add %s, apply %s (difosd: %s); anchor %s + %s; channels %s" %
            (i + 1, ms(add), ms(apply), ms(d_steps[-1].get("total", 0)), ms(p), ms(x), up[-2:]))
    untouched = anchor_reload(ami, files, touch=False)
    applies_took = time.monotonic() - started
    ra, rb = uac.wait(talk_ms / 1000 + 40), uas.wait(30)
    res.update(add=d_add, apply=d_apply, steps=d_steps, pjsip=a_pjsip, plan=a_plan,
               untouched=untouched, channels=up, applies_took=applies_took, talk_ms=talk_ms,
               uac_rc=ra.rc, uas_rc=rb.rc,
               uac_bye="BYE" in ra.messages and ra.ok,
               survived=ra.ok and rb.ok and all(c == 2 for c in up))
    if not res["survived"]:
        log("the call did not survive:\n%s\n%s" % (ra.describe(), rb.describe()))
    res["lines"] = {f: sum(1 for _ in open(f)) for f in files}
    return res


# ---------------------------------------------------------------------------
# calls per second


class CpsSide:
    """One PBX under test: where sipp runs, where it calls, whose CPU counts."""

    def __init__(self, name, ns, local, target, scenarios, tmp, pid, ami, passwords,
                 difosd=None):
        self.name, self.ns, self.local, self.target = name, ns, local, target
        self.scenarios, self.tmp, self.pid, self.ami = scenarios, tmp, pid, ami
        self.difosd = difosd   # its pid: its CPU (the manager's events) counts too
        self.difosd_idle = 0.0
        self.passwords = passwords
        self.steps = []
        self.failed_once = False

    def step(self, rate):
        n = max(1, int(rate * STEP))
        d = tempfile.mkdtemp(prefix="cps-%s-%d-" % (self.name, rate), dir=self.tmp)
        inf = os.path.join(d, "caller.csv")
        open(inf, "w").write("SEQUENTIAL\n%s;\n" % CALLER)
        stat = os.path.join(d, "stat.csv")
        argv = ["ip", "netns", "exec", self.ns, pbx_lab.SIPP, "%s:6067" % self.target,
                "-i", self.local, "-p", str(CPS_SIP), "-sf",
                os.path.join(self.scenarios, "uac-cps.xml"), "-s", CALLEE,
                "-au", CALLER, "-ap", self.passwords[CALLER], "-inf", inf, "-d", str(HOLD),
                "-r", str(rate), "-rp", "1000", "-m", str(n), "-l", str(max(50, rate * 10)),
                "-recv_timeout", "8000", "-timeout", "%ds" % int(STEP + HOLD / 1000 + 30),
                "-nostdin", "-trace_stat", "-stf", stat, "-fd", "1",
                "-trace_err", "-error_file", os.path.join(d, "errors.log")]
        cpu0, t0 = cpu_seconds(self.pid), time.monotonic()
        dcpu0 = cpu_seconds(self.difosd) if self.difosd else 0
        r = fb.sh(*argv, check=False, timeout=STEP + HOLD / 1000 + 60)
        wall = time.monotonic() - t0
        cpu = cpu_seconds(self.pid) - cpu0
        dcpu = cpu_seconds(self.difosd) - dcpu0 if self.difosd else 0
        lines = [ln for ln in open(stat).read().splitlines() if ln.strip()] \
            if os.path.exists(stat) else []
        row = dict(zip(lines[0].rstrip(";").split(";"), lines[-1].rstrip(";").split(";"))) \
            if len(lines) >= 2 else {}

        def c(k):
            return int(row.get(k + "(C)", 0) or 0)
        ok, failed = c("SuccessfulCall"), c("FailedCall")
        created = int(row.get("TotalCallCreated", 0) or 0)
        # the calls were all made in the time the rate gives them, or not
        reached = n / max(wall - HOLD / 1000 - 0.5, 1e-3)
        s = {"rate": rate, "calls": n, "ok": ok, "failed": failed + (n - created),
             "retrans": c("Retransmissions"), "wall": wall, "cpu": cpu, "rc": r.returncode,
             "reached": min(reached, rate)}
        s["fail_pct"] = 100.0 * s["failed"] / n
        s["cpu_pct"] = 100.0 * cpu / wall
        s["cpu_ms_call"] = 1000.0 * cpu / max(ok, 1)
        s["difosd_ms_call"] = 1000.0 * dcpu / max(ok, 1)
        s["pass"] = s["fail_pct"] < 1.0 and s["reached"] >= 0.9 * rate
        # the channels of this step gone before the next one; a failed call
        # may leave its channels up (no BYE reached them): hung up
        deadline = time.monotonic() + 5
        while channels(self.ami) > 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        s["left"] = channels(self.ami)
        if s["left"]:
            self.ami.command("channel request hangup all")
            conftest.wait_for(lambda: channels(self.ami) == 0, 30, interval=0.1,
                              what="%s: no channel left" % self.name)
        self.steps.append(s)
        return s

    def best(self):
        p = [s["rate"] for s in self.steps if s["pass"]]
        return max(p) if p else 0


def anchor_files(pw_caller, pw_callee):
    """Hand-written minimal files: two endpoints, one dialplan line."""
    def ep(n, pw):
        return ("[%s]\ntype = endpoint\ncontext = internal\ndisallow = all\nallow = ulaw,alaw\n"
                "auth = %s-auth\naors = %s\ndirect_media = no\n\n"
                "[%s-auth]\ntype = auth\nauth_type = userpass\nusername = %s\npassword = %s\n\n"
                "[%s]\ntype = aor\nmax_contacts = 5\nremove_existing = yes\n\n"
                % (n, n, n, n, n, pw, n))
    return {
        "pjsip.conf": "[transport-udp]\ntype = transport\nprotocol = udp\nbind = 0.0.0.0:6067\n\n"
                      + ep(CALLER, pw_caller) + ep(CALLEE, pw_callee),
        "extensions.conf": "[general]\nstatic = yes\n\n[internal]\n"
                           "exten => %s,1,Dial(PJSIP/%s,30)\n same => n,Hangup()\n"
                           % (CALLEE, CALLEE),
        # the same RTP ports as difos's (the lab's 100 would cap the calls up at once)
        "rtp.conf": "[general]\nrtpstart = 20000\nrtpend = 30000\nicesupport = no\n",
    }


def part2(px, plab):
    """Rate steps, difos and the anchor in turn."""
    ph = px.phones
    px.register(CALLEE, CALLEE_SIP)
    uas_d = ph.sipp("cps-uas", "uas-answer.xml", "-p", CALLEE_SIP, "-m", 1000000,
                    "-timeout", "3600s")
    uas_d.start()
    pw = px.passwords
    ast = plab.start_asterisk(anchor_files(pw[CALLER], pw[CALLEE]), name="anchor")
    shutil.copy(os.path.join(HERE, "pbx", "uac-cps.xml"), plab.scenarios)
    r = plab.register(CALLEE, pw[CALLEE], CALLEE_SIP, pbx_port=6067)
    if not r.ok:
        raise SystemExit("anchor: 1002 does not register:\n%s" % r.describe())
    uas_a = plab.sipp("cps-uas", "uas-answer.xml", "-p", CALLEE_SIP, "-m", 1000000,
                      "-timeout", "3600s", port=6067)
    uas_a.start()
    for s in (ph, plab):
        conftest.wait_for(lambda s=s: ":%d " % CALLEE_SIP in
                          conftest.ns_exec(s.peer, "ss", "-Hlun").stdout + " ",
                          5, interval=0.05, what="the UAS")
    # a connection without events instead of the lab's (events on: unread
    # during hundreds of calls, Asterisk would drop it; and difos's side has
    # only its own long-lived client taking events)
    ami_a = pbx_lab.Ami.connect(plab.pbx)
    ami_a.login(ast.ami_user, ast.ami_secret, events=False)
    ast.ami.close()
    ast.ami = None
    if os.environ.get("ANCHOR_EVENTS"):
        # an event reader like difos's long-lived client (same classes),
        # reading and dropping them: what the events cost Asterisk
        ev = pbx_lab.Ami.connect(plab.pbx)
        r = ev.action("Login", Username=ast.ami_user, Secret=ast.ami_secret,
                      Events="system,call,reporting")
        if r.get("Response") != "Success":
            raise SystemExit("anchor: event login refused: %r" % r)
        ev.sock.settimeout(None)

        def drain():
            try:
                while ev.sock.recv(65536):
                    pass
            except OSError:
                pass
        threading.Thread(target=drain, daemon=True).start()
    difos = CpsSide("difos", px.lab.lan, CLIENT, conftest.LAN_ADDR, ph.scenarios, ph.tmp,
                    px.engine_pid(), px.ami or px.connect_ami(), pw, difosd=px.d.proc.pid)
    anchor = CpsSide("anchor", plab.peer, pbx_lab.PEER_ADDR, pbx_lab.PBX_ADDR, plab.scenarios,
                     plab.tmp, ast.proc.pid, ami_a, pw)
    for pid, want in ((difos.pid, "asterisk"), (anchor.pid, "asterisk"), (difos.difosd, "difosd")):
        comm = open("/proc/%d/comm" % pid).read().strip()
        if comm != want:
            raise SystemExit("pid %d is %s, not %s" % (pid, comm, want))
    # difosd's CPU while no call is made, to tell its background from the calls'
    c0 = cpu_seconds(difos.difosd)
    time.sleep(3)
    difos.difosd_idle = (cpu_seconds(difos.difosd) - c0) / 3
    for rate in RATES:
        for side in (difos, anchor):
            if side.failed_once:
                continue
            s = side.step(rate)
            log("%s %d/s: %d ok, %d failed (%.2f %%), %d retransmissions, reached %.0f/s, "
                "Asterisk CPU %.0f %% (%.2f ms per call; difosd %.3f ms), sipp rc %d, channels left %d" %
                (side.name, rate, s["ok"], s["failed"], s["fail_pct"], s["retrans"],
                 s["reached"], s["cpu_pct"], s["cpu_ms_call"], s["difosd_ms_call"], s["rc"],
                 s["left"]))
            side.failed_once = not s["pass"]
        if difos.failed_once and anchor.failed_once:
            break
    return difos, anchor


# ---------------------------------------------------------------------------


def report1(r):
    print("\n== Part 1: one extension added with %d configured (RUNS=%d) ==" % (r["n"], RUNS))
    print("staging the %d (one config.set): %s; their first apply (Asterisk starts): %s" %
          (r["n"], ms(r["stage"]), ms(r["first_apply"])))
    print("files: %s" % ", ".join("%s %d lines" % (os.path.basename(f), n)
                                  for f, n in r["lines"].items()))
    a, p, x = med(r["apply"]), med(r["pjsip"]), med(r["plan"])
    print("%-52s %10s" % ("", "median"))
    print("%-52s %10s" % ("difos: difosctl add", ms(med(r["add"]))))
    print("%-52s %10s" % ("difos: difosctl apply", ms(a)))
    for k in ("total", "validate", "render", "render.pbx", "compare", "check", "apply",
              "apply.pbx", "health", "store"):
        v = [s[k] for s in r["steps"] if k in s]
        if v:
            print("%-52s %10s" % ("  difosd's timings: " + k, ms(med(v))))
    print("%-52s %10s" % ("anchor: Reload res_pjsip.so + pbx_config.so", ms(p + x)))
    print("%-52s %10s" % ("  res_pjsip.so", ms(p)))
    print("%-52s %10s" % ("  pbx_config.so", ms(x)))
    print("%-52s %10s" % ("  the same, files untouched (not read again)",
                          ms(sum(r["untouched"]))))
    print("ratio difos apply / anchor: %.2fx" % (a / (p + x)))
    print("runs: add %s; apply %s; anchor %s" % (
        ", ".join(ms(v) for v in r["add"]), ", ".join(ms(v) for v in r["apply"]),
        ", ".join(ms(p + x) for p, x in zip(r["pjsip"], r["plan"]))))
    print("the call (%d ms, during %.1f s of applies): channels after each step %s; "
          "UAC rc %d (its own BYE: %s), UAS rc %d: %s" %
          (r["talk_ms"], r["applies_took"], r["channels"], r["uac_rc"],
           "yes" if r["uac_bye"] else "no", r["uas_rc"],
           "survived" if r["survived"] else "DROPPED"))


def report2(difos, anchor):
    print("\n== Part 2: calls per second (STEP=%gs, HOLD=%d ms, no media) ==" % (STEP, HOLD))
    print("%-8s %6s | %-52s | %-52s" % ("", "rate", "difos: failed, reached, CPU, ms/call",
                                       "anchor: failed, reached, CPU, ms/call"))
    rates = sorted({s["rate"] for s in difos.steps + anchor.steps})

    def cell(side, rate):
        s = [x for x in side.steps if x["rate"] == rate]
        if not s:
            return "-"
        s = s[0]
        return "%5.2f %% %s, %3.0f/s, CPU %3.0f %%, %.2f ms, retr %d" % (
            s["fail_pct"], "ok  " if s["pass"] else "FAIL", s["reached"], s["cpu_pct"],
            s["cpu_ms_call"], s["retrans"])
    for rate in rates:
        print("%-8s %6d | %-52s | %-52s" % ("", rate, cell(difos, rate), cell(anchor, rate)))
    b1, b2 = difos.best(), anchor.best()
    print("highest rate with < 1 %% failed: difos %d/s, anchor %d/s, ratio %s" %
          (b1, b2, "%.2f" % (b1 / b2) if b2 else "-"))
    passed = [r for r in rates if any(s["rate"] == r and s["pass"] for s in difos.steps) and
              any(s["rate"] == r and s["pass"] for s in anchor.steps)]
    if passed:
        r = max(passed)
        c1 = [s for s in difos.steps if s["rate"] == r][0]["cpu_ms_call"]
        c2 = [s for s in anchor.steps if s["rate"] == r][0]["cpu_ms_call"]
        print("Asterisk CPU per call at %d/s: difos %.2f ms, anchor %.2f ms, ratio %.2f" %
              (r, c1, c2, c1 / c2 if c2 else 0))
    both = [r for r in rates if [s for s in difos.steps if s["rate"] == r] and
            [s for s in anchor.steps if s["rate"] == r]]
    c1 = med([s["cpu_ms_call"] for s in difos.steps if s["rate"] in both])
    c2 = med([s["cpu_ms_call"] for s in anchor.steps if s["rate"] in both])
    print("Asterisk CPU per call, median over the rates both ran: difos %.2f ms, anchor %.2f ms, "
          "ratio %.2f" % (c1, c2, c1 / c2 if c2 else 0))
    print("difosd's CPU (its manager client reading the events): idle %.1f %% of a core; "
          "during the steps %s" % (100 * difos.difosd_idle, ", ".join(
              "%d/s %.1f %%" % (s["rate"], 100 * s["difosd_ms_call"] * s["ok"] / 1000 / s["wall"])
              for s in difos.steps)))


def main():
    if os.geteuid() != 0:
        sys.exit("bench needs root")
    root = pbx_lab.engine_root()
    pbx_lab.INSTANCES.mkdir(parents=True, exist_ok=True)
    log("build %s, engine root %s" % (BUILD, root))
    with conftest.make_lab(daemon_args=("--pbx-root", str(root))) as lab:
        px = DifosPbx(lab)
        try:
            r1 = None
            if "1" in PARTS:
                r1 = part1(px)
            else:
                px.stage([str(1000 + i) for i in range(N_EXT)])
                px.apply()
                px.connect_ami()
            if "2" in PARTS:
                with pbx_lab.pbx_lab() as plab:
                    difos, anchor = part2(px, plab)
            if r1:
                report1(r1)
            if "2" in PARTS:
                report2(difos, anchor)
        finally:
            if px.ami:
                px.ami.close()
            shutil.rmtree(lab.phones_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
