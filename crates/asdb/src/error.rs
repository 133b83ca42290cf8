//! The database error type: every error names the file and, where known, the line or byte offset.

use std::fmt;

/// Where in a file an error was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// The whole file (e.g. it could not be opened or its format was not recognised).
    File,
    /// A 1-based line number of a text file.
    Line(u64),
    /// A byte offset into a binary file (after gzip decompression, if any).
    Offset(u64),
}

/// A database loading/building error naming the file and line or byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbError {
    /// The file the error is about (as given by the caller, or `<embedded>`).
    pub file: String,
    /// Where in the file.
    pub location: Location,
    /// What went wrong.
    pub message: String,
}

impl DbError {
    /// An error about a whole file.
    pub fn file(file: &str, message: impl Into<String>) -> DbError {
        DbError {
            file: file.to_string(),
            location: Location::File,
            message: message.into(),
        }
    }

    /// An error at a 1-based line of a text file.
    pub fn line(file: &str, line: u64, message: impl Into<String>) -> DbError {
        DbError {
            file: file.to_string(),
            location: Location::Line(line),
            message: message.into(),
        }
    }

    /// An error at a byte offset of a binary file.
    pub fn offset(file: &str, offset: u64, message: impl Into<String>) -> DbError {
        DbError {
            file: file.to_string(),
            location: Location::Offset(offset),
            message: message.into(),
        }
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Location::File => write!(f, "{}: {}", self.file, self.message),
            Location::Line(l) => write!(f, "{}: line {}: {}", self.file, l, self.message),
            Location::Offset(o) => write!(f, "{}: byte offset {}: {}", self.file, o, self.message),
        }
    }
}

impl std::error::Error for DbError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_and_place() {
        assert_eq!(
            DbError::line("a.tsv", 7, "bad").to_string(),
            "a.tsv: line 7: bad"
        );
        assert_eq!(
            DbError::offset("b.mmdb", 12, "bad").to_string(),
            "b.mmdb: byte offset 12: bad"
        );
        assert_eq!(DbError::file("c", "gone").to_string(), "c: gone");
    }
}
