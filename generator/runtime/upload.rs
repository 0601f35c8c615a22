//! Large file uploads through an upload session: the content is sent in slices to the
//! session's `uploadUrl` (from a `createUploadSession` action: drive items, mail and event
//! attachments, print documents, ...), each a `PUT` with its `Content-Range`, until the
//! service answers with the created item.
//!
//! Sans-IO: an [`Upload`] gives the request for the next slice ([`Upload::next_request`]) and
//! reads each answer ([`Upload::read_response`]): `202 Accepted` with the ranges the service
//! still expects, or the final `200`/`201` with the item. After a failed slice,
//! [`Upload::status_request`] asks the session which ranges it still expects and
//! [`Upload::read_status`] resumes from there; [`Upload::cancel_request`] deletes the session.
//! The transport's `Client::upload` drives it.
//!
//! The upload URL is pre-authenticated and usually on another host: no request of an upload
//! carries the caller's token.

use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::Error;

/// Slices are multiples of this (320 KiB), as the service requires.
pub const SLICE_UNIT: usize = 320 * 1024;

/// The largest slice the service takes (60 MiB).
pub const MAX_SLICE: usize = 60 * 1024 * 1024;

/// The default slice: 10 MiB (32 units).
pub const DEFAULT_SLICE: usize = 32 * SLICE_UNIT;

/// An upload of `total` bytes to an upload session, whose final answer is a `T` (the created
/// drive item, attachment, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload<T> {
    url: String,
    total: usize,
    slice: usize,
    next: usize,
    item: PhantomData<fn() -> T>,
}

/// What an answer to a slice means.
#[derive(Debug, Clone, PartialEq)]
pub enum Step<T> {
    /// More to send: [`Upload::next_request`] has the next slice.
    Continue,
    /// The upload is complete.
    Done(Uploaded<T>),
}

/// What the service answered to the last slice: the created item (a drive item's upload answers
/// with it), and where it is (`Location`; an Outlook attachment's upload answers `201 Created`
/// with only that, and no body).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Uploaded<T> {
    /// The created item, when the answer has a body.
    pub item: Option<T>,
    /// The answer's `Location` header, when it has one.
    pub location: Option<String>,
}

/// The members of an upload session's answer that an upload reads.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionStatus {
    #[serde(default)]
    next_expected_ranges: Vec<String>,
}

impl<T: DeserializeOwned> Upload<T> {
    /// An upload of `total` bytes to `upload_url` (the session's `uploadUrl`), in slices of
    /// [`DEFAULT_SLICE`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUpload`] for an empty upload (a session cannot take 0 bytes: create the
    /// item with a plain `PUT` of its content instead).
    pub fn new(upload_url: impl Into<String>, total: usize) -> Result<Upload<T>, Error> {
        if total == 0 {
            return Err(Error::InvalidUpload(
                "an upload session cannot take 0 bytes".to_string(),
            ));
        }
        Ok(Upload {
            url: upload_url.into(),
            total,
            slice: DEFAULT_SLICE,
            next: 0,
            item: PhantomData,
        })
    }

    /// Slices of `bytes`: a multiple of [`SLICE_UNIT`] (320 KiB), at most [`MAX_SLICE`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUpload`] for any other size.
    pub fn slice_size(mut self, bytes: usize) -> Result<Upload<T>, Error> {
        if bytes == 0 || bytes % SLICE_UNIT != 0 || bytes > MAX_SLICE {
            return Err(Error::InvalidUpload(format!(
                "a slice of {bytes} bytes: it must be a multiple of {SLICE_UNIT} bytes (320 KiB), \
                 at most {MAX_SLICE} bytes (60 MiB)"
            )));
        }
        self.slice = bytes;
        Ok(self)
    }

    /// An upload of `total` bytes through an upload session whose `uploadUrl` is
    /// `upload_url` (the generated `upload` methods of the builders that have a
    /// `createUploadSession` action pass the session's field, and type `T` by the builder).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUpload`] for a session without an upload URL, or an empty upload.
    pub fn for_session(upload_url: Option<&str>, total: usize) -> Result<Upload<T>, Error> {
        let url = upload_url.ok_or_else(|| {
            Error::InvalidUpload("the upload session has no `uploadUrl`".to_string())
        })?;
        Upload::new(url, total)
    }

    /// The session's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bytes the service has acknowledged so far (the start of the next slice).
    pub fn sent(&self) -> usize {
        self.next
    }

