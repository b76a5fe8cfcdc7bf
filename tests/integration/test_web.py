"""
difosd-web and the REST API, from a LAN client, over TLS: the API security
suite (sessions, CSRF, throttling, headers, limits, traversal), the
unprivileged web process, tokens, the event WebSocket, HTTP/2 and IPv6.
"""

import json
import os
import pwd
import re
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

import webclient

from conftest import LAN_ADDR, make_lab, ns_exec, run, wait_for
from webclient import Client, ns_connect, tls_context

PASSWORD = "correct horse 42"
GUI_FILES = {
    "index.html": "<!doctype html><title>difos</title><script type=module src=/assets/app-1.js></script>",
    "assets/app-1.js": "console.log('difos');\n" * 50,
}
REPO = Path(__file__).resolve().parents[2]


def web_pid(lab):
    def find():
        cp = run(["ip", "netns", "pids", lab.router])
        for pid in cp.stdout.split():
            try:
                if Path("/proc/%s/comm" % pid).read_text().strip() == "difosd-web":
                    return int(pid)
            except OSError:
                continue
        return None
    return wait_for(find, 15, what="difosd-web to run")


def wait_web(lab, addr=LAN_ADDR):
    webclient.wait_web(lab.lan, addr)


@pytest.fixture(scope="module")
def web_lab(tmp_path_factory):
    gui = tmp_path_factory.mktemp("gui")
    for name, text in GUI_FILES.items():
        p = gui / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    run(["gzip", "-k", "-9", str(gui / "assets/app-1.js")], check=True)
    with make_lab(daemon_args=("--gui", str(gui))) as lab:
        lab.client_static("192.168.1.10")
        wait_web(lab)
        yield lab


@pytest.fixture(scope="module")
def admin(web_lab):
    """The first run done: the admin password is set; a logged-in client."""
    c = Client(web_lab.lan)
    tok = web_lab.daemon.ctl_json("call", "auth.setup_link")["token"]
    r = c.api("POST", "/auth/setup", {"token": tok, "password": PASSWORD}, csrf="login")
    assert r.status == 200, r
    return c


def fresh(web_lab):
    c = Client(web_lab.lan)
    r = c.login(PASSWORD)
    assert r.status == 200, r
    return c


# ---- the process ---------------------------------------------------------


def test_web_process_is_unprivileged_and_cannot_open_the_store(web_lab):
    pid = web_pid(web_lab)
    status = Path("/proc/%d/status" % pid).read_text()
    uids = re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()
    gids = re.search(r"^Gid:\s+(.*)$", status, re.M).group(1).split()
    want = pwd.getpwnam("difos-web")
    assert set(map(int, uids)) == {want.pw_uid}, "difosd-web runs as uids %s" % uids
    assert set(map(int, gids)) == {want.pw_gid}
    assert re.search(r"^NoNewPrivs:\s+1$", status, re.M)
    # shut in an empty root: the store is not even in its file system view
    assert os.readlink("/proc/%d/root" % pid).endswith("/run/difos/web-root")
    assert os.listdir("/proc/%d/root/" % pid) == []
    # and with its uid the store cannot be opened from the real root either
    db = web_lab.daemon.db
    cp = run(["setpriv", "--reuid=%d" % want.pw_uid, "--regid=%d" % want.pw_gid,
              "--clear-groups", "--", "/usr/bin/python3", "-c",
              "open(%r, 'rb').read(1)" % str(db)])
    assert cp.returncode != 0 and "Permission denied" in cp.stderr, cp.stderr
    assert db.stat().st_mode & 0o077 == 0, "the store is readable by others"


def test_web_process_is_confined(web_lab):
    """A system call filter and no capability it could ever regain."""
    status = Path("/proc/%d/status" % web_pid(web_lab)).read_text()
    assert re.search(r"^Seccomp:\s+2$", status, re.M), status
    assert re.search(r"^CapBnd:\s+0000000000000000$", status, re.M), status
    assert re.search(r"^CapEff:\s+0000000000000000$", status, re.M), status
    # and it still serves: GUI, API, event feed
    c = Client(web_lab.lan)
    assert c.request("GET", "/").status == 200
    assert c.api("GET", "/session").status == 200


def test_engine_files_and_leases_are_not_world_readable(web_lab):
    import grp
    root = web_lab.daemon.root
    active = root / "run/difos/active"
    files = [p for p in active.resolve().rglob("*") if p.is_file()]
    assert len(files) > 5, files
    for p in files:
        assert p.stat().st_mode & 0o007 == 0, "%s is %o" % (p, p.stat().st_mode & 0o777)
    assert (active / "dhcp/dnsmasq.conf").stat().st_mode & 0o777 == 0o640
    # the files dnsmasq reads again as its own user carry its group
    for name in ("hosts", "dhcp-hosts"):
        st = (active / "dhcp" / name).stat()
        assert st.st_mode & 0o777 == 0o640 and st.st_gid == grp.getgrnam("dip").gr_gid, name
    leases = root / "var/lib/difos/dnsmasq.leases"
    assert leases.stat().st_mode & 0o777 == 0o640


def test_tls_key_is_private(web_lab):
    tls = web_lab.daemon.root / "etc/difos/tls"
    for name in ("factory.key", "server.key"):
        assert (tls / name).stat().st_mode & 0o077 == 0, name
    assert tls.stat().st_mode & 0o777 == 0o700


# ---- first run, login, sessions ---------------------------------------------


def test_first_run_needs_the_setup_token(web_lab):
    c = Client(web_lab.lan)
    r = c.api("GET", "/session")
    assert r.status == 200 and r.json == {"authenticated": False, "setup_required": True,
                                           "idle_timeout": 1800}
    r = c.api("POST", "/auth/setup", {"token": "0" * 32, "password": PASSWORD}, csrf="login")
    assert r.status == 403 and r.error["path"] == "token"
    r = c.api("POST", "/auth/login", {"password": "anything1"}, csrf="login")
    assert r.status == 409, "login before the password exists: %r" % r
    assert c.cookie is None


