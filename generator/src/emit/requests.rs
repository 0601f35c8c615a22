//! Emits `src/requests/**`: request builders, one item builder and one collection builder per
//! entity type (not per URL path), the entry points on `Graph`, and the parameter structs of
//! bound actions.
//!
//! A builder carries its URL prefix, so the same builder type serves every path that reaches an
//! entity type, and code grows with the number of types, not paths.
//!
//! Every method is `#[inline]`: rustc then compiles a method only in the crates that call it,
//! not in this one, so a crate pays for the builders it uses (see ARCHITECTURE.md).

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Plan;
use super::docs::{doc_attributes, sanitize};
use super::edm::{self, LiteralForm};
use super::features::Item;
use super::models::{ADDITIONAL_PROPERTIES, PropertyTable};
use crate::model::*;
use crate::model::{ContainerChildKind, OperationKind};
use crate::naming::{self, RustName, Scope};

/// Methods every item or collection builder has; navigation properties and operations with
/// these names are numbered.
const FIXED_METHODS: &[&str] = &[
    "new", "path", "get", "patch", "put", "delete", "list", "create", "by_id", "by_key", "property",
];

/// The collection builders' method for the `$count` segment (not `count`: collections of
/// workbook charts, tables and the like have a bound function of that name).
const COUNT_METHOD: &str = "count_items";

/// The method name of an operation: its own name, or, when several operations of that name
/// apply to one builder (overloads), the name with its parameters:
/// `reminder_view_with_start_date_time_and_end_date_time`. An overload without parameters
/// keeps the plain name.
fn overload_name(operation: &OperationDef, overloaded: bool) -> RustName {
    let base = naming::member_name(&operation.name);
    if !overloaded || operation.parameters.is_empty() {
        return base;
    }
    let parameters: Vec<String> = operation
        .parameters
        .iter()
        .map(|p| {
            naming::member_name(&p.name)
                .as_str()
                .trim_end_matches('_')
                .to_string()
        })
        .collect();
    RustName::new(format!(
        "{}_with_{}",
        base.as_str().trim_end_matches('_'),
        parameters.join("_and_")
    ))
}

/// Names of the builders of one entity type.
pub(crate) struct BuilderNames {
    item: RustName,
    collection: RustName,
    /// The file that holds them.
    pub(super) file: String,
}

/// The `Graph` methods for the selected entity sets and singletons, in order, with each entry
/// and its index among the container's children.
pub(crate) fn entry_methods<'m>(plan: &Plan<'m>) -> Vec<(RustName, usize, &'m ContainerEntry<'m>)> {
    let Some(container) = &plan.model.container else {
        return Vec::new();
    };
    let mut scope = Scope::with_reserved(&["v1", "with_base_url", "base_url", "root"]);
    plan.selection
        .entries
        .iter()
        .map(|&index| {
            let entry = &container.children[index];
            (scope.claim(naming::member_name(&entry.name)), index, entry)
        })
        .collect()
}

/// What the service allows on members of `ty` through the selected entity sets, singletons and
/// navigation properties that reach it (and, for a type reached by a cast, through its base's):
/// a change is generated when any of them allows it. Where the CSDL has no Capabilities
/// annotation, everything is allowed, and a type reached only otherwise (a composable
/// function's result) allows everything too.
pub(crate) fn allowed(plan: &Plan<'_>, ty: TypeId) -> Capabilities {
    fn visit(plan: &Plan<'_>, ty: TypeId, seen: &mut Vec<TypeId>) -> Option<Capabilities> {
        if seen.contains(&ty) {
            return None;
        }
        seen.push(ty);
        let mut reached: Vec<Capabilities> = Vec::new();
        if let Some(container) = &plan.model.container {
            for &index in &plan.selection.entries {
                let entry = &container.children[index];
                if entry.ty == ty {
                    reached.push(entry.capabilities);
                }
            }
        }
        for &(owner, index) in &plan.selection.navigations {
            if let Some(navigation) = plan
                .model
                .structured(owner)
                .and_then(|def| def.navigations.get(index))
            {
                if navigation.target == ty {
                    reached.push(navigation.capabilities);
                }
            }
        }
        for &(base, derived) in &plan.selection.casts {
            if derived == ty {
                reached.extend(visit(plan, base, seen));
            }
        }
        reached.into_iter().reduce(|a, b| Capabilities {
            insertable: a.insertable || b.insertable,
            updatable: a.updatable || b.updatable,
            deletable: a.deletable || b.deletable,
            replaceable: a.replaceable || b.replaceable,
            referenceable: a.referenceable || b.referenceable,
        })
    }
    visit(plan, ty, &mut Vec::new()).unwrap_or_default()
}

/// What one builder method does.
pub(crate) enum MethodKind<'m> {
    /// Follows a navigation property to its target's builder.
    Navigation(&'m NavigationDef<'m>),
    /// The `$ref` links of a navigation property that does not contain its targets (or does,
    /// and is `Referenceable`).
    Reference(&'m NavigationDef<'m>),
    /// A media entity's stream (`$value`).
    Media,
    /// A stream property.
    Stream(&'m PropertyDef<'m>),
    /// A type cast to a derived type's builder.
    Cast(TypeId),
    /// A bound action or function.
    Operation(OperationId),
    /// The upload through a session that this `createUploadSession` action opened, typed by the
    /// builder's entity (the item the upload creates).
    Upload(OperationId),
}

