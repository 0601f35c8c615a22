//! Tests against the real Microsoft Graph CSDL in `../shared/graph-metadata` (or
//! `$GRAPH_METADATA_DIR`). Without it they print a skip notice, except under `CI=true`, where
//! they fail.

use msgraph_codegen::{GenerateOptions, SliceSpec, csdl::syntax::Spanned};
use xtask::{graph_metadata, metadata_dir, refresh};

const SEED_ROOT: &str = "microsoft.graph.managedDeviceMobileAppConfigurationAssignment";

/// The slice in `metadata/` is what `cargo xtask refresh-metadata` extracts from clean.xml today
/// (apart from the header comment, which records the date).
#[test]
fn the_metadata_slice_is_fresh() {
    let Some(source) = graph_metadata::require("v1.0/clean.xml", "the_metadata_slice_is_fresh")
    else {
        return;
    };
    let extracted = refresh::extract(&source, "DATE", "cargo xtask refresh-metadata")
        .unwrap_or_else(|f| panic!("{f}"));
    let (_, config) = xtask::codegen::load_config().unwrap();
    let committed = std::fs::read_to_string(metadata_dir().join(&config.csdl)).unwrap();
    let without_comments = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|line| !line.starts_with("<!--"))
            .map(String::from)
            .collect()
    };
    assert_eq!(
        without_comments(&extracted),
        without_comments(&committed),
        "metadata/{} is stale: run `cargo xtask refresh-metadata` and `cargo xtask codegen`",
        config.csdl
    );
    assert!(committed.contains("Source: graph-metadata/v1.0/clean.xml"));
}

/// The slice holds facts only: no description annotations.
#[test]
fn the_metadata_slice_has_no_descriptions() {
    let (_, config) = xtask::codegen::load_config().unwrap();
    let committed = std::fs::read_to_string(metadata_dir().join(&config.csdl)).unwrap();
    assert!(!committed.contains("Description"));
    assert!(!committed.contains("<Annotation"));
}

/// Every real CSDL file reads and resolves without errors.
#[test]
fn every_real_csdl_file_loads() {
    if graph_metadata::require("v1.0/clean.xml", "every_real_csdl_file_loads").is_none() {
        return;
    }
    let files = graph_metadata::all_files();
    assert!(files.len() >= 14, "found only {files:?}");
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        match msgraph_codegen::load(&bytes) {
            Ok((model, warnings)) => {
                assert!(!model.types.is_empty(), "{}", path.display());
                eprintln!(
                    "{}: {} types, {} operations, {} warnings",
                    path.display(),
                    model.types.len(),
                    model.operations.len(),
                    warnings.len()
                );
            }
            Err(diagnostics) => {
                let text = String::from_utf8_lossy(&bytes);
                let rendered: String = diagnostics
                    .iter()
                    .take(5)
                    .map(|d| d.render(&path.display().to_string(), &text))
                    .collect();
                panic!("{} does not load:\n{rendered}", path.display());
            }
        }
    }
}

/// The standalone command: the seed root from clean.xml, with the closure rules.
#[test]
fn the_seed_root_slice_of_clean_xml() {
    let Some(source) =
        graph_metadata::require("v1.0/clean.xml", "the_seed_root_slice_of_clean_xml")
    else {
        return;
    };
    let bytes = std::fs::read(source).unwrap();
    let slice = SliceSpec {
        all: false,
        areas: false,
        roots: vec![Spanned::new(SEED_ROOT.to_string(), Default::default())],
        paths: Vec::new(),
    };
    let generated = msgraph_codegen::generate(&bytes, &GenerateOptions::standalone(slice, "test"))
        .unwrap_or_else(|d| panic!("{d:?}"));
    let models: Vec<&str> = generated
        .files
        .keys()
        .filter_map(|p| p.strip_prefix("src/models/"))
        .collect();
    assert_eq!(
        models,
        [
            "all_devices_assignment_target.rs",
            "all_licensed_users_assignment_target.rs",
            "configuration_manager_collection_assignment_target.rs",
            "device_and_app_management_assignment_target.rs",
            "exclusion_group_assignment_target.rs",
            "group_assignment_target.rs",
            "managed_device_mobile_app_configuration_assignment.rs",
            "mod.rs",
            "properties.rs",
        ],
        "the root brings its property types and their derived types, but `entity`'s other derived types stay out"
    );
}

