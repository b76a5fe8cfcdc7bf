"""
HTTPS client for difosd-web inside a lab namespace.

Sockets are created inside the namespace (setns on this thread, then back),
so the test process talks to the router like a LAN device would. Only
addresses inside the lab's namespaces are ever contacted.
"""

import base64
import ctypes
import http.client
import json
import os
import socket
import ssl
import struct
import threading
import time

_libc = ctypes.CDLL(None, use_errno=True)
_CLONE_NEWNET = 0x40000000
_ns_lock = threading.Lock()

COOKIE = "__Host-difos_session"
CSRF_HEADER = "X-Auth-Token"


def ns_connect(ns, host, port, timeout=10, family=socket.AF_INET, source=None):
    """A TCP socket connected from inside network namespace ns (from the
    address source when given)."""
    with _ns_lock:
        orig = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        target = os.open("/run/netns/" + ns, os.O_RDONLY)
        try:
            if _libc.setns(target, _CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns " + ns)
            try:
                s = socket.socket(family, socket.SOCK_STREAM)
            finally:
                if _libc.setns(orig, _CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns back")
        finally:
            os.close(orig)
            os.close(target)
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    s.connect((host, port))
    return s


def wait_web(ns, addr, port=443, timeout=20):
    """Waits until difosd-web accepts TCP connections at addr:port from ns."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            ns_connect(ns, addr, port, timeout=1).close()
            return
        except OSError as e:
            if time.monotonic() >= deadline:
                raise AssertionError("difosd-web does not accept on %s:%d after %ss: %s" %
                                     (addr, port, timeout, e))
            time.sleep(0.2)


def tls_context(alpn=("http/1.1",)):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE   # the factory certificate is self-signed
    ctx.set_alpn_protocols(list(alpn))
    return ctx


class Response:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers            # list of (name, value)
        self.raw = raw
        try:
            self.json = json.loads(raw) if raw else None
        except ValueError:
            self.json = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def error(self):
        return (self.json or {}).get("error") if isinstance(self.json, dict) else None

    def __repr__(self):
        return "<%d %s>" % (self.status, self.raw[:300])


class Client:
    """One browser-like client: keeps the session cookie and the CSRF token."""

    def __init__(self, ns, host="192.168.1.1", port=443, family=socket.AF_INET):
        self.ns, self.host, self.port, self.family = ns, host, port, family
        self.cookie = None
        self.csrf = None
        self.bearer = None
        self.source = None      # the client's own address, when it has several
        self.elapsed = None     # seconds from the request sent to the answer read

    def host_header(self):
        """As a browser writes it: an IPv6 address in brackets, the port unless 443."""
        host = "[%s]" % self.host if ":" in self.host else self.host
        return host if self.port == 443 else "%s:%d" % (host, self.port)

    def _conn(self, timeout=30):
        sock = ns_connect(self.ns, self.host, self.port, timeout, self.family, self.source)
        tls = tls_context().wrap_socket(sock, server_hostname=None)
        c = http.client.HTTPSConnection(self.host, self.port, timeout=timeout)
        c.sock = tls
        return c

    def request(self, method, path, body=None, headers=None, csrf=True, raw_body=None,
                timeout=30):
        h = {"Host": self.host_header()}
        if self.cookie:
            h["Cookie"] = "%s=%s" % (COOKIE, self.cookie)
        if self.bearer:
            h["Authorization"] = "Bearer " + self.bearer
        if csrf and method not in ("GET", "HEAD") and (self.csrf or csrf == "login"):
            h[CSRF_HEADER] = self.csrf if csrf is True else csrf
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        c = self._conn(timeout)
        try:
            c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for k, v in h.items():
                c.putheader(k, v)
            if data is not None:
                c.putheader("Content-Length", str(len(data)))
            t0 = time.monotonic()
            c.endheaders(data)
            r = c.getresponse()
            resp = Response(r.status, r.getheaders(), r.read().decode(errors="replace"))
            self.elapsed = time.monotonic() - t0
        finally:
            c.close()
        for v in resp.all("Set-Cookie"):
            name, _, rest = v.partition("=")
            if name == COOKIE:
                val = rest.split(";")[0]
                self.cookie = val or None
        if isinstance(resp.json, dict) and "csrf" in resp.json and resp.status == 200:
            self.csrf = resp.json["csrf"]
        return resp

    def api(self, method, path, body=None, **kw):
        return self.request(method, "/api/v1" + path, body, **kw)

    def login(self, password, user="admin"):
        return self.api("POST", "/auth/login", {"user": user, "password": password}, csrf="login")

    def websocket(self, path="/api/v1/events", protocol="difos-events", timeout=10, host=None,
                  origin=None):
        """Opens a WebSocket (HTTP/1.1 upgrade); returns (status line, socket).
        host: the Host (and Origin) to send instead of the client's own;
        origin: another Origin than https://<host>."""
        sock = ns_connect(self.ns, self.host, self.port, timeout, self.family)
        tls = tls_context().wrap_socket(sock, server_hostname=None)
        key = base64.b64encode(os.urandom(16)).decode()
        host = host or self.host_header()
        lines = ["GET %s HTTP/1.1" % path, "Host: %s" % host, "Upgrade: websocket",
                 "Connection: Upgrade", "Sec-WebSocket-Key: " + key,
                 "Sec-WebSocket-Version: 13", "Origin: " + (origin or "https://%s" % host)]
        if protocol:
            lines.append("Sec-WebSocket-Protocol: " + protocol)
        if self.cookie:
            lines.append("Cookie: %s=%s" % (COOKIE, self.cookie))
        tls.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = tls.recv(4096)
            if not chunk:
                break
            head += chunk
        status = head.split(b"\r\n", 1)[0].decode(errors="replace")
        return status, WebSocket(tls, head.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in head else b"")


class WebSocket:
    def __init__(self, sock, pending=b""):
        self.sock = sock
        self.buf = pending

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        """Next message: (opcode, payload bytes). Opcode 8 is close."""
        b1, b2 = self._read(2)
        n = b2 & 0x7f
        if n == 126:
            n = struct.unpack(">H", self._read(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self._read(8))[0]
        if b2 & 0x80:
            self._read(4)
        return b1 & 0x0f, self._read(n)

    def send(self, payload, opcode=2):
        """Sends one message, masked as a browser's: binary (2) or text (1)."""
        if isinstance(payload, str):
            payload = payload.encode()
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + body)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
