//! What a generated crate exposes, read back from its files with syn.

use std::collections::BTreeMap;

use quote::ToTokens;
use syn::visit_mut::{self, VisitMut};
use syn::{Attribute, Fields, ImplItem, Item as SynItem, Visibility};

/// The public API of a generated crate: its models, builders and action bodies, and its
/// features. Read from the files the generator made (not from the plan), so that it is what a
/// downstream crate sees.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Surface {
    /// Public items by path below the crate root (`models::User`, `requests::UserRequest`).
    pub items: BTreeMap<String, Item>,
    /// Cargo features and the features each enables.
    pub features: BTreeMap<String, Vec<String>>,
}

/// What kind of item a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    /// A model struct or an action body.
    Struct,
    /// An enum of a CSDL enum type's members.
    Enum,
    /// A union over a type and its derived types (chosen by `@odata.type`).
    Union,
    /// The property names of an entity type (for `$select` and `$orderby`).
    PropertyNames,
    /// A builder: an alias of the runtime's generic builder.
    Builder,
    /// A type of the runtime whose methods the generated code adds (such as `Graph`'s entry
    /// points).
    Methods,
}

impl ItemKind {
    /// The kind's name in messages.
    pub fn describe(self) -> &'static str {
        match self {
            ItemKind::Struct => "struct",
            ItemKind::Enum => "enum",
            ItemKind::Union => "union",
            ItemKind::PropertyNames => "property-name enum",
            ItemKind::Builder => "builder",
            ItemKind::Methods => "entry points",
        }
    }
}

/// One public item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its kind.
    pub kind: ItemKind,
    /// The Cargo feature it needs, if any.
    pub gate: Option<String>,
    /// Whether it is `#[non_exhaustive]`.
    pub non_exhaustive: bool,
    /// What a builder alias stands for (`ItemRequest<models::User>`); empty otherwise.
    pub target: String,
    /// Fields, variants, methods and trait impls, by name (`field display_name`,
    /// `variant User`, `fn manager`, `impl Updatable`).
    pub members: BTreeMap<String, Member>,
}

/// What kind of member a name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MemberKind {
    /// A public field.
    Field,
    /// An enum or union variant.
    Variant,
    /// A public method.
    Method,
    /// A public associated constant (the typed `$filter` fields and `$expand` navigations).
    Constant,
    /// A trait implemented by the item (such as the builder marker `Updatable`, which gives
    /// `patch`).
    Impl,
}

/// One field, variant, method or trait impl.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Its kind.
    pub kind: MemberKind,
    /// Its type (a field, a variant's payload) or signature (a method), written compactly.
    pub signature: String,
    /// The Cargo feature it needs beyond its item's, if any.
    pub gate: Option<String>,
}

impl Surface {
    /// Reads the public API from a generated crate's files (path relative to the crate root to
    /// text): `src/models/**`, `src/requests/**` and the features of `Cargo.toml`. A file that
    /// does not parse is an error naming it.
    pub fn read<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Surface, String> {
        let mut surface = Surface::default();
        let mut impls = Vec::new();
        let mut parsed = Vec::new();
        // A type's file is gated where its folder's `mod.rs` declares it
        // (`#[cfg(feature = "users")] mod user;`), not item by item.
        let mut file_gates: BTreeMap<String, String> = BTreeMap::new();
        for (path, text) in files {
            if path == "Cargo.toml" {
                surface.features = features(text)?;
                continue;
            }
            let Some(module) = module_of(path) else {
                continue;
            };
            let file = syn::parse_file(text).map_err(|e| format!("{path}: {e}"))?;
            if let Some(folder) = path.strip_suffix("mod.rs") {
                for item in &file.items {
                    if let SynItem::Mod(declared) = item {
                        if let Some(feature) = gate(&declared.attrs) {
                            file_gates.insert(format!("{folder}{}.rs", declared.ident), feature);
                        }
                    }
                }
            }
            parsed.push((path, module, file));
        }
        for (path, module, file) in parsed {
            let file_gate = file_gates.get(path).map(String::as_str);
            for item in file.items {
                surface
                    .read_item(&module, item, file_gate, &mut impls)
                    .map_err(|e| format!("{path}: {e}"))?;
            }
        }
        // Methods and trait impls belong to the builder alias (or model struct) their impl is
        // for; what no item of this crate names is kept under the impl's own type.
        let aliases: BTreeMap<String, String> = surface
            .items
            .iter()
            .filter(|(_, item)| item.kind == ItemKind::Builder)
            .map(|(path, item)| (item.target.clone(), path.clone()))
            .collect();
        for (module, self_type, gate, members) in impls {
            let local = format!("{module}::{self_type}");
            let owner = aliases
                .get(&self_type)
                .cloned()
                .or_else(|| surface.items.contains_key(&local).then_some(local))
                .unwrap_or(self_type);
            let item = surface.items.entry(owner).or_insert_with(|| Item {
                kind: ItemKind::Methods,
                gate: gate.clone(),
                non_exhaustive: false,
                target: String::new(),
                members: BTreeMap::new(),
            });
            for (name, mut member) in members {
                if member.gate == item.gate {
                    member.gate = None;
                }
                if member.gate.is_none() && gate != item.gate {
                    member.gate = gate.clone();
                }
                item.members.insert(name, member);
            }
        }
        Ok(surface)
    }

