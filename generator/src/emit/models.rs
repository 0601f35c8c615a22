//! Emits `src/models/**`: a struct per concrete type, a union per polymorphic type, an enum per
//! enum type, and the module files that gather them.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::Plan;
use super::docs::{doc_attributes, sanitize};
use super::features::Item;
use crate::diagnostics::Diagnostic;
use crate::model::StructuredKind;
use crate::model::*;
use crate::naming::{RustName, Scope};

/// The field that keeps properties the crate does not declare.
pub const ADDITIONAL_PROPERTIES: &str = "additional_properties";

/// The file of the type `id`: its struct, union or enum, or a struct with its union.
pub(super) fn model_file(plan: &Plan<'_>, id: TypeId) -> TokenStream {
    let items = plan.items(id);
    let mut tokens = TokenStream::new();
    if let Some(name) = &items.struct_name {
        tokens.extend(struct_item(plan, id, name));
    }
    if let Some(name) = &items.union_name {
        // The union is compiled where the type is used as a value, which may be fewer areas
        // than where its file is.
        let gate = if items.struct_name.is_none() {
            TokenStream::new() // The file holds only the union and has its gate.
        } else {
            plan.features.gate_within(Item::Union(id), Item::Type(id))
        };
        tokens.extend(union_item(plan, id, name, &gate));
    }
    if let Some(name) = &items.enum_name {
        tokens.extend(enum_item(plan, id, name));
    }
    tokens
}

/// The path of the module file of `module` below `src/models/`.
pub(super) fn module_path(module: &[RustName]) -> String {
    let mut path = String::from("src/models/");
    for segment in module {
        path.push_str(segment.as_str());
        path.push('/');
    }
    path.push_str("mod.rs");
    path
}

