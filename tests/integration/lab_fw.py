"""
Helpers of the firewall tests: peers that answer with the address they
saw (TCP and UDP, IPv4 and IPv6), probes with bounded waits, IPv6 on the
WAN link, and a second LAN host. Everything stays inside the lab's
namespaces.
"""

import json
import time

from conftest import PYTHON, describe, ns_exec, run, wait_for

# Answers every TCP connection / UDP datagram with the peer's address.
PEER_SERVER = r"""
import socket, sys, threading
proto, host, ports = sys.argv[1], sys.argv[2], sys.argv[3:]
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
def tcp(port):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:  # an IPv4 server may hold the same port
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((host, port)); s.listen(16)
    while True:
        c, a = s.accept()
        try:
            c.settimeout(2); c.sendall((a[0] + "\n").encode())
        except OSError:
            pass
        c.close()
def udp(port):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((host, port))
    while True:
        data, a = s.recvfrom(2048)
        s.sendto((a[0] + "\n").encode(), a)
for p in ports:
    threading.Thread(target=tcp if proto == "tcp" else udp, args=(int(p),), daemon=True).start()
threading.Event().wait()
"""

UDP_PROBE = r"""
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
src = sys.argv[3] if len(sys.argv) > 3 else None
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
if src:
    s.bind((src, 0))
s.settimeout(1.5)
try:
    s.sendto(b"hello", (host, port))
    print(s.recvfrom(2048)[0].decode().strip())
except OSError as e:
    print("no answer: %s" % e); sys.exit(1)
"""

TCP_PROBE = r"""
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
src = sys.argv[3] if len(sys.argv) > 3 else None
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
if src:
    s.bind((src, 0))
s.settimeout(1.5)
try:
    s.connect((host, port))
    print(s.recv(200).decode().strip())
except OSError as e:
    print("no connection: %s" % e); sys.exit(1)
"""


TCP_OUTCOME = r"""
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(1.5)
try:
    s.connect((host, port)); print("open")
except ConnectionRefusedError:
    print("refused")
except OSError:
    print("silent")
"""


def tcp_outcome(lab, ns, host, port):
    """How a TCP connection ends: "open", "refused" (a reset came back) or
    "silent" (dropped)."""
    cp = ns_exec(ns, PYTHON, "-c", TCP_OUTCOME, host, str(port), timeout=10)
    return cp.stdout.strip()


def _script(lab, name, text):
    path = lab.tmp / name
    if not path.exists():
        path.write_text(text)
    return path


def serve(lab, ns, proto, host, *ports, name=None):
    """Starts a peer-address server in ns; waits until it listens (TCP)."""
    script = _script(lab, "peerserver.py", PEER_SERVER)
    p = lab.spawn(name or "%s-%s-%s" % (ns[-1], proto, "-".join(map(str, ports))), ns,
                  [PYTHON, str(script), proto, host, *ports])
    if proto == "tcp":
        for port in ports:
            wait_for(lambda: str(port) in ns_exec(ns, "ss", "-Hltn").stdout, 10,
                     what="a TCP server on %s port %s" % (ns, port))
    else:
        time.sleep(0.3)
    return p


def probe(lab, ns, proto, host, port, src=None):
    """Returns the address the server saw, or None when nothing answered."""
    script = _script(lab, "%sprobe.py" % proto, TCP_PROBE if proto == "tcp" else UDP_PROBE)
    argv = [PYTHON, str(script), host, str(port)] + ([src] if src else [])
    cp = ns_exec(ns, *argv, timeout=8)
    return cp.stdout.strip() if cp.returncode == 0 else None


def connects(lab, ns, host, port):
    """True when a TCP connection to host:port is accepted (any server)."""
    return ns_exec(ns, "nc", "-z", "-n", "-w", "1", host, str(port), timeout=6).returncode == 0


def wait_reachable(lab, ns, proto, host, port, src=None, timeout=10):
    return wait_for(lambda: probe(lab, ns, proto, host, port, src), timeout,
                    what="%s %s:%s reachable from %s" % (proto, host, port, ns))


