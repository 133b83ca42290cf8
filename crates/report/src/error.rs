//! Errors of loading and combining results, each naming the file concerned.

use std::fmt;

/// Why a result could not be loaded or combined.
#[derive(Debug)]
pub enum ReportError {
    /// The file could not be read.
    Io {
        /// File name as given.
        file: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The file is not a valid result (bad JSON or a missing/mistyped field).
    Json {
        /// File name as given.
        file: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What serde_json said.
        message: String,
    },
    /// The file's schema_version is not one this program reads.
    Schema {
        /// File name as given.
        file: String,
        /// The version found.
        found: u64,
    },
    /// Several results cannot be merged (they audit different countries or zones).
    Incompatible {
        /// Why.
        message: String,
    },
    /// No result was given.
    NoInput,
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportError::Io { file, error } => write!(f, "{file}: {error}"),
            ReportError::Json {
                file,
                line,
                column,
                message,
            } => write!(
                f,
                "{file}: line {line} column {column}: not a trombone analyze result: {message}"
            ),
            ReportError::Schema { file, found } => write!(
                f,
                "{file}: schema_version {found} is not supported (this trombone reads schema_version {})",
                crate::model::SUPPORTED_SCHEMA
            ),
            ReportError::Incompatible { message } => write!(f, "{message}"),
            ReportError::NoInput => write!(f, "no result files given"),
        }
    }
}

impl std::error::Error for ReportError {}
