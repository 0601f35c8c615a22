//! Stage 2: resolve a [`Document`] into a [`Model`].
//!
//! Binds every qualified name (with its namespace or alias) to a [`TypeId`], links base and derived
//! types, binds operations to their binding types, and attaches descriptions from annotations.
//! Anything code generation depends on that does not resolve is an error; defects that real
//! metadata ships anyway (annotation targets that name nothing) are warnings.

use std::collections::{BTreeMap, HashMap};

use crate::csdl::syntax::{self, AnnotationValue, Document, Spanned, StructuredKind};
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::model::*;

const CORE_NAMESPACE: &str = "Org.OData.Core.V1";

/// Resolves a document. Returns the model and the warnings, or every error.
pub fn resolve(document: &Document) -> Result<(Model, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut resolver = Resolver::new(document);
    let model = resolver.run();
    let diagnostics = resolver.diagnostics.into_sorted();
    if diagnostics.iter().any(Diagnostic::is_error) {
        Err(diagnostics)
    } else {
        Ok((model, diagnostics))
    }
}

/// A declared type before resolution: where it comes from in the document.
#[derive(Clone, Copy)]
enum Declared<'d> {
    Structured(&'d syntax::StructuredType),
    Enum(&'d syntax::EnumType),
    Definition(&'d syntax::TypeDefinition),
}

impl Declared<'_> {
    fn name(&self) -> &Spanned<String> {
        match self {
            Declared::Structured(t) => &t.name,
            Declared::Enum(t) => &t.name,
            Declared::Definition(t) => &t.name,
        }
    }
}

struct Resolver<'d> {
    document: &'d Document,
    diagnostics: Diagnostics,
    /// Alias or namespace to namespace.
    qualifiers: HashMap<String, String>,
    by_name: HashMap<String, TypeId>,
    /// Every declared type, sorted by qualified name: index `i` becomes `TypeId(i)`.
    declared: Vec<(String, Declared<'d>)>,
}

impl<'d> Resolver<'d> {
    fn new(document: &'d Document) -> Self {
        Resolver {
            document,
            diagnostics: Diagnostics::new(),
            qualifiers: HashMap::new(),
            by_name: HashMap::new(),
            declared: Vec::new(),
        }
    }

    fn run(&mut self) -> Model {
        self.collect_qualifiers();
        // Sorted by qualified name, so ids do not depend on document order.
        self.declared = self.collect_declarations();
        self.build()
    }

    fn collect_qualifiers(&mut self) {
        for include in &self.document.includes {
            self.qualifiers
                .insert(include.namespace.clone(), include.namespace.clone());
            if let Some(alias) = &include.alias {
                self.qualifiers
                    .insert(alias.clone(), include.namespace.clone());
            }
        }
        let mut namespaces: HashMap<&str, Span> = HashMap::new();
        for schema in &self.document.schemas {
            let namespace = schema.namespace.as_str();
            if let Some(first) = namespaces.insert(namespace, schema.namespace.span) {
                self.diagnostics.push(
                    Diagnostic::error(
                        schema.namespace.span,
                        format!("the namespace `{namespace}` is declared twice"),
                    )
                    .with_note(Some(first), "first declared here"),
                );
            }
            self.qualifiers
                .insert(namespace.to_string(), namespace.to_string());
        }
        for schema in &self.document.schemas {
            if let Some(alias) = &schema.alias {
                let namespace = schema.namespace.value.clone();
                match self.qualifiers.get(alias.as_str()) {
                    Some(existing) if existing != &namespace => {
                        self.diagnostics.error(
                            alias.span,
                            format!(
                                "the alias `{}` is already used for the namespace `{existing}`",
                                alias.value
                            ),
                        );
                    }
                    _ => {
                        self.qualifiers.insert(alias.value.clone(), namespace);
                    }
                }
            }
        }
    }

    fn collect_declarations(&mut self) -> Vec<(String, Declared<'d>)> {
        let mut declarations = Vec::new();
        for schema in &self.document.schemas {
            let namespace = &schema.namespace.value;
            for ty in &schema.structured_types {
                declarations.push((
                    format!("{namespace}.{}", ty.name.value),
                    Declared::Structured(ty),
                ));
            }
            for ty in &schema.enum_types {
                declarations.push((format!("{namespace}.{}", ty.name.value), Declared::Enum(ty)));
            }
            for ty in &schema.type_definitions {
                declarations.push((
                    format!("{namespace}.{}", ty.name.value),
                    Declared::Definition(ty),
                ));
            }
        }
        declarations.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.name().span.cmp(&b.1.name().span)));
        let mut unique: Vec<(String, Declared<'d>)> = Vec::with_capacity(declarations.len());
        for (name, declared) in declarations {
            if let Some((previous_name, previous)) = unique.last() {
                if *previous_name == name {
                    self.diagnostics.push(
                        Diagnostic::error(
                            declared.name().span,
                            format!("the type `{name}` is declared twice"),
                        )
                        .with_note(Some(previous.name().span), "first declared here"),
                    );
                    continue;
                }
            }
            unique.push((name, declared));
        }
        for (index, (name, _)) in unique.iter().enumerate() {
            self.by_name.insert(name.clone(), TypeId(index as u32));
        }
        unique
    }

    fn build(&mut self) -> Model {
        let descriptions = self.collect_descriptions();
        let mut types = Vec::with_capacity(self.declared.len());
        for index in 0..self.declared.len() {
            let (qualified, declared) = self.declared[index].clone();
            let (namespace, name) = split_qualified(&qualified);
            let kind = match declared {
                Declared::Structured(ty) => TypeKind::Structured(self.structured(ty)),
                Declared::Enum(ty) => TypeKind::Enum(self.enumeration(ty)),
                Declared::Definition(ty) => {
                    let underlying = self.primitive_name(&ty.underlying_type);
                    TypeKind::Definition(underlying.unwrap_or(Primitive::String))
                }
            };
            types.push(TypeDef {
                namespace: namespace.to_string(),
                name: name.to_string(),
                kind,
                description: descriptions.get(qualified.as_str()).cloned(),
                span: declared.name().span,
            });
        }
        self.attach_member_descriptions(&mut types, &descriptions);
        self.link_derived(&mut types);
        self.check_keys(&types);
        let operations = self.operations(&descriptions);
        let container = self.container(&types, &descriptions);
        let mut namespaces: Vec<String> = self
            .document
            .schemas
            .iter()
            .map(|s| s.namespace.value.clone())
            .collect();
        namespaces.sort();
        namespaces.dedup();
        Model {
            namespaces,
            types,
            operations,
            container,
            by_name: std::mem::take(&mut self.by_name),
        }
    }

    /// Resolves a qualified name (`alias.Name` or `namespace.Name`) to its full form.
    fn full_name(&self, written: &str) -> Option<String> {
        let (qualifier, name) = written.rsplit_once('.')?;
        let namespace = self.qualifiers.get(qualifier)?;
        Some(format!("{namespace}.{name}"))
    }

    /// Resolves a written type reference to a named type, reporting an error if it fails.
    fn named_type(&mut self, written: &Spanned<String>, what: &str) -> Option<TypeId> {
        let text = written.as_str();
        let Some((qualifier, simple)) = text.rsplit_once('.') else {
            self.diagnostics.error(
                written.span,
                format!("the {what} `{text}` is not a qualified name (expected `Namespace.Name`)"),
            );
            return None;
        };
        let Some(namespace) = self.qualifiers.get(qualifier).cloned() else {
            self.diagnostics.error(
                written.span,
                format!("unknown namespace or alias `{qualifier}` in the {what} `{text}`"),
            );
            return None;
        };
        let full = format!("{namespace}.{simple}");
        if let Some(id) = self.by_name.get(&full) {
            return Some(*id);
        }
        let mut diagnostic = Diagnostic::error(written.span, format!("unknown {what} `{text}`"));
        if let Some(suggestion) = self.closest_type(&namespace, simple) {
            diagnostic = diagnostic.with_note(None, format!("did you mean `{suggestion}`?"));
        }
        self.diagnostics.push(diagnostic);
        None
    }

    fn closest_type(&self, namespace: &str, simple: &str) -> Option<String> {
        let wanted = simple.to_ascii_lowercase();
        let limit = (wanted.len() / 3).max(1);
        self.declared
            .iter()
            .filter_map(|(name, _)| {
                let (ns, candidate) = split_qualified(name);
                (ns == namespace).then_some((name, candidate))
            })
            .map(|(name, candidate)| {
                (
                    edit_distance(&wanted, &candidate.to_ascii_lowercase()),
                    name,
                )
            })
            .filter(|(distance, _)| *distance <= limit)
            .min()
            .map(|(_, name)| name.clone())
    }

    fn primitive_name(&mut self, written: &Spanned<String>) -> Option<Primitive> {
        match written.as_str().strip_prefix("Edm.") {
            Some(name) => match Primitive::from_edm_name(name) {
                Some(primitive) => Some(primitive),
                None => {
                    self.diagnostics
                        .error(written.span, format!("unknown primitive type `Edm.{name}`"));
                    None
                }
            },
            None => {
                self.diagnostics.error(
                    written.span,
                    format!(
                        "expected a primitive type (`Edm.*`), found `{}`",
                        written.value
                    ),
                );
                None
            }
        }
    }

    /// Resolves a property, parameter or return type: `Edm.X`, `ns.T` or `Collection(...)`.
    fn type_use(
        &mut self,
        written: &Spanned<String>,
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
                written.span.start + "Collection(".len(),
                written.span.end.saturating_sub(1),
            )
        } else {
            written.span
        };
        let inner = Spanned::new(inner.to_string(), inner_span);
        let target = if inner.value.starts_with("Edm.") {
            TypeTarget::Primitive(self.primitive_name(&inner)?)
        } else {
            TypeTarget::Named(self.named_type(&inner, what)?)
        };
        Some(TypeUse {
            target,
            collection,
            nullable,
        })
    }

    fn structured(&mut self, ty: &syntax::StructuredType) -> StructuredDef {
        let base = ty
            .base_type
            .as_ref()
            .and_then(|base| self.named_type(base, "base type"));
        let mut properties = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for property in &ty.properties {
            self.check_unique(&mut seen, &property.name, "property");
            if let Some(use_) =
                self.type_use(&property.type_name, property.nullable, "property type")
            {
                if let TypeTarget::Named(id) = use_.target {
                    self.check_value_type(id, &property.type_name, "property");
                }
                properties.push(PropertyDef {
                    name: property.name.value.clone(),
                    ty: use_,
                    description: annotation_description(&property.annotations),
                });
            }
        }
        let mut navigations = Vec::new();
        for navigation in &ty.navigation_properties {
            self.check_unique(&mut seen, &navigation.name, "property");
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
                description: annotation_description(&navigation.annotations),
            });
        }
        StructuredDef {
            kind: ty.kind,
            base,
            derived: Vec::new(),
            is_abstract: ty.is_abstract,
            is_open: ty.is_open,
            has_stream: ty.has_stream,
            key: ty.key.iter().map(|k| k.value.clone()).collect(),
            properties,
            navigations,
        }
    }

    fn check_unique<'a>(
        &mut self,
        seen: &mut HashMap<&'a str, Span>,
        name: &'a Spanned<String>,
        what: &str,
    ) {
        if let Some(first) = seen.insert(name.as_str(), name.span) {
            self.diagnostics.push(
                Diagnostic::error(
                    name.span,
                    format!("the {what} `{}` is declared twice", name.value),
                )
                .with_note(Some(first), "first declared here"),
            );
        }
    }

    fn declared_of(&self, id: TypeId) -> Declared<'d> {
        self.declared[id.index()].1
    }

    fn is_entity(&self, id: TypeId) -> bool {
        matches!(self.declared_of(id), Declared::Structured(t) if t.kind == StructuredKind::Entity)
    }

    /// Entity types are not allowed as structural property types.
    fn check_value_type(&mut self, id: TypeId, written: &Spanned<String>, what: &str) {
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

    fn enumeration(&mut self, ty: &syntax::EnumType) -> EnumDef {
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
        let mut members = Vec::new();
        let mut seen = HashMap::new();
        for (position, member) in ty.members.iter().enumerate() {
            self.check_unique(&mut seen, &member.name, "enum member");
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
                description: annotation_description(&member.annotations),
            });
        }
        EnumDef {
            underlying,
            is_flags: ty.is_flags,
            members,
        }
    }

    fn link_derived(&mut self, types: &mut [TypeDef]) {
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

    fn check_keys(&mut self, types: &[TypeDef]) {
        for index in 0..self.declared.len() {
            let Declared::Structured(ty) = self.declared[index].1 else {
                continue;
            };
            if ty.kind != StructuredKind::Entity {
                continue;
            }
            let id = TypeId(index as u32);
            for key in &ty.key {
                let found = ancestors(types, id).into_iter().any(|owner| {
                    match &types[owner.index()].kind {
                        TypeKind::Structured(def) => {
                            def.properties.iter().any(|p| p.name == key.value)
                        }
                        _ => false,
                    }
                });
                if !found {
                    self.diagnostics.error(
                        key.span,
                        format!(
                            "the key names `{}`, which is not a property of `{}` or its base types",
                            key.value,
                            types[index].qualified_name()
                        ),
                    );
                }
            }
        }
    }

    fn operations(&mut self, descriptions: &HashMap<String, String>) -> Vec<OperationDef> {
        let mut operations = Vec::new();
        for schema in &self.document.schemas {
            for operation in &schema.operations {
                let mut parameters = operation.parameters.iter();
                let binding = if operation.is_bound {
                    match parameters.next() {
                        None => {
                            self.diagnostics.error(
                                operation.name.span,
                                format!(
                                    "the bound operation `{}` has no binding parameter",
                                    operation.name.value
                                ),
                            );
                            continue;
                        }
                        Some(first) => {
                            let Some(use_) = self.type_use(
                                &first.type_name,
                                first.nullable,
                                "binding parameter type",
                            ) else {
                                continue;
                            };
                            match use_.target {
                                TypeTarget::Named(ty) => Some(Binding {
                                    ty,
                                    collection: use_.collection,
                                }),
                                TypeTarget::Primitive(_) => {
                                    self.diagnostics.error(
                                        first.type_name.span,
                                        "a binding parameter must be an entity or complex type",
                                    );
                                    continue;
                                }
                            }
                        }
                    }
                } else {
                    None
                };
                let mut resolved = Vec::new();
                let mut ok = true;
                for parameter in parameters {
                    match self.type_use(&parameter.type_name, parameter.nullable, "parameter type")
                    {
                        Some(ty) => resolved.push(ParameterDef {
                            name: parameter.name.value.clone(),
                            ty,
                        }),
                        None => ok = false,
                    }
                }
                let return_type = match &operation.return_type {
                    Some(r) => match self.type_use(&r.type_name, r.nullable, "return type") {
                        Some(ty) => Some(ty),
                        None => {
                            ok = false;
                            None
                        }
                    },
                    None => None,
                };
                if !ok {
                    continue;
                }
                let qualified = format!("{}.{}", schema.namespace.value, operation.name.value);
                operations.push(OperationDef {
                    kind: operation.kind,
                    namespace: schema.namespace.value.clone(),
                    name: operation.name.value.clone(),
                    binding,
                    parameters: resolved,
                    return_type,
                    is_composable: operation.is_composable,
                    description: annotation_description(&operation.annotations)
                        .or_else(|| descriptions.get(&qualified).cloned()),
                    span: operation.name.span,
                });
            }
        }
        let type_name = |id: TypeId| self.declared[id.index()].0.clone();
        operations.sort_by_cached_key(|op| {
            (
                op.namespace.clone(),
                op.name.clone(),
                op.binding.map(|b| (type_name(b.ty), b.collection)),
                op.parameters
                    .iter()
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>(),
                op.span,
            )
        });
        operations
    }

    fn container(
        &mut self,
        types: &[TypeDef],
        descriptions: &HashMap<String, String>,
    ) -> Option<Container> {
        let mut found = Vec::new();
        for schema in &self.document.schemas {
            for container in &schema.entity_containers {
                found.push((schema, container));
            }
        }
        if found.len() > 1 {
            let (_, second) = found[1];
            self.diagnostics.push(
                Diagnostic::error(
                    second.name.span,
                    "a document may have only one entity container",
                )
                .with_note(Some(found[0].1.name.span), "the first one is here"),
            );
        }
        let (schema, container) = *found.first()?;
        let mut children = Vec::new();
        let mut seen = HashMap::new();
        for child in &container.children {
            self.check_unique(&mut seen, &child.name, "entity set or singleton");
            let Some(ty) = self.named_type(&child.type_name, "entity type") else {
                continue;
            };
            if !matches!(&types[ty.index()].kind, TypeKind::Structured(def) if def.kind == StructuredKind::Entity)
            {
                self.diagnostics.error(
                    child.type_name.span,
                    format!("`{}` is not an entity type", child.type_name.value),
                );
                continue;
            }
            let key = format!(
                "{}.{}/{}",
                schema.namespace.value, container.name.value, child.name.value
            );
            children.push(ContainerEntry {
                kind: child.kind,
                name: child.name.value.clone(),
                ty,
                description: annotation_description(&child.annotations)
                    .or_else(|| descriptions.get(&key).cloned()),
                span: child.name.span,
            });
            for binding in &child.bindings {
                self.check_binding_target(schema, container, binding);
            }
        }
        children.sort_by(|a, b| a.name.cmp(&b.name));
        Some(Container {
            namespace: schema.namespace.value.clone(),
            name: container.name.value.clone(),
            children,
        })
    }

    /// Navigation property binding targets do not affect code; one that does not resolve is a
    /// warning (real Graph metadata ships several).
    fn check_binding_target(
        &mut self,
        schema: &syntax::Schema,
        container: &syntax::EntityContainer,
        binding: &syntax::NavigationBinding,
    ) {
        let target = binding.target.as_str();
        let first = target.split('/').next().unwrap_or(target);
        let local = first
            .strip_prefix(&format!(
                "{}.{}/",
                schema.namespace.value, container.name.value
            ))
            .unwrap_or(first);
        if !container.children.iter().any(|c| c.name.value == local) {
            self.diagnostics.warning(
                binding.target.span,
                format!("the navigation property binding target `{target}` names no entity set or singleton"),
            );
        }
    }

    /// Descriptions from `Annotations` blocks, keyed by full target (`ns.Type`, `ns.Type/prop`).
    fn collect_descriptions(&mut self) -> HashMap<String, String> {
        let mut descriptions: HashMap<String, (Option<String>, Option<String>)> = HashMap::new();
        for schema in &self.document.schemas {
            for block in &schema.annotation_blocks {
                let target = block.target.as_str();
                let Some(full) = self.full_target(target) else {
                    continue;
                };
                if !self.target_exists(&full) {
                    self.diagnostics.warning(
                        block.target.span,
                        format!("the annotation target `{target}` names nothing in this document"),
                    );
                    continue;
                }
                for annotation in &block.annotations {
                    let Some(term) = self.full_name(annotation.term.as_str()) else {
                        continue;
                    };
                    let entry = descriptions.entry(full.clone()).or_default();
                    match (term.as_str(), &annotation.value) {
                        (t, AnnotationValue::String(text))
                            if t == format!("{CORE_NAMESPACE}.Description") =>
                        {
                            entry.0.get_or_insert_with(|| text.clone());
                        }
                        (t, AnnotationValue::String(text))
                            if t == format!("{CORE_NAMESPACE}.LongDescription") =>
                        {
                            entry.1.get_or_insert_with(|| text.clone());
                        }
                        _ => {}
                    }
                }
            }
        }
        descriptions
            .into_iter()
            .filter_map(|(target, (short, long))| {
                join_descriptions(short, long).map(|d| (target, d))
            })
            .collect()
    }

    /// Rewrites an annotation target's qualifier to the full namespace.
    fn full_target(&self, target: &str) -> Option<String> {
        let (head, rest) = match target.find(['/', '(']) {
            Some(at) => target.split_at(at),
            None => (target, ""),
        };
        Some(format!("{}{rest}", self.full_name(head)?))
    }

    fn target_exists(&self, full: &str) -> bool {
        let head = full.split(['/', '(']).next().unwrap_or(full);
        if self.by_name.contains_key(head) {
            return true;
        }
        let (namespace, name) = split_qualified(head);
        self.document.schemas.iter().any(|schema| {
            schema.namespace.value == namespace
                && (schema.operations.iter().any(|o| o.name.value == name)
                    || schema
                        .entity_containers
                        .iter()
                        .any(|c| c.name.value == name)
                    || schema.terms.iter().any(|t| t.name.value == name))
        })
    }

    fn attach_member_descriptions(
        &self,
        types: &mut [TypeDef],
        descriptions: &HashMap<String, String>,
    ) {
        for ty in types.iter_mut() {
            let qualified = ty.qualified_name();
            match &mut ty.kind {
                TypeKind::Structured(def) => {
                    for property in &mut def.properties {
                        if property.description.is_none() {
                            property.description = descriptions
                                .get(&format!("{qualified}/{}", property.name))
                                .cloned();
                        }
                    }
                    for navigation in &mut def.navigations {
                        if navigation.description.is_none() {
                            navigation.description = descriptions
                                .get(&format!("{qualified}/{}", navigation.name))
                                .cloned();
                        }
                    }
                }
                TypeKind::Enum(def) => {
                    for member in &mut def.members {
                        if member.description.is_none() {
                            member.description = descriptions
                                .get(&format!("{qualified}/{}", member.name))
                                .cloned();
                        }
                    }
                }
                TypeKind::Definition(_) => {}
            }
        }
        // Inline annotations on the type element itself.
        for (index, (_, declared)) in self.declared.iter().enumerate() {
            let inline = match declared {
                Declared::Structured(t) => annotation_description(&t.annotations),
                Declared::Enum(t) => annotation_description(&t.annotations),
                Declared::Definition(_) => None,
            };
            if inline.is_some() {
                types[index].description = inline;
            }
        }
    }
}