def setup_wan_ipv6(lab, router="2001:db8:100::2", peer="2001:db8:100::1"):
    """IPv6 on the WAN link (the lab only has IPv4 there)."""
    ns_exec(lab.router, "ip", "-6", "addr", "add", router + "/64", "dev", "wan0", "nodad",
            check=True)
    ns_exec(lab.wan, "ip", "-6", "addr", "add", peer + "/64", "dev", "eth0", "nodad", check=True)
    wait_for(lambda: ns_exec(lab.wan, "ping", "-6", "-c1", "-W1", router, timeout=5).returncode == 0,
             10, what="IPv6 ping over the WAN link")
    return router, peer


def wan_extra_address(lab, addr):
    """A second IPv4 address in the WAN namespace (a source outside an alias)."""
    ns_exec(lab.wan, "ip", "addr", "add", addr + "/24", "dev", "eth0", check=True)
    return addr


def add_lan_host(lab, addr, device="lan1"):
    """A second LAN host: its own namespace on a new LAN port of the router
    (bridged into the LAN by configuration). Returns the namespace."""
    ns = lab.router[:-2] + "-l2"
    run(["ip", "netns", "add", ns], check=True)
    lab.namespaces.append(ns)
    ns_exec(ns, "ip", "link", "set", "lo", "up", check=True)
    run(["ip", "link", "add", device, "netns", lab.router, "type", "veth", "peer", "name", "eth0",
         "netns", ns], check=True)
    ns_exec(ns, "ip", "link", "set", "eth0", "up", check=True)
    ns_exec(ns, "ip", "addr", "add", addr + "/24", "dev", "eth0", check=True)
    ns_exec(ns, "ip", "route", "add", "default", "via", "192.168.1.1", check=True)
    lab.daemon.ctl_ok("set", "lan.interfaces", "lan0," + device)
    lab.daemon.ctl_ok("apply", timeout=60)
    wait_for(lambda: ns_exec(ns, "ping", "-c1", "-W1", "192.168.1.1", timeout=5).returncode == 0,
             15, what="the second LAN host to reach the router")
    return ns


def router_wan_mac(lab):
    cp = ns_exec(lab.router, "ip", "-j", "link", "show", "wan0", check=True)
    return json.loads(cp.stdout)[0]["address"]


def nft_handles(lab, chain):
    """Rule handles of a chain of table inet difos (unchanged when not reloaded)."""
    cp = ns_exec(lab.router, "nft", "-j", "-a", "list", "chain", "inet", "difos", chain,
                 timeout=20)
    assert cp.returncode == 0, describe(cp)
    return [r["rule"]["handle"] for r in json.loads(cp.stdout)["nftables"] if "rule" in r]


def set_elements(lab, name, kind="set"):
    """Elements of a set (or map, kind="map") of table inet difos, as nft lists them."""
    cp = ns_exec(lab.router, "nft", "-j", "list", kind, "inet", "difos", name, timeout=20)
    assert cp.returncode == 0, describe(cp)
    for o in json.loads(cp.stdout)["nftables"]:
        if kind in o:
            return o[kind].get("elem", [])
    return []


def map_elements(lab, name):
    return set_elements(lab, name, "map")


def staged(d):
    """The staged changes (empty when nothing is staged)."""
    cp = d.ctl("--json", "changes")
    assert cp.returncode == 0, describe(cp)
    data = json.loads(cp.stdout or "null")
    if isinstance(data, dict):
        return data.get("changes", data.get("diff", data))
    return data


def ctl_fails(d, *args):
    """Runs difosctl expecting failure; returns stdout+stderr."""
    cp = d.ctl(*args)
    assert cp.returncode != 0, "expected failure: difosctl %s\n%s" % (" ".join(args), describe(cp))
    return cp.stdout + cp.stderr


def http_server(lab, ns, host, port, directory):
    p = lab.spawn("http-%s" % port, ns, [PYTHON, "-m", "http.server", "--bind", host,
                                          "--directory", str(directory), str(port)])
    wait_for(lambda: str(port) in ns_exec(ns, "ss", "-Hltn").stdout, 10,
             what="the HTTP server on %s:%s" % (host, port))
    return p


def run_ok(*argv):
    return run(list(argv), check=True)
