//! Stage 1: read CSDL XML into a syntax tree with byte positions.

pub mod read;
pub mod syntax;
pub mod write;

pub use read::read;
