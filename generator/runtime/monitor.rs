//! Long-running operations: a request the service accepts (`202 Accepted`) and carries out in
//! the background, with a `Location` to ask how far it is (a drive item's `copy`, a team's
//! `clone` or `archive`, ...).
//!
//! Sans-IO: [`Operation::parse_accepted`] reads the `202` into an [`Accepted`];
//! [`Accepted::poll_request`] is the request that asks, [`Progress::from_response`] reads its
//! answer (running, with a percentage; succeeded, with the created resource; or failed, with
//! the error), and [`Accepted::next_wait`] says how long to wait before asking again. The
//! transport's `Client::start` and `Client::wait_for` do the loop.
//!
//! A monitor URL inside the service root (Microsoft Teams' `/teams('id')/operations('id')`) is
//! asked with the caller's token; one outside it (a drive's copy monitor, on another host, which
//! the service makes pre-authenticated) never gets it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::error::retry_after;
use crate::operation::Operation;

/// How long to wait between two questions when the service does not say (`Retry-After`).
const DEFAULT_WAIT: Duration = Duration::from_secs(1);

/// A request the service accepted and carries out in the background.
///
/// It is what a generated long-running action's operation reads (`client.send(&op)`), and what
/// [`Operation::parse_accepted`] reads of any `202`. It can be stored to ask later (serde:
/// `{"location": ..., "retryAfterMs": ...}`). Whether the monitor gets the caller's token is
/// not stored: an answer read from the service decides it by the request's service root, and a
/// stored value read back gets it only for a monitor inside a Microsoft Graph service root
/// (`https://graph.microsoft.com/v1.0` or `/beta`, or a national cloud's), so no stored text
/// can send the token elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    location: String,
    sends_token: bool,
    retry_after: Option<Duration>,
}

/// What is stored of an [`Accepted`].
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after_ms: Option<u64>,
}

std::thread_local! {
    /// An [`Accepted`] read from an answer, handed to the result type of an operation that reads
    /// its answer as one (`ResponseShape::Accepted`) without going through text.
    static READ: std::cell::RefCell<Option<Accepted>> = const { std::cell::RefCell::new(None) };
}

/// `accepted` as the result `T` of an operation whose answer is read as an [`Accepted`] (a
/// generated long-running action's, whose `T` is `Accepted`).
pub(crate) fn as_result<T: serde::de::DeserializeOwned>(
    accepted: Accepted,
) -> Result<T, serde_json::Error> {
    READ.with(|slot| *slot.borrow_mut() = Some(accepted));
    let result = T::deserialize(serde_json::Value::Null);
    // Taken by `Accepted::deserialize`; cleared in any case.
    READ.with(|slot| slot.borrow_mut().take());
    result
}

impl Serialize for Accepted {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Stored {
            location: self.location.clone(),
            retry_after_ms: self
                .retry_after
                .map(|wait| u64::try_from(wait.as_millis()).unwrap_or(u64::MAX)),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Accepted {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if let Some(read) = READ.with(|slot| slot.borrow_mut().take()) {
            return Ok(read);
        }
        let stored = Stored::deserialize(deserializer)?;
        Ok(Accepted {
            sends_token: in_graph(&stored.location),
            location: stored.location,
            retry_after: stored.retry_after_ms.map(Duration::from_millis),
        })
    }
}

/// Whether `location` is inside a Microsoft Graph service root (any cloud, `v1.0` or `beta`).
fn in_graph(location: &str) -> bool {
    use crate::graph::{Cloud, Version};
    [
        Cloud::Global,
        Cloud::UsGovL4,
        Cloud::UsGovL5Dod,
        Cloud::China,
    ]
    .into_iter()
    .flat_map(|cloud| {
        [Version::V1, Version::Beta]
            .map(|version| format!("{}/{}", cloud.service_root(), version.segment()))
    })
    .any(|root| crate::operation::is_inside(location, &root))
}

impl<T> Operation<T> {
    /// Reads the answer to this request as an accepted long-running operation: `202 Accepted`
    /// with a `Location` (absolute, or relative to the service root's host).
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for an answer outside 2xx, and [`Error::NotAccepted`] for another
    /// 2xx or a `202` without a usable `Location`.
    pub fn parse_accepted<B: AsRef<[u8]>>(
        &self,
        response: http::Response<B>,
    ) -> Result<Accepted, Error> {
        let status = response.status();
        if !status.is_success() {
            let (parts, body) = response.into_parts();
            return Err(Error::service(
                status,
                parts.headers,
                body.as_ref().to_vec(),
            ));
        }
        let location = response
            .headers()
            .get(http::header::LOCATION)
            .and_then(|value| value.to_str().ok());
        let (Some(location), true) = (location, status == http::StatusCode::ACCEPTED) else {
            return Err(Error::NotAccepted {
                status: status.as_u16(),
            });
        };
        let root = self.path().base_url();
        let location = resolve(root, location).ok_or(Error::NotAccepted {
            status: status.as_u16(),
        })?;
        Ok(Accepted {
            sends_token: crate::operation::is_inside(&location, root),
            location,
            retry_after: retry_after(response.headers()),
        })
    }
}

impl Accepted {
    /// The monitor URL, absolute.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Whether the monitor is inside the service root, and so is asked with the caller's token.
    pub fn sends_token(&self) -> bool {
        self.sends_token
    }

