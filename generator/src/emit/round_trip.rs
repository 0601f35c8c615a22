//! Emits `tests/round_trip.rs`: a property test that reads random JSON of every struct's shape
//! into the model and writes it back, expecting the same JSON.
//!
//! The shapes (which properties a type has, of which kind) come from the same plan as the models,
//! as a static table; the random values come from a small seeded generator in the test file, so
//! runs repeat exactly and need no extra dependency.

use proc_macro2::TokenStream;
use quote::quote;

use super::Plan;
use crate::config::GenerateOptions;
use crate::model::*;

/// Values per type per run.
const CASES_PER_TYPE: usize = 24;

/// The path of the file.
pub(super) const PATH: &str = "tests/round_trip.rs";

/// The types with a struct, in id order: what the test covers (no file without one).
pub(super) fn structs(plan: &Plan<'_>) -> Vec<TypeId> {
    let mut structs: Vec<TypeId> = plan
        .items
        .iter()
        .filter(|(_, items)| items.struct_name.is_some())
        .map(|(&id, _)| id)
        .collect();
    structs.sort();
    structs
}

/// The property test over every struct.
pub(super) fn file(plan: &Plan<'_>, options: &GenerateOptions) -> TokenStream {
    let structs = structs(plan);
    let index_of = |id: TypeId| structs.iter().position(|s| *s == id);
    let crate_ident = proc_macro2::Ident::new(
        &options.crate_name.replace('-', "_"),
        proc_macro2::Span::call_site(),
    );
    let mut entries = Vec::new();
    let mut arms = Vec::new();
    for (index, &id) in structs.iter().enumerate() {
        let ty = plan.model.ty(id);
        let qualified = ty.qualified_name();
        // Every member with a field: the properties, then the navigation properties (an
        // expanded value).
        let names = plan.struct_names(id);
        let properties = names
            .properties
            .iter()
            .map(|names| (&names.property.name, names.property.ty));
        let navigations = names.navigations.iter().map(|names| {
            let ty = TypeUse {
                target: TypeTarget::Named(names.navigation.target),
                collection: names.navigation.collection,
                nullable: true,
            };
            (&names.navigation.name, ty)
        });
        let fields = properties.chain(navigations).filter_map(|(wire, ty)| {
            let shape = shape(plan, ty, &index_of)?;
            Some(quote!((#wire, #shape)))
        });
        entries.push(quote!(TypeShape { name: #qualified, fields: &[#(#fields),*] }));
        let items = plan.items(id);
        let path = plan.model_path(&items.module, items.struct_name.as_ref().expect("a struct"));
        let path = super::tests::krate_path(path);
        arms.push(quote!(#index => round_trip::<#path>(json),));
    }
    let cases = CASES_PER_TYPE;
    // In a crate with areas, the checks cover every item, so they need every area.
    let whole_crate_only = plan.features.enabled().then(|| {
        let full = super::features::FULL;
        quote!(#![cfg(feature = #full)])
    });
    quote! {
        //! Property test: random JSON of every struct's shape reads into the model and writes back
        //! unchanged (unknown properties, explicit nulls, null items in collections, unknown enum
        //! members and unknown `@odata.type`s included).
        #whole_crate_only

        use #crate_ident as krate;

        use serde_json::{Map, Value, json};

        /// The wire shape of a value.
        #[allow(dead_code)]
        enum Shape {
            Text,
            Bool,
            Byte,
            Int,
            Int64,
            Single,
            Double,
            Decimal,
            Any,
            Enum(&'static [&'static str]),
            Flags(&'static [&'static str]),
            Object(usize),
            Union(&'static [usize]),
            Collection(&'static Shape),
        }

        /// A struct: its qualified name and its properties.
        struct TypeShape {
            name: &'static str,
            fields: &'static [(&'static str, Shape)],
        }

        static TYPES: &[TypeShape] = &[#(#entries),*];

        /// xorshift64*: small, seeded, repeatable.
        struct Rng(u64);

        impl Rng {
            fn next(&mut self) -> u64 {
                self.0 ^= self.0 >> 12;
                self.0 ^= self.0 << 25;
                self.0 ^= self.0 >> 27;
                self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
            }

            fn below(&mut self, n: u64) -> u64 {
                self.next() % n.max(1)
            }

            fn chance(&mut self, percent: u64) -> bool {
                self.below(100) < percent
            }
        }

        fn text(rng: &mut Rng) -> String {
            const PARTS: [&str; 8] = ["a", "Zz", " ", "é", "日本", "\"", "\\", "line\n"];
            (0..rng.below(5)).map(|_| PARTS[rng.below(8) as usize]).collect()
        }

        fn any(rng: &mut Rng, depth: u32) -> Value {
            match if depth > 2 { rng.below(4) } else { rng.below(6) } {
                0 => Value::Null,
                1 => json!(rng.chance(50)),
                2 => json!(rng.below(1000) as i64 - 500),
                3 => json!(text(rng)),
                4 => Value::Array((0..rng.below(3)).map(|_| any(rng, depth + 1)).collect()),
                _ => {
                    let mut object = Map::new();
                    for index in 0..rng.below(3) {
                        object.insert(format!("k{index}"), any(rng, depth + 1));
                    }
                    Value::Object(object)
                }
            }
        }

        fn value(shape: &Shape, rng: &mut Rng, depth: u32) -> Value {
            match shape {
                Shape::Text => json!(text(rng)),
                Shape::Bool => json!(rng.chance(50)),
                Shape::Byte => json!(rng.below(256)),
                Shape::Int => json!(rng.below(200) as i64 - 100),
                Shape::Int64 => json!((rng.next() >> 1) as i64 - (1_i64 << 61)),
                Shape::Single => match rng.below(8) {
                    0 => json!("INF"),
                    1 => json!("-INF"),
                    _ => json!(f64::from(rng.below(4000) as f32 / 8.0 - 250.0)),
                },
                Shape::Double => match rng.below(10) {
                    0 => json!("NaN"),
                    1 => json!("-INF"),
                    _ => json!(f64::from_bits(rng.next() >> 2).min(1e300) / 3.0),
                },
                Shape::Decimal => json!(rng.below(100_000) as f64 / 100.0),
                Shape::Any => any(rng, depth),
                Shape::Enum(members) => {
                    if rng.chance(10) || members.is_empty() {
                        json!("memberFromTheFuture")
                    } else {
                        json!(members[rng.below(members.len() as u64) as usize])
                    }
                }
                Shape::Flags(members) => {
                    let chosen: Vec<&str> = members.iter().copied().filter(|_| rng.chance(50)).collect();
                    json!(chosen.join(","))
                }
                Shape::Object(index) => object(*index, rng, depth, false),
                Shape::Union(family) => {
                    if rng.chance(5) {
                        let mut unknown = Map::new();
                        unknown.insert("@odata.type".into(), json!("#example.typeFromTheFuture"));
                        unknown.insert("size".into(), json!(rng.below(10)));
                        return Value::Object(unknown);
                    }
                    let member = family[rng.below(family.len() as u64) as usize];
                    object(member, rng, depth, true)
                }
                Shape::Collection(item) => {
                    let count = if depth > 2 { 0 } else { rng.below(3) };
                    // CSDL allows null items in a collection unless it says otherwise.
                    Value::Array(
                        (0..count)
                            .map(|_| if rng.chance(5) { Value::Null } else { value(item, rng, depth + 1) })
                            .collect(),
                    )
                }
            }
        }

        fn object(index: usize, rng: &mut Rng, depth: u32, tagged: bool) -> Value {
            let shape = &TYPES[index];
            let mut fields = Map::new();
            if tagged {
                fields.insert("@odata.type".into(), json!(format!("#{}", shape.name)));
            }
            if depth < 3 {
                for (name, field) in shape.fields {
                    if rng.chance(40) {
                        let value = if rng.chance(10) { Value::Null } else { value(field, rng, depth + 1) };
                        fields.insert((*name).to_string(), value);
                    }
                }
            }
            if rng.chance(20) {
                fields.insert("propertyFromTheFuture".into(), any(rng, depth + 1));
            }
            Value::Object(fields)
        }

        fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(json: Value) {
            let value: T = serde_json::from_value(json.clone())
                .unwrap_or_else(|error| panic!("{json} does not read: {error}"));
            let written = serde_json::to_value(&value).expect("a model writes");
            assert_eq!(written, json, "written back differently");
        }

        fn check(index: usize, json: Value) {
            match index {
                #(#arms)*
                _ => unreachable!("every struct has an arm"),
            }
        }

        #[test]
        fn random_json_of_every_struct_round_trips() {
            // More cases and another seed: ROUND_TRIP_CASES=5000 ROUND_TRIP_SEED=7 cargo test.
            let cases: usize = std::env::var("ROUND_TRIP_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(#cases);
            let seed: u64 = std::env::var("ROUND_TRIP_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x9E37_79B9_7F4A_7C15);
            let mut rng = Rng(seed | 1);
            let mut checked = 0;
            for (index, shape) in TYPES.iter().enumerate() {
                for _ in 0..cases {
                    checked += 1;
                    let json = object(index, &mut rng, 0, false);
                    let outcome = std::panic::catch_unwind(|| check(index, json.clone()));
                    if outcome.is_err() {
                        panic!("`{}` did not round-trip {json}", shape.name);
                    }
                }
            }
            assert_eq!(checked, TYPES.len() * cases);
        }
    }
}

/// The wire shape of a type use, or `None` for what has no JSON form (`Edm.Stream`).
fn shape(
    plan: &Plan<'_>,
    ty: TypeUse,
    index_of: &dyn Fn(TypeId) -> Option<usize>,
) -> Option<TokenStream> {
    let element = match ty.target {
        TypeTarget::Primitive(primitive) => primitive_shape(primitive)?,
        TypeTarget::Named(id) => match &plan.model.ty(id).kind {
            TypeKind::Definition(primitive) => primitive_shape(*primitive)?,
            TypeKind::Enum(def) => {
                let members = def.members.iter().map(|m| &m.name);
                if def.is_flags {
                    quote!(Shape::Flags(&[#(#members),*]))
                } else {
                    quote!(Shape::Enum(&[#(#members),*]))
                }
            }
            TypeKind::Structured(_) => {
                if plan.items(id).union_name.is_some() {
                    let family = plan.concrete_family(id).into_iter().filter_map(index_of);
                    quote!(Shape::Union(&[#(#family),*]))
                } else {
                    let index = index_of(id)?;
                    quote!(Shape::Object(#index))
                }
            }
        },
    };
    Some(if ty.collection {
        quote!(Shape::Collection(&#element))
    } else {
        element
    })
}

fn primitive_shape(primitive: Primitive) -> Option<TokenStream> {
    super::edm::mapping(primitive).shape
}
