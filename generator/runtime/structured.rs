//! Reading and writing model structs (CSDL entity and complex types) as JSON objects.
//!
//! Every model struct implements [`Structured`] with two plain functions the generator writes:
//! one that hands each set property, then its `additional_properties`, to a [`Properties`]
//! writer, and one that offers a JSON [`Member`] to each declared property (the one with the
//! member's name on the wire reads it), then keeps it in `additional_properties` if none did.
//! `macros::structured!` implements the struct's `Serialize` and `Deserialize`, which call
//! [`serialize`] and [`deserialize`] here, so what every struct shares is compiled once, for
//! the whole crate, instead of once per struct by a derive:
//!
//! - properties that are `None` are not written; set ones are written in declaration order,
//!   then `additional_properties`;
//! - an explicit `null` read for a declared property is kept in `additional_properties` and
//!   written back, and a property set later wins over the kept `null`;
//! - a collection with `null` items that its field cannot hold is kept whole in
//!   `additional_properties`, with the field `None`, once its other items are known to be right;
//! - an Edm number the service wrote as text (`"0.5"`) is read into its field and its text is
//!   kept in `additional_properties`, so that it is written back as text while the field holds
//!   the same number;
//! - properties the struct does not declare (and control information such as `@odata.etag`)
//!   are kept in `additional_properties`.

// A crate may have no struct at all, or none with an Edm number.
#![allow(dead_code)]

use serde::de::{DeserializeOwned, Error as _};
use serde::ser::{Error as _, SerializeMap};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::polymorphic::ODATA_TYPE;

/// A JSON object's fields, as received.
pub(crate) type Fields = Map<String, Value>;

std::thread_local! {
    /// Set while [`typed_json`] writes a value on this thread.
    static TYPED_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether values are being written by [`typed_json`]: without what the crate's types do not
/// declare.
pub(crate) fn typed_only() -> bool {
    TYPED_ONLY.with(std::cell::Cell::get)
}

/// `value` as JSON, with only what this crate's types hold: as `serde_json::to_value` writes
/// it, but without any struct's (or page's) `additional_properties` and with a value of a type
/// the crate does not know (a union's `Other`) written as `null`.
///
/// A member of an answer that is missing here was not typed: the crate does not declare it
/// (a property the service added later, control information such as `@odata.etag`), or it
/// declares it but the value did not fit its field (an explicit `null`, a collection with
/// `null` items) and was kept whole. Comparing an answer with this shows what the crate
/// understood of it.
pub fn typed_json<T: Serialize + ?Sized>(value: &T) -> Result<Value, serde_json::Error> {
    /// Restores the flag, also when writing panics.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            TYPED_ONLY.with(|flag| flag.set(self.0));
        }
    }
    let _restore = Restore(TYPED_ONLY.with(|flag| flag.replace(true)));
    serde_json::to_value(value)
}

/// Writes a union's value of a type the crate does not know: its fields as they were read, or
/// `null` for [`typed_json`].
pub(crate) fn serialize_unknown<S: Serializer>(
    fields: &Fields,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    if typed_only() {
        serializer.serialize_unit()
    } else {
        fields.serialize(serializer)
    }
}

/// A model struct (an entity or complex type) or an action's parameters: what each of them can
/// do besides its fields. Every one of them implements it; no other type can.
///
/// Model structs are `#[non_exhaustive]`, so that a property Graph adds later is not a breaking
/// change: outside this crate they are built from `Default` (or an action body's `new`) and
/// field assignment, which [`with`](Model::with) keeps in one expression.
pub trait Model: Structured {
    /// Returns the value after `set` has set its fields:
    /// `Group::default().with(|group| group.display_name = Some("Sales".into()))`.
    fn with(mut self, set: impl FnOnce(&mut Self)) -> Self
    where
        Self: Sized,
    {
        set(&mut self);
        self
    }

