//! Documented requests resolved against a crate's plan (`msgraph_codegen::conformance`): which
//! become cases of the harness, with which arguments, and why the others do not. The requests
//! are written here against the operations fixture's service; `cargo xtask conformance` runs
//! the whole path (harness built and run) on Graph's documented traffic.

use msgraph_codegen::conformance::{self, Case, Class, Example};
use msgraph_codegen::{GenerateOptions, SliceSpec};
use serde_json::{Value, json};

const DOCUMENT: &str = include_str!("fixtures/operations/input.csdl.xml");

fn options() -> GenerateOptions {
    let slice = SliceSpec {
        all: true,
        areas: true,
        ..SliceSpec::default()
    };
    GenerateOptions::standalone(slice, "test".to_string())
}

/// Resolves each (method, url, body) and returns the harness.
fn harness(requests: &[(&str, &str, Option<Value>)]) -> conformance::Harness {
    let examples: Vec<Example> = requests
        .iter()
        .map(|(method, url, body)| Example {
            method,
            url,
            body: body.as_ref(),
        })
        .collect();
    conformance::harness(&[DOCUMENT.as_bytes()], &options(), &examples).expect("the fixture loads")
}

fn case(harness: &conformance::Harness, index: usize) -> &Case {
    match &harness.resolutions[index] {
        Ok(case) => case,
        Err(unresolved) => panic!("example {index} did not resolve: {unresolved:?}"),
    }
}

fn class(harness: &conformance::Harness, index: usize) -> Class {
    match &harness.resolutions[index] {
        Ok(case) => panic!("example {index} resolved: {case:?}"),
        Err((class, _)) => *class,
    }
}

#[test]
fn requests_resolve_to_cases_that_take_their_values_at_run_time() {
    let harness = harness(&[
        ("GET", "https://graph.microsoft.com/v1.0/products", None),
        (
            "GET",
            "https://graph.microsoft.com/v1.0/products/p1/relatedProducts?$top=2&$filter=name%20eq%20'a'",
            None,
        ),
        ("GET", "/products('a%2Fb')/relatedProducts", None),
        (
            "POST",
            "/v1.0/products/p1/restock",
            Some(json!({"quantity": 1})),
        ),
        ("GET", "/products/p1/price(currency='EUR')", None),
        ("GET", "/products/p1/price", None),
        ("GET", "/products/$count", None),
        (
            "POST",
            "/products/p1/relatedProducts/$ref",
            Some(json!({"@odata.id": "https://graph.microsoft.com/v1.0/products/p2"})),
        ),
        (
            "GET",
            "/products/p1/findSimilar(query='it''s',limit=2,inStockOnly=true,color='red',catalogId='c')",
            None,
        ),
        ("GET", "/Products/p1", None),
    ]);
    assert_eq!(case(&harness, 0).arguments, Vec::<String>::new());
    let related = case(&harness, 1);
    assert_eq!(related.arguments, ["p1"]);
    assert_eq!(
        related.query,
        [
            ("$top".to_string(), "2".to_string()),
            ("$filter".to_string(), "name eq 'a'".to_string())
        ],
        "query options are decoded"
    );
    let parenthesized = case(&harness, 2);
    assert_eq!(
        parenthesized.arguments,
        ["a/b"],
        "a key in parentheses, unquoted and decoded"
    );
    assert_eq!(
        parenthesized.case, related.case,
        "requests of one shape share a case"
    );
    assert_eq!(
        case(&harness, 3).arguments,
        ["p1"],
        "the body is read at run time"
    );
    assert_ne!(
        case(&harness, 4).case,
        case(&harness, 5).case,
        "overloads are told apart by their arguments"
    );
    assert_eq!(case(&harness, 4).arguments, ["p1", "EUR"]);
    assert_eq!(
        case(&harness, 7).arguments,
        ["p1", "p2"],
        "the link's key too"
    );
    assert_eq!(
        case(&harness, 8).arguments,
        ["p1", "it's", "2", "true", "red", "c"]
    );
    assert_eq!(case(&harness, 9).rules, ["letter case of names"]);

    // The program is Rust and calls the builders the crate has.
    let program: syn::File = syn::parse_str(&harness.main_rs).expect("the harness parses");
    let text = harness.main_rs.as_str();
    // Compared without whitespace: the program is formatted.
    let compact: String = text.split_whitespace().collect();
    assert_eq!(
        program
            .items
            .iter()
            .filter(|item| matches!(item, syn::Item::Fn(f) if f.sig.ident.to_string().starts_with("case_")))
            .count(),
        harness.cases
    );
    for call in [
        ".related_products()",
        ".by_id(args.text(0usize))",
        ".restock(",
        "krate::requests::ProductRestockParameters::new(member(&body, \"quantity\")?",
        ".price_with_currency(args.text(1usize))",
        ".count_items()",
        ".related_products_ref()",
        ".add(&",
        ".find_similar(",
        "args.decode::<krate::models::Color>(",
        "args.parse::<bool>(",
    ] {
        let call: String = call.split_whitespace().collect();
        assert!(
            compact.contains(&call),
            "the harness calls `{call}`:\n{text}"
        );
    }
    // No value of an example is in the program: only indexes into its input.
    for value in ["EUR", "it's", "a/b", "\"p1\""] {
        assert!(!text.contains(value), "`{value}` became code");
    }
}

