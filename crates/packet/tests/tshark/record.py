#!/usr/bin/env python3
"""Records what tshark (Wireshark's dissectors) sees in the public tunnel and
neighbour-discovery captures, as the independent expectation for
crates/packet/tests/shared_captures.rs.

Run from the repository root (needs tshark, reads ../shared/pcaps):
    python3 crates/packet/tests/tshark/record.py

Writes crates/packet/tests/tshark/tunnels.tsv and neighbours.tsv. Only
tshark's dissection is used; the layer-selection rules below restate the
crate's documented policy (which tunnels are opened in which mode, which
Ethernet header the link fields come from), not its code.
"""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
PCAPS = os.path.normpath(os.path.join(HERE, "../../../../../shared/pcaps"))

TUNNEL_FILES = [
    "tcpdump/erspan-type-i-1.pcap",
    "tcpdump/erspan-type-i-2.pcap",
    "tcpdump/erspan-type-i-3.pcap",
    "tcpdump/erspan-type-i-4.pcap",
    "tcpdump/erspan-type-ii-1.pcap",
    "tcpdump/erspan-type-ii-2.pcap",
    "tcpdump/erspan-type-ii-3.pcap",
    "tcpdump/erspan-type-iii-ft-0.pcap",
    "tcpdump/erspan-type-iii-ft-7.pcap",
    "tcpdump/erspan-type-iii-pb-1.pcap",
    "tcpdump/vxlan.pcap",
    "tcpdump/geneve.pcap",
    "tcpdump/geneve-gcp.pcap",
    "tcpdump/gso-ipv4-vxlan-ipv4.pcap",
    "tcpdump/gso-ipv4-vxlan-ipv6.pcap",
    "tcpdump/gso-ipv6-vxlan-ipv4.pcap",
    "tcpdump/gso-ipv6-vxlan-ipv6.pcap",
    "tcpdump/gso-ipv4-geneve-ipv4.pcap",
    "tcpdump/gso-ipv4-geneve-ipv6.pcap",
    "tcpdump/gso-ipv6-geneve-ipv4.pcap",
    "tcpdump/gso-ipv6-geneve-ipv6.pcap",
    "tcpdump/various_gre.pcap",
    "tcpdump/wccp_redirect_gre.pcap",
    "tcpdump/pptp.pcap",
]

ND_FILES = [
    "tcpdump/icmpv6.pcap",
    "tcpdump/icmpv6-ra-pref64.pcap",
    "tcpdump/icmpv6_opt24.pcap",
    "tcpdump/dcb_ets.pcap",
    "tcpdump/icmpv6-ns-nonce.pcap",
    "tcpdump/vxlan.pcap",
    "tcpdump/erspan-type-i-3.pcap",
    "tcpdump/erspan-type-ii-3.pcap",
    "tcpdump/802.1ad_QinQ.pcap",
    "tcpdump/dhcp-rfc4388.pcap",
    "tcpdump/bgp-4byte-asn.pcap",
    "tcpdump/arp-too-long-tha.pcap",
    "pcap-parser/wireshark_samples-test.pcapng",
]

# Transport protocols by PDML protocol name, for the proto column.
L4 = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "gre": 47, "pim": 103,
      "ospf": 89, "igmp": 2, "vrrp": 112, "sctp": 132, "esp": 50}


def packets(path):
    """Yields each packet's list of top-level <proto> elements."""
    out = subprocess.run(["tshark", "-r", path, "-T", "pdml"], capture_output=True,
                         check=True).stdout
    root = ET.fromstring(out)
    for pkt in root.iter("packet"):
        yield [p for p in pkt if p.tag == "proto"]


def fields(proto):
    """name -> show, first occurrence, over the whole subtree."""
    f = {}
    for e in proto.iter("field"):
        f.setdefault(e.get("name"), e.get("show"))
    return f


def all_fields(proto, name):
    return [e.get("show") for e in proto.iter("field") if e.get("name") == name]


def names(protos):
    return [p.get("name") for p in protos]


