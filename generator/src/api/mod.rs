//! The API diff: what two generations of a crate expose, compared, with a semver verdict for
//! each difference.
//!
//! [`Surface::read`] reads a generated crate's public API back from its files with syn (the
//! models, unions, enums, builders and their methods, action bodies, and the features per
//! area), and [`diff`] compares two of them. It looks only at generated files, never at the
//! model or the plan, so it sees exactly what a downstream crate compiles against.
//!
//! The verdicts follow the semver policy of generated crates (the README's "Regenerating
//! without breaking downstream crates"): every model struct, action body, union and enum is
//! `#[non_exhaustive]`, so growth (a new type, property, enum member, derived type, navigation,
//! operation or area) is a minor release; a removal or a change is a major one.

mod diff;
mod probe;
mod surface;

pub use diff::{Change, What, diff};
pub use probe::{Probe, probe};
pub use surface::{Item, ItemKind, Member, MemberKind, Surface};

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The release a set of changes calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Release {
    /// Nothing in the API changed.
    Patch,
    /// Only growth.
    Minor,
    /// At least one breaking change.
    Major,
}

/// The release `changes` call for.
pub fn release(changes: &[Change]) -> Release {
    if changes.iter().any(|change| change.breaking) {
        Release::Major
    } else if changes.is_empty() {
        Release::Patch
    } else {
        Release::Minor
    }
}

/// One line of counts: `12 added, 3 changed, 1 removed; 2 breaking: a major release`.
pub fn summary_line(changes: &[Change]) -> String {
    let count = |what: What| changes.iter().filter(|c| c.what == what).count();
    let breaking = changes.iter().filter(|c| c.breaking).count();
    let release = match release(changes) {
        Release::Patch => "no change to the API: a patch release",
        Release::Minor => "no breaking change: a minor release",
        Release::Major => "a major release",
    };
    format!(
        "{} added, {} changed, {} removed; {breaking} breaking: {release}",
        count(What::Added),
        count(What::Changed),
        count(What::Removed)
    )
}

/// The changes as text, grouped by area (see [`Change::area`]): every change, or with
/// `summary` the counts per area and the breaking changes only. Breaking lines start with `!`.
pub fn render(changes: &[Change], summary: bool) -> String {
    let mut by_area: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for change in changes {
        by_area
            .entry(change.area.as_str())
            .or_default()
            .push(change);
    }
    let mut text = String::new();
    for (area, changes) in &by_area {
        let count = |what: What| changes.iter().filter(|c| c.what == what).count();
        let breaking = changes.iter().filter(|c| c.breaking).count();
        let _ = writeln!(
            text,
            "## {area}: {} added, {} changed, {} removed, {breaking} breaking",
            count(What::Added),
            count(What::Changed),
            count(What::Removed)
        );
        for change in changes.iter().filter(|c| !summary || c.breaking) {
            let marker = match change.what {
                What::Added => '+',
                What::Removed => '-',
                What::Changed => '~',
            };
            let flag = if change.breaking { '!' } else { ' ' };
            let member = change
                .member
                .as_deref()
                .map(|m| format!(" {m}"))
                .unwrap_or_default();
            let _ = writeln!(
                text,
                "{flag} {marker} {}{member}: {}",
                change.item, change.reason
            );
        }
    }
    let _ = writeln!(text, "API: {}", summary_line(changes));
    text
}

/// The changes as JSON: `{"release": ..., "changes": [...]}`.
pub fn to_json(changes: &[Change]) -> String {
    #[derive(serde::Serialize)]
    struct Report<'a> {
        release: Release,
        changes: &'a [Change],
    }
    serde_json::to_string_pretty(&Report {
        release: release(changes),
        changes,
    })
    .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
