//! Emits the crate's frame: `Cargo.toml`, `src/lib.rs`, the hand-written runtime and any extra
//! files named by the options.

use quote::quote;

use super::features::{FULL, Features, Item};
use super::{FileKind, Plan, requests};
use crate::config::GenerateOptions;
use crate::model::ContainerChildKind;

/// The runtime copied into every generated crate: (path in the crate, source).
pub const RUNTIME: &[(&str, &str)] = &[
    ("src/batch.rs", include_str!("../../runtime/batch.rs")),
    ("src/builder.rs", include_str!("../../runtime/builder.rs")),
    ("src/delta.rs", include_str!("../../runtime/delta.rs")),
    ("src/monitor.rs", include_str!("../../runtime/monitor.rs")),
    ("src/edm.rs", include_str!("../../runtime/edm.rs")),
    ("src/error.rs", include_str!("../../runtime/error.rs")),
    ("src/flags.rs", include_str!("../../runtime/flags.rs")),
    ("src/graph.rs", include_str!("../../runtime/graph.rs")),
    ("src/macros.rs", include_str!("../../runtime/macros.rs")),
    (
        "src/operation/mod.rs",
        include_str!("../../runtime/operation/mod.rs"),
    ),
    (
        "src/operation/content.rs",
        include_str!("../../runtime/operation/content.rs"),
    ),
    (
        "src/operation/options.rs",
        include_str!("../../runtime/operation/options.rs"),
    ),
    (
        "src/operation/page.rs",
        include_str!("../../runtime/operation/page.rs"),
    ),
    (
        "src/operation/paging.rs",
        include_str!("../../runtime/operation/paging.rs"),
    ),
    (
        "src/operation/response.rs",
        include_str!("../../runtime/operation/response.rs"),
    ),
    ("src/path.rs", include_str!("../../runtime/path.rs")),
    ("src/query.rs", include_str!("../../runtime/query.rs")),
    (
        "src/reference.rs",
        include_str!("../../runtime/reference.rs"),
    ),
    (
        "src/polymorphic.rs",
        include_str!("../../runtime/polymorphic.rs"),
    ),
    (
        "src/structured.rs",
        include_str!("../../runtime/structured.rs"),
    ),
    ("src/upload.rs", include_str!("../../runtime/upload.rs")),
    ("src/values.rs", include_str!("../../runtime/values.rs")),
];

/// Runtime modules behind a cargo feature of the generated crate, off by default:
/// (path in the crate, feature, source).
pub const FEATURE_RUNTIME: &[(&str, &str, &str)] = &[
    (
        "src/transport.rs",
        "transport",
        include_str!("../../runtime/transport.rs"),
    ),
    (
        "src/azure.rs",
        "azure",
        include_str!("../../runtime/azure.rs"),
    ),
];

/// The crate's own files (manifest, `lib.rs`, the runtime's copies, the config's extra
/// files, the README), in the order they are written (a later file of the same path wins).
pub(super) fn files(options: &GenerateOptions) -> Vec<(String, FileKind)> {
    let mut files = vec![
        ("Cargo.toml".to_string(), FileKind::CargoToml),
        ("src/lib.rs".to_string(), FileKind::LibRs),
    ];
    if options.runtime_dir.is_none() {
        for (path, source) in RUNTIME {
            files.push((path.to_string(), FileKind::Runtime(source)));
        }
        for (path, _, source) in FEATURE_RUNTIME {
            files.push((path.to_string(), FileKind::Runtime(source)));
        }
    }
    for path in options.extra_files.keys() {
        files.push((path.clone(), FileKind::Extra(path.clone())));
    }
    if !options.extra_files.contains_key(README) {
        files.push((README.to_string(), FileKind::Readme));
    }
    files
}

/// An extra file of the config, with a note that says where to edit it.
pub(super) fn extra_file(options: &GenerateOptions, path: &str) -> String {
    let file = &options.extra_files[path];
    let note = format!("Copied from {}: edit it there.", file.source);
    let note = if path.ends_with(".md") {
        format!("<!-- {note} -->")
    } else {
        format!("// {note}")
    };
    format!("{note}\n{}", file.contents)
}

/// The crate's README (`Cargo.toml`'s `readme`): an extra file of that name, or this text.
const README: &str = "README.md";

