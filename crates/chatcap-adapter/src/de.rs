//! Shapes the XML-to-JSON conversion produces, read straight into typed values without going
//! through a generic JSON tree: numbers as numbers or strings, one item or a list of items.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use crate::{AdapterError, Location};

/// Reads a JSON document into `T`; on failure, reads it again with path tracking so that the
/// error names the path (the fast path pays nothing for it).
pub(crate) fn from_json<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, AdapterError> {
    // Saved API responses sometimes start with a UTF-8 byte order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match serde_json::from_slice::<T>(bytes) {
        Ok(v) => Ok(v),
        Err(plain) => {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let err = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Ok(_) => return Err(json_error(String::new(), plain)),
                Err(e) => e,
            };
            let path = err.path().to_string();
            // `?` stands for a key the parser had not read yet (the input ended or broke there).
            let path = path.strip_suffix(".?").or_else(|| path.strip_suffix('?')).unwrap_or(&path);
            let path = if path == "." { String::new() } else { path.to_owned() };
            Err(json_error(path, err.into_inner()))
        }
    }
}

pub(crate) fn json_error(path: String, e: serde_json::Error) -> AdapterError {
    let (line, column) = (e.line(), e.column());
    let full = e.to_string();
    let mut message =
        full.strip_suffix(&format!(" at line {line} column {column}")).unwrap_or(&full).to_owned();
    if e.is_eof() {
        message.push_str("; the input ends early (is it truncated?)");
    }
    let mut at = Location::path(path);
    if line > 0 {
        at = at.with_line_column(line, column);
    }
    AdapterError::Json { at, message }
}

/// An integer sent as a JSON number or as a string of digits (`"-1"`, `4`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Int(pub(crate) i64);

pub(crate) const INT_EXPECTED: &str = "an integer (a number or a string of digits)";