/// Collections of directory objects (users, groups, devices, and the casts to them) count and
/// search with `ConsistencyLevel: eventual`, as Graph needs; other collections do not.
#[test]
fn directory_object_collections_count_with_eventual_consistency() {
    let Some(source) = graph_metadata::require(
        "v1.0/clean.xml",
        "directory_object_collections_count_with_eventual_consistency",
    ) else {
        return;
    };
    let bytes = std::fs::read(source).unwrap();
    let slice = SliceSpec {
        all: true,
        ..SliceSpec::default()
    };
    let generated = msgraph_codegen::generate(&bytes, &GenerateOptions::standalone(slice, "test"))
        .unwrap_or_else(|d| panic!("{d:?}"));
    let collection_impl = |file: &str, builder: &str| -> String {
        let text = &generated.files[&format!("src/requests/{file}")];
        let start = text
            .find(&format!("impl {builder} {{"))
            .unwrap_or_else(|| panic!("{file} has no `impl {builder}`"));
        let end = text[start..]
            .find("\n}\n")
            .map_or(text.len(), |end| start + end);
        text[start..end].to_string()
    };
    // The runtime's `CollectionRequest::list` and `count_items` read `Entity::COUNTS_EVENTUALLY`.
    let eventual = "const COUNTS_EVENTUALLY: bool = true;";
    for file in [
        "user.rs",
        "group.rs",
        "device.rs",
        "directory_object.rs",
        "service_principal.rs",
    ] {
        let text = &generated.files[&format!("src/requests/{file}")];
        let entity = text
            .find("impl crate::builder::Entity")
            .unwrap_or_else(|| panic!("{file} has no Entity impl:\n{text}"));
        assert!(
            text[entity..].trim_start_matches(|c| c != '{')[1..]
                .trim_start()
                .starts_with(eventual),
            "{file}:\n{text}"
        );
    }
    for file in ["managed_device.rs", "message.rs"] {
        let text = &generated.files[&format!("src/requests/{file}")];
        assert!(
            text.contains("impl crate::builder::Entity"),
            "{file}:\n{text}"
        );
        assert!(!text.contains("COUNTS_EVENTUALLY"), "{file}:\n{text}");
    }
    // Collections with a bound function named `count` keep it; `$count` is `count_items`.
    let charts = collection_impl("workbook_chart.rs", "WorkbookChartCollectionRequest");
    assert!(charts.contains("pub fn count(&self)"), "{charts}");
}

/// The defects real Graph metadata ships are warnings with positions, never errors: counted and
/// checked here against clean.xml (and Prod.csdl.xml for conflicting duplicate annotations).
#[test]
fn real_defects_are_warnings_with_positions() {
    let Some(clean) =
        graph_metadata::require("v1.0/clean.xml", "real_defects_are_warnings_with_positions")
    else {
        return;
    };
    let count = |path: &std::path::Path, needle: &str| -> (usize, Vec<String>) {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (_, warnings) = msgraph_codegen::load(&bytes).unwrap_or_else(|d| panic!("{d:?}"));
        let matching: Vec<String> = warnings
            .iter()
            .filter(|w| w.message.contains(needle))
            .map(|w| w.render("file.xml", &text))
            .collect();
        (matching.len(), matching)
    };
    let headline_has_position = |rendered: &[String]| {
        rendered.iter().all(|r| {
            let mut parts = r.splitn(4, ':');
            parts.next() == Some("file.xml")
                && parts
                    .next()
                    .is_some_and(|l| l.parse::<usize>().is_ok_and(|l| l > 1))
                && parts
                    .next()
                    .is_some_and(|c| c.parse::<usize>().is_ok_and(|c| c >= 1))
        })
    };
    // Measured on the 2026-08-20 metadata: 25 binding targets, 6 annotation targets, 1 term.
    for (needle, at_least) in [
        ("navigation property binding target", 25),
        ("annotation target", 6),
        ("`AppliesTo` of the term", 1),
    ] {
        let (found, rendered) = count(&clean, needle);
        assert!(
            found >= at_least,
            "clean.xml: expected at least {at_least} warnings about {needle}, found {found}"
        );
        assert!(headline_has_position(&rendered), "{rendered:?}");
    }
    if let Some(prod) = graph_metadata::file("v1.0/Prod.csdl.xml") {
        let (found, rendered) = count(&prod, "again, with a different value");
        assert!(found >= 5, "Prod.csdl.xml: {found} conflicting duplicates");
        assert!(headline_has_position(&rendered), "{rendered:?}");
        assert!(
            rendered
                .iter()
                .all(|r| r.contains("note: first annotated here"))
        );
    }
}

