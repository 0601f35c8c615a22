//! The one place that maps `Edm` primitive types to Rust types.
//!
//! | Edm | Rust |
//! |---|---|
//! | `String` | `String` |
//! | `Boolean` | `bool` |
//! | `Byte`, `SByte`, `Int16`, `Int32`, `Int64` | `u8`, `i8`, `i16`, `i32`, `i64` |
//! | `Single`, `Double` | `f32`, `f64` |
//! | `Decimal` | `String` (see the runtime's `edm` module) |
//! | `Guid`, `Date`, `DateTimeOffset`, `TimeOfDay`, `Duration`, `Binary` | the runtime's `values` types: the wire text kept exactly, converting to `uuid` and `time` types |
//! | `Untyped`, `Geography*`, `Geometry*`, `PrimitiveType`, `ComplexType`, `EntityType` | `serde_json::Value` |
//! | `Stream` | not a JSON property: left out of models |

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Primitive;

/// The Rust type of a primitive, or `None` for `Edm.Stream`, which has no JSON form.
pub fn rust_type(primitive: Primitive) -> Option<TokenStream> {
    Some(match primitive {
        Primitive::Boolean => quote!(bool),
        Primitive::Byte => quote!(u8),
        Primitive::SByte => quote!(i8),
        Primitive::Int16 => quote!(i16),
        Primitive::Int32 => quote!(i32),
        Primitive::Int64 => quote!(i64),
        Primitive::Single => quote!(f32),
        Primitive::Double => quote!(f64),
        Primitive::String | Primitive::Decimal => quote!(::std::string::String),
        Primitive::Guid => quote!(crate::values::Guid),
        Primitive::Date => quote!(crate::values::Date),
        Primitive::DateTimeOffset => quote!(crate::values::DateTimeOffset),
        Primitive::TimeOfDay => quote!(crate::values::TimeOfDay),
        Primitive::Duration => quote!(crate::values::Duration),
        Primitive::Binary => quote!(crate::values::Binary),
        Primitive::Untyped | Primitive::Geo | Primitive::Abstract => quote!(::serde_json::Value),
        Primitive::Stream => return None,
    })
}

/// Whether the JSON form varies (`"INF"` for doubles, strings for 64-bit integers, decimals as
/// numbers or strings), so the field is read and written through the runtime's `edm` module.
pub fn is_lenient(primitive: Primitive) -> bool {
    matches!(
        primitive,
        Primitive::Double | Primitive::Single | Primitive::Int64 | Primitive::Decimal
    )
}

/// Whether the Rust type is `String`, so a function parameter can be taken as `&str`.
pub fn is_string(primitive: Primitive) -> bool {
    matches!(
        rust_type(primitive).map(|t| t.to_string()),
        Some(t) if t == quote!(::std::string::String).to_string()
    )
}

/// Whether the Rust type is `Copy`.
pub fn is_copy(primitive: Primitive) -> bool {
    matches!(
        primitive,
        Primitive::Boolean
            | Primitive::Byte
            | Primitive::SByte
            | Primitive::Int16
            | Primitive::Int32
            | Primitive::Int64
            | Primitive::Single
            | Primitive::Double
    )
}

/// How a function parameter of this primitive type is written in a URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiteralForm {
    /// Through `ODataLiteral` (strings quoted, numbers and booleans bare).
    OData,
    /// The text as it is, unquoted (`Decimal`).
    Bare,
    /// As JSON (untyped and geo values).
    Json,
}

/// The URL literal form of a primitive.
pub fn literal_form(primitive: Primitive) -> LiteralForm {
    match primitive {
        // The `values` types write their own literal forms (`duration'P1D'`, `binary'AAE='`).
        Primitive::Decimal => LiteralForm::Bare,
        Primitive::Untyped | Primitive::Geo | Primitive::Abstract | Primitive::Stream => {
            LiteralForm::Json
        }
        _ => LiteralForm::OData,
    }
}