def test_setup_sets_a_strict_cookie(web_lab, admin):
    r = admin.api("GET", "/session")
    assert r.status == 200 and r.json["authenticated"] and r.json["user"] == "admin"
    assert len(admin.cookie) == 64 and len(admin.csrf) == 64
    # a second setup is refused
    r = Client(web_lab.lan).api("POST", "/auth/setup", {"token": "x" * 32, "password": "another-pw"},
                                csrf="login")
    assert r.status == 409
    # cookie flags, as set at login
    c = Client(web_lab.lan)
    r = c.login(PASSWORD)
    cookie = [v for v in r.all("Set-Cookie") if v.startswith("__Host-difos_session=")][0]
    attrs = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
    assert {"path", "secure", "httponly", "samesite"} <= attrs
    assert "SameSite=Strict" in cookie and "Path=/" in cookie and "Domain" not in cookie


def test_no_session_is_401(web_lab, admin):
    anon = Client(web_lab.lan)
    for method, path in (("GET", "/status"), ("GET", "/config"), ("GET", "/changes"),
                         ("GET", "/history"), ("GET", "/leases"), ("GET", "/tokens"),
                         ("POST", "/apply"), ("PATCH", "/config/lan/dhcp"),
                         ("DELETE", "/changes")):
        r = anon.api(method, path, {} if method != "GET" else None, csrf="x")
        assert r.status == 401, "%s %s: %r" % (method, path, r)
        assert r.error["code"] == "unauthorized"
    # a forged cookie is no session either
    anon.cookie = "a" * 64
    assert anon.api("GET", "/status").status == 401


def test_csrf_header_required_and_checked(web_lab, admin):
    c = fresh(web_lab)
    token = c.csrf
    c.csrf = None
    r = c.api("PATCH", "/config/lan/dhcp", {"size": 60})
    assert r.status == 403 and "missing" in r.error["message"]
    c.csrf = "f" * 64
    r = c.api("PATCH", "/config/lan/dhcp", {"size": 60})
    assert r.status == 403 and "wrong" in r.error["message"]
    c.csrf = token
    assert c.api("GET", "/changes").json == [], "a refused call staged something"
    r = c.api("PATCH", "/config/lan/dhcp", {"size": 60})
    assert r.status == 200, r
    assert c.api("GET", "/changes").json[0]["path"] == "lan.dhcp.size"
    assert c.api("DELETE", "/changes").json == {"discarded": 1}


def test_get_never_changes_state(web_lab, admin):
    c = fresh(web_lab)
    before = (web_lab.daemon.ctl_json("history"), c.api("GET", "/changes").json)
    spec = c.api("GET", "/openapi.json").json
    gets = 0
    for path, item in spec["paths"].items():
        if "get" not in item:
            continue
        q = {"/diff": "?from=0&to=0",
             "/qos/sqm/autofill": "?advertised_download=100&advertised_upload=20",
                 "/pbx/route-preview": "?number=2001",
                 "/pbx/recording": "?file=none.wav"}.get(path, "")
        r = c.api("GET", path.replace("{id}", "1") + q)
        # 409: what the reading needs is not set yet (the WireGuard server's
        # next free address before it has a range)
        assert r.status in (200, 404, 409), "%s: %r" % (path, r)
        gets += 1
    # the state-changing endpoints refuse GET
    for path in ("/apply", "/confirm", "/rollback", "/auth/logout", "/auth/login", "/validate"):
        assert c.api("GET", path).status == 405, path
    assert gets > 20
    after = (web_lab.daemon.ctl_json("history"), c.api("GET", "/changes").json)
    assert before == after
    assert c.api("GET", "/session").json["authenticated"], "a GET logged the session out"


def test_wrong_passwords_are_throttled_and_logged(web_lab, admin):
    # from the router itself (peer 127.0.0.1): the LAN client stays usable
    c = Client(web_lab.router, host="127.0.0.1")
    codes = [c.login("wrong-password-%d" % i).status for i in range(5)]
    assert codes == [401] * 5
    r = c.login("wrong-password-x")
    assert r.status == 429 and int(r.header("Retry-After")) > 0, r
    r = c.login(PASSWORD)
    assert r.status == 429, "the right password must wait too: %r" % r
    # other addresses are not affected
    assert fresh(web_lab).cookie
    log = (web_lab.daemon.root / "var/log/difos/auth.log").read_text()
    lines = [ln for ln in log.splitlines() if "peer=127.0.0.1" in ln]
    assert len(lines) >= 5
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ login-failed peer=127\.0\.0\.1 user=admin",
                        lines[0]), lines[0]


def test_logged_user_name_cannot_forge_a_peer(web_lab, admin):
    c = Client(web_lab.router, host="::1", family=socket.AF_INET6)
    c.login("nope-nope", user="x peer=10.9.9.9\nlogin-failed peer=10.8.8.8")
    log = (web_lab.daemon.root / "var/log/difos/auth.log").read_text()
    mine = [ln for ln in log.splitlines() if " peer=::1 " in ln]
    assert mine, log
    # one line, the real peer first, the name reduced to [A-Za-z0-9._-?] and cut
    assert re.fullmatch(r"\S+ login-failed peer=::1 user=[A-Za-z0-9._?-]{1,32}", mine[-1]), mine[-1]
    assert not re.search(r"peer=10\.[89]\.", log.replace(mine[-1], ""))


def test_security_headers(web_lab, admin):
    for path in ("/", "/assets/app-1.js", "/api/v1/session", "/nope.html"):
        r = admin.request("GET", path)
        csp = r.header("Content-Security-Policy") or ""
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, path
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        # the GUI plays a call's recording from a blob: URL, nothing else from outside
        assert "media-src 'self' blob:;" in csp, path
        assert r.header("Strict-Transport-Security").startswith("max-age="), path
        assert r.header("X-Content-Type-Options") == "nosniff", path
    assert admin.request("GET", "/api/v1/status").header("Cache-Control") == "no-store"


