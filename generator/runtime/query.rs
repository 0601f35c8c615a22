//! Typed `$filter` and `$expand`: expressions over a model's properties that the compiler checks.
//!
//! Every model struct has a constant per property (`User::DISPLAY_NAME`, a [`Field`]) and per
//! navigation property (`User::MANAGER`, a [`Navigation`]). A field's comparisons take only
//! values of its type, written as OData literals (strings quoted and escaped, enums qualified,
//! dates and GUIDs bare, durations as `duration'P1D'`); a misspelt property is not a constant, so
//! it does not compile:
//!
//! ```text
//! User::DISPLAY_NAME.starts_with("Al").and(User::ACCOUNT_ENABLED.eq(true))
//!     startswith(displayName,'Al') and accountEnabled eq true
//! User::BUSINESS_PHONES.any(|phone| phone.eq("555"))
//!     businessPhones/any(x:x eq '555')
//! Group::MEMBERS.expand().select([properties::DirectoryObject::Id]).top(5)
//!     members($select=id;$top=5)
//! ```
//!
//! [`Operation::filter`](crate::Operation::filter) takes a [`Filter`] or, as before, the raw
//! text; [`Operation::expand`](crate::Operation::expand) takes [`Expand`]s or names.

#![allow(dead_code)]

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use crate::path::ODataLiteral;

/// A `$filter` expression. Build it from [`Field`]s, or from raw text with [`Filter::raw`] (or
/// `From<&str>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    text: String,
    /// How tightly the expression binds, for parentheses where it is combined.
    precedence: Precedence,
}

/// OData's precedence, loosest first: `or`, `and`, the comparisons (`eq`, `in`, ...), then
/// what binds tightest (`not`, function calls, lambdas, parentheses).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Precedence {
    Or,
    And,
    Comparison,
    Atom,
}

impl Filter {
    /// Raw filter text, sent as written (parenthesized where an `and` or `not` combines it, as
    /// text of unknown precedence).
    pub fn raw(text: impl Into<String>) -> Filter {
        Filter {
            text: text.into(),
            precedence: Precedence::Or,
        }
    }

    fn atom(text: String) -> Filter {
        Filter {
            text,
            precedence: Precedence::Atom,
        }
    }

    fn comparison(text: String) -> Filter {
        Filter {
            text,
            precedence: Precedence::Comparison,
        }
    }

    /// Both: `a and b`.
    pub fn and(self, other: Filter) -> Filter {
        Filter {
            text: format!(
                "{} and {}",
                self.operand(Precedence::And),
                other.operand(Precedence::And)
            ),
            precedence: Precedence::And,
        }
    }

    /// Either: `a or b`.
    pub fn or(self, other: Filter) -> Filter {
        Filter {
            text: format!(
                "{} or {}",
                self.operand(Precedence::Or),
                other.operand(Precedence::Or)
            ),
            precedence: Precedence::Or,
        }
    }

    /// The opposite: `not a` (`not (a eq 1)`: `not` binds tighter than a comparison).
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Filter {
        Filter::atom(format!("not {}", self.operand(Precedence::Atom)))
    }

    /// The expression's text, as sent (before percent-encoding).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text as an operand of an operator that binds as tightly as `context`.
    fn operand(&self, context: Precedence) -> Cow<'_, str> {
        if self.precedence >= context {
            Cow::Borrowed(&self.text)
        } else {
            Cow::Owned(format!("({})", self.text))
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<&str> for Filter {
    fn from(text: &str) -> Filter {
        Filter::raw(text)
    }
}

impl From<&String> for Filter {
    fn from(text: &String) -> Filter {
        Filter::raw(text.as_str())
    }
}

impl From<String> for Filter {
    fn from(text: String) -> Filter {
        Filter::raw(text)
    }
}

/// A property of a model struct `T` whose values are `V` (`Vec<_>` for collections), as a
/// path in `$filter`: `T`'s constants (`User::DISPLAY_NAME`), or a lambda variable in
/// [`any`](Field::any) and [`all`](Field::all).
pub struct Field<T, V> {
    path: Cow<'static, str>,
    /// Whether it starts from a lambda variable (not a property of `T`).
    in_lambda: bool,
    _types: PhantomData<fn() -> (T, V)>,
}

impl<T, V> Clone for Field<T, V> {
    fn clone(&self) -> Self {
        Field {
            path: self.path.clone(),
            in_lambda: self.in_lambda,
            _types: PhantomData,
        }
    }
}

impl<T, V> fmt::Debug for Field<T, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Field").field(&self.path).finish()
    }
}

