//! Finding the documents of a service: the main CSDL document and every document it references
//! (`edmx:Reference`), directly or through each other, read from local files only.
//!
//! A reference's `Uri` is followed when it is a local file: a relative URI (read relative to
//! the referencing document), a `file://` URI, or any URI the user maps to a file (`--reference
//! URI=FILE`, or `[input] references` in a config). Nothing is ever fetched over the network: a
//! remote URI without a mapping is an error that says how to map it. A reference that includes
//! only standard vocabularies is never read, remote or local: the generator knows them without
//! their documents. Documents that reference each other are read once each.

use std::path::{Path, PathBuf};

use super::{Failure, Input};
use crate::diagnostics::{Diagnostic, Span};
use crate::resolve::STANDARD_VOCABULARIES;

/// What one document's `edmx:Reference` elements ask for, and what it declares, read before
/// the documents are read together.
struct Outline {
    references: Vec<Wanted>,
    namespaces: Vec<String>,
}

/// One `edmx:Reference`, owned.
struct Wanted {
    uri: String,
    uri_span: Span,
    /// The included namespaces, with where each is written.
    includes: Vec<(String, Span)>,
}

/// The outline of a document, or `None` when it does not read (the full read reports why).
fn outline(bytes: &[u8]) -> Option<Outline> {
    let (document, _) = crate::csdl::read(bytes).ok()?;
    Some(Outline {
        references: document
            .references
            .iter()
            .map(|reference| Wanted {
                uri: reference.uri.value.to_string(),
                uri_span: reference.uri.span,
                includes: reference
                    .includes
                    .iter()
                    .map(|include| (include.namespace.value.to_string(), include.namespace.span))
                    .collect(),
            })
            .collect(),
        namespaces: document
            .schemas
            .iter()
            .map(|schema| schema.namespace.value.to_string())
            .collect(),
    })
}

/// The local file a reference's URI names, if it names one: the user's mapping first, then a
/// `file://` URI, then a URI without a scheme, relative to the referencing document's folder.
fn local_file(uri: &str, referencing: &Path, mappings: &[(String, PathBuf)]) -> Option<PathBuf> {
    if let Some((_, file)) = mappings.iter().find(|(mapped, _)| mapped == uri) {
        return Some(file.clone());
    }
    if let Some(path) = uri.strip_prefix("file://") {
        return Some(PathBuf::from(path));
    }
    if has_scheme(uri) {
        return None;
    }
    let folder = referencing.parent().unwrap_or(Path::new("."));
    Some(folder.join(uri))
}

