//! `msgraph-codegen`: reads OData v4 CSDL (such as Microsoft Graph's `$metadata`) and emits a
//! Rust crate of typed models and request builders.
//!
//! The pipeline is a chain of pure stages with plain data between them; nothing here touches the
//! file system (the `xtask` crate reads and writes files):
//!
//! 1. [`csdl::read()`]: bytes to a [`csdl::syntax::Document`] with byte positions.
//! 2. [`resolve::resolve`]: names bound, types linked: a [`model::Model`].
//! 3. [`select::select`]: the slice to generate: a [`select::Selection`].
//! 4. [`emit::emit`]: Rust tokens per file.
//! 5. [`format::rust_file`]: checked with syn, formatted with prettyplease, headed
//!    ([`format_emitted`] applies it to every emitted file).
//!
//! Problems in the input are [`diagnostics::Diagnostic`] values with positions, collected and
//! returned all at once; bad input never panics.

#![deny(missing_docs)]

pub mod api;
#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
pub mod conformance;
pub mod csdl;
pub mod diagnostics;
pub mod emit;
pub mod format;
pub mod model;
pub mod naming;
pub mod resolve;
pub mod select;
pub mod shorten;

use std::collections::BTreeMap;

pub use config::{Config, ExtraFile, GenerateOptions, Package, SliceOrigin, SliceSpec};
pub use diagnostics::{Diagnostic, Severity, SourceKind, Span};

/// A generated crate: file path (relative to the crate root, `/`-separated) to text.
#[derive(Debug)]
pub struct Generated {
    /// Every file, sorted by path.
    pub files: BTreeMap<String, String>,
    /// Warnings about the input (it was usable anyway).
    pub warnings: Vec<Diagnostic>,
}

/// Reads and resolves a CSDL document. Returns the model and the warnings, or all diagnostics
/// (errors first in position order, warnings included) when any error was found.
pub fn load(csdl: &[u8]) -> Result<(model::Model<'_>, Vec<Diagnostic>), Vec<Diagnostic>> {
    load_documents(&[csdl])
}

/// Reads and resolves a service written in several CSDL documents that reference each other
/// (`edmx:Reference`), as one model: the first is the service's main document, the others
/// what it references, directly or through each other (finding and reading them is the
/// caller's: `cli::documents::read_documents`, with the `cli` feature, follows the references
/// of local files). Spans point into the documents placed by [`diagnostics::SourceMap::new`]
/// over their lengths.
///
/// Every schema of every document is part of the model. Aliases (of schemas and of includes)
/// are read as if the documents were one: an alias must name the same namespace wherever it is
/// used, which the resolver checks.
pub fn load_documents<'a>(
    documents: &[&'a [u8]],
) -> Result<(model::Model<'a>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let lengths: Vec<usize> = documents.iter().map(|bytes| bytes.len()).collect();
    let total = lengths.iter().map(|length| length + 1).sum::<usize>();
    if documents.len() > 1 && total > Span::MAX_SOURCE {
        return Err(vec![Diagnostic::error(
            Span::at(0),
            format!(
                "the documents have {total} bytes together; more than {} bytes (4 GiB) are not supported",
                Span::MAX_SOURCE
            ),
        )]);
    }
    let map = diagnostics::SourceMap::new(lengths);
    let mut merged = csdl::syntax::Document::default();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    for (index, bytes) in documents.iter().enumerate() {
        let start = map.start(index);
        match csdl::read(bytes) {
            Ok((mut document, more)) => {
                document.shift_spans(start);
                warnings.extend(more.into_iter().map(|d| d.shifted(start)));
                if index == 0 {
                    merged.version = document.version;
                }
                merged.references.append(&mut document.references);
                merged.schemas.append(&mut document.schemas);
            }
            Err(more) => errors.extend(more.into_iter().map(|d| d.shifted(start))),
        }
    }
    if !errors.is_empty() {
        errors.extend(warnings);
        return Err(errors);
    }
    match resolve::resolve(&merged) {
        Ok((model, more)) => {
            warnings.extend(more);
            Ok((model, warnings))
        }
        Err(mut errors) => {
            errors.extend(warnings);
            Err(errors)
        }
    }
}

