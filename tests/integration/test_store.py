"""
The configuration store stays bounded: each apply keeps its document
compressed, and the revisions beyond system.keep_revisions go unless
pinned. Every test gets a fresh lab and difosd.
"""

import json

from conftest import DIFOSCTL, ns_exec, rev_id


def set_many(d, changes):
    cp = ns_exec(d.ns, str(DIFOSCTL), "--root", str(d.root), "call", "config.set", "-",
                 input=json.dumps({"changes": changes}))
    assert cp.returncode == 0, "config.set: %s %s" % (cp.stdout, cp.stderr)


def test_store_keeps_the_last_revisions(lab):
    d = lab.daemon
    # a document of some 300 KB, as a real configuration grows
    hosts = [{"id": i + 1, "name": "name%d.example" % i, "ip": "10.200.%d.%d" % (i >> 8, i & 255)}
             for i in range(4000)]
    set_many(d, [{"path": "dhcp.hostnames", "value": hosts},
                 {"path": "system.keep_revisions", "value": 5}])
    d.ctl_ok("apply", "--comment", "the one to keep")
    kept = d.running_rev()
    d.ctl_ok("pin", kept)

    for i in range(12):
        d.ctl_ok("set", "dns.cache_size", str(2000 + i))
        d.ctl_ok("apply", timeout=60)

    h = d.history()
    ids = [rev_id(e) for e in h]
    latest = d.running_rev()
    # the five newest and the pinned one: nothing older
    assert ids == [kept] + list(range(latest - 4, latest + 1)), "history: %s" % ids
    pinned = {rev_id(e): e.get("pinned") for e in h}
    assert pinned[kept] is True and not any(pinned[r] for r in ids if r != kept), pinned
    assert "yes" in d.ctl_ok("history").stdout.splitlines()[-1], \
        "difosctl history shows no pin:\n" + d.ctl_ok("history").stdout
    # a pinned revision still diffs and its document is whole
    diff = d.ctl_json("diff", kept, latest)
    assert "dns.cache_size" in json.dumps(diff), diff

    # unpinned, it goes with the next apply
    d.ctl_ok("pin", kept, "false")
    d.ctl_ok("set", "dns.cache_size", "3000")
    d.ctl_ok("apply", timeout=60)
    assert kept not in [rev_id(e) for e in d.history()]
    cp = d.ctl("pin", kept)
    assert cp.returncode != 0 and "revision" in cp.stderr + cp.stdout, cp

    # what is left on disk: a handful of compressed documents (the text of
    # one is 300 KB; thirteen of them were 4 MB before)
    d.stop()
    size = d.db.stat().st_size
    assert size < 700 * 1024, "config.db is %d bytes after 14 applies kept to 5" % size
