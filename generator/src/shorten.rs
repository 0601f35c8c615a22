//! Part of stage 5: writes std paths the short way (`Option`, `Vec`, `Some`) in a file where
//! nothing shadows the prelude.
//!
//! The emitters write every std item by its full path (`::std::option::Option`), because a CSDL
//! type may be named `Option` or `String` and the file that defines it must not mean the std one.
//! Every other file reads better, and is smaller, with the prelude's names; this pass rewrites
//! the paths (and the same paths inside serde attributes' strings) in those files only.

use syn::visit_mut::{self, VisitMut};

/// Full paths of prelude items and the names the prelude gives them.
const PRELUDE: &[(&str, &str)] = &[
    ("::std::option::Option", "Option"),
    ("::std::option::Option::Some", "Some"),
    ("::std::option::Option::None", "None"),
    ("::std::result::Result", "Result"),
    ("::std::result::Result::Ok", "Ok"),
    ("::std::result::Result::Err", "Err"),
    ("::std::string::String", "String"),
    ("::std::vec::Vec", "Vec"),
    ("::std::boxed::Box", "Box"),
    ("::std::string::ToString", "ToString"),
    ("::std::convert::From", "From"),
    ("::std::convert::Into", "Into"),
    ("::std::convert::AsRef", "AsRef"),
    ("::std::clone::Clone", "Clone"),
    ("::std::default::Default", "Default"),
];

/// Rewrites the file's std paths to the prelude's names, unless the file defines or imports
/// one of those names (or imports with a glob, which may bring one in).
pub fn shorten_std_paths(file: &mut syn::File) {
    if file.items.iter().any(shadows_prelude) {
        return;
    }
    Shortener.visit_file_mut(file);
}

fn is_prelude_name(ident: &syn::Ident) -> bool {
    PRELUDE.iter().any(|(_, short)| ident == short)
}

fn shadows_prelude(item: &syn::Item) -> bool {
    let ident = match item {
        syn::Item::Struct(item) => &item.ident,
        syn::Item::Enum(item) => &item.ident,
        syn::Item::Union(item) => &item.ident,
        syn::Item::Type(item) => &item.ident,
        syn::Item::Trait(item) => &item.ident,
        syn::Item::Fn(item) => &item.sig.ident,
        syn::Item::Const(item) => &item.ident,
        syn::Item::Static(item) => &item.ident,
        syn::Item::Mod(item) => &item.ident,
        // The generated crate's own macros expand to impls, which define no names.
        syn::Item::Macro(item) => match &item.ident {
            Some(ident) => ident,
            None => return false,
        },
        syn::Item::Use(item) => return use_shadows(&item.tree),
        _ => return false,
    };
    is_prelude_name(ident)
}

fn use_shadows(tree: &syn::UseTree) -> bool {
    match tree {
        syn::UseTree::Path(path) => use_shadows(&path.tree),
        syn::UseTree::Name(name) => is_prelude_name(&name.ident),
        syn::UseTree::Rename(rename) => is_prelude_name(&rename.rename),
        syn::UseTree::Glob(_) => true,
        syn::UseTree::Group(group) => group.items.iter().any(use_shadows),
    }
}

/// The prelude item a path starts with: how many segments it spans and its short name.
fn prelude_prefix(path: &syn::Path) -> Option<(usize, &'static str)> {
    // Only paths such as `::std::option::Option<T>` qualify: a leading `::`, then `std`.
    path.leading_colon.as_ref()?;
    let mut segments = path.segments.iter();
    if segments.next()?.ident != "std" {
        return None;
    }
    let module = segments.next()?;
    let item = segments.next()?;
    if !module.arguments.is_none() {
        return None;
    }
    let variant = segments.next().filter(|_| item.arguments.is_none());
    PRELUDE
        .iter()
        .filter_map(|(full, short)| {
            let mut wanted = full.trim_start_matches("::std::").split("::");
            let matches_item = wanted.next() == Some(&*module.ident.to_string())
                && wanted.next().is_some_and(|name| item.ident == name);
            match (matches_item, wanted.next()) {
                (true, None) => Some((3, *short)),
                (true, Some(name)) if variant.is_some_and(|v| v.ident == name) => Some((4, *short)),
                _ => None,
            }
        })
        .max_by_key(|(length, _)| *length)
}

