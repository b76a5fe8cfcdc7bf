#!/usr/bin/python3
"""difosd-web under load, against nginx serving a file of the same size.

Builds a lab of two network namespaces it creates: the router (difosd with
the real backend, lan0 and wan0 as veth ports) and a LAN client holding the
other ends (eth0 192.168.1.50/24 peer of lan0; wan0's peer has no address).
Every client (wrk, openssl, curl, the browser) runs in the client namespace
and reaches the router at 192.168.1.1 over the veth, as a LAN host would.

  1. starts difosd (which starts difosd-web on 443 and 80), does the first-run
     setup through the REST API (POST /api/v1/auth/setup) and creates an API
     token (difosctl call auth.token_create);
  2. reads idle RSS of difosd-web and difosd from /proc/PID/status;
  3. starts nginx in the router namespace on 192.168.1.1:8443 with the
     router's own certificate and key, one worker, keep-alive, serving the
     body difos just returned for each endpoint as a static file (same size,
     same content, same security headers);
  4. for each endpoint, wrk over TLS with keep-alive, same parameters, on
     difos then on nginx, RUNS times alternating (medians); RSS of difosd-web and difosd sampled every 100 ms
     during the difos runs (max reported), nginx's worker during its runs;
  5. the GUI's cold first load (bench/gui_load.mjs, Chromium) in the client
     namespace, when playwright-core is installed in bench/web.

GET /api/v1/status is the endpoint of record; GET /api/v1/system is measured
too, as the bridge's ceiling for a cheap core method, and GET
/api/v1/dashboard with 50 connections, as 50 open dashboards would read it. Reported, not asserted.

Environment: DURATION (s, 10), THREADS (2), CONNS (16), RUNS (3, medians
reported), GUI_RUNS (5),
ENDPOINTS (status,system,dashboard:50: an endpoint with its own number of
connections after a colon), NO_GUI=1, DIFOS_BUILD, DIFOS_GUI.
"""
import json, os, re, shutil, signal, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BUILD = os.path.abspath(os.environ.get("DIFOS_BUILD", os.path.join(REPO, "build")))
GUI = os.path.abspath(os.environ.get("DIFOS_GUI", os.path.join(REPO, "gui", "dist")))
NS_R = "difos-wb-r-%d" % os.getpid()
NS_C = "difos-wb-c-%d" % os.getpid()
ROUTER = "192.168.1.1"
CLIENT = "192.168.1.50/24"
NGINX_PORT = 8443
DURATION = int(os.environ.get("DURATION", "10"))
THREADS = int(os.environ.get("THREADS", "2"))
CONNS = int(os.environ.get("CONNS", "16"))
RUNS = int(os.environ.get("RUNS", "3"))
GUI_RUNS = int(os.environ.get("GUI_RUNS", "5"))
# name[:connections]: the dashboard as 50 browsers keep it open would ask it
_EPS = [e.split(":") for e in os.environ.get("ENDPOINTS", "status,system,dashboard:50").split(",") if e]
ENDPOINTS = [e[0] for e in _EPS]
CONNS_OF = {e[0]: int(e[1]) if len(e) > 1 else CONNS for e in _EPS}
PASSWORD = "bench-password-%d" % os.getpid()
TIMEOUT = 60  # seconds, any single helper command

# the headers difosd-web puts on an API answer (src/web), for nginx to send too
SEC_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
                               "form-action 'self'",
    "Strict-Transport-Security": "max-age=31536000",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def sh(*argv, timeout=TIMEOUT, check=True, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode:
        raise RuntimeError("%s: exit %d: %s%s" % (" ".join(argv[:8]), r.returncode, r.stdout[-500:], r.stderr[-500:]))
    return r


def in_router(*argv, **kw):
    return sh("ip", "netns", "exec", NS_R, *argv, **kw)


def in_client(*argv, **kw):
    return sh("ip", "netns", "exec", NS_C, *argv, **kw)


def ctl(root, *args, **kw):
    return in_router(os.path.join(BUILD, "difosctl"), "--root", root, *args, **kw)


def ns_pids(ns, comm):
    r = sh("ip", "netns", "pids", ns, check=False)
    out = []
    for p in r.stdout.split():
        try:
            if open("/proc/%s/comm" % p).read().strip() == comm:
                out.append(int(p))
        except OSError:
            pass
    return out


def rss_kib(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler:
    """Max VmRSS of some pids, sampled every 100 ms while running."""

    def __init__(self, pids):
        self.pids = {k: v for k, v in pids.items() if v}
        self.max = {k: 0 for k in self.pids}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while True:
            for k, pid in self.pids.items():
                self.max[k] = max(self.max[k], rss_kib(pid))
            if self.stop.wait(0.1):
                break

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)


def curl(*args, timeout=10):
    """curl from the client namespace; returns (status, headers, body)."""
    r = in_client("curl", "-sk", "--max-time", str(timeout), "-D", "-", *args, timeout=timeout + 5, check=False)
    head, _, body = r.stdout.partition("\n\n")  # text mode: CRLF reads as LF
    m = re.match(r"HTTP/\S+ (\d+)", head)
    return (int(m.group(1)) if m else 0), head, body


def wait_web(deadline_s=30):
    t0 = time.monotonic()
    while time.monotonic() - t0 < deadline_s:
        st, _, _ = curl("https://%s/api/v1/session" % ROUTER, timeout=2)
        if st == 200:
            return
        time.sleep(0.2)
    raise RuntimeError("difosd-web did not answer https://%s/api/v1/session within %d s" % (ROUTER, deadline_s))


def to_ms(v):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", v)
    if not m:
        return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]


