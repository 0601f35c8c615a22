//! Data-driven tests: every folder in `tests/fixtures/` is one CSDL document and one config, and
//! the exact output the generator must give for them.
//!
//! A fixture folder holds:
//!
//! - `config.toml`: a complete generation config (`[input]`, `[crate]`, `[slice]`), parsed with
//!   [`Config::parse`]. Its `[input] csdl` names the CSDL file (`input.csdl.xml`), and its
//!   `[crate]` name must be `fixture-<folder>` with version `0.0.0`.
//! - the CSDL document the config names, and any local documents it references
//!   (`edmx:Reference`), followed as `msgraph-codegen` follows them.
//! - either `expected/`, the complete generated crate (a success fixture; the golden crates are
//!   workspace members, so `cargo test --workspace` builds them and runs their generated tests),
//!   or `expected.err`, every diagnostic rendered as `FILE:LINE:COL: error: ...` (an error
//!   fixture).
//! - `expected.warnings`, only when a success fixture produces warnings.
//!
//! To add a fixture or accept a change in the output, run
//!
//! ```sh
//! UPDATE_EXPECT=1 cargo test -p msgraph-codegen --test fixtures
//! ```
//!
//! which rewrites the expected files (deleting stale ones), then review the diff.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use msgraph_codegen::cli::Input;
use msgraph_codegen::cli::documents::read_documents;
use msgraph_codegen::diagnostics::SourceMap;
use msgraph_codegen::{Config, Diagnostic, GenerateOptions, SourceKind};

const UPDATE_COMMAND: &str = "UPDATE_EXPECT=1 cargo test -p msgraph-codegen --test fixtures";
const CONFIG_FILE: &str = "config.toml";
const EXPECTED_CRATE: &str = "expected";
const EXPECTED_ERRORS: &str = "expected.err";
const EXPECTED_WARNINGS: &str = "expected.warnings";

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn update_mode() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some_and(|value| !value.is_empty() && value != "0")
}

/// Every fixture folder, by name, in name order.
fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixtures_dir())
        .expect("tests/fixtures exists")
        .map(|entry| entry.expect("a readable directory entry"))
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no fixtures in {:?}", fixtures_dir());
    names
}

/// One fixture's inputs.
struct Fixture {
    name: String,
    dir: PathBuf,
    config_text: String,
    csdl_file: String,
    csdl: Vec<u8>,
    /// The documents the CSDL references, by path shown relative to the fixture (read as
    /// `msgraph-codegen` reads them), or the rendered errors of following its references.
    referenced: Result<Vec<(String, Vec<u8>)>, String>,
}

impl Fixture {
    fn load(name: &str) -> Fixture {
        let dir = fixtures_dir().join(name);
        let config_text = read_text(&dir.join(CONFIG_FILE));
        // The CSDL file is the one the config names; a config that does not parse is an error
        // fixture about the config, and the CSDL is then the conventional `input.csdl.xml`.
        let csdl_file = Config::parse(&config_text)
            .map(|config| config.csdl)
            .unwrap_or_else(|_| "input.csdl.xml".to_string());
        let csdl_path = dir.join(&csdl_file);
        let csdl = fs::read(&csdl_path)
            .unwrap_or_else(|error| panic!("fixture `{name}`: cannot read {csdl_path:?}: {error}"));
        let mappings = Config::parse(&config_text)
            .map(|config| config.reference_files(&dir))
            .unwrap_or_default();
        let shown = |path: &Path| {
            let relative = path.strip_prefix(&dir).unwrap_or(path);
            relative.to_string_lossy().replace('\\', "/")
        };
        let main = Input {
            path: csdl_path.clone(),
            display: csdl_file.clone(),
            bytes: csdl.clone(),
        };
        let referenced = read_documents(main, &mappings, &shown)
            .map(|documents| {
                documents
                    .into_iter()
                    .skip(1)
                    .map(|input| (input.display, input.bytes))
                    .collect()
            })
            .map_err(|failure| failure.0);
        Fixture {
            name: name.to_string(),
            dir,
            config_text,
            csdl_file,
            csdl,
            referenced,
        }
    }

