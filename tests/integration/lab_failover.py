"""
A lab for the failover: the standard lab (router, LAN client, WAN side with
its DHCP server) plus the LTE modem stand-in's carrier (lab_modem.py), and
one "internet" address (lab_modem.INTERNET_ADDR) that both the WAN side and
the carrier answer for, each with its own name.

The LAN client runs a prober: a UDP datagram every PROBE_MS from one fixed
source port (one tracked connection for the whole test, as a call or a VPN
keeps one), each answered by whichever side the router sent it to. Its log
says, per answer, the time and who answered: when traffic moved, and
whether the one connection moved with it.
"""

import json
import time

from conftest import ns_exec
from lab_modem import INTERNET_ADDR, ModemStandIn

PROBE_PORT = 7777
PROBE_MS = 50

RESPONDER = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
name = sys.argv[3].encode()
while True:
    data, peer = s.recvfrom(512)
    s.sendto(name + b" " + data, peer)
"""

PROBER = r"""
import socket, sys, time
dst, port, every, until = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 40777))
s.settimeout(every)
n = 0
out = open(sys.argv[5], "w", buffering=1)
while time.time() < until:
    n += 1
    s.sendto(str(n).encode(), (dst, port))
    t_end = time.time() + every
    while time.time() < t_end:
        try:
            data, _ = s.recvfrom(512)
        except socket.timeout:
            break
        out.write("%.3f %s\n" % (time.time(), data.decode().split()[0]))
    time.sleep(max(0, t_end - time.time()))
"""


class FailoverLab:
    def __init__(self, lab, return_after=2):
        self.lab = lab
        self.modem = ModemStandIn(lab)
        d = lab.daemon
        d.ctl_ok("set", "wwan.control_port", self.modem.path)
        d.ctl_ok("set", "wwan.pdp_type", "ipv4")
        d.ctl_ok("set", "failover.return_after", str(return_after))
        d.ctl_ok("apply")
        lab.client_static("192.168.1.20")
        # the "internet" answers on both sides, each with its name
        ns_exec(lab.wan, "ip", "addr", "add", INTERNET_ADDR + "/32", "dev", "lo", check=True)
        (lab.tmp / "responder.py").write_text(RESPONDER)
        (lab.tmp / "prober.py").write_text(PROBER)
        self.responders = [
            lab.spawn("resp-wan", lab.wan, ["python3", str(lab.tmp / "responder.py"),
                                            INTERNET_ADDR, str(PROBE_PORT), "wan"]),
            lab.spawn("resp-carrier", self.modem.carrier, ["python3", str(lab.tmp / "responder.py"),
                                                          INTERNET_ADDR, str(PROBE_PORT),
                                                          "carrier"])]
        self.prober = None
        self.log = lab.tmp / "prober.log"

    def status(self):
        return self.lab.daemon.ctl_json("status")["features"]["failover"]["detail"]

    def wwan_up(self):
        st = self.lab.daemon.ctl_json("status")["features"]["wwan"]["detail"]
        return st.get("connection") == "connected" and st.get("uplink")

    def start_prober(self, seconds):
        self.prober = self.lab.spawn("prober", self.lab.lan, [
            "python3", str(self.lab.tmp / "prober.py"), INTERNET_ADDR, str(PROBE_PORT),
            str(PROBE_MS / 1000), str(time.time() + seconds), str(self.log)])

    def answers(self):
        if not self.log.exists():
            return []
        out = []
        for line in self.log.read_text().splitlines():
            t, who = line.split()
            out.append((float(t), who))
        return out

    def first_answer_from(self, who, after):
        for t, w in self.answers():
            if t >= after and w == who:
                return t
        return None

    def wait_answer_from(self, who, after, timeout):
        end = time.time() + timeout
        while time.time() < end:
            t = self.first_answer_from(who, after)
            if t is not None:
                return t
            time.sleep(0.05)
        return None

    def close(self):
        for p in self.responders + ([self.prober] if self.prober else []):
            self.lab.stop_proc(p)
        self.modem.close()


def interfaces(lab):
    return {i["name"]: i for i in lab.daemon.ctl_json("interfaces")}


def dump(obj):
    return json.dumps(obj, indent=1, sort_keys=True)
