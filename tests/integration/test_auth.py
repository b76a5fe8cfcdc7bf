"""
Who may do what through the REST API: API tokens and their scopes
(read-only, config, admin), token management kept to a logged-in session,
and the password rule (libpwquality) at the first run, at a password change
and behind the GUI's strength meter.
"""

import re
import time

import pytest

import webclient

from conftest import LAN_ADDR, make_lab
from webclient import Client

PASSWORD = "correct horse 42"
WEAK = ["password", "Password1", "12345678", "qwertyuiop"]
STRONG = "blue cactus under the lamp"


@pytest.fixture(scope="module")
def lab():
    with make_lab() as lab:
        lab.client_static("192.168.1.10")
        webclient.wait_web(lab.lan, LAN_ADDR)
        yield lab


@pytest.fixture(scope="module")
def setup_token(lab):
    return lab.daemon.ctl_json("call", "auth.setup_link")["token"]


@pytest.fixture(scope="module")
def admin(lab, setup_token):
    """The first run done with a strong password (test_first_run_* run before)."""
    c = Client(lab.lan)
    r = c.api("POST", "/auth/setup", {"token": setup_token, "password": PASSWORD}, csrf="login")
    assert r.status == 200, r
    return c


def session(lab):
    c = Client(lab.lan)
    assert c.login(PASSWORD).status == 200
    return c


def bearer(lab, admin, scope, name=None):
    """A new token of scope, made by a session; (id, client using it)."""
    r = session(lab).api("POST", "/tokens", {"name": name or scope + " script", "scope": scope})
    assert r.status == 201, r
    assert r.json["scope"] == scope and r.json["creator"] == "admin"
    script = Client(lab.lan)
    script.bearer = r.json["token"]
    return r.json["id"], script


# ---- the password rule at the first run -------------------------------------


def test_first_run_refuses_common_passwords(lab, setup_token):
    anon = Client(lab.lan)
    for pw in WEAK:
        r = anon.api("POST", "/auth/setup", {"token": setup_token, "password": pw}, csrf="login")
        assert r.status == 422, "%s was accepted at setup: %r" % (pw, r)
        assert r.error["path"] == "password"
        msg = r.error["message"]
        assert msg.startswith("password: the password "), msg
        assert pw not in msg[len("password: the password "):], "the error echoes the password"
    r = anon.api("POST", "/auth/setup", {"token": setup_token, "password": "password"}, csrf="login")
    assert "too easy to guess" in r.error["message"] and "dictionary" in r.error["message"], r
    assert anon.api("GET", "/session").json["setup_required"], "a refused password was set"


def test_strength_meter_at_first_run_needs_the_setup_token(lab, setup_token):
    anon = Client(lab.lan)
    r = anon.api("POST", "/auth/password-check", {"password": "password"}, csrf="login")
    assert r.status == 403 and r.error["path"] == "token", r
    r = anon.api("POST", "/auth/password-check", {"password": "password", "token": setup_token},
                 csrf="login")
    assert r.status == 200, r
    assert r.json["ok"] is False and r.json["score"] == 0
    assert "dictionary" in r.json["message"]
    r = anon.api("POST", "/auth/password-check", {"password": STRONG, "token": setup_token},
                 csrf="login")
    assert r.json["ok"] is True and r.json["score"] > 50 and r.json["message"] == "", r


def test_first_run_accepts_a_passphrase(admin):
    assert admin.api("GET", "/session").json["authenticated"]


def test_strength_meter_after_setup_needs_a_session(lab, admin, setup_token):
    anon = Client(lab.lan)
    r = anon.api("POST", "/auth/password-check", {"password": STRONG, "token": setup_token},
                 csrf="login")
    assert r.status == 401, "the meter answers strangers after the first run: %r" % r
    r = session(lab).api("POST", "/auth/password-check", {"password": "Password1"})
    assert r.status == 200 and r.json["ok"] is False, r
    _, script = bearer(lab, admin, "admin")
    r = script.api("POST", "/auth/password-check", {"password": STRONG})
    assert r.status == 403, "an API token used the meter: %r" % r


# ---- the password change -----------------------------------------------------


def test_password_change_refuses_common_passwords(lab, admin):
    c = session(lab)
    for pw in WEAK:
        r = c.api("POST", "/auth/password", {"current": PASSWORD, "password": pw})
        assert r.status == 422 and r.error["path"] == "password", "%s: %r" % (pw, r)
        assert r.error["message"].startswith("password: the password ")
    # too like the one in force
    r = c.api("POST", "/auth/password", {"current": PASSWORD, "password": PASSWORD + "!"})
    assert r.status == 422 and r.error["path"] == "password", r
    assert Client(lab.lan).login(PASSWORD).status == 200, "a refused change took effect"
    r = c.api("POST", "/auth/password", {"current": PASSWORD, "password": STRONG})
    assert r.status == 200, r
    r = c.api("POST", "/auth/password", {"current": STRONG, "password": PASSWORD})
    assert r.status == 200, r


