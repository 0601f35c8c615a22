//! Stage 4: emit Rust tokens for a selection, one file at a time.
//!
//! [`Plan`] decides, before any code is written, which Rust items exist for each selected type,
//! what they are called, in which module they live and which fields must be boxed. The emitters
//! (`models`, `requests`, `krate`, `tests`) only read the plan, so names are decided once.

pub mod docs;
pub mod edm;
pub mod features;
mod krate;
pub(crate) mod models;
mod properties;
pub(crate) mod requests;
mod round_trip;
pub(crate) mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::config::GenerateOptions;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::Spanned;
use crate::model::*;
use crate::naming::{self, RustName, Scope};
use crate::select::{Area, Selection};
use features::{Features, Item};

/// A file to write: its tokens (formatted later) or its final text.
pub enum FileContent {
    /// Rust code, to be checked with syn and formatted with prettyplease.
    Rust(TokenStream),
    /// Text written as it is (after the header).
    Text(String),
}

/// What one file of the crate holds: the unit of emission. [`Plan::files`] lists every file
/// with its kind, decided before any token; emitting a file is a function of the plan and its
/// kind alone.
pub(crate) enum FileKind {
    /// A type's struct, union or enum (`src/models/**/x.rs`).
    Model(TypeId),
    /// A models module (`src/models/**/mod.rs`).
    ModelModule(Vec<RustName>),
    /// The property-name enums of these entity types of one module
    /// (`src/models/**/properties.rs`).
    PropertyNames(Vec<TypeId>),
    /// An entity type's builders (`src/requests/x.rs`).
    Builders(TypeId),
    /// The action bodies (`src/requests/parameters.rs`).
    Parameters,
    /// `src/requests/mod.rs`.
    RequestsModule,
    /// `tests/generated.rs`.
    Tests,
    /// `tests/round_trip.rs`.
    RoundTrip,
    /// `Cargo.toml`.
    CargoToml,
    /// `src/lib.rs`.
    LibRs,
    /// The README.
    Readme,
    /// A runtime source, copied as it is.
    Runtime(&'static str),
    /// One of the config's extra files, by its path.
    Extra(String),
}

/// The emitted files, by path relative to the crate root.
pub type EmittedFiles = BTreeMap<String, FileContent>;

/// Emits the crate for a selection. With `areas` (a whole-service crate), every item is gated by
/// the Cargo feature of the areas that reach it (see [`features`]). Returns the files and
/// warnings about names (collisions the generator resolved by numbering).
pub fn emit(
    model: &Model,
    selection: &Selection,
    areas: &[Area],
    options: &GenerateOptions,
) -> (EmittedFiles, Vec<Diagnostic>) {
    let plan = Plan::for_crate(model, selection, areas, options);
    let files = plan
        .files
        .iter()
        .map(|(path, kind)| (path.clone(), plan.emit_file(options, kind)))
        .collect();
    (files, plan.into_warnings())
}

/// Emits the crate (see [`emit`]) on every core, and hands each thread's files to `finish`
/// (the caller's next stage, such as formatting) on that thread: a map over the plan's files,
/// each thread taking the paths whose hash falls to it. The output does not depend on the
/// number of threads.
pub fn emit_in_parallel(
    model: &Model,
    selection: &Selection,
    areas: &[Area],
    options: &GenerateOptions,
    finish: &(dyn Fn(EmittedFiles) -> BTreeMap<String, String> + Sync),
) -> (BTreeMap<String, String>, Vec<Diagnostic>) {
    let plan = Plan::for_crate(model, selection, areas, options);
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get());
    let formatted = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..parts)
            .map(|part| {
                let plan = &plan;
                scope.spawn(move || {
                    let files = plan
                        .files
                        .iter()
                        .filter(|(path, _)| part_of(path, parts) == part)
                        .map(|(path, kind)| (path.clone(), plan.emit_file(options, kind)))
                        .collect();
                    finish(files)
                })
            })
            .collect();
        let mut all = BTreeMap::new();
        for worker in workers {
            match worker.join() {
                Ok(files) => all.extend(files),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    (formatted, plan.into_warnings())
}

/// The part (of `parts`) that emits the file at `path`: FNV-1a of the path, stable across runs
/// and machines, unlike the std hasher.
fn part_of(path: &str, parts: usize) -> usize {
    let hash = path.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % parts.max(1) as u64) as usize
}

