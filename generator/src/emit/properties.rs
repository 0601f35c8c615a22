//! Emits `src/models/**/properties.rs`: for every entity type, an enum of its property names,
//! and the `Selectable` impls that let `$select` and `$orderby` take them, so that a misspelt
//! property does not compile.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::Plan;
use super::features::Item;
use crate::model::StructuredKind;
use crate::model::*;
use crate::naming::{self, RustName, Scope};

/// The module that holds the property enums of a namespace.
pub const MODULE: &str = "properties";

/// The entity types of each model module that get a property enum.
pub fn entity_types_by_module(plan: &Plan<'_>) -> BTreeMap<Vec<RustName>, Vec<TypeId>> {
    let mut modules: BTreeMap<Vec<RustName>, Vec<TypeId>> = BTreeMap::new();
    let mut ids: Vec<&TypeId> = plan.items.keys().collect();
    ids.sort();
    for &id in ids {
        let is_entity = plan
            .model
            .structured(id)
            .is_some_and(|def| def.kind == StructuredKind::Entity);
        let items = plan.items(id);
        if is_entity && (items.struct_name.is_some() || items.union_name.is_some()) {
            modules.entry(items.module.clone()).or_default().push(id);
        }
    }
    modules
}

/// The path of the property-name file of `module` below `src/models/`.
pub(super) fn file_path(module: &[RustName]) -> String {
    let mut path = String::from("src/models/");
    for segment in module {
        path.push_str(segment.as_str());
        path.push('/');
    }
    path.push_str(MODULE);
    path.push_str(".rs");
    path
}

/// The property-name enums of the entity types `types` of one module.
pub(super) fn file(plan: &Plan<'_>, types: &[TypeId]) -> TokenStream {
    let items = types.iter().map(|&id| property_enum(plan, id));
    quote! {
        //! The properties of each entity type, by name: what `$select` and `$orderby` take.
        #(#items)*
    }
}

fn property_enum(plan: &Plan<'_>, id: TypeId) -> TokenStream {
    let ty = plan.model.ty(id);
    let items = plan.items(id);
    // The enum is named like the type's struct (or union) in the module next to it.
    let ident = items
        .struct_name
        .as_ref()
        .or(items.union_name.as_ref())
        .map(RustName::ident)
        .unwrap_or_else(|| naming::type_name(&ty.name).ident());
    let enum_path = {
        let module = items.module.iter().map(RustName::ident);
        let module_ident = RustName::new(MODULE.to_string()).ident();
        quote!(crate::models:: #(#module::)* #module_ident :: #ident)
    };
    let doc = format!(" The properties of `{}`.", ty.qualified_name());
    let mut scope = Scope::new();
    let mut variants = Vec::new();
    for (_, property) in plan.model.all_properties(id) {
        if plan.use_type(property.ty).is_none() {
            continue; // Edm.Stream has no JSON form.
        }
        let variant = scope.claim(naming::variant_name(&property.name)).ident();
        let wire = &property.name;
        variants.push(quote! { #variant = #wire, });
    }
    let gate = plan.gate(Item::Type(id));
    let selectable: Vec<TokenStream> = [
        (items.struct_name.as_ref(), &gate),
        (items.union_name.as_ref(), &plan.gate(Item::Union(id))),
    ]
    .into_iter()
    .filter_map(|(name, gate)| Some((name?, gate)))
    .map(|(model, gate)| {
        let model = plan.model_path(&items.module, model);
        quote! {
            #gate
            impl crate::operation::Selectable for #model {
                type Property = #enum_path;
            }
        }
    })
    .collect();
    quote! {
        #gate
        crate::macros::property_names! {
            #[doc = #doc]
            #[non_exhaustive]
            pub enum #ident {
                #(#variants)*
            }
        }

        #(#selectable)*
    }
}
