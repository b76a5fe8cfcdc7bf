"""
VPN › WireGuard › Clients through the real daemon: a wg-quick file imported
through the REST API and difosctl (the form's values back, nothing staged),
refusals naming the line, and the client saved from those values; the
schema's refusals (a key that is not 32 bytes of base64, AllowedIPs with
host bits) naming the field and the value. And real tunnels to a
WireGuard server in the upstream namespace: site to site (a LAN client
reaches the server's own network), and with everything allowed one LAN
client sent through the tunnel by a policy route (seen upstream as the
client's tunnel address) while the other still leaves by the WAN.
"""

import json
import os
import signal

from conftest import BUILD, WAN_SERVER, describe, ns_exec, run, wait_for
from lab_routes import _add_ns, ip_json, routes_lab

KEY_A = "yM+DlGcSO2Br8kNfjTwbZkyM+DlGcr8h/SKYwnUPX04="
KEY_B = "ySvXw64LcpJK5TOaT7J5wDBBglcjrppg9h7yN6bL5x4="
KEY_C = "wGiO88ShFkNXEbCWX/9Cw5UbV9goh4AgfLhKyoX0r1E="

# the manual's site-to-site file
SITE = """[Interface]
Address = 172.19.210.2/32,fc00:deeb:2a4e:0000:0000:0000:0000:0002/128
PrivateKey = %s
DNS = 172.19.210.1,fc00:deeb:2a4e::1
MTU = 1280

[Peer]
PublicKey = %s
AllowedIPs = 172.19.210.1/24,fc00:deeb:2a4e::1/64,10.254.248.0/24
Endpoint = example.example.com:46170
PersistentKeepalive = 25
""" % (KEY_C, KEY_B)

SITE_VALUES = {
    "private_key": KEY_C,
    "addresses": ["172.19.210.2/32", "fc00:deeb:2a4e::2/128"],
    "dns": ["172.19.210.1", "fc00:deeb:2a4e::1"], "mtu": 1280,
    "public_key": KEY_B,
    "allowed_ips": ["172.19.210.0/24", "fc00:deeb:2a4e::/64", "10.254.248.0/24"],
    "endpoint": "example.example.com:46170", "keepalive": 25,
}


def rest(lab, method, path, body=None):
    """One REST request as difosd-web forwards it (http.request), with an
    admin API token; returns (status, body)."""
    if not getattr(lab, "wgc_token", None):
        lab.wgc_token = lab.daemon.ctl_json("token-create", "wgc-tests", "admin")["token"]
    req = {"method": method, "path": "/api/v1" + path, "peer": "192.168.1.20",
           "host": "192.168.1.1", "authorization": "Bearer " + lab.wgc_token}
    if body is not None:
        req["body"] = json.dumps(body)
    resp = lab.daemon.ctl_json("call", "http.request", json.dumps(req))
    return resp["status"], resp["body"]


def no_staged_changes(lab):
    changes = lab.daemon.ctl_json("changes")
    assert changes == [], "something was staged: %s" % json.dumps(changes)


def test_import_fills_the_form(lab, tmp_path):
    status, body = rest(lab, "POST", "/wg_clients/import", {"text": SITE})
    assert status == 200, (status, body)
    notes = body.pop("notes")
    assert body == SITE_VALUES, body
    assert notes == [
        "line 9: AllowedIPs 172.19.210.1/24 has host bits: imported as its network "
        "172.19.210.0/24",
        "line 9: AllowedIPs fc00:deeb:2a4e::1/64 has host bits: imported as its network "
        "fc00:deeb:2a4e::/64"], notes
    no_staged_changes(lab)

    # difosctl reads the file
    f = tmp_path / "site.conf"
    f.write_text(SITE)
    got = lab.daemon.ctl_json("wg-client-import", str(f))
    got.pop("notes")
    assert got == SITE_VALUES, got
    no_staged_changes(lab)

    # the values saved as a client: accepted as they are, the key not readable
    d = lab.daemon
    args = ["name=dubai"] + ["%s=%s" % (k, ",".join(v) if isinstance(v, list) else v)
                             for k, v in SITE_VALUES.items()]
    d.ctl_ok("add", "wg_clients.clients", *args)
    client = d.ctl_json("get", "wg_clients.clients[1]")
    assert client["private_key"] != KEY_C and client["public_key"] == KEY_B, client
    assert client["allowed_ips"] == SITE_VALUES["allowed_ips"], client
    d.ctl_ok("discard")


