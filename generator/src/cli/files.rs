//! Writing a generated crate to disk: only what changed, and nothing left over.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::Failure;

/// What a write did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WriteSummary {
    /// Files created or changed.
    pub written: Vec<String>,
    /// Files removed because the generator no longer makes them.
    pub removed: Vec<String>,
    /// Files left as they were.
    pub unchanged: usize,
}

/// How a folder differs from what the generator makes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// On disk with other contents.
    pub stale: Vec<String>,
    /// Generated but not on disk.
    pub missing: Vec<String>,
    /// On disk but not generated.
    pub extra: Vec<String>,
}

impl Drift {
    /// Whether the folder matches.
    pub fn is_empty(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

/// Paths that belong to the build, not to the generated crate, and are never touched.
fn is_build_output(relative: &str) -> bool {
    relative == "Cargo.lock" || relative.starts_with("target/")
}

/// Every file below `root`, as `/`-separated relative paths, without build output.
pub fn list_files(root: &Path) -> Result<BTreeSet<String>, Failure> {
    let mut found = BTreeSet::new();
    if !root.exists() {
        return Ok(found);
    }
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|e| {
            Failure(format!(
                "{}: error: cannot list the folder: {e}",
                folder.display()
            ))
        })?;
        for entry in entries {
            let entry = entry.map_err(|e| Failure(format!("{}: error: {e}", folder.display())))?;
            let path = entry.path();
            let relative = relative_path(root, &path);
            if is_build_output(&relative) || relative == "target" {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                found.insert(relative);
            }
        }
    }
    Ok(found)
}

fn relative_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Compares `files` with the contents of `root`.
pub fn compare(root: &Path, files: &BTreeMap<String, String>) -> Result<Drift, Failure> {
    let on_disk = list_files(root)?;
    let mut drift = Drift::default();
    for (path, text) in files {
        if on_disk.contains(path) {
            let current = std::fs::read(root.join(path)).unwrap_or_default();
            if current != text.as_bytes() {
                drift.stale.push(path.clone());
            }
        } else {
            drift.missing.push(path.clone());
        }
    }
    drift.extra = on_disk
        .into_iter()
        .filter(|p| !files.contains_key(p))
        .collect();
    Ok(drift)
}

/// Writes `files` below `root`: changed files only, and removes files the generator no longer
/// makes (and folders left empty).
pub fn write(root: &Path, files: &BTreeMap<String, String>) -> Result<WriteSummary, Failure> {
    let drift = compare(root, files)?;
    let mut summary = WriteSummary::default();
    for path in drift.stale.iter().chain(&drift.missing) {
        let target = root.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                Failure(format!(
                    "{}: error: cannot create the folder: {e}",
                    parent.display()
                ))
            })?;
        }
        std::fs::write(&target, &files[path])
            .map_err(|e| Failure(format!("{}: error: cannot write: {e}", target.display())))?;
        summary.written.push(path.clone());
    }
    for path in &drift.extra {
        let target = root.join(path);
        std::fs::remove_file(&target)
            .map_err(|e| Failure(format!("{}: error: cannot remove: {e}", target.display())))?;
        summary.removed.push(path.clone());
        remove_empty_parents(root, &target);
    }
    summary.unchanged = files.len() - drift.stale.len() - drift.missing.len();
    Ok(summary)
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut current: Option<PathBuf> = file.parent().map(Path::to_path_buf);
    while let Some(folder) = current {
        if folder == root || !folder.starts_with(root) {
            break;
        }
        if std::fs::remove_dir(&folder).is_err() {
            break; // not empty
        }
        current = folder.parent().map(Path::to_path_buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn writes_only_changes_and_removes_leftovers() {
        let dir = temp_dir("write");
        std::fs::create_dir_all(dir.join("src/old")).unwrap();
        std::fs::write(dir.join("src/old/gone.rs"), "old").unwrap();
        std::fs::write(dir.join("same.txt"), "same").unwrap();
        std::fs::create_dir_all(dir.join("target/debug")).unwrap();
        std::fs::write(dir.join("target/debug/keep"), "build output").unwrap();
        std::fs::write(dir.join("Cargo.lock"), "lock").unwrap();
        let files: BTreeMap<String, String> = [
            ("same.txt".to_string(), "same".to_string()),
            ("src/new.rs".to_string(), "new".to_string()),
        ]
        .into();
        let summary = write(&dir, &files).unwrap();
        assert_eq!(summary.written, vec!["src/new.rs"]);
        assert_eq!(summary.removed, vec!["src/old/gone.rs"]);
        assert_eq!(summary.unchanged, 1);
        assert!(!dir.join("src/old").exists(), "empty folders are removed");
        assert!(
            dir.join("target/debug/keep").exists(),
            "build output is left alone"
        );
        assert!(dir.join("Cargo.lock").exists());
        assert!(compare(&dir, &files).unwrap().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn compare_lists_stale_missing_and_extra_files() {
        let dir = temp_dir("compare");
        std::fs::write(dir.join("a.rs"), "edited by hand").unwrap();
        std::fs::write(dir.join("extra.rs"), "x").unwrap();
        let files: BTreeMap<String, String> = [
            ("a.rs".to_string(), "generated".to_string()),
            ("b.rs".to_string(), "generated".to_string()),
        ]
        .into();
        let drift = compare(&dir, &files).unwrap();
        assert_eq!(drift.stale, vec!["a.rs"]);
        assert_eq!(drift.missing, vec!["b.rs"]);
        assert_eq!(drift.extra, vec!["extra.rs"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
