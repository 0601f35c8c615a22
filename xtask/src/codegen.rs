//! `cargo xtask codegen`: regenerate `generated/` from `metadata/`, check it, or generate a
//! standalone crate from any CSDL.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use msgraph_codegen::{Config, ExtraFile, GenerateOptions, SliceOrigin, SliceSpec};

use crate::files::{self, Drift};
use crate::report::{self, Sources};
use crate::{Failure, config_path, generated_dir, metadata_dir, workspace_root};

/// The command that regenerates the checked-in crate.
pub const COMMAND: &str = "cargo xtask codegen";

/// A file read for a run, with the path shown in messages.
pub struct Input {
    /// The path as shown to the user.
    pub display: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl Input {
    /// Reads a file; an unreadable file is reported as `FILE:1:1: error: ...`.
    pub fn read(path: &Path, display: String) -> Result<Input, Failure> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(Input { display, bytes }),
            Err(error) => Err(Failure(format!(
                "{display}:1:1: error: cannot read the file: {error}"
            ))),
        }
    }

    /// The text, for rendering diagnostics (invalid UTF-8 shown lossily).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// The checked-in crate's inputs: the config and what it names.
pub struct Project {
    /// The config file.
    pub config_file: Input,
    /// The parsed config.
    pub config: Config,
    /// The CSDL slice.
    pub csdl: Input,
    /// The options for the generator.
    pub options: GenerateOptions,
}

