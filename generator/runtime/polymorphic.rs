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
    let fields = match serde_json::to_value(value).map_err(S::Error::custom)? {
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

/// Reads a struct through its derived deserializer, keeping every explicit `null` in
/// `additional_properties`: a struct field cannot tell `null` from absent, and an update must be
/// able to send `null` back. (An undeclared property's `null` lands there anyway.)
///
/// A collection with `null` items (CSDL allows them unless the property says `Nullable="false"`)
/// that its field's type cannot hold is kept whole in `additional_properties` too, with the field
/// left `None`: the value is written back exactly as it came.
#[allow(dead_code)]
pub(crate) fn deserialize_keeping_nulls<'de, D, T>(
    deserializer: D,
    derived: impl Fn(Value) -> Result<T, serde_json::Error>,
    additional: impl FnOnce(&mut T) -> &mut Fields,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let mut fields = Fields::deserialize(deserializer)?;
    let nulls: Vec<String> = fields
        .iter()
        .filter(|(_, value)| value.is_null())
        .map(|(name, _)| name.clone())
        .collect();
    let has_null_items = |value: &Value| {
        value
            .as_array()
            .is_some_and(|items| items.iter().any(Value::is_null))
    };
    let mut kept_whole = Vec::new();
    let mut value = if fields.values().any(has_null_items) {
        match derived(Value::Object(fields.clone())) {
            Ok(value) => value,
            Err(_) => {
                // The items must be right apart from the nulls: check with the nulls left out.
                let mut without_nulls = fields.clone();
                for value in without_nulls.values_mut() {
                    if let Value::Array(items) = value {
                        items.retain(|item| !item.is_null());
                    }
                }
                derived(Value::Object(without_nulls)).map_err(D::Error::custom)?;
                let names: Vec<String> = fields
                    .iter()
                    .filter(|(_, value)| has_null_items(value))
                    .map(|(name, _)| name.clone())
                    .collect();
                for name in names {
                    if let Some(entry) = fields.remove_entry(&name) {
                        kept_whole.push(entry);
                    }
                }
                derived(Value::Object(fields)).map_err(D::Error::custom)?
            }
        }
    } else {
        derived(Value::Object(fields)).map_err(D::Error::custom)?
    };
    let kept = additional(&mut value);
    for name in nulls {
        kept.insert(name, Value::Null);
    }
    kept.extend(kept_whole);
    Ok(value)
}

/// Whether some of `additional` may name a declared property (and be written twice unless the
/// set field wins). Control information (`@odata.etag`, `name@odata.type`) never does: a
/// property's name has no `@`.
#[allow(dead_code)]
pub(crate) fn may_shadow(additional: &Fields) -> bool {
    additional.keys().any(|name| !name.contains('@'))
}

/// The entries of `additional` that name none of the `declared` properties (a JSON object of
/// the fields that are set).
#[allow(dead_code)]
pub(crate) fn not_declared(additional: Fields, declared: &Value) -> Fields {
    additional
        .into_iter()
        .filter(|(name, _)| declared.get(name).is_none())
        .collect()
}

/// Sets the declared property `property` of a struct to `None`, whatever field holds it: the
/// struct goes through its derived serializer as JSON without that property and back. Only the
/// set fields are written, so this costs what writing the set fields costs. A property the struct
/// does not declare leaves it unchanged.
#[allow(dead_code)]
pub(crate) fn clear_property<T>(
    value: &mut T,
    property: &str,
    derived_serialize: impl FnOnce(
        &T,
        serde_json::value::Serializer,
    ) -> Result<Value, serde_json::Error>,
    derived_deserialize: impl FnOnce(Value) -> Result<T, serde_json::Error>,
    additional: impl Fn(&mut T) -> &mut Fields,
) {
    let kept = std::mem::take(additional(value));
    if let Ok(Value::Object(mut fields)) = derived_serialize(value, serde_json::value::Serializer) {
        if fields.remove(property).is_some() {
            if let Ok(cleared) = derived_deserialize(Value::Object(fields)) {
                *value = cleared;
            }
        }
    }
    *additional(value) = kept;
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

    /// A model struct as the generator writes it.
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(remote = "Self", default)]
    struct Labels {
        #[serde(skip_serializing_if = "Option::is_none")]
        tags: Option<Vec<String>>,
        #[serde(rename = "displayName", skip_serializing_if = "Option::is_none")]
        display_name: Option<String>,
        #[serde(flatten)]
        additional_properties: Fields,
    }
    crate::macros::keep_nulls!(Labels);

    #[test]
    fn a_collection_with_null_items_is_kept_whole() {
        let json = serde_json::json!({"tags": ["a", null], "displayName": "x"});
        let labels: Labels = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(labels.tags, None);
        assert_eq!(labels.display_name.as_deref(), Some("x"));
        assert_eq!(labels.additional_properties["tags"], json["tags"]);
        assert_eq!(serde_json::to_value(&labels).unwrap(), json);
        let plain: Labels = serde_json::from_value(serde_json::json!({"tags": ["a"]})).unwrap();
        assert_eq!(plain.tags, Some(vec!["a".to_string()]));
        assert!(plain.additional_properties.is_empty());
        // Wrong JSON is still an error.
        assert!(serde_json::from_value::<Labels>(serde_json::json!({"tags": [1, null]})).is_err());
    }

    #[test]
    fn set_null_clears_and_a_later_value_wins() {
        let mut labels = Labels {
            display_name: Some("x".into()),
            tags: Some(vec!["a".into()]),
            ..Labels::default()
        };
        labels.set_null("displayName");
        assert_eq!(labels.display_name, None);
        assert_eq!(labels.tags, Some(vec!["a".to_string()]));
        assert_eq!(
            serde_json::to_value(&labels).unwrap(),
            serde_json::json!({"displayName": null, "tags": ["a"]})
        );
        labels.display_name = Some("y".into());
        assert_eq!(
            serde_json::to_value(&labels).unwrap(),
            serde_json::json!({"displayName": "y", "tags": ["a"]})
        );
        // A name the struct does not declare is sent as null too.
        labels.set_null("futureProperty");
        assert_eq!(labels.additional_properties["futureProperty"], Value::Null);
    }

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
