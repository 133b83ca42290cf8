//! The committed JSON Schema of `trombone plan` output (`crates/schema/trombone-plan.schema.json`)
//! is the one the types generate. `TROMBONE_BLESS=1 cargo test -p trombone-schema --test
//! plan_schema_file` rewrites it.

use std::path::Path;

#[test]
fn committed_plan_schema_matches_the_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("trombone-plan.schema.json");
    let now = trombone_schema::plan_json_schema();
    if std::env::var_os("TROMBONE_BLESS").is_some() {
        std::fs::write(&path, &now).expect("write the schema file");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == now,
        "{} is out of date with the types in crates/schema/src/plan.rs: regenerate it with \
         TROMBONE_BLESS=1 cargo test -p trombone-schema --test plan_schema_file, review the \
         diff, and bump PLAN_VERSION if a field was removed, renamed or changed meaning",
        path.display()
    );
}

#[test]
fn the_plan_schema_describes_options_with_their_figures() {
    let v: serde_json::Value =
        serde_json::from_str(&trombone_schema::plan_json_schema()).expect("the schema is JSON");
    assert_eq!(v["title"], "PlanResult");
    let opt = &v["$defs"]["PlanOption"]["properties"];
    for k in [
        "name",
        "localised_bytes",
        "localised_packets",
        "still_leaving_bytes",
        "cost",
        "sensitivity",
    ] {
        assert!(opt.get(k).is_some(), "PlanOption.{k}");
    }
}
