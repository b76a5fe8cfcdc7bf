"""
The dial-pattern matcher against the real PBX engine.

A few hundred random (seeded, so reproducible) route patterns go into one
context of an extensions.conf; Asterisk from the engine root
(scripts/pbx-rootfs.sh) loads it in a network namespace made for the test,
and is asked over one AMI connection which extension each of a few
thousand numbers takes ("dialplan show NUMBER@ctx" lists the matching
extensions in the order the engine tries them: the first is the one taken).
The same patterns and numbers go through pat_pick, pat_match and pat_cmp
(tests/unit/pattern_pick, one process): for every number the pick and the
whole list of matching patterns, in order, must be the engine's.

Without the engine root the test is skipped, or fails when CI is set.
"""

import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import pbx_lab

from conftest import BUILD, describe, run, wait_for
from webclient import ns_connect

PICK = BUILD / "tests" / "unit" / "pattern_pick"

SEED = 20261129
N_PATTERNS = 400
N_NUMBERS = 4000
CONTEXT = "routes"
AMI_PORT = 5038
AMI_USER, AMI_SECRET = "difos", "patterns"
BATCH = 200          # AMI actions written before their answers are read
TIME_LIMIT = 60      # seconds, the whole test

CLASSES = {"X": "0123456789", "Z": "123456789", "N": "23456789"}
SET_CHARS = "0123456789*#+"


# --------------------------------------------------------------------------
# the random context and numbers


def _set_text(rng, members):
    """members written as Asterisk reads them: runs of digits as ranges or
    not, in any order, a character sometimes twice."""
    chars = sorted(members, key=SET_CHARS.index)
    items, i = [], 0
    while i < len(chars):
        j = i
        while (j + 1 < len(chars) and chars[j + 1].isdigit() and chars[j].isdigit()
               and int(chars[j + 1]) == int(chars[j]) + 1):
            j += 1
        if j - i >= 1 and rng.random() < 0.7:
            items.append(chars[i] + "-" + chars[j])
        else:
            items.extend(chars[i:j + 1])
        i = j + 1
    if rng.random() < 0.1:
        items.append(rng.choice(chars))
    rng.shuffle(items)
    return "[" + "".join(items) + "]"


def _position(rng):
    """(text, characters it accepts) of one pattern position"""
    r = rng.random()
    if r < 0.45:
        c = rng.choice("0123456789" * 3 + "*#+")
        return c, c
    if r < 0.75:
        name = rng.choice("XZN")
        return (name if rng.random() < 0.8 else name.lower()), CLASSES[name]
    if rng.random() < 0.5:           # a digit range, the common case
        a = rng.randint(0, 8)
        b = rng.randint(a + 1, 9)
        members = "".join(str(d) for d in range(a, b + 1))
    else:
        members = "".join(rng.sample(SET_CHARS, rng.randint(1, 5)))
    return _set_text(rng, members), members


def _literal(rng):
    digits = "".join(rng.choice("0123456789" * 4 + "*#+") for _ in range(rng.randint(1, 7)))
    text = digits
    if len(digits) > 2 and rng.random() < 0.2:
        k = rng.randint(1, len(digits) - 1)
        text = digits[:k] + "-" + digits[k:]
    return text, ([c for c in digits], None)


def _text(rng, positions, tail):
    parts = []
    for text, _ in positions:
        if parts and rng.random() < 0.08:
            parts.append("-")
        parts.append(text)
    return "_" + "".join(parts) + tail


def _pattern(rng):
    """(text, (positions as (text, accepted characters), tail '', '.' or '!'))"""
    tail = rng.choice(["", "", "", ".", "!"])
    # a short pattern with '.' or '!' would take nearly every number
    positions = [_position(rng) for _ in range(rng.randint(3 if tail else 1, 6))]
    return _text(rng, positions, tail), (positions, tail)


def _twin(rng, members):
    """Another set as many characters long with the same lowest character:
    the engine orders the two by the characters themselves."""
    ordered = sorted(set(members), key=ord)
    higher = [c for c in SET_CHARS if ord(c) > ord(ordered[0])]
    others = rng.sample(higher, min(len(ordered) - 1, len(higher)))
    twin = ordered[0] + "".join(others)
    return _set_text(rng, twin), twin