def test_static_files_precompressed(web_lab, admin):
    r = admin.request("GET", "/assets/app-1.js", headers={"Accept-Encoding": "gzip"})
    assert r.status == 200 and r.header("Content-Encoding") == "gzip"
    assert "immutable" in r.header("Cache-Control")
    plain = admin.request("GET", "/assets/app-1.js")
    assert plain.header("Content-Encoding") is None and plain.raw == GUI_FILES["assets/app-1.js"]
    root = admin.request("GET", "/")
    assert root.status == 200 and root.raw == GUI_FILES["index.html"]
    assert root.header("Content-Type").startswith("text/html")


@pytest.mark.parametrize("path", ["/../../etc/passwd", "/assets/../../../etc/shadow",
                                  "/%2e%2e/%2e%2e/etc/passwd", "//etc/passwd",
                                  "/assets/..%2f..%2fconfig.db", "/.%2e/run/difos/control.sock",
                                  "/index.html%00.js", "/assets/", "/assets"])
def test_path_traversal_is_404(web_lab, admin, path):
    if "%00" in path:
        # libwebsockets 4.1's parser drops a request whose path decodes to
        # a NUL inside a segment (one right after a slash is answered 400:
        # test_protocol_edge_cases_answer_with_a_status)
        with pytest.raises(Exception):
            admin.request("GET", path)
        assert admin.request("GET", "/").status == 200
        return
    r = admin.request("GET", path)
    assert r.status in (404, 400), "%s: %r" % (path, r)
    assert "root:" not in r.raw and "SQLite" not in r.raw


def test_malformed_and_oversized_json(web_lab, admin):
    c = fresh(web_lab)
    r = c.api("PATCH", "/config/lan/dhcp", raw_body=b'{"size": 60,')
    assert r.status == 400 and "malformed JSON" in r.error["message"], r
    r = c.api("PATCH", "/config/lan/dhcp", raw_body=b'{"size": 1, "size": 2}')
    assert r.status == 400 and "duplicate" in r.error["message"], r
    r = c.api("PATCH", "/config/lan/dhcp", raw_body=b'\xff\xfe{"size":1}')
    assert r.status == 400 and "UTF-8" in r.error["message"], r
    big = b'{"comment": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    r = c.api("POST", "/apply", raw_body=big)
    assert r.status == 413 and "larger than" in r.error["message"], r
    r = c.api("PATCH", "/config/lan/dhcp", raw_body=b"[1, 2")
    assert r.status == 400
    # still serving, nothing staged
    assert c.api("GET", "/session").status == 200
    assert c.api("GET", "/changes").json == []


def test_validation_error_names_field_and_value(web_lab, admin):
    c = fresh(web_lab)
    r = c.api("PATCH", "/config/lan/dhcp", {"start": "192.168.7.300"})
    assert r.status == 422
    assert r.error["code"] == "invalid" and r.error["path"] == "lan.dhcp.start"
    assert r.error["value"] == "192.168.7.300" and "192.168.7.300" in r.error["message"]
    assert c.api("GET", "/changes").json == []
    assert c.api("GET", "/config/no/such/path").status == 404
    assert c.api("POST", "/apply", {}).status == 409    # nothing staged


def test_http_redirects_to_https(web_lab, admin):
    s = ns_connect(web_lab.lan, LAN_ADDR, 80)
    s.sendall(b"GET /some/page HTTP/1.1\r\nHost: 192.168.1.1\r\nConnection: close\r\n\r\n")
    head = s.recv(4096).decode()
    s.close()
    assert head.startswith("HTTP/1.1 301")
    assert re.search(r"^location: https://192\.168\.1\.1/some/page\r?$", head, re.M | re.I), head


def test_http2_and_ipv6(web_lab, admin):
    s = ns_connect(web_lab.lan, LAN_ADDR, 443)
    tls = tls_context(alpn=("h2", "http/1.1")).wrap_socket(s)
    assert tls.selected_alpn_protocol() == "h2"
    assert tls.version() in ("TLSv1.2", "TLSv1.3")
    tls.close()
    c = Client(web_lab.router, host="::1", family=socket.AF_INET6)
    assert c.api("GET", "/session").status == 200
    # a large answer arrives whole over HTTP/2 (flow control, several frames)
    cp = ns_exec(web_lab.lan, "curl", "-sk", "--http2", "-o", "/dev/null", "-w",
                 "%{http_version} %{size_download}", "https://%s/api/v1/openapi.json" % LAN_ADDR,
                 timeout=20)
    version, size = cp.stdout.split()
    assert version == "2" and int(size) == len(c.api("GET", "/openapi.json").raw.encode("utf-8")), cp.stdout


def test_api_tokens(web_lab, admin):
    c = fresh(web_lab)
    r = c.api("POST", "/tokens", {"name": "backup script", "scope": "config"})
    assert r.status == 201 and r.json["token"].startswith("difos_"), r
    tid, token = r.json["id"], r.json["token"]
    listed = c.api("GET", "/tokens").json
    assert [t["name"] for t in listed if t["id"] == tid] == ["backup script"]
    assert all("token" not in t for t in listed), "a listing shows a token"
    script = Client(web_lab.lan)
    script.bearer = token
    assert script.api("GET", "/status").status == 200
    r = script.api("PATCH", "/config/lan/dhcp", {"size": 61}, csrf=False)
    assert r.status == 200, "a bearer token needs no CSRF header: %r" % r
    assert script.api("DELETE", "/changes", csrf=False).status == 200
    assert c.api("DELETE", "/tokens/%d" % tid).status == 200
    assert script.api("GET", "/status").status == 401
    script.bearer = "difos_" + "0" * 64
    assert script.api("GET", "/status").status == 401


