//! Every generated crate is a package crates.io takes: its `Cargo.toml` names the license,
//! README, keywords and categories and the features docs.rs builds, and the crate holds the
//! README it names.

use msgraph_codegen::{GenerateOptions, Package, SliceSpec};

const DOCUMENT: &str = include_str!("fixtures/areas/input.csdl.xml");

fn manifest(options: &GenerateOptions) -> (toml::Table, String) {
    let generated =
        msgraph_codegen::generate(DOCUMENT.as_bytes(), options).unwrap_or_else(|d| panic!("{d:?}"));
    let manifest: toml::Table = generated.files["Cargo.toml"]
        .parse()
        .unwrap_or_else(|error| panic!("Cargo.toml is TOML: {error}"));
    (manifest, generated.files["README.md"].clone())
}

#[test]
fn a_crate_with_areas_is_described_for_crates_io_and_docs_rs() {
    let options = GenerateOptions::standalone(
        SliceSpec {
            all: true,
            areas: true,
            ..SliceSpec::default()
        },
        "msgraph-codegen --all",
    );
    let (manifest, readme) = manifest(&options);
    let package = manifest["package"].as_table().unwrap();
    assert_eq!(package["license"].as_str(), Some("MIT"));
    assert_eq!(package["readme"].as_str(), Some("README.md"));
    assert!(package.get("publish").is_none(), "publishable");
    assert_eq!(package["keywords"].as_array().unwrap().len(), 5);
    assert_eq!(
        package["categories"].as_array().unwrap()[0].as_str(),
        Some("api-bindings")
    );
    let docs_rs = &package["metadata"]["docs"]["rs"]["features"];
    assert_eq!(
        docs_rs.as_array().unwrap(),
        &vec![
            toml::Value::from("full"),
            toml::Value::from("query"),
            toml::Value::from("tracing"),
            toml::Value::from("azure")
        ]
    );
    let features = manifest["features"].as_table().unwrap();
    assert!(
        features["tracing"]
            .as_array()
            .unwrap()
            .contains(&"transport".into())
    );
    assert!(readme.contains("# msgraph\n"), "{readme}");
    assert!(readme.contains("`full`"), "{readme}");
    assert!(readme.contains("msgraph-codegen --all"), "{readme}");
}

#[test]
fn the_project_decides_license_publishing_and_words() {
    let mut options = GenerateOptions::standalone(
        SliceSpec {
            all: true,
            ..SliceSpec::default()
        },
        "test",
    );
    options.description = "Quotes \" and \\ backslashes\tand tabs".to_string();
    options.package = Package {
        license: "Apache-2.0 OR MIT".to_string(),
        repository: Some("https://example.com/r".to_string()),
        keywords: vec!["graph".to_string()],
        categories: vec![],
        publish: false,
    };
    let (manifest, _) = manifest(&options);
    let package = manifest["package"].as_table().unwrap();
    assert_eq!(
        package["description"].as_str(),
        Some("Quotes \" and \\ backslashes\tand tabs")
    );
    assert_eq!(package["license"].as_str(), Some("Apache-2.0 OR MIT"));
    assert_eq!(
        package["repository"].as_str(),
        Some("https://example.com/r")
    );
    assert_eq!(package["publish"].as_bool(), Some(false));
    assert!(package["categories"].as_array().unwrap().is_empty());
    assert_eq!(
        package["metadata"]["docs"]["rs"]["features"]
            .as_array()
            .unwrap(),
        &vec![
            toml::Value::from("query"),
            toml::Value::from("tracing"),
            toml::Value::from("azure")
        ]
    );
}
