"""
WAN by PPPoE: the settings' rules, pppd's own reading of the rendered
options, PPPoE discovery against a real access concentrator, pppd's
supervision, and the session's up and down through the ip-up/ip-down hooks.

This machine's kernel has no PPP (no /dev/ppp, no modules), so a PPP
session cannot come up here. What is exercised and what is not:

- pppd (Debian's 2.4.9 with rp-pppoe.so) reads the rendered options with
  `dryrun`: the real option parser, plugin options included. Its rp-pppoe
  plugin refuses to load where /dev/ppp does not open, so the dry run is
  given a /dev in a mount namespace of its own where /dev/ppp is the null
  device: only the device's open is stood in for; dryrun exits before
  pppd uses it.
- PPPoE discovery (PADI/PADO/PADR/PADS) runs for real between rp-pppoe's
  `pppoe` client in the router's namespace and `pppoe-server` in the WAN's,
  with the service and access concentrator names of the rendered options.
  pppd's own discovery is not exercised (it runs only once /dev/ppp opens).
- Supervision runs for real: difosd starts `pppd file <options>`, pppd
  fails as it does on a kernel without PPP, the status says so, and the
  supervisor restarts it with back-off.
- LCP, PAP/CHAP, IPCP and IPv6CP are not exercised. The session's up and
  down are: the hooks (difos-ppp-up/-down, the programs pppd would run)
  are run with pppd's arguments and variables against a stand-in device
  named ppp-wan (a veth whose peer is in the WAN namespace), and difosd
  sets the route, the DNS, the status and the NAT through it.
"""

import json
import os
import stat
import subprocess
import time

from conftest import (BUILD, WAN_SERVER, describe, find_key, ns_exec, run, wait_for)

NOT_EXERCISED = ("PPPoE: not exercised here (no PPP in this kernel): LCP, PAP/CHAP, IPCP, IPv6CP, "
                 "pppd's own discovery; a stand-in ppp-wan device carries the hooks' session")

PPPOE = {
    "proto": "pppoe",
    "username": "alice@isp.example",
    "password": "correct horse",
    "service": "internet",
    "ac_name": "BRAS-1",
}


def set_pppoe(d, **over):
    v = dict(PPPOE, **over)
    d.ctl_ok("set", "wan.ipv4", json.dumps(v))
    return v


def active(d, name):
    return d.root / "run/difos/active/wan" / name


def pppoe_status(d):
    st = d.status()
    wan = st["features"]["wan"] if "features" in st else st["wan"]
    return wan.get("status", wan).get("pppoe") if isinstance(wan, dict) else None


def find_pppoe(obj):
    """The status's "pppoe" object wherever the status puts the WAN's."""
    if isinstance(obj, dict):
        if "pppoe" in obj and isinstance(obj["pppoe"], dict) and "state" in obj["pppoe"]:
            return obj["pppoe"]
        for v in obj.values():
            r = find_pppoe(v)
            if r is not None:
                return r
    elif isinstance(obj, list):
        for v in obj:
            r = find_pppoe(v)
            if r is not None:
                return r
    return None


def test_pppoe_bad_settings_are_refused(lab):
    d = lab.daemon
    bad = [
        ({"username": ""}, "wan.ipv4.username", "required"),
        ({"username": 'al"ice'}, "wan.ipv4.username", "double quote"),
        ({"username": "al\nice"}, "wan.ipv4.username", "control character"),
        ({"username": "a\\b"}, "wan.ipv4.username", "backslash"),
        ({"password": "pa\nss"}, "wan.ipv4.password", "control character"),
        ({"service": 'x" plugin evil.so'}, "wan.ipv4.service", "double quote"),
        ({"mtu": 1000000}, "wan.ipv4.mtu", "1000000"),
        ({"mtu": 1501}, "wan.ipv4.mtu", "1501"),
        ({"lcp_echo_interval": -1}, "wan.ipv4.lcp_echo_interval", "-1"),
    ]
    for over, path, words in bad:
        v = dict(PPPOE, **over)
        cp = d.ctl("set", "wan.ipv4", json.dumps(v))
        out = cp.stdout + cp.stderr
        assert cp.returncode != 0, "accepted %r: %s" % (over, describe(cp))
        assert path in out and words in out, "error for %r names neither %s nor %r: %s" % (
            over, path, words, out)
        # the password is a secret: never repeated in an error
        assert "pa\nss" not in out and "correct horse" not in out
    no_pw = dict(PPPOE)
    del no_pw["password"]
    cp = d.ctl("set", "wan.ipv4", json.dumps(no_pw))
    assert cp.returncode != 0 and "wan.ipv4.password" in cp.stdout + cp.stderr, describe(cp)
    changes = d.ctl_ok("changes").stdout
    assert "pppoe" not in changes, "a refused setting was staged: %s" % changes