/// The methods of an entity type's item builder (`collection == false`) or collection builder,
/// with their names, in the order they are written. Names are claimed here once, so the
/// builders and the tests that call them agree.
pub(crate) fn builder_methods<'m>(
    plan: &Plan<'m>,
    ty: TypeId,
    collection: bool,
) -> Vec<(RustName, MethodKind<'m>)> {
    let mut scope = Scope::with_reserved(FIXED_METHODS);
    if collection {
        scope.reserve(&RustName::new(COUNT_METHOD.to_string()));
    }
    let mut methods = Vec::new();
    if !collection {
        let navigations: Vec<&NavigationDef> = plan
            .model
            .all_navigations(ty)
            .into_iter()
            .filter(|(owner, index, _)| plan.selection.navigations.contains(&(*owner, *index)))
            .map(|(_, _, navigation)| navigation)
            .collect();
        let mut names = Vec::new();
        for &navigation in &navigations {
            let name = scope.claim(naming::member_name(&navigation.name));
            names.push(name.clone());
            methods.push((name, MethodKind::Navigation(navigation)));
        }
        for (name, &navigation) in names.iter().zip(&navigations) {
            if navigation.has_links() {
                methods.push((
                    scope.claim(name.with_suffix("_ref")),
                    MethodKind::Reference(navigation),
                ));
            }
        }
        let media = plan
            .model
            .ancestors_and_self(ty)
            .into_iter()
            .any(|t| plan.model.structured(t).is_some_and(|def| def.has_stream));
        if media {
            methods.push((
                scope.claim(RustName::new("media".to_string())),
                MethodKind::Media,
            ));
        }
        for (_, property) in plan.model.all_properties(ty) {
            if property.ty.target == TypeTarget::Primitive(Primitive::Stream)
                && !property.ty.collection
            {
                methods.push((
                    scope.claim(naming::member_name(&property.name)),
                    MethodKind::Stream(property),
                ));
            }
        }
    }
    for &(base, derived) in &plan.selection.casts {
        if base == ty {
            let snake = naming::member_name(plan.qualified_rust_name(derived).as_str());
            methods.push((
                scope.claim(RustName::new(format!("as_{snake}"))),
                MethodKind::Cast(derived),
            ));
        }
    }
    let ancestors = plan.model.ancestors_and_self(ty);
    let applicable: Vec<OperationId> = plan
        .selection
        .operations
        .iter()
        .copied()
        .filter(|&id| {
            let operation = plan.model.operation(id);
            let stream = TypeTarget::Primitive(Primitive::Stream);
            // A stream parameter is not part of a JSON body; such operations are left out.
            operation.parameters.iter().all(|p| p.ty.target != stream)
                && operation.binding.is_some_and(|binding| {
                    binding.collection == collection && ancestors.contains(&binding.ty)
                })
        })
        .collect();
    // An operation bound to a base type is overridden by one of the same name and parameters
    // bound closer to `ty` (Graph's `delta` on `directoryObject` and on `group`).
    let depth = |id: OperationId| {
        let binding = plan.model.operation(id).binding.map(|b| b.ty);
        ancestors
            .iter()
            .position(|a| Some(*a) == binding)
            .unwrap_or(usize::MAX)
    };
    let signature = |id: OperationId| {
        let operation = plan.model.operation(id);
        let parameters: Vec<&str> = operation.parameters.iter().map(|p| &*p.name).collect();
        (&operation.namespace, &operation.name, parameters)
    };
    let applicable: Vec<OperationId> = applicable
        .iter()
        .copied()
        .filter(|&id| {
            !applicable
                .iter()
                .any(|&other| signature(other) == signature(id) && depth(other) < depth(id))
        })
        .collect();
    for &id in &applicable {
        let operation = plan.model.operation(id);
        let overloaded = applicable
            .iter()
            .filter(|&&other| plan.model.operation(other).name == operation.name)
            .count()
            > 1;
        methods.push((
            scope.claim(overload_name(operation, overloaded)),
            MethodKind::Operation(id),
        ));
    }
    // Graph's convention: `createUploadSession` opens an upload session for large content; the
    // builder types the upload through it by its entity.
    for &id in &applicable {
        if upload_session_url(plan, id).is_some() {
            methods.push((
                scope.claim(RustName::new("upload".to_string())),
                MethodKind::Upload(id),
            ));
        }
    }
    methods
}

/// Graph's actions that answer `202 Accepted` with a `Location` to ask, and carry on in the
/// background: (binding type, action). The CSDL does not say so (a drive item's `copy` declares
/// a drive item as its result, which the answer never holds); Graph's API reference does.
const LONG_RUNNING: &[(&str, &str)] = &[
    ("microsoft.graph.driveItem", "copy"),
    ("microsoft.graph.team", "clone"),
    ("microsoft.graph.team", "archive"),
    ("microsoft.graph.team", "unarchive"),
];

/// Whether a bound action is long-running (see [`LONG_RUNNING`]): its operation reads the
/// answer as a `monitor::Accepted`.
pub(crate) fn is_long_running(plan: &Plan<'_>, id: OperationId) -> bool {
    let operation = plan.model.operation(id);
    let Some(binding) = operation.binding else {
        return false;
    };
    let binding = plan.model.ty(binding.ty).qualified_name();
    operation.kind == OperationKind::Action
        && LONG_RUNNING
            .iter()
            .any(|&(ty, name)| ty == binding && name == operation.name)
}

