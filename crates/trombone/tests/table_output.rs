//! `--format table` end to end: the built binary on committed fixtures, the printed figures
//! read back and compared with where they come from.
//!
//! - Sizing (`capture-fixtures/sizing-kh.*`): every network's p95 in/out and busiest-bin
//!   rates and every recommended IXP port and transit saving against the generator's sizing
//!   model (`sizing-kh.sizing.expected.json`, never a run of the analyzer); a printed rate
//!   or amount must be within the rounding of its three significant figures (cents for
//!   money) of the model's value, so "0.00" for 13.7 kbit/s or "$1" for $0.95 fails.
//! - Evidence (`hairpin-kh.*` with `--bgp` and `--peeringdb`): each hairpinned pair's BGP
//!   verdict and common IXPs against the generator's routing truth
//!   (`hairpin-kh.routing-truth.json`); the latency headline, RTTs, savings and TIs against
//!   the same run's JSON — a consistency check (the table must say what the JSON says; the
//!   JSON itself is checked against the evidence model by tests/hairpin.rs).
//! - Flow export (`crates/flowrec/tests/data`, real softflowd/pmacctd datagrams): the AS
//!   matrix shares against nfdump's per-address totals mapped to AS pairs here (they add
//!   up to 100%, not to 278% of the datagrams' own bytes), datagram and record counts
//!   against the captures' README (tshark) and nfdump, the hairpin and evidence lines
//!   against the same run's JSON `not_available` texts (consistency), and the IXP line
//!   against the same run's JSON (consistency).
//! - Decapsulation: the CLMV gateway fixture wrapped here in TZSP (47 bytes of outer
//!   Ethernet, IPv4, UDP and TZSP header per frame) must print the generator's IP packet
//!   count as decapsulated packets and 47 bytes for each as outer-header bytes.

use serde_json::Value;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures() -> PathBuf {
    root().join("capture-fixtures")
}

fn flow_data(name: &str) -> PathBuf {
    root().join("crates/flowrec/tests/data").join(name)
}

fn load(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Runs trombone; its standard output.
fn run(args: &[String]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_trombone"))
        .args(args)
        .output()
        .expect("run trombone");
    assert!(
        out.status.success(),
        "trombone {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// An expected file's `args`, fixture file names made absolute.
fn fixture_args(exp: &Value) -> Vec<String> {
    exp["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let a = a.as_str().unwrap();
            let p = fixtures().join(a);
            if a.contains('.') && p.exists() {
                p.display().to_string()
            } else {
                a.to_string()
            }
        })
        .collect()
}

fn with(mut args: Vec<String>, extra: &[&str]) -> Vec<String> {
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The text of a section: from the line starting with `head` to the next blank line.
fn section<'a>(text: &'a str, head: &str) -> &'a str {
    let at = text
        .find(&format!("\n{head}"))
        .unwrap_or_else(|| panic!("no section {head:?} in\n{text}"))
        + 1;
    let end = text[at..].find("\n\n").map_or(text.len(), |e| at + e);
    &text[at..end]
}

/// A printed rate ("13.7 kbit/s", "0") in Mbit/s.
fn mbps(number: &str, unit: Option<&str>) -> f64 {
    let v: f64 = number
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {number:?}"));
    let f = match unit {
        None => {
            assert_eq!(v, 0.0, "a rate without a unit must be 0");
            1.0
        }
        Some("bit/s") => 1e-6,
        Some("kbit/s") => 1e-3,
        Some("Mbit/s") => 1.0,
        Some("Gbit/s") => 1e3,
        Some(u) => panic!("unit {u}"),
    };
    v * f
}

/// Pops `n` printed rates from the end of `tokens` (each "0" or "NUMBER UNIT"), last first.
fn pop_rates(tokens: &mut Vec<&str>, n: usize) -> Vec<f64> {
    let mut v = Vec::new();
    for _ in 0..n {
        let t = tokens.pop().expect("a rate");
        if t.ends_with("bit/s") {
            let num = tokens.pop().expect("its number");
            v.push(mbps(num, Some(t)));
        } else {
            v.push(mbps(t, None));
        }
    }
    v.reverse();
    v
}

/// True when `printed` is `want` rounded to three significant figures.
fn three_figures(printed: f64, want: f64) -> bool {
    (printed - want).abs() <= 0.005 * want.abs() + 1e-12
}

/// A printed dollar amount ("$0.69", "$1,234").
fn dollars(s: &str) -> f64 {
    s.trim_start_matches('$')
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("not an amount: {s:?}"))
}

