#!/usr/bin/python3
"""No test is forgotten: every tests/unit/test_<name>.c is built and run by
tests/unit/meson.build, every tests/fuzz/fuzz_<name>.c by tests/fuzz/meson.build,
and every Chromium scenario tests/e2e/<name>.mjs (but the shared lib.mjs) is
run by a test of tests/integration/test_gui*.py. A meson list names a file
by its <name> quoted in a list (['qos', ...]) or by its file name; a test
of the GUI by its file name. Prints each file missing from its
list and "lists: N passed, N failed"."""
import glob
import os
import re
import sys

TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

# (the files, the prefix their list leaves out, the lists that run them)
RULES = [
    ("unit/test_*.c", "test_", ["unit/meson.build"]),
    ("fuzz/fuzz_*.c", "fuzz_", ["fuzz/meson.build"]),
    ("e2e/*.mjs", "", ["integration/test_gui*.py"]),
]
# shared code, no test of its own
SHARED = {"e2e/lib.mjs"}


def read(patterns):
    text = ""
    for p in patterns:
        for path in sorted(glob.glob(os.path.join(TESTS, p))):
            text += open(path, errors="replace").read()
    return text


def named(text, fname, name, prefix):
    if fname in text:
        return True
    if not prefix:
        return False
    quoted = set()
    for inside in re.findall(r"\[([^\]]*)\]", text):
        quoted.update(re.findall(r"'([^']*)'", inside))
    return name in quoted


def main():
    missing, checked = [], 0
    for files, prefix, lists in RULES:
        text = read(lists)
        for path in sorted(glob.glob(os.path.join(TESTS, files))):
            rel = os.path.relpath(path, TESTS)
            if rel in SHARED:
                continue
            fname = os.path.basename(path)
            name = os.path.splitext(fname)[0][len(prefix):]
            checked += 1
            if not named(text, fname, name, prefix):
                missing.append("tests/%s is run by no test: add %s to %s" %
                               (rel, "'%s'" % name if prefix else fname,
                                " or ".join("tests/" + l for l in lists)))
    for m in missing:
        print("lists: " + m)
    print("lists: %d passed, %d failed" % (checked - len(missing), len(missing)))
    return 1 if missing else 0


sys.exit(main())
