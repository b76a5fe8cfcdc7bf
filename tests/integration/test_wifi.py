"""
Network Settings › WiFi against the real daemon. This machine has no radio
(no nl80211, no WiFi device): hostapd itself cannot run. What runs for real:
difosd's rendering, hostapd's own parser as the check (Debian's
/usr/sbin/hostapd with a device that does not exist), the supervision, the
control-socket client and the kicks. What stands in: hostapd_standin.py,
run by difosd in place of hostapd (first on its PATH), which binds the
control socket hostapd would and answers its protocol for fake stations;
the radios' devices are veth links named wlan0 and wlan1. Not exercised:
radios, association, WPA/SAE handshakes, channel selection, the bridge.
"""
import json
import os
import socket
import time
from pathlib import Path

import pytest

from conftest import describe, ns_exec, run, wait_for

HERE = Path(__file__).resolve().parent
STANDIN = HERE / "hostapd_standin.py"

LAPTOP = "02:00:00:00:01:01"
PHONE = "02:00:00:00:01:02"
TV = "02:00:00:00:05:01"

STATIONS = {
    "wlan0": [
        {"mac": LAPTOP, "signal": -48, "rx_rate_info": "1444 mcs 15 shortGI",
         "tx_rate_info": "1300 mcs 15", "connected_time": 3600},
        {"mac": PHONE, "signal": -71, "rx_rate_info": 240, "tx_rate_info": 540,
         "connected_time": 42},
    ],
    "wlan1": [
        {"mac": TV, "signal": -60, "rx_rate_info": "8667 mcs 9 vhtmcs 9 vhtnss 2",
         "tx_rate_info": "6500 vhtmcs 7 vhtnss 2", "connected_time": 7200},
    ],
}

RADIO = {"ssid": "Office", "passphrase": "correct horse battery", "country": "DE"}


NOT_EXERCISED = ("WiFi: not exercised here (no radio): radios, association, WPA/SAE handshakes, "
                 "channel selection, regulatory limits, the bridge; hostapd is a stand-in "
                 "(hostapd_standin.py) speaking its control protocol, its check the real parser")


def print_not_exercised(lab):
    """Said in the test run's summary (lab notes)."""
    lab.note(NOT_EXERCISED)


def standin_env(lab):
    """A folder with `hostapd` (the stand-in) for difosd's PATH, and its data folder."""
    bin_dir = lab.tmp / "standin-bin"
    data = lab.tmp / "standin"
    bin_dir.mkdir(exist_ok=True)
    data.mkdir(exist_ok=True)
    link = bin_dir / "hostapd"
    if not link.exists():
        link.symlink_to(STANDIN)
    for dev, stations in STATIONS.items():
        (data / (dev + ".stations.json")).write_text(json.dumps(stations))
    return data, {"PATH": "%s:%s" % (bin_dir, os.environ.get("PATH", "/usr/sbin:/usr/bin")),
                  "HOSTAPD_STANDIN_DIR": str(data)}


def add_radio_devices(lab):
    for dev in ("wlan0", "wlan1"):
        ns_exec(lab.router, "ip", "link", "add", dev, "type", "veth", "peer", "name",
                dev + "p", check=True)


def stage_radio(d, section, **extra):
    for k, v in {**RADIO, **extra}.items():
        d.ctl_ok("set", "%s.%s" % (section, k), v)
    d.ctl_ok("set", section + ".enabled", "true")


def radios(d):
    return d.status()["features"]["wifi"]["detail"]["radios"]


def standin_log(data, dev):
    p = data / (dev + ".log")
    return p.read_text().splitlines() if p.exists() else []


def ctrl_request(lab, d, dev, cmd):
    """One request to a control socket from inside the router namespace."""
    path = d.root / "run/difos/hostapd" / dev
    code = ("import socket,sys;s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM);"
            "s.bind('\\0difos-test-%d' % __import__('os').getpid());s.settimeout(3);"
            "s.connect(sys.argv[1]);s.send(sys.argv[2].encode());"
            "sys.stdout.write(s.recv(8192).decode())")
    cp = ns_exec(lab.router, "python3", "-c", code, str(path), cmd)
    assert cp.returncode == 0, describe(cp)
    return cp.stdout


@pytest.fixture
def wifi_lab(bare_lab):
    lab = bare_lab
    data, env = standin_env(lab)
    add_radio_devices(lab)
    d = lab.new_daemon()
    d.start(env=env)
    lab.wait_router_wan()
    print_not_exercised(lab)
    return lab, d, data, env


