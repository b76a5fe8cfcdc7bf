"""
Administration › Backup & Updates: a backup made, read back and restored
(with and without a passphrase), a restore not confirmed rolled back, and
hostile or broken archives refused with the member and the problem named,
nothing staged and nothing applied.
"""

import base64
import gzip
import hashlib
import io
import json
import tarfile
import time

import pytest

from conftest import DIFOSCTL, describe, ns_exec, run, wait_for

PASS = "correct horse battery staple"


def call(d, method, params=None):
    return d.ctl_json("call", method, json.dumps(params or {}))


def call_fails(d, method, params):
    cp = d.ctl("call", method, json.dumps(params))
    assert cp.returncode != 0, "%s %s: expected a refusal, %s" % (method, params, describe(cp))
    return cp.stdout + cp.stderr


def ctl_stdin(d, *args, stdin="", timeout=60):
    argv = [str(DIFOSCTL), "--root", str(d.root), *map(str, args)]
    return ns_exec(d.ns, *argv, timeout=timeout, input=stdin)


def download(d, file_id):
    out, off = b"", 0
    while True:
        p = call(d, "backup.download", {"file": file_id, "offset": off})
        piece = base64.b64decode(p["data"])
        out += piece
        off += len(piece)
        if p["eof"]:
            assert off == p["size"]
            return out


def upload(d, data):
    """The bytes sent in pieces of 400 KiB, as the GUI and difosctl send them."""
    fid, off = None, 0
    while True:
        piece = data[off:off + 400 * 1024]
        params = {"data": base64.b64encode(piece).decode(), "offset": off}
        if fid:
            params["file"] = fid
        r = call(d, "backup.upload", params)
        fid, off = r["file"], off + len(piece)
        assert r["size"] == off
        if off >= len(data):
            return fid


def keep(d):
    return call(d, "config.get", {"path": "system.keep_revisions", "running": True})


def set_apply(d, value):
    d.ctl_ok("set", "system.keep_revisions", value)
    d.ctl_ok("apply")


def members(data):
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as t:
        return [(m.name, t.extractfile(m).read()) for m in t.getmembers()]


# ---- round trips ---------------------------------------------------------------


def test_round_trip_without_passphrase(lab):
    d = lab.daemon
    set_apply(d, 50)
    d.ctl_ok("set", "system.hostname", "staged-name")     # staged, not applied
    made = call(d, "backup.create", {"history": 3})
    data = download(d, made["file"])
    assert made["size"] == len(data) and made["name"].endswith(".tar.gz")
    m = members(data)
    names = [n for n, _ in m]
    assert names[0] == "manifest.json", names
    assert names[1:3] == ["config.json", "staged.json"], names
    revs = [n for n in names if n.startswith("revisions/")]
    assert len(revs) == 3, names
    man = json.loads(m[0][1])
    assert man["format"] == 1 and man["schema_version"] >= 1 and man["encrypted"] is False
    assert man["difos_version"] and man["hostname"] and man["created"].endswith("Z")
    for name, body in m[1:]:
        entry = [e for e in man["members"] if e["name"] == name][0]
        assert entry["size"] == len(body) and entry["sha256"] == hashlib.sha256(body).hexdigest()
    assert json.loads(dict(m)["config.json"])["system"]["keep_revisions"] == 50
    assert json.loads(dict(m)["staged.json"])["system"]["hostname"] == "staged-name"

    d.ctl_ok("discard")
    set_apply(d, 70)
    rev = d.running_rev()
    fid = upload(d, data)
    seen = call(d, "backup.inspect", {"file": fid})
    assert seen["encrypted"] is False and seen["staged"] is True and seen["revisions"] == 3
    assert seen["manifest"]["hostname"] == man["hostname"]
    assert {"op": "modified", "path": "system.keep_revisions", "old": 70, "new": 50} in [
        {k: c.get(k) for k in ("op", "path", "old", "new")} for c in seen["changes"]], seen
    assert keep(d) == 70, "inspecting changed the configuration"
    assert call(d, "config.changes") == []

    res = call(d, "backup.restore", {"file": fid, "confirm": 60})
    assert res["revision"] > rev and "confirm_deadline" in res, res
    assert keep(d) == 50
    d.ctl_ok("confirm")
    time.sleep(0.5)
    assert keep(d) == 50 and d.running_rev() == res["revision"]
    assert "restore of the backup" in json.dumps(d.ctl_json("history"))


