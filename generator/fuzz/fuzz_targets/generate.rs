//! The whole generator (read, resolve, select everything with features per area, emit, format)
//! on any bytes: never a panic, a hang or unbounded memory.

#![no_main]

use libfuzzer_sys::fuzz_target;
use msgraph_codegen::{GenerateOptions, SliceSpec};

fuzz_target!(|data: &[u8]| {
    let options = GenerateOptions::standalone(
        SliceSpec {
            all: true,
            areas: true,
            ..SliceSpec::default()
        },
        "fuzz",
    );
    if let Err(diagnostics) = msgraph_codegen::generate(data, &options) {
        assert!(!diagnostics.is_empty(), "a failure carries a diagnostic");
    }
});
