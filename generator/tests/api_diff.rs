//! The API diff on pairs of small services: one kind of change each, with its verdict under the
//! semver policy (growth is not breaking; removals and changes are).

use msgraph_codegen::api::{self, Change, Release, Surface, What};
use msgraph_codegen::{GenerateOptions, SliceSpec};

/// A service with a bit of everything: an entity with a navigation and an action, a complex
/// type, an abstract complex type with one derived type (a union), an enum.
const BASE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="example.org" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="user">
        <Key><PropertyRef Name="id"/></Key>
        <Property Name="id" Type="Edm.String" Nullable="false"/>
        <Property Name="displayName" Type="Edm.String"/>
        <Property Name="age" Type="Edm.Int32"/>
        <Property Name="home" Type="example.org.place"/>
        <Property Name="target" Type="example.org.target"/>
        <Property Name="color" Type="example.org.color"/>
        <NavigationProperty Name="manager" Type="example.org.user"/>
      </EntityType>
      <ComplexType Name="place">
        <Property Name="city" Type="Edm.String"/>
      </ComplexType>
      <ComplexType Name="target" Abstract="true"/>
      <ComplexType Name="groupTarget" BaseType="example.org.target">
        <Property Name="groupId" Type="Edm.String"/>
      </ComplexType>
      <EnumType Name="color">
        <Member Name="red" Value="0"/>
        <Member Name="green" Value="1"/>
      </EnumType>
      <Action Name="assign" IsBound="true">
        <Parameter Name="bindingParameter" Type="example.org.user"/>
        <Parameter Name="reason" Type="Edm.String" Nullable="false"/>
      </Action>
      <EntityContainer Name="service">
        <EntitySet Name="users" EntityType="example.org.user"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#;

fn surface(csdl: &str) -> Surface {
    let slice = SliceSpec {
        all: true,
        areas: true,
        ..SliceSpec::default()
    };
    let options = GenerateOptions::standalone(slice, "api-diff test");
    let generated = msgraph_codegen::generate(csdl.as_bytes(), &options)
        .unwrap_or_else(|e| panic!("the test service generates: {e:?}"));
    Surface::read(
        generated
            .files
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str())),
    )
    .expect("the generated files parse")
}

/// The changes from `BASE` to `BASE` with `edit` applied (each `(old, new)` must match once).
fn changes(edits: &[(&str, &str)]) -> Vec<Change> {
    let mut new = BASE.to_string();
    for (old, replacement) in edits {
        assert_eq!(new.matches(old).count(), 1, "the edit `{old}` matches once");
        new = new.replacen(old, replacement, 1);
    }
    api::diff(&surface(BASE), &surface(&new))
}

/// The change to `item` and `member`, which must exist.
fn find<'a>(changes: &'a [Change], item: &str, member: Option<&str>) -> &'a Change {
    changes
        .iter()
        .find(|c| c.item == item && c.member.as_deref() == member)
        .unwrap_or_else(|| panic!("no change to {item} {member:?} in {changes:#?}"))
}

fn assert_growth(changes: &[Change]) {
    assert!(!changes.is_empty());
    let breaking: Vec<_> = changes.iter().filter(|c| c.breaking).collect();
    assert!(breaking.is_empty(), "growth broke something: {breaking:#?}");
    assert_eq!(api::release(changes), Release::Minor);
}

#[test]
fn the_same_service_has_no_changes() {
    let changes = changes(&[]);
    assert!(changes.is_empty(), "{changes:#?}");
    assert_eq!(api::release(&changes), Release::Patch);
}

#[test]
fn an_added_property_is_growth() {
    let changes = changes(&[(
        r#"<Property Name="age" Type="Edm.Int32"/>"#,
        r#"<Property Name="age" Type="Edm.Int32"/><Property Name="mail" Type="Edm.String"/>"#,
    )]);
    assert_growth(&changes);
    let field = find(&changes, "models::User", Some("field mail"));
    assert_eq!(field.what, What::Added);
    // The property-name enum for `$select` grows too.
    find(&changes, "models::properties::User", Some("variant Mail"));
}