/// Runs the whole pipeline: CSDL bytes and options in, the crate's files out.
pub fn generate(csdl: &[u8], options: &GenerateOptions) -> Result<Generated, Vec<Diagnostic>> {
    generate_documents(&[csdl], options)
}

/// [`generate`] for a service written in several CSDL documents (see [`load_documents`]).
pub fn generate_documents(
    documents: &[&[u8]],
    options: &GenerateOptions,
) -> Result<Generated, Vec<Diagnostic>> {
    let (mut model, warnings) = load_documents(documents)?;
    let mut unknown = Vec::new();
    for (target, text) in &options.descriptions {
        if !model.set_description(&target.value, text) {
            unknown.push(
                Diagnostic::error(
                    target.span,
                    format!(
                        "the description target `{}` names nothing in the CSDL",
                        target.value
                    ),
                )
                .in_source(SourceKind::Config)
                .with_note(
                    None,
                    "targets look like `ns.type`, `ns.type/property` or `ns.Container/entitySet`",
                ),
            );
        }
    }
    unknown.extend(check_names(&model, &options.names));
    if !unknown.is_empty() {
        return Err(unknown);
    }
    let selection = select::select(&model, &options.slice, options.slice_origin)?;
    // A whole-service crate gets a Cargo feature per area (entity set or singleton).
    let areas = if options.slice.all && options.slice.areas {
        select::areas(&model)
    } else {
        Vec::new()
    };
    let finish = |files: emit::EmittedFiles| format_emitted(files, &options.command);
    let (files, name_warnings) =
        emit::emit_in_parallel(&model, &selection, &areas, options, &finish);
    let mut warnings = warnings;
    warnings.extend(name_warnings);
    warnings.sort_by_key(|w| (w.source, w.span.start()));
    Ok(Generated { files, warnings })
}

/// Formats emitted files into their final text, keyed by path relative to the crate: Rust
/// through [`format::rust_file`], the rest through [`format::text_file`].
pub fn format_emitted(
    files: emit::EmittedFiles,
    command: &str,
) -> std::collections::BTreeMap<String, String> {
    files
        .into_iter()
        .map(|(path, content)| {
            let text = match content {
                emit::FileContent::Rust(tokens) => format::rust_file(&path, tokens, command),
                emit::FileContent::Text(text) => format::text_file(&path, &text, command),
            };
            (path, text)
        })
        .collect()
}

/// Checks the config's `[names]`: every target names a type or a property of one, and every
/// name is a plain Rust identifier.
fn check_names(
    model: &model::Model,
    names: &[(diagnostics::Spanned<String>, diagnostics::Spanned<String>)],
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for (target, name) in names {
        let exists = match target.value.split_once('/') {
            None => model.find(&target.value).is_some(),
            Some((ty, member)) => match model.find(ty).map(|id| &model.ty(id).kind) {
                Some(model::TypeKind::Structured(def)) => {
                    def.properties.iter().any(|p| p.name == member)
                        || def.navigations.iter().any(|n| n.name == member)
                }
                Some(model::TypeKind::Enum(def)) => def.members.iter().any(|m| m.name == member),
                _ => false,
            },
        };
        if !exists {
            errors.push(
                Diagnostic::error(
                    target.span,
                    format!(
                        "the name target `{}` names no type, property, navigation property or enum member in the CSDL",
                        target.value
                    ),
                )
                .in_source(SourceKind::Config)
                .with_note(
                    None,
                    "targets look like `ns.type`, `ns.type/property` (a navigation property too) or `ns.enumType/member`",
                ),
            );
        }
        if !naming::is_plain_identifier(&name.value) {
            errors.push(
                Diagnostic::error(
                    name.span,
                    format!(
                        "`{}` is not a Rust identifier that can be used as a name",
                        name.value
                    ),
                )
                .in_source(SourceKind::Config),
            );
        }
    }
    errors
}

/// Extracts the structural slice that `slice` selects from a full CSDL document, as CSDL text
/// headed by `provenance` (an XML comment). Descriptions are not copied.
pub fn extract_slice(
    csdl: &[u8],
    slice: &SliceSpec,
    origin: SliceOrigin,
    provenance: &str,
) -> Result<String, Vec<Diagnostic>> {
    let (model, _) = load(csdl)?;
    let selection = select::select(&model, slice, origin)?;
    Ok(csdl::write::write_slice(&model, &selection, provenance))
}