    fn read_item(
        &mut self,
        module: &str,
        item: SynItem,
        file_gate: Option<&str>,
        impls: &mut Vec<Impl>,
    ) -> Result<(), String> {
        let gate = |attributes: &[Attribute]| gate(attributes).or(file_gate.map(String::from));
        match item {
            SynItem::Struct(item) if is_public(&item.vis) => {
                let mut members = BTreeMap::new();
                if let Fields::Named(fields) = &item.fields {
                    for field in &fields.named {
                        let (Some(name), true) = (&field.ident, is_public(&field.vis)) else {
                            continue;
                        };
                        members.insert(
                            format!("field {name}"),
                            Member {
                                kind: MemberKind::Field,
                                signature: compact_type(&field.ty),
                                gate: self::gate(&field.attrs),
                            },
                        );
                    }
                }
                // A derive is a trait downstream code may use (`Default` above all).
                for derived in derives(&item.attrs) {
                    members.insert(
                        format!("derive {derived}"),
                        Member {
                            kind: MemberKind::Impl,
                            signature: derived,
                            gate: None,
                        },
                    );
                }
                self.items.insert(
                    format!("{module}::{}", item.ident),
                    Item {
                        kind: ItemKind::Struct,
                        gate: gate(&item.attrs),
                        non_exhaustive: non_exhaustive(&item.attrs),
                        target: String::new(),
                        members,
                    },
                );
            }
            SynItem::Type(item) if is_public(&item.vis) => {
                self.items.insert(
                    format!("{module}::{}", item.ident),
                    Item {
                        kind: ItemKind::Builder,
                        gate: gate(&item.attrs),
                        non_exhaustive: false,
                        target: compact_type(&item.ty),
                        members: BTreeMap::new(),
                    },
                );
            }
            SynItem::Macro(item) => {
                let Some(name) = item.mac.path.segments.last().map(|s| s.ident.to_string()) else {
                    return Ok(());
                };
                let kind = match name.as_str() {
                    "string_enum" => ItemKind::Enum,
                    "union_type" | "union_with_base" => ItemKind::Union,
                    "property_names" => ItemKind::PropertyNames,
                    _ => return Ok(()),
                };
                // The macros take an enum as Rust writes it, with a string for each variant's
                // discriminant (its name on the wire).
                let declared = syn::parse2::<syn::ItemEnum>(item.mac.tokens.clone())
                    .map_err(|e| format!("the enum in `{name}!` does not parse: {e}"))?;
                let members = declared
                    .variants
                    .iter()
                    .map(|variant| {
                        let wire = variant
                            .discriminant
                            .as_ref()
                            .map(|(_, wire)| wire.to_token_stream().to_string())
                            .unwrap_or_default();
                        let payload = match &variant.fields {
                            Fields::Unnamed(fields) => fields
                                .unnamed
                                .iter()
                                .map(|field| compact_type(&field.ty))
                                .collect::<Vec<_>>()
                                .join(", "),
                            _ => String::new(),
                        };
                        let signature = if payload.is_empty() {
                            wire
                        } else {
                            format!("({payload}) = {wire}")
                        };
                        (
                            format!("variant {}", variant.ident),
                            Member {
                                kind: MemberKind::Variant,
                                signature,
                                gate: self::gate(&variant.attrs),
                            },
                        )
                    })
                    .collect();
                self.items.insert(
                    format!("{module}::{}", declared.ident),
                    Item {
                        kind,
                        gate: gate(&item.attrs).or_else(|| gate(&declared.attrs)),
                        non_exhaustive: non_exhaustive(&declared.attrs),
                        target: String::new(),
                        members,
                    },
                );
            }
            SynItem::Impl(item) => {
                let self_type = compact_type(&item.self_ty);
                let impl_gate = gate(&item.attrs);
                let mut members = Vec::new();
                if let Some((path, _)) = &item.trait_ {
                    let name = path
                        .segments
                        .last()
                        .map(|s| s.ident.to_string())
                        .unwrap_or_default();
                    // `From` impls of unions follow their variants; serde's and the std traits
                    // are the same for every item of a kind.
                    if !matches!(
                        name.as_str(),
                        "Entity"
                            | "SingleKey"
                            | "Updatable"
                            | "Replaceable"
                            | "Deletable"
                            | "Insertable"
                            | "Selectable"
                    ) {
                        return Ok(());
                    }
                    members.push((
                        format!("impl {name}"),
                        Member {
                            kind: MemberKind::Impl,
                            signature: compact_path(path),
                            gate: None,
                        },
                    ));
                } else {
                    for member in &item.items {
                        if let ImplItem::Const(constant) = member {
                            if is_public(&constant.vis) {
                                members.push((
                                    format!("const {}", constant.ident),
                                    Member {
                                        kind: MemberKind::Constant,
                                        signature: compact_type(&constant.ty),
                                        gate: self::gate(&constant.attrs),
                                    },
                                ));
                            }
                            continue;
                        }
                        let ImplItem::Fn(function) = member else {
                            continue;
                        };
                        if !is_public(&function.vis) {
                            continue;
                        }
                        members.push((
                            format!("fn {}", function.sig.ident),
                            Member {
                                kind: MemberKind::Method,
                                signature: method_signature(&function.sig),
                                gate: self::gate(&function.attrs),
                            },
                        ));
                    }
                }
                impls.push((module.to_string(), self_type, impl_gate, members));
            }
            _ => {}
        }
        Ok(())
    }
}

