//! References (`$ref`): linking and unlinking entities through non-contained navigation
//! properties, such as adding a member to a group, without touching the entities themselves.

use serde::{Deserialize, Serialize, Serializer};

use crate::operation::{Operation, Page, ResponseShape};
use crate::path::ResourcePath;

/// Something that addresses one entity: every generated item builder.
pub trait Addressable {
    /// The entity's path.
    fn resource_path(&self) -> &ResourcePath;
}

/// A link to an entity, as `$ref` requests read and write it (`{"@odata.id": "..."}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// The entity's absolute URL.
    #[serde(rename = "@odata.id")]
    pub id: String,
}

/// The body of a request that links to `target`: its URL, worked out when the request is built.
struct LinkTo(ResourcePath);

impl Serialize for LinkTo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let url = self
            .0
            .to_url()
            .map_err(|error| <S::Error as serde::ser::Error>::custom(error.to_string()))?;
        Reference { id: url }.serialize(serializer)
    }
}

/// The links of a collection-valued navigation property that does not contain its targets
/// (`.../members/$ref`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceCollectionRequest {
    path: ResourcePath,
    name: &'static str,
}

impl ReferenceCollectionRequest {
    /// The links of the navigation property at `path` (named `name` on the wire).
    #[allow(dead_code)]
    pub(crate) fn new(path: ResourcePath, name: &'static str) -> Self {
        ReferenceCollectionRequest { path, name }
    }

    /// Lists the linked entities' URLs (`GET .../$ref`).
    pub fn list(&self) -> Operation<Page<Reference>> {
        Operation::new(
            http::Method::GET,
            self.path.segment("$ref"),
            ResponseShape::Json,
        )
    }

    /// Links `target` (`POST .../$ref`).
    pub fn add(&self, target: &impl Addressable) -> Operation<()> {
        Operation::new(
            http::Method::POST,
            self.path.segment("$ref"),
            ResponseShape::Empty,
        )
        .with_json_body(&LinkTo(target.resource_path().clone()))
    }

    /// Unlinks the entity with key `id` (`DELETE .../{id}/$ref`); the entity itself stays.
    pub fn remove(&self, id: impl Into<String>) -> Operation<()> {
        let path = self.path.key(self.name, id.into()).segment("$ref");
        Operation::new(http::Method::DELETE, path, ResponseShape::Empty)
    }

    /// Unlinks `target`, named by its URL (`DELETE .../$ref?$id={url}`, the form Graph
    /// documents for removing a member or an owner); the entity itself stays.
    pub fn remove_link_to(&self, target: &impl Addressable) -> Operation<()> {
        Operation::new(
            http::Method::DELETE,
            self.path.segment("$ref"),
            ResponseShape::Empty,
        )
        .with_id_option(target.resource_path())
    }
}

/// The link of a single-valued navigation property that does not contain its target
/// (`.../manager/$ref`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceRequest {
    path: ResourcePath,
}

impl ReferenceRequest {
    /// The link of the navigation property at `path`.
    #[allow(dead_code)]
    pub(crate) fn new(path: ResourcePath) -> Self {
        ReferenceRequest { path }
    }

    /// Reads the linked entity's URL (`GET .../$ref`).
    pub fn get(&self) -> Operation<Reference> {
        Operation::new(
            http::Method::GET,
            self.path.segment("$ref"),
            ResponseShape::Json,
        )
    }

    /// Links `target`, replacing any earlier link (`PUT .../$ref`).
    pub fn set(&self, target: &impl Addressable) -> Operation<()> {
        Operation::new(
            http::Method::PUT,
            self.path.segment("$ref"),
            ResponseShape::Empty,
        )
        .with_json_body(&LinkTo(target.resource_path().clone()))
    }

    /// Removes the link (`DELETE .../$ref`); the entity itself stays.
    pub fn remove(&self) -> Operation<()> {
        Operation::new(
            http::Method::DELETE,
            self.path.segment("$ref"),
            ResponseShape::Empty,
        )
    }
}

impl crate::path::Builder for ReferenceCollectionRequest {
    fn at(path: ResourcePath, name: &'static str) -> Self {
        Self::new(path, name)
    }
}

impl crate::path::Builder for ReferenceRequest {
    fn at(path: ResourcePath, _name: &'static str) -> Self {
        Self::new(path)
    }
}

#[cfg(all(test, msgraph_runtime))]
mod tests {
    use super::*;

    struct Member(ResourcePath);

    impl Addressable for Member {
        fn resource_path(&self) -> &ResourcePath {
            &self.0
        }
    }

    fn root() -> ResourcePath {
        ResourcePath::new("https://graph.microsoft.com/v1.0".into())
    }

    fn member(id: &str) -> Member {
        Member(
            root()
                .segment("directoryObjects")
                .key("directoryObjects", id.to_string()),
        )
    }

    #[test]
    fn collection_links_are_added_listed_and_removed() {
        let members = ReferenceCollectionRequest::new(
            root()
                .segment("groups")
                .key("groups", "g1".into())
                .segment("members"),
            "members",
        );
        let add = members.add(&member("u/1")).to_http_request().unwrap();
        assert_eq!(add.method(), http::Method::POST);
        assert_eq!(
            add.uri().to_string(),
            "https://graph.microsoft.com/v1.0/groups/g1/members/$ref"
        );
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(add.body()).unwrap(),
            serde_json::json!({"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/u%2F1"})
        );
        let remove = members.remove("u1").to_http_request().unwrap();
        assert_eq!(remove.method(), http::Method::DELETE);
        assert_eq!(
            remove.uri().to_string(),
            "https://graph.microsoft.com/v1.0/groups/g1/members/u1/$ref"
        );
        let unlink = members
            .remove_link_to(&member("u/1"))
            .to_http_request()
            .unwrap();
        assert_eq!(unlink.method(), http::Method::DELETE);
        assert_eq!(
            unlink.uri().to_string(),
            "https://graph.microsoft.com/v1.0/groups/g1/members/$ref?$id=https://graph.microsoft.com/v1.0/directoryObjects/u%252F1"
        );
        assert!(unlink.body().is_empty());
        assert!(matches!(
            members.remove_link_to(&member("")).to_http_request(),
            Err(crate::Error::EmptyKey {
                collection: "directoryObjects"
            })
        ));
        let list = members.list();
        let page = list
            .parse_response(
                http::Response::builder()
                    .status(200)
                    .body(r#"{"value":[{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/u1"}]}"#)
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(
            page.value[0].id,
            "https://graph.microsoft.com/v1.0/directoryObjects/u1"
        );
        assert!(matches!(
            members.remove("").to_http_request(),
            Err(crate::Error::EmptyKey {
                collection: "members"
            })
        ));
    }

    #[test]
    fn single_links_are_set_read_and_removed() {
        let manager = ReferenceRequest::new(
            root()
                .segment("users")
                .key("users", "u1".into())
                .segment("manager"),
        );
        let set = manager.set(&member("m1")).to_http_request().unwrap();
        assert_eq!(set.method(), http::Method::PUT);
        assert_eq!(
            set.uri().to_string(),
            "https://graph.microsoft.com/v1.0/users/u1/manager/$ref"
        );
        assert_eq!(
            manager.get().to_http_request().unwrap().method(),
            http::Method::GET
        );
        assert_eq!(
            manager.remove().to_http_request().unwrap().method(),
            http::Method::DELETE
        );
        let error = manager.set(&member("")).to_http_request().unwrap_err();
        assert!(error.to_string().contains("empty key"), "{error}");
    }
}
