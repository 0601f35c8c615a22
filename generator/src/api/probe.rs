//! A probe: downstream code written against the old generation's API, for the compiler to check
//! against the new one. It uses every item and member of the old API that the diff does not
//! call breaking, so if it compiles against the new crate, no change the diff calls growth (or
//! no change at all) broke anything.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use quote::ToTokens;

use super::diff::Change;
use super::surface::{ItemKind, MemberKind, Surface};

/// The probe's source (`src/lib.rs` of a crate that depends on the new crate as `krate`):
/// for each struct, a function that borrows every field at its old type; for each enum and
/// union, a match on every old variant (with the wildcard arm that `#[non_exhaustive]` asks
/// for); for each method whose signature names no generic type, the method as a function
/// pointer of its old signature; for each marker trait and derive, a bound it must meet.
///
/// It is compiled with every feature on, so it checks types and signatures, not gates.
pub fn probe(old: &Surface, changes: &[Change], krate: &str) -> Probe {
    let broken_items: BTreeSet<&str> = changes
        .iter()
        .filter(|c| c.breaking && c.member.is_none())
        .map(|c| c.item.as_str())
        .collect();
    let broken_members: BTreeSet<(&str, &str)> = changes
        .iter()
        .filter(|c| c.breaking)
        .filter_map(|c| Some((c.item.as_str(), c.member.as_deref()?)))
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "//! Uses of the old API that the API diff calls unbroken; compiled against the new crate.\n\
         #![allow(dead_code, unused_imports, clippy::all)]\n\
         use std::fmt::Debug;\n\
         use std::hash::Hash;\n\
         use {krate}::*;\n\
         use {krate}::{{builder, models, requests, values}};\n"
    );
    let mut uses = 0;
    let mut skipped = 0;
    for (index, (path, item)) in old.items.iter().enumerate() {
        if broken_items.contains(path.as_str()) {
            continue;
        }
        let kept = |name: &String| !broken_members.contains(&(path.as_str(), name.as_str()));
        match item.kind {
            ItemKind::Struct => {
                let mut body = String::new();
                for (name, member) in item.members.iter().filter(|(name, _)| kept(name)) {
                    match member.kind {
                        MemberKind::Field => {
                            let field = name.trim_start_matches("field ");
                            // A closure, not a borrow, so that no deref coercion hides a change.
                            let _ = writeln!(
                                body,
                                "    let _: fn(&{path}) -> &{} = |value| &value.{field};",
                                member.signature
                            );
                            uses += 1;
                        }
                        MemberKind::Impl => {
                            body.push_str(&bound(uses, &member.signature, path));
                            uses += 1;
                        }
                        MemberKind::Method => {
                            if let Some(pointer) = pointer(path, &member.signature) {
                                let _ = writeln!(
                                    body,
                                    "    let _: {pointer} = {path}::{};",
                                    name.trim_start_matches("fn ")
                                );
                                uses += 1;
                            } else {
                                skipped += 1;
                            }
                        }
                        MemberKind::Constant => {
                            let constant = name.trim_start_matches("const ");
                            let _ = writeln!(
                                body,
                                "    let _: {} = {path}::{constant};",
                                replace_self(&member.signature, path)
                            );
                            uses += 1;
                        }
                        MemberKind::Variant => {}
                    }
                }
                let _ = writeln!(out, "pub fn item_{index}() {{\n{body}}}");
            }
            ItemKind::Enum | ItemKind::Union | ItemKind::PropertyNames => {
                let mut arms = String::new();
                let mut bounds = String::new();
                for (name, member) in item.members.iter().filter(|(name, _)| kept(name)) {
                    match member.kind {
                        MemberKind::Variant => {
                            let variant = name.trim_start_matches("variant ");
                            let pattern = if member.signature.starts_with('(') {
                                "(_)"
                            } else {
                                ""
                            };
                            let _ = writeln!(arms, "        {path}::{variant}{pattern} => {uses},");
                        }
                        MemberKind::Impl => {
                            bounds.push_str(&bound(uses, &member.signature, path));
                        }
                        MemberKind::Method => {
                            skipped += 1;
                            continue;
                        }
                        MemberKind::Field | MemberKind::Constant => continue,
                    }
                    uses += 1;
                }
                let _ = writeln!(
                    out,
                    "pub fn item_{index}(value: &{path}) -> usize {{\n{bounds}    match value {{\n{arms}        _ => usize::MAX,\n    }}\n}}"
                );
            }
            ItemKind::Builder | ItemKind::Methods => {
                let mut body = String::new();
                for (name, member) in item.members.iter().filter(|(name, _)| kept(name)) {
                    match member.kind {
                        MemberKind::Method => {
                            if let Some(pointer) = pointer(path, &member.signature) {
                                let method = name.trim_start_matches("fn ");
                                let _ =
                                    writeln!(body, "    let _: {pointer} = <{path}>::{method};");
                                uses += 1;
                            } else {
                                skipped += 1;
                            }
                        }
                        MemberKind::Impl => {
                            body.push_str(&bound(uses, &member.signature, path));
                            uses += 1;
                        }
                        _ => {}
                    }
                }
                if item.kind == ItemKind::Builder {
                    let _ = writeln!(body, "    let _: Option<{path}> = None::<{}>;", item.target);
                    uses += 1;
                }
                let _ = writeln!(out, "pub fn item_{index}() {{\n{body}}}");
            }
        }
    }
    Probe {
        source: out,
        uses,
        skipped,
    }
}

