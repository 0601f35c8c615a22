//! Defects that real metadata ships are warnings with positions, never errors: the document still
//! loads. Also: the standard vocabularies need no `edmx:Reference`, annotations of any schema
//! reach their targets, and targets may name members and operation overloads.

use msgraph_codegen::model::TypeKind;

const DOCUMENT: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="example.shop" Alias="shop" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="state"><Member Name="open" Value="0" /><Member Name="closed" Value="1" /></EnumType>
      <EntityType Name="order">
        <Property Name="id" Type="Edm.String" Nullable="false" />
        <Key><PropertyRef Name="id" /></Key>
        <Property Name="state" Type="shop.state" />
        <NavigationProperty Name="lines" Type="Collection(shop.line)" ContainsTarget="true" />
      </EntityType>
      <EntityType Name="line"><Key><PropertyRef Name="id" /></Key><Property Name="id" Type="Edm.String" Nullable="false" /></EntityType>
      <Function Name="total" IsBound="true"><Parameter Name="bindingParameter" Type="shop.order" /><Parameter Name="currency" Type="Edm.String" /><ReturnType Type="Edm.Double" /></Function>
      <Function Name="total" IsBound="true"><Parameter Name="bindingParameter" Type="Collection(shop.order)" /><ReturnType Type="Edm.Double" /></Function>
      <Term Name="internal" Type="Edm.Boolean" AppliesTo="shop.order)" />
      <EntityContainer Name="Shop">
        <EntitySet Name="orders" EntityType="shop.order">
          <NavigationPropertyBinding Path="lines" Target="orders/lines" />
          <NavigationPropertyBinding Path="lines" Target="archive/lines" />
        </EntitySet>
      </EntityContainer>
    </Schema>
    <Schema Namespace="example.notes" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <Annotations Target="example.shop.order/state">
        <Annotation Term="Org.OData.Core.V1.Description" String="Where the order is." />
      </Annotations>
      <Annotations Target="shop.state/closed">
        <Annotation Term="Org.OData.Core.V1.Description"><String>Done.</String></Annotation>
      </Annotations>
      <Annotations Target="shop.total(Collection(shop.order))">
        <Annotation Term="Org.OData.Core.V1.Description" String="The sum over orders." />
      </Annotations>
      <Annotations Target="shop.total(shop.order, Edm.String)">
        <Annotation Term="Org.OData.Core.V1.Description" String="The total of one order." />
      </Annotations>
      <Annotations Target="shop.total(shop.line)">
        <Annotation Term="Org.OData.Core.V1.Description" String="No such overload." />
      </Annotations>
      <Annotations Target="shop.ordr">
        <Annotation Term="Org.OData.Core.V1.Description" String="A missing type." />
      </Annotations>
      <Annotations Target="shop.order/total">
        <Annotation Term="Org.OData.Core.V1.Description" String="A missing property." />
      </Annotations>
      <Annotations Target="shop.order">
        <Annotation Term="Org.OData.Capabilities.V1.TopSupported" Bool="true" />
        <Annotation Term="Vendor.Unknown.Flag" />
      </Annotations>
      <Annotations Target="example.shop.order">
        <Annotation Term="Org.OData.Capabilities.V1.TopSupported" Bool="false" />
        <Annotation Term="Org.OData.Core.V1.Description" String="An order." />
      </Annotations>
      <Annotations Target="example.shop.Shop/orders">
        <Annotation Term="Org.OData.Capabilities.V1.InsertRestrictions">
          <Record Type="Org.OData.Capabilities.V1.InsertRestrictionsType">
            <PropertyValue Property="Insertable" Bool="false" />
          </Record>
        </Annotation>
      </Annotations>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#;