impl<T, V> Field<T, V> {
    /// The property with this name (on the wire).
    pub const fn new(name: &'static str) -> Self {
        Field {
            path: Cow::Borrowed(name),
            in_lambda: false,
            _types: PhantomData,
        }
    }

    fn at(path: String, in_lambda: bool) -> Self {
        Field {
            path: Cow::Owned(path),
            in_lambda,
            _types: PhantomData,
        }
    }

    /// The path, such as `displayName` or `address/city`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The property's name, for a resource path (`ItemRequest::property`): a constant is one
    /// property; a path (`then`) or a lambda variable is not.
    pub(crate) fn property_name(&self) -> Result<&'static str, String> {
        match self.path {
            Cow::Borrowed(name) if !self.in_lambda && !name.contains('/') => Ok(name),
            _ => Err(format!(
                "`{}` is not one property: address a nested property with a second `property(..)`",
                self.path
            )),
        }
    }

    /// `path eq null`.
    pub fn is_null(&self) -> Filter {
        Filter::comparison(format!("{} eq null", self.path))
    }

    /// `path ne null`.
    pub fn is_not_null(&self) -> Filter {
        Filter::comparison(format!("{} ne null", self.path))
    }

    /// A property of this complex property's value: `home/city` from
    /// `User::HOME.then(PhysicalAddress::CITY)`. Only properties of `V` (or, for a union, of its
    /// base type) are accepted.
    pub fn then<W>(&self, inner: Field<V::Owner, W>) -> Field<T, W>
    where
        V: FieldOwner,
    {
        Field::at(format!("{}/{}", self.path, inner.path), self.in_lambda)
    }

    fn compare(&self, operator: &str, value: impl Value<V>) -> Filter {
        Filter::comparison(format!("{} {operator} {}", self.path, value.literal()))
    }

    /// `path eq value`.
    pub fn eq(&self, value: impl Value<V>) -> Filter {
        self.compare("eq", value)
    }

    /// `path ne value`.
    pub fn ne(&self, value: impl Value<V>) -> Filter {
        self.compare("ne", value)
    }

    /// `path gt value`.
    pub fn gt(&self, value: impl Value<V>) -> Filter {
        self.compare("gt", value)
    }

    /// `path ge value`.
    pub fn ge(&self, value: impl Value<V>) -> Filter {
        self.compare("ge", value)
    }

    /// `path lt value`.
    pub fn lt(&self, value: impl Value<V>) -> Filter {
        self.compare("lt", value)
    }

    /// `path le value`.
    pub fn le(&self, value: impl Value<V>) -> Filter {
        self.compare("le", value)
    }

    /// `path in (a, b, ...)`; with no values, `false` (nothing is in an empty list, which
    /// OData cannot write).
    pub fn is_in<I>(&self, values: I) -> Filter
    where
        I: IntoIterator,
        I::Item: Value<V>,
    {
        let literals: Vec<String> = values.into_iter().map(Value::literal).collect();
        if literals.is_empty() {
            return Filter::atom("false".to_string());
        }
        Filter::comparison(format!("{} in ({})", self.path, literals.join(",")))
    }
}

impl<T> Field<T, String> {
    fn function(&self, name: &str, text: &str) -> Filter {
        Filter::atom(format!("{name}({},{})", self.path, text.to_odata_literal()))
    }

    /// `startswith(path,'text')`.
    pub fn starts_with(&self, text: &str) -> Filter {
        self.function("startswith", text)
    }

    /// `endswith(path,'text')`.
    pub fn ends_with(&self, text: &str) -> Filter {
        self.function("endswith", text)
    }

    /// `contains(path,'text')`.
    pub fn contains(&self, text: &str) -> Filter {
        self.function("contains", text)
    }
}

