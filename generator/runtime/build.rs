//! Sets `cfg(msgraph_runtime)`, which turns on the runtime's unit tests: they are compiled
//! here, in the runtime's own crate, and not in the generated crates that copy its sources.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(msgraph_runtime)");
    println!("cargo::rustc-cfg=msgraph_runtime");
}
