//! Helpers shared by the report's integration tests. Expected values come from the JSON
//! files read as plain JSON values, or from hand computation, never from the report code.
#![allow(dead_code)]

pub mod evidence_input;

use serde_json::Value;
use std::path::{Path, PathBuf};
use trombone_report::{combine, load, render_html, CombineOptions, Combined, HtmlOptions};

/// A file of tests/data.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// A file of tests/data as a plain JSON value.
pub fn json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(data(name)).unwrap()).unwrap()
}

/// The results of tests/data `names`, combined.
pub fn combined(names: &[&str]) -> Combined {
    let inputs = names.iter().map(|n| load(&data(n)).unwrap()).collect();
    combine(inputs, &CombineOptions::default()).unwrap()
}

/// The HTML report of tests/data `names`.
pub fn page(names: &[&str]) -> String {
    render_html(&combined(names), &HtmlOptions::default())
}

/// The text a reader sees: tags (and the style sheet) removed, entities decoded, white
/// space collapsed.
pub fn visible_text(html: &str) -> String {
    let body = &html[html.find("<body").unwrap_or(0)..];
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    // Runs of white space read as one space.
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The part of `html` from the element with `id` to the end of `close` after it.
pub fn element<'a>(html: &'a str, id: &str, close: &str) -> &'a str {
    let at = html
        .find(&format!(" id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element #{id}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at
        + html[at..]
            .find(close)
            .unwrap_or_else(|| panic!("#{id} has no {close}"));
    &html[start..end + close.len()]
}

/// The value of attribute `name` in the first tag of `s`.
pub fn attr<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    let tag = &s[..s.find('>')?];
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    Some(&tag[at..at + tag[at..].find('"')?])
}

/// Counts followed by a plural noun that should have been singular: "1 samples".
pub fn bad_plurals(text: &str) -> Vec<String> {
    let nouns = [
        "samples",
        "sample intervals",
        "networks",
        "results",
        "result files",
        "inputs",
        "packets",
        "pairs",
        "AS pairs",
        "handshakes",
        "sightings",
        "flows",
        "lines",
        "sites",
        "bins",
        "bytes",
        "unique packets",
        "IP packets",
        "capture inputs",
    ];
    let b = text.as_bytes();
    let mut found = Vec::new();
    for (i, _) in text.match_indices("1 ") {
        let before = if i == 0 { b' ' } else { b[i - 1] };
        if before.is_ascii_digit() || before == b'.' || before == b',' {
            continue;
        }
        let rest = &text[i + 2..];
        for n in nouns {
            if let Some(after) = rest.strip_prefix(n) {
                if !after.starts_with(|c: char| c.is_alphanumeric()) {
                    found.push(format!("1 {n}"));
                }
            }
        }
    }
    found
}

/// Nearest-rank percentile, written out for the tests: sort, take element ⌈q·n⌉.
pub fn nearest_rank(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = (q * v.len() as f64).ceil() as usize;
    v[rank.max(1) - 1]
}