std::thread_local! {
    /// How many lambdas (`any`/`all`) are being built around the current one: each gets a
    /// variable of its own.
    static LAMBDA_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The variable of a lambda at `depth`: `x`, `y`, `z`, `w`, then `x4`, `x5`, ...
fn lambda_variable(depth: usize) -> String {
    match depth {
        0 => "x".to_string(),
        1 => "y".to_string(),
        2 => "z".to_string(),
        3 => "w".to_string(),
        n => format!("x{n}"),
    }
}

impl<T, E> Field<T, Vec<E>> {
    fn lambda(&self, operator: &str, condition: impl FnOnce(Field<(), E>) -> Filter) -> Filter {
        let depth = LAMBDA_DEPTH.with(|depth| depth.replace(depth.get() + 1));
        let variable = lambda_variable(depth);
        // Restored even if `condition` panics, so later filters start from the top again.
        struct Restore(usize);
        impl Drop for Restore {
            fn drop(&mut self) {
                LAMBDA_DEPTH.with(|depth| depth.set(self.0));
            }
        }
        let _restore = Restore(depth);
        let item = Field::at(variable.clone(), true);
        let condition = condition(item);
        Filter::atom(format!("{}/{operator}({variable}:{condition})", self.path))
    }

    /// `path/any(x:condition)`: some item meets `condition`, which gets the item as a field
    /// (`x`, or `x/city` with [`then`](Field::then)).
    pub fn any(&self, condition: impl FnOnce(Field<(), E>) -> Filter) -> Filter {
        self.lambda("any", condition)
    }

    /// `path/all(x:condition)`: every item meets `condition`.
    pub fn all(&self, condition: impl FnOnce(Field<(), E>) -> Filter) -> Filter {
        self.lambda("all", condition)
    }

    /// `path/any()`: the collection is not empty.
    pub fn is_not_empty(&self) -> Filter {
        Filter::atom(format!("{}/any()", self.path))
    }
}

/// A Rust value that a field of type `V` is compared with: a `V`, or for convenience a `&str`
/// where `V` is text (`String`, the date, time, GUID and decimal types). Nothing else converts,
/// so a literal of another type does not compile (`VERSION.eq(true)` for an `i32` field).
pub trait Value<V> {
    /// The value as an OData literal.
    fn literal(self) -> String;
}

impl<V: ODataLiteral> Value<V> for V {
    fn literal(self) -> String {
        self.to_odata_literal()
    }
}

macro_rules! text_values {
    ($($ty:ty),*) => {$(
        /// The text as a value of this type (written as the type's literal).
        impl Value<$ty> for &str {
            fn literal(self) -> String {
                <$ty>::from(self).to_odata_literal()
            }
        }
    )*};
}

text_values!(
    String,
    crate::values::DateTimeOffset,
    crate::values::Date,
    crate::values::TimeOfDay,
    crate::values::Duration,
    crate::values::Guid,
    crate::values::Binary,
    Decimal
);

/// An `Edm.Decimal` in `$filter`: its text, written as a bare number (the model keeps decimals as
/// `String`, which would be a quoted string literal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decimal(pub String);

impl From<&str> for Decimal {
    fn from(text: &str) -> Decimal {
        Decimal(text.to_string())
    }
}

impl ODataLiteral for Decimal {
    fn to_odata_literal(&self) -> String {
        crate::values::bare_or_quoted(&self.0, |c| {
            c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')
        })
    }
}

/// A value whose properties can follow it in a path ([`Field::then`]): a model struct (its own
/// properties) or a union (its base type's).
pub trait FieldOwner {
    /// The struct whose constants name the properties.
    type Owner;
}

impl<M: crate::Model> FieldOwner for M {
    type Owner = M;
}

/// A navigation property of a model struct `T` whose values are `V` (`Vec<_>` for
/// collections): `T`'s constants (`User::MANAGER`), for `$expand`. What was expanded comes
/// back typed in `T`'s field of the same name (`user.manager`).
pub struct Navigation<T, V> {
    name: &'static str,
    _types: PhantomData<fn() -> (T, V)>,
}

impl<T, V> Clone for Navigation<T, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, V> Copy for Navigation<T, V> {}

impl<T, V> fmt::Debug for Navigation<T, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Navigation").field(&self.name).finish()
    }
}

impl<T, V> Navigation<T, V> {
    /// The navigation property with this name (on the wire).
    pub const fn new(name: &'static str) -> Self {
        Navigation {
            name,
            _types: PhantomData,
        }
    }

    /// Its name on the wire.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// `$expand` of this navigation, with no options of its own yet.
    pub fn expand(&self) -> Expand<V> {
        Expand {
            name: self.name,
            options: Vec::new(),
            _value: PhantomData,
        }
    }
}