/// A README for a crate whose project gives none: what it is, and how to use it.
pub(super) fn readme(plan: &Plan<'_>, options: &GenerateOptions) -> String {
    let name = &options.crate_name;
    let mut text = format!(
        "# {name}\n\n{}\n\n\
         Typed models and sans-IO request builders, generated from the service's CSDL by\n\
         msgraph-codegen (`{}`). Start from `{}::Graph`, follow the navigation, and\n\
         send the `Operation` you get with any HTTP client, or with this crate's own: the feature\n\
         `transport` adds an async client over rustls with tokens, retries and paging, and\n\
         `tracing` adds a span per request.\n",
        options.description,
        options.command,
        name.replace('-', "_"),
    );
    if plan.features.enabled() {
        text.push_str(&format!(
            "\nEach entity set and singleton is a cargo feature (an area) that brings its request\n\
             builders and the models they use; enable the ones you use\n\
             (`{name} = {{ version = \"{}\", features = [\"{}\"] }}`), or `{FULL}` for all of them.\n",
            options.crate_version,
            plan.features
                .areas
                .first()
                .map(|area| area.name.as_str())
                .unwrap_or(FULL),
        ));
    }
    text
}

pub(super) fn cargo_toml(plan: &Plan<'_>, options: &GenerateOptions) -> String {
    let workspace = if options.standalone {
        "\n# Builds on its own wherever it is written.\n[workspace]\n"
    } else {
        ""
    };
    let quoted = |items: &[String]| {
        let items: Vec<String> = items.iter().map(|item| toml_string(item)).collect();
        format!("[{}]", items.join(", "))
    };
    let package = &options.package;
    let mut metadata = format!("license = {}\n", toml_string(&package.license));
    if let Some(repository) = &package.repository {
        metadata.push_str(&format!("repository = {}\n", toml_string(repository)));
    }
    metadata.push_str(&format!(
        "readme = \"{README}\"\nkeywords = {}\ncategories = {}\n",
        quoted(&package.keywords),
        quoted(&package.categories),
    ));
    if !package.publish {
        metadata.push_str("publish = false\n");
    }
    // docs.rs builds the documentation with every area, the typed query constants and every
    // part of the transport.
    let docs_features = if plan.features.enabled() {
        format!("[\"{FULL}\", \"query\", \"tracing\", \"azure\"]")
    } else {
        "[\"query\", \"tracing\", \"azure\"]".to_string()
    };
    format!(
        r#"[package]
name = "{name}"
version = "{version}"
edition = "2024"
rust-version = "1.85"
description = {description}
{metadata}
[package.metadata.docs.rs]
features = {docs_features}

# The runtime's unit tests (`cfg(msgraph_runtime)`) run in its own crate, not here.
[lints.rust]
unexpected_cfgs = {{ level = "warn", check-cfg = ["cfg(msgraph_runtime)"] }}

[dependencies]
http = "1"
serde = {{ version = "1", features = ["derive"] }}
serde_json = {{ version = "1", features = ["raw_value"] }}
time = {{ version = "0.3", features = ["parsing", "formatting"] }}
uuid = "1"
{transport}{workspace}"#,
        transport = transport_toml(plan, options),
        name = options.crate_name,
        version = options.crate_version,
        description = toml_string(&options.description),
    )
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// The `transport` feature's optional dependencies and the feature itself; the dependencies of
/// hand-written tests and examples when the crate has extra files; and every extra file under
/// `examples/` as an example that needs the feature (a sans-IO crate's example sends requests).
fn transport_toml(plan: &Plan<'_>, options: &GenerateOptions) -> String {
    let mut toml = String::from(
        r#"# The optional transport (feature `transport`): reqwest over rustls with ring, no OpenSSL.
futures-core = { version = "0.3", optional = true }
reqwest = { version = "0.13", optional = true, default-features = false, features = ["rustls-no-provider"] }
rustls = { version = "0.23", optional = true, default-features = false, features = ["ring", "std", "tls12"] }
rustls-platform-verifier = { version = ">=0.6, <0.8", optional = true }
tokio = { version = "1", optional = true, default-features = false, features = ["time"] }
tracing = { version = "0.1.40", optional = true, default-features = false, features = ["std"] }
azure_core = { version = "1", optional = true, default-features = false }

[features]
# Typed `$filter` and `$expand`: a constant per property and navigation property of every model
# struct (`User::DISPLAY_NAME.starts_with("A")`, the `query` module). Off by default: they are
# items all of the crate's structs pay for in compile time.
query = []
# An async client that sends operations with a bearer token, retries and timeouts.
transport = ["dep:futures-core", "dep:reqwest", "dep:rustls", "dep:rustls-platform-verifier", "dep:tokio"]
# The transport, with a `tracing` span per operation and an event per retry.
tracing = ["transport", "dep:tracing"]
# Sign-in with the Azure SDK for Rust: an `azure_core` credential (from `azure_identity`) as the
# transport's token provider.
azure = ["transport", "dep:azure_core"]
"#,
    );
    toml.push_str(&area_features_toml(&plan.features));
    if !options.extra_files.is_empty() {
        toml.push_str(
            r#"
# For the hand-written tests and examples.
[dev-dependencies]
futures-core = "0.3"
log = "0.4"
tokio = { version = "1", default-features = false, features = ["rt"] }
tracing = { version = "0.1.40", default-features = false, features = ["std"] }
"#,
        );
    }
    for path in options.extra_files.keys() {
        let Some(name) = path
            .strip_prefix("examples/")
            .and_then(|file| file.strip_suffix(".rs"))
            .filter(|name| !name.contains('/'))
        else {
            continue;
        };
        toml.push_str(&format!(
            "\n[[example]]\nname = \"{name}\"\nrequired-features = [\"transport\"]\n"
        ));
    }
    toml
}

/// The marker line above the features per area.
pub const AREAS_MARKER: &str =
    "# ---- Areas: generated from the entity container; everything below is rewritten. ----";

/// The features per area (none when the crate has no areas): `full`, one per area, and the
/// hidden groups they enable.
fn area_features_toml(features: &Features) -> String {
    if !features.enabled() {
        return String::new();
    }
    let list = |names: &mut dyn Iterator<Item = &str>| {
        let quoted: Vec<String> = names.map(|n| format!("\"{n}\"")).collect();
        format!("[{}]", quoted.join(", "))
    };
    let mut toml = format!(
        "default = []\n\n{AREAS_MARKER}\n\
         # An area is an entity set or singleton with the request builders nearest to it and the\n\
         # models they use; a navigation into another area's builders needs that area too. Enable\n\
         # the ones you use (`features = [\"users\"]`); `{FULL}` enables them all.\n\
         {FULL} = {}\n",
        list(&mut features.areas.iter().map(|a| a.name.as_str()))
    );
    for area in &features.areas {
        let what = if area.entry_name.is_empty() {
            "Types that no entity set or singleton reaches.".to_string()
        } else {
            format!("`/{}` and the builders it owns.", area.entry_name)
        };
        toml.push_str(&format!(
            "# {what}\n{} = {}\n",
            area.name,
            list(&mut area.groups.iter().map(String::as_str))
        ));
    }
    if !features.groups.is_empty() {
        toml.push_str(
            "# Groups of items that the same areas reach: enabled by the areas, not for direct use.\n",
        );
        for group in &features.groups {
            toml.push_str(&format!("{group} = []\n"));
        }
    }
    toml
}

pub(super) fn lib_rs(plan: &Plan<'_>, options: &GenerateOptions) -> proc_macro2::TokenStream {
    let crate_ident = options.crate_name.replace('-', "_");
    let mut doc = format!("{}\n\n", options.description);
    if plan.selection.builders.is_empty() {
        doc.push_str(
            "- [`models`]: a struct per entity and complex type, a union per type with derived \
             types (chosen by `@odata.type`), an enum per enum type.\n",
        );
    } else {
        doc.push_str(
            "Sans-IO: builders make [`Operation`]s; [`Operation::to_http_request`] gives an \
             `http::Request` for any HTTP client, and [`Operation::parse_response`] reads the \
             answer into typed models.\n\n\
             - [`models`]: a struct per entity and complex type, a union per type with derived \
             types (chosen by `@odata.type`), an enum per enum type.\n\
             - [`requests`]: request builders, reached from [`Graph`].\n\
             - `transport` (cargo feature `transport`, off by default): an async client on \
             `reqwest` that sends operations with a bearer token, retries and timeouts.\n",
        );
    }
    if let Some((method, index, entry)) = requests::entry_methods(plan).into_iter().next() {
        let (call, what) = match entry.kind {
            ContainerChildKind::EntitySet => ("list()", "lists"),
            ContainerChildKind::Singleton => ("get()", "reads"),
        };
        // In a crate with areas, the example needs its entry's area.
        let area = plan.features.feature(Item::Entry(index));
        let (open, close) = match area {
            Some(feature) => (format!("# #[cfg(feature = \"{feature}\")] {{\n"), "# }\n"),
            None => (String::new(), ""),
        };
        doc.push_str(&format!(
            "\n# Example\n\nA request that {what} `{name}`:\n\n\
             ```\n\
             {open}\
             let operation = {crate_ident}::Graph::v1().{method}().{call};\n\
             let request = operation.to_http_request()?;\n\
             assert_eq!(request.method(), \"{http}\");\n\
             assert_eq!(request.uri(), \"https://graph.microsoft.com/v1.0/{name}\");\n\
             {close}\
             # Ok::<(), {crate_ident}::Error>(())\n\
             ```\n",
            name = entry.name,
            http = "GET",
        ));
        if area.is_some() {
            doc.push_str(&format!(
                "\n# Features\n\nEach entity set and singleton is an area with a cargo feature \
                 (`{}` and so on, listed in `Cargo.toml`) with the request builders nearest to \
                 it; a type, builder or operation is compiled when an area that uses it is \
                 enabled, and a navigation into another area's builders when that area is \
                 enabled too. Union enums are `#[non_exhaustive]`: a variant whose area is off \
                 reads as `Other`. `{FULL}` enables every area.\n",
                plan.features
                    .areas
                    .first()
                    .map(|a| a.name.as_str())
                    .unwrap_or(FULL)
            ));
        }
    }
    let doc_lines: Vec<String> = doc.lines().map(|l| format!(" {l}")).collect();
    // A module folder (`operation/mod.rs`) is declared once; its files are its own modules.
    let runtime_modules = RUNTIME.iter().filter_map(|(path, _)| {
        let file = path.trim_start_matches("src/");
        let module = match file.split_once('/') {
            None => file.trim_end_matches(".rs"),
            Some((folder, "mod.rs")) => folder,
            Some(_) => return None,
        };
        let name = proc_macro2::Ident::new(module, proc_macro2::Span::call_site());
        let visibility = if matches!(
            *path,
            "src/polymorphic.rs" | "src/edm.rs" | "src/macros.rs" | "src/structured.rs"
        ) {
            quote!()
        } else {
            quote!(pub)
        };
        let location = options.runtime_dir.as_ref().map(|dir| {
            let location = format!("{dir}/{file}");
            quote!(#[path = #location])
        });
        Some(quote!(#location #visibility mod #name;))
    });
    let feature_modules = FEATURE_RUNTIME.iter().map(|(path, feature, _)| {
        let file = path.trim_start_matches("src/");
        let name =
            proc_macro2::Ident::new(file.trim_end_matches(".rs"), proc_macro2::Span::call_site());
        let location = options.runtime_dir.as_ref().map(|dir| {
            let location = format!("{dir}/{file}");
            quote!(#[path = #location])
        });
        quote!(#[cfg(feature = #feature)] #location pub mod #name;)
    });
    let requests_module = (!plan.selection.builders.is_empty()).then(|| {
        quote!(
            pub mod requests;
        )
    });
    let readme = options.readme_doctest.as_ref().map(|path| {
        quote! {
            /// The examples of the project's README, compiled and run as doctests.
            #[cfg(doctest)]
            #[doc = include_str!(#path)]
            pub struct ReadmeDoctests;
        }
    });
    quote! {
        #(#![doc = #doc_lines])*
        #![forbid(unsafe_code)]
        #![warn(missing_docs)]
        // A union holds its variants by value, as a careful hand-written API would; boxing them
        // to even out sizes would make every construction noisier.
        #![allow(clippy::large_enum_variant)]

        #(#runtime_modules)*
        #(#feature_modules)*
        pub mod models;
        #requests_module

        pub use batch::{Batch, BatchItem, BatchItemResponse, BatchPosition, BatchResponse, Batches, BatchesItem};
        pub use error::Error;
        pub use flags::Flags;
        pub use graph::{Cloud, Graph, Version};
        pub use operation::{Content, Direction, Operation, Page, Selectable};
        pub use structured::{Model, typed_json};

        #readme
    }
}
