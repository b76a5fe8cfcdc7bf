#!/usr/bin/python3
"""Firewall: applying a large ruleset, small changes to it, and packet cost.

Runs as root inside network namespaces it creates and removes (nothing
leaves them), with the real backend. Three parts (PARTS=1,2,3 by default):

 1. Full apply of a large configuration: 2,000 traffic rules, 200 port
    forwards, country aliases totalling 200,000 CIDRs (random, disjoint,
    written as country list files) and a few small manual aliases.
    difos: `difosctl apply` from a configuration without any of it to one
    with all of it. Anchor: `nft -f` of the same rendered ruleset (the text
    of fw_full_script built from difos's active generation) into a fresh
    namespace. Interleaved, medians of RUNS.
 2. With those sets loaded, one change at a time, half of the runs undoing
    the one before: one CIDR more or less in a manual alias, the port of a
    "port P on host H" rule (an element of its chain's verdict map) and the
    port of a rule limited by source (a rule of its own in its chain), each
    as `difosctl set` + `difosctl apply` (and the apply alone), and one CIDR more or less in a country list served over HTTP
    inside the namespace (`firewall.update_lists`, until it reports the
    lists applied). Anchor: `nft add element` / `nft delete element` of one
    CIDR from the nft CLI, into the 120,000-element set and into a small
    set of the same table (a namespace holding the same 200,000 elements).
 3. Packet cost: a WAN namespace sends to a LAN namespace through a router
    namespace holding (a) difos's ruleset for 2,000 point rules (one
    verdict map lookup), (b) the same ruleset with those rules written as
    2,000 sequential nft rules, (c) no user rules (baseline). The flow
    matches the last rule. Connection tracking is bypassed (notrack) for
    the test traffic so that every packet walks the rules, not only the
    first of a connection. iperf3 TCP throughput and UDP 64-byte packet
    rate, DURATION seconds each.

Every command runs its timed part inside the namespace (a small Python
timer started with `ip netns exec`), so the namespace switch is not timed.
difosd runs with --debug; the step times it logs for each apply ("apply:
timings: validate, render, compare, check, apply, health, store, prune")
are reported as medians next to the wall times.
Reported, not asserted.
"""
import ipaddress, json, os, random, re, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(os.environ.get("DIFOS_BUILD", os.path.join(HERE, "..", "build")))
RUNS = int(os.environ.get("RUNS", "3"))
PARTS = set(os.environ.get("PARTS", "1,2,3").split(","))
DURATION = float(os.environ.get("DURATION", "3"))
TAG = "dfb%d" % os.getpid()
NS = TAG + "-r"
PY = "/usr/bin/python3"

# country lists (per alias: its countries) and their sizes: 200,000 CIDRs
COUNTRIES = {"cn": (70000, 25000), "ru": (50000, 15000), "br": (30000, 10000)}
COUNTRY_ALIASES = {"blocked": ["cn", "ru"], "geo_br": ["br"]}
LAN_HOSTS = ["192.168.1.%d" % h for h in range(2, 254)]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def sh(*argv, input=None, check=True, timeout=600):
    r = subprocess.run(argv, capture_output=True, text=True, input=input, timeout=timeout)
    if check and r.returncode:
        raise SystemExit("%s: rc %d\n%s%s" % (" ".join(argv[:10]), r.returncode,
                                              r.stdout[-2000:], r.stderr[-2000:]))
    return r


def nsx(ns, *argv, **kw):
    return sh("ip", "netns", "exec", ns, *argv, **kw)


# Runs each command given as a JSON list of argvs in order, inside the
# namespace; prints the wall time of each (seconds) as a JSON list.
TIMER = r"""
import json, subprocess, sys, time
out = []
for argv in json.loads(sys.argv[1]):
    t0 = time.monotonic()
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    out.append(time.monotonic() - t0)
    if r.returncode:
        sys.exit("%s: %s" % (argv[:4], r.stderr.decode()[-800:]))
print(json.dumps(out))
"""


def timed(ns, *argvs):
    """Wall times of argvs run one after the other inside ns."""
    return json.loads(nsx(ns, PY, "-c", TIMER, json.dumps([list(a) for a in argvs])).stdout)


