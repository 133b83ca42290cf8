#!/usr/bin/env python3
"""Independent expected values for trombone-bgp's tests on ../shared/data/bgp, from mrtparse.

Decoding is mrtparse's (pip install mrtparse; tested with 2.2.0). The route bookkeeping below is
written here from RFC 4271/6396/6793/7911, not taken from the Rust code: routes are keyed by
(peer address, peer AS, prefix, ADD-PATH id); RIB entries and announcements set the route,
withdrawals remove it, a BGP4MP state change out of Established removes the peer's routes;
MESSAGE_LOCAL subtypes (sent by the collector) and non-unicast families are ignored; an
announcement without AS_PATH is treated as a withdrawal (RFC 7606).

Writes one line per file (tab-separated):
  file records rib_entries announced withdrawn prefixes_v4 prefixes_v6 routes distinct_paths
  moas_prefixes set_origin_prefixes origins_crc32 truncated stop_offset
where origins_crc32 is zlib.crc32 of the text made of one line per prefix, sorted by (family,
address, length): "prefix/len<TAB>origins\n", origins being the prefix's distinct route origins
(an AS, or for a final AS_SET its distinct members in wire order joined by ","), sorted as
strings and joined by "_". prefixes_v4/v6 count the prefixes with at least one origin.
stop_offset is, for a truncated file, the offset in the decompressed stream of the record that is
cut (walked from the MRT length fields over what Python's own bz2 decompressor delivers), else
-1. A RIB entry counts in rib_entries when it has an AS_PATH and its peer
index names a peer of the last PEER_INDEX_TABLE.

Then, for the two RouteViews RIB samples, lines "origin<TAB>file<TAB>prefix<TAB>origins" for
every 97th prefix (in the sort order above), for spot checks of single prefixes.

And lines "lookup<TAB>file<TAB>address<TAB>asn" for addresses in some prefixes of the two RIB
samples (every 600th prefix and the first five multi-origin ones), each address the prefix's
first one unless a more specific prefix of the table covers it (then the prefix is passed
over): the ASN a database built from the file must answer, with the multi-origin rule "the
origin on most routes, ties broken by the lowest AS (a single AS before an AS set); an AS set
gives its first AS". The default route is passed over (not an IP->ASN record).

Usage: python3 mrtparse_expected.py ../../../../shared/data/bgp > data/mrtparse-expected.tsv
"""
import ipaddress
import os
import sys
import zlib

import mrtparse
from mrtparse import Reader


def key(d):
    return list(d.keys())[0] if isinstance(d, dict) else d


def attr(attrs, code):
    for a in attrs:
        if key(a["type"]) == code:
            return a["value"]
    return None


def segs(v):
    return [(key(s["type"]), [int(x) for x in s["value"]]) for s in v]


def route_len(ss):
    n = 0
    for t, a in ss:
        if t == 2:
            n += len(a)
        elif t == 1:
            n += 1
    return n


def merge_as4(p, p4):
    """RFC 6793 4.2.3: keep the leading part of AS_PATH, then AS4_PATH."""
    if p4 is None or route_len(p) < route_len(p4):
        return p
    lead = route_len(p) - route_len(p4)
    out = []
    for t, a in p:
        if lead == 0:
            break
        n = len(a) if t == 2 else (1 if t == 1 else 0)
        if n <= lead:
            out.append((t, a))
            lead -= n
        else:
            out.append((t, a[:lead]))
            lead = 0
    return out + p4


def path_of(attrs, as4_session):
    p = attr(attrs, 2)
    if p is None:
        return None
    p = segs(p)
    if not as4_session:
        p4 = attr(attrs, 17)
        p = merge_as4(p, segs(p4) if p4 is not None else None)
    return tuple((t, tuple(a)) for t, a in p)


def origin(path):
    ss = [(t, a) for t, a in path if t in (1, 2) and a]
    if not ss:
        return None
    t, a = ss[-1]
    if t == 1:
        m = []
        for x in a:
            if x not in m:
                m.append(x)
        return ",".join(map(str, m))
    return str(a[-1])


def pfx(addr, plen):
    return ipaddress.ip_network("%s/%d" % (addr, plen), strict=False)


def stop_offset(fn):
    """Offset of the first incomplete MRT record in what the bz2 decompressor can deliver."""
    import bz2
    raw = open(fn, "rb").read()
    dec = bz2.BZ2Decompressor()
    data = dec.decompress(raw)
    off = 0
    while off + 12 <= len(data):
        n = int.from_bytes(data[off + 8:off + 12], "big")
        if off + 12 + n > len(data):
            break
        off += 12 + n
    return off if off < len(data) or not dec.eof else -1


