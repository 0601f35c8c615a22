//! Delta queries: the changes to a collection since a stored point, read in rounds.
//!
//! A round is the first request ([`DeltaRequest::changes`], every entity, or
//! [`DeltaRequest::resume`] from a stored [`DeltaLink`]), then the pages its
//! `@odata.nextLink`s lead to ([`Operation::next_page`]), until a page that ends the round with
//! an `@odata.deltaLink` ([`Page::delta_link`]). Store that link (it is a string on the wire and
//! in serde) and resume from it later: the next round gives what changed since. Each entry is a
//! [`Change`]: an entity added or changed, or one removed (`@removed`) with the reason. The
//! transport's `Client::delta_round` reads a whole round.
//!
//! Microsoft Graph exposes delta queries as functions named `delta` bound to a collection (or an
//! entity, such as a drive's root) that return a collection of the entity type: the generator
//! gives each of them a [`DeltaRequest`].

use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::Error;
use crate::operation::{Operation, Page, ResponseShape, is_inside};
use crate::path::{Builder, ResourcePath};

/// Where a delta round ended and the next one starts: the `@odata.deltaLink` of the round's last
/// page, exactly as the service wrote it (its `$deltatoken` included). Written and read by serde
/// as the plain string, so it can be stored anywhere; [`DeltaRequest::resume`] starts the next
/// round from it (and [`DeltaRequest::resume_token`] from its [`token`](DeltaLink::token)
/// alone).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DeltaLink {
    link: String,
    /// The link's token, percent-decoded (read once, when the link is made).
    token: Option<String>,
}

impl DeltaLink {
    /// A stored link, to resume from.
    pub fn new(link: impl Into<String>) -> Self {
        let link = link.into();
        let token = token_of(&link);
        DeltaLink { link, token }
    }

    /// The link, as the service wrote it.
    pub fn as_str(&self) -> &str {
        &self.link
    }

    /// The value of the link's `$deltatoken`, `$skiptoken` or (OneDrive's) `token` query
    /// option, percent-decoded (`t%3D1` in the link is `t=1`; a `+` stays a `+`, and bytes that
    /// are not UTF-8 once decoded become U+FFFD): what identifies the point the round ended at,
    /// to store on its own and resume from with [`DeltaRequest::resume_token`], which encodes it
    /// again. `None` for a token written in the path (`delta(token='...')`).
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }
}

/// The decoded value of the token option of `link`'s query (see [`DeltaLink::token`]).
fn token_of(link: &str) -> Option<String> {
    let (_, query) = link.split_once('?')?;
    let query = query.split('#').next().unwrap_or_default();
    let value = query.split('&').find_map(|option| {
        let (name, value) = option.split_once('=')?;
        matches!(
            name,
            "$deltatoken" | "%24deltatoken" | "$skiptoken" | "%24skiptoken" | "token"
        )
        .then_some(value)
    })?;
    let decoded = crate::operation::percent_decoded(value.as_bytes());
    Some(match String::from_utf8(decoded) {
        Ok(token) => token,
        Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
    })
}

impl fmt::Debug for DeltaLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DeltaLink").field(&self.link).finish()
    }
}

/// The link as a plain string.
impl Serialize for DeltaLink {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.link)
    }
}

/// A link stored as a plain string.
impl<'de> Deserialize<'de> for DeltaLink {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(DeltaLink::new)
    }
}

impl fmt::Display for DeltaLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.link)
    }
}

impl From<String> for DeltaLink {
    fn from(link: String) -> Self {
        DeltaLink::new(link)
    }
}

/// Why an entity left the collection (`@removed`'s `reason`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RemovedReason {
    /// `changed`: the entity left the collection but may still exist (it was moved out of
    /// it, soft-deleted, or no longer matches); it can come back in a later round.
    Changed,
    /// `deleted`: the entity was deleted for good.
    Deleted,
    /// A reason this crate does not know, as the service wrote it (or `""` for none).
    Other(String),
}

impl RemovedReason {
    /// The reason as written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            RemovedReason::Changed => "changed",
            RemovedReason::Deleted => "deleted",
            RemovedReason::Other(reason) => reason,
        }
    }

    fn from_wire(reason: &str) -> Self {
        match reason {
            "changed" => RemovedReason::Changed,
            "deleted" => RemovedReason::Deleted,
            other => RemovedReason::Other(other.to_string()),
        }
    }
}