/// One variant of a union (see [`Plan::union_variants`]).
pub struct UnionVariant {
    /// The concrete type it holds.
    pub ty: TypeId,
    /// The variant's name.
    pub name: RustName,
    /// The path of the type's struct.
    pub path: TokenStream,
    /// Whether a value built in code is written with `@odata.type` (every variant but a
    /// concrete base).
    pub tagged: bool,
}

/// The Rust items generated for one CSDL type.
#[derive(Debug, Default)]
pub struct TypeItems {
    /// Module path below `crate::models` (empty for the main namespace).
    pub module: Vec<RustName>,
    /// The struct, for concrete entity and complex types.
    pub struct_name: Option<RustName>,
    /// The union over the type and its derived types, for types used as values that have
    /// derived types (or are abstract).
    pub union_name: Option<RustName>,
    /// The enum, for enum types.
    pub enum_name: Option<RustName>,
    /// The file (relative to the crate) that holds the items.
    pub file: String,
}

/// The entity type whose collections Graph counts and searches only with `ConsistencyLevel:
/// eventual` (see [`Plan::counts_eventually`]).
const EVENTUALLY_COUNTED: &str = "microsoft.graph.directoryObject";

/// Names and shapes of everything to generate.
pub struct Plan<'m> {
    /// The model.
    pub model: &'m Model<'m>,
    /// The selection.
    pub selection: &'m Selection,
    /// The namespace whose types live directly in `crate::models`.
    pub main_namespace: String,
    /// Items per selected type.
    pub items: HashMap<TypeId, TypeItems>,
    /// Module paths below `crate::models` that exist, with the files in each.
    pub modules: BTreeMap<Vec<RustName>, Vec<(String, TypeId)>>,
    /// Struct fields that must be boxed to break recursion: (type, property name).
    pub boxed: HashSet<(TypeId, String)>,
    /// Type names chosen in the config.
    type_names: HashMap<TypeId, RustName>,
    /// Field names chosen in the config: (declaring type, property) to name.
    field_names: HashMap<(TypeId, String), RustName>,
    /// The names of each struct's fields and constants (every type with a struct).
    struct_names: HashMap<TypeId, models::StructNames<'m>>,
    /// The variant names of each enum's members, in the members' order.
    enum_variants: HashMap<TypeId, Vec<RustName>>,
    /// The names of the builders of every entity type (see [`requests::names`]).
    pub(crate) builder_names: BTreeMap<TypeId, requests::BuilderNames>,
    /// The names of the action bodies, by operation.
    pub(crate) parameter_names: BTreeMap<OperationId, RustName>,
    /// Every file of the crate with what it holds, by path (see [`FileKind`]).
    files: BTreeMap<String, FileKind>,
    /// Warnings about names (a name taken, so numbered), from planning.
    warnings: Vec<Diagnostic>,
    /// The Cargo feature of each item, for a crate with areas.
    pub features: Features,
}

impl<'m> Plan<'m> {
    /// The plan of a crate, with its features when it has areas.
    pub(crate) fn for_crate(
        model: &'m Model<'m>,
        selection: &'m Selection,
        areas: &[Area],
        options: &GenerateOptions,
    ) -> Self {
        let mut plan = Plan::new(model, selection, &options.names);
        if !areas.is_empty() {
            plan.features = Features::new(model, selection, areas);
        }
        plan.files = plan.list_files(options);
        plan
    }

