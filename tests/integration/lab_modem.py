"""
An LTE modem stand-in for the WWAN tests: what cannot exist on this machine
(a modem, a SIM, a carrier) replaced by what speaks the same protocols.

- The control port is a pty pair (os.openpty): difosd is given the slave's
  path as wwan.control_port and speaks AT commands (3GPP TS 27.007) to it;
  this stand-in answers on the master as a modem does: it echoes until
  ATE0, ends each answer with OK, ERROR or +CME ERROR: <n>, keeps a SIM
  with a PIN and three attempts (+CME ERROR: 16 for a wrong PIN, SIM PUK
  after the third), registers on the network a moment after the SIM is
  ready and says so unsolicited (+CEREG), records each +CGDCONT, and on
  AT+CGACT=1,1 brings up the network side.
- The network side is a "carrier" namespace joined to the router's by a
  veth pair whose router end is the WWAN device (wwan0): dnsmasq there
  hands out an address with a gateway and DNS (and IPv6 router
  advertisements), Kea's DHCPv6 server delegates prefixes (PD_POOL) for an
  IPv4v6 context, and the carrier has an "internet" address beyond the
  gateway (INTERNET_ADDR, INTERNET_ADDR6) that only a route through WWAN
  reaches.
- drop_context() is the network ending the data connection: the veth goes
  and "+CGEV: NW DEACT ..." is sent.

Not exercised: a real modem's USB functions, its firmware's timing and
vendor codes, the radio, a real SIM, QMI/MBIM control, PPP.
"""

import json
import os
import re
import select
import threading
import time

from conftest import ns_exec, run

CARRIER_GW = "10.64.0.1"
CARRIER_NET6 = "2001:db8:64::"
PD_POOL = "2001:db8:6400::/40"     # delegated as /56s by the carrier's DHCPv6 server
INTERNET_ADDR = "203.0.113.77"
INTERNET_ADDR6 = "2001:db8:ffff::77"
IMEI = "867962041234567"
OPERATOR = "Stand-in Mobile"


