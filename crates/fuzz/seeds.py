#!/usr/bin/env python3
"""Builds starting corpora for the fuzz targets from the shared reference data.

Usage: seeds.py SHARED_DIR OUT_DIR

Writes OUT_DIR/<target>/<name> files, small enough to fuzz quickly:
- packet_parse: single frames cut out of the shared pcap/pcapng captures, in
  the target's input layout (link-type selector byte, wire-length byte, frame);
- capture_read: the captures themselves (first 64 KiB of each);
- asdb_*: the first lines, and a few slices, of each shared ASN/country
  source, a 100-entry AS-names JSON, and the MaxMind test databases;
- asdb_combine: pairs and triples of those text snippets;
- bgp_mrt: the MRT samples (BIRD, OpenBGPD, Quagga) whole, the first records of the RouteViews
  RIB samples (plain, and recompressed with gzip and bzip2), and the RIS bview sample.
The 17 MB of captures and 22 MB of data stay in shared/; nothing here is committed.
"""

import gzip
import hashlib
import json
import os
import struct
import sys

# Must match trombone_fuzz::LINKTYPES (the selector byte is an index into it).
LINKTYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276]
CAPTURE_MAX = 64 * 1024
FRAME_MAX = 4096
FRAMES_PER_FILE = 4
TEXT_LINES = 60