    /// Sends `name` (its name on the wire, such as `displayName`) as JSON `null`, which clears
    /// it in an update: an optional field becomes `None` and the `null` is kept in
    /// `additional_properties` (a required action parameter is sent as set). A name the type
    /// does not declare is sent as `null` too.
    fn set_null(&mut self, name: &str) -> &mut Self
    where
        Self: Sized,
    {
        set_null(self, name);
        self
    }

    /// Reads a value from a JSON object, as a response's body is read: declared properties
    /// (and an action's parameters) into their fields, everything else kept in
    /// `additional_properties`. This is how an action's parameters (which are only ever sent,
    /// so they have no `Deserialize`) are made from JSON written elsewhere, such as a stored
    /// request or a documented example; an action body with required parameters starts from
    /// its `new(..)` and [`read_json`](Model::read_json) instead.
    fn from_json(json: Value) -> Result<Self, serde_json::Error>
    where
        Self: Sized + Default,
    {
        Self::default().read_json(json)
    }

    /// Returns the value with the members of a JSON object read into it, as
    /// [`from_json`](Model::from_json) reads them: a member it has replaces its value, others
    /// are kept in `additional_properties`.
    fn read_json(mut self, json: Value) -> Result<Self, serde_json::Error>
    where
        Self: Sized,
    {
        let Value::Object(fields) = json else {
            return Err(<serde_json::Error as serde::de::Error>::custom(
                "a model is read from a JSON object",
            ));
        };
        read_fields(&mut self, fields).map_err(<serde_json::Error as serde::de::Error>::custom)?;
        Ok(self)
    }
}

/// A model struct: its properties by their names on the wire, and the field that keeps what
/// it does not declare (`additional_properties`, which every model struct has).
///
/// Public only to be [`Model`]'s supertrait: this module is private, so no other crate can
/// name it or implement it (and its documentation is hidden).
#[doc(hidden)]
pub trait Structured {
    /// Hands every property that is set to `out`, in declaration order, then the additional
    /// properties ([`Properties::keep`]).
    fn write_properties<'a>(&'a self, out: &mut Properties<'a>);

    /// Offers `member` to every declared property, in declaration order (the property with
    /// the member's name reads it, see [`Member::read`]), then to the additional properties,
    /// which keep it unless a property read it ([`Member::keep_unread`]).
    fn read_property(&mut self, member: &mut Member);
}

/// What reading one property did.
pub(crate) enum Read {
    /// The field holds the value.
    Set,
    /// The value was `null`: the field is `None`, and the `null` is to be kept.
    Null,
    /// A collection with `null` items that the field cannot hold: the field is `None`, and the
    /// value is to be kept whole.
    KeptWhole(Value),
    /// An Edm number the service wrote as text (`"0.5"`, or a collection with such items): the
    /// field holds the number, and the text is kept so that it is written back as it came.
    SetKeepingForm(Value),
    /// The value does not fit the field.
    Invalid(serde_json::Error),
}

/// The set properties of a struct, as [`Structured::write_properties`] hands them over, and
/// its additional properties.
#[derive(Default)]
pub struct Properties<'a> {
    written: Vec<(&'static str, Written)>,
    /// The struct's Edm number properties, set or not: a number's text form kept for one of
    /// them is written only in place of its value.
    numbers: Vec<&'static str>,
    additional: Option<&'a Fields>,
    error: Option<serde_json::Error>,
}

/// A property's value, ready to write.
pub(crate) enum Written {
    /// Most values.
    Value(Value),
    /// JSON text, written as it is where the serializer writes JSON: an `Edm.Decimal` keeps its
    /// exact digits.
    Text(Box<serde_json::value::RawValue>),
}

impl Written {
    /// `value` as a JSON value.
    pub(crate) fn value<T: Serialize + ?Sized>(value: &T) -> Result<Written, serde_json::Error> {
        serde_json::to_value(value).map(Written::Value)
    }

    /// `value` as JSON text.
    pub(crate) fn text<T: Serialize + ?Sized>(value: &T) -> Result<Written, serde_json::Error> {
        serde_json::value::to_raw_value(value).map(Written::Text)
    }
}

