//! Emits `src/models/**`: a struct per concrete type, a union per polymorphic type, an enum per
//! enum type, and the module files that gather them.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attributes, sanitize};
use super::features::Item;
use super::{EmittedFiles, FileContent, Plan};
use crate::csdl::syntax::StructuredKind;
use crate::model::*;
use crate::naming::{RustName, Scope};

/// The field that keeps properties the crate does not declare.
pub const ADDITIONAL_PROPERTIES: &str = "additional_properties";

pub fn emit(plan: &Plan<'_>, files: &mut EmittedFiles) {
    for (module, entries) in &plan.modules {
        emit_module_file(plan, module, entries, files);
    }
    for (&id, items) in &plan.items {
        let mut tokens = TokenStream::new();
        if let Some(name) = &items.struct_name {
            tokens.extend(struct_item(plan, id, name));
        }
        if let Some(name) = &items.union_name {
            // The union is compiled where the type is used as a value, which may be fewer
            // areas than where its file is.
            let gate = if items.struct_name.is_none()
                || plan.features.feature(Item::Union(id)) == plan.features.feature(Item::Type(id))
            {
                TokenStream::new()
            } else {
                plan.gate(Item::Union(id))
            };
            tokens.extend(union_item(plan, id, name, &gate));
        }
        if let Some(name) = &items.enum_name {
            tokens.extend(enum_item(plan, id, name));
        }
        files.insert(items.file.clone(), FileContent::Rust(tokens));
    }
}