    /// Every file of the crate with its kind. A later file of the same path replaces an earlier
    /// one (a config's extra file over a runtime copy).
    fn list_files(&self, options: &GenerateOptions) -> BTreeMap<String, FileKind> {
        let mut files = Vec::new();
        for module in self.modules.keys() {
            files.push((
                models::module_path(module),
                FileKind::ModelModule(module.clone()),
            ));
        }
        for (&id, items) in &self.items {
            files.push((items.file.clone(), FileKind::Model(id)));
        }
        for (module, types) in properties::entity_types_by_module(self) {
            files.push((
                properties::file_path(&module),
                FileKind::PropertyNames(types),
            ));
        }
        if !self.selection.builders.is_empty() {
            for (&ty, names) in &self.builder_names {
                files.push((names.file.clone(), FileKind::Builders(ty)));
            }
            if !self.parameter_names.is_empty() {
                files.push((requests::PARAMETERS_PATH.to_string(), FileKind::Parameters));
            }
            files.push((requests::MODULE_PATH.to_string(), FileKind::RequestsModule));
        }
        files.push((tests::PATH.to_string(), FileKind::Tests));
        if !round_trip::structs(self).is_empty() {
            files.push((round_trip::PATH.to_string(), FileKind::RoundTrip));
        }
        files.extend(krate::files(options));
        files.into_iter().collect()
    }

    /// The contents of one file of [`Plan::files`].
    fn emit_file(&self, options: &GenerateOptions, kind: &FileKind) -> FileContent {
        match kind {
            FileKind::Model(id) => FileContent::Rust(models::model_file(self, *id)),
            FileKind::ModelModule(module) => FileContent::Rust(models::module_file(self, module)),
            FileKind::PropertyNames(types) => FileContent::Rust(properties::file(self, types)),
            FileKind::Builders(ty) => FileContent::Rust(requests::builder_file(self, *ty)),
            FileKind::Parameters => FileContent::Rust(requests::parameters_file(self)),
            FileKind::RequestsModule => FileContent::Rust(requests::module_file(self)),
            FileKind::Tests => FileContent::Rust(tests::file(self, options)),
            FileKind::RoundTrip => FileContent::Rust(round_trip::file(self, options)),
            FileKind::CargoToml => FileContent::Text(krate::cargo_toml(self, options)),
            FileKind::LibRs => FileContent::Rust(krate::lib_rs(self, options)),
            FileKind::Readme => FileContent::Text(krate::readme(self, options)),
            FileKind::Runtime(source) => FileContent::Text(source.to_string()),
            FileKind::Extra(path) => FileContent::Text(krate::extra_file(options, path)),
        }
    }

    /// The warnings about names, in position order.
    fn into_warnings(self) -> Vec<Diagnostic> {
        let mut warnings = self.warnings;
        warnings.sort_by(|a, b| (a.span.start(), &a.message).cmp(&(b.span.start(), &b.message)));
        warnings
    }

    fn new(
        model: &'m Model<'m>,
        selection: &'m Selection,
        names: &[(Spanned<String>, Spanned<String>)],
    ) -> Self {
        let mut type_names = HashMap::new();
        let mut field_names = HashMap::new();
        for (target, name) in names {
            let rust = RustName::new(name.value.clone());
            match target.value.split_once('/') {
                None => {
                    if let Some(id) = model.find(&target.value) {
                        type_names.insert(id, rust);
                    }
                }
                Some((ty, property)) => {
                    if let Some(id) = model.find(ty) {
                        field_names.insert((id, property.to_string()), rust);
                    }
                }
            }
        }
        let main_namespace = model
            .container
            .as_ref()
            .map(|c| c.namespace.clone())
            .or_else(|| {
                selection
                    .types
                    .iter()
                    .next()
                    .map(|id| model.ty(*id).namespace.clone())
            })
            .unwrap_or_default();
        let mut plan = Plan {
            model,
            selection,
            main_namespace: main_namespace.to_string(),
            items: HashMap::new(),
            modules: BTreeMap::new(),
            boxed: HashSet::new(),
            type_names,
            field_names,
            struct_names: HashMap::new(),
            enum_variants: HashMap::new(),
            builder_names: BTreeMap::new(),
            parameter_names: BTreeMap::new(),
            files: BTreeMap::new(),
            warnings: Vec::new(),
            features: Features::default(),
        };
        plan.name_items();
        plan.find_boxed_fields();
        plan.name_members();
        let (builder_names, parameter_names) = requests::names(&plan);
        plan.builder_names = builder_names;
        plan.parameter_names = parameter_names;
        plan
    }