/// The row of `block` whose first field is `asn` (and, when given, with `→ dst`).
fn row(block: &str, asn: u64, dst: Option<u64>) -> &str {
    block
        .lines()
        .find(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.first() == Some(&asn.to_string().as_str())
                && dst.is_none_or(|d| {
                    f.iter()
                        .position(|x| *x == "→")
                        .is_some_and(|i| f.get(i + 1) == Some(&d.to_string().as_str()))
                })
        })
        .unwrap_or_else(|| panic!("no row for AS{asn} → {dst:?} in\n{block}"))
}

#[test]
fn sizing_table_carries_the_models_rates_and_ports() {
    let exp = load(&fixtures().join("sizing-kh.sizing.expected.json"));
    let want = &exp["sizing"];
    let text = run(&with(
        fixture_args(&exp),
        &["--no-progress", "--format", "table", "--top", "50"],
    ));
    let rates = section(&text, "RATES per network");
    assert!(
        rates.contains(&format!(
            "p95 of {} samples of 60 s",
            want["samples"].as_u64().unwrap()
        )),
        "{rates}"
    );
    let ports: BTreeMap<u64, &Value> = want["what_if"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["asn"].as_u64().unwrap(), p))
        .collect();
    let nets = want["networks"].as_array().unwrap();
    assert_eq!(nets.len(), 4);
    for n in nets {
        let asn = n["asn"].as_u64().unwrap();
        let r = row(rates, asn, None);
        let mut tokens: Vec<&str> = r.split_whitespace().collect();
        let port = tokens.pop().unwrap();
        let _mean_size = tokens.pop().unwrap();
        let pps: f64 = tokens.pop().unwrap().parse().unwrap();
        let got = pop_rates(&mut tokens, 4);
        let (i, o) = (&n["in"], &n["out"]);
        for (g, w, what) in [
            (got[0], &i["p95_mbps"], "p95 in"),
            (got[1], &o["p95_mbps"], "p95 out"),
            (got[2], &i["peak_bin_mbps"], "peak in"),
            (got[3], &o["peak_bin_mbps"], "peak out"),
        ] {
            let w = w.as_f64().unwrap();
            assert!(w > 0.0);
            assert!(
                three_figures(g, w),
                "AS{asn} {what}: {g} printed, model {w}\n{r}"
            );
        }
        let wpps = i["p95_pps"]
            .as_f64()
            .unwrap()
            .max(o["p95_pps"].as_f64().unwrap());
        assert!(three_figures(pps, wpps), "AS{asn} pps {pps} vs {wpps}");
        // the recommended port: the model's for networks with hairpinned traffic
        match ports.get(&asn) {
            Some(p) => assert_eq!(port, p["port"].as_str().unwrap(), "AS{asn}: {r}"),
            None => assert_eq!(port, "-", "AS{asn} has no hairpinned traffic: {r}"),
        }
    }
    let plan = section(&text, "IXP PORTS");
    for (asn, p) in &ports {
        let r = row(plan, *asn, None);
        let mut tokens: Vec<&str> = r.split_whitespace().collect();
        let saved = dollars(tokens.pop().unwrap());
        let _use = tokens.pop().unwrap();
        let port = tokens.pop().unwrap();
        let got = pop_rates(&mut tokens, 4);
        assert_eq!(port, p["port"].as_str().unwrap());
        let w = p["transit_saved_usd_per_month"].as_f64().unwrap();
        assert!((saved - w).abs() <= 0.005, "AS{asn}: ${saved} vs model {w}");
        for (g, k) in got.iter().zip([
            &p["hairpin_in"]["p95_mbps"],
            &p["hairpin_out"]["p95_mbps"],
            &p["p95_mbps"],
            &p["needed_mbps"],
        ]) {
            assert!(
                three_figures(*g, k.as_f64().unwrap()),
                "AS{asn}: {g} vs {k}\n{r}"
            );
        }
    }
    // the headline saving: cents, not "$0" or "$1"
    let total = want["what_if"]["total_transit_saved_usd_per_month"]
        .as_f64()
        .unwrap();
    let line = plan
        .lines()
        .find(|l| l.contains("transit that local peering would save:"))
        .expect("saving line");
    let amount = line
        .split("would save: ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    assert!(
        (dollars(amount) - total).abs() <= 0.005,
        "{line}: model {total}"
    );
    // the model's 1205 s of traffic is less than a day: graded as such beside the figure
    assert!(
        line.contains("indicative: less than one day of traffic"),
        "{line}"
    );
    // the footer names what only JSON and HTML hold
    let footer = text.lines().last().unwrap();
    assert!(
        footer.contains("--format json") && footer.contains("trombone report"),
        "{footer}"
    );
}

