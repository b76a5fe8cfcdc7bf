#!/usr/bin/python3
"""Backup and restore of the firewall benchmark's large configuration.

The configuration of bench/firewall_bench.py (2,000 traffic rules, 200
port forwards, country aliases over 200,000 CIDRs in list files, a few
manual aliases) is applied in a namespace with the real backend, then
changed and applied HISTORY times more (one rule's port each), so every
revision a backup holds is that large. Measured, RUNS times (medians):
  - `difosctl backup -o FILE --history HISTORY`, without and with a
    passphrase: wall time (made, then read back in 512 KiB pieces) and the
    file's size; the size of config.json alone;
  - `difosctl restore FILE --yes --confirm 60` after the firewall was
    emptied (applied): upload, check (inspect: decrypt, read, validate,
    diff) and the restore's apply of the whole ruleset, then confirm; the
    plain `apply` of the same change is the anchor.
Reported, not asserted. The country lists are state, not configuration: a
backup does not hold them (the router downloads them again).
"""
import io, json, os, statistics, subprocess, sys, tarfile, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import firewall_bench as fb   # noqa: E402

RUNS = int(os.environ.get("RUNS", "3"))
HISTORY = int(os.environ.get("HISTORY", "10"))
PASS = "bench passphrase"


def wall(argv, input=None, ok=(0,)):
    t0 = time.monotonic()
    r = subprocess.run(["ip", "netns", "exec", fb.NS, *argv], input=input, text=True,
                       capture_output=True, timeout=900)
    t = time.monotonic() - t0
    if r.returncode not in ok:
        raise SystemExit("%s: %s%s" % (" ".join(argv), r.stdout[-2000:], r.stderr[-2000:]))
    return t


def med(v):
    return statistics.median(v)


def main():
    if os.geteuid() != 0:
        sys.exit("bench needs root")
    dd = fb.Difosd()
    scratch = tempfile.mkdtemp(prefix="difos-bkbench-")
    fb.fresh_ns(fb.NS)
    res = {"plain": [], "enc": [], "check": [], "check_enc": [], "restore": [],
           "restore_enc": [], "apply": []}
    try:
        for dev in ("lan0", "wan0"):
            fb.nsx(fb.NS, "ip", "link", "add", dev, "type", "veth", "peer", "name", dev + "p")
            fb.nsx(fb.NS, "ip", "link", "set", dev + "p", "up")
        fb.write_country_lists(os.path.join(dd.root, "var/lib/difos"))
        dd.start()
        dd.stage([{"path": "wan.ipv4", "value": {"proto": "static", "address": "198.51.100.2",
                                                 "prefix": 24, "gateway": "198.51.100.1", "dns": []}}])
        dd.ctl("apply")
        big = fb.big_changes()
        dd.stage(big)
        dd.ctl("apply")
        for i in range(HISTORY):
            rules = big[2]["value"]
            rules[-1]["dest_ports"] = [str(6000 + i)]
            dd.stage([{"path": "firewall.rules", "value": rules}])
            dd.ctl("apply")
        plain, enc = os.path.join(scratch, "b.tar.gz"), os.path.join(scratch, "b.difosbk")
        for i in range(RUNS):
            res["plain"].append(wall(dd.argv("backup", "-o", plain, "--history", str(HISTORY))))
            res["enc"].append(wall(dd.argv("backup", "-o", enc, "--passphrase", "--history",
                                           str(HISTORY)), input=PASS + "\n"))
            fb.log("run %d: backup %.3f s, with a passphrase %.3f s" % (i + 1, res["plain"][-1],
                                                                         res["enc"][-1]))
        with tarfile.open(plain) as t:
            sizes = {m.name: m.size for m in t.getmembers()}
        for i in range(RUNS):
            for key, f, extra, stdin in (("restore", plain, [], ""),
                                         ("restore_enc", enc, ["--passphrase"], PASS + "\n")):
                dd.stage(fb.EMPTY)
                dd.apply_any()
                # answered "no": the upload and the check alone
                res[key.replace("restore", "check")].append(
                    wall(dd.argv("restore", f, *extra), input=stdin + "n\n", ok=(1,)))
                res[key].append(wall(dd.argv("restore", f, "--yes", "--confirm", "60", *extra),
                                     input=stdin or None))
                dd.ctl("confirm")
            dd.stage(fb.EMPTY)
            dd.apply_any()
            dd.stage(big)
            res["apply"].append(wall(dd.argv("apply")))
            fb.log("run %d: check %.3f s, encrypted %.3f s; restore %.3f s, encrypted %.3f s; "
                   "apply alone %.3f s" % (i + 1, res["check"][-1], res["check_enc"][-1],
                                           res["restore"][-1], res["restore_enc"][-1],
                                           res["apply"][-1]))
        print("\nbackup of the 2,000-rule configuration, %d revisions (medians of %d runs)" % (
            HISTORY, RUNS))
        print("  config.json             %8.1f KB" % (sizes["config.json"] / 1024))
        print("  all members, unpacked   %8.1f KB (%d members)" % (sum(sizes.values()) / 1024,
                                                                 len(sizes)))
        print("  file, tar.gz            %8.1f KB" % (os.path.getsize(plain) / 1024))
        print("  file, with passphrase   %8.1f KB" % (os.path.getsize(enc) / 1024))
        print("  difosctl backup         %8.3f s" % med(res["plain"]))
        print("  ... with a passphrase   %8.3f s" % med(res["enc"]))
        print("  upload and check        %8.3f s (difosctl restore answered no)" % med(res["check"]))
        print("  ... with a passphrase   %8.3f s" % med(res["check_enc"]))
        print("  difosctl restore        %8.3f s (upload, inspect, apply with confirm)" %
              med(res["restore"]))
        print("  ... with a passphrase   %8.3f s" % med(res["restore_enc"]))
        print("  difosctl apply (anchor) %8.3f s (the same change staged and applied)" %
              med(res["apply"]))
    finally:
        dd.stop()
        fb.del_ns(fb.NS)
        subprocess.run(["rm", "-rf", scratch])


if __name__ == "__main__":
    main()