def test_bad_imports_name_the_line(lab, tmp_path):
    no_peer = "[Interface]\nPrivateKey = %s\nAddress = 10.0.0.2/32\n" % KEY_A
    status, body = rest(lab, "POST", "/wg_clients/import", {"text": no_peer})
    assert status == 422, (status, body)
    assert "line 3: no [Peer] section" in json.dumps(body), body

    bad_key = SITE.replace(KEY_B, "ySvXw64LcpJK5TOBglw64LcpJK5h7yN6bL5x4=")
    status, body = rest(lab, "POST", "/wg_clients/import", {"text": bad_key})
    assert status == 422, (status, body)
    assert 'line 8: PublicKey \\"ySvXw64LcpJK5TOBglw64LcpJK5h7yN6bL5x4=\\" is not a ' \
        'WireGuard key' in json.dumps(body), body

    post_up = SITE.replace("MTU = 1280\n", "MTU = 1280\nPostUp = iptables -F\n")
    status, body = rest(lab, "POST", "/wg_clients/import", {"text": post_up})
    assert status == 422, (status, body)
    assert "line 6: PostUp is not supported: the router runs no commands from a VPN file" \
        in json.dumps(body), body

    # the private key's text is never in a message
    bad_private = SITE.replace(KEY_C, KEY_C[:-2] + "=")
    status, body = rest(lab, "POST", "/wg_clients/import", {"text": bad_private})
    assert status == 422 and "line 3: PrivateKey (43 characters) is not a WireGuard key" in \
        json.dumps(body), body
    assert KEY_C[:-2] not in json.dumps(body), body

    f = tmp_path / "bad.conf"
    f.write_text(no_peer)
    cp = lab.daemon.ctl("wg-client-import", str(f))
    assert cp.returncode == 1 and "line 3: no [Peer] section" in cp.stderr, describe(cp)
    no_staged_changes(lab)


def test_schema_refusals(lab):
    d = lab.daemon
    base = ["name=x", "private_key=" + KEY_A, "addresses=10.0.0.2/32", "public_key=" + KEY_B,
            "endpoint=vpn.example:51820"]
    cp = d.ctl("add", "wg_clients.clients", *base, "allowed_ips=172.19.210.1/24")
    assert cp.returncode == 1, describe(cp)
    assert "wg_clients.clients[1].allowed_ips[0]: 172.19.210.1/24 has host bits: the network " \
        "is 172.19.210.0/24" in cp.stderr, describe(cp)
    cp = d.ctl("add", "wg_clients.clients", *base[:1], "private_key=abc", *base[2:],
               "allowed_ips=0.0.0.0/0")
    assert cp.returncode == 1 and "private_key" in cp.stderr and \
        "is not a WireGuard key (44 characters of base64, 32 bytes)" in cp.stderr, describe(cp)
    cp = d.ctl("add", "wg_clients.clients", "name=much_too_long", *base[1:],
               "allowed_ips=0.0.0.0/0")
    assert cp.returncode == 1 and "wg_clients.clients[1].name: much_too_long is longer than 11 " \
        "characters" in cp.stderr, describe(cp)
    cp = d.ctl("add", "wg_clients.clients", "name=a-b", *base[1:], "allowed_ips=0.0.0.0/0")
    assert cp.returncode == 1 and "wg_clients.clients[1].name: a-b is not a client name" in \
        cp.stderr, describe(cp)
    cp = d.ctl("add", "wg_clients.clients", *base[:4], "endpoint=2001:db8::1:51820",
               "allowed_ips=0.0.0.0/0")
    assert cp.returncode == 1 and "endpoint: 2001:db8::1:51820 is not host:port" in cp.stderr, \
        describe(cp)
    no_staged_changes(lab)


# ---------------------------------------------------------------------------
# Real tunnels: a WireGuard server (wireguard-go + wg setconf) in the
# upstream namespace, with a network of its own behind it (10.254.248.0/24,
# a host in a namespace of its own).

SERVER_PORT = 51820
SERVER_TUN = "10.77.0.1"
CLIENT_TUN = "10.77.0.2"
REMOTE_GW = "10.254.248.1"    # the server's side of its network
REMOTE_LAN = "10.254.248.2"   # a host there
REMOTE_PORT = 8082


def wg_keypair():
    priv = run(["wg", "genkey"], check=True).stdout.strip()
    pub = run(["wg", "pubkey"], input=priv + "\n", check=True).stdout.strip()
    return priv, pub


