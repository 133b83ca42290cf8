//! Lenient field types for the JSON loaders: numbers that may come as strings, `null` read as
//! absent, a string where a list of strings is expected, and presence of a key.
//!
//! A value of a wholly wrong type (an object where a number belongs) is still an error, which
//! serde_json reports with its line and column.

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, SeqAccess, Visitor};
use std::fmt;

/// A non-negative integer: a JSON number (integral), or a string of digits; `null`/`""` = none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Num(pub Option<u64>);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a non-negative integer (number or string)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                u64::try_from(v)
                    .map(|v| Num(Some(v)))
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 18_446_744_073_709_551_616.0
                {
                    // In range and integral: the cast is exact.
                    Ok(Num(Some(v as u64)))
                } else {
                    Err(E::invalid_value(de::Unexpected::Float(v), &self))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
                let t = v.trim();
                if t.is_empty() {
                    return Ok(Num(None));
                }
                t.parse::<u64>()
                    .map(|v| Num(Some(v)))
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Num, E> {
                Ok(Num(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Num, E> {
                Ok(Num(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A string; numbers and booleans are taken as their text; `null` = none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Str(pub Option<String>);

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Str, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str, E> {
                Ok(Str(Some(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str, E> {
                Ok(Str(Some(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Str, E> {
                Ok(Str(Some(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Str, E> {
                Ok(Str(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Str, E> {
                Ok(Str(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Str, E> {
                Ok(Str(Some(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Str, E> {
                Ok(Str(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Str, E> {
                Ok(Str(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl Str {
    /// The trimmed text, `None` when absent or blank.
    pub fn text(&self) -> Option<&str> {
        self.0.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

/// A boolean: `true`/`false`, 0/1, or the strings "true"/"false"/"yes"/"no"/"1"/"0"; `null` = none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Flag(pub Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Flag, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(Some(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Flag, E> {
                match v {
                    0 => Ok(Flag(Some(false))),
                    1 => Ok(Flag(Some(true))),
                    _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Flag, E> {
                match v {
                    0 => Ok(Flag(Some(false))),
                    1 => Ok(Flag(Some(true))),
                    _ => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Flag, E> {
                match v.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" => Ok(Flag(Some(true))),
                    "false" | "no" | "0" => Ok(Flag(Some(false))),
                    "" => Ok(Flag(None)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_unit<E: de::Error>(self) -> Result<Flag, E> {
                Ok(Flag(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Flag, E> {
                Ok(Flag(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A list; `null` = empty, and a single item where a list belongs is a list of one
/// (IX-F 0.4 had one `mac_address` string where later versions have `mac_addresses[]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<List<T>, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = seq.next_element()? {
                    v.push(x);
                }
                Ok(List(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<List<T>, E> {
                Ok(List(Vec::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<List<T>, E> {
                Ok(List(Vec::new()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<List<T>, E> {
                T::deserialize(de::value::StrDeserializer::<E>::new(v)).map(|x| List(vec![x]))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A value and whether its key was present at all (even as `null`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Has<T> {
    pub present: bool,
    pub value: T,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Has<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Has<T>, D::Error> {
        T::deserialize(d).map(|value| Has {
            present: true,
            value,
        })
    }
}

/// Any value, ignored (for keys whose presence alone matters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Any;

impl<'de> Deserialize<'de> for Any {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Any, D::Error> {
        IgnoredAny::deserialize(d).map(|_| Any)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Default, Debug)]
    struct T {
        #[serde(default)]
        n: Num,
        #[serde(default)]
        s: Str,
        #[serde(default)]
        b: Flag,
        #[serde(default)]
        l: List<String>,
        #[serde(default)]
        h: Has<Num>,
    }

    fn t(s: &str) -> T {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn lenient_numbers() {
        assert_eq!(t(r#"{"n": 7}"#).n, Num(Some(7)));
        assert_eq!(t(r#"{"n": "10000"}"#).n, Num(Some(10000)));
        assert_eq!(t(r#"{"n": 10000.0}"#).n, Num(Some(10000)));
        assert_eq!(t(r#"{"n": null}"#).n, Num(None));
        assert_eq!(t(r#"{"n": " "}"#).n, Num(None));
        assert!(serde_json::from_str::<T>(r#"{"n": -1}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"n": 1.5}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"n": "x"}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"n": {}}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"n": 1e30}"#).is_err());
    }

    #[test]
    fn lenient_strings_flags_lists() {
        assert_eq!(t(r#"{"s": 5}"#).s, Str(Some("5".into())));
        assert_eq!(t(r#"{"s": "  "}"#).s.text(), None);
        assert_eq!(t(r#"{"b": "Yes"}"#).b, Flag(Some(true)));
        assert_eq!(t(r#"{"b": 0}"#).b, Flag(Some(false)));
        assert!(serde_json::from_str::<T>(r#"{"b": 2}"#).is_err());
        assert_eq!(t(r#"{"l": "a"}"#).l, List(vec!["a".to_string()]));
        assert_eq!(t(r#"{"l": ["a","b"]}"#).l.0.len(), 2);
        assert_eq!(t(r#"{"l": null}"#).l.0.len(), 0);
        assert!(serde_json::from_str::<T>(r#"{"l": 3}"#).is_err());
    }

    #[test]
    fn presence_survives_null() {
        assert!(!t("{}").h.present);
        assert!(t(r#"{"h": null}"#).h.present);
        assert_eq!(t(r#"{"h": 3}"#).h.value, Num(Some(3)));
    }
}