/// The `mod.rs` of `module` below `src/models/`: its submodules and its types' files.
pub(super) fn module_file(plan: &Plan<'_>, module: &[RustName]) -> TokenStream {
    let entries = &plan.modules[module];
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
    quote! {
        #![doc = #doc]
        #(pub mod #submodules;)*
        #properties_module
        #(#gates mod #files_idents; #gates pub use #files_idents::*;)*
    }
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
    if def.is_abstract {
        // Only abstract types without concrete derived types have a struct.
        fallback.push_str(
            "\n\nIt is abstract, and no type in this crate derives from it: a value is of a type \
             the service added later, whose `@odata.type` is kept in `additional_properties` (set \
             it there when creating one).",
        );
    }
    if let Some(base) = def.base {
        fallback.push_str(&format!(
            "\n\nIt has the properties of its base type `{}` too.",
            plan.model.ty(base).qualified_name()
        ));
    }
    let doc = type_doc(plan, id, fallback);
    let mut fields = Vec::new();
    let mut table = PropertyTable::default();
    // Typed `$filter` paths and `$expand` navigations (the runtime's `query` module): a
    // constant per property and navigation property, named like its field in capitals.
    let mut constants = Vec::new();
    let StructNames {
        properties: names,
        navigations: navigation_names,
    } = plan.struct_names(id);
    for PropertyNames {
        property,
        field,
        constant,
    } in names
    {
        let Some(rust_type) = plan.use_type(property.ty) else {
            continue; // Edm.Stream: not part of the JSON body (and not in `names`).
        };
        // Decimals are text in the model, but a bare number in `$filter`.
        let value_type = match plan.primitive(property.ty) == Some(Primitive::Decimal) {
            true if property.ty.collection => quote!(::std::vec::Vec<crate::query::Decimal>),
            true => quote!(crate::query::Decimal),
            false => rust_type.clone(),
        };
        let rust_type = if plan.boxed.contains(&(id, property.name.to_string())) {
            quote!(::std::boxed::Box<#rust_type>)
        } else {
            rust_type
        };
        let ident = field.ident();
        let wire = &property.name;
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
            pub #ident: ::std::option::Option<#rust_type>,
        });
        table.optional(wire, &ident, plan.is_lenient(property.ty));
        let constant = constant.ident();
        constants.push(quote! {
            pub const #constant: crate::query::Field<Self, #value_type> =
                crate::query::Field::new(#wire);
        });
    }
    for NavigationNames {
        navigation,
        field,
        constant,
    } in navigation_names
    {
        let Some(target) = plan.value_type(navigation.target) else {
            continue;
        };
        // A single entity is boxed: entities refer to each other (a user's manager is a
        // directory object, which may be a user), and a struct holds the one it refers to only
        // when it was expanded.
        let (field_type, value_type) = if navigation.collection {
            (
                quote!(::std::vec::Vec<#target>),
                quote!(::std::vec::Vec<#target>),
            )
        } else {
            (quote!(::std::boxed::Box<#target>), target)
        };
        let target_item = if plan.items(navigation.target).union_name.is_some() {
            Item::Union(navigation.target)
        } else {
            Item::Type(navigation.target)
        };
        // Compiled where its target is: without it, an expanded value is kept in
        // `additional_properties` like any member the crate does not declare.
        let gate = plan.features.gate_within(target_item, Item::Type(id));
        // Typed `$expand` is the `query` feature's: a navigation field makes reading a struct
        // read every type it reaches, which a crate that expands nothing should not compile or
        // link (without `query`, an expanded value is kept in `additional_properties`).
        let field_gate = quote!(#[cfg(feature = "query")] #gate);
        let ident = field.ident();
        let wire = &navigation.name;
        let described = super::describe_use(
            plan,
            TypeUse {
                target: TypeTarget::Named(navigation.target),
                collection: navigation.collection,
                nullable: true,
            },
        );
        let paged = if navigation.collection {
            format!(
                " When the service paged the expansion, this is its first page and \
                 `{wire}@odata.nextLink` is in `additional_properties`."
            )
        } else {
            String::new()
        };
        let them = if navigation.collection { "them" } else { "it" };
        let field_doc = doc_attributes(&format!(
            "The `{wire}` navigation property: {described}. Present when the request expanded it \
             (`$expand`), or set to create {them} with this entity (deep insert).{paged} With \
             the `query` feature (typed `$expand`); without it, an expanded value is kept in \
             `additional_properties`."
        ));
        fields.push(quote! {
            #field_doc
            #field_gate
            pub #ident: ::std::option::Option<#field_type>,
        });
        table.navigation(wire, &ident, &field_gate);
        let constant = constant.ident();
        constants.push(quote! {
            #gate
            pub const #constant: crate::query::Navigation<Self, #value_type> =
                crate::query::Navigation::new(#wire);
        });
    }
    let additional = format_ident!("{}", ADDITIONAL_PROPERTIES);
    let name = name.ident();
    let constants = (!constants.is_empty()).then(|| {
        quote! {
            /// The properties as typed `$filter` paths ([`crate::query::Field`]) and the
            /// navigation properties for typed `$expand` ([`crate::query::Navigation`]), each
            /// named like its field in capitals.
            #[cfg(feature = "query")]
            #[allow(missing_docs)]
            impl #name {
                #(#constants)*
            }
        }
    });
    // Serialization is table-like: the struct names its properties on the wire once for
    // writing and once for reading, and the runtime's `structured` module does the rest for
    // every struct alike (`structured!` writes the serde impls and `set_null`, which call it).
    let structured = table.impl_for(&name, &TokenStream::new());
    quote! {
        #doc
        #[derive(Clone, Debug, Default, PartialEq)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            /// Properties this crate does not declare (open types, properties added to the
            /// service later, and control information such as `@odata.etag`), and declared
            /// properties set to JSON `null` on purpose (read, or with
            /// [`set_null`](crate::Model::set_null)), and the text of a number the service
            /// wrote as text: kept so that a value read and written back loses nothing.
            pub #additional: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
        }

        #constants

        #structured

        crate::macros::structured!(#name);
    }
}

/// The Rust names of one property of a struct.
pub(crate) struct PropertyNames<'m> {
    /// The property.
    pub property: &'m PropertyDef<'m>,
    /// Its field.
    pub field: RustName,
    /// Its constant (a `query::Field`, with the `query` feature).
    pub constant: RustName,
}

/// The names of the struct of `id`: its properties' fields and constants (see
/// [`struct_names`]) and its navigation properties' constants.
pub(crate) struct StructNames<'m> {
    /// The properties with a JSON form, inherited ones first.
    pub properties: Vec<PropertyNames<'m>>,
    /// The navigation properties to a type the crate has, inherited ones first.
    pub navigations: Vec<NavigationNames<'m>>,
}

/// The Rust names of one navigation property of a struct.
pub(crate) struct NavigationNames<'m> {
    /// The navigation property.
    pub navigation: &'m NavigationDef<'m>,
    /// Its field, which holds the expanded value.
    pub field: RustName,
    /// Its constant (a `query::Navigation`, with the `query` feature).
    pub constant: RustName,
}

/// The field and constant names of the struct of `id` (properties first, then navigation
/// properties, each inherited ones first), claimed once here for the struct's
/// emitter and for the code that names them elsewhere (the conformance harness's property
/// paths and links).
pub(crate) fn struct_names<'m>(
    plan: &Plan<'m>,
    id: TypeId,
    warnings: &mut Vec<Diagnostic>,
) -> StructNames<'m> {
    let mut scope = Scope::with_reserved(&[ADDITIONAL_PROPERTIES]);
    let mut constant_names = Scope::new();
    let mut properties = Vec::new();
    for (owner, property) in plan.model.all_properties(id) {
        if plan.use_type(property.ty).is_none() {
            continue;
        }
        let field = plan.claim(
            &mut scope,
            plan.field_name(owner, &property.name),
            id,
            &format!("the property `{}`", property.name),
            warnings,
        );
        let constant = constant_names.claim(constant_name(&field));
        properties.push(PropertyNames {
            property,
            field,
            constant,
        });
    }
    let navigations = plan
        .model
        .all_navigations(id)
        .into_iter()
        // A navigation to a type outside the slice has no Rust type to read.
        .filter(|(_, _, navigation)| {
            plan.items.contains_key(&navigation.target)
                && plan.value_type(navigation.target).is_some()
        })
        .map(|(owner, _, navigation)| {
            let field = plan.claim(
                &mut scope,
                plan.field_name(owner, &navigation.name),
                id,
                &format!("the navigation property `{}`", navigation.name),
                warnings,
            );
            let constant = constant_names.claim(constant_name(&field));
            NavigationNames {
                navigation,
                field,
                constant,
            }
        })
        .collect();
    StructNames {
        properties,
        navigations,
    }
}

