//! The two shapes of request builder: [`ItemRequest`] addresses one entity, [`CollectionRequest`]
//! a collection of them. Each entity type's builders are these two types with its value type as
//! the parameter (`requests::UserRequest` is `ItemRequest<models::User>`): what every builder
//! has (`get`, `patch`, `delete`, `by_id`, `list`, ...) is written and compiled once here, and
//! the generated code adds only what is particular to a type, its navigations and bound
//! operations, in an `impl` of its own.
//!
//! Which changes a type allows comes from its Capabilities annotations (or, where the metadata
//! is silent, from OData's defaults); the generated code states them as the marker traits
//! [`Updatable`], [`Replaceable`], [`Deletable`] and [`Insertable`], so a builder has `patch`,
//! `put`, `delete` or `create` only where the service accepts them.

use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::operation::{Operation, Page};
use crate::path::{Builder, ResourcePath};
use crate::query::{Field, FieldOwner, Navigation};

/// An entity type that has request builders: its value (a model struct, or the enum of its
/// derived types) is what `get` and `list` read and what `patch` and `create` send.
pub trait Entity: Serialize + DeserializeOwned {
    /// Whether Graph counts and searches a collection of these only with
    /// `ConsistencyLevel: eventual` (directory objects): `list()` then marks its operation so
    /// that `count(true)` and `search(..)` add that header, and `count_items()` sends it.
    const COUNTS_EVENTUALLY: bool = false;
}

/// An entity type whose entities can be updated with `PATCH`.
pub trait Updatable: Entity {}

/// An entity type whose entities are created or replaced with `PUT` (its `UpdateMethod` is
/// `PUT`).
pub trait Replaceable: Entity {}

/// An entity type whose entities can be deleted.
pub trait Deletable: Entity {}

/// An entity type whose collections take new members with `POST`.
pub trait Insertable: Entity {}

/// An entity type whose key is one property, so a member is addressed by one value
/// ([`CollectionRequest::by_id`]). A type with a composite key has a `by_key` of its own, with
/// a parameter per part.
pub trait SingleKey: Entity {}

/// Requests for one entity of type `T`.
///
/// A builder only carries the URL it stands for; its methods return [`Operation`]s (or the
/// builders of related entities). The methods particular to a type, such as its navigations
/// and bound operations, are on that type's alias in `requests` (`UserRequest`).
pub struct ItemRequest<T> {
    pub(crate) path: ResourcePath,
    entity: PhantomData<fn() -> T>,
}

impl<T> ItemRequest<T> {
    /// The resource this builder addresses.
    pub fn path(&self) -> &ResourcePath {
        &self.path
    }
}

impl<T: Entity> ItemRequest<T> {
    /// Reads the entity (`GET`).
    pub fn get(&self) -> Operation<T> {
        Operation::read(&self.path)
    }
}

impl<T: FieldOwner> ItemRequest<T> {
    /// A structural property of complex type as a resource of its own, from the property's
    /// constant (feature `query`): `me.property(User::MAILBOX_SETTINGS)` addresses
    /// `/me/mailboxSettings`, whose value `get` reads and `patch` updates.
    pub fn property<V: FieldOwner>(&self, field: Field<T::Owner, V>) -> PropertyRequest<V> {
        PropertyRequest {
            path: self.path.property(field.property_name()),
            entity: PhantomData,
        }
    }
}

impl<T: Updatable> ItemRequest<T> {
    /// Updates the properties set in `body` (`PATCH`); properties left `None` are not sent.
    ///
    /// Graph often answers `204 No Content`: read the answer with
    /// [`Operation::parse_optional_response`] (`None` then), or ask for the entity with
    /// `.prefer("return=representation")`.
    pub fn patch(&self, body: &T) -> Operation<T> {
        Operation::write(http::Method::PATCH, &self.path, body)
    }
}

impl<T: Replaceable> ItemRequest<T> {
    /// Creates or replaces the entity with `body` (`PUT`), which is how the service updates it
    /// here (its `UpdateMethod` is `PUT`).
    pub fn put(&self, body: &T) -> Operation<T> {
        Operation::write(http::Method::PUT, &self.path, body)
    }
}

impl<T: Deletable> ItemRequest<T> {
    /// Deletes the entity (`DELETE`).
    pub fn delete(&self) -> Operation<()> {
        Operation::remove(&self.path)
    }
}

