#!/usr/bin/python3
"""A stand-in for hostapd where there is no radio (no nl80211, no WiFi device).

difosd runs it as it runs hostapd (`hostapd FILE`, found first on its PATH in
the WiFi tests). It reads the rendered file for `interface=` and
`ctrl_interface=`, binds the UNIX datagram socket hostapd would bind
(<ctrl_interface>/<interface>) and answers its control protocol as hostapd
2.10 does, for a few fake stations:

  PING -> PONG; STATUS -> key=value lines; STA-FIRST, STA-NEXT <mac>,
  STA <mac> -> a station's block (its MAC, then flags=, signal=,
  rx_rate_info= (100 kbit/s), connected_time=, ...), the empty reply at the
  end, FAIL for an unknown MAC; DEAUTHENTICATE <mac> -> OK (the station
  comes back a second later unless denied); DENY_ACL ADD_MAC/DEL_MAC <mac>,
  SHOW, CLEAR; ATTACH/DETACH (events "<3>AP-STA-DISCONNECTED <mac>").

The stations come from $HOSTAPD_STANDIN_DIR/<interface>.stations.json (a
list of {mac, signal, rx_rate_info, tx_rate_info, connected_time, ...});
every request is appended to <interface>.log there. With -i (difosd's check
of a new file) it runs the real /usr/sbin/hostapd, whose parser works
without a radio. Not exercised here: radios, association, WPA handshakes,
channel selection, the bridge.
"""
import json
import os
import signal
import socket
import sys
import time

REAL = "/usr/sbin/hostapd"


def conf_of(path):
    out = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                out.setdefault(k, v)
    return out


def station_text(s):
    mac = s["mac"]
    lines = [mac,
             "flags=" + s.get("flags", "[AUTH][ASSOC][AUTHORIZED][WMM][MFP][HT]"),
             "aid=%d" % s.get("aid", 1), "capability=0x1431", "listen_interval=10",
             "supported_rates=8c 12 98 24 b0 48 60 6c", "timeout_next=NULLFUNC POLL",
             "dot11RSNAStatsSTAAddress=" + mac, "dot11RSNAStatsVersion=1",
             "dot11RSNAStatsSelectedPairwiseCipher=00-0f-ac-4",
             "dot11RSNAStatsTKIPLocalMICFailures=0", "dot11RSNAStatsTKIPRemoteMICFailures=0",
             "wpa=2", "AKMSuiteSelector=00-0f-ac-8", "hostapdWPAPTKState=11",
             "hostapdWPAPTKGroupState=0",
             "rx_packets=%d" % s.get("rx_packets", 1200), "tx_packets=%d" % s.get("tx_packets", 900),
             "rx_bytes=%d" % s.get("rx_bytes", 123456), "tx_bytes=%d" % s.get("tx_bytes", 654321),
             "inactive_msec=%d" % s.get("inactive_msec", 120),
             "signal=%d" % s.get("signal", -50),
             "rx_rate_info=" + str(s.get("rx_rate_info", "1733 mcs 9 vhtmcs 9 vhtnss 2 shortGI")),
             "tx_rate_info=" + str(s.get("tx_rate_info", "866 vhtmcs 9 vhtnss 2")),
             "ht_mcs_bitmask=ffff0000000000000000",
             "connected_time=%d" % s.get("connected_time", 60),
             "sae_group=19"]
    return "\n".join(lines) + "\n"


def main(argv):
    if "-i" in argv:
        # difosd's check: hostapd's own parser, which needs no radio
        os.execv(REAL, ["hostapd", *argv])
    conf = conf_of(argv[-1])
    iface, ctrl_dir = conf["interface"], conf["ctrl_interface"]
    data = os.environ.get("HOSTAPD_STANDIN_DIR", "/tmp")
    log = open(os.path.join(data, iface + ".log"), "a", buffering=1)
    try:
        with open(os.path.join(data, iface + ".stations.json")) as f:
            stations = json.load(f)
    except FileNotFoundError:
        stations = []
    print("hostapd stand-in on %s (no radio here): ssid %s, channel %s, %d fake stations"
          % (iface, conf.get("ssid"), conf.get("channel"), len(stations)), flush=True)
    log.write("START %s %s\n" % (iface, conf.get("ssid")))

    os.makedirs(ctrl_dir, mode=0o770, exist_ok=True)
    path = os.path.join(ctrl_dir, iface)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)

    def bye(*_):
        try:
            os.unlink(path)
        finally:
            os._exit(0)
    signal.signal(signal.SIGTERM, bye)
    signal.signal(signal.SIGINT, bye)

    deny = []
    gone = {}        # mac -> when it was deauthenticated
    attached = set()

    def present():
        now = time.monotonic()
        return [s for s in stations if s["mac"] not in deny and now - gone.get(s["mac"], -9) > 1.0]

    def event(text):
        for a in list(attached):
            try:
                sock.sendto(("<3>" + text).encode(), a)
            except OSError:
                attached.discard(a)

    while True:
        req, peer = sock.recvfrom(4096)
        cmd = req.decode(errors="replace").strip()
        log.write(cmd + "\n")
        words = cmd.split()
        here = present()
        reply = "UNKNOWN COMMAND\n"
        if cmd == "PING":
            reply = "PONG\n"
        elif cmd == "STATUS":
            reply = ("state=ENABLED\nphy=phy0\nfreq=%s\nchannel=%s\nssid[0]=%s\nnum_sta[0]=%d\n"
                     % ("5180" if conf.get("hw_mode") == "a" else "2412",
                        conf.get("channel"), conf.get("ssid"), len(here)))
        elif cmd == "STA-FIRST":
            reply = station_text(here[0]) if here else ""
        elif words[:1] == ["STA-NEXT"] and len(words) == 2:
            macs = [s["mac"] for s in here]
            if words[1] not in macs:
                reply = "FAIL\n"
            else:
                i = macs.index(words[1])
                reply = station_text(here[i + 1]) if i + 1 < len(here) else ""
        elif words[:1] == ["STA"] and len(words) == 2:
            found = [s for s in here if s["mac"] == words[1]]
            reply = station_text(found[0]) if found else "FAIL\n"
        elif words[:1] == ["DEAUTHENTICATE"] and len(words) >= 2:
            gone[words[1]] = time.monotonic()
            if any(s["mac"] == words[1] for s in here):
                event("AP-STA-DISCONNECTED " + words[1])
            reply = "OK\n"
        elif words[:2] == ["DENY_ACL", "ADD_MAC"] and len(words) == 3:
            if words[2] not in deny:
                deny.append(words[2])
            reply = "OK\n"
        elif words[:2] == ["DENY_ACL", "DEL_MAC"] and len(words) == 3:
            if words[2] in deny:
                deny.remove(words[2])
            reply = "OK\n"
        elif words == ["DENY_ACL", "SHOW"]:
            reply = "".join("%s VLAN_ID=0\n" % m for m in deny)
        elif words == ["DENY_ACL", "CLEAR"]:
            deny.clear()
            reply = "OK\n"
        elif cmd == "ATTACH":
            attached.add(peer)
            reply = "OK\n"
        elif cmd == "DETACH":
            attached.discard(peer)
            reply = "OK\n"
        if peer:
            sock.sendto(reply.encode(), peer)


if __name__ == "__main__":
    main(sys.argv[1:])
