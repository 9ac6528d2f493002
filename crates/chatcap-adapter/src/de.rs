//! Shapes the XML-to-JSON conversion produces, read straight into typed values without going
//! through a generic JSON tree: numbers as numbers or strings, one item or a list of items.

use std::borrow::Cow;
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
            let span = value_span(bytes, err.path());
            let path = err.path().to_string();
            // `?` stands for a key the parser had not read yet (the input ended or broke there).
            let path = path.strip_suffix(".?").or_else(|| path.strip_suffix('?')).unwrap_or(&path);
            let path = if path == "." { String::new() } else { path.to_owned() };
            let mut error = json_error(path, err.into_inner());
            if let (Some((start, end)), AdapterError::Json { at, .. }) = (span, &mut error) {
                point_into_value(bytes, at, start, end);
            }
            Err(error)
        }
    }
}

/// A value's complaint (a reader that read the value's text whole, then refused it) is placed
/// by the parser where its enclosing object ends; put it at the value's last character, where
/// a complaint about a value stands.
fn point_into_value(bytes: &[u8], at: &mut Location, start: usize, end: usize) {
    let (Some(line), Some(column)) = (at.line, at.column) else { return };
    // The parser's column counts the bytes of the line read so far: its next byte's offset.
    let line_start = if line <= 1 {
        Some(0)
    } else {
        bytes.iter().enumerate().filter(|&(_, &b)| b == b'\n').nth(line - 2).map(|(i, _)| i + 1)
    };
    let Some(next) = line_start.map(|l| l + column) else { return };
    if start < next && next <= end {
        return;
    }
    let before = &bytes[..end.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.len() - before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    *at = Location { line: Some(line), column: Some(column), ..std::mem::take(at) };
}

/// Where the value at `path` lies in the document, as byte offsets `start..end`; `None` when
/// the path does not lead to a whole value.
fn value_span(bytes: &[u8], path: &serde_path_to_error::Path) -> Option<(usize, usize)> {
    let segments: Vec<&serde_path_to_error::Segment> = path.iter().collect();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let raw = de::DeserializeSeed::deserialize(Seek { segments: &segments }, &mut de).ok().flatten()?;
    let start = (raw.as_ptr() as usize).checked_sub(bytes.as_ptr() as usize)?;
    let end = start.checked_add(raw.len())?;
    (end <= bytes.len()).then_some((start, end))
}

/// Follows a path down a document and gives the text of the value at its end.
struct Seek<'p> {
    segments: &'p [&'p serde_path_to_error::Segment],
}

