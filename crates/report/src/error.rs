//! Errors of loading and combining results, each naming the file concerned.

use std::fmt;

/// Why a result could not be loaded, combined or written.
#[derive(Debug)]
pub enum ReportError {
    /// The file could not be read.
    Io {
        /// File name as given.
        file: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The file is not a result this build reads (bad JSON, a missing or mistyped field,
    /// an unreadable schema_version).
    Invalid {
        /// File name as given.
        file: String,
        /// What was wrong, from the schema reader.
        message: String,
    },
    /// Several results cannot be combined.
    Combine {
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
            ReportError::Invalid { file, message } => {
                write!(f, "{file}: not a readable trombone result: {message}")
            }
            ReportError::Combine { message } => write!(f, "{message}"),
            ReportError::NoInput => write!(f, "no result files given"),
        }
    }
}

impl std::error::Error for ReportError {}
