"""
Administration › Utilities › Terminal: a root shell over difosd-web's
WebSocket, opened with the admin password through a one-time ticket; the
Origin checked, an idle timeout, the window's size, backpressure, and two
lines of the auth log per session.
"""

import json
import os
import re
import socket
import time

import pytest

from conftest import LAN_ADDR, make_lab, wait_for
from webclient import Client, wait_web

PASSWORD = "correct horse 42"


@pytest.fixture(scope="module")
def tlab():
    with make_lab() as lab:
        lab.client_static("192.168.1.10")
        wait_web(lab.lan, LAN_ADDR)
        c = Client(lab.lan)
        tok = lab.daemon.ctl_json("call", "auth.setup_link")["token"]
        r = c.api("POST", "/auth/setup", {"token": tok, "password": PASSWORD}, csrf="login")
        assert r.status == 200, r
        yield lab


def logged_in(lab, ns=None, **kw):
    c = Client(ns or lab.lan, **kw)
    r = c.login(PASSWORD)
    assert r.status == 200, r
    return c


def ticket(c, password=PASSWORD):
    r = c.api("POST", "/terminal/open", {"password": password})
    assert r.status == 200, r
    assert r.json["protocol"] == "difos-terminal" and r.json["expires_in"] == 60
    return r.json["ticket"]


def connect(c, tk, query="", **kw):
    status, ws = c.websocket(path="/api/v1/terminal?ticket=%s%s" % (tk, query),
                             protocol="difos-terminal", **kw)
    return status, ws


def read_until(ws, pattern, timeout=15):
    """The shell's output until pattern (a regex on the text) appears."""
    out = b""
    deadline = time.monotonic() + timeout
    ws.sock.settimeout(timeout)
    while time.monotonic() < deadline:
        try:
            op, data = ws.recv()
        except (TimeoutError, socket.timeout):
            break
        if op == 8:
            raise AssertionError("closed (%r) before %r; output: %r" % (data, pattern, out))
        if op == 2:
            out += data
            m = re.search(pattern, out.decode(errors="replace"))
            if m:
                return m
    raise AssertionError("no %r in %r" % (pattern, out))


def read_close(ws, timeout=15):
    """Output until the close frame: (code, reason, output)."""
    out = b""
    ws.sock.settimeout(timeout)
    while True:
        op, data = ws.recv()
        if op == 8:
            code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
            return code, data[2:].decode(errors="replace"), out
        out += data


def audit(lab):
    return (lab.daemon.root / "var/log/difos/auth.log").read_text().splitlines()


def sessions(lab):
    return lab.daemon.ctl_json("terminal-sessions")


def test_a_command_runs_and_its_output_comes_back(tlab):
    c = logged_in(tlab)
    status, ws = connect(c, ticket(c))
    assert " 101 " in status, status
    ws.send("echo $((6*7))\n")
    read_until(ws, r"\r42\r\n")
    # a login shell of root, on a terminal, with a clean environment
    ws.send("echo \"[$(id -u) $TERM $(tty) $0]\"\n")
    m = read_until(ws, r"\[0 xterm-256color (/dev/pts/\d+) -\w+\]")
    assert m
    (s,) = sessions(tlab)
    assert s["state"] == "open" and s["user"] == "admin" and s["peer"] == "192.168.1.10"
    ws.send("exit\n")
    code, reason, _ = read_close(ws)
    assert code == 1000 and reason == "exit", (code, reason)
    wait_for(lambda: sessions(tlab) == [], 5, what="the session to end")
    lines = [ln for ln in audit(tlab) if " terminal-" in ln]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ terminal-open peer=192\.168\.1\.10 "
                        r"user=admin id=(\d+)", lines[-2]), lines
    m = re.fullmatch(r"\S+ terminal-close peer=192\.168\.1\.10 user=admin id=(\d+) seconds=\d+ "
                     r"bytes_in=(\d+) bytes_out=(\d+) reason=exit", lines[-1])
    assert m, lines[-1]
    assert int(m.group(2)) == len("echo $((6*7))\n") + len("echo \"[$(id -u) $TERM $(tty) $0]\"\n") + 5
    assert int(m.group(3)) > 20


def test_the_ticket_serves_once(tlab):
    c = logged_in(tlab)
    tk = ticket(c)
    status, ws = connect(c, tk)
    assert " 101 " in status, status
    ws.send("echo one-$((1+1)) pid-$$\n")
    shell = int(read_until(ws, r"one-2 pid-(\d+)").group(1))
    status, again = connect(c, tk)
    # the socket opens, and is closed at once with the core's refusal
    if " 101 " in status:
        code, reason, out = read_close(again)
        assert code == 1008 and "ticket" in reason and out == b"", (code, reason, out)
    again.close()
    status, made_up = connect(c, "00" * 32)
    if " 101 " in status:
        code, reason, out = read_close(made_up)
        assert code == 1008 and out == b""
    made_up.close()
    ws.close()
    wait_for(lambda: sessions(tlab) == [], 5, what="the closed socket to end its shell")
    # the shell hung up and was reaped: no zombie left behind
    wait_for(lambda: not os.path.exists("/proc/%d" % shell), 5, what="the shell to be reaped")
    assert re.search(r"reason=closed$", [ln for ln in audit(tlab) if "terminal-close" in ln][-1])


