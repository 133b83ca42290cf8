//! The committed JSON Schema (`crates/schema/trombone-result.schema.json`) is the one the
//! types generate: a change to the contract that forgets the file fails here.
//! `TROMBONE_BLESS=1 cargo test -p trombone-schema --test schema_file` rewrites it.

use std::path::Path;

#[test]
fn committed_json_schema_matches_the_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("trombone-result.schema.json");
    let now = trombone_schema::json_schema();
    if std::env::var_os("TROMBONE_BLESS").is_some() {
        std::fs::write(&path, &now).expect("write the schema file");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == now,
        "{} is out of date with the types in crates/schema: regenerate it with \
         TROMBONE_BLESS=1 cargo test -p trombone-schema --test schema_file, review the \
         diff, and bump SCHEMA_VERSION if a field was removed, renamed or changed meaning",
        path.display()
    );
}

#[test]
fn the_schema_describes_a_result() {
    let v: serde_json::Value =
        serde_json::from_str(&trombone_schema::json_schema()).expect("the schema is JSON");
    assert_eq!(v["title"], "Report");
    let props = v["properties"].as_object().expect("properties");
    for k in [
        "schema_version",
        "as_matrix",
        "series",
        "hairpin",
        "evidence",
        "warnings",
    ] {
        assert!(props.contains_key(k), "{k}");
    }
}