def test_event_websocket(web_lab, admin):
    c = fresh(web_lab)
    status, ws = c.websocket()
    assert " 101 " in status, status
    t0 = time.monotonic()
    op, payload = ws.recv()
    assert op == 1, (op, payload)
    msg = json.loads(payload)
    assert msg["topic"] == "dashboard"
    assert {i["name"] for i in msg["data"]["interfaces"]} >= {"br-lan", "wan0"}
    assert msg["data"]["system"]["uptime"] > 0
    op, payload = ws.recv()
    assert json.loads(payload)["topic"] == "dashboard" and time.monotonic() - t0 < 8
    ws.close()
    # the feed lives at its path only
    status, ws = c.websocket(path="/api/v1/eventsx")
    assert " 101 " not in status, status
    ws.close()
    # no session: the socket is closed without a single event
    status, ws = Client(web_lab.lan).websocket()
    if " 101 " in status:
        try:
            op, _ = ws.recv()
        except EOFError:
            op = 8   # closed without a close frame: no event either
        assert op == 8, "an anonymous client got an event"
    ws.close()


def test_a_link_change_is_pushed_at_once(web_lab, admin):
    """The kernel's notification, not the 2 s tick, brings a link going down
    (and up again) to an open dashboard: the push follows within a second."""
    c = fresh(web_lab)
    status, ws = c.websocket()
    assert " 101 " in status, status

    def wan_state(msg):
        return {i["name"]: i.get("state") for i in msg["data"]["interfaces"]}.get("wan0")

    def next_dashboard(deadline):
        while time.monotonic() < deadline:
            op, payload = ws.recv()
            if op == 1 and json.loads(payload)["topic"] == "dashboard":
                return json.loads(payload)
        raise AssertionError("no dashboard event before the deadline")
    # The kernel itself tells a carrier coming up late: its linkwatch
    # delays an operstate change that is not urgent by up to a second (a
    # link going down is urgent). So the time is counted from the kernel's
    # own notification, as `ip monitor` in the router's namespace prints it.
    mon = subprocess.Popen(["ip", "netns", "exec", web_lab.router, "ip", "-o", "monitor", "link"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    told = {}

    def watch():
        for line in mon.stdout:
            m = re.search(r"\bwan0\b.*\bstate (UP|DOWN)\b", line)
            if m and m.group(1) not in told:
                told[m.group(1)] = time.monotonic()
    threading.Thread(target=watch, daemon=True).start()
    try:
        next_dashboard(time.monotonic() + 8)
        # the tick's next push is 2 s away: any push within half a second of
        # the kernel's notification is the event's
        for want, updown in (("DOWN", "down"), ("UP", "up")):
            time.sleep(0.2)
            t0 = time.monotonic()
            ns_exec(web_lab.router, "ip", "link", "set", "wan0", updown, check=True)
            while True:
                msg = next_dashboard(t0 + 3)
                if wan_state(msg) == want:
                    break
            pushed = time.monotonic()
            wait_for(lambda: want in told, 2, what="ip monitor to tell wan0 %s" % want)
            took = pushed - told[want]
            print("wan0 %s: the kernel told it after %.0f ms, pushed %.0f ms later" % (
                updown, (told[want] - t0) * 1000, took * 1000))
            assert took < 0.5, took
    finally:
        mon.kill()
        mon.wait(timeout=5)
        ns_exec(web_lab.router, "ip", "link", "set", "wan0", "up")
        ws.close()


def test_host_addresses_follow_the_kernel(web_lab, admin):
    """An address put on an interface by anyone is one of the router's at
    once, and one taken away stops being one at once."""
    c = Client(web_lab.lan)
    extra = "192.168.1.77"
    assert c.api("GET", "/session", headers={"Host": extra}).status == 421
    ns_exec(web_lab.router, "ip", "addr", "add", extra + "/24", "dev", "br-lan", check=True)
    try:
        assert c.api("GET", "/session", headers={"Host": extra}).status == 200
    finally:
        ns_exec(web_lab.router, "ip", "addr", "del", extra + "/24", "dev", "br-lan", check=True)
    r = c.api("GET", "/session", headers={"Host": extra})
    assert r.status == 421, "an address gone is still taken for the router's: %r" % r


def test_password_change_ends_other_sessions(web_lab, admin):
    a, b = fresh(web_lab), fresh(web_lab)
    r = a.api("POST", "/auth/password", {"current": "wrong-one", "password": "x" * 10})
    assert r.status == 422 and r.error["path"] == "current"
    r = a.api("POST", "/auth/password", {"current": PASSWORD, "password": "short"})
    assert r.status == 422 and r.error["path"] == "password" and "short" not in r.error["message"][:9]
    r = a.api("POST", "/auth/password", {"current": PASSWORD, "password": "new password 7"})
    assert r.status == 200, r
    assert a.api("GET", "/status").status == 200
    assert b.api("GET", "/status").status == 401
    assert Client(web_lab.lan).login(PASSWORD).status == 401
    r = a.api("POST", "/auth/password", {"current": "new password 7", "password": PASSWORD})
    assert r.status == 200
    assert a.api("POST", "/auth/logout").status == 200
    assert a.api("GET", "/status").status == 401


def test_apply_confirm_and_confirm_token(web_lab, admin):
    c = fresh(web_lab)
    assert c.api("PATCH", "/config/lan/dhcp", {"size": 70}).status == 200
    token = "ab" * 32
    r = c.api("POST", "/apply", {"confirm": 60, "confirm_token": token, "comment": "web test"})
    assert r.status == 200 and r.json["confirm_deadline"] > time.time(), r
    rev = r.json["revision"]
    # another address, no session: the token confirms, a wrong one does not
    other = Client(web_lab.router, host="127.0.0.1")
    assert other.api("POST", "/confirm", {"token": "cd" * 32}, csrf="login").status == 403
    assert other.api("POST", "/confirm", {"token": token}, csrf=False).status == 403
    r = other.api("POST", "/confirm", {"token": token}, csrf="login")
    assert r.status == 200 and r.json == {"confirmed": rev}, r
    assert other.api("POST", "/confirm", {"token": token}, csrf="login").status == 401
    hist = c.api("GET", "/history?limit=1").json
    assert hist[0]["id"] == rev and hist[0]["state"] == "applied"
    assert c.api("GET", "/config/lan/dhcp/size").json == 70


def test_openapi_document(web_lab, admin):
    r = Client(web_lab.lan).api("GET", "/openapi.json")
    assert r.status == 200 and r.json["openapi"].startswith("3.1")
    paths = r.json["paths"]
    for p in ("/config/lan", "/config/lan/dhcp", "/config/dhcp/static_leases",
              "/config/dhcp/static_leases/{id}", "/apply", "/confirm", "/history", "/diff",
              "/rollback", "/status", "/leases", "/interfaces", "/system", "/changes"):
        assert p in paths, p
    assert "post" in paths["/config/dhcp/static_leases"]
    shipped = json.loads((REPO / "docs/openapi.json").read_text())
    assert shipped == r.json, "docs/openapi.json is stale: run make docs"


def test_web_restarts_after_a_crash(web_lab, admin):
    pid = web_pid(web_lab)
    os.kill(pid, 9)
    wait_for(lambda: web_pid(web_lab) != pid, 15, what="a new difosd-web")
    wait_web(web_lab)
    assert fresh(web_lab).api("GET", "/status").status == 200


def test_user_certificate_replaces_the_factory_one(web_lab, admin, tmp_path):
    def served_cert():
        s = ns_connect(web_lab.lan, LAN_ADDR, 443)
        tls = tls_context().wrap_socket(s)
        der = tls.getpeercert(binary_form=True)
        tls.close()
        return der

    factory = served_cert()
    key, crt = tmp_path / "router.key", tmp_path / "router.crt"
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "30", "-subj", "/CN=router.example", "-keyout", key, "-out", crt],
        check=True)
    other_key = tmp_path / "other.key"
    run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-out", other_key], check=True)
    cp = web_lab.daemon.ctl("certificate", crt, other_key)
    assert cp.returncode == 1 and "does not belong" in cp.stderr, cp.stderr
    web_lab.daemon.ctl_ok("certificate", crt, key)
    wait_for(lambda: b"router.example" in served_cert(), 15,
             what="difosd-web to serve the new certificate")
    info = web_lab.daemon.ctl_json("certificate")
    assert info["source"] == "user" and "router.example" in info["details"]
    assert (web_lab.daemon.root / "etc/difos/tls/user.key").stat().st_mode & 0o077 == 0
    web_lab.daemon.ctl_ok("certificate", "--factory")
    wait_for(lambda: served_cert() == factory, 15, what="the factory certificate back")