impl<T, V> Navigation<T, Vec<V>> {
    /// Where the rest of an expanded collection is, when the service paged it: the
    /// `name@odata.nextLink` among the entity's `additional_properties` (its field holds the
    /// first page). `None` when the expansion came whole; [`rest`](Navigation::rest) reads
    /// what follows.
    pub fn next_link<'e>(
        &self,
        additional_properties: &'e serde_json::Map<String, serde_json::Value>,
    ) -> Option<&'e str> {
        additional_properties
            .get(&format!("{}@odata.nextLink", self.name))
            .and_then(serde_json::Value::as_str)
    }

    /// The operation that reads the rest of a paged expansion (see
    /// [`next_link`](Navigation::next_link)), as the navigation's own list operation `list`
    /// (`configurations().by_id(id).assignments().list()`) reads its next page: only inside the
    /// service root, with `list`'s headers. `None` when the expansion came whole.
    pub fn rest(
        &self,
        list: &crate::Operation<crate::Page<V>>,
        additional_properties: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<Result<crate::Operation<crate::Page<V>>, crate::Error>> {
        let page = crate::Page {
            value: Vec::new(),
            next_link: Some(self.next_link(additional_properties)?.to_string()),
            delta_link: None,
            count: None,
            context: None,
            additional_properties: serde_json::Map::new(),
        };
        list.next_page(&page)
    }
}

/// One item of `$expand`: a navigation with its own `$select`, `$filter`, `$top`, `$orderby`
/// (`manager($select=id,displayName)`). Pass it to
/// [`Operation::expand`](crate::Operation::expand).
pub struct Expand<V> {
    name: &'static str,
    options: Vec<(&'static str, String)>,
    _value: PhantomData<fn() -> V>,
}

impl<V> Clone for Expand<V> {
    fn clone(&self) -> Self {
        Expand {
            name: self.name,
            options: self.options.clone(),
            _value: PhantomData,
        }
    }
}

impl<V> fmt::Debug for Expand<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expand").field(&self.to_text()).finish()
    }
}

impl<V> Expand<V> {
    fn option(mut self, name: &'static str, value: String) -> Self {
        match self.options.iter_mut().find(|(n, _)| *n == name) {
            Some(option) => option.1 = value,
            None => self.options.push((name, value)),
        }
        self
    }

    /// The item as `$expand` text: `name` or `name(opt=value;...)`.
    pub fn to_text(&self) -> String {
        if self.options.is_empty() {
            return self.name.to_string();
        }
        let options: Vec<String> = self
            .options
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        format!("{}({})", self.name, options.join(";"))
    }
}

impl<V: crate::Selectable> Expand<V> {
    /// `$select` of the expanded entities: only properties of the navigation's type compile
    /// (none: every property, as without `$select`).
    pub fn select(self, properties: impl IntoIterator<Item = V::Property>) -> Self {
        let names: Vec<String> = properties
            .into_iter()
            .map(|property| property.as_ref().to_string())
            .collect();
        if names.is_empty() {
            let mut expand = self;
            expand.options.retain(|(name, _)| *name != "$select");
            return expand;
        }
        self.option("$select", names.join(","))
    }
}

/// Options that only a collection navigation takes.
impl<E> Expand<Vec<E>> {
    /// `$filter` of the expanded items.
    pub fn filter(self, filter: impl Into<Filter>) -> Self {
        let filter = filter.into();
        self.option("$filter", filter.to_string())
    }

    /// `$top` of the expanded items.
    pub fn top(self, count: u32) -> Self {
        self.option("$top", count.to_string())
    }
}

impl<E: crate::Selectable> Expand<Vec<E>> {
    /// `$orderby` of the expanded items: sorts by `property`, after any property given earlier.
    pub fn order_by(self, property: E::Property, direction: crate::Direction) -> Self {
        let term = direction.term(property.as_ref());
        let value = match self.options.iter().find(|(name, _)| *name == "$orderby") {
            Some((_, existing)) => format!("{existing},{term}"),
            None => term,
        };
        self.option("$orderby", value)
    }
}

/// What [`Operation::expand`](crate::Operation::expand) takes: an [`Expand`], or text in OData
/// syntax (`"members($select=id)"`).
pub trait ExpandItem {
    /// The item as `$expand` text.
    fn expand_text(&self) -> String;
}

impl<V> ExpandItem for Expand<V> {
    fn expand_text(&self) -> String {
        self.to_text()
    }
}

impl ExpandItem for str {
    fn expand_text(&self) -> String {
        self.to_string()
    }
}

impl ExpandItem for String {
    fn expand_text(&self) -> String {
        self.clone()
    }
}

