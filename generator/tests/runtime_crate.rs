//! The runtime's own crate (`generator/runtime`, package `msgraph-runtime`, where its unit
//! tests and lints run once) declares the runtime as every generated crate does: the same
//! modules, visibilities, feature gates and re-exports in `lib.rs`, and the same dependencies
//! and features in `Cargo.toml`.

use msgraph_codegen::{GenerateOptions, SliceSpec};

const RUNTIME_LIB: &str = include_str!("../runtime/lib.rs");
const RUNTIME_MANIFEST: &str = include_str!("../runtime/Cargo.toml");

fn generated() -> std::collections::BTreeMap<String, String> {
    let options = GenerateOptions::standalone(
        SliceSpec {
            all: true,
            ..SliceSpec::default()
        },
        "test",
    );
    msgraph_codegen::generate(
        include_bytes!("fixtures/operations/input.csdl.xml"),
        &options,
    )
    .unwrap_or_else(|d| panic!("{d:?}"))
    .files
}

/// The statements of a `lib.rs` that declare the runtime: its modules, their gates, its
/// re-exports, each on one line (a formatter may wrap a long `pub use`).
fn runtime_declarations(lib: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut open: Option<String> = None;
    for line in lib.lines().map(str::trim) {
        if let Some(statement) = &mut open {
            statement.push_str(line);
            if line.ends_with(';') {
                statements.extend(open.take());
            }
            continue;
        }
        let declares = line.starts_with("pub mod ")
            || line.starts_with("mod ")
            || line.starts_with("#[cfg(feature")
            || line.starts_with("pub use ");
        if !declares || matches!(line, "pub mod models;" | "pub mod requests;") {
            continue;
        }
        if line.starts_with("#[") || line.ends_with(';') {
            statements.push(line.to_string());
        } else {
            open = Some(line.to_string());
        }
    }
    // One spelling of a list, wrapped or not: `{a, b}`.
    statements
        .into_iter()
        .map(|statement| {
            statement
                .replace(",}", "}")
                .replace(", ", ",")
                .replace(',', ", ")
        })
        .collect()
}

#[test]
fn the_runtime_crate_declares_the_runtime_as_generated_crates_do() {
    let files = generated();
    let generated_lib = &files["src/lib.rs"];
    assert_eq!(
        runtime_declarations(RUNTIME_LIB),
        runtime_declarations(generated_lib),
        "generator/runtime/lib.rs and a generated src/lib.rs differ"
    );
    // The crate attributes too.
    for attribute in ["#![forbid(unsafe_code)]", "#![warn(missing_docs)]"] {
        assert!(RUNTIME_LIB.contains(attribute), "{attribute}");
        assert!(generated_lib.contains(attribute), "{attribute}");
    }
}

/// `name = ...` lines of a manifest's section, in order.
fn section<'a>(manifest: &'a str, name: &str) -> Vec<&'a str> {
    manifest
        .lines()
        .skip_while(|line| line.trim() != format!("[{name}]"))
        .skip(1)
        .take_while(|line| !line.starts_with('['))
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

#[test]
fn the_runtime_crate_depends_on_what_generated_crates_do() {
    let files = generated();
    let manifest = &files["Cargo.toml"];
    assert_eq!(
        section(RUNTIME_MANIFEST, "dependencies"),
        section(manifest, "dependencies")
    );
    assert_eq!(
        section(RUNTIME_MANIFEST, "features"),
        section(manifest, "features")
    );
    assert_eq!(
        section(RUNTIME_MANIFEST, "lints.rust"),
        section(manifest, "lints.rust")
    );
}
