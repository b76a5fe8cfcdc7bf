"""
Intrusion prevention's lab parts: a real sshd (OpenSSH, from Debian's
openssh-server) in the router's namespace, logging to a file of the lab
(`sshd -E`: this machine has no syslog socket), and an attacker on the LAN
side that logs in with wrong passwords through the real ssh client
(SSH_ASKPASS gives the wrong password; no terminal). The LAN client has a
second address, the bystander, whose connections must never suffer.
"""

import os
import signal
import socket
import subprocess
import time

from conftest import LAN_ADDR, ns_exec, wait_for
from webclient import ns_connect

ATTACKER = "192.168.1.20"
BYSTANDER = "192.168.1.21"
SSHD = "/usr/sbin/sshd"


class Sshd:
    def __init__(self, lab):
        self.lab = lab
        self.dir = lab.tmp / "sshd"
        self.log = self.dir / "sshd.log"
        self.proc = None

    def start(self):
        self._config()
        os.makedirs("/run/sshd", exist_ok=True)   # sshd's privilege separation folder
        self.log.touch()
        self.proc = self.lab.spawn("sshd", self.lab.router,
                                   [SSHD, "-D", "-f", self.dir / "sshd_config", "-E", self.log])
        wait_for(lambda: b"Server listening" in self.log.read_bytes(), 10,
                 what="sshd to listen")
        return self

    def _config(self):
        self.dir.mkdir(exist_ok=True)
        key = self.dir / "host_ed25519"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
                       check=True, timeout=20)
        conf = self.dir / "sshd_config"
        # PAM off: a failed password then costs no PAM delay (3.7 s each);
        # sshd writes the same lines for it
        conf.write_text("\n".join([
            "Port 22", "ListenAddress " + LAN_ADDR, "HostKey %s" % key,
            "PidFile %s" % (self.dir / "sshd.pid"), "UsePAM no", "PasswordAuthentication yes",
            "KbdInteractiveAuthentication no", "PermitRootLogin yes", "StrictModes no",
            "MaxStartups 100", "LoginGraceTime 10", ""]))

    def start_in_journal(self, root):
        """sshd whose lines go to a journal: a systemd-journald of the lab's
        own, whose /run/systemd and /run/log are the folders below difosd's
        root (a mount namespace of its own), so difosd's journalctl --root
        reads it and finds its socket. journald stays in the machine's
        network namespace (the router's has no cgroup folder under its
        /sys); sshd runs in the router's and writes to stderr (-e), which
        systemd-cat hands to journald's stream socket with the identifier
        sshd: the journal's entries are the messages sshd gives syslog."""
        self._config()
        for sub in ("run/systemd", "run/log/journal"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        for host in ("/run/systemd", "/run/log", "/run/sshd"):
            os.makedirs(host, exist_ok=True)   # the bind mounts' places
        binds = ('mount --bind "$1/run/systemd" /run/systemd && '
                 'mount --bind "$1/run/log" /run/log && ')
        log = open(self.lab.tmp / "journald.log", "ab")
        journald = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "sh", "-c",
             binds + "exec /lib/systemd/systemd-journald", "sh", str(root)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        log.close()
        self.lab.procs.append(("journald", journald))
        wait_for(lambda: (root / "run/systemd/journal/stdout").exists(), 10,
                 what="the lab's journald")
        time.sleep(0.2)
        self.proc = self.lab.spawn("sshd-journal", self.lab.router, [
            "unshare", "-m", "--propagation", "private", "sh", "-c",
            binds + '%s -D -e -f "$2" 2>&1 | systemd-cat -t sshd' % SSHD, "sh", root,
            self.dir / "sshd_config"])
        wait_for(lambda: can_connect(self.lab.router, LAN_ADDR, 22), 10, what="sshd to listen")
        return self

    def stop(self):
        """sshd, its connections' processes (a connection cut by a ban waits
        for its login grace time) and the journal's pipeline."""
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=5)
        for pid in self.lab.ns_pids(self.lab.router):
            if self.lab.comm(pid) in ("sshd", "systemd-cat", "sh"):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def lines(self):
        return self.log.read_text(errors="replace").splitlines()


def askpass(lab):
    path = lab.tmp / "askpass"
    if not path.exists():
        path.write_text("#!/bin/sh\necho not-the-password\n")
        path.chmod(0o755)
    return path


def ssh_fail(lab, user="root", source=ATTACKER):
    """One login with a wrong password from source: ssh's exit status (255)."""
    cp = ns_exec(lab.lan, "env", "SSH_ASKPASS=%s" % askpass(lab), "SSH_ASKPASS_REQUIRE=force",
                 "ssh", "-b", source, "-o", "StrictHostKeyChecking=no", "-o",
                 "UserKnownHostsFile=/dev/null", "-o", "PreferredAuthentications=password",
                 "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1",
                 "-o", "ConnectTimeout=3", "-o", "LogLevel=ERROR", "-l", user, LAN_ADDR, "true",
                 timeout=15)
    return cp.returncode


def ssh_key_fail(lab, user="root", source=ATTACKER):
    """One login with a key the server does not know (sshd logs no
    "Failed publickey" at its default level, only the connection closed
    before authentication): ssh's exit status (255)."""
    key = lab.tmp / "attacker_ed25519"
    if not key.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
                       check=True, timeout=20)
    cp = ns_exec(lab.lan, "ssh", "-b", source, "-i", str(key), "-o", "IdentitiesOnly=yes",
                 "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                 "-o", "PreferredAuthentications=publickey", "-o", "BatchMode=yes",
                 "-o", "ConnectTimeout=3", "-o", "LogLevel=ERROR", "-l", user, LAN_ADDR, "true",
                 timeout=15)
    return cp.returncode


def can_connect(ns, host, port, source=None, timeout=2):
    try:
        s = ns_connect(ns, host, port, timeout, socket.AF_INET6 if ":" in host else
                       socket.AF_INET, source)
    except OSError:
        return False
    s.close()
    return True


def add_bystander(lab):
    ns_exec(lab.lan, "ip", "addr", "add", BYSTANDER + "/24", "dev", "eth0", check=True)


def blocked(d, **params):
    import json
    return d.ctl_json("call", "ips.blocked", json.dumps(params))


def wait_banned(d, key, timeout=10):
    found = {}

    def banned():
        for b in blocked(d)["bans"]:
            if b["key"] == key:
                found.update(b)
                return True
        return False
    wait_for(banned, timeout, what="%s on the blocked list (%s)" % (key, blocked(d)))
    return found


def kernel_set(lab, name="dyn_ips4"):
    cp = ns_exec(lab.router, "nft", "-j", "list", "set", "inet", "difos", name, check=True)
    import json
    elems = []
    for item in json.loads(cp.stdout)["nftables"]:
        for e in item.get("set", {}).get("elem", []) or []:
            elems.append(e["elem"]["val"] if isinstance(e, dict) and "elem" in e else e)
    return elems


def now():
    return time.time()