def test_round_trip_with_passphrase_by_difosctl(lab, tmp_path):
    d = lab.daemon
    set_apply(d, 40)
    out = tmp_path / "b.difosbk"
    cp = ctl_stdin(d, "backup", "-o", out, "--passphrase", stdin=PASS + "\n")
    assert cp.returncode == 0, describe(cp)
    data = out.read_bytes()
    assert data.startswith(b"DIFOSBK1")
    # nothing of the contents shows, not even the names of the members
    for word in (b"manifest.json", b"config.json", b"keep_revisions", b"\x1f\x8b"):
        assert word not in data[:200] and word not in data, word

    set_apply(d, 80)
    fid = upload(d, data)
    err = call_fails(d, "backup.inspect", {"file": fid})
    assert "passphrase: the backup is encrypted" in err, err
    err = call_fails(d, "backup.inspect", {"file": fid, "passphrase": "not it"})
    assert "passphrase: wrong passphrase" in err, err
    err = call_fails(d, "backup.restore", {"file": fid, "passphrase": "not it", "confirm": 30})
    assert "passphrase: wrong passphrase" in err, err
    assert keep(d) == 80 and call(d, "config.changes") == []

    cp = ctl_stdin(d, "restore", out, "--passphrase", "--yes", "--confirm", "60",
                   stdin=PASS + "\n")
    assert cp.returncode == 0, describe(cp)
    assert "system.keep_revisions" in cp.stdout + cp.stderr, "the diff was not shown: %s" % (
        describe(cp))
    assert keep(d) == 40
    d.ctl_ok("confirm")
    assert keep(d) == 40

    # difosctl restore without --yes asks, and a "no" restores nothing
    set_apply(d, 90)
    cp = ctl_stdin(d, "restore", out, "--passphrase", stdin=PASS + "\nn\n")
    assert cp.returncode != 0 and "not restored" in cp.stderr, describe(cp)
    assert keep(d) == 90 and call(d, "config.changes") == []


def test_restore_not_confirmed_is_rolled_back(lab):
    d = lab.daemon
    set_apply(d, 33)
    data = download(d, call(d, "backup.create")["file"])
    set_apply(d, 66)
    before = d.running_rev()
    fid = upload(d, data)
    res = call(d, "backup.restore", {"file": fid, "confirm": 3})
    assert keep(d) == 33 and res["revision"] > before
    wait_for(lambda: keep(d) == 66, 20, what="the unconfirmed restore rolled back")
    assert d.running_rev() != res["revision"]
    states = {e["id"]: e["state"] for e in d.ctl_json("history")}
    assert states[res["revision"]] == "reverted", states

    # without a confirm given, a restore still waits for one (90 s)
    d.ctl_ok("discard")
    res = call(d, "backup.restore", {"file": fid})
    assert res.get("confirm_deadline"), res
    left = d.status()["confirm"]
    assert 80 < left["seconds_left"] <= 90, left
    d.ctl_ok("confirm")
    assert keep(d) == 33


def test_the_admins_certificate_comes_back_with_the_restore(lab, tmp_path):
    d = lab.daemon
    key, crt = tmp_path / "router.key", tmp_path / "router.crt"
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "30", "-subj", "/CN=router.example", "-keyout", key, "-out", crt],
        check=True)
    d.ctl_ok("certificate", crt, key)
    data = download(d, call(d, "backup.create", {"passphrase": PASS})["file"])
    d.ctl_ok("certificate", "--factory")
    assert d.ctl_json("certificate")["source"] == "factory"
    fid = upload(d, data)
    assert call(d, "backup.inspect", {"file": fid, "passphrase": PASS})["certificate"] is True
    call(d, "backup.restore", {"file": fid, "passphrase": PASS, "confirm": 60})
    d.ctl_ok("confirm")
    info = d.ctl_json("certificate")
    assert info["source"] == "user" and "router.example" in info["details"], info
    user_key = d.root / "etc/difos/tls/user.key"
    assert user_key.read_bytes() == key.read_bytes()
    assert user_key.stat().st_mode & 0o077 == 0


# ---- hostile and broken archives --------------------------------------------


def tar_gz(entries):
    """entries: (TarInfo fields, bytes or None)"""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for info, body in entries:
            ti = tarfile.TarInfo(info["name"])
            for k, v in info.items():
                setattr(ti, k, v)
            if body is not None and "size" not in info:
                ti.size = len(body)
            t.addfile(ti, io.BytesIO(body) if body is not None else None)
    return buf.getvalue()


class Zeros(io.RawIOBase):
    def __init__(self, n):
        self.left = n

    def readinto(self, b):
        k = min(len(b), self.left)
        b[:k] = b" " * k
        self.left -= k
        return k


