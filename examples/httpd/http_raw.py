#!/usr/bin/env python3
"""http_raw.py - the raw-socket checks of examples/httpd/httpd.c.

Called by examples/httpd/test-httpd (ctest -L net) with the server's
port and the web root it serves (a copy of examples/httpd/www plus
big/1m.bin). Checks what curl cannot send or show: malformed requests,
pipelining, traversal attempts, NULs, over-long heads and targets, HTTP/1.0
and Connection: close closing, keep-alive on 1.0, a request arriving byte
by byte, and that a client that stops reading a large file does not block
the others. Prints "ok NAME" / "FAIL NAME: why" per check; exits 1 on any
failure.

    http_raw.py PORT ROOT
"""
import os
import socket
import sys
import time

PORT = int(sys.argv[1])
ROOT = sys.argv[2]
failed = 0


def connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=20)
    return s


class Reader:
    """Responses read off one socket, in order."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.eof = False

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def response(self, head=False):
        while b"\r\n\r\n" not in self.buf:
            if not self.fill():
                raise EOFError("connection closed before a response")
        hdr, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = hdr.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
        n = 0 if head else int(headers.get("content-length", "0"))
        while len(self.buf) < n:
            if not self.fill():
                raise EOFError("connection closed inside a body")
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, headers, body

    def closed(self):
        """True when the server closes with nothing more to read."""
        try:
            while self.fill():
                pass
        except socket.timeout:
            return False
        return self.buf == b""


def check(name, fn):
    global failed
    try:
        why = fn()
    except Exception as e:  # a check that raises fails, with the reason
        why = "%s: %s" % (type(e).__name__, e)
    if why:
        failed = 1
        print("FAIL %s: %s" % (name, why))
    else:
        print("ok %s" % name)


def exchange(raw, head=False, keep_alive=False):
    """One request on a new connection; closed tells whether the server
    closed it after the answer (not asked when keep_alive is set)."""
    s = connect()
    s.sendall(raw)
    r = Reader(s)
    st, h, b = r.response(head)
    closed = None
    if not keep_alive:
        s.settimeout(5)
        closed = r.closed()
    s.close()
    return st, h, b, closed


def file(rel):
    with open(os.path.join(ROOT, rel), "rb") as f:
        return f.read()


def t_garbage():
    st, h, _, closed = exchange(b"hello there\r\n\r\n")
    if st != 400 or not closed:
        return "status %d, closed %s" % (st, closed)


def t_bad_version():
    st, _, _, closed = exchange(b"GET / HTTQ/1.1\r\nHost: x\r\n\r\n")
    if st != 400 or not closed:
        return "status %d, closed %s" % (st, closed)


def t_bad_header():
    st, _, _, _ = exchange(b"GET / HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n")
    if st != 400:
        return "status %d" % st


def t_no_host():
    st, _, _, _ = exchange(b"GET / HTTP/1.1\r\n\r\n")
    if st != 400:
        return "status %d" % st


def t_head_too_long():
    raw = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n"
    st, _, _, closed = exchange(raw)
    if st != 400 or not closed:
        return "status %d, closed %s" % (st, closed)


def t_uri_too_long():
    for n in (5000, 20000):
        raw = b"GET /" + b"a" * n + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        st, _, _, _ = exchange(raw, keep_alive=True)
        if st not in (400, 414):
            return "target of %d bytes: status %d" % (n, st)


def t_traversal():
    for target in ("/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                   "/files/..%2f..%2f..%2f..%2fetc/passwd",
                   "/files/../../etc/passwd", "/./../etc/passwd",
                   "/%2E%2E/%2e%2E/%2e%2e/%2e%2e/etc/passwd"):
        raw = ("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % target).encode()
        st, _, b, _ = exchange(raw, keep_alive=True)
        if st not in (400, 403, 404) or b"root:" in b:
            return "%s: status %d" % (target, st)
    raw = b"GET /files/../index.html HTTP/1.1\r\nHost: x\r\n\r\n"
    st, _, b, _ = exchange(raw, keep_alive=True)
    if st != 200 or b != file("index.html"):
        return "/files/../index.html: status %d" % st


def t_nul_and_escapes():
    for target in ("/index.html%00.txt", "/%00", "/index%2", "/index%zz"):
        raw = ("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % target).encode()
        st, _, _, _ = exchange(raw, keep_alive=True)
        if st != 400:
            return "%s: status %d" % (target, st)
    for raw in (b"GET /index.html\0 HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET / HTTP/1.1\r\nHost: x\r\nX-A: \0\r\n\r\n"):
        st, _, _, _ = exchange(raw)
        if st != 400:
            return "a raw NUL: status %d" % st
    raw = b"GET /%69ndex.html HTTP/1.1\r\nHost: x\r\n\r\n"
    st, _, b, _ = exchange(raw, keep_alive=True)
    if st != 200 or b != file("index.html"):
        return "/%%69ndex.html: status %d" % st


def t_pipelining():
    s = connect()
    s.sendall(b"GET /about.txt HTTP/1.1\r\nHost: x\r\n\r\n"
              b"HEAD /style.css HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /info.json HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /big/1m.bin HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /logo.svg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    r = Reader(s)
    want = [(200, "about.txt", False), (200, None, True), (404, None, False),
            (200, "info.json", False), (200, "big/1m.bin", False),
            (200, "logo.svg", False)]
    for i, (code, rel, head) in enumerate(want):
        st, h, b = r.response(head)
        if st != code:
            return "response %d: status %d, want %d" % (i + 1, st, code)
        if rel and b != file(rel):
            return "response %d: body is not %s" % (i + 1, rel)
        if head and int(h["content-length"]) != len(file("style.css")):
            return "HEAD: content-length %s" % h["content-length"]
    s.settimeout(5)
    if not r.closed():
        return "not closed after Connection: close"
    s.close()


def t_http10():
    st, h, b, closed = exchange(b"GET /about.txt HTTP/1.0\r\n\r\n")
    if st != 200 or b != file("about.txt") or not closed:
        return "status %d, closed %s" % (st, closed)


def t_http10_keepalive():
    s = connect()
    r = Reader(s)
    for _ in range(3):
        s.sendall(b"GET /about.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        st, h, b = r.response()
        if st != 200 or h.get("connection", "").lower() != "keep-alive":
            return "status %d, Connection: %s" % (st, h.get("connection"))
    s.close()


def t_connection_close():
    st, h, b, closed = exchange(
        b"GET /about.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    if st != 200 or not closed or h.get("connection") != "close":
        return "status %d, closed %s" % (st, closed)


def t_byte_by_byte():
    s = connect()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for ch in b"GET /info.json HTTP/1.1\r\nHost: x\r\n\r\n":
        s.sendall(bytes([ch]))
        time.sleep(0.002)
    st, _, b = Reader(s).response()
    s.close()
    if st != 200 or b != file("info.json"):
        return "status %d" % st


def t_slow_reader():
    """A client that stops reading a large file leaves the loop free."""
    s1 = connect()
    s1.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s1.sendall(b"GET /big/1m.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.5)
    t0 = time.time()
    st, _, b, _ = exchange(b"GET / HTTP/1.1\r\nHost: x\r\n"
                           b"Connection: close\r\n\r\n")
    if st != 200 or b != file("index.html"):
        return "second client: status %d" % st
    if time.time() - t0 > 10:
        return "second client waited %.1f s" % (time.time() - t0)
    st, _, b = Reader(s1).response()
    s1.close()
    if st != 200 or b != file("big/1m.bin"):
        return "slow client: status %d, %d bytes" % (st, len(b))


def t_body_closes():
    st, _, _, closed = exchange(b"POST / HTTP/1.1\r\nHost: x\r\n"
                                b"Content-Length: 5\r\n\r\nhello")
    if st != 405 or not closed:
        return "status %d, closed %s" % (st, closed)


def t_version():
    st, _, _, _ = exchange(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n")
    if st != 505:
        return "status %d" % st


for name, fn in sorted((k, v) for k, v in globals().items()
                       if k.startswith("t_")):
    check(name[2:], fn)
sys.exit(failed)
