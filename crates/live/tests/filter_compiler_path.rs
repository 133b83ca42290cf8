//! `--filter` compiles its expression with tcpdump from an absolute path
//! only: a `tcpdump` planted earlier on `PATH` (here, first on it) is never
//! executed, whichever compiler the build uses. This file holds one test, so
//! changing the process's `PATH` races with nothing.

use std::os::unix::fs::PermissionsExt;
use trombone_live::filter::BpfProgram;

#[test]
fn a_tcpdump_planted_on_path_is_not_executed() {
    let dir = std::env::temp_dir().join(format!("trombone-planted-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // world-writable, so the planted program could leave its mark even if it
    // ran unprivileged (as nobody)
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let marker = dir.join("planted-tcpdump-ran");
    let planted = dir.join("tcpdump");
    std::fs::write(
        &planted,
        format!(
            "#!/bin/sh\ntouch '{}'\necho 1\necho '6 0 0 262144'\n",
            marker.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    std::env::set_var("PATH", &path);

    let got = BpfProgram::compile("udp port 53", trombone_capture::linktype::ETHERNET);
    assert!(
        !marker.exists(),
        "the tcpdump planted first on PATH was executed"
    );
    let real = trombone_live::filter::TCPDUMP_PATHS
        .iter()
        .any(|p| std::path::Path::new(p).is_file());
    if real || cfg!(feature = "libpcap") {
        let prog = got.expect("the real compiler compiles the expression");
        // the planted one would have answered a single "accept" instruction
        assert!(prog.insns.len() > 1, "{prog:?}");
    } else {
        let e = got
            .expect_err("no compiler at the absolute paths")
            .to_string();
        assert!(e.contains("/usr/bin/tcpdump"), "{e}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