fn ancestors(types: &[TypeDef], id: TypeId) -> Vec<TypeId> {
    let mut chain = vec![id];
    let mut current = id;
    while let TypeKind::Structured(def) = &types[current.index()].kind {
        match def.base {
            Some(base) if !chain.contains(&base) => {
                chain.push(base);
                current = base;
            }
            _ => break,
        }
    }
    chain
}

/// The description written inline in an element's own annotations.
fn annotation_description(annotations: &[syntax::Annotation]) -> Option<String> {
    let mut short = None;
    let mut long = None;
    for annotation in annotations {
        let term = annotation.term.as_str();
        if let AnnotationValue::String(text) = &annotation.value {
            if term.ends_with("Core.V1.Description") || term == "Core.Description" {
                short.get_or_insert_with(|| text.clone());
            } else if term.ends_with("Core.V1.LongDescription") || term == "Core.LongDescription" {
                long.get_or_insert_with(|| text.clone());
            }
        }
    }
    join_descriptions(short, long)
}

fn join_descriptions(short: Option<String>, long: Option<String>) -> Option<String> {
    let short = short.filter(|s| !s.trim().is_empty());
    let long = long.filter(|s| !s.trim().is_empty());
    match (short, long) {
        (Some(s), Some(l)) if s.trim() != l.trim() => Some(format!("{}\n\n{}", s.trim(), l.trim())),
        (Some(s), _) => Some(s.trim().to_string()),
        (None, Some(l)) => Some(l.trim().to_string()),
        (None, None) => None,
    }
}

/// Splits `a.b.c.Name` into (`a.b.c`, `Name`).
pub fn split_qualified(qualified: &str) -> (&str, &str) {
    qualified.rsplit_once('.').unwrap_or(("", qualified))
}

/// Levenshtein distance between two short strings.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}