def median(v):
    return statistics.median(v)


def ms(v):
    return "%.1f ms" % (v * 1000)


# ---------------------------------------------------------------------------
# the configuration


def disjoint_v4(rng, n, used):
    """n random CIDRs, /22 to /28, each inside a /22 block of its own."""
    out = []
    while len(out) < n:
        blk = rng.randrange(1 << 22)
        first = blk >> 14
        # 198.18.0.0/15 is left out: the changes of part 2 come from there
        if first in (0, 10, 127) or first >= 224 or blk in used or (blk << 10) >> 17 == 0xc612 >> 1:
            continue
        used.add(blk)
        plen = rng.choice((22, 23, 24, 24, 24, 24, 25, 26, 27, 28))
        sub = rng.randrange(1 << (plen - 22)) if plen > 22 else 0
        addr = (blk << 10) | (sub << (32 - plen))
        out.append("%s/%d" % (ipaddress.IPv4Address(addr), plen))
    return out


def disjoint_v6(rng, n, used):
    """n random CIDRs, /32 to /48, each inside a /32 of 2000::/4 of its own."""
    out = []
    while len(out) < n:
        blk = rng.randrange(1 << 28)
        if blk in used:
            continue
        used.add(blk)
        plen = rng.choice((32, 36, 40, 44, 48, 48, 48))
        sub = rng.randrange(1 << (plen - 32)) if plen > 32 else 0
        addr = ((0x2 << 124) | (blk << 96)) | (sub << (128 - plen))
        out.append("%s/%d" % (ipaddress.IPv6Address(addr), plen))
    return out


def write_country_lists(state):
    rng = random.Random(20240601)
    d = os.path.join(state, "lists", "countries")
    os.makedirs(d, exist_ok=True)
    u4, u6 = set(), set()
    total = 0
    for cc, (n4, n6) in COUNTRIES.items():
        for fam, lines in ((4, disjoint_v4(rng, n4, u4)), (6, disjoint_v6(rng, n6, u6))):
            with open(os.path.join(d, "%s.v%d" % (cc, fam)), "w") as f:
                f.write("# generated for the benchmark\n" + "\n".join(lines) + "\n")
            total += len(lines)
    return total


MANUAL = {
    "office4": ["203.0.113.0/28", "203.0.113.64/27", "198.18.0.0/24", "198.18.7.0/24",
                "100.64.1.0/24", "100.64.9.17/32"],
    "office6": ["2001:db8:aa::/48", "2001:db8:bb::/48", "2001:db8:cc:1::/64"],
    "partners": ["192.0.2.0/26", "192.0.2.128/27", "198.51.100.200/32", "100.65.0.0/16"],
}


def aliases():
    out, i = [], 0
    for name, ccs in COUNTRY_ALIASES.items():
        i += 1
        out.append({"id": i, "name": name, "type": "automated", "countries": ccs})
    for name, addrs in MANUAL.items():
        i += 1
        out.append({"id": i, "name": name, "type": "manual", "addresses": list(addrs)})
    return out