def write(out, target, data, hint):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    name = hint + "-" + hashlib.sha1(data).hexdigest()[:12]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def pcap_frames(b):
    """Yields (linktype, frame) from a classic pcap file, stopping at damage."""
    magic = b[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    if len(b) < 24:
        return
    lt = struct.unpack(e + "I", b[20:24])[0] & 0x0FFFFFFF
    pos = 24
    while pos + 16 <= len(b):
        incl = struct.unpack(e + "I", b[pos + 8:pos + 12])[0]
        if incl > 262144 or pos + 16 + incl > len(b):
            return
        yield lt, b[pos + 16:pos + 16 + incl]
        pos += 16 + incl


def pcapng_frames(b):
    """Yields (linktype, frame) from a pcapng file (EPB, SPB, obsolete PB)."""
    pos = 0
    e = "<"
    ifaces = []
    while pos + 12 <= len(b):
        btype = struct.unpack(e + "I", b[pos:pos + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = b[pos + 8:pos + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack(e + "I", b[pos + 4:pos + 8])[0]
        if blen < 12 or blen % 4 or pos + blen > len(b):
            return
        body = b[pos + 8:pos + blen - 4]
        if btype == 1 and len(body) >= 2:
            ifaces.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            iface, _, _, cap = struct.unpack(e + "IIII", body[:16])
            if iface < len(ifaces) and 20 + cap <= len(body):
                yield ifaces[iface], body[20:20 + cap]
        elif btype == 3 and len(body) >= 4 and ifaces:
            yield ifaces[0], body[4:]
        elif btype == 2 and len(body) >= 20:
            iface = struct.unpack(e + "H", body[:2])[0]
            cap = struct.unpack(e + "I", body[12:16])[0]
            if iface < len(ifaces) and 20 + cap <= len(body):
                yield ifaces[iface], body[20:20 + cap]
        pos += blen


def read_maybe_gz(path):
    with open(path, "rb") as f:
        b = f.read()
    if b[:2] == b"\x1f\x8b":
        try:
            b = gzip.decompress(b)
        except Exception:
            return None
    return b


def captures(shared, out):
    seen = set()
    for root, _, files in os.walk(os.path.join(shared, "pcaps")):
        if "_expected_out" in root:
            continue
        for fn in sorted(files):
            path = os.path.join(root, fn)
            with open(path, "rb") as f:
                raw = f.read()
            plain = read_maybe_gz(path) if raw[:2] == b"\x1f\x8b" else raw
            if plain is None:
                continue
            if plain[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4",
                                 b"\xa1\xb2\x3c\x4d", b"\x0a\x0d\x0d\x0a"):
                continue
            write(out, "capture_read", raw[:CAPTURE_MAX], "cap")
            gen = pcapng_frames(plain) if plain[:4] == b"\x0a\x0d\x0d\x0a" else pcap_frames(plain)
            n = 0
            try:
                for lt, frame in gen:
                    if lt not in LINKTYPES or n >= FRAMES_PER_FILE:
                        continue
                    frame = frame[:FRAME_MAX]
                    key = (lt, frame[:64])
                    if key in seen:
                        continue
                    seen.add(key)
                    n += 1
                    write(out, "packet_parse", bytes([LINKTYPES.index(lt), 0]) + frame, "lt%d" % lt)
            except struct.error:
                pass


def lines_of(data, start, count):
    ls = data.split(b"\n")
    return b"\n".join(ls[start:start + count]) + b"\n"


def text_sources(shared, out):
    asn = os.path.join(shared, "data", "asn")
    snippets = []
    ip2asn = read_maybe_gz(os.path.join(asn, "ip2asn-v4-style.20240406.tsv.gz"))
    if ip2asn:
        n = ip2asn.count(b"\n")
        for start in (0, n // 3, (2 * n) // 3, max(n - TEXT_LINES, 0)):
            s = lines_of(ip2asn, start, TEXT_LINES)
            write(out, "asdb_ip2asn", s, "ip2asn")
            snippets.append(s)
    pfx = read_maybe_gz(os.path.join(asn, "routeviews-rv2-20240406.pfx2as.gz"))
    if pfx:
        ls = pfx.split(b"\n")
        multi = [l for l in ls[:200000] if b"_" in l or b"," in l][:20]
        v6 = [l for l in ls if b":" in l][:20]
        for s in (lines_of(pfx, 0, TEXT_LINES), lines_of(pfx, len(ls) // 2, TEXT_LINES),
                  b"\n".join(multi) + b"\n", b"\n".join(v6) + b"\n"):
            write(out, "asdb_pfx2as", s, "pfx2as")
            snippets.append(s)
    rir_path = os.path.join(asn, "delegated-apnic-latest.20241001")
    if os.path.exists(rir_path):
        with open(rir_path, "rb") as f:
            rir = f.read()
        ls = rir.split(b"\n")
        body = [i for i, l in enumerate(ls) if l and not l.startswith(b"#")]
        header = [ls[i] for i in body[:4]]  # version line and summary lines
        for kind in (b"|ipv4|", b"|ipv6|", b"|asn|"):
            recs = [l for l in ls if kind in l and b"|summary" not in l]
            for part in (recs[:TEXT_LINES], recs[len(recs) // 2:len(recs) // 2 + TEXT_LINES]):
                s = b"\n".join(header + part) + b"\n"
                write(out, "asdb_rir", s, "rir")
                snippets.append(s)
        write(out, "asdb_rir", b"\n".join(ls[:body[0] + TEXT_LINES]) + b"\n", "rir-head")
    cidr = os.path.join(asn, "country-cidr-20260817")
    if os.path.isdir(cidr):
        for fn in sorted(os.listdir(cidr)):
            if fn.endswith(".list") and ("laos" in fn or "cambodia" in fn):
                with open(os.path.join(cidr, fn), "rb") as f:
                    s = lines_of(f.read(), 0, TEXT_LINES)
                write(out, "asdb_pmacct", s, "cidr")
                snippets.append(s)
    names = read_maybe_gz(os.path.join(asn, "asnames.json.gz"))
    if names:
        d = json.loads(names)
        items = list(d.items())
        for part in (items[:100], items[len(items) // 2:len(items) // 2 + 100]):
            s = json.dumps(dict(part), ensure_ascii=False).encode()
            write(out, "asdb_asnames", s, "asnames")
            snippets.append(s)
    # Several files at once: each pair and one triple of different formats.
    sep = b"\n@@\n"
    picks = snippets[::3]
    for i in range(len(picks)):
        for j in range(i + 1, len(picks)):
            write(out, "asdb_combine", picks[i] + sep + picks[j], "pair")
    if len(picks) >= 3:
        write(out, "asdb_combine", sep.join(picks[:3]), "triple")
        write(out, "asdb_combine", gzip.compress(picks[0], mtime=0) + sep + picks[1], "gz")


def mmdb(shared, out):
    base = os.path.join(shared, "data", "mmdb")
    for root, _, files in os.walk(base):
        for fn in sorted(files):
            if fn.endswith(".mmdb"):
                with open(os.path.join(root, fn), "rb") as f:
                    b = f.read()
                if len(b) <= 64 * 1024:
                    write(out, "asdb_mmdb", b, fn[:-5])
                    if "ASN" in fn or "Country" in fn:
                        write(out, "asdb_combine", b, fn[:-5])


def mrt(shared, out):
    import bz2
    base = os.path.join(shared, "data", "bgp")
    if not os.path.isdir(base):
        return
    for root, _, files in os.walk(base):
        for fn in sorted(files):
            if fn == "LICENSE":
                continue
            with open(os.path.join(root, fn), "rb") as f:
                b = f.read()
            if b[:3] != b"BZh":
                write(out, "bgp_mrt", b[:16384], fn)
                continue
            if len(b) < 4096:
                write(out, "bgp_mrt", b, fn)
            plain = bz2.BZ2Decompressor().decompress(b, 1 << 20)
            # the peer table and the first few records, cut at a record boundary
            for keep in (3, 12):
                pos = 0
                for _ in range(keep):
                    if pos + 12 > len(plain):
                        break
                    pos += 12 + struct.unpack(">I", plain[pos + 8:pos + 12])[0]
                head = plain[:min(pos, 16384)]
                write(out, "bgp_mrt", head, fn + "-%d" % keep)
                if keep == 3:
                    write(out, "bgp_mrt", gzip.compress(head), fn + "-gz")
                    write(out, "bgp_mrt", bz2.compress(head), fn + "-bz2")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: seeds.py SHARED_DIR OUT_DIR")
    shared, out = sys.argv[1], sys.argv[2]
    captures(shared, out)
    text_sources(shared, out)
    mmdb(shared, out)
    mrt(shared, out)
    for t in sorted(os.listdir(out)):
        print("  %-14s %5d seeds from shared/" % (t, len(os.listdir(os.path.join(out, t)))))


if __name__ == "__main__":
    main()
