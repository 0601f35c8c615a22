//! Declarative macros that write the repetitive part of generated models and builders.
//!
//! The generated code states what is particular to each type (its name, its members' names on
//! the wire, its docs) as ordinary-looking Rust items inside a macro call; these macros add the
//! impls every such type shares. Each macro's comment says what it writes.

/// An enum type: the enum, with an `Unrecognized(String)` variant that keeps members this crate
/// does not know, and `as_str`, `From<&str>`, `Display`, `Serialize`, `Deserialize` (the member
/// name as a JSON string), `FlagMember` (for flags enums) and `ODataLiteral`.
///
/// Input: `#[odata_name = "ns.qualifiedName"] pub enum Name { Member = "wireName", ... }`; the
/// qualified name starts the enum's OData literals (`ns.qualifiedName'wireName'`).
#[allow(unused_macros)]
macro_rules! string_enum {
    (
        #[odata_name = $qualified:literal]
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$member_meta:meta])* $member:ident = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Hash)]
        pub enum $name {
            $( $(#[$member_meta])* $member, )*
            /// A member this crate does not know, kept as the service wrote it.
            Unrecognized(::std::string::String),
        }

        // Written out: `derive(Eq)` adds a function to every enum.
        impl ::std::cmp::Eq for $name {}

        impl $name {
            /// The member's name on the wire.
            #[inline]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$member => $wire, )*
                    Self::Unrecognized(value) => value,
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            #[inline]
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => Self::$member, )*
                    other => Self::Unrecognized(::std::string::ToString::to_string(other)),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let value =
                    <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(value.as_str()))
            }
        }

        impl crate::flags::FlagMember for $name {
            const ENUM_TYPE: &'static str = $qualified;

            #[inline]
            fn name(&self) -> &str {
                self.as_str()
            }
        }

        impl crate::path::ODataLiteral for $name {
            #[inline]
            fn to_odata_literal(&self) -> ::std::string::String {
                crate::path::enum_literal($qualified, self.as_str())
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use string_enum;

/// A union over an abstract type's concrete descendants, chosen by `@odata.type`: the enum, with
/// an `Other` variant that keeps a value of a type this crate does not know (or one without
/// `@odata.type`) whole, `odata_type`, `From` each member, `Serialize` (with `@odata.type`
/// first: its type's, which an abstract type's slot needs) and `Deserialize`.
///
/// Input: `pub enum Name { Variant(path::Struct) = "ns.qualifiedName", ... }`. A variant may
/// carry `#[cfg(...)]` attributes (in a crate with areas, its struct's feature): they gate the
/// variant, its `From` impl and its match arms, so a value of a type compiled out reads as
/// `Other`.
#[allow(unused_macros)]
macro_rules! union_type {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident($member:ty $(,)?) = $wire:literal, )*
        }
    ) => {
        /// An abstract type with no properties of its own to follow in a path: a property of a
        /// derived type is reached through a cast.
        impl crate::query::FieldOwner for $name {
            type Owner = Self;
        }

        crate::macros::union_impls! {
            $(#[$meta])*
            $name,
            |fields| ::std::result::Result::Ok(Self::Other(fields)),
            $(
                $(#[$variant_meta])* $variant($member) = $wire,
                ::std::option::Option::Some(concat!("#", $wire));
            )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use union_type;

/// A union over a concrete type and its descendants: like [`union_type!`], but a value without
/// `@odata.type` is the first variant's type (the base), and a base value is written without
/// one unless it was read with one.
///
/// Input: `pub enum Name { Base(path::Base) = "ns.base", Variant(path::Struct) = "ns.x", ... }`.
#[allow(unused_macros)]
macro_rules! union_with_base {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(#[$base_meta:meta])* $base:ident($base_member:ty $(,)?) = $base_wire:literal,
            $( $(#[$variant_meta:meta])* $variant:ident($member:ty $(,)?) = $wire:literal, )*
        }
    ) => {
        /// A path continues with the base type's properties.
        impl crate::query::FieldOwner for $name {
            type Owner = $base_member;
        }

        crate::macros::union_impls! {
            $(#[$meta])*
            $name,
            |fields| crate::polymorphic::from_fields(fields, None).map(Self::$base),
            $(#[$base_meta])* $base($base_member) = $base_wire, ::std::option::Option::None;
            $(
                $(#[$variant_meta])* $variant($member) = $wire,
                ::std::option::Option::Some(concat!("#", $wire));
            )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use union_with_base;

/// What [`union_type!`] and [`union_with_base!`] share; `$untyped` reads a value without
/// `@odata.type`, and each variant's `$tag` is the `@odata.type` it is written with when it
/// keeps none of its own (`None` for a concrete base, which reads back as itself without one).
#[allow(unused_macros)]
macro_rules! union_impls {
    (
        $(#[$meta:meta])*
        $name:ident,
        $untyped:expr,
        $( $(#[$variant_meta:meta])* $variant:ident($member:ty) = $wire:literal, $tag:expr; )*
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub enum $name {
            $(
                $(#[$variant_meta])*
                #[doc = concat!("A value of type `", $wire, "`.")]
                $variant($member),
            )*
            /// A value whose `@odata.type` this crate does not know (or, for an abstract type, a
            /// value without one): the JSON object exactly as received.
            Other(::serde_json::Map<::std::string::String, ::serde_json::Value>),
        }

        impl $name {
            /// The qualified name of the value's type (without `#`), if it has one.
            #[inline]
            pub fn odata_type(&self) -> ::std::option::Option<&str> {
                match self {
                    $( $(#[$variant_meta])* Self::$variant(_) => ::std::option::Option::Some($wire), )*
                    Self::Other(fields) => crate::polymorphic::odata_type_of(fields),
                }
            }
        }

        $(
            $(#[$variant_meta])*
            impl ::std::convert::From<$member> for $name {
                #[inline]
                fn from(value: $member) -> Self {
                    Self::$variant(value)
                }
            }
        )*

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    $(
                        $(#[$variant_meta])*
                        Self::$variant(value) => {
                            crate::structured::serialize_tagged(value, $tag, serializer)
                        }
                    )*
                    Self::Other(fields) => crate::structured::serialize_unknown(fields, serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let (odata_type, fields) = crate::polymorphic::deserialize_tagged(deserializer)?;
                let untyped: fn(
                    ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                ) -> ::std::result::Result<Self, D::Error> = $untyped;
                match odata_type.as_deref() {
                    $(
                        $(#[$variant_meta])*
                        ::std::option::Option::Some($wire) => {
                            crate::polymorphic::from_fields(fields, $tag).map(Self::$variant)
                        }
                    )*
                    ::std::option::Option::None => untyped(fields),
                    _ => ::std::result::Result::Ok(Self::Other(fields)),
                }
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use union_impls;

/// The property names of an entity type, for `$select` and `$orderby`: the enum, `as_str` and
/// `AsRef<str>`. (No `Hash` or `Ord`: each is one more function for every entity type, and a
/// property name is passed, not kept.)
///
/// Input: `pub enum Name { Property = "wireName", ... }`.
#[allow(unused_macros)]
macro_rules! property_names {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $property:ident = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum $name {
            $( #[doc = concat!("`", $wire, "`")] $property, )*
        }

        // Written out: `derive(Eq)` adds a function to every enum.
        impl ::std::cmp::Eq for $name {}

        impl $name {
            /// The property's name on the wire.
            #[inline]
            pub fn as_str(&self) -> &'static str {
                match *self {
                    $( Self::$property => $wire, )*
                }
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            #[inline]
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use property_names;

/// `Serialize`, `Deserialize` and `Model` (`set_null`) for a model struct, through its
/// [`Structured`](crate::structured::Structured) impl (see the `structured` module for what
/// they keep):
/// - an explicit `null` read for a property is kept in `additional_properties` and written back;
/// - a property set after a `null` was kept for it wins: the kept `null` is not written;
/// - `set_null` clears a property and sends it as `null`.
#[allow(unused_macros)]
macro_rules! structured {
    ($model:ty) => {
        crate::macros::serialize_object!($model);

        impl<'de> ::serde::Deserialize<'de> for $model {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                crate::structured::deserialize(deserializer)
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use structured;

/// `Serialize` and `Model` (`set_null`) for a struct with a
/// [`Structured`](crate::structured::Structured) impl: what [`structured!`] writes for a model,
/// and all that an action's body (its parameters, only ever sent) needs.
#[allow(unused_macros)]
macro_rules! serialize_object {
    ($object:ty) => {
        // `set_null` is the trait's, compiled once for every struct.
        impl crate::Model for $object {}

        impl ::serde::Serialize for $object {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                crate::structured::serialize(self, serializer)
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use serialize_object;