class WgServer:
    """wireguard-go in lab.wan, its UAPI socket folder a private one (the
    compiled-in /var/run/wireguard is every namespace's)."""

    def __init__(self, lab):
        self.lab = lab
        self.sockdir = lab.tmp / "wg-server"
        self.sockdir.mkdir(mode=0o700)
        self.exec = [str(BUILD / "difos-engine-exec"), "--root", "/", "--bind-to",
                     "%s=/var/run/wireguard" % self.sockdir, "--"]
        self.priv, self.pub = wg_keypair()

    def start(self, client_pub):
        lab = self.lab
        lab.spawn("wg-server", lab.wan, self.exec + ["wireguard-go", "-f", "wgs0"])
        wait_for(lambda: (self.sockdir / "wgs0.sock").exists(), 10,
                 what="wireguard-go's socket in the upstream namespace")
        conf = lab.tmp / "wgs0.conf"
        conf.write_text("[Interface]\nPrivateKey = %s\nListenPort = %d\n\n[Peer]\n"
                        "PublicKey = %s\nAllowedIPs = %s/32, 192.168.1.0/24\n"
                        % (self.priv, SERVER_PORT, client_pub, CLIENT_TUN))
        conf.chmod(0o600)
        cp = ns_exec(lab.wan, *self.exec, "wg", "setconf", "wgs0", str(conf))
        assert cp.returncode == 0, describe(cp)
        for argv in (["ip", "addr", "add", SERVER_TUN + "/24", "dev", "wgs0"],
                     ["ip", "link", "set", "wgs0", "up"],
                     # the router's LAN through the tunnel (site to site), not by the WAN
                     ["ip", "route", "replace", "192.168.1.0/24", "dev", "wgs0"],
                     ["sysctl", "-qw", "net.ipv4.ip_forward=1"]):
            ns_exec(lab.wan, *argv, check=True)
        # the server's own network: a host behind it, in a namespace of its own
        self.remote = lab.router[:-2] + "-s"
        _add_ns(lab, self.remote)
        run(["ip", "link", "add", "rlan", "netns", lab.wan, "type", "veth", "peer", "name",
             "eth0", "netns", self.remote], check=True)
        ns_exec(lab.wan, "ip", "addr", "add", REMOTE_GW + "/24", "dev", "rlan", check=True)
        ns_exec(lab.wan, "ip", "link", "set", "rlan", "up", check=True)
        ns_exec(self.remote, "ip", "addr", "add", REMOTE_LAN + "/24", "dev", "eth0", check=True)
        ns_exec(self.remote, "ip", "link", "set", "eth0", "up", check=True)
        ns_exec(self.remote, "ip", "route", "add", "default", "via", REMOTE_GW, check=True)
        # only the tunnel leads there: the server forwards nothing else
        cp = ns_exec(lab.wan, "nft", "-f", "-", input=
                     "table inet wgs {\n chain forward {\n  type filter hook forward priority 0; "
                     "policy drop;\n  iifname \"wgs0\" accept\n  oifname \"wgs0\" accept\n }\n}\n")
        assert cp.returncode == 0, describe(cp)
        # a host that answers with the address it sees
        lab.spawn("remote-tcp", self.remote, ["/usr/bin/python3", str(lab.tmp / "tcpserver.py"),
                                              REMOTE_LAN, str(REMOTE_PORT)])
        wait_for(lambda: ns_exec(self.remote, "nc", "-z", "-w", "1", REMOTE_LAN,
                                 str(REMOTE_PORT), timeout=5).returncode == 0,
                 10, what="the TCP server behind the WireGuard server")

    def seen_from(self, ns):
        """The address the host behind the server saw for a connection from ns."""
        rc, out = self.lab.tcp(ns, REMOTE_LAN, REMOTE_PORT)
        return out.strip()

    def latest_handshake(self):
        cp = ns_exec(self.lab.wan, *self.exec, "wg", "show", "wgs0", "latest-handshakes")
        fields = cp.stdout.split()
        return int(fields[1]) if len(fields) == 2 else 0


def wireguard_go_pid(lab, dev):
    """The pid of the wireguard-go that runs dev in the router's namespace."""
    pids = run(["ip", "netns", "pids", lab.router]).stdout.split()
    for pid in pids:
        try:
            argv = open("/proc/%s/cmdline" % pid, "rb").read().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"wireguard-go") for a in argv) and dev.encode() in argv and \
                b"difos-engine-exec" not in argv[0]:
            return int(pid)
    return None


def client_file(client_priv, server_pub, allowed):
    return ("[Interface]\nPrivateKey = %s\nAddress = %s/32\nDNS = %s\n\n[Peer]\n"
            "PublicKey = %s\nAllowedIPs = %s\nEndpoint = %s:%d\nPersistentKeepalive = 25\n"
            % (client_priv, CLIENT_TUN, SERVER_TUN, server_pub, allowed, WAN_SERVER,
               SERVER_PORT))


