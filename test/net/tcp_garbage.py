#!/usr/bin/env python3
"""tcp_garbage.py - a peer that sends the image garbage TCP segments
(scapy, Debian python3-scapy), for the tap test in test/net/tcp-linux
(mode tap, a step "!python3 @DIR/tcp_garbage.py ...").

Layer: host-side test helper, run in the namespace that holds the tap
device IFACE (the host side, 10.99.0.1; the image is GUEST). Spoofed
connections use the address SPOOF (10.99.0.3), which the kernel does not
own (so it sends no RSTs of its own for them); this script answers the
image's ARP for it.

1. RFC 9293 / RFC 5961 answers, each checked by sniffing the image's
   reply: SYN and ACK to a closed port (RST), on an established
   connection (on PORT2, where nobody accepts): in-window RST not at
   RCV.NXT, SYN, SYN+FIN (challenge ACK), data out of window, ACK for
   data never sent, ACK older than the window (an ACK), no flags, bad
   checksum (nothing; the connection still takes data), SYN+RST and a
   RST at RCV.NXT (reset: then an ACK to it gets a RST).
2. Hammering: while each COMMAND (the healthy transfers, e.g. the
   tcp_linux client) runs in turn, garbage goes to PORT from SPOOF and to the healthy
   connection's own 4-tuple and its neighbours (spoofed from the host's
   address, with sequence numbers out of its window, bad checksums, bad
   flag sets). Every COMMAND must succeed.
Exit 0 when all held; "FAIL: ..." lines otherwise.

  tcp_garbage.py IFACE GUEST PORT PORT2 -- COMMAND... [-- COMMAND...]
"""
import os
import random
import subprocess
import sys
import threading
import time

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (ARP, IP, TCP, Ether, Raw, AsyncSniffer, conf,  # noqa: E402
                       get_if_hwaddr, raw)

SPOOF = "10.99.0.3"
fails = 0


def fail(msg):
    global fails
    fails += 1
    print("FAIL: " + msg, flush=True)


def ok(msg):
    print("ok: " + msg, flush=True)


class Peer:
    def __init__(self, iface, guest, port):
        self.iface, self.guest, self.port = iface, guest, port
        self.mac = get_if_hwaddr(iface)
        self.gmac = None
        self.seen = []          # TCP segments from the guest to SPOOF
        self.cv = threading.Condition()
        self.healthy = None     # (sport, host snd_nxt, host ack) of the transfer
        self.at_tuple = 0       # garbage sent at its 4-tuple and neighbours
        self.sock = conf.L2socket(iface=iface)
        self.sniffer = AsyncSniffer(iface=iface, store=False, prn=self.on_frame)
        self.sniffer.start()
        time.sleep(0.5)

    def on_frame(self, p):
        if ARP in p and p[ARP].op == 1 and p[ARP].pdst == SPOOF:
            self.gmac = p[ARP].hwsrc
            self.sock.send(Ether(dst=p[ARP].hwsrc, src=self.mac) /
                           ARP(op=2, hwsrc=self.mac, psrc=SPOOF,
                               hwdst=p[ARP].hwsrc, pdst=p[ARP].psrc))
            return
        if IP not in p or TCP not in p:
            return
        ip, t = p[IP], p[TCP]
        if ip.src == self.guest and ip.dst == SPOOF:
            self.gmac = p[Ether].src
            with self.cv:
                self.seen.append(t)
                self.cv.notify_all()
        elif ip.src == self.guest and t.sport == self.port:
            # the healthy connection, as the image sends it (we never
            # send from its address): what it expects next, and its seq
            self.healthy = (t.dport, t.ack, t.seq)
        if ip.src == self.guest:
            self.gmac = p[Ether].src

    def send(self, ip, t, payload=b"", badsum=False):
        pkt = IP(src=ip[0], dst=self.guest) / t
        if payload:
            pkt = pkt / Raw(payload)
        if badsum:
            good = IP(raw(pkt))[TCP].chksum
            pkt[TCP].chksum = good ^ 0x5a5a
        self.sock.send(Ether(dst=self.gmac or "ff:ff:ff:ff:ff:ff", src=self.mac) / pkt)

    def mark(self):
        with self.cv:
            return len(self.seen)

    def wait(self, since, pred, timeout=3.0):
        """The first segment after index since for which pred holds."""
        end = time.monotonic() + timeout
        with self.cv:
            i = since
            while True:
                while i < len(self.seen):
                    if pred(self.seen[i]):
                        return self.seen[i]
                    i += 1
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.cv.wait(left)


def flags(t):
    return int(t.flags)


