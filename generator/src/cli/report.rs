//! Prints diagnostics as `FILE:LINE:COL: error: message`, with the source line and a caret.

use crate::{Diagnostic, SourceKind};

/// The sources a run's diagnostics may point into.
pub struct Sources<'a> {
    /// The program's name, for messages about its command line (`xtask`, `msgraph-codegen`).
    pub program: &'a str,
    /// The CSDL's displayed path and text.
    pub csdl: (&'a str, &'a str),
    /// The config's displayed path and text, if a config was used.
    pub config: Option<(&'a str, &'a str)>,
}

/// Renders every diagnostic, errors and warnings alike, in order.
pub fn render_all(diagnostics: &[Diagnostic], sources: &Sources<'_>) -> String {
    diagnostics.iter().map(|d| render(d, sources)).collect()
}

/// Renders one diagnostic against its source.
pub fn render(diagnostic: &Diagnostic, sources: &Sources<'_>) -> String {
    match diagnostic.source {
        SourceKind::Csdl => diagnostic.render(sources.csdl.0, sources.csdl.1),
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
        sources.csdl.0
    ));
    text
}
