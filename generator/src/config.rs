//! The generation config (`metadata/msgraph.toml`) and the options of one generation run.
//!
//! The config names the CSDL, the crate to write and the slice to select. It is parsed here from
//! text; reading the file is the xtask's job.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::diagnostics::Spanned;
use crate::diagnostics::{Diagnostic, SourceKind, Span};

/// What part of the model to generate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SliceSpec {
    /// Every type, entity set, singleton and operation.
    pub all: bool,
    /// With `all`: a Cargo feature per area (entity set or singleton) that compiles what the
    /// area reaches (see `emit::features`).
    pub areas: bool,
    /// Qualified names of types to start from.
    pub roots: Vec<Spanned<String>>,
    /// Resource paths such as `/deviceAppManagement/mobileAppConfigurations/{id}`.
    pub paths: Vec<Spanned<String>>,
}

impl SliceSpec {
    /// Whether it names anything: `all`, or some roots or paths.
    pub fn is_given(&self) -> bool {
        self.all || !self.roots.is_empty() || !self.paths.is_empty()
    }
}

/// Where the roots and paths of a [`SliceSpec`] were written, for diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SliceOrigin {
    /// In the config file (spans point into it).
    Config,
    /// On the command line (spans are meaningless).
    CommandLine,
}

/// Everything one generation run needs besides the CSDL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateOptions {
    /// The package name of the generated crate.
    pub crate_name: String,
    /// Its version.
    pub crate_version: String,
    /// Its one-line description.
    pub description: String,
    /// The slice to generate.
    pub slice: SliceSpec,
    /// Where the slice was written.
    pub slice_origin: SliceOrigin,
    /// Add an empty `[workspace]` table so the crate builds on its own wherever it is written.
    pub standalone: bool,
    /// The command that regenerates the crate, written into every file's header.
    pub command: String,
    /// A Markdown file (path relative to the crate) whose Rust examples run as doctests.
    pub readme_doctest: Option<String>,
    /// Extra files copied into the crate, by path relative to the crate (hand-written tests).
    pub extra_files: BTreeMap<String, ExtraFile>,
    /// Descriptions written for this project, by CSDL target (`ns.type`, `ns.type/property`,
    /// `ns.Container/entitySet`); they replace the document's own.
    pub descriptions: Vec<(Spanned<String>, String)>,
    /// Rust names chosen by the project, by CSDL target (`ns.type` for a type's items,
    /// `ns.type/property` for a field, `ns.enumType/member` for a variant); they replace the
    /// generated names.
    pub names: Vec<(Spanned<String>, Spanned<String>)>,
    /// Refer to the runtime in this folder (relative to the crate's `src/`) with `#[path]`
    /// instead of copying it: for crates that live next to the generator, such as test goldens.
    pub runtime_dir: Option<String>,
    /// What `Cargo.toml` says for crates.io and docs.rs.
    pub package: Package,
}

impl GenerateOptions {
    /// The options a config file asks for: its crate, slice, descriptions, names and package
    /// metadata, with the extra files it names already read, and `command` recorded in every
    /// generated file. The crate is a workspace member (`standalone` false) and holds a copy
    /// of the runtime; change those fields for other uses.
    pub fn from_config(
        config: &Config,
        extra_files: BTreeMap<String, ExtraFile>,
        command: String,
    ) -> Self {
        GenerateOptions {
            crate_name: config.crate_name.clone(),
            crate_version: config.crate_version.clone(),
            description: config.description.clone(),
            slice: config.slice.clone(),
            slice_origin: SliceOrigin::Config,
            standalone: false,
            command,
            readme_doctest: config.readme_doctest.clone(),
            extra_files,
            descriptions: config.descriptions.clone(),
            names: config.names.clone(),
            runtime_dir: None,
            package: config.package.clone(),
        }
    }
}

/// The generated crate's package metadata for crates.io.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// An SPDX license expression (the runtime copied into the crate is MIT).
    pub license: String,
    /// Where the crate's source lives, if it says.
    pub repository: Option<String>,
    /// Up to five crates.io keywords.
    pub keywords: Vec<String>,
    /// crates.io category slugs.
    pub categories: Vec<String>,
    /// Whether `cargo publish` may publish it.
    pub publish: bool,
}

impl Default for Package {
    fn default() -> Self {
        Package {
            license: "MIT".to_string(),
            repository: None,
            keywords: ["microsoft-graph", "msgraph", "odata", "api", "sdk"]
                .map(String::from)
                .to_vec(),
            categories: ["api-bindings", "web-programming::http-client"]
                .map(String::from)
                .to_vec(),
            publish: true,
        }
    }
}

/// A hand-written file copied into the generated crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtraFile {
    /// Where it comes from, for the header (`metadata/tests/seed.rs`).
    pub source: String,
    /// Its text.
    pub contents: String,
}

impl GenerateOptions {
    /// Options for a standalone crate named `msgraph` with the given slice.
    pub fn standalone(slice: SliceSpec, command: impl Into<String>) -> Self {
        GenerateOptions {
            crate_name: "msgraph".to_string(),
            crate_version: "0.1.0".to_string(),
            description: "Typed models and request builders for Microsoft Graph".to_string(),
            slice,
            slice_origin: SliceOrigin::CommandLine,
            standalone: true,
            command: command.into(),
            readme_doctest: None,
            extra_files: BTreeMap::new(),
            descriptions: Vec::new(),
            names: Vec::new(),
            runtime_dir: None,
            package: Package::default(),
        }
    }
}