def test_difosctl_passwd_refuses_a_common_password(lab, admin):
    # the method behind `difosctl passwd` (which reads stdin)
    cp = lab.daemon.ctl("call", "auth.passwd", '{"password": "Password1"}')
    assert cp.returncode == 1 and "password: the password is too easy to guess" in cp.stderr, \
        cp.stderr
    assert Client(lab.lan).login(PASSWORD).status == 200


# ---- API tokens and their scopes ---------------------------------------------


def test_token_cannot_create_or_revoke_tokens(lab, admin):
    tid, script = bearer(lab, admin, "admin", "leaked")
    r = script.api("POST", "/tokens", {"name": "successor", "scope": "admin"})
    assert r.status == 403, "a token made a token: %r" % r
    assert "interactive login" in r.error["message"], r.error
    assert script.api("DELETE", "/tokens/%d" % tid).status == 403
    assert script.api("GET", "/tokens").status == 403
    r = script.api("POST", "/auth/password", {"current": PASSWORD, "password": STRONG})
    assert r.status == 403
    names = [t["name"] for t in session(lab).api("GET", "/tokens").json]
    assert "successor" not in names and "leaked" in names
    # revoked by a session, it is gone and left nothing behind
    assert session(lab).api("DELETE", "/tokens/%d" % tid).status == 200
    assert script.api("GET", "/status").status == 401


def test_read_only_token_reads_but_cannot_stage_or_apply(lab, admin):
    _, script = bearer(lab, admin, "read-only")
    for path in ("/status", "/config/lan", "/changes", "/history", "/leases", "/system",
                 "/interfaces", "/schema"):
        r = script.api("GET", path)
        assert r.status == 200, "%s: %r" % (path, r)
    r = script.api("PATCH", "/config/lan/dhcp", {"size": 62})
    assert r.status == 403 and "scope config" in r.error["message"], r
    assert script.api("POST", "/apply", {}).status == 403
    assert script.api("DELETE", "/changes").status == 403
    assert script.api("POST", "/rollback", {"revision": 1}).status == 403
    # confirm is public: a read-only token is nobody there, so it needs the
    # apply's confirm token as anybody would (not 409 "nothing pending")
    r = script.api("POST", "/confirm", {}, csrf="x")
    assert r.status in (401, 403), r
    assert session(lab).api("GET", "/changes").json == [], "a read-only token staged a change"


def test_config_token_stages_and_applies_but_not_more(lab, admin):
    _, script = bearer(lab, admin, "config")
    size = script.api("GET", "/config/lan/dhcp/size").json
    r = script.api("PATCH", "/config/lan/dhcp", {"size": 63})
    assert r.status == 200, r
    r = script.api("POST", "/apply", {"comment": "by a config token"})
    assert r.status == 200, r
    hist = session(lab).api("GET", "/history").json
    assert hist[0]["author"] == "token:config script"
    r = script.api("POST", "/auth/password", {"current": PASSWORD, "password": STRONG})
    assert r.status == 403, r
    r = script.api("POST", "/firewall/update-lists", {})
    assert r.status == 403 and "scope admin" in r.error["message"], r
    assert Client(lab.lan).login(PASSWORD).status == 200
    # back as it was
    assert script.api("PATCH", "/config/lan/dhcp", {"size": size}).status == 200
    assert script.api("POST", "/apply", {}).status == 200


def test_token_list_shows_creator_scope_and_times(lab, admin):
    before = int(time.time())
    tid, script = bearer(lab, admin, "read-only", "monitor")
    c = session(lab)
    mine = [t for t in c.api("GET", "/tokens").json if t["id"] == tid][0]
    assert mine["creator"] == "admin" and mine["scope"] == "read-only"
    assert before - 5 <= mine["created"] <= time.time() + 5
    assert mine["last_used"] is None
    assert script.api("GET", "/status").status == 200
    mine = [t for t in c.api("GET", "/tokens").json if t["id"] == tid][0]
    assert mine["last_used"] is not None and mine["last_used"] >= mine["created"]


def test_token_scope_must_be_chosen(lab, admin):
    c = session(lab)
    r = c.api("POST", "/tokens", {"name": "no scope"})
    assert r.status == 400 and r.error["path"] == "scope", r
    r = c.api("POST", "/tokens", {"name": "bad scope", "scope": "root"})
    assert r.status == 422 and r.error["path"] == "scope" and "root" in r.error["message"], r


def test_difosctl_tokens_prints_people_times(lab, admin):
    bearer(lab, admin, "config", "shown")
    cp = lab.daemon.ctl_ok("tokens")
    line = [ln for ln in cp.stdout.splitlines() if "shown" in ln][0]
    assert re.search(r"\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\b", line), cp.stdout
    assert "config" in line and "admin" in line and "never" in line, line
    assert not re.search(r"\b1[6-9]\d{8}\b", cp.stdout), "an epoch number: " + cp.stdout