impl<T> Builder for ItemRequest<T> {
    fn at(path: ResourcePath, _name: &'static str) -> Self {
        ItemRequest {
            path,
            entity: PhantomData,
        }
    }
}

impl<T> crate::reference::Addressable for ItemRequest<T> {
    fn resource_path(&self) -> &ResourcePath {
        &self.path
    }
}

path_builder_impls!(ItemRequest);

/// Requests for a structural property of complex type `V` of an entity (`/me/mailboxSettings`,
/// `/print/settings`), or for a complex property of such a value
/// (`/me/mailboxSettings/automaticRepliesSetting`), made with [`ItemRequest::property`] and
/// [`PropertyRequest::property`] from the properties' constants (feature `query`).
pub struct PropertyRequest<V> {
    path: ResourcePath,
    /// The property's value type (named like the other builders' for `path_builder_impls!`).
    entity: PhantomData<fn() -> V>,
}

impl<V> PropertyRequest<V> {
    /// The resource this builder addresses.
    pub fn path(&self) -> &ResourcePath {
        &self.path
    }
}

impl<V: FieldOwner> PropertyRequest<V> {
    /// A complex property of this value, as a resource of its own.
    pub fn property<W: FieldOwner>(&self, field: Field<V::Owner, W>) -> PropertyRequest<W> {
        PropertyRequest {
            path: self.path.property(field.property_name()),
            entity: PhantomData,
        }
    }

    /// The `$ref` link of a single-valued navigation property of this value (a complex type
    /// may have navigation properties: `.../apiConnectorConfiguration/postFederationSignup/$ref`),
    /// from the value type's constant (`UserFlowApiConnectorConfiguration::POST_FEDERATION_SIGNUP`).
    pub fn link<W: FieldOwner>(
        &self,
        navigation: Navigation<V::Owner, W>,
    ) -> crate::reference::ReferenceRequest {
        self.path.navigate(navigation.name())
    }

    /// The `$ref` links of a collection-valued navigation property of this value.
    pub fn links<W>(
        &self,
        navigation: Navigation<V::Owner, Vec<W>>,
    ) -> crate::reference::ReferenceCollectionRequest {
        self.path.navigate(navigation.name())
    }
}

impl<V: FieldOwner + Serialize + DeserializeOwned> PropertyRequest<V> {
    /// Reads the property's value (`GET`).
    pub fn get(&self) -> Operation<V> {
        Operation::read(&self.path)
    }

    /// Updates the members set in `body` (`PATCH`); members left `None` are not sent. Graph
    /// answers with the updated value (or `204 No Content`: read it with
    /// [`Operation::parse_optional_response`]).
    pub fn patch(&self, body: &V) -> Operation<V> {
        Operation::write(http::Method::PATCH, &self.path, body)
    }
}

path_builder_impls!(PropertyRequest);

/// Requests for a collection of entities of type `T`.
///
/// A builder only carries the URL it stands for (and the collection's name, which errors about
/// its keys report); its methods return [`Operation`]s (or the builders of its members). The
/// methods particular to a type, such as operations bound to its collections, are on that
/// type's alias in `requests` (`UserCollectionRequest`).
pub struct CollectionRequest<T> {
    pub(crate) path: ResourcePath,
    pub(crate) name: &'static str,
    entity: PhantomData<fn() -> T>,
}

impl<T> CollectionRequest<T> {
    /// The resource this builder addresses.
    pub fn path(&self) -> &ResourcePath {
        &self.path
    }
}

impl<T: SingleKey> CollectionRequest<T> {
    /// One member, by key. The key is written as one percent-encoded path segment; an empty
    /// key makes the request fail to build with [`crate::Error::EmptyKey`].
    pub fn by_id(&self, id: impl Into<String>) -> ItemRequest<T> {
        ItemRequest::at(self.path.key(self.name, id.into()), self.name)
    }
}

impl<T: Entity> CollectionRequest<T> {
    /// Lists the collection (`GET`), one page at a time.
    pub fn list(&self) -> Operation<Page<T>> {
        let list = Operation::read(&self.path);
        if T::COUNTS_EVENTUALLY {
            list.counted_eventually()
        } else {
            list
        }
    }

    /// Counts the collection's members (`GET .../$count`, answered as plain text). `$filter`
    /// (and for directory objects `$search`) narrows the count. Directory objects are counted
    /// with `ConsistencyLevel: eventual`, which Graph needs for them.
    pub fn count_items(&self) -> Operation<u64> {
        let count = Operation::count_of(&self.path);
        if T::COUNTS_EVENTUALLY {
            count.consistency_level_eventual()
        } else {
            count
        }
    }
}

