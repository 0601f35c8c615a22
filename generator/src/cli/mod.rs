//! The command-line side of the generator (feature `cli`, on by default): reading the inputs,
//! rendering diagnostics as `FILE:LINE:COL: error: message`, writing a crate into a folder, and
//! the `msgraph-codegen` binary's arguments. The rest of the library is pure (bytes in, files
//! as strings out); this module, and `cargo xtask` through it, are what touch the disk.

pub mod args;
pub mod documents;
pub mod files;
pub mod report;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::{Config, ExtraFile, GenerateOptions, SliceSpec};
use report::Sources;

/// A failed command: what to print on stderr, then exit 1.
#[derive(Debug)]
pub struct Failure(pub String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

/// A file read for a run, with the path shown in messages.
pub struct Input {
    /// The path it was read from.
    pub path: PathBuf,
    /// The path as shown to the user.
    pub display: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl Input {
    /// Reads a file; an unreadable file is reported as `FILE:1:1: error: ...`.
    pub fn read(path: &Path, display: String) -> Result<Input, Failure> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(Input {
                path: path.to_path_buf(),
                display,
                bytes,
            }),
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

/// A crate's inputs from a config file: the config and what it names.
pub struct Project {
    /// The config file.
    pub config_file: Input,
    /// The parsed config.
    pub config: Config,
    /// The CSDL it names, then the documents that one references (see [`documents`]).
    pub csdl: Vec<Input>,
    /// The options for the generator.
    pub options: GenerateOptions,
}

/// Reads and parses a config file (`msgraph.toml`); `display` is how paths are shown.
pub fn load_config(
    path: &Path,
    display: &dyn Fn(&Path) -> String,
) -> Result<(Input, Config), Failure> {
    let config_file = Input::read(path, display(path))?;
    let config_text = config_file.text();
    let config = Config::parse(&config_text)
        .map_err(|d| Failure(d.render(&config_file.display, &config_text)))?;
    Ok((config_file, config))
}

/// Reads a config file and everything it names (paths relative to its folder); `command` is
/// the command recorded in the generated files.
pub fn load_project(
    path: &Path,
    display: &dyn Fn(&Path) -> String,
    command: String,
) -> Result<Project, Failure> {
    let (config_file, config) = load_config(path, display)?;
    let folder = path.parent().unwrap_or(Path::new("."));
    let csdl_path = folder.join(&config.csdl);
    let csdl = documents::read_documents(
        Input::read(&csdl_path, display(&csdl_path))?,
        &config.reference_files(folder),
        display,
    )?;
    let mut extra_files = BTreeMap::new();
    for (destination, source) in &config.extra_files {
        let path = folder.join(source);
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
    let options = GenerateOptions::from_config(&config, extra_files, command);
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

/// Runs the generator, rendering any diagnostics against the inputs; `program` names the
/// command in messages about its own arguments. `csdl` is the service's main document, then
/// the documents it references ([`documents::read_documents`]).
pub fn generate(
    program: &str,
    csdl: &[Input],
    config: Option<&Input>,
    options: &GenerateOptions,
    all_warnings: bool,
) -> Result<Output, Failure> {
    let texts: Vec<String> = csdl.iter().map(Input::text).collect();
    let config_text = config.map(Input::text);
    let sources = Sources::new(program, csdl, &texts, config.zip(config_text.as_deref()));
    let bytes: Vec<&[u8]> = csdl.iter().map(|input| input.bytes.as_slice()).collect();
    match crate::generate_documents(&bytes, options) {
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

/// What to generate into a folder: a crate from a CSDL file and a slice given on the command
/// line, or from a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A CSDL file and what of it to generate.
    Csdl {
        /// The CSDL file.
        csdl: PathBuf,
        /// Files for the URIs of documents it references (`--reference URI=FILE`).
        references: Vec<(String, PathBuf)>,
        /// The slice: `--all`, `--root`s, `--path`s.
        slice: SliceSpec,
        /// The crate's name, if not `msgraph`.
        name: Option<String>,
    },
    /// A config file (the format of `metadata/msgraph.toml`), whose paths are relative to it.
    Config(PathBuf),
}

impl Source {
    /// The source that `--csdl`, `--config`, the slice flags (`--all`, `--root`, `--path`),
    /// `--reference` and `--name` ask for, or what is wrong with them. `--all` gives a feature
    /// per area.
    pub fn from_flags(
        csdl: Option<PathBuf>,
        config: Option<PathBuf>,
        mut slice: SliceSpec,
        references: Vec<(String, PathBuf)>,
        name: Option<String>,
    ) -> Result<Source, &'static str> {
        let some_of_a_slice = !(slice.roots.is_empty() && slice.paths.is_empty());
        match (csdl, config) {
            (Some(csdl), None) => {
                if slice.all == some_of_a_slice {
                    return Err("give either `--all`, or one or more `--root` or `--path`");
                }
                slice.areas = slice.all;
                Ok(Source::Csdl {
                    csdl,
                    references,
                    slice,
                    name,
                })
            }
            (None, Some(config)) => {
                if slice.is_given() || name.is_some() || !references.is_empty() {
                    return Err(
                        "`--config` names the slice, the crate and the references; `--all`, \
                         `--root`, `--path`, `--reference` and `--name` go with `--csdl`",
                    );
                }
                Ok(Source::Config(config))
            }
            (Some(_), Some(_)) => Err("give `--csdl` or `--config`, not both"),
            (None, None) => Err("give `--csdl FILE` or `--config FILE`"),
        }
    }
}

impl Source {
    /// Reads what the source names: the CSDL, the config file (for a config source), and the
    /// options of a standalone crate whose files record `command`.
    pub fn load(
        &self,
        command: String,
    ) -> Result<(Vec<Input>, Option<Input>, GenerateOptions), Failure> {
        let shown = |path: &Path| path.to_string_lossy().into_owned();
        match self {
            Source::Csdl {
                csdl,
                references,
                slice,
                name,
            } => {
                let main = Input::read(csdl, shown(csdl))?;
                let input = documents::read_documents(main, references, &shown)?;
                let mut options = GenerateOptions::standalone(slice.clone(), command);
                if let Some(name) = name {
                    options.crate_name = name.clone();
                }
                Ok((input, None, options))
            }
            Source::Config(path) => {
                let mut project = load_project(path, &shown, command)?;
                project.options.standalone = true;
                Ok((project.csdl, Some(project.config_file), project.options))
            }
        }
    }
}

/// A standalone crate to generate: what from, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standalone {
    /// What to generate.
    pub source: Source,
    /// The output folder.
    pub out: PathBuf,
    /// List every warning, not just the first few.
    pub all_warnings: bool,
}

impl Standalone {
    /// Generates the crate into its folder (only what changed; files the generator no longer
    /// makes are removed) and says what it did.
    /// `command` is recorded in every file: the command line that runs this (see
    /// [`invocation`]).
    pub fn run(&self, program: &str, command: &str) -> Result<String, Failure> {
        let started = Instant::now();
        let (csdl, config, options) = self.source.load(command.to_string())?;
        guard_output_folder(&self.out)?;
        let output = generate(program, &csdl, config.as_ref(), &options, self.all_warnings)?;
        let generated_at = started.elapsed();
        let summary = files::write(&self.out, &output.files)?;
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
            self.out.display(),
            output.files.len(),
            lines,
            summary.written.len(),
            summary.removed.len(),
            summary.unchanged,
            generated_at,
            started.elapsed()
        ))
    }
}

/// A `--reference URI=FILE` value: the URI and the file (split at the last `=`, since a URI may
/// hold one and a file name rarely does).
pub fn parse_reference(value: &str) -> Result<(String, PathBuf), String> {
    match value.rsplit_once('=') {
        Some((uri, file)) if !uri.is_empty() && !file.is_empty() => {
            Ok((uri.to_string(), PathBuf::from(file)))
        }
        _ => Err(format!(
            "`--reference {value}`: give the referenced URI and a local file as URI=FILE"
        )),
    }
}

/// `word` as one shell word: as is when it has no character a shell reads specially, else in
/// single quotes.
/// The command line as it was given, for the header of every file it generates: `program` (how
/// it is run, such as `cargo xtask` or `msgraph-codegen`) and each argument in order, quoted for
/// a POSIX shell where needed, so that pasting it into a shell makes the same files. The two
/// flags that change nothing written are left out, so the files do not depend on them:
/// `--check` (it compares a folder with what the command without it writes) and `--warnings`
/// (it lists every warning on the terminal).
pub fn invocation(program: &str, args: &[String]) -> String {
    let mut command = program.to_string();
    let writes_nothing = |arg: &&String| matches!(arg.as_str(), "--check" | "--warnings");
    for arg in args.iter().filter(|arg| !writes_nothing(arg)) {
        command.push(' ');
        command.push_str(&shell_word(arg));
    }
    command
}

fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,{}".contains(&b));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The most features crates.io accepts in one crate.
pub const CRATES_IO_FEATURES: usize = 300;

/// How many features per area (areas, their groups and `full`) a generated `Cargo.toml`
/// declares: the features below the areas marker.
pub fn feature_count(manifest: &str) -> usize {
    features_per_area(manifest).count()
}

/// The names of the features per area that a generated `Cargo.toml` declares, in order.
pub fn features_per_area(manifest: &str) -> impl Iterator<Item = &str> {
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
    use super::*;

    #[test]
    fn features_per_area_are_counted_below_the_marker() {
        let manifest = "[features]\ntransport = [\"dep:x\"]\ndefault = []\n\n\
                        # ---- Areas: generated ----\n# An area ...\nfull = [\"a\", \"b\"]\n\
                        # `/a`\na = [\"_g1\"]\n# `/b`\nb = [\"_g1\"]\n# Groups\n_g1 = []\n";
        assert_eq!(feature_count(manifest), 4);
        assert_eq!(feature_count("[features]\ntransport = []\n"), 0);
    }

    #[test]
    fn the_recorded_command_is_the_command_line_as_given() {
        let args: Vec<String> = [
            "--out",
            "out",
            "--csdl",
            "my metadata.xml",
            "--reference",
            "https://example.com/Products.xml=products.xml",
            "--root",
            "ns.a",
            "--path",
            "/items/{id}",
            "--name",
            "my-crate",
            "--warnings",
            "it's",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(
            invocation("msgraph-codegen", &args),
            "msgraph-codegen --out out --csdl 'my metadata.xml' \
             --reference https://example.com/Products.xml=products.xml --root ns.a \
             --path /items/{id} --name my-crate 'it'\\''s'"
        );
        // `--check` compares with what the command without it writes.
        let check = ["codegen", "--check"].map(String::from);
        assert_eq!(invocation("cargo xtask", &check), "cargo xtask codegen");
    }
}
