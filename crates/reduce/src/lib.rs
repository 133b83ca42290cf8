//! The reducer, and the merge of results.
//!
//! Stage 4 of the pipeline. Workers stream two kinds of message to one [`Reducer`]: the
//! rate bins of sample intervals that closed ([`trombone_worker::Flush`]) and their
//! figures at each interval boundary ([`trombone_worker::Handover`]). The reducer adds
//! bins across workers and folds them into per-sample records (bytes, packets, busiest
//! bin) of every pair, network, link and of all traffic, and adds the handovers into the
//! matrices and the hairpin section. When an interval is complete it becomes a
//! [`trombone_schema::Report`]: one for the whole run, or one per `--rotate` interval.
//!
//! [`merge`] adds results the same way and derives rates, percentiles and port plans
//! from the sums: rotated pieces merge into exactly the result of one run.

mod evidence;
mod hairpin;
mod merge;
mod reducer;
mod result;
mod samples;
mod sizing;
mod sources;
mod warnings;

pub use evidence::EvidenceSources;
pub use merge::{merge, MergeOptions};
pub use reducer::{asn_db_info, ReduceConfig, Reducer, WHOLE_RUN};
pub use sizing::SizingConfig;
pub use sources::{CollectorPart, IfaceKey, IfaceRegistry, IxpSetup, SourcesSetup};
