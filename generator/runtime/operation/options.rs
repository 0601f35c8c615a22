//! Query options and headers: everything an operation can carry besides its path and body.

use super::*;

/// The order of an `$orderby` property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Smallest first (`asc`).
    Ascending,
    /// Largest first (`desc`).
    Descending,
}

impl Direction {
    /// One term of `$orderby`: `property asc` or `property desc`.
    pub(crate) fn term(self, property: &str) -> String {
        match self {
            Direction::Ascending => format!("{property} asc"),
            Direction::Descending => format!("{property} desc"),
        }
    }
}

/// A type whose properties can be named in `$select` and `$orderby`: generated for every entity
/// type, so that a misspelt property does not compile.
pub trait Selectable {
    /// The enum of the type's properties.
    type Property: Copy + AsRef<str>;
}

impl<T: Selectable> Selectable for Page<T> {
    type Property = T::Property;
}

impl<T: Selectable> Selectable for Vec<T> {
    type Property = T::Property;
}

/// Query options and headers: everything an [`Operation`] can carry besides its path and body.
impl<T> Operation<T> {
    /// Sets a query option (`name=value`), replacing an earlier value of the same option.
    /// The name and value are percent-encoded when the request is built.
    pub fn query(mut self, name: &str, value: &str) -> Self {
        match self.parts.query.iter_mut().find(|(n, _)| n == name) {
            Some(option) => option.1 = value.to_string(),
            None => self.parts.query.push((name.to_string(), value.to_string())),
        }
        self
    }

    /// `$filter`: only the items the OData expression accepts: a typed
    /// [`Filter`](crate::query::Filter) built from the models' property constants
    /// (`User::DISPLAY_NAME.starts_with("Contoso")`), or the raw text
    /// (`"startswith(displayName,'Contoso')"`).
    pub fn filter(self, expression: impl Into<crate::query::Filter>) -> Self {
        self.query("$filter", expression.into().as_str())
    }

    /// `$search`: only the items that match a search text (Graph expects it in double quotes,
    /// such as `"displayName:Contoso"`). On directory objects (users, groups, ...), which Graph
    /// searches only with `ConsistencyLevel: eventual`, that header is sent too.
    pub fn search(self, text: &str) -> Self {
        self.query("$search", text).eventual_if_needed()
    }

    /// `$top`: at most `count` items per page.
    pub fn top(self, count: u32) -> Self {
        self.query("$top", &count.to_string())
    }

    /// `$skip`: leave out the first `count` items.
    pub fn skip(self, count: u32) -> Self {
        self.query("$skip", &count.to_string())
    }

    /// `$count`: include the total number of items (`@odata.count`) in the answer. On
    /// directory objects (users, groups, ...), which Graph counts only with
    /// `ConsistencyLevel: eventual`, `count(true)` sends that header too.
    pub fn count(self, include: bool) -> Self {
        let counted = self.query("$count", if include { "true" } else { "false" });
        if include {
            counted.eventual_if_needed()
        } else {
            counted
        }
    }

    /// `$expand`: include these navigation properties, after any an earlier `expand` named:
    /// typed [`Expand`](crate::query::Expand)s (`Group::MEMBERS.expand().select([..])`, with
    /// their own `$select`, `$filter`, `$top` and `$orderby`; one call each, as their types
    /// differ), or text in OData syntax (`"members($select=id)"`).
    pub fn expand<I, S>(self, navigation: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: crate::query::ExpandItem,
    {
        let mut items: Vec<String> = self
            .parts
            .query
            .iter()
            .find(|(name, _)| name == "$expand")
            .map(|(_, existing)| vec![existing.clone()])
            .unwrap_or_default();
        items.extend(navigation.into_iter().map(|item| item.expand_text()));
        items.retain(|item| !item.is_empty());
        if items.is_empty() {
            return self;
        }
        self.query("$expand", &items.join(","))
    }

    /// Sets a request header, replacing an earlier value of it and the default (`Accept`,
    /// `Content-Type`). An invalid name or value makes [`Operation::to_http_request`] fail with
    /// [`Error::InvalidHeader`].
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let parsed = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        );
        match parsed {
            (Ok(name), Ok(value)) => {
                self.parts.headers.insert(name, value);
            }
            (Err(error), _) => {
                self.parts.invalid_header = Some((name.to_string(), error.to_string()))
            }
            (_, Err(error)) => {
                self.parts.invalid_header = Some((name.to_string(), error.to_string()))
            }
        }
        self
    }

    /// `If-Match`: only act if the entity still has this `@odata.etag` (or `*`).
    pub fn if_match(self, etag: &str) -> Self {
        self.header("if-match", etag)
    }

    /// Adds a preference to the `Prefer` header, such as `return=minimal`,
    /// `return=representation` or `include-unknown-enum-members`.
    pub fn prefer(mut self, preference: &str) -> Self {
        let combined = match self
            .parts
            .headers
            .remove(http::header::HeaderName::from_static("prefer"))
        {
            Some(existing) => format!("{}, {preference}", existing.to_str().unwrap_or_default()),
            None => preference.to_string(),
        };
        self.header("prefer", &combined)
    }

    /// `ConsistencyLevel: eventual`, which Graph needs for advanced queries (`$count`,
    /// `$search`, some `$filter`s) on directory objects.
    pub fn consistency_level_eventual(self) -> Self {
        self.header("consistencylevel", "eventual")
    }

    /// `client-request-id`: an id of your choice that Graph echoes back, to correlate logs.
    pub fn client_request_id(self, id: &str) -> Self {
        self.header("client-request-id", id)
    }

    /// The query options set so far, unencoded, in order.
    pub fn query_options(&self) -> &[(String, String)] {
        &self.parts.query
    }
}

impl<T: Selectable> Operation<T> {
    /// `$select`: only these properties. A property the type does not have does not compile.
    pub fn select(self, properties: impl IntoIterator<Item = T::Property>) -> Self {
        let properties: Vec<T::Property> = properties.into_iter().collect();
        if properties.is_empty() {
            // `$select=` with nothing is an error for the service: select everything instead.
            let mut operation = self;
            operation.parts.query.retain(|(name, _)| name != "$select");
            return operation;
        }
        let names: Vec<&str> = properties.iter().map(AsRef::as_ref).collect();
        let value = names.join(",");
        self.query("$select", &value)
    }

    /// `$orderby`: sorts by `property`, after any property given earlier.
    pub fn order_by(self, property: T::Property, direction: Direction) -> Self {
        let term = direction.term(property.as_ref());
        let value = match self.parts.query.iter().find(|(n, _)| n == "$orderby") {
            Some((_, existing)) => format!("{existing},{term}"),
            None => term,
        };
        self.query("$orderby", &value)
    }
}
