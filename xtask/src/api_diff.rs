//! `cargo xtask api-diff`: generates a crate from two CSDL files with the same options (in
//! memory) and compares what the two expose (`msgraph_codegen::api`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use msgraph_codegen::SliceSpec;
use msgraph_codegen::api::{self, Change, Surface};
use msgraph_codegen::cli::documents::read_documents;
use msgraph_codegen::cli::{Input, Source};

use crate::{Failure, codegen, generated_dir};

/// What `cargo xtask api-diff` compares, and how it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The older CSDL.
    pub from: PathBuf,
    /// The newer CSDL.
    pub to: PathBuf,
    /// The slice: `--all`, `--root`s, `--path`s; none means the project's config.
    pub slice: SliceSpec,
    /// A config file to take the slice and options from instead.
    pub config: Option<PathBuf>,
    /// Print JSON instead of text.
    pub json: bool,
    /// Print the counts per area and the breaking changes only.
    pub summary: bool,
    /// Write the new crate and a probe crate (old-API code, see `api::probe`) into this folder.
    pub probe: Option<PathBuf>,
}

/// What the command found: the text to print, and whether anything breaks.
pub struct Outcome {
    /// The report.
    pub text: String,
    /// Whether a change is breaking (the command then exits with 2).
    pub breaking: bool,
}

/// Runs `cargo xtask api-diff`.
/// `command` (the command line as given) is recorded in the files it generates.
pub fn run(options: &Options, command: &str) -> Result<Outcome, Failure> {
    let old = surface_of(&generate(options, &options.from, command)?)?;
    let new_files = generate(options, &options.to, command)?;
    let new = surface_of(&new_files)?;
    let changes = api::diff(&old, &new);
    let breaking = changes.iter().any(|change| change.breaking);
    let mut probe_note = String::new();
    if let Some(folder) = &options.probe {
        let probe = write_probe(folder, &old, &new, &changes, &new_files, command)?;
        probe_note = format!(
            "probe: {} uses of the old API ({} generic methods left out) in {}; `cargo check` it \
             against the new crate\n",
            probe.uses,
            probe.skipped,
            folder.join("probe").display()
        );
    }
    let text = if options.json {
        api::to_json(&changes) + "\n"
    } else {
        format!(
            "API diff of {} against {}\n{}",
            options.to.display(),
            options.from.display(),
            api::render(&changes, options.summary)
        ) + &probe_note
    };
    Ok(Outcome { text, breaking })
}

/// Writes the new crate to `folder/new` and the probe to `folder/probe`; returns how many
/// uses of the old API the probe holds.
fn write_probe(
    folder: &Path,
    old: &Surface,
    new: &Surface,
    changes: &[Change],
    new_files: &BTreeMap<String, String>,
    command: &str,
) -> Result<api::Probe, Failure> {
    let package = new_files
        .get("Cargo.toml")
        .and_then(|manifest| manifest.parse::<toml::Table>().ok())
        .and_then(|manifest| Some(manifest.get("package")?.get("name")?.as_str()?.to_string()))
        .ok_or_else(|| Failure("error: the new crate has no package name\n".to_string()))?;
    let krate = package.replace('-', "_");
    msgraph_codegen::cli::files::write(&folder.join("new"), new_files)?;
    let probe = api::probe(old, changes, &krate);
    // Every area and the typed query constants: the probe checks types and signatures.
    let features: Vec<String> = ["full", "query"]
        .into_iter()
        .filter(|feature| new.features.contains_key(*feature))
        .map(|feature| format!("\"{feature}\""))
        .collect();
    let features = format!(", features = [{}]", features.join(", "));
    let manifest = format!(
        "[package]\nname = \"api-probe\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\n{} = {{ package = \"{}\", path = \"../new\"{features} }}\nserde_json = \"1\"\n\n[workspace]\n",
        krate, package,
    );
    let write = |path: PathBuf, text: &str| {
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|e| Failure(format!("error: writing {}: {e}\n", path.display())))
    };
    let probe_folder = folder.join("probe");
    let header = |path: &str| msgraph_codegen::format::header(path, command);
    write(
        probe_folder.join("Cargo.toml"),
        &(header("Cargo.toml") + &manifest),
    )?;
    write(
        probe_folder.join("src/lib.rs"),
        &(header("src/lib.rs") + &probe.source),
    )?;
    Ok(probe)
}

/// The crate's files generated from `csdl` with the options the slice flags, the config file or
/// (with neither) the project's `metadata/msgraph.toml` give.
fn generate(
    options: &Options,
    csdl: &Path,
    command: &str,
) -> Result<BTreeMap<String, String>, Failure> {
    let command = command.to_string();
    let (input, config, generate_options) = if options.slice.is_given() {
        Source::from_flags(
            Some(csdl.to_path_buf()),
            None,
            options.slice.clone(),
            Vec::new(),
            None,
        )
        .map_err(|e| Failure(format!("error: {e}\n")))?
        .load(command)?
    } else {
        // The project's (or the given) config, with the CSDL compared in place of the one it names.
        let config_path = options.config.clone().unwrap_or_else(crate::config_path);
        let shown = |path: &Path| path.to_string_lossy().into_owned();
        let project = msgraph_codegen::cli::load_project(&config_path, &shown, command)?;
        // The compared CSDL's references are read beside it, remote ones mapped as the config
        // maps them.
        let folder = config_path.parent().unwrap_or(Path::new("."));
        let mappings = project.config.reference_files(folder);
        let input = read_documents(Input::read(csdl, shown(csdl))?, &mappings, &shown)?;
        (input, Some(project.config_file), project.options)
    };
    Ok(codegen::generate(&input, config.as_ref(), &generate_options, false)?.files)
}

/// The public API of generated files.
pub fn surface_of(files: &BTreeMap<String, String>) -> Result<Surface, Failure> {
    Surface::read(
        files
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str())),
    )
    .map_err(|e| Failure(format!("error: reading the generated API: {e}\n")))
}

/// What a regeneration changes in the API of the crate in `generated/`, as the summary that
/// `cargo xtask codegen` prints before it writes `files` (a fresh generation): nothing when the
/// API is the same or `generated/` holds no crate, a warning when the crate there does not
/// parse (the regeneration repairs it).
pub fn summary_for_generated(files: &BTreeMap<String, String>) -> String {
    let folder = generated_dir();
    let mut on_disk = BTreeMap::new();
    if let Ok(manifest) = std::fs::read_to_string(folder.join("Cargo.toml")) {
        on_disk.insert("Cargo.toml".to_string(), manifest);
    }
    for sub in ["src/models", "src/requests"] {
        collect_rust_files(&folder, &folder.join(sub), &mut on_disk);
    }
    if on_disk.is_empty() {
        return String::new();
    }
    let (old, new) = match (surface_of(&on_disk), surface_of(files)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(Failure(message)), _) | (_, Err(Failure(message))) => {
            return format!(
                "warning: no API summary: {}",
                message.trim_start_matches("error: ")
            );
        }
    };
    let changes = api::diff(&old, &new);
    if changes.is_empty() {
        String::new()
    } else {
        api::render(&changes, true)
    }
}

fn collect_rust_files(root: &Path, folder: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_rust_files(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let Ok(relative) = path.strip_prefix(root) else {
                continue;
            };
            let relative = relative.to_string_lossy().replace('\\', "/");
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.insert(relative, text);
            }
        }
    }
}