struct Shortener;

impl VisitMut for Shortener {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        if let Some((length, short)) = prelude_prefix(path) {
            // `::std::option::Option::is_none` becomes `Option::is_none`.
            let segments = std::mem::take(&mut path.segments);
            for (index, mut segment) in segments.into_iter().enumerate() {
                if index + 1 == length {
                    segment.ident = syn::Ident::new(short, segment.ident.span());
                }
                if index + 1 >= length {
                    path.segments.push(segment);
                }
            }
            path.leading_colon = None;
        }
        visit_mut::visit_path_mut(self, path);
    }

    fn visit_meta_list_mut(&mut self, list: &mut syn::MetaList) {
        // `#[serde(skip_serializing_if = "::std::option::Option::is_none")]` and the like: the
        // arguments of an attribute are tokens, with the path inside a string.
        list.tokens = shorten_strings(std::mem::take(&mut list.tokens));
    }
}

/// The string literals among `tokens` with a leading std path written short.
fn shorten_strings(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::{Group, Literal, TokenTree};
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Group(group) => {
                let mut shortened = Group::new(group.delimiter(), shorten_strings(group.stream()));
                shortened.set_span(group.span());
                TokenTree::Group(shortened)
            }
            TokenTree::Literal(literal) => {
                let text = literal.to_string();
                let shortened = text.strip_prefix('"').and_then(|inner| {
                    PRELUDE.iter().find_map(|(full, short)| {
                        let rest = inner.strip_prefix(full)?;
                        rest.starts_with("::").then(|| {
                            Literal::string(&format!("{short}{}", rest.trim_end_matches('"')))
                        })
                    })
                });
                TokenTree::Literal(shortened.unwrap_or(literal))
            }
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shortened(source: &str) -> String {
        let mut file: syn::File = syn::parse_str(source).unwrap();
        shorten_std_paths(&mut file);
        prettyplease::unparse(&file)
    }

    #[test]
    fn writes_prelude_names_where_nothing_shadows_them() {
        let text = shortened(
            r#"pub struct A {
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                pub b: ::std::option::Option<::std::vec::Vec<::std::string::String>>,
            }
            fn f() -> ::std::result::Result<(), ()> { ::std::result::Result::Ok(()) }"#,
        );
        assert!(text.contains("pub b: Option<Vec<String>>"), "{text}");
        assert!(
            text.contains(r#"skip_serializing_if = "Option::is_none""#),
            "{text}"
        );
        assert!(text.contains("-> Result<(), ()>"), "{text}");
        assert!(text.contains("Ok(())"), "{text}");
        let text = shortened("fn f(a: &str) { ::std::string::ToString::to_string(a); }");
        assert!(text.contains("ToString::to_string(a)"), "{text}");
    }

    #[test]
    fn leaves_a_file_that_defines_or_imports_a_prelude_name_alone() {
        for source in [
            "pub struct Option { a: ::std::option::Option<u8> }",
            "pub enum String {} fn f(_: ::std::string::String) {}",
            "pub use a::*; fn f(_: ::std::vec::Vec<u8>) {}",
            "use a::Box; fn f(_: ::std::boxed::Box<u8>) {}",
        ] {
            assert!(shortened(source).contains("::std::"), "{source}");
        }
    }

    #[test]
    fn leaves_other_paths_alone() {
        let text = shortened("fn f(_: ::std::fmt::Formatter, _: crate::models::Option) {}");
        assert!(text.contains("::std::fmt::Formatter"), "{text}");
        assert!(text.contains("crate::models::Option"), "{text}");
    }
}
