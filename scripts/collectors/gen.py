#!/usr/bin/env python3
"""Writes the collector cross-check's input capture and the model of what it holds.

    gen.py OUT.pcap MODEL.json ASN.tsv

A deterministic mix of TCP, UDP and ICMP flows, IPv4 and IPv6, untagged and 802.1Q
(VLAN 100), between hosts of the fixture's address table (and a few addresses in no
table), over ten minutes from 2024-04-06T01:00:00Z, every frame whole, no IP fragment.
The Ethernet addresses are routers of trombone-ixp's synthetic CNX member list (and one
MAC of no member), so the capture also stands for an IXP peering LAN.

The model (written by this generator from what it wrote, never by running an analyzer):
per (src ASN, dst ASN, IP version) packets, bytes (IP length), the sum of squared sizes and
the largest size (for the sampling bound), and per (src member, dst member) by MAC.
"""
import ipaddress, json, random, struct, sys

out_pcap, out_model, asn_tsv = sys.argv[1:4]
rng = random.Random(20240406)

# address table: (first, last, asn)
ranges = []
for line in open(asn_tsv):
    f = line.rstrip("\n").split("\t")
    a, b = ipaddress.ip_address(f[0]), ipaddress.ip_address(f[1])
    ranges.append((a, b, int(f[2])))

def asn(ip):
    for a, b, n in ranges:
        if a.version == ip.version and a <= ip <= b:
            return n
    return 0

def host(r):
    a, b, _ = r
    span = int(b) - int(a)
    return ipaddress.ip_address(int(a) + rng.randrange(1, min(span, 4000)))

v4 = [r for r in ranges if r[0].version == 4]
v6 = [r for r in ranges if r[0].version == 6]
unknown4 = [ipaddress.ip_address(x) for x in ("198.51.100.23", "100.72.14.9")]
unknown6 = [ipaddress.ip_address("2001:db8:40::17")]

# CNX member routers (crates/ixp/tests/data/README.md) and one MAC of no member
MACS = {
    "02:00:5e:10:00:11": 64496, "02:00:5e:10:00:12": 64497, "02:00:5e:10:00:13": 64498,
    "02:00:5e:10:00:01": 64499, "02:00:5e:10:00:20": 64500, "02:00:00:00:00:99": 0,
}
mac_list = list(MACS)

def macb(m):
    return bytes(int(x, 16) for x in m.split(":"))

def csum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF

T0 = 1712365200 * 1_000_000  # µs
packets = []  # (ts_us, frame, src, dst, l3, smac, dmac)

def flow_packets(src, dst, proto, sport, dport, n, t, vlan, smac, dmac):
    for i in range(n):
        if proto == 6:
            l4 = 20
        elif proto == 17:
            l4 = 8
        else:
            l4 = 8
        hdr = 20 if src.version == 4 else 40
        size = rng.choice([hdr + l4, hdr + l4 + rng.randrange(0, 1460 - hdr - l4 + 20)])
        size = max(size, hdr + l4)
        size = min(size, 1500)
        plen = size - hdr
        if proto == 6:
            l4b = struct.pack("!HHIIBBHHH", sport, dport, 1000 + i, 0, 5 << 4, 0x18 if i else 0x02, 65535, 0, 0)
        elif proto == 17:
            l4b = struct.pack("!HHHH", sport, dport, plen, 0)
        else:
            ty = 8 if src.version == 4 else 128
            l4b = struct.pack("!BBHHH", ty, 0, 0, sport, i)
        payload = l4b + bytes(plen - len(l4b))
        if src.version == 4:
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, size, rng.randrange(65536), 0x4000, 64,
                             proto if proto != 1 else 1, 0, src.packed, dst.packed)
            ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
            et = 0x0800
        else:
            ip = struct.pack("!IHBB16s16s", 6 << 28, plen, proto if proto != 1 else 58, 64,
                             src.packed, dst.packed)
            et = 0x86DD
        eth = macb(dmac) + macb(smac)
        if vlan:
            eth += struct.pack("!HH", 0x8100, vlan)
        frame = eth + struct.pack("!H", et) + ip + payload
        packets.append((t, frame, src, dst, size, smac, dmac))
        t += rng.randrange(1_000, 500_000)

for k in range(400):
    six = rng.random() < 0.25
    pool, unk = (v6, unknown6) if six else (v4, unknown4)
    s = host(rng.choice(pool)) if rng.random() > 0.05 else rng.choice(unk)
    d = host(rng.choice(pool)) if rng.random() > 0.05 else rng.choice(unk)
    if s == d:
        continue
    proto = rng.choices([6, 17, 1], [6, 3, 1])[0]
    sport, dport = rng.randrange(1024, 65535), rng.choice([80, 443, 53, 123, 8080])
    n = min(1 + int(rng.expovariate(1 / 12)), 120)
    t = T0 + rng.randrange(0, 600_000_000)
    vlan = 100 if rng.random() < 0.33 else 0
    smac, dmac = rng.sample(mac_list, 2)
    flow_packets(s, d, proto, sport, dport, n, t, vlan, smac, dmac)
    if proto == 6:  # the answers
        flow_packets(d, s, proto, dport, sport, max(1, n // 2), t + 20_000, vlan, dmac, smac)

packets.sort(key=lambda p: p[0])
with open(out_pcap, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for t, frame, *_ in packets:
        f.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(frame), len(frame)))
        f.write(frame)

model = {"pairs": {}, "members": {}, "packets": len(packets)}
for t, frame, s, d, size, smac, dmac in packets:
    k = "%d %d %d" % (asn(s), asn(d), s.version)
    e = model["pairs"].setdefault(k, [0, 0, 0, 0])
    e[0] += 1
    e[1] += size
    e[2] += size * size
    e[3] = max(e[3], size)
    m = "%d %d" % (MACS[smac], MACS[dmac])
    e = model["members"].setdefault(m, [0, 0])
    e[0] += 1
    e[1] += size
json.dump(model, open(out_model, "w"), indent=0, sort_keys=True)
print("gen.py: %d packets, %d AS pairs" % (len(packets), len(model["pairs"])), file=sys.stderr)
