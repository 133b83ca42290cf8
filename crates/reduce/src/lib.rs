//! The reducer and the report it produces.
//!
//! Stage 4 of the pipeline. Workers hand their [`WorkerOutput`] (per AS pair
//! counters and hairpin accumulators) to one [`Reducer`] over a channel, in
//! any order; the reducer adds them into an AS×AS matrix, a country×country
//! matrix and the hairpin verdict. Addition is commutative, and a
//! flow always lives on one worker, so the result does not depend on how many
//! workers there were or in which order they finished. [`Reducer::finish`]
//! sorts the cells deterministically and returns the [`Report`], the
//! versioned contract that every output format renders.
//!
//! [`WorkerOutput`]: trombone_flow::WorkerOutput

mod hairpin;
mod matrix;
mod report;
mod sizing;

pub use matrix::Reducer;
pub use report::{
    AsCell, CountryCell, HairpinLink, HairpinPair, HairpinReport, HairpinTotals, Handshake, Hops,
    InputSummary, LinkRate, MatcherReport, NetworkRate, PacketSizes, PairRate, PortPlan, Quantiles,
    Rate, Report, SizingReport, TalkerRow, TimeSpan, ToolInfo, TopTalkers, Totals, Via, WhatIf,
    SCHEMA_VERSION,
};
pub use sizing::SizingConfig;
