//! Read + resolve any bytes: never a panic, a hang or unbounded memory; every diagnostic points
//! inside the input and renders.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let diagnostics = match msgraph_codegen::load(data) {
        Ok((_, warnings)) => warnings,
        Err(errors) => {
            assert!(!errors.is_empty(), "a failure carries a diagnostic");
            errors
        }
    };
    let text = String::from_utf8_lossy(data);
    for diagnostic in &diagnostics {
        assert!(diagnostic.span.start() <= diagnostic.span.end());
        assert!(diagnostic.span.end() <= data.len(), "{diagnostic:?}");
        let rendered = diagnostic.render("input.xml", &text);
        assert!(rendered.starts_with("input.xml:"));
    }
});