def port_mtu(lab):
    cp = ns_exec(lab.router, "ip", "-j", "link", "show", "dev", "wan0", check=True)
    return json.loads(cp.stdout)[0]["mtu"]


def test_pppoe_options_read_by_pppd(lab):
    """The rendered options as Debian's pppd reads them (dryrun); the
    password only in the 0600 secrets file."""
    d = lab.daemon
    set_pppoe(d, mtu=1500, lcp_echo_interval=15, lcp_echo_failure=4, holdoff=7)
    # a policy route through the WAN: the routes' state names the sections it follows
    d.ctl_ok("set", "routes.policy", json.dumps([{"id": 1, "name": "office",
                                                  "destination": ["10.10.0.0/16"],
                                                  "interface": "wan"}]))
    d.ctl_ok("apply")
    opts, secrets = active(d, "pppoe.options"), active(d, "pppoe.secrets")
    text = opts.read_text()
    assert "correct horse" not in text, "the password is in the options"
    # no rendered file but the secrets holds the password
    holders = [str(f) for f in (d.root / "run/difos/active").rglob("*")
               if f.is_file() and b"correct horse" in f.read_bytes()]
    assert holders == [str(secrets)], holders
    assert "dev ppp-wan table 1001" in (d.root / "run/difos/active/routes/routes.state").read_text()
    # MTU 1500 (RFC 4638): the port carries 1508-byte frames
    assert port_mtu(lab) == 1508
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600, oct(secrets.stat().st_mode)
    assert secrets.read_text() == "alice@isp.example\ncorrect horse\n"

    # without /dev/ppp pppd stops at the plugin, as the engine does here
    cp = ns_exec(lab.router, "pppd", "file", opts, "dryrun", timeout=10)
    assert cp.returncode != 0 and "/dev/ppp" in cp.stdout + cp.stderr, describe(cp)

    # with /dev/ppp openable (the null device), pppd parses every option
    script = ("set -e; mount -t tmpfs -o mode=755 none /dev; "
              "mknod -m 666 /dev/null c 1 3; mknod -m 600 /dev/ppp c 1 3; "
              "mknod -m 444 /dev/urandom c 1 9; exec pppd file \"$1\" dryrun")
    # (pppd prints its "+ua" line from uninitialised bytes: read them as bytes)
    cp = subprocess.run(["ip", "netns", "exec", lab.router, "unshare", "-m", "--propagation",
                         "private", "sh", "-c", script, "dryrun", str(opts)],
                        capture_output=True, timeout=10)
    out = (cp.stdout + cp.stderr).decode("utf-8", "replace")
    print("pppd dryrun:\n" + out)
    print(NOT_EXERCISED)
    lab.note(NOT_EXERCISED)
    assert cp.returncode == 0, "pppd refused the rendered options: %s" % out
    want = ["plugin rp-pppoe.so", "wan0", "rp_pppoe_service internet", "rp_pppoe_ac BRAS-1",
            "mtu 1500", "mru 1500", "+ipv6", "nodefaultroute",
            "usepeerdns", "lcp-echo-interval 15", "lcp-echo-failure 4", "persist",
            "maxfail 0", "holdoff 7", "ifname ppp-wan", "nodetach",
            "ip-up-script %s/difos-ppp-up" % BUILD, "ip-down-script %s/difos-ppp-down" % BUILD]
    for w in want:
        assert any(line.split("\t")[0].strip() == w for line in out.splitlines()), \
            "pppd's options in effect lack %r:\n%s" % (w, out)
    # the name and password come from the secrets file (+ua), which pppd read
    assert any(line.startswith("+ua ") for line in out.splitlines()), out
    assert "correct horse" not in out
    # 1492, then DHCP again: the port is back to Ethernet's MTU
    d.ctl_ok("set", "wan.ipv4.mtu", "1492")
    d.ctl_ok("apply")
    assert port_mtu(lab) == 1500
    d.ctl_ok("set", "wan.ipv4.mtu", "1500")
    d.ctl_ok("apply")
    assert port_mtu(lab) == 1508
    d.ctl_ok("set", "wan.ipv4", json.dumps({"proto": "dhcp"}))
    d.ctl_ok("apply")
    assert port_mtu(lab) == 1500