# 802.1Q tags and 802.1ad service tags, with their VLAN id field.
TAGS = {"vlan": "vlan.id", "ieee8021ad": "ieee8021ad.id"}


def first_tag(protos, start, end):
    """VLAN id of the first (outermost) tag among protos[start:end], 0 if none."""
    for k in range(start, end):
        name = protos[k].get("name")
        if name in TAGS:
            return int(fields(protos[k])[TAGS[name]])
    return 0


def select(protos, mode):
    """Applies the documented policy to tshark's layers; returns a dict or
    None when the frame has no IP layer at all."""
    ns = names(protos)
    if "ip" not in ns and "ipv6" not in ns:
        return None
    eth = ns.index("eth") if "eth" in ns else None
    ipi = next(i for i, n in enumerate(ns) if n in ("ip", "ipv6"))
    if eth is not None and eth > ipi:
        eth = None
    tunnel = "none"
    encap = 0
    link_zero = eth is None
    non_ip = False
    while True:
        rest = ns[ipi + 1:]
        kind = None
        if rest[:2] == ["gre", "erspan"]:
            er = protos[ipi + 2]
            ver = fields(er).get("erspan.version")
            kind = {"1": "erspan-ii", "2": "erspan-iii"}.get(ver, "erspan-i")
            after = ipi + 3
        elif rest[:2] == ["udp", "tzsp"]:
            kind, after = "tzsp", ipi + 3
        elif rest[:2] == ["udp", "vxlan"] and mode == "all":
            kind, after = "vxlan", ipi + 3
        elif rest[:2] == ["udp", "geneve"] and mode == "all":
            kind, after = "geneve", ipi + 3
        elif rest[:1] == ["gre"] and mode == "all" and fields(protos[ipi + 1]).get(
                "gre.proto") in ("0x6558", "0x0800", "0x86dd"):
            # GRE opened on request: Ethernet or IP payloads only (not WCCP,
            # Cisco metadata, NHRP...); tshark dissects TEB as "eth"
            kind, after = "gre", ipi + 2
        if kind is None:
            break
        if tunnel == "none":
            tunnel = kind
        mirror = kind.startswith("erspan") or kind == "tzsp"
        nxt = ns[after] if after < len(ns) else None
        if nxt == "eth":
            eth = after
            encap = int(protos[after].get("pos"))
            link_zero = False
            j = after + 1
            while j < len(ns) and (ns[j] == "ethertype" or ns[j] in TAGS):
                j += 1
            if j < len(ns) and ns[j] in ("ip", "ipv6"):
                ipi = j
                continue
            non_ip = True
            break
        if nxt in ("ip", "ipv6"):
            encap = int(protos[after].get("pos"))
            if mirror:
                link_zero = True
            ipi = after
            continue
        non_ip = True
        break
    row = {"tunnel": tunnel, "encap_len": encap}
    if non_ip and ("_ws.short" in ns or "_ws.malformed" in ns):
        # the capture cut the tunnel headers: nothing to read as IP or not
        row.update(outcome="malformed", encap_len=0)
        return row
    if non_ip:
        row["outcome"] = "non_ip"
        return row
    row["outcome"] = "ip"
    ip = protos[ipi]
    f = fields(ip)
    if ns[ipi] == "ip":
        row.update(src=f["ip.src"], dst=f["ip.dst"], l3_len=int(f["ip.len"]),
                   ttl=int(f["ip.ttl"]), proto=int(f["ip.proto"]))
    else:
        nxts = [n for n in (e.get("name") for e in ip.iter("field"))
                if n and n.endswith(".nxt")]
        last_nxt = [e.get("show") for e in ip.iter("field") if e.get("name") in nxts][-1]
        row.update(src=f["ipv6.src"], dst=f["ipv6.dst"], l3_len=40 + int(f["ipv6.plen"]),
                   ttl=int(f["ipv6.hlim"]), proto=int(last_nxt))
    sport = dport = 0
    if ipi + 1 < len(ns) and ns[ipi + 1] in ("tcp", "udp"):
        t = fields(protos[ipi + 1])
        p = ns[ipi + 1]
        sport, dport = int(t[p + ".srcport"]), int(t[p + ".dstport"])
    row.update(sport=sport, dport=dport)
    if link_zero:
        row.update(vlan=0, src_mac="00:00:00:00:00:00", dst_mac="00:00:00:00:00:00")
    else:
        e = fields(protos[eth])
        row.update(vlan=first_tag(protos, eth + 1, ipi), src_mac=e["eth.src"],
                   dst_mac=e["eth.dst"])
    return row