impl Serialize for Written {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Written::Value(value) => value.serialize(serializer),
            Written::Text(text) => text.serialize(serializer),
        }
    }
}

impl<'a> Properties<'a> {
    /// Writes the struct's additional properties, after its set properties: control
    /// information first, and no kept value of a property that is set now.
    pub(crate) fn keep(&mut self, additional: &'a Fields) {
        if !typed_only() {
            self.additional = Some(additional);
        }
    }

    /// Writes the property `name` if `value` is set.
    pub(crate) fn write<T: Serialize>(&mut self, name: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            self.write_required(name, value);
        }
    }

    /// Writes the Edm number (or collection of them) `name` if `value` is set: `INF`, `-INF` and
    /// `NaN` as strings, `Edm.Decimal` as the number its text is (see the `edm` module).
    pub(crate) fn write_lenient<T: crate::edm::LenientValue>(
        &mut self,
        name: &'static str,
        value: &Option<T>,
    ) {
        self.numbers.push(name);
        if let Some(value) = value {
            self.write_lenient_required(name, value);
        }
    }

    /// Writes `name` whatever its value (a required action parameter).
    pub(crate) fn write_required<T: Serialize>(&mut self, name: &'static str, value: &T) {
        self.push(name, Written::value(value));
    }

    /// [`Properties::write_required`] for an Edm number whose JSON form varies.
    pub(crate) fn write_lenient_required<T: crate::edm::LenientValue>(
        &mut self,
        name: &'static str,
        value: &T,
    ) {
        self.push(name, value.to_json());
    }

    fn push(&mut self, name: &'static str, value: Result<Written, serde_json::Error>) {
        match value {
            Ok(value) => self.written.push((name, value)),
            Err(error) => {
                if self.error.is_none() {
                    self.error = Some(error);
                }
            }
        }
    }
}

/// One member of a JSON object, offered to each declared property of a struct in turn by
/// [`Structured::read_property`]: the property with the member's name reads it, the others
/// leave it alone; then the struct's additional properties keep what is to be kept.
pub struct Member {
    name: String,
    offer: Offer,
}

/// Whether a [`Member`] is still to be read, what reading it did, or that it was kept.
enum Offer {
    Open(Value),
    Done(Read),
    Kept,
}

impl Member {
    /// The member `name` with its `value`, not read yet.
    pub(crate) fn new(name: String, value: Value) -> Self {
        Member {
            name,
            offer: Offer::Open(value),
        }
    }

    /// Reads the member into `field` if the member is `name`: `None` for `null`.
    pub(crate) fn read<T: DeserializeOwned>(&mut self, name: &str, field: &mut Option<T>) {
        self.read_as(name, field, serde_json::from_value);
    }

    /// Reads the member into a required field (an action parameter that is never null) if the
    /// member is `name`. A `null` leaves the field as it is: the value it has (from `new(..)`
    /// or `Default`) is what is sent.
    pub(crate) fn read_required<T: DeserializeOwned>(&mut self, name: &str, field: &mut T) {
        self.read_required_as(name, field, serde_json::from_value);
    }

    /// [`Member::read_required`] for an Edm number whose JSON form varies.
    pub(crate) fn read_lenient_required<T: crate::edm::LenientValue>(
        &mut self,
        name: &str,
        field: &mut T,
    ) {
        self.read_required_as(name, field, T::from_json);
    }

    fn read_required_as<T>(
        &mut self,
        name: &str,
        field: &mut T,
        convert: fn(Value) -> Result<T, serde_json::Error>,
    ) {
        if self.name != name || matches!(self.offer, Offer::Open(Value::Null)) {
            return;
        }
        let mut read = None;
        self.read_as(name, &mut read, convert);
        if let Some(value) = read {
            *field = value;
        }
    }