def test_bad_input_is_refused_naming_field_and_value(lab):
    d = lab.daemon
    cases = [
        (("set", "wifi_2g.ssid", "x" * 33), ["wifi_2g.ssid", "x" * 33, "longer than 32"]),
        (("set", "wifi_5g.country", "00"), ["wifi_5g.country", "00", "World"]),
        (("set", "wifi_2g.country", "XX"), ["wifi_2g.country", "XX", "not an ISO 3166"]),
        (("set", "wifi_2g.channel", "36"), ["wifi_2g.channel", "36", "2.4 GHz"]),
        (("set", "wifi_5g.channel", "14"), ["wifi_5g.channel", "14", "5 GHz"]),
        (("set", "wifi_2g.width", "80"), ["wifi_2g.width", "80"]),
    ]
    for args, words in cases:
        cp = d.ctl(*args)
        assert cp.returncode != 0, "accepted: %s" % (args,)
        for w in words:
            assert w in cp.stderr + cp.stdout, "%s: %r not in %s" % (args, w, describe(cp))
    # a 7-character WPA3 passphrase: named, never quoted
    cp = d.ctl("set", "wifi_2g.passphrase", "1234567")
    assert cp.returncode != 0
    assert "wifi_2g.passphrase" in cp.stderr and "shorter than 8" in cp.stderr, describe(cp)
    assert "1234567" not in cp.stderr + cp.stdout
    # a key of 64 hex digits is no WPA3 passphrase
    cp = d.ctl("set", "wifi_2g.passphrase", "ab" * 32)
    assert cp.returncode != 0 and "WPA3" in cp.stderr, describe(cp)
    # enabling without SSID, passphrase, country
    cp = d.ctl("set", "wifi_2g.enabled", "true")
    assert cp.returncode != 0
    for f in ("wifi_2g.ssid", "wifi_2g.passphrase", "wifi_2g.country"):
        assert f in cp.stderr, describe(cp)
    # an 80 MHz channel the band has only at 20 MHz
    cp = d.ctl("set", "wifi_5g.channel", "165")
    assert cp.returncode != 0 and "cannot carry 80 MHz" in cp.stderr, describe(cp)
    # nothing was staged
    ch = d.ctl_json("changes")
    assert (ch.get("changes") if isinstance(ch, dict) else ch) == [], ch


def test_radio_without_device_is_reported_not_failed(lab):
    """No wlan0 in this router: the apply succeeds and the radio says so."""
    print_not_exercised(lab)
    d = lab.daemon
    stage_radio(d, "wifi_2g")
    d.ctl_ok("apply")
    r = radios(d)
    assert r["2g"]["state"] == "no radio device", r
    assert r["5g"]["state"] == "disabled", r
    engines = d.status()["features"]["wifi"]
    assert not (engines.get("engine_2g") or {}).get("running"), engines
    # the file is there, root's only: it holds the passphrase
    conf = d.root / "run/difos/active/wifi/hostapd-2g.conf"
    assert (conf.stat().st_mode & 0o777) == 0o600
    assert "sae_password=correct horse battery" in conf.read_text()


def test_hostapd_parses_the_rendered_files_and_names_its_errors(tmp_path):
    """The check relies on what Debian's hostapd prints when run on a file
    with a device that does not exist: every golden file parses without an
    error line, and a bad file gets "N errors found in configuration file"."""
    goldens = sorted((HERE.parent / "golden/cases").glob("*/expected/wifi/hostapd-*.conf"))
    assert len(goldens) >= 4, goldens
    for conf in goldens:
        out = run(["/usr/sbin/hostapd", "-i", "difoschk0", str(conf)], timeout=10)
        text = out.stdout + out.stderr
        assert "errors found" not in text and "Line " not in text, "%s: %s" % (conf, text)
        assert out.returncode != 0   # no radio: it stops at the driver
    bad = tmp_path / "bad.conf"
    bad.write_text("interface=wlan0\nhw_mode=q\nwpa=2\nwpa_passphrase=short\n")
    out = run(["/usr/sbin/hostapd", "-i", "difoschk0", str(bad)], timeout=10)
    text = out.stdout + out.stderr
    assert "errors found in configuration file" in text, text
    assert "Line 2: unknown hw_mode 'q'" in text, text


