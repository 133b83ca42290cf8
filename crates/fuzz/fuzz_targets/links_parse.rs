//! The links file (links.toml) parser: never panics; a file it accepts
//! classifies frames without panicking and only ever names a link it has.
//!
//! Input: the file's text (invalid UTF-8 is replaced, as a lossy read would).
#![no_main]

use libfuzzer_sys::fuzz_target;
use trombone_hairpin::{Direction, Links};
use trombone_packet::PacketMeta;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let links = match Links::parse(&text, "fuzz.toml") {
        Ok(l) => l,
        Err(e) => {
            assert!(
                e.0.starts_with("fuzz.toml"),
                "error does not name the file: {}",
                e.0
            );
            return;
        }
    };
    let mut probes = vec![PacketMeta::default()];
    for l in &links.links {
        let mut m = PacketMeta {
            vlan: l.vlan.unwrap_or(0),
            ..PacketMeta::default()
        };
        if let Some(mac) = l.mac {
            m.src_mac = mac;
            probes.push(m);
            m.src_mac = [0; 6];
            m.dst_mac = mac;
        }
        probes.push(m);
    }
    for m in probes.iter().take(64) {
        let s = links.identify(m);
        match s.link {
            Some(i) => assert!(usize::from(i) < links.links.len()),
            None => assert_eq!(s.direction, Direction::Unknown),
        }
    }
});
