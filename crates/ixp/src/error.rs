//! Errors and warnings: each names the file and where in it (JSON line/column or JSON path).

use std::fmt;

/// Where in a file an error or warning is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The whole file (unreadable, or not of a known shape).
    File,
    /// A 1-based line and column of the JSON text (syntax and type errors).
    Line {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A JSON path such as `member_list[3].connection_list[0].if_list[1].if_speed`.
    Path(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::Line { line, column } => write!(f, "line {line} column {column}"),
            Location::Path(p) => write!(f, "at {p}"),
        }
    }
}

/// A file that could not be loaded, naming the file and the place of the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IxpError {
    /// The file, as the caller named it.
    pub file: String,
    /// Where in the file.
    pub location: Location,
    /// What is wrong.
    pub message: String,
}

impl IxpError {
    /// An error about the whole file.
    pub fn file(file: &str, message: impl Into<String>) -> IxpError {
        IxpError {
            file: file.to_string(),
            location: Location::File,
            message: message.into(),
        }
    }

    /// An error at a JSON path.
    pub fn path(file: &str, path: impl Into<String>, message: impl Into<String>) -> IxpError {
        IxpError {
            file: file.to_string(),
            location: Location::Path(path.into()),
            message: message.into(),
        }
    }

    /// An error from serde_json (syntax, or a value of the wrong type), at its line and column.
    pub(crate) fn json(file: &str, e: &serde_json::Error) -> IxpError {
        let mut message = e.to_string();
        // serde_json appends " at line L column C"; the location says it already.
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        let location = if e.line() == 0 {
            Location::File
        } else {
            Location::Line {
                line: e.line(),
                column: e.column(),
            }
        };
        IxpError {
            file: file.to_string(),
            location,
            message,
        }
    }
}

impl fmt::Display for IxpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Location::File => write!(f, "{}: {}", self.file, self.message),
            l => write!(f, "{}: {}: {}", self.file, l, self.message),
        }
    }
}

impl std::error::Error for IxpError {}

/// A value that was skipped while loading (the rest of the file was used), with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The file, as the caller named it.
    pub file: String,
    /// The JSON path of the value (or the whole file).
    pub location: Location,
    /// What was wrong and what was done.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Location::File => write!(f, "{}: {}", self.file, self.message),
            l => write!(f, "{}: {}: {}", self.file, l, self.message),
        }
    }
}

/// At most this many warnings are kept per directory; all are counted.
pub const MAX_WARNINGS: usize = 1000;

/// Collects warnings for one load, keeping the first [`MAX_WARNINGS`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Warnings {
    pub kept: Vec<Warning>,
    pub total: u64,
}

impl Warnings {
    pub fn push(&mut self, file: &str, path: impl Into<String>, message: impl Into<String>) {
        self.total += 1;
        if self.kept.len() < MAX_WARNINGS {
            self.kept.push(Warning {
                file: file.to_string(),
                location: Location::Path(path.into()),
                message: message.into(),
            });
        }
    }

    pub fn extend(&mut self, other: Warnings) {
        self.total += other.total;
        for w in other.kept {
            if self.kept.len() < MAX_WARNINGS {
                self.kept.push(w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_and_place() {
        assert_eq!(
            IxpError::path("a.json", "member_list[2].asnum", "bad").to_string(),
            "a.json: at member_list[2].asnum: bad"
        );
        assert_eq!(
            IxpError::file("b.json", "empty").to_string(),
            "b.json: empty"
        );
        let e = serde_json::from_str::<u32>("\n  \"x\"").unwrap_err();
        let e = IxpError::json("c.json", &e);
        assert_eq!(e.location, Location::Line { line: 2, column: 5 });
        assert!(e
            .to_string()
            .starts_with("c.json: line 2 column 5: invalid type"));
    }
}