def _sibling(rng, shape):
    """A pattern close to another: one position or the tail changed, or a
    position more or less; the two then compete for the same numbers."""
    positions, tail = list(shape[0]), shape[1]
    r = rng.random()
    sets = [i for i, (_, m) in enumerate(positions) if len(m) > 1]
    if r < 0.25 and sets:
        i = rng.choice(sets)
        positions[i] = _twin(rng, positions[i][1])
    elif r < 0.4:
        positions[rng.randrange(len(positions))] = _position(rng)
    elif r < 0.7:
        tail = rng.choice([t for t in ("", ".", "!") if t != tail])
    elif r < 0.85 or len(positions) < 2:
        positions.insert(rng.randint(0, len(positions)), _position(rng))
    else:
        del positions[rng.randrange(len(positions))]
    if tail and len(positions) < 3:
        tail = ""
    return _text(rng, positions, tail), (positions, tail)


def _alias(rng, text):
    """Another text for the same pattern, so that the engine holds both for
    one extension (it keeps the first)."""
    swaps = {"X": "x", "x": "X", "N": "[2-9]", "Z": "[1-9]", "n": "N", "z": "Z"}
    for k, v in swaps.items():
        if k in text[1:]:
            return "_" + text[1:].replace(k, v, 1)
    return "_-" + text[1:]


def make_context(rng):
    patterns, shapes, seen = [], [], set()
    while len(patterns) < N_PATTERNS:
        r = rng.random()
        if patterns and r < 0.35:
            i = rng.randrange(len(patterns))
            if shapes[i][1] is None:
                continue
            if r < 0.07:
                text, shape = _alias(rng, patterns[i]), shapes[i]
            else:
                text, shape = _sibling(rng, shapes[i])
        elif r < 0.5:
            text, shape = _literal(rng)
        else:
            text, shape = _pattern(rng)
        if text not in seen and len(text) <= 80:
            seen.add(text)
            patterns.append(text)
            shapes.append(shape)
    return patterns, shapes


def _number_for(rng, shape):
    positions, tail = shape
    digits = "".join(rng.choice(m if tail is None else m[1]) for m in positions)
    if tail == ".":
        digits += "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 3)))
    elif tail == "!":
        digits += "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 3)))
    return digits


def _mutate(rng, number):
    r = rng.random()
    if r < 0.3 and len(number) > 1:
        return number[:-1]
    if r < 0.6:
        return number + rng.choice("0123456789")
    k = rng.randrange(len(number))
    return number[:k] + rng.choice("0123456789*#+") + number[k + 1:]


def make_numbers(rng, patterns, shapes):
    numbers = []
    while len(numbers) < N_NUMBERS:
        r = rng.random()
        if r > 0.99:
            # the engine compares a "number" that is a pattern as a pattern
            i = rng.randrange(len(patterns))
            if shapes[i][1] is None:
                continue
            n = _alias(rng, patterns[i]) if r > 0.995 else _sibling(rng, shapes[i])[0]
        elif r < 0.1:
            n = "".join(rng.choice("0123456789*#+") for _ in range(rng.randint(1, 8)))
        else:
            n = _number_for(rng, rng.choice(shapes))
            if r < 0.4 and n:
                n = _mutate(rng, n)
        if n and n[0] != "_" and rng.random() < 0.03 and len(n) > 2:
            n = n[:1] + "-" + n[1:]
        if n:
            numbers.append(n)
    return numbers


# --------------------------------------------------------------------------
# the engine