/// Whether `uri` starts with a scheme (`https:`, `urn:`); one letter before the colon is a
/// Windows drive, not a scheme.
fn has_scheme(uri: &str) -> bool {
    let Some((scheme, _)) = uri.split_once(':') else {
        return false;
    };
    scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The same file, however it was written (for documents that reference each other).
fn identity(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// The documents of the service whose main document is `main`: `main` first, then every local
/// document reached through references, in the order they are first referenced. `mappings`
/// maps reference URIs to files; `display` is how a path is shown in messages. Problems with
/// references are reported at the `Uri` or `Namespace` that has them.
pub fn read_documents(
    main: Input,
    mappings: &[(String, PathBuf)],
    display: &dyn Fn(&Path) -> String,
) -> Result<Vec<Input>, Failure> {
    let mut seen = vec![identity(&main.path)];
    let mut documents = vec![main];
    // For each document read, the namespaces its referrers include from it, with where, and
    // the namespaces it declares (`None` when it does not read: the full read reports why).
    let mut expected: Vec<Vec<(usize, String, Span)>> = vec![Vec::new()];
    let mut declared: Vec<Option<Vec<String>>> = Vec::new();
    let mut errors: Vec<(usize, Diagnostic)> = Vec::new();
    let mut next = 0;
    while next < documents.len() {
        let Some(outline) = outline(&documents[next].bytes) else {
            declared.push(None);
            next += 1;
            continue;
        };
        declared.push(Some(outline.namespaces));
        for wanted in outline.references {
            // The standard vocabularies are known without their documents: never read them
            // (a local copy's terms would otherwise join the service's schemas).
            let vocabularies_only = wanted
                .includes
                .iter()
                .all(|(namespace, _)| STANDARD_VOCABULARIES.contains(&namespace.as_str()));
            if vocabularies_only {
                continue;
            }
            let Some(path) = local_file(&wanted.uri, &documents[next].path, mappings) else {
                errors.push((
                        next,
                        Diagnostic::error(
                            wanted.uri_span,
                            format!(
                                "the referenced document `{}` is not a local file, and nothing is fetched over the network",
                                wanted.uri
                            ),
                        )
                        .with_note(
                            None,
                            format!(
                                "map it to a file with `--reference {}=FILE`, or in the config's `[input.references]`",
                                wanted.uri
                            ),
                        ),
                    ));
                continue;
            };
            let same = identity(&path);
            let index = match seen.iter().position(|p| *p == same) {
                Some(index) => index,
                None => match std::fs::read(&path) {
                    Ok(bytes) => {
                        seen.push(same);
                        documents.push(Input {
                            display: display(&path),
                            path,
                            bytes,
                        });
                        expected.push(Vec::new());
                        documents.len() - 1
                    }
                    Err(error) => {
                        // The same words on every system for the common case.
                        let reason = match error.kind() {
                            std::io::ErrorKind::NotFound => "no such file".to_string(),
                            _ => error.to_string(),
                        };
                        errors.push((
                            next,
                            Diagnostic::error(
                                wanted.uri_span,
                                format!(
                                    "cannot read the referenced document `{}`: {reason}",
                                    display(&path)
                                ),
                            ),
                        ));
                        continue;
                    }
                },
            };
            for (namespace, span) in wanted.includes {
                expected[index].push((next, namespace, span));
            }
        }
        next += 1;
    }
    // Every include, also those of a document read before the one that includes from it.
    for (index, wanted) in expected.iter().enumerate() {
        let Some(Some(namespaces)) = declared.get(index) else {
            continue;
        };
        for (referrer, namespace, span) in wanted {
            if !namespaces.contains(namespace) {
                errors.push((
                    *referrer,
                    Diagnostic::error(
                        *span,
                        format!(
                            "`{}` declares no schema `{namespace}`",
                            documents[index].display
                        ),
                    ),
                ));
            }
        }
    }
    if errors.is_empty() {
        return Ok(documents);
    }
    errors.sort_by_key(|(document, diagnostic)| (*document, diagnostic.span.start()));
    let mut text: String = errors
        .iter()
        .map(|(document, diagnostic)| {
            let input = &documents[*document];
            diagnostic.render(&input.display, &input.text())
        })
        .collect();
    text.push_str(&format!(
        "error: {} error(s) in the input; nothing was generated\n",
        errors.len()
    ));
    Err(Failure(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_told_from_relative_paths_and_drives() {
        assert!(has_scheme("https://example.com/a.xml"));
        assert!(has_scheme("urn:x-sample:products"));
        assert!(!has_scheme("Products.xml"));
        assert!(!has_scheme("../shared/Products.xml"));
        assert!(!has_scheme("C:\\csdl\\Products.xml"));
    }

    #[test]
    fn a_mapping_wins_over_the_uri() {
        let mappings = [(
            "https://example.com/a.xml".to_string(),
            PathBuf::from("local/a.xml"),
        )];
        let referencing = Path::new("dir/main.xml");
        assert_eq!(
            local_file("https://example.com/a.xml", referencing, &mappings),
            Some(PathBuf::from("local/a.xml"))
        );
        assert_eq!(
            local_file("https://example.com/b.xml", referencing, &mappings),
            None
        );
        assert_eq!(
            local_file("b.xml", referencing, &mappings),
            Some(PathBuf::from("dir/b.xml"))
        );
        assert_eq!(
            local_file("file:///srv/c.xml", referencing, &mappings),
            Some(PathBuf::from("/srv/c.xml"))
        );
    }
}
