"""
The SIP test lab (pbx_lab.py) proven on hand-written Asterisk configs: the
engine boots from the engine root through difos-engine-exec, two endpoints
register with digest auth, a wrong password is refused, and a call from one
extension to the other is answered, carries RTP both ways and leaves a CSV
CDR with ANSWERED; over TLS (the engine root's SIPp 3.8) a registration
works and a client that does not trust the pbx's certificate is refused.
One Asterisk serves the module.
"""

import os
from pathlib import Path

import pytest

import pbx_lab
from pbx_lab import PBX_ADDR, PEER_ADDR

PJSIP = """
[transport-udp]
type = transport
protocol = udp
bind = %(pbx)s:6067

[transport-tls]
type = transport
protocol = tls
bind = %(pbx)s:6069
cert_file = @ETC@/keys/pbx.crt
priv_key_file = @ETC@/keys/pbx.key
method = tlsv1_2

[endpoint-tpl](!)
type = endpoint
context = internal
disallow = all
allow = alaw,ulaw
dtmf_mode = rfc4733
direct_media = no
rtp_symmetric = yes
force_rport = yes
rewrite_contact = yes
media_address = %(pbx)s
bind_rtp_to_media_address = yes

[aor-tpl](!)
type = aor
max_contacts = 1
remove_existing = yes

[100](endpoint-tpl)
auth = 100-auth
aors = 100
callerid = "Alice" <100>
[100-auth]
type = auth
auth_type = userpass
username = 100
password = alice-secret-100
[100](aor-tpl)

[101](endpoint-tpl)
auth = 101-auth
aors = 101
callerid = "Bob" <101>
[101-auth]
type = auth
auth_type = userpass
username = 101
password = bob-secret-101
[101](aor-tpl)

[102](endpoint-tpl)
auth = 102-auth
aors = 102
[102-auth]
type = auth
auth_type = userpass
username = 102
password = carol-secret-102
[102](aor-tpl)
""" % {"pbx": PBX_ADDR}

EXTENSIONS = """
[general]
static = yes
writeprotect = yes

[internal]
exten => _1XX,1,Dial(PJSIP/${EXTEN},20)
 same => n,Hangup()
"""

# peer ports: SIP of each endpoint, and the callee's and caller's RTP
ALICE_SIP, BOB_SIP = 5061, 5070
ALICE_RTP, BOB_RTP = 6000, 6100


@pytest.fixture(scope="module")
def lab():
    with pbx_lab.pbx_lab() as lb:
        lb.ca = lb.make_ca("pbx")
        crt, key = lb.make_cert(lb.ca, "pbx", PBX_ADDR)
        lb.ast = lb.start_asterisk({"pjsip.conf": PJSIP, "extensions.conf": EXTENSIONS,
                                    "keys/pbx.crt": crt, "keys/pbx.key": key})
        yield lb


def contacts(ast):
    """Contact URIs per endpoint, from AMI PJSIPShowContacts."""
    r = ast.ami.action("PJSIPShowContacts")
    assert r.get("Response") == "Success", r
    ast.ami.wait_event(lambda e: e.get("Event") == "ContactListComplete")
    out = {}
    for e in [e for e in ast.ami.events if e.get("Event") == "ContactList"]:
        out.setdefault(e.get("Endpoint"), []).append(e.get("Uri"))
    ast.ami.events = [e for e in ast.ami.events if e.get("Event") != "ContactList"]
    return out


def test_asterisk_runs_from_the_engine_root(lab):
    ast = lab.ast
    assert ast.booted_in < 15
    # chrooted in the root, in a mount namespace of its own, same pid as spawned
    pid = ast.proc.pid
    assert os.path.realpath("/proc/%d/root" % pid) == str(pbx_lab.ENGINE_ROOT)
    assert os.readlink("/proc/%d/ns/mnt" % pid) != os.readlink("/proc/self/ns/mnt")
    assert Path("/proc/%d/comm" % pid).read_text().strip() == "asterisk"
    settings = ast.ami.action("CoreSettings")
    assert settings.get("AsteriskVersion", "").startswith("22."), settings
    # and the CLI through AMI
    assert any("System uptime" in ln for ln in ast.ami.command("core show uptime"))
    # the instance folder is where the config says: the control socket is in it
    assert (ast.dir / "run/asterisk.ctl").exists()


