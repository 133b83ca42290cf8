//! Reading results: files, standard input and directories of rotated pieces.

use crate::error::ReportError;
use std::path::{Path, PathBuf};
use trombone_schema::Report;

/// One loaded result and the name it was given by.
#[derive(Clone, Debug)]
pub struct Input {
    /// The file name as given on the command line ("-" for standard input).
    pub name: String,
    /// Its content (a version 1 result reads with the newer sections empty).
    pub report: Report,
}

/// Parses the text of a result; `name` is used in errors and in the report.
pub fn parse(name: &str, text: &str) -> Result<Input, ReportError> {
    let report = Report::from_json(text).map_err(|message| ReportError::Invalid {
        file: name.to_string(),
        message,
    })?;
    Ok(Input {
        name: name.to_string(),
        report,
    })
}

/// Reads and parses a result file.
pub fn load(path: &Path) -> Result<Input, ReportError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| ReportError::Io {
        file: name.clone(),
        error,
    })?;
    parse(&name, &text)
}

/// Every result file `paths` name: a file as given ("-" included), a directory as the
/// `*.json` files inside it (sorted by name, as `--rotate` writes pieces), as
/// `trombone merge` takes them.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ReportError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let io = |error| ReportError::Io {
                file: p.display().to_string(),
                error,
            };
            let mut v: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(io)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "json"))
                .collect();
            if v.is_empty() {
                return Err(ReportError::Combine {
                    message: format!("{}: no *.json results in this directory", p.display()),
                });
            }
            v.sort();
            out.extend(v);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_schema_version_is_named() {
        let e = parse("r.json", r#"{"schema_version": 99, "tool": {}}"#).unwrap_err();
        let m = e.to_string();
        assert!(m.starts_with("r.json: "), "{m}");
        assert!(m.contains("schema_version 99"), "{m}");
    }

    #[test]
    fn bad_json_names_the_file_and_position() {
        let e = parse("r.json", "{\n  \"schema_version\": 2,\n  oops\n}").unwrap_err();
        let m = e.to_string();
        assert!(
            m.starts_with("r.json: not a readable trombone result"),
            "{m}"
        );
        assert!(m.contains("line 3"), "{m}");
    }

    #[test]
    fn not_a_result_is_an_error() {
        assert!(parse("r.json", "[1,2]").is_err());
        assert!(parse("r.json", "").is_err());
        assert!(parse("r.json", r#"{"schema_version": 2}"#).is_err());
    }

    #[test]
    fn directories_expand_to_their_json_files_sorted() {
        let d = std::env::temp_dir().join(format!("trombone-report-expand-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        for f in ["b.json", "a.json", "notes.txt"] {
            std::fs::write(d.join(f), "{}").unwrap();
        }
        let got = expand(&[d.clone(), PathBuf::from("-")]).unwrap();
        assert_eq!(
            got,
            vec![d.join("a.json"), d.join("b.json"), PathBuf::from("-")]
        );
        std::fs::remove_file(d.join("a.json")).unwrap();
        std::fs::remove_file(d.join("b.json")).unwrap();
        assert!(expand(std::slice::from_ref(&d)).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
