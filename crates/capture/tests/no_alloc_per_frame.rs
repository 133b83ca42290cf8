//! Reading frames does not allocate per packet: counted with a global
//! allocator wrapper, on this thread only, from the second frame to the end.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Cursor;

use common::shared_pcaps;
use trombone_capture::CaptureReader;

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn note_alloc() {
    // try_with: the thread-locals may be gone while a thread shuts down
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = ALLOCS.try_with(|n| n.set(n.get() + 1));
        }
    });
}

// SAFETY: defers to the system allocator; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_alloc();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_alloc();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Frames read, and allocations made while reading `r` from its second
/// frame to its end (the first frame warms up: interface table, buffer).
fn count(mut r: CaptureReader) -> (u64, u64) {
    let mut frames = 0u64;
    let mut bytes = 0u64;
    if let Some(f) = r.next_frame().expect("clean capture") {
        frames += 1;
        bytes += f.data.len() as u64;
    }
    ALLOCS.with(|n| n.set(0));
    COUNTING.with(|on| on.set(true));
    while let Some(f) = r.next_frame().expect("clean capture") {
        frames += 1;
        bytes += f.data.len() as u64;
    }
    COUNTING.with(|on| on.set(false));
    assert!(bytes > 0);
    (frames, ALLOCS.with(Cell::get))
}

#[test]
fn reading_frames_does_not_allocate_per_packet() {
    let Some(pcaps) = shared_pcaps() else { return };
    for rel in [
        "pcap-parser/wireshark_samples-test.pcapng",
        "tcpdump/of13_ericsson.pcapng",
        "tcpdump/ipoib.pcap",
    ] {
        let path = pcaps.join(rel);
        // a file: nothing per frame; once, when a chunk comes back full, the
        // read-ahead thread starts (its name, its two queues, its handle: the chunks
        // themselves are allocated on that thread, not counted here)
        let (frames, allocs) = count(CaptureReader::open(&path).expect("open"));
        assert!(frames > 0);
        assert!(
            allocs <= 6,
            "{rel}: {allocs} allocations for {frames} frames read from the file"
        );

        // stream: only the few times the record buffer grows (it doubles)
        let bytes = std::fs::read(&path).expect("read");
        let r = CaptureReader::from_read(rel, Box::new(Cursor::new(bytes))).expect("open");
        let (frames2, allocs) = count(r);
        assert_eq!(frames2, frames);
        assert!(
            allocs <= 4,
            "{rel}: {allocs} allocations for {frames} streamed frames"
        );
    }
}
