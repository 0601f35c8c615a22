//! Finds the data in `../shared` for tools, tests and benches: the real Graph CSDL files
//! (`graph-metadata`) and the documented request/response examples (`graph-docs-examples`).
//!
//! Each folder is its environment variable when set (`$GRAPH_METADATA_DIR`,
//! `$GRAPH_DOCS_EXAMPLES_DIR`), else the folder of that name in the `shared` folder beside the
//! workspace. Tests that need the metadata call [`require`]: when it is missing they fail under
//! `CI=true` and print a skip notice otherwise.

use std::path::PathBuf;

/// The environment variable that overrides where the metadata is.
pub const ENV_VAR: &str = "GRAPH_METADATA_DIR";

/// The environment variable that overrides where the documented examples are.
pub const EXAMPLES_ENV_VAR: &str = "GRAPH_DOCS_EXAMPLES_DIR";

/// The examples' file in their folder.
pub const EXAMPLES_FILE: &str = "v1.0-examples-2021.jsonl";

/// A folder of `../shared`: `$env_var` when set, else `name` in the `shared` folder beside the
/// workspace; `None` when it does not exist.
fn shared_folder(env_var: &str, name: &str) -> Option<PathBuf> {
    // An empty value counts as unset, as in the shell's `${GRAPH_METADATA_DIR:-...}`.
    let candidate = match std::env::var_os(env_var).filter(|dir| !dir.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => crate::workspace_root().join("../shared").join(name),
    };
    candidate.is_dir().then_some(candidate)
}

/// The metadata folder, if it exists.
pub fn dir() -> Option<PathBuf> {
    shared_folder(ENV_VAR, "graph-metadata")
}

/// The documented examples (`graph-docs-examples/v1.0-examples-2021.jsonl`), if they exist.
pub fn examples_file() -> Option<PathBuf> {
    shared_folder(EXAMPLES_ENV_VAR, "graph-docs-examples")
        .map(|dir| dir.join(EXAMPLES_FILE))
        .filter(|path| path.is_file())
}

/// A file below the metadata folder, such as `v1.0/clean.xml`, if it exists.
pub fn file(relative: &str) -> Option<PathBuf> {
    dir()
        .map(|dir| dir.join(relative))
        .filter(|path| path.is_file())
}

/// For tests: the file, or `None` after a skip notice. Under `CI=true` a missing file is a
/// failure, because CI always has the metadata.
pub fn require(relative: &str, test: &str) -> Option<PathBuf> {
    if let Some(path) = file(relative) {
        return Some(path);
    }
    let message = format!(
        "{test}: the Graph metadata file `{relative}` was not found (looked in ${ENV_VAR}, then ../shared/graph-metadata beside the workspace)"
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}; CI must have it");
    }
    eprintln!("SKIPPED {message}");
    None
}

/// Every `.xml` file below the metadata folder, sorted.
pub fn all_files() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Some(dir) = dir() else { return found };
    let mut pending = vec![dir];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "xml") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}