fn display(path: &Path) -> String {
    path.strip_prefix(workspace_root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Reads and parses `metadata/msgraph.toml`.
pub fn load_config() -> Result<(Input, Config), Failure> {
    let config_file = Input::read(&config_path(), display(&config_path()))?;
    let config_text = config_file.text();
    let config = Config::parse(&config_text)
        .map_err(|d| Failure(d.render(&config_file.display, &config_text)))?;
    Ok((config_file, config))
}

/// Reads `metadata/msgraph.toml` and everything it names.
pub fn load_project() -> Result<Project, Failure> {
    let (config_file, config) = load_config()?;
    let csdl_path = metadata_dir().join(&config.csdl);
    let csdl = Input::read(&csdl_path, display(&csdl_path))?;
    let mut extra_files = BTreeMap::new();
    for (destination, source) in &config.extra_files {
        let path = metadata_dir().join(source);
        let input = Input::read(&path, display(&path))?;
        let contents = String::from_utf8(input.bytes).map_err(|_| {
            Failure(format!(
                "{}:1:1: error: the file is not valid UTF-8",
                input.display
            ))
        })?;
        extra_files.insert(
            destination.clone(),
            ExtraFile {
                source: input.display,
                contents,
            },
        );
    }
    let options = GenerateOptions {
        crate_name: config.crate_name.clone(),
        crate_version: config.crate_version.clone(),
        description: config.description.clone(),
        slice: config.slice.clone(),
        slice_origin: SliceOrigin::Config,
        standalone: false,
        command: COMMAND.to_string(),
        readme_doctest: config.readme_doctest.clone(),
        extra_files,
        descriptions: config.descriptions.clone(),
        names: config.names.clone(),
        runtime_dir: None,
        package: config.package.clone(),
    };
    Ok(Project {
        config_file,
        config,
        csdl,
        options,
    })
}

/// Output of a generation: the files and what to print.
pub struct Output {
    /// The crate's files.
    pub files: BTreeMap<String, String>,
    /// Warnings, rendered.
    pub warnings: String,
}

/// Runs the generator, rendering any diagnostics against the inputs.
pub fn generate(
    csdl: &Input,
    config: Option<&Input>,
    options: &GenerateOptions,
    all_warnings: bool,
) -> Result<Output, Failure> {
    let csdl_text = csdl.text();
    let config_text = config.map(Input::text);
    let sources = Sources {
        csdl: (&csdl.display, &csdl_text),
        config: config
            .zip(config_text.as_deref())
            .map(|(c, t)| (c.display.as_str(), t)),
    };
    match msgraph_codegen::generate(&csdl.bytes, options) {
        Ok(generated) => Ok(Output {
            files: generated.files,
            warnings: report::summarize_warnings(&generated.warnings, &sources, all_warnings),
        }),
        Err(diagnostics) => {
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            let mut text = report::render_all(&diagnostics, &sources);
            text.push_str(&format!(
                "error: {errors} error(s) in the input; nothing was generated\n"
            ));
            Err(Failure(text))
        }
    }
}

/// Generates the checked-in crate in memory.
pub fn generate_project(all_warnings: bool) -> Result<Output, Failure> {
    let project = load_project()?;
    generate(
        &project.csdl,
        Some(&project.config_file),
        &project.options,
        all_warnings,
    )
}

/// `cargo xtask codegen`: writes `generated/`, changed files only.
pub fn run(all_warnings: bool) -> Result<String, Failure> {
    let started = Instant::now();
    let output = generate_project(all_warnings)?;
    let generated_at = started.elapsed();
    let summary = files::write(&generated_dir(), &output.files)?;
    let mut text = output.warnings;
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

/// Compares a folder with a fresh generation of the checked-in crate.
pub fn check_against(folder: &Path) -> Result<Drift, Failure> {
    let output = generate_project(false)?;
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

/// `cargo xtask codegen --csdl FILE --out DIR (--all | --root NAME...)`.
pub fn run_standalone(
    csdl: &Path,
    out: &Path,
    slice: SliceSpec,
    name: Option<String>,
    all_warnings: bool,
) -> Result<String, Failure> {
    let started = Instant::now();
    let input = Input::read(csdl, csdl.to_string_lossy().into_owned())?;
    let mut command = format!(
        "{COMMAND} --csdl {} --out {}",
        csdl.display(),
        out.display()
    );
    if slice.all {
        command.push_str(" --all");
    }
    for root in &slice.roots {
        command.push_str(&format!(" --root {}", root.value));
    }
    let mut options = GenerateOptions::standalone(slice, command);
    if let Some(name) = name {
        options.crate_name = name;
    }
    guard_output_folder(out)?;
    let output = generate(&input, None, &options, all_warnings)?;
    let generated_at = started.elapsed();
    let summary = files::write(out, &output.files)?;
    let lines: usize = output.files.values().map(|t| t.lines().count()).sum();
    let features = output
        .files
        .get("Cargo.toml")
        .map(|manifest| feature_count(manifest))
        .filter(|&count| count > 0)
        .map(|count| {
            let over = if count > CRATES_IO_FEATURES {
                format!(" (over crates.io's limit of {CRATES_IO_FEATURES})")
            } else {
                String::new()
            };
            format!(", {count} features per area{over}")
        })
        .unwrap_or_default();
    Ok(format!(
        "{}{}: {} files, {} lines{features} ({} written, {} removed, {} unchanged); generated in {:.0?}, total {:.0?}\n",
        output.warnings,
        out.display(),
        output.files.len(),
        lines,
        summary.written.len(),
        summary.removed.len(),
        summary.unchanged,
        generated_at,
        started.elapsed()
    ))
}

/// The most features crates.io accepts in one crate.
pub(crate) const CRATES_IO_FEATURES: usize = 300;

/// How many features per area (areas, their groups and `full`) a generated `Cargo.toml`
/// declares: the features below the areas marker.
pub(crate) fn feature_count(manifest: &str) -> usize {
    features_per_area(manifest).count()
}

/// The names of the features per area that a generated `Cargo.toml` declares, in order.
pub(crate) fn features_per_area(manifest: &str) -> impl Iterator<Item = &str> {
    manifest
        .lines()
        .skip_while(|line| !line.starts_with("# ---- Areas:"))
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once(" = ["))
        .map(|(name, _)| name.trim())
}

/// Refuses to write into a non-empty folder that does not hold a generated crate, so a typo in
/// `--out` cannot delete someone's files.
fn guard_output_folder(out: &Path) -> Result<(), Failure> {
    let manifest: PathBuf = out.join("Cargo.toml");
    let existing = files::list_files(out)?;
    if existing.is_empty() {
        return Ok(());
    }
    let generated =
        std::fs::read_to_string(&manifest).is_ok_and(|text| text.starts_with("# @generated by"));
    if generated {
        Ok(())
    } else {
        Err(Failure(format!(
            "{}:1:1: error: the output folder is not empty and does not hold a generated crate; choose an empty folder",
            out.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::feature_count;

    #[test]
    fn features_per_area_are_counted_below_the_marker() {
        let manifest = "[features]\ntransport = [\"dep:x\"]\ndefault = []\n\n\
                        # ---- Areas: generated ----\n# An area ...\nfull = [\"a\", \"b\"]\n\
                        # `/a`\na = [\"_g1\"]\n# `/b`\nb = [\"_g1\"]\n# Groups\n_g1 = []\n";
        assert_eq!(feature_count(manifest), 4);
        assert_eq!(feature_count("[features]\ntransport = []\n"), 0);
    }
}
