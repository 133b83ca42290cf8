#!/usr/bin/env python3
"""Stretches a classic pcap's timestamps so that it spans SECONDS, keeping packet order.

t' = t0 + (t - t0) * SECONDS / (t_last - t0): a bench capture of a few seconds becomes a
day of traffic at the same mix, for measuring what a site-day costs in the dataset.

Usage: stretch_pcap.py IN OUT SECONDS
"""

import struct
import sys


def main():
    src, dst, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with open(src, "rb") as f:
        data = f.read()
    magic = data[:4]
    table = {
        b"\xd4\xc3\xb2\xa1": ("<", 1_000), b"\xa1\xb2\xc3\xd4": (">", 1_000),
        b"\x4d\x3c\xb2\xa1": ("<", 1), b"\xa1\xb2\x3c\x4d": (">", 1),
    }
    if magic not in table:
        sys.exit(f"{src}: not a classic pcap")
    end, unit = table[magic]  # unit: ns per sub-second tick
    rec = struct.Struct(end + "IIII")
    ticks = 1_000_000_000 // unit
    # first pass: the span
    off, first, last = 24, None, None
    while off + 16 <= len(data):
        s, sub, incl, _ = rec.unpack_from(data, off)
        t = s * 1_000_000_000 + sub * unit
        first = t if first is None else first
        last = t
        off += 16 + incl
    k = seconds * 1e9 / max(last - first, 1)
    out = bytearray(data)
    off = 24
    while off + 16 <= len(data):
        s, sub, incl, orig = rec.unpack_from(data, off)
        t = s * 1_000_000_000 + sub * unit
        n = first + int((t - first) * k)
        rec.pack_into(out, off, n // 1_000_000_000, (n % 1_000_000_000) // unit % ticks, incl, orig)
        off += 16 + incl
    with open(dst, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
