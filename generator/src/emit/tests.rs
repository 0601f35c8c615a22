//! Emits `tests/generated.rs`: behaviour checks for every union, enum, struct and entry point of
//! the crate, derived from the same plan as the code they check.

use proc_macro2::TokenStream;
use quote::quote;

use super::requests::MethodKind;
use super::{Plan, requests};
use crate::config::GenerateOptions;
use crate::model::*;
use crate::model::{ContainerChildKind, OperationKind};

/// The path of the file.
pub(super) const PATH: &str = "tests/generated.rs";

/// The file of behaviour checks.
pub(super) fn file(plan: &Plan<'_>, options: &GenerateOptions) -> TokenStream {
    let crate_ident = proc_macro2::Ident::new(
        &options.crate_name.replace('-', "_"),
        proc_macro2::Span::call_site(),
    );
    let mut struct_checks = Vec::new();
    let mut union_checks = Vec::new();
    let mut enum_checks = Vec::new();
    for (&id, items) in sorted(plan) {
        if let Some(name) = &items.struct_name {
            let path = krate_path(plan.model_path(&items.module, name));
            struct_checks.push(quote!(check_struct::<#path>();));
            let first = plan
                .model
                .all_properties(id)
                .into_iter()
                .find(|(_, p)| plan.use_type(p.ty).is_some());
            if let Some((_, property)) = first {
                let wire = &property.name;
                struct_checks.push(quote!(check_explicit_null::<#path>(#wire);));
            }
        }
        if let Some(name) = &items.union_name {
            let union = krate_path(plan.model_path(&items.module, name));
            for variant in plan.union_variants(id) {
                let path = krate_path(variant.path.clone());
                let odata_type = plan.model.ty(variant.ty).qualified_name();
                let tagged = variant.tagged;
                let variant = variant.name.ident();
                union_checks.push(quote! {
                    check_variant::<#union, #path>(#union::#variant, #odata_type, #tagged);
                });
            }
            union_checks.push(quote!(check_unknown_type::<#union>();));
            // A type with a struct is its union's base: a value without `@odata.type` is one.
            if let Some(struct_name) = &items.struct_name {
                let path = krate_path(plan.model_path(&items.module, struct_name));
                union_checks.push(quote!(check_untyped_is_base::<#union, #path>();));
            }
        }
        if let Some(name) = &items.enum_name {
            let path = krate_path(plan.model_path(&items.module, name));
            if let TypeKind::Enum(def) = &plan.model.ty(id).kind {
                let members: Vec<&str> = def.members.iter().map(|m| &*m.name).collect();
                let qualified = plan.model.ty(id).qualified_name();
                enum_checks.push(quote!(check_enum::<#path>(#qualified, &[#(#members),*]);));
                if def.is_flags {
                    enum_checks.push(quote!(check_flags::<#path>(&[#(#members),*]);));
                }
            }
        }
    }
    let requests = request_checks(plan);
    let structs_test = (!struct_checks.is_empty()).then(|| {
        quote! {
            #[test]
            fn structs_round_trip_and_keep_unknown_properties() {
                #(#struct_checks)*
            }
        }
    });
    let unions_test = (!union_checks.is_empty()).then(|| {
        quote! {
            #[test]
            fn unions_are_chosen_by_odata_type() {
                #(#union_checks)*
            }
        }
    });
    let enums_test = (!enum_checks.is_empty()).then(|| {
        quote! {
            #[test]
            fn enums_round_trip_and_keep_unknown_members() {
                #(#enum_checks)*
            }
        }
    });
    // In a crate with areas, the checks cover every item, so they need every area.
    let whole_crate_only = plan.features.enabled().then(|| {
        let full = super::features::FULL;
        quote!(#![cfg(feature = #full)])
    });
    quote! {
        //! Behaviour checks generated for every model and entry point of this crate.
        #whole_crate_only

        use std::fmt::Debug;

        use #crate_ident as krate;

        use serde::Serialize;
        use serde::de::DeserializeOwned;
        use serde_json::{Value, json};

        fn to_json<T: Serialize>(value: &T) -> Value {
            serde_json::to_value(value).expect("a model serializes")
        }

        fn from_json<T: DeserializeOwned>(json: Value) -> T {
            serde_json::from_value(json).expect("the JSON parses")
        }

        /// A default struct writes `{}`, and properties it does not declare survive a round trip.
        #[allow(dead_code)]
        fn check_struct<T: Default + Serialize + DeserializeOwned + PartialEq + Debug>() {
            assert_eq!(to_json(&T::default()), json!({}));
            let unknown = json!({ "propertyFromTheFuture": [1, "two", { "three": null }] });
            let value: T = from_json(unknown.clone());
            assert_ne!(value, T::default(), "the unknown property is kept");
            assert_eq!(to_json(&value), unknown);
        }

        /// An explicit `null` is read, kept and written back, and `set_null` sends one.
        #[allow(dead_code)]
        fn check_explicit_null<T>(property: &str)
        where
            T: krate::Model + Default + Serialize + DeserializeOwned + PartialEq + Debug,
        {
            let cleared = json!({ property: null });
            let value: T = from_json(cleared.clone());
            assert_ne!(value, T::default(), "the explicit null is kept");
            assert_eq!(to_json(&value), cleared);
            let mut built = T::default();
            built.set_null(property);
            assert_eq!(built, value, "set_null keeps the null a read keeps");
            assert_eq!(to_json(&built), cleared);
        }

        /// A flags value is its members joined by commas, in order, unknown members kept.
        #[allow(dead_code)]
        fn check_flags<T>(members: &[&str])
        where
            T: krate::flags::FlagMember + Serialize + DeserializeOwned + PartialEq + Debug,
        {
            let mut names: Vec<&str> = members.iter().rev().copied().collect();
            names.push("memberFromTheFuture");
            let wire = names.join(",");
            let value: krate::Flags<T> = from_json(json!(wire));
            assert_eq!(value.0.len(), names.len());
            assert_eq!(to_json(&value), json!(wire));
        }

        /// A variant built in code writes `@odata.type` (with `#`) where its slot needs one to
        /// be read back right (`tagged`: not for a concrete base). Read with the tag, with or
        /// without `#`, it is the same variant, written back with `#type`, except a base's
        /// value, written back exactly as read (with its tag, or without one).
        #[allow(dead_code)]
        /// (The value is made here, not in the caller: a test that made thousands of values of
        /// large unions in one function would overflow its stack.)
        fn check_variant<T, V>(variant: fn(V) -> T, odata_type: &str, tagged: bool)
        where
            T: Serialize + DeserializeOwned + PartialEq + Debug,
            V: Default,
        {
            let value = variant(V::default());
            let json = to_json(&value);
            if tagged {
                assert_eq!(json["@odata.type"], format!("#{odata_type}"));
            } else {
                assert_eq!(json, json!({}));
            }
            for read in [
                json.clone(),
                json!({ "@odata.type": odata_type }),
                json!({ "@odata.type": format!("#{odata_type}") }),
            ] {
                let value_read: T = from_json(read.clone());
                assert_eq!(
                    std::mem::discriminant(&value_read),
                    std::mem::discriminant(&value)
                );
                let written = if tagged { json.clone() } else { read };
                assert_eq!(to_json(&value_read), written);
                if tagged {
                    assert_eq!(value_read, value, "read with its tag, it equals the value built");
                }
            }
        }

        /// A type the crate does not know is kept whole and written back unchanged.
        #[allow(dead_code)]
        fn check_unknown_type<T: Serialize + DeserializeOwned + Debug>() {
            let unknown = json!({ "@odata.type": "#example.typeFromTheFuture", "size": 3 });
            let value: T = from_json(unknown.clone());
            assert_eq!(to_json(&value), unknown);
        }

        /// A concrete base type reads a value without `@odata.type` as itself.
        #[allow(dead_code)]
        fn check_untyped_is_base<U: DeserializeOwned + PartialEq + Debug + From<B>, B: Default>() {
            assert_eq!(from_json::<U>(json!({})), U::from(B::default()));
        }

        /// Every member round-trips by name, and is written in URLs as the qualified literal
        /// OData 4.0 requires (`ns.type'member'`); an unknown member is kept.
        #[allow(dead_code)]
        fn check_enum<T>(qualified: &str, members: &[&str])
        where
            T: Serialize
                + DeserializeOwned
                + PartialEq
                + Debug
                + std::fmt::Display
                + krate::path::ODataLiteral,
        {
            for member in members {
                let value: T = from_json(json!(member));
                assert_eq!(to_json(&value), json!(member));
                assert_eq!(value.to_string(), *member);
                assert_eq!(value.to_odata_literal(), format!("{qualified}'{member}'"));
            }
            let future: T = from_json(json!("memberFromTheFuture"));
            assert_eq!(to_json(&future), json!("memberFromTheFuture"));
        }

        #structs_test
        #unions_test
        #enums_test
        #requests
    }
}

fn sorted<'a>(plan: &'a Plan<'_>) -> Vec<(&'a TypeId, &'a super::TypeItems)> {
    let mut items: Vec<_> = plan.items.iter().collect();
    items.sort_by_key(|(id, _)| **id);
    items
}

/// The check of an `upload` method: an upload through a session goes to the session's URL.
fn upload_check(plan: &Plan<'_>, id: OperationId, method: &TokenStream) -> Option<TokenStream> {
    let (session, field) = requests::upload_session_url(plan, id)?;
    let items = plan.items(session);
    let session = krate_path(plan.model_path(&items.module, items.struct_name.as_ref()?));
    let field = field.ident();
    Some(quote! {
        {
            let mut session = #session::default();
            session.#field = Some("https://upload.example/session-1".to_string());
            let upload = #method(&session, 10).expect("an upload through the session");
            assert_eq!(upload.url(), "https://upload.example/session-1");
            let without_url = #session::default();
            let refused = #method(&without_url, 10);
            assert!(refused.is_err(), "a session without a URL");
        }
    })
}

/// Rewrites `crate::models::X` (as written inside the crate) to `msgraph::models::X` for a test.
pub(crate) fn krate_path(path: TokenStream) -> TokenStream {
    path.into_iter()
        .map(|token| match token {
            proc_macro2::TokenTree::Ident(ident) if ident == "crate" => {
                proc_macro2::TokenTree::Ident(proc_macro2::Ident::new("krate", ident.span()))
            }
            other => other,
        })
        .collect()
}

fn request_checks(plan: &Plan<'_>) -> TokenStream {
    let mut checks = Vec::new();
    for (method, _, entry) in requests::entry_methods(plan) {
        let method = method.ident();
        let url = format!("https://graph.microsoft.com/v1.0/{}", entry.name);
        let (item, item_url) = match entry.kind {
            // A composite key (or none: a keyless type has no `by_id`).
            ContainerChildKind::EntitySet if plan.model.key_of(entry.ty).len() != 1 => {
                checks.push(quote! {
                    check_request(krate::Graph::v1().#method().list(), "GET", #url);
                });
                let collection = quote!(krate::Graph::v1().#method());
                let Some((item, item_url)) = composite_member(plan, entry.ty, &collection, &url)
                else {
                    continue;
                };
                checks.push(quote! {
                    check_request(#item.get(), "GET", #item_url);
                });
                (item, item_url)
            }
            ContainerChildKind::EntitySet => {
                let encoded = format!("{url}/a%2Fb%3Fc%23d%20.");
                let dots = format!("{url}/%2E%2E");
                checks.push(quote! {
                    check_request(krate::Graph::v1().#method().list(), "GET", #url);
                    check_request(krate::Graph::v1().#method().by_id("a/b?c#d .").get(), "GET", #encoded);
                    check_request(krate::Graph::v1().#method().by_id("..").get(), "GET", #dots);
                    check_empty_key(krate::Graph::v1().#method().by_id("").get(), #url);
                });
                (
                    quote!(krate::Graph::v1().#method().by_id("k")),
                    format!("{url}/k"),
                )
            }
            ContainerChildKind::Singleton => {
                checks.push(quote! {
                    check_request(krate::Graph::v1().#method().get(), "GET", #url);
                });
                (quote!(krate::Graph::v1().#method()), url.clone())
            }
        };
        if requests::allowed(plan, entry.ty).deletable {
            checks.push(quote! {
                check_request(#item.delete(), "DELETE", #item_url);
            });
        }
        let collection_methods = match entry.kind {
            ContainerChildKind::EntitySet => requests::builder_methods(plan, entry.ty, true),
            ContainerChildKind::Singleton => Vec::new(),
        };
        for (name, kind) in collection_methods {
            let name = name.ident();
            let collection = quote!(krate::Graph::v1().#method());
            if let MethodKind::Cast(derived) = kind {
                let cast_url = format!("{url}/{}", plan.model.ty(derived).qualified_name());
                checks.push(quote! {
                    check_request(#collection.#name().list(), "GET", #cast_url);
                });
            } else if let MethodKind::Operation(id) = kind {
                checks.extend(operation_check(plan, id, &quote!(#collection.#name), &url));
            } else if let MethodKind::Upload(id) = kind {
                checks.extend(upload_check(plan, id, &quote!(#collection.#name)));
            }
        }
        for (name, kind) in requests::builder_methods(plan, entry.ty, false) {
            let name = name.ident();
            match kind {
                MethodKind::Navigation(navigation) => {
                    let nav_url = format!("{item_url}/{}", navigation.name);
                    if navigation.collection && plan.model.key_of(navigation.target).len() != 1 {
                        checks.push(quote! {
                            check_request(#item.#name().list(), "GET", #nav_url);
                        });
                    } else if navigation.collection {
                        let member_url = format!("{nav_url}/k%2F1");
                        checks.push(quote! {
                            check_request(#item.#name().list(), "GET", #nav_url);
                            check_request(#item.#name().by_id("k/1").get(), "GET", #member_url);
                            check_empty_key(#item.#name().by_id("").get(), #nav_url);
                        });
                    } else {
                        checks.push(quote! {
                            check_request(#item.#name().get(), "GET", #nav_url);
                        });
                    }
                }
                MethodKind::Reference(navigation) => {
                    let ref_url = format!("{item_url}/{}/$ref", navigation.name);
                    let operation = if navigation.collection {
                        quote!(list())
                    } else {
                        quote!(get())
                    };
                    checks.push(quote! {
                        check_request(#item.#name().#operation, "GET", #ref_url);
                    });
                }
                MethodKind::Media => {
                    let media_url = format!("{item_url}/$value");
                    checks.push(quote! {
                        check_content(#item.#name().get(), #media_url);
                    });
                }
                MethodKind::Stream(property) => {
                    let stream_url = format!("{item_url}/{}", property.name);
                    checks.push(quote! {
                        check_content(#item.#name().get(), #stream_url);
                    });
                }
                MethodKind::Cast(derived) => {
                    let cast_url =
                        format!("{item_url}/{}", plan.model.ty(derived).qualified_name());
                    checks.push(quote! {
                        check_request(#item.#name().get(), "GET", #cast_url);
                    });
                }
                MethodKind::Operation(id) => {
                    checks.extend(operation_check(plan, id, &quote!(#item.#name), &item_url));
                }
                MethodKind::Upload(id) => {
                    checks.extend(upload_check(plan, id, &quote!(#item.#name)));
                }
            }
        }
    }
    if checks.is_empty() {
        return quote! {};
    }
    quote! {
        fn check_request<T>(operation: krate::Operation<T>, method: &str, url: &str) {
            let request = operation.to_http_request().expect("the request builds");
            assert_eq!(request.method().as_str(), method);
            assert_eq!(request.uri().to_string(), url);
            assert_eq!(request.headers()["accept"], "application/json");
        }

        #[allow(dead_code)]
        fn check_content(operation: krate::Operation<krate::Content>, url: &str) {
            let request = operation.to_http_request().expect("the request builds");
            assert_eq!(request.method().as_str(), "GET");
            assert_eq!(request.uri().to_string(), url);
            assert_eq!(request.headers()["accept"], "*/*");
            let content = operation
                .parse_response(http::Response::new(vec![0u8, 1, 2]))
                .expect("raw content is read as it is");
            assert_eq!(content, krate::Content(vec![0, 1, 2]));
        }

        fn check_empty_key<T>(operation: krate::Operation<T>, collection_url: &str) {
            match operation.to_http_request() {
                Err(krate::Error::EmptyKey { .. }) => {}
                other => panic!("an empty key under {collection_url} must not build a request: {other:?}"),
            }
        }

        #[test]
        fn entry_points_address_their_resources() {
            #(#checks)*
        }
    }
}

/// A member of the collection `collection` (at `url`) of `ty`, which has a composite key, and
/// its URL: `by_key` with a sample value per part (`"k"` for strings, `1` for integers), or
/// `None` when a part has another type.
fn composite_member(
    plan: &Plan<'_>,
    ty: TypeId,
    collection: &TokenStream,
    url: &str,
) -> Option<(TokenStream, String)> {
    let key = plan.model.key_of(ty);
    if key.len() < 2 {
        return None;
    }
    let mut arguments = Vec::new();
    let mut literals = Vec::new();
    for part in key {
        let wire = part.alias.as_deref().unwrap_or(&part.path);
        let part_type = plan.model.key_part_type(ty, &part.path)?;
        let (argument, literal) = match part_type.target {
            TypeTarget::Primitive(Primitive::String) => (quote!("k"), "'k'"),
            TypeTarget::Primitive(
                Primitive::Byte
                | Primitive::SByte
                | Primitive::Int16
                | Primitive::Int32
                | Primitive::Int64,
            ) => (quote!(1), "1"),
            _ => return None,
        };
        arguments.push(argument);
        literals.push(format!("{wire}={literal}"));
    }
    Some((
        quote!(#collection.by_key(#(#arguments),*)),
        format!("{url}({})", literals.join(",")),
    ))
}

/// A check of a bound operation without parameters (one with parameters needs values a test
/// cannot make up): an action is a `POST` to `.../name`, a function a `GET` of `.../name()`.
fn operation_check(
    plan: &Plan<'_>,
    id: OperationId,
    call: &TokenStream,
    base_url: &str,
) -> Option<TokenStream> {
    let operation = plan.model.operation(id);
    if !operation.parameters.is_empty() {
        return None;
    }
    let segment = if operation.namespace == plan.main_namespace {
        operation.name.to_string()
    } else {
        format!("{}.{}", operation.namespace, operation.name)
    };
    let (method, url) = match operation.kind {
        OperationKind::Action => ("POST", format!("{base_url}/{segment}")),
        OperationKind::Function => ("GET", format!("{base_url}/{segment}()")),
    };
    let streamed = operation
        .return_type
        .is_some_and(|ty| ty.target == TypeTarget::Primitive(Primitive::Stream));
    if crate::select::delta_entity(plan.model, operation).is_some() {
        // A delta function's round starts with a GET of the function.
        return Some(quote! { check_request(#call().changes(), #method, #url); });
    }
    if crate::select::composable_entity(plan.model, operation).is_some() {
        // A composable function gives a builder: reading it is a GET of the function's result.
        let read = if operation.return_type.is_some_and(|ty| ty.collection) {
            quote!(list())
        } else {
            quote!(get())
        };
        return Some(quote! { check_request(#call().#read, #method, #url); });
    }
    Some(if streamed {
        quote! { check_content(#call(), #url); }
    } else {
        quote! { check_request(#call(), #method, #url); }
    })
}
