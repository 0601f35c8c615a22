//! The changes between two surfaces, each with its semver verdict.

use std::collections::{BTreeMap, BTreeSet};

use super::surface::{Item, Member, MemberKind, Surface};

/// What happened to an item, a member or a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum What {
    /// It is new.
    Added,
    /// It is gone.
    Removed,
    /// It is still there, with another type, signature or gate.
    Changed,
}

/// One difference between two generations.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// Where it is: its area (`users`), the areas that share it (`users, me`), `every area`
    /// for what no feature gates, or `crate` in a crate without areas.
    pub area: String,
    /// The item's path (`models::User`), or `features` for a Cargo feature.
    pub item: String,
    /// The member (`field display_name`, `variant User`, `fn manager`, `impl Updatable`,
    /// `feature users`), or none for the item itself.
    pub member: Option<String>,
    /// Added, removed or changed.
    pub what: What,
    /// Whether a downstream crate that compiled against the old generation may fail to compile
    /// against the new one.
    pub breaking: bool,
    /// Why, in a few words.
    pub reason: String,
}

/// Everything that differs between `old` and `new`, item by item in path order.
///
/// The verdicts follow the semver policy of generated crates: structs, unions and enums are
/// `#[non_exhaustive]`, so a new field, union variant or enum member is growth; new items,
/// methods, trait impls and features are growth; anything removed, any type or signature that
/// changed, and an item that needs a feature no old area enables, are breaking.
pub fn diff(old: &Surface, new: &Surface) -> Vec<Change> {
    let old_areas = Areas::new(old);
    let new_areas = Areas::new(new);
    let mut changes = Vec::new();
    let paths: BTreeSet<&String> = old.items.keys().chain(new.items.keys()).collect();
    for path in paths {
        match (old.items.get(path), new.items.get(path)) {
            (Some(before), Some(after)) => {
                compare_items(path, before, after, &old_areas, &new_areas, &mut changes)
            }
            (Some(before), None) => changes.push(Change {
                area: old_areas.label(before.gate.as_deref()),
                item: path.clone(),
                member: None,
                what: What::Removed,
                breaking: true,
                reason: format!("the {} is gone", before.kind.describe()),
            }),
            (None, Some(after)) => changes.push(Change {
                area: new_areas.label(after.gate.as_deref()),
                item: path.clone(),
                member: None,
                what: What::Added,
                breaking: false,
                reason: format!("a new {}", after.kind.describe()),
            }),
            (None, None) => {}
        }
    }
    // Group features (`_g12`) are numbered anew by each generation and are not for direct use:
    // what they stand for is compared through the areas that enable an item's gate.
    let features: BTreeSet<&String> = old
        .features
        .keys()
        .chain(new.features.keys())
        .filter(|feature| !feature.starts_with('_'))
        .collect();
    for feature in features {
        let (what, breaking, reason) = match (
            old.features.contains_key(feature),
            new.features.contains_key(feature),
        ) {
            (true, false) => (
                What::Removed,
                true,
                "a crate that enables it no longer builds",
            ),
            (false, true) => (What::Added, false, "a new feature"),
            _ => continue,
        };
        changes.push(Change {
            area: "features".to_string(),
            item: "features".to_string(),
            member: Some(format!("feature {feature}")),
            what,
            breaking,
            reason: reason.to_string(),
        });
    }
    changes
}

fn compare_items(
    path: &str,
    before: &Item,
    after: &Item,
    old_areas: &Areas,
    new_areas: &Areas,
    changes: &mut Vec<Change>,
) {
    let area = new_areas.label(after.gate.as_deref());
    let mut push = |member: Option<String>, what: What, breaking: bool, reason: String| {
        changes.push(Change {
            area: area.clone(),
            item: path.to_string(),
            member,
            what,
            breaking,
            reason,
        })
    };
    if before.kind != after.kind {
        push(
            None,
            What::Changed,
            true,
            format!(
                "was a {}, is a {}",
                before.kind.describe(),
                after.kind.describe()
            ),
        );
        return;
    }
    if before.target != after.target {
        push(
            None,
            What::Changed,
            true,
            format!("stands for `{}`, was `{}`", after.target, before.target),
        );
    }
    if !before.non_exhaustive && after.non_exhaustive {
        push(
            None,
            What::Changed,
            true,
            "became #[non_exhaustive]: literals and exhaustive matches no longer compile"
                .to_string(),
        );
    }
    if let Some(reason) = gate_change(
        before.gate.as_deref(),
        after.gate.as_deref(),
        old_areas,
        new_areas,
    ) {
        push(None, What::Changed, reason.0, reason.1);
    }
    let names: BTreeSet<&String> = before.members.keys().chain(after.members.keys()).collect();
    for name in names {
        let member = Some(name.clone());
        match (before.members.get(name), after.members.get(name)) {
            (Some(old), Some(new)) => {
                if old.signature != new.signature {
                    push(
                        member.clone(),
                        What::Changed,
                        true,
                        signature_change(name, old, new),
                    );
                }
                // A member without a gate of its own follows its item, whose change is listed
                // once.
                if old.gate.is_some() || new.gate.is_some() {
                    let old_gate = old.gate.as_deref().or(before.gate.as_deref());
                    let new_gate = new.gate.as_deref().or(after.gate.as_deref());
                    if let Some((breaking, reason)) =
                        gate_change(old_gate, new_gate, old_areas, new_areas)
                    {
                        push(member, What::Changed, breaking, reason);
                    }
                }
            }
            (Some(old), None) => push(member, What::Removed, true, removed(old)),
            (None, Some(new)) => {
                let (breaking, reason) = added(before, new);
                push(member, What::Added, breaking, reason);
            }
            (None, None) => {}
        }
    }
}

