//! Memory for the large tables a worker reads at random: the flow table, the
//! replica matcher's and the handshake table's buckets.
//!
//! Such a table is megabytes to gigabytes touched in no order, so nearly every
//! access misses the TLB as well as the caches; with 4 KiB pages each miss is a
//! page walk (two-dimensional, and so dearer, in a virtual machine). Linux maps
//! anonymous memory with 2 MiB transparent huge pages only where asked when its
//! `transparent_hugepage` mode is `madvise` (Debian's default), so
//! [`table`] asks (`madvise(MADV_HUGEPAGE)`) before the memory is first touched.
//! Measured on a local SYN flood (IPv6, 4 M packets, 2 workers): the workers'
//! CPU per packet fell by about a quarter. Elsewhere, or where the kernel
//! declines, the table is an ordinary vector: the advice changes speed only,
//! never contents.

#![warn(missing_docs)]

/// Tables smaller than this are left alone (no huge page fits in them).
pub const HUGE_PAGE: usize = 2 << 20;

/// A vector of `n` copies of `fill`, its memory advised as eligible for transparent
/// huge pages before it is written (when it spans at least one huge page).
pub fn table<T: Clone>(n: usize, fill: T) -> Vec<T> {
    let mut v: Vec<T> = Vec::with_capacity(n);
    advise_huge_pages(
        v.as_mut_ptr().cast(),
        n.saturating_mul(std::mem::size_of::<T>()),
    );
    v.resize(n, fill);
    v
}

/// Advises the whole pages within `len` bytes from `start` as eligible for huge pages.
#[cfg(target_os = "linux")]
fn advise_huge_pages(start: *mut u8, len: usize) {
    if len < HUGE_PAGE {
        return;
    }
    const PAGE: usize = 4096;
    let from = (start as usize).next_multiple_of(PAGE);
    let to = (start as usize + len) & !(PAGE - 1);
    if to <= from {
        return;
    }
    // SAFETY: the range lies within an allocation this caller owns (the vector's
    // capacity), and MADV_HUGEPAGE changes only how the kernel backs it, never its
    // contents or validity. An error (a kernel without transparent huge pages) leaves
    // the memory as it was, which is fine.
    unsafe {
        libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE);
    }
}

/// Elsewhere: nothing to advise.
#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_start: *mut u8, _len: usize) {}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The `THPeligible` line of the mapping in /proc/self/smaps that holds `addr`.
    fn thp_eligible(addr: usize) -> Option<bool> {
        let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
        let mut inside = false;
        for line in smaps.lines() {
            if let Some((range, _)) = line.split_once(' ') {
                if let Some((a, b)) = range.split_once('-') {
                    if let (Ok(a), Ok(b)) =
                        (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
                    {
                        inside = a <= addr && addr < b;
                        continue;
                    }
                }
            }
            if inside {
                if let Some(v) = line.strip_prefix("THPeligible:") {
                    return Some(v.trim() == "1");
                }
            }
        }
        None
    }

    #[test]
    fn a_large_table_is_eligible_for_huge_pages_and_holds_its_values() {
        let mode = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled")
            .unwrap_or_default();
        let t = table(8 << 20, 7u64); // 64 MiB
        assert_eq!(t.len(), 8 << 20);
        assert!(t.iter().all(|&x| x == 7));
        if mode.contains("[never]") || mode.is_empty() {
            eprintln!("transparent huge pages are off on this machine: eligibility not checked");
            return;
        }
        let mid = t.as_ptr() as usize + t.len() * 4;
        assert_eq!(thp_eligible(mid), Some(true), "THP mode {mode}");
        if mode.contains("[madvise]") {
            // the control: the same allocation without the advice is not eligible
            let plain = vec![7u64; 8 << 20];
            let mid = plain.as_ptr() as usize + plain.len() * 4;
            assert_eq!(thp_eligible(mid), Some(false));
        }
    }

    #[test]
    fn small_and_empty_tables_are_plain_vectors() {
        assert_eq!(table(3, 1u8), vec![1, 1, 1]);
        assert!(table(0, 0u32).is_empty());
    }
}