def test_pppoe_discovery_with_configured_names(lab):
    """PADI/PADO (and PADR/PADS) with a real pppoe-server in the WAN
    namespace, asked for the service and AC names difos rendered."""
    d = lab.daemon
    set_pppoe(d)
    d.ctl_ok("apply")
    opts = active(d, "pppoe.options").read_text().splitlines()
    service = next(l.split('"')[1] for l in opts if l.startswith("rp_pppoe_service"))
    ac = next(l.split('"')[1] for l in opts if l.startswith("rp_pppoe_ac"))
    nic = next(l[4:] for l in opts if l.startswith("nic-"))
    assert (service, ac, nic) == ("internet", "BRAS-1", "wan0")

    lab.spawn("pppoe-server", lab.wan, ["pppoe-server", "-F", "-I", "eth0", "-C", "BRAS-1",
                                        "-S", "internet", "-S", "video",
                                        "-L", "10.64.0.1", "-R", "10.64.0.2"])
    time.sleep(0.5)

    def offers():
        cp = ns_exec(lab.router, "pppoe", "-A", "-I", nic, timeout=10)
        return cp.stdout if "Access-Concentrator:" in cp.stdout else None
    out = wait_for(offers, 20, what="a PADO from pppoe-server")
    print("PADO:\n" + out)
    assert "Access-Concentrator: %s" % ac in out
    assert "Service-Name: %s" % service in out
    # the full discovery, with the names as pppd would ask (PADS: session id)
    cp = ns_exec(lab.router, "pppoe", "-I", nic, "-S", service, "-C", ac, "-d", timeout=15)
    assert cp.returncode == 0 and ":" in cp.stdout, describe(cp)
    sess = int(cp.stdout.split(":")[0])
    assert sess > 0, cp.stdout
    # a service the AC does not offer gets no session
    cp = ns_exec(lab.router, "timeout", "6", "pppoe", "-I", nic, "-S", "nosuch", "-d",
                 timeout=10)
    assert cp.returncode != 0, describe(cp)
    print(NOT_EXERCISED)
    lab.note(NOT_EXERCISED)


def test_pppoe_supervised_without_kernel_ppp(lab):
    d = lab.daemon
    set_pppoe(d)
    d.ctl_ok("apply")
    started = time.monotonic()
    st = wait_for(lambda: (lambda p: p if p and p.get("error") else None)(find_pppoe(d.status())),
                  15, what="the status to say why pppd cannot run")
    assert st["error"] == "no PPP support in this kernel", st
    lab.note(NOT_EXERCISED)
    assert st["state"] == "connecting" and st["interface"] == "ppp-wan", st
    assert st["device"] == "wan0" and st["service"] == "internet", st
    status = d.status()
    assert "correct horse" not in json.dumps(status)
    sv = wait_for(lambda: (lambda s: s if s and s.get("restarts", 0) >= 2 else None)(
        json.loads(json.dumps(find_engine(d.status(), "pppd")))), 15,
        what="pppd restarted twice")
    assert sv["argv"][:2] == ["pppd", "file"] and sv["argv"][2].endswith(
        "run/difos/active/wan/pppoe.options"), sv
    # back-off, not a storm: 0.5 + 1 + 2 + 4 + 8 s between starts
    time.sleep(max(0, 10 - (time.monotonic() - started)))
    restarts = find_engine(d.status(), "pppd")["restarts"]
    elapsed = time.monotonic() - started
    print("pppd restarts in %.1f s: %d" % (elapsed, restarts))
    assert 3 <= restarts <= 6, "restarts in %.1f s: %d" % (elapsed, restarts)
    # back to DHCP: pppd stopped, the client runs
    d.ctl_ok("set", "wan.ipv4", json.dumps({"proto": "dhcp"}))
    d.ctl_ok("apply")
    lab.wait_router_wan()
    assert not find_engine(d.status(), "pppd") or \
        not find_engine(d.status(), "pppd").get("running")


def find_engine(obj, name):
    """The supervisor's state of engine name in the status."""
    if isinstance(obj, dict):
        if isinstance(obj.get("argv"), list) and obj["argv"] and obj["argv"][0] == name:
            return obj
        for v in obj.values():
            r = find_engine(v, name)
            if r is not None:
                return r
    elif isinstance(obj, list):
        for v in obj:
            r = find_engine(v, name)
            if r is not None:
                return r
    return None


def hook(lab, d, which, env):
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DIFOS_SOCKET": str(d.sock)}
    e.update(env)
    argv = ["env", "-i"] + ["%s=%s" % kv for kv in e.items()] + [
        str(BUILD / which), "ppp-wan", "/dev/null", "0", env.get("IPLOCAL", ""),
        env.get("IPREMOTE", ""), ""]
    return ns_exec(lab.router, *argv, timeout=15)