    /// [`Member::read`] for an Edm number whose JSON form varies (see `edm::LenientValue`).
    pub(crate) fn read_lenient<T: crate::edm::LenientValue>(
        &mut self,
        name: &str,
        field: &mut Option<T>,
    ) {
        let as_text = match &self.offer {
            Offer::Open(value) if self.name == name && numbers_as_text(value) => {
                Some(value.clone())
            }
            _ => None,
        };
        self.read_as(name, field, T::from_json);
        if let (Some(text), Offer::Done(Read::Set)) = (as_text, &self.offer) {
            self.offer = Offer::Done(Read::SetKeepingForm(text));
        }
    }

    /// Reads the member into `field` with `convert` if the member is `name` and still unread.
    fn read_as<T>(
        &mut self,
        name: &str,
        field: &mut Option<T>,
        convert: fn(Value) -> Result<T, serde_json::Error>,
    ) {
        if self.name != name {
            return;
        }
        self.offer = match std::mem::replace(&mut self.offer, Offer::Done(Read::Set)) {
            Offer::Open(value) => Offer::Done(read_with(value, &mut |value| {
                *field = value.map(convert).transpose()?;
                Ok(())
            })),
            done => done,
        };
    }

    /// Keeps the member in `additional` (the struct's `additional_properties`) if no property
    /// read it, if it was `null`, or if its property could not hold it whole.
    pub(crate) fn keep_unread(&mut self, additional: &mut Fields) {
        let kept = match std::mem::replace(&mut self.offer, Offer::Kept) {
            Offer::Open(value)
            | Offer::Done(Read::KeptWhole(value))
            | Offer::Done(Read::SetKeepingForm(value)) => value,
            Offer::Done(Read::Null) => Value::Null,
            other => {
                self.offer = other;
                return;
            }
        };
        additional.insert(std::mem::take(&mut self.name), kept);
    }

    /// Whether the member was read (or kept): the error of a value that does not fit its
    /// property, which names the property.
    fn finish(self) -> Result<(), String> {
        match self.offer {
            Offer::Done(Read::Invalid(error)) => Err(format!("`{}`: {error}", self.name)),
            _ => Ok(()),
        }
    }
}

/// Whether a JSON value is (or holds) a finite number written as text: `"0.5"`, not the `INF`,
/// `-INF` and `NaN` that an Edm number is always written as.
fn numbers_as_text(value: &Value) -> bool {
    match value {
        Value::String(text) => !matches!(text.as_str(), "INF" | "-INF" | "NaN"),
        Value::Array(items) => items.iter().any(numbers_as_text),
        _ => false,
    }
}

/// Whether `kept` (a number's text form, as it was read) is the form of `written` (the field's
/// value as it is written now): the same number, or the same items. A field changed since it
/// was read is written as it is now.
fn is_form_of(kept: &Value, written: &Value) -> bool {
    match (kept, written) {
        (Value::String(text), Value::Number(number)) => {
            let text = text.trim();
            match (number.as_i64(), number.as_u64()) {
                (Some(int), _) => text.parse::<i64>() == Ok(int),
                (None, Some(int)) => text.parse::<u64>() == Ok(int),
                // An `Edm.Double`, or an `Edm.Single` written as the `f64` it widens to.
                (None, None) => {
                    let number = number.as_f64();
                    text.parse::<f64>().ok() == number
                        || text.parse::<f32>().ok().map(f64::from) == number
                }
            }
        }
        (Value::Array(kept), Value::Array(written)) => {
            kept.len() == written.len()
                && kept
                    .iter()
                    .zip(written)
                    .all(|(kept, written)| is_form_of(kept, written))
        }
        (kept, written) => kept == written,
    }
}