def test_two_endpoints_register_with_digest_auth(lab):
    a = lab.register("100", "alice-secret-100", ALICE_SIP)
    assert a.ok, a.describe()
    b = lab.register("101", "bob-secret-101", BOB_SIP)
    assert b.ok, b.describe()
    # challenged first, accepted with the credentials
    assert a.responses == [401, 200] and b.responses == [401, 200]
    assert a.counter("SuccessfulCall") == 1
    c = contacts(lab.ast)
    assert any("%s:%d" % (PEER_ADDR, ALICE_SIP) in u for u in c.get("100", [])), c
    assert any("%s:%d" % (PEER_ADDR, BOB_SIP) in u for u in c.get("101", [])), c


def test_a_wrong_password_is_refused(lab):
    r = lab.register("100", "not-alices-password", 5062)
    assert r.rc == 1, r.describe()
    assert r.responses == [401, 401], r.describe()
    assert r.counter("FailedCall") == 1
    # and nothing was registered from that port
    assert not any(":5062" in u for u in contacts(lab.ast).get("100", []))


def test_an_extension_calls_another_with_rtp_both_ways_and_a_cdr(lab):
    assert lab.register("100", "alice-secret-100", ALICE_SIP).ok
    assert lab.register("101", "bob-secret-101", BOB_SIP).ok
    cap = lab.capture()
    bob = lab.answer(BOB_SIP, BOB_RTP)
    alice = lab.call("100", "alice-secret-100", "101", ALICE_SIP, ALICE_RTP, talk_ms=2500)
    ra = alice.wait(30)
    rb = bob.wait(10)
    packets = lab.capture_packets(cap)
    assert ra.ok, ra.describe()
    assert rb.ok, rb.describe()
    assert 401 in ra.responses and ra.responses[-1] == 200

    # on the wire, all four legs carried RTP: caller -> pbx -> callee, and
    # the callee's echo back through the pbx to the caller
    def between(src, dst):
        return sum(n for (s, d), n in packets.items()
                   if s.startswith(src) and d.startswith(dst))
    alice_media = "%s.%d" % (PEER_ADDR, ALICE_RTP)
    bob_media = "%s.%d" % (PEER_ADDR, BOB_RTP)
    legs = {
        "caller to pbx": between(alice_media, PBX_ADDR + "."),
        "pbx to callee": between(PBX_ADDR + ".", bob_media),
        "callee to pbx": between(bob_media, PBX_ADDR + "."),
        "pbx to caller": between(PBX_ADDR + ".", alice_media),
    }
    assert all(n >= 40 for n in legs.values()), (legs, packets)

    # the CSV CDR: src 100, dst 101, to Bob's channel, ANSWERED
    rows = [r for r in lab.ast.cdr_rows() if r[1:3] == ["100", "101"]]
    assert rows, lab.ast.cdr_csv.read_text() if lab.ast.cdr_csv.exists() else "no CDR file"
    row = rows[-1]
    assert "ANSWERED" in row, row
    assert row[6].startswith("PJSIP/101-"), row
    assert int(row[13]) >= 2, row    # billsec: the talk time


def test_tls_register_with_the_roots_sipp(lab):
    ca_crt = lab.ca[0]
    r = lab.register("102", "carol-secret-102", 5064, transport="tls", pbx_port=6069,
                     tls_ca=ca_crt)
    assert r.ok, r.describe()
    assert r.responses == [401, 200], r.messages
    assert "SIP/2.0/TLS" in r.messages
    # Asterisk saw the contact made over TLS (it drops it again when the
    # connection closes, as it does for every connection-oriented contact)
    e = lab.ast.ami.wait_event(lambda e: e.get("Event") == "ContactStatus" and
                               e.get("AOR") == "102" and e.get("ContactStatus") != "Removed")
    assert e.get("URI") == "sip:102@%s:5064;transport=TLS" % PEER_ADDR, e
    # a wrong password over TLS is refused like over UDP
    r = lab.register("102", "wrong", 5065, transport="tls", pbx_port=6069, tls_ca=ca_crt)
    assert r.rc == 1 and r.responses == [401, 401], r.describe()


def test_tls_client_that_does_not_trust_the_pbx_is_refused(lab):
    other, _ = lab.make_ca("other")
    r = lab.register("102", "carol-secret-102", 5066, transport="tls", pbx_port=6069,
                     tls_ca=other, timeout=5)
    assert r.rc != 0, r.describe()
    # no SIP answer ever reached it: the handshake failed
    assert r.responses == [], r.describe()
