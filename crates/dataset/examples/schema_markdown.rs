//! Prints the dataset schema as Markdown: README's "Parquet dataset" section carries it
//! verbatim (`cargo run -p trombone-dataset --example schema_markdown`).

fn main() {
    print!("{}", trombone_dataset::schema_markdown());
}