/// One entry of a delta page.
///
/// Read from the entity's JSON: an object with an `@removed` member (OData 4.01's deleted
/// entity, as Graph writes it, or `@odata.removed` with the prefix 4.01 allows) is
/// [`Change::Removed`], any other [`Change::Changed`]. (OData 4.0's `$deletedEntity` form, an
/// `@odata.context` and a top-level `reason`, is not recognized.) Either way the
/// entity is read as `T` and keeps every member it was read with, `@removed` included, so it is
/// written back exactly as it came.
#[derive(Debug, Clone, PartialEq)]
pub enum Change<T> {
    /// An entity added or changed since the last round: the properties that changed (or,
    /// in the first round, every selected property).
    Changed(T),
    /// An entity removed from the collection; often only its key is set.
    Removed {
        /// Why it left.
        reason: RemovedReason,
        /// What the service sent of it.
        entity: T,
    },
}

impl<T> Change<T> {
    /// The entity, changed or removed.
    pub fn entity(&self) -> &T {
        match self {
            Change::Changed(entity) | Change::Removed { entity, .. } => entity,
        }
    }

    /// The entity, changed or removed.
    pub fn into_entity(self) -> T {
        match self {
            Change::Changed(entity) | Change::Removed { entity, .. } => entity,
        }
    }

    /// Why the entity was removed, if it was.
    pub fn removed(&self) -> Option<&RemovedReason> {
        match self {
            Change::Changed(_) => None,
            Change::Removed { reason, .. } => Some(reason),
        }
    }
}

/// The members that mark a removed entity (OData 4.01, without and with the `odata.` prefix).
const REMOVED: [&str; 2] = ["@removed", "@odata.removed"];

impl<'de, T: DeserializeOwned> Deserialize<'de> for Change<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let reason = value.as_object().and_then(|fields| {
            let removed = REMOVED.iter().find_map(|name| fields.get(*name))?;
            let reason = removed
                .get("reason")
                .and_then(Value::as_str)
                .unwrap_or_default();
            Some(RemovedReason::from_wire(reason))
        });
        let entity = T::deserialize(value).map_err(serde::de::Error::custom)?;
        Ok(match reason {
            Some(reason) => Change::Removed { reason, entity },
            None => Change::Changed(entity),
        })
    }
}

/// A delta operation selects the entity's properties: `.select([UserProperty::DisplayName])`.
impl<T: crate::Selectable> crate::Selectable for Change<T> {
    type Property = T::Property;
}

/// Written as the entity, which keeps the `@removed` it was read with. (A [`Change::Removed`]
/// built in code is written as its entity alone.)
impl<T: Serialize> Serialize for Change<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.entity().serialize(serializer)
    }
}

/// A whole round of a delta query, as the transport's `Client::delta_round` reads it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DeltaRound<T> {
    /// The changes of every page, in order.
    pub changes: Vec<Change<T>>,
    /// Where the next round starts: store it and resume from it.
    pub link: DeltaLink,
}

/// A delta function of a collection of `T` (Microsoft Graph's `delta`): the requests that start
/// a round of changes.
pub struct DeltaRequest<T> {
    path: ResourcePath,
    entity: PhantomData<fn() -> T>,
}

impl<T> DeltaRequest<T> {
    /// The function's URL.
    pub fn path(&self) -> &ResourcePath {
        &self.path
    }

    /// The first round: every entity of the collection as a change, page by page, the last
    /// page with the [`DeltaLink`] to resume from. Query options (`$select`, `$filter`, ...) and
    /// headers (`Prefer: return=minimal`) set on it are carried onto its next pages; the
    /// service keeps them in the links it gives.
    pub fn changes(&self) -> Operation<Page<Change<T>>> {
        Operation::new(http::Method::GET, self.path.clone(), ResponseShape::Json)
    }