/// What [`Member::read`] and [`Member::read_lenient`] share, kept apart from the field's type
/// so that it is compiled once: `set` reads a value into the field (`Some`), or clears it (`None`); a value it
/// cannot read leaves the field as it was.
fn read_with(
    value: Value,
    set: &mut dyn FnMut(Option<Value>) -> Result<(), serde_json::Error>,
) -> Read {
    if value.is_null() {
        return match set(None) {
            Ok(()) => Read::Null,
            Err(error) => Read::Invalid(error),
        };
    }
    let has_null_items = value
        .as_array()
        .is_some_and(|items| items.iter().any(Value::is_null));
    if !has_null_items {
        return match set(Some(value)) {
            Ok(()) => Read::Set,
            Err(error) => Read::Invalid(error),
        };
    }
    // A collection with `null` items: the field's type may hold them (`serde_json::Value`);
    // if not, the other items must still be right, and the value is kept whole.
    if set(Some(value.clone())).is_ok() {
        return Read::Set;
    }
    let mut without_nulls = value.clone();
    if let Value::Array(items) = &mut without_nulls {
        items.retain(|item| !item.is_null());
    }
    match set(Some(without_nulls)).and_then(|()| set(None)) {
        Ok(()) => Read::KeptWhole(value),
        Err(error) => Read::Invalid(error),
    }
}

/// Writes a model struct: its set properties, then the additional ones that no set property
/// shadows.
pub(crate) fn serialize<T: Structured, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    write_object(value, None, serializer)
}

/// Writes a model struct that is a union's variant: as [`serialize`], with `@odata.type` set
/// to `tag` when the value keeps none of its own. `tag` is `Some` where the slot needs one for
/// the value to be read back right (a derived type in a base type's slot, any value in an
/// abstract type's slot) and `None` for a concrete base's value. A base's value read with an
/// `@odata.type` keeps it in `additional_properties` (`polymorphic::from_fields`), so every
/// value is written back with the tag it was read with (a derived type's with its `#`), or
/// none.
pub(crate) fn serialize_tagged<T: Structured, S: Serializer>(
    value: &T,
    tag: Option<&str>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    write_object(value, tag, serializer)
}

/// [`serialize`] and [`serialize_tagged`] for any struct, compiled once per serializer.
fn write_object<S: Serializer>(
    value: &dyn Structured,
    tag: Option<&str>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut properties = Properties::default();
    value.write_properties(&mut properties);
    if let Some(error) = properties.error {
        return Err(S::Error::custom(error));
    }
    let written = &properties.written;
    // A kept `null` (or any kept value) for a property that is set now is not written: the set
    // property wins. Control information (`@odata.etag`) never names a property.
    let shadowed = |name: &str| !name.contains('@') && written.iter().any(|(n, _)| *n == name);
    let none = Fields::new();
    let additional = properties.additional.unwrap_or(&none);
    let mut map = serializer.serialize_map(None)?;
    // The object's own control information (`@odata.type`, `@odata.etag`, ...) comes first, as
    // OData's JSON format asks; property annotations (`name@odata.type`) stay with the rest.
    if let Some(tag) = tag.filter(|_| !additional.contains_key(ODATA_TYPE)) {
        map.serialize_entry(ODATA_TYPE, tag)?;
    }
    for (name, value) in additional {
        if name.starts_with('@') {
            map.serialize_entry(name, value)?;
        }
    }
    for (name, value) in written {
        // A number the service wrote as text is written back as text, while it is unchanged
        // (an `Edm.Decimal` is written as its digits: the same digits in quotes).
        let form = additional.get(*name).filter(|kept| {
            numbers_as_text(kept)
                && match value {
                    Written::Value(number) => is_form_of(kept, number),
                    Written::Text(digits) => kept.as_str().map(str::trim) == Some(digits.get()),
                }
        });
        match form {
            Some(form) => map.serialize_entry(name, form)?,
            None => map.serialize_entry(name, value)?,
        }
    }
    // A kept text form of a number property goes only in place of its value: when the field is
    // unset, so is the property.
    let kept_form =
        |name: &str, value: &Value| numbers_as_text(value) && properties.numbers.contains(&name);
    for (name, value) in additional {
        if !name.starts_with('@') && !shadowed(name) && !kept_form(name, value) {
            map.serialize_entry(name, value)?;
        }
    }
    map.end()
}

