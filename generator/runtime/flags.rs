//! Values of flags enums: several members at once, written by Graph as `"read,write"`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A member of an enum type (generated for every one), as a flags enum (`IsFlags`) combines
/// them.
pub trait FlagMember: for<'a> From<&'a str> {
    /// The enum type's qualified name (`microsoft.graph.timeZoneStandard`), which its OData
    /// literals start with.
    const ENUM_TYPE: &'static str;

    /// The member's name on the wire.
    fn name(&self) -> &str;
}

/// A value of a flags enum: its members, in the order the service wrote them. On the wire it is
/// one string of comma-separated member names (`"read,write"`; `""` for none). Members this
/// crate does not know are kept in the enum's `Unrecognized` variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Flags<T>(pub Vec<T>);

impl<T> Default for Flags<T> {
    fn default() -> Self {
        Flags(Vec::new())
    }
}

impl<T> From<Vec<T>> for Flags<T> {
    fn from(members: Vec<T>) -> Self {
        Flags(members)
    }
}

impl<T: FlagMember> Flags<T> {
    /// The wire form: member names joined by commas.
    pub fn to_wire(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(FlagMember::name).collect();
        names.join(",")
    }

    /// Reads the wire form; spaces around names are ignored.
    pub fn from_wire(text: &str) -> Self {
        Flags(
            text.split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map(T::from)
                .collect(),
        )
    }

    /// Whether a member with this wire name is set.
    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|member| member.name() == name)
    }
}

impl<T: FlagMember> Serialize for Flags<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_wire())
    }
}

impl<'de, T: FlagMember> Deserialize<'de> for Flags<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(Flags::from_wire(&text))
    }
}

/// The qualified literal OData 4.0 requires: `ns.type'read,write'`.
impl<T: FlagMember> crate::path::ODataLiteral for Flags<T> {
    fn to_odata_literal(&self) -> String {
        crate::path::enum_literal(T::ENUM_TYPE, &self.to_wire())
    }
}

#[cfg(all(test, msgraph_runtime))]
pub(crate) mod tests {
    use super::*;

    /// A stand-in for a member of a generated flags enum (the query module's tests use it too).
    #[derive(Debug, Clone, PartialEq)]
    pub(crate) enum Access {
        Read,
        Write,
        Other(String),
    }

    impl From<&str> for Access {
        fn from(name: &str) -> Self {
            match name {
                "read" => Access::Read,
                "write" => Access::Write,
                other => Access::Other(other.to_string()),
            }
        }
    }

    impl FlagMember for Access {
        const ENUM_TYPE: &'static str = "ns.access";

        fn name(&self) -> &str {
            match self {
                Access::Read => "read",
                Access::Write => "write",
                Access::Other(name) => name,
            }
        }
    }

    #[test]
    fn a_flags_literal_is_qualified_by_its_enum_type() {
        use crate::path::ODataLiteral;
        let flags = Flags(vec![Access::Read, Access::Other("it's".into())]);
        assert_eq!(flags.to_odata_literal(), "ns.access'read,it''s'");
        assert_eq!(
            Flags::<Access>(Vec::new()).to_odata_literal(),
            "ns.access''"
        );
    }

    #[test]
    fn reads_and_writes_the_comma_separated_form() {
        let flags: Flags<Access> = serde_json::from_str(r#""read, write,execute""#).unwrap();
        assert_eq!(
            flags.0,
            [Access::Read, Access::Write, Access::Other("execute".into())]
        );
        assert!(flags.contains("write") && !flags.contains("delete"));
        assert_eq!(
            serde_json::to_string(&flags).unwrap(),
            r#""read,write,execute""#
        );
        let none: Flags<Access> = serde_json::from_str(r#""""#).unwrap();
        assert_eq!(none, Flags::default());
        assert_eq!(serde_json::to_string(&none).unwrap(), r#""""#);
        assert!(serde_json::from_str::<Flags<Access>>("3").is_err());
        assert_eq!(
            crate::path::ODataLiteral::to_odata_literal(&Flags(vec![Access::Read, Access::Write])),
            "ns.access'read,write'"
        );
    }
}