/// CSDL treats the order of schemas, of a schema's children, of a container's children and of
/// annotations as meaningless: generating all of Graph v1.0 from `clean.xml` with every such
/// list reversed gives byte-identical output.
#[test]
fn the_whole_of_graph_does_not_depend_on_element_order() {
    let Some(source) = graph_metadata::require(
        "v1.0/clean.xml",
        "the_whole_of_graph_does_not_depend_on_element_order",
    ) else {
        return;
    };
    let text = std::fs::read_to_string(&source).expect("clean.xml reads as UTF-8");
    let reordered = reverse_unordered_children(&text);
    assert_ne!(reordered, text);
    let options = GenerateOptions::standalone(
        SliceSpec {
            all: true,
            areas: true,
            ..SliceSpec::default()
        },
        "test",
    );
    let first = msgraph_codegen::generate(text.as_bytes(), &options).expect("clean.xml generates");
    let second = msgraph_codegen::generate(reordered.as_bytes(), &options)
        .expect("the reordered clean.xml generates");
    assert_eq!(first.files.len(), second.files.len());
    let differing: Vec<&String> = first
        .files
        .iter()
        .filter(|(path, text)| second.files.get(*path) != Some(text))
        .map(|(path, _)| path)
        .take(10)
        .collect();
    assert!(differing.is_empty(), "reordering changes {differing:?}");
}

/// Features per area over the whole of Graph v1.0 (clean.xml and Prod.csdl.xml): every item's hard dependencies (base and
/// property types, a builder's value type, an operation's parameter and return types, the
/// builder a composable function returns, an entry's builders) are compiled whenever the item
/// is, so any set of features compiles; the largest areas own only part of Graph; and the crate
/// declares at most crates.io's 300 features.
#[test]
fn every_area_of_graph_compiles_what_its_items_need() {
    use msgraph_codegen::emit::features::{Features, Item};
    use msgraph_codegen::select;
    for file in ["v1.0/clean.xml", "v1.0/Prod.csdl.xml"] {
        let Some(source) =
            graph_metadata::require(file, "every_area_of_graph_compiles_what_its_items_need")
        else {
            return;
        };
        let bytes = std::fs::read(&source).unwrap();
        let (model, _) = msgraph_codegen::load(&bytes).expect("the CSDL loads");
        let slice = SliceSpec {
            all: true,
            areas: true,
            ..SliceSpec::default()
        };
        let whole = select::select(&model, &slice, msgraph_codegen::SliceOrigin::CommandLine)
            .expect("the CSDL selects");
        let areas = select::areas(&model);
        let features = Features::new(&model, &whole, &areas);
        let unmet = features.unmet_dependencies(&model, &whole);
        assert!(
            unmet.is_empty(),
            "{file}: {} unmet dependencies, the first: {:#?}",
            unmet.len(),
            &unmet[..unmet.len().min(10)]
        );
        eprintln!("{file}: {} features", features.count());
        assert!(
            features.count() <= 300,
            "{file}: {} features",
            features.count()
        );
        // `users` reached nearly every builder when areas followed every navigation.
        let container = model.container.as_ref().unwrap();
        let users = container
            .children
            .iter()
            .position(|c| c.name == "users")
            .unwrap();
        let owned = areas[users].selection.builders.len();
        assert!(
            owned * 2 < whole.builders.len(),
            "{file}: users holds {owned} of {} builders",
            whole.builders.len()
        );
        let user = model.find("microsoft.graph.user").unwrap();
        let drive = model.find("microsoft.graph.drive").unwrap();
        assert!(!features.compiled_with(Item::ItemBuilder(drive), Item::ItemBuilder(user)));
    }
}

/// An element of the document: where it starts and ends, where its start tag ends and its end
/// tag starts (for elements with content), and its child elements.
struct Node {
    name: String,
    start: usize,
    start_tag_end: usize,
    end_tag_start: usize,
    end: usize,
    children: Vec<Node>,
}

/// The document with the children of every element whose order CSDL ignores in reverse order.
/// Whitespace and comments between reordered elements are not kept.
fn reverse_unordered_children(text: &str) -> String {
    use quick_xml::events::Event;
    // Positions below are counted without the byte-order mark.
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut root = None;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().expect("clean.xml is well-formed");
        let after = reader.buffer_position() as usize;
        let node = match event {
            Event::Start(start) => {
                stack.push(Node {
                    name: start.name().as_ref().to_string(),
                    start: before,
                    start_tag_end: after,
                    end_tag_start: after,
                    end: after,
                    children: Vec::new(),
                });
                continue;
            }
            Event::Empty(empty) => Node {
                name: empty.name().as_ref().to_string(),
                start: before,
                start_tag_end: after,
                end_tag_start: after,
                end: after,
                children: Vec::new(),
            },
            Event::End(_) => {
                let mut node = stack.pop().expect("balanced tags");
                node.end_tag_start = before;
                node.end = after;
                node
            }
            Event::Eof => break,
            _ => continue,
        };
        match stack.last_mut() {
            Some(parent) => parent.children.push(node),
            None => root = Some(node),
        }
    }
    let root = root.expect("a root element");
    let mut out = text[..root.start].to_string();
    render(text, &root, &mut out);
    out.push('\n');
    out
}

