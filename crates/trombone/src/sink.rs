//! Where results go: checked before any work, written atomically, never lost.
//!
//! The output path is tried before anything is read or captured (a file is created and
//! removed beside it), so a typo in `-o` costs nothing. Files are written to a temporary
//! name beside the target and renamed, so a reader never sees half a result. If writing
//! still fails at the end (disk full, directory removed meanwhile), the result goes to a
//! fallback file in the working directory or the temporary directory, and stderr says
//! where: a finished measurement is never dropped.

use crate::options::{Format, TableArg};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use trombone_schema::Report;

/// How and where results are written.
pub struct Sink {
    /// Output format.
    pub format: Format,
    /// Table for CSV.
    pub table: TableArg,
    /// A file, or with `rotating` a directory; `None` is standard output.
    pub output: Option<PathBuf>,
    /// Rows per matrix in the terminal table.
    pub top: usize,
    /// One file per interval into the `output` directory.
    pub rotating: bool,
}

/// Creates and removes a file in `dir`: proof that results can be written there.
fn probe_dir(dir: &Path) -> io::Result<()> {
    let p = dir.join(format!(".trombone-probe-{}", std::process::id()));
    File::create(&p)?;
    fs::remove_file(&p)
}

impl Sink {
    /// Checks that results can be written where asked, before any work is done.
    pub fn preflight(&self) -> Result<(), String> {
        // --format parquet: -o names the dataset directory (appended to).
        if self.format == Format::Parquet {
            let out = self
                .output
                .as_ref()
                .ok_or("--format parquet writes a dataset directory: give it with -o DIR")?;
            return fs::create_dir_all(out)
                .and_then(|_| probe_dir(out))
                .map_err(|e| {
                    format!(
                        "-o {}: cannot write a dataset into this directory: {e}",
                        out.display()
                    )
                });
        }
        let Some(out) = &self.output else {
            return Ok(());
        };
        if self.rotating {
            fs::create_dir_all(out)
                .and_then(|_| probe_dir(out))
                .map_err(|e| {
                    format!(
                        "-o {}: cannot write results into this directory: {e}",
                        out.display()
                    )
                })?;
            return Ok(());
        }
        if out.is_dir() {
            return Err(format!(
                "-o {}: is a directory (give a file name)",
                out.display()
            ));
        }
        // A device or FIFO is not opened here: opening a FIFO waits for its reader, and
        // the reader would take this probe's close for the end of the result.
        if is_special(out) {
            return match fs::metadata(out) {
                Ok(m) if m.permissions().readonly() => {
                    Err(format!("-o {}: is not writable", out.display()))
                }
                _ => Ok(()),
            };
        }
        // A symbolic link is written through: probe the directory of the file it names.
        let out = &fs::canonicalize(out).unwrap_or_else(|_| out.clone());
        let dir = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        probe_dir(&dir).map_err(|e| format!("-o {}: cannot write there: {e}", out.display()))
    }

    /// The file a rotated result goes to: `DIR/trombone[-SITE]-YYYYMMDDTHHMMSSZ.EXT`.
    fn piece_path(&self, dir: &Path, r: &Report) -> PathBuf {
        let start = r
            .interval
            .map(|i| i.start_ns)
            .or(r.time.first_ns)
            .unwrap_or(0);
        let site = r
            .site
            .as_deref()
            .map(|s| {
                let clean: String = s
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                format!("-{clean}")
            })
            .unwrap_or_default();
        dir.join(format!("trombone{site}-{}.{}", stamp(start), self.ext()))
    }

    /// The file extension of the format.
    fn ext(&self) -> &'static str {
        match self.format {
            Format::Table => "txt",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }

