//! Stage 3: select the slice of the model to generate.
//!
//! Closure rules:
//! - A selected type brings its base types and the types of its structural properties.
//! - A type used as a value (a property, parameter, return or navigation-segment type, or a root)
//!   brings every type derived from it, since the value may be any of them. A base type reached
//!   only through inheritance does not bring its other derived types.
//! - A path brings its entity set or singleton and the entity types along it, with request
//!   builders for each segment. Navigation properties off the path are not followed.
//! - Actions and functions bound to an entity type that has a builder (or to one of its base
//!   types) are selected, with their parameter and return types.
//! - An area (an entity set or singleton of a whole-service crate, [`areas`]) owns the builders
//!   nearest to it ([`Ownership`]); its walk stops at builders other areas own, and its unions
//!   leave out derived types whose builders other areas own.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::{SliceOrigin, SliceSpec};
use crate::diagnostics::Spanned;
use crate::diagnostics::edit_distance;
use crate::diagnostics::{Diagnostic, Diagnostics, SourceKind, Span};
use crate::model::*;

/// The builders an entity type needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BuilderNeeds {
    /// A builder for one entity (`get`, `patch`, `delete`, navigation, bound operations).
    pub item: bool,
    /// A builder for a collection (`list`, `create`, `by_id`).
    pub collection: bool,
}

/// What to generate.
#[derive(Debug, Default)]
pub struct Selection {
    /// Every type to generate, including abstract bases whose properties are inherited.
    pub types: BTreeSet<TypeId>,
    /// Types used as values: these need a union when they have derived types.
    pub value_types: BTreeSet<TypeId>,
    /// Indices into the container's children.
    pub entries: BTreeSet<usize>,
    /// Navigation properties exposed on builders: (declaring type, index in its navigations).
    pub navigations: BTreeSet<(TypeId, usize)>,
    /// Entity types with request builders.
    pub builders: BTreeMap<TypeId, BuilderNeeds>,
    /// Type casts on builders: (builder type, derived type). A derived type of a builder type
    /// gets builders too, reached through a cast segment (`.../microsoft.graph.derivedType`).
    pub casts: BTreeSet<(TypeId, TypeId)>,
    /// Bound operations.
    pub operations: BTreeSet<OperationId>,
}

/// Selects the slice described by `spec`.
pub fn select(
    model: &Model,
    spec: &SliceSpec,
    origin: SliceOrigin,
) -> Result<Selection, Vec<Diagnostic>> {
    let mut closure = Closure {
        model,
        selection: Selection::default(),
        diagnostics: Diagnostics::new(),
        origin,
        area: None,
        walked: BTreeSet::new(),
        every_navigation: false,
    };
    if spec.all {
        closure.select_all();
    }
    for root in &spec.roots {
        closure.root(root);
    }
    for path in &spec.paths {
        closure.path(path);
    }
    if !spec.all && spec.roots.is_empty() && spec.paths.is_empty() {
        closure.diagnostics.push(
            Diagnostic::error(
                Span::at(0),
                "the slice is empty: give `all`, roots or paths",
            )
            .in_source(origin_source(origin)),
        );
    }
    closure.casts();
    closure.operations();
    if closure.diagnostics.has_errors() {
        Err(closure.diagnostics.into_sorted())
    } else {
        Ok(closure.selection)
    }
}

fn origin_source(origin: SliceOrigin) -> SourceKind {
    match origin {
        SliceOrigin::Config => SourceKind::Config,
        SliceOrigin::CommandLine => SourceKind::CommandLine,
    }
}

struct Closure<'m> {
    model: &'m Model<'m>,
    selection: Selection,
    diagnostics: Diagnostics,
    origin: SliceOrigin,
    /// For an area: which builders it owns. `None` for the whole selection.
    area: Option<AreaOwner<'m>>,
    /// Builder types whose navigations have been followed.
    walked: BTreeSet<TypeId>,
    /// Whether every builder has all of its navigations, however it was reached (by an entry,
    /// a navigation, a cast or a composable function): true for `all` and for areas; a slice of
    /// roots or paths has only the navigations its paths name.
    every_navigation: bool,
}

/// The area a closure selects, and who owns each builder.
#[derive(Clone, Copy)]
struct AreaOwner<'m> {
    /// The area's entry index, or `usize::MAX` for the types outside every area (which own no
    /// builder).
    entry: usize,
    ownership: &'m Ownership,
}

