//! Reading and writing Edm numbers whose JSON form varies.
//!
//! - `Edm.Double` and `Edm.Single`: a JSON number, or the strings `"INF"`, `"-INF"` and `"NaN"`
//!   for the values JSON numbers cannot hold (written back the same way); a numeric string is
//!   accepted too.
//! - `Edm.Int64`: a JSON number, or a string when the service was asked for
//!   `IEEE754Compatible=true`; written as a number.
//! - `Edm.Decimal`: kept as text: a string exactly as sent, a JSON number as serde_json reads
//!   it (exact up to the precision of an `f64`); written as a JSON number when the text is one.
//!
//! Generated fields use these through `#[serde(with = "...")]`, with one module per shape of
//! field: `plain` (`T`), `option` (`Option<T>`), `vec` (`Vec<T>`) and `option_vec`
//! (`Option<Vec<T>>`).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An Edm number with a lenient JSON form.
pub(crate) trait Lenient: Sized {
    /// Writes the value.
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
    /// Reads the value from any of its accepted forms.
    fn read(value: NumberOrText) -> Result<Self, String>;
}

/// A JSON number or string, as read.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum NumberOrText {
    /// A JSON number.
    Number(serde_json::Number),
    /// A JSON string.
    Text(String),
}

macro_rules! float {
    ($float:ty) => {
        impl Lenient for $float {
            fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if self.is_nan() {
                    serializer.serialize_str("NaN")
                } else if self.is_infinite() && *self > 0.0 {
                    serializer.serialize_str("INF")
                } else if self.is_infinite() {
                    serializer.serialize_str("-INF")
                } else {
                    self.serialize(serializer)
                }
            }

            fn read(value: NumberOrText) -> Result<Self, String> {
                match value {
                    NumberOrText::Number(number) => number
                        .as_f64()
                        .map(|n| n as $float)
                        .ok_or_else(|| format!("`{number}` is not a number")),
                    NumberOrText::Text(text) => match text.as_str() {
                        "INF" => Ok(<$float>::INFINITY),
                        "-INF" => Ok(<$float>::NEG_INFINITY),
                        "NaN" => Ok(<$float>::NAN),
                        other => other.parse().map_err(|_| {
                            format!("`{other}` is not a number, `INF`, `-INF` or `NaN`")
                        }),
                    },
                }
            }
        }
    };
}

float!(f64);
float!(f32);

impl Lenient for i64 {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(*self)
    }

    fn read(value: NumberOrText) -> Result<Self, String> {
        match value {
            NumberOrText::Number(number) => number
                .as_i64()
                .ok_or_else(|| format!("`{number}` is not a 64-bit integer")),
            NumberOrText::Text(text) => text
                .trim()
                .parse()
                .map_err(|_| format!("`{text}` is not a 64-bit integer")),
        }
    }
}

/// An `Edm.Decimal`: its exact text.
impl Lenient for String {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match serde_json::value::RawValue::from_string(self.clone()) {
            Ok(raw) if is_json_number(self) => raw.serialize(serializer),
            _ => serializer.serialize_str(self),
        }
    }

    fn read(value: NumberOrText) -> Result<Self, String> {
        match value {
            NumberOrText::Number(number) => Ok(number.to_string()),
            NumberOrText::Text(text) => Ok(text),
        }
    }
}

/// Whether `text` is a JSON number (and so may be written as one).
fn is_json_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match digits.find(['e', 'E']) {
        Some(at) => (&digits[..at], Some(&digits[at + 1..])),
        None => (digits, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole)
        && (whole == "0" || !whole.starts_with('0'))
        && fraction.is_none_or(all_digits)
        && exponent.is_none_or(|e| all_digits(e.strip_prefix(['+', '-']).unwrap_or(e)))
}

/// A value written and read through [`Lenient`].
struct Wrapped<T>(T);

impl<T: Lenient> Serialize for Wrapped<&T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.write(serializer)
    }
}

impl<'de, T: Lenient> Deserialize<'de> for Wrapped<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = NumberOrText::deserialize(deserializer)?;
        T::read(value).map(Wrapped).map_err(D::Error::custom)
    }
}

/// The value of a model struct's property of a lenient Edm number type (`T`), or of a collection
/// of them (`Vec<T>`), as the runtime's `structured` module reads and writes it.
pub(crate) trait LenientValue: Sized {
    /// The value in its lenient form, ready to write.
    fn to_json(&self) -> Result<crate::structured::Written, serde_json::Error>;
    /// Reads the value from any of its accepted forms.
    fn from_json(value: serde_json::Value) -> Result<Self, serde_json::Error>;
}

macro_rules! lenient_value {
    ($($number:ty => $written:ident),*) => {$(
        impl LenientValue for $number {
            fn to_json(&self) -> Result<crate::structured::Written, serde_json::Error> {
                crate::structured::Written::$written(&Wrapped(self))
            }

            fn from_json(value: serde_json::Value) -> Result<Self, serde_json::Error> {
                plain::deserialize(value)
            }
        }

        impl LenientValue for Vec<$number> {
            fn to_json(&self) -> Result<crate::structured::Written, serde_json::Error> {
                crate::structured::Written::$written(&self.iter().map(Wrapped).collect::<Vec<_>>())
            }

            fn from_json(value: serde_json::Value) -> Result<Self, serde_json::Error> {
                vec::deserialize(value)
            }
        }
    )*};
}