/// Parses the text of an integer as the XML and the string form carry it.
pub(crate) fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(INT_EXPECTED)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int, E> {
                Ok(Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int, E> {
                i64::try_from(v).map(Int).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Int, E> {
                parse_int(v).map(Int).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// A text value sent as a JSON string or as a number (ids: `"25025413"` or `25025413`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Text(pub(crate) String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an integer")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// One item or a list of items (`"skill": "2"` or `"skill": ["2", "4"]`); `null` is none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OneOrMany<T>(pub(crate) Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> V<T> {
            fn one<E: de::Error, D2: de::Deserializer<'de, Error = E>>(d: D2) -> Result<OneOrMany<T>, E> {
                T::deserialize(d).map(|t| OneOrMany(vec![t]))
            }
        }
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("one item or a list of items")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OneOrMany(Vec::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OneOrMany(Vec::new()))
            }
            fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(t) = seq.next_element::<T>()? {
                    out.push(t);
                }
                Ok(OneOrMany(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Self::one(de::value::MapAccessDeserializer::new(map))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Self::one(v.into_deserializer())
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Self::one(de::value::BorrowedStrDeserializer::new(v))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Self::one(v.into_deserializer())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Self::one(v.into_deserializer())
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Self::one(v.into_deserializer())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Self::one(v.into_deserializer())
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Self::one(v.into_deserializer())
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A JSON object read as a list of entries in document order (queuestate `skills`: `"1"`, `"100"`
/// stay in the order the server sent them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entries<V>(pub(crate) Vec<(String, V)>);

impl<V> Default for Entries<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Vis<V> {
            type Value = Entries<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Entries(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, V>()? {
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_any(Vis(PhantomData))
    }
}

/// A decimal kept exactly as written: a JSON number (read from its text, never through `f64`)
/// or a string holding a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dec(pub(crate) rust_decimal::Decimal);

pub(crate) fn parse_decimal(s: &str) -> Option<rust_decimal::Decimal> {
    let t = s.trim();
    if t.is_empty() || t.len() > 64 {
        return None;
    }
    if t.contains(['e', 'E']) {
        rust_decimal::Decimal::from_scientific(t).ok()
    } else {
        rust_decimal::Decimal::from_str_exact(t).ok()
    }
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <Box<serde_json::value::RawValue>>::deserialize(d)?;
        let text = raw.get();
        let inner = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
        parse_decimal(inner).map(Dec).ok_or_else(|| {
            de::Error::invalid_value(de::Unexpected::Str(text), &"a decimal number (at most 28 digits)")
        })
    }
}

/// An element that may be empty: `null` or `""` (what XML-to-JSON converters make of `<skills/>`)
/// is none, an object is read as `T`.
pub(crate) fn empty_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: de::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object, null or an empty string")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v.trim().is_empty() { Ok(None) } else { Err(E::invalid_value(de::Unexpected::Str(v), &self)) }
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
        }
    }
    d.deserialize_any(V(PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Doc {
        #[serde(default)]
        n: Option<Int>,
        #[serde(default)]
        items: OneOrMany<Text>,
        #[serde(default)]
        map: Entries<Int>,
    }

    fn doc(s: &str) -> Result<Doc, AdapterError> {
        from_json(s.as_bytes())
    }

    #[test]
    fn int_as_number_or_string() {
        assert_eq!(doc(r#"{"n": 4}"#).unwrap().n, Some(Int(4)));
        assert_eq!(doc(r#"{"n": "-1"}"#).unwrap().n, Some(Int(-1)));
        assert_eq!(doc(r#"{"n": " 7 "}"#).unwrap().n, Some(Int(7)));
        assert_eq!(doc(r#"{"n": null}"#).unwrap().n, None);
        for bad in [
            r#""4.5""#,
            r#""""#,
            r#""-""#,
            "4.5",
            "true",
            r#""99999999999999999999""#,
            "18446744073709551615",
        ] {
            let err = doc(&format!(r#"{{"n": {bad}}}"#)).unwrap_err();
            assert_eq!(err.location().path, "n", "{bad}: {err}");
        }
    }

    #[test]
    fn one_or_many_shapes() {
        let items = |s: &str| doc(s).unwrap().items.0.into_iter().map(|t| t.0).collect::<Vec<_>>();
        assert_eq!(items(r#"{"items": "2"}"#), ["2"]);
        assert_eq!(items(r#"{"items": 2}"#), ["2"]);
        assert_eq!(items(r#"{"items": ["2", 4]}"#), ["2", "4"]);
        assert_eq!(items(r#"{"items": null}"#), Vec::<String>::new());
        assert_eq!(items(r#"{}"#), Vec::<String>::new());
        let err = doc(r#"{"items": ["2", {"x": 1}]}"#).unwrap_err();
        assert_eq!(err.location().path, "items[1]");
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        assert_eq!(from_json::<Doc>(b"\xEF\xBB\xBF{\"n\": 3}").unwrap().n, Some(Int(3)));
    }

    #[test]
    fn entries_keep_document_order() {
        let d = doc(r#"{"map": {"1": 5, "100": -1, "2": "3"}}"#).unwrap();
        let keys: Vec<_> = d.map.0.iter().map(|(k, v)| (k.as_str(), v.0)).collect();
        assert_eq!(keys, [("1", 5), ("100", -1), ("2", 3)]);
    }

    #[test]
    fn decimals_are_exact() {
        #[derive(Deserialize)]
        struct D {
            d: Dec,
        }
        let d = |s: &str| from_json::<D>(s.as_bytes()).map(|d| d.d.0);
        assert_eq!(d(r#"{"d": 0.1}"#).unwrap(), rust_decimal::Decimal::new(1, 1));
        assert_eq!(d(r#"{"d": "2.50"}"#).unwrap(), rust_decimal::Decimal::new(250, 2));
        assert_eq!(d(r#"{"d": 1e3}"#).unwrap(), rust_decimal::Decimal::new(1000, 0));
        let err = d(r#"{"d": "abc"}"#).unwrap_err();
        assert_eq!(err.location().path, "d");
        assert!(d(r#"{"d": 123456789012345678901234567890123}"#).is_err());
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let err = doc("{\n  \"n\": 1,\n  \"items\": [1,,]\n}").unwrap_err();
        let at = err.location();
        // Line 3 holds the second comma, at column 15.
        assert_eq!((at.line, at.column), (Some(3), Some(15)), "{err}");
    }
}