/// Which areas own each builder type: those at the least distance from it in the builder graph
/// (navigations and casts, one hop each), ties to all of them.
#[derive(Debug, Default)]
pub struct Ownership {
    /// Entry indices per builder type, sorted; types no entry reaches have no owner.
    owners: BTreeMap<TypeId, Vec<usize>>,
    /// The builders each type needs in the whole crate: an owner compiles all of them (a
    /// collection builder that only another area's cast reaches included).
    needs: BTreeMap<TypeId, BuilderNeeds>,
}

impl Ownership {
    /// The areas (entry indices) that own `ty`'s builders; empty when no entry reaches it.
    pub fn owners(&self, ty: TypeId) -> &[usize] {
        self.owners.get(&ty).map(Vec::as_slice).unwrap_or_default()
    }

    /// Computes the owners of every builder type: a breadth-first walk from each entry's type.
    pub fn new(model: &Model) -> Ownership {
        let Some(container) = &model.container else {
            return Ownership::default();
        };
        // The edges of the builder graph, per type, computed once.
        let mut edges: BTreeMap<TypeId, Vec<TypeId>> = BTreeMap::new();
        let mut best: BTreeMap<TypeId, (usize, Vec<usize>)> = BTreeMap::new();
        for (entry, child) in container.children.iter().enumerate() {
            let mut distance = BTreeMap::from([(child.ty, 0usize)]);
            let mut queue = std::collections::VecDeque::from([child.ty]);
            while let Some(ty) = queue.pop_front() {
                let here = distance[&ty];
                let next = edges.entry(ty).or_insert_with(|| builder_edges(model, ty));
                for &target in next.iter() {
                    if let std::collections::btree_map::Entry::Vacant(slot) = distance.entry(target)
                    {
                        slot.insert(here + 1);
                        queue.push_back(target);
                    }
                }
            }
            for (ty, d) in distance {
                let slot = best.entry(ty).or_insert((d, Vec::new()));
                if d < slot.0 {
                    *slot = (d, Vec::new());
                }
                if d == slot.0 {
                    slot.1.push(entry);
                }
            }
        }
        let mut whole = Closure {
            model,
            selection: Selection::default(),
            diagnostics: Diagnostics::new(),
            origin: SliceOrigin::Config,
            area: None,
            walked: BTreeSet::new(),
            every_navigation: true,
        };
        whole.entries_and_their_navigations(0..container.children.len());
        whole.casts();
        whole.operations();
        Ownership {
            owners: best
                .into_iter()
                .map(|(ty, (_, owners))| (ty, owners))
                .collect(),
            needs: whole.selection.builders,
        }
    }
}

/// The builder types one hop from `ty`'s builder: navigation targets and derived types (casts).
fn builder_edges(model: &Model, ty: TypeId) -> Vec<TypeId> {
    let mut targets: Vec<TypeId> = model
        .all_navigations(ty)
        .into_iter()
        .map(|(_, _, navigation)| navigation.target)
        .collect();
    targets.extend(model.descendants(ty));
    targets
}

