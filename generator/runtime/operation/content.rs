//! Raw content: media streams and stream properties, sent and read as bytes.

use super::*;

/// Raw content read from a stream property, a media entity's `$value` or a function that
/// returns a stream. The response's `Content-Type` header says what it is. (Graph answers some
/// downloads with `302 Found`: that is an [`Error::Service`] whose headers carry the
/// pre-authenticated `Location` to fetch, without credentials.)
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Content(pub Vec<u8>);

/// Requests on one stream: a stream property (such as a file's `content`) or a media entity's
/// `$value`. `E` is the entity that holds the stream, which some uploads answer with.
pub struct ContentRequest<E = ()> {
    path: ResourcePath,
    entity: PhantomData<fn() -> E>,
}

crate::builder::path_builder_impls!(ContentRequest);

impl<E> ContentRequest<E> {
    /// The stream at `path`.
    #[allow(dead_code)]
    pub(crate) fn new(path: ResourcePath) -> Self {
        ContentRequest {
            path,
            entity: PhantomData,
        }
    }

    /// The resource this builder addresses.
    pub fn path(&self) -> &ResourcePath {
        &self.path
    }

    /// Downloads the content (`GET`).
    pub fn get(&self) -> Operation<Content> {
        Operation::new(http::Method::GET, self.path.clone(), ResponseShape::Content)
    }

    /// Uploads `content` as the stream's new value (`PUT`), sent with `content_type`; the
    /// answer's body, if any, is not read.
    pub fn put(&self, content: Vec<u8>, content_type: &str) -> Operation<()> {
        Operation::new(http::Method::PUT, self.path.clone(), ResponseShape::Empty)
            .with_content(content, content_type)
    }

    /// Updates the stream with `content` (`PATCH`), sent with `content_type`: the method Graph
    /// documents for some stream properties (an organization's branding images); the answer's
    /// body, if any, is not read.
    pub fn patch(&self, content: Vec<u8>, content_type: &str) -> Operation<()> {
        Operation::new(http::Method::PATCH, self.path.clone(), ResponseShape::Empty)
            .with_content(content, content_type)
    }

    /// Uploads `content` as [`ContentRequest::put`] does, and reads the entity the service
    /// answers with (`PUT /drives/{id}/items/{id}/content` answers with the `driveItem`). Read
    /// a `204 No Content` answer with [`Operation::parse_optional_response`].
    pub fn put_and_read(&self, content: Vec<u8>, content_type: &str) -> Operation<E> {
        Operation::new(http::Method::PUT, self.path.clone(), ResponseShape::Json)
            .with_content(content, content_type)
    }
}

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = Content;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("raw bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Content, E> {
                Ok(Content(bytes.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, bytes: Vec<u8>) -> Result<Content, E> {
                Ok(Content(bytes))
            }
        }
        deserializer.deserialize_byte_buf(Bytes)
    }
}