impl<T: Insertable> CollectionRequest<T> {
    /// Creates a member (`POST`) and returns it as created.
    pub fn create(&self, body: &T) -> Operation<T> {
        Operation::write(http::Method::POST, &self.path, body)
    }
}

impl<T> Builder for CollectionRequest<T> {
    fn at(path: ResourcePath, name: &'static str) -> Self {
        CollectionRequest {
            path,
            name,
            entity: PhantomData,
        }
    }
}

impl<T> Clone for CollectionRequest<T> {
    fn clone(&self) -> Self {
        CollectionRequest {
            path: self.path.clone(),
            name: self.name,
            entity: PhantomData,
        }
    }
}

impl<T> PartialEq for CollectionRequest<T> {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path && self.name == other.name
    }
}

impl<T> Eq for CollectionRequest<T> {}

impl<T> fmt::Debug for CollectionRequest<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CollectionRequest")
            .field("entity", &std::any::type_name::<T>())
            .field("path", &self.path)
            .field("name", &self.name)
            .finish()
    }
}

/// `Clone`, `PartialEq`, `Eq` and `Debug` for a builder that is a path and a type parameter
/// (`path`, `entity: PhantomData`), written out so that `T` needs none of them.
macro_rules! path_builder_impls {
    ($builder:ident) => {
        impl<T> Clone for $builder<T> {
            fn clone(&self) -> Self {
                $builder {
                    path: self.path.clone(),
                    entity: PhantomData,
                }
            }
        }

        impl<T> PartialEq for $builder<T> {
            fn eq(&self, other: &Self) -> bool {
                self.path == other.path
            }
        }

        impl<T> Eq for $builder<T> {}

        impl<T> fmt::Debug for $builder<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($builder))
                    .field("entity", &std::any::type_name::<T>())
                    .field("path", &self.path)
                    .finish()
            }
        }
    };
}
pub(crate) use path_builder_impls;

#[cfg(all(test, msgraph_runtime))]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::sync::Arc;

    /// A directory object: counted and searched with `ConsistencyLevel: eventual`.
    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Directory {
        id: Option<String>,
    }
    impl Entity for Directory {
        const COUNTS_EVENTUALLY: bool = true;
    }
    impl SingleKey for Directory {}

    /// An entity that allows every change.
    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Note {
        text: Option<String>,
    }
    impl Entity for Note {}
    impl SingleKey for Note {}
    impl Updatable for Note {}
    impl Replaceable for Note {}
    impl Deletable for Note {}
    impl Insertable for Note {}

    fn collection<T>(name: &'static str) -> CollectionRequest<T> {
        CollectionRequest::at(
            ResourcePath::new(Arc::from("https://graph.microsoft.com/v1.0")).segment(name),
            name,
        )
    }

    fn consistency(operation: &Operation<impl Sized>) -> Option<String> {
        let request = operation.to_http_request().unwrap();
        request
            .headers()
            .get("consistencylevel")
            .map(|value| value.to_str().unwrap().to_string())
    }

    #[test]
    fn directory_objects_are_counted_with_eventual_consistency() {
        let users = collection::<Directory>("users");
        assert_eq!(consistency(&users.list()), None);
        assert_eq!(
            consistency(&users.list().count(true)).as_deref(),
            Some("eventual")
        );
        let count = users.count_items();
        assert_eq!(
            count.to_http_request().unwrap().uri(),
            "https://graph.microsoft.com/v1.0/users/$count"
        );
        assert_eq!(consistency(&count).as_deref(), Some("eventual"));
    }

    #[test]
    fn other_collections_are_counted_without_a_consistency_level() {
        let notes = collection::<Note>("notes");
        assert_eq!(consistency(&notes.list().count(true)), None);
        assert_eq!(consistency(&notes.count_items()), None);
    }

    #[test]
    fn changes_use_their_methods_and_the_member_path() {
        let notes = collection::<Note>("notes");
        let note = Note {
            text: Some("hi".to_string()),
        };
        let created = notes.create(&note).to_http_request().unwrap();
        assert_eq!(created.method(), "POST");
        assert_eq!(created.body(), br#"{"text":"hi"}"#);
        let item = notes.by_id("a/b");
        assert_eq!(item.path(), collection::<Note>("notes").by_id("a/b").path());
        for (operation, method) in [
            (item.patch(&note), "PATCH"),
            (item.put(&note), "PUT"),
            (item.get(), "GET"),
        ] {
            let request = operation.to_http_request().unwrap();
            assert_eq!(request.method(), method);
            assert_eq!(
                request.uri(),
                "https://graph.microsoft.com/v1.0/notes/a%2Fb"
            );
        }
        let deleted = item.delete().to_http_request().unwrap();
        assert_eq!(deleted.method(), "DELETE");
    }

    #[test]
    fn builders_compare_and_print_by_path() {
        let first = collection::<Note>("notes").by_id("1");
        assert_eq!(first.clone(), first);
        assert_ne!(first, collection::<Note>("notes").by_id("2"));
        let printed = format!("{first:?}");
        assert!(printed.starts_with("ItemRequest { entity: "), "{printed}");
        assert!(printed.contains("Note"), "{printed}");
    }
}