#[test]
fn real_world_defects_are_warnings_with_positions() {
    let (model, warnings) = msgraph_codegen::load(DOCUMENT.as_bytes())
        .unwrap_or_else(|errors| panic!("the document must load: {errors:#?}"));
    let rendered: String = warnings
        .iter()
        .map(|w| w.render("input.xml", DOCUMENT))
        .collect();
    let headlines: Vec<&str> = rendered
        .lines()
        .filter(|line| line.starts_with("input.xml:") || line.starts_with("  = note"))
        .collect();
    assert_eq!(
        headlines,
        [
            "input.xml:15:59: warning: `AppliesTo` of the term `internal` has a malformed item `shop.order)`",
            "  = note: `)` cannot appear in an element kind or a qualified name",
            "input.xml:19:59: warning: the navigation property binding target `archive/lines` does not resolve",
            "  = note: `archive` is not an entity set or singleton of the container",
            "input.xml:36:28: warning: the annotation target `shop.total(shop.line)` names nothing in this document",
            "  = note: no overload of `example.shop.total` has the parameter types `(shop.line)`",
            "input.xml:39:28: warning: the annotation target `shop.ordr` names nothing in this document",
            "  = note: did you mean `example.shop.order`?",
            "input.xml:42:28: warning: the annotation target `shop.order/total` names nothing in this document",
            "  = note: `example.shop.order` has no property, navigation property or member `total`",
            "input.xml:47:27: warning: unknown vocabulary `Vendor.Unknown` in the annotation term `Vendor.Unknown.Flag`",
            "  = note: declare it with `edmx:Reference`/`edmx:Include`",
            "input.xml:50:27: warning: `example.shop.order` is annotated with `Org.OData.Capabilities.V1.TopSupported` again, with a different value; the first value is kept",
            "input.xml:46:27: note: first annotated here",
        ],
        "{rendered}"
    );

    // Annotations from another schema reach their targets, by alias or by full namespace.
    let order = model.ty(model.find("example.shop.order").unwrap());
    assert_eq!(order.description.as_deref(), Some("An order."));
    let TypeKind::Structured(def) = &order.kind else {
        panic!("order is structured")
    };
    assert_eq!(
        def.properties[1].description.as_deref(),
        Some("Where the order is.")
    );
    let state = model.ty(model.find("example.shop.state").unwrap());
    let TypeKind::Enum(def) = &state.kind else {
        panic!("state is an enum")
    };
    assert_eq!(def.members[1].description.as_deref(), Some("Done."));
    // Each overload gets its own description.
    let totals: Vec<(bool, Option<&str>)> = model
        .operations
        .iter()
        .filter(|o| o.name == "total")
        .map(|o| {
            (
                o.binding.is_some_and(|b| b.collection),
                o.description.as_deref(),
            )
        })
        .collect();
    assert_eq!(totals.len(), 2);
    assert!(totals.contains(&(true, Some("The sum over orders."))));
    assert!(totals.contains(&(false, Some("The total of one order."))));
}

#[test]
fn attribute_and_text_values_decode_references() {
    let document = DOCUMENT
        .replace(
            r#"String="Where the order is.""#,
            "String=\"Where &amp; why:&#10;now\"",
        )
        .replace(
            "<String>Done.</String>",
            "<String> Done &amp; &lt;dusted&gt; </String>",
        );
    let (model, _) = msgraph_codegen::load(document.as_bytes()).unwrap();
    let order = model.ty(model.find("example.shop.order").unwrap());
    let TypeKind::Structured(def) = &order.kind else {
        panic!("order is structured")
    };
    assert_eq!(
        def.properties[1].description.as_deref(),
        Some("Where & why:\nnow")
    );
    let state = model.ty(model.find("example.shop.state").unwrap());
    let TypeKind::Enum(def) = &state.kind else {
        panic!("state is an enum")
    };
    assert_eq!(
        def.members[1].description.as_deref(),
        Some("Done & <dusted>")
    );
}

#[test]
fn a_repeated_attribute_is_an_error() {
    let document = DOCUMENT.replace(
        r#"<Property Name="id" Type="Edm.String" Nullable="false" />"#,
        r#"<Property Name="id" Type="Edm.String" Name="other" />"#,
    );
    let errors = msgraph_codegen::load(document.as_bytes()).unwrap_err();
    let first = errors[0].render("input.xml", &document);
    assert!(
        first.starts_with("input.xml:7:47: error: the attribute `Name` is given twice"),
        "{first}"
    );
}