impl Closure<'_> {
    /// Whether `ty`'s builders belong to another area than the one being selected: the walk stops
    /// there, and a union of a base type leaves it out (a soft variant).
    fn foreign_builder(&self, ty: TypeId) -> bool {
        self.area.is_some_and(|area| {
            let owners = area.ownership.owners(ty);
            !owners.is_empty() && !owners.contains(&area.entry)
        })
    }

    /// The derived types that a value of `id` brings: all of them, except builder types of other
    /// areas in an area's selection.
    fn value_descendants(&self, id: TypeId) -> Vec<TypeId> {
        let mut derived = self.model.descendants(id);
        derived.retain(|&d| !self.foreign_builder(d));
        derived
    }

    fn error(&mut self, span: Span, message: String) {
        self.diagnostics
            .push(Diagnostic::error(span, message).in_source(origin_source(self.origin)));
    }

    /// Selects a type for its own sake: its bases and its property types come along.
    fn select_type(&mut self, id: TypeId) {
        let mut pending = vec![id];
        while let Some(id) = pending.pop() {
            if !self.selection.types.insert(id) {
                continue;
            }
            if let Some(def) = self.model.structured(id) {
                if let Some(base) = def.base {
                    pending.push(base);
                }
                for property in &def.properties {
                    if let TypeTarget::Named(target) = property.ty.target {
                        if self.selection.value_types.insert(target) {
                            pending.push(target);
                            pending.extend(self.value_descendants(target));
                        }
                    }
                }
            }
        }
    }

    /// Selects a type used as a value: every type derived from it comes along.
    fn use_as_value(&mut self, id: TypeId) {
        if self.selection.value_types.insert(id) {
            self.select_type(id);
            for derived in self.value_descendants(id) {
                self.select_type(derived);
            }
        } else {
            self.select_type(id);
        }
    }

    fn use_type(&mut self, ty: TypeUse) {
        if let TypeTarget::Named(id) = ty.target {
            self.use_as_value(id);
        }
    }

    fn add_builder(&mut self, ty: TypeId, collection: bool) {
        self.use_as_value(ty);
        let needs = self.builder_needs(ty);
        needs.item = true;
        needs.collection |= collection;
    }

    /// The builders of `ty` in the selection, inserted if new. An area compiles every builder of
    /// the types it owns: the collection builder too when another area's cast leads to it.
    fn builder_needs(&mut self, ty: TypeId) -> &mut BuilderNeeds {
        let whole = self
            .area
            .filter(|area| area.ownership.owners(ty).contains(&area.entry))
            .and_then(|area| area.ownership.needs.get(&ty).copied());
        let needs = self.selection.builders.entry(ty).or_default();
        if let Some(whole) = whole {
            needs.item |= whole.item;
            needs.collection |= whole.collection;
        }
        needs
    }

    fn select_all(&mut self) {
        self.every_navigation = true;
        for index in 0..self.model.types.len() {
            self.use_as_value(TypeId(index as u32));
        }
        let Some(container) = &self.model.container else {
            return;
        };
        self.entries_and_their_navigations(0..container.children.len());
    }

    /// Selects entity sets and singletons (by index in the container) with builders for them
    /// and for every navigation reachable from them. In an area, the walk follows navigations and
    /// casts only into builders the area owns.
    fn entries_and_their_navigations(&mut self, indices: impl IntoIterator<Item = usize>) {
        let Some(container) = &self.model.container else {
            return;
        };
        let mut pending = Vec::new();
        for index in indices {
            let entry = &container.children[index];
            self.selection.entries.insert(index);
            self.add_builder(entry.ty, entry.kind == ContainerChildKind::EntitySet);
            pending.push(entry.ty);
        }
        self.walk_navigations(pending);
    }

    /// Follows every navigation from the builders of `pending`, adding the builders they lead
    /// to (in an area, only those it does not leave to another area), and from those in turn.
    fn walk_navigations(&mut self, mut pending: Vec<TypeId>) {
        while let Some(ty) = pending.pop() {
            if !self.walked.insert(ty) {
                continue;
            }
            for (owner, index, navigation) in self.model.all_navigations(ty) {
                if self.foreign_builder(navigation.target) {
                    continue;
                }
                self.selection.navigations.insert((owner, index));
                self.add_builder(navigation.target, navigation.collection);
                pending.push(navigation.target);
            }
            if self.area.is_some() {
                // Casts are edges of the walk too; `casts` adds their builders.
                pending.extend(self.value_descendants(ty));
            }
        }
    }

    fn root(&mut self, root: &Spanned<String>) {
        match self.model.find(&root.value) {
            Some(id) => self.use_as_value(id),
            None => {
                let suggestion = self.closest(&root.value);
                let mut message = format!("the root `{}` names no type in the CSDL", root.value);
                if let Some(suggestion) = suggestion {
                    message.push_str(&format!(" (did you mean `{suggestion}`?)"));
                }
                self.error(root.span, message);
            }
        }
    }

    fn closest(&self, wanted: &str) -> Option<String> {
        let wanted = wanted.to_ascii_lowercase();
        let limit = (wanted.len() / 4).max(2);
        self.model
            .types
            .iter()
            .map(|t| t.qualified_name())
            .map(|name| (edit_distance(&wanted, &name.to_ascii_lowercase()), name))
            .filter(|(distance, _)| *distance <= limit)
            .min()
            .map(|(_, name)| name)
    }

    /// Follows a path such as `/deviceAppManagement/mobileAppConfigurations/{id}/assignments/{id}`.
    fn path(&mut self, path: &Spanned<String>) {
        let Some(container) = &self.model.container else {
            self.error(
                path.span,
                "the CSDL has no entity container, so paths cannot be followed".into(),
            );
            return;
        };
        let text = path.value.as_str();
        let Some(rest) = text.strip_prefix('/') else {
            self.error(path.span, format!("the path `{text}` must start with `/`"));
            return;
        };
        let mut offset = path.span.start() + 1;
        let mut segments = rest.split('/').map(|segment| {
            let span = Span::new(offset, offset + segment.len());
            offset += segment.len() + 1;
            (segment, span)
        });
        let Some((first, first_span)) = segments.next().filter(|(s, _)| !s.is_empty()) else {
            self.error(path.span, "the path is empty".into());
            return;
        };
        let Some(index) = container.children.iter().position(|c| c.name == first) else {
            let names: Vec<&str> = container.children.iter().map(|c| &*c.name).collect();
            let hint = closest_name(first, &names);
            self.error(
                first_span,
                format!(
                    "`{first}` is not an entity set or singleton{}",
                    did_you_mean(hint)
                ),
            );
            return;
        };
        let entry = &container.children[index];
        self.selection.entries.insert(index);
        let mut current = entry.ty;
        let mut at_collection = entry.kind == ContainerChildKind::EntitySet;
        self.add_builder(current, at_collection);
        for (segment, span) in segments {
            if at_collection {
                if segment.starts_with('{') && segment.ends_with('}') {
                    at_collection = false;
                    continue;
                }
                self.error(
                    span,
                    format!("expected a key segment such as `{{id}}` after a collection, found `{segment}`"),
                );
                return;
            }
            let navigations = self.model.all_navigations(current);
            let Some((owner, nav_index, navigation)) = navigations
                .iter()
                .find(|(_, _, n)| n.name == segment)
                .copied()
            else {
                let names: Vec<&str> = navigations.iter().map(|(_, _, n)| &*n.name).collect();
                let hint = closest_name(segment, &names);
                let type_name = self.model.ty(current).qualified_name();
                self.error(
                    span,
                    format!(
                        "`{type_name}` has no navigation property `{segment}`{}",
                        did_you_mean(hint)
                    ),
                );
                return;
            };
            self.selection.navigations.insert((owner, nav_index));
            current = navigation.target;
            at_collection = navigation.collection;
            self.add_builder(current, at_collection);
        }
    }

    /// Every derived type of a builder type gets the same builders, reached by a cast.
    fn casts(&mut self) {
        let builders: Vec<(TypeId, BuilderNeeds)> = self
            .selection
            .builders
            .iter()
            .map(|(&ty, &needs)| (ty, needs))
            .collect();
        for (ty, needs) in builders {
            for derived in self.value_descendants(ty) {
                self.selection.casts.insert((ty, derived));
                let entry = self.builder_needs(derived);
                entry.item |= needs.item;
                entry.collection |= needs.collection;
                // A builder reads and writes values of its type, which may be of its derived types.
                self.use_as_value(derived);
            }
        }
    }

    /// Bound operations whose binding type is a builder type or a base of one.
    fn operations(&mut self) {
        // A composable function that returns entities is addressed further, so its return type
        // gets builders, whose bound operations are then selected too: repeat until nothing new.
        loop {
            let builders_before = self.selection.builders.len();
            let mut item_bindings = BTreeSet::new();
            let mut collection_bindings = BTreeSet::new();
            for (&ty, needs) in &self.selection.builders {
                for ancestor in self.model.ancestors_and_self(ty) {
                    if needs.item {
                        item_bindings.insert(ancestor);
                    }
                    if needs.collection {
                        collection_bindings.insert(ancestor);
                    }
                }
            }
            for (index, operation) in self.model.operations.iter().enumerate() {
                let Some(binding) = operation.binding else {
                    continue;
                };
                let bindings = if binding.collection {
                    &collection_bindings
                } else {
                    &item_bindings
                };
                if !bindings.contains(&binding.ty)
                    || !self.selection.operations.insert(OperationId(index as u32))
                {
                    continue;
                }
                for parameter in &operation.parameters {
                    self.use_type(parameter.ty);
                }
                if let Some(return_type) = operation.return_type {
                    self.use_type(return_type);
                    if let Some(target) = composable_entity(self.model, operation) {
                        self.add_builder(target, return_type.collection);
                    }
                }
            }
            // Builders that casts and composable functions added have all their navigations too.
            if self.every_navigation {
                let unwalked: Vec<TypeId> = self
                    .selection
                    .builders
                    .keys()
                    .copied()
                    .filter(|ty| !self.walked.contains(ty))
                    .collect();
                self.walk_navigations(unwalked);
            }
            if self.selection.builders.len() == builders_before {
                break;
            }
            self.casts();
        }
    }
}