#[test]
fn evidence_section_gives_the_routing_truth_and_the_jsons_latencies() {
    let truth = load(&fixtures().join("hairpin-kh.routing-truth.json"));
    let args = with(fixture_args(&truth), &["--no-progress", "--workers", "1"]);
    let text = run(&with(args.clone(), &["--format", "table", "--top", "50"]));
    let json: Value = serde_json::from_str(&run(&with(args, &["--format", "json"]))).unwrap();
    let ev = &json["evidence"];
    let at = text.find("\nEVIDENCE").expect("evidence section") + 1;
    let block = &text[at..text.find("\nAS matrix").unwrap()];
    // the headline (consistency with the same run's JSON)
    let h = &ev["headline"];
    let head = format!(
        "hairpinned local traffic: median handshake {} ms ({} handshakes); locally exchanged: median handshake {} ms ({} handshakes); local exchange would save {} ms per handshake",
        sig3(h["hairpinned_median_ms"].as_f64().unwrap()),
        h["hairpinned_handshakes"],
        sig3(h["direct_median_ms"].as_f64().unwrap()),
        h["direct_handshakes"],
        sig3(h["saving_ms"].as_f64().unwrap())
    );
    assert!(block.contains(&head), "want {head:?} in\n{block}");
    assert!(block.contains(&format!("Karn's rule: {} handshake", h["retransmitted"])));
    // per pair: BGP verdict and common IXPs against the routing truth
    let tpairs = truth["pairs"].as_array().unwrap();
    assert!(tpairs.len() >= 5);
    // the table lists hairpinned pairs; the truth gives no peering verdict to a pair
    // without hairpinned bytes (a pair timed only on direct paths), which has no row
    let hairpinned: Vec<&Value> = tpairs.iter().filter(|w| !w["peering"].is_null()).collect();
    assert!(hairpinned.len() >= 5);
    for w in hairpinned {
        let (s, d) = (
            w["src_asn"].as_u64().unwrap(),
            w["dst_asn"].as_u64().unwrap(),
        );
        let r = row(block, s, Some(d));
        let b = &w["bgp"];
        let verdict = match b["leaves_zone"].as_bool() {
            Some(true) => format!(
                "leaves via {}",
                b["transit"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| format!("AS{a}"))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Some(false) => "stays in zone".to_string(),
            None => "no route".to_string(),
        };
        let verdict = if b["basis"] == "collector_view" {
            format!("{verdict} (collectors)")
        } else {
            verdict
        };
        assert!(
            r.contains(&format!(" {verdict} ")),
            "AS{s}→AS{d}: {verdict:?} in\n{r}"
        );
        let ixps: Vec<&str> = w["common_ixps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        let ixps = if ixps.is_empty() {
            "none".to_string()
        } else {
            ixps.join(", ")
        };
        assert!(
            r.trim_end().ends_with(&format!(" {ixps}")),
            "AS{s}→AS{d}: {ixps:?} in\n{r}"
        );
        // RTT, saving and TI: what the JSON says (consistency)
        let p = ev["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["src_asn"] == w["src_asn"] && p["dst_asn"] == w["dst_asn"])
            .expect("pair in the JSON evidence");
        if let Some(hp) = p["hairpinned"].as_object() {
            let cell = format!(
                "{} ms ({})",
                sig3(hp["p50"].as_f64().unwrap()),
                hp["samples"]
            );
            assert!(r.contains(&cell), "{cell:?} in {r}");
        }
        if let Some(sv) = p["saving_ms"].as_f64() {
            assert!(
                r.contains(&format!(" {} ms ", sig3(sv))),
                "saving {sv} in {r}"
            );
        }
        if let Some(ti) = p["ti"].as_object() {
            let cell = format!(
                "{}{}{}",
                if ti["floored"] == true { "≥" } else { "" },
                sig3(ti["value"].as_f64().unwrap()),
                if ti["above_acceptable"] == true {
                    "!"
                } else {
                    ""
                }
            );
            assert!(r.contains(&format!(" {cell} ")), "TI {cell:?} in {r}");
        }
    }
}

/// Three significant figures, as people write them ("47.8", "4.59", "0.0714").
fn sig3(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let mag = x.abs().log10().floor() as i32;
    let r = (x * 10f64.powi(2 - mag)).round() / 10f64.powi(2 - mag);
    let mag = r.abs().log10().floor() as i32;
    format!("{r:.*}", (2 - mag).max(0) as usize)
}

/// The fixture's address table as (first, last, ASN) ranges, read here.
fn ranges() -> Vec<(IpAddr, IpAddr, u64)> {
    std::fs::read_to_string(fixtures().join("fixture-asn.tsv"))
        .unwrap()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((f[0].parse().ok()?, f[1].parse().ok()?, f[2].parse().ok()?))
        })
        .collect()
}