fn render(text: &str, node: &Node, out: &mut String) {
    if node.children.is_empty() {
        out.push_str(&text[node.start..node.end]);
        return;
    }
    const UNORDERED: &[&str] = &[
        "edmx:DataServices",
        "Schema",
        "EntityContainer",
        "Annotations",
    ];
    out.push_str(&text[node.start..node.start_tag_end]);
    let reverse = UNORDERED.contains(&node.name.as_str());
    let children: Vec<&Node> = if reverse {
        node.children.iter().rev().collect()
    } else {
        node.children.iter().collect()
    };
    for child in children {
        out.push('\n');
        render(text, child, out);
    }
    out.push('\n');
    out.push_str(&text[node.end_tag_start..node.end]);
}

/// `cargo xtask api-diff` of the 2023 metadata against today's, for the slice of online
/// meetings: Graph grew there (new properties, enum members, derived types, among them
/// `callRecords.userIdentity`, which does not take the `UserIdentity` variant of
/// `AnyIdentity`), and the one change of shape (`meetingParticipantInfo` got a derived type, so
/// its slots and their `$filter` constants hold a union) is breaking, with its reason.
#[test]
fn the_api_diff_of_the_2023_metadata_against_today() {
    let older = "older/v1.0-clean-with-inline-descriptions-2023-05.xml";
    let (Some(from), Some(to)) = (
        graph_metadata::require(older, "the_api_diff_of_the_2023_metadata_against_today"),
        graph_metadata::require(
            "v1.0/clean.xml",
            "the_api_diff_of_the_2023_metadata_against_today",
        ),
    ) else {
        return;
    };
    let options = |json| xtask::api_diff::Options {
        from: from.clone(),
        to: to.clone(),
        slice: SliceSpec {
            roots: vec![Spanned::new(
                "microsoft.graph.onlineMeeting".to_string(),
                Default::default(),
            )],
            ..SliceSpec::default()
        },
        config: None,
        json,
        summary: false,
        probe: None,
    };
    let text = xtask::api_diff::run(&options(false), "cargo xtask api-diff")
        .unwrap_or_else(|f| panic!("{f}"))
        .text;
    let json = xtask::api_diff::run(&options(true), "cargo xtask api-diff")
        .unwrap_or_else(|f| panic!("{f}"));
    // With a probe: the new crate and the probe record the command that made them.
    let folder = std::env::temp_dir().join(format!("api-diff-probe-{}", std::process::id()));
    let command = format!("cargo xtask api-diff --probe {}", folder.display());
    xtask::api_diff::run(
        &xtask::api_diff::Options {
            probe: Some(folder.clone()),
            ..options(false)
        },
        &command,
    )
    .unwrap_or_else(|f| panic!("{f}"));
    for file in [
        "probe/Cargo.toml",
        "probe/src/lib.rs",
        "new/Cargo.toml",
        "new/src/lib.rs",
    ] {
        let text = std::fs::read_to_string(folder.join(file)).unwrap();
        assert!(
            text.lines()
                .next()
                .is_some_and(|line| line.contains(&format!("@generated by `{command}`"))),
            "{file} records the command: {}",
            text.lines().next().unwrap_or_default()
        );
    }
    let _ = std::fs::remove_dir_all(&folder);
    let report: serde_json::Value = serde_json::from_str(&json.text).unwrap();
    let changes = report["changes"].as_array().unwrap();
    assert!(!changes.is_empty(), "{text}");
    // Every change in the text is in the JSON, with the same verdict.
    let breaking = changes.iter().filter(|c| c["breaking"] == true).count();
    assert_eq!(
        text.lines().filter(|l| l.starts_with('!')).count(),
        breaking,
        "{text}"
    );
    assert_eq!(json.breaking, breaking > 0);
    assert_eq!(
        report["release"],
        if breaking > 0 { "major" } else { "minor" }
    );
    for change in changes.iter().filter(|c| c["what"] == "added") {
        assert_eq!(
            change["breaking"], false,
            "growth marked breaking: {change}"
        );
    }
    assert!(
        text.contains("  + models::AnyIdentity variant CallRecordsUserIdentity: a new variant\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "! ~ models::MeetingParticipants field organizer: the type is \
             `Option<models::AnyMeetingParticipantInfo>`, was `Option<models::MeetingParticipantInfo>`\n"
        ),
        "{text}"
    );
    // The two fields and their typed `$filter` constants.
    assert!(
        text.contains("! ~ models::MeetingParticipants const ORGANIZER: "),
        "{text}"
    );
    assert_eq!(breaking, 4, "{text}");
    // The same file against itself: nothing changed, a patch release.
    let same = xtask::api_diff::run(
        &xtask::api_diff::Options {
            from: to.clone(),
            ..options(true)
        },
        "cargo xtask api-diff",
    )
    .unwrap();
    assert!(!same.breaking);
    assert!(
        same.text.contains("\"release\": \"patch\""),
        "{}",
        same.text
    );
}