/// One area of a whole-service crate: an entity set or singleton with the builders it owns.
#[derive(Debug)]
pub struct Area {
    /// The entry's index among the container's children.
    pub entry: usize,
    /// What the area compiles: its entry, the builders it owns (reached by navigations and
    /// casts through builders it owns), the operations bound to those, and every type they use
    /// (the builders that composable functions return included, whoever owns them).
    pub selection: Selection,
}

/// The areas of a whole-service crate, one per entity set and singleton, in container order.
/// Each is selected like a path that follows every navigation and cast into builders the area
/// owns ([`Ownership`]): a builder belongs to the areas nearest to it, so areas share only what
/// they own equally (`users` and `me`), the types they both use and the builders that composable
/// functions return.
pub fn areas(model: &Model) -> Vec<Area> {
    let Some(container) = &model.container else {
        return Vec::new();
    };
    let ownership = Ownership::new(model);
    (0..container.children.len())
        .map(|entry| {
            let mut closure = Closure {
                model,
                selection: Selection::default(),
                diagnostics: Diagnostics::new(),
                origin: SliceOrigin::Config,
                area: Some(AreaOwner {
                    entry,
                    ownership: &ownership,
                }),
                walked: BTreeSet::new(),
                every_navigation: true,
            };
            closure.entries_and_their_navigations([entry]);
            closure.casts();
            closure.operations();
            Area {
                entry,
                selection: closure.selection,
            }
        })
        .collect()
}