    /// How long the service asked to wait before the first question (`Retry-After`), if it
    /// said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The request that asks how far the operation is: a `GET` of the monitor URL, without
    /// credentials (the transport adds the token only where [`Accepted::sends_token`]).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] when the monitor URL is not a URI.
    pub fn poll_request(&self) -> Result<http::Request<Vec<u8>>, Error> {
        http::Request::get(&self.location)
            .header(http::header::ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(|source| Error::InvalidRequest {
                url: self.location.clone(),
                source,
            })
    }

    /// How long to wait before the next question, after an answer with `response`'s headers:
    /// its `Retry-After`, else the accepted answer's, else one second.
    pub fn next_wait(&self, headers: &http::HeaderMap) -> Duration {
        retry_after(headers)
            .or(self.retry_after)
            .unwrap_or(DEFAULT_WAIT)
    }
}

/// How far a long-running operation is, as its monitor answers.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Progress {
    /// Not finished: the service's `status` (`notStarted`, `inProgress`, ...) and, where it
    /// says, the percentage done.
    Running {
        /// The status as the service wrote it.
        status: String,
        /// `percentageComplete`, from 0 to 100.
        percentage: Option<f64>,
    },
    /// Finished: what was created, where the service says.
    Succeeded(Completed),
    /// Finished without doing the work: the status (`failed`, `cancelled`, ...) and the
    /// service's message, if it gave one.
    Failed {
        /// The status as the service wrote it.
        status: String,
        /// The error's message.
        message: Option<String>,
    },
}

/// What a finished long-running operation made: `resourceId` or `targetResourceId`, and
/// `resourceLocation`, `targetResourceLocation` or a `303`'s `Location`, where the service gives
/// them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Completed {
    /// The created resource's id.
    pub resource_id: Option<String>,
    /// The created resource's URL (absolute, or relative as the service wrote it).
    pub resource_location: Option<String>,
}

/// The members of a monitor's answer that [`Progress`] reads (Graph's `asyncJobStatus` of
/// drive items and `teamsAsyncOperation` of teams alike).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    status: Option<String>,
    percentage_complete: Option<f64>,
    resource_id: Option<String>,
    target_resource_id: Option<String>,
    resource_location: Option<String>,
    target_resource_location: Option<String>,
    error: Option<StatusError>,
}

#[derive(Deserialize)]
struct StatusError {
    message: Option<String>,
}

impl Progress {
    /// Reads a monitor's answer: a `303 See Other` to the created resource, or a JSON status.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for another answer outside 2xx, [`Error::Deserialize`] for a body
    /// that is not a status.
    pub fn from_response<B: AsRef<[u8]>>(response: http::Response<B>) -> Result<Progress, Error> {
        let status = response.status();
        if status == http::StatusCode::SEE_OTHER {
            return Ok(Progress::Succeeded(Completed {
                resource_id: None,
                resource_location: response
                    .headers()
                    .get(http::header::LOCATION)
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_string),
            }));
        }
        let (status, body) = Error::unless_success(response)?;
        let read: Status = serde_json::from_slice(body.as_ref())
            .map_err(|source| Error::Deserialize { status, source })?;
        let wire = read.status.unwrap_or_default();
        Ok(match wire.as_str() {
            "completed" | "succeeded" => Progress::Succeeded(Completed {
                resource_id: read.resource_id.or(read.target_resource_id),
                resource_location: read.resource_location.or(read.target_resource_location),
            }),
            "failed" | "cancelled" | "canceled" | "deleteFailed" => Progress::Failed {
                status: wire,
                message: read.error.and_then(|error| error.message),
            },
            _ => Progress::Running {
                status: wire,
                percentage: read.percentage_complete,
            },
        })
    }
}