def test_pppoe_session_hooks(lab):
    """pppd's ip-up/ip-down as difos-ppp-up/-down: route, DNS, status, NAT."""
    d = lab.daemon
    set_pppoe(d)
    d.ctl_ok("apply")
    # the stand-in of the PPP device: its far end is the ISP's side
    run(["ip", "link", "add", "ppp-wan", "netns", lab.router, "type", "veth", "peer", "name",
         "ppp0", "netns", lab.wan], check=True)
    ns_exec(lab.router, "ip", "addr", "add", "10.64.0.2", "peer", "10.64.0.1/32", "dev",
            "ppp-wan", check=True)
    ns_exec(lab.router, "ip", "link", "set", "ppp-wan", "up", check=True)
    ns_exec(lab.wan, "ip", "addr", "add", "10.64.0.1", "peer", "10.64.0.2/32", "dev", "ppp0",
            check=True)
    ns_exec(lab.wan, "ip", "link", "set", "ppp0", "up", check=True)

    # an event for another device is refused
    cp = hook(lab, d, "difos-ppp-up", {"IFNAME": "ppp9", "IPLOCAL": "10.64.0.2",
                                       "IPREMOTE": "10.64.0.1"})
    assert cp.returncode != 0 and "ppp9" in cp.stderr, describe(cp)
    cp = hook(lab, d, "difos-ppp-up", {"IFNAME": "ppp-wan", "DEVICE": "wan0",
                                       "IPLOCAL": "10.64.0.2", "IPREMOTE": "10.64.0.1",
                                       "DNS1": WAN_SERVER, "DNS2": "bogus"})
    assert cp.returncode == 0, describe(cp)
    route = ns_exec(lab.router, "ip", "-j", "route", "show", "default").stdout
    assert json.loads(route)[0]["dev"] == "ppp-wan", route
    resolv = (d.root / "run/difos/wan/resolv.conf").read_text()
    assert "nameserver %s" % WAN_SERVER in resolv and "bogus" not in resolv, resolv
    p = find_pppoe(d.status())
    assert p["state"] == "up" and p["ip"] == "10.64.0.2" and p["routers"] == ["10.64.0.1"], p
    assert p["dns"] == [WAN_SERVER] and "error" not in p, p
    # the dashboard's WAN card is the session's
    wan = d.ctl_json("call", "dashboard")["wan"]
    assert (wan["interface"], wan["proto"], wan["address"], wan["gateway"]) == (
        "ppp-wan", "pppoe", "10.64.0.2/32", "10.64.0.1"), wan
    # the health checks go out of the session's device, which the session named
    d.ctl_ok("set", "uplinks.wan", json.dumps({"enabled": True, "interval": 1,
                                               "timeout": 500}))
    d.ctl_ok("set", "uplinks.targets", json.dumps([{"id": 1, "kind": "icmp",
                                                    "address": "10.64.0.1"}]))
    d.ctl_ok("apply")
    h = wait_for(lambda: (lambda s: s if s and s.get("state") == "up" else None)(
        find_key(d.status(), "uplinks") and find_key(find_key(d.status(), "uplinks"), "wan")),
        10, what="the WAN's health up through ppp-wan")
    assert h["device"] == "ppp-wan", h
    # the LAN reaches the ISP's side through the session, masqueraded
    lab.client_static()
    ns_exec(lab.wan, "ip", "route", "replace", "192.168.1.0/24", "dev", "ppp0")
    cp = ns_exec(lab.lan, "ping", "-c", "1", "-W", "2", "10.64.0.1", timeout=10)
    assert cp.returncode == 0, describe(cp)
    # TCP's MSS clamped to the session's MTU (1492 - 40) on the way out
    ns_exec(lab.router, "ip", "link", "set", "ppp-wan", "mtu", "1492", check=True)
    dump = lab.spawn("tcpdump", lab.wan, ["tcpdump", "-l", "-n", "-v", "-c", "1", "-i", "ppp0",
                                          "tcp[tcpflags] & tcp-syn != 0"], logname="syn.log")
    time.sleep(1)
    ns_exec(lab.lan, "nc", "-z", "-w", "2", "10.64.0.1", "8081", timeout=10)
    syn = wait_for(lambda: (lambda t: t if "mss" in t else None)(
        (lab.tmp / "syn.log").read_text()), 10, what="the SYN seen on the WAN side")
    assert "mss 1452" in syn, syn
    dump.wait(timeout=5)
    # down: the route and the DNS go, the status says so
    cp = hook(lab, d, "difos-ppp-down", {"IFNAME": "ppp-wan", "IPLOCAL": "10.64.0.2",
                                         "IPREMOTE": "10.64.0.1"})
    assert cp.returncode == 0, describe(cp)
    assert "ppp-wan" not in ns_exec(lab.router, "ip", "route", "show", "default").stdout
    assert WAN_SERVER not in (d.root / "run/difos/wan/resolv.conf").read_text()
    assert find_pppoe(d.status())["state"] == "connecting"
    print(NOT_EXERCISED)
    lab.note(NOT_EXERCISED)