/// A probe's source and what it holds.
pub struct Probe {
    /// `src/lib.rs` of the probe crate.
    pub source: String,
    /// How many uses of the old API it makes.
    pub uses: usize,
    /// Methods it leaves out: generic ones (an `impl Trait` argument or a type parameter), which
    /// cannot be named as a function pointer.
    pub skipped: usize,
}

/// A method's signature as a function pointer type (`fn(&requests::UserRequest) ->
/// requests::UserRequest`), or none when it is generic (an `impl Trait` argument or type
/// parameters cannot be named as a pointer).
fn pointer(owner: &str, signature: &str) -> Option<String> {
    let signature: syn::Signature = syn::parse_str(signature).ok()?;
    if !signature.generics.params.is_empty()
        || signature.to_token_stream().to_string().contains("impl ")
    {
        return None;
    }
    let arguments: Vec<String> = signature
        .inputs
        .iter()
        .map(|input| match input {
            syn::FnArg::Receiver(receiver) => {
                let text = receiver.to_token_stream().to_string();
                match text.strip_prefix('&') {
                    Some(rest) if rest.contains("mut") => format!("&mut {owner}"),
                    Some(_) => format!("&{owner}"),
                    None => owner.to_string(),
                }
            }
            syn::FnArg::Typed(typed) => typed.ty.to_token_stream().to_string(),
        })
        .collect();
    let output = match &signature.output {
        syn::ReturnType::Default => "()".to_string(),
        syn::ReturnType::Type(_, ty) => ty.to_token_stream().to_string(),
    };
    // `Self` is the owner wherever it appears.
    let arguments: Vec<String> = arguments.iter().map(|a| replace_self(a, owner)).collect();
    let output = replace_self(&output, owner);
    Some(format!("fn({}) -> {output}", arguments.join(", ")))
}

/// A check that `path` implements the trait `signature` (a marker trait or a derive), as lines
/// of a probe function; `uses` names the helper uniquely.
fn bound(uses: usize, signature: &str, path: &str) -> String {
    format!("    fn is_{uses}<T: {signature}>() {{}}\n    is_{uses}::<{path}>();\n")
}

/// `text` with every `Self` (a whole identifier, not part of `SelfService`) written as `owner`.
fn replace_self(text: &str, owner: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let identifier = |c: char| c.is_alphanumeric() || c == '_';
    while let Some(at) = rest.find("Self") {
        let before = rest[..at].chars().next_back();
        let after = rest[at + 4..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(identifier) || after.is_some_and(identifier) {
            out.push_str("Self");
        } else {
            out.push_str(owner);
        }
        rest = &rest[at + 4..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_is_replaced_as_a_whole_identifier_only() {
        assert_eq!(
            replace_self(
                "query::Field<Self, models::SelfServiceSignUp>",
                "models::User"
            ),
            "query::Field<models::User, models::SelfServiceSignUp>"
        );
    }

    #[test]
    fn methods_become_function_pointers_unless_generic() {
        assert_eq!(
            pointer(
                "requests::UserRequest",
                "fn manager(&self) -> requests::UserRequest"
            )
            .as_deref(),
            Some("fn(&requests::UserRequest) -> requests :: UserRequest")
        );
        assert_eq!(
            pointer("requests::P", "fn new(_: String) -> Self").as_deref(),
            Some("fn(String) -> requests::P")
        );
        assert_eq!(
            pointer("X", "fn by_id(&self, _: impl Into<String>) -> X"),
            None
        );
        assert_eq!(pointer("X", "fn get<T>(&self) -> T"), None);
    }
}