fn asn_of(r: &[(IpAddr, IpAddr, u64)], ip: IpAddr) -> u64 {
    r.iter()
        .find(|(a, b, _)| a <= &ip && &ip <= b && a.is_ipv4() == ip.is_ipv4())
        .map_or(0, |x| x.2)
}

#[test]
fn flow_export_table_has_true_shares_and_says_what_is_not_available() {
    // nfdump's per-address totals of the same datagrams, as AS pairs
    let r = ranges();
    let mut want: BTreeMap<(u64, u64), u64> = BTreeMap::new();
    let (mut packets, mut bytes) = (0u64, 0u64);
    for l in std::fs::read_to_string(flow_data("softflowd-v9.nfdump.tsv"))
        .unwrap()
        .lines()
        .skip(1)
    {
        let f: Vec<&str> = l.split('\t').collect();
        let (s, d): (IpAddr, IpAddr) = (f[0].parse().unwrap(), f[1].parse().unwrap());
        let b: u64 = f[3].parse().unwrap();
        *want.entry((asn_of(&r, s), asn_of(&r, d))).or_default() += b;
        packets += f[2].parse::<u64>().unwrap();
        bytes += b;
    }
    let args: Vec<String> = [
        "analyze",
        flow_data("softflowd-v9.pcap").to_str().unwrap(),
        "--decode",
        "netflow",
        "--decode-port",
        "netflow=9995",
        "--asn-db",
        fixtures().join("fixture-asn.tsv").to_str().unwrap(),
        "--home",
        "KH",
        "--no-progress",
    ]
    .map(String::from)
    .to_vec();
    let text = run(&with(args.clone(), &["--format", "table", "--top", "1000"]));
    let json: Value = serde_json::from_str(&run(&with(args, &["--format", "json"]))).unwrap();
    // the datagrams' own bytes are a fraction of what their records describe
    assert!(json["totals"]["ip_bytes"].as_u64().unwrap() * 10 < bytes);
    let matrix = section(&text, "AS matrix");
    let mut got: BTreeMap<(u64, u64), f64> = BTreeMap::new();
    let mut rows = 0;
    for l in matrix.lines().filter(|l| l.contains('→')) {
        let f: Vec<&str> = l.split_whitespace().collect();
        let arrow = f.iter().position(|x| *x == "→").unwrap();
        let key = (f[0].parse().unwrap(), f[arrow + 1].parse().unwrap());
        let pct = f.iter().rev().find(|x| x.ends_with('%')).expect("a share");
        let v: f64 = pct.trim_end_matches('%').parse().unwrap_or(0.0);
        assert!(v <= 100.0, "{l}");
        *got.entry(key).or_default() += v;
        rows += 1;
    }
    assert_eq!(
        rows,
        json["as_matrix"].as_array().unwrap().len(),
        "every cell printed"
    );
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (k, b) in &want {
        let share = *b as f64 * 100.0 / bytes as f64;
        // one decimal per printed row ("<0.1%" read as 0)
        assert!(
            (got[k] - share).abs() <= 0.1 * rows as f64,
            "AS{}→AS{}: {}% printed, nfdump {share:.3}%",
            k.0,
            k.1,
            got[k]
        );
    }
    let sum: f64 = got.values().sum();
    assert!(
        (sum - 100.0).abs() <= 0.05 * rows as f64,
        "shares add up to {sum}%"
    );
    // the collector lines: 8 datagrams, 222 records (README, tshark), nfdump's packets
    assert!(
        text.contains(&format!(
            "FLOW EXPORT (file): 8 datagrams (netflow_v9 8) · 222 flow records ({} packets,",
            thousands(packets)
        )),
        "{text}"
    );
    assert!(
        text.contains("lost by sequence gaps: 0 datagrams, 0 records"),
        "{text}"
    );
    assert!(
        text.contains("socket drops: n/a (read from files)"),
        "{text}"
    );
    // no hairpin zeros: the result's own not_available text (consistency with the JSON)
    let na = json["hairpin"]["not_available"]
        .as_str()
        .expect("not_available");
    assert!(na.starts_with("not available from NetFlow"), "{na}");
    assert!(
        text.contains(&format!("HAIRPIN — home KH, zone KH: {na}\n")),
        "{text}"
    );
    assert!(!text.contains("% of local traffic left the zone"), "{text}");
    let ev = section(&text, "EVIDENCE");
    assert!(
        ev.contains(json["evidence"]["not_available"].as_str().unwrap()),
        "{ev}"
    );
}