impl<T: ExpandItem + ?Sized> ExpandItem for &T {
    fn expand_text(&self) -> String {
        (**self).expand_text()
    }
}

impl<V> fmt::Display for Expand<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

#[cfg(all(test, msgraph_runtime))]
mod tests {
    use super::*;
    use crate::values::{Binary, Date, DateTimeOffset, Duration, Guid, TimeOfDay};

    /// A stand-in for a model struct with a property-name enum.
    #[derive(serde::Serialize)]
    struct User;

    #[derive(Clone, Copy)]
    enum UserProperty {
        Id,
        DisplayName,
    }

    impl AsRef<str> for UserProperty {
        fn as_ref(&self) -> &str {
            match self {
                UserProperty::Id => "id",
                UserProperty::DisplayName => "displayName",
            }
        }
    }

    impl crate::Selectable for User {
        type Property = UserProperty;
    }

    /// A stand-in for a complex type.
    struct Address;

    impl FieldOwner for Address {
        type Owner = Address;
    }

    /// A stand-in for a generated enum (whose literal is qualified).
    enum Color {
        Red,
    }

    impl ODataLiteral for Color {
        fn to_odata_literal(&self) -> String {
            match self {
                Color::Red => crate::path::enum_literal("ns.color", "red"),
            }
        }
    }

    const NAME: Field<User, String> = Field::new("displayName");
    const AGE: Field<User, i32> = Field::new("age");

    #[test]
    fn literals_are_written_in_odata_syntax_for_each_type() {
        assert_eq!(NAME.eq("it's").as_str(), "displayName eq 'it''s'");
        assert_eq!(AGE.gt(42).as_str(), "age gt 42");
        let cases: Vec<Filter> = vec![
            Field::<User, bool>::new("enabled").eq(true),
            Field::<User, i64>::new("size").le(5_000_000_000_i64),
            Field::<User, f64>::new("score").ge(0.5),
            Field::<User, f64>::new("score").lt(f64::INFINITY),
            Field::<User, DateTimeOffset>::new("created").ge("2024-05-01T08:30:00Z"),
            Field::<User, Date>::new("birthday").eq("2024-05-01"),
            Field::<User, TimeOfDay>::new("start").eq("08:30:00"),
            Field::<User, Guid>::new("tenantId").eq("00000000-0000-0000-0000-000000000001"),
            Field::<User, Duration>::new("retention").eq("P1D"),
            Field::<User, Binary>::new("thumbprint").eq("AAE="),
            Field::<User, Color>::new("color").ne(Color::Red),
        ];
        let texts: Vec<&str> = cases.iter().map(Filter::as_str).collect();
        assert_eq!(
            texts,
            [
                "enabled eq true",
                "size le 5000000000",
                "score ge 0.5",
                "score lt INF",
                "created ge 2024-05-01T08:30:00Z",
                "birthday eq 2024-05-01",
                "start eq 08:30:00",
                "tenantId eq 00000000-0000-0000-0000-000000000001",
                "retention eq duration'P1D'",
                "thumbprint eq binary'AAE='",
                "color ne ns.color'red'",
            ]
        );
    }

    // A stand-in for a member of a generated flags enum (the flags module's).
    use crate::flags::tests::Access;

    #[test]
    fn integer_literals_of_every_width_are_plain_decimals() {
        let byte: Field<User, u8> = Field::new("byte");
        let sbyte: Field<User, i8> = Field::new("sbyte");
        let int16: Field<User, i16> = Field::new("int16");
        let int64: Field<User, i64> = Field::new("int64");
        let cases = [
            (byte.eq(0), "byte eq 0"),
            (byte.le(u8::MAX), "byte le 255"),
            (sbyte.ge(i8::MIN), "sbyte ge -128"),
            (sbyte.lt(i8::MAX), "sbyte lt 127"),
            (int16.gt(i16::MIN), "int16 gt -32768"),
            (int16.ne(i16::MAX), "int16 ne 32767"),
            // Beyond 2^53, where a JSON number would lose digits: the literal keeps them all.
            (int64.eq(9_007_199_254_740_993), "int64 eq 9007199254740993"),
            (int64.ge(i64::MIN), "int64 ge -9223372036854775808"),
            (int64.le(i64::MAX), "int64 le 9223372036854775807"),
            (byte.is_in([1, 2, 255]), "byte in (1,2,255)"),
            (sbyte.is_in([-1, 0]), "sbyte in (-1,0)"),
            (int16.is_in([-300, 300]), "int16 in (-300,300)"),
        ];
        for (filter, text) in cases {
            assert_eq!(filter.as_str(), text);
        }
    }

