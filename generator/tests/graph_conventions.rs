//! What the generator knows of Graph that its CSDL does not say: actions that answer
//! `202 Accepted` and carry on in the background, and the directory objects that Graph counts
//! and searches only with `ConsistencyLevel: eventual`.

use msgraph_codegen::{GenerateOptions, SliceSpec};

const GRAPH: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="team">
        <Key><PropertyRef Name="id"/></Key>
        <Property Name="id" Type="Edm.String" Nullable="false"/>
      </EntityType>
      <EntityType Name="driveItem">
        <Key><PropertyRef Name="id"/></Key>
        <Property Name="id" Type="Edm.String" Nullable="false"/>
      </EntityType>
      <Action Name="clone" IsBound="true">
        <Parameter Name="bindingParameter" Type="microsoft.graph.team"/>
        <Parameter Name="displayName" Type="Edm.String"/>
      </Action>
      <Action Name="archive" IsBound="true">
        <Parameter Name="bindingParameter" Type="microsoft.graph.team"/>
      </Action>
      <Action Name="copy" IsBound="true">
        <Parameter Name="bindingParameter" Type="microsoft.graph.driveItem"/>
        <Parameter Name="name" Type="Edm.String"/>
        <ReturnType Type="microsoft.graph.driveItem"/>
      </Action>
      <Action Name="sendActivityNotification" IsBound="true">
        <Parameter Name="bindingParameter" Type="microsoft.graph.team"/>
      </Action>
      <EntityContainer Name="GraphService">
        <EntitySet Name="teams" EntityType="microsoft.graph.team"/>
        <EntitySet Name="items" EntityType="microsoft.graph.driveItem"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#;

/// The areas fixture: directory objects (users, groups) and rooms.
const AREAS: &str = include_str!("fixtures/areas/input.csdl.xml");

fn generate(document: &str) -> std::collections::BTreeMap<String, String> {
    let options = GenerateOptions::standalone(
        SliceSpec {
            all: true,
            ..SliceSpec::default()
        },
        "test",
    );
    msgraph_codegen::generate(document.as_bytes(), &options)
        .unwrap_or_else(|d| panic!("{d:?}"))
        .files
}

/// The text of the method `name` in `file`: from its `pub fn` to the next one.
fn method<'f>(file: &'f str, name: &str) -> &'f str {
    let start = file
        .find(&format!("pub fn {name}("))
        .unwrap_or_else(|| panic!("no `{name}` in:\n{file}"));
    let rest = &file[start..];
    let end = rest[1..].find("pub fn ").map_or(rest.len(), |end| end + 1);
    &rest[..end]
}

#[test]
fn long_running_actions_answer_with_their_monitor() {
    let files = generate(GRAPH);
    let team = &files["src/requests/team.rs"];
    for name in ["clone", "archive"] {
        let text = method(team, name);
        assert!(
            text.contains("crate::Operation<crate::monitor::Accepted>")
                && text.contains("ResponseShape::Accepted"),
            "{text}"
        );
    }
    // The CSDL's result of `copy` (a drive item) is not what the answer holds.
    let copy = method(&files["src/requests/drive_item.rs"], "copy");
    assert!(copy.contains("crate::monitor::Accepted"), "{copy}");
    // Other actions are read as the CSDL says.
    let other = method(team, "send_activity_notification");
    assert!(
        other.contains("crate::Operation<()>") && other.contains("ResponseShape::Empty"),
        "{other}"
    );
    // Another service's `team` is not Graph's.
    let elsewhere = generate(&GRAPH.replace("microsoft.graph", "example.org"));
    assert!(!elsewhere["src/requests/team.rs"].contains("monitor::Accepted"));
}

/// Graph counts and searches directory objects only with `ConsistencyLevel: eventual`: the
/// collection builders of `microsoft.graph.directoryObject` and every type derived from it say
/// so (`COUNTS_EVENTUALLY`, which the runtime reads to add the header to `$count`, `$search`
/// and `/$count`, and to every next page), and no other builder does.
#[test]
fn directory_objects_are_counted_with_eventual_consistency() {
    let graph = AREAS.replace("example.org", "microsoft.graph");
    let marks = |files: &std::collections::BTreeMap<String, String>, file: &str| {
        files[file].contains("const COUNTS_EVENTUALLY: bool = true;")
    };
    let files = generate(&graph);
    for file in [
        "src/requests/directory_object.rs",
        "src/requests/user.rs",
        "src/requests/group.rs",
    ] {
        assert!(marks(&files, file), "{file} counts eventually");
    }
    assert!(
        !marks(&files, "src/requests/room.rs"),
        "a room is no directory object"
    );
    // Another service's type of the same name is not Graph's.
    let other = generate(AREAS);
    assert!(!marks(&other, "src/requests/user.rs"));
}
