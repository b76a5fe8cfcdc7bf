#!/usr/bin/python3
"""Intrusion prevention: bans in the kernel. What one ban costs with
100,000 bans in the set, by net/nft_set (one transaction on one open
netlink socket), side by side with `nft add element ...`.

Runs build/nft_set_bench as root (it takes a network namespace of its own
with table inet difos and the two ban sets):
 - flush + add of ELEMS elements with a timeout, one call (3 runs); the
   ELEMS added again without a flush (each there: asked for, delete+add);
 - ADDS single adds into the full set, each its own call: a new address,
   then an address already there (a renewed ban: delete+add);
 - the anchors: NFT runs of `nft add element inet difos dyn_ips4 { a
   timeout 3600s }` into the same set; `nft -f` of a file flushing the set
   and adding the ELEMS (3 runs).

Reported, not asserted.
    ELEMS=100000 ADDS=1000 NFT=100 DIFOS_BUILD=$PWD/build /usr/bin/python3 bench/ips_bench.py
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(os.environ.get("DIFOS_BUILD", os.path.join(HERE, "..", "build")))
ELEMS = int(os.environ.get("ELEMS", "100000"))
ADDS = int(os.environ.get("ADDS", "1000"))
NFT = int(os.environ.get("NFT", "100"))


def main():
    prog = os.path.join(BUILD, "nft_set_bench")
    if not os.path.exists(prog):
        subprocess.run(["ninja", "-C", BUILD, "nft_set_bench"], check=True)
    out = subprocess.run([prog, str(ELEMS), str(ADDS), str(NFT)], check=True,
                         capture_output=True, text=True, timeout=900).stdout
    r = json.loads(out)
    fill = r["fill_ms"]
    print("Intrusion prevention: bans in the kernel (%s)" % BUILD)
    print("| | net/nft_set | `nft add element` | ratio |")
    print("|---|---|---|---|")
    print("| one new ban into %d (median of %d) | %.3f ms | %.2f ms (median of %d) | %.3f× |"
          % (r["elements"], r["adds"], r["add_median_ms"], r["nft_median_ms"], r["nft_runs"],
             r["add_median_ms"] / r["nft_median_ms"]))
    print("| the same, p99 | %.3f ms | %.2f ms | %.3f× |"
          % (r["add_p99_ms"], r["nft_p99_ms"], r["add_p99_ms"] / r["nft_p99_ms"]))
    print("| a ban renewed (already there: delete+add), median / p99 | %.3f / %.3f ms | | |"
          % (r["readd_median_ms"], r["readd_p99_ms"]))
    nf = r["nft_fill_ms"]
    print("| flush + add of %d, one transaction (min / median / max of 3) | "
          "%.1f / %.1f / %.1f ms | `nft -f`: %.0f / %.0f / %.0f ms | %.3f× |"
          % (r["elements"], fill[0], fill[1], fill[2], nf[0], nf[1], nf[2], fill[1] / nf[1]))
    json.dump(r, sys.stderr)
    print("| the %d added again without a flush (each asked for, then delete+add) | %.1f ms | | |"
          % (r["elements"], r["readd_all_ms"]))
    print(file=sys.stderr)


if __name__ == "__main__":
    main()
