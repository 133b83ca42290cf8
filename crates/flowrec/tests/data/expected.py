#!/usr/bin/env python3
"""Writes <capture>.expected.tsv for each exporter capture in this folder from
tshark's own NetFlow/IPFIX (cflow) and sFlow dissectors: the independent
decoder whose output the Rust tests compare against (see README.md).

    crates/flowrec/tests/data/expected.py

One line per flow record (NetFlow/IPFIX) or flow sample (sFlow), in capture
order. Times: the flow's duration as tshark computes it (cflow.timedelta, ms),
and its absolute start (Unix ms) where tshark shows one (IPFIX
flowStartMilliseconds); uptime-relative starts (NetFlow v5/v9 FIRST_SWITCHED,
IPFIX flowStartSysUpTime) are left to the byte-exact unit tests.
"""
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))

# capture: (tshark decode-as port or None for sFlow, kind)
CAPTURES = {
    "softflowd-v5.pcap": 9995,
    "softflowd-v9.pcap": 9995,
    "softflowd-ipfix.pcap": 4739,
    "pmacctd-nfprobe-v9.pcap": 9996,
    "pmacctd-nfprobe-ipfix.pcap": 4740,
    "pmacctd-sfprobe.pcap": None,
}


def tshark_json(path, port):
    cmd = ["tshark", "-r", path, "-T", "json", "--no-duplicate-keys"]
    if port is not None:
        cmd += ["-d", f"udp.port=={port},cflow"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def one(v):
    """--no-duplicate-keys turns repeated keys into lists: take the first."""
    return v[0] if isinstance(v, list) else v


def items(d, prefix):
    for k, v in d.items():
        if k.startswith(prefix):
            for x in v if isinstance(v, list) else [v]:
                yield k, x


def ms(dec):
    return int((Decimal(dec) * 1000).to_integral_value())


def netflow_lines(packets):
    lines = []
    for p in packets:
        cf = one(p["_source"]["layers"]["cflow"])
        version = int(one(cf["cflow.version"]))
        flows = []
        if version == 5:
            flows = [f for _, f in items(cf, "pdu ")]
        else:
            for _, s in items(cf, "FlowSet "):
                flows += [f for _, f in items(s, "Flow ")]
            for _, s in items(cf, "Set "):
                flows += [f for _, f in items(s, "Flow ")]
        for f in flows:
            if "cflow.srcaddr" not in f and "cflow.srcaddrv6" not in f:
                continue  # options data
            src = one(f.get("cflow.srcaddr") or f.get("cflow.srcaddrv6"))
            dst = one(f.get("cflow.dstaddr") or f.get("cflow.dstaddrv6"))
            start = duration = "-"
            if "cflow.timedelta" in f:
                duration = ms(one(f["cflow.timedelta"]))
                td = one(f["cflow.timedelta_tree"])
                if "cflow.abstimestart" in td:
                    t = one(td["cflow.abstimestart"])  # 'Apr  6, 2024 00:00:36.560000000 UTC'
                    day, frac = t.rsplit(".", 1)
                    dt = datetime.strptime(" ".join(day.split()), "%b %d, %Y %H:%M:%S")
                    start = int(dt.replace(tzinfo=timezone.utc).timestamp()) * 1000 + int(frac[:3])
            lines.append(
                "\t".join(
                    str(x)
                    for x in (
                        src,
                        dst,
                        one(f.get("cflow.srcport", "0")),
                        one(f.get("cflow.dstport", "0")),
                        one(f.get("cflow.protocol", "0")),
                        one(f.get("cflow.octets", "0")),
                        one(f.get("cflow.packets", "0")),
                        int(one(f.get("cflow.tcpflags", "0")), 16),
                        start,
                        duration,
                    )
                )
            )
    return ["src\tdst\tsport\tdport\tproto\tbytes\tpackets\ttcp_flags\tstart_ms\tduration_ms"] + lines


def first_ip(tree):
    """The outermost IPv4/IPv6 source and destination tshark found in a sampled header."""
    if not isinstance(tree, dict):
        return None
    for k, v in tree.items():
        v = one(v)
        if k == "ip" and isinstance(v, dict) and "ip.src" in v:
            return one(v["ip.src"]), one(v["ip.dst"])
        if k == "ipv6" and isinstance(v, dict) and "ipv6.src" in v:
            return one(v["ipv6.src"]), one(v["ipv6.dst"])
        found = first_ip(v)
        if found:
            return found
    return None


def sflow_lines(packets):
    lines = ["agent\tseq\tsample_seq\trate\tpool\tinput\tvlan_in\theader_protocol\tframe_length\tstripped\theader_len\tsrc\tdst"]
    for p in packets:
        sf = one(p["_source"]["layers"]["sflow"])
        agent = one(sf["sflow_245.agent"])
        seq = one(sf["sflow_245.sequence_number"])
        for _, s in items(sf, "Flow sample"):
            sw = next((r for _, r in items(s, "Extended switch data")), {})
            raw = next((r for _, r in items(s, "Raw packet header")), {})
            src, dst = first_ip(raw.get("sflow_245.header_tree")) or ("-", "-")
            lines.append(
                "\t".join(
                    str(one(x))
                    for x in (
                        agent,
                        seq,
                        s["sflow.flow_sample.sequence_number"],
                        s["sflow.flow_sample.sampling_rate"],
                        s["sflow.flow_sample.sample_pool"],
                        s["sflow.flow_sample.input_interface"],
                        sw.get("sflow_245.vlan.in", "-"),
                        raw.get("sflow_245.header_protocol", "-"),
                        raw.get("sflow_245.header.frame_length", "-"),
                        raw.get("sflow_245.header.payload_stripped", "-"),
                        raw.get("sflow_245.header.sampled_header_length", "-"),
                        src,
                        dst,
                    )
                )
            )
    return lines


def main():
    for name, port in CAPTURES.items():
        path = os.path.join(HERE, name)
        packets = tshark_json(path, port)
        lines = sflow_lines(packets) if port is None else netflow_lines(packets)
        out = os.path.join(HERE, name.replace(".pcap", ".expected.tsv"))
        with open(out, "w") as f:
            f.write("\n".join(lines) + "\n")
        print(f"{out}: {len(lines) - 1} records", file=sys.stderr)


if __name__ == "__main__":
    main()
