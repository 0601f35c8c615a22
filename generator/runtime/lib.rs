//! The runtime of the crates msgraph-codegen generates, compiled and tested on its own.
//!
//! Every generated crate holds a copy of these sources (the way smithy-rs inlines its runtime):
//! the generator copies each file listed in `emit::krate::RUNTIME` (and, behind their cargo
//! features, `FEATURE_RUNTIME`) into `src/`, and writes a `lib.rs` that declares them as this one
//! does, then adds `models` and `requests`. This crate exists so that the runtime's unit tests
//! (`#[cfg(all(test, msgraph_runtime))]`, `msgraph_runtime` set by `build.rs`) and lints run
//! once, here; `generator/tests/runtime_crate.rs` checks that this file and the generator's
//! `lib.rs` declare the same modules and re-exports.
// In the order a generated `lib.rs` has them, which the test compares.
#![cfg_attr(rustfmt, rustfmt::skip)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![allow(clippy::large_enum_variant)]
pub mod batch;
pub mod builder;
pub mod delta;
pub mod monitor;
mod edm;
pub mod error;
pub mod flags;
pub mod graph;
mod macros;
pub mod operation;
pub mod path;
pub mod query;
pub mod reference;
mod polymorphic;
mod structured;
pub mod upload;
pub mod values;
#[cfg(feature = "transport")]
pub mod transport;
#[cfg(feature = "azure")]
pub mod azure;
pub use batch::{Batch, BatchItem, BatchItemResponse, BatchPosition, BatchResponse, Batches, BatchesItem};
pub use error::Error;
pub use flags::Flags;
pub use graph::{Cloud, Graph, Version};
pub use operation::{Content, Direction, Operation, Page, Selectable};
pub use structured::{Model, typed_json};