/// For an action named `createUploadSession` whose result has an `uploadUrl` property: the
/// result's type and the property's field (what an upload through the session reads).
pub(crate) fn upload_session_url(plan: &Plan<'_>, id: OperationId) -> Option<(TypeId, RustName)> {
    let operation = plan.model.operation(id);
    if operation.name != "createUploadSession" || operation.kind != OperationKind::Action {
        return None;
    }
    let result = operation.return_type?;
    let TypeTarget::Named(session) = result.target else {
        return None;
    };
    if result.collection || plan.items(session).struct_name.is_none() {
        return None;
    }
    let field = plan
        .struct_names(session)
        .properties
        .iter()
        .find(|names| names.property.name == "uploadUrl")?
        .field
        .clone();
    Some((session, field))
}

struct Requests<'p, 'm> {
    plan: &'p Plan<'m>,
    builders: &'p BTreeMap<TypeId, BuilderNames>,
    parameters: &'p BTreeMap<OperationId, RustName>,
}

/// The parameters an action body's `new(..)` takes, in order: the required (non-nullable)
/// ones that have a JSON form.
pub(crate) fn required_parameters<'o, 'm>(
    plan: &Plan<'m>,
    operation: &'o OperationDef<'m>,
) -> Vec<&'o ParameterDef<'m>> {
    operation
        .parameters
        .iter()
        .filter(|p| !p.ty.nullable && plan.use_type(p.ty).is_some())
        .collect()
}

/// The names of the builders of every entity type and of the parameter struct of every action
/// with parameters, claimed once in one scope (the harness of `crate::conformance` reads the
/// same names).
pub(crate) fn names(
    plan: &Plan<'_>,
) -> (
    BTreeMap<TypeId, BuilderNames>,
    BTreeMap<OperationId, RustName>,
) {
    let mut scope = Scope::new();
    let mut file_scope = Scope::with_reserved(&["mod", "parameters"]);
    let mut builders = BTreeMap::new();
    for &ty in plan.selection.builders.keys() {
        let base = plan.qualified_rust_name(ty);
        let item = scope.claim(base.with_suffix("Request"));
        let collection = scope.claim(base.with_suffix("CollectionRequest"));
        let file = file_scope.claim(RustName::new(naming::file_name(&base)));
        builders.insert(
            ty,
            BuilderNames {
                item,
                collection,
                file: format!("src/requests/{file}.rs"),
            },
        );
    }
    let mut parameters = BTreeMap::new();
    for &operation_id in &plan.selection.operations {
        let operation = plan.model.operation(operation_id);
        if operation.kind == OperationKind::Action && !operation.parameters.is_empty() {
            let binding = operation.binding.map(|b| plan.qualified_rust_name(b.ty));
            let base = binding.map(|b| b.as_str().to_string()).unwrap_or_default();
            let op = naming::type_name(&operation.name);
            let name = scope.claim(RustName::new(format!("{base}{op}Parameters")));
            parameters.insert(operation_id, name);
        }
    }
    (builders, parameters)
}

/// The path of the file of action bodies.
pub(super) const PARAMETERS_PATH: &str = "src/requests/parameters.rs";

/// The path of the requests module file.
pub(super) const MODULE_PATH: &str = "src/requests/mod.rs";

/// The file of the builders of the entity type `ty` (its item builder, and its collection
/// builder where it is reached as a collection).
pub(super) fn builder_file(plan: &Plan<'_>, ty: TypeId) -> TokenStream {
    Requests::of(plan).builder_file(ty)
}

/// The file of every action body (`XYParameters`).
pub(super) fn parameters_file(plan: &Plan<'_>) -> TokenStream {
    Requests::of(plan).parameters_file()
}

/// `src/requests/mod.rs`: the builder modules and the service's entry points.
pub(super) fn module_file(plan: &Plan<'_>) -> TokenStream {
    Requests::of(plan).module_file()
}

impl<'p, 'm> Requests<'p, 'm> {
    fn of(plan: &'p Plan<'m>) -> Self {
        Requests {
            plan,
            builders: &plan.builder_names,
            parameters: &plan.parameter_names,
        }
    }

    fn builder_file(&self, ty: TypeId) -> TokenStream {
        let names = &self.builders[&ty];
        let needs = self.plan.selection.builders[&ty];
        let mut tokens = self.item_builder(ty, names);
        if needs.collection {
            // Its own gate where fewer areas reach the collection than the item builder.
            let gate = self
                .plan
                .features
                .gate_within(Item::CollectionBuilder(ty), Item::ItemBuilder(ty));
            tokens.extend(self.collection_builder(ty, names, &gate));
        }
        tokens
    }

