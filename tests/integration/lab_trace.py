"""What programs difosd runs while a test calls it: strace on its pid."""

import subprocess
import time
from pathlib import Path


def programs_run_during(lab, fn):
    """Calls fn() with strace following difosd (and what it forks); returns
    the execve lines seen, empty when difosd ran nothing."""
    pid = lab.daemon.proc.pid
    assert Path("/proc/%d/comm" % pid).read_text().strip() == "difosd"
    out = lab.tmp / ("strace-%d.log" % time.monotonic_ns())
    tracer = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=execve", "-o", str(out),
                               "-p", str(pid)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)   # attached
        fn()
    finally:
        tracer.terminate()
        tracer.wait(timeout=10)
    text = out.read_text() if out.exists() else ""
    return [ln for ln in text.splitlines() if "execve" in ln]
