//! `cargo xtask codegen`: regenerate `generated/` from `metadata/`, check it, or generate a
//! standalone crate from any CSDL.

use std::path::Path;
use std::time::Instant;

use msgraph_codegen::Config;
use msgraph_codegen::cli::files::{self, Drift};
pub use msgraph_codegen::cli::{Input, Output, Project};

use crate::{Failure, config_path, generated_dir, workspace_root};

/// The command that regenerates the checked-in crate.
pub const COMMAND: &str = "cargo xtask codegen";

/// How paths are shown in messages: relative to the workspace root.
fn display(path: &Path) -> String {
    path.strip_prefix(workspace_root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Reads and parses `metadata/msgraph.toml`.
pub fn load_config() -> Result<(Input, Config), Failure> {
    msgraph_codegen::cli::load_config(&config_path(), &display)
}

/// Reads `metadata/msgraph.toml` and everything it names, for files that record `command`.
pub fn load_project(command: &str) -> Result<Project, Failure> {
    msgraph_codegen::cli::load_project(&config_path(), &display, command.to_string())
}

/// Runs the generator, rendering any diagnostics against the inputs.
pub fn generate(
    csdl: &[Input],
    config: Option<&Input>,
    options: &msgraph_codegen::GenerateOptions,
    all_warnings: bool,
) -> Result<Output, Failure> {
    msgraph_codegen::cli::generate("xtask", csdl, config, options, all_warnings)
}

/// Generates the checked-in crate in memory, its files recording `command`.
pub fn generate_project(all_warnings: bool, command: &str) -> Result<Output, Failure> {
    let project = load_project(command)?;
    generate(
        &project.csdl,
        Some(&project.config_file),
        &project.options,
        all_warnings,
    )
}

/// `cargo xtask codegen`: writes `generated/`, changed files only, recording `command` (the
/// command line as given).
pub fn run(all_warnings: bool, command: &str) -> Result<String, Failure> {
    let started = Instant::now();
    let output = generate_project(all_warnings, command)?;
    let generated_at = started.elapsed();
    // What the regeneration changes for downstream crates (after `refresh-metadata`, say).
    let api_summary = crate::api_diff::summary_for_generated(&output.files);
    let summary = files::write(&generated_dir(), &output.files)?;
    let mut text = output.warnings;
    text.push_str(&api_summary);
    for path in &summary.written {
        text.push_str(&format!("wrote generated/{path}\n"));
    }
    for path in &summary.removed {
        text.push_str(&format!("removed generated/{path}\n"));
    }
    text.push_str(&format!(
        "generated/: {} files ({} written, {} removed, {} unchanged); generated in {:.0?}, total {:.0?}\n",
        output.files.len(),
        summary.written.len(),
        summary.removed.len(),
        summary.unchanged,
        generated_at,
        started.elapsed()
    ));
    Ok(text)
}

/// Compares `generated/` with a fresh generation.
pub fn check() -> Result<Drift, Failure> {
    check_against(&generated_dir())
}

/// Compares a folder with a fresh generation of the checked-in crate, as `cargo xtask codegen`
/// writes it.
pub fn check_against(folder: &Path) -> Result<Drift, Failure> {
    let output = generate_project(false, COMMAND)?;
    files::compare(folder, &output.files)
}

/// Describes drift with the command that fixes it.
pub fn describe_drift(drift: &Drift) -> String {
    let mut text = String::new();
    for path in &drift.stale {
        text.push_str(&format!(
            "stale:   generated/{path} differs from what the generator makes\n"
        ));
    }
    for path in &drift.missing {
        text.push_str(&format!(
            "missing: generated/{path} is generated but not on disk\n"
        ));
    }
    for path in &drift.extra {
        text.push_str(&format!(
            "extra:   generated/{path} is on disk but not generated\n"
        ));
    }
    text.push_str(&format!(
        "error: generated/ is out of date ({} stale, {} missing, {} extra); run `{COMMAND}` and commit the result\n",
        drift.stale.len(),
        drift.missing.len(),
        drift.extra.len()
    ));
    text
}
