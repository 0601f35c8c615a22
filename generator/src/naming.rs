//! The one place that turns CSDL names into Rust identifiers.
//!
//! Every identifier in the generated code comes from here, so the rules (casing, keywords,
//! collisions) hold everywhere. Functions return the identifier text; whether serde needs a
//! `rename` is decided by comparing it with the wire name.

use std::collections::HashSet;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Words that cannot be plain identifiers (strict and reserved keywords of edition 2024).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot even be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// A Rust identifier, kept as text; `r#` is added when it is a keyword.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RustName(String);

impl RustName {
    /// Wraps text that is already a valid identifier (made by this module's functions).
    pub(crate) fn new(text: String) -> RustName {
        RustName(text)
    }

    /// The identifier without any `r#` prefix.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The identifier as a token (raw if it is a keyword).
    pub fn ident(&self) -> Ident {
        if KEYWORDS.contains(&self.0.as_str()) {
            Ident::new_raw(&self.0, Span::call_site())
        } else {
            Ident::new(&self.0, Span::call_site())
        }
    }

    /// The same name with a suffix.
    pub fn with_suffix(&self, suffix: &str) -> RustName {
        RustName(format!("{}{suffix}", self.0))
    }
}

impl std::fmt::Display for RustName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Makes `text` a usable identifier: non-identifier characters become `_`, a leading digit gets
/// a `_` prefix, and keywords that cannot be raw get a `_` suffix.
fn sanitize(text: String, fallback: &str) -> RustName {
    let mut cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '_') {
        cleaned = fallback.to_string();
    }
    if cleaned.starts_with(|c: char| c.is_ascii_digit()) {
        cleaned.insert(0, '_');
    }
    if NOT_RAW.contains(&cleaned.as_str()) {
        cleaned.push('_');
    }
    RustName(cleaned)
}

/// Whether `text` can be used as a name as it is: letters, digits and `_`, not starting with a
/// digit, and not a keyword.
pub fn is_plain_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && text != "_"
        && !KEYWORDS.contains(&text)
}

/// The name of a struct, enum or union for a CSDL type: `groupAssignmentTarget` ->
/// `GroupAssignmentTarget`.
pub fn type_name(csdl_name: &str) -> RustName {
    sanitize(csdl_name.to_upper_camel_case(), "Type")
}

/// The name of an enum variant for an enum member: `notApplicable` -> `NotApplicable`.
pub fn variant_name(csdl_name: &str) -> RustName {
    sanitize(csdl_name.to_upper_camel_case(), "Value")
}

/// The name of a field, method or parameter: `groupId` -> `group_id`, `type` -> `r#type`.
pub fn member_name(csdl_name: &str) -> RustName {
    sanitize(csdl_name.to_snake_case(), "value")
}

/// The name of a module: `microsoft.graph.callRecords` relative to `microsoft.graph` ->
/// `call_records`.
pub fn module_name(segment: &str) -> RustName {
    sanitize(segment.to_snake_case(), "module")
}

/// The file name (without `.rs`) for an item.
pub fn file_name(item: &RustName) -> String {
    item.as_str().to_snake_case()
}

/// Hands out names that are unique within one scope (a module, a struct's fields, an impl's
/// methods). The first claim of a name wins; later claims get `2`, `3`, ... appended. Claims are
/// made in a fixed order, so the result is deterministic.
#[derive(Debug, Default)]
pub struct Scope {
    taken: HashSet<String>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// A scope where `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Scope {
            taken: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Takes `name` without handing it out (a name something else already uses).
    pub fn reserve(&mut self, name: &RustName) {
        self.taken.insert(name.0.clone());
    }

    /// Whether `name` is still free.
    pub fn is_free(&self, name: &RustName) -> bool {
        !self.taken.contains(&name.0)
    }

    /// Claims `name`, or the first free numbered variant of it.
    pub fn claim(&mut self, name: RustName) -> RustName {
        if self.taken.insert(name.0.clone()) {
            return name;
        }
        let separator = if name.0.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        (2..)
            .map(|n| name.with_suffix(&format!("{separator}{n}")))
            .find(|candidate| self.taken.insert(candidate.0.clone()))
            .expect("an unbounded range always yields a free name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_real_graph_identifiers() {
        let cases = [
            (
                "managedDeviceMobileAppConfigurationAssignment",
                "ManagedDeviceMobileAppConfigurationAssignment",
            ),
            (
                "allLicensedUsersAssignmentTarget",
                "AllLicensedUsersAssignmentTarget",
            ),
            ("iosMobileAppConfiguration", "IosMobileAppConfiguration"),
            ("self", "Self_"),
            ("3dModel", "_3dModel"),
        ];
        for (input, expected) in cases {
            assert_eq!(type_name(input).as_str(), expected, "type name of {input}");
        }
        let members = [
            ("groupId", "group_id", "group_id"),
            ("type", "type", "r#type"),
            ("self", "self_", "self_"),
            (
                "microsoftStoreForBusinessLastCompletedApplicationSyncTime",
                "microsoft_store_for_business_last_completed_application_sync_time",
                "microsoft_store_for_business_last_completed_application_sync_time",
            ),
            ("@odata.type", "odata_type", "odata_type"),
            ("final", "final", "r#final"),
        ];
        for (input, text, token) in members {
            let name = member_name(input);
            assert_eq!(name.as_str(), text, "member name of {input}");
            assert_eq!(name.ident().to_string(), token, "token of {input}");
        }
    }

    #[test]
    fn scopes_number_later_claims() {
        let mut scope = Scope::with_reserved(&["get"]);
        assert_eq!(scope.claim(member_name("get")).as_str(), "get2");
        assert_eq!(
            scope.claim(member_name("remoteControlSoftware")).as_str(),
            "remote_control_software"
        );
        assert_eq!(
            scope.claim(member_name("remote_Control_Software")).as_str(),
            "remote_control_software2"
        );
        assert_eq!(scope.claim(member_name("v2")).as_str(), "v2");
        assert_eq!(scope.claim(member_name("v2")).as_str(), "v2_2");
    }
}
