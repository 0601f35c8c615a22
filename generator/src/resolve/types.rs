//! Types: type uses, structured and enum types with their members, inheritance, and keys.

use super::*;

/// Splits `text` at its last `.`, as `rsplit_once('.')` does; a plain loop from the end is
/// quicker than the general search for the short qualified names of CSDL.
/// Follows a key property path (`id`, or `Info/ID` through complex properties) from the entity
/// type `id`: the property it ends at, or what is wrong with it ("is not a property of ...").
pub(super) fn key_path_target<'t, 'a>(
    types: &'t [TypeDef<'a>],
    id: TypeId,
    path: &str,
) -> Result<&'t PropertyDef<'a>, String> {
    let mut owner = id;
    let mut segments = path.split('/').peekable();
    while let Some(segment) = segments.next() {
        let property = ancestors_and_self(types, owner)
            .into_iter()
            .find_map(|ancestor| match &types[ancestor.index()].kind {
                TypeKind::Structured(def) => def.properties.iter().find(|p| p.name == segment),
                _ => None,
            })
            .ok_or_else(|| {
                let entity = types[id.index()].qualified_name();
                if owner == id {
                    format!("is not a property of `{entity}` or its base types")
                } else {
                    format!(
                        "is not a property path of `{entity}`: `{segment}` is not a property of `{}`",
                        types[owner.index()].qualified_name()
                    )
                }
            })?;
        if property.ty.collection {
            return Err(format!(
                "is not a property path of `{}`: `{segment}` is a collection",
                types[id.index()].qualified_name()
            ));
        }
        if segments.peek().is_none() {
            return Ok(property);
        }
        owner = match property.ty.target {
            TypeTarget::Named(next)
                if matches!(types[next.index()].kind, TypeKind::Structured(_)) =>
            {
                next
            }
            _ => {
                return Err(format!(
                    "is not a property path of `{}`: `{segment}` has no properties",
                    types[id.index()].qualified_name()
                ));
            }
        };
    }
    Err("is empty".to_string())
}

/// A member a type declares: which list of its element, and the position in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum MemberRef {
    Property(u32),
    Navigation(u32),
    EnumMember(u32),
}

impl<'n, 'd, 'a> Resolver<'n, 'd, 'a> {
    pub(super) fn primitive_name(&mut self, written: &Spanned<Text<'_>>) -> Option<Primitive> {
        self.primitive(written.as_str(), written.span)
    }

    pub(super) fn primitive(&mut self, text: &str, span: Span) -> Option<Primitive> {
        match text.strip_prefix("Edm.") {
            Some(name) => match Primitive::from_edm_name(name) {
                Some(primitive) => Some(primitive),
                None => {
                    self.diagnostics
                        .error(span, format!("unknown primitive type `Edm.{name}`"));
                    None
                }
            },
            None => {
                self.diagnostics.error(
                    span,
                    format!("expected a primitive type (`Edm.*`), found `{text}`"),
                );
                None
            }
        }
    }

    /// Resolves a property, parameter or return type: `Edm.X`, `ns.T` or `Collection(...)`.
    pub(super) fn type_use(
        &mut self,
        written: &Spanned<Text<'_>>,
        nullable: bool,
        what: &str,
    ) -> Option<TypeUse> {
        let text = written.as_str();
        let (inner, collection) = if let Some(rest) = text.strip_prefix("Collection(") {
            match rest.strip_suffix(')') {
                Some(inner) => (inner, true),
                None => {
                    self.diagnostics.error(
                        written.span,
                        format!("unterminated `Collection(` in the {what} `{text}`: expected a closing `)`"),
                    );
                    return None;
                }
            }
        } else {
            (text, false)
        };
        let inner_span = if collection {
            Span::new(
                written.span.start() + "Collection(".len(),
                written.span.end().saturating_sub(1),
            )
        } else {
            written.span
        };
        let target = if let Some(name) = inner.strip_prefix("Edm.") {
            // A type OData does not define (`Edm.Float` in some services' metadata) is a defect
            // of the document, not a reason to refuse the service: its values are kept as JSON.
            match Primitive::from_edm_name(name) {
                Some(primitive) => TypeTarget::Primitive(primitive),
                None => {
                    self.diagnostics.warning(
                        inner_span,
                        format!(
                            "`Edm.{name}` is not a primitive type OData defines: values of this {what} are kept as untyped JSON (`Edm.Untyped`)"
                        ),
                    );
                    TypeTarget::Primitive(Primitive::Untyped)
                }
            }
        } else {
            TypeTarget::Named(self.named_type(inner, inner_span, what)?)
        };
        Some(TypeUse {
            target,
            collection,
            nullable,
        })
    }