/// `location` as an absolute URL: as it is, or, when it starts with `/`, on the service root's
/// scheme and host (Teams answers `/teams('id')/operations('id')`, relative to the version).
fn resolve(root: &str, location: &str) -> Option<String> {
    if location.starts_with("https://") || location.starts_with("http://") {
        return Some(location.to_string());
    }
    let relative = location.strip_prefix('/')?;
    let version_root = root.trim_end_matches('/');
    // A path that already names the version stays on the host; any other, below the root.
    let (scheme, rest) = version_root.split_once("://")?;
    let host = rest.split('/').next()?;
    let version = rest[host.len()..].trim_start_matches('/');
    if !version.is_empty() && relative.starts_with(&format!("{version}/")) {
        Some(format!("{scheme}://{host}/{relative}"))
    } else {
        Some(format!("{version_root}/{relative}"))
    }
}

#[cfg(all(test, msgraph_runtime))]
mod tests {
    use super::*;
    use crate::operation::ResponseShape;
    use crate::path::ResourcePath;
    use std::sync::Arc;

    fn copy() -> Operation<()> {
        Operation::new(
            http::Method::POST,
            ResourcePath::new(Arc::from("https://graph.microsoft.com/v1.0"))
                .segment("drives")
                .segment("copy"),
            ResponseShape::Empty,
        )
    }

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Vec<u8>> {
        let mut response = http::Response::builder().status(status);
        for (name, value) in headers {
            response = response.header(*name, *value);
        }
        response.body(body.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn a_long_running_action_reads_its_answer_as_accepted() {
        let clone: Operation<Accepted> = Operation::new(
            http::Method::POST,
            ResourcePath::new(Arc::from("https://graph.microsoft.com/v1.0"))
                .segment("teams")
                .segment("t1")
                .segment("clone"),
            ResponseShape::Accepted,
        );
        let answer = || {
            answer(
                202,
                &[
                    ("location", "/teams('t2')/operations('o1')"),
                    ("retry-after", "5"),
                ],
                "",
            )
        };
        let accepted = clone.parse_response(answer()).unwrap();
        // Teams writes the monitor relative to the service root.
        assert_eq!(
            accepted.location(),
            "https://graph.microsoft.com/v1.0/teams('t2')/operations('o1')"
        );
        assert!(accepted.sends_token(), "inside the service root");
        assert_eq!(accepted.retry_after(), Some(Duration::from_secs(5)));
        // An empty body is no absent result here, and a stored value reads back the same.
        assert_eq!(
            clone.parse_optional_response(answer()).unwrap(),
            Some(accepted.clone())
        );
        // Stored and read back: a Graph monitor keeps the token, any other never gets it.
        let stored = serde_json::to_string(&accepted).unwrap();
        assert_eq!(
            stored,
            r#"{"location":"https://graph.microsoft.com/v1.0/teams('t2')/operations('o1')","retryAfterMs":5000}"#
        );
        assert_eq!(serde_json::from_str::<Accepted>(&stored).unwrap(), accepted);
        for forged in [
            r#"{"location":"https://evil.example/v1.0/x","sendsToken":true}"#,
            r#"{"location":"https://graph.microsoft.com.evil.example/v1.0/x"}"#,
            r#"{"location":"https://graph.microsoft.com/v1.0/../x"}"#,
        ] {
            let read: Accepted = serde_json::from_str(forged).unwrap();
            assert!(!read.sends_token(), "{forged}");
        }
        // Another answer is not an accepted operation; an error is the service's.
        assert!(matches!(
            clone.parse_response(answer_without_location()),
            Err(Error::NotAccepted { status: 200 })
        ));
        assert!(matches!(
            clone.parse_response(super::tests::answer(403, &[], "")),
            Err(Error::Service(_))
        ));
    }

    fn answer_without_location() -> http::Response<Vec<u8>> {
        answer(200, &[], "{}")
    }

    #[test]
    fn an_accepted_answer_gives_the_monitor_and_whether_it_gets_the_token() {
        let elsewhere = copy()
            .parse_accepted(answer(
                202,
                &[(
                    "location",
                    "https://contoso.sharepoint.com/_api/v2.0/monitor/4A3407B5",
                )],
                "",
            ))
            .unwrap();
        assert!(!elsewhere.sends_token());
        assert_eq!(elsewhere.retry_after(), None);
        let request = elsewhere.poll_request().unwrap();
        assert_eq!(request.method(), "GET");
        assert!(request.headers().get("authorization").is_none());
        let teams = copy()
            .parse_accepted(answer(
                202,
                &[
                    ("location", "/teams('t1')/operations('o1')"),
                    ("retry-after", "3"),
                ],
                "",
            ))
            .unwrap();
        assert_eq!(
            teams.location(),
            "https://graph.microsoft.com/v1.0/teams('t1')/operations('o1')"
        );
        assert!(teams.sends_token());
        assert_eq!(
            teams.next_wait(&http::HeaderMap::new()),
            Duration::from_secs(3)
        );
        let versioned = copy()
            .parse_accepted(answer(
                202,
                &[("location", "/v1.0/teams('t1')/operations('o1')")],
                "",
            ))
            .unwrap();
        assert_eq!(versioned.location(), teams.location());
    }

    #[test]
    fn other_answers_are_not_accepted() {
        assert!(matches!(
            copy().parse_accepted(answer(200, &[("location", "/x")], "")),
            Err(Error::NotAccepted { status: 200 })
        ));
        assert!(matches!(
            copy().parse_accepted(answer(202, &[], "")),
            Err(Error::NotAccepted { status: 202 })
        ));
        assert!(matches!(
            copy().parse_accepted(answer(
                409,
                &[],
                r#"{"error":{"code":"nameAlreadyExists"}}"#
            )),
            Err(Error::Service(_))
        ));
    }

    #[test]
    fn a_monitor_answer_is_running_succeeded_or_failed() {
        let running = Progress::from_response(answer(
            202,
            &[],
            r#"{"operation":"itemCopy","percentageComplete":27.8,"status":"inProgress"}"#,
        ))
        .unwrap();
        assert_eq!(
            running,
            Progress::Running {
                status: "inProgress".into(),
                percentage: Some(27.8)
            }
        );
        let done = Progress::from_response(answer(
            200,
            &[],
            r#"{"percentageComplete":100.0,"resourceId":"01OWZ","status":"completed"}"#,
        ))
        .unwrap();
        assert_eq!(
            done,
            Progress::Succeeded(Completed {
                resource_id: Some("01OWZ".into()),
                resource_location: None
            })
        );
        let team = Progress::from_response(answer(
            200,
            &[],
            r#"{"status":"succeeded","targetResourceId":"t2","targetResourceLocation":"/teams('t2')"}"#,
        ))
        .unwrap();
        assert_eq!(
            team,
            Progress::Succeeded(Completed {
                resource_id: Some("t2".into()),
                resource_location: Some("/teams('t2')".into())
            })
        );
        let redirected =
            Progress::from_response(answer(303, &[("location", "https://x/item")], ""));
        assert!(matches!(
            redirected,
            Ok(Progress::Succeeded(Completed { resource_location: Some(l), .. })) if l == "https://x/item"
        ));
        let failed = Progress::from_response(answer(
            200,
            &[],
            r#"{"status":"failed","error":{"code":"x","message":"The name is taken."}}"#,
        ))
        .unwrap();
        assert_eq!(
            failed,
            Progress::Failed {
                status: "failed".into(),
                message: Some("The name is taken.".into())
            }
        );
        assert!(matches!(
            Progress::from_response(answer(404, &[], "")),
            Err(Error::Service(_))
        ));
        assert!(matches!(
            Progress::from_response(answer(200, &[], "not json")),
            Err(Error::Deserialize { .. })
        ));
    }
}
