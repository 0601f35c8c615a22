//! The metadata slice keeps every fact code generation uses: extracting a slice and generating
//! from it gives the same crate as generating from the full document.

use msgraph_codegen::{GenerateOptions, SliceOrigin, SliceSpec};

const DOCUMENT: &str = include_str!("fixtures/operations/input.csdl.xml");

#[test]
fn a_slice_generates_the_same_crate_as_its_source() {
    let slice = SliceSpec {
        all: true,
        ..SliceSpec::default()
    };
    let extracted = msgraph_codegen::extract_slice(
        DOCUMENT.as_bytes(),
        &slice,
        SliceOrigin::CommandLine,
        "a test",
    )
    .unwrap_or_else(|d| panic!("{d:?}"));
    assert!(extracted.contains("Org.OData.Capabilities.V1.InsertRestrictions"));
    let options = GenerateOptions::standalone(slice, "test");
    let from_source = msgraph_codegen::generate(DOCUMENT.as_bytes(), &options).unwrap();
    let from_slice = msgraph_codegen::generate(extracted.as_bytes(), &options).unwrap();
    // Descriptions are not part of a slice; this document has none.
    assert_eq!(
        from_source.files.keys().collect::<Vec<_>>(),
        from_slice.files.keys().collect::<Vec<_>>()
    );
    for (path, text) in &from_source.files {
        assert_eq!(text, &from_slice.files[path], "{path} differs");
    }
}