def test_certificate_chosen_over_rest(web_lab, admin, tmp_path):
    """The GUI's TLS certificate chooser: an uploaded certificate installed
    by a session over REST (POST /web/certificate), shown by GET, a key of
    another refused naming the field, and back to the factory one."""
    def served_cert():
        s = ns_connect(web_lab.lan, LAN_ADDR, 443)
        tls = tls_context().wrap_socket(s)
        der = tls.getpeercert(binary_form=True)
        tls.close()
        return der

    factory = served_cert()
    key, crt, other = tmp_path / "gui.key", tmp_path / "gui.crt", tmp_path / "other.key"
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "30", "-subj", "/CN=gui-upload.example", "-keyout", key, "-out", crt],
        check=True)
    run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-out", other], check=True)
    c = fresh(web_lab)
    r = c.api("POST", "/web/certificate", {"cert": crt.read_text(), "key": other.read_text()})
    assert r.status == 422 and r.error["path"] == "key", r
    r = c.api("GET", "/web/certificate")
    assert r.status == 200 and r.json["source"] == "factory", r
    r = c.api("POST", "/web/certificate", {"cert": crt.read_text(), "key": key.read_text()})
    assert r.status == 200 and r.json["certificate"] == "user", r
    wait_for(lambda: b"gui-upload.example" in served_cert(), 15,
             what="difosd-web to serve the uploaded certificate")
    wait_web(web_lab)
    c = fresh(web_lab)
    r = c.api("GET", "/web/certificate")
    assert r.json["source"] == "user" and "gui-upload.example" in r.json["details"], r
    r = c.api("POST", "/web/certificate", {"factory": True})
    assert r.status == 200 and r.json["certificate"] == "factory", r
    wait_for(lambda: served_cert() == factory, 15, what="the factory certificate back")
    wait_web(web_lab)


def test_rest_empty_rule_and_forward_to_router_are_refused(web_lab, admin):
    """The REST API refuses a traffic rule without zones and action, and a
    port forward to the router itself, naming the field (and the value)."""
    c = fresh(web_lab)
    r = c.api("POST", "/config/firewall/rules", {})
    assert r.status == 422, r
    assert r.error["path"].startswith("firewall.rules[") and r.error["path"].endswith(".src_zone"), r.error
    assert "is required: one of wan, lan, router, any" in r.error["message"]
    r = c.api("POST", "/config/firewall/port_forwards",
              {"proto": "tcp", "wan_port": "2222", "lan_ip": "192.168.1.1"})
    assert r.status == 422 and r.error["path"].endswith(".lan_ip"), r
    assert r.error["value"] == "192.168.1.1" and "router's own address" in r.error["message"]
    assert c.api("GET", "/changes").json == []


# ---- bodies without Content-Length ----------------------------------------


def curl_body(lab, c, method, path, body, http, extra=()):
    """Sends body from stdin with curl, without Content-Length (HTTP/1.1:
    chunked; HTTP/2: DATA frames only). Returns (status, answer, verbose)."""
    argv = ["curl", "-sk", "-v", "--max-time", "15", http, "-X", method, "-T", "-",
            "-H", "Host: " + c.host, "-H", "Content-Type: application/json",
            "-H", "Cookie: %s=%s" % (webclient.COOKIE, c.cookie),
            "-H", "%s: %s" % (webclient.CSRF_HEADER, c.csrf), *extra,
            "-o", "-", "-w", "\n%{http_code} %{http_version}",
            "https://%s/api/v1%s" % (LAN_ADDR, path)]
    cp = ns_exec(lab.lan, *argv, input=json.dumps(body), timeout=25)
    out, _, tail = cp.stdout.rpartition("\n")
    code, version = tail.split()
    return int(code), version, out, cp.stderr


