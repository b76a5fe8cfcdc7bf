"""
VPN › WireGuard › Clients through the real daemon: a wg-quick file imported
through the REST API and difosctl (the form's values back, nothing staged),
refusals naming the line, and the client saved from those values; the
schema's refusals (a key that is not 32 bytes of base64, AllowedIPs with
host bits) naming the field and the value.
"""

import json

from conftest import describe

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