    /// Names every struct's fields and constants and every enum's variants, once, before
    /// anything is emitted.
    fn name_members(&mut self) {
        let mut warnings = Vec::new();
        let mut ids: Vec<TypeId> = self.items.keys().copied().collect();
        ids.sort();
        let mut struct_names = HashMap::new();
        let mut enum_variants = HashMap::new();
        for id in ids {
            if self.model.structured(id).is_some() {
                struct_names.insert(id, models::struct_names(self, id, &mut warnings));
            }
            if self.items[&id].enum_name.is_some() {
                enum_variants.insert(id, models::enum_variants(self, id, &mut warnings));
            }
        }
        self.struct_names = struct_names;
        self.enum_variants = enum_variants;
        self.warnings.extend(warnings);
    }

    /// The names of the fields and constants of the struct of `id` (see
    /// [`models::struct_names`]); none for a type that is not structured.
    pub(crate) fn struct_names(&self, id: TypeId) -> &models::StructNames<'m> {
        static NONE: models::StructNames<'static> = models::StructNames {
            properties: Vec::new(),
            navigations: Vec::new(),
        };
        self.struct_names.get(&id).unwrap_or(&NONE)
    }

    /// The variant names of the enum of `id`, in its members' order.
    pub(crate) fn enum_variants(&self, id: TypeId) -> &[RustName] {
        self.enum_variants.get(&id).map_or(&[], Vec::as_slice)
    }

    /// Claims a name in `scope`; when it is taken, the numbered name it gets instead is reported
    /// as a warning at `owner`'s declaration, with how to choose a name in the config.
    pub fn claim(
        &self,
        scope: &mut Scope,
        name: RustName,
        owner: TypeId,
        what: &str,
        warnings: &mut Vec<Diagnostic>,
    ) -> RustName {
        let claimed = scope.claim(name.clone());
        if claimed != name {
            let ty = self.model.ty(owner);
            warnings.push(
                Diagnostic::warning(
                    ty.span,
                    format!(
                        "`{}`: the Rust name `{name}` for {what} is taken, so it is called `{claimed}`",
                        ty.qualified_name()
                    ),
                )
                .with_note(None, "choose another name in the config's `[names]` table"),
            );
        }
        claimed
    }

    /// The field name of a property declared by `owner`: the config's choice, or the generated
    /// one.
    pub fn field_name(&self, owner: TypeId, property: &str) -> RustName {
        self.field_names
            .get(&(owner, property.to_string()))
            .cloned()
            .unwrap_or_else(|| naming::member_name(property))
    }

    /// The variant name of an enum member: the config's choice, or the generated one.
    pub fn member_variant_name(&self, owner: TypeId, member: &str) -> RustName {
        self.field_names
            .get(&(owner, member.to_string()))
            .cloned()
            .unwrap_or_else(|| naming::variant_name(member))
    }

    /// The module path (below `crate::models`) for a namespace.
    fn module_of(&self, namespace: &str) -> Vec<RustName> {
        let relative = if namespace == self.main_namespace {
            ""
        } else if let Some(rest) = namespace
            .strip_prefix(self.main_namespace.as_str())
            .and_then(|r| r.strip_prefix('.'))
        {
            rest
        } else {
            namespace
        };
        relative
            .split('.')
            .filter(|s| !s.is_empty())
            .map(naming::module_name)
            .collect()
    }

    fn name_items(&mut self) {
        // Namespace modules come first: a type file never takes a submodule's name (Graph has a
        // type `security` beside the namespace `microsoft.graph.security`).
        let namespace_modules: BTreeSet<Vec<RustName>> = self
            .selection
            .types
            .iter()
            .map(|&id| self.module_of(&self.model.ty(id).namespace))
            .collect();
        let mut scopes: BTreeMap<Vec<RustName>, (Scope, Scope)> = BTreeMap::new();
        let mut warnings = Vec::new();
        for &id in &self.selection.types {
            let ty = self.model.ty(id);
            let module = self.module_of(&ty.namespace);
            let (items_scope, files_scope) = scopes.entry(module.clone()).or_insert_with(|| {
                let mut files = Scope::with_reserved(&["mod", properties::MODULE]);
                for path in &namespace_modules {
                    if path.len() > module.len() && path.starts_with(&module) {
                        files.reserve(&path[module.len()]);
                    }
                }
                (Scope::new(), files)
            });
            let base = self
                .type_names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| naming::type_name(&ty.name));
            let mut items = TypeItems {
                module: module.clone(),
                ..TypeItems::default()
            };
            match &ty.kind {
                TypeKind::Structured(def) => {
                    let has_derived = !self.model.descendants(id).is_empty();
                    let used_as_value = self.selection.value_types.contains(&id);
                    // An abstract type none of whose derived types is concrete has values of
                    // types this crate cannot know (added to the service later): it gets a
                    // struct too, so that its declared properties are typed, and a value keeps
                    // its own `@odata.type` (in `additional_properties`).
                    let as_struct = !def.is_abstract
                        || !self.model.descendants(id).iter().any(|&derived| {
                            self.model
                                .structured(derived)
                                .is_some_and(|derived| !derived.is_abstract)
                        });
                    if as_struct {
                        items.struct_name = Some(self.claim(
                            items_scope,
                            base.clone(),
                            id,
                            "the struct",
                            &mut warnings,
                        ));
                    }
                    if used_as_value && (!as_struct || has_derived) {
                        let union = if !as_struct {
                            base.clone()
                        } else {
                            RustName::from_parts("Any", &base)
                        };
                        items.union_name =
                            Some(self.claim(items_scope, union, id, "the union", &mut warnings));
                    }
                }
                TypeKind::Enum(_) => {
                    items.enum_name =
                        Some(self.claim(items_scope, base.clone(), id, "the enum", &mut warnings));
                }
                TypeKind::Definition(_) => {}
            }
            let Some(primary) = items
                .struct_name
                .clone()
                .or_else(|| items.union_name.clone())
                .or_else(|| items.enum_name.clone())
            else {
                continue;
            };
            let file_stem = files_scope.claim(RustName::new(naming::file_name(&primary)));
            let mut path = String::from("src/models/");
            for segment in &module {
                path.push_str(segment.as_str());
                path.push('/');
            }
            path.push_str(file_stem.as_str());
            path.push_str(".rs");
            items.file = path;
            self.modules
                .entry(module.clone())
                .or_default()
                .push((file_stem.as_str().to_string(), id));
            self.items.insert(id, items);
        }
        self.warnings.extend(warnings);
        // Parent modules of nested namespaces exist even when they hold no types.
        let keys: Vec<Vec<RustName>> = self.modules.keys().cloned().collect();
        for key in keys {
            for length in 0..key.len() {
                self.modules.entry(key[..length].to_vec()).or_default();
            }
        }
        self.modules.entry(Vec::new()).or_default();
    }

    /// Boxes the struct fields that close a cycle of by-value containment: a field whose type can
    /// reach the struct again without passing through a collection.
    fn find_boxed_fields(&mut self) {
        let nodes: Vec<TypeId> = self
            .items
            .keys()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut edges: HashMap<TypeId, Vec<TypeId>> = HashMap::new();
        for &id in &nodes {
            let mut targets = Vec::new();
            if self.model.structured(id).is_some() {
                for (_, property) in self.model.all_properties(id) {
                    if let (TypeTarget::Named(target), false) =
                        (property.ty.target, property.ty.collection)
                    {
                        if self.model.structured(target).is_some() {
                            targets.push(target);
                        }
                    }
                }
                if self.items[&id].union_name.is_some() {
                    targets.extend(self.model.descendants(id));
                }
            }
            edges.insert(id, targets);
        }
        let components = strongly_connected(&nodes, &edges);
        for &id in &nodes {
            if self.model.structured(id).is_none() {
                continue;
            }
            for (_, property) in self.model.all_properties(id) {
                if let (TypeTarget::Named(target), false) =
                    (property.ty.target, property.ty.collection)
                {
                    if components.contains_key(&id)
                        && components.get(&id) == components.get(&target)
                    {
                        self.boxed.insert((id, property.name.to_string()));
                    }
                }
            }
        }
    }

    /// `#[cfg(feature = ...)]` for an item of a crate with areas; nothing otherwise.
    pub fn gate(&self, item: Item) -> TokenStream {
        self.features.gate(item)
    }

    /// The items of a type (every selected type that produces code has them).
    pub fn items(&self, id: TypeId) -> &TypeItems {
        self.items
            .get(&id)
            .unwrap_or_else(|| panic!("no Rust items for `{}`", self.model.ty(id).qualified_name()))
    }

    /// `crate::models::<module>::<name>`.
    pub fn model_path(&self, module: &[RustName], name: &RustName) -> TokenStream {
        let segments = module.iter().map(RustName::ident);
        let ident = name.ident();
        quote!(crate::models:: #(#segments::)* #ident)
    }

    /// The Rust type that holds a value of a named type: the union if it has one, else the
    /// struct or enum; a type definition's primitive.
    pub fn value_type(&self, id: TypeId) -> Option<TokenStream> {
        match &self.model.ty(id).kind {
            TypeKind::Definition(primitive) => edm::rust_type(*primitive),
            TypeKind::Enum(def) => {
                let items = self.items(id);
                let path = self.model_path(&items.module, items.enum_name.as_ref()?);
                // A flags enum's value is several members: `"read,write"` on the wire.
                Some(if def.is_flags {
                    quote!(crate::flags::Flags<#path>)
                } else {
                    path
                })
            }
            TypeKind::Structured(_) => {
                let items = self.items(id);
                let name = items.union_name.as_ref().or(items.struct_name.as_ref())?;
                Some(self.model_path(&items.module, name))
            }
        }
    }

    /// The Rust type of one element of a type use (no collection, no option).
    pub fn element_type(&self, target: TypeTarget) -> Option<TokenStream> {
        match target {
            TypeTarget::Primitive(primitive) => edm::rust_type(primitive),
            TypeTarget::Named(id) => self.value_type(id),
        }
    }

    /// The Rust type of a type use, as a collection where it is one (no option).
    pub fn use_type(&self, ty: TypeUse) -> Option<TokenStream> {
        let element = self.element_type(ty.target)?;
        Some(if ty.collection {
            quote!(::std::vec::Vec<#element>)
        } else {
            element
        })
    }

    /// The type's name prefixed with its module path outside the main namespace
    /// (`security.alert` -> `SecurityAlert`), for items that live in one flat module.
    pub fn qualified_rust_name(&self, id: TypeId) -> RustName {
        let ty = self.model.ty(id);
        let prefix: String = self
            .module_of(&ty.namespace)
            .iter()
            .map(|segment| naming::type_name(segment.as_str()).as_str().to_string())
            .collect();
        RustName::from_parts(&prefix, &naming::type_name(&ty.name))
    }

    /// The variant of a union that holds `member`: named like its struct, or, when another
    /// namespace's struct of the same name came first, with its module path as a prefix.
    fn variant_name(&self, scope: &mut Scope, member: TypeId, struct_name: &RustName) -> RustName {
        if scope.is_free(struct_name) {
            return scope.claim(struct_name.clone());
        }
        scope.claim(self.qualified_rust_name(member))
    }

    /// Whether Graph counts and searches collections of this entity type only with
    /// `ConsistencyLevel: eventual`: directory objects (`microsoft.graph.directoryObject` and
    /// the types derived from it: users, groups, devices, applications, ...), whose `$count`,
    /// `$search` and `/$count` are advanced queries. A service without that type has none.
    pub fn counts_eventually(&self, ty: TypeId) -> bool {
        self.model
            .ancestors_and_self(ty)
            .into_iter()
            .any(|id| self.model.ty(id).qualified_name() == EVENTUALLY_COUNTED)
    }

    /// Whether values of this type are Edm numbers whose JSON form varies (see the runtime's
    /// `edm` module).
    pub fn is_lenient(&self, ty: TypeUse) -> bool {
        self.primitive(ty).is_some_and(edm::is_lenient)
    }

    /// The Edm primitive a type use holds, directly or through a type definition.
    pub fn primitive(&self, ty: TypeUse) -> Option<Primitive> {
        match ty.target {
            TypeTarget::Primitive(primitive) => Some(primitive),
            TypeTarget::Named(id) => match &self.model.ty(id).kind {
                TypeKind::Definition(primitive) => Some(*primitive),
                _ => None,
            },
        }
    }

    /// The `#[serde(with = ...)]` module for a field of this type, when its JSON form varies
    /// (see the runtime's `edm` module): `optional` for `Option` fields.
    pub fn lenient_module(&self, ty: TypeUse, optional: bool) -> Option<String> {
        if !self.is_lenient(ty) {
            return None;
        }
        let shape = match (optional, ty.collection) {
            (false, false) => "plain",
            (true, false) => "option",
            (false, true) => "vec",
            (true, true) => "option_vec",
        };
        Some(format!("crate::edm::{shape}"))
    }

    /// How a type is described in docs: `microsoft.graph.x` or `Edm.String`.
    pub fn csdl_name(&self, target: TypeTarget) -> String {
        match target {
            TypeTarget::Primitive(primitive) => primitive.edm_name().to_string(),
            TypeTarget::Named(id) => self.model.ty(id).qualified_name(),
        }
    }

    /// The variants of `id`'s union, in the order they are written and named: a concrete base
    /// first (a value without `@odata.type` is one), then its selected concrete descendants in
    /// id order. The one place the rule is decided: the union's code and the generated tests
    /// that check it both read it.
    pub fn union_variants(&self, id: TypeId) -> Vec<UnionVariant> {
        let mut family = self.concrete_family(id);
        if let Some(base) = family.iter().position(|&member| member == id) {
            family.remove(base);
            family.insert(0, id);
        }
        // Names are claimed base first, then the main namespace's types, then the others: a
        // type of another namespace with the same name (`callRecords.userIdentity` beside
        // `userIdentity`) takes the qualified name, so adding it later renames nothing.
        let mut scope = Scope::with_reserved(&["Other"]);
        let mut claim_order: Vec<TypeId> = family.clone();
        claim_order.sort_by_key(|&member| (member != id, !self.items(member).module.is_empty()));
        let mut names: HashMap<TypeId, RustName> = HashMap::new();
        for member in claim_order {
            if let Some(struct_name) = &self.items(member).struct_name {
                names.insert(member, self.variant_name(&mut scope, member, struct_name));
            }
        }
        family
            .into_iter()
            .filter_map(|member| {
                let items = self.items(member);
                let struct_name = items.struct_name.as_ref()?;
                Some(UnionVariant {
                    ty: member,
                    name: names.remove(&member)?,
                    path: self.model_path(&items.module, struct_name),
                    // A concrete base reads back as itself without a tag; any other variant
                    // is written with one (the runtime's `union_impls!` makes the same choice).
                    tagged: member != id,
                })
            })
            .collect()
    }

    /// The selected concrete types a value of `id` may hold: `id` itself if concrete, and every
    /// selected concrete descendant, in id order.
    pub fn concrete_family(&self, id: TypeId) -> Vec<TypeId> {
        let mut family = vec![id];
        family.extend(self.model.descendants(id));
        family.sort();
        family
            .into_iter()
            .filter(|t| self.selection.types.contains(t))
            .filter(|t| {
                self.items
                    .get(t)
                    .is_some_and(|items| items.struct_name.is_some())
            })
            .collect()
    }
}

/// `Edm.String`, `a collection of microsoft.graph.x`, ..., for documentation.
pub(crate) fn describe_use(plan: &Plan<'_>, ty: TypeUse) -> String {
    let element = format!("`{}`", plan.csdl_name(ty.target));
    let text = if ty.collection {
        format!("a collection of {element}")
    } else {
        element
    };
    if ty.nullable || ty.collection {
        text
    } else {
        format!("{text}, never null")
    }
}

impl RustName {
    /// `prefix` + `name` as one identifier (`Any` + `Foo` = `AnyFoo`).
    pub(crate) fn from_parts(prefix: &str, name: &RustName) -> RustName {
        RustName::new(format!("{prefix}{}", name.as_str()))
    }
}

/// Tarjan's algorithm: a component number for every node.
fn strongly_connected(
    nodes: &[TypeId],
    edges: &HashMap<TypeId, Vec<TypeId>>,
) -> HashMap<TypeId, usize> {
    struct State<'a> {
        edges: &'a HashMap<TypeId, Vec<TypeId>>,
        index: HashMap<TypeId, usize>,
        low: HashMap<TypeId, usize>,
        on_stack: HashSet<TypeId>,
        stack: Vec<TypeId>,
        next: usize,
        component: HashMap<TypeId, usize>,
        components: usize,
    }
    fn visit(state: &mut State<'_>, node: TypeId) {
        state.index.insert(node, state.next);
        state.low.insert(node, state.next);
        state.next += 1;
        state.stack.push(node);
        state.on_stack.insert(node);
        let targets = state.edges.get(&node).cloned().unwrap_or_default();
        for target in targets {
            if !state.edges.contains_key(&target) {
                continue;
            }
            if !state.index.contains_key(&target) {
                visit(state, target);
                let low = state.low[&node].min(state.low[&target]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(&target) {
                let low = state.low[&node].min(state.index[&target]);
                state.low.insert(node, low);
            }
        }
        if state.low[&node] == state.index[&node] {
            let members: Vec<TypeId> = {
                let mut members = Vec::new();
                while let Some(member) = state.stack.pop() {
                    state.on_stack.remove(&member);
                    members.push(member);
                    if member == node {
                        break;
                    }
                }
                members
            };
            // A single node is a cycle only if it points at itself.
            let cyclic =
                members.len() > 1 || state.edges.get(&node).is_some_and(|t| t.contains(&node));
            if cyclic {
                for member in members {
                    state.component.insert(member, state.components);
                }
                state.components += 1;
            }
        }
    }
    let mut state = State {
        edges,
        index: HashMap::new(),
        low: HashMap::new(),
        on_stack: HashSet::new(),
        stack: Vec::new(),
        next: 0,
        component: HashMap::new(),
        components: 0,
    };
    for &node in nodes {
        if !state.index.contains_key(&node) {
            visit(&mut state, node);
        }
    }
    state.component
}
