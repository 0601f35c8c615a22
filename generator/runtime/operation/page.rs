//! One page of a collection: its items, links and count, read and written back whole.

use super::*;

/// One page of a collection.
///
/// When [`Page::next_link`] is set, more items follow at that URL. Members of the answer that
/// this type does not name (such as `@microsoft.graph.tips`) are kept in
/// [`Page::additional_properties`], so a page read and written back loses nothing.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub value: Vec<T>,
    /// The URL of the next page, if there is one (`@odata.nextLink`).
    pub next_link: Option<String>,
    /// The link that asks for later changes, on the last page of a delta round
    /// (`@odata.deltaLink`): store it and resume from it (see the `delta` module).
    pub delta_link: Option<crate::delta::DeltaLink>,
    /// The number of items in the whole collection, when it was asked for
    /// (`@odata.count`).
    pub count: Option<i64>,
    /// The URL of the metadata that describes the payload (`@odata.context`).
    pub context: Option<String>,
    /// The answer's other members, as received.
    pub additional_properties: serde_json::Map<String, serde_json::Value>,
}

/// An empty page without links. Written by hand so that `T` needs no `Default`.
impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            value: Vec::new(),
            next_link: None,
            delta_link: None,
            count: None,
            context: None,
            additional_properties: serde_json::Map::new(),
        }
    }
}

/// The control information a [`Page`] names, as written on the wire.
const CONTEXT: &str = "@odata.context";
const COUNT: &str = "@odata.count";
const NEXT_LINK: &str = "@odata.nextLink";
const DELTA_LINK: &str = "@odata.deltaLink";

/// Control information first (the context, the count, the links, then any other), then the
/// items, then the other members; `None` is not written.
impl<T: Serialize> Serialize for Page<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        if let Some(context) = &self.context {
            map.serialize_entry(CONTEXT, context)?;
        }
        if let Some(count) = &self.count {
            map.serialize_entry(COUNT, count)?;
        }
        if let Some(link) = &self.next_link {
            map.serialize_entry(NEXT_LINK, link)?;
        }
        if let Some(link) = &self.delta_link {
            map.serialize_entry(DELTA_LINK, link)?;
        }
        let control = |name: &String| name.starts_with('@');
        // `typed_json` writes only what the page declares.
        let none = serde_json::Map::new();
        let additional = if crate::structured::typed_only() {
            &none
        } else {
            &self.additional_properties
        };
        for (name, value) in additional.iter().filter(|(n, _)| control(n)) {
            map.serialize_entry(name, value)?;
        }
        map.serialize_entry("value", &self.value)?;
        for (name, value) in additional.iter().filter(|(n, _)| !control(n)) {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Reads the members in one pass; `value` is required.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PageVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for PageVisitor<T> {
            type Value = Page<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a page of a collection: a JSON object with `value`")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Page<T>, A::Error> {
                let mut page = Page::default();
                let mut value = None;
                while let Some(name) = map.next_key::<String>()? {
                    match name.as_str() {
                        "value" => value = Some(map.next_value()?),
                        CONTEXT => page.context = map.next_value()?,
                        COUNT => page.count = map.next_value()?,
                        NEXT_LINK => page.next_link = map.next_value()?,
                        DELTA_LINK => page.delta_link = map.next_value()?,
                        _ => {
                            let member = map.next_value()?;
                            page.additional_properties.insert(name, member);
                        }
                    }
                }
                page.value = value.ok_or_else(|| serde::de::Error::missing_field("value"))?;
                Ok(page)
            }
        }

        deserializer.deserialize_map(PageVisitor(PhantomData))
    }
}