def rfc_checks(pr, port2):
    s = (SPOOF,)
    # A SYN to a closed port: RST+ACK acking it (RFC 9293 3.10.7.1).
    sp = random.randint(20000, 60000)
    m = pr.mark()
    pr.send(s, TCP(sport=sp, dport=9, flags="S", seq=1000))
    r = pr.wait(m, lambda t: t.dport == sp)
    if not r or flags(r) & 0x14 != 0x14 or r.ack != 1001 or r.seq != 0:
        fail("SYN to a closed port: %s, expected RST+ACK ack 1001" % (r and r.summary()))
    else:
        ok("SYN to a closed port gets RST+ACK")
    # An ACK to a closed port: RST with seq = SEG.ACK.
    m = pr.mark()
    pr.send(s, TCP(sport=sp + 1, dport=9, flags="A", seq=5, ack=777777))
    r = pr.wait(m, lambda t: t.dport == sp + 1)
    if not r or not flags(r) & 0x04 or r.seq != 777777:
        fail("ACK to a closed port: %s, expected RST seq 777777" % (r and r.summary()))
    else:
        ok("ACK to a closed port gets RST with its ACK as the sequence number")

    # An established connection on port2 (nobody accepts it there).
    sp = random.randint(20000, 60000)
    x = random.randint(0, 2**32 - 1)
    m = pr.mark()
    pr.send(s, TCP(sport=sp, dport=port2, flags="S", seq=x, window=65535))
    sa = pr.wait(m, lambda t: t.dport == sp and flags(t) & 0x12 == 0x12)
    if not sa:
        fail("no SYN-ACK from port %d" % port2)
        return
    if sa.ack != (x + 1) & 0xffffffff:
        fail("SYN-ACK acks %d, expected %d" % (sa.ack, x + 1))
    y = (sa.seq + 1) & 0xffffffff
    nxt = (x + 1) & 0xffffffff
    pr.send(s, TCP(sport=sp, dport=port2, flags="A", seq=nxt, ack=y, window=65535))
    time.sleep(0.3)

    def seg(fl, seq=None, ack=None, data=b"", badsum=False, off=None):
        t = TCP(sport=sp, dport=port2, flags=fl, seq=nxt if seq is None else seq & 0xffffffff,
                ack=y if ack is None else ack & 0xffffffff, window=65535)
        if off is not None:
            t.dataofs = off
        m = pr.mark()
        pr.send(s, t, data, badsum)
        return m

    mine = lambda t: t.dport == sp  # noqa: E731

    def challenge(what, m):
        r = pr.wait(m, mine)
        if not r or flags(r) & 0x17 != 0x10 or r.ack != nxt or r.seq != y:
            fail("%s: %s, expected the challenge ACK seq %d ack %d" %
                 (what, r and "%s seq %d ack %d" % (r.sprintf("%TCP.flags%"), r.seq, r.ack),
                  y, nxt))
        else:
            ok("%s: challenge ACK" % what)

    def nothing(what, m, t=1.0):
        r = pr.wait(m, mine, t)
        if r:
            fail("%s: answered %s seq %d ack %d, expected nothing" %
                 (what, r.sprintf("%TCP.flags%"), r.seq, r.ack))
        else:
            ok("%s: dropped without an answer" % what)

    challenge("RST in the window but not at RCV.NXT (RFC 5961 3.2)", seg("R", seq=nxt + 100))
    challenge("SYN on an established connection (RFC 5961 4.2)", seg("S", seq=nxt + 5000))
    challenge("SYN+FIN on an established connection", seg("SF", seq=nxt + 7))
    challenge("data out of the window (RFC 9293 3.10.7.4)", seg("PA", seq=nxt + 10**7, data=b"far"))
    challenge("ACK for data never sent (RFC 5961 5.2)", seg("A", ack=y + 100000))
    challenge("ACK older than the window (RFC 5961 5.2)", seg("A", ack=y - 2**30))
    nothing("data with no flags", seg("", data=b"noflags"))
    nothing("data with a bad checksum", seg("PA", data=b"BAD!", badsum=True))
    nothing("a RST at RCV.NXT with a bad checksum", seg("R", badsum=True), 0.5)
    nothing("a header length past the segment", seg("A", off=15, data=b"x"), 0.5)
    nothing("a header length under 20 bytes", seg("A", off=2, data=b"xyzw"), 0.5)
    # Still alive: data at RCV.NXT is acked (so none of the above was taken).
    m = seg("PA", data=b"GOOD")
    r = pr.wait(m, lambda t: mine(t) and t.ack == (nxt + 4) & 0xffffffff)
    if not r:
        fail("the connection no longer takes data after the garbage")
        return
    ok("the connection still takes data (ack %d)" % r.ack)
    nxt = (nxt + 4) & 0xffffffff
    # SYN+RST in the window, not exact: RST processing first, so a
    # challenge ACK (or a drop), never a reset.
    m = seg("SR", seq=nxt + 3)
    r = pr.wait(m, mine, 1.0)
    if r and (flags(r) & 0x04):
        fail("SYN+RST answered with a RST")
    m = seg("PA", data=b"MORE")
    r = pr.wait(m, lambda t: mine(t) and t.ack == (nxt + 4) & 0xffffffff)
    if not r:
        fail("SYN+RST (not at RCV.NXT) broke the connection")
        return
    ok("SYN+RST not at RCV.NXT left the connection alone")
    nxt = (nxt + 4) & 0xffffffff
    # A RST exactly at RCV.NXT resets; after it, an ACK gets a RST.
    seg("R", seq=nxt)
    time.sleep(0.5)
    m = seg("A", ack=y)
    r = pr.wait(m, mine)
    if not r or not flags(r) & 0x04 or r.seq != y:
        fail("after a RST at RCV.NXT, an ACK got %s, expected RST seq %d" %
             (r and r.summary(), y))
    else:
        ok("a RST at RCV.NXT resets the connection (a later ACK gets RST)")


