"""
Prometheus metrics: difosd-web serves GET /metrics to an API token, in the
text format 0.0.4, read here by Prometheus' own parser (prometheus_client);
the interface counters agree with the kernel's, an apply counts, the
engines are there, and a scrape runs no program.
"""

import json
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

import webclient
from conftest import LAN_ADDR, make_lab, ns_exec, wait_for
from lab_trace import programs_run_during
from webclient import Client

PASSWORD = "correct horse 42"


@pytest.fixture(scope="module")
def mlab():
    with make_lab() as lab:
        lab.client_static("192.168.1.10")
        webclient.wait_web(lab.lan, LAN_ADDR)
        yield lab


@pytest.fixture(scope="module")
def token(mlab):
    out = mlab.daemon.ctl_json("token-create", "prometheus", "read-only")
    assert out["token"].startswith("difos_"), out
    return out["token"]


def scrape(lab, token, headers=None):
    c = Client(lab.lan)
    c.bearer = token
    return c.request("GET", "/metrics", headers=headers)


def families(text):
    """{name: family} as Prometheus reads it (a counter's name without _total)."""
    return {f.name: f for f in text_string_to_metric_families(text)}


def sample(fams, family, name=None, **labels):
    for s in fams[family].samples:
        if s.name == (name or family) and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    raise AssertionError("no %s%r in %s" % (name or family, labels, fams[family].samples))


def kernel_link(lab, dev):
    cp = ns_exec(lab.router, "ip", "-j", "-s", "link", "show", dev, timeout=10)
    assert cp.returncode == 0, cp.stderr
    return json.loads(cp.stdout)[0]


def test_scrape_with_a_token_is_prometheus_text(mlab, token):
    r = scrape(mlab, token)
    assert r.status == 200, r
    assert r.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8", r.headers
    assert r.header("Cache-Control") == "no-store"
    fams = families(r.raw)
    # node_exporter's names and types where they overlap
    assert fams["node_network_receive_bytes"].type == "counter"
    assert fams["node_network_transmit_bytes"].type == "counter"
    assert fams["node_network_receive_packets"].type == "counter"
    assert fams["node_network_up"].type == "gauge"
    assert fams["difos_apply"].type == "counter"
    assert fams["difos_apply_duration_seconds"].type == "histogram"
    assert fams["difos_engine_up"].type == "gauge"
    assert fams["difos_engine_restarts"].type == "counter"
    assert fams["difos_dhcp_leases"].type == "gauge"
    assert fams["difos_ips_bans"].type == "gauge"
    assert sample(fams, "difos_build_info", version="0.1.0") == 1
    # every family has its help
    assert all(f.documentation for f in fams.values()), [f.name for f in fams.values()
                                                          if not f.documentation]
    # the LAN's dnsmasq runs, so does the web door
    assert sample(fams, "difos_engine_up", engine="dnsmasq") == 1
    assert sample(fams, "difos_engine_up", engine="difosd-web") == 1
    assert sample(fams, "node_network_up", device="br-lan") == 1
    assert sample(fams, "difos_ips_bans") == 0


def test_refused_without_a_token(mlab, token):
    r = scrape(mlab, None)
    assert r.status == 401 and r.header("WWW-Authenticate") == 'Bearer realm="difos"', r
    assert r.error["code"] == "unauthorized", r
    r = scrape(mlab, "difos_" + "0" * 40)
    assert r.status == 401 and "token is not valid" in r.error["message"], r
    assert "difos_build_info" not in r.raw


def test_a_session_cookie_alone_does_not_scrape(mlab, token):
    c = Client(mlab.lan)
    tok = mlab.daemon.ctl_json("call", "auth.setup_link")["token"]
    r = c.api("POST", "/auth/setup", {"token": tok, "password": PASSWORD}, csrf="login")
    assert r.status == 200, r
    assert c.api("GET", "/dashboard").status == 200     # the session is good
    r = c.request("GET", "/metrics")
    assert r.status == 401, r
    # the JSON API has the same method for a session: the text as a string
    r = c.api("GET", "/metrics")
    assert r.status == 200 and r.json.startswith("# HELP difos_build_info"), r


def test_interface_counters_match_the_kernel(mlab, token):
    lab = mlab
    # traffic on the LAN bridge, then a sample of the sampler (every 3 s)
    ns_exec(lab.lan, "ping", "-c", "20", "-i", "0.01", "-s", "1000", LAN_ADDR, timeout=10)
    time.sleep(3.5)
    fams = families(scrape(lab, token).raw)
    k = kernel_link(lab, "br-lan")["stats64"]
    rx = sample(fams, "node_network_receive_bytes", "node_network_receive_bytes_total",
                device="br-lan")
    tx = sample(fams, "node_network_transmit_bytes", "node_network_transmit_bytes_total",
                device="br-lan")
    rxp = sample(fams, "node_network_receive_packets", "node_network_receive_packets_total",
                 device="br-lan")
    # the reading is at most a period old: never ahead of the kernel, and
    # behind it by what a few seconds of an idle lab carry at most
    assert rx >= 20 * 1000, rx
    assert 0 <= k["rx"]["bytes"] - rx < 64 * 1024, (rx, k)
    assert 0 <= k["tx"]["bytes"] - tx < 64 * 1024, (tx, k)
    assert 0 <= k["rx"]["packets"] - rxp < 200, (rxp, k)