    /// Runs the generator on this fixture (with `csdl` in place of the fixture's own CSDL).
    fn run(&self, csdl: &[u8]) -> Outcome {
        let referenced = match &self.referenced {
            Ok(referenced) => referenced,
            Err(rendered) => return Outcome::Errors(rendered.clone()),
        };
        let config = match Config::parse(&self.config_text) {
            Ok(config) => config,
            Err(diagnostic) => return Outcome::Errors(self.render(&[diagnostic], csdl)),
        };
        let crate_name = format!("fixture-{}", self.name);
        assert_eq!(
            config.crate_name, crate_name,
            "fixture `{}`: `[crate] name` in {CONFIG_FILE} must be the folder's name with a `fixture-` prefix",
            self.name
        );
        assert_eq!(
            config.crate_version, "0.0.0",
            "fixture `{}`: `[crate] version` in {CONFIG_FILE} must be 0.0.0",
            self.name
        );
        assert!(
            config.readme_doctest.is_none() && config.extra_files.is_empty(),
            "fixture `{}`: fixtures do not support `readme_doctest` or `extra_files`",
            self.name
        );
        let mut options =
            GenerateOptions::from_config(&config, BTreeMap::new(), UPDATE_COMMAND.to_string());
        // The goldens compile against the runtime in generator/runtime, not a copy of it.
        options.runtime_dir = Some("../../../../../runtime".to_string());
        // Goldens are workspace members, never published.
        options.package.publish = false;
        let mut documents = vec![csdl];
        documents.extend(referenced.iter().map(|(_, bytes)| bytes.as_slice()));
        match msgraph_codegen::generate_documents(&documents, &options) {
            Ok(generated) => Outcome::Crate {
                files: generated.files,
                warnings: self.render(&generated.warnings, csdl),
            },
            Err(diagnostics) => Outcome::Errors(self.render(&diagnostics, csdl)),
        }
    }

    /// Renders diagnostics against the source each one points into (the config, `csdl` or a
    /// document it references), in order. Invalid UTF-8 is shown lossily; the reader reports
    /// only the first bad byte, whose offset the lossy text keeps.
    fn render(&self, diagnostics: &[Diagnostic], csdl: &[u8]) -> String {
        let mut documents: Vec<(&str, &[u8])> = vec![(&self.csdl_file, csdl)];
        if let Ok(referenced) = &self.referenced {
            documents.extend(
                referenced
                    .iter()
                    .map(|(name, bytes)| (name.as_str(), &bytes[..])),
            );
        }
        let map = SourceMap::new(documents.iter().map(|(_, bytes)| bytes.len()));
        let texts: Vec<String> = documents
            .iter()
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
            .collect();
        let named: Vec<(&str, &str)> = documents
            .iter()
            .zip(&texts)
            .map(|((name, _), text)| (*name, text.as_str()))
            .collect();
        diagnostics
            .iter()
            .map(|diagnostic| match diagnostic.source {
                SourceKind::Csdl => diagnostic.render_in(&map, &named),
                SourceKind::Config => diagnostic.render(CONFIG_FILE, &self.config_text),
                SourceKind::CommandLine => panic!(
                    "fixture `{}`: a diagnostic about the command line, but fixtures use a config: {diagnostic:?}",
                    self.name
                ),
            })
            .collect()
    }
}

/// What the generator gave for a fixture.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// A crate: its files, and its warnings rendered (empty when there are none).
    Crate {
        files: BTreeMap<String, String>,
        warnings: String,
    },
    /// The rendered diagnostics.
    Errors(String),
}

fn read_text(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("cannot read {path:?}: {error}"))
}

/// Every file under `dir`, by `/`-separated path relative to it. Unreadable text is kept lossily
/// so that it shows up as a difference rather than a panic.
fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap_or_else(|error| panic!("cannot list {dir:?}: {error}"))
            .map(|entry| entry.expect("a readable directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .expect("under the root")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                let bytes = fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path:?}: {e}"));
                files.insert(relative, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    let mut files = BTreeMap::new();
    if dir.is_dir() {
        walk(dir, dir, &mut files);
    }
    files
}

/// `text` with every line indented, to set it apart in a report.
fn indented(text: &str) -> String {
    text.lines().map(|line| format!("      {line}\n")).collect()
}

/// Where two texts first differ, as a readable report.
fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    let mut line = 1;
    loop {
        match (expected_lines.next(), actual_lines.next()) {
            (Some(e), Some(a)) if e == a => line += 1,
            (None, None) => {
                return "the texts differ only in line endings or a final newline".to_string();
            }
            (e, a) => {
                let show = |text: Option<&str>| match text {
                    Some(text) => format!("{text:?}"),
                    None => "<end of file>".to_string(),
                };
                return format!(
                    "first difference at line {line}:\n      expected: {}\n      actual:   {}",
                    show(e),
                    show(a)
                );
            }
        }
    }
}

