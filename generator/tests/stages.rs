//! The generator's stages look only down the pipeline: each module may name (`crate::...`)
//! only the modules of the stages before it and the shared ones, never a later stage. A new
//! import that breaks this fails here, naming the file, the line and what it may use instead.
//!
//! ```text
//! shared: diagnostics, naming, config
//! csdl::read, csdl::syntax ──▶ resolve ──▶ model ──▶ select ──▶ emit ──▶ format (shorten)
//!                                                         └──▶ csdl::write (the slice)
//! generated files ──▶ api (the API diff: it reads what emit and format wrote, nothing else)
//! emit's plan ──▶ conformance (documented requests resolved against the plan; the harness)
//! cli, lib.rs and the binary put the stages together and may use any.
//! ```

use std::path::{Path, PathBuf};

/// The stage of a source file (path relative to `src/`), and the modules it may name.
fn allowed(file: &str) -> Option<&'static [&'static str]> {
    let stage = file.trim_end_matches(".rs");
    Some(match stage {
        "diagnostics" => &[],
        "naming" | "config" => &["diagnostics"],
        _ if stage == "csdl/mod" || stage == "csdl/syntax" || stage.starts_with("csdl/read") => {
            &["diagnostics", "csdl::read", "csdl::syntax"]
        }
        "model" => &["diagnostics"],
        _ if stage == "resolve" || stage.starts_with("resolve/") => {
            &["diagnostics", "naming", "csdl::syntax", "model", "resolve"]
        }
        "select" => &["diagnostics", "naming", "config", "model"],
        "csdl/write" => &["diagnostics", "naming", "config", "model", "select"],
        "format" | "shorten" => &["format", "shorten"],
        _ if stage.starts_with("api/") => &["api"],
        _ if stage.starts_with("conformance/") => &[
            "diagnostics",
            "naming",
            "config",
            "model",
            "select",
            "emit",
            "format",
            "conformance",
        ],
        _ if stage.starts_with("emit/") => {
            &["diagnostics", "naming", "config", "model", "select", "emit"]
        }
        // The composition: `lib.rs`, `cli`, the binary.
        _ => return None,
    })
}

/// The generator's modules (`src/`'s files and folders).
const GENERATOR_MODULES: &[&str] = &[
    "api",
    "cli",
    "config",
    "csdl",
    "diagnostics",
    "emit",
    "format",
    "model",
    "naming",
    "resolve",
    "select",
    "shorten",
];

/// The module a `crate::` path names: its first segment, or its first two for `csdl`.
fn named_module(path: &str) -> String {
    let mut segments = path.split("::");
    let first = segments.next().unwrap_or_default();
    match (first, segments.next()) {
        ("csdl", Some(second)) if second.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
            format!("csdl::{second}")
        }
        _ => first.to_string(),
    }
}

fn sources(folder: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn no_stage_names_a_later_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for path in &files {
        let file = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Some(allowed) = allowed(&file) else {
            continue;
        };
        checked += 1;
        let text = std::fs::read_to_string(path).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            let mut rest = code;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                let path: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let module = named_module(&path);
                let own = file.trim_end_matches(".rs").replace('/', "::");
                let own_module = named_module(&own);
                let first = own.split("::").next().unwrap_or_default();
                // Only the generator's own modules count: emitters also write paths of the
                // generated crate (`crate::models::...`) into its code and docs.
                let generator_module =
                    GENERATOR_MODULES.contains(&module.split("::").next().unwrap_or_default());
                if !generator_module
                    || module == own_module
                    || module == first
                    || allowed.contains(&module.as_str())
                {
                    continue;
                }
                wrong.push(format!(
                    "src/{file}:{}: names `crate::{path}` ({module}); this stage may use only {allowed:?}",
                    number + 1
                ));
            }
        }
    }
    assert!(checked >= 15, "only {checked} files checked");
    assert!(
        wrong.is_empty(),
        "a stage names a later one:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_a_wrong_import() {
    assert_eq!(named_module("csdl::syntax::Spanned"), "csdl::syntax");
    assert_eq!(named_module("emit::edm::rust_type"), "emit");
    let format = allowed("format.rs").unwrap();
    assert!(!format.contains(&named_module("emit::FileContent").as_str()));
    assert!(!allowed("csdl/write.rs").unwrap().contains(&"emit"));
    assert!(allowed("lib.rs").is_none());
    assert!(!allowed("resolve/types.rs").unwrap().contains(&"select"));
    assert!(!allowed("csdl/read/grammar.rs").unwrap().contains(&"model"));
}
