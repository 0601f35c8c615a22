//! A documented request resolved against the plan: the chain of generated builder methods that
//! addresses its URL, and the call that makes its operation, as Rust tokens that take every
//! value written in the example (keys, function arguments, bodies) from the harness's input at
//! run time, never from its own text.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::Class;
use super::url::{self, ParsedUrl};
use crate::emit::Plan;
use crate::emit::edm;
use crate::emit::requests::{self, MethodKind};
use crate::model::*;
use crate::naming::RustName;

/// The structured type of an answer: what its members are declared by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Answer {
    /// The (entity or complex) type of the value, or of each item.
    pub ty: TypeId,
    /// A collection (a page of items).
    pub collection: bool,
}

/// How the harness reads an operation's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reader {
    /// A JSON (or empty, or plain-text number) answer, written back as JSON; of this structured
    /// type, when it is one.
    Json(Option<Answer>),
    /// Raw content (`$value`, a stream property).
    Content,
    /// A call whose answer the CSDL declares no result for (a `DELETE`, a `$ref` write, an
    /// action without a return type), read as nothing.
    Nothing,
}

/// A resolved request.
pub(super) struct Route {
    /// The expression of the operation, over `args` (the harness's `Args`).
    pub call: TokenStream,
    /// How its answer is read.
    pub reader: Reader,
    /// The values the expression takes from `args.text(i)`, in order.
    pub arguments: Vec<String>,
    /// The rules by which the URL was read (`letter case of names`), if any.
    pub rules: Vec<&'static str>,
}

/// The Rust type of a primitive the runtime keeps as text (`values::Date`, ...), made from a
/// literal's text with `From<&str>`.
fn text_valued(primitive: Primitive) -> Option<TokenStream> {
    match primitive {
        Primitive::Guid
        | Primitive::Date
        | Primitive::DateTimeOffset
        | Primitive::TimeOfDay
        | Primitive::Duration => edm::rust_type(primitive),
        _ => None,
    }
}

