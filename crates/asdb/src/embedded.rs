//! The default database compiled into the binary: built by `scripts/build-default-db` from the
//! shared CAIDA RouteViews pfx2as 2024-04-06 (IPv4 routing) + iptoasn.com ip2asn-v6 2023-12-08
//! (IPv6 routing) + APNIC delegated statistics 2024-10-01 + AS names, stored as a
//! gzip-compressed compact file in `crates/asdb/data/`; the build script decompresses it
//! and the binary embeds the compact file itself.

use crate::db::AsDb;

/// The committed artifact, decompressed at build time (a trombone compact database).
pub const DEFAULT_DB: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/default.asdb"));

/// Name used for the embedded data in reports and errors.
pub const EMBEDDED_NAME: &str = "<embedded default>";

/// Decodes the embedded default database.
pub fn try_load() -> Result<AsDb, crate::DbError> {
    if DEFAULT_DB.is_empty() {
        return Err(crate::DbError::file(
            EMBEDDED_NAME,
            "no default database was embedded in this build",
        ));
    }
    AsDb::load_bytes(&[(EMBEDDED_NAME, DEFAULT_DB)])
}

/// Decodes the embedded default database; an empty database if the artifact is unusable (the
/// crate's tests guarantee it is not).
pub fn load() -> AsDb {
    try_load().unwrap_or_else(|e| {
        let mut db = AsDb::empty();
        db.source.source = format!("none (embedded default unusable: {e})");
        db
    })
}
