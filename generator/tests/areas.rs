//! Features per area: each builder belongs to the areas nearest to it, an area's selection stops
//! at builders other areas own, and every item's hard dependencies are compiled wherever it is.

use msgraph_codegen::emit::features::{Features, Item};
use msgraph_codegen::select::{self, Ownership};
use msgraph_codegen::{SliceOrigin, SliceSpec};

const DOCUMENT: &str = include_str!("fixtures/areas/input.csdl.xml");

#[test]
fn builders_belong_to_the_nearest_areas() {
    let (model, _) = msgraph_codegen::load(DOCUMENT.as_bytes()).unwrap();
    let container = model.container.as_ref().unwrap();
    let entry = |name: &str| {
        container
            .children
            .iter()
            .position(|c| c.name == name)
            .unwrap()
    };
    let ty = |name: &str| model.find(&format!("example.org.{name}")).unwrap();
    let ownership = Ownership::new(&model);
    // `users` and `me` are both at distance 0 from `user`; `directoryObjects` is one cast away.
    assert_eq!(ownership.owners(ty("user")), [entry("me"), entry("users")]);
    assert_eq!(ownership.owners(ty("group")), [entry("groups")]);
    assert_eq!(
        ownership.owners(ty("directoryObject")),
        [entry("directoryObjects")]
    );
    assert!(
        ownership.owners(ty("address")).is_empty(),
        "not a builder type"
    );

    let areas = select::areas(&model);
    let users = &areas[entry("users")].selection;
    // The walk stops at builders other areas own: no builder, no navigation, no struct.
    assert!(users.builders.contains_key(&ty("user")));
    assert!(!users.builders.contains_key(&ty("group")));
    assert!(!users.builders.contains_key(&ty("directoryObject")));
    assert!(!users.types.contains(&ty("group")));
    assert_eq!(
        users.navigations.len(),
        1,
        "only `manager`: {:?}",
        users.navigations
    );
    // Union variants of builders other areas own are soft; the union's base stays.
    let directory = &areas[entry("directoryObjects")].selection;
    assert!(directory.value_types.contains(&ty("directoryObject")));
    assert!(!directory.types.contains(&ty("user")));
    assert!(!directory.types.contains(&ty("group")));
    assert!(directory.casts.is_empty(), "{:?}", directory.casts);
}

#[test]
fn every_item_of_the_areas_fixture_has_its_dependencies() {
    let (model, _) = msgraph_codegen::load(DOCUMENT.as_bytes()).unwrap();
    let slice = SliceSpec {
        all: true,
        areas: true,
        ..SliceSpec::default()
    };
    let whole = select::select(&model, &slice, SliceOrigin::CommandLine).unwrap();
    let areas = select::areas(&model);
    let features = Features::new(&model, &whole, &areas);
    assert_eq!(
        features.unmet_dependencies(&model, &whole),
        Vec::<String>::new()
    );
    let user = model.find("example.org.user").unwrap();
    let group = model.find("example.org.group").unwrap();
    assert_eq!(features.feature(Item::ItemBuilder(group)), Some("groups"));
    assert!(!features.compiled_with(Item::ItemBuilder(group), Item::ItemBuilder(user)));
    // full, 6 areas (types-outside-areas included) and the groups.
    assert_eq!(features.count(), 1 + 6 + features.groups.len());
}
