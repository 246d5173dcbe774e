#!/usr/bin/env python3
# gen_net_fuzz_corpus.py - writes the seed corpus of fuzz_net_rx into
# net_fuzz_corpus/ (see fuzz_net_rx.c for the input format): ARP, ICMP
# echo, UDP to the echo port, fragments, DHCP and ICMP errors, as eth0
# frames from 10.0.2.2 to 10.0.2.15. Run it again after changing it.
import os, struct

ME = bytes([10, 0, 2, 15]); PEER = bytes([10, 0, 2, 2])
MYMAC = bytes([0x52, 0x54, 0x00, 0x12, 0x34, 0x56])
PEERMAC = bytes([0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc])

def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def eth(payload, typ, dst=MYMAC):
    return dst + PEERMAC + struct.pack('!H', typ) + payload

def ip(payload, proto, src=PEER, dst=ME, ident=1, frag=0):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + payload

def udp(payload, sport, dport, src=PEER, dst=ME):
    u = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
    c = csum(src + dst + struct.pack('!HH', 17, len(u)) + u) or 0xffff
    return u[:6] + struct.pack('!H', c) + u[8:]

def arp(oper, tpa):
    return struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, oper, PEERMAC, PEER, b'\0' * 6, tpa)

def icmp(typ, code, rest, body):
    m = struct.pack('!BBHI', typ, code, 0, rest) + body
    return m[:2] + struct.pack('!H', csum(m)) + m[4:]

def rec(frame, step=0):
    return struct.pack('!HB', len(frame), step) + frame

def dhcp(typ, xid=0):
    p = bytearray(240)
    p[0:3] = b'\x02\x01\x06'; p[4:8] = struct.pack('!I', xid); p[16:20] = ME
    p[28:34] = MYMAC; p[236:240] = b'\x63\x82\x53\x63'
    p += bytes([53, 1, typ, 54, 4]) + PEER + bytes([1, 4, 255, 255, 255, 0, 3, 4]) + PEER
    p += bytes([6, 4, 10, 0, 2, 3, 51, 4, 0, 1, 0x51, 0x80, 255])
    return bytes(p)

seeds = {}
seeds['arp'] = rec(eth(arp(1, ME), 0x0806, b'\xff' * 6)) + rec(eth(arp(2, ME), 0x0806), 4)
seeds['ping'] = rec(eth(ip(icmp(8, 0, 0x10001, bytes(range(56))), 1), 0x0800))
seeds['udp_echo'] = rec(eth(ip(udp(b'hello', 4000, 7), 17), 0x0800)) + \
    rec(eth(ip(udp(b'x', 4000, 9), 17), 0x0800), 1)
d = udp(bytes(range(256)) * 12, 4000, 7)
seeds['frags'] = rec(eth(ip(d[1480:2960], 17, ident=9, frag=0x2000 | 185), 0x0800)) + \
    rec(eth(ip(d[:1480], 17, ident=9, frag=0x2000), 0x0800)) + \
    rec(eth(ip(d[2960:], 17, ident=9, frag=370), 0x0800))
seeds['dhcp'] = rec(eth(ip(udp(dhcp(2), 67, 68, dst=b'\xff' * 4), 17, dst=b'\xff' * 4), 0x0800)) + \
    rec(eth(ip(udp(dhcp(5), 67, 68), 17), 0x0800), 2)
inner = ip(udp(b'q', 40000, 53, src=ME, dst=PEER), 17, src=ME, dst=PEER)[:28]
seeds['unreach'] = rec(eth(ip(icmp(3, 3, 0, inner), 1), 0x0800))
seeds['mcast'] = rec(eth(ip(udp(b'm', 5, 7, dst=bytes([224, 1, 2, 3])), 17, dst=bytes([224, 1, 2, 3])),
                         0x0800, bytes([1, 0, 0x5e, 1, 2, 3])))
seeds['lo_udp'] = rec(ip(udp(b'lo', 5, 7, src=bytes([127, 0, 0, 1]), dst=bytes([127, 0, 0, 1])), 17,
                         src=bytes([127, 0, 0, 1]), dst=bytes([127, 0, 0, 1])))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'net_fuzz_corpus')
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    first = b'\x01' if name.startswith('lo_') else b'\x00'
    with open(os.path.join(out, name), 'wb') as f:
        f.write(first + data)
    with open(os.path.join(out, name + '_fix'), 'wb') as f:
        f.write(bytes([first[0] | 2]) + data)