/// The parsed config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The CSDL file the crate is generated from, relative to the config's folder.
    pub csdl: String,
    /// Files for the URIs of documents the CSDL references (`edmx:Reference`), relative to the
    /// config's folder: `[input.references]`, URI = file. A relative URI needs none.
    pub references: BTreeMap<String, String>,
    /// The full CSDL the slice is extracted from by `cargo xtask refresh-metadata`, relative to
    /// the workspace root, if the config names one.
    pub refresh_from: Option<String>,
    /// The generated crate's package name.
    pub crate_name: String,
    /// Its version.
    pub crate_version: String,
    /// Its description.
    pub description: String,
    /// A Markdown file whose examples run as doctests, relative to the generated crate.
    pub readme_doctest: Option<String>,
    /// Files copied into the crate: destination (relative to the crate) to source (relative to
    /// the config's folder).
    pub extra_files: BTreeMap<String, String>,
    /// The slice.
    pub slice: SliceSpec,
    /// Descriptions written for this project, by CSDL target.
    pub descriptions: Vec<(Spanned<String>, String)>,
    /// Rust names chosen by the project, by CSDL target.
    pub names: Vec<(Spanned<String>, Spanned<String>)>,
    /// Package metadata for crates.io.
    pub package: Package,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    input: RawInput,
    #[serde(rename = "crate")]
    krate: RawCrate,
    slice: RawSlice,
    #[serde(default)]
    descriptions: BTreeMap<toml::Spanned<String>, String>,
    #[serde(default)]
    names: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInput {
    csdl: String,
    #[serde(default)]
    references: BTreeMap<String, String>,
    refresh_from: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCrate {
    name: String,
    version: String,
    description: String,
    readme_doctest: Option<String>,
    #[serde(default)]
    extra_files: BTreeMap<String, String>,
    license: Option<String>,
    repository: Option<String>,
    keywords: Option<Vec<String>>,
    categories: Option<Vec<String>>,
    publish: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlice {
    #[serde(default)]
    all: bool,
    #[serde(default)]
    areas: bool,
    #[serde(default)]
    roots: Vec<toml::Spanned<String>>,
    #[serde(default)]
    paths: Vec<toml::Spanned<String>>,
}

impl Config {
    /// `references` as (URI, file) pairs, the files below `folder` (the config's folder), as
    /// `cli::documents::read_documents` takes them.
    pub fn reference_files(&self, folder: &std::path::Path) -> Vec<(String, std::path::PathBuf)> {
        self.references
            .iter()
            .map(|(uri, file)| (uri.clone(), folder.join(file)))
            .collect()
    }

    /// Parses the config's text.
    pub fn parse(text: &str) -> Result<Config, Diagnostic> {
        let raw: RawConfig = toml::from_str(text).map_err(|error| {
            let span = error
                .span()
                .map_or(Span::at(0), |range| Span::new(range.start, range.end));
            Diagnostic::error(span, error.message().trim_end_matches('\n').to_string())
                .in_source(SourceKind::Config)
        })?;
        let spanned = |items: Vec<toml::Spanned<String>>| {
            items
                .into_iter()
                .map(|item| {
                    let range = item.span();
                    // Point inside the quotes.
                    Spanned::new(
                        item.into_inner(),
                        Span::new(range.start + 1, range.end.saturating_sub(1)),
                    )
                })
                .collect::<Vec<_>>()
        };
        Ok(Config {
            csdl: raw.input.csdl,
            references: raw.input.references,
            refresh_from: raw.input.refresh_from,
            crate_name: raw.krate.name,
            crate_version: raw.krate.version,
            description: raw.krate.description,
            readme_doctest: raw.krate.readme_doctest,
            extra_files: raw.krate.extra_files,
            package: {
                let default = Package::default();
                Package {
                    license: raw.krate.license.unwrap_or(default.license),
                    repository: raw.krate.repository,
                    keywords: raw.krate.keywords.unwrap_or(default.keywords),
                    categories: raw.krate.categories.unwrap_or(default.categories),
                    publish: raw.krate.publish.unwrap_or(default.publish),
                }
            },
            slice: SliceSpec {
                all: raw.slice.all,
                areas: raw.slice.areas,
                roots: spanned(raw.slice.roots),
                paths: spanned(raw.slice.paths),
            },
            descriptions: {
                let (targets, texts): (Vec<_>, Vec<_>) = raw.descriptions.into_iter().unzip();
                spanned(targets).into_iter().zip(texts).collect()
            },
            names: {
                let (targets, names): (Vec<_>, Vec<_>) = raw.names.into_iter().unzip();
                spanned(targets).into_iter().zip(spanned(names)).collect()
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_config_and_keeps_positions_of_slice_entries() {
        let text = r#"
[input]
csdl = "slice.xml"

[crate]
name = "msgraph"
version = "0.1.0"
description = "d"

[slice]
roots = ["ns.a"]
paths = ["/x/{id}"]
"#;
        let config = Config::parse(text).unwrap();
        assert_eq!(config.csdl, "slice.xml");
        assert_eq!(config.slice.roots[0].value, "ns.a");
        let span = config.slice.roots[0].span;
        assert_eq!(&text[span.start()..span.end()], "ns.a");
        let span = config.slice.paths[0].span;
        assert_eq!(&text[span.start()..span.end()], "/x/{id}");
    }

    #[test]
    fn unknown_keys_are_errors_with_a_position() {
        let text = "[input]\ncsdl = \"a\"\ncsld = \"b\"\n";
        let error = Config::parse(text).unwrap_err();
        assert_eq!(error.source, SourceKind::Config);
        assert!(error.message.contains("csld"), "{}", error.message);
        assert_eq!(&text[error.span.start()..error.span.end()], "csld");
    }
}