    /// A round from a stored link: the changes since the round that gave it. The link is sent
    /// exactly as stored (its query is the service's: a query option set on the returned
    /// operation makes it fail with [`Error::QueryOnLink`]); headers set on it are sent with it
    /// and its next pages.
    ///
    /// The link's path is compared with this function's the way the service reads paths: each
    /// segment percent-decoded, names without regard to ASCII case (keys exactly: ids may differ
    /// in case alone), and `delta` the same as `delta()`. So links as Graph writes them are taken, such as `.../me/mailfolders/delta`
    /// for `mailFolders`, a channel key with a raw `19:abc@thread.tacv2` or a key ending in a
    /// raw `==`, where this crate writes `%3A`, `%40` and `%3D`. A link of another delta
    /// function (another path, or another key), or outside the service root this request
    /// belongs to (compared as written, as next links are), is refused with
    /// [`Error::ForeignDeltaLink`]: its changes would be read as `T`, or the request would carry
    /// the caller's credentials elsewhere.
    pub fn resume(&self, link: &DeltaLink) -> Result<Operation<Page<Change<T>>>, Error> {
        let foreign = || Error::ForeignDeltaLink {
            link: link.as_str().to_string(),
            delta: self.path.to_url().unwrap_or_else(|_| self.path.template()),
        };
        let function = self.path.to_url().map_err(|_| foreign())?;
        let root = self.path.base_url();
        if !is_inside(link.as_str(), root) {
            return Err(foreign());
        }
        // The link's path is the function's, before its query.
        let path = link.as_str().split(['?', '#']).next().unwrap_or_default();
        let same = match (path.strip_prefix(root), function.strip_prefix(root)) {
            (Some(path), Some(function)) => same_path(path, function, &self.path.template()),
            _ => false,
        };
        if !same {
            return Err(foreign());
        }
        self.changes()
            .following_link(link.as_str())
            .ok_or_else(foreign)
    }

    /// A round from a stored token alone (what [`DeltaLink::token`] gives, decoded): the request
    /// [`resume`](DeltaRequest::resume) makes of this function's URL with
    /// `?$deltatoken=` and the token, percent-encoded once (every byte but `A-Z a-z 0-9 - . _ ~`
    /// as `%XX`). For a link whose token is a `$skiptoken` or OneDrive's `token`, resume from
    /// the whole link.
    ///
    /// # Errors
    ///
    /// The errors of [`ResourcePath::to_url`] for this function's path.
    pub fn resume_token(&self, token: &str) -> Result<Operation<Page<Change<T>>>, Error> {
        let mut link = self.path.to_url()?;
        link.push_str("?$deltatoken=");
        crate::path::push_encoded(&mut link, token, |_| false);
        self.resume(&DeltaLink::new(link))
    }
}

/// Whether two paths below the service root (`/me/mailFolders/delta()`) name the same resource
/// for the service: every segment percent-decoded once, names compared without regard to ASCII
/// case and keys (`{key}` in the function's `template`) exactly, and the function's `()`
/// optional.
fn same_path(link: &str, function: &str, template: &str) -> bool {
    // Keys are compared as they are: ids may differ in case alone (base64).
    let keys: Vec<bool> = template
        .split('/')
        .map(|segment| segment == "{key}")
        .collect();
    let segments = |path: &str| -> Vec<Vec<u8>> {
        let mut segments: Vec<Vec<u8>> = path
            .split('/')
            .enumerate()
            .map(|(index, segment)| {
                let mut decoded = crate::operation::percent_decoded(segment.as_bytes());
                if !keys.get(index).copied().unwrap_or(false) {
                    decoded.make_ascii_lowercase();
                }
                decoded
            })
            .collect();
        if let Some(last) = segments.last_mut() {
            if last.ends_with(b"()") {
                last.truncate(last.len() - 2);
            }
        }
        segments
    };
    segments(link) == segments(function)
}

impl<T> Builder for DeltaRequest<T> {
    fn at(path: ResourcePath, _name: &'static str) -> Self {
        DeltaRequest {
            path,
            entity: PhantomData,
        }
    }
}

crate::builder::path_builder_impls!(DeltaRequest);