    /// Renders `r` in the chosen format.
    pub fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        match self.format {
            Format::Table => trombone_output::write_table(r, self.top, &mut *out)?,
            Format::Json => trombone_output::write_json(r, &mut *out)?,
            Format::Csv => trombone_output::write_csv(r, self.table.table(), &mut *out)?,
            Format::Parquet => {
                return Err(io::Error::other(
                    "--format parquet writes a dataset directory (-o DIR), not a stream",
                ))
            }
        }
        out.flush()
    }

    /// Writes one result; returns the file it went to (`None`: standard output). On a
    /// failure the result is written to a fallback file and the error says where.
    pub fn write(&self, r: &Report) -> Result<Option<PathBuf>, String> {
        if self.format == Format::Parquet {
            return self.write_parquet(r);
        }
        let target = match &self.output {
            None => {
                let mut o = io::stdout().lock();
                return match self.render(r, &mut o) {
                    Ok(()) => Ok(None),
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(None),
                    Err(e) => Err(self.fallback(r, &format!("standard output: {e}"))),
                };
            }
            Some(p) if self.rotating => self.piece_path(p, r),
            Some(p) => p.clone(),
        };
        match write_atomic(&target, |w| self.render(r, w)) {
            Ok(()) => Ok(Some(target)),
            Err(e) => Err(self.fallback(r, &format!("{}: {e}", target.display()))),
        }
    }

    /// Appends `r` to the Parquet dataset in the `-o` directory (rotated pieces: each one);
    /// returns the directory.
    fn write_parquet(&self, r: &Report) -> Result<Option<PathBuf>, String> {
        let Some(dir) = &self.output else {
            return Err(self.fallback(r, "--format parquet needs -o DIR"));
        };
        match trombone_dataset::write_dataset(r, dir) {
            Ok(_) => Ok(Some(dir.clone())),
            Err(e) => Err(self.fallback(r, &format!("dataset {}: {e}", dir.display()))),
        }
    }

    /// Writes `r` as JSON to the working directory or else the temporary directory;
    /// returns the message to print.
    fn fallback(&self, r: &Report, why: &str) -> String {
        let name = format!(
            "trombone-result-{}-{}.json",
            stamp(
                r.interval
                    .map(|i| i.start_ns)
                    .or(r.time.first_ns)
                    .unwrap_or(0)
            ),
            std::process::id()
        );
        for dir in [PathBuf::from("."), std::env::temp_dir()] {
            let p = dir.join(&name);
            if write_atomic(&p, |w| trombone_output::write_json(r, w)).is_ok() {
                return format!(
                    "cannot write the result ({why}); it was saved as JSON in {} instead",
                    p.display()
                );
            }
        }
        format!("cannot write the result ({why}), nor a fallback copy in the working or temporary directory")
    }
}

/// Whether `path` exists and is something other than a regular file or a directory (a
/// device such as `/dev/null`, a FIFO, a socket), following symbolic links.
fn is_special(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Writes a file through a temporary name beside it, then renames it into place. A
/// symbolic link is written through (the file it names is replaced, the link kept); a
/// device or FIFO (`-o /dev/null`, `-o /dev/stdout`) is written to directly, never
/// replaced by a regular file.
pub fn write_atomic(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    if is_special(path) {
        let mut w = BufWriter::new(fs::OpenOptions::new().write(true).open(path)?);
        f(&mut w)?;
        return w.flush();
    }
    let resolved;
    let path = if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        resolved = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        resolved.as_path()
    } else {
        path
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let res = (|| {
        let mut w = BufWriter::new(File::create(&tmp)?);
        f(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if res.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    res
}

/// Writes `bytes` to `path` with [`write_atomic`], or to standard output when `path` is
/// `None`; the error names where.
pub fn write_bytes(path: Option<&Path>, bytes: &[u8]) -> Result<(), String> {
    match path {
        Some(p) => {
            write_atomic(p, |w| w.write_all(bytes)).map_err(|e| format!("{}: {e}", p.display()))
        }
        None => {
            let mut out = io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .map_err(|e| format!("standard output: {e}"))
        }
    }
}

/// `YYYYMMDDTHHMMSSZ` of a time in ns since the epoch (UTC).
pub fn stamp(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_by_hand() {
        assert_eq!(stamp(0), "19700101T000000Z");
        // 2024-04-06T12:34:56Z = 1712406896 s (date -u -d @1712406896)
        assert_eq!(stamp(1_712_406_896_000_000_000), "20240406T123456Z");
        // 2000-02-29T00:00:00Z = 951782400 s, a leap day
        assert_eq!(stamp(951_782_400_000_000_000), "20000229T000000Z");
    }
}
