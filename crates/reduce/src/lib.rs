//! The reducer and the report it produces.
//!
//! Stage 4 of the pipeline. Workers hand [`FlowRecord`]s to one [`Reducer`]
//! (over a channel, in any order, in chunks); the reducer adds them into an
//! AS×AS matrix and a country×country matrix. Addition is commutative, and a
//! flow always lives on one worker, so the result does not depend on how many
//! workers there were or in which order they finished. [`Reducer::finish`]
//! sorts the cells deterministically and returns the [`Report`], the
//! versioned contract that every output format renders.
//!
//! [`FlowRecord`]: trombone_flow::FlowRecord

mod matrix;
mod report;

pub use matrix::Reducer;
pub use report::{
    AsCell, CountryCell, InputSummary, Report, TimeSpan, ToolInfo, Totals, SCHEMA_VERSION,
};
