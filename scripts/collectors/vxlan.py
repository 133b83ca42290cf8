#!/usr/bin/env python3
"""Wraps every frame of a classic pcap in VXLAN (RFC 7348), for scripts/test-collectors.

    vxlan.py IN.pcap OUT.pcap

Each frame becomes outer Ethernet (14 bytes) + IPv4 192.0.2.1 -> 192.0.2.2 (20) + UDP to
port 4789 (8) + VXLAN with VNI 42 (8) + the frame: 50 bytes of encapsulation per frame.
Prints the number of frames.
"""
import struct, sys

data = open(sys.argv[1], "rb").read()
e = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
out = open(sys.argv[2], "wb")
out.write(data[:24])
o, n = 24, 0
while o + 16 <= len(data):
    ts, us, cl, _ = struct.unpack(e + "IIII", data[o:o + 16])
    frame = data[o + 16:o + 16 + cl]
    o += 16 + cl
    vx = struct.pack("!BBHI", 0x08, 0, 0, 42 << 8) + frame
    udp = struct.pack("!HHHH", 49152, 4789, 8 + len(vx), 0) + vx
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), n & 0xFFFF, 0x4000, 64, 17, 0,
                     bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    s = sum(struct.unpack("!10H", ip))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    ip = ip[:10] + struct.pack("!H", ~s & 0xFFFF) + ip[12:]
    f = bytes([2, 0, 0, 0, 0, 0x0B, 2, 0, 0, 0, 0, 0x0A, 8, 0]) + ip + udp
    out.write(struct.pack(e + "IIII", ts, us, len(f), len(f)) + f)
    n += 1
print(n)