def run(fn):
    routes = {}
    st = dict(records=0, rib=0, ann=0, wd=0, truncated=0)
    peers = None
    try:
        for e in Reader(fn):
            d = e.data
            if e.err:
                # a record mrtparse could not decode: whole (framed) unless it is the last one
                if "Invalid MRT data length" in (e.err_msg or "") or "Invalid MRT header" in (e.err_msg or ""):
                    st["truncated"] = 1
                    break
                st["records"] += 1
                continue
            st["records"] += 1
            t, s = key(d["type"]), key(d["subtype"])
            if t == 13 and s == 1:
                peers = [(p["peer_ip"], int(p["peer_as"])) for p in d["peer_entries"]]
            elif t == 13 and s in (2, 4, 8, 10, 6, 13):
                if s in (6, 13):
                    if key(d["afi"]) not in (1, 2) or key(d["safi"]) != 1:
                        continue
                    n = d["nlri"][0]
                    prefix = pfx(n["prefix"], n["length"])
                else:
                    prefix = pfx(d["prefix"], d["length"])
                for r in d["rib_entries"]:
                    path = path_of(r["path_attributes"], True)
                    if path is None or peers is None or r["peer_index"] >= len(peers):
                        continue
                    st["rib"] += 1
                    routes[(peers[r["peer_index"]], prefix, r.get("path_id", 0))] = path
            elif t == 12:
                path = path_of(d["path_attributes"], False)
                if path is not None:
                    st["rib"] += 1
                    routes[((d["peer_ip"], int(d["peer_as"])), pfx(d["prefix"], d["length"]), 0)] = path
            elif t in (16, 17) and s in (0, 5):
                if key(d["old_state"]) == 6 and key(d["new_state"]) != 6:
                    peer = (d["peer_ip"], int(d["peer_as"]))
                    for k in [k for k in routes if k[0] == peer]:
                        del routes[k]
            elif t in (16, 17) and s in (1, 4, 8, 9):
                m = d["bgp_message"]
                if key(m["type"]) != 2:
                    continue
                peer = (d["peer_ip"], int(d["peer_as"]))
                attrs = m["path_attributes"]
                gone = list(m["withdrawn_routes"])
                un = attr(attrs, 15)
                if un is not None and key(un["safi"]) == 1:
                    gone += un["withdrawn_routes"]
                for w in gone:
                    st["wd"] += 1
                    routes.pop((peer, pfx(w["prefix"], w["length"]), w.get("path_id", 0)), None)
                new = list(m["nlri"])
                re = attr(attrs, 14)
                if re is not None and key(re["safi"]) == 1:
                    new += re["nlri"]
                path = path_of(attrs, s in (4, 9))
                for a in new:
                    k = (peer, pfx(a["prefix"], a["length"]), a.get("path_id", 0))
                    if path is None:
                        routes.pop(k, None)
                    else:
                        st["ann"] += 1
                        routes[k] = path
    except EOFError:
        st["truncated"] = 1
    by_prefix = {}
    for (peer, prefix, pid), path in routes.items():
        by_prefix.setdefault(prefix, []).append(path)
    text = []
    moas = sets = 0
    origins_of = {}
    for prefix in sorted(by_prefix, key=lambda p: (p.version, int(p.network_address), p.prefixlen)):
        os_ = sorted({o for o in (origin(p) for p in by_prefix[prefix]) if o is not None})
        if not os_:
            continue
        moas += len(os_) > 1
        sets += any("," in o for o in os_)
        origins_of[prefix] = "_".join(os_)
        text.append("%s\t%s\n" % (prefix, origins_of[prefix]))
    v4 = sum(1 for p in origins_of if p.version == 4)
    v6 = len(origins_of) - v4
    distinct = len(set(routes.values()))
    crc = zlib.crc32("".join(text).encode())
    stop = stop_offset(fn) if st["truncated"] else -1
    counts = {}
    for (peer, prefix, pid), path in routes.items():
        o = origin(path)
        if o is not None:
            c = counts.setdefault(prefix, {})
            c[o] = c.get(o, 0) + 1
    return st, v4, v6, len(routes), distinct, moas, sets, crc, origins_of, stop, counts


def pick_asn(c):
    def k(item):
        o, n = item
        m = [int(x) for x in o.split(",")]
        return (-n, len(m) > 1, m)
    return int(sorted(c.items(), key=k)[0][0].split(",")[0])


def lookups(f, counts):
    pfxs = sorted(counts, key=lambda p: (p.version, int(p.network_address), p.prefixlen))
    by_len = {}
    for p in pfxs:
        by_len.setdefault(p.prefixlen, set()).add(p)
    out = []
    moas_seen = 0
    for i, p in enumerate(pfxs):
        moas = len(counts[p]) > 1
        if not (i % 600 == 0 or (moas and moas_seen < 5)) or p.prefixlen == 0:
            continue
        a = p.network_address
        covered = any(
            ipaddress.ip_network("%s/%d" % (a, l), strict=False) in by_len[l]
            for l in by_len if l > p.prefixlen
        )
        if covered:
            continue
        moas_seen += moas
        out.append("lookup\t%s\t%s\t%d" % (f, a, pick_asn(counts[p])))
    return out


def main():
    d = sys.argv[1]
    files = sorted(f for f in os.listdir(d) if f.endswith(".bz2"))
    files += ["mrtparse-samples/" + f for f in sorted(os.listdir(os.path.join(d, "mrtparse-samples"))) if f != "LICENSE"]
    print("# generated by mrtparse_expected.py with mrtparse %s" % getattr(mrtparse, "__version__", "?"))
    print("# file\trecords\trib_entries\tannounced\twithdrawn\tprefixes_v4\tprefixes_v6\troutes\tdistinct_paths\tmoas_prefixes\tset_origin_prefixes\torigins_crc32\ttruncated\tstop_offset")
    samples = []
    for f in files:
        st, v4, v6, nr, distinct, moas, sets, crc, origins_of, stop, counts = run(os.path.join(d, f))
        print("\t".join(map(str, [f, st["records"], st["rib"], st["ann"], st["wd"], v4, v6, nr, distinct, moas, sets, crc, st["truncated"], stop])))
        if f.startswith("rib"):
            for i, (p, o) in enumerate(sorted(origins_of.items(), key=lambda x: (x[0].version, int(x[0].network_address), x[0].prefixlen))):
                if i % 97 == 0 or "_" in o or "," in o:
                    samples.append("origin\t%s\t%s\t%s" % (f, p, o))
            samples += lookups(f, counts)
    print("\n".join(samples))


main()
