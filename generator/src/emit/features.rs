//! Cargo features per area, for crates generated whole: which feature compiles each item.
//!
//! An area is an entity set or singleton with everything its builders reach (see
//! [`crate::select::areas`]). Each generated item (a model type, a union, a builder, a
//! navigation, a cast, an operation, an entry point) is reached by some set of areas, its
//! *reach*. Items with the same reach share one gate: the area's own feature when one area
//! reaches them, else a hidden group feature (`_g1`, `_g2`, ...) that every area of the reach
//! enables. So enabling one area compiles exactly what it reaches, and an item is compiled when
//! any area that needs it is enabled.
//!
//! Types that no area reaches (in Graph: types only unbound operations or nothing at all use)
//! belong to one more feature, [`OUTSIDE_AREAS`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use heck::ToKebabCase;
use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Model, OperationId, TypeId};
use crate::select::{Area, Selection};

/// The feature of the types no area reaches.
pub const OUTSIDE_AREAS: &str = "types-outside-areas";

/// The feature that enables every area.
pub const FULL: &str = "full";

/// Feature names the generated crate uses for other things.
const RESERVED: &[&str] = &[
    "default",
    "transport",
    "tracing",
    "azure",
    FULL,
    OUTSIDE_AREAS,
];

/// A generated item whose compilation depends on the areas enabled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Item {
    /// A type's file: its struct or enum (and its `properties` enum).
    Type(TypeId),
    /// A type's union over its derived types.
    Union(TypeId),
    /// The item builder of an entity type.
    ItemBuilder(TypeId),
    /// The collection builder of an entity type.
    CollectionBuilder(TypeId),
    /// A bound operation (its builder methods and parameter struct).
    Operation(OperationId),
    /// An entity set or singleton (its method on `Graph`), by index in the container.
    Entry(usize),
}

/// One Cargo feature of the generated crate that stands for an area.
#[derive(Debug)]
pub struct AreaFeature {
    /// The feature's name (the entry's name in kebab case, `device-app-management`).
    pub name: String,
    /// The entity set or singleton, for the comment beside the feature.
    pub entry_name: String,
    /// The hidden group features it enables.
    pub groups: Vec<String>,
}

/// The features of a crate generated with areas.
#[derive(Debug, Default)]
pub struct Features {
    /// One per area, sorted by name; [`OUTSIDE_AREAS`] last when some type is outside every area.
    pub areas: Vec<AreaFeature>,
    /// The hidden group features, in order.
    pub groups: Vec<String>,
    /// The feature that gates each item.
    gates: HashMap<Item, usize>,
    /// Feature names, indexed by the values of `gates`.
    names: Vec<String>,
    /// The areas (indices into `areas`) of each feature's reach, indexed like `names`.
    reaches: Vec<Vec<usize>>,
}