def test_a_ban_counts(mlab, token):
    d = mlab.daemon
    d.ctl_ok("set", "ips.services", json.dumps(["gui"]))    # intrusion prevention on
    d.ctl_ok("apply")
    webclient.wait_web(mlab.lan, LAN_ADDR)
    before = sample(families(scrape(mlab, token).raw), "difos_ips_bans")
    d.ctl_ok("call", "ips.ban", json.dumps({"address": "203.0.113.77", "minutes": 5}))
    assert sample(families(scrape(mlab, token).raw), "difos_ips_bans") == before + 1
    d.ctl_ok("call", "ips.unban", json.dumps({"address": "203.0.113.77"}))
    assert sample(families(scrape(mlab, token).raw), "difos_ips_bans") == before


def test_a_read_only_token_restarts_nothing(mlab, token):
    """The quick actions are an admin's: the scraping token may not use them."""
    c = Client(mlab.lan)
    c.bearer = token
    r = c.api("POST", "/engine/restart", {"engine": "dnsmasq"})
    assert r.status == 403 and "scope admin" in r.error["message"], r
    r = c.api("POST", "/pbx/reload", {})
    assert r.status == 403, r


def test_a_scrape_runs_no_program(mlab, token):
    seen = programs_run_during(mlab, lambda: [scrape(mlab, token) for _ in range(5)])
    assert not seen, seen


def test_difosctl_prints_the_text(mlab):
    cp = mlab.daemon.ctl_ok("metrics")
    fams = families(cp.stdout)
    assert "difos_engine_up" in fams and "node_network_up" in fams


def send_udp(lab, ns, addr, port, count):
    code = ("import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            "for i in range(%d): s.sendto(b'x' * 100, (%r, %d))" % (count, addr, port))
    cp = ns_exec(ns, "python3", "-c", code, timeout=10)
    assert cp.returncode == 0, cp.stderr


def test_firewall_counters(mlab, token):
    """A traffic rule counts what it matches (by its id and description); the
    input chain's policy counts what it drops. Read every 5 s, not per scrape."""
    lab = mlab
    d = lab.daemon
    wan_ip = lab.router_wan_addr
    d.ctl_ok("add", "firewall.rules", "description=Drop the test port", "proto=udp",
             "src_zone=wan", "dest_zone=router", "dest_ports=4999", "action=drop")
    d.ctl_ok("apply")
    webclient.wait_web(lab.lan, LAN_ADDR)
    rule = dict(chain="input_wan", rule="1", description="Drop the test port")

    def rule_read():
        """a reading taken since the apply (the chains reloaded by it start
        their counters again): it has the new rule"""
        f = families(scrape(lab, token).raw)
        try:
            sample(f, "difos_firewall_rule_packets", "difos_firewall_rule_packets_total", **rule)
        except AssertionError:
            return None
        return f
    fams = wait_for(rule_read, 15, interval=1, what="a reading of the new rule's counter")
    assert fams["difos_firewall_rule_packets"].type == "counter"
    assert sample(fams, "difos_firewall_rule_packets", "difos_firewall_rule_packets_total",
                  **rule) == 0
    policy0 = sample(fams, "difos_firewall_policy_drop_packets",
                     "difos_firewall_policy_drop_packets_total", chain="input")
    send_udp(lab, lab.wan, wan_ip, 4999, 7)     # the rule drops these
    send_udp(lab, lab.wan, wan_ip, 4998, 3)     # no rule: the policy does

    def counted():
        f = families(scrape(lab, token).raw)
        n = sample(f, "difos_firewall_rule_packets", "difos_firewall_rule_packets_total", **rule)
        return f if n > 0 else None
    fams = wait_for(counted, 15, interval=1, what="the rule's counter to be read")
    assert sample(fams, "difos_firewall_rule_packets", "difos_firewall_rule_packets_total",
                  **rule) == 7
    # 100 bytes of data, 8 of UDP header, 20 of IPv4
    assert sample(fams, "difos_firewall_rule_bytes", "difos_firewall_rule_bytes_total",
                  **rule) == 7 * 128
    assert sample(fams, "difos_firewall_policy_drop_packets",
                  "difos_firewall_policy_drop_packets_total", chain="input") >= policy0 + 3
    assert "forward" in {s.labels["chain"] for s in
                         fams["difos_firewall_policy_drop_packets"].samples}


# last: it changes the configuration of the module's lab
def test_an_apply_counts(mlab, token):
    lab = mlab
    d = lab.daemon
    before = families(scrape(lab, token).raw)
    ok0 = sample(before, "difos_apply", "difos_apply_total", result="ok")
    n0 = sample(before, "difos_apply_duration_seconds", "difos_apply_duration_seconds_count")
    rev0 = sample(before, "difos_revision")
    d.ctl_ok("set", "system.keep_revisions", "99")
    d.ctl_ok("apply")
    webclient.wait_web(lab.lan, LAN_ADDR)
    after = families(scrape(lab, token).raw)
    assert sample(after, "difos_apply", "difos_apply_total", result="ok") == ok0 + 1
    assert sample(after, "difos_apply_duration_seconds", "difos_apply_duration_seconds_count") \
        == n0 + 1
    assert sample(after, "difos_apply_duration_seconds", "difos_apply_duration_seconds_bucket",
                  le="+Inf") == n0 + 1
    assert sample(after, "difos_apply_duration_seconds", "difos_apply_duration_seconds_sum") > 0
    assert sample(after, "difos_revision") == rev0 + 1
    # a refused apply counts as failed
    failed0 = sample(after, "difos_apply", "difos_apply_total", result="failed")
    d.ctl_ok("set", "lan.interfaces", "nosuch0")
    assert d.ctl("apply").returncode != 0
    webclient.wait_web(lab.lan, LAN_ADDR)
    again = families(scrape(lab, token).raw)
    assert sample(again, "difos_apply", "difos_apply_total", result="failed") == failed0 + 1
