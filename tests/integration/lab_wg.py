r"""
A WireGuard peer on the internet side of the lab, for the VPN tests:

    peer ns (203.0.113.2) --eth0-- roam0 (203.0.113.1) wan ns (198.51.100.1) -- router

The peer's own WireGuard device runs wireguard-go, configured the way a
user's device is: the text difos generated, its wg-quick keys (Address,
DNS, MTU) applied with ip and the rest loaded with `wg setconf` -- never by
difos. wireguard-go's socket folder is compiled in and shared by every
namespace, so the peer's engine and `wg` run in a private mount of a folder
of the lab's (difos-engine-exec --bind-to), like the router's own.
"""

import re

from conftest import BUILD, WAN_SERVER, ns_exec, run, wait_for

PEER_ADDR = "203.0.113.2"
PEER_GW = "203.0.113.1"
PEER_DEV = "wgpeer"
# what wg-quick applies itself and `wg setconf` refuses
WG_QUICK_ONLY = ("address", "dns", "mtu", "table", "preup", "postup", "predown", "postdown",
                 "saveconfig")


def wg_quick_split(text):
    """(setconf text, {address: [...], dns: [...], mtu: n|None}) of a wg-quick file."""
    keep, extra = [], {"address": [], "dns": [], "mtu": None}
    for line in text.splitlines():
        m = re.match(r"\s*([A-Za-z]+)\s*=\s*(.*?)\s*$", line)
        key = m.group(1).lower() if m else None
        if key in WG_QUICK_ONLY:
            vals = [v.strip() for v in m.group(2).split(",") if v.strip()]
            if key == "mtu":
                extra["mtu"] = int(vals[0])
            elif key in extra:
                extra[key] += vals
            continue
        keep.append(line)
    return "\n".join(keep) + "\n", extra


def allowed_ips(text):
    for line in text.splitlines():
        m = re.match(r"\s*AllowedIPs\s*=\s*(.*)$", line, re.I)
        if m:
            return [v.strip() for v in m.group(1).split(",") if v.strip()]
    return []


class WgPeer:
    def __init__(self, lab, suffix="p"):
        self.lab = lab
        self.ns = lab.router[:-2] + "-" + suffix
        self.sockdir = lab.tmp / ("wg-" + suffix)
        self.started = False

    def setup(self):
        lab = self.lab
        run(["ip", "netns", "add", self.ns], check=True)
        lab.namespaces.append(self.ns)
        ns_exec(self.ns, "ip", "link", "set", "lo", "up", check=True)
        run(["ip", "link", "add", "roam0", "netns", lab.wan, "type", "veth", "peer", "name",
             "eth0", "netns", self.ns], check=True)
        ns_exec(lab.wan, "ip", "addr", "add", PEER_GW + "/24", "dev", "roam0", check=True)
        ns_exec(lab.wan, "ip", "link", "set", "roam0", "up", check=True)
        ns_exec(lab.wan, "sysctl", "-qw", "net.ipv4.ip_forward=1", check=True)
        ns_exec(self.ns, "ip", "addr", "add", PEER_ADDR + "/24", "dev", "eth0", check=True)
        ns_exec(self.ns, "ip", "link", "set", "eth0", "up", check=True)
        self.sockdir.mkdir(exist_ok=True)
        return self

    def in_private_run(self, *argv):
        return [str(BUILD / "difos-engine-exec"), "--root", "/", "--bind-to",
                "%s=/var/run/wireguard" % self.sockdir, "--", *argv]

    def wg(self, *args, check=True):
        return ns_exec(self.ns, *self.in_private_run("wg", *args), check=check)

    def up(self, conf_text):
        """Brings the peer's device up with a generated wg-quick config."""
        setconf, extra = wg_quick_split(conf_text)
        path = self.lab.tmp / ("%s.conf" % self.ns)
        path.write_text(setconf)
        path.chmod(0o600)
        if not self.started:
            self.lab.spawn("wireguard-go-" + self.ns, self.ns,
                           self.in_private_run("wireguard-go", "-f", PEER_DEV))
            wait_for(lambda: (self.sockdir / (PEER_DEV + ".sock")).exists(), 10,
                     what="the peer's wireguard-go")
            self.started = True
        # the way to the server itself stays outside the tunnel (wg-quick
        # does it with a rule; a host route is enough here), in place before
        # the first handshake goes out
        m = re.search(r"^\s*Endpoint\s*=\s*\[?([0-9a-fA-F.:]+?)\]?:\d+\s*$", conf_text, re.M | re.I)
        if m and "." in m.group(1):
            ns_exec(self.ns, "ip", "route", "replace", m.group(1) + "/32", "via", PEER_GW,
                    check=True)
        self.wg("setconf", PEER_DEV, str(path))
        ns_exec(self.ns, "ip", "addr", "flush", "dev", PEER_DEV, check=True)
        for a in extra["address"]:
            ns_exec(self.ns, "ip", "addr", "add", a, "dev", PEER_DEV, check=True)
        if extra["mtu"]:
            ns_exec(self.ns, "ip", "link", "set", PEER_DEV, "mtu", str(extra["mtu"]), check=True)
        ns_exec(self.ns, "ip", "link", "set", PEER_DEV, "up", check=True)
        for net in allowed_ips(conf_text):
            fam = "-6" if ":" in net else "-4"
            dst = "default" if net in ("0.0.0.0/0", "::/0", "::0/0") else net
            ns_exec(self.ns, "ip", fam, "route", "replace", dst, "dev", PEER_DEV, check=True)
        return extra

    def handshakes(self):
        out = self.wg("show", PEER_DEV, "latest-handshakes").stdout
        return {l.split()[0]: int(l.split()[1]) for l in out.splitlines() if l.strip()}

    def seen_as(self, host=WAN_SERVER, port=8080):
        """The address the lab's TCP echo server sees this peer connect from."""
        cp = ns_exec(self.ns, "nc", "-n", "-w", "3", host, str(port), timeout=10)
        return cp.stdout.strip()
