//! Conformance with documented traffic: documented requests (method, URL, body) resolved
//! against the plan of a whole-service crate, and the harness program that builds each of them
//! with the generated builders and reads each documented answer back.
//!
//! A later stage than [`crate::emit`]: it reads the same plan the crate was emitted from, so
//! the harness calls exactly the methods the crate has. Each example either resolves to a
//! *case* of the harness (a chain of builder methods and the call its HTTP method makes, shared
//! by every example of the same shape) with the values it takes at run time, or is classified
//! here, with a reason, as something the crate cannot express, something the harness does not
//! check, metadata drift, something the CSDL does not describe, or a defect of the example.
//! Comparing what the harness sends and reads back with the documentation is the caller's
//! (`cargo xtask conformance`).

mod program;
mod route;
mod url;

pub use url::{below_service_root, host_and_path, percent_decode, percent_decode_except};

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::diagnostics::Diagnostic;
use crate::emit::Plan;
use crate::model::{TypeId, TypeTarget};
use crate::{GenerateOptions, select};

/// Why an example is not built by the harness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// The CSDL describes the request, but the crate has no way to make it.
    Unsupported,
    /// The crate may make it, but the harness does not write such a request (named in the
    /// reason), so it is not checked.
    NotChecked,
    /// The CSDL no longer has what the (older) documentation uses.
    Drift,
    /// Graph serves it, but no CSDL element describes it (path-based addressing, say).
    BeyondCsdl,
    /// The example itself is wrong: a beta URL, a URL cut short, a call without a required
    /// argument, a method the address does not take.
    ExampleDefect,
}

impl Class {
    /// The class's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Class::Unsupported => "unsupported",
            Class::NotChecked => "not checked",
            Class::Drift => "metadata drift",
            Class::BeyondCsdl => "beyond the CSDL",
            Class::ExampleDefect => "example defect",
        }
    }
}

/// A documented request.
#[derive(Clone, Copy, Debug)]
pub struct Example<'e> {
    /// `GET`, `POST`, ...
    pub method: &'e str,
    /// The URL as documented (absolute, or a path).
    pub url: &'e str,
    /// The request's body, when it is JSON.
    pub body: Option<&'e Value>,
}

/// An example the harness builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// The harness function that builds it.
    pub case: usize,
    /// The values it takes, in order (keys and function arguments as written, unquoted).
    pub arguments: Vec<String>,
    /// The query options of its URL, decoded (`$id`, which a `$ref` call writes itself, left
    /// out).
    pub query: Vec<(String, String)>,
    /// The rules by which its URL was read, if any (see [`Harness`]).
    pub rules: Vec<&'static str>,
    /// Whether the CSDL declares a result for the call (an entity, a value, content); not for
    /// a `DELETE`, a `$ref` write or an action without a return type.
    pub result: bool,
    /// The qualified name of the answer's structured type (of each item, for a collection), and
    /// whether it is a collection: what declares the answer's members (see
    /// [`Harness::members`]).
    pub answer: Option<(String, bool)>,
}

/// The members (properties and navigation properties, inherited ones included) a structured
/// type declares, each with the qualified name of its structured type (of each item), if its
/// value is structured.
pub type Members = BTreeMap<String, Option<String>>;

/// The harness for a set of examples.
#[derive(Debug)]
pub struct Harness {
    /// The program's `src/main.rs`.
    pub main_rs: String,
    /// Per example, in order: its case, or why it has none.
    pub resolutions: Vec<Result<Case, (Class, String)>>,
    /// How many distinct cases the program has.
    pub cases: usize,
    /// The members every structured type of the crate declares, by qualified name: to tell,
    /// of a documented member the crate did not type, whether its type declares it.
    pub members: BTreeMap<String, Members>,
}

/// Resolves `examples` against the crate that the CSDL `documents` (the main one first, see
/// [`crate::load_documents`]) and `options` generate (a whole-service crate:
/// `options.slice.all`) and writes the harness program that builds them. The program
/// depends on that crate under `options.crate_name`, with every area enabled.
pub fn harness(
    documents: &[&[u8]],
    options: &GenerateOptions,
    examples: &[Example<'_>],
) -> Result<Harness, Vec<Diagnostic>> {
    let (model, _) = crate::load_documents(documents)?;
    let selection = select::select(&model, &options.slice, options.slice_origin)?;
    let areas = if options.slice.all && options.slice.areas {
        select::areas(&model)
    } else {
        Vec::new()
    };
    let plan = Plan::for_crate(&model, &selection, &areas, options);
    let mut cases: Vec<(proc_macro2::TokenStream, route::Reader)> = Vec::new();
    let mut by_call: HashMap<String, usize> = HashMap::new();
    let resolutions = examples
        .iter()
        .map(|example| {
            let parsed = url::parse(example.url)?;
            let method = example.method.to_ascii_uppercase();
            let resolved =
                route::resolve(&plan, &plan.parameter_names, &method, &parsed, example.body)?;
            let key = resolved.call.to_string();
            let case = *by_call.entry(key).or_insert_with(|| {
                cases.push((resolved.call, resolved.reader));
                cases.len() - 1
            });
            let query = parsed
                .query
                .iter()
                .filter(|(name, _)| name != "$id")
                // Form-encoded: `+` is a space (a plus sign is `%2B`).
                .map(|(name, value)| {
                    (
                        url::percent_decode(&name.replace('+', " ")),
                        url::percent_decode(&value.replace('+', " ")),
                    )
                })
                .collect();
            Ok(Case {
                case,
                arguments: resolved.arguments,
                query,
                rules: resolved.rules,
                result: resolved.reader != route::Reader::Nothing,
                answer: match resolved.reader {
                    route::Reader::Json(Some(answer)) => {
                        Some((plan.model.ty(answer.ty).qualified_name(), answer.collection))
                    }
                    _ => None,
                },
            })
        })
        .collect();
    let tokens = program::main_rs(&options.crate_name, &cases);
    let main_rs = crate::format::rust_file("src/main.rs", tokens, &options.command);
    Ok(Harness {
        main_rs,
        resolutions,
        cases: cases.len(),
        members: declared_members(&plan),
    })
}

/// What each structured type of the plan declares (see [`Harness::members`]): the members its
/// struct has a field for, as the plan names them (`Plan::struct_names`).
fn declared_members(plan: &Plan<'_>) -> BTreeMap<String, Members> {
    let model = plan.model;
    let structured = |id: TypeId| model.structured(id).map(|_| model.ty(id).qualified_name());
    plan.items
        .keys()
        .filter(|&&id| model.structured(id).is_some())
        .map(|&id| {
            let names = plan.struct_names(id);
            let properties = names.properties.iter().map(|names| {
                let target = match names.property.ty.target {
                    TypeTarget::Named(target) => structured(target),
                    TypeTarget::Primitive(_) => None,
                };
                (names.property.name.to_string(), target)
            });
            let navigations = names.navigations.iter().map(|names| {
                let navigation = names.navigation;
                (navigation.name.to_string(), structured(navigation.target))
            });
            (
                model.ty(id).qualified_name(),
                properties.chain(navigations).collect(),
            )
        })
        .collect()
}