/// Compares the outcome with the expected files; returns the problems, one per line group.
fn compare(fixture: &Fixture, outcome: &Outcome) -> Vec<String> {
    let mut problems = Vec::new();
    let crate_dir = fixture.dir.join(EXPECTED_CRATE);
    let errors_file = fixture.dir.join(EXPECTED_ERRORS);
    let warnings_file = fixture.dir.join(EXPECTED_WARNINGS);
    match outcome {
        Outcome::Errors(rendered) => {
            if crate_dir.exists() {
                problems.push(format!(
                    "`{EXPECTED_CRATE}/` exists, but the generator reported errors:\n{}",
                    indented(rendered)
                ));
            }
            if warnings_file.exists() {
                problems.push(format!(
                    "`{EXPECTED_WARNINGS}` exists, but the generator reported errors"
                ));
            }
            if !errors_file.exists() {
                if !crate_dir.exists() {
                    problems.push(format!(
                        "no `{EXPECTED_ERRORS}` (a new fixture?); the generator reported:\n{}",
                        indented(rendered)
                    ));
                }
            } else {
                let expected = read_text(&errors_file);
                if expected != *rendered {
                    problems.push(format!(
                        "`{EXPECTED_ERRORS}` differs: {}\n    the generator reported:\n{}",
                        first_difference(&expected, rendered),
                        indented(rendered)
                    ));
                }
            }
        }
        Outcome::Crate { files, warnings } => {
            if errors_file.exists() {
                problems.push(format!(
                    "`{EXPECTED_ERRORS}` exists, but the generator succeeded"
                ));
            }
            if !crate_dir.exists() {
                problems.push(format!(
                    "no `{EXPECTED_CRATE}/` (a new fixture?); the generator made {} files",
                    files.len()
                ));
            } else {
                let expected = read_tree(&crate_dir);
                for (path, text) in files {
                    match expected.get(path) {
                        None => problems.push(format!(
                            "`{EXPECTED_CRATE}/{path}` is missing: the generator makes it"
                        )),
                        Some(old) if old != text => problems.push(format!(
                            "`{EXPECTED_CRATE}/{path}` differs: {}",
                            first_difference(old, text)
                        )),
                        Some(_) => {}
                    }
                }
                for path in expected.keys().filter(|path| !files.contains_key(*path)) {
                    problems.push(format!(
                        "`{EXPECTED_CRATE}/{path}` is extra: the generator no longer makes it"
                    ));
                }
            }
            let expected_warnings = if warnings_file.exists() {
                read_text(&warnings_file)
            } else {
                String::new()
            };
            if expected_warnings != *warnings {
                problems.push(format!(
                    "the warnings differ from `{EXPECTED_WARNINGS}`: {}",
                    first_difference(&expected_warnings, warnings)
                ));
            }
        }
    }
    problems
}

/// Writes `text` to `path` unless it already holds exactly that.
fn write_if_changed(path: &Path, text: &str) {
    if fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return;
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("cannot create {parent:?}: {e}"));
    }
    fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {path:?}: {e}"));
}

fn remove_file_if_exists(path: &Path) {
    if path.exists() {
        fs::remove_file(path).unwrap_or_else(|e| panic!("cannot remove {path:?}: {e}"));
    }
}

/// Removes the empty folders under `dir` (and `dir` itself if it ends up empty).
fn remove_empty_dirs(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.path().is_dir() {
            remove_empty_dirs(&entry.path());
        }
    }
    if fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none()) {
        let _ = fs::remove_dir(dir);
    }
}

/// Makes the expected files match the outcome: writes what changed, deletes what is stale.
fn update(fixture: &Fixture, outcome: &Outcome) {
    let crate_dir = fixture.dir.join(EXPECTED_CRATE);
    let errors_file = fixture.dir.join(EXPECTED_ERRORS);
    let warnings_file = fixture.dir.join(EXPECTED_WARNINGS);
    match outcome {
        Outcome::Errors(rendered) => {
            // Only success fixtures may have a crate folder: the workspace's member glob
            // `generator/tests/fixtures/*/expected` needs a Cargo.toml in every match.
            if crate_dir.exists() {
                fs::remove_dir_all(&crate_dir)
                    .unwrap_or_else(|e| panic!("cannot remove {crate_dir:?}: {e}"));
            }
            remove_file_if_exists(&warnings_file);
            write_if_changed(&errors_file, rendered);
        }
        Outcome::Crate { files, warnings } => {
            remove_file_if_exists(&errors_file);
            for path in read_tree(&crate_dir).keys() {
                if !files.contains_key(path) {
                    remove_file_if_exists(&crate_dir.join(path));
                }
            }
            remove_empty_dirs(&crate_dir);
            for (path, text) in files {
                write_if_changed(&crate_dir.join(path), text);
            }
            if warnings.is_empty() {
                remove_file_if_exists(&warnings_file);
            } else {
                write_if_changed(&warnings_file, warnings);
            }
        }
    }
}

