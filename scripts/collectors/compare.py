#!/usr/bin/env python3
"""Compares AS matrices for scripts/test-collectors and prints one line per comparison.

    compare.py exact NAME A B [--v4]           A, B: trombone JSON, model JSON or a TSV
    compare.py bound NAME RESULT MODEL N       sampled estimate within 4 sigma of the model
    compare.py members NAME A B                the ixp member matrices of two results
    compare.py packets NAME A B                packets exactly per AS pair, bytes reported

A TSV (nfdump "src dst packets bytes" per address pair, or pmacct CSV "SRC_AS,DST_AS,
PACKETS,BYTES") is mapped to AS pairs with the fixture's address table (ASN.tsv in the
environment variable ASN_TSV) by a range lookup of this file's own. Exit status 1 on any
disagreement.
"""
import ipaddress, json, math, os, sys

def ranges():
    out = []
    for line in open(os.environ["ASN_TSV"]):
        f = line.rstrip("\n").split("\t")
        out.append((ipaddress.ip_address(f[0]), ipaddress.ip_address(f[1]), int(f[2])))
    return out

def asn(r, ip):
    ip = ipaddress.ip_address(ip)
    for a, b, n in r:
        if a.version == ip.version and a <= ip <= b:
            return n
    return 0

def load(path, v4only=False):
    """{(src_asn, dst_asn): [packets, bytes]}"""
    m = {}
    def add(k, p, b):
        e = m.setdefault(k, [0, 0])
        e[0] += p
        e[1] += b
    if path.endswith(".json"):
        j = json.load(open(path))
        if "as_matrix" in j:
            for c in j["as_matrix"]:
                add((c["src_asn"], c["dst_asn"]), c["packets"], c["bytes"])
        else:  # the generator's model
            for k, (p, b, _) in j["pairs"].items():
                s, d, v = map(int, k.split())
                if v4only and v != 4:
                    continue
                add((s, d), p, b)
    elif path.endswith(".csv"):  # pmacct print plugin
        lines = open(path).read().split("\n")
        for l in lines[1:]:
            if l.strip():
                s, d, p, b = l.split(",")[:4]
                add((int(s), int(d)), int(p), int(b))
    else:  # nfdump: src dst packets bytes
        r = ranges()
        for l in open(path):
            f = l.split()
            if len(f) >= 4 and f[2].isdigit():
                add((asn(r, f[0]), asn(r, f[1])), int(f[2]), int(f[3]))
    return m

def show(name, ok, detail):
    print("%-58s %s  %s" % (name, "agree" if ok else "DIFFER", detail))
    return ok

def exact(name, a, b, v4only):
    x, y = load(a, v4only), load(b, v4only)
    if v4only:
        # a NetFlow v5 export carries IPv4 only: keep the model's IPv4 pairs, and from a
        # full result the pairs the model has in IPv4
        pass
    keys = sorted(set(x) | set(y))
    bad = [k for k in keys if x.get(k) != y.get(k)]
    tp = sum(v[0] for v in x.values())
    tb = sum(v[1] for v in x.values())
    ok = not bad
    d = "%d AS pairs, %d packets, %d bytes" % (len(keys), tp, tb)
    if bad:
        d += "; %d pairs differ, e.g. %s: %s vs %s" % (len(bad), bad[0], x.get(bad[0]), y.get(bad[0]))
    return show(name, ok, d)

def packets(name, a, b):
    """Packets exactly per AS pair; bytes only reported (sfacctd counts each sampled frame's
    length on the wire, L2 header included, where trombone counts IP bytes)."""
    x, y = load(a), load(b)
    keys = sorted(set(x) | set(y))
    bad = [k for k in keys if x.get(k, [0, 0])[0] != y.get(k, [0, 0])[0]]
    bx = sum(v[1] for v in x.values()); by = sum(v[1] for v in y.values())
    d = "%d AS pairs, %d packets; bytes %d vs %d (L2 vs IP)" % (
        len(keys), sum(v[0] for v in x.values()), bx, by)
    if bad:
        d += "; %d pairs differ in packets, e.g. %s: %s vs %s" % (len(bad), bad[0], x.get(bad[0]), y.get(bad[0]))
    return show(name, not bad, d)

def bound(name, res, model, n):
    n = int(n)
    got = load(res)
    m = json.load(open(model))["pairs"]
    truth = {}
    for k, (p, b, sq) in m.items():
        s, d, _ = map(int, k.split())
        e = truth.setdefault((s, d), [0, 0, 0])
        e[0] += p; e[1] += b; e[2] += sq
    worst_p = worst_b = 0.0
    bad = []
    for k in sorted(set(truth) | set(got)):
        tp, tb, sq = truth.get(k, [0, 0, 0])
        gp, gb = got.get(k, [0, 0])
        sp = math.sqrt(max(tp * (n - 1), 1))
        sb = math.sqrt(max(sq * (n - 1), 1))
        zp, zb = abs(gp - tp) / sp, abs(gb - tb) / sb
        worst_p, worst_b = max(worst_p, zp), max(worst_b, zb)
        if zp > 4 or zb > 4 or (tp == 0 and gp > 0):
            bad.append(k)
    tp = sum(v[0] for v in truth.values()); gp = sum(v[0] for v in got.values())
    tb = sum(v[1] for v in truth.values()); gb = sum(v[1] for v in got.values())
    zt = abs(gb - tb) / math.sqrt(sum(v[2] for v in truth.values()) * (n - 1))
    d = ("1 in %d: %d pairs, largest |z| packets %.2f bytes %.2f (bound 4); total bytes %d vs %d (%+.2f%%, z %.2f)"
         % (n, len(truth), worst_p, worst_b, gb, tb, 100.0 * (gb - tb) / tb, zt))
    if bad:
        d += "; outside the bound: %s" % bad[:3]
    return show(name, not bad and zt <= 4, d)

def members(name, a, b):
    def mm(p):
        j = json.load(open(p))
        if "members" in j and "pairs" in j:  # model
            return {tuple(map(int, k.split())): v for k, v in j["members"].items()}
        return {(c["src_asn"], c["dst_asn"]): [c["packets"], c["bytes"]] for c in j["ixp"]["matrix"]}
    x, y = mm(a), mm(b)
    keys = sorted(set(x) | set(y))
    bad = [k for k in keys if x.get(k) != y.get(k)]
    d = "%d member pairs, %d bytes" % (len(keys), sum(v[1] for v in x.values()))
    if bad:
        d += "; %d differ, e.g. %s: %s vs %s" % (len(bad), bad[0], x.get(bad[0]), y.get(bad[0]))
    return show(name, not bad, d)

if __name__ == "__main__":
    mode, name = sys.argv[1], sys.argv[2]
    if mode == "exact":
        ok = exact(name, sys.argv[3], sys.argv[4], "--v4" in sys.argv)
    elif mode == "packets":
        ok = packets(name, sys.argv[3], sys.argv[4])
    elif mode == "bound":
        ok = bound(name, sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        ok = members(name, sys.argv[3], sys.argv[4])
    sys.exit(0 if ok else 1)