#[cfg(all(test, msgraph_runtime))]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Item {
        id: String,
        #[serde(rename = "displayName", skip_serializing_if = "Option::is_none")]
        display_name: Option<String>,
        #[serde(flatten)]
        rest: serde_json::Map<String, Value>,
    }

    fn users_delta() -> DeltaRequest<Item> {
        DeltaRequest::at(
            ResourcePath::new(Arc::from("https://graph.microsoft.com/v1.0"))
                .segment("users")
                .function_call("delta", None),
            "delta",
        )
    }

    #[test]
    fn a_round_starts_with_the_function_and_carries_its_headers_onto_next_pages() {
        let first = users_delta()
            .changes()
            .query("$select", "displayName")
            .prefer("return=minimal");
        let request = first.to_http_request().unwrap();
        assert_eq!(request.method(), "GET");
        assert_eq!(
            request.uri(),
            "https://graph.microsoft.com/v1.0/users/delta()?$select=displayName"
        );
        let page: Page<Change<Item>> = serde_json::from_str(
            r#"{"@odata.nextLink":"https://graph.microsoft.com/v1.0/users/delta()?$skiptoken=a%2Bb","value":[{"id":"1","displayName":"Ada"}]}"#,
        )
        .unwrap();
        assert_eq!(page.delta_link, None);
        let next = first.next_page(&page).unwrap().unwrap();
        let request = next.to_http_request().unwrap();
        assert_eq!(
            request.uri(),
            "https://graph.microsoft.com/v1.0/users/delta()?$skiptoken=a%2Bb",
            "the token is passed through exactly"
        );
        assert_eq!(request.headers()["prefer"], "return=minimal");
    }

    #[test]
    fn removed_entries_are_typed_and_written_back_as_read() {
        let json = r#"{"@odata.deltaLink":"https://graph.microsoft.com/v1.0/users/delta()?$deltatoken=t%3D1","value":[{"id":"1","displayName":"Ada"},{"id":"2","@removed":{"reason":"changed"}},{"id":"3","@removed":{"reason":"deleted"}},{"id":"4","@odata.removed":{}}]}"#;
        let page: Page<Change<Item>> = serde_json::from_str(json).unwrap();
        let reasons: Vec<Option<&RemovedReason>> = page.value.iter().map(Change::removed).collect();
        assert_eq!(
            reasons,
            [
                None,
                Some(&RemovedReason::Changed),
                Some(&RemovedReason::Deleted),
                Some(&RemovedReason::Other(String::new())),
            ]
        );
        assert_eq!(page.value[0].entity().display_name.as_deref(), Some("Ada"));
        assert_eq!(page.value[2].entity().id, "3");
        let link = page.delta_link.clone().unwrap();
        assert_eq!(link.token(), Some("t=1"), "the token is decoded");
        let written: Value = serde_json::to_value(&page).unwrap();
        assert_eq!(written, serde_json::from_str::<Value>(json).unwrap());
    }

    #[test]
    fn a_stored_link_resumes_exactly_and_a_foreign_one_is_refused() {
        let link =
            DeltaLink::new("https://graph.microsoft.com/v1.0/users/delta()?$deltatoken=abc%2F%3D");
        let stored = serde_json::to_string(&link).unwrap();
        assert_eq!(
            stored,
            r#""https://graph.microsoft.com/v1.0/users/delta()?$deltatoken=abc%2F%3D""#
        );
        let link: DeltaLink = serde_json::from_str(&stored).unwrap();
        let resumed = users_delta()
            .resume(&link)
            .unwrap()
            .prefer("return=minimal");
        let request = resumed.to_http_request().unwrap();
        // A query option on a resumed round would be dropped: an error says so instead.
        let error = resumed.clone().top(5).to_http_request().unwrap_err();
        assert!(
            matches!(&error, Error::QueryOnLink { options, .. } if options == &["$top"]),
            "{error:?}"
        );
        assert_eq!(request.method(), "GET");
        assert_eq!(request.uri(), link.as_str());
        assert_eq!(request.headers()["prefer"], "return=minimal");
        // Without the parentheses, as Graph often writes it: the same function.
        let plain = DeltaLink::new("https://graph.microsoft.com/v1.0/users/delta?$deltatoken=y");
        assert!(users_delta().resume(&plain).is_ok());
        for foreign in [
            "https://evil.example/v1.0/users/delta()?$deltatoken=x",
            "https://graph.microsoft.com/beta/users/delta()?$deltatoken=x",
            "https://graph.microsoft.com/v1.0/..\\beta/users/delta()",
            "https://graph.microsoft.com/v1.0/groups/delta()?$deltatoken=x",
            "https://graph.microsoft.com/v1.0/users?$skiptoken=x",
        ] {
            let error = users_delta().resume(&DeltaLink::new(foreign)).unwrap_err();
            assert!(matches!(error, Error::ForeignDeltaLink { .. }), "{error:?}");
            assert!(error.to_string().contains("not followed"), "{error}");
        }
    }

    fn delta_at(path: ResourcePath) -> DeltaRequest<Item> {
        DeltaRequest::at(path.function_call("delta", None), "delta")
    }

    fn graph() -> ResourcePath {
        ResourcePath::new(Arc::from("https://graph.microsoft.com/v1.0"))
    }

    fn mail_folders_delta() -> DeltaRequest<Item> {
        delta_at(graph().segment("me").segment("mailFolders"))
    }

    fn channel_messages_delta() -> DeltaRequest<Item> {
        delta_at(
            graph()
                .segment("teams")
                .key("teams", "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b".to_string())
                .segment("channels")
                .key("channels", "19:abc@thread.tacv2".to_string())
                .segment("messages"),
        )
    }

    fn todo_tasks_delta() -> DeltaRequest<Item> {
        delta_at(
            graph()
                .segment("me")
                .segment("todo")
                .segment("lists")
                .key("lists", "gDbc==".to_string())
                .segment("tasks"),
        )
    }

    #[test]
    fn links_as_graph_writes_them_resume_despite_case_and_encoding() {
        // What this crate writes for the three functions: camel case and encoded keys.
        assert_eq!(
            channel_messages_delta().path().to_url().unwrap(),
            "https://graph.microsoft.com/v1.0/teams/fbe2bf47-16c8-47cf-b4a5-4b9b187c508b/channels/19%3Aabc%40thread.tacv2/messages/delta()"
        );
        assert_eq!(
            todo_tasks_delta().path().to_url().unwrap(),
            "https://graph.microsoft.com/v1.0/me/todo/lists/gDbc%3D%3D/tasks/delta()"
        );
        // What Graph's documentation shows it returns: lower case, raw `:`, `@` and `=`.
        let cases = [
            (
                mail_folders_delta(),
                "https://graph.microsoft.com/v1.0/me/mailfolders/delta?$deltatoken=x",
            ),
            (
                channel_messages_delta(),
                "https://graph.microsoft.com/v1.0/teams/fbe2bf47-16c8-47cf-b4a5-4b9b187c508b/channels/19:abc@thread.tacv2/messages/delta?$deltatoken=x",
            ),
            (
                todo_tasks_delta(),
                "https://graph.microsoft.com/v1.0/me/todo/lists/gDbc==/tasks/delta?$deltatoken=x",
            ),
            // Encoded as this crate encodes, or in lower-case hex: the same.
            (
                channel_messages_delta(),
                "https://graph.microsoft.com/v1.0/teams/fbe2bf47-16c8-47cf-b4a5-4b9b187c508b/channels/19%3aabc%40thread.tacv2/messages/delta()?$deltatoken=x",
            ),
        ];
        for (delta, link) in cases {
            let resumed = delta.resume(&DeltaLink::new(link));
            let request = resumed.unwrap().to_http_request().unwrap();
            assert_eq!(
                request.uri(),
                link,
                "the link is sent as the service wrote it"
            );
        }
    }

    #[test]
    fn case_and_encoding_do_not_let_in_another_function_key_or_host() {
        let foreign = [
            (
                mail_folders_delta(),
                "https://graph.microsoft.com/v1.0/me/mailfolders/messages/delta?$deltatoken=x",
            ),
            (
                mail_folders_delta(),
                "https://graph.microsoft.com/v1.0/me/contactfolders/delta?$deltatoken=x",
            ),
            (
                mail_folders_delta(),
                "https://graph.microsoft.com/v1.0/users/me/mailfolders/delta?$deltatoken=x",
            ),
            (
                mail_folders_delta(),
                "https://evil.example/v1.0/me/mailfolders/delta?$deltatoken=x",
            ),
            (
                mail_folders_delta(),
                "https://graph.microsoft.com.evil.example/v1.0/me/mailFolders/delta()?$deltatoken=x",
            ),
            (
                mail_folders_delta(),
                "https://graph.microsoft.com/beta/me/mailfolders/delta?$deltatoken=x",
            ),
            // Another channel's messages, raw or encoded.
            (
                channel_messages_delta(),
                "https://graph.microsoft.com/v1.0/teams/fbe2bf47-16c8-47cf-b4a5-4b9b187c508b/channels/19:other@thread.tacv2/messages/delta?$deltatoken=x",
            ),
            // Encoded twice is another key.
            (
                channel_messages_delta(),
                "https://graph.microsoft.com/v1.0/teams/fbe2bf47-16c8-47cf-b4a5-4b9b187c508b/channels/19%253Aabc%2540thread.tacv2/messages/delta?$deltatoken=x",
            ),
            // A decoded separator or step is refused, not compared.
            (
                todo_tasks_delta(),
                "https://graph.microsoft.com/v1.0/me/todo/lists/gDbc==%2F..%2F/tasks/delta?$deltatoken=x",
            ),
            (
                todo_tasks_delta(),
                "https://graph.microsoft.com/v1.0/me/todo/lists/%2E%2E/tasks/delta?$deltatoken=x",
            ),
            // A key that differs in case alone is another list (ids are base64).
            (
                todo_tasks_delta(),
                "https://graph.microsoft.com/v1.0/me/todo/lists/GDBC==/tasks/delta?$deltatoken=x",
            ),
        ];
        for (delta, link) in foreign {
            let error = delta.resume(&DeltaLink::new(link)).unwrap_err();
            assert!(
                matches!(&error, Error::ForeignDeltaLink { link: refused, .. } if refused == link),
                "{link}: {error:?}"
            );
        }
    }

    #[test]
    fn a_stored_token_alone_resumes_as_its_link_does() {
        let link = DeltaLink::new(
            "https://graph.microsoft.com/v1.0/users/delta()?$deltatoken=abc%2F%3D%2B~x.y_z-1",
        );
        let token = link.token().unwrap();
        assert_eq!(token, "abc/=+~x.y_z-1");
        let from_token = users_delta()
            .resume_token(token)
            .unwrap()
            .prefer("return=minimal")
            .to_http_request()
            .unwrap();
        let from_link = users_delta()
            .resume(&link)
            .unwrap()
            .prefer("return=minimal")
            .to_http_request()
            .unwrap();
        // Decoded, then encoded again: the same query, so the same request.
        assert_eq!(from_token.uri(), link.as_str());
        assert_eq!(from_token.method(), from_link.method());
        assert_eq!(from_token.uri(), from_link.uri());
        assert_eq!(from_token.headers(), from_link.headers());
        // A token taken from a link Graph wrote in its own spelling resumes the same function.
        let graph_link = DeltaLink::new(
            "https://graph.microsoft.com/v1.0/me/mailfolders/delta?$deltatoken=LztZ%3D%3D",
        );
        let resumed = mail_folders_delta()
            .resume_token(graph_link.token().unwrap())
            .unwrap()
            .to_http_request()
            .unwrap();
        assert_eq!(
            resumed.uri(),
            "https://graph.microsoft.com/v1.0/me/mailFolders/delta()?$deltatoken=LztZ%3D%3D"
        );
        // Text that would end the query option is encoded, not sent as another option.
        let resumed = users_delta()
            .resume_token("a&$top=1 #")
            .unwrap()
            .to_http_request()
            .unwrap();
        assert_eq!(
            resumed.uri(),
            "https://graph.microsoft.com/v1.0/users/delta()?$deltatoken=a%26%24top%3D1%20%23"
        );
        assert_eq!(
            DeltaLink::new(resumed.uri().to_string()).token(),
            Some("a&$top=1 #")
        );
    }

    #[test]
    fn tokens_are_found_in_either_spelling() {
        assert_eq!(
            DeltaLink::new("https://h/v1.0/x/delta()?$skiptoken=s1&$top=2").token(),
            Some("s1")
        );
        assert_eq!(
            DeltaLink::new("https://h/v1.0/x/delta()?a=b&%24deltatoken=d2").token(),
            Some("d2")
        );
        assert_eq!(DeltaLink::new("https://h/v1.0/x/delta()").token(), None);
        // Read the same from serde as from `new`.
        let stored: DeltaLink =
            serde_json::from_str(r#""https://h/v1.0/x/delta()?$deltatoken=a%3Db""#).unwrap();
        assert_eq!(stored.token(), Some("a=b"));
        assert_eq!(
            stored,
            DeltaLink::from("https://h/v1.0/x/delta()?$deltatoken=a%3Db".to_string())
        );
        assert_eq!(
            format!("{stored:?}"),
            r#"DeltaLink("https://h/v1.0/x/delta()?$deltatoken=a%3Db")"#
        );
    }
}
