//! Reading result files: JSON parse with line/column errors and the schema check.

use crate::error::ReportError;
use crate::model::{AnalysisResult, SUPPORTED_SCHEMA};
use serde::Deserialize;
use std::path::Path;

/// One loaded result and the name it was given by.
#[derive(Clone, Debug)]
pub struct ResultFile {
    /// The file name as given on the command line.
    pub name: String,
    /// Its content.
    pub result: AnalysisResult,
}

/// Only the version field, read first so a newer file gets a clear message.
#[derive(Deserialize)]
struct VersionProbe {
    schema_version: Option<u64>,
}

fn json_error(file: &str, e: serde_json::Error) -> ReportError {
    let full = e.to_string();
    // serde_json appends the position, which the error prints itself.
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    ReportError::Json {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        message,
    }
}

/// Parses the text of a result; `name` is used in errors and in the report.
pub fn parse(name: &str, text: &str) -> Result<ResultFile, ReportError> {
    let probe: VersionProbe = serde_json::from_str(text).map_err(|e| json_error(name, e))?;
    match probe.schema_version {
        Some(v) if v == u64::from(SUPPORTED_SCHEMA) => {}
        Some(v) => {
            return Err(ReportError::Schema {
                file: name.to_string(),
                found: v,
            })
        }
        None => {
            return Err(ReportError::Json {
                file: name.to_string(),
                line: 1,
                column: 1,
                message: "missing field `schema_version`".into(),
            })
        }
    }
    let result: AnalysisResult = serde_json::from_str(text).map_err(|e| json_error(name, e))?;
    Ok(ResultFile {
        name: name.to_string(),
        result,
    })
}

/// Reads and parses a result file.
pub fn load(path: &Path) -> Result<ResultFile, ReportError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| ReportError::Io {
        file: name.clone(),
        error,
    })?;
    parse(&name, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_schema_is_named() {
        let e = parse("r.json", r#"{"schema_version": 2, "tool": {}}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.json: schema_version 2 is not supported (this trombone reads schema_version 1)"
        );
    }

    #[test]
    fn bad_json_gives_line_and_column() {
        let e = parse("r.json", "{\n  \"schema_version\": 1,\n  oops\n}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.json: line 3 column 3: not a trombone analyze result: key must be a string"
        );
    }

    #[test]
    fn missing_field_is_an_error() {
        let e = parse("r.json", r#"{"schema_version": 1}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `tool`"), "{e}");
    }

    #[test]
    fn not_an_object_is_an_error() {
        assert!(parse("r.json", "[1,2]").is_err());
        assert!(parse("r.json", "").is_err());
    }
}