#[test]
fn requests_that_are_not_built_say_why() {
    let harness = harness(&[
        ("GET", "https://graph.microsoft.com/beta/products", None),
        (
            "GET",
            "https://graph.microsoft.com/v1.0/products?$filter=startswith(name,",
            None,
        ),
        ("GET", "/products/p1/nothing", None),
        ("GET", "/customers", None),
        ("DELETE", "/photos/p1", None),
        ("PUT", "https://contoso-my.sharepoint.com/upload?x=1", None),
        (
            "GET",
            "/products/p1/findSimilar(query=<q>,limit=1,inStockOnly=true,color='red',catalogId='c')",
            None,
        ),
        ("GET", "/products/p1/restock", None),
        ("GET", "/products/p1/price(currency='EUR',at=1)", None),
        ("GET", "/priceTiers/x", None),
    ]);
    assert_eq!(class(&harness, 0), Class::ExampleDefect, "a beta URL");
    assert_eq!(class(&harness, 1), Class::ExampleDefect, "a URL cut short");
    assert_eq!(class(&harness, 2), Class::Drift, "no such member");
    assert_eq!(class(&harness, 3), Class::Drift, "no such entity set");
    assert_eq!(
        class(&harness, 4),
        Class::Unsupported,
        "the capabilities refuse DELETE"
    );
    assert_eq!(class(&harness, 5), Class::BeyondCsdl, "another host");
    assert_eq!(class(&harness, 6), Class::ExampleDefect, "a placeholder");
    assert_eq!(class(&harness, 7), Class::ExampleDefect, "GET of an action");
    assert_eq!(class(&harness, 8), Class::Drift, "no overload has `at`");
    assert_eq!(class(&harness, 9), Class::NotChecked, "a composite key");
}

#[test]
fn a_structured_property_in_the_path_is_a_property_request() {
    let document = include_str!("fixtures/namespaces/input.csdl.xml");
    let requests = [
        ("GET", "/customers/c1/billingAddress"),
        ("PATCH", "/customers/c1/shippingAddress"),
        ("GET", "/customers/c1/displayName"),
    ];
    let body = json!({"city": "Oslo"});
    let examples: Vec<Example> = requests
        .iter()
        .map(|(method, url)| Example {
            method,
            url,
            body: (*method == "PATCH").then_some(&body),
        })
        .collect();
    let harness = conformance::harness(&[document.as_bytes()], &options(), &examples).unwrap();
    assert_eq!(case(&harness, 0).arguments, ["c1"]);
    assert_eq!(case(&harness, 1).arguments, ["c1"]);
    assert_eq!(
        class(&harness, 2),
        Class::Unsupported,
        "a primitive property is not a property request"
    );
    let compact: String = harness.main_rs.split_whitespace().collect();
    for call in [
        ".property(krate::models::Customer::BILLING_ADDRESS).get()",
        ".property(krate::models::Customer::SHIPPING_ADDRESS).patch(&args.json_body()?)",
    ] {
        assert!(compact.contains(call), "`{call}`:\n{}", harness.main_rs);
    }
}