/// Reads a model struct from a JSON object (see the module's documentation).
pub(crate) fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: Structured + Default,
    D: Deserializer<'de>,
{
    let fields = Fields::deserialize(deserializer)?;
    let mut value = T::default();
    read_fields(&mut value, fields).map_err(D::Error::custom)?;
    Ok(value)
}

/// Reads every field of a JSON object into a struct.
fn read_fields(value: &mut dyn Structured, fields: Fields) -> Result<(), String> {
    for (name, field) in fields {
        let mut member = Member::new(name, field);
        value.read_property(&mut member);
        member.finish()?;
    }
    Ok(())
}

/// Clears the declared property `property` (its name on the wire) and keeps a `null` for it,
/// so that it is sent as `null`. A property the struct does not declare is only sent as `null`.
fn set_null(value: &mut dyn Structured, property: &str) {
    // Reading `null` clears a declared field and keeps the `null`; any other name only keeps
    // it.
    value.read_property(&mut Member::new(property.to_string(), Value::Null));
}

#[cfg(all(test, msgraph_runtime))]
mod tests {
    use super::*;

    /// A model struct as the generator writes it.
    #[derive(Clone, Debug, Default, PartialEq)]
    struct Labels {
        tags: Option<Vec<String>>,
        display_name: Option<String>,
        weight: Option<f64>,
        additional_properties: Fields,
    }

    impl Structured for Labels {
        fn write_properties<'a>(&'a self, out: &mut Properties<'a>) {
            out.write("tags", &self.tags);
            out.write("displayName", &self.display_name);
            out.write_lenient("weight", &self.weight);
            out.keep(&self.additional_properties);
        }