COLS = ["file", "frame", "mode", "outcome", "tunnel", "encap_len", "src", "dst", "l3_len",
        "ttl", "proto", "sport", "dport", "vlan", "src_mac", "dst_mac"]


def record_tunnels(out):
    out.write("# tshark " + tshark_version() + "; see record.py\n")
    out.write("\t".join(COLS) + "\n")
    for rel in TUNNEL_FILES:
        for n, protos in enumerate(packets(os.path.join(PCAPS, rel)), 1):
            for mode in ("mirror", "all"):
                row = select(protos, mode)
                if row is None:
                    # no IP layer anywhere (STP, CDP, loopback...)
                    row = {"outcome": "non_ip", "tunnel": "none", "encap_len": 0}
                row.update(file=rel, frame=n, mode=mode)
                out.write("\t".join(str(row.get(c, "")) for c in COLS) + "\n")


def record_neighbours(out):
    """ARP sender and ND link-layer address options, as tshark reads them."""
    out.write("# tshark " + tshark_version() + "; see record.py\n")
    out.write("file\tframe\tmac\tip\tvlan\n")
    for rel in ND_FILES:
        for n, protos in enumerate(packets(os.path.join(PCAPS, rel)), 1):
            ns = names(protos)
            # the Ethernet header that carries the claim: the innermost one
            eths = [i for i, x in enumerate(ns) if x == "eth"]
            vlan = first_tag(protos, eths[-1] + 1, len(ns)) if eths else 0
            if "arp" in ns:
                # only what is reached through mirror encapsulations (not VXLAN)
                if "vxlan" in ns or "geneve" in ns:
                    continue
                f = fields(protos[ns.index("arp")])
                if (f.get("arp.hw.type"), f.get("arp.proto.type"), f.get("arp.hw.size"),
                        f.get("arp.proto.size")) != ("1", "0x0800", "6", "4"):
                    continue
                if f.get("arp.opcode") not in ("1", "2"):
                    continue
                mac, ip = f["arp.src.hw_mac"], f["arp.src.proto_ipv4"]
                if ip == "0.0.0.0" or mac == "00:00:00:00:00:00" or int(mac[:2], 16) & 1:
                    continue
                out.write(f"{rel}\t{n}\t{mac}\t{ip}\t{vlan}\n")
            elif "icmpv6" in ns:
                ic = protos[ns.index("icmpv6")]
                f = fields(ic)
                ip6 = fields(protos[ns.index("ipv6")])
                t = f.get("icmpv6.type")
                if t not in ("133", "134", "135", "136") or f.get("icmpv6.code") != "0":
                    continue
                if ip6.get("ipv6.hlim") != "255":
                    continue
                if t == "136":
                    macs = all_fields(ic, "icmpv6.opt.target_linkaddr")
                    ip = f.get("icmpv6.nd.na.target_address")
                else:
                    macs = all_fields(ic, "icmpv6.opt.src_linkaddr")
                    ip = ip6["ipv6.src"]
                if not macs or ip in (None, "::"):
                    continue
                out.write(f"{rel}\t{n}\t{macs[0]}\t{ip}\t{vlan}\n")


def tshark_version():
    return subprocess.run(["tshark", "-v"], capture_output=True, text=True).stdout \
        .splitlines()[0].split()[2]


if __name__ == "__main__":
    if not os.path.isdir(PCAPS):
        sys.exit(f"{PCAPS} missing")
    with open(os.path.join(HERE, "tunnels.tsv"), "w") as out:
        record_tunnels(out)
    with open(os.path.join(HERE, "neighbours.tsv"), "w") as out:
        record_neighbours(out)