    fn parameters_file(&self) -> TokenStream {
        let structs = self.parameters.iter().map(|(&id, name)| {
            let gate = self.plan.gate(Item::Operation(id));
            self.parameter_struct(id, name, &gate)
        });
        quote! { #(#structs)* }
    }

    fn module_file(&self) -> TokenStream {
        let mut modules = Vec::new();
        let mut gates = Vec::new();
        for (&ty, names) in self.builders {
            let stem = names
                .file
                .trim_start_matches("src/requests/")
                .trim_end_matches(".rs");
            modules.push(RustName::new(stem.to_string()).ident());
            gates.push(self.plan.gate(Item::ItemBuilder(ty)));
        }
        let mut parameter_module = quote! {};
        if !self.parameters.is_empty() {
            // With areas, an area may use none of the parameter structs.
            let allow = self
                .plan
                .features
                .enabled()
                .then(|| quote!(#[allow(unused_imports)]));
            parameter_module = quote! { mod parameters; #allow pub use parameters::*; };
        }
        let entry_points = self.entry_points();
        quote! {
            //! Request builders: start from [`crate::Graph`] and follow navigation segments.
            //!
            //! Each entity type has an item builder (`...Request`) and, where it is reached as a
            //! collection, a collection builder (`...CollectionRequest`). A builder only carries
            //! the URL it stands for; its methods return [`crate::Operation`]s.
            #(#gates mod #modules; #gates pub use #modules::*;)*
            #parameter_module
            #entry_points
        }
    }

    fn builder_path(&self, ty: TypeId, collection: bool) -> TokenStream {
        let names = &self.builders[&ty];
        let name = if collection {
            &names.collection
        } else {
            &names.item
        };
        let ident = name.ident();
        quote!(crate::requests::#ident)
    }

    fn value_type(&self, ty: TypeId) -> TokenStream {
        self.plan
            .value_type(ty)
            .unwrap_or_else(|| quote!(::serde_json::Value))
    }

    fn entry_points(&self) -> TokenStream {
        let mut methods = Vec::new();
        for (method, index, entry) in entry_methods(self.plan) {
            let method = method.ident();
            let gate = self.plan.gate(Item::Entry(index));
            let wire = &entry.name;
            let type_name = self.plan.model.ty(entry.ty).qualified_name();
            let (doc, body, returns) = match entry.kind {
                ContainerChildKind::EntitySet => (
                    format!("The `{wire}` entity set: a collection of `{type_name}`."),
                    quote!(self.root().navigate(#wire)),
                    self.builder_path(entry.ty, true),
                ),
                ContainerChildKind::Singleton => (
                    format!("The `{wire}` singleton, a `{type_name}`."),
                    quote!(self.root().navigate(#wire)),
                    self.builder_path(entry.ty, false),
                ),
            };
            let doc = match &entry.description {
                Some(description) => format!("{}\n\n{doc}", sanitize(description)),
                None => doc,
            };
            let doc = doc_attributes(&doc);
            methods.push(quote! {
                #doc
                #gate
                #[inline]
                pub fn #method(&self) -> #returns {
                    #body
                }
            });
        }
        quote! {
            impl crate::Graph {
                #(#methods)*
            }
        }
    }

    /// The item builder of `ty` (an alias of the runtime's `ItemRequest`), the marker traits
    /// that give it and the collection builder their changes, and its own methods.
    fn item_builder(&self, ty: TypeId, names: &BuilderNames) -> TokenStream {
        let qualified = self.plan.model.ty(ty).qualified_name();
        let ident = names.item.ident();
        let value = self.value_type(ty);
        // Capabilities annotations decide which changes exist; where the CSDL is silent, they do.
        let allowed = allowed(self.plan, ty);
        let counts_eventually = self.plan.counts_eventually(ty).then(|| {
            quote!(
                const COUNTS_EVENTUALLY: bool = true;
            )
        });
        let changes = [
            (self.plan.model.key_of(ty).len() == 1, quote!(SingleKey)),
            (allowed.updatable, quote!(Updatable)),
            (allowed.replaceable, quote!(Replaceable)),
            (allowed.deletable, quote!(Deletable)),
            (allowed.insertable, quote!(Insertable)),
        ]
        .into_iter()
        .filter(|(allowed, _)| *allowed)
        .map(|(_, change)| quote!(impl crate::builder::#change for #value {}));
        let methods: Vec<TokenStream> = builder_methods(self.plan, ty, false)
            .into_iter()
            .filter_map(|(name, kind)| self.method(ty, name, kind, false))
            .collect();
        let common = [
            (true, "get"),
            (allowed.updatable, "patch"),
            (allowed.replaceable, "put"),
            (allowed.deletable, "delete"),
        ];
        let doc = builder_doc(
            &format!("Requests for one `{qualified}`"),
            "crate::builder::ItemRequest",
            &common,
            !methods.is_empty(),
        );
        let methods = (!methods.is_empty()).then(|| quote!(impl #ident { #(#methods)* }));
        quote! {
            #doc
            pub type #ident = crate::builder::ItemRequest<#value>;

            impl crate::builder::Entity for #value {
                #counts_eventually
            }
            #(#changes)*

            #methods
        }
    }

    /// The collection builder of `ty` (an alias of the runtime's `CollectionRequest`) and its
    /// own methods; `gate` goes on each of its items.
    fn collection_builder(
        &self,
        ty: TypeId,
        names: &BuilderNames,
        gate: &TokenStream,
    ) -> TokenStream {
        let qualified = self.plan.model.ty(ty).qualified_name();
        let ident = names.collection.ident();
        let value = self.value_type(ty);
        let mut methods: Vec<TokenStream> = self.by_key(ty).into_iter().collect();
        methods.extend(
            builder_methods(self.plan, ty, true)
                .into_iter()
                .filter_map(|(name, kind)| self.method(ty, name, kind, true)),
        );
        let single_key = self.plan.model.key_of(ty).len() == 1;
        let common = [
            (single_key, "by_id"),
            (true, "list"),
            (true, COUNT_METHOD),
            (allowed(self.plan, ty).insertable, "create"),
        ];
        let doc = builder_doc(
            &format!("Requests for a collection of `{qualified}`"),
            "crate::builder::CollectionRequest",
            &common,
            !methods.is_empty(),
        );
        let methods = (!methods.is_empty()).then(|| quote!(#gate impl #ident { #(#methods)* }));
        quote! {
            #gate
            #doc
            pub type #ident = crate::builder::CollectionRequest<#value>;

            #methods
        }
    }

    /// `by_key` of a collection of an entity type with a composite key: a parameter per key
    /// part (named by its alias, or the end of its path), written as
    /// `collection(part=literal,...)`. `None` for a single key (the generic `by_id`).
    fn by_key(&self, ty: TypeId) -> Option<TokenStream> {
        let key = self.plan.model.key_of(ty);
        if key.len() < 2 {
            return None;
        }
        let mut scope = Scope::with_reserved(&["self"]);
        let mut arguments = Vec::new();
        let mut literals = Vec::new();
        let mut wires = Vec::new();
        for part in key {
            let wire = part.alias.as_deref().unwrap_or(&part.path).to_string();
            let last = wire.rsplit('/').next().unwrap_or(&wire).to_string();
            let name = scope.claim(naming::member_name(&last)).ident();
            let part_type = self.plan.model.key_part_type(ty, &part.path)?;
            let (rust, literal) = self.function_argument(part_type, &name)?;
            arguments.push(quote!(#name: #rust));
            literals.push(quote!((#wire, #literal)));
            wires.push(format!("{wire}=..."));
        }
        let item = self.builder_path(ty, false);
        let doc = doc_attributes(&format!(
            "One member, by its composite key: `({})` after the collection's segment, each \
             part written as an OData literal.",
            wires.join(",")
        ));
        Some(quote! {
            #doc
            #[inline]
            pub fn by_key(&self, #(#arguments),*) -> #item {
                crate::path::Builder::at(self.path.key_parts(self.name, [#(#literals),*]), self.name)
            }
        })
    }

    /// One builder method, by kind.
    fn method(
        &self,
        ty: TypeId,
        name: RustName,
        kind: MethodKind<'_>,
        collection: bool,
    ) -> Option<TokenStream> {
        let gate = self.method_gate(ty, &kind, collection);
        let method = name.ident();
        let tokens = match kind {
            MethodKind::Navigation(navigation) => self.navigation_method(&method, navigation),
            MethodKind::Reference(navigation) => {
                let wire = &navigation.name;
                let (doc, returns, body) = if navigation.collection {
                    (
                        format!(
                            " The links of `{wire}` (`$ref`): add or remove entities without changing them."
                        ),
                        quote!(crate::reference::ReferenceCollectionRequest),
                        quote!(self.path.navigate(#wire)),
                    )
                } else {
                    (
                        format!(
                            " The link of `{wire}` (`$ref`): set or remove it without changing the entity."
                        ),
                        quote!(crate::reference::ReferenceRequest),
                        quote!(self.path.navigate(#wire)),
                    )
                };
                quote! {
                    #[doc = #doc]
                    #[inline]
                    pub fn #method(&self) -> #returns {
                        #body
                    }
                }
            }
            MethodKind::Media => {
                let entity = self.value_type(ty);
                quote! {
                    /// The media stream of this entity (`$value`).
                    #[inline]
                    pub fn #method(&self) -> crate::operation::ContentRequest<#entity> {
                        crate::operation::ContentRequest::new(self.path.segment("$value"))
                    }
                }
            }
            MethodKind::Stream(property) => {
                let wire = &property.name;
                let doc = format!(" The `{wire}` stream property (raw content, not JSON).");
                let entity = self.value_type(ty);
                quote! {
                    #[doc = #doc]
                    #[inline]
                    pub fn #method(&self) -> crate::operation::ContentRequest<#entity> {
                        crate::operation::ContentRequest::new(self.path.segment(#wire))
                    }
                }
            }
            MethodKind::Cast(derived) => {
                let derived_name = self.plan.model.ty(derived).qualified_name();
                let builder = self.builder_path(derived, collection);
                let (doc, body) = if collection {
                    (
                        format!(
                            " Only the members of type `{derived_name}` (a type-cast segment)."
                        ),
                        quote!(self.path.cast(#derived_name, self.name)),
                    )
                } else {
                    (
                        format!(
                            " This entity as a `{derived_name}` (a type-cast segment); requests fail if it is of another type."
                        ),
                        quote!(self.path.navigate(#derived_name)),
                    )
                };
                quote! {
                    #[doc = #doc]
                    #[inline]
                    pub fn #method(&self) -> #builder {
                        #body
                    }
                }
            }
            MethodKind::Operation(id) => {
                self.operation_method(id, self.plan.model.operation(id), &method)?
            }
            MethodKind::Upload(id) => self.upload_method(ty, id, &method)?,
        };
        Some(after_docs(tokens, gate))
    }

    /// The feature gate of a method that depends on more than its builder (in a crate with
    /// areas): a navigation, its `$ref` or a cast needs the target's builder, which another area
    /// may own; an operation is compiled where the areas that hold it are.
    fn method_gate(&self, ty: TypeId, kind: &MethodKind<'_>, collection: bool) -> TokenStream {
        let builder = |ty: TypeId, collection: bool| {
            if collection {
                Item::CollectionBuilder(ty)
            } else {
                Item::ItemBuilder(ty)
            }
        };
        let item = match *kind {
            MethodKind::Navigation(navigation) | MethodKind::Reference(navigation) => {
                builder(navigation.target, navigation.collection)
            }
            MethodKind::Cast(derived) => builder(derived, collection),
            MethodKind::Operation(id) | MethodKind::Upload(id) => Item::Operation(id),
            MethodKind::Media | MethodKind::Stream(_) => return TokenStream::new(),
        };
        self.plan
            .features
            .gate_within(item, builder(ty, collection))
    }

    /// `upload(&session, total)`: the upload through a session this builder's
    /// `createUploadSession` opened, whose final answer is this builder's entity.
    fn upload_method(
        &self,
        ty: TypeId,
        id: OperationId,
        method: &proc_macro2::Ident,
    ) -> Option<TokenStream> {
        let (session, field) = upload_session_url(self.plan, id)?;
        let items = self.plan.items(session);
        let session = self
            .plan
            .model_path(&items.module, items.struct_name.as_ref()?);
        let entity = self.value_type(ty);
        let field = field.ident();
        let create = naming::member_name(&self.plan.model.operation(id).name);
        let doc = format!(
            " An upload of `total` bytes through `session` (what `{create}` returned), in slices \
             of 320 KiB multiples: send it with the transport's `Client::upload`, which answers \
             with the created `{}` (or, for an Outlook attachment, its location only).",
            self.plan.model.ty(ty).qualified_name()
        );
        Some(quote! {
            #[doc = #doc]
            #[inline]
            pub fn #method(
                &self,
                session: &#session,
                total: usize,
            ) -> ::std::result::Result<crate::upload::Upload<#entity>, crate::Error> {
                crate::upload::Upload::for_session(session.#field.as_deref(), total)
            }
        })
    }

    fn navigation_method(
        &self,
        method: &proc_macro2::Ident,
        navigation: &NavigationDef,
    ) -> TokenStream {
        let wire = &navigation.name;
        let target = self.plan.model.ty(navigation.target).qualified_name();
        let relation = if navigation.contains_target {
            "contained"
        } else {
            "related"
        };
        let fallback = if navigation.collection {
            format!("The {relation} `{wire}` collection of `{target}`.")
        } else {
            format!("The {relation} `{wire}`, a `{target}`.")
        };
        let doc = doc_attributes(&match &navigation.description {
            Some(description) => format!("{}\n\n{fallback}", sanitize(description)),
            None => fallback,
        });
        let builder = self.builder_path(navigation.target, navigation.collection);
        let body = quote!(self.path.navigate(#wire));
        quote! {
            #doc
            #[inline]
            pub fn #method(&self) -> #builder {
                #body
            }
        }
    }

    fn operation_method(
        &self,
        id: OperationId,
        operation: &OperationDef,
        method: &proc_macro2::Ident,
    ) -> Option<TokenStream> {
        let stream = TypeTarget::Primitive(Primitive::Stream);
        let segment = if operation.namespace == self.plan.main_namespace {
            operation.name.to_string()
        } else {
            format!("{}.{}", operation.namespace, operation.name)
        };
        let long_running = is_long_running(self.plan, id);
        let (returns, shape) = match operation.return_type {
            _ if long_running => (quote!(crate::monitor::Accepted), quote!(Accepted)),
            None => (quote!(()), quote!(Empty)),
            Some(ty) if ty.target == stream && !ty.collection => {
                (quote!(crate::operation::Content), quote!(Content))
            }
            // A collection comes as a page (`value`, `@odata.nextLink`, ...), a primitive or enum
            // as `{"value": ...}`, a structured value as itself.
            Some(ty) if ty.collection => {
                let element = self.plan.element_type(ty.target)?;
                (quote!(crate::Page<#element>), quote!(Json))
            }
            Some(ty) => {
                let rust = self.plan.use_type(ty)?;
                let structured = matches!(ty.target, TypeTarget::Named(id) if self.plan.model.structured(id).is_some());
                (
                    rust,
                    if structured {
                        quote!(Json)
                    } else {
                        quote!(Value)
                    },
                )
            }
        };
        let qualified = format!("{}.{}", operation.namespace, operation.name);
        let kind = match operation.kind {
            OperationKind::Action => "action",
            OperationKind::Function => "function",
        };
        let mut doc = format!("Calls the bound {kind} `{qualified}`.");
        if long_running {
            doc.push_str(
                " The service accepts it (`202 Accepted`) and carries it out in the background: \
                 the answer is the [`Accepted`](crate::monitor::Accepted) monitor, which the \
                 transport's `Client::wait_for` asks until the operation ends.",
            );
        }
        // Graph's convention: an action that opens an upload session for large content.
        if upload_session_url(self.plan, id).is_some() {
            doc.push_str(
                " Send the content through the session it returns with this builder's `upload` \
                 (an [`Upload`](crate::upload::Upload) typed by its entity), in slices of \
                 320 KiB multiples.",
            );
        }
        if let Some(description) = &operation.description {
            doc = format!("{}\n\n{doc}", sanitize(description));
        }
        let doc = doc_attributes(&doc);
        Some(match operation.kind {
            OperationKind::Action => {
                let call = quote! {
                    crate::Operation::new(::http::Method::POST, self.path.segment(#segment), crate::operation::ResponseShape::#shape)
                };
                match self.parameters.get(&id) {
                    Some(parameters) => {
                        let parameters = parameters.ident();
                        quote! {
                            #doc
                            #[inline]
                            pub fn #method(&self, parameters: &crate::requests::#parameters) -> crate::Operation<#returns> {
                                #call.with_json_body(parameters)
                            }
                        }
                    }
                    None => quote! {
                        #doc
                        #[inline]
                        pub fn #method(&self) -> crate::Operation<#returns> {
                            #call
                        }
                    },
                }
            }
            OperationKind::Function => {
                let composable = crate::select::composable_entity(self.plan.model, operation);
                let mut arguments = Vec::new();
                let mut literals = Vec::new();
                let mut argument_scope = Scope::with_reserved(&["self"]);
                for parameter in &operation.parameters {
                    let name = argument_scope
                        .claim(naming::member_name(&parameter.name))
                        .ident();
                    let (ty, literal) = self.function_argument(parameter.ty, &name)?;
                    arguments.push(quote!(#name: #ty));
                    let wire = &parameter.name;
                    literals.push(quote!((#wire, #literal)));
                }
                // Clippy's limit is seven arguments, `self` included.
                let allow =
                    (arguments.len() >= 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
                let path = quote!(self.path.function_call(#segment, [#(#literals),*]));
                if let Some(entity) = crate::select::delta_entity(self.plan.model, operation) {
                    let value = self.value_type(entity);
                    let doc = doc_attributes(&format!(
                        "{}\n\nA delta query: [`changes`](crate::delta::DeltaRequest::changes) \
                         starts a round of changes, [`resume`](crate::delta::DeltaRequest::resume) \
                         the next one from a stored [`DeltaLink`](crate::delta::DeltaLink).",
                        match &operation.description {
                            Some(description) => format!("{}\n\n", sanitize(description)),
                            None => String::new(),
                        } + &format!("The bound function `{qualified}`.")
                    ));
                    return Some(quote! {
                        #doc
                        #allow
                        #[inline]
                        pub fn #method(&self, #(#arguments),*) -> crate::delta::DeltaRequest<#value> {
                            crate::path::Builder::at(#path, #segment)
                        }
                    });
                }
                match composable {
                    // A composable function's result is addressed further: its builder.
                    Some(target) => {
                        let collection = operation.return_type.is_some_and(|ty| ty.collection);
                        let builder = self.builder_path(target, collection);
                        let body = quote!(crate::path::Builder::at(#path, #segment));
                        quote! {
                            #doc
                            #allow
                            #[inline]
                            pub fn #method(&self, #(#arguments),*) -> #builder {
                                #body
                            }
                        }
                    }
                    None => quote! {
                        #doc
                        #allow
                        #[inline]
                        pub fn #method(&self, #(#arguments),*) -> crate::Operation<#returns> {
                            crate::Operation::new(
                                ::http::Method::GET,
                                #path,
                                crate::operation::ResponseShape::#shape,
                            )
                        }
                    },
                }
            }
        })
    }

    /// The Rust type of a function argument and the expression that writes it as a URL literal
    /// (a `Result<String, serde_json::Error>`).
    fn function_argument(
        &self,
        ty: TypeUse,
        name: &proc_macro2::Ident,
    ) -> Option<(TokenStream, TokenStream)> {
        let json = quote!(crate::path::json_literal(&#name));
        let odata =
            quote!(::std::result::Result::Ok(crate::path::ODataLiteral::to_odata_literal(&#name)));
        if ty.collection {
            let rust = self.plan.use_type(ty)?;
            let rust = if ty.nullable {
                quote!(::std::option::Option<&#rust>)
            } else {
                quote!(&#rust)
            };
            return Some((rust, json));
        }
        match ty.target {
            TypeTarget::Primitive(primitive) => {
                let element = edm::rust_type(primitive)?;
                let borrowed = if edm::is_string(primitive) {
                    quote!(&str)
                } else if edm::is_copy(primitive) {
                    element
                } else {
                    quote!(&#element)
                };
                let rust = if ty.nullable {
                    quote!(::std::option::Option<#borrowed>)
                } else {
                    borrowed
                };
                let literal = match edm::literal_form(primitive) {
                    LiteralForm::OData => odata,
                    LiteralForm::Json => json,
                    LiteralForm::Bare => {
                        let encode = quote!(::std::string::ToString::to_string(value));
                        if ty.nullable {
                            quote!(::std::result::Result::Ok(match #name {
                                ::std::option::Option::Some(value) => #encode,
                                ::std::option::Option::None => ::std::string::String::from("null"),
                            }))
                        } else {
                            quote!(::std::result::Result::Ok({ let value = #name; #encode }))
                        }
                    }
                };
                Some((rust, literal))
            }
            TypeTarget::Named(id) => {
                let rust = self.plan.value_type(id)?;
                let rust = if ty.nullable {
                    quote!(::std::option::Option<&#rust>)
                } else {
                    quote!(&#rust)
                };
                let literal = match &self.plan.model.ty(id).kind {
                    TypeKind::Enum(_) => odata,
                    TypeKind::Definition(primitive) => match edm::literal_form(*primitive) {
                        LiteralForm::OData => odata,
                        _ => json,
                    },
                    TypeKind::Structured(_) => json,
                };
                Some((rust, literal))
            }
        }
    }

    /// The body of an action: a struct with a field per parameter (`Option` for nullable ones)
    /// and `additional_properties`, written like a model struct (`structured.rs`), so that
    /// `set_null` sends a parameter as an explicit `null`. Every item carries `gate`.
    fn parameter_struct(
        &self,
        id: OperationId,
        name: &RustName,
        gate: &TokenStream,
    ) -> TokenStream {
        let operation = self.plan.model.operation(id);
        let qualified = format!("{}.{}", operation.namespace, operation.name);
        let doc = doc_attributes(&format!("The body of the `{qualified}` action."));
        let mut scope = Scope::with_reserved(&[ADDITIONAL_PROPERTIES]);
        let mut fields = Vec::new();
        let mut table = PropertyTable::default();
        let mut all_default = true;
        // `new` takes the required (non-nullable) parameters and sets the others to `None`:
        // the struct is `#[non_exhaustive]`, so outside this crate it is built with `new` (or
        // `Default`) and field assignment, and a parameter added later is not a break unless it
        // is required.
        let mut required = Vec::new();
        let mut initializers = Vec::new();
        let new_takes = required_parameters(self.plan, operation);
        for parameter in &operation.parameters {
            let Some(rust) = self.plan.use_type(parameter.ty) else {
                continue;
            };
            let field = scope.claim(naming::member_name(&parameter.name));
            let ident = field.ident();
            let wire = &parameter.name;
            let field_doc = format!(
                " The `{wire}` parameter: {}.",
                super::describe_use(self.plan, parameter.ty)
            );
            let lenient = self.plan.is_lenient(parameter.ty);
            if !new_takes
                .iter()
                .any(|taken| std::ptr::eq(*taken, parameter))
            {
                fields.push(quote! {
                    #[doc = #field_doc]
                    pub #ident: ::std::option::Option<#rust>,
                });
                initializers.push(quote!(#ident: ::std::option::Option::None));
                table.optional(wire, &ident, lenient);
            } else {
                all_default &= self.has_default(parameter.ty);
                fields.push(quote! {
                    #[doc = #field_doc]
                    pub #ident: #rust,
                });
                required.push(quote!(#ident: #rust));
                initializers.push(quote!(#ident));
                table.required(wire, &ident, lenient);
            }
        }
        let additional = format_ident!("{}", ADDITIONAL_PROPERTIES);
        let ident = name.ident();
        let derive_default = all_default.then(|| quote!(Default,));
        let structured = table.impl_for(&ident, gate);
        let constructor = (!required.is_empty()).then(|| {
            quote! {
                #gate
                impl #ident {
                    /// The body with its required parameters; the optional ones are `None`.
                    #[allow(clippy::too_many_arguments)]
                    #[inline]
                    pub fn new(#(#required),*) -> Self {
                        Self {
                            #(#initializers,)*
                            #additional: ::serde_json::Map::new(),
                        }
                    }
                }
            }
        });
        quote! {
            #gate
            #doc
            #[derive(Clone, Debug, #derive_default PartialEq)]
            #[non_exhaustive]
            pub struct #ident {
                #(#fields)*
                /// Members to send that this crate does not declare, and parameters set to JSON
                /// `null` with [`set_null`](crate::Model::set_null): written after the declared
                /// parameters.
                pub #additional: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            }

            #constructor

            #structured

            #gate
            crate::macros::serialize_object!(#ident);
        }
    }

    /// Whether the Rust type of a non-null use implements `Default`.
    fn has_default(&self, ty: TypeUse) -> bool {
        if ty.collection {
            return true;
        }
        match ty.target {
            TypeTarget::Primitive(_) => true,
            TypeTarget::Named(id) => match &self.plan.model.ty(id).kind {
                TypeKind::Definition(_) => true,
                TypeKind::Enum(_) => false,
                TypeKind::Structured(_) => self.plan.items(id).union_name.is_none(),
            },
        }
    }
}

/// The doc comment of a builder alias: what it addresses, the methods it has from the runtime's
/// generic builder (`common`, those allowed), and whether its own methods follow.
fn builder_doc(
    what: &str,
    generic: &str,
    common: &[(bool, &str)],
    own_methods: bool,
) -> TokenStream {
    let names: Vec<String> = common
        .iter()
        .filter(|(allowed, _)| *allowed)
        .map(|(_, name)| format!("`{name}`"))
        .collect();
    let listed = match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    let own = if own_methods {
        ", and the methods below"
    } else {
        ""
    };
    let short = generic.rsplit("::").next().unwrap_or(generic);
    doc_attributes(&format!("{what}: {listed} of [`{short}`]({generic}){own}."))
}

/// `item` with `attribute` placed after its leading doc comments, where a reader expects it.
fn after_docs(item: TokenStream, attribute: TokenStream) -> TokenStream {
    use proc_macro2::{Delimiter, TokenTree};
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let mut docs_end = 0;
    while let [TokenTree::Punct(pound), TokenTree::Group(group), ..] = &tokens[docs_end..] {
        let is_doc = pound.as_char() == '#'
            && group.delimiter() == Delimiter::Bracket
            && matches!(group.stream().into_iter().next(), Some(TokenTree::Ident(ident)) if ident == "doc");
        if !is_doc {
            break;
        }
        docs_end += 2;
    }
    let rest = tokens.split_off(docs_end);
    let mut out: TokenStream = tokens.into_iter().collect();
    out.extend(attribute);
    out.extend(rest);
    out
}