        fn read_property(&mut self, member: &mut Member) {
            member.read("tags", &mut self.tags);
            member.read("displayName", &mut self.display_name);
            member.read_lenient("weight", &mut self.weight);
            member.keep_unread(&mut self.additional_properties);
        }
    }

    crate::macros::structured!(Labels);

    fn read_json(json: &str) -> Result<Labels, serde_json::Error> {
        serde_json::from_str(json)
    }

    fn written(value: &Labels) -> String {
        serde_json::to_string(value).unwrap()
    }

    #[test]
    fn a_number_written_as_text_is_written_back_as_text_until_it_changes() {
        let answer = serde_json::json!({"displayName": "x", "weight": "0.1580"});
        let mut value = Labels::from_json(answer.clone()).unwrap();
        assert_eq!(value.weight, Some(0.158));
        assert_eq!(serde_json::to_value(&value).unwrap(), answer);
        // What the crate typed is the number.
        assert_eq!(
            typed_json(&value).unwrap(),
            serde_json::json!({"displayName": "x", "weight": 0.158})
        );
        // Changed, it is written as the number it is now.
        value.weight = Some(2.5);
        assert_eq!(
            serde_json::to_value(&value).unwrap(),
            serde_json::json!({"displayName": "x", "weight": 2.5})
        );
        // Cleared, it is not written at all (the kept text is no value of its own).
        value.weight = None;
        assert_eq!(
            serde_json::to_value(&value).unwrap(),
            serde_json::json!({"displayName": "x"})
        );
        // `INF` is always text; a plain number stays a number.
        for json in [
            serde_json::json!({"weight": "INF"}),
            serde_json::json!({"weight": 0.25}),
        ] {
            let value = Labels::from_json(json.clone()).unwrap();
            assert_eq!(serde_json::to_value(&value).unwrap(), json);
            assert!(value.additional_properties.is_empty());
        }
    }

    #[test]
    fn typed_json_keeps_only_what_the_types_hold() {
        let answer = serde_json::json!({
            "@odata.etag": "W/1",
            "displayName": "x",
            "tags": ["a", null],
            "propertyFromTheFuture": 1,
        });
        let value = Labels::from_json(answer.clone()).unwrap();
        // Written back whole; typed, only the declared property whose value fits its field.
        assert_eq!(serde_json::to_value(&value).unwrap(), answer);
        assert_eq!(
            typed_json(&value).unwrap(),
            serde_json::json!({"displayName": "x"})
        );
        // The same in a page, whose own undeclared members are left out too.
        let page: crate::Page<Labels> = serde_json::from_value(serde_json::json!({
            "@odata.context": "c",
            "value": [answer],
            "@microsoft.graph.tips": "t",
            "extra": true,
        }))
        .unwrap();
        assert_eq!(
            typed_json(&page).unwrap(),
            serde_json::json!({"@odata.context": "c", "value": [{"displayName": "x"}]})
        );
        // Afterwards, values are written whole again.
        assert_eq!(serde_json::to_value(&value).unwrap(), answer);
    }

    #[test]
    fn set_properties_are_written_in_declaration_order_and_none_is_left_out() {
        let value = Labels {
            tags: Some(vec!["a".into()]),
            display_name: Some("Name".into()),
            ..Default::default()
        };
        assert_eq!(written(&value), r#"{"tags":["a"],"displayName":"Name"}"#);
        assert_eq!(written(&Labels::default()), "{}");
    }

    #[test]
    fn from_json_reads_as_a_response_is_read_and_refuses_what_is_not_an_object() {
        let json = serde_json::json!({"displayName": "x", "weight": "INF", "extra": null});
        let value = Labels::from_json(json.clone()).unwrap();
        assert_eq!(value.display_name.as_deref(), Some("x"));
        assert_eq!(value.weight, Some(f64::INFINITY));
        assert_eq!(value, read_json(&json.to_string()).unwrap());
        assert_eq!(serde_json::to_value(&value).unwrap(), json);
        let wrong = Labels::from_json(serde_json::json!({"tags": "not a list"})).unwrap_err();
        assert!(wrong.to_string().contains("tags"), "{wrong}");
        assert!(Labels::from_json(serde_json::json!([1])).is_err());
    }

    /// An action body as the generator writes it: a required parameter and an optional one.
    #[derive(Clone, Debug, PartialEq)]
    struct Answer {
        callback_uri: String,
        capacity: Option<i32>,
        additional_properties: Fields,
    }

    impl Structured for Answer {
        fn write_properties<'a>(&'a self, out: &mut Properties<'a>) {
            out.write_required("callbackUri", &self.callback_uri);
            out.write("capacity", &self.capacity);
            out.keep(&self.additional_properties);
        }

        fn read_property(&mut self, member: &mut Member) {
            member.read_required("callbackUri", &mut self.callback_uri);
            member.read("capacity", &mut self.capacity);
            member.keep_unread(&mut self.additional_properties);
        }
    }

    crate::macros::serialize_object!(Answer);

    #[test]
    fn read_json_reads_required_parameters_into_a_body_built_with_new() {
        let new = Answer {
            callback_uri: String::new(),
            capacity: None,
            additional_properties: Fields::new(),
        };
        let json = serde_json::json!({"callbackUri": "https://x", "capacity": 2, "other": true});
        let body = new.clone().read_json(json.clone()).unwrap();
        assert_eq!(body.callback_uri, "https://x");
        assert_eq!(body.capacity, Some(2));
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json,
            "each member once"
        );
        let wrong = new
            .read_json(serde_json::json!({"callbackUri": 1}))
            .unwrap_err();
        assert!(wrong.to_string().contains("callbackUri"), "{wrong}");
    }

    #[test]
    fn undeclared_properties_and_control_information_round_trip() {
        let json = r#"{"@odata.etag":"W/1","displayName":"x","extra":{"a":[1,2]}}"#;
        let value = read_json(json).unwrap();
        assert_eq!(value.display_name.as_deref(), Some("x"));
        assert_eq!(value.additional_properties.len(), 2);
        assert_eq!(
            written(&value),
            r#"{"@odata.etag":"W/1","displayName":"x","extra":{"a":[1,2]}}"#,
            "control information first"
        );
    }

    #[test]
    fn a_union_variant_is_written_with_the_tag_it_was_read_with_or_the_one_its_slot_needs() {
        let tagged = |value: &Labels, tag: Option<&str>| {
            let mut out = Vec::new();
            serialize_tagged(value, tag, &mut serde_json::Serializer::new(&mut out)).unwrap();
            String::from_utf8(out).unwrap()
        };
        let built = Labels {
            display_name: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(tagged(&built, None), r#"{"displayName":"x"}"#);
        assert_eq!(
            tagged(&built, Some("#ns.labels")),
            r##"{"@odata.type":"#ns.labels","displayName":"x"}"##
        );
        // Read with a tag (here without `#`): that tag, written back first and exactly.
        let read = read_json(r#"{"displayName":"x","@odata.type":"ns.labels"}"#).unwrap();
        for tag in [None, Some("#ns.labels")] {
            assert_eq!(
                tagged(&read, tag),
                r#"{"@odata.type":"ns.labels","displayName":"x"}"#
            );
        }
        // A property annotation stays beside the properties.
        let read = read_json(r#"{"tags@odata.type":"Collection(String)","tags":[]}"#).unwrap();
        assert_eq!(
            written(&read),
            r#"{"tags":[],"tags@odata.type":"Collection(String)"}"#
        );
    }

    #[test]
    fn an_explicit_null_is_kept_and_written_back() {
        let value = read_json(r#"{"displayName":null}"#).unwrap();
        assert_eq!(value.display_name, None);
        assert_eq!(
            value.additional_properties.get("displayName"),
            Some(&Value::Null)
        );
        assert_eq!(written(&value), r#"{"displayName":null}"#);
    }

    #[test]
    fn a_property_set_after_a_kept_null_wins() {
        let mut value = read_json(r#"{"displayName":null}"#).unwrap();
        value.display_name = Some("now".into());
        assert_eq!(written(&value), r#"{"displayName":"now"}"#);
    }

    #[test]
    fn set_null_clears_the_field_and_sends_null() {
        let mut value = Labels {
            display_name: Some("x".into()),
            tags: Some(vec![]),
            ..Default::default()
        };
        value.set_null("displayName");
        assert_eq!(value.display_name, None);
        assert_eq!(written(&value), r#"{"tags":[],"displayName":null}"#);
        value.set_null("notDeclared");
        assert_eq!(
            written(&value),
            r#"{"tags":[],"displayName":null,"notDeclared":null}"#
        );
    }

    #[test]
    fn a_collection_with_null_items_is_kept_whole_when_its_other_items_are_right() {
        let value = read_json(r#"{"tags":["a",null]}"#).unwrap();
        assert_eq!(value.tags, None);
        assert_eq!(written(&value), r#"{"tags":["a",null]}"#);
        let error = read_json(r#"{"tags":[1,null]}"#).unwrap_err();
        assert!(error.to_string().contains("`tags`"), "{error}");
    }

    #[test]
    fn a_value_of_the_wrong_type_is_an_error_that_names_the_property() {
        let error = read_json(r#"{"displayName":5}"#).unwrap_err();
        assert!(
            error.to_string().starts_with("`displayName`: invalid type"),
            "{error}"
        );
        assert!(read_json("[]").is_err());
    }

    #[test]
    fn edm_numbers_are_read_and_written_in_their_lenient_forms() {
        let value = read_json(r#"{"weight":"INF"}"#).unwrap();
        assert_eq!(value.weight, Some(f64::INFINITY));
        assert_eq!(written(&value), r#"{"weight":"INF"}"#);
        // A number written as text is read, and written back as it came.
        let value = read_json(r#"{"weight":"2.5"}"#).unwrap();
        assert_eq!(value.weight, Some(2.5));
        assert_eq!(written(&value), r#"{"weight":"2.5"}"#);
    }
}