/// A primitive type OData does not define (SAP's test services use `Edm.Float`) is a warning
/// with its position, and its values are kept as untyped JSON; the rest of the service
/// generates.
#[test]
fn an_unknown_primitive_type_is_a_warning_and_untyped_json() {
    const SERVICE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="example.sap" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="product">
        <Key><PropertyRef Name="id" /></Key>
        <Property Name="id" Type="Edm.String" Nullable="false" />
        <Property Name="weight" Type="Edm.Float" />
        <Property Name="readings" Type="Collection(Edm.Float)" />
      </EntityType>
      <EntityContainer Name="Service"><EntitySet Name="products" EntityType="example.sap.product" /></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#;
    let (_, warnings) = msgraph_codegen::load(SERVICE.as_bytes())
        .unwrap_or_else(|errors| panic!("the service must load: {errors:#?}"));
    let headlines: Vec<String> = warnings
        .iter()
        .map(|w| w.render("service.xml", SERVICE))
        .filter_map(|text| text.lines().next().map(str::to_string))
        .collect();
    assert_eq!(
        headlines,
        [
            "service.xml:8:39: warning: `Edm.Float` is not a primitive type OData defines: values of this property type are kept as untyped JSON (`Edm.Untyped`)",
            "service.xml:9:52: warning: `Edm.Float` is not a primitive type OData defines: values of this property type are kept as untyped JSON (`Edm.Untyped`)",
        ]
    );
    let options = msgraph_codegen::GenerateOptions::standalone(
        msgraph_codegen::SliceSpec {
            all: true,
            ..msgraph_codegen::SliceSpec::default()
        },
        "test",
    );
    let generated =
        msgraph_codegen::generate(SERVICE.as_bytes(), &options).unwrap_or_else(|d| panic!("{d:?}"));
    let product = &generated.files["src/models/product.rs"];
    assert!(
        product.contains("pub weight: Option<::serde_json::Value>,"),
        "{product}"
    );
    assert!(
        product.contains("pub readings: Option<Vec<::serde_json::Value>>,"),
        "{product}"
    );
}

/// Inline annotations read their terms through the document's aliases, as `Annotations` blocks
/// do: a vocabulary included under another alias (`Cap`, `C`) still restricts and describes.
#[test]
fn inline_annotation_terms_are_read_through_any_alias() {
    const SERVICE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml">
    <edmx:Include Namespace="Org.OData.Capabilities.V1" Alias="Cap" />
  </edmx:Reference>
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">
    <edmx:Include Namespace="Org.OData.Core.V1" Alias="C" />
  </edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="example.shop" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="order">
        <Key><PropertyRef Name="id" /></Key>
        <Property Name="id" Type="Edm.String" Nullable="false">
          <Annotation Term="C.Description" String="The order's number." />
        </Property>
        <Annotation Term="C.Description" String="An order." />
      </EntityType>
      <EntityContainer Name="Shop">
        <EntitySet Name="orders" EntityType="example.shop.order">
          <Annotation Term="Cap.InsertRestrictions">
            <Record><PropertyValue Property="Insertable" Bool="false" /></Record>
          </Annotation>
          <Annotation Term="Capabilities.DeleteRestrictions">
            <Record><PropertyValue Property="Deletable" Bool="false" /></Record>
          </Annotation>
        </EntitySet>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#;
    let (model, warnings) = msgraph_codegen::load(SERVICE.as_bytes())
        .unwrap_or_else(|errors| panic!("the service must load: {errors:#?}"));
    assert!(warnings.is_empty(), "{warnings:#?}");
    let order = model.ty(model.find("example.shop.order").unwrap());
    assert_eq!(order.description.as_deref(), Some("An order."));
    let TypeKind::Structured(def) = &order.kind else {
        panic!("order is structured")
    };
    assert_eq!(
        def.properties[0].description.as_deref(),
        Some("The order's number.")
    );
    let orders = &model.container.as_ref().unwrap().children[0];
    assert!(!orders.capabilities.insertable, "Cap.InsertRestrictions");
    assert!(!orders.capabilities.deletable, "the conventional alias");
    assert!(orders.capabilities.updatable);
}