def write_instance(inst, patterns):
    """The engine's files in inst, which the engine sees at /mnt."""
    for d in ("etc", "run", "log", "lib", "spool", "cache"):
        (inst / d).mkdir()
    (inst / "etc" / "asterisk.conf").write_text(
        "[directories]\n"
        "astetcdir => /mnt/etc\n"
        "astmoddir => /usr/lib/x86_64-linux-gnu/asterisk/modules\n"
        "astvarlibdir => /mnt/lib\n"
        "astdbdir => /mnt/lib\n"
        "astdatadir => /usr/share/asterisk\n"
        "astspooldir => /mnt/spool\n"
        "astrundir => /mnt/run\n"
        "astlogdir => /mnt/log\n"
        "astcachedir => /mnt/cache\n"
        "[options]\n"
        "verbose = 0\n"
        "nocolor = yes\n")
    # the dialplan and AMI (part of the core) are all it needs
    (inst / "etc" / "modules.conf").write_text(
        "[modules]\nautoload = no\nload => pbx_config.so\n")
    (inst / "etc" / "manager.conf").write_text(
        "[general]\nenabled = yes\nport = %d\nbindaddr = 127.0.0.1\n"
        "[%s]\nsecret = %s\ndeny = 0.0.0.0/0.0.0.0\npermit = 127.0.0.0/255.0.0.0\n"
        "read = system,command\nwrite = system,command\n" % (AMI_PORT, AMI_USER, AMI_SECRET))
    (inst / "etc" / "logger.conf").write_text(
        "[logfiles]\nmessages.log => notice,warning,error\n")
    lines = ["[general]", "static = yes", "writeprotect = yes", "[%s]" % CONTEXT]
    lines += ["exten => %s,1,NoOp()" % p for p in patterns]
    (inst / "etc" / "extensions.conf").write_text("\n".join(lines) + "\n")


