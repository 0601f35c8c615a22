//! Request URLs: resource paths, key encoding and OData literals.

use std::fmt::Write as _;
use std::sync::Arc;

use crate::Error;

/// Where a request goes: the base URL and the path segments below it.
/// Builders carry one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePath {
    base_url: Arc<str>,
    segments: Vec<Segment>,
}

/// One step below the base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// A CSDL identifier (navigation property, entity set, singleton, bound
    /// operation name), written as is.
    Static(&'static str),
    /// The key of one item of the collection named by the segment before it.
    Key {
        /// The collection's name on the wire, for error messages.
        collection: &'static str,
        key: String,
    },
    /// A function call with its arguments, already OData literals.
    Function {
        name: &'static str,
        args: Vec<(&'static str, String)>,
    },
    /// An argument that could not be serialized; the message of its error.
    Invalid(String),
}

/// A request builder: made from the path it addresses and, for a collection, the name under
/// which a key of it is reported (an item builder ignores the name).
pub(crate) trait Builder {
    /// The builder for `path`.
    fn at(path: ResourcePath, name: &'static str) -> Self;
}

// The constructors are used by generated code, which may not need every one.
#[allow(dead_code)]
impl ResourcePath {
    /// The path of the service root at `base_url` (which has no trailing `/`).
    pub(crate) fn new(base_url: Arc<str>) -> Self {
        ResourcePath {
            base_url,
            segments: Vec::new(),
        }
    }

    /// The member of the collection this path ends at (named `collection`) addressed by a
    /// composite key: `collection(a='x',b=2)` in place of the collection's segment. Each part
    /// is an OData literal (or the error of serializing it).
    pub(crate) fn key_parts(
        &self,
        collection: &'static str,
        parts: impl IntoIterator<Item = (&'static str, Result<String, serde_json::Error>)>,
    ) -> Self {
        let mut path = self.clone();
        if matches!(path.segments.last(), Some(Segment::Static(name)) if *name == collection) {
            path.segments.pop();
        }
        path.function_call(collection, parts)
    }

    /// This path with `name` (a CSDL identifier, safe in a URL) appended.
    pub(crate) fn segment(&self, name: &'static str) -> Self {
        self.with(Segment::Static(name))
    }

    /// This path with a structural property appended (`Ok`: its name), or an invalid segment
    /// whose message (`Err`) the request reports when it is built.
    pub(crate) fn property(&self, name: Result<&'static str, String>) -> Self {
        match name {
            Ok(name) => self.segment(name),
            Err(message) => self.with(Segment::Invalid(message)),
        }
    }

    /// The builder for `name` (a navigation property or `$ref`) below this path.
    pub(crate) fn navigate<B: Builder>(&self, name: &'static str) -> B {
        B::at(self.segment(name), name)
    }

    /// The builder for the type-cast segment `type_name` below this path, whose keys are still
    /// those of `collection`.
    pub(crate) fn cast<B: Builder>(&self, type_name: &'static str, collection: &'static str) -> B {
        B::at(self.segment(type_name), collection)
    }

    /// This path with the key of one item of `collection` appended. The path
    /// must already end with the collection's own segment.
    pub(crate) fn key(&self, collection: &'static str, key: String) -> Self {
        self.with(Segment::Key { collection, key })
    }

    /// This path with a call of the function `name` appended. Each argument is
    /// an OData literal, or the error that kept it from being one.
    pub(crate) fn function_call(
        &self,
        name: &'static str,
        args: impl IntoIterator<Item = (&'static str, Result<String, serde_json::Error>)>,
    ) -> Self {
        let mut literals = Vec::new();
        for (arg, literal) in args {
            match literal {
                Ok(literal) => literals.push((arg, literal)),
                Err(error) => return self.with(Segment::Invalid(error.to_string())),
            }
        }
        self.with(Segment::Function {
            name,
            args: literals,
        })
    }

    fn with(&self, segment: Segment) -> Self {
        let mut segments = Vec::with_capacity(self.segments.len() + 1);
        segments.extend_from_slice(&self.segments);
        segments.push(segment);
        ResourcePath {
            base_url: Arc::clone(&self.base_url),
            segments,
        }
    }

    /// The service root this path starts from (no trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The absolute URL, percent-encoded.
    ///
    /// # Errors
    ///
    /// [`Error::EmptyKey`] when a key is empty, and [`Error::Serialize`] when
    /// a function argument could not be serialized.
    pub fn to_url(&self) -> Result<String, Error> {
        let mut url = String::from(&*self.base_url);
        for segment in &self.segments {
            url.push('/');
            match segment {
                Segment::Static(name) => url.push_str(name),
                Segment::Key { collection, key } => {
                    if key.is_empty() {
                        return Err(Error::EmptyKey { collection });
                    }
                    push_key(&mut url, key);
                }
                Segment::Function { name, args } => {
                    url.push_str(name);
                    url.push('(');
                    for (index, (arg, literal)) in args.iter().enumerate() {
                        if index > 0 {
                            url.push(',');
                        }
                        url.push_str(arg);
                        url.push('=');
                        push_encoded(&mut url, literal, |byte| byte == b'\'');
                    }
                    url.push(')');
                }
                Segment::Invalid(message) => {
                    return Err(Error::Serialize(
                        <serde_json::Error as serde::ser::Error>::custom(message),
                    ));
                }
            }
        }
        Ok(url)
    }
}

impl ResourcePath {
    /// The path below the service root with every value left out: keys as `{key}` and
    /// function arguments as `{name}` (`/users/{key}/reminderView(StartDateTime={StartDateTime})`).
    /// What logs and traces may name, since keys and arguments can be personal data.
    pub fn template(&self) -> String {
        let mut template = String::new();
        for segment in &self.segments {
            template.push('/');
            match segment {
                Segment::Static(name) => template.push_str(name),
                Segment::Key { .. } => template.push_str("{key}"),
                Segment::Function { name, args } => {
                    template.push_str(name);
                    template.push('(');
                    for (index, (arg, _)) in args.iter().enumerate() {
                        if index > 0 {
                            template.push(',');
                        }
                        let _ = write!(template, "{arg}={{{arg}}}");
                    }
                    template.push(')');
                }
                Segment::Invalid(_) => template.push_str("{invalid}"),
            }
        }
        template
    }
}

/// Appends a key as exactly one path segment. `.` and `..` have their dots
/// encoded so that no client treats them as relative steps.
fn push_key(url: &mut String, key: &str) {
    if key == "." || key == ".." {
        for _ in 0..key.len() {
            url.push_str("%2E");
        }
    } else {
        push_encoded(url, key, |_| false);
    }
}

/// Appends `text` percent-encoded: every byte of its UTF-8 except the
/// unreserved characters (`A-Z a-z 0-9 - . _ ~`) and the bytes `keep`
/// accepts is written as `%XX`.
pub(crate) fn push_encoded(url: &mut String, text: &str, keep: impl Fn(u8) -> bool) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') || keep(byte) {
            url.push(char::from(byte));
        } else {
            // Writing to a `String` cannot fail.
            let _ = write!(url, "%{byte:02X}");
        }
    }
}

/// Formats a value as an OData URL literal (for function parameters).
///
/// The literal is not percent-encoded; the request path does that.
pub trait ODataLiteral {
    /// The value as an OData literal, for example `'it''s'`, `42` or `true`.
    fn to_odata_literal(&self) -> String;
}

/// A string literal: the text between single quotes, each `'` doubled.
impl ODataLiteral for str {
    fn to_odata_literal(&self) -> String {
        let mut literal = String::with_capacity(self.len() + 2);
        literal.push('\'');
        for c in self.chars() {
            if c == '\'' {
                literal.push('\'');
            }
            literal.push(c);
        }
        literal.push('\'');
        literal
    }
}

/// A string literal, as for `str`.
impl ODataLiteral for String {
    fn to_odata_literal(&self) -> String {
        self.as_str().to_odata_literal()
    }
}

/// The literal of the referenced value.
impl<T: ODataLiteral + ?Sized> ODataLiteral for &T {
    fn to_odata_literal(&self) -> String {
        (**self).to_odata_literal()
    }
}

/// An enum literal as OData 4.0 requires it: the enum type's qualified name, then the member
/// (or the comma-separated members of a flags value) as a string, `ns.color'red'`.
pub(crate) fn enum_literal(enum_type: &str, members: &str) -> String {
    format!("{enum_type}{}", members.to_odata_literal())
}

/// `true` or `false`.
impl ODataLiteral for bool {
    fn to_odata_literal(&self) -> String {
        self.to_string()
    }
}

macro_rules! integer_literals {
    ($($ty:ty),*) => {$(
        /// The number in decimal.
        impl ODataLiteral for $ty {
            fn to_odata_literal(&self) -> String {
                self.to_string()
            }
        }
    )*};
}

integer_literals!(i8, i16, i32, i64, u8);

macro_rules! float_literals {
    ($($ty:ty),*) => {$(
        /// The shortest text that reads back as the same number, always with a
        /// fraction or an exponent (`1.0`, `0.5`, `1e300`); `NaN`, `INF` and
        /// `-INF` for the values that are not finite.
        impl ODataLiteral for $ty {
            fn to_odata_literal(&self) -> String {
                if self.is_nan() {
                    String::from("NaN")
                } else if self.is_infinite() {
                    String::from(if *self > 0.0 { "INF" } else { "-INF" })
                } else {
                    format!("{self:?}")
                }
            }
        }
    )*};
}

float_literals!(f32, f64);

/// `null` for `None`, else the literal of the value.
impl<T: ODataLiteral> ODataLiteral for Option<T> {
    fn to_odata_literal(&self) -> String {
        match self {
            Some(value) => value.to_odata_literal(),
            None => String::from("null"),
        }
    }
}

/// A value as JSON, the literal form of complex and collection parameters.
#[allow(dead_code)]
pub(crate) fn json_literal<T: serde::Serialize + ?Sized>(
    value: &T,
) -> Result<String, serde_json::Error> {
    serde_json::to_string(value)
}

#[cfg(all(test, msgraph_runtime))]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn templates_leave_out_keys_and_arguments() {
        let path = root()
            .segment("users")
            .key("users", "ada@example.com".to_string())
            .function_call(
                "reminderView",
                [
                    ("StartDateTime", Ok("2024-01-01".to_string())),
                    ("EndDateTime", Ok("2024-02-01".to_string())),
                ],
            );
        assert_eq!(
            path.template(),
            "/users/{key}/reminderView(StartDateTime={StartDateTime},EndDateTime={EndDateTime})"
        );
        assert_eq!(root().template(), "");
    }

    fn root() -> ResourcePath {
        ResourcePath::new(Arc::from("https://graph.microsoft.com/v1.0"))
    }

    fn key_url(key: &str) -> String {
        root()
            .segment("users")
            .key("users", key.to_string())
            .to_url()
            .unwrap()
    }

    const USERS: &str = "https://graph.microsoft.com/v1.0/users/";

    #[test]
    fn root_and_segments() {
        assert_eq!(root().to_url().unwrap(), "https://graph.microsoft.com/v1.0");
        assert_eq!(
            root()
                .segment("deviceAppManagement")
                .segment("managedAppPolicies")
                .to_url()
                .unwrap(),
            "https://graph.microsoft.com/v1.0/deviceAppManagement/managedAppPolicies"
        );
    }

    #[test]
    fn segment_does_not_change_the_original() {
        let base = root().segment("me");
        let child = base.segment("messages");
        assert_eq!(
            base.to_url().unwrap(),
            "https://graph.microsoft.com/v1.0/me"
        );
        assert_eq!(
            child.to_url().unwrap(),
            "https://graph.microsoft.com/v1.0/me/messages"
        );
        assert_ne!(base, child);
        assert_eq!(child, root().segment("me").segment("messages"));
    }

    #[test]
    fn keys_are_one_encoded_segment() {
        assert_eq!(key_url("a/b?c#d e"), format!("{USERS}a%2Fb%3Fc%23d%20e"));
        assert_eq!(key_url("x.y"), format!("{USERS}x.y"));
        assert_eq!(key_url("é"), format!("{USERS}%C3%A9"));
        assert_eq!(
            key_url("AZaz09-._~"),
            format!("{USERS}AZaz09-._~"),
            "unreserved characters stay"
        );
        assert_eq!(
            key_url("it's (1)+2=3&%,;:@!$*"),
            format!("{USERS}it%27s%20%281%29%2B2%3D3%26%25%2C%3B%3A%40%21%24%2A")
        );
        assert_eq!(key_url("a\\b\n"), format!("{USERS}a%5Cb%0A"));
        assert_eq!(key_url("日本"), format!("{USERS}%E6%97%A5%E6%9C%AC"));
        assert_eq!(key_url("😀"), format!("{USERS}%F0%9F%98%80"));
    }

    #[test]
    fn dot_keys_are_encoded() {
        assert_eq!(key_url("."), format!("{USERS}%2E"));
        assert_eq!(key_url(".."), format!("{USERS}%2E%2E"));
        assert_eq!(key_url("..."), format!("{USERS}..."));
        assert_eq!(key_url(".a"), format!("{USERS}.a"));
    }

    #[test]
    fn key_then_more_segments() {
        let url = root()
            .segment("users")
            .key("users", "u 1".into())
            .segment("messages")
            .key("messages", "m/2".into())
            .segment("attachments")
            .to_url()
            .unwrap();
        assert_eq!(
            url,
            "https://graph.microsoft.com/v1.0/users/u%201/messages/m%2F2/attachments"
        );
    }

    #[test]
    fn empty_key_names_the_collection() {
        let path = root()
            .segment("deviceAppManagement")
            .segment("assignments")
            .key("assignments", String::new());
        match path.to_url() {
            Err(Error::EmptyKey { collection }) => assert_eq!(collection, "assignments"),
            other => panic!("unexpected {other:?}"),
        }
        // The first failing segment is reported.
        let path = root()
            .segment("users")
            .key("users", String::new())
            .segment("messages")
            .key("messages", String::new());
        assert!(matches!(
            path.to_url(),
            Err(Error::EmptyKey {
                collection: "users"
            })
        ));
    }

    #[test]
    fn function_without_arguments() {
        let url = root()
            .segment("me")
            .function_call("getMemberGroups", vec![])
            .to_url()
            .unwrap();
        assert_eq!(url, "https://graph.microsoft.com/v1.0/me/getMemberGroups()");
    }

    #[test]
    fn function_arguments_are_literals_encoded() {
        let url = root()
            .segment("reports")
            .function_call(
                "getReport",
                vec![
                    ("period", Ok("D7".to_odata_literal())),
                    ("top", Ok(5i32.to_odata_literal())),
                    ("flag", Ok(true.to_odata_literal())),
                ],
            )
            .to_url()
            .unwrap();
        assert_eq!(
            url,
            "https://graph.microsoft.com/v1.0/reports/getReport(period='D7',top=5,flag=true)"
        );
    }

    #[test]
    fn function_literal_encoding() {
        let url = root()
            .function_call(
                "f",
                vec![("s", Ok("it's a/b,(c)=d&e#f?g".to_odata_literal()))],
            )
            .to_url()
            .unwrap();
        assert_eq!(
            url,
            "https://graph.microsoft.com/v1.0/f(s='it''s%20a%2Fb%2C%28c%29%3Dd%26e%23f%3Fg')"
        );
        let url = root()
            .function_call("f", vec![("s", Ok("é~".to_odata_literal()))])
            .to_url()
            .unwrap();
        assert_eq!(url, "https://graph.microsoft.com/v1.0/f(s='%C3%A9~')");
    }

    #[test]
    fn function_json_arguments() {
        let url = root()
            .function_call(
                "f",
                vec![
                    ("ids", json_literal(&["a", "b c"])),
                    ("range", json_literal(&serde_json::json!({"start": 1}))),
                ],
            )
            .to_url()
            .unwrap();
        assert_eq!(
            url,
            "https://graph.microsoft.com/v1.0/f(ids=%5B%22a%22%2C%22b%20c%22%5D,range=%7B%22start%22%3A1%7D)"
        );
    }

    #[test]
    fn failed_argument_is_a_serialize_error() {
        // JSON object keys must be strings; a map with tuple keys fails.
        let mut map = BTreeMap::new();
        map.insert((1, 2), 3);
        let failure = json_literal(&map).unwrap_err();
        let message = failure.to_string();
        let path = root()
            .segment("me")
            .function_call("f", vec![("a", Ok("1".into())), ("m", Err(failure))])
            .segment("after");
        match path.to_url() {
            Err(Error::Serialize(error)) => assert_eq!(error.to_string(), message),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn string_literals() {
        assert_eq!("abc".to_odata_literal(), "'abc'");
        assert_eq!("".to_odata_literal(), "''");
        assert_eq!("it's".to_odata_literal(), "'it''s'");
        assert_eq!("''".to_odata_literal(), "''''''");
        assert_eq!(String::from("é'").to_odata_literal(), "'é'''");
        assert_eq!((&"x").to_odata_literal(), "'x'");
        assert_eq!((&&String::from("y")).to_odata_literal(), "'y'");
    }

    #[test]
    fn bool_and_integer_literals() {
        assert_eq!(true.to_odata_literal(), "true");
        assert_eq!(false.to_odata_literal(), "false");
        assert_eq!((-8i8).to_odata_literal(), "-8");
        assert_eq!(i16::MIN.to_odata_literal(), "-32768");
        assert_eq!(42i32.to_odata_literal(), "42");
        assert_eq!(i64::MAX.to_odata_literal(), "9223372036854775807");
        assert_eq!(255u8.to_odata_literal(), "255");
    }

    #[test]
    fn float_literals() {
        assert_eq!(1.0f64.to_odata_literal(), "1.0");
        assert_eq!(0.1f64.to_odata_literal(), "0.1");
        assert_eq!((-2.5f64).to_odata_literal(), "-2.5");
        assert_eq!(0.0f64.to_odata_literal(), "0.0");
        assert_eq!((-0.0f64).to_odata_literal(), "-0.0");
        assert_eq!(1e300f64.to_odata_literal(), "1e300");
        assert_eq!(1.5e-7f64.to_odata_literal(), "1.5e-7");
        assert_eq!(f64::NAN.to_odata_literal(), "NaN");
        assert_eq!(f64::INFINITY.to_odata_literal(), "INF");
        assert_eq!(f64::NEG_INFINITY.to_odata_literal(), "-INF");
        assert_eq!(0.1f32.to_odata_literal(), "0.1");
        assert_eq!(3.0f32.to_odata_literal(), "3.0");
        assert_eq!(f32::NAN.to_odata_literal(), "NaN");
        assert_eq!(f32::INFINITY.to_odata_literal(), "INF");
        assert_eq!(f32::NEG_INFINITY.to_odata_literal(), "-INF");
        for value in [0.1f64, 1.0 / 3.0, 1e300, 1.5e-7, 123456789.125, -0.0] {
            let literal = value.to_odata_literal();
            assert_eq!(literal.parse::<f64>().unwrap().to_bits(), value.to_bits());
        }
        // Every finite literal is visibly a floating-point number.
        for value in [1.0f64, 100.0, 1e16, 1e17, 1e-5, 2e-5] {
            let literal = value.to_odata_literal();
            assert!(literal.contains(['.', 'e']), "{literal}");
        }
        // A literal in a path stays readable.
        let url = root()
            .function_call("f", vec![("x", Ok((-1.5e-7f64).to_odata_literal()))])
            .to_url()
            .unwrap();
        assert_eq!(url, "https://graph.microsoft.com/v1.0/f(x=-1.5e-7)");
    }

    #[test]
    fn option_literals() {
        assert_eq!(None::<i32>.to_odata_literal(), "null");
        assert_eq!(Some(3i32).to_odata_literal(), "3");
        assert_eq!(Some("a'b").to_odata_literal(), "'a''b'");
        assert_eq!(None::<String>.to_odata_literal(), "null");
    }

    #[test]
    fn json_literal_formats() {
        assert_eq!(json_literal("a\"b").unwrap(), r#""a\"b""#);
        assert_eq!(json_literal(&[1, 2]).unwrap(), "[1,2]");
        assert_eq!(json_literal(&Vec::<String>::new()).unwrap(), "[]");
    }
}