def test_a_page_of_another_site_is_refused(tlab):
    c = logged_in(tlab)
    tk = ticket(c)
    for origin in ("https://evil.example", "http://192.168.1.1", "null"):
        status, ws = connect(c, tk, origin=origin)
        assert " 403 " in status, (origin, status)
        ws.close()
    # the ticket was not spent by those: the router's own page still opens it
    status, ws = connect(c, tk)
    assert " 101 " in status, status
    ws.send("echo ok-$((2+3))\n")
    read_until(ws, r"ok-5")
    ws.close()
    wait_for(lambda: sessions(tlab) == [], 5, what="the session to end")


def test_resize_changes_the_window_size(tlab):
    c = logged_in(tlab)
    status, ws = connect(c, ticket(c), query="&cols=91&rows=33")
    assert " 101 " in status, status
    ws.send("stty size\n")
    read_until(ws, r"\r33 91\r\n")
    ws.send(json.dumps({"resize": [120, 40]}), opcode=1)
    ws.send("stty size\n")
    read_until(ws, r"\r40 120\r\n")
    ws.close()
    wait_for(lambda: sessions(tlab) == [], 5, what="the session to end")


def test_a_slow_browser_holds_the_shell_back(tlab):
    """`yes` in the shell and a client that reads nothing: difosd sends only
    what difosd-web passed on to the socket, which the kernel's buffers
    bound; without acknowledgements it would be hundreds of MB by now."""
    c = logged_in(tlab)
    status, ws = connect(c, ticket(c))
    assert " 101 " in status, status
    ws.send("yes difos-flood\n")
    read_until(ws, r"difos-flood\r\ndifos-flood")
    time.sleep(3)
    (s,) = sessions(tlab)
    first = s["bytes_out"]
    time.sleep(2)
    (s,) = sessions(tlab)
    assert first < 32 << 20, first
    assert s["bytes_out"] - first < 1 << 20, (first, s["bytes_out"])
    # reading again lets it go on; ^C stops it
    ws.send(b"\x03")
    ws.send("echo done-$((3*3))\n")
    read_until(ws, r"done-9", timeout=60)
    ws.close()
    wait_for(lambda: sessions(tlab) == [], 5, what="the session to end")


def test_the_admin_closes_a_terminal(tlab):
    c = logged_in(tlab)
    status, ws = connect(c, ticket(c))
    assert " 101 " in status, status
    ws.send("echo up-$((4*4))\n")
    read_until(ws, r"up-16")
    (s,) = sessions(tlab)
    assert tlab.daemon.ctl_json("terminal-close", s["id"]) == {"id": s["id"], "closed": True}
    code, reason, _ = read_close(ws)
    assert code == 1000 and reason == "closed-by-admin"
    cp = tlab.daemon.ctl("terminal-close", s["id"])
    assert cp.returncode != 0 and "no terminal %d" % s["id"] in cp.stdout + cp.stderr


def test_an_idle_terminal_is_closed(tlab):
    d = tlab.daemon
    d.ctl_ok("set", "terminal.idle_timeout", "5")
    d.ctl_ok("apply")
    try:
        c = logged_in(tlab)
        status, ws = connect(c, ticket(c))
        assert " 101 " in status, status
        t0 = time.monotonic()
        ws.send("echo idle-$((5*5))\n")
        read_until(ws, r"idle-25")
        code, reason, _ = read_close(ws, timeout=20)
        assert code == 1000 and reason == "idle"
        assert 4 <= time.monotonic() - t0 < 12
        assert re.search(r"reason=idle$", [ln for ln in audit(tlab) if "terminal-close" in ln][-1])
    finally:
        d.ctl_ok("set", "terminal.idle_timeout", "900")
        d.ctl_ok("apply")


def test_turned_off_it_opens_no_more(tlab):
    d = tlab.daemon
    d.ctl_ok("set", "terminal.enabled", "false")
    d.ctl_ok("apply")
    try:
        c = logged_in(tlab)
        r = c.api("POST", "/terminal/open", {"password": PASSWORD})
        assert r.status == 409 and "terminal.enabled" in r.json["error"]["message"], r
    finally:
        d.ctl_ok("set", "terminal.enabled", "true")
        d.ctl_ok("apply")


def test_only_a_browser_session_opens_one(tlab):
    c = logged_in(tlab)
    r = c.api("POST", "/tokens", {"name": "script", "scope": "admin"})
    assert r.status == 201, r
    bot = Client(tlab.lan)
    bot.bearer = r.json["token"]
    r = bot.api("POST", "/terminal/open", {"password": PASSWORD})
    assert r.status in (401, 403), r
    cp = tlab.daemon.ctl("call", "terminal.open", json.dumps({"password": PASSWORD}))
    assert cp.returncode != 0
    # nor without a session at all
    r = Client(tlab.lan).api("POST", "/terminal/open", {"password": PASSWORD}, csrf=False)
    assert r.status == 401, r


def test_a_wrong_password_is_refused_and_throttled(tlab):
    # from the router itself: the LAN client's address stays usable
    c = logged_in(tlab, tlab.router, host="127.0.0.1")
    codes = []
    for i in range(6):
        r = c.api("POST", "/terminal/open", {"password": "wrong-%d" % i})
        codes.append(r.status)
        assert "ticket" not in (r.json or {})
    assert codes[:5] == [403] * 5, codes
    r = c.api("POST", "/terminal/open", {"password": PASSWORD})
    assert r.status == 403 and "try again" in r.json["error"]["message"], r
    assert [ln for ln in audit(tlab) if "login-failed peer=127.0.0.1 user=admin" in ln]