#[test]
fn sflow_at_an_ixp_prints_the_collector_and_member_lines() {
    // tshark's sample list: one line per flow sample, with its sampling rate
    let tsv = std::fs::read_to_string(flow_data("pmacctd-sfprobe.expected.tsv")).unwrap();
    let (mut samples, mut packets) = (0u64, 0u64);
    for l in tsv.lines().skip(1) {
        samples += 1;
        packets += l.split('\t').nth(3).unwrap().parse::<u64>().unwrap();
    }
    let members = root().join("crates/ixp/tests/data/ixf-1.0-cnx-synthetic.json");
    let args: Vec<String> = [
        "analyze",
        flow_data("pmacctd-sfprobe.pcap").to_str().unwrap(),
        "--decode",
        "sflow",
        "--ixp-members",
        members.to_str().unwrap(),
        "--asn-db",
        fixtures().join("fixture-asn.tsv").to_str().unwrap(),
        "--no-progress",
    ]
    .map(String::from)
    .to_vec();
    let text = run(&with(args.clone(), &["--format", "table"]));
    let json: Value = serde_json::from_str(&run(&with(args, &["--format", "json"]))).unwrap();
    // 86 datagrams (the captures' README); samples and packets from tshark
    assert!(
        text.contains(&format!(
            "86 datagrams (sflow 86) · 0 flow records (0 packets, 0 B) · {} packet samples ({} packets,",
            thousands(samples),
            thousands(packets)
        )),
        "{text}"
    );
    // the member line says what the JSON's ixp section says (consistency)
    let x = &json["ixp"];
    let total: u64 = x["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bytes"].as_u64().unwrap())
        .sum();
    let un = &x["unattributed"];
    let line = text
        .lines()
        .find(|l| l.starts_with("IXP PEERING LAN"))
        .expect("IXP line");
    assert!(
        line.contains(&format!(
            "{} members with traffic, of {} listed",
            x["members"].as_array().unwrap().len(),
            x["members_listed"]
        )),
        "{line}"
    );
    let pct = un["bytes"].as_u64().unwrap() as f64 * 100.0 / total as f64;
    assert!(
        line.contains(&format!("({pct:.1}% of the member matrix's"))
            && line.ends_with(&format!(", {} MACs", un["macs"])),
        "{line}"
    );
}