@pytest.mark.parametrize("http,version", [("--http1.1", "1.1"), ("--http2", "2")])
def test_body_without_content_length_is_never_dropped(web_lab, admin, http, version):
    c = fresh(web_lab)
    size = 80 if version == "1.1" else 81
    assert c.api("PATCH", "/config/lan/dhcp", {"size": size}).status == 200
    history = web_lab.daemon.ctl_json("history")
    code, got, out, verbose = curl_body(web_lab, c, "POST", "/apply",
                                        {"confirm": 60, "comment": "streamed"}, http)
    assert got == version, verbose
    # the request really went without a length: chunked on HTTP/1.1, none on HTTP/2
    sent = [ln.lower() for ln in verbose.splitlines() if ln.startswith(">")]
    assert not any("content-length" in ln for ln in sent), sent
    if version == "1.1":
        assert any("transfer-encoding: chunked" in ln for ln in sent), sent
    # refused with 411, and nothing was applied without its confirm timer
    assert code == 411, (code, out, verbose[-2000:])
    err = json.loads(out)["error"]
    assert err["code"] == "length_required" and "Content-Length" in err["message"], err
    assert web_lab.daemon.ctl_json("history") == history, "applied without its body"
    assert [ch["path"] for ch in c.api("GET", "/changes").json] == ["lan.dhcp.size"]
    # the same body with its length is read whole
    r = c.api("POST", "/apply", {"confirm": 60, "comment": "with a length"})
    assert r.status == 200 and r.json["confirm_deadline"] > time.time(), r
    assert c.api("POST", "/confirm", {}).status == 200
    hist = c.api("GET", "/history?limit=1").json[0]
    assert hist["comment"] == "with a length", hist
    # still serving on a new connection
    assert c.api("GET", "/session").status == 200


def test_login_takes_as_long_for_an_unknown_user(web_lab, admin):
    """No user-name oracle: an unknown user's login hashes the password too."""
    import statistics
    peers = ["192.168.1.%d" % i for i in range(60, 66)]
    for p in peers:
        ns_exec(web_lab.lan, "ip", "addr", "add", p + "/24", "dev", "eth0", check=True)
    times = {"unknown": [], "wrong": []}
    try:
        for p in peers:
            c = Client(web_lab.lan)
            c.source = p
            # four failures per address: below the throttle's five
            for i in range(2):
                r = c.login("wrong-password-%d" % i, user="nobody%d" % i)
                assert r.status == 401, r
                times["unknown"].append(c.elapsed)
                r = c.login("wrong-password-%d" % i)
                assert r.status == 401, r
                times["wrong"].append(c.elapsed)
    finally:
        for p in peers:
            ns_exec(web_lab.lan, "ip", "addr", "del", p + "/24", "dev", "eth0")
    unknown, wrong = statistics.median(times["unknown"]), statistics.median(times["wrong"])
    print("login medians: unknown %.1f ms, wrong %.1f ms" % (unknown * 1000, wrong * 1000))
    assert 0.8 < unknown / wrong < 1.25, "unknown user %.1f ms, wrong password %.1f ms" % (
        unknown * 1000, wrong * 1000)


def raw_request(lab, head, alpn=("http/1.1",)):
    """Sends one raw HTTP/1.1 request head over TLS; returns the status line
    and the answer, or (None, "") when the connection was dropped."""
    s = ns_connect(lab.lan, LAN_ADDR, 443)
    tls = tls_context(alpn=alpn).wrap_socket(s)
    got = b""
    try:
        tls.sendall(head)
        while b"\r\n\r\n" not in got or len(got) < 4096:
            chunk = tls.recv(65536)
            if not chunk:
                break
            got += chunk
    except (ConnectionError, ssl.SSLError, socket.timeout):
        pass
    finally:
        tls.close()
    text = got.decode(errors="replace")
    return (text.split("\r\n", 1)[0] or None), text


@pytest.mark.parametrize("what,head,status", [
    ("NUL in the path", b"GET /%00.js HTTP/1.1\r\nHost: 192.168.1.1\r\n\r\n", 400),
    ("NUL in the API path", b"GET /api/v1/%00session HTTP/1.1\r\nHost: 192.168.1.1\r\n\r\n", 400),
    ("long URL", b"GET /api/v1/session?a=" + b"x" * 9000 + b" HTTP/1.1\r\nHost: 192.168.1.1\r\n\r\n",
     414),
    ("long path", b"GET /" + b"x" * 9000 + b" HTTP/1.1\r\nHost: 192.168.1.1\r\n\r\n", 414),
    ("large headers", b"GET / HTTP/1.1\r\nHost: 192.168.1.1\r\n" +
     b"".join(b"Cookie: c%d=%s\r\n" % (i, b"y" * 4000) for i in range(6)) + b"\r\n", 431),
    ("one huge header", b"GET / HTTP/1.1\r\nHost: 192.168.1.1\r\nUser-Agent: " + b"z" * 20000 +
     b"\r\n\r\n", 431),
])
def test_protocol_edge_cases_answer_with_a_status(web_lab, admin, what, head, status):
    line, text = raw_request(web_lab, head)
    assert line and line.startswith("HTTP/1.1 %d " % status), "%s: %r" % (what, text[:300])
    body = text.split("\r\n\r\n", 1)[1]
    assert json.loads(body)["error"]["message"], body
    assert admin.api("GET", "/session").status == 200


# ---- the Host header ---------------------------------------------------------


