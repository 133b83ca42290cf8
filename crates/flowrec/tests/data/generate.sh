#!/usr/bin/env bash
# Regenerates the exporter captures in this folder (see README.md): real
# sFlow v5, NetFlow v5/v9 and IPFIX datagrams written by softflowd and pmacctd
# from a committed fixture capture, sent to 127.0.0.1 and captured on lo with
# tcpdump. Needs root and: apt-get install -y softflowd pmacct tcpdump
#
#   crates/flowrec/tests/data/generate.sh [fixture.pcap]
#
# The exporters' sampling (pmacctd's sampling_rate is random) and timing make a
# regenerated capture differ from the committed one: the tests' expected values
# come from tshark/nfdump run over the committed files (see README.md), so
# regenerate only together with those.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixture=${1:-$here/../../../../capture-fixtures/clmv-gateway-usec-le.pcap}
fixture=$(realpath "$fixture")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# capture PORT OUT.pcap -- starts tcpdump on lo for udp PORT, runs the rest of
# the arguments as the exporter, stops tcpdump once the exporter is done.
start_capture() {
    tcpdump -i lo -U -s 0 -w "$2" "udp port $1" 2>"$work/tcpdump.log" &
    tcpdump_pid=$!
    sleep 1
}
stop_capture() {
    sleep 1
    kill -INT "$tcpdump_pid"
    wait "$tcpdump_pid" || true
}

# softflowd reads the pcap, then exports every flow when told to shut down.
softflowd_export() { # VERSION PORT OUT [extra softflowd args]
    local v=$1 port=$2 out=$3
    shift 3
    start_capture "$port" "$out"
    softflowd -d -6 -r "$fixture" -v "$v" -n "127.0.0.1:$port" \
        -p "$work/sf.pid" -c "$work/sf.ctl" "$@" >"$work/softflowd-$v.log" 2>&1 &
    local pid=$!
    # softflowd 1.1.0 starts reading the file only once its control socket is
    # poked, and after the end of the file the next poke makes it expire and
    # export every flow and exit (a shutdown request when it has already gone
    # is harmless).
    sleep 2
    softflowctl -c "$work/sf.ctl" statistics >/dev/null
    sleep 2
    softflowctl -c "$work/sf.ctl" shutdown >/dev/null 2>&1 || true
    wait "$pid" || true
    stop_capture
}

# pmacctd reads the pcap (pcap_savefile_wait keeps it alive), the probe plugin
# exports; SIGINT makes the plugin flush every cached flow and exit.
pmacctd_export() { # PORT OUT CONFIG-LINES...
    local port=$1 out=$2
    shift 2
    printf '%s\n' "daemonize: false" "pcap_savefile: $fixture" "pcap_savefile_wait: true" \
        "$@" >"$work/pmacctd.conf"
    start_capture "$port" "$out"
    pmacctd -f "$work/pmacctd.conf" >"$work/pmacctd.log" 2>&1 &
    local pid=$!
    sleep 4
    kill -INT "$pid"
    wait "$pid" || true
    stop_capture
}

softflowd_export 5 9995 "$here/softflowd-v5.pcap"
softflowd_export 9 9995 "$here/softflowd-v9.pcap"
softflowd_export 10 4739 "$here/softflowd-ipfix.pcap"

pmacctd_export 9996 "$here/pmacctd-nfprobe-v9.pcap" \
    "plugins: nfprobe" "nfprobe_receiver: 127.0.0.1:9996" "nfprobe_version: 9" \
    "nfprobe_engine: 7" "sampling_rate: 4" \
    "aggregate: src_host, dst_host, src_port, dst_port, proto, tos, tcpflags, src_mac, dst_mac, vlan"
pmacctd_export 4740 "$here/pmacctd-nfprobe-ipfix.pcap" \
    "plugins: nfprobe" "nfprobe_receiver: 127.0.0.1:4740" "nfprobe_version: 10" \
    "nfprobe_engine: 9" "sampling_rate: 4" \
    "aggregate: src_host, dst_host, src_port, dst_port, proto, tos, tcpflags, src_mac, dst_mac, vlan"
pmacctd_export 6343 "$here/pmacctd-sfprobe.pcap" \
    "plugins: sfprobe" "sfprobe_receiver: 127.0.0.1:6343" "sfprobe_agentip: 192.0.2.7" \
    "sfprobe_agentsubid: 3" "sampling_rate: 2" "sfprobe_ifindex: 5"
ls -l "$here"/*.pcap
