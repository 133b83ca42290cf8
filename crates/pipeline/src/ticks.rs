//! Wall-clock helpers shared by the live capture and the flow-export collector loops.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Wall-clock time, ns since the Unix epoch (0 if the clock is before it).
pub(crate) fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

/// The snapshot time after `at`, every `every`, skipping any already past.
pub(crate) fn next_snapshot(at: Instant, every: Duration) -> Instant {
    let mut next = at + every;
    while next <= Instant::now() {
        next += every;
    }
    next
}

/// How long the control loop may wait for a message: at most 50 ms, and not past the
/// deadline or the next snapshot.
pub(crate) fn wait_for(
    now: Instant,
    deadline: Option<Instant>,
    next_snap: Option<Instant>,
) -> Duration {
    let mut wake = now + Duration::from_millis(50);
    for t in [deadline, next_snap].into_iter().flatten() {
        wake = wake.min(t);
    }
    wake.saturating_duration_since(now)
}
