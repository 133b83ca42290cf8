//! The reader's error: names the file and the byte offset where reading stopped.

use std::fmt;

/// An MRT reading error: the file, the byte offset (into the decompressed stream) of the record
/// being read, and what went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MrtError {
    /// The file name as given.
    pub file: String,
    /// Byte offset of the record (or header) that could not be read, counted in the decompressed
    /// MRT stream; `None` when the error is about the whole file (e.g. it cannot be opened).
    pub offset: Option<u64>,
    /// What went wrong.
    pub message: String,
}

impl MrtError {
    /// An error about the whole file.
    pub fn file(file: &str, message: impl Into<String>) -> MrtError {
        MrtError {
            file: file.to_string(),
            offset: None,
            message: message.into(),
        }
    }

    /// An error at a byte offset of the (decompressed) MRT stream.
    pub fn at(file: &str, offset: u64, message: impl Into<String>) -> MrtError {
        MrtError {
            file: file.to_string(),
            offset: Some(offset),
            message: message.into(),
        }
    }
}

impl fmt::Display for MrtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(o) => write!(f, "{}: byte offset {}: {}", self.file, o, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for MrtError {}
