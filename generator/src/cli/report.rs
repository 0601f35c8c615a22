//! Prints diagnostics as `FILE:LINE:COL: error: message`, with the source line and a caret.

use super::Input;
use crate::diagnostics::SourceMap;
use crate::{Diagnostic, SourceKind};

/// The sources a run's diagnostics may point into.
pub struct Sources<'a> {
    /// The program's name, for messages about its command line (`xtask`, `msgraph-codegen`).
    pub program: &'a str,
    /// The displayed path and text of each CSDL document: the main one, then those it
    /// references, placed in one offset space by `map`.
    pub csdl: Vec<(&'a str, &'a str)>,
    /// Where each CSDL document starts in the offsets that spans hold.
    pub map: SourceMap,
    /// The config's displayed path and text, if a config was used.
    pub config: Option<(&'a str, &'a str)>,
}

impl<'a> Sources<'a> {
    /// The sources of a run over the CSDL documents `csdl` (with their texts, in the same
    /// order) and the config, if any.
    pub fn new(
        program: &'a str,
        csdl: &'a [Input],
        texts: &'a [String],
        config: Option<(&'a Input, &'a str)>,
    ) -> Self {
        Sources {
            program,
            csdl: csdl
                .iter()
                .zip(texts)
                .map(|(input, text)| (input.display.as_str(), text.as_str()))
                .collect(),
            map: SourceMap::new(csdl.iter().map(|input| input.bytes.len())),
            config: config.map(|(input, text)| (input.display.as_str(), text)),
        }
    }
}

/// Renders every diagnostic, errors and warnings alike, in order.
pub fn render_all(diagnostics: &[Diagnostic], sources: &Sources<'_>) -> String {
    diagnostics.iter().map(|d| render(d, sources)).collect()
}

/// Renders one diagnostic against its source.
pub fn render(diagnostic: &Diagnostic, sources: &Sources<'_>) -> String {
    match diagnostic.source {
        SourceKind::Csdl => diagnostic.render_in(&sources.map, &sources.csdl),
        SourceKind::Config => match sources.config {
            Some((name, text)) => diagnostic.render(name, text),
            None => format!("{}: error: {}\n", sources.program, diagnostic.message),
        },
        SourceKind::CommandLine => {
            let label = if diagnostic.is_error() {
                "error"
            } else {
                "warning"
            };
            let mut text = format!("{}: {label}: {}\n", sources.program, diagnostic.message);
            for note in &diagnostic.notes {
                text.push_str(&format!("  = note: {}\n", note.message));
            }
            text
        }
    }
}

/// A short summary of warnings: the first few in full, then a count.
pub fn summarize_warnings(warnings: &[Diagnostic], sources: &Sources<'_>, all: bool) -> String {
    if warnings.is_empty() {
        return String::new();
    }
    let shown = if all {
        warnings.len()
    } else {
        warnings.len().min(5)
    };
    let mut text = render_all(&warnings[..shown], sources);
    if shown < warnings.len() {
        text.push_str(&format!(
            "... and {} more warnings (pass --warnings to list them all)\n",
            warnings.len() - shown
        ));
    }
    text.push_str(&format!(
        "{} warning(s) in {}\n",
        warnings.len(),
        sources.csdl.first().map_or("the input", |(name, _)| *name)
    ));
    text
}
