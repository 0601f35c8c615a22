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

/// Everything the generator decides for one primitive, in one exhaustive table ([`mapping`]):
/// adding or changing an Edm type is one row here (and its name in `model::Primitive`).
pub struct EdmMapping {
    /// The Rust type, or `None` for `Edm.Stream`, which has no JSON form.
    pub rust: Option<TokenStream>,
    /// Whether the JSON form varies (`"INF"` for doubles, strings for 64-bit integers, decimals
    /// as numbers or strings), so the field is read and written through the runtime's `edm`
    /// module.
    pub lenient: bool,
    /// Whether the Rust type is `Copy`.
    pub copy: bool,
    /// How a function argument of this type is written in a URL.
    pub literal: LiteralForm,
    /// The generated round-trip tests' shape of a value (`tests/round_trip.rs`'s `Shape`), or
    /// `None` when there is no value to make.
    pub shape: Option<TokenStream>,
}

/// The row of `primitive`.
pub fn mapping(primitive: Primitive) -> EdmMapping {
    let row = |rust: TokenStream, lenient, copy, literal, shape: TokenStream| EdmMapping {
        rust: Some(rust),
        lenient,
        copy,
        literal,
        shape: Some(shape),
    };
    use LiteralForm::{Bare, Json, OData};
    // The `values` types write their own literal forms (`duration'P1D'`, `binary'AAE='`).
    let text = |rust: TokenStream| row(rust, false, false, OData, quote!(Shape::Text));
    match primitive {
        Primitive::Boolean => row(quote!(bool), false, true, OData, quote!(Shape::Bool)),
        Primitive::Byte => row(quote!(u8), false, true, OData, quote!(Shape::Byte)),
        Primitive::SByte => row(quote!(i8), false, true, OData, quote!(Shape::Int)),
        Primitive::Int16 => row(quote!(i16), false, true, OData, quote!(Shape::Int)),
        Primitive::Int32 => row(quote!(i32), false, true, OData, quote!(Shape::Int)),
        Primitive::Int64 => row(quote!(i64), true, true, OData, quote!(Shape::Int64)),
        Primitive::Single => row(quote!(f32), true, true, OData, quote!(Shape::Single)),
        Primitive::Double => row(quote!(f64), true, true, OData, quote!(Shape::Double)),
        Primitive::Decimal => row(
            quote!(::std::string::String),
            true,
            false,
            Bare,
            quote!(Shape::Decimal),
        ),
        Primitive::String => text(quote!(::std::string::String)),
        Primitive::Guid => text(quote!(crate::values::Guid)),
        Primitive::Date => text(quote!(crate::values::Date)),
        Primitive::DateTimeOffset => text(quote!(crate::values::DateTimeOffset)),
        Primitive::TimeOfDay => text(quote!(crate::values::TimeOfDay)),
        Primitive::Duration => text(quote!(crate::values::Duration)),
        Primitive::Binary => text(quote!(crate::values::Binary)),
        Primitive::Untyped | Primitive::Geo | Primitive::Abstract => row(
            quote!(::serde_json::Value),
            false,
            false,
            Json,
            quote!(Shape::Any),
        ),
        Primitive::Stream => EdmMapping {
            rust: None,
            lenient: false,
            copy: false,
            literal: Json,
            shape: None,
        },
    }
}

/// The Rust type of a primitive, or `None` for `Edm.Stream`, which has no JSON form.
pub fn rust_type(primitive: Primitive) -> Option<TokenStream> {
    mapping(primitive).rust
}

/// Whether the JSON form varies, so the field goes through the runtime's `edm` module.
pub fn is_lenient(primitive: Primitive) -> bool {
    mapping(primitive).lenient
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
    mapping(primitive).copy
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
    mapping(primitive).literal
}