impl<'de> de::DeserializeSeed<'de> for Seek<'_> {
    type Value = Option<&'de str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        if self.segments.is_empty() {
            return <&'de serde_json::value::RawValue>::deserialize(d).map(|r| Some(r.get()));
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seek<'_> {
    type Value = Option<&'de str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some((&first, rest)) = self.segments.split_first() else { return Ok(None) };
        let mut found = None;
        while let Some(k) = map.next_key::<String>()? {
            match first {
                serde_path_to_error::Segment::Map { key } if found.is_none() && *key == k => {
                    found = map.next_value_seed(Seek { segments: rest })?;
                }
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let Some((&first, rest)) = self.segments.split_first() else { return Ok(None) };
        let index = match first {
            serde_path_to_error::Segment::Seq { index } => Some(*index),
            _ => None,
        };
        let mut found = None;
        let mut i = 0;
        loop {
            if Some(i) == index {
                match seq.next_element_seed(Seek { segments: rest })? {
                    Some(v) => found = v,
                    None => break,
                }
            } else if seq.next_element::<de::IgnoredAny>()?.is_none() {
                break;
            }
            i += 1;
        }
        Ok(found)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
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

/// An integer sent as a JSON number or as a string: digits (`"-1"`, `4`) or any notation of a
/// whole number (`4.0`, `"4.0"`, `5e1`), read exactly from the document's text, never through a
/// float.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Int(pub(crate) i64);

pub(crate) const INT_EXPECTED: &str = "an integer (a whole number, as a number or a string: 4, \"4\" or 4.0)";

/// Why the text of an integer could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntError {
    /// Not a number at all.
    NotANumber,
    /// A number with a fraction (`50.5`).
    Fraction,
    /// A whole number beyond the range of `i64`.
    OutOfRange,
}

/// The message for an integer that could not be read; `found` is the value as the document
/// shows it.
pub(crate) fn int_message(found: &str, e: IntError) -> String {
    match e {
        IntError::NotANumber => format!("found {found}; expected {INT_EXPECTED}"),
        IntError::Fraction => format!("found {found}, which is not a whole number; expected {INT_EXPECTED}"),
        IntError::OutOfRange => {
            format!(
                "found {found}, which is out of range; expected an integer from {} to {}",
                i64::MIN,
                i64::MAX
            )
        }
    }
}

/// Parses the text of an integer as the XML, the string form and JSON numbers carry it: digits
/// with an optional sign, or a decimal or scientific notation whose value is a whole number
/// (`50.0`, `5e1`, `500e-1`). Exact whatever the digits: no float is involved.
pub(crate) fn parse_int(s: &str) -> Result<i64, IntError> {
    let t = s.trim();
    let (negative, unsigned) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().map_err(|_| IntError::OutOfRange);
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
        return Err(IntError::NotANumber);
    }
    // The value is `digits` times ten to the power `scale`.
    let mut scale: i64 = match exponent {
        None => 0,
        Some(e) => {
            let (minus, digits) = match e.as_bytes().first() {
                Some(b'-') => (true, &e[1..]),
                Some(b'+') => (false, &e[1..]),
                _ => (false, e),
            };
            if digits.is_empty() || !all_digits(digits) {
                return Err(IntError::NotANumber);
            }
            // Beyond 18 digits the exponent only needs its sign: the value is 0, huge or tiny.
            let n: i64 = digits.parse().unwrap_or(i64::MAX / 2);
            if minus { -n } else { n }
        }
    };
    scale = scale.saturating_sub(fraction.len() as i64);
    let digits = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    let significant = digits.trim_end_matches('0');
    if significant.is_empty() {
        return Ok(0);
    }
    scale = scale.saturating_add((digits.len() - significant.len()) as i64);
    if scale < 0 {
        return Err(IntError::Fraction);
    }
    // i64 holds at most 19 digits.
    if significant.len() as i64 + scale > 19 {
        return Err(IntError::OutOfRange);
    }
    let mut value: i128 = significant.parse().map_err(|_| IntError::OutOfRange)?;
    for _ in 0..scale {
        value *= 10;
    }
    if negative {
        value = -value;
    }
    i64::try_from(value).map_err(|_| IntError::OutOfRange)
}

/// A JSON scalar as its document writes it, for readers that must see the digits (a float
/// would read `50.000000000000000001` as 50).
pub(crate) enum Scalar<'a> {
    /// A string's contents, unescaped.
    Str(Cow<'a, str>),
    /// A number's text.
    Num(&'a str),
    /// Anything else (`true`, `null`, an object, a list), as written.
    Other(&'a str),
}

impl<'a> Scalar<'a> {
    /// Reads the next value as its text. Only for values read straight from the document by
    /// [`from_json`] (the text is borrowed from it).
    pub(crate) fn read<D: de::Deserializer<'a>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'a serde_json::value::RawValue>::deserialize(d)?;
        let text = raw.get();
        Ok(match text.as_bytes().first() {
            Some(b'"') if !text.contains('\\') => Scalar::Str(Cow::Borrowed(
                text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text),
            )),
            Some(b'"') => {
                Scalar::Str(Cow::Owned(serde_json::from_str::<String>(text).map_err(de::Error::custom)?))
            }
            Some(b'-' | b'0'..=b'9') => Scalar::Num(text),
            _ => Scalar::Other(text),
        })
    }
}

/// A value as an error message shows it: containers by their kind, long scalars cut.
fn shown(raw: &str) -> String {
    match raw.as_bytes().first() {
        Some(b'{') => "an object".to_owned(),
        Some(b'[') => "a list".to_owned(),
        _ if raw.chars().count() > 40 => format!("{}...", raw.chars().take(40).collect::<String>()),
        _ => raw.to_owned(),
    }
}

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let refused = |e, found: String| de::Error::custom(int_message(&shown(&found), e));
        match Scalar::read(d)? {
            Scalar::Num(n) => parse_int(n).map(Int).map_err(|e| refused(e, n.to_owned())),
            Scalar::Str(s) => parse_int(&s).map(Int).map_err(|e| refused(e, format!("{s:?}"))),
            Scalar::Other(o) => Err(refused(IntError::NotANumber, o.to_owned())),
        }
    }
}

