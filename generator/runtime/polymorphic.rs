//! Reading and writing values whose concrete type is named by `@odata.type`.
//!
//! Generated unions (one variant per concrete type) call these helpers from their `Deserialize`
//! implementations; their `Serialize` calls `structured::serialize_tagged`, which writes the
//! tag a value was read with, or the one its slot needs.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// A JSON object's fields, as received.
pub(crate) type Fields = Map<String, Value>;

/// The control property that names a value's type.
pub(crate) const ODATA_TYPE: &str = "@odata.type";

/// Reads a JSON object and the type its `@odata.type` names, without a leading `#`.
#[allow(dead_code)]
pub(crate) fn deserialize_tagged<'de, D>(
    deserializer: D,
) -> Result<(Option<String>, Fields), D::Error>
where
    D: Deserializer<'de>,
{
    let fields = Fields::deserialize(deserializer)?;
    let odata_type = match fields.get(ODATA_TYPE) {
        None => None,
        Some(Value::String(name)) => Some(name.strip_prefix('#').unwrap_or(name).to_string()),
        Some(other) => {
            return Err(D::Error::custom(format!(
                "`@odata.type` must be a string, found {other}"
            )));
        }
    };
    Ok((odata_type, fields))
}

/// Turns the fields of a value of a known type into that type. Its `@odata.type` is kept with
/// the value (in `additional_properties`, and so written back) unless it names `tag`, the type
/// the value's variant is written with anyway (with or without the `#`, which is written back
/// with it): a tag on a concrete base's value (written without one) comes back as it was read,
/// and a value read with its type's tag equals the same value built in code.
#[allow(dead_code)]
pub(crate) fn from_fields<T, E>(mut fields: Fields, tag: Option<&str>) -> Result<T, E>
where
    T: DeserializeOwned,
    E: serde::de::Error,
{
    let names_tag =
        |read: &str| tag.is_some_and(|tag| read == tag || tag.strip_prefix('#') == Some(read));
    if fields
        .get(ODATA_TYPE)
        .and_then(Value::as_str)
        .is_some_and(names_tag)
    {
        fields.remove(ODATA_TYPE);
    }
    serde_json::from_value(Value::Object(fields)).map_err(E::custom)
}

/// The `@odata.type` of a value kept as raw fields, without a leading `#`.
#[allow(dead_code)]
pub(crate) fn odata_type_of(fields: &Fields) -> Option<&str> {
    fields
        .get(ODATA_TYPE)
        .and_then(Value::as_str)
        .map(|name| name.strip_prefix('#').unwrap_or(name))
}

#[cfg(all(test, msgraph_runtime))]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Sample {
        #[serde(rename = "groupId")]
        group_id: String,
    }

    #[test]
    fn reads_the_type_with_or_without_hash() {
        for text in [
            r##"{"@odata.type":"#ns.sample","groupId":"g"}"##,
            r#"{"@odata.type":"ns.sample","groupId":"g"}"#,
        ] {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            let (odata_type, fields) = deserialize_tagged(&mut deserializer).unwrap();
            assert_eq!(odata_type.as_deref(), Some("ns.sample"));
            assert_eq!(odata_type_of(&fields), Some("ns.sample"));
            let sample: Sample =
                from_fields::<_, serde_json::Error>(fields, Some("#ns.sample")).unwrap();
            assert_eq!(sample.group_id, "g");
        }
    }

    #[test]
    fn rejects_a_type_that_is_not_a_string() {
        let mut deserializer = serde_json::Deserializer::from_str(r#"{"@odata.type":3}"#);
        let error = deserialize_tagged(&mut deserializer).unwrap_err();
        assert!(error.to_string().contains("must be a string"), "{error}");
    }
}