def big_rules():
    """2,000 rules, in the order a user would keep them: block lists first,
    then the openings (IPv4 and IPv6 single ports to LAN hosts, some of
    them rejects), then rules with sources, port ranges, and the router's
    own services."""
    rng = random.Random(7)
    rules = []

    def add(**kw):
        r = {"id": len(rules) + 1, "index": len(rules) + 1, "action": "accept"}
        r.update(kw)
        rules.append(r)

    for dz in ("lan", "router"):
        add(description="block listed countries", src_zone="wan", dest_zone=dz, src=["blocked"],
            action="drop")
        add(description="no Brazil", src_zone="wan", dest_zone=dz, src=["geo_br"], action="reject")
    keys = set()
    while len(rules) < 4 + 1400:
        h, p, proto = rng.choice(LAN_HOSTS), rng.randrange(1024, 60000), rng.choice(("tcp", "udp"))
        if (h, p, proto) in keys:
            continue
        keys.add((h, p, proto))
        add(description="open %d/%s on %s" % (p, proto, h), proto=proto, src_zone="wan",
            dest_zone="lan", dest=[h], dest_ports=[str(p)],
            action="reject" if rng.random() < 0.08 else "accept")
    while len(rules) < 1604:
        h, p = "2001:db8:1::%x" % rng.randrange(2, 0xffff), rng.randrange(1024, 60000)
        add(proto=rng.choice(("tcp", "udp")), family="ipv6", src_zone="wan", dest_zone="lan",
            dest=[h], dest_ports=[str(p)])
    while len(rules) < 1754:
        src = [rng.choice(("office4", "partners"))] if rng.random() < 0.5 else \
              ["203.0.113.%d/32" % rng.randrange(1, 255), "192.0.2.%d/32" % rng.randrange(1, 255)]
        add(proto="tcp", src_zone="wan", dest_zone="lan", src=src, dest=[rng.choice(LAN_HOSTS)],
            dest_ports=[str(rng.randrange(1024, 60000))])
    while len(rules) < 1854:
        lo = rng.randrange(10000, 60000)
        add(proto="udp", src_zone="wan", dest_zone="lan", dest=[rng.choice(LAN_HOSTS)],
            dest_ports=["%d-%d" % (lo, lo + rng.randrange(10, 500))])
    while len(rules) < 1950:
        add(proto="tcp", src_zone="wan", dest_zone="router", src=["office4"],
            dest_ports=[str(rng.randrange(1024, 60000))])
    while len(rules) < 2000:
        add(proto="tcp", family="ipv6", src_zone="wan", dest_zone="lan", src=["office6"],
            dest=["2001:db8:1::%x" % rng.randrange(2, 0xffff)],
            dest_ports=[str(rng.randrange(1024, 60000))])
    return rules


def big_forwards():
    rng = random.Random(11)
    out = []
    for i in range(200):
        f = {"id": i + 1, "proto": ("tcp", "udp", "tcpudp")[i % 3], "wan_port": str(20000 + i),
             "lan_ip": rng.choice(LAN_HOSTS), "lan_port": str(rng.choice((22, 80, 443, 3389, 8080)))}
        if i % 20 == 0:
            f["src"] = ["partners"]
        out.append(f)
    return out


def point_rules(n):
    """n rules "allow tcp (or udp) port P to LAN host H" from the WAN; the
    last one allows both protocols (iperf3 needs TCP and UDP on its port)."""
    rules, keys = [], set()
    rng = random.Random(3)
    while len(rules) < n:
        h, p, proto = rng.choice(LAN_HOSTS[:-1]), rng.randrange(1024, 60000), rng.choice(("tcp", "udp"))
        if (h, p) in keys or p == 5201:
            continue
        keys.add((h, p))
        rules.append({"id": len(rules) + 1, "index": len(rules) + 1, "proto": proto,
                      "src_zone": "wan", "dest_zone": "lan", "dest": [h], "dest_ports": [str(p)],
                      "action": "accept"})
    rules[-1].update(proto="tcpudp", dest=[LAN_HOSTS[-1]], dest_ports=["5201"])
    return rules


# ---------------------------------------------------------------------------
# difosd


class Difosd:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="difos-fwbench-")
        os.chmod(self.root, 0o755)
        self.log = os.path.join(self.root, "difosd.log")
        self.proc = None
        self.extra = []      # more arguments for difosd

    def start(self):
        self.proc = subprocess.Popen(["ip", "netns", "exec", NS, os.path.join(BUILD, "difosd"),
                                      "--root", self.root, "--backend", "linux", "--debug",
                                      *self.extra],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(self.log, "w"))
        self.ctl("wait", "--timeout", "20")

    def argv(self, *args):
        return [os.path.join(BUILD, "difosctl"), "--root", self.root] + list(args)

    def ctl(self, *args, input=None):
        return nsx(NS, *self.argv(*args), input=input)

    def stage(self, changes):
        self.ctl("call", "config.set", "-", input=json.dumps({"changes": changes}))

    def apply_any(self):
        """apply, when something is staged"""
        r = nsx(NS, *self.argv("apply"), check=False, timeout=600)
        if r.returncode and "no staged changes" not in r.stdout + r.stderr:
            raise SystemExit("difosctl apply: %s%s" % (r.stdout[-2000:], r.stderr[-2000:]))

    def log_size(self):
        return os.path.getsize(self.log)

    def log_since(self, off):
        with open(self.log, errors="replace") as f:
            f.seek(off)
            return f.read()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not os.environ.get("KEEP"):
            shutil.rmtree(self.root, ignore_errors=True)
        else:
            log("kept " + self.root)

    @property
    def active(self):
        return os.path.join(self.root, "run/difos/active/firewall")