/// A constant's name for a field or navigation property: its snake-case name in capitals
/// (`display_name` is `DISPLAY_NAME`, `r#type` is `TYPE`).
fn constant_name(field: &RustName) -> RustName {
    RustName::new(field.as_str().trim_start_matches("r#").to_uppercase())
}

/// The `impl crate::structured::Structured` of a model struct or an action's body: each field
/// named by its name on the wire, once for writing and once for reading.
#[derive(Default)]
pub(super) struct PropertyTable {
    writes: Vec<TokenStream>,
    reads: Vec<TokenStream>,
}

impl PropertyTable {
    /// An `Option` field: written when set, read (`None` for `null`), cleared by `set_null`.
    /// `lenient`: an Edm number whose JSON form varies (`INF`, numbers as strings), through
    /// the runtime's `edm` module.
    pub(super) fn optional(&mut self, wire: &str, field: &Ident, lenient: bool) {
        if lenient {
            self.writes
                .push(quote!(out.write_lenient(#wire, &self.#field);));
            self.reads
                .push(quote!(member.read_lenient(#wire, &mut self.#field);));
        } else {
            self.writes.push(quote!(out.write(#wire, &self.#field);));
            self.reads
                .push(quote!(member.read(#wire, &mut self.#field);));
        }
    }

    /// A navigation property's field, compiled under `gate`: written when set, read when
    /// present (an expanded value).
    pub(super) fn navigation(&mut self, wire: &str, field: &Ident, gate: &TokenStream) {
        self.writes
            .push(quote!(#gate out.write(#wire, &self.#field);));
        self.reads
            .push(quote!(#gate member.read(#wire, &mut self.#field);));
    }

    /// A field that is always written (a required action parameter); read from a member that
    /// is not `null` (`Model::read_json`), so `set_null` cannot clear it.
    pub(super) fn required(&mut self, wire: &str, field: &Ident, lenient: bool) {
        if lenient {
            self.writes
                .push(quote!(out.write_lenient_required(#wire, &self.#field);));
            self.reads
                .push(quote!(member.read_lenient_required(#wire, &mut self.#field);));
        } else {
            self.writes
                .push(quote!(out.write_required(#wire, &self.#field);));
            self.reads
                .push(quote!(member.read_required(#wire, &mut self.#field);));
        }
    }

    /// The impl for the struct `name`, with `gate` on it: its fields, then its
    /// `additional_properties`, which keep (and write back) everything else.
    pub(super) fn impl_for(&self, name: &Ident, gate: &TokenStream) -> TokenStream {
        let (writes, reads) = (&self.writes, &self.reads);
        let additional = format_ident!("{}", ADDITIONAL_PROPERTIES);
        quote! {
            #gate
            impl crate::structured::Structured for #name {
                #[inline]
                fn write_properties<'a>(&'a self, out: &mut crate::structured::Properties<'a>) {
                    #(#writes)*
                    out.keep(&self.#additional);
                }

                #[inline]
                fn read_property(&mut self, member: &mut crate::structured::Member) {
                    #(#reads)*
                    member.keep_unread(&mut self.#additional);
                }
            }
        }
    }
}

/// The union of `id`'s family (`union_type!`, or `union_with_base!` with the base first for a
/// concrete base); `gate` goes on the macro call.
fn union_item(plan: &Plan<'_>, id: TypeId, name: &RustName, gate: &TokenStream) -> TokenStream {
    let ty = plan.model.ty(id);
    let qualified = ty.qualified_name();
    let lead = match &ty.description {
        Some(description) => format!("{}\n\n", sanitize(description)),
        None => String::new(),
    };
    // Without `@odata.type`, a concrete base type is the value's type: it goes first.
    let has_base = plan.concrete_family(id).contains(&id);
    let untyped = if has_base {
        format!(" A value without `@odata.type` is a `{qualified}`.")
    } else {
        String::new()
    };
    let doc = doc_attributes(&format!(
        "{lead}A `{qualified}` value of any concrete type: the type named by the value's `@odata.type`.\n\n\
         Reading accepts the type name with or without the leading `#`, and a value is written back \
         with the `@odata.type` it was read with, or none; a value built in code gets one where this \
         slot needs it to be read back right. A type this crate does not know is kept whole in \
         [`{name}::Other`] and written back unchanged.{untyped}"
    ));
    let mut variants = Vec::new();
    for variant in plan.union_variants(id) {
        let member = variant.ty;
        let path = &variant.path;
        let variant = variant.name.ident();
        let member_name = plan.model.ty(member).qualified_name();
        // A soft variant: with areas, a derived type whose builders another area owns is
        // compiled only with that area, and its values read as `Other` without it.
        let variant_gate = plan
            .features
            .gate_within(Item::Type(member), Item::Union(id));
        variants.push(quote! { #variant_gate #variant(#path) = #member_name, });
    }
    let name_ident = name.ident();
    let macro_name = if has_base {
        quote!(union_with_base)
    } else {
        quote!(union_type)
    };
    quote! {
        #gate
        crate::macros::#macro_name! {
            #doc
            #[non_exhaustive]
            pub enum #name_ident {
                #(#variants)*
            }
        }
    }
}

/// The variant names of the enum of `id`, claimed once (for the plan), in its members' order.
pub(crate) fn enum_variants(
    plan: &Plan<'_>,
    id: TypeId,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<RustName> {
    let TypeKind::Enum(def) = &plan.model.ty(id).kind else {
        return Vec::new();
    };
    let mut scope = Scope::with_reserved(&["Unrecognized"]);
    def.members
        .iter()
        .map(|member| {
            plan.claim(
                &mut scope,
                plan.member_variant_name(id, &member.name),
                id,
                &format!("the member `{}`", member.name),
                warnings,
            )
        })
        .collect()
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
    let mut variants = Vec::new();
    for (member, variant) in def.members.iter().zip(plan.enum_variants(id)) {
        let variant = variant.ident();
        let wire = &member.name;
        let member_doc = match &member.description {
            Some(description) => sanitize(description),
            None => format!("`{wire}` (value {}).", member.value),
        };
        let member_doc = doc_attributes(&member_doc);
        variants.push(quote! { #member_doc #variant = #wire, });
    }
    let ident = name.ident();
    let qualified = plan.model.ty(id).qualified_name();
    quote! {
        crate::macros::string_enum! {
            #[odata_name = #qualified]
            #doc
            #[non_exhaustive]
            pub enum #ident {
                #(#variants)*
            }
        }
    }
}