class Ami:
    """One AMI session; actions are sent in batches and their answers read
    by ActionID."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.next_id = 1
        banner = self._line()
        assert banner.startswith("Asterisk Call Manager"), banner
        answer = self.send_all([{"Action": "Login", "Username": AMI_USER,
                                 "Secret": AMI_SECRET, "Events": "off"}])[0]
        assert answer.get("Response") == "Success", answer

    def _line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise AssertionError("the engine closed the AMI connection")
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def _message(self):
        """The next message: its headers and its Output lines."""
        headers, output = {}, []
        while True:
            line = self._line()
            if not line:
                if headers or output:
                    return headers, output
                continue
            key, _, value = line.partition(":")
            if key == "Output":
                output.append(value[1:] if value.startswith(" ") else value)
            else:
                headers.setdefault(key, value.strip())

    def send_all(self, actions):
        """Sends the actions, returns their answers in the same order (the
        Output lines under the key 'Output')."""
        ids = []
        out = []
        for a in actions:
            ids.append(str(self.next_id))
            self.next_id += 1
            out.append("".join("%s: %s\r\n" % kv for kv in a.items()) +
                       "ActionID: %s\r\n\r\n" % ids[-1])
        self.sock.sendall("".join(out).encode())
        answers = {}
        while len(answers) < len(ids):
            headers, output = self._message()
            if headers.get("ActionID") in ids:
                headers["Output"] = output
                answers[headers["ActionID"]] = headers
        return [answers[i] for i in ids]


@pytest.fixture
def engine(tmp_path):
    """The engine with the given context, in a namespace of its own:
    yields a function (patterns) -> Ami."""
    root = pbx_lab.engine_root()
    ns = "dft%d-pat" % os.getpid()
    inst = Path(tempfile.mkdtemp(prefix="difos-pat-", dir=tmp_path))
    procs = []

    def start(patterns):
        write_instance(inst, patterns)
        run(["ip", "netns", "add", ns], check=True)
        run(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"], check=True)
        log = open(inst / "engine.out", "w")
        # the instance folder bound on the root's /mnt, seen by this
        # process only (a private mount namespace); the root stays as is
        procs.append(subprocess.Popen(
            ["ip", "netns", "exec", ns, "unshare", "--mount", "--propagation", "private",
             "sh", "-c", 'mount --bind "$1" "$2/mnt" && exec chroot "$2" '
             '/usr/sbin/asterisk -f -n -C /mnt/etc/asterisk.conf',
             "engine", str(inst), str(root)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))
        log.close()

        def connect():
            if procs[0].poll() is not None:
                raise AssertionError("the engine exited: %s" %
                                     (inst / "engine.out").read_text())
            return ns_connect(ns, "127.0.0.1", AMI_PORT, timeout=20)

        sock = wait_for(connect, 20, interval=0.1, what="the engine's AMI port")
        ami = Ami(sock)
        # the dialplan is loaded when the engine says it is fully booted
        booted = ami.send_all([{"Action": "Command", "Command": "core waitfullybooted"}])[0]
        assert booted.get("Response") == "Success", booted
        return ami

    yield start
    for p in procs:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
    run(["ip", "netns", "del", ns])
    if os.path.exists(inst / "log" / "messages.log"):
        shutil.copy(inst / "log" / "messages.log", tmp_path / "engine-messages.log")


EXTEN_LINE = re.compile(r"^\s*'(.*)' =>")


def engine_matches(answer):
    """The extensions that match, in the order the engine tries them (the
    first is the one taken)."""
    out = answer["Output"]
    if any("There is no existence" in line for line in out):
        return []
    names = [m.group(1) for m in map(EXTEN_LINE.match, out) if m]
    assert names, "unexpected answer to dialplan show: %r" % answer
    return names


def test_pat_pick_agrees_with_the_engine(engine):
    t0 = time.monotonic()
    assert PICK.is_file(), "%s is not built (ninja -C %s)" % (PICK, BUILD)
    rng = random.Random(SEED)
    patterns, shapes = make_context(rng)
    numbers = make_numbers(rng, patterns, shapes)

    cp = run([PICK], input="\n".join(patterns + ["--"] + numbers) + "\n", timeout=20)
    assert cp.returncode == 0, describe(cp)
    lines = [[int(x) for x in line.split()] for line in cp.stdout.splitlines()]
    assert len(lines) == len(numbers), describe(cp)
    ours = [line[0] for line in lines]
    our_lists = [line[1:] for line in lines]

    ami = engine(patterns)
    t_engine = time.monotonic()
    matches = []
    for i in range(0, len(numbers), BATCH):
        answers = ami.send_all([{"Action": "Command",
                                 "Command": "dialplan show %s@%s" % (n, CONTEXT)}
                                for n in numbers[i:i + BATCH]])
        matches += [engine_matches(a) for a in answers]
    t_asked = time.monotonic() - t_engine

    first_of = {}
    for i, p in enumerate(patterns):
        first_of.setdefault(p, i)
    unknown = {x for m in matches for x in m} - set(first_of)
    assert not unknown, "the engine lists extensions that are not ours: %s" % unknown
    wrong, misordered = [], []
    for n, mine, mine_all, names in zip(numbers, ours, our_lists, matches):
        theirs_all = [first_of[x] for x in names]
        want = theirs_all[0] if theirs_all else -1
        if mine != want:
            wrong.append("%s: pat_pick %s, the engine %s" %
                         (n, patterns[mine] if mine >= 0 else "none",
                          patterns[want] if want >= 0 else "none"))
        if mine_all != theirs_all:
            misordered.append("%s: ours %s, the engine's %s" %
                              (n, [patterns[i] for i in mine_all], names))
    taken = sum(1 for m in matches if m)
    several = sum(1 for m in matches if len(m) > 1)
    elapsed = time.monotonic() - t0
    print("pbx patterns: %d patterns, %d numbers (%d taken by a pattern, %d of them matching "
          "several, %d by none; %d distinct patterns taken, %d matching patterns listed); "
          "picks: %d agree, %d differ; whole lists in order: %d agree, %d differ; engine "
          "asked in %.2f s, %.2f s in all" %
          (len(patterns), len(numbers), taken, several, len(numbers) - taken,
           len({m[0] for m in matches if m}), sum(len(m) for m in matches),
           len(numbers) - len(wrong), len(wrong), len(numbers) - len(misordered),
           len(misordered), t_asked, elapsed))
    assert not wrong, "%d of %d numbers differ:\n%s" % (len(wrong), len(numbers),
                                                       "\n".join(wrong[:30]))
    assert not misordered, "%d of %d numbers' lists differ:\n%s" % (
        len(misordered), len(numbers), "\n".join(misordered[:30]))
    # the context must be varied enough to mean something
    assert taken > len(numbers) // 2 and len(numbers) - taken > len(numbers) // 20
    assert several > len(numbers) // 4
    assert elapsed < TIME_LIMIT, "took %.1f s" % elapsed