impl Features {
    /// Computes the features for `areas`; `whole` is the selection the crate is generated from.
    pub fn new(model: &Model, whole: &Selection, areas: &[Area]) -> Features {
        let Some(container) = &model.container else {
            return Features::default();
        };
        // Area indices follow the entries' names (the container is sorted by name).
        let mut area_names: Vec<(String, String)> = Vec::new();
        let mut taken: BTreeSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
        for area in areas {
            let entry_name = container.children[area.entry].name.clone();
            let base = entry_name.to_kebab_case();
            let mut name = base.clone();
            let mut number = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}-{number}");
                number += 1;
            }
            area_names.push((name, entry_name.to_string()));
        }
        let mut reach: BTreeMap<Item, Vec<usize>> = BTreeMap::new();
        for (index, area) in areas.iter().enumerate() {
            for item in items_of(&area.selection) {
                reach.entry(item).or_default().push(index);
            }
        }
        // The types no area reaches form one more area, closed like the others: the unions
        // among them need their members' structs, which areas may reach too.
        let outside_types: Vec<TypeId> = items_of(whole)
            .filter(|item| !reach.contains_key(item))
            .filter_map(|item| match item {
                Item::Type(id) | Item::Union(id) => Some(id),
                _ => None,
            })
            .collect();
        if !outside_types.is_empty() {
            let outside = area_names.len();
            area_names.push((OUTSIDE_AREAS.to_string(), String::new()));
            let ownership = crate::select::Ownership::new(model);
            let selection = crate::select::value_closure(model, Some(&ownership), outside_types);
            for item in items_of(&selection) {
                let areas_reaching = reach.entry(item).or_default();
                if areas_reaching.last() != Some(&outside) {
                    areas_reaching.push(outside);
                }
            }
        }
        // Each distinct reach gets a feature: the area's own for a single area, else a group
        // numbered in the order of the reaches (sorted), which does not depend on item order.
        let distinct: BTreeSet<&Vec<usize>> = reach.values().collect();
        let mut names = Vec::new();
        let mut reaches = Vec::new();
        let mut index_of: HashMap<&Vec<usize>, usize> = HashMap::new();
        let mut groups = Vec::new();
        let mut area_groups: Vec<Vec<String>> = vec![Vec::new(); area_names.len()];
        for areas_reaching in distinct {
            let name = if let [single] = areas_reaching.as_slice() {
                area_names[*single].0.clone()
            } else {
                let name = format!("_g{}", groups.len() + 1);
                groups.push(name.clone());
                for &area in areas_reaching {
                    area_groups[area].push(name.clone());
                }
                name
            };
            index_of.insert(areas_reaching, names.len());
            names.push(name);
            reaches.push(areas_reaching.clone());
        }
        let gates = reach
            .iter()
            .map(|(item, areas_reaching)| (*item, index_of[areas_reaching]))
            .collect();
        let areas = area_names
            .into_iter()
            .zip(area_groups)
            .map(|((name, entry_name), groups)| AreaFeature {
                name,
                entry_name,
                groups,
            })
            .collect();
        Features {
            areas,
            groups,
            gates,
            names,
            reaches,
        }
    }

    /// The areas (indices into [`Features::areas`]) whose selection holds `item`; empty when the
    /// crate has no areas or no area holds it.
    pub fn reach(&self, item: Item) -> &[usize] {
        self.gates
            .get(&item)
            .map(|&index| self.reaches[index].as_slice())
            .unwrap_or_default()
    }

    /// Whether `item` is compiled wherever `enclosing` is: every area that holds `enclosing`
    /// holds `item` too.
    pub fn compiled_with(&self, item: Item, enclosing: Item) -> bool {
        let outer = self.reach(enclosing);
        let inner = self.reach(item);
        outer.iter().all(|area| inner.contains(area))
    }

    /// How many features the crate declares: `full`, the areas and the groups (crates.io
    /// accepts at most 300). `default`, `transport`, `tracing` and `azure` are not counted.
    pub fn count(&self) -> usize {
        if self.enabled() {
            1 + self.areas.len() + self.groups.len()
        } else {
            0
        }
    }

    /// The feature that compiles `item`, if the crate has features per area.
    pub fn feature(&self, item: Item) -> Option<&str> {
        self.gates
            .get(&item)
            .map(|&index| self.names[index].as_str())
    }

    /// `#[cfg(feature = "...")]` for `item`, or nothing when the crate has no areas.
    pub fn gate(&self, item: Item) -> TokenStream {
        match self.feature(item) {
            Some(feature) => quote!(#[cfg(feature = #feature)]),
            None => TokenStream::new(),
        }
    }

    /// The gate of `item` inside `enclosing` (a method in its builder, a union in its type's
    /// file, a navigation's target builder in the builder that has it): nothing when `item` is
    /// compiled wherever `enclosing` is, since the enclosing gate already applies.
    pub fn gate_within(&self, item: Item, enclosing: Item) -> TokenStream {
        if self.compiled_with(item, enclosing) {
            TokenStream::new()
        } else {
            self.gate(item)
        }
    }

    /// The hard dependencies that are not compiled wherever the item that needs them is: for each
    /// item of `whole`, every item it refers to must be held by every area that holds it. Also
    /// every item must be held by some area, and the target builder of every navigation and
    /// cast gate must exist. Empty when the features are sound; a message per breach otherwise.
    pub fn unmet_dependencies(&self, model: &Model, whole: &Selection) -> Vec<String> {
        let mut unmet = Vec::new();
        let value = |id: TypeId, deps: &mut Vec<Item>| {
            deps.push(Item::Type(id));
            if whole.value_types.contains(&id) {
                deps.push(Item::Union(id));
            }
        };
        for item in items_of(whole) {
            if self.reach(item).is_empty() {
                unmet.push(format!("{item:?} is held by no area"));
                continue;
            }
            let mut deps = Vec::new();
            match item {
                Item::Type(id) => {
                    if let Some(def) = model.structured(id) {
                        if let Some(base) = def.base {
                            deps.push(Item::Type(base));
                        }
                        for property in &def.properties {
                            if let crate::model::TypeTarget::Named(target) = property.ty.target {
                                value(target, &mut deps);
                            }
                        }
                    }
                }
                // Variants are soft: each has its own gate.
                Item::Union(id) => deps.push(Item::Type(id)),
                Item::ItemBuilder(id) => value(id, &mut deps),
                Item::CollectionBuilder(id) => {
                    deps.push(Item::ItemBuilder(id));
                    value(id, &mut deps);
                }
                Item::Operation(id) => {
                    let operation = model.operation(id);
                    for parameter in &operation.parameters {
                        if let crate::model::TypeTarget::Named(target) = parameter.ty.target {
                            value(target, &mut deps);
                        }
                    }
                    if let Some(return_type) = operation.return_type {
                        if let crate::model::TypeTarget::Named(target) = return_type.target {
                            value(target, &mut deps);
                        }
                        if let Some(target) = crate::select::composable_entity(model, operation) {
                            deps.push(Item::ItemBuilder(target));
                            if return_type.collection {
                                deps.push(Item::CollectionBuilder(target));
                            }
                        }
                    }
                }
                Item::Entry(index) => {
                    if let Some(container) = &model.container {
                        let entry = &container.children[index];
                        deps.push(Item::ItemBuilder(entry.ty));
                        if entry.kind == crate::model::ContainerChildKind::EntitySet {
                            deps.push(Item::CollectionBuilder(entry.ty));
                        }
                    }
                }
            }
            for dep in deps {
                if !self.compiled_with(dep, item) {
                    unmet.push(format!(
                        "{item:?} (reach {:?}) needs {dep:?} (reach {:?})",
                        self.reach(item),
                        self.reach(dep)
                    ));
                }
            }
        }
        // Navigation and cast methods are gated by their target builder: it must be held by
        // some area, or the method would be compiled with nothing behind it.
        let targets = whole
            .navigations
            .iter()
            .map(|&(owner, index)| {
                let navigation =
                    &model.structured(owner).expect("an entity type").navigations[index];
                if navigation.collection {
                    Item::CollectionBuilder(navigation.target)
                } else {
                    Item::ItemBuilder(navigation.target)
                }
            })
            .chain(whole.casts.iter().flat_map(|&(base, derived)| {
                let collection = whole.builders[&base].collection;
                let collection = collection.then_some(Item::CollectionBuilder(derived));
                std::iter::once(Item::ItemBuilder(derived)).chain(collection)
            }));
        for target in targets {
            if self.reach(target).is_empty() {
                unmet.push(format!("the target builder {target:?} is held by no area"));
            }
        }
        unmet
    }

    /// Whether the crate has features per area.
    pub fn enabled(&self) -> bool {
        !self.areas.is_empty()
    }
}

/// Every gated item a selection holds.
fn items_of(selection: &Selection) -> impl Iterator<Item = Item> + '_ {
    let types = selection.types.iter().map(|&id| Item::Type(id));
    let unions = selection.value_types.iter().map(|&id| Item::Union(id));
    let builders = selection.builders.iter().flat_map(|(&ty, needs)| {
        let item = needs.item.then_some(Item::ItemBuilder(ty));
        let collection = needs.collection.then_some(Item::CollectionBuilder(ty));
        item.into_iter().chain(collection)
    });
    let operations = selection.operations.iter().map(|&id| Item::Operation(id));
    let entries = selection.entries.iter().map(|&index| Item::Entry(index));
    types
        .chain(unions)
        .chain(builders)
        .chain(operations)
        .chain(entries)
}