STEP_RE = re.compile(r"apply: timings: (.*)")
PART_RE = re.compile(r"(\w+) ([\d.]+) ms(?: \(([^)]*)\))?")


def steps(text):
    """The engine's step timings from difosd's --debug log ("apply: timings:
    validate 1.2 ms, render 3.4 ms (firewall 3.0, ...), ..."), as
    {"render": 3.4, "render.firewall": 3.0, ...} in seconds; {} if absent."""
    m = STEP_RE.findall(text)
    out = {}
    for step, total, per in PART_RE.findall(m[-1] if m else ""):
        out[step] = float(total) / 1000
        for item in filter(None, (per or "").split(", ")):
            name, v = item.rsplit(" ", 1)
            out[step + "." + name] = float(v) / 1000
    return out


def full_script(d):
    """The text of fw_full_script for the files in force."""
    rs = open(os.path.join(d, "ruleset.nft")).read()
    out = ["table inet difos\ndelete table inet difos\n", rs]
    for m in re.finditer(r"^\t(?:set|map) (\S+) \{", rs, re.M):
        p = os.path.join(d, "set." + m.group(1))
        if not os.path.exists(p):
            continue
        elems = [l for l in open(p).read().split("\n") if l]
        if elems:
            out.append("add element inet difos %s { %s }\n" % (m.group(1), ", ".join(elems)))
    return "".join(out)


def fresh_ns(name):
    sh("ip", "netns", "add", name)
    nsx(name, "ip", "link", "set", "lo", "up")
    return name


def del_ns(name):
    subprocess.run(["ip", "netns", "del", name], capture_output=True)


def count_elements(ns, set_name):
    r = nsx(ns, "nft", "-j", "list", "set", "inet", "difos", set_name, timeout=120)
    for o in json.loads(r.stdout)["nftables"]:
        if "set" in o:
            return len(o["set"].get("elem", []))
    return 0


# ---------------------------------------------------------------------------
# part 1 and 2


EMPTY = [{"path": "firewall.ip_aliases", "value": []}, {"path": "firewall.port_aliases", "value": []},
         {"path": "firewall.rules", "value": []}, {"path": "firewall.port_forwards", "value": []}]


def big_changes():
    return [{"path": "firewall.ip_aliases", "value": aliases()},
            {"path": "firewall.port_aliases", "value": []},
            {"path": "firewall.rules", "value": big_rules()},
            {"path": "firewall.port_forwards", "value": big_forwards()}]


def part1(dd, results, scratch):
    big = big_changes()
    times, anchors, breakdown = [], [], []
    script_path = os.path.join(scratch, "full.nft")
    for i in range(RUNS):
        dd.stage(EMPTY)
        dd.apply_any()
        dd.stage(big)
        off = dd.log_size()
        times.append(timed(NS, dd.argv("apply"))[0])
        text = dd.log_since(off)
        breakdown.append(steps(text))
        if i == 0:
            results["full_path"] = re.findall(r"firewall: .*", text)
            script = full_script(dd.active)
            open(script_path, "w").write(script)
            st = os.stat(script_path)
            rs = open(os.path.join(dd.active, "ruleset.nft")).read()
            results["script"] = (st.st_size, len(rs), rs.count("\n"))
            results["elements"] = {s: count_elements(NS, s) for s in
                                   ("a4_blocked", "a6_blocked", "a4_geo_br", "a6_geo_br")}
        a = fresh_ns(TAG + "-a")
        try:
            anchors.append(timed(a, ["nft", "-f", script_path])[0])
        finally:
            del_ns(a)
        log("part 1 run %d: difos %s, nft -f %s" % (i + 1, ms(times[-1]), ms(anchors[-1])))
    results["full"] = (times, anchors, breakdown)