/// OData 4.01 key aliases: a key that is a path into a complex property, named by its alias,
/// loads and generates (the metadata slice keeps the alias); a path without an alias, or one
/// that does not lead to a property, is a positioned error.
#[test]
fn key_property_paths_with_aliases_are_keys() {
    let service = |key: &str| {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="example.keys" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <ComplexType Name="info"><Property Name="ID" Type="Edm.Int32" Nullable="false" /></ComplexType>
      <EntityType Name="item">
        <Key>{key}</Key>
        <Property Name="Info" Type="example.keys.info" Nullable="false" />
        <Property Name="Name" Type="Edm.String" />
      </EntityType>
      <EntityContainer Name="Service"><EntitySet Name="items" EntityType="example.keys.item" /></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#
        )
    };
    let aliased = service(r#"<PropertyRef Name="Info/ID" Alias="InfoID" />"#);
    let (model, warnings) = msgraph_codegen::load(aliased.as_bytes())
        .unwrap_or_else(|errors| panic!("the service must load: {errors:#?}"));
    assert!(warnings.is_empty(), "{warnings:#?}");
    let item = model.ty(model.find("example.keys.item").unwrap());
    let TypeKind::Structured(def) = &item.kind else {
        panic!("item is structured")
    };
    assert_eq!(def.key[0].path, "Info/ID");
    assert_eq!(def.key[0].alias.as_deref(), Some("InfoID"));
    let all = msgraph_codegen::SliceSpec {
        all: true,
        ..msgraph_codegen::SliceSpec::default()
    };
    let generated = msgraph_codegen::generate(
        aliased.as_bytes(),
        &msgraph_codegen::GenerateOptions::standalone(all.clone(), "test"),
    )
    .unwrap_or_else(|d| panic!("{d:?}"));
    // Its collection has the generic builder's `by_id`.
    assert!(
        generated.files["src/requests/item.rs"]
            .contains("pub type ItemCollectionRequest = crate::builder::CollectionRequest<"),
        "{}",
        generated.files["src/requests/item.rs"]
    );
    let slice = msgraph_codegen::extract_slice(
        aliased.as_bytes(),
        &all,
        msgraph_codegen::SliceOrigin::CommandLine,
        "a test",
    )
    .unwrap_or_else(|d| panic!("{d:?}"));
    assert!(
        slice.contains(r#"<PropertyRef Name="Info/ID" Alias="InfoID" />"#),
        "{slice}"
    );

    for (key, expected) in [
        (
            r#"<PropertyRef Name="Info/ID" />"#,
            "input.xml:7:33: error: the key property path `Info/ID` needs an `Alias` that names it in URLs",
        ),
        (
            r#"<PropertyRef Name="Info/Code" Alias="Code" />"#,
            "input.xml:7:33: error: the key names `Info/Code`, which is not a property path of `example.keys.item`: `Code` is not a property of `example.keys.info`",
        ),
        (
            r#"<PropertyRef Name="Name/Length" Alias="Length" />"#,
            "input.xml:7:33: error: the key names `Name/Length`, which is not a property path of `example.keys.item`: `Name` has no properties",
        ),
    ] {
        let text = service(key);
        let errors = msgraph_codegen::load(text.as_bytes()).expect_err(key);
        let first = errors[0].render("input.xml", &text);
        assert_eq!(first.lines().next(), Some(expected), "{first}");
    }
}

/// A constant that does not fit its kind is a warning at its position, whether it is written
/// as an attribute (`Int="x"`) or as an element (`<Int>x</Int>`), and the document still loads.
#[test]
fn bad_constants_warn_in_attributes_and_elements_alike() {
    let document = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="example.c" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="item"><Key><PropertyRef Name="id" /></Key><Property Name="id" Type="Edm.String" Nullable="false" /></EntityType>
      <Annotations Target="example.c.item">
        <Annotation Term="Org.OData.Core.V1.Description" Int="many" />
        <Annotation Term="Org.OData.Core.V1.LongDescription"><Int>lots</Int></Annotation>
        <Annotation Term="Org.OData.Core.V1.Immutable"><Bool>yes</Bool></Annotation>
      </Annotations>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#;
    let (_, warnings) = msgraph_codegen::load(document.as_bytes())
        .unwrap_or_else(|errors| panic!("the document loads: {errors:#?}"));
    let messages: Vec<String> = warnings
        .iter()
        .map(|w| w.render("c.xml", document))
        .collect();
    let all = messages.join("\n");
    for (needle, line) in [
        ("`Int` annotation value `many` is not an integer", ":7:"),
        ("`Int` annotation value `lots` is not an integer", ":8:"),
        (
            "`Bool` annotation value `yes` is neither `true` nor `false`",
            ":9:",
        ),
    ] {
        assert!(
            messages
                .iter()
                .any(|m| m.contains(needle) && m.contains(line)),
            "{needle} at line {line}:\n{all}"
        );
    }
}
