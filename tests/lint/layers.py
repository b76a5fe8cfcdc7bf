#!/usr/bin/python3
"""The source tree's shape, checked: every #include points to the same or a
lower layer; a feature includes no other feature's header; a private
header (<name>_int.h) is included only in its own folder; a feature reaches
no global of the core (FORBIDDEN: the --root prefix is ctx->env->paths);
address text is parsed by net/addr.h only (no inet_pton elsewhere but in
the programs of their own);
no two files call each other (read from the built objects given as arguments). Prints each
offence and "layers: N passed, N failed"."""
import os
import re
import subprocess
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src")

# Lowest first. A file may include headers of its own layer or below.
LAYERS = ["core", "store", "net", "schema", "rpc", "auth", "apply", "features", "config", "api",
          "daemon", "cli", "web", "engine-exec", "relay6", "ra6", "ips-reader"]
# programs of their own: they link only what they include, not each other
PROGRAMS = {"cli", "web", "engine-exec", "relay6", "ra6", "ips-reader"}

# Headers a layer must not include although they are below it: globals
# that the environment given to every callback replaces.
FORBIDDEN = {"features": {"core/root.h": "a global; the paths are in ctx->env->paths"}}

# Address text has one parser (net/addr.h, strict); these are its.
ADDR_PARSE = re.compile(r"\binet_(?:pton|aton|addr|network)\s*\(")

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path):
    top = path.split("/")[0]
    return top if top in LAYERS else None


def feature_of(path):
    """features/<chapter>/<name>/... -> "<chapter>/<name>"; None for shared files."""
    parts = path.split("/")
    return "/".join(parts[1:3]) if parts[0] == "features" and len(parts) > 3 else None


def sources():
    for root, _, files in os.walk(SRC):
        for fn in files:
            if fn.endswith((".c", ".h")):
                full = os.path.join(root, fn)
                yield os.path.relpath(full, SRC), open(full, errors="replace").read()


def symbols(obj):
    """(defined, undefined) global symbols of an object file, by nm."""
    out = subprocess.run(["nm", "-P", obj], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            (undefined if parts[1] == "U" else defined).add(parts[0])
    return defined, undefined


def circles(objdirs):
    """Pairs of source files that call each other (from the built objects:
    a.o uses a symbol b.o defines, and b.o one of a.o's)."""
    objs = {}
    for d in objdirs:
        for root, _, fns in os.walk(d):
            for fn in fns:
                m = re.search(r"(?:^|_)src_(.*)\.c\.o$", fn)
                if m:
                    objs[m.group(1)] = os.path.join(root, fn)
    owner, used = {}, {}
    for name, obj in objs.items():
        defined, undefined = symbols(obj)
        for s in defined:
            owner[s] = name
        used[name] = undefined
    calls = {n: {owner[s] for s in u if s in owner and owner[s] != n} for n, u in used.items()}
    found = []
    for a in sorted(calls):
        for b in sorted(calls[a]):
            if a < b and a in calls.get(b, ()):
                found.append("%s.c and %s.c call each other (folders joined by _)" % (a, b))
    return found


def main():
    offences = []
    deps = {}   # file -> set of files it includes (headers resolved in src/)
    files = dict(sources())
    for path, text in sorted(files.items()):
        mine = layer_of(path)
        if not mine:
            offences.append("%s: its folder is in no layer (add it to LAYERS)" % path)
        if mine not in ("net",) and mine not in PROGRAMS and ADDR_PARSE.search(text):
            offences.append("%s parses address text itself: use net/addr.h (net_prefix_parse)" % path)
        for inc in INCLUDE.findall(text):
            if inc not in files:
                continue  # generated (feature_list.h) or a system header
            theirs = layer_of(inc)
            deps.setdefault(path, set()).add(inc)
            if mine in PROGRAMS and theirs in PROGRAMS and mine != theirs:
                offences.append("%s includes %s: one program includes another's code" % (path, inc))
            elif mine and theirs and LAYERS.index(theirs) > LAYERS.index(mine):
                offences.append("%s includes %s: %s is above %s" % (path, inc, theirs, mine))
            if inc.endswith("_int.h") and os.path.dirname(inc) != os.path.dirname(path):
                offences.append("%s includes %s: a header private to %s/" % (path, inc, os.path.dirname(inc)))
            why = FORBIDDEN.get(mine, {}).get(inc)
            if why:
                offences.append("%s includes %s: %s" % (path, inc, why))
            fa, fb = feature_of(path), feature_of(inc)
            if fa and fb and fa != fb:
                offences.append("%s includes %s: a feature includes another feature" % (path, inc))
    offences += circles(sys.argv[1:])
    for o in offences:
        print("layers: " + o)
    print("layers: %d passed, %d failed" % (0 if offences else 1, len(offences)))
    return 1 if offences else 0


sys.exit(main())