/// A text value sent as a JSON string or as an integer (ids: `"25025413"` or `25025413`).
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
    fn whole_numbers_in_any_notation() {
        let ok = |s: &str| parse_int(s).unwrap_or_else(|e| panic!("{s}: {e:?}"));
        for (text, n) in [
            ("50", 50),
            ("+50", 50),
            ("50.0", 50),
            ("5e1", 50),
            ("5E+1", 50),
            ("500e-1", 50),
            ("0.5e2", 50),
            (" 50.000 ", 50),
            ("5.", 5),
            ("-0.0", 0),
            ("0e99999999999999999999999", 0),
            ("-9223372036854775808", i64::MIN),
            ("9.223372036854775807e18", i64::MAX),
        ] {
            assert_eq!(ok(text), n, "{text}");
        }
        for (text, e) in [
            ("50.5", IntError::Fraction),
            ("5e-1", IntError::Fraction),
            (".5", IntError::Fraction),
            // Exact, whatever the digits: a float would see 50.
            ("50.0000000000000000001", IntError::Fraction),
            ("1e-99999999999999999999", IntError::Fraction),
            ("9223372036854775808", IntError::OutOfRange),
            ("9.3e18", IntError::OutOfRange),
            ("1e99999999999999999999", IntError::OutOfRange),
            ("", IntError::NotANumber),
            (".", IntError::NotANumber),
            ("-", IntError::NotANumber),
            ("1e", IntError::NotANumber),
            ("e1", IntError::NotANumber),
            ("1_000", IntError::NotANumber),
            ("0x10", IntError::NotANumber),
            ("1.2.3", IntError::NotANumber),
            ("inf", IntError::NotANumber),
            ("NaN", IntError::NotANumber),
            ("5 0", IntError::NotANumber),
        ] {
            assert_eq!(parse_int(text), Err(e), "{text}");
        }
    }

    #[test]
    fn json_numbers_that_are_whole_are_integers() {
        assert_eq!(doc(r#"{"n": 50.0}"#).unwrap().n, Some(Int(50)));
        assert_eq!(doc(r#"{"n": 5e1}"#).unwrap().n, Some(Int(50)));
        assert_eq!(doc(r#"{"n": -1.0}"#).unwrap().n, Some(Int(-1)));
        assert_eq!(doc(r#"{"n": "5e1"}"#).unwrap().n, Some(Int(50)));
        // Read from the digits: a float holds neither of these exactly.
        assert_eq!(doc(r#"{"n": 9007199254740993.0}"#).unwrap().n, Some(Int(9_007_199_254_740_993)));
        assert_eq!(doc(r#"{"n": 9.223372036854775807e18}"#).unwrap().n, Some(Int(i64::MAX)));
        let err = doc(r#"{"n": 50.000000000000000001}"#).unwrap_err();
        assert!(err.to_string().contains("not a whole number"), "{err}");
        let err = doc(r#"{"n": 50.5}"#).unwrap_err();
        assert_eq!(err.location().path, "n");
        assert!(err.to_string().contains("found 50.5, which is not a whole number"), "{err}");
        let err = doc(r#"{"n": 1e300}"#).unwrap_err();
        assert!(err.to_string().contains("found 1e300, which is out of range"), "{err}");
        let err = doc(r#"{"n": "4\u002e5"}"#).unwrap_err();
        assert!(err.to_string().contains(r#"found "4.5", which is not a whole number"#), "{err}");
        assert_eq!(doc(r#"{"n": "\u0034"}"#).unwrap().n, Some(Int(4)));
        let err = doc(r#"{"n": "50.5"}"#).unwrap_err();
        assert!(err.to_string().contains(r#"found "50.5", which is not a whole number"#), "{err}");
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
    fn a_refused_value_is_pointed_at_not_the_end_of_its_object() {
        // "x" ends at column 10 of line 2; the object closes on line 3.
        let err = doc("{\n  \"n\": \"x\"\n}").unwrap_err();
        assert_eq!((err.location().line, err.location().column), (Some(2), Some(10)), "{err}");
        let err = doc("{\"items\": [1], \"n\": 2.5 }").unwrap_err();
        // 2.5 ends at column 23 (the parser stopped after the closing brace, at 25).
        assert_eq!((err.location().line, err.location().column), (Some(1), Some(23)), "{err}");
        // A value inside a list of objects, followed by the list's end.
        let err = from_json::<Vec<Doc>>(b"[{\"n\": 1}, {\"n\": 7.5}\n]").unwrap_err();
        assert_eq!(err.location().path, "[1].n");
        // 7.5 ends at column 20.
        assert_eq!((err.location().line, err.location().column), (Some(1), Some(20)), "{err}");
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let err = doc("{\n  \"n\": 1,\n  \"items\": [1,,]\n}").unwrap_err();
        let at = err.location();
        // Line 3 holds the second comma, at column 15.
        assert_eq!((at.line, at.column), (Some(3), Some(15)), "{err}");
    }
}
