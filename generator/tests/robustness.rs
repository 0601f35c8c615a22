//! Bad input never panics: every prefix of a valid document, and many single-byte mutations of
//! it, either generate or come back as diagnostics with positions inside the input.

use msgraph_codegen::{GenerateOptions, SliceSpec};

const DOCUMENT: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="example.shop" Alias="shop" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="state"><Member Name="open" Value="0" /><Member Name="closed" Value="1" /></EnumType>
      <ComplexType Name="payment" Abstract="true" />
      <ComplexType Name="card" BaseType="shop.payment"><Property Name="last4" Type="Edm.String" /></ComplexType>
      <ComplexType Name="node"><Property Name="next" Type="shop.node" /></ComplexType>
      <EntityType Name="base" Abstract="true">
        <Key><PropertyRef Name="id" /></Key>
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="order" BaseType="shop.base">
        <Property Name="state" Type="shop.state" />
        <Property Name="paidWith" Type="Collection(shop.payment)" />
        <Property Name="chain" Type="shop.node" />
        <NavigationProperty Name="lines" Type="Collection(shop.line)" ContainsTarget="true" />
      </EntityType>
      <EntityType Name="line" BaseType="shop.base"><Property Name="qty" Type="Edm.Int32" /></EntityType>
      <Action Name="close" IsBound="true"><Parameter Name="bindingParameter" Type="shop.order" /><Parameter Name="reason" Type="Edm.String" /></Action>
      <Function Name="total" IsBound="true"><Parameter Name="bindingParameter" Type="shop.order" /><Parameter Name="currency" Type="Edm.String" /><ReturnType Type="Edm.Double" /></Function>
      <EntityContainer Name="Shop"><EntitySet Name="orders" EntityType="shop.order" /></EntityContainer>
      <Annotations Target="shop.order/state"><Annotation Term="Org.OData.Core.V1.Description" String="Where the order is &amp; why.&#10;&#10;````&#10;&#10;panic!()&#10;&#10;~~~" /></Annotations>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#;

fn options() -> GenerateOptions {
    GenerateOptions::standalone(
        SliceSpec {
            all: true,
            ..SliceSpec::default()
        },
        "test",
    )
}

/// Runs the whole pipeline; a diagnostic must point inside the input.
fn run(input: &[u8]) -> bool {
    match msgraph_codegen::generate(input, &options()) {
        Ok(_) => true,
        Err(diagnostics) => {
            assert!(
                !diagnostics.is_empty(),
                "a failure carries at least one diagnostic"
            );
            for diagnostic in &diagnostics {
                assert!(
                    diagnostic.span.start() <= input.len(),
                    "span {:?} outside an input of {} bytes: {}",
                    diagnostic.span,
                    input.len(),
                    diagnostic.message
                );
                // Rendering must not panic either.
                let text = String::from_utf8_lossy(input);
                let rendered = diagnostic.render("input.xml", &text);
                assert!(rendered.starts_with("input.xml:"), "{rendered}");
            }
            false
        }
    }
}

#[test]
fn the_document_itself_generates() {
    assert!(run(DOCUMENT.as_bytes()));
}

#[test]
fn every_prefix_is_handled() {
    let bytes = DOCUMENT.as_bytes();
    let mut generated = 0;
    for end in 0..bytes.len() {
        if run(&bytes[..end]) {
            generated += 1;
        }
    }
    // Only prefixes that still hold the whole root element (the final newline) can succeed.
    assert!(generated <= 1, "{generated} truncated documents generated");
}

#[test]
fn single_byte_mutations_are_handled() {
    let bytes = DOCUMENT.as_bytes();
    let replacements = [
        b'<', b'>', b'"', b'/', b'&', b'(', b')', b'.', b'x', b' ', 0xFF,
    ];
    let mut failures = 0;
    for position in (0..bytes.len()).step_by(7) {
        for replacement in replacements {
            let mut mutated = bytes.to_vec();
            mutated[position] = replacement;
            if !run(&mutated) {
                failures += 1;
            }
        }
    }
    assert!(failures > 0, "mutations must be noticed");
}
