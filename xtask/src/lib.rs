//! The maintainers' commands behind `cargo xtask`. With the generator's `cli` module (which the
//! `msgraph-codegen` binary uses too), the only code in the workspace that reads or writes
//! files; the rest of the generator is pure.

pub mod api_diff;
pub mod bench;
pub mod cli;
pub mod codegen;
pub mod conformance;
pub mod graph_metadata;
pub mod refresh;

pub use msgraph_codegen::cli::{Failure, files, report};

/// The environment variable through which the benchmark, which re-runs itself in a release
/// build, passes on the command line the user gave, to be recorded in the files the re-run
/// generates (read only in that re-run, `bench::IN_RELEASE_VAR` set).
pub const INVOCATION_VAR: &str = "XTASK_INVOCATION";

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