#[test]
fn fixtures_match_their_expected_output() {
    let update_mode = update_mode();
    let mut report = String::new();
    for name in fixture_names() {
        let fixture = Fixture::load(&name);
        let outcome = fixture.run(&fixture.csdl);
        if update_mode {
            update(&fixture, &outcome);
            continue;
        }
        let problems = compare(&fixture, &outcome);
        if !problems.is_empty() {
            let _ = writeln!(report, "fixture `{name}`:");
            for problem in problems {
                let _ = writeln!(report, "  - {problem}");
            }
        }
    }
    assert!(
        report.is_empty(),
        "the generator's output differs from the fixtures' expected files:\n\n{report}\n\
         If the new output is right, run `{UPDATE_COMMAND}` and review the diff \
         (`git diff -- generator/tests/fixtures`) before committing it."
    );
}

/// Every success fixture's output, for the tests below.
fn success_fixtures() -> Vec<(Fixture, BTreeMap<String, String>)> {
    fixture_names()
        .iter()
        .map(|name| Fixture::load(name))
        .filter_map(|fixture| match fixture.run(&fixture.csdl) {
            Outcome::Crate { files, .. } => Some((fixture, files)),
            Outcome::Errors(_) => None,
        })
        .collect()
}

/// The names of the files that differ between two generated crates.
fn differing_files(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> Vec<String> {
    let mut paths: Vec<&String> = a.keys().chain(b.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter(|path| a.get(*path) != b.get(*path))
        .cloned()
        .collect()
}

#[test]
fn generating_twice_gives_identical_output() {
    let fixtures = success_fixtures();
    assert!(!fixtures.is_empty(), "no success fixtures");
    for (fixture, first) in fixtures {
        let Outcome::Crate { files: second, .. } = fixture.run(&fixture.csdl) else {
            panic!("fixture `{}`: the second run failed", fixture.name);
        };
        let differing = differing_files(&first, &second);
        assert!(
            differing.is_empty(),
            "fixture `{}`: two runs on the same input differ in {differing:?}",
            fixture.name
        );
    }
}

/// Reverses the order of the children of every `<Schema>` element. Fixture inputs are written so
/// that this is simple text work: each `<Schema ...>` start tag and `</Schema>` end tag is on its
/// own line, and the schema's children (types, operations, the container) are separated by one
/// blank line. Returns `None` if no schema has two children to swap.
fn reverse_schema_children(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    let mut changed = false;
    while let Some(open) = rest.find("<Schema") {
        let body_start = open + rest[open..].find('\n')? + 1;
        let body_end = body_start + rest[body_start..].find("</Schema>")?;
        let body_end = rest[..body_end].rfind('\n')? + 1;
        out.push_str(&rest[..body_start]);
        let body = &rest[body_start..body_end];
        let mut children: Vec<&str> = body
            .split("\n\n")
            .map(|child| child.trim_matches('\n'))
            .filter(|child| !child.trim().is_empty())
            .collect();
        changed |= children.len() > 1;
        children.reverse();
        out.push_str(&children.join("\n\n"));
        out.push('\n');
        rest = &rest[body_end..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

#[test]
fn document_order_does_not_change_the_output() {
    for (fixture, expected) in success_fixtures() {
        let text = String::from_utf8(fixture.csdl.clone()).expect("success fixtures are UTF-8");
        let Some(reordered) = reverse_schema_children(&text) else {
            panic!(
                "fixture `{}`: no schema with two children separated by a blank line; write each \
                 `<Schema>` tag on its own line and separate its children with one blank line",
                fixture.name
            );
        };
        assert_ne!(reordered, text);
        let Outcome::Crate { files, .. } = fixture.run(reordered.as_bytes()) else {
            panic!(
                "fixture `{}`: the input with its schema children reversed does not generate:\n{reordered}",
                fixture.name
            );
        };
        let differing = differing_files(&expected, &files);
        assert!(
            differing.is_empty(),
            "fixture `{}`: reversing the order of the schema's children changes {differing:?}",
            fixture.name
        );
    }
}

#[test]
fn reversing_schema_children_keeps_every_child() {
    let text = "<Schema Namespace=\"n\">\n  <A/>\n\n  <B>\n    <C/>\n  </B>\n\n  <D/>\n</Schema>\n";
    assert_eq!(
        reverse_schema_children(text).as_deref(),
        Some("<Schema Namespace=\"n\">\n  <D/>\n\n  <B>\n    <C/>\n  </B>\n\n  <A/>\n</Schema>\n")
    );
}
