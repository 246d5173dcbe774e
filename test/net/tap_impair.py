#!/usr/bin/env python3
"""tap_impair.py - a user-space netem between two tap devices, for the
impaired-link TCP test (test/net/tcp-linux, mode impair).

Layer: host-side test helper; tcp-linux starts it in the guest's network
namespace. It reads the frames QEMU writes into tap QEMU_IF through a
packet socket and writes them into tap HOST_IF (whose descriptor it
holds, so the device may then be moved into the peer's namespace), and
back: frames the peer's kernel sends out of HOST_IF go into QEMU_IF.
Each direction (when impaired) drops --loss percent, and delays the rest
by --delay ms +- --jitter ms, except --reorder percent which go at once
(as netem's "reorder": they overtake the delayed ones). Random choices
come from --seed, so a run can be repeated. --dirs-file names a file
that holds "both" or "to-host" (only guest -> host is impaired: the host
side has real netem), read once the file is non-empty.

  tap_impair.py QEMU_IF HOST_IF [--loss P] [--delay MS] [--jitter MS]
                [--reorder P] [--seed N] [--dirs-file PATH]

Prints "relay ready" when both devices are open, counts on exit (SIGTERM).
"""
import argparse
import fcntl
import heapq
import os
import random
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("qemu_if")
    ap.add_argument("host_if")
    ap.add_argument("--loss", type=float, default=2.0)
    ap.add_argument("--delay", type=float, default=10.0)
    ap.add_argument("--jitter", type=float, default=5.0)
    ap.add_argument("--reorder", type=float, default=25.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dirs-file")
    a = ap.parse_args()

    tun = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tun, TUNSETIFF,
                struct.pack("16sH", a.host_if.encode(), IFF_TAP | IFF_NO_PI))
    pk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    pk.bind((a.qemu_if, 0))
    pk.setblocking(False)
    os.set_blocking(tun, False)
    rnd = random.Random(a.seed)
    stats = {"to-host": [0, 0, 0], "to-guest": [0, 0, 0]}  # seen, lost, early
    dirs = None if a.dirs_file else "both"
    done = False

    def stop(*_):
        nonlocal done
        done = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("relay ready: %s <-> %s, loss %g%%, delay %g ms +- %g ms, reorder %g%%, seed %d"
          % (a.qemu_if, a.host_if, a.loss, a.delay, a.jitter, a.reorder, a.seed),
          flush=True)
    queue = []  # (due, n, direction, frame)
    n = 0

    def put(direction, frame):
        nonlocal n
        st = stats[direction]
        st[0] += 1
        impaired = dirs == "both" or (dirs == "to-host" and direction == "to-host")
        if impaired:
            if rnd.random() * 100 < a.loss:
                st[1] += 1
                return
            if rnd.random() * 100 < a.reorder:
                st[2] += 1
                due = 0.0
            else:
                due = time.monotonic() + max(0.0, a.delay + rnd.uniform(-a.jitter, a.jitter)) / 1000
        else:
            due = 0.0
        if due == 0.0:
            out(direction, frame)
        else:
            n += 1
            heapq.heappush(queue, (due, n, direction, frame))

    def out(direction, frame):
        try:
            if direction == "to-host":
                os.write(tun, frame)
            else:
                pk.send(frame)
        except OSError:
            pass  # a full queue or a device going away: the frame is lost

    while not done:
        if dirs is None:
            try:
                with open(a.dirs_file) as f:
                    d = f.read().strip()
                if d in ("both", "to-host"):
                    dirs = d
            except OSError:
                pass
        timeout = 0.05
        if queue:
            timeout = max(0.0, min(timeout, queue[0][0] - time.monotonic()))
        try:
            r, _, _ = select.select([tun, pk], [], [], timeout)
        except InterruptedError:
            continue
        if pk in r:
            while True:
                try:
                    frame, addr = pk.recvfrom(65536)
                except BlockingIOError:
                    break
                if addr[2] != PACKET_OUTGOING:  # not our own writes
                    put("to-host", frame)
        if tun in r:
            while True:
                try:
                    frame = os.read(tun, 65536)
                except BlockingIOError:
                    break
                put("to-guest", frame)
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, direction, frame = heapq.heappop(queue)
            out(direction, frame)
    for d, (seen, lost, early) in stats.items():
        print("relay %s: %d frames, %d lost, %d sent at once" % (d, seen, lost, early),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
