//! Reading the answer: the typed result, or the service's error; primitive answers come as `{"value": ...}`.

use super::*;

impl<T: DeserializeOwned> Operation<T> {
    /// Reads the service's answer.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] when the status is outside 2xx (with the service's
    /// error when the body is one), [`Error::EmptyBody`] when a 2xx body that
    /// should hold the result is empty, and [`Error::Deserialize`] when it
    /// does not parse.
    pub fn parse_response<B: AsRef<[u8]>>(&self, response: http::Response<B>) -> Result<T, Error> {
        let (parts, body) = response.into_parts();
        let status = parts.status;
        let body = body.as_ref();
        if !status.is_success() {
            return Err(Error::service(status, parts.headers, body.to_vec()));
        }
        let deserialize = |source| Error::Deserialize { status, source };
        match self.parts.shape {
            ResponseShape::Empty => T::deserialize(serde_json::Value::Null).map_err(deserialize),
            ResponseShape::Content => {
                T::deserialize(serde::de::value::BytesDeserializer::<serde_json::Error>::new(body))
                    .map_err(deserialize)
            }
            // Read from the status and headers, as `parse_accepted` reads them.
            ResponseShape::Accepted => {
                let accepted = self.parse_accepted(http::Response::from_parts(parts, body))?;
                crate::monitor::as_result(accepted).map_err(deserialize)
            }
            ResponseShape::Json | ResponseShape::Value
                if body.iter().all(u8::is_ascii_whitespace) =>
            {
                Err(Error::EmptyBody { status })
            }
            ResponseShape::Json => serde_json::from_slice(body).map_err(deserialize),
            ResponseShape::Value => serde_json::from_slice::<ValueBody<T>>(body)
                .map(|wrapper| wrapper.value)
                .map_err(deserialize),
            ResponseShape::Count => {
                let text = String::from_utf8_lossy(body);
                let count = text.trim().trim_start_matches('\u{feff}');
                match count.parse::<u64>() {
                    Ok(count) => {
                        T::deserialize(serde_json::Value::from(count)).map_err(deserialize)
                    }
                    Err(_) if count.is_empty() => Err(Error::EmptyBody { status }),
                    Err(_) => Err(deserialize(
                        <serde_json::Error as serde::de::Error>::custom(format!(
                            "expected a count as plain text, found `{count}`"
                        )),
                    )),
                }
            }
        }
    }
}

impl<T: DeserializeOwned> Operation<T> {
    /// Reads an answer that may have no body: `None` for `204 No Content` (or an empty 2xx
    /// body), for example the usual answer to `PATCH` when the service does not send the entity
    /// back. Otherwise as [`Operation::parse_response`].
    ///
    /// # Errors
    ///
    /// As [`Operation::parse_response`], except [`Error::EmptyBody`].
    pub fn parse_optional_response<B: AsRef<[u8]>>(
        &self,
        response: http::Response<B>,
    ) -> Result<Option<T>, Error> {
        let no_content = response.status().is_success()
            && response.body().as_ref().iter().all(u8::is_ascii_whitespace);
        let bodiless = matches!(
            self.parts.shape,
            ResponseShape::Empty | ResponseShape::Accepted
        );
        if no_content && !bodiless {
            return Ok(None);
        }
        self.parse_response(response).map(Some)
    }

    /// How the answer's body is read.
    #[allow(dead_code)]
    pub(crate) fn shape(&self) -> ResponseShape {
        self.parts.shape
    }
}

/// A body of the form `{"value": ...}`.
#[derive(Deserialize)]
struct ValueBody<T> {
    value: T,
}