    #[test]
    fn single_and_double_literals_round_trip_and_name_what_is_not_finite() {
        let single: Field<User, f32> = Field::new("single");
        let double: Field<User, f64> = Field::new("double");
        let cases = [
            // The shortest text that reads back as the same `f32`, not its `f64` widening
            // (`0.10000000149011612`).
            (single.eq(0.1), "single eq 0.1"),
            (single.eq(1.0), "single eq 1.0"),
            (single.eq(-0.0), "single eq -0.0"),
            (single.lt(f32::MAX), "single lt 3.4028235e38"),
            (single.gt(f32::MIN_POSITIVE), "single gt 1.1754944e-38"),
            (single.gt(1e-7), "single gt 1e-7"),
            (single.eq(f32::NAN), "single eq NaN"),
            (single.lt(f32::INFINITY), "single lt INF"),
            (single.gt(f32::NEG_INFINITY), "single gt -INF"),
            (
                single.is_in([f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 2.5]),
                "single in (NaN,INF,-INF,2.5)",
            ),
            (double.eq(0.1), "double eq 0.1"),
            (double.eq(f64::NAN), "double eq NaN"),
            (double.gt(f64::NEG_INFINITY), "double gt -INF"),
            (double.lt(1e300), "double lt 1e300"),
        ];
        for (filter, text) in cases {
            assert_eq!(filter.as_str(), text);
        }
        // Each finite literal reads back as the number it was written from.
        for value in [
            0.1_f32,
            1.0 / 3.0,
            f32::MAX,
            f32::MIN_POSITIVE,
            1e-7,
            16_777_216.0,
        ] {
            let literal = value.to_odata_literal();
            assert_eq!(literal.parse::<f32>().unwrap(), value, "{literal}");
        }
    }

    #[test]
    fn flags_literals_are_qualified_and_hold_every_member() {
        use crate::Flags;
        let access: Field<User, Flags<Access>> = Field::new("access");
        assert_eq!(
            access.eq(Flags(vec![Access::Read, Access::Write])).as_str(),
            "access eq ns.access'read,write'"
        );
        assert_eq!(
            access.ne(Flags(vec![Access::Read])).as_str(),
            "access ne ns.access'read'"
        );
        // A member this crate does not know is written as read; a quote cannot end the literal.
        assert_eq!(
            access
                .eq(Flags(vec![Access::Other("x' or 1 eq 1 or '".into())]))
                .as_str(),
            "access eq ns.access'x'' or 1 eq 1 or '''"
        );
        assert_eq!(
            access.eq(Flags(Vec::new())).as_str(),
            "access eq ns.access''"
        );
        assert_eq!(
            access
                .is_in([
                    Flags(vec![Access::Read]),
                    Flags(vec![Access::Write, Access::Read])
                ])
                .as_str(),
            "access in (ns.access'read',ns.access'write,read')"
        );
    }

    #[test]
    fn string_functions_null_checks_and_in() {
        assert_eq!(
            NAME.starts_with("Al").as_str(),
            "startswith(displayName,'Al')"
        );
        assert_eq!(NAME.ends_with("'").as_str(), "endswith(displayName,'''')");
        assert_eq!(NAME.contains("b").as_str(), "contains(displayName,'b')");
        assert_eq!(NAME.is_null().as_str(), "displayName eq null");
        assert_eq!(NAME.is_not_null().as_str(), "displayName ne null");
        assert_eq!(
            NAME.is_in(["a", "b'c"]).as_str(),
            "displayName in ('a','b''c')"
        );
        assert_eq!(AGE.is_in([1, 2]).as_str(), "age in (1,2)");
        assert_eq!(AGE.is_in(Vec::<i32>::new()).as_str(), "false");
        // A decimal is a bare number; text that is not one stays a quoted string.
        let price: Field<User, Decimal> = Field::new("price");
        assert_eq!(price.ge("12.50").as_str(), "price ge 12.50");
        assert_eq!(price.ge("1 or 1").as_str(), "price ge '1 or 1'");
    }