/// Every type that values of `types` need: the types themselves, their bases, their derived types
/// and the types of their properties, closed like the rest of a selection. With `ownership`, the
/// closure is that of the types outside every area: derived types whose builders an area owns
/// are left out of unions, as in any area.
pub fn value_closure(
    model: &Model,
    ownership: Option<&Ownership>,
    types: impl IntoIterator<Item = TypeId>,
) -> Selection {
    let mut closure = Closure {
        model,
        selection: Selection::default(),
        diagnostics: Diagnostics::new(),
        origin: SliceOrigin::Config,
        area: ownership.map(|ownership| AreaOwner {
            entry: usize::MAX,
            ownership,
        }),
        walked: BTreeSet::new(),
        every_navigation: false,
    };
    for id in types {
        closure.use_as_value(id);
    }
    closure.selection
}

/// The entity type a composable function returns, if it returns entities: its result is
/// addressed with that type's builders.
pub fn composable_entity(model: &Model, operation: &OperationDef) -> Option<TypeId> {
    if !operation.is_composable || delta_entity(model, operation).is_some() {
        return None;
    }
    match operation.return_type?.target {
        TypeTarget::Named(id)
            if model
                .structured(id)
                .is_some_and(|def| def.kind == crate::model::StructuredKind::Entity) =>
        {
            Some(id)
        }
        _ => None,
    }
}

/// The entity type of a delta function: Microsoft Graph's convention, a function named `delta`
/// that returns a collection of an entity type (bound to a collection of it, or to one entity
/// such as a drive's root). Its method returns a `DeltaRequest` that reads rounds of changes,
/// not a builder, even where the function is composable.
pub fn delta_entity(model: &Model, operation: &OperationDef) -> Option<TypeId> {
    let returns = operation.return_type?;
    if operation.kind != crate::model::OperationKind::Function
        || operation.name != "delta"
        || !returns.collection
    {
        return None;
    }
    match returns.target {
        TypeTarget::Named(id)
            if model
                .structured(id)
                .is_some_and(|def| def.kind == crate::model::StructuredKind::Entity) =>
        {
            Some(id)
        }
        _ => None,
    }
}

fn closest_name<'a>(wanted: &str, names: &[&'a str]) -> Option<&'a str> {
    let lower = wanted.to_ascii_lowercase();
    names
        .iter()
        .map(|name| (edit_distance(&lower, &name.to_ascii_lowercase()), *name))
        .filter(|(distance, _)| *distance <= (wanted.len() / 3).max(1))
        .min()
        .map(|(_, name)| name)
}

fn did_you_mean(hint: Option<&str>) -> String {
    hint.map(|h| format!(" (did you mean `{h}`?)"))
        .unwrap_or_default()
}
