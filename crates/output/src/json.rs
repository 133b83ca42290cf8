//! Indented JSON whose arrays of plain values stay on one line.
//!
//! A result's series are arrays of `[index, bytes, packets, peak bytes, peak packets]`;
//! serde_json's pretty printer puts every number on a line of its own, which made a
//! month-long result four times the size of the same data on one line per sample (and
//! as slow to write). [`LeafArrays`] indents objects and arrays of objects or arrays the
//! pretty printer's way and writes an array whose elements are strings, numbers,
//! booleans or null as `[1, 2, 3]`. The output is ordinary JSON either way.

use serde_json::ser::Formatter;
use std::io::{self, Write};

/// How an open array is being written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// No element yet.
    Empty,
    /// Its elements are plain values: one line.
    Inline,
    /// Its elements are objects or arrays: one per line.
    Block,
}

/// A [`Formatter`]: two-space indentation, arrays of plain values on one line.
#[derive(Default)]
pub struct LeafArrays {
    indent: usize,
    /// Open containers: `Some(mode)` for arrays, `None` for objects.
    stack: Vec<Option<Mode>>,
    /// An array element has begun (`Some(first)`) and its separator is not written yet:
    /// it depends on whether the element is a plain value.
    pending: Option<bool>,
    /// The object being written has a member (for the newline before `}`).
    has_value: bool,
}

impl LeafArrays {
    /// A formatter at the top level.
    pub fn new() -> LeafArrays {
        LeafArrays::default()
    }

    fn newline<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..self.indent {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    /// Before a plain value: the separator of a pending array element.
    fn scalar<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        let Some(first) = self.pending.take() else {
            return Ok(());
        };
        match self.stack.last_mut() {
            Some(Some(m)) if *m == Mode::Empty || (*m == Mode::Inline && !first) => {
                *m = Mode::Inline;
                if !first {
                    w.write_all(b", ")?;
                }
                Ok(())
            }
            // a plain value after objects: on its own line, like them
            _ => {
                if !first {
                    w.write_all(b",")?;
                }
                self.newline(w)
            }
        }
    }

    /// Before an object or array: the separator of a pending array element.
    fn container<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        let Some(first) = self.pending.take() else {
            return Ok(());
        };
        if let Some(Some(m)) = self.stack.last_mut() {
            if *m == Mode::Empty {
                *m = Mode::Block;
            }
        }
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
    }
}