// Binary floating point numbers are exact as JSON values; an `Edm.Decimal` keeps its digits only
// as JSON text.
lenient_value!(f64 => value, f32 => value, i64 => value, String => text);

/// A field of type `T`.
#[allow(dead_code)]
pub(crate) mod plain {
    use super::*;

    pub(crate) fn serialize<T: Lenient, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        Wrapped(value).serialize(serializer)
    }

    pub(crate) fn deserialize<'de, T: Lenient, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        Wrapped::<T>::deserialize(deserializer).map(|w| w.0)
    }
}

/// A field of type `Option<T>`.
#[allow(dead_code)]
pub(crate) mod option {
    use super::*;

    pub(crate) fn serialize<T: Lenient, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.as_ref().map(Wrapped).serialize(serializer)
    }

    pub(crate) fn deserialize<'de, T: Lenient, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        Option::<Wrapped<T>>::deserialize(deserializer).map(|o| o.map(|w| w.0))
    }
}

/// A field of type `Vec<T>`.
#[allow(dead_code)]
pub(crate) mod vec {
    use super::*;

    pub(crate) fn serialize<T: Lenient, S: Serializer>(
        value: &[T],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(value.iter().map(Wrapped))
    }

    pub(crate) fn deserialize<'de, T: Lenient, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<T>, D::Error> {
        Vec::<Wrapped<T>>::deserialize(deserializer).map(|v| v.into_iter().map(|w| w.0).collect())
    }
}

/// A field of type `Option<Vec<T>>`.
#[allow(dead_code)]
pub(crate) mod option_vec {
    use super::*;

    pub(crate) fn serialize<T: Lenient, S: Serializer>(
        value: &Option<Vec<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value
            .as_ref()
            .map(|items| items.iter().map(Wrapped).collect::<Vec<_>>())
            .serialize(serializer)
    }

    pub(crate) fn deserialize<'de, T: Lenient, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<T>>, D::Error> {
        Option::<Vec<Wrapped<T>>>::deserialize(deserializer)
            .map(|o| o.map(|v| v.into_iter().map(|w| w.0).collect()))
    }
}

#[cfg(all(test, msgraph_runtime))]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Sample {
        #[serde(default, with = "option", skip_serializing_if = "Option::is_none")]
        double: Option<f64>,
        #[serde(default, with = "option", skip_serializing_if = "Option::is_none")]
        single: Option<f32>,
        #[serde(default, with = "option", skip_serializing_if = "Option::is_none")]
        int64: Option<i64>,
        #[serde(default, with = "option", skip_serializing_if = "Option::is_none")]
        decimal: Option<String>,
        #[serde(default, with = "option_vec", skip_serializing_if = "Option::is_none")]
        doubles: Option<Vec<f64>>,
    }

    fn read(json: &str) -> Sample {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn doubles_keep_infinity_and_nan() {
        let sample =
            read(r#"{"double": "INF", "single": "-INF", "doubles": [1.5, "NaN", "-INF"]}"#);
        assert_eq!(sample.double, Some(f64::INFINITY));
        assert_eq!(sample.single, Some(f32::NEG_INFINITY));
        let doubles = sample.doubles.as_ref().unwrap();
        assert!(doubles[1].is_nan());
        assert_eq!(
            serde_json::to_string(&sample).unwrap(),
            r#"{"double":"INF","single":"-INF","doubles":[1.5,"NaN","-INF"]}"#
        );
        assert_eq!(read(r#"{"double": "2.5"}"#).double, Some(2.5));
        assert_eq!(read(r#"{"double": null}"#).double, None);
    }

    #[test]
    fn int64_is_read_from_numbers_and_strings() {
        assert_eq!(
            read(r#"{"int64": 9007199254740993}"#).int64,
            Some(9_007_199_254_740_993)
        );
        assert_eq!(
            read(r#"{"int64": "9007199254740993"}"#).int64,
            Some(9_007_199_254_740_993)
        );
        assert_eq!(
            serde_json::to_string(&read(r#"{"int64": "-5"}"#)).unwrap(),
            r#"{"int64":-5}"#
        );
    }

    #[test]
    fn decimals_are_kept_as_text() {
        let sample = read(r#"{"decimal": 12.50}"#);
        assert_eq!(sample.decimal.as_deref(), Some("12.5"));
        let sample = read(r#"{"decimal": "12.50"}"#);
        assert_eq!(
            serde_json::to_string(&sample).unwrap(),
            r#"{"decimal":12.50}"#
        );
        let odd = Sample {
            decimal: Some("not a number".into()),
            ..read("{}")
        };
        assert_eq!(
            serde_json::to_string(&odd).unwrap(),
            r#"{"decimal":"not a number"}"#
        );
        for (text, number) in [
            ("0", true),
            ("-1.5e+3", true),
            ("01", false),
            ("1.", false),
            ("", false),
            ("1e", false),
        ] {
            assert_eq!(is_json_number(text), number, "{text:?}");
        }
    }

    #[test]
    fn wrong_json_is_an_error() {
        for bad in [
            r#"{"double": "many"}"#,
            r#"{"int64": 1.5}"#,
            r#"{"int64": "x"}"#,
            r#"{"double": true}"#,
        ] {
            assert!(serde_json::from_str::<Sample>(bad).is_err(), "{bad}");
        }
    }
}
