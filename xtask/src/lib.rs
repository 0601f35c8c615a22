//! The maintainers' commands behind `cargo xtask`. This is the only code in the workspace that
//! reads or writes files; the generator itself is pure.

pub mod bench;
pub mod cli;
pub mod codegen;
pub mod files;
pub mod graph_metadata;
pub mod refresh;
pub mod report;

use std::path::{Path, PathBuf};

/// The workspace root (the folder that holds `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// The folder with the generation config and the CSDL slice.
pub fn metadata_dir() -> PathBuf {
    workspace_root().join("metadata")
}

/// The checked-in generated crate.
pub fn generated_dir() -> PathBuf {
    workspace_root().join("generated")
}

/// The generation config.
pub fn config_path() -> PathBuf {
    metadata_dir().join("msgraph.toml")
}

/// A failed command: what to print on stderr, then exit 1.
#[derive(Debug)]
pub struct Failure(pub String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}
