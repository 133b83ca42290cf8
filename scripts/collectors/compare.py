#!/usr/bin/env python3
"""Compares AS matrices for scripts/test-collectors and prints one line per comparison.

    compare.py exact NAME A B [--v4]           A, B: trombone JSON, model JSON or a TSV
    compare.py bound NAME RESULT MODEL N       sampled estimate within a Bernstein bound
    compare.py members NAME A B                the ixp member matrices of two results
    compare.py packets NAME A B                packets exactly per AS pair, bytes reported
    compare.py headers NAME CAPTURE.pcap TSV   sFlow sampled headers = the capture's frames

A TSV (nfdump "src dst packets bytes" per address pair) or a pmacct CSV ("SRC_AS,DST_AS,
PACKETS,BYTES", or "SRC_IP,DST_IP,PACKETS,BYTES") is mapped to AS pairs with the fixture's
address table (ASN.tsv in the environment variable ASN_TSV) by a range lookup of this
file's own. The headers TSV is tshark's "-T fields -E occurrence=a -E aggregator=;" output
of sflow_245.header.frame_length, sflow_245.header.payload_stripped and sflow_245.header.
Exit status 1 on any disagreement.
"""
import collections, ipaddress, json, math, os, struct, sys

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
            for k, e in j["pairs"].items():
                p, b = e[0], e[1]
                s, d, v = map(int, k.split())
                if v4only and v != 4:
                    continue
                add((s, d), p, b)
    elif path.endswith(".csv"):  # pmacct print plugin
        lines = open(path).read().split("\n")
        by_ip = lines[0].startswith("SRC_IP")
        r = ranges() if by_ip else None
        for l in lines[1:]:
            if l.strip():
                s, d, p, b = l.split(",")[:4]
                k = (asn(r, s), asn(r, d)) if by_ip else (int(s), int(d))
                add(k, int(p), int(b))
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

def bernstein(var, m, level):
    """The deviation t that an estimate's sum of independent zero-mean terms, each within
    [-m, m] and of total variance var, exceeds with probability at most level (Bernstein's
    inequality: P(|S| >= t) <= 2 exp(-t^2 / (2 (var + m t / 3))))."""
    L = math.log(2 / level)
    return L * m / 3 + math.sqrt((L * m / 3) ** 2 + 2 * L * var)

def bound(name, res, model, n, alpha=1e-4):
    """A 1-in-n sampled estimate against the model, per AS pair and in total, packets and
    bytes. Each packet of size s sampled independently with probability 1/n contributes
    (n B - 1) s to the estimate's error: mean 0, within +-(n-1) s, variance (n-1) s^2. The
    bound is Bernstein's inequality at level alpha shared over every test (Bonferroni), so
    an honest estimate fails with probability at most alpha, small pairs included (a normal
    approximation, e.g. 4 sigma, is not valid for pairs of a few packets)."""
    n = int(n)
    got = load(res)
    m = json.load(open(model))["pairs"]
    truth = {}
    for k, (p, b, sq, mx) in m.items():
        s, d, _ = map(int, k.split())
        e = truth.setdefault((s, d), [0, 0, 0, 0])
        e[0] += p; e[1] += b; e[2] += sq; e[3] = max(e[3], mx)
    keys = sorted(set(truth) | set(got))
    level = alpha / (2 * len(keys) + 2)
    worst = 0.0
    bad = []
    for k in keys:
        tp, tb, sq, mx = truth.get(k, [0, 0, 0, 0])
        gp, gb = got.get(k, [0, 0])
        if tp == 0:
            if gp or gb:
                bad.append(k)  # sampled packets the capture never had
            continue
        rp = abs(gp - tp) / bernstein((n - 1) * tp, n - 1, level)
        rb = abs(gb - tb) / bernstein((n - 1) * sq, (n - 1) * mx, level)
        worst = max(worst, rp, rb)
        if rp > 1 or rb > 1:
            bad.append(k)
    tp = sum(v[0] for v in truth.values()); gp = sum(v[0] for v in got.values())
    tb = sum(v[1] for v in truth.values()); gb = sum(v[1] for v in got.values())
    sq = sum(v[2] for v in truth.values()); mx = max(v[3] for v in truth.values())
    rt = max(abs(gp - tp) / bernstein((n - 1) * tp, n - 1, level),
             abs(gb - tb) / bernstein((n - 1) * sq, (n - 1) * mx, level))
    d = ("1 in %d: %d pairs, largest error %.2f of its bound (Bernstein, alpha %g over all); "
         "total packets %d vs %d, bytes %d vs %d (%+.2f%%)"
         % (n, len(truth), max(worst, rt), alpha, gp, tp, gb, tb, 100.0 * (gb - tb) / tb))
    if bad:
        d += "; outside the bound: %s" % bad[:3]
    return show(name, not bad and rt <= 1, d)

def headers(name, capture, tsv):
    """Every sampled header (truncated as sampled, the frame length less the stripped FCS)
    against the capture's frames, as multisets: a 1-in-1 sFlow export must hold each frame
    exactly once."""
    data = open(capture, "rb").read()
    e = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    src = collections.Counter()
    o = 24
    while o + 16 <= len(data):
        caplen, wire = struct.unpack(e + "II", data[o + 8:o + 16])
        f = data[o + 16:o + 16 + caplen]
        o += 16 + caplen
        src[(wire, f[:128])] += 1
    got = collections.Counter()
    for line in open(tsv):
        f = line.rstrip("\n").split("\t")
        if len(f) < 3 or not f[0]:
            continue  # a datagram of counter samples only
        for fl, st, h in zip(f[0].split(";"), f[1].split(";"), f[2].split(";")):
            wire = int(fl) - int(st)
            got[(wire, bytes.fromhex(h)[:min(wire, 128)])] += 1
    extra, missing = got - src, src - got
    d = "%d sampled headers, %d frames; %d sampled more often than captured, %d not sampled" % (
        sum(got.values()), sum(src.values()), sum(extra.values()), sum(missing.values()))
    return show(name, not extra and not missing, d)

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
    elif mode == "headers":
        ok = headers(name, sys.argv[3], sys.argv[4])
    elif mode == "bound":
        ok = bound(name, sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        ok = members(name, sys.argv[3], sys.argv[4])
    sys.exit(0 if ok else 1)