def garbage(pr, stop):
    """Garbage at the listening port and the healthy connection's 4-tuple
    and its neighbours until stop is set; returns the count sent."""
    rnd = random.Random(7)
    n = 0
    host = None
    kinds = ["SF", "SR", "", "F", "R", "A", "FPU", "SRAFPU", "SA", "U"]
    while not stop.is_set():
        h = pr.healthy
        # from SPOOF to the listening port: bad flag sets, bad checksums
        fl = rnd.choice(kinds)
        pr.send((SPOOF,), TCP(sport=rnd.randint(1024, 65535), dport=pr.port, flags=fl,
                              seq=rnd.getrandbits(32), ack=rnd.getrandbits(32)),
                b"garbage" if rnd.random() < 0.5 else b"", badsum=rnd.random() < 0.3)
        n += 1
        if h:
            if host is None:
                host = "10.99.0.1"  # the peer kernel's address
            sport, snd, ack = h
            for dp in (0, 1, -1, 2):
                sp = (sport + dp) & 0xffff
                # exact RST/SYN with a bad checksum; out-of-window
                # RST/data/ACKs; SYN+FIN/SYN+RST/no flags
                far = (snd + 2**31 - rnd.randint(0, 2**20)) & 0xffffffff
                for t, data, bad in (
                        (TCP(sport=sp, dport=pr.port, flags="R", seq=snd), b"", True),
                        (TCP(sport=sp, dport=pr.port, flags="RA", seq=snd, ack=ack), b"", True),
                        (TCP(sport=sp, dport=pr.port, flags="PA", seq=snd, ack=ack), b"X" * 64, True),
                        (TCP(sport=sp, dport=pr.port, flags="R", seq=far), b"", False),
                        (TCP(sport=sp, dport=pr.port, flags="PA", seq=far, ack=ack), b"Y" * 64, False),
                        (TCP(sport=sp, dport=pr.port, flags="A", seq=far, ack=(ack + 2**30) & 0xffffffff),
                         b"", False),
                        (TCP(sport=sp, dport=pr.port, flags="SF", seq=far), b"", False),
                        (TCP(sport=sp, dport=pr.port, flags="SR", seq=far), b"", False),
                        (TCP(sport=sp, dport=pr.port, flags="", seq=snd, ack=ack), b"Z" * 32, False)):
                    t.window = 1024
                    pr.send((host,), t, data, bad)
                    n += 1
                    pr.at_tuple += 1
        time.sleep(0.002)
    return n


def main():
    argv = sys.argv[1:]
    if "--" not in argv or argv.index("--") != 4:
        print("usage: tcp_garbage.py IFACE GUEST PORT PORT2 -- COMMAND... [-- COMMAND...]",
              file=sys.stderr)
        return 2
    iface, guest, port, port2 = argv[0], argv[1], int(argv[2]), int(argv[3])
    cmds = [[]]
    for w in argv[5:]:
        if w == "--":
            cmds.append([])
        else:
            cmds[-1].append(w)
    random.seed(os.getpid())
    pr = Peer(iface, guest, port)
    t0 = time.monotonic()
    rfc_checks(pr, port2)
    print("RFC checks took %.1f s" % (time.monotonic() - t0), flush=True)
    stop = threading.Event()
    count = [0]
    th = threading.Thread(target=lambda: count.__setitem__(0, garbage(pr, stop)))
    th.start()
    t0 = time.monotonic()
    rc = 0
    for cmd in cmds:
        rc = rc or subprocess.call(cmd)
    stop.set()
    th.join()
    print("healthy transfer: exit %d after %.1f s, %d garbage segments sent meanwhile"
          " (%d at its 4-tuple and its neighbours)"
          % (rc, time.monotonic() - t0, count[0], pr.at_tuple), flush=True)
    if rc != 0:
        fail("the healthy transfer failed beside the garbage")
    if not pr.at_tuple:
        fail("the healthy connection was never seen (nothing aimed at its 4-tuple)")
    pr.sniffer.stop()
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
