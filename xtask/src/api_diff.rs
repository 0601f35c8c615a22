//! `cargo xtask api-diff`: generates a crate from two CSDL files with the same options (in
//! memory) and compares what the two expose (`msgraph_codegen::api`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use msgraph_codegen::api::{self, Change, Surface};
use msgraph_codegen::cli::{Input, Source};
use msgraph_codegen::{GenerateOptions, SliceSpec};

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
pub fn run(options: &Options) -> Result<Outcome, Failure> {
    let old = surface_of(&generate(options, &options.from)?)?;
    let new_files = generate(options, &options.to)?;
    let new = surface_of(&new_files)?;
    let changes = api::diff(&old, &new);
    let breaking = changes.iter().any(|change| change.breaking);
    let mut probe_note = String::new();
    if let Some(folder) = &options.probe {
        let uses = write_probe(folder, &old, &new, &changes, &new_files)?;
        probe_note = format!(
            "probe: {uses} uses of the old API in {}; `cargo check` it against the new crate\n",
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
            api::render(&changes, &new, options.summary)
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
) -> Result<usize, Failure> {
    let krate = new_files
        .get("Cargo.toml")
        .and_then(|manifest| manifest.parse::<toml::Table>().ok())
        .and_then(|manifest| {
            manifest
                .get("package")?
                .get("name")?
                .as_str()
                .map(|name| name.replace('-', "_"))
        })
        .ok_or_else(|| Failure("error: the new crate has no package name\n".to_string()))?;
    msgraph_codegen::cli::files::write(&folder.join("new"), new_files)?;
    let (source, uses) = api::probe(old, changes, &krate);
    let features = if new.features.contains_key("full") {
        r#", features = ["full"]"#
    } else {
        ""
    };
    let manifest = format!(
        "[package]\nname = \"api-probe\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\n{} = {{ package = \"{}\", path = \"../new\"{features} }}\nserde_json = \"1\"\n\n[workspace]\n",
        krate,
        krate.replace('_', "-"),
    );
    let probe = folder.join("probe");
    let write = |path: PathBuf, text: &str| {
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|e| Failure(format!("error: writing {}: {e}\n", path.display())))
    };
    write(probe.join("Cargo.toml"), &manifest)?;
    write(probe.join("src/lib.rs"), &source)?;
    Ok(uses)
}

/// The crate's files generated from `csdl` with the options the flags (or the config) give.
fn generate(options: &Options, csdl: &Path) -> Result<BTreeMap<String, String>, Failure> {
    let shown = |path: &Path| path.to_string_lossy().into_owned();
    let input = Input::read(csdl, shown(csdl))?;
    let command = format!("cargo xtask api-diff (from {})", shown(csdl));
    let some_of_a_slice =
        options.slice.all || !options.slice.roots.is_empty() || !options.slice.paths.is_empty();
    let (config, generate_options) = if some_of_a_slice {
        let source =
            Source::from_flags(Some(csdl.to_path_buf()), None, options.slice.clone(), None)
                .map_err(|e| Failure(format!("error: {e}\n")))?;
        let Source::Csdl { slice, .. } = source else {
            unreachable!("a CSDL source from --csdl");
        };
        (None, GenerateOptions::standalone(slice, command))
    } else {
        let config_path = options.config.clone().unwrap_or_else(crate::config_path);
        let project = msgraph_codegen::cli::load_project(&config_path, &shown, command)?;
        (Some(project.config_file), project.options)
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

/// The API changes between the crate in `generated/` and `files` (a fresh generation), for
/// `cargo xtask codegen` to print before it writes: empty when `generated/` holds no crate.
pub fn changes_in_generated(files: &BTreeMap<String, String>) -> Result<Vec<Change>, Failure> {
    let folder = generated_dir();
    let mut on_disk = BTreeMap::new();
    if let Ok(manifest) = std::fs::read_to_string(folder.join("Cargo.toml")) {
        on_disk.insert("Cargo.toml".to_string(), manifest);
    }
    for sub in ["src/models", "src/requests"] {
        collect_rust_files(&folder, &folder.join(sub), &mut on_disk);
    }
    if on_disk.is_empty() {
        return Ok(Vec::new());
    }
    Ok(api::diff(&surface_of(&on_disk)?, &surface_of(files)?))
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
