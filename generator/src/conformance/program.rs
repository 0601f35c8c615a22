//! The harness program: one function per distinct route, each building its operation with the
//! generated builders from the values in its input, and a `main` that runs every example of
//! its input file through its route and prints what was sent and what was read back.
//!
//! Nothing an example holds becomes code: keys, arguments and bodies are read from the input
//! file when the program runs.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::route::Reader;

/// The program's `src/main.rs` tokens, for routes given as (call, reader), indexed by case.
pub(super) fn main_rs(crate_name: &str, cases: &[(TokenStream, Reader)]) -> TokenStream {
    let krate = format_ident!("{}", crate_name.replace('-', "_"));
    let functions = cases.iter().enumerate().map(|(index, (call, reader))| {
        let name = format_ident!("case_{index}");
        let run = match reader {
            Reader::Json(_) | Reader::Nothing => quote!(run),
            Reader::Content => quote!(run_content),
        };
        quote! {
            fn #name(args: &Args) -> Result<Outcome, String> {
                Ok(#run(#call, args))
            }
        }
    });
    let arms = (0..cases.len()).map(|index| {
        let name = format_ident!("case_{index}");
        quote!(#index => #name(&args),)
    });
    quote! {
        //! The conformance harness: builds each documented request with the generated builders
        //! and reads each documented answer back (see `cargo xtask conformance`).

        use std::collections::BTreeMap;

        use #krate as krate;
        use serde::de::DeserializeOwned;
        use serde::{Deserialize, Serialize};
        use serde_json::Value;

        /// One example, as `cargo xtask conformance` writes it for this program.
        #[derive(Deserialize)]
        struct Args {
            example: usize,
            case: usize,
            arguments: Vec<String>,
            query: Vec<(String, String)>,
            body: Option<Value>,
            raw_body: String,
            content_type: String,
            status: u16,
            response: String,
            response_content_type: String,
            response_location: Option<String>,
        }

        impl Args {
            fn text(&self, index: usize) -> &str {
                &self.arguments[index]
            }

            fn parse<T: std::str::FromStr>(&self, index: usize) -> Result<T, String> {
                self.text(index)
                    .parse()
                    .map_err(|_| format!("`{}` is not a literal of the parameter's type", self.text(index)))
            }

            fn decode<T: DeserializeOwned>(&self, index: usize) -> Result<T, String> {
                serde_json::from_value(Value::String(self.text(index).to_string()))
                    .map_err(|error| format!("`{}` does not read: {error}", self.text(index)))
            }

            fn json_body<T: DeserializeOwned>(&self) -> Result<T, String> {
                let body = self.body.clone().ok_or("the request has no JSON body")?;
                serde_json::from_value(body).map_err(|error| format!("the body does not read: {error}"))
            }

            /// The body as an action's parameters: a member named like a parameter but for
            /// the letter case is renamed to it (the documentation writes some so).
            fn body_for(&self, names: &[&str]) -> Value {
                let Some(Value::Object(body)) = &self.body else {
                    return Value::Object(Default::default());
                };
                Value::Object(
                    body.iter()
                        .map(|(key, value)| {
                            let name = names
                                .iter()
                                .find(|name| name.eq_ignore_ascii_case(key))
                                .map_or(key.clone(), |name| name.to_string());
                            (name, value.clone())
                        })
                        .collect(),
                )
            }

            fn raw_body(&self) -> Vec<u8> {
                self.raw_body.as_bytes().to_vec()
            }

            fn content_type(&self) -> &str {
                &self.content_type
            }

            fn response(&self) -> http::Response<Vec<u8>> {
                let mut response = http::Response::new(self.response.as_bytes().to_vec());
                *response.status_mut() =
                    http::StatusCode::from_u16(self.status).unwrap_or(http::StatusCode::OK);
                if let Ok(value) = http::HeaderValue::from_str(&self.response_content_type) {
                    response.headers_mut().insert(http::header::CONTENT_TYPE, value);
                }
                let location = self.response_location.as_deref().map(http::HeaderValue::from_str);
                if let Some(Ok(value)) = location {
                    response.headers_mut().insert(http::header::LOCATION, value);
                }
                response
            }
        }

        /// A required parameter of an action, from its body.
        fn member<T: DeserializeOwned>(body: &Value, name: &str) -> Result<T, String> {
            let value = body
                .get(name)
                .cloned()
                .ok_or_else(|| format!("the body has no required parameter `{name}`"))?;
            serde_json::from_value(value).map_err(|error| format!("`{name}` does not read: {error}"))
        }

        /// An action's parameters: `start` with every member of `body` read in.
        fn read_parameters<T: krate::Model>(start: T, body: Value) -> Result<T, String> {
            start
                .read_json(body)
                .map_err(|error| format!("the parameters do not read: {error}"))
        }

        /// What the program did with one example.
        #[derive(Default, Serialize)]
        struct Outcome {
            example: usize,
            method: Option<String>,
            uri: Option<String>,
            headers: BTreeMap<String, String>,
            /// The body sent: JSON, else text, else absent.
            body: Option<Value>,
            build_error: Option<String>,
            /// The answer read and written back (raw content as text).
            written: Option<Value>,
            /// What the crate's types hold of the answer (`typed_json`).
            typed: Option<Value>,
            /// Whether the answer was read as raw content.
            content: bool,
            read_error: Option<String>,
        }

        /// The example's query options, typed where the operation has a typed method.
        fn with_query<T>(mut operation: krate::Operation<T>, args: &Args) -> krate::Operation<T> {
            for (name, value) in &args.query {
                operation = match (name.as_str(), value.parse::<u32>()) {
                    ("$top", Ok(count)) => operation.top(count),
                    ("$skip", Ok(count)) => operation.skip(count),
                    ("$count", _) if value == "true" => operation.count(true),
                    _ => operation.query(name, value),
                };
            }
            operation
        }

        /// Builds the request: the outcome with what would be sent, and the operation.
        fn build<T>(operation: krate::Operation<T>, args: &Args) -> (Outcome, krate::Operation<T>) {
            let operation = with_query(operation, args);
            let mut outcome = Outcome { example: args.example, ..Outcome::default() };
            match operation.to_http_request() {
                Ok(request) => {
                    outcome.method = Some(request.method().to_string());
                    outcome.uri = Some(request.uri().to_string());
                    outcome.headers = request
                        .headers()
                        .iter()
                        .map(|(name, value)| {
                            (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned())
                        })
                        .collect();
                    let body = request.body();
                    if !body.is_empty() {
                        outcome.body = Some(
                            serde_json::from_slice(body)
                                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned())),
                        );
                    }
                }
                Err(error) => outcome.build_error = Some(error.to_string()),
            }
            (outcome, operation)
        }

        /// Reads the answer as a caller that accepts an answer without a body does (the usual
        /// `204 No Content` to a `PATCH`), and writes it back.
        fn run<T: Serialize + DeserializeOwned>(operation: krate::Operation<T>, args: &Args) -> Outcome {
            let (mut outcome, operation) = build(operation, args);
            match operation.parse_optional_response(args.response()) {
                Ok(value) => match serde_json::to_value(&value) {
                    Ok(written) => {
                        outcome.written = Some(written);
                        outcome.typed = krate::typed_json(&value).ok();
                    }
                    Err(error) => outcome.read_error = Some(format!("writing back: {error}")),
                },
                Err(error) => outcome.read_error = Some(error.to_string()),
            }
            outcome
        }

        fn run_content(operation: krate::Operation<krate::Content>, args: &Args) -> Outcome {
            let (mut outcome, operation) = build(operation, args);
            outcome.content = true;
            match operation.parse_response(args.response()) {
                Ok(content) => {
                    outcome.written = Some(Value::String(String::from_utf8_lossy(&content.0).into_owned()));
                }
                Err(error) => outcome.read_error = Some(error.to_string()),
            }
            outcome
        }

        #(#functions)*

        fn main() {
            let path = std::env::args().nth(1).expect("usage: harness INPUT.json");
            let input = std::fs::read(&path).expect("the input file reads");
            let examples: Vec<Args> = serde_json::from_slice(&input).expect("the input file parses");
            for args in examples {
                let outcome = match args.case {
                    #(#arms)*
                    _ => Err(format!("no case {}", args.case)),
                };
                let outcome = outcome.unwrap_or_else(|error| Outcome {
                    example: args.example,
                    build_error: Some(error),
                    ..Outcome::default()
                });
                println!("{}", serde_json::to_string(&outcome).expect("an outcome is JSON"));
            }
        }
    }
}