def test_a_foreign_host_is_refused_everywhere(web_lab, admin):
    """DNS rebinding: a page on evil.example resolving to the router must get
    nothing, neither the GUI nor the API nor a login attempt."""
    c = Client(web_lab.lan)
    for host in ("evil.example", "evil.example:443", "192.168.1.1.evil.example", "[2001:db8::66]",
                 "192.168.1.99", "difos.evil", "localhost.evil.example"):
        for method, path in (("GET", "/"), ("GET", "/assets/app-1.js"), ("GET", "/nope.html"),
                             ("GET", "/api/v1/session"), ("POST", "/api/v1/auth/login")):
            body = {"user": "admin", "password": PASSWORD} if method == "POST" else None
            r = c.request(method, path, body, headers={"Host": host}, csrf="login")
            assert r.status == 421, "%s %s Host %s: %r" % (method, path, host, r)
            assert r.error["code"] == "misdirected" and host.split(":")[0].strip("[]") in \
                r.error["message"], r
            assert "difos" not in r.raw.replace("misdirected", "") or "extra_names" in r.raw
            assert c.cookie is None
    # the event feed: a session, but a foreign name, gets no event
    status, ws = fresh(web_lab).websocket(host="evil.example")
    if " 101 " in status:
        try:
            op, _ = ws.recv()
        except EOFError:
            op = 8
        assert op == 8, "an event went to a foreign Host"
    ws.close()
    # an answer without a Host header at all is refused too
    line, text = raw_request(web_lab, b"GET / HTTP/1.0\r\n\r\n")
    assert line and " 421 " in line, text[:300]


def test_the_routers_names_and_addresses_are_accepted(web_lab, admin):
    c = Client(web_lab.lan)
    for host in ("192.168.1.1", "192.168.1.1:443", "difos", "DIFOS.lan", "difos.lan.", "localhost",
                 "localhost:443"):
        assert c.request("GET", "/", headers={"Host": host}).status == 200, host
        r = c.api("GET", "/session", headers={"Host": host})
        assert r.status == 200, (host, r)
    # IPv6, in brackets, with and without port
    v6 = Client(web_lab.router, host="::1", family=socket.AF_INET6)
    for host in ("[::1]", "[::1]:443", "[0:0::1]"):
        assert v6.request("GET", "/", headers={"Host": host}).status == 200, host
    # any address of the router's interfaces: the WAN side too
    cp = ns_exec(web_lab.router, "ip", "-j", "addr", "show", timeout=5)
    wan = [a["local"] for link in json.loads(cp.stdout) for a in link.get("addr_info", [])
           if link["ifname"] != "lo" and not a["local"].startswith(("192.168.1.", "fe80"))]
    assert wan, cp.stdout
    for a in wan:
        host = "[%s]" % a if ":" in a else a
        assert c.api("GET", "/session", headers={"Host": host}).status == 200, host
    # a login through an allowed name works
    r = c.request("POST", "/api/v1/auth/login", {"user": "admin", "password": PASSWORD},
                  headers={"Host": "difos.lan"}, csrf="login")
    assert r.status == 200, r


def test_extra_names_and_a_new_hostname_are_accepted(web_lab, admin):
    c = fresh(web_lab)
    evil = Client(web_lab.lan)
    assert evil.request("GET", "/", headers={"Host": "router.example.net"}).status == 421
    r = c.api("PATCH", "/config/web", {"extra_names": ["router.example.net", "Bad Name"]})
    assert r.status == 422 and r.error["path"].startswith("web.extra_names"), r
    r = c.api("PATCH", "/config/web", {"extra_names": ["router.example.net"]})
    assert r.status == 200, r
    assert c.api("PATCH", "/config/system", {"hostname": "gw"}).status == 200
    assert c.api("POST", "/apply", {}).status == 200
    try:
        wait_names(web_lab, "DNS:gw.lan")
        for host in ("router.example.net", "router.example.net:443", "gw", "gw.lan"):
            assert evil.request("GET", "/", headers={"Host": host}).status == 200, host
            assert evil.api("GET", "/session", headers={"Host": host}).status == 200, host
        # the old hostname is no longer one of the router's names
        assert evil.request("GET", "/", headers={"Host": "difos.lan"}).status == 421
    finally:
        c = fresh(web_lab)
        c.request("PATCH", "/api/v1/config/web", {"extra_names": []}, headers={"Host": "gw"})
        c.request("PATCH", "/api/v1/config/system", {"hostname": "difos"}, headers={"Host": "gw"})
        r = c.request("POST", "/api/v1/apply", {}, headers={"Host": "gw"})
        assert r.status == 200, r
        wait_names(web_lab, "DNS:difos.lan")


@pytest.mark.parametrize("host,location", [
    ("192.168.1.1", "https://192.168.1.1/some/page"),
    ("difos.lan:80", "https://difos.lan/some/page"),
    ("evil.example", "https://192.168.1.1/some/page"),
    ("evil.example:80", "https://192.168.1.1/some/page"),
    ("evil.example/x", "https://192.168.1.1/some/page"),
    (None, "https://192.168.1.1/some/page"),
])
def test_http_redirect_never_reflects_a_foreign_host(web_lab, admin, host, location):
    s = ns_connect(web_lab.lan, LAN_ADDR, 80)
    hdr = ("Host: %s\r\n" % host) if host else ""
    s.sendall(("GET /some/page HTTP/1.1\r\n%sConnection: close\r\n\r\n" % hdr).encode())
    head = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        head += chunk
    s.close()
    head = head.decode()
    assert head.startswith("HTTP/1.1 301"), head
    assert re.search(r"^location: %s\r?$" % re.escape(location), head, re.M | re.I), head
    assert "evil" not in head


def wait_names(lab, name):
    """Waits for the factory certificate made for new names (difosd-web
    restarts with it a moment after the apply)."""
    return wait_for(lambda: name in served_names(lab) and served_names(lab), 20,
                    what="a certificate naming %s" % name)


def served_names(lab, host=LAN_ADDR):
    """The subjectAltName of the certificate difosd-web serves."""
    s = ns_connect(lab.lan, host, 443)
    tls = tls_context().wrap_socket(s)
    der = tls.getpeercert(binary_form=True)
    tls.close()
    cp = run(["openssl", "x509", "-noout", "-ext", "subjectAltName"],
             input=ssl.DER_cert_to_PEM_cert(der))
    return cp.stdout