/// An impl block's module, self type, gate and members, attributed to items once all are read.
type Impl = (String, String, Option<String>, Vec<(String, Member)>);

/// The module path of a generated file's items, for the files that hold the generated API:
/// `src/models/security/alert.rs` is `models::security` (each file's items are re-exported by
/// its folder's module), `properties.rs` is a public module of its own.
fn module_of(path: &str) -> Option<String> {
    let rest = path.strip_prefix("src/")?.strip_suffix(".rs")?;
    let mut parts: Vec<&str> = rest.split('/').collect();
    if !matches!(parts.first(), Some(&"models") | Some(&"requests")) || parts.len() < 2 {
        return None;
    }
    let stem = parts.pop()?;
    if stem == "properties" {
        parts.push(stem);
    }
    Some(parts.join("::"))
}

/// The features of a manifest: `[features]` with what each enables.
fn features(manifest: &str) -> Result<BTreeMap<String, Vec<String>>, String> {
    let table: toml::Table = manifest.parse().map_err(|e| format!("Cargo.toml: {e}"))?;
    let Some(features) = table.get("features").and_then(|f| f.as_table()) else {
        return Ok(BTreeMap::new());
    };
    Ok(features
        .iter()
        .map(|(name, enables)| {
            let enables = enables
                .as_array()
                .map(|list| {
                    list.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            (name.clone(), enables)
        })
        .collect())
}

fn is_public(visibility: &Visibility) -> bool {
    matches!(visibility, Visibility::Public(_))
}

fn non_exhaustive(attributes: &[Attribute]) -> bool {
    attributes
        .iter()
        .any(|attribute| attribute.path().is_ident("non_exhaustive"))
}

/// The feature of a `#[cfg(feature = "...")]` among `attributes` (the generator gates with one
/// feature at a time).
fn gate(attributes: &[Attribute]) -> Option<String> {
    attributes
        .iter()
        .filter(|attribute| attribute.path().is_ident("cfg"))
        .find_map(|attribute| {
            let text = attribute.meta.to_token_stream().to_string();
            let start = text.find("feature")?;
            let rest = &text[start..];
            let open = rest.find('"')? + 1;
            let close = rest[open..].find('"')? + open;
            Some(rest[open..close].to_string())
        })
}

/// The traits of `#[derive(..)]` attributes.
fn derives(attributes: &[Attribute]) -> Vec<String> {
    attributes
        .iter()
        .filter(|attribute| attribute.path().is_ident("derive"))
        .flat_map(|attribute| {
            let text = match &attribute.meta {
                syn::Meta::List(list) => list.tokens.to_string(),
                _ => String::new(),
            };
            text.split(',')
                .map(|name| {
                    name.trim()
                        .rsplit("::")
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_string()
                })
                .filter(|name| !name.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Paths written the way a reader would: no leading `::` or `crate::`, the prelude's types by
/// their names (`Option`, `Vec`, `String`, `Box`), no trailing comma in generic arguments.
struct Shorten;

impl VisitMut for Shorten {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        path.leading_colon = None;
        if path.segments.first().is_some_and(|s| s.ident == "crate") && path.segments.len() > 1 {
            path.segments = std::mem::take(&mut path.segments)
                .into_iter()
                .skip(1)
                .collect();
        }
        let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let prelude = matches!(
            names
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice(),
            ["std", "option", "Option"]
                | ["std", "vec", "Vec"]
                | ["std", "string", "String"]
                | ["std", "boxed", "Box"]
        );
        if prelude {
            path.segments = std::mem::take(&mut path.segments)
                .into_iter()
                .skip(2)
                .collect();
        }
        visit_mut::visit_path_mut(self, path);
    }

    fn visit_angle_bracketed_generic_arguments_mut(
        &mut self,
        arguments: &mut syn::AngleBracketedGenericArguments,
    ) {
        if arguments.args.trailing_punct() {
            arguments.args.pop_punct();
        }
        visit_mut::visit_angle_bracketed_generic_arguments_mut(self, arguments);
    }
}

/// A type as short text: `Option<models::User>` for
/// `::std::option::Option<crate::models::User>`.
fn compact_type(ty: &syn::Type) -> String {
    compact(ty, Shorten::visit_type_mut)
}

fn compact_path(path: &syn::Path) -> String {
    compact(path, Shorten::visit_path_mut)
}

/// `tree` shortened by `visit` (one of [`Shorten`]'s), as spaced text.
fn compact<T: syn::parse::Parse + ToTokens>(tree: &T, visit: fn(&mut Shorten, &mut T)) -> String {
    let Some(mut tree_copy) = copy(tree) else {
        return spaced(&tree.to_token_stream().to_string());
    };
    visit(&mut Shorten, &mut tree_copy);
    spaced(&tree_copy.to_token_stream().to_string())
}

/// A copy of a syntax tree, made by printing and parsing it (the trees are not `Clone` with
/// the syn features the generator uses); none in the unlikely case it does not parse back.
fn copy<T: syn::parse::Parse + ToTokens>(tree: &T) -> Option<T> {
    syn::parse2(tree.to_token_stream()).ok()
}

/// A method's signature without its parameters' names, which callers never see:
/// `fn by_id(&self, _: impl Into<String>) -> requests::UserRequest`.
fn method_signature(signature: &syn::Signature) -> String {
    let Some(mut signature) = copy(signature) else {
        return spaced(&signature.to_token_stream().to_string());
    };
    Shorten.visit_signature_mut(&mut signature);
    let generics = if signature.generics.params.is_empty() {
        String::new()
    } else {
        spaced(&signature.generics.to_token_stream().to_string())
    };
    let inputs: Vec<String> = signature
        .inputs
        .iter()
        .map(|input| match input {
            syn::FnArg::Receiver(receiver) => spaced(&receiver.to_token_stream().to_string()),
            syn::FnArg::Typed(typed) => {
                format!("_: {}", spaced(&typed.ty.to_token_stream().to_string()))
            }
        })
        .collect();
    let output = match &signature.output {
        syn::ReturnType::Default => String::new(),
        syn::ReturnType::Type(_, ty) => {
            format!(" -> {}", spaced(&ty.to_token_stream().to_string()))
        }
    };
    let where_clause = signature
        .generics
        .where_clause
        .as_ref()
        .map(|w| format!(" {}", spaced(&w.to_token_stream().to_string())))
        .unwrap_or_default();
    format!(
        "fn {}{generics}({}){output}{where_clause}",
        signature.ident,
        inputs.join(", ")
    )
}

/// Token text (a space between every two tokens) with the spaces a reader would leave out:
/// around `::`, inside brackets, before `,` and `?`, after `&`.
fn spaced(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (index, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let previous = out.chars().last().unwrap_or(' ');
            let next = chars.get(index + 1).copied().unwrap_or(' ');
            // `a :: b` and `x : T` lose the space before the colon; `::` the one after.
            let glued = matches!(previous, '(' | '<' | '[' | '&' | '#' | '!')
                || out.ends_with("::")
                || matches!(next, ')' | '>' | ']' | ',' | '?' | '<' | ';' | ':')
                || next == '(' && !out.ends_with("->") && previous.is_alphanumeric();
            if glued && !(next == '<' && previous == '=') {
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_structs_enums_builders_and_their_methods() {
        // The layout the generator writes: a type's file gated in its folder's `mod.rs`.
        let models = r#"
            #[cfg(feature = "users")] mod user;
            #[cfg(feature = "users")] pub use user::*;
            #[cfg(feature = "_g1")] mod directory_object;
            #[cfg(feature = "_g1")] pub use directory_object::*;
            mod color;
            pub use color::*;
        "#;
        let user = r#"
            /// A user.
            #[derive(Clone, Default)]
            #[non_exhaustive]
            pub struct User {
                pub display_name: ::std::option::Option<::std::string::String>,
                pub manager: ::std::option::Option<::std::boxed::Box<crate::models::AnyDirectoryObject,>>,
                pub data: &'static mut ::std::vec::Vec<u8>,
                pub additional_properties: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                private: u8,
            }
        "#;
        let color = r#"
            crate::macros::string_enum! {
                #[odata_name = "ns.color"]
                #[non_exhaustive]
                pub enum Color { Red = "red", Green = "green", }
            }
        "#;
        let directory_object = r#"
            crate::macros::union_type! {
                #[non_exhaustive]
                pub enum AnyDirectoryObject {
                    #[cfg(feature = "users")]
                    User(crate::models::User) = "microsoft.graph.user",
                }
            }
        "#;
        let requests = r#"
            #[cfg(feature = "users")]
            pub type UserRequest = crate::builder::ItemRequest<crate::models::User>;
            #[cfg(feature = "users")]
            impl crate::builder::Updatable for crate::models::User {}
            #[cfg(feature = "users")]
            impl UserRequest {
                pub fn manager(&self) -> crate::requests::DirectoryObjectRequest { todo() }
                pub fn by_name(
                    &self,
                    name: impl Into<::std::string::String>,
                    count: u32,
                ) -> crate::requests::UserRequest { todo() }
                fn private(&self) {}
            }
        "#;
        let manifest = "[package]\nname = \"x\"\n[features]\nusers = [\"_g1\"]\n_g1 = []\n";
        let surface = Surface::read([
            ("Cargo.toml", manifest),
            ("src/lib.rs", "this is not read"),
            ("src/models/color.rs", color),
            ("src/models/directory_object.rs", directory_object),
            ("src/models/mod.rs", models),
            ("src/models/user.rs", user),
            ("src/requests/user.rs", requests),
        ])
        .unwrap();
        let user = &surface.items["models::User"];
        assert_eq!(user.kind, ItemKind::Struct);
        assert_eq!(user.gate.as_deref(), Some("users"));
        assert!(user.non_exhaustive);
        assert_eq!(
            user.members.keys().collect::<Vec<_>>(),
            [
                "derive Clone",
                "derive Default",
                "field additional_properties",
                "field data",
                "field display_name",
                "field manager",
                "impl Updatable"
            ]
        );
        assert_eq!(
            user.members["field display_name"].signature,
            "Option<String>"
        );
        assert_eq!(
            user.members["field manager"].signature,
            "Option<Box<models::AnyDirectoryObject>>"
        );
        assert_eq!(user.members["field data"].signature, "&'static mut Vec<u8>");
        assert_eq!(
            user.members["field additional_properties"].signature,
            "serde_json::Map<String, serde_json::Value>"
        );
        assert_eq!(user.members["derive Default"].signature, "Default");
        let color = &surface.items["models::Color"];
        assert_eq!((color.kind, color.non_exhaustive), (ItemKind::Enum, true));
        assert_eq!(color.gate, None);
        assert_eq!(color.members["variant Green"].signature, "\"green\"");
        let union = &surface.items["models::AnyDirectoryObject"];
        assert_eq!(union.gate.as_deref(), Some("_g1"));
        assert_eq!(union.members["variant User"].gate.as_deref(), Some("users"));
        assert_eq!(
            union.members["variant User"].signature,
            "(models::User) = \"microsoft.graph.user\""
        );
        let builder = &surface.items["requests::UserRequest"];
        assert_eq!(builder.kind, ItemKind::Builder);
        assert_eq!(builder.target, "builder::ItemRequest<models::User>");
        assert_eq!(
            builder.members["fn manager"].signature,
            "fn manager(&self) -> requests::DirectoryObjectRequest"
        );
        // Parameter names are left out: callers never see them.
        assert_eq!(
            builder.members["fn by_name"].signature,
            "fn by_name(&self, _: impl Into<String>, _: u32) -> requests::UserRequest"
        );
        assert!(!builder.members.contains_key("fn private"));
        assert_eq!(surface.features["users"], ["_g1"]);
    }

    #[test]
    fn an_enum_the_macro_cannot_read_is_an_error_naming_the_file() {
        let error = Surface::read([(
            "src/models/color.rs",
            "crate::macros::string_enum! { this is not an enum }",
        )])
        .unwrap_err();
        assert!(
            error.starts_with("src/models/color.rs: the enum in `string_enum!`"),
            "{error}"
        );
    }
}