/// The verdict on a member that is new.
fn added(item: &Item, member: &Member) -> (bool, String) {
    match member.kind {
        MemberKind::Field if !item.non_exhaustive => (
            true,
            "a new field of an exhaustive struct: its struct literals no longer compile"
                .to_string(),
        ),
        MemberKind::Field => (false, format!("a new field: `{}`", member.signature)),
        MemberKind::Variant if !item.non_exhaustive => (
            true,
            "a new variant of an exhaustive enum: its exhaustive matches no longer compile"
                .to_string(),
        ),
        MemberKind::Variant => (false, "a new variant".to_string()),
        MemberKind::Method => (false, format!("a new method: `{}`", member.signature)),
        MemberKind::Constant => (false, format!("a new constant: `{}`", member.signature)),
        MemberKind::Impl => (false, format!("now implements `{}`", member.signature)),
    }
}

fn removed(member: &Member) -> String {
    match member.kind {
        MemberKind::Field => "the field is gone".to_string(),
        MemberKind::Variant => "the variant is gone".to_string(),
        MemberKind::Method => "the method is gone".to_string(),
        MemberKind::Constant => "the constant is gone".to_string(),
        MemberKind::Impl => format!(
            "no longer implements `{}` (the builder loses what it gave)",
            member.signature
        ),
    }
}

fn signature_change(name: &str, old: &Member, new: &Member) -> String {
    if name == "fn new" {
        let count = |signature: &str| {
            syn::parse_str::<syn::Signature>(signature).map_or(0, |s| s.inputs.len())
        };
        if count(&new.signature) > count(&old.signature) {
            return format!(
                "a required parameter was added: `{}`, was `{}`",
                new.signature, old.signature
            );
        }
    }
    match old.kind {
        MemberKind::Field | MemberKind::Variant | MemberKind::Constant => {
            format!("the type is `{}`, was `{}`", new.signature, old.signature)
        }
        MemberKind::Method | MemberKind::Impl => {
            format!(
                "the signature is `{}`, was `{}`",
                new.signature, old.signature
            )
        }
    }
}

/// A gate that changed: breaking when an area that compiled the item before no longer does.
fn gate_change(
    old: Option<&str>,
    new: Option<&str>,
    old_areas: &Areas,
    new_areas: &Areas,
) -> Option<(bool, String)> {
    let before = old_areas.enabling(old);
    let after = new_areas.enabling(new);
    // An area that is gone is a breaking change of its own (its feature is removed).
    let lost: Vec<&String> = before
        .difference(&after)
        .filter(|area| new_areas.all.contains(*area) || new_areas.all.is_empty())
        .collect();
    // A gate that only grew (or was renumbered) is no change for a downstream crate.
    if lost.is_empty() {
        return None;
    }
    Some((
        true,
        format!(
            "now in {}, was in {}: no longer compiled with {}",
            new_areas.label(new),
            old_areas.label(old),
            list(&lost, true)
        ),
    ))
}

/// Names joined by commas, the first few only, each in backticks when `quoted`.
fn list(names: &[&String], quoted: bool) -> String {
    const SHOWN: usize = 4;
    let mut text: Vec<String> = names
        .iter()
        .take(SHOWN)
        .map(|n| {
            if quoted {
                format!("`{n}`")
            } else {
                n.to_string()
            }
        })
        .collect();
    if names.len() > SHOWN {
        text.push(format!("{} more", names.len() - SHOWN));
    }
    text.join(", ")
}

/// The areas of a crate (the features `full` enables) and which of them enable each feature.
struct Areas {
    /// For each feature, the areas that enable it (an area enables itself).
    enabling: BTreeMap<String, BTreeSet<String>>,
    /// Every area.
    all: BTreeSet<String>,
}

impl Areas {
    fn new(surface: &Surface) -> Areas {
        let areas = surface.features.get("full").cloned().unwrap_or_default();
        let mut enabling: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for area in &areas {
            let mut stack = vec![area.clone()];
            let mut seen = BTreeSet::new();
            while let Some(feature) = stack.pop() {
                if !seen.insert(feature.clone()) {
                    continue;
                }
                enabling
                    .entry(feature.clone())
                    .or_default()
                    .insert(area.clone());
                if let Some(enables) = surface.features.get(&feature) {
                    stack.extend(enables.iter().cloned());
                }
            }
        }
        Areas {
            enabling,
            all: areas.into_iter().collect(),
        }
    }

    /// The areas that compile an item with this gate: all of them without a gate.
    fn enabling(&self, gate: Option<&str>) -> BTreeSet<String> {
        match gate {
            Some(feature) => self.enabling.get(feature).cloned().unwrap_or_default(),
            None if !self.all.is_empty() => self.all.clone(),
            None => BTreeSet::from(["crate".to_string()]),
        }
    }

    /// Where an item with this gate is, in words: its area (`users`), the areas that share it
    /// (`users, me`), `every area`, or `crate` for a crate without areas.
    fn label(&self, gate: Option<&str>) -> String {
        match gate {
            Some(feature) if self.all.contains(feature) => feature.to_string(),
            Some(feature) if !self.all.is_empty() => match self.enabling.get(feature) {
                Some(areas) if !areas.is_empty() => list(&areas.iter().collect::<Vec<_>>(), false),
                _ => feature.to_string(),
            },
            Some(feature) => feature.to_string(),
            None if self.all.is_empty() => "crate".to_string(),
            None => "every area".to_string(),
        }
    }
}
