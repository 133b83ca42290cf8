//! Opening a live capture without privilege fails with a message naming the
//! capability needed. The test drops every effective capability of one
//! thread (capabilities are per thread on Linux) and opens captures from it,
//! so it runs the same as root or as an ordinary user, with no namespace.

use trombone_live::{Engine, LiveCapture, LiveConfig};

/// `_LINUX_CAPABILITY_VERSION_3`.
const CAP_V3: u32 = 0x2008_0522;

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// Clears the calling thread's effective capabilities.
fn drop_effective_caps() {
    let mut hdr = CapHeader {
        version: CAP_V3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: capget fills two CapData for version 3.
    let r = unsafe { libc::syscall(libc::SYS_capget, &mut hdr, data.as_mut_ptr()) };
    assert_eq!(r, 0, "capget: {}", std::io::Error::last_os_error());
    for d in &mut data {
        d.effective = 0;
    }
    // SAFETY: capset with the same header and two CapData; lowering is always allowed.
    let r = unsafe { libc::syscall(libc::SYS_capset, &hdr, data.as_ptr()) };
    assert_eq!(r, 0, "capset: {}", std::io::Error::last_os_error());
}

/// Opens a capture on `lo` with `engine` from a thread without capabilities.
fn open_unprivileged(engine: Engine) -> String {
    std::thread::spawn(move || {
        drop_effective_caps();
        let mut cfg = LiveConfig::new("lo");
        cfg.engine = Some(engine);
        match LiveCapture::open(&cfg) {
            Ok(_) => panic!("{} opened without any capability", engine.name()),
            Err(e) => {
                assert!(
                    e.is_permission(),
                    "{}: not a permission error: {e}",
                    engine.name()
                );
                e.to_string()
            }
        }
    })
    .join()
    .expect("test thread")
}

#[test]
fn afpacket_without_privilege_names_cap_net_raw() {
    let m = open_unprivileged(Engine::AfPacket);
    assert!(m.contains("CAP_NET_RAW"), "{m}");
    assert!(m.contains("lo"), "names the interface: {m}");
}

#[test]
fn afxdp_without_privilege_names_cap_bpf_and_cap_net_admin() {
    let m = open_unprivileged(Engine::AfXdp);
    for cap in ["CAP_BPF", "CAP_NET_ADMIN", "CAP_NET_RAW"] {
        assert!(m.contains(cap), "{m}");
    }
}

#[test]
fn automatic_choice_without_privilege_still_names_cap_net_raw() {
    // lo carries addresses, so the automatic choice is afpacket; it must fail
    // the same way, not fall back silently.
    let m = std::thread::spawn(|| {
        drop_effective_caps();
        LiveCapture::open(&LiveConfig::new("lo"))
            .err()
            .map(|e| e.to_string())
    })
    .join()
    .expect("test thread")
    .expect("opening must fail");
    assert!(m.contains("CAP_NET_RAW"), "{m}");
}

#[test]
fn an_unknown_interface_is_named() {
    let mut cfg = LiveConfig::new("nosuchif0");
    cfg.engine = Some(Engine::AfPacket);
    let m = LiveCapture::open(&cfg)
        .err()
        .expect("no such interface")
        .to_string();
    assert!(m.contains("nosuchif0"), "{m}");
}