class ModemStandIn:
    def __init__(self, lab, pin=None, device="wwan0", sim=True, register_delay=0.3, link=False):
        self.lab = lab
        self.carrier = lab.router.rsplit("-", 1)[0] + "-c"
        self.device = device
        self.pin = pin
        self.sim = sim
        self.unlocked = pin is None
        self.pin_attempts = []          # every PIN the modem was sent
        self.attempts_left = 3
        self.puk = False
        self.echo = True
        self.cereg_n = 0
        self.registered = False
        self.register_delay = register_delay
        self.contexts = {}              # cid -> (pdp type, apn)
        self.cgdcont_log = []
        self.active = False
        self.activations = 0
        self.commands = []              # every command received, PIN masked
        self.lock = threading.Lock()
        self.dnsmasq = None
        self.timers = []
        self.unplugs = 0
        self.link = None
        self._plug()
        if link:
            # a name that stays when the modem is unplugged and plugged in
            # again (the pty's own name changes), as a USB modem's udev link
            self.link = "/dev/shm/difos-modem-%d-%d" % (os.getpid(), id(self) % 100000)
            os.symlink(self.tty, self.link)
        self.path = self.link or self.tty
        run(["ip", "netns", "add", self.carrier], check=True)
        lab.namespaces.append(self.carrier)
        ns_exec(self.carrier, "ip", "link", "set", "lo", "up", check=True)
        ns_exec(self.carrier, "ip", "addr", "add", INTERNET_ADDR + "/32", "dev", "lo", check=True)
        ns_exec(self.carrier, "ip", "addr", "add", INTERNET_ADDR6 + "/128", "dev", "lo", check=True)
        if self.unlocked and self.sim:
            self._later(register_delay, self._register)

    def _plug(self):
        self.master, self.slave = os.openpty()
        # the slave stays open here too, so difosd's close does not hang up
        self.tty = os.ttyname(self.slave)
        self.stop_r, self.stop_w = os.pipe()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _unplug_fds(self):
        os.write(self.stop_w, b"x")
        self.thread.join(timeout=5)
        for fd in (self.master, self.slave, self.stop_r, self.stop_w):
            try:
                os.close(fd)
            except OSError:
                pass

    def unplug(self):
        """The modem goes (a reset, a USB hiccup): its port hangs up, its
        network side goes, and its link name with them."""
        self._unplug_fds()
        with self.lock:
            self._deactivate()
            self.registered = False
            self.unlocked = self.pin is None
            self.echo = True
            self.cereg_n = 0
        if self.link:
            os.unlink(self.link)
        self.unplugs += 1

    def plug(self):
        """The modem is back, under the same link name."""
        self._plug()
        if self.link:
            os.symlink(self.tty, self.link)
        if self.unlocked and self.sim:
            self._later(self.register_delay, self._register)

    # ---- the line

    def _send(self, text):
        os.write(self.master, text.encode())

    def urc(self, line):
        with self.lock:
            self._send("\r\n%s\r\n" % line)

    def _loop(self):
        buf = b""
        while True:
            r, _, _ = select.select([self.master, self.stop_r], [], [], 0.5)
            if self.stop_r in r:
                return
            if self.master not in r:
                continue
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            buf += data
            while b"\r" in buf:
                line, buf = buf.split(b"\r", 1)
                line = line.strip(b"\n").decode(errors="replace")
                if not line.strip():
                    continue
                with self.lock:
                    if self.echo:
                        self._send(line + "\r")
                    self._answer(line.strip())

    def _ok(self, *lines):
        for ln in lines:
            self._send("\r\n%s\r\n" % ln)
        self._send("\r\nOK\r\n")

    def _cme(self, n):
        self._send("\r\n+CME ERROR: %d\r\n" % n)

    def _answer(self, cmd):
        up = cmd.upper()
        m = re.match(r'AT\+CPIN="(.*)"$', cmd, re.I)
        self.commands.append('AT+CPIN="****"' if m else cmd)
        if up in ("AT", "ATZ", "AT+CGEREP=2,1", "AT+CMEE=1", "AT+CMEE=2"):
            return self._ok()
        if up in ("ATE0", "ATE1"):
            self.echo = up == "ATE1"
            return self._ok()
        if not self.sim and up.startswith("AT+CPIN"):
            return self._cme(10)
        if up == "AT+CPIN?":
            state = "SIM PUK" if self.puk else "READY" if self.unlocked else "SIM PIN"
            return self._ok("+CPIN: " + state)
        if m:
            self.pin_attempts.append(m.group(1))
            if self.puk:
                return self._cme(12)
            if self.unlocked:
                return self._cme(3)       # operation not allowed
            if m.group(1) == self.pin:
                self.unlocked = True
                self._later(self.register_delay, self._register)
                return self._ok()
            self.attempts_left -= 1
            if self.attempts_left == 0:
                self.puk = True
            return self._cme(16)
        if up == "AT+CGMI":
            return self._ok("Quectel")
        if up == "AT+CGMM":
            return self._ok("EC25")
        if up == "AT+CGSN":
            return self._ok(IMEI)
        if up == "AT+COPS?":
            return self._ok('+COPS: 0,0,"%s",7' % OPERATOR if self.registered else "+COPS: 0")
        if up == "AT+CSQ":
            return self._ok("+CSQ: 20,99")
        if up == "AT+CESQ":
            return self._ok("+CESQ: 99,99,255,255,20,50")
        if up.startswith("AT+CEREG="):
            self.cereg_n = int(up.split("=")[1])
            return self._ok()
        if up == "AT+CEREG?":
            return self._ok("+CEREG: %d,%d" % (self.cereg_n, 1 if self.registered else 2))
        m = re.match(r'AT\+CGDCONT=(\d+),"([A-Z0-9]+)","(.*)"$', cmd, re.I)
        if m and self.active and int(m.group(1)) == 1:
            return self._cme(3)           # an active context is not defined again
        if m:
            self.contexts[int(m.group(1))] = (m.group(2), m.group(3))
            self.cgdcont_log.append((int(m.group(1)), m.group(2), m.group(3)))
            return self._ok()
        if up == "AT+CGDCONT?":
            return self._ok(*['+CGDCONT: %d,"%s","%s"' % (c, t, a)
                              for c, (t, a) in sorted(self.contexts.items())])
        if up == "AT+CGACT?":
            return self._ok("+CGACT: 1,%d" % (1 if self.active else 0))
        if up == "AT+CGACT=1,1":
            if not (self.unlocked and self.registered and 1 in self.contexts):
                return self._cme(30 if not self.registered else 3)
            self._activate()
            return self._ok()
        if up == "AT+CGACT=0,1":
            self._deactivate()
            return self._ok()
        self._send("\r\nERROR\r\n")

    def _later(self, delay, fn):
        t = threading.Timer(delay, fn)
        t.daemon = True
        self.timers.append(t)
        t.start()

    def _register(self):
        with self.lock:
            if self.registered:
                return
            self.registered = True
            if self.cereg_n == 2:
                self._send('\r\n+CEREG: 1,"00C3","01A2B3C4",7\r\n')
            elif self.cereg_n == 1:
                self._send("\r\n+CEREG: 1\r\n")

    # ---- the network side

    def _activate(self):
        if self.active:
            return
        lab = self.lab
        run(["ip", "link", "add", self.device, "netns", lab.router, "type", "veth",
             "peer", "name", "eth0", "netns", self.carrier], check=True)
        ns_exec(self.carrier, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0")
        ns_exec(self.carrier, "ip", "addr", "add", CARRIER_GW + "/24", "dev", "eth0", check=True)
        ns_exec(self.carrier, "ip", "addr", "add", CARRIER_NET6 + "1/64", "dev", "eth0",
                "nodad", check=True)
        ns_exec(self.carrier, "ip", "link", "set", "eth0", "up", check=True)
        ipv6 = self.contexts.get(1, ("IP", ""))[0].upper() == "IPV4V6"
        argv = ["dnsmasq", "-k", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                "--user=root", "--group=root", "--interface=eth0", "--bind-interfaces",
                "--except-interface=lo", "--port=0",
                "--dhcp-range=10.64.0.10,10.64.0.50,255.255.255.0,1h",
                "--dhcp-option=option:router," + CARRIER_GW,
                "--dhcp-option=option:dns-server," + CARRIER_GW,
                "--dhcp-authoritative", "--no-ping",
                "--dhcp-leasefile=%s" % (lab.tmp / "carrier.leases"),
                "--pid-file=%s" % (lab.tmp / "carrier-dnsmasq.pid"),
                "--log-facility=-", "--log-dhcp"]
        if ipv6:
            argv += ["--enable-ra", "--dhcp-range=%s,ra-only,64,1h" % CARRIER_NET6,
                     "--ra-param=eth0,10,1800"]
        self.dnsmasq = lab.spawn("carrier-dnsmasq", self.carrier, argv)
        self.kea = None
        if ipv6:
            conf = lab.tmp / "carrier-kea6.json"
            conf.write_text(json.dumps({"Dhcp6": {
                "interfaces-config": {"interfaces": ["eth0"]},
                "lease-database": {"type": "memfile", "persist": False},
                "server-id": {"type": "LLT", "persist": False},
                "subnet6": [{"subnet": CARRIER_NET6 + "/64", "interface": "eth0",
                             "pd-pools": [{"prefix": PD_POOL.split("/")[0],
                                           "prefix-len": int(PD_POOL.split("/")[1]),
                                           "delegated-len": 56}]}],
                "loggers": [{"name": "kea-dhcp6", "severity": "INFO",
                             "output_options": [{"output": "stdout"}]}]}}))
            self.kea = lab.spawn("carrier-kea6", self.carrier, [
                "env", "KEA_PIDFILE_DIR=%s" % lab.tmp, "KEA_LOCKFILE_DIR=%s" % lab.tmp,
                "kea-dhcp6", "-c", str(conf)])
        self.active = True
        self.activations += 1

    def _deactivate(self):
        if not self.active:
            return
        self.active = False
        if self.dnsmasq:
            self.lab.stop_proc(self.dnsmasq)
            self.dnsmasq = None
        if getattr(self, "kea", None):
            self.lab.stop_proc(self.kea)
            self.kea = None
        ns_exec(self.carrier, "ip", "link", "del", "eth0")

    def drop_context(self):
        """The network ends the data connection."""
        with self.lock:
            self._deactivate()
            self._send('\r\n+CGEV: NW DEACT "IPV4V6","10.64.0.10",1\r\n')

    def close(self):
        for t in self.timers:
            t.cancel()
        self._unplug_fds()
        with self.lock:
            self._deactivate()
        if self.link and os.path.lexists(self.link):
            os.unlink(self.link)


def wwan_status(d):
    """The WWAN feature's status (its detail) as difosctl shows it."""
    return (d.status().get("features", {}).get("wwan") or {}).get("detail") or {}


def wait_status(d, pred, timeout, what):
    """Polls difosctl status until pred(wwan status) holds; returns it."""
    last = {}

    def check():
        nonlocal last
        last = wwan_status(d)
        return last if pred(last) else None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = check()
        if r:
            return r
        time.sleep(0.25)
    raise AssertionError("timed out after %ss waiting for %s; wwan status: %r\n%s" %
                         (timeout, what, last, d.log_tail(40)))
