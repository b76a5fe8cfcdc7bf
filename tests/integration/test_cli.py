"""
difosctl for people: --json wherever it stands, the nearest command to a
mistyped one, times as dates and spans rather than epoch numbers, and plain
errors for a missing file or an absent control socket.
"""

import json
import re

import pytest

from conftest import DIFOSCTL, make_lab, run


def ctl(*args):
    return run([DIFOSCTL, *args], timeout=30)


@pytest.fixture(scope="module")
def lab():
    with make_lab() as lab:
        yield lab


# ---- without difosd ----------------------------------------------------------


def test_unknown_command_suggests_the_nearest_in_one_line(tmp_path):
    cp = ctl("--root", tmp_path, "stauts")
    assert cp.returncode == 2
    assert cp.stderr.strip().splitlines() == [
        'difosctl: unknown command "stauts"; did you mean "status"? (difosctl --help lists them)'
    ], cp.stderr
    cp = ctl("--root", tmp_path, "tokns")
    assert 'did you mean "tokens"?' in cp.stderr and len(cp.stderr.splitlines()) == 1
    # nothing near: no guess
    cp = ctl("--root", tmp_path, "xyzzyplugh")
    assert cp.returncode == 2 and "did you mean" not in cp.stderr
    assert len(cp.stderr.splitlines()) == 1, cp.stderr


def test_check_of_a_missing_file_says_so(tmp_path):
    missing = tmp_path / "nope.json"
    cp = ctl("check", missing)
    assert cp.returncode == 1
    assert cp.stderr.strip() == "%s: no such file" % missing, cp.stderr


def test_check_takes_json_after_its_file(tmp_path):
    doc = tmp_path / "doc.json"
    doc.write_text("{}")
    cp = ctl("check", doc, "--json")
    assert cp.returncode == 0, cp.stderr
    assert json.loads(cp.stdout) == {"valid": True, "errors": []}


def test_absent_socket_names_the_root_and_path(tmp_path):
    cp = ctl("--root", tmp_path, "status")
    assert cp.returncode == 3
    sock = "%s/run/difos/control.sock" % tmp_path
    assert sock in cp.stderr and "--root %s" % tmp_path in cp.stderr, cp.stderr
    assert "no control socket" in cp.stderr
    cp = ctl("--socket", tmp_path / "x.sock", "status")
    assert cp.returncode == 3 and "%s (--socket)" % (tmp_path / "x.sock") in cp.stderr, cp.stderr


# ---- with difosd ---------------------------------------------------------------


def test_json_anywhere_on_the_line(lab):
    d = lab.daemon
    before = d.ctl("--json", "get", "lan.dhcp.size")
    after = d.ctl("get", "lan.dhcp.size", "--json")
    middle = d.ctl("get", "--json", "lan.dhcp.size")
    for cp in (before, after, middle):
        assert cp.returncode == 0, cp.stderr
    assert json.loads(before.stdout) == json.loads(after.stdout) == json.loads(middle.stdout)
    cp = d.ctl("history", "--json")
    assert cp.returncode == 0 and isinstance(json.loads(cp.stdout), list), cp.stdout
    # an error told as JSON too
    cp = d.ctl("get", "no.such.path", "--json")
    assert cp.returncode == 1 and "error" in json.loads(cp.stdout), cp.stdout


def test_system_shows_spans_not_seconds(lab):
    cp = lab.daemon.ctl_ok("system")
    line = [ln for ln in cp.stdout.splitlines() if ln.startswith("uptime")][0]
    span = r"\d+ (s|min|h \d+ min|d \d+ h)"
    assert re.fullmatch(r"uptime\s+%s \(difosd %s\)" % (span, span), line), line


def test_tokens_show_dates_not_epoch_numbers(lab):
    d = lab.daemon
    d.ctl_ok("token-create", "cli test", "read-only")
    cp = d.ctl_ok("tokens")
    header, row = cp.stdout.splitlines()[0], [ln for ln in cp.stdout.splitlines() if "cli test" in ln][0]
    assert header.split()[:4] == ["ID", "NAME", "SCOPE", "CREATOR"], header
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC +never$", row), row
    assert "read-only" in row and "root" in row, row
    assert not re.search(r"\b1[6-9]\d{8}\b", cp.stdout), cp.stdout