    /// The request for the next slice of `content` (the whole content, `total` bytes): a `PUT`
    /// of bytes `next..next + slice` with `Content-Range: bytes first-last/total`. `None` when
    /// every byte has been acknowledged.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUpload`] when `content` is not `total` bytes long, and
    /// [`Error::InvalidRequest`] when the upload URL is not a URI.
    pub fn next_request(&self, content: &[u8]) -> Result<Option<http::Request<Vec<u8>>>, Error> {
        if content.len() != self.total {
            return Err(Error::InvalidUpload(format!(
                "the content is {} bytes, the upload {} bytes",
                content.len(),
                self.total
            )));
        }
        if self.next >= self.total {
            return Ok(None);
        }
        let end = (self.next + self.slice).min(self.total);
        let range = format!("bytes {}-{}/{}", self.next, end - 1, self.total);
        http::Request::put(&self.url)
            .header(http::header::CONTENT_RANGE, range)
            .header(http::header::CONTENT_LENGTH, end - self.next)
            .body(content[self.next..end].to_vec())
            .map(Some)
            .map_err(|source| Error::InvalidRequest {
                url: self.url.clone(),
                source,
            })
    }

    /// Reads the answer to a slice: `202 Accepted` moves the upload to the first range the
    /// service still expects; `200 OK` or `201 Created` ends it, with the item when the answer
    /// has a body and its `Location` when it has one ([`Uploaded`]).
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for an answer outside 2xx (then ask [`Upload::status_request`] and
    /// resume), [`Error::Deserialize`] for a body that does not parse, and
    /// [`Error::InvalidUpload`] for a range that is not one.
    pub fn read_response<B: AsRef<[u8]>>(
        &mut self,
        response: http::Response<B>,
    ) -> Result<Step<T>, Error> {
        let location = response
            .headers()
            .get(http::header::LOCATION)
            .and_then(|location| location.to_str().ok())
            .map(str::to_string);
        let (status, body) = Error::unless_success(response)?;
        if status == http::StatusCode::ACCEPTED {
            self.go_on_from(status, body.as_ref())?;
            return Ok(Step::Continue);
        }
        let body = body.as_ref();
        let item = if body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            let item = serde_json::from_slice(body)
                .map_err(|source| Error::Deserialize { status, source })?;
            Some(item)
        };
        Ok(Step::Done(Uploaded { item, location }))
    }

    /// The request that asks the session which ranges it still expects: a `GET` of the upload
    /// URL.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] when the upload URL is not a URI.
    pub fn status_request(&self) -> Result<http::Request<Vec<u8>>, Error> {
        self.request(http::Method::GET)
    }

    /// Reads the session's status (the answer to [`Upload::status_request`], or a `202`):
    /// the upload goes on from the first range the service still expects.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for an answer outside 2xx (the session may have expired),
    /// [`Error::Deserialize`] for a body that does not parse, and [`Error::InvalidUpload`] for
    /// a range that is not one.
    pub fn read_status<B: AsRef<[u8]>>(
        &mut self,
        response: http::Response<B>,
    ) -> Result<(), Error> {
        let (status, body) = Error::unless_success(response)?;
        self.go_on_from(status, body.as_ref())
    }

    /// Moves the upload to the first range a session's status (`body`, read with `status`)
    /// still expects.
    fn go_on_from(&mut self, status: http::StatusCode, body: &[u8]) -> Result<(), Error> {
        let session: SessionStatus =
            serde_json::from_slice(body).map_err(|source| Error::Deserialize { status, source })?;
        // `"26-"` or `"26-49"`: the first byte still expected. None left: all acknowledged.
        self.next = match session.next_expected_ranges.first() {
            None => self.total,
            Some(range) => range
                .split('-')
                .next()
                .and_then(|start| start.trim().parse().ok())
                .filter(|start| *start <= self.total)
                .ok_or_else(|| {
                    Error::InvalidUpload(format!("the service expects the range `{range}`"))
                })?,
        };
        Ok(())
    }

    /// The request that cancels the upload: a `DELETE` of the session.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] when the upload URL is not a URI.
    pub fn cancel_request(&self) -> Result<http::Request<Vec<u8>>, Error> {
        self.request(http::Method::DELETE)
    }

    fn request(&self, method: http::Method) -> Result<http::Request<Vec<u8>>, Error> {
        http::Request::builder()
            .method(method)
            .uri(&self.url)
            .body(Vec::new())
            .map_err(|source| Error::InvalidRequest {
                url: self.url.clone(),
                source,
            })
    }
}