    pub(super) fn structured(
        &mut self,
        id: TypeId,
        ty: &'d syntax::StructuredType<'a>,
    ) -> StructuredDef<'a> {
        self.seen.clear();
        let base = ty
            .base_type
            .as_ref()
            .and_then(|base| self.named_type(base.as_str(), base.span, "base type"));
        let mut properties = Vec::with_capacity(ty.properties.len());
        for (index, property) in ty.properties.iter().enumerate() {
            self.declare_member(
                id,
                &property.name,
                MemberRef::Property(index as u32),
                "property",
            );
            if let Some(use_) =
                self.type_use(&property.type_name, property.nullable, "property type")
            {
                if let TypeTarget::Named(target) = use_.target {
                    self.check_value_type(target, &property.type_name, "property");
                }
                properties.push(PropertyDef {
                    name: property.name.value.clone(),
                    ty: use_,
                    description: annotation_description(
                        &self.names.qualifiers,
                        &property.annotations,
                    ),
                });
            }
        }
        let mut navigations = Vec::with_capacity(ty.navigation_properties.len());
        for (index, navigation) in ty.navigation_properties.iter().enumerate() {
            let member = MemberRef::Navigation(index as u32);
            self.declare_member(id, &navigation.name, member, "property");
            let Some(use_) = self.type_use(
                &navigation.type_name,
                navigation.nullable,
                "navigation property type",
            ) else {
                continue;
            };
            let TypeTarget::Named(target) = use_.target else {
                self.diagnostics.error(
                    navigation.type_name.span,
                    "a navigation property must point to an entity type",
                );
                continue;
            };
            if !self.is_entity(target) {
                self.diagnostics.error(
                    navigation.type_name.span,
                    format!(
                        "the navigation property `{}` points to `{}`, which is not an entity type",
                        navigation.name.value, navigation.type_name.value
                    ),
                );
                continue;
            }
            navigations.push(NavigationDef {
                name: navigation.name.value.clone(),
                target,
                collection: use_.collection,
                contains_target: navigation.contains_target,
                capabilities: restrictions(
                    Capabilities::default(),
                    navigation.annotations.iter().map(|a| {
                        (
                            capabilities_term(&self.names.qualifiers, a.term.as_str()),
                            a,
                        )
                    }),
                ),
                description: annotation_description(
                    &self.names.qualifiers,
                    &navigation.annotations,
                ),
            });
        }
        StructuredDef {
            kind: ty.kind.into(),
            base,
            derived: Vec::new(),
            is_abstract: ty.is_abstract,
            is_open: ty.is_open,
            has_stream: ty.has_stream,
            key: ty
                .key
                .iter()
                .map(|k| KeyDef {
                    path: k.name.value.clone(),
                    alias: k.alias.as_ref().map(|alias| alias.value.clone()),
                })
                .collect(),
            properties,
            navigations,
        }
    }

    /// Records a member of the type `id`; an error if the type already has one of that name
    /// (the first is kept).
    pub(super) fn declare_member(
        &mut self,
        id: TypeId,
        name: &'d Spanned<Text<'a>>,
        member: MemberRef,
        what: &str,
    ) {
        match self.seen.entry(name.as_str()) {
            Entry::Vacant(slot) => {
                slot.insert(member);
            }
            Entry::Occupied(first) => {
                let first = *first.get();
                let first = self.member_name(id, first).map(|n| n.span);
                self.diagnostics.push(
                    Diagnostic::error(
                        name.span,
                        format!("the {what} `{}` is declared twice", name.value),
                    )
                    .with_note(first, "first declared here"),
                );
            }
        }
    }

    /// Puts the members the type `id` declares into `members` (the first of a name wins).
    pub(super) fn index_members(&mut self, id: TypeId) {
        let mut add = |name: &'d Spanned<Text<'a>>, member| {
            self.members.entry((id, name.as_str())).or_insert(member);
        };
        match self.names.declared[id.index()].declared {
            Declared::Structured(ty) => {
                for (i, property) in ty.properties.iter().enumerate() {
                    add(&property.name, MemberRef::Property(i as u32));
                }
                for (i, navigation) in ty.navigation_properties.iter().enumerate() {
                    add(&navigation.name, MemberRef::Navigation(i as u32));
                }
            }
            Declared::Enum(ty) => {
                for (i, member) in ty.members.iter().enumerate() {
                    add(&member.name, MemberRef::EnumMember(i as u32));
                }
            }
            Declared::Definition(_) => {}
        }
    }

    /// The name of a member of the type `id`, as declared.
    pub(super) fn member_name(
        &self,
        id: TypeId,
        member: MemberRef,
    ) -> Option<&'d Spanned<Text<'a>>> {
        match (self.declared_of(id), member) {
            (Declared::Structured(ty), MemberRef::Property(i)) => {
                ty.properties.get(i as usize).map(|p| &p.name)
            }
            (Declared::Structured(ty), MemberRef::Navigation(i)) => {
                ty.navigation_properties.get(i as usize).map(|n| &n.name)
            }
            (Declared::Enum(ty), MemberRef::EnumMember(i)) => {
                ty.members.get(i as usize).map(|m| &m.name)
            }
            _ => None,
        }
    }

    pub(super) fn declared_of(&self, id: TypeId) -> Declared<'d, 'a> {
        self.names.declared[id.index()].declared
    }

    pub(super) fn is_entity(&self, id: TypeId) -> bool {
        matches!(self.declared_of(id), Declared::Structured(t) if t.kind == syntax::StructuredKind::Entity)
    }

    /// Entity types are not allowed as structural property types.
    pub(super) fn check_value_type(&mut self, id: TypeId, written: &Spanned<Text<'_>>, what: &str) {
        if self.is_entity(id) {
            self.diagnostics.error(
                written.span,
                format!(
                    "the {what} type `{}` is an entity type; use a navigation property",
                    written.value
                ),
            );
        }
    }

    pub(super) fn enumeration(&mut self, id: TypeId, ty: &'d syntax::EnumType<'a>) -> EnumDef<'a> {
        self.seen.clear();
        let underlying = match &ty.underlying_type {
            Some(written) => match self.primitive_name(written) {
                Some(p) if p.is_integer() => p,
                Some(_) => {
                    self.diagnostics.error(
                        written.span,
                        "an enum's underlying type must be Edm.Byte, Edm.SByte, Edm.Int16, Edm.Int32 or Edm.Int64",
                    );
                    Primitive::Int32
                }
                None => Primitive::Int32,
            },
            None => Primitive::Int32,
        };
        let mut members = Vec::with_capacity(ty.members.len());
        for (position, member) in ty.members.iter().enumerate() {
            let slot = MemberRef::EnumMember(position as u32);
            self.declare_member(id, &member.name, slot, "enum member");
            let value = match &member.value {
                None if ty.is_flags => {
                    self.diagnostics.error(
                        member.name.span,
                        format!(
                            "the member `{}` of a flags enum needs a `Value`",
                            member.name.value
                        ),
                    );
                    0
                }
                None => position as i64,
                Some(written) => match written.value.trim().parse::<i64>() {
                    Ok(value) => value,
                    Err(_) => {
                        self.diagnostics.error(
                            written.span,
                            format!(
                                "the enum member value `{}` is not an integer",
                                written.value
                            ),
                        );
                        0
                    }
                },
            };
            members.push(MemberDef {
                name: member.name.value.clone(),
                value,
                description: annotation_description(&self.names.qualifiers, &member.annotations),
            });
        }
        EnumDef {
            underlying,
            is_flags: ty.is_flags,
            members,
        }
    }

    pub(super) fn link_derived(&mut self, types: &mut [TypeDef]) {
        let mut derived: BTreeMap<TypeId, Vec<TypeId>> = BTreeMap::new();
        for (index, ty) in types.iter().enumerate() {
            if let TypeKind::Structured(def) = &ty.kind {
                if let Some(base) = def.base {
                    derived.entry(base).or_default().push(TypeId(index as u32));
                }
            }
        }
        for (base, children) in derived {
            match &mut types[base.index()].kind {
                TypeKind::Structured(def) => def.derived = children,
                _ => {
                    for child in children {
                        self.diagnostics.error(
                            types[child.index()].span,
                            format!(
                                "the base type of `{}` is `{}`, which is not an entity or complex type",
                                types[child.index()].qualified_name(),
                                types[base.index()].qualified_name()
                            ),
                        );
                    }
                }
            }
        }
        // Kinds must match and inheritance must not loop.
        for index in 0..types.len() {
            let TypeKind::Structured(def) = &types[index].kind else {
                continue;
            };
            let Some(base) = def.base else { continue };
            if let TypeKind::Structured(base_def) = &types[base.index()].kind {
                if base_def.kind != def.kind {
                    self.diagnostics.error(
                        types[index].span,
                        format!(
                            "`{}` and its base type `{}` must both be entity types or both be complex types",
                            types[index].qualified_name(),
                            types[base.index()].qualified_name()
                        ),
                    );
                }
            }
            let mut chain = vec![TypeId(index as u32)];
            let mut current = base;
            loop {
                if current.index() == index {
                    let names: Vec<String> = chain
                        .iter()
                        .map(|id| format!("`{}`", types[id.index()].qualified_name()))
                        .collect();
                    let mut diagnostic = Diagnostic::error(
                        types[index].span,
                        format!(
                            "inheritance cycle: {} -> `{}`",
                            names.join(" -> "),
                            types[index].qualified_name()
                        ),
                    );
                    for id in &chain[1..] {
                        diagnostic = diagnostic.with_note(
                            Some(types[id.index()].span),
                            format!(
                                "`{}` is part of the cycle",
                                types[id.index()].qualified_name()
                            ),
                        );
                    }
                    self.diagnostics.push(diagnostic);
                    // Break the cycle so later stages terminate.
                    if let TypeKind::Structured(def) = &mut types[index].kind {
                        def.base = None;
                    }
                    break;
                }
                if chain.contains(&current) {
                    break;
                }
                chain.push(current);
                match &types[current.index()].kind {
                    TypeKind::Structured(def) => match def.base {
                        Some(next) => current = next,
                        None => break,
                    },
                    _ => break,
                }
            }
        }
    }

    pub(super) fn check_keys(&mut self, types: &[TypeDef]) {
        for index in 0..self.names.declared.len() {
            let Declared::Structured(ty) = self.names.declared[index].declared else {
                continue;
            };
            if ty.kind != syntax::StructuredKind::Entity {
                continue;
            }
            let id = TypeId(index as u32);
            for key in &ty.key {
                let path = key.name.as_str();
                if let Err(message) = key_path_target(types, id, path) {
                    self.diagnostics.error(
                        key.name.span,
                        format!("the key names `{path}`, which {message}"),
                    );
                    continue;
                }
                match (&key.alias, path.contains('/')) {
                    (None, true) => self.diagnostics.error(
                        key.name.span,
                        format!("the key property path `{path}` needs an `Alias` that names it in URLs"),
                    ),
                    (Some(alias), false) => self.diagnostics.warning(
                        alias.span,
                        format!("`Alias` is only for a key property path; `{path}` is a property, the alias is not used"),
                    ),
                    _ => {}
                }
            }
        }
    }
}