fn emit_module_file(
    plan: &Plan<'_>,
    module: &[RustName],
    entries: &[(String, TypeId)],
    files: &mut EmittedFiles,
) {
    let mut path = String::from("src/models/");
    for segment in module {
        path.push_str(segment.as_str());
        path.push('/');
    }
    path.push_str("mod.rs");
    let doc = if module.is_empty() {
        format!(
            "Models: one Rust type per CSDL type of the `{}` namespace; other namespaces are submodules.",
            plan.main_namespace
        )
    } else {
        let namespace: Vec<&str> = module.iter().map(RustName::as_str).collect();
        format!(
            "Models of the `{}.{}` namespace.",
            plan.main_namespace,
            namespace.join(".")
        )
    };
    let doc = format!(" {doc}");
    let submodules: Vec<&RustName> = plan
        .modules
        .keys()
        .filter(|key| key.len() == module.len() + 1 && key.starts_with(module))
        .map(|key| &key[module.len()])
        .collect();
    let submodules = submodules.iter().map(|m| m.ident());
    let mut sorted = entries.to_vec();
    sorted.sort();
    let files_idents: Vec<_> = sorted
        .iter()
        .map(|(stem, _)| RustName::new(stem.clone()).ident())
        .collect();
    // A file holds a struct or an enum, or (for an abstract type) only the union.
    let gates: Vec<TokenStream> = sorted
        .iter()
        .map(|(_, id)| {
            let items = plan.items(*id);
            if items.struct_name.is_none() && items.enum_name.is_none() {
                plan.gate(Item::Union(*id))
            } else {
                plan.gate(Item::Type(*id))
            }
        })
        .collect();
    let has_properties = super::properties::entity_types_by_module(plan).contains_key(module);
    let properties_module = has_properties.then(|| {
        let ident = RustName::new(super::properties::MODULE.to_string()).ident();
        quote!(pub mod #ident;)
    });
    let tokens = quote! {
        #![doc = #doc]
        #(pub mod #submodules;)*
        #properties_module
        #(#gates mod #files_idents; #gates pub use #files_idents::*;)*
    };
    files.insert(path, FileContent::Rust(tokens));
}

fn type_doc(plan: &Plan<'_>, id: TypeId, fallback: String) -> TokenStream {
    let ty = plan.model.ty(id);
    // The project's or the document's description first; what the type is in CSDL terms last.
    let text = match &ty.description {
        Some(description) => format!("{}\n\n{fallback}", sanitize(description)),
        None => fallback,
    };
    doc_attributes(&text)
}

fn struct_item(plan: &Plan<'_>, id: TypeId, name: &RustName) -> TokenStream {
    let ty = plan.model.ty(id);
    let Some(def) = plan.model.structured(id) else {
        return TokenStream::new();
    };
    let kind = match def.kind {
        StructuredKind::Entity => "entity type",
        StructuredKind::Complex => "complex type",
    };
    let mut fallback = format!("The `{}` {kind}.", ty.qualified_name());
    if let Some(base) = def.base {
        fallback.push_str(&format!(
            "\n\nIt has the properties of its base type `{}` too.",
            plan.model.ty(base).qualified_name()
        ));
    }
    let doc = type_doc(plan, id, fallback);
    let mut scope = Scope::with_reserved(&[ADDITIONAL_PROPERTIES]);
    let mut fields = Vec::new();
    // The declared properties, by wire name and field: `set_null` clears them, and an explicit
    // `null` read for them is kept.
    let mut cleared: Vec<(String, proc_macro2::Ident)> = Vec::new();
    for (owner, property) in plan.model.all_properties(id) {
        let Some(rust_type) = plan.use_type(property.ty) else {
            continue; // Edm.Stream: not part of the JSON body.
        };
        let rust_type = if plan.boxed.contains(&(id, property.name.clone())) {
            quote!(::std::boxed::Box<#rust_type>)
        } else {
            rust_type
        };
        let field = plan.claim(
            &mut scope,
            plan.field_name(owner, &property.name),
            id,
            &format!("the property `{}`", property.name),
        );
        let ident = field.ident();
        let wire = &property.name;
        let rename = (field.as_str() != wire).then(|| quote!(rename = #wire,));
        let with = plan
            .lenient_module(property.ty, true)
            .map(|module| quote!(with = #module,));
        let field_doc = match &property.description {
            Some(description) => sanitize(description),
            None => format!(
                "The `{wire}` property: {}.",
                super::describe_use(plan, property.ty)
            ),
        };
        let field_doc = doc_attributes(&field_doc);
        fields.push(quote! {
            #field_doc
            #[serde(#rename #with skip_serializing_if = "::std::option::Option::is_none")]
            pub #ident: ::std::option::Option<#rust_type>,
        });
        cleared.push((wire.clone(), ident));
    }
    let additional = format_ident!("{}", ADDITIONAL_PROPERTIES);
    let name = name.ident();
    let clear = match cleared.as_slice() {
        [] => quote! {},
        [(wire, field)] => quote! {
            if property == #wire {
                self.#field = ::std::option::Option::None;
            }
        },
        _ => {
            let arms = cleared.iter().map(|(wire, field)| {
                quote! { #wire => self.#field = ::std::option::Option::None, }
            });
            quote! {
                match property {
                    #(#arms)*
                    _ => {}
                }
            }
        }
    };
    // The derived impls become inherent functions (`remote = "Self"`); the trait impls that
    // `keep_nulls!` writes wrap them so that an explicit `null` read for a declared property is
    // kept (in `additional_properties`) and written back.
    quote! {
        #doc
        #[derive(Clone, Debug, Default, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(remote = "Self", default)]
        pub struct #name {
            #(#fields)*
            /// Properties this crate does not declare (open types, properties added to the
            /// service later, and control information such as `@odata.etag`), and declared
            /// properties set to JSON `null` on purpose: kept so that a value read and written
            /// back loses nothing.
            #[serde(flatten)]
            pub #additional: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
        }

        impl #name {
            /// Sends `property` (its name on the wire, such as `displayName`) as JSON `null`,
            /// which clears it in an update: the field becomes `None` and the `null` is kept in
            /// `additional_properties`.
            pub fn set_null(&mut self, property: &str) -> &mut Self {
                #clear
                self.#additional.insert(::std::string::ToString::to_string(property), ::serde_json::Value::Null);
                self
            }
        }

        crate::polymorphic::keep_nulls!(#name);
    }
}

fn union_item(plan: &Plan<'_>, id: TypeId, name: &RustName, gate: &TokenStream) -> TokenStream {
    let ty = plan.model.ty(id);
    let qualified = ty.qualified_name();
    let lead = match &ty.description {
        Some(description) => format!("{}\n\n", sanitize(description)),
        None => String::new(),
    };
    let doc = doc_attributes(&format!(
        "{lead}A `{qualified}` value of any concrete type: the type named by the value's `@odata.type`.\n\n\
         Reading accepts the type name with or without the leading `#`; writing always adds it. A type \
         this crate does not know is kept whole in [`{name}::Other`] and written back unchanged."
    ));
    let family = plan.concrete_family(id);
    let mut scope = Scope::with_reserved(&["Other"]);
    let mut variants = Vec::new();
    let mut serialize_arms = Vec::new();
    let mut deserialize_arms = Vec::new();
    let mut type_arms = Vec::new();
    let mut from_impls = Vec::new();
    let mut untyped_arm = quote! {};
    let name_ident = name.ident();
    for &member in &family {
        let member_items = plan.items(member);
        let Some(struct_name) = &member_items.struct_name else {
            continue;
        };
        let variant = plan.variant_name(&mut scope, member, struct_name).ident();
        if member == id {
            // Without `@odata.type`, a concrete base type is the value's type.
            untyped_arm = quote! {
                ::std::option::Option::None => crate::polymorphic::from_fields(fields).map(Self::#variant),
            };
        }
        let path = plan.model_path(&member_items.module, struct_name);
        let member_name = plan.model.ty(member).qualified_name();
        let tagged = format!("#{member_name}");
        let variant_doc = format!(" A value of type `{member_name}`.");
        variants.push(quote! { #[doc = #variant_doc] #variant(#path), });
        serialize_arms.push(quote! {
            Self::#variant(value) => crate::polymorphic::serialize_tagged(#tagged, value, serializer),
        });
        deserialize_arms.push(quote! {
            ::std::option::Option::Some(#member_name) => crate::polymorphic::from_fields(fields).map(Self::#variant),
        });
        type_arms.push(quote! { Self::#variant(_) => ::std::option::Option::Some(#member_name), });
        from_impls.push(quote! {
            #gate
            impl ::std::convert::From<#path> for #name_ident {
                fn from(value: #path) -> Self {
                    Self::#variant(value)
                }
            }
        });
    }
    quote! {
        #doc
        #gate
        #[derive(Clone, Debug, PartialEq)]
        pub enum #name_ident {
            #(#variants)*
            /// A value whose `@odata.type` this crate does not know (or, for an abstract type, a
            /// value without one): the JSON object exactly as received.
            Other(::serde_json::Map<::std::string::String, ::serde_json::Value>),
        }

        #gate
        impl #name_ident {
            /// The qualified name of the value's type (without `#`), if it has one.
            pub fn odata_type(&self) -> ::std::option::Option<&str> {
                match self {
                    #(#type_arms)*
                    Self::Other(fields) => crate::polymorphic::odata_type_of(fields),
                }
            }
        }

        #(#from_impls)*

        #gate
        impl ::serde::Serialize for #name_ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                    Self::Other(fields) => ::serde::Serialize::serialize(fields, serializer),
                }
            }
        }

        #gate
        impl<'de> ::serde::Deserialize<'de> for #name_ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let (odata_type, fields) = crate::polymorphic::deserialize_tagged(deserializer)?;
                match odata_type.as_deref() {
                    #(#deserialize_arms)*
                    #untyped_arm
                    _ => ::std::result::Result::Ok(Self::Other(fields)),
                }
            }
        }
    }
}

fn enum_item(plan: &Plan<'_>, id: TypeId, name: &RustName) -> TokenStream {
    let ty = plan.model.ty(id);
    let TypeKind::Enum(def) = &ty.kind else {
        return TokenStream::new();
    };
    let mut fallback = format!("The `{}` enum type.", ty.qualified_name());
    if def.is_flags {
        fallback.push_str(
            "\n\nIt is a flags enum: values of this type are [`crate::Flags`] of its members, \
             written by the service joined by commas (`\"a,b\"`).",
        );
    }
    let doc = type_doc(plan, id, fallback);
    let mut scope = Scope::with_reserved(&["Unrecognized"]);
    let mut variants = Vec::new();
    let mut as_str_arms = Vec::new();
    let mut from_arms = Vec::new();
    for member in &def.members {
        let variant = plan
            .claim(
                &mut scope,
                plan.member_variant_name(id, &member.name),
                id,
                &format!("the member `{}`", member.name),
            )
            .ident();
        let wire = &member.name;
        let member_doc = match &member.description {
            Some(description) => sanitize(description),
            None => format!("`{wire}` (value {}).", member.value),
        };
        let member_doc = doc_attributes(&member_doc);
        variants.push(quote! { #member_doc #variant, });
        as_str_arms.push(quote! { Self::#variant => #wire, });
        from_arms.push(quote! { #wire => Self::#variant, });
    }
    let ident = name.ident();
    let flag_member = def.is_flags.then(|| {
        quote! {
            impl crate::flags::FlagMember for #ident {
                fn name(&self) -> &str {
                    self.as_str()
                }
            }
        }
    });
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #ident {
            #(#variants)*
            /// A member this crate does not know, kept as the service wrote it.
            Unrecognized(::std::string::String),
        }

        impl #ident {
            /// The member's name on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str_arms)*
                    Self::Unrecognized(value) => value,
                }
            }
        }

        impl ::std::convert::From<&str> for #ident {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_arms)*
                    other => Self::Unrecognized(::std::string::ToString::to_string(other)),
                }
            }
        }

        impl ::std::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(value.as_str()))
            }
        }

        #flag_member

        impl crate::path::ODataLiteral for #ident {
            fn to_odata_literal(&self) -> ::std::string::String {
                crate::path::ODataLiteral::to_odata_literal(self.as_str())
            }
        }
    }
}
