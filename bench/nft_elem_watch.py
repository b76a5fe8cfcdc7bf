#!/usr/bin/python3
"""Prints, for every element added to an nftables set in this network
namespace, when the kernel said so: it listens to nftables' netlink
notifications (NETLINK_NETFILTER, group NFNLGRP_NFTABLES) and writes one
line per element

    <CLOCK_MONOTONIC seconds> <table> <set> <address>

flushed at once; "ready" first, once it listens. Nothing is polled: the
kernel sends the notification as it commits the element, so watching adds
no work to what is measured. Used by bench/ips_latency_bench.py, started
with `ip netns exec <ns>`.
"""
import ipaddress, socket, struct, sys, time

NETLINK_NETFILTER = 12
NFNLGRP_NFTABLES = 7
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
SO_RCVBUFFORCE = 33
NFNL_SUBSYS_NFTABLES = 10
NFT_MSG_NEWSETELEM = 12
NFTA_SET_ELEM_LIST_TABLE, NFTA_SET_ELEM_LIST_SET, NFTA_SET_ELEM_LIST_ELEMENTS = 1, 2, 3
NFTA_LIST_ELEM = 1
NFTA_SET_ELEM_KEY, NFTA_SET_ELEM_FLAGS = 1, 3
NFTA_DATA_VALUE = 1
NFT_SET_ELEM_INTERVAL_END = 1


def attrs(b):
    """(type, payload) of each netlink attribute in b."""
    off = 0
    while off + 4 <= len(b):
        ln, ty = struct.unpack_from("=HH", b, off)
        if ln < 4:
            break
        yield ty & 0x3FFF, b[off + 4:off + ln]
        off += (ln + 3) & ~3


def elements(payload):
    """table, set and the keys (bytes) of one NEWSETELEM message's payload."""
    table = set_ = ""
    keys = []
    for ty, v in attrs(payload[4:]):   # after struct nfgenmsg
        if ty == NFTA_SET_ELEM_LIST_TABLE:
            table = v.rstrip(b"\0").decode()
        elif ty == NFTA_SET_ELEM_LIST_SET:
            set_ = v.rstrip(b"\0").decode()
        elif ty == NFTA_SET_ELEM_LIST_ELEMENTS:
            for ety, e in attrs(v):
                if ety != NFTA_LIST_ELEM:
                    continue
                key, flags = None, 0
                for kty, kv in attrs(e):
                    if kty == NFTA_SET_ELEM_KEY:
                        key = dict(attrs(kv)).get(NFTA_DATA_VALUE)
                    elif kty == NFTA_SET_ELEM_FLAGS:
                        flags = struct.unpack(">I", kv[:4])[0]
                if key is not None and not flags & NFT_SET_ELEM_INTERVAL_END:
                    keys.append(key)
    return table, set_, keys


def text(key):
    if len(key) == 4:
        return str(ipaddress.IPv4Address(key))
    if len(key) == 16:
        return str(ipaddress.IPv6Address(key))
    return key.hex()


def main():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
    s.bind((0, 0))
    s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, NFNLGRP_NFTABLES)
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    want = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWSETELEM
    while True:
        data = s.recv(1 << 20)
        t = time.monotonic()
        off, lines = 0, []
        while off + 16 <= len(data):
            ln, ty = struct.unpack_from("=IH", data, off)
            if ln < 16:
                break
            if ty == want:
                table, set_, keys = elements(data[off + 16:off + ln])
                lines += ["%.6f %s %s %s\n" % (t, table, set_, text(k)) for k in keys]
            off += (ln + 3) & ~3
        if lines:
            out.write("".join(lines))
            out.flush()


if __name__ == "__main__":
    try:
        main()
    except (KeyboardInterrupt, BrokenPipeError):
        pass
