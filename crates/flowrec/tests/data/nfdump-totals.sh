#!/usr/bin/env bash
# Second independent decoder: replays each committed NetFlow/IPFIX capture's
# UDP payloads to nfdump's collector (nfcapd) on loopback and writes the
# per-(src, dst) totals nfdump reports to <capture>.nfdump.tsv. Needs
# nfdump (apt-get install -y nfdump) and python3.
#
#   crates/flowrec/tests/data/nfdump-totals.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=39555

for cap in softflowd-v5 softflowd-v9 softflowd-ipfix pmacctd-nfprobe-v9 pmacctd-nfprobe-ipfix; do
    rm -rf "$work/flows" && mkdir -p "$work/flows"
    nfcapd -w "$work/flows" -b 127.0.0.1 -p "$port" >"$work/nfcapd.log" 2>&1 &
    pid=$!
    sleep 1
    python3 - "$here/$cap.pcap" "$port" <<'PY'
import socket, struct, sys, time
data = open(sys.argv[1], "rb").read()
le = data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
e = "<" if le else ">"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
o = 24
while o + 16 <= len(data):
    caplen = struct.unpack(e + "I", data[o + 8:o + 12])[0]
    frame = data[o + 16:o + 16 + caplen]
    o += 16 + caplen
    ip = frame[14:]
    udp = ip[(ip[0] & 15) * 4:]
    ulen = struct.unpack(">H", udp[4:6])[0]
    s.sendto(udp[8:ulen], ("127.0.0.1", int(sys.argv[2])))
    time.sleep(0.01)
PY
    sleep 1
    kill -TERM "$pid"
    wait "$pid" || true
    # Aggregate by address pair; -N plain numbers; csv: sa, da, packets, bytes, flows.
    nfdump -R "$work/flows" -q -N -6 -A srcip,dstip -o "fmt:%sa|%da|%pkt|%byt|%fl" \
        | sed 's/ //g' | sort >"$work/out"
    {
        printf 'src\tdst\tpackets\tbytes\trecords\n'
        tr '|' '\t' <"$work/out"
    } >"$here/$cap.nfdump.tsv"
    echo "$cap: $(($(wc -l <"$here/$cap.nfdump.tsv") - 1)) pairs" >&2
done