def test_factory_certificate_names_the_configured_host(web_lab, admin):
    names = served_names(web_lab)
    assert "DNS:difos," in names and "DNS:difos.lan" in names and "IP Address:192.168.1.1" in names, \
        names
    c = fresh(web_lab)
    assert c.api("PATCH", "/config/system", {"hostname": "certhost"}).status == 200
    assert c.api("PATCH", "/config/dns", {"domain": "home.example"}).status == 200
    assert c.api("POST", "/apply", {}).status == 200
    try:
        got = wait_names(web_lab, "DNS:certhost.home.example")
        assert "DNS:certhost," in got and "DNS:certhost.home.example" in got, got
        assert "IP Address:192.168.1.1" in got and "DNS:difos" not in got, got
        subject = run(["openssl", "x509", "-noout", "-subject", "-in",
                       web_lab.daemon.root / "etc/difos/tls/factory.crt"]).stdout
        assert "certhost" in subject, subject
        assert (web_lab.daemon.root / "etc/difos/tls/factory.key").stat().st_mode & 0o077 == 0
    finally:
        c = fresh(web_lab)
        c.request("PATCH", "/api/v1/config/system", {"hostname": "difos"},
                  headers={"Host": "certhost"})
        c.request("PATCH", "/api/v1/config/dns", {"domain": "lan"}, headers={"Host": "certhost"})
        assert c.request("POST", "/api/v1/apply", {}, headers={"Host": "certhost"}).status == 200
    wait_names(web_lab, "DNS:difos.lan")


def test_an_installed_certificate_is_kept_when_the_names_change(web_lab, admin, tmp_path):
    key, crt = tmp_path / "mine.key", tmp_path / "mine.crt"
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "30", "-subj", "/CN=mine.example", "-addext",
         "subjectAltName=DNS:mine.example", "-keyout", key, "-out", crt], check=True)
    web_lab.daemon.ctl_ok("certificate", crt, key)
    try:
        wait_for(lambda: "mine.example" in served_names(web_lab), 15, what="the admin's certificate")
        web_lab.daemon.ctl_ok("set", "system.hostname", "other")
        web_lab.daemon.ctl_ok("apply", timeout=60)
        time.sleep(1)
        wait_web(web_lab)
        assert "mine.example" in served_names(web_lab)
    finally:
        web_lab.daemon.ctl_ok("set", "system.hostname", "difos")
        web_lab.daemon.ctl_ok("apply", timeout=60)
        web_lab.daemon.ctl_ok("certificate", "--factory")
    wait_for(lambda: "DNS:difos.lan" in served_names(web_lab), 20, what="the factory one back")


def served_der(lab):
    s = ns_connect(lab.lan, LAN_ADDR, 443)
    tls = tls_context().wrap_socket(s)
    der = tls.getpeercert(binary_form=True)
    tls.close()
    return der


def test_a_name_change_waits_for_its_confirm_and_a_rollback_keeps_the_certificate(web_lab,
                                                                                  admin):
    """The browser confirms through the certificate it trusts: difosd-web keeps
    serving it while the confirm is pending, and a rollback brings no new one."""
    before = served_der(web_lab)
    c = fresh(web_lab)
    assert c.api("PATCH", "/config/system", {"hostname": "pending"}).status == 200
    r = c.api("POST", "/apply", {"confirm": 6})
    assert r.status == 200 and r.json["confirm_deadline"], r
    time.sleep(3)
    assert served_der(web_lab) == before, "a new certificate before the confirm"
    # not confirmed: the router rolls back, and serves the very same certificate
    wait_for(lambda: "reverted" in [h["state"] for h in c.api("GET", "/history?limit=3").json],
             20, what="the rollback")
    time.sleep(2.5)
    wait_web(web_lab)
    assert served_der(web_lab) == before, "the rollback brought a new certificate"
    # confirmed: the new names are served once it is (the reverted change is
    # still staged: it is replaced)
    assert c.api("PATCH", "/config/system", {"hostname": "kept"}).status == 200
    assert c.api("POST", "/apply", {"confirm": 60}).status == 200
    time.sleep(2)
    assert served_der(web_lab) == before
    assert c.api("POST", "/confirm", {}).status == 200
    try:
        wait_names(web_lab, "DNS:kept.lan")
    finally:
        c = fresh(web_lab)
        assert c.api("PATCH", "/config/system", {"hostname": "difos"}).status == 200
        assert c.api("POST", "/apply", {}).status == 200
        wait_names(web_lab, "DNS:difos.lan")
    assert served_der(web_lab) == before, "going back to the names made a new certificate"


@pytest.mark.parametrize("what,args,status", [
    ("long URL", ["https://%s/api/v1/session?a=%s" % (LAN_ADDR, "x" * 9000)], 414),
    ("large header", ["-H", "User-Agent: " + "z" * 9000, "https://%s/" % LAN_ADDR], 431),
    ("NUL in the path", ["https://%s/%%00x" % LAN_ADDR], 400),
])
def test_protocol_edge_cases_over_http2(web_lab, admin, what, args, status):
    cp = ns_exec(web_lab.lan, "curl", "-sk", "--http2", "-o", "-", "-w", "\n%{http_code} %{http_version}",
                 *args, timeout=20)
    body, _, tail = cp.stdout.rpartition("\n")
    assert tail == "%d 2" % status, (what, cp.stdout[-300:], cp.stderr[-300:])
    assert json.loads(body)["error"]["message"]


def test_web_was_never_killed_by_its_system_call_filter(web_lab, admin):
    """Last of the module: everything above ran under the filter; a call it
    lacks would have killed difosd-web with SIGSYS (status 128 + 31)."""
    log = "".join(Path(p).read_text(errors="replace") for p in web_lab.daemon.logs)
    assert "difosd-web exited with status 159" not in log
    killed = re.findall(r"difosd-web exited with status (\d+)", log)
    # the crash test's SIGKILL (137) is the only death expected
    assert set(killed) <= {"137"}, killed
