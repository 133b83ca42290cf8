//! The MRT reader (`trombone_bgp::Rib`) and MRT as a database source: never panics; a read
//! that stops names the input and an offset inside it; the table it builds is consistent.
//! Input: an MRT stream (plain, gzip or bzip2, detected by magic). It is read as a RIB, then
//! applied a second time on top of itself as updates; the same bytes go to the asdb loader.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trombone_bgp::{Compression, Rib};

fuzz_target!(|data: &[u8]| {
    let (mut rib, st) = match Rib::load_reader("fuzz-mrt", data) {
        Ok(x) => x,
        Err(e) => {
            assert!(e.to_string().starts_with("fuzz-mrt"), "{e}");
            return;
        }
    };
    if st.compression == Compression::None {
        assert!(st.bytes <= data.len() as u64);
        if let Some(e) = &st.error {
            assert!(e.offset.is_some_and(|o| o <= data.len() as u64), "{e}");
        }
    }
    assert_eq!(st.records == 0, st.bytes == 0);
    // every stored prefix has a route; origins come from those routes
    let prefixes = rib.prefixes();
    let mut routes = 0;
    let mut asns: Vec<u32> = Vec::new();
    for p in prefixes.iter().take(200) {
        let r = rib.routes(p);
        assert!(!r.is_empty(), "{p} has no route");
        routes += r.len();
        let o = rib.origins(p);
        assert!(o.iter().map(|(_, n)| *n as usize).sum::<usize>() <= r.len());
        for x in r.iter().take(2) {
            asns.extend(x.path.flat().into_iter().take(3));
        }
        assert!(rib.paths(p).iter().map(|(_, n)| *n as usize).sum::<usize>() == r.len());
    }
    if prefixes.len() <= 200 {
        assert_eq!(routes, rib.route_count());
    }
    asns.sort_unstable();
    asns.dedup();
    for (i, &a) in asns.iter().take(6).enumerate() {
        for &b in asns.iter().skip(i).take(6) {
            let p = rib.paths_between(a, b, 3);
            assert!(p.paths.len() <= 3 && p.paths.len() <= p.distinct);
            for w in &p.paths {
                assert_eq!(w.asns.last(), Some(&b));
                let _ = trombone_bgp::transit_of(&w.asns);
            }
        }
    }
    // applying the same stream again on top changes nothing for a pure RIB dump, and never
    // panics for anything else; compacting keeps the table
    let _ = rib.apply_reader("fuzz-mrt", data);
    let before = rib.prefixes();
    let origins: Vec<_> = before.iter().take(50).map(|p| rib.origins(p)).collect();
    rib.compact();
    assert_eq!(rib.prefixes(), before);
    for (p, o) in before.iter().take(50).zip(&origins) {
        assert_eq!(&rib.origins(p), o);
    }
    // the same bytes as a database source
    if trombone_asdb::detect(data) == Some(trombone_asdb::Format::Mrt) {
        trombone_fuzz::load_and_check(&[("fuzz-mrt", data)], data);
    }
});