def wrk(url, token, duration=DURATION, conns=CONNS):
    argv = ["wrk", "-t%d" % THREADS, "-c%d" % conns, "-d%ds" % duration, "--latency"]
    if token:
        argv += ["-H", "Authorization: Bearer " + token]
    r = in_client(*argv, url, timeout=duration + 60)
    out = r.stdout
    res = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
           "requests": int(re.search(r"(\d+) requests in", out).group(1)),
           "raw": out}
    for q in ("50", "99"):
        m = re.search(r"^\s+%s(?:\.000)?%%\s+(\S+)" % q, out, re.M)
        res["p" + q] = to_ms(m.group(1)) if m else float("nan")
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["errors"] = sum(map(int, m.groups())) if m else 0
    return res


def tls_params(port):
    r = in_client("openssl", "s_client", "-connect", "%s:%d" % (ROUTER, port), "-brief", input="", check=False,
                  timeout=15)
    text = r.stdout + r.stderr
    proto = re.search(r"Protocol version: (\S+)", text)
    suite = re.search(r"Ciphersuite: (\S+)", text)
    return "%s %s" % (proto.group(1) if proto else "?", suite.group(1) if suite else "?")


NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    server_tokens off;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    server {{
        listen {addr}:{port} ssl http2;
        ssl_certificate {crt};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        root {dir}/www;
        location /api/v1/ {{
            default_type application/json;
{headers}
        }}
    }}
}}
"""


def start_nginx(root, bodies):
    d = os.path.join(root, "nginx")
    os.makedirs(os.path.join(d, "tmp"), mode=0o755)
    www = os.path.join(d, "www", "api", "v1")
    os.makedirs(www, mode=0o755)
    for p in (d, os.path.join(d, "www"), os.path.join(d, "www", "api"), www):
        os.chmod(p, 0o755)
    for name, body in bodies.items():
        with open(os.path.join(www, name), "wb") as f:
            f.write(body)
        os.chmod(os.path.join(www, name), 0o644)
    tls = os.path.join(root, "etc", "difos", "tls")
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(dir=d, addr=ROUTER, port=NGINX_PORT, crt=os.path.join(tls, "server.crt"),
                                  key=os.path.join(tls, "server.key"),
                                  headers="\n".join("            add_header %s \"%s\" always;" % kv
                                                    for kv in SEC_HEADERS.items())))
    proc = subprocess.Popen(["ip", "netns", "exec", NS_R, "nginx", "-p", d, "-c", conf, "-e", os.path.join(d, "error.log")],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "stderr.log"), "w"))
    t0 = time.monotonic()
    while time.monotonic() - t0 < 15:
        name = next(iter(bodies))
        st, _, body = curl("https://%s:%d/api/v1/%s" % (ROUTER, NGINX_PORT, name), timeout=2)
        if st == 200 and len(body.encode()) == len(bodies[name]):
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError("nginx did not start: %s" % open(os.path.join(d, "stderr.log")).read()[-500:])


def stop(proc, sig=signal.SIGTERM, wait=10):
    if proc and proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    """(utime+stime, cutime+cstime) of a process, in clock ticks."""
    try:
        f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12]), int(f[13]) + int(f[14])
    except OSError:
        return 0, 0


def median(v):
    v = sorted(v)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def kib(n):
    return "{:,} KiB".format(n)


def run_gui(results):
    node = shutil.which("node")
    pw = os.path.join(HERE, "web", "node_modules", "playwright-core")
    if os.environ.get("NO_GUI"):
        return
    if not node or not os.path.isdir(pw) or not os.path.exists("/usr/bin/chromium"):
        print("GUI cold load: skipped (needs node, /usr/bin/chromium and `cd bench/web && npm ci`)")
        return
    r = in_client(node, os.path.join(HERE, "gui_load.mjs"), "--url", "https://" + ROUTER, "--password", PASSWORD,
                  "--runs", str(GUI_RUNS), check=False, timeout=60 + 40 * GUI_RUNS)
    sys.stdout.write(r.stdout)
    if r.returncode:
        print("GUI cold load: failed (exit %d): %s" % (r.returncode, r.stderr.strip()[-500:]))
        results["gui"] = None
    else:
        results["gui"] = r.stdout.strip().splitlines()[-1]


def main():
    if os.geteuid() != 0:
        sys.exit("web_bench needs root (network namespaces)")
    for tool in ("wrk", "nginx", "curl", "openssl"):
        if not shutil.which(tool):
            sys.exit("web_bench needs %s" % tool)
    if not os.path.exists(os.path.join(GUI, "index.html")):
        sys.exit("web_bench needs the GUI built in %s (make gui)" % GUI)
    root = tempfile.mkdtemp(prefix="difos-webbench-")
    os.chmod(root, 0o755)
    core = nginx = None
    results = {}
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
        sh("ip", "-n", NS_C, "addr", "add", CLIENT, "dev", "eth0")

        log = open(os.path.join(root, "difosd.log"), "w")
        core = subprocess.Popen(["ip", "netns", "exec", NS_R, os.path.join(BUILD, "difosd"), "--root", root,
                                 "--gui", GUI], stdout=log, stderr=subprocess.STDOUT)
        ctl(root, "wait", "--timeout", "20", timeout=30)
        wait_web()

        # first run through the API, then an API token for wrk
        setup = json.loads(ctl(root, "--json", "call", "auth.setup_link").stdout)
        st, head, body = curl("-H", "X-Auth-Token: login", "-H", "Content-Type: application/json",
                              "--data", json.dumps({"token": setup["token"], "password": PASSWORD}),
                              "https://%s/api/v1/auth/setup" % ROUTER)
        if st != 200 or "__Host-difos_session=" not in head:
            raise RuntimeError("setup: HTTP %d %s" % (st, body[:300]))
        token = json.loads(ctl(root, "--json", "call", "auth.token_create", json.dumps({"name": "bench", "scope": "read-only"})).stdout)["token"]

        web_pid = ns_pids(NS_R, "difosd-web")
        core_pid = ns_pids(NS_R, "difosd")
        if len(web_pid) != 1 or len(core_pid) != 1:
            raise RuntimeError("difosd-web pids %s, difosd pids %s" % (web_pid, core_pid))
        web_pid, core_pid = web_pid[0], core_pid[0]
        time.sleep(2)
        idle = {"web": rss_kib(web_pid), "core": rss_kib(core_pid)}

        # the bodies difos answers now, for nginx to serve as files
        bodies = {}
        for ep in ENDPOINTS:
            st, _, body = curl("-H", "Authorization: Bearer " + token, "https://%s/api/v1/%s" % (ROUTER, ep))
            if st != 200:
                raise RuntimeError("GET /api/v1/%s: HTTP %d %s" % (ep, st, body[:300]))
            bodies[ep] = body.encode()
        nginx = start_nginx(root, bodies)
        nginx_worker = [p for p in ns_pids(NS_R, "nginx") if p != nginx.pid]
        nginx_idle = sum(rss_kib(p) for p in nginx_worker)
        tls = {"difos": tls_params(443), "nginx": tls_params(NGINX_PORT)}

        load_max = {"web": 0, "core": 0}
        nginx_max = 0
        for ep in ENDPOINTS:
            url_d = "https://%s/api/v1/%s" % (ROUTER, ep)
            url_n = "https://%s:%d/api/v1/%s" % (ROUTER, NGINX_PORT, ep)
            c = CONNS_OF[ep]
            wrk(url_d, token, 2, c)  # warm-up, not recorded
            wrk(url_n, token, 2, c)
            ds, ns_, cpu = [], [], {"web": 0, "core": 0, "children": 0}
            for _ in range(RUNS):  # alternating, so drifts of the machine hit both
                c0 = {"web": cpu_ticks(web_pid), "core": cpu_ticks(core_pid)}
                with RssSampler({"web": web_pid, "core": core_pid}) as s:
                    d = wrk(url_d, token, DURATION, c)
                c1 = {"web": cpu_ticks(web_pid), "core": cpu_ticks(core_pid)}
                cpu["web"] += c1["web"][0] - c0["web"][0]
                cpu["core"] += c1["core"][0] - c0["core"][0]
                cpu["children"] += c1["core"][1] - c0["core"][1]
                ds.append(d)
                for k in load_max:
                    load_max[k] = max(load_max[k], s.max[k])
                with RssSampler({"w%d" % i: p for i, p in enumerate(nginx_worker)}) as s:
                    ns_.append(wrk(url_n, token, DURATION, c))  # the same request; nginx ignores the header
                nginx_max = max(nginx_max, sum(s.max.values()))
            reqs = sum(d["requests"] for d in ds) or 1
            results[ep] = {"size": len(bodies[ep]), "difos": ds, "nginx": ns_,
                           "cpu_ms": {k: v * 1000.0 / TICK / reqs for k, v in cpu.items()}}
        time.sleep(1)
        after = {"web": rss_kib(web_pid), "core": rss_kib(core_pid)}
        web_now = ns_pids(NS_R, "difosd-web")

        summary = []
        print("wrk -t%d -c%d -d%ds --latency, TLS keep-alive, from the LAN client namespace, median of %d runs; "
              "difos: %s; nginx (1 worker): %s" % (THREADS, CONNS, DURATION, RUNS, tls["difos"], tls["nginx"]))
        print("%-22s %7s %12s %10s %12s %10s %9s %8s" % ("endpoint", "body", "difos req/s", "difos p99",
                                                      "nginx req/s", "nginx p99", "req/s", "p99"))
        for ep in ENDPOINTS:
            r = results[ep]
            d = {k: median([x[k] for x in r["difos"]]) for k in ("rps", "p99")}
            n = {k: median([x[k] for x in r["nginx"]]) for k in ("rps", "p99")}
            rr, pr = d["rps"] / n["rps"] if n["rps"] else 0, d["p99"] / n["p99"] if n["p99"] else 0
            print("%-22s %5d B %12.1f %7.1f ms %12.1f %7.1f ms %8.4fx %7.1fx" % (
                "GET /api/v1/" + ep + ("" if CONNS_OF[ep] == CONNS else " c%d" % CONNS_OF[ep]),
                r["size"], d["rps"], d["p99"], n["rps"], n["p99"], rr, pr))
            print("  runs: difos %s req/s, p99 %s ms; nginx %s req/s, p99 %s ms" % (
                ", ".join("%.0f" % x["rps"] for x in r["difos"]), ", ".join("%.1f" % x["p99"] for x in r["difos"]),
                ", ".join("%.0f" % x["rps"] for x in r["nginx"]), ", ".join("%.1f" % x["p99"] for x in r["nginx"])))
            c = r["cpu_ms"]
            print("  CPU per difos request: difosd-web %.3f ms, difosd %.3f ms, difosd's children %.3f ms" % (
                c["web"], c["core"], c["children"]))
            for who in ("difos", "nginx"):
                bad = sum(x["non2xx"] for x in r[who]), sum(x["errors"] for x in r[who])
                if any(bad):
                    print("  %s: %d non-2xx answers, %d socket errors of %d requests"
                          % ((who,) + bad + (sum(x["requests"] for x in r[who]),)))
            summary.append("web GET /api/v1/%s (%d B): difos %.0f req/s p99 %.1f ms, nginx %.0f req/s p99 %.1f ms: "
                           "ratio req/s %.4fx, p99 %.1fx" % (ep, r["size"], d["rps"], d["p99"], n["rps"], n["p99"], rr, pr))
        summary.append("RSS: difosd-web idle %s, max under load %s; difosd idle %s, max under load %s; "
                       "nginx worker idle %s, max under load %s" % (
                           kib(idle["web"]), kib(load_max["web"]), kib(idle["core"]), kib(load_max["core"]),
                           kib(nginx_idle), kib(nginx_max)))
        print(summary[-1] + "; difosd-web 1 s after the load %s" % kib(after["web"]))
        if web_now != [web_pid]:
            summary.append("difosd-web restarted during the run: pid %d, now %s" % (web_pid, web_now))
            print(summary[-1])
        log.flush()
        for l in [l.rstrip() for l in open(os.path.join(root, "difosd.log"))
                  if re.search(r" (err|error|warning|crit)\b|restart|crash", l)][:10]:
            print("difosd.log: " + l)

        # the browser last: its load does not count in the figures above
        print()
        run_gui(results)
        if results.get("gui"):
            summary.append(results["gui"])
        print()
        print("summary:")
        for line in summary:
            print("  " + line)
    finally:
        stop(nginx, signal.SIGQUIT)
        stop(core)
        for ns in made:
            for p in sh("ip", "netns", "pids", ns, check=False).stdout.split():
                try:
                    os.kill(int(p), signal.SIGKILL)
                except OSError:
                    pass
        time.sleep(0.2)
        for ns in made:
            subprocess.run(["ip", "netns", "del", ns], timeout=TIMEOUT)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