def manifest_for(man, files):
    man = dict(man)
    man["members"] = [{"name": n, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                      for n, b in files]
    return json.dumps(man).encode()


@pytest.fixture(scope="module")
def real(shared_lab):
    d = shared_lab.daemon
    data = download(d, call(d, "backup.create", {"history": 1})["file"])
    m = members(data)
    return d, data, json.loads(m[0][1]), dict(m)


def hostile_cases(data, man, files):
    cfg = files["config.json"]
    good = [("config.json", cfg)]
    head = ({"name": "manifest.json"}, manifest_for(man, good))
    bad_cfg = json.loads(cfg)
    bad_cfg["system"]["keep_revisions"] = "many"
    bad_cfg = json.dumps(bad_cfg).encode()
    huge = io.BytesIO()
    with tarfile.open(fileobj=huge, mode="w:gz") as t:
        t.addfile(tarfile.TarInfo("manifest.json"), None) if False else None
        mi = tarfile.TarInfo("manifest.json")
        mb = manifest_for(man, good)
        mi.size = len(mb)
        t.addfile(mi, io.BytesIO(mb))
        ti = tarfile.TarInfo("config.json")
        ti.size = 65 * 1024 * 1024
        t.addfile(ti, Zeros(ti.size))
    return {
        "traversal": (tar_gz([head, ({"name": "../config.json"}, cfg)]),
                      '../config.json: a path that climbs out'),
        "absolute": (tar_gz([head, ({"name": "/etc/config.json"}, cfg)]),
                     "/etc/config.json: an absolute path"),
        "symlink": (tar_gz([head, ({"name": "config.json", "type": tarfile.SYMTYPE,
                                    "linkname": "/etc/shadow"}, None)]),
                    "config.json: a symbolic link"),
        "hardlink": (tar_gz([head, ({"name": "config.json", "type": tarfile.LNKTYPE,
                                     "linkname": "manifest.json"}, None)]),
                     "config.json: a hard link"),
        "device": (tar_gz([head, ({"name": "config.json", "type": tarfile.CHRTYPE,
                                   "devmajor": 1, "devminor": 3}, None)]),
                   "config.json: a device"),
        "huge": (huge.getvalue(), "config.json: 68157440 bytes, more than a member may hold"),
        "truncated": (data[:len(data) // 2], "file: truncated or corrupt"),
        "not gzip": (b"PK\x03\x04 not a backup at all" * 20, "file: not a difos backup"),
        "bad hash": (tar_gz([head, ({"name": "config.json"}, cfg.replace(b"{", b"{ ", 1))]),
                     "config.json: its size or SHA-256 is not the manifest's"),
        "not in manifest": (tar_gz([head, ({"name": "config.json"}, cfg),
                                    ({"name": "staged.json"}, cfg)]),
                            "staged.json: not in the manifest"),
        "unknown member": (tar_gz([head, ({"name": "config.json"}, cfg),
                                   ({"name": "evil.sh"}, b"#!/bin/sh\n")]),
                           "evil.sh: not a member of a difos backup"),
        "manifest not first": (tar_gz([({"name": "config.json"}, cfg), head]),
                               "config.json: manifest.json must come first"),
        "newer schema": (tar_gz([({"name": "manifest.json"},
                                  manifest_for(dict(man, schema_version=999), good)),
                                 ({"name": "config.json"}, cfg)]),
                         "schema_version 999 is newer than this difos"),
        "unknown format": (tar_gz([({"name": "manifest.json"},
                                    manifest_for(dict(man, format=7), good)),
                                   ({"name": "config.json"}, cfg)]),
                           "manifest.json: format 7 is not one this difos reads"),
        "invalid document": (tar_gz([({"name": "manifest.json"},
                                      manifest_for(man, [("config.json", bad_cfg)])),
                                     ({"name": "config.json"}, bad_cfg)]),
                             "system.keep_revisions"),
    }


CASES = ["traversal", "absolute", "symlink", "hardlink", "device", "huge", "truncated",
         "not gzip", "bad hash", "not in manifest", "unknown member", "manifest not first",
         "newer schema", "unknown format", "invalid document"]


@pytest.mark.parametrize("case", CASES)
def test_hostile_archive_refused_and_nothing_changes(real, case):
    d, data, man, files = real
    body, says = hostile_cases(data, man, files)[case]
    rev = d.running_rev()
    fid = upload(d, body)
    for method, extra in (("backup.inspect", {}), ("backup.restore", {"confirm": 30})):
        err = call_fails(d, method, {"file": fid, **extra})
        assert says in err, "%s of the %s archive: %r not in %r" % (method, case, says, err)
    assert call(d, "config.changes") == [], "a refused archive staged something"
    assert d.running_rev() == rev, "a refused archive was applied"
    assert "confirm" not in json.dumps(d.status().get("confirm") or "")


def test_download_and_upload_refuse_bad_ids(real):
    d = real[0]
    err = call_fails(d, "backup.download", {"file": "../../etc/shadow"})
    assert "file: \"../../etc/shadow\" is not the id of a backup" in err, err
    err = call_fails(d, "backup.download", {"file": "0" * 32})
    assert "file: no backup" in err, err
    err = call_fails(d, "backup.upload", {"data": "%%%"})
    assert "data: not base64" in err, err
    fid = upload(d, b"abc")
    err = call_fails(d, "backup.upload", {"file": fid, "offset": 1, "data": "YQ=="})
    assert "offset: 1, but the upload holds 3 bytes" in err, err
