#!/usr/bin/env python3
"""Writes the hand-modelled trombone results used by the report tests.

The figures are a made-up but plausible hour at a Cambodian border vantage (Phnom Penh,
links to Singtel, PCCW and a direct link to Viettel). The statistics in the `sizing`
section are computed here from the modelled series with the IXP convention (average of
each 5-minute sample, nearest-rank p90/p95), independently of trombone's code.

Run from this directory: python3 make_samples.py  (deterministic: fixed seeds)
"""
import json
import math
import random

START_NS = 1_714_557_600_000_000_000  # 2024-05-01 10:00:00 UTC
BIN_S = 1
SAMPLE_S = 300
STEP_S = 10  # series_step_s: the series is downsampled to 10 s means
SPEEDS = [1, 10, 25, 40, 100, 400]

NAMES = {
    "24560": "EZECOM-AS-KH Ezecom Co., Ltd., KH",
    "38623": "VIETTELCAMBODIA-AS-KH Viettel (Cambodia) Pte., Ltd., KH",
    "17976": "CAMNET-AS Telecom Cambodia, KH",
    "131178": "OPENNET-AS-KH Opennet ISP, KH",
    "7552": "VIETEL-AS-AP Viettel Group, VN",
    "45899": "VNPT-AS-VN VNPT Corp, VN",
    "9873": "TELECOM-LA-AS-AP Lao Telecom, LA",
    "9988": "MPT-AS-MM Myanma Posts and Telecommunications, MM",
    "7473": "SINGTEL-AS-AP Singapore Telecommunications Ltd, SG",
    "3491": "BTN-ASN PCCW Global, Inc., HK",
    "15169": "GOOGLE Google LLC, US",
    "13335": "CLOUDFLARENET Cloudflare, Inc., US",
}


def nearest_rank(values, q):
    v = sorted(values)
    if not v:
        return 0.0
    k = max(1, math.ceil(q * len(v)))
    return v[k - 1]


def rate(rng, seconds, mean_mbps, burst=0.25, pkt=900.0):
    """A diurnal-ish ramp with noise; returns the Rate object."""
    per_s = []
    for t in range(seconds):
        shape = 1.0 + 0.35 * math.sin(2 * math.pi * t / 2400.0) + 0.15 * (t / seconds)
        noise = rng.gauss(1.0, burst)
        spike = 2.2 if rng.random() < 0.002 else 1.0
        per_s.append(max(0.0, mean_mbps * shape * noise * spike))
    total_bits = sum(x * 1e6 for x in per_s)
    byts = int(total_bits / 8)
    packets = int(byts / pkt)
    samples = [
        sum(per_s[i : i + SAMPLE_S]) / len(per_s[i : i + SAMPLE_S])
        for i in range(0, seconds, SAMPLE_S)
    ]
    series = [
        round(sum(per_s[i : i + STEP_S]) / len(per_s[i : i + STEP_S]), 3)
        for i in range(0, seconds, STEP_S)
    ]
    pps = [x * 1e6 / 8 / pkt for x in per_s]
    pps_samples = [
        sum(pps[i : i + SAMPLE_S]) / len(pps[i : i + SAMPLE_S])
        for i in range(0, seconds, SAMPLE_S)
    ]
    return {
        "bytes": byts,
        "packets": packets,
        "avg_mbps": round(sum(per_s) / seconds, 3),
        "max_mbps": round(max(samples), 3),
        "p90_mbps": round(nearest_rank(samples, 0.90), 3),
        "p95_mbps": round(nearest_rank(samples, 0.95), 3),
        "peak_bin_mbps": round(max(per_s), 3),
        "avg_pps": round(sum(pps) / seconds, 1),
        "p95_pps": round(nearest_rank(pps_samples, 0.95), 1),
        "peak_bin_pps": round(max(pps), 1),
        "samples": len(samples),
        "series_mbps": series,
        "series_step_s": STEP_S,
    }