def test_clients_names_and_kick(wifi_lab):
    lab, d, data, env = wifi_lab
    stage_radio(d, "wifi_2g")
    stage_radio(d, "wifi_5g", channel="36", encryption="sae-mixed")
    d.ctl_ok("apply")
    wait_for(lambda: radios(d)["2g"]["state"] == "running" and
             radios(d)["5g"]["state"] == "running", 15, what="both radios running")
    assert any(l.startswith("START wlan0 Office") for l in standin_log(data, "wlan0"))

    def clients():
        return d.ctl_json("wifi-clients")

    wait_for(lambda: len(clients()["clients"]) == 3, 10, what="three clients listed")
    res = clients()
    by_mac = {c["mac"]: c for c in res["clients"]}
    assert by_mac[LAPTOP]["band"] == "2g" and by_mac[TV]["band"] == "5g"
    assert by_mac[LAPTOP]["signal"] == -48
    assert by_mac[LAPTOP]["rx_rate"] == 144.4 and by_mac[LAPTOP]["tx_rate"] == 130.0
    assert by_mac[LAPTOP]["rx_mcs"] == 15
    assert by_mac[TV]["rx_rate"] == 866.7 and by_mac[TV]["connected_time"] >= 7200
    assert by_mac[PHONE]["rx_rate"] == 24.0 and by_mac[PHONE]["authorized"] is True
    assert "name" not in by_mac[LAPTOP]
    assert "STA-FIRST" in standin_log(data, "wlan0")
    assert "STA-NEXT " + LAPTOP in standin_log(data, "wlan0")

    # a name for a MAC (the blue icon): a setting, applied
    d.ctl_ok("add", "wifi.clients", "mac=" + LAPTOP.upper(), "name=Desk laptop")
    d.ctl_ok("apply")
    wait_for(lambda: {c["mac"]: c for c in clients()["clients"]}[LAPTOP].get("name") ==
             "Desk laptop", 5, what="the name shown")
    d.ctl_ok("set", "wifi.clients[1].name", "Reception laptop")
    d.ctl_ok("apply")
    wait_for(lambda: {c["mac"]: c for c in clients()["clients"]}[LAPTOP].get("name") ==
             "Reception laptop", 5, what="the edited name shown")

    out = d.ctl_ok("wifi-clients").stdout
    line = [l for l in out.splitlines() if LAPTOP in l]
    assert line and "Reception laptop" in line[0] and "-48" in line[0] and "144.4" in line[0], out

    # kick the phone off for 5 minutes: denied on both radios, deauthenticated
    before = time.time()
    k = d.ctl_json("wifi-kick", PHONE, "5")
    assert k["mac"] == PHONE and k["minutes"] == 5
    assert before + 300 - 2 <= k["until"] <= time.time() + 300 + 2
    for dev in ("wlan0", "wlan1"):
        log = standin_log(data, dev)
        assert "DENY_ACL ADD_MAC " + PHONE in log, log
        assert "DEAUTHENTICATE " + PHONE in log, log
        assert log.index("DENY_ACL ADD_MAC " + PHONE) < log.index("DEAUTHENTICATE " + PHONE)
    assert PHONE in ctrl_request(lab, d, "wlan0", "DENY_ACL SHOW")
    wait_for(lambda: PHONE not in {c["mac"] for c in clients()["clients"]}, 10,
             what="the phone gone from the list")
    assert [x["mac"] for x in clients()["kicks"]] == [PHONE]
    kept = json.loads((d.root / "var/lib/difos/wifi/kicks.json").read_text())
    assert kept == {PHONE: k["until"]}

    # across a restart of difosd: the kick is sent to the new hostapd, and
    # lifted when its time is up (the end moved 10 s ahead while difosd is down)
    d.stop()
    kept[PHONE] = int(time.time()) + 10
    (d.root / "var/lib/difos/wifi/kicks.json").write_text(json.dumps(kept))
    marks = {dev: len(standin_log(data, dev)) for dev in ("wlan0", "wlan1")}
    d.start(env=env)
    wait_for(lambda: "DENY_ACL ADD_MAC " + PHONE in standin_log(data, "wlan0")[marks["wlan0"]:],
             15, what="the kick sent again to the restarted hostapd")
    wait_for(lambda: "DENY_ACL DEL_MAC " + PHONE in standin_log(data, "wlan0")[marks["wlan0"]:],
             20, what="the kick lifted when its time was up")
    assert "DENY_ACL DEL_MAC " + PHONE in standin_log(data, "wlan1")[marks["wlan1"]:]
    assert PHONE not in ctrl_request(lab, d, "wlan0", "DENY_ACL SHOW")
    wait_for(lambda: PHONE in {c["mac"] for c in clients()["clients"]}, 10,
             what="the phone back in the list")
    assert clients()["kicks"] == []
    assert json.loads((d.root / "var/lib/difos/wifi/kicks.json").read_text()) == {}


def test_unkick_and_disabled_radio_stops(wifi_lab):
    lab, d, data, env = wifi_lab
    stage_radio(d, "wifi_2g")
    d.ctl_ok("apply")
    wait_for(lambda: radios(d)["2g"]["state"] == "running", 15, what="the radio running")
    d.ctl_ok("wifi-kick", LAPTOP, "60")
    d.ctl_ok("wifi-unkick", LAPTOP)
    wait_for(lambda: "DENY_ACL DEL_MAC " + LAPTOP in standin_log(data, "wlan0"), 5,
             what="the kick lifted")
    cp = d.ctl("wifi-unkick", LAPTOP)
    assert cp.returncode != 0 and "not kicked off" in cp.stderr, describe(cp)
    # hostapd's deny list is made the kicks': one difosd did not make goes
    assert ctrl_request(lab, d, "wlan0", "DENY_ACL ADD_MAC " + PHONE) == "OK\n"
    wait_for(lambda: PHONE not in ctrl_request(lab, d, "wlan0", "DENY_ACL SHOW"), 10,
             what="a deny without a kick removed")
    assert "DENY_ACL DEL_MAC " + PHONE in standin_log(data, "wlan0")
    cp = d.ctl("wifi-kick", LAPTOP, "0")
    assert cp.returncode != 0 and "minutes" in cp.stderr, describe(cp)
    # disabled: hostapd stops, its socket goes
    d.ctl_ok("set", "wifi_2g.enabled", "false")
    d.ctl_ok("apply")
    assert radios(d)["2g"]["state"] == "disabled"
    wait_for(lambda: not (d.root / "run/difos/hostapd/wlan0").exists(), 10,
             what="the control socket removed")
