//! Country codes: the type is part of the result contract and lives in `trombone-schema`.

pub use trombone_schema::{BadCountry, Country};