def port_for(p95, growth, target, price):
    needed = p95 * growth / target
    port = next((g for g in SPEEDS if needed <= g * 1000), None)
    return {
        "p95_mbps": p95,
        "needed_mbps": round(needed, 3),
        "port_gbps": port,
        "port": f"{port}GE" if port else None,
        "utilisation_at_p95": round(p95 / (port * 1000), 4) if port else None,
        "transit_saved_usd_per_month": round(p95 * price, 2),
    }


def via(link, asn, cc, name, packets, byts):
    return {"link": link, "asn": asn, "country": cc, "name": name, "packets": packets, "bytes": byts}


def pair(src, dst, byts, local, pkt, detour, hops, hs, vias, reob_frac=0.8):
    packets = byts // pkt
    reob = int(packets * reob_frac)
    return {
        "src_asn": src[0], "dst_asn": dst[0], "src_country": src[1], "dst_country": dst[1],
        "packets": packets, "bytes": byts, "observations": packets + reob,
        "reobserved_packets": reob, "local_bytes": local,
        "detour_ms": None if detour is None else {"samples": reob, "p50": detour[0], "p90": detour[1], "p99": detour[2]},
        "hops_abroad": None if hops is None else {"samples": reob, "p50": hops},
        "handshake_rtt_ms": None if hs is None else {"samples": hs[0], "min": hs[1], "p50": hs[2], "exceeds_domestic_floor": hs[1] > 8.0},
        "via": [via(l, a, c, NAMES.get(str(a)), packets * b // byts, b) for (l, a, c, b) in vias],
    }


def result(seed, hour, inputs, partial, scale):
    rng = random.Random(seed)
    seconds = 3600
    start = START_NS + hour * 3600 * 1_000_000_000
    KH = "KH"
    ez, vt, cn, op = (24560, KH), (38623, KH), (17976, KH), (131178, KH)
    GB = 1_000_000_000
    S = lambda x: int(x * scale)
    pairs = [
        pair(ez, vt, S(182.4 * GB), S(301.2 * GB), 1020, (38.2, 52.7, 88.1), 9, (120, 41.5, 47.9),
             [("SG transit", 7473, "SG", S(131.9 * GB)), ("HK transit", 3491, "HK", S(50.5 * GB))]),
        pair(vt, ez, S(96.7 * GB), S(188.0 * GB), 880, (37.9, 51.0, 90.4), 9, (96, 40.8, 46.2),
             [("SG transit", 7473, "SG", S(96.7 * GB))]),
        pair(cn, ez, S(41.3 * GB), S(77.5 * GB), 1100, (61.5, 84.2, 131.0), 13, (33, 63.0, 70.4),
             [("HK transit", 3491, "HK", S(29.0 * GB)), ("SG transit", 7473, "SG", S(12.3 * GB))]),
        pair(ez, cn, S(22.8 * GB), S(70.1 * GB), 760, (60.2, 80.8, 120.5), 13, (21, 62.1, 69.0),
             [("HK transit", 3491, "HK", S(22.8 * GB))]),
        pair(op, vt, S(9.6 * GB), S(35.2 * GB), 990, (40.4, 55.9, 97.3), 10, None,
             [("SG transit", 7473, "SG", S(9.6 * GB))]),
        pair(vt, op, S(4.1 * GB), S(28.9 * GB), 700, None, None, (5, 4.2, 5.0),
             [("SG transit", 7473, "SG", S(4.1 * GB))], reob_frac=0.0),
        pair(cn, op, S(1.2 * GB), S(12.4 * GB), 600, (35.0, 35.0, 35.0), 8, None,
             [("HK transit", 3491, "HK", S(1.2 * GB))], reob_frac=0.02),
    ]
    hp_bytes = sum(p["bytes"] for p in pairs)
    hp_packets = sum(p["packets"] for p in pairs)
    local_bytes = sum(p["local_bytes"] for p in pairs) + S(84.0 * GB)
    local_packets = local_bytes // 950
    obs = sum(p["observations"] for p in pairs)
    reob = sum(p["reobserved_packets"] for p in pairs)

    # All-traffic matrix: hairpin pairs counted at each sighting, plus transit and content.
    cells = []
    for p in pairs:
        cells.append((p["src_asn"], p["dst_asn"], KH, KH, p["bytes"] + p["bytes"] * p["reobserved_packets"] // max(p["packets"], 1)))
    extra = [
        (15169, 24560, "US", KH, 410.0), (24560, 15169, KH, "US", 38.0),
        (15169, 38623, "US", KH, 356.0), (13335, 24560, "US", KH, 121.0),
        (7552, 38623, "VN", KH, 88.0), (38623, 7552, KH, "VN", 61.0),
        (45899, 24560, "VN", KH, 42.0), (9873, 17976, "LA", KH, 6.1),
        (9988, 24560, "MM", KH, 2.4), (17976, 9873, KH, "LA", 3.3),
        (24560, 38623, KH, KH, 84.0), (7473, 17976, "SG", KH, 77.0),
        (3491, 131178, "HK", KH, 19.0), (0, 24560, None, KH, 0.8),
    ]
    for s, d, sc, dc, g in extra:
        cells.append((s, d, sc, dc, S(g * GB)))
    as_matrix = [
        {"src_asn": s, "dst_asn": d, "src_country": sc, "dst_country": dc,
         "packets": b // 900, "bytes": b, "flows": max(1, b // 40_000_000)}
        for (s, d, sc, dc, b) in sorted(cells, key=lambda c: -c[4])
    ]
    cc = {}
    for c in as_matrix:
        k = (c["src_country"], c["dst_country"])
        e = cc.setdefault(k, {"packets": 0, "bytes": 0, "flows": 0})
        for f in ("packets", "bytes", "flows"):
            e[f] += c[f]
    country_matrix = [
        {"src_country": k[0], "dst_country": k[1], **v}
        for k, v in sorted(cc.items(), key=lambda kv: -kv[1]["bytes"])
    ]
    ip_bytes = sum(c["bytes"] for c in as_matrix)
    ip_packets = sum(c["packets"] for c in as_matrix)
    flows = sum(c["flows"] for c in as_matrix)
    frames = ip_packets + 5210 + 37 + 0

    growth, target, price = 1.0, 0.5, 100.0
    # What-if: each zone ASN with hairpin traffic; its hairpin in/out rates.
    ports = []
    for asn in (24560, 38623, 17976, 131178):
        out_b = sum(p["bytes"] for p in pairs if p["src_asn"] == asn)
        in_b = sum(p["bytes"] for p in pairs if p["dst_asn"] == asn)
        r_in = rate(rng, seconds, in_b * 8 / 1e6 / seconds)
        r_out = rate(rng, seconds, out_b * 8 / 1e6 / seconds)
        p95 = max(r_in["p95_mbps"], r_out["p95_mbps"])
        ports.append({"asn": asn, "country": KH, "name": NAMES.get(str(asn)), "hairpin_in": r_in, "hairpin_out": r_out, **port_for(p95, growth, target, price)})
    ports.sort(key=lambda p: -p["p95_mbps"])
    networks = []
    for asn, cc_, gin, gout in [(24560, KH, 900.0, 260.0), (38623, KH, 720.0, 190.0), (15169, "US", 45.0, 766.0),
                                (17976, KH, 160.0, 70.0), (131178, KH, 55.0, 22.0), (7552, "VN", 61.0, 88.0)]:
        r_in = rate(rng, seconds, S(gin * GB) * 8 / 1e6 / seconds)
        r_out = rate(rng, seconds, S(gout * GB) * 8 / 1e6 / seconds)
        pk = r_in["packets"] + r_out["packets"]
        shares = [0.31, 0.07, 0.04, 0.05, 0.08, 0.12, 0.33]
        counts = [int(pk * x) for x in shares]
        counts[-1] += pk - sum(counts)
        ranges = ["0-64", "65-127", "128-255", "256-511", "512-1023", "1024-1499", "1500+"]
        networks.append({"asn": asn, "country": cc_, "name": NAMES.get(str(asn)), "in": r_in, "out": r_out,
                         "packet_sizes": {"packets": pk, "mean": 812.4,
                                          "buckets": [{"range": r, "packets": c} for r, c in zip(ranges, counts)]}})
    links = []
    for name, asn, cc_, gin, gout in [("SG transit", 7473, "SG", 980.0, 420.0), ("HK transit", 3491, "HK", 330.0, 150.0), ("VN direct", 7552, "VN", 149.0, 64.0)]:
        links.append({"name": name, "asn": asn, "country": cc_,
                      "in": rate(rng, seconds, S(gin * GB) * 8 / 1e6 / seconds),
                      "out": rate(rng, seconds, S(gout * GB) * 8 / 1e6 / seconds),
                      "unknown_direction": rate(rng, seconds, S(1.5 * GB) * 8 / 1e6 / seconds) if name == "VN direct" else None})
    prs = []
    for p in pairs[:4]:
        prs.append({"src_asn": p["src_asn"], "dst_asn": p["dst_asn"], "src_country": KH, "dst_country": KH,
                    "rate": rate(rng, seconds, p["bytes"] * 8 / 1e6 / seconds)})

    return {
        "schema_version": 1,
        "tool": {"name": "trombone", "version": "0.1.0"},
        "asn_db": {"source": "iptoasn.com ip2asn-combined 2024-04-30 + RIR delegated stats", "date": "2024-04-30"},
        "partial": partial,
        "inputs": inputs,
        "time": {"first_ns": start + 1_250_000, "last_ns": start + 3_599_998_000_000,
                 "duration_s": (3_599_998_000_000 - 1_250_000) / 1e9},
        "totals": {"frames": frames, "ip_packets": ip_packets, "ip_bytes": ip_bytes,
                   "wire_bytes": ip_bytes + ip_packets * 18, "non_ip_frames": 5210,
                   "malformed_frames": 37, "unsupported_frames": 0, "flows": flows},
        "as_matrix": as_matrix,
        "country_matrix": country_matrix,
        "as_names": NAMES,
        "hairpin": {
            "home": "KH", "zone": ["KH"], "window_ms": 2000.0, "domestic_floor_ms": 8.0, "max_zone_km": 800.0,
            "links": [
                {"name": "SG transit", "asn": 7473, "country": "SG", "vlan": 100, "abroad": True},
                {"name": "HK transit", "asn": 3491, "country": "HK", "vlan": 200, "abroad": True},
                {"name": "VN direct", "asn": 7552, "country": "VN", "vlan": 300, "abroad": True},
            ],
            "totals": {"packets": hp_packets, "bytes": hp_bytes, "observations": obs,
                       "reobserved_packets": reob, "local_packets": local_packets,
                       "local_bytes": local_bytes, "share_of_local_bytes": hp_bytes / local_bytes},
            "matcher": {"slot_overflows": 12, "dropped_fresh": 0, "unidentified_link": 0},
            "pairs": pairs,
        },
        "sizing": {
            "bin_s": BIN_S, "sample_s": SAMPLE_S, "port_target": target, "growth": growth,
            "transit_price_usd_per_mbps_month": price, "port_speeds_gbps": SPEEDS,
            "first_bin_ns": start, "bins": seconds, "samples": seconds // SAMPLE_S,
            "unbinned_packets": 0,
            "packet_size": {"samples": ip_packets, "mean": 871.9, "p50": 1052, "p90": 1500, "p99": 1500, "max": 1500},
            "networks": networks, "pairs": prs, "links": links,
            "what_if": {"asns": [p["asn"] for p in ports], "ports": ports,
                        "total_transit_saved_usd_per_month": round(sum(p["transit_saved_usd_per_month"] for p in ports), 2)},
        },
    }


def zone_view():
    """The subregional view (--zone KH,LA,MM,VN) at a regional exchange with many AS pairs,
    from an older analyze without the sizing section: exercises heatmap folding."""
    rng = random.Random(7)
    ases = [(24560, "KH"), (38623, "KH"), (17976, "KH"), (131178, "KH"), (7552, "VN"), (45899, "VN"),
            (18403, "VN"), (131429, "VN"), (9873, "LA"), (133000, "LA"), (9988, "MM"), (136255, "MM"),
            (58952, "MM"), (131293, "VN"), (38731, "KH"), (132167, "LA")]
    names = dict(NAMES)
    names.update({"18403": "FPT-AS-AP The Corporation for Financing & Promoting Technology, VN",
                  "131429": "MOBIFONE-AS-VN MOBIFONE Corporation, VN",
                  "133000": "STARTELECOM-AS-LA Star Telecom, LA",
                  "136255": "MYTEL-AS-MM Telecom International Myanmar, MM",
                  "58952": "OOREDOO-AS-MM Ooredoo Myanmar, MM",
                  "131293": "CMC-AS-VN CMC Telecom, VN",
                  "38731": "CHUANWEI-KH Chuan Wei (Cambodia), KH",
                  "132167": "UNITEL-AS-LA Unitel, LA"})
    pairs = []
    for i, s_ in enumerate(ases):
        for j, d_ in enumerate(ases):
            if i == j or rng.random() < 0.55:
                continue
            b = int(rng.lognormvariate(21, 2.2))
            pk = max(1, b // 900)
            reob = int(pk * rng.uniform(0.3, 0.95))
            det = rng.uniform(25, 70)
            pairs.append({
                "src_asn": s_[0], "dst_asn": d_[0], "src_country": s_[1], "dst_country": d_[1],
                "packets": pk, "bytes": b, "observations": pk + reob, "reobserved_packets": reob,
                "local_bytes": b * 3,
                "detour_ms": {"samples": reob, "p50": round(det, 1), "p90": round(det * 1.4, 1), "p99": round(det * 2.1, 1)} if reob else None,
                "hops_abroad": {"samples": reob, "p50": rng.randint(6, 14)} if reob else None,
                "handshake_rtt_ms": None,
                # No links file at this vantage: the link is never identified.
                "via": [{"link": None, "asn": 0, "country": None, "name": None, "packets": pk, "bytes": b}],
            })
    pairs.sort(key=lambda p: -p["bytes"])
    hb = sum(p["bytes"] for p in pairs)
    lb = sum(p["local_bytes"] for p in pairs)
    as_matrix = [{"src_asn": p["src_asn"], "dst_asn": p["dst_asn"], "src_country": p["src_country"],
                  "dst_country": p["dst_country"], "packets": p["packets"] * 2, "bytes": p["bytes"] * 2, "flows": 3}
                 for p in pairs]
    cc = {}
    for c in as_matrix:
        e = cc.setdefault((c["src_country"], c["dst_country"]), [0, 0, 0])
        e[0] += c["packets"]; e[1] += c["bytes"]; e[2] += c["flows"]
    return {
        "schema_version": 1,
        "tool": {"name": "trombone", "version": "0.1.0"},
        "asn_db": {"source": "embedded default (iptoasn.com 2024-04-30)", "date": "2024-04-30"},
        "partial": False,
        "inputs": [{"file": "regional-ix-mirror.pcap.gz", "format": "pcap", "frames": 1000, "linktypes": {"1": 1000}, "error": None}],
        "time": {"first_ns": START_NS, "last_ns": START_NS + 600_000_000_000, "duration_s": 600.0},
        "totals": {"frames": 1000, "ip_packets": sum(c["packets"] for c in as_matrix), "ip_bytes": sum(c["bytes"] for c in as_matrix),
                   "wire_bytes": sum(c["bytes"] for c in as_matrix), "non_ip_frames": 0, "malformed_frames": 0,
                   "unsupported_frames": 0, "flows": sum(c["flows"] for c in as_matrix)},
        "as_matrix": sorted(as_matrix, key=lambda c: -c["bytes"]),
        "country_matrix": [{"src_country": k[0], "dst_country": k[1], "packets": v[0], "bytes": v[1], "flows": v[2]}
                           for k, v in sorted(cc.items(), key=lambda kv: -kv[1][1])],
        "as_names": names,
        "hairpin": {
            "home": "KH", "zone": ["KH", "LA", "MM", "VN"], "window_ms": 2000.0, "domestic_floor_ms": 24.0,
            "max_zone_km": 2400.0, "links": [],
            "totals": {"packets": sum(p["packets"] for p in pairs), "bytes": hb,
                       "observations": sum(p["observations"] for p in pairs),
                       "reobserved_packets": sum(p["reobserved_packets"] for p in pairs),
                       "local_packets": sum(p["packets"] for p in pairs) * 3, "local_bytes": lb,
                       "share_of_local_bytes": hb / lb},
            "matcher": {"slot_overflows": 0, "dropped_fresh": 0,
                        "unidentified_link": sum(p["observations"] for p in pairs)},
            "pairs": pairs,
        },
    }


def main():
    a = result(
        1, 0,
        [{"file": "captures/pnh-border-2024-05-01T10.pcapng", "format": "pcapng", "frames": 0,
          "linktypes": {"1": 0}, "error": None}],
        False, 1.0)
    a["inputs"][0]["frames"] = a["totals"]["frames"]
    a["inputs"][0]["linktypes"] = {"1": a["totals"]["frames"]}
    b = result(
        2, 1,
        [{"file": "captures/pnh-border-2024-05-01T11.pcap", "format": "pcap", "frames": 0,
          "linktypes": {"1": 0}, "error": "captures/pnh-border-2024-05-01T11.pcap: truncated record at byte offset 1873211392 (frame 2201833)"}],
        True, 0.55)
    b["inputs"][0]["frames"] = b["totals"]["frames"]
    b["inputs"][0]["linktypes"] = {"1": b["totals"]["frames"]}
    # A hostile result: every text field tries to inject markup; no hairpin, no sizing.
    c = {
        "schema_version": 1,
        "tool": {"name": "trombone", "version": "0.1.0<script>alert(1)</script>"},
        "asn_db": {"source": "<img src=x onerror=alert(2)> & \"quoted\"", "date": None},
        "partial": False,
        "inputs": [{"file": "<script>alert(3)</script>.pcap", "format": "pcap", "frames": 10,
                    "linktypes": {"1": 10}, "error": None}],
        "time": {"first_ns": START_NS, "last_ns": START_NS + 2_000_000_000, "duration_s": 2.0},
        "totals": {"frames": 10, "ip_packets": 10, "ip_bytes": 6000, "wire_bytes": 6180, "non_ip_frames": 0,
                   "malformed_frames": 0, "unsupported_frames": 0, "flows": 2},
        "as_matrix": [
            {"src_asn": 64500, "dst_asn": 64501, "src_country": "KH", "dst_country": "VN", "packets": 6, "bytes": 4000, "flows": 1},
            {"src_asn": 64501, "dst_asn": 64500, "src_country": "VN", "dst_country": "KH", "packets": 4, "bytes": 2000, "flows": 1},
        ],
        "country_matrix": [
            {"src_country": "KH", "dst_country": "VN", "packets": 6, "bytes": 4000, "flows": 1},
            {"src_country": "VN", "dst_country": "KH", "packets": 4, "bytes": 2000, "flows": 1},
        ],
        "as_names": {"64500": "<script>alert('as')</script> Evil \"AS\" & Co", "64501": "<b onmouseover=x>BOLD</b>"},
    }
    d = zone_view()
    for name, doc in (("kh-border-hour1.json", a), ("kh-border-hour2-partial.json", b),
                      ("hostile-names.json", c), ("clmv-zone-many-pairs.json", d)):
        with open(name, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