/// A function argument that is given: in `Some` for a nullable parameter.
fn given(argument: TokenStream, nullable: bool) -> TokenStream {
    if nullable {
        quote!(::std::option::Option::Some(#argument))
    } else {
        argument
    }
}

/// Why a request could not be resolved.
pub(super) type Unresolved = (Class, String);

/// Where the walk along the path is.
#[derive(Clone, Copy)]
enum At {
    Root,
    Item(TypeId),
    Collection(TypeId),
    /// A structured property's value (`ItemRequest::property`), of this type.
    Property(TypeId),
}

struct Walk<'p, 'm> {
    plan: &'p Plan<'m>,
    /// The parameter struct of each action with parameters.
    parameters: &'p BTreeMap<OperationId, RustName>,
    arguments: Vec<String>,
    /// Whether names match without regard to letter case (the second attempt).
    fold_case: bool,
}

/// Resolves `method url` (with its JSON body, if any) to a route.
pub(super) fn resolve(
    plan: &Plan<'_>,
    parameters: &BTreeMap<OperationId, RustName>,
    method: &str,
    parsed: &ParsedUrl,
    body: Option<&Value>,
) -> Result<Route, Unresolved> {
    let attempt = |fold_case: bool| {
        let mut walk = Walk {
            plan,
            parameters,
            arguments: Vec::new(),
            fold_case,
        };
        let (call, reader) = walk.request(method, &parsed.segments, parsed, body)?;
        Ok(Route {
            call,
            reader,
            arguments: walk.arguments,
            rules: if fold_case {
                vec!["letter case of names"]
            } else {
                Vec::new()
            },
        })
    };
    // Graph reads names without regard to letter case; the documentation sometimes writes them
    // so. A URL that resolves only that way is equivalent by that rule.
    attempt(false).or_else(|error| attempt(true).map_err(|_| error))
}

impl Walk<'_, '_> {
    /// Whether the name in the URL is `declared`.
    fn same(&self, declared: &str, written: &str) -> bool {
        declared == written || (self.fold_case && declared.eq_ignore_ascii_case(written))
    }

    /// A value from the harness's input: the next argument, as text.
    fn argument(&mut self, value: String) -> TokenStream {
        let index = self.argument_index(value);
        quote!(args.text(#index))
    }

    /// The index of the next argument, `value`.
    fn argument_index(&mut self, value: String) -> usize {
        self.arguments.push(value);
        self.arguments.len() - 1
    }

    /// The builder chain for `segments` (which must end at one entity or a collection).
    fn address(&mut self, segments: &[String]) -> Result<(TokenStream, At), Unresolved> {
        let mut chain = quote!(krate::Graph::v1());
        let mut at = At::Root;
        for segment in segments {
            (chain, at) = self.step(chain, at, segment)?;
        }
        Ok((chain, at))
    }

    /// One segment further.
    fn step(
        &mut self,
        chain: TokenStream,
        at: At,
        segment: &str,
    ) -> Result<(TokenStream, At), Unresolved> {
        let (name, parentheses) = url::call_parts(segment);
        match at {
            At::Root => {
                let Some((method, _, entry)) = requests::entry_methods(self.plan)
                    .into_iter()
                    .find(|(_, _, entry)| self.same(&entry.name, name))
                else {
                    return Err(self.unknown(name, None));
                };
                let method = method.ident();
                let chain = quote!(#chain.#method());
                let at = match entry.kind {
                    ContainerChildKind::EntitySet => At::Collection(entry.ty),
                    ContainerChildKind::Singleton => At::Item(entry.ty),
                };
                self.key_in_parentheses(chain, at, parentheses)
            }
            At::Collection(ty) => {
                let methods = requests::builder_methods(self.plan, ty, true);
                if let Some((method, id)) = self.overload(&methods, name, parentheses) {
                    return self.composable(chain, &method, id, parentheses);
                }
                for (method, kind) in methods {
                    let method = method.ident();
                    match kind {
                        MethodKind::Cast(derived)
                            if self.same(&self.plan.model.ty(derived).qualified_name(), name) =>
                        {
                            return Ok((quote!(#chain.#method()), At::Collection(derived)));
                        }
                        _ => {}
                    }
                }
                if name.contains('.') && self.plan.model.find(name).is_some() {
                    return Err((
                        Class::Unsupported,
                        format!("the cast to `{name}` is not generated here"),
                    ));
                }
                // A call (`delta()`) or the name of an operation is not a key.
                let operation_name = self
                    .plan
                    .model
                    .operations
                    .iter()
                    .any(|operation| self.same(&operation.name, name));
                if parentheses.is_some() || operation_name {
                    return Err(self.unknown(name, Some(ty)));
                }
                self.key(chain, ty, segment)
            }
            At::Item(ty) => {
                let methods = requests::builder_methods(self.plan, ty, false);
                if let Some((method, id)) = self.overload(&methods, name, parentheses) {
                    return self.composable(chain, &method, id, parentheses);
                }
                for (method, kind) in methods {
                    let method = method.ident();
                    match kind {
                        MethodKind::Navigation(navigation) if self.same(&navigation.name, name) => {
                            let chain = quote!(#chain.#method());
                            let at = if navigation.collection {
                                At::Collection(navigation.target)
                            } else {
                                At::Item(navigation.target)
                            };
                            return self.key_in_parentheses(chain, at, parentheses);
                        }
                        MethodKind::Cast(derived)
                            if self.same(&self.plan.model.ty(derived).qualified_name(), name) =>
                        {
                            return Ok((quote!(#chain.#method()), At::Item(derived)));
                        }
                        _ => {}
                    }
                }
                self.property(chain, ty, name)
            }
            At::Property(ty) => self.property(chain, ty, name),
        }
    }

    /// A structural property of `ty` in the path: `property(Type::CONSTANT)`, for a single
    /// structured value (the runtime's `PropertyRequest`).
    fn property(
        &mut self,
        chain: TokenStream,
        ty: TypeId,
        name: &str,
    ) -> Result<(TokenStream, At), Unresolved> {
        let names = self.plan.struct_names(ty);
        let Some(found) = names
            .properties
            .iter()
            .find(|n| self.same(&n.property.name, name))
        else {
            return Err(self.unknown(name, Some(ty)));
        };
        let target = match found.property.ty.target {
            TypeTarget::Named(target)
                if !found.property.ty.collection
                    && self.plan.model.structured(target).is_some() =>
            {
                target
            }
            _ => {
                return Err((
                    Class::Unsupported,
                    format!(
                        "the property `{name}` of `{}` is not a single structured value, which is what a property request addresses",
                        self.plan.model.ty(ty).qualified_name()
                    ),
                ));
            }
        };
        let items = self.plan.items(ty);
        let Some(owner) = &items.struct_name else {
            return Err((
                Class::Unsupported,
                format!(
                    "`{}` has no struct to name its properties",
                    self.plan.model.ty(ty).qualified_name()
                ),
            ));
        };
        let owner = crate::emit::tests::krate_path(self.plan.model_path(&items.module, owner));
        let constant = found.constant.ident();
        Ok((
            quote!(#chain.property(#owner::#constant)),
            At::Property(target),
        ))
    }

    /// A key written in parentheses after a collection's name (`worksheets('Sheet1')`).
    fn key_in_parentheses(
        &mut self,
        chain: TokenStream,
        at: At,
        parentheses: Option<&str>,
    ) -> Result<(TokenStream, At), Unresolved> {
        match (at, parentheses) {
            (_, None) => Ok((chain, at)),
            (At::Collection(ty), Some(key)) => self.key(chain, ty, key),
            _ => Err((
                Class::ExampleDefect,
                "parentheses after a single-valued segment".to_string(),
            )),
        }
    }

    /// One member of a collection of `ty` by its key.
    fn key(
        &mut self,
        chain: TokenStream,
        ty: TypeId,
        key: &str,
    ) -> Result<(TokenStream, At), Unresolved> {
        if self.plan.model.key_of(ty).len() != 1 {
            return Err((
                Class::NotChecked,
                "a member of a collection with a composite key".to_string(),
            ));
        }
        let key = url::unquote(&url::percent_decode(key.strip_prefix("id=").unwrap_or(key)));
        let argument = self.argument(key);
        Ok((quote!(#chain.by_id(#argument)), At::Item(ty)))
    }

    /// The operation among `methods` that `name` calls with the arguments in `parentheses`:
    /// of overloads, the one whose parameters are exactly the arguments written, else one that
    /// has them all, else the first.
    fn overload(
        &self,
        methods: &[(RustName, MethodKind<'_>)],
        name: &str,
        parentheses: Option<&str>,
    ) -> Option<(proc_macro2::Ident, OperationId)> {
        let candidates: Vec<(proc_macro2::Ident, OperationId)> = methods
            .iter()
            .filter_map(|(rust, kind)| match kind {
                MethodKind::Operation(id) if self.names_operation(*id, name) => {
                    Some((rust.ident(), *id))
                }
                _ => None,
            })
            .collect();
        let written: Vec<String> = parentheses
            .and_then(url::arguments)
            .unwrap_or_default()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        let parameters = |id: OperationId| -> Vec<&str> {
            self.plan
                .model
                .operation(id)
                .parameters
                .iter()
                .map(|p| &*p.name)
                .collect()
        };
        let exact = candidates.iter().find(|(_, id)| {
            let mut declared = parameters(*id);
            declared.sort_unstable();
            let mut given: Vec<&str> = written.iter().map(String::as_str).collect();
            given.sort_unstable();
            declared == given
        });
        let covering = || {
            candidates.iter().find(|(_, id)| {
                let declared = parameters(*id);
                written.iter().all(|w| declared.contains(&w.as_str()))
            })
        };
        exact.or_else(covering).or(candidates.first()).cloned()
    }

    /// Whether `name` (plain or namespace-qualified) names the operation `id`.
    fn names_operation(&self, id: OperationId, name: &str) -> bool {
        let operation = self.plan.model.operation(id);
        self.same(&operation.name, name)
            || self.same(&format!("{}.{}", operation.namespace, operation.name), name)
    }

    /// A composable function in the middle of a path: its builder.
    fn composable(
        &mut self,
        chain: TokenStream,
        method: &proc_macro2::Ident,
        id: OperationId,
        parentheses: Option<&str>,
    ) -> Result<(TokenStream, At), Unresolved> {
        let operation = self.plan.model.operation(id);
        let Some(target) = crate::select::composable_entity(self.plan.model, operation) else {
            return Err((
                Class::ExampleDefect,
                format!(
                    "the operation `{}` is not the last segment and does not compose",
                    operation.name
                ),
            ));
        };
        let arguments = self.function_arguments(id, parentheses)?;
        let chain = quote!(#chain.#method(#(#arguments),*));
        let collection = operation.return_type.is_some_and(|ty| ty.collection);
        Ok((
            chain,
            if collection {
                At::Collection(target)
            } else {
                At::Item(target)
            },
        ))
    }

    /// The Rust arguments of a function call, from the URL's `name=value` pairs.
    fn function_arguments(
        &mut self,
        id: OperationId,
        parentheses: Option<&str>,
    ) -> Result<Vec<TokenStream>, Unresolved> {
        let operation = self.plan.model.operation(id);
        let written = match parentheses {
            Some(text) => url::arguments(text).ok_or_else(|| {
                (
                    Class::ExampleDefect,
                    format!("the arguments of `{}` are not name=value", operation.name),
                )
            })?,
            None => Vec::new(),
        };
        for (name, _) in &written {
            if !operation.parameters.iter().any(|p| p.name == name.as_str()) {
                return Err((
                    Class::Drift,
                    format!("`{}` has no parameter `{name}` in the CSDL", operation.name),
                ));
            }
        }
        let mut arguments = Vec::new();
        for parameter in &operation.parameters {
            let value = written
                .iter()
                .find(|(name, _)| name == &*parameter.name)
                .map(|(_, value)| value.clone());
            let ty = parameter.ty;
            // An enum's member, read as its JSON string.
            let enumeration = match ty.target {
                TypeTarget::Named(id)
                    if !ty.collection
                        && matches!(&self.plan.model.ty(id).kind, TypeKind::Enum(def) if !def.is_flags) =>
                {
                    self.plan.value_type(id)
                }
                _ => None,
            };
            if let Some(rust) = enumeration {
                let rust = crate::emit::tests::krate_path(rust);
                let argument = match value.as_deref().filter(|value| *value != "null") {
                    Some(value) => {
                        let index =
                            self.argument_index(url::enum_member(&url::percent_decode(value)));
                        quote!(&args.decode::<#rust>(#index)?)
                    }
                    None if ty.nullable => {
                        arguments.push(quote!(::std::option::Option::None));
                        continue;
                    }
                    None => {
                        return Err((
                            Class::ExampleDefect,
                            format!(
                                "the call of `{}` leaves out its required parameter `{}`",
                                operation.name, parameter.name
                            ),
                        ));
                    }
                };
                arguments.push(given(argument, ty.nullable));
                continue;
            }
            let primitive = match ty.target {
                TypeTarget::Primitive(primitive) if !ty.collection => primitive,
                _ => {
                    return Err((
                        Class::NotChecked,
                        format!(
                            "the harness does not write arguments of `{}`'s parameter `{}` (not a single primitive)",
                            operation.name, parameter.name
                        ),
                    ));
                }
            };
            let Some(value) = value.filter(|value| value != "null") else {
                if ty.nullable {
                    arguments.push(quote!(::std::option::Option::None));
                    continue;
                }
                return Err((
                    Class::ExampleDefect,
                    format!(
                        "the call of `{}` leaves out its required parameter `{}`",
                        operation.name, parameter.name
                    ),
                ));
            };
            let value = url::percent_decode(&value);
            if value.starts_with(['<', '{']) {
                return Err((
                    Class::ExampleDefect,
                    format!(
                        "a placeholder ({value}) for `{}`'s parameter `{}`",
                        operation.name, parameter.name
                    ),
                ));
            }
            let argument = if edm::is_string(primitive) {
                self.argument(url::unquote(&value))
            } else if edm::is_copy(primitive) {
                let rust = edm::rust_type(primitive).ok_or_else(|| {
                    (
                        Class::NotChecked,
                        format!("no Rust type for `{}`", parameter.name),
                    )
                })?;
                let index = self.argument_index(value);
                quote!(args.parse::<#rust>(#index)?)
            } else if let Some(rust) = text_valued(primitive) {
                // The runtime's text-valued types: made from the literal's text.
                let rust = crate::emit::tests::krate_path(rust);
                let text = self.argument(url::unquote(&value));
                quote!(&#rust::from(#text))
            } else {
                return Err((
                    Class::NotChecked,
                    format!(
                        "the harness does not write arguments of `{}`'s parameter `{}`",
                        operation.name, parameter.name
                    ),
                ));
            };
            arguments.push(given(argument, ty.nullable));
        }
        Ok(arguments)
    }

    /// Why `name` does not resolve where the walk is: metadata drift when the CSDL has no such
    /// member (or entity set), else something the crate does not generate.
    fn unknown(&self, name: &str, at: Option<TypeId>) -> Unresolved {
        if name.contains(':') {
            return (
                Class::BeyondCsdl,
                format!("path-based addressing (`{name}`) is not described by the CSDL"),
            );
        }
        if name.starts_with('$') {
            return (
                Class::Unsupported,
                format!("the `{name}` segment is not generated here"),
            );
        }
        let Some(ty) = at else {
            return (
                Class::Drift,
                format!("the CSDL has no entity set or singleton `{name}`"),
            );
        };
        let family = self.plan.model.ancestors_and_self(ty);
        let declared = family.iter().any(|&t| {
            self.plan.model.structured(t).is_some_and(|def| {
                def.properties.iter().any(|p| p.name == name)
                    || def.navigations.iter().any(|n| n.name == name)
            })
        });
        let qualified = self.plan.model.ty(ty).qualified_name();
        if declared {
            return (
                Class::Unsupported,
                format!("`{name}` of `{qualified}` cannot be addressed by a builder"),
            );
        }
        let operation = self.plan.model.operations.iter().any(|operation| {
            operation.name == name
                && operation
                    .binding
                    .is_some_and(|binding| family.contains(&binding.ty))
        });
        if operation {
            return (
                Class::Unsupported,
                format!("the operation `{name}` bound to `{qualified}` is not generated here"),
            );
        }
        (
            Class::Drift,
            format!("`{qualified}` has no member `{name}` in the CSDL"),
        )
    }

    /// The whole request: the address, then the call its method makes there.
    fn request(
        &mut self,
        method: &str,
        segments: &[String],
        parsed: &ParsedUrl,
        body: Option<&Value>,
    ) -> Result<(TokenStream, Reader), Unresolved> {
        if segments.is_empty() {
            return Err((
                Class::Unsupported,
                "the service document (the root itself)".to_string(),
            ));
        }
        let last = segments.last().map(String::as_str).unwrap_or_default();
        let (before_last, _) = segments.split_at(segments.len() - 1);
        match last {
            "$count" => {
                let (chain, at) = self.address(before_last)?;
                return match (at, method) {
                    (At::Collection(_), "GET") => {
                        Ok((quote!(#chain.count_items()), Reader::Json(None)))
                    }
                    _ => Err((
                        Class::ExampleDefect,
                        "`$count` after something other than a collection".to_string(),
                    )),
                };
            }
            "$ref" => return self.reference(method, before_last, parsed, body),
            "$value" => {
                let (chain, at) = self.address(before_last)?;
                let At::Item(ty) = at else {
                    return Err((
                        Class::Unsupported,
                        "`$value` of a collection or a property".to_string(),
                    ));
                };
                let media = requests::builder_methods(self.plan, ty, false)
                    .into_iter()
                    .find(|(_, kind)| matches!(kind, MethodKind::Media));
                let Some((media, _)) = media else {
                    return Err((
                        Class::Unsupported,
                        format!(
                            "`{}` is not a media entity in the CSDL",
                            self.plan.model.ty(ty).qualified_name()
                        ),
                    ));
                };
                let media = media.ident();
                return self.content(quote!(#chain.#media()), method);
            }
            _ => {}
        }
        // A stream property or an operation ends the path; they are found from the item or
        // collection before them.
        let (chain, at) = self.address(before_last)?;
        let (name, parentheses) = url::call_parts(last);
        let (ty, collection) = match at {
            At::Item(ty) => (Some(ty), false),
            At::Collection(ty) => (Some(ty), true),
            At::Root | At::Property(_) => (None, false),
        };
        if let Some(ty) = ty {
            let methods = requests::builder_methods(self.plan, ty, collection);
            if let Some((rust, id)) = self.overload(&methods, name, parentheses) {
                return self.operation(chain, &rust, id, parentheses, method);
            }
            for (rust, kind) in methods {
                let rust = rust.ident();
                match kind {
                    MethodKind::Stream(property) if self.same(&property.name, name) => {
                        return self.content(quote!(#chain.#rust()), method);
                    }
                    _ => {}
                }
            }
        }
        let (chain, at) = self.step(chain, at, last)?;
        self.change(chain, at, method)
    }

    /// `GET`, `PATCH`, `PUT`, `DELETE` of an entity, `GET` or `POST` of a collection.
    fn change(
        &mut self,
        chain: TokenStream,
        at: At,
        method: &str,
    ) -> Result<(TokenStream, Reader), Unresolved> {
        let allowed = |ty| requests::allowed(self.plan, ty);
        let refused = |what: &str, ty: TypeId| {
            Err((
                Class::Unsupported,
                format!(
                    "{what} of `{}`: the CSDL's capabilities do not allow it, so no builder has it",
                    self.plan.model.ty(ty).qualified_name()
                ),
            ))
        };
        let call = match (at, method) {
            (At::Property(_), "GET") => quote!(#chain.get()),
            (At::Property(_), "PATCH") => quote!(#chain.patch(&args.json_body()?)),
            (At::Item(_), "GET") => quote!(#chain.get()),
            (At::Item(ty), "PATCH") if allowed(ty).updatable => {
                quote!(#chain.patch(&args.json_body()?))
            }
            (At::Item(ty), "PUT") if allowed(ty).replaceable => {
                quote!(#chain.put(&args.json_body()?))
            }
            (At::Item(ty), "DELETE") if allowed(ty).deletable => quote!(#chain.delete()),
            (At::Collection(_), "GET") => quote!(#chain.list()),
            (At::Collection(ty), "POST") if allowed(ty).insertable => {
                quote!(#chain.create(&args.json_body()?))
            }
            (At::Item(ty), "PATCH" | "PUT" | "DELETE") | (At::Collection(ty), "POST") => {
                return refused(method, ty);
            }
            (At::Property(_), "PUT" | "DELETE") => {
                return Err((
                    Class::Unsupported,
                    format!("{method} of a complex property is not generated (GET and PATCH are)"),
                ));
            }
            _ => {
                return Err((
                    Class::ExampleDefect,
                    format!("{method} of an address that takes no {method}"),
                ));
            }
        };
        let answer = match at {
            At::Item(ty) | At::Property(ty) => Some(Answer {
                ty,
                collection: false,
            }),
            At::Collection(ty) => Some(Answer {
                ty,
                collection: method == "GET",
            }),
            At::Root => None,
        };
        Ok((
            call,
            if method == "DELETE" {
                Reader::Nothing
            } else {
                Reader::Json(answer)
            },
        ))
    }

    /// The structured type of an operation's result, if it has one.
    fn answer(&self, ty: Option<TypeUse>) -> Option<Answer> {
        let ty = ty?;
        match ty.target {
            TypeTarget::Named(id) if self.plan.model.structured(id).is_some() => Some(Answer {
                ty: id,
                collection: ty.collection,
            }),
            _ => None,
        }
    }

    /// A bound operation at the end of the path.
    fn operation(
        &mut self,
        chain: TokenStream,
        rust: &proc_macro2::Ident,
        id: OperationId,
        parentheses: Option<&str>,
        method: &str,
    ) -> Result<(TokenStream, Reader), Unresolved> {
        let operation = self.plan.model.operation(id);
        match operation.kind {
            OperationKind::Action => {
                if method != "POST" {
                    return Err((
                        Class::ExampleDefect,
                        format!("{method} of the action `{}`", operation.name),
                    ));
                }
                let streamed = operation
                    .return_type
                    .is_some_and(|ty| ty.target == TypeTarget::Primitive(Primitive::Stream));
                let call = match self.parameters.get(&id) {
                    None => quote!(#chain.#rust()),
                    Some(name) => {
                        // `new` with the required parameters (in order), or `Default`; then
                        // every member of the body read in.
                        let name = name.ident();
                        let names: Vec<&str> =
                            operation.parameters.iter().map(|p| &*p.name).collect();
                        let required: Vec<TokenStream> =
                            requests::required_parameters(self.plan, operation)
                                .into_iter()
                                .map(|p| {
                                    let wire = &*p.name;
                                    quote!(member(&body, #wire)?)
                                })
                                .collect();
                        let start = if required.is_empty() {
                            quote!(krate::requests::#name::default())
                        } else {
                            quote!(krate::requests::#name::new(#(#required),*))
                        };
                        quote!(#chain.#rust(&{
                            let body = args.body_for(&[#(#names),*]);
                            read_parameters(#start, body)?
                        }))
                    }
                };
                Ok((
                    call,
                    if streamed {
                        Reader::Content
                    } else if operation.return_type.is_none() {
                        Reader::Nothing
                    } else {
                        Reader::Json(self.answer(operation.return_type))
                    },
                ))
            }
            OperationKind::Function => {
                if method != "GET" {
                    return Err((
                        Class::ExampleDefect,
                        format!("{method} of the function `{}`", operation.name),
                    ));
                }
                let arguments = self.function_arguments(id, parentheses)?;
                let call = quote!(#chain.#rust(#(#arguments),*));
                if crate::select::delta_entity(self.plan.model, operation).is_some() {
                    return Ok((
                        quote!(#call.changes()),
                        Reader::Json(self.answer(operation.return_type)),
                    ));
                }
                if let Some(_target) = crate::select::composable_entity(self.plan.model, operation)
                {
                    let read = if operation.return_type.is_some_and(|ty| ty.collection) {
                        quote!(list())
                    } else {
                        quote!(get())
                    };
                    return Ok((
                        quote!(#call.#read),
                        Reader::Json(self.answer(operation.return_type)),
                    ));
                }
                let streamed = operation
                    .return_type
                    .is_some_and(|ty| ty.target == TypeTarget::Primitive(Primitive::Stream));
                Ok((
                    call,
                    if streamed {
                        Reader::Content
                    } else {
                        Reader::Json(self.answer(operation.return_type))
                    },
                ))
            }
        }
    }

    /// `GET` or `PUT` of raw content.
    fn content(
        &mut self,
        request: TokenStream,
        method: &str,
    ) -> Result<(TokenStream, Reader), Unresolved> {
        match method {
            "GET" => Ok((quote!(#request.get()), Reader::Content)),
            "PUT" => Ok((
                quote!(#request.put(args.raw_body(), args.content_type())),
                Reader::Nothing,
            )),
            "PATCH" => Ok((
                quote!(#request.patch(args.raw_body(), args.content_type())),
                Reader::Nothing,
            )),
            _ => Err((
                Class::Unsupported,
                format!("{method} of raw content is not generated"),
            )),
        }
    }

    /// The `$ref` links of a navigation property: `segments` end with the navigation (or with
    /// a member of it, for the `DELETE .../members/{id}/$ref` form).
    fn reference(
        &mut self,
        method: &str,
        segments: &[String],
        parsed: &ParsedUrl,
        body: Option<&Value>,
    ) -> Result<(TokenStream, Reader), Unresolved> {
        let Some((last, before)) = segments.split_last() else {
            return Err((Class::ExampleDefect, "`$ref` of the root".to_string()));
        };
        let kept = self.arguments.len();
        match self.address(before)? {
            (chain, At::Item(owner)) => {
                self.reference_call(chain, owner, last, method, parsed, body, None)
            }
            // `.../members/{id}/$ref`: one link of a collection, removed by the member's id;
            // `last` is the key and the navigation is the segment before it.
            (_, At::Collection(_)) if method == "DELETE" => {
                let Some((navigation, owner_segments)) = before.split_last() else {
                    return Err((Class::ExampleDefect, "`$ref` of a collection".to_string()));
                };
                self.arguments.truncate(kept);
                let (chain, at) = self.address(owner_segments)?;
                let At::Item(owner) = at else {
                    return Err((Class::ExampleDefect, "`$ref` of a collection".to_string()));
                };
                self.reference_call(chain, owner, navigation, method, parsed, body, Some(last))
            }
            // A navigation inside a complex value: `link`/`links` with the value type's
            // constant (the runtime's `PropertyRequest`).
            (chain, At::Property(ty)) => {
                let names = self.plan.struct_names(ty);
                let Some(crate::emit::models::NavigationNames {
                    navigation,
                    constant,
                    ..
                }) = names
                    .navigations
                    .iter()
                    .find(|names| self.same(&names.navigation.name, last))
                else {
                    return Err(self.unknown(last, Some(ty)));
                };
                if !navigation.has_links() {
                    return Err((
                        Class::Unsupported,
                        format!("`{last}` contains its targets: it has no `$ref` links"),
                    ));
                }
                let items = self.plan.items(ty);
                let Some(owner) = &items.struct_name else {
                    return Err(self.unknown(last, Some(ty)));
                };
                let owner =
                    crate::emit::tests::krate_path(self.plan.model_path(&items.module, owner));
                let constant = constant.ident();
                let (links, collection) = if navigation.collection {
                    (quote!(#chain.links(#owner::#constant)), true)
                } else {
                    (quote!(#chain.link(#owner::#constant)), false)
                };
                self.link_call(links, collection, method, parsed, body, None)
            }
            _ => Err((
                Class::ExampleDefect,
                "`$ref` after something other than a navigation property".to_string(),
            )),
        }
    }

    /// The call on the `$ref` builder of `owner`'s navigation `navigation`.
    #[allow(clippy::too_many_arguments)]
    fn reference_call(
        &mut self,
        chain: TokenStream,
        owner: TypeId,
        navigation: &str,
        method: &str,
        parsed: &ParsedUrl,
        body: Option<&Value>,
        member_key: Option<&String>,
    ) -> Result<(TokenStream, Reader), Unresolved> {
        let found = requests::builder_methods(self.plan, owner, false)
            .into_iter()
            .find(|(_, kind)| {
                matches!(kind, MethodKind::Reference(n) if self.same(&n.name, navigation))
            });
        let Some((rust, MethodKind::Reference(definition))) = found else {
            return Err(self.unknown(navigation, Some(owner)));
        };
        let rust = rust.ident();
        let links = quote!(#chain.#rust());
        self.link_call(
            links,
            definition.collection,
            method,
            parsed,
            body,
            member_key,
        )
    }

    /// The call `method` makes on the `$ref` builder `links` (of a collection-valued navigation
    /// when `collection`).
    fn link_call(
        &mut self,
        links: TokenStream,
        collection: bool,
        method: &str,
        parsed: &ParsedUrl,
        body: Option<&Value>,
        member_key: Option<&String>,
    ) -> Result<(TokenStream, Reader), Unresolved> {
        let call = match (collection, method, member_key) {
            (true, "GET", None) => quote!(#links.list()),
            (true, "POST", None) => {
                let target = self.target_from_body(body)?;
                quote!(#links.add(&#target))
            }
            (true, "DELETE", Some(key)) => {
                let key = self.argument(url::unquote(&url::percent_decode(key)));
                quote!(#links.remove(#key))
            }
            (true, "DELETE", None) => {
                let Some((_, id)) = parsed.query.iter().find(|(name, _)| name == "$id") else {
                    return Err((
                        Class::ExampleDefect,
                        "DELETE of a collection's `$ref` without `$id`".to_string(),
                    ));
                };
                let target = self.target_from_url(&url::percent_decode(id))?;
                quote!(#links.remove_link_to(&#target))
            }
            (false, "GET", None) => quote!(#links.get()),
            (false, "PUT", None) => {
                let target = self.target_from_body(body)?;
                quote!(#links.set(&#target))
            }
            (false, "DELETE", None) => quote!(#links.remove()),
            _ => {
                return Err((
                    Class::ExampleDefect,
                    format!("{method} of a `$ref` that takes no {method}"),
                ));
            }
        };
        // Only reading links has a result.
        Ok((
            call,
            if method == "GET" {
                Reader::Json(None)
            } else {
                Reader::Nothing
            },
        ))
    }

    /// The entity a `$ref` body links to (`{"@odata.id": URL}`), as its item builder.
    fn target_from_body(&mut self, body: Option<&Value>) -> Result<TokenStream, Unresolved> {
        let Some(id) = body
            .and_then(|body| body.get("@odata.id"))
            .and_then(Value::as_str)
        else {
            return Err((
                Class::ExampleDefect,
                "a `$ref` body without `@odata.id`".to_string(),
            ));
        };
        self.target_from_url(id)
    }

    /// The item builder of the entity at `url`.
    fn target_from_url(&mut self, url: &str) -> Result<TokenStream, Unresolved> {
        let parsed = url::parse(url)?;
        match self.address(&parsed.segments)? {
            (chain, At::Item(_)) => Ok(chain),
            _ => Err((
                Class::ExampleDefect,
                "a link to something other than one entity".to_string(),
            )),
        }
    }
}