#[test]
fn a_removed_property_is_breaking() {
    let changes = changes(&[(r#"<Property Name="age" Type="Edm.Int32"/>"#, "")]);
    let field = find(&changes, "models::User", Some("field age"));
    assert_eq!((field.what, field.breaking), (What::Removed, true));
    assert_eq!(api::release(&changes), Release::Major);
}

#[test]
fn a_property_whose_type_changed_is_breaking() {
    let changes = changes(&[(
        r#"<Property Name="age" Type="Edm.Int32"/>"#,
        r#"<Property Name="age" Type="Edm.Int64"/>"#,
    )]);
    let field = find(&changes, "models::User", Some("field age"));
    assert_eq!((field.what, field.breaking), (What::Changed, true));
    assert!(
        field.reason.contains("`Option<i64>`, was `Option<i32>`"),
        "{}",
        field.reason
    );
}

#[test]
fn an_added_enum_member_is_growth() {
    let changes = changes(&[(
        r#"<Member Name="green" Value="1"/>"#,
        r#"<Member Name="green" Value="1"/><Member Name="blue" Value="2"/>"#,
    )]);
    assert_growth(&changes);
    find(&changes, "models::Color", Some("variant Blue"));
}

#[test]
fn a_removed_enum_member_is_breaking() {
    let changes = changes(&[(r#"<Member Name="green" Value="1"/>"#, "")]);
    let variant = find(&changes, "models::Color", Some("variant Green"));
    assert_eq!((variant.what, variant.breaking), (What::Removed, true));
}

#[test]
fn an_added_derived_type_is_growth() {
    let changes = changes(&[(
        r#"<EnumType Name="color">"#,
        r#"<ComplexType Name="allUsersTarget" BaseType="example.org.target"/>
      <EnumType Name="color">"#,
    )]);
    assert_growth(&changes);
    find(&changes, "models::Target", Some("variant AllUsersTarget"));
    assert_eq!(
        find(&changes, "models::AllUsersTarget", None).what,
        What::Added
    );
}

/// The one kind of growth the policy cannot absorb: a type that gets its first derived type
/// becomes a union in every slot that holds it. The diff says so.
#[test]
fn a_first_derived_type_is_breaking_and_said_so() {
    let changes = changes(&[(
        r#"<EnumType Name="color">"#,
        r#"<ComplexType Name="office" BaseType="example.org.place"/>
      <EnumType Name="color">"#,
    )]);
    let field = find(&changes, "models::User", Some("field home"));
    assert!(field.breaking);
    assert!(
        field
            .reason
            .contains("`Option<models::AnyPlace>`, was `Option<models::Place>`"),
        "{}",
        field.reason
    );
}

#[test]
fn an_added_navigation_is_growth() {
    let changes = changes(&[(
        r#"<NavigationProperty Name="manager" Type="example.org.user"/>"#,
        r#"<NavigationProperty Name="manager" Type="example.org.user"/>
        <NavigationProperty Name="directReports" Type="Collection(example.org.user)"/>"#,
    )]);
    assert_growth(&changes);
    let method = find(&changes, "requests::UserRequest", Some("fn direct_reports"));
    assert_eq!(method.what, What::Added);
}

#[test]
fn a_removed_navigation_is_breaking() {
    let changes = changes(&[(
        r#"<NavigationProperty Name="manager" Type="example.org.user"/>"#,
        "",
    )]);
    let method = find(&changes, "requests::UserRequest", Some("fn manager"));
    assert_eq!((method.what, method.breaking), (What::Removed, true));
}

#[test]
fn an_added_operation_is_growth() {
    let changes = changes(&[(
        r#"<EntityContainer Name="service">"#,
        r#"<Action Name="archive" IsBound="true">
        <Parameter Name="bindingParameter" Type="example.org.user"/>
      </Action>
      <EntityContainer Name="service">"#,
    )]);
    assert_growth(&changes);
    find(&changes, "requests::UserRequest", Some("fn archive"));
}

#[test]
fn an_added_required_parameter_is_breaking() {
    let changes = changes(&[(
        r#"<Parameter Name="reason" Type="Edm.String" Nullable="false"/>"#,
        r#"<Parameter Name="reason" Type="Edm.String" Nullable="false"/>
        <Parameter Name="until" Type="Edm.Int32" Nullable="false"/>"#,
    )]);
    let new = find(&changes, "requests::UserAssignParameters", Some("fn new"));
    assert!(new.breaking);
    assert!(
        new.reason.starts_with("a required parameter was added"),
        "{}",
        new.reason
    );
}

#[test]
fn an_added_optional_parameter_is_growth() {
    let changes = changes(&[(
        r#"<Parameter Name="reason" Type="Edm.String" Nullable="false"/>"#,
        r#"<Parameter Name="reason" Type="Edm.String" Nullable="false"/>
        <Parameter Name="note" Type="Edm.String"/>"#,
    )]);
    assert_growth(&changes);
    find(
        &changes,
        "requests::UserAssignParameters",
        Some("field note"),
    );
}

#[test]
fn an_added_area_is_growth_and_a_removed_one_is_breaking() {
    let added = changes(&[(
        r#"<EntitySet Name="users" EntityType="example.org.user"/>"#,
        r#"<EntitySet Name="users" EntityType="example.org.user"/>
        <Singleton Name="me" Type="example.org.user"/>"#,
    )]);
    assert_growth(&added);
    find(&added, "features", Some("feature me"));
    find(&added, "Graph", Some("fn me"));

    let removed = changes(&[(
        r#"<EntitySet Name="users" EntityType="example.org.user"/>"#,
        r#"<Singleton Name="me" Type="example.org.user"/>"#,
    )]);
    let feature = find(&removed, "features", Some("feature users"));
    assert_eq!((feature.what, feature.breaking), (What::Removed, true));
}

#[test]
fn the_report_groups_by_area_and_marks_breaks() {
    let changes = changes(&[
        (r#"<Property Name="age" Type="Edm.Int32"/>"#, ""),
        (
            r#"<Member Name="green" Value="1"/>"#,
            r#"<Member Name="green" Value="1"/><Member Name="blue" Value="2"/>"#,
        ),
    ]);
    let text = api::render(&changes, false);
    assert!(
        text.contains("\n! - models::User field age: the field is gone\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  + models::Color variant Blue: a new variant\n"),
        "{text}"
    );
    assert!(text.ends_with("breaking: a major release\n"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&api::to_json(&changes)).unwrap();
    assert_eq!(json["release"], "major");
    assert!(json["changes"].as_array().unwrap().iter().any(|c| {
        c["item"] == "models::User" && c["member"] == "field age" && c["breaking"] == true
    }));
}

#[test]
fn an_item_that_leaves_an_area_is_breaking() {
    // `place` is reached from users (`home`) and from groups: both areas compile it.
    let with_groups = |csdl: &str| {
        csdl.replacen(
            r#"<EntitySet Name="users" EntityType="example.org.user"/>"#,
            r#"<EntitySet Name="users" EntityType="example.org.user"/>
        <EntitySet Name="groups" EntityType="example.org.group"/>"#,
            1,
        )
        .replacen(
            r#"<ComplexType Name="place">"#,
            r#"<EntityType Name="group">
        <Key><PropertyRef Name="id"/></Key>
        <Property Name="id" Type="Edm.String" Nullable="false"/>
        <Property Name="office" Type="example.org.place"/>
      </EntityType>
      <ComplexType Name="place">"#,
            1,
        )
    };
    let old = with_groups(BASE);
    let new = old.replacen(r#"<Property Name="home" Type="example.org.place"/>"#, "", 1);
    let changes = api::diff(&surface(&old), &surface(&new));
    let place = find(&changes, "models::Place", None);
    assert_eq!((place.what, place.breaking), (What::Changed, true));
    assert!(
        place.reason.contains("no longer compiled with `users`"),
        "{}",
        place.reason
    );
    assert_eq!(place.area, "groups");
    // Group features are numbered anew each time: they are never listed themselves.
    assert!(
        changes
            .iter()
            .all(|c| !c.member.as_deref().unwrap_or("").starts_with("feature _"))
    );
}