/// Frames (seconds, microseconds, bytes) of a classic little-endian µs pcap.
fn read_pcap(p: &Path) -> Vec<(u32, u32, Vec<u8>)> {
    let b = std::fs::read(p).unwrap();
    assert_eq!(
        &b[..4],
        &0xa1b2_c3d4u32.to_le_bytes(),
        "little-endian µs pcap"
    );
    let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
    let (mut at, mut v) = (24, Vec::new());
    while at + 16 <= b.len() {
        let len = u32_at(at + 8) as usize;
        v.push((
            u32_at(at),
            u32_at(at + 4),
            b[at + 16..at + 16 + len].to_vec(),
        ));
        at += 16 + len;
    }
    v
}

#[test]
fn decapsulation_line_counts_the_tunnelled_packets_and_their_headers() {
    let bare = fixtures().join("clmv-gateway-usec-le.pcap");
    let frames = read_pcap(&bare);
    // the generator's own counts for the bare capture
    let exp = load(&fixtures().join("clmv-gateway-usec-le.expected.json"));
    assert_eq!(
        frames.len() as u64,
        exp["totals"]["frames"].as_u64().unwrap()
    );
    let ip_packets = exp["totals"]["ip_packets"].as_u64().unwrap();
    // TZSP (always opened: a mirror encapsulation): outer Ethernet (14) + IPv4 (20) +
    // UDP to 37008 (8) + TZSP version 1, received, Ethernet, END tag (5) = 47 bytes
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&[2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&262_144u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    for (s, us, f) in &frames {
        let mut w = vec![0x02, 0, 0, 0, 0, 0x99, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00];
        let ip_len = (20 + 8 + 5 + f.len()) as u16;
        w.extend_from_slice(&[0x45, 0]);
        w.extend_from_slice(&ip_len.to_be_bytes());
        w.extend_from_slice(&[0, 0, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 99]);
        w.extend_from_slice(&[0xc3, 0x50, 0x90, 0x90]);
        w.extend_from_slice(&(ip_len - 20).to_be_bytes());
        w.extend_from_slice(&[0, 0, 1, 0, 0, 1, 1]);
        assert_eq!(w.len(), 47);
        w.extend_from_slice(f);
        out.extend_from_slice(&s.to_le_bytes());
        out.extend_from_slice(&us.to_le_bytes());
        out.extend_from_slice(&(w.len() as u32).to_le_bytes());
        out.extend_from_slice(&(w.len() as u32).to_le_bytes());
        out.extend_from_slice(&w);
    }
    let dir = std::env::temp_dir().join(format!("trombone-table-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wrapped = dir.join("tzsp.pcap");
    std::fs::write(&wrapped, out).unwrap();
    let text = run(&[
        "analyze".into(),
        wrapped.display().to_string(),
        "--asn-db".into(),
        fixtures().join("fixture-asn.tsv").display().to_string(),
        "--no-progress".into(),
    ]);
    std::fs::remove_dir_all(&dir).unwrap();
    let encap = 47 * ip_packets;
    let want = format!(
        "DECAPSULATED: {} packets arrived inside a tunnel",
        thousands(ip_packets)
    );
    assert!(text.contains(&want), "{want:?} in\n{text}");
    assert!(
        text.contains(&format!(
            "of outer headers removed ({} B)",
            thousands(encap)
        )),
        "{encap} B in\n{text}"
    );
    // the bare capture says nothing of tunnels
    let bare_text = run(&[
        "analyze".into(),
        bare.display().to_string(),
        "--asn-db".into(),
        fixtures().join("fixture-asn.tsv").display().to_string(),
        "--no-progress".into(),
    ]);
    assert!(!bare_text.contains("DECAPSULATED"), "{bare_text}");
}