impl Formatter for LeafArrays {
    fn write_null<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.scalar(w)?;
        w.write_all(b"null")
    }

    fn write_bool<W: ?Sized + Write>(&mut self, w: &mut W, value: bool) -> io::Result<()> {
        self.scalar(w)?;
        w.write_all(if value { b"true" } else { b"false" })
    }

    fn write_i8<W: ?Sized + Write>(&mut self, w: &mut W, value: i8) -> io::Result<()> {
        self.scalar(w)?;
        let mut b = itoa::Buffer::new();
        w.write_all(b.format(value).as_bytes())
    }

    fn write_i16<W: ?Sized + Write>(&mut self, w: &mut W, value: i16) -> io::Result<()> {
        self.scalar(w)?;
        let mut b = itoa::Buffer::new();
        w.write_all(b.format(value).as_bytes())
    }

    fn write_i32<W: ?Sized + Write>(&mut self, w: &mut W, value: i32) -> io::Result<()> {
        self.scalar(w)?;
        let mut b = itoa::Buffer::new();
        w.write_all(b.format(value).as_bytes())
    }

    fn write_u8<W: ?Sized + Write>(&mut self, w: &mut W, value: u8) -> io::Result<()> {
        self.scalar(w)?;
        let mut b = itoa::Buffer::new();
        w.write_all(b.format(value).as_bytes())
    }

    fn write_u16<W: ?Sized + Write>(&mut self, w: &mut W, value: u16) -> io::Result<()> {
        self.scalar(w)?;
        let mut b = itoa::Buffer::new();
        w.write_all(b.format(value).as_bytes())
    }

    fn write_u32<W: ?Sized + Write>(&mut self, w: &mut W, value: u32) -> io::Result<()> {
        self.scalar(w)?;
        let mut b = itoa::Buffer::new();
        w.write_all(b.format(value).as_bytes())
    }

    fn write_i64<W: ?Sized + Write>(&mut self, w: &mut W, value: i64) -> io::Result<()> {
        self.scalar(w)?;
        let mut b = itoa::Buffer::new();
        w.write_all(b.format(value).as_bytes())
    }

    fn write_u64<W: ?Sized + Write>(&mut self, w: &mut W, value: u64) -> io::Result<()> {
        self.scalar(w)?;
        let mut b = itoa::Buffer::new();
        w.write_all(b.format(value).as_bytes())
    }

    fn write_i128<W: ?Sized + Write>(&mut self, w: &mut W, value: i128) -> io::Result<()> {
        self.scalar(w)?;
        let mut b = itoa::Buffer::new();
        w.write_all(b.format(value).as_bytes())
    }

    fn write_u128<W: ?Sized + Write>(&mut self, w: &mut W, value: u128) -> io::Result<()> {
        self.scalar(w)?;
        let mut b = itoa::Buffer::new();
        w.write_all(b.format(value).as_bytes())
    }

    fn write_f64<W: ?Sized + Write>(&mut self, w: &mut W, value: f64) -> io::Result<()> {
        self.scalar(w)?;
        // serde_json's own float text (shortest round-trip form)
        serde_json::ser::CompactFormatter.write_f64(w, value)
    }

    fn write_f32<W: ?Sized + Write>(&mut self, w: &mut W, value: f32) -> io::Result<()> {
        self.scalar(w)?;
        serde_json::ser::CompactFormatter.write_f32(w, value)
    }

    fn write_number_str<W: ?Sized + Write>(&mut self, w: &mut W, value: &str) -> io::Result<()> {
        self.scalar(w)?;
        w.write_all(value.as_bytes())
    }

    fn begin_string<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.scalar(w)?;
        w.write_all(b"\"")
    }

    fn write_byte_array<W: ?Sized + Write>(&mut self, w: &mut W, value: &[u8]) -> io::Result<()> {
        self.begin_array(w)?;
        for (i, b) in value.iter().enumerate() {
            self.begin_array_value(w, i == 0)?;
            self.write_u8(w, *b)?;
            self.end_array_value(w)?;
        }
        self.end_array(w)
    }

    fn write_raw_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        self.scalar(w)?;
        w.write_all(fragment.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.container(w)?;
        self.stack.push(Some(Mode::Empty));
        self.indent += 1;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indent -= 1;
        let mode = self.stack.pop().flatten().unwrap_or(Mode::Empty);
        if mode == Mode::Block {
            self.newline(w)?;
        }
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, _w: &mut W, first: bool) -> io::Result<()> {
        self.pending = Some(first);
        Ok(())
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.container(w)?;
        self.stack.push(None);
        self.indent += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indent -= 1;
        self.stack.pop();
        if self.has_value {
            self.newline(w)?;
        }
        // the enclosing object (if any) has a member: this one
        self.has_value = true;
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn render(v: &Value) -> String {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, LeafArrays::new());
        serde::Serialize::serialize(v, &mut ser).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn plain_arrays_stay_on_one_line_and_the_rest_is_indented() {
        let v = json!({"a": [1, 2, 3], "b": {"c": [[1, 2], [3, 4]], "d": []}, "e": {}, "f": ["x", null, true, 1.5]});
        // written out by hand: keys in serde_json's (sorted) map order
        let want = "{\n  \"a\": [1, 2, 3],\n  \"b\": {\n    \"c\": [\n      [1, 2],\n      [3, 4]\n    ],\n    \"d\": []\n  },\n  \"e\": {},\n  \"f\": [\"x\", null, true, 1.5]\n}";
        assert_eq!(render(&v), want);
    }

    #[test]
    fn arrays_of_objects_and_mixed_arrays_are_valid_json() {
        let v = json!([{"a": 1}, {"b": [{"c": 2}, 3]}, 4, [5]]);
        let text = render(&v);
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
        assert!(text.starts_with("[\n  {\n    \"a\": 1\n  },"), "{text}");
    }
}