#[cfg(all(test, msgraph_runtime))]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Item {
        id: String,
        size: usize,
    }

    const URL: &str = "https://contoso.sharepoint.com/upload?session=abc";

    fn answer(status: u16, body: &str) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    fn range(request: &http::Request<Vec<u8>>) -> &str {
        request.headers()["content-range"].to_str().unwrap()
    }

    #[test]
    fn slices_are_multiples_of_320_kib_up_to_60_mib() {
        let upload = || Upload::<Item>::new(URL, 10).unwrap();
        assert!(upload().slice_size(SLICE_UNIT * 3).is_ok());
        assert!(upload().slice_size(MAX_SLICE).is_ok());
        for bad in [0, 1000, SLICE_UNIT + 1, MAX_SLICE + SLICE_UNIT] {
            let error = upload().slice_size(bad).unwrap_err();
            assert!(error.to_string().contains("320 KiB"), "{bad}: {error}");
        }
        assert!(Upload::<Item>::new(URL, 0).is_err());
    }

    #[test]
    fn an_upload_goes_slice_by_slice_to_the_item() {
        let content: Vec<u8> = (0..(2 * SLICE_UNIT + 100)).map(|i| i as u8).collect();
        let mut upload = Upload::<Item>::new(URL, content.len())
            .unwrap()
            .slice_size(SLICE_UNIT)
            .unwrap();
        let first = upload.next_request(&content).unwrap().unwrap();
        assert_eq!(first.method(), "PUT");
        assert_eq!(first.uri(), URL);
        assert_eq!(range(&first), "bytes 0-327679/655460");
        assert_eq!(first.headers()["content-length"], "327680");
        assert!(first.headers().get("authorization").is_none());
        assert_eq!(first.body().as_slice(), &content[..SLICE_UNIT]);
        let step = upload
            .read_response(answer(202, r#"{"nextExpectedRanges":["327680-"]}"#))
            .unwrap();
        assert_eq!(step, Step::Continue);
        assert_eq!(
            range(&upload.next_request(&content).unwrap().unwrap()),
            "bytes 327680-655359/655460"
        );
        // The service may acknowledge less than was sent: the next slice starts where it says.
        upload
            .read_response(answer(202, r#"{"nextExpectedRanges":["500000-655459"]}"#))
            .unwrap();
        let last = upload.next_request(&content).unwrap().unwrap();
        assert_eq!(range(&last), "bytes 500000-655459/655460");
        assert_eq!(last.body().len(), 155_460);
        let done = upload
            .read_response(answer(201, r#"{"id":"item-1","size":655460}"#))
            .unwrap();
        assert_eq!(
            done,
            Step::Done(Uploaded {
                item: Some(Item {
                    id: "item-1".into(),
                    size: 655_460
                }),
                location: None,
            })
        );
        assert!(
            upload.next_request(&[0; 3]).is_err(),
            "the content must be the upload's"
        );
    }

    #[test]
    fn a_small_file_is_one_slice_and_a_failed_slice_resumes_from_the_status() {
        let content = b"hello".to_vec();
        let mut upload = Upload::<Item>::new(URL, content.len()).unwrap();
        let only = upload.next_request(&content).unwrap().unwrap();
        assert_eq!(range(&only), "bytes 0-4/5");
        let error = upload.read_response(answer(500, "")).unwrap_err();
        assert!(matches!(error, Error::Service(_)));
        let status = upload.status_request().unwrap();
        assert_eq!(status.method(), "GET");
        upload
            .read_status(answer(
                200,
                r#"{"expirationDateTime":"2026-12-04T00:00:00Z","nextExpectedRanges":["2-"]}"#,
            ))
            .unwrap();
        assert_eq!(upload.sent(), 2);
        assert_eq!(
            range(&upload.next_request(&content).unwrap().unwrap()),
            "bytes 2-4/5"
        );
        upload
            .read_status(answer(200, r#"{"nextExpectedRanges":[]}"#))
            .unwrap();
        assert!(upload.next_request(&content).unwrap().is_none());
        assert!(
            upload
                .read_status(answer(200, r#"{"nextExpectedRanges":["x-"]}"#))
                .is_err()
        );
        assert_eq!(upload.cancel_request().unwrap().method(), "DELETE");
    }

    #[test]
    fn an_attachment_upload_ends_with_its_location_and_no_body() {
        let mut upload = Upload::<Item>::for_session(Some(URL), 5).unwrap();
        upload.next_request(b"hello").unwrap().unwrap();
        let created = http::Response::builder()
            .status(201)
            .header("location", "https://outlook.example/attachments('a1')")
            .body(Vec::new())
            .unwrap();
        assert_eq!(
            upload.read_response(created).unwrap(),
            Step::Done(Uploaded {
                item: None,
                location: Some("https://outlook.example/attachments('a1')".into()),
            })
        );
        // A session without an upload URL is no session to upload to.
        let error = Upload::<Item>::for_session(None, 5).unwrap_err();
        assert!(error.to_string().contains("uploadUrl"), "{error}");
    }
}