    #[test]
    fn logical_operators_keep_odata_precedence() {
        let a = || NAME.eq("a");
        let b = || AGE.eq(1);
        let c = || AGE.eq(2);
        assert_eq!(a().and(b()).as_str(), "displayName eq 'a' and age eq 1");
        assert_eq!(
            a().or(b()).and(c()).as_str(),
            "(displayName eq 'a' or age eq 1) and age eq 2"
        );
        assert_eq!(
            a().and(b()).or(c()).as_str(),
            "displayName eq 'a' and age eq 1 or age eq 2"
        );
        assert_eq!(
            a().or(b()).not().as_str(),
            "not (displayName eq 'a' or age eq 1)"
        );
        // `not` binds tighter than `eq`.
        assert_eq!(a().not().as_str(), "not (displayName eq 'a')");
        assert_eq!(
            NAME.starts_with("A").not().as_str(),
            "not startswith(displayName,'A')"
        );
        assert_eq!(
            a().not().and(b().not()).as_str(),
            "not (displayName eq 'a') and not (age eq 1)"
        );
        // Raw text is parenthesized wherever it is combined.
        assert_eq!(
            Filter::from("x eq 1 or y eq 2").and(a()).as_str(),
            "(x eq 1 or y eq 2) and displayName eq 'a'"
        );
        assert_eq!(Filter::from(String::from("raw")).to_string(), "raw");
    }

    #[test]
    fn lambdas_over_collections_and_paths_into_complex_values() {
        let phones: Field<User, Vec<String>> = Field::new("businessPhones");
        assert_eq!(
            phones.any(|phone| phone.eq("555")).as_str(),
            "businessPhones/any(x:x eq '555')"
        );
        assert_eq!(
            phones.all(|phone| phone.starts_with("+1")).as_str(),
            "businessPhones/all(x:startswith(x,'+1'))"
        );
        assert_eq!(phones.is_not_empty().as_str(), "businessPhones/any()");
        let city: Field<Address, String> = Field::new("city");
        let home: Field<User, Address> = Field::new("home");
        assert_eq!(
            home.then(city.clone()).eq("Oslo").as_str(),
            "home/city eq 'Oslo'"
        );
        // A lambda inside a lambda gets the next variable.
        let addresses: Field<User, Vec<Address>> = Field::new("addresses");
        let lines: Field<Address, Vec<String>> = Field::new("lines");
        let nested = addresses.any(|address| {
            address
                .then(lines.clone())
                .any(|line| line.eq("x"))
                .and(address.then(city.clone()).eq("Oslo"))
        });
        assert_eq!(
            nested.as_str(),
            "addresses/any(x:x/lines/any(y:y eq 'x') and x/city eq 'Oslo')"
        );
        // A lambda over another property inside a lambda still gets a variable of its own.
        let inner = addresses.any(|_| phones.any(|phone| phone.eq("1")));
        assert_eq!(
            inner.as_str(),
            "addresses/any(x:businessPhones/any(y:y eq '1'))"
        );
        // After a lambda, the next filter starts from `x` again.
        assert_eq!(
            phones.any(|p| p.eq("2")).as_str(),
            "businessPhones/any(x:x eq '2')"
        );
        assert_eq!(lambda_variable(5), "x5");
    }

    #[test]
    fn expand_items_carry_their_own_options() {
        let manager: Navigation<User, User> = Navigation::new("manager");
        assert_eq!(manager.expand().to_string(), "manager");
        let members: Navigation<User, Vec<User>> = Navigation::new("members");
        let expand = members
            .expand()
            .select([UserProperty::Id, UserProperty::DisplayName])
            .filter(NAME.starts_with("A"))
            .top(5)
            .order_by(UserProperty::DisplayName, crate::Direction::Descending)
            .top(3);
        assert_eq!(
            expand.to_string(),
            "members($select=id,displayName;$filter=startswith(displayName,'A');$top=3;$orderby=displayName desc)"
        );
        // Sort terms accumulate, as on an operation.
        let sorted = members
            .expand()
            .order_by(UserProperty::DisplayName, crate::Direction::Descending)
            .order_by(UserProperty::Id, crate::Direction::Ascending);
        assert_eq!(
            sorted.to_string(),
            "members($orderby=displayName desc,id asc)"
        );
        // Selecting nothing selects everything, as without `$select`.
        assert_eq!(members.expand().select([]).to_string(), "members");
        assert_eq!(ExpandItem::expand_text(&expand.clone()), expand.to_string());
        assert_eq!("manager".expand_text(), "manager");
    }
}