#[cfg(all(test, msgraph_runtime))]
mod property_tests {
    use super::*;
    use serde::Deserialize;
    use std::sync::Arc;

    #[derive(Serialize, Deserialize)]
    struct Me;
    impl FieldOwner for Me {
        type Owner = Me;
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct MailboxSettings {
        #[serde(rename = "timeZone", skip_serializing_if = "Option::is_none")]
        time_zone: Option<String>,
    }
    impl FieldOwner for MailboxSettings {
        type Owner = MailboxSettings;
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Replies {
        status: Option<String>,
    }
    impl FieldOwner for Replies {
        type Owner = Replies;
    }

    const MAILBOX_SETTINGS: Field<Me, MailboxSettings> = Field::new("mailboxSettings");
    const REPLIES: Field<MailboxSettings, Replies> = Field::new("automaticRepliesSetting");

    fn me() -> ItemRequest<Me> {
        let root = ResourcePath::new(Arc::from("https://graph.microsoft.com/v1.0"));
        ItemRequest::at(root.segment("me"), "me")
    }

    #[test]
    fn a_complex_property_and_a_property_of_it_are_resources() {
        let settings = me().property(MAILBOX_SETTINGS);
        let get = settings.get().to_http_request().unwrap();
        assert_eq!(get.method(), http::Method::GET);
        assert_eq!(
            get.uri(),
            "https://graph.microsoft.com/v1.0/me/mailboxSettings"
        );
        let patch = settings
            .patch(&MailboxSettings {
                time_zone: Some("UTC".into()),
            })
            .to_http_request()
            .unwrap();
        assert_eq!(patch.method(), http::Method::PATCH);
        assert_eq!(patch.body().as_slice(), br#"{"timeZone":"UTC"}"#);
        let replies = settings.property(REPLIES).get().to_http_request().unwrap();
        assert_eq!(
            replies.uri(),
            "https://graph.microsoft.com/v1.0/me/mailboxSettings/automaticRepliesSetting"
        );
    }

    #[test]
    fn a_navigation_inside_a_complex_value_has_its_links() {
        const SIGNUP: Navigation<MailboxSettings, Me> = Navigation::new("postFederationSignup");
        const HANDLERS: Navigation<MailboxSettings, Vec<Me>> = Navigation::new("handlers");
        let settings = me().property(MAILBOX_SETTINGS);
        let target = me();
        let set = settings
            .link(SIGNUP)
            .set(&target)
            .to_http_request()
            .unwrap();
        assert_eq!(set.method(), http::Method::PUT);
        assert_eq!(
            set.uri(),
            "https://graph.microsoft.com/v1.0/me/mailboxSettings/postFederationSignup/$ref"
        );
        assert_eq!(
            set.body().as_slice(),
            br#"{"@odata.id":"https://graph.microsoft.com/v1.0/me"}"#
        );
        let listed = settings.links(HANDLERS).list().to_http_request().unwrap();
        assert_eq!(
            listed.uri(),
            "https://graph.microsoft.com/v1.0/me/mailboxSettings/handlers/$ref"
        );
    }

    #[test]
    fn a_path_of_several_properties_is_refused_when_the_request_is_built() {
        let path: Field<Me, Replies> = MAILBOX_SETTINGS.then(REPLIES);
        let error = me().property(path).get().to_http_request().unwrap_err();
        assert!(error.to_string().contains("is not one property"), "{error}");
    }
}
