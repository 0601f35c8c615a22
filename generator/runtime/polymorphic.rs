//! Reading and writing values whose concrete type is named by `@odata.type`.
//!
//! Generated unions (one variant per concrete type) call these helpers from their `Serialize`
//! and `Deserialize` implementations.

use serde::de::{DeserializeOwned, Error as _};
use serde::ser::{Error as _, SerializeMap};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// A JSON object's fields, as received.
pub(crate) type Fields = Map<String, Value>;

/// The control property that names a value's type.
pub(crate) const ODATA_TYPE: &str = "@odata.type";

/// Writes `value`, which must serialize to a JSON object, with `@odata.type` first.
#[allow(dead_code)]
pub(crate) fn serialize_tagged<T, S>(
    odata_type: &str,
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    T: Serialize + ?Sized,
    S: Serializer,
{
    write_tagged(odata_type, serde_json::to_value(value), serializer)
}

/// What [`serialize_tagged`] does once the value is JSON, compiled once per serializer.
fn write_tagged<S: Serializer>(
    odata_type: &str,
    value: Result<Value, serde_json::Error>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let fields = match value.map_err(S::Error::custom)? {
        Value::Object(fields) => fields,
        other => {
            return Err(S::Error::custom(format!(
                "a value of `{odata_type}` must serialize to a JSON object, not {other}"
            )));
        }
    };
    let mut map = serializer.serialize_map(Some(fields.len() + 1))?;
    map.serialize_entry(ODATA_TYPE, odata_type)?;
    for (name, field) in &fields {
        if name != ODATA_TYPE {
            map.serialize_entry(name, field)?;
        }
    }
    map.end()
}

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

/// Turns the fields of a value of a known type into that type, leaving out `@odata.type`.
#[allow(dead_code)]
pub(crate) fn from_fields<T, E>(mut fields: Fields) -> Result<T, E>
where
    T: DeserializeOwned,
    E: serde::de::Error,
{
    fields.remove(ODATA_TYPE);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Sample {
        #[serde(rename = "groupId")]
        group_id: String,
    }

    struct Tagged(Sample);

    impl Serialize for Tagged {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serialize_tagged("#ns.sample", &self.0, serializer)
        }
    }

    #[test]
    fn writes_the_type_first_and_once() {
        let json = serde_json::to_string(&Tagged(Sample {
            group_id: "g".into(),
        }))
        .unwrap();
        assert_eq!(json, r##"{"@odata.type":"#ns.sample","groupId":"g"}"##);
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
            let sample: Sample = from_fields::<_, serde_json::Error>(fields).unwrap();
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
