#!/usr/bin/python3
"""Sums a `meson test` run for scripts/check.sh: a test whose output closes
with "N passed, N failed" counts those; any other counts as one, by its
result. Prints "N passed, N failed" (the line check.sh reads)."""
import json
import re
import sys

CLOSING = re.compile(r"(\d+) passed, (\d+) failed")
passed = failed = 0
with open(sys.argv[1]) as log:
    for line in log:
        test = json.loads(line)
        found = CLOSING.findall(test.get("stdout") or "")
        ok = test["result"] in ("OK", "EXPECTEDFAIL")
        if found:
            p, f = map(int, found[-1])
            passed += p
            failed += f if f or ok else 1
        elif ok:
            passed += 1
        else:
            failed += 1
print("%d passed, %d failed" % (passed, failed))