def add_client(lab, values, *extra):
    args = ["name=site"] + ["%s=%s" % (k, ",".join(map(str, v)) if isinstance(v, list) else v)
                            for k, v in values.items() if k != "notes"]
    lab.daemon.ctl_ok("add", "wg_clients.clients", *args, *extra)


def test_site_to_site_and_policy_route(lab):
    up = routes_lab(lab)
    d = lab.daemon
    up.bridge_client2()
    d.ctl_ok("apply")
    lab.client_static("192.168.1.20")
    wan_addr = lab.router_wan_addr

    client_priv, client_pub = wg_keypair()
    server = WgServer(lab)
    server.start(client_pub)

    # (1) site to site: the file's ranges routed directly, the LAN reaches them
    status, values = rest(lab, "POST", "/wg_clients/import",
                          {"text": client_file(client_priv, server.pub,
                                               "%s/32, 10.254.248.9/24" % SERVER_TUN)})
    assert status == 200, (status, values)
    assert values["allowed_ips"] == [SERVER_TUN + "/32", "10.254.248.0/24"], values
    assert values["notes"] == ["line 8: AllowedIPs 10.254.248.9/24 has host bits: imported "
                               "as its network 10.254.248.0/24"], values
    add_client(lab, values, "allow_lan=true")
    d.ctl_ok("apply")
    # it arrives through the tunnel with the LAN client's own address
    wait_for(lambda: server.seen_from(lab.lan) == "192.168.1.20", 15,
             what="the LAN client to reach the remote network through wgc_site")
    assert server.latest_handshake() > 0
    routes = ip_json(lab, "-4", "route", "show", "dev", "wgc_site")
    assert {"dst": "10.254.248.0/24", "metric": 2048} in [
        {"dst": r["dst"], "metric": r.get("metric")} for r in routes], routes
    st = [c for c in d.status()["features"]["wg_clients"]["detail"]["clients"]
          if c["name"] == "site"][0]
    assert st["device"] == "wgc_site" and st["latest_handshake"] > 0, st
    assert st["endpoint_address"] == WAN_SERVER and st["rx_bytes"] > 0, st

    # wireguard-go dies: the supervisor starts it again and the client is
    # configured again (its device, addresses and routes are new)
    pid = wireguard_go_pid(lab, "wgc_site")
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: wireguard_go_pid(lab, "wgc_site") not in (None, pid), 10,
             what="wireguard-go to be started again")
    wait_for(lambda: server.seen_from(lab.lan) == "192.168.1.20", 15,
             what="the tunnel to work again after wireguard-go's restart")

    # a static route may go through the client's device too
    d.ctl_ok("add", "routes.static4", "target=10.99.77.0/24", "interface=wgc_site")
    d.ctl_ok("apply")
    assert "10.99.77.0/24" in [r["dst"] for r in ip_json(lab, "-4", "route", "show", "dev",
                                                         "wgc_site")]
    d.ctl_ok("delete", "routes.static4[1]")
    d.ctl_ok("apply")

    # (2) everything allowed: nothing changes until a policy route says so
    d.ctl_ok("set", "wg_clients.clients[1].allowed_ips", "0.0.0.0/0,::/0")
    d.ctl_ok("set", "wg_clients.clients[1].masquerade", "true")
    d.ctl_ok("apply")
    up.wait_seen_as(lab.lan, wan_addr)
    up.wait_seen_as(up.client2, wan_addr)
    d.ctl_ok("add", "routes.policy", "name=vpn", "source=192.168.1.20/32",
             "interface=wgc_site")
    d.ctl_ok("apply")
    # .20 leaves through the tunnel, masqueraded to the client's tunnel address
    up.wait_seen_as(lab.lan, CLIENT_TUN, timeout=15)
    # .21 is not in the policy
    up.wait_seen_as(up.client2, wan_addr)

    # wireguard-go dies again: the policy's table gets its route back with
    # the device (the routes follow the link, outside any apply)
    pid = wireguard_go_pid(lab, "wgc_site")
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: wireguard_go_pid(lab, "wgc_site") not in (None, pid), 10,
             what="wireguard-go to be started again")
    wait_for(lambda: any(r.get("dev") == "wgc_site" for r in ip_json(
        lab, "-4", "route", "show", "table", "all", "default")), 10,
        what="the policy table's default route through wgc_site again")
    up.wait_seen_as(lab.lan, CLIENT_TUN, timeout=15)

    # removed: the device goes
    d.ctl_ok("delete", "routes.policy[1]")
    d.ctl_ok("delete", "wg_clients.clients[1]")
    d.ctl_ok("apply")
    wait_for(lambda: ns_exec(lab.router, "ip", "link", "show", "wgc_site").returncode != 0, 10,
             what="wgc_site to go")
    up.wait_seen_as(lab.lan, wan_addr)