LISTS_PORT = 8099


def update_lists(dd):
    """firewall.update_lists runs in the daemon's background: the seconds
    until firewall.lists_status reports it finished and applied (polled
    every 5 ms; difosctl reaches difosd's socket by its path)."""
    t0 = time.monotonic()
    sh(*dd.argv("call", "firewall.update_lists"))
    while True:
        st = json.loads(sh(*dd.argv("--json", "call", "firewall.lists_status")).stdout)
        if not st.get("running"):
            break
        time.sleep(0.005)
    t = time.monotonic() - t0
    if not st.get("applied") or st.get("failed"):
        raise SystemExit("country list update: %s" % json.dumps(st)[:2000])
    return t


def part2(dd, results, scratch):
    """One change, three ways, with the 200k sets in force (part 1 left them):
    a manual alias, a traffic rule, a country list fetched again."""
    script_path = os.path.join(scratch, "full.nft")
    alias_id = 3  # office4: after the two country aliases
    base = list(MANUAL["office4"])
    rule = big_rules()[600]  # an IPv4 point rule inside the verdict map
    chain_rule = big_rules()[1700]  # a rule with sources: a rule of its chain
    served = os.path.join(scratch, "served")
    shutil.copytree(os.path.join(dd.root, "var/lib/difos/lists/countries"), served)
    cn4 = open(os.path.join(served, "cn.v4")).read()
    http = subprocess.Popen(["ip", "netns", "exec", NS, PY, "-m", "http.server", str(LISTS_PORT),
                             "--bind", "127.0.0.1", "--directory", served],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    anchor_ns = fresh_ns(TAG + "-a2")
    out = {k: {"total": [], "apply": [], "steps": []} for k in ("alias", "rule", "chain_rule", "list")}
    out.update(nft_big=[], nft_small=[])
    try:
        dd.stage([{"path": "firewall.lists_url_v4", "value": "http://127.0.0.1:%d/{cc}.v4" % LISTS_PORT},
                  {"path": "firewall.lists_url_v6", "value": "http://127.0.0.1:%d/{cc}.v6" % LISTS_PORT}])
        dd.apply_any()
        time.sleep(0.3)
        update_lists(dd)  # the same lists: nothing changes
        nsx(anchor_ns, "nft", "-f", script_path, timeout=600)

        def measure_list():
            off = dd.log_size()
            t = update_lists(dd)
            text = dd.log_since(off)
            stamps = [float(m) for m in re.findall(
                r"^(\d+\.\d+) difosd info: firewall: (?:fetching|country lists updated)", text, re.M)]
            out["list"]["total"].append(t)
            out["list"]["apply"].append(stamps[-1] - stamps[0] if len(stamps) == 2 else float("nan"))
            out["list"]["steps"].append(steps(text))

        def measure(kind, *argvs):
            off = dd.log_size()
            t = timed(NS, *argvs)
            out[kind]["total"].append(sum(t))
            out[kind]["apply"].append(t[-1])
            out[kind]["steps"].append(steps(dd.log_since(off)))

        for i in range(RUNS * 2):  # every other run puts the state back
            extra = "198.19.%d.0/24" % (i - i % 2)
            measure("alias", dd.argv("set", "firewall.ip_aliases[%d].addresses" % alias_id,
                                     ",".join(base + ([extra] if i % 2 == 0 else []))),
                    dd.argv("apply"))
            port = int(rule["dest_ports"][0]) + (1 if i % 2 == 0 else 0)
            measure("rule", dd.argv("set", "firewall.rules[%d].dest_ports" % rule["id"], str(port)),
                    dd.argv("apply"))
            port = int(chain_rule["dest_ports"][0]) + (1 if i % 2 == 0 else 0)
            measure("chain_rule", dd.argv("set", "firewall.rules[%d].dest_ports" % chain_rule["id"],
                                          str(port)), dd.argv("apply"))
            with open(os.path.join(served, "cn.v4"), "w") as f:
                f.write(cn4 + (extra + "\n" if i % 2 == 0 else ""))
            measure_list()
            verb = "add" if i % 2 == 0 else "delete"
            out["nft_big"].append(timed(anchor_ns, ["nft", verb, "element", "inet", "difos",
                                                    "a4_blocked", "{ %s }" % extra])[0])
            out["nft_small"].append(timed(anchor_ns, ["nft", verb, "element", "inet", "difos",
                                                      "a4_office4", "{ %s }" % extra])[0])
            log("part 2 run %d: alias %s (apply %s), rule %s (apply %s), chain rule %s (apply %s), list %s,"
                " nft: big set %s, small set %s" % (
                i + 1, ms(out["alias"]["total"][-1]), ms(out["alias"]["apply"][-1]),
                ms(out["rule"]["total"][-1]), ms(out["rule"]["apply"][-1]),
                ms(out["chain_rule"]["total"][-1]), ms(out["chain_rule"]["apply"][-1]),
                ms(out["list"]["total"][-1]),
                ms(out["nft_big"][-1]), ms(out["nft_small"][-1])))
        # the kernel holds what the configuration says
        results["after"] = {s: count_elements(NS, s) for s in ("a4_office4", "a4_blocked")}
    finally:
        http.terminate()
        http.wait()
        del_ns(anchor_ns)
    results["change"] = out


# ---------------------------------------------------------------------------
# part 3


# the lookup of forward_wan_lan's rules in their verdict map
VMAP_RULE = r"(\tchain forward_wan_lan \{\n)\t\tip daddr \. meta l4proto \. th dport vmap @v_forward_wan_lan_1[^\n]*\n"


def sequential_variant(script, rules):
    """The difos ruleset with the verdict map of forward_wan_lan replaced by
    one nft rule per traffic rule, in the same order."""
    lines = []
    for r in rules:
        proto = {"tcp": "tcp", "udp": "udp"}.get(r["proto"])
        match = ("%s dport %s" % (proto, r["dest_ports"][0]) if proto else
                 "meta l4proto { tcp, udp } th dport %s" % r["dest_ports"][0])
        lines.append("\t\tip daddr %s %s accept comment \"rule %d\"\n" % (r["dest"][0], match, r["id"]))
    new, n = re.subn(VMAP_RULE, lambda m: m.group(1) + "".join(lines), script)
    assert n == 1, "the verdict map of forward_wan_lan was not found"
    return new


def baseline_variant(script, rules):
    """No user rules: only the flow's own rule."""
    last = rules[-1]
    new, n = re.subn(VMAP_RULE, lambda m: m.group(1) + "\t\tip daddr %s meta l4proto { tcp, udp } th dport %s accept\n"
                     % (last["dest"][0], last["dest_ports"][0]), script)
    assert n == 1
    return new


NOTRACK = """table inet bench_notrack {
	chain pre { type filter hook prerouting priority raw; policy accept; notrack; }
	chain out { type filter hook output priority raw; policy accept; notrack; }
}
"""


def packet_lab():
    r, w, l = TAG + "-pr", TAG + "-pw", TAG + "-pl"
    for n in (r, w, l):
        fresh_ns(n)
    sh("ip", "link", "add", "wan0", "netns", r, "type", "veth", "peer", "name", "eth0", "netns", w)
    sh("ip", "link", "add", "br-lan", "netns", r, "type", "veth", "peer", "name", "eth0", "netns", l)
    host = LAN_HOSTS[-1]
    for ns, cmds in ((r, (("ip", "link", "set", "wan0", "up"), ("ip", "link", "set", "br-lan", "up"),
                          ("ip", "addr", "add", "198.51.100.2/24", "dev", "wan0"),
                          ("ip", "addr", "add", "192.168.1.1/24", "dev", "br-lan"),
                          ("sysctl", "-qw", "net.ipv4.ip_forward=1"))),
                     (w, (("ip", "link", "set", "eth0", "up"), ("ip", "addr", "add", "198.51.100.1/24", "dev", "eth0"),
                          ("ip", "route", "add", "192.168.1.0/24", "via", "198.51.100.2"))),
                     (l, (("ip", "link", "set", "eth0", "up"), ("ip", "addr", "add", host + "/24", "dev", "eth0"),
                          ("ip", "route", "add", "default", "via", "192.168.1.1")))):
        for c in cmds:
            nsx(ns, *c)
    for ns in (r, w, l):
        nsx(ns, "nft", "-f", "-", input=NOTRACK)
    return r, w, l, host


def iperf(w, host, udp):
    argv = ["timeout", str(int(DURATION) + 15), "iperf3", "-J", "-c", host, "-t", str(DURATION)]
    if udp:
        argv += ["-u", "-b", "0", "-l", "64"]
    for attempt in range(3):
        r = nsx(w, *argv, check=False)
        try:
            j = json.loads(r.stdout)
            if "error" not in j:
                break
        except ValueError:
            pass
        time.sleep(0.5)
    else:
        raise SystemExit("iperf3 failed: %s %s" % (r.stdout[-500:], r.stderr[-500:]))
    end = j["end"]
    if udp:
        s = end["sum"]
        received = s["packets"] - s["lost_packets"]
        return received / s["seconds"]
    return end["sum_received"]["bits_per_second"]


def part3(dd, results, scratch):
    rules = point_rules(2000)
    dd.stage(EMPTY[:2] + [{"path": "firewall.rules", "value": rules},
                          {"path": "firewall.port_forwards", "value": []}])
    dd.ctl("apply")
    script = full_script(dd.active)
    vmap_keys = len([l for l in open(os.path.join(dd.active, "set.v_forward_wan_lan_1")) if l.strip()])
    variants = {"difos (verdict map)": script, "2,000 sequential rules": sequential_variant(script, rules),
                "no user rules": baseline_variant(script, rules)}
    files = {}
    for k, text in variants.items():
        files[k] = os.path.join(scratch, "p3-%d.nft" % len(files))
        open(files[k], "w").write(text)
    r, w, l, host = packet_lab()
    srv = subprocess.Popen(["ip", "netns", "exec", l, "iperf3", "-s", "-B", host],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = {k: ([], []) for k in variants}
    try:
        time.sleep(0.5)
        for i in range(RUNS):
            for k in variants:
                nsx(r, "nft", "-f", files[k], timeout=120)
                tcp = iperf(w, host, False)
                udp = iperf(w, host, True)
                out[k][0].append(tcp)
                out[k][1].append(udp)
                log("part 3 run %d, %s: TCP %.2f Gbit/s, UDP %.0f packets/s" % (i + 1, k, tcp / 1e9, udp))
        # the flow really is decided by the rules: without them it is dropped
        nsx(r, "nft", "flush", "chain", "inet", "difos", "forward_wan_lan")
        r2 = nsx(w, "timeout", "8", "iperf3", "-c", host, "-t", "1", "--connect-timeout", "1000",
                 check=False)
        results["dropped_without_rule"] = r2.returncode != 0
    finally:
        srv.terminate()
        srv.wait()
        for n in (r, w, l):
            del_ns(n)
    results["packets"] = out
    results["vmap_keys"] = vmap_keys


# ---------------------------------------------------------------------------


def med_step(bd, key):
    v = [b[key] for b in bd if key in b]
    return ms(median(v)) if v else "-"


def report(results):
    print("machine: %d CPUs, %s" % (os.cpu_count(), os.uname().release))
    print("build: %s, RUNS=%d" % (BUILD, RUNS))
    if "full" in results:
        times, anchors, bd = results["full"]
        size, rs_bytes, rs_lines = results["script"]
        print("\n1. full apply: %d-byte transaction (ruleset.nft %d bytes, %d lines); elements %s" % (
            size, rs_bytes, rs_lines, results["elements"]))
        print("   difos apply   median %s  runs %s" % (ms(median(times)), ", ".join(ms(t) for t in times)))
        print("   nft -f        median %s  runs %s" % (ms(median(anchors)), ", ".join(ms(t) for t in anchors)))
        print("   ratio         %.2fx" % (median(times) / median(anchors)))
        print("   difosd log (medians): validate %s, render %s (firewall %s), check %s, apply %s (firewall %s),"
              " store %s, engine total %s" % tuple(med_step(bd, k) for k in (
                  "validate", "render", "render.firewall", "check", "apply", "apply.firewall", "store", "total")))
        print("   %s" % "; ".join(results["full_path"]))
    if "change" in results:
        c = results["change"]
        print("\n2. one change with the 200,000-element sets in force (%d runs each, half of them undoing)"
              % len(c["nft_big"]))
        for k, label, cmd, alone in (("alias", "one CIDR in a manual alias", "set + apply", "the apply alone"),
                                     ("rule", "one rule's port", "set + apply", "the apply alone"),
                                     ("chain_rule", "a sourced rule's port", "set + apply",
                                      "the apply alone"),
                                     ("list", "one CIDR in a country list", "update_lists until applied",
                                      "in difosd from fetch to applied")):
            d = c[k]
            print("   %-27s %s median %s; %s %s (runs %s)" % (
                label, cmd, ms(median(d["total"])), alone, ms(median(d["apply"])),
                ", ".join(ms(t) for t in d["apply"])))
            print("      difosd log (medians): validate %s, render %s (firewall %s), check %s,"
                  " firewall apply %s, store %s, engine total %s" % tuple(med_step(d["steps"], s) for s in (
                      "validate", "render", "render.firewall", "check", "apply.firewall", "store", "total")))
        print("   nft add/delete element, 120,000-element set: median %s (runs %s)" % (
            ms(median(c["nft_big"])), ", ".join(ms(t) for t in c["nft_big"])))
        print("   nft add/delete element, 6-element set of the same table: median %s (runs %s)" % (
            ms(median(c["nft_small"])), ", ".join(ms(t) for t in c["nft_small"])))
        print("   after the runs: %s" % results["after"])
    if "packets" in results:
        p = results["packets"]
        print("\n3. packet cost (%d verdict-map keys; the flow matches the last rule; notrack)" % results["vmap_keys"])
        base = p["difos (verdict map)"]
        for k, (tcp, udp) in p.items():
            print("   %-24s TCP %6.2f Gbit/s (x%.2f)  UDP 64 B %9.0f packets/s (x%.2f)   runs TCP %s UDP %s" % (
                k, median(tcp) / 1e9, median(tcp) / median(base[0]), median(udp), median(udp) / median(base[1]),
                ", ".join("%.2f" % (t / 1e9) for t in tcp), ", ".join("%.0f" % u for u in udp)))
        print("   flow dropped once the rules are gone: %s" % results["dropped_without_rule"])


def main():
    if os.geteuid() != 0:
        sys.exit("bench needs root")
    scratch = tempfile.mkdtemp(prefix="difos-fwbench-files-")
    results = {}
    dd = Difosd()
    fresh_ns(NS)
    try:
        for dev in ("lan0", "wan0"):
            nsx(NS, "ip", "link", "add", dev, "type", "veth", "peer", "name", dev + "p")
            nsx(NS, "ip", "link", "set", dev + "p", "up")
        n = write_country_lists(os.path.join(dd.root, "var/lib/difos"))
        log("country lists: %d CIDRs" % n)
        dd.start()
        dd.stage([{"path": "wan.ipv4", "value": {"proto": "static", "address": "198.51.100.2", "prefix": 24,
                                                 "gateway": "198.51.100.1", "dns": []}}])
        dd.ctl("apply")
        if "1" in PARTS or "2" in PARTS:
            part1(dd, results, scratch)
        if "2" in PARTS:
            part2(dd, results, scratch)
        if "3" in PARTS:
            part3(dd, results, scratch)
        report(results)
    finally:
        dd.stop()
        del_ns(NS)
        for suffix in ("-a", "-a2", "-pr", "-pw", "-pl"):
            del_ns(TAG + suffix)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
