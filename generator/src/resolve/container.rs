//! The entity container: entity sets and singletons, and navigation property bindings.

use super::*;

impl<'n, 'd, 'a> Resolver<'n, 'd, 'a> {
    pub(super) fn container(
        &mut self,
        types: &[TypeDef<'a>],
        descriptions: &Descriptions<'d, 'a>,
    ) -> Option<Container<'a>> {
        let document = self.names.document;
        let mut found = Vec::new();
        for schema in &document.schemas {
            for container in &schema.entity_containers {
                found.push(container);
            }
        }
        if found.len() > 1 {
            self.diagnostics.push(
                Diagnostic::error(
                    found[1].name.span,
                    "a document may have only one entity container",
                )
                .with_note(Some(found[0].name.span), "the first one is here"),
            );
        }
        let (_, container) = self.names.container?;
        let written_namespace = self.names.container_namespace?;
        let mut children = Vec::with_capacity(container.children.len());
        let mut seen: FastMap<&str, Span> = fast_map(container.children.len());
        for child in &container.children {
            if let Some(first) = seen.insert(child.name.as_str(), child.name.span) {
                self.diagnostics.push(
                    Diagnostic::error(
                        child.name.span,
                        format!(
                            "the entity set or singleton `{}` is declared twice",
                            child.name.value
                        ),
                    )
                    .with_note(Some(first), "first declared here"),
                );
            }
            let Some(ty) = self.named_type(
                child.type_name.as_str(),
                child.type_name.span,
                "entity type",
            ) else {
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
            let inline = restrictions(
                Capabilities::default(),
                child.annotations.iter().map(|a| {
                    (
                        capabilities_term(&self.names.qualifiers, a.term.as_str()),
                        a,
                    )
                }),
            );
            let capabilities =
                match descriptions.get(&TargetKey::ContainerChild(child.name.as_str())) {
                    Some(annotations) => restrictions(
                        inline,
                        annotations.map(|(namespace, name, annotation)| {
                            (
                                (namespace == CAPABILITIES_NAMESPACE).then_some(name),
                                annotation,
                            )
                        }),
                    ),
                    None => inline,
                };
            children.push(ContainerEntry {
                kind: child.kind.into(),
                name: child.name.value.clone(),
                ty,
                capabilities,
                description: annotation_description(&self.names.qualifiers, &child.annotations)
                    .or_else(|| {
                        description_of(descriptions, TargetKey::ContainerChild(child.name.as_str()))
                    }),
                span: child.name.span,
            });
            for binding in &child.bindings {
                self.check_binding(ty, binding);
            }
        }
        children.sort_by(|a, b| a.name.cmp(&b.name));
        Some(Container {
            namespace: written_namespace.clone(),
            name: container.name.value.clone(),
            children,
        })
    }

    /// Navigation property bindings do not affect code; a path or target that does not resolve
    /// is a warning (real Graph metadata ships several).
    pub(super) fn check_binding(
        &mut self,
        source: TypeId,
        binding: &'d syntax::NavigationBinding<'a>,
    ) {
        let path = binding.path.as_str();
        if let Err(segment) = self.walk_path(source, path.split('/')) {
            self.diagnostics.push(
                Diagnostic::warning(
                    binding.path.span,
                    format!("the navigation property binding path `{path}` does not resolve"),
                )
                .with_note(None, format!("`{segment}` is not a navigation property, structural property or type of the path")),
            );
        }
        let target = binding.target.as_str();
        let mut segments = target.split('/').peekable();
        // An optional leading `Namespace.Container/`.
        if let (Some(first), Some((container_namespace, container))) =
            (segments.peek().copied(), self.names.container)
        {
            if let Some((qualifier, name)) = split_at_last_dot(first) {
                if self.names.qualifiers.get(qualifier) == Some(&container_namespace)
                    && name == container.name.as_str()
                {
                    segments.next();
                }
            }
        }
        let first = segments.next().unwrap_or_default();
        let problem = match self.names.container_children.get(first).copied() {
            None => Some(format!(
                "`{first}` is not an entity set or singleton of the container"
            )),
            Some(child) => {
                let start = self.lookup_written(child.type_name.as_str());
                match start {
                    None => None, // reported as an error on the entity set
                    Some(start) => self.walk_path(start, segments).err().map(|segment| {
                        format!("`{segment}` is not a navigation property, structural property or type of the path")
                    }),
                }
            }
        };
        if let Some(problem) = problem {
            self.diagnostics.push(
                Diagnostic::warning(
                    binding.target.span,
                    format!("the navigation property binding target `{target}` does not resolve"),
                )
                .with_note(None, problem),
            );
        }
    }

    /// A written qualified type name (`alias.Name` or `Collection(ns.Name)`), resolved quietly.
    pub(super) fn lookup_written(&self, written: &str) -> Option<TypeId> {
        let inner = written
            .strip_prefix("Collection(")
            .and_then(|rest| rest.strip_suffix(')'))
            .unwrap_or(written);
        let (qualifier, simple) = split_at_last_dot(inner)?;
        self.names.lookup(qualifier, simple)
    }

    /// Follows a path of properties, navigation properties and type casts from `start`. Returns
    /// the first segment that names nothing.
    pub(super) fn walk_path<'s>(
        &self,
        start: TypeId,
        segments: impl Iterator<Item = &'s str>,
    ) -> Result<TypeId, &'s str> {
        let mut current = start;
        for segment in segments {
            if segment.is_empty() {
                return Err(segment);
            }
            if let Some((qualifier, simple)) = split_at_last_dot(segment) {
                current = self.names.lookup(qualifier, simple).ok_or(segment)?;
                continue;
            }
            current = self.member_type(current, segment).ok_or(segment)?;
        }
        Ok(current)
    }

    /// The type of the property or navigation property `name` of `id` or its base types.
    pub(super) fn member_type(&self, id: TypeId, name: &str) -> Option<TypeId> {
        let mut current = Some(id);
        let mut steps = 0;
        while let Some(id) = current {
            steps += 1;
            if steps > self.names.declared.len() {
                return None;
            }
            let Declared::Structured(ty) = self.declared_of(id) else {
                return None;
            };
            if let Some(navigation) = ty
                .navigation_properties
                .iter()
                .find(|n| n.name.value == name)
            {
                return self.lookup_written(navigation.type_name.as_str());
            }
            if let Some(property) = ty.properties.iter().find(|p| p.name.value == name) {
                return self.lookup_written(property.type_name.as_str());
            }
            current = ty
                .base_type
                .as_ref()
                .and_then(|base| self.lookup_written(base.as_str()));
        }
        None
    }

    /// The member `name` of the type `id` (an enum, or a structured type with its base types):
    /// the type that declares it, and which member it is. Each type's members are indexed the
    /// first time a target names one of them (a type such as Graph's `user` has over a hundred,
    /// targeted one by one); types no target names are never indexed.
    pub(super) fn member_of(&mut self, id: TypeId, name: &str) -> Option<(TypeId, MemberRef)> {
        let mut current = Some(id);
        let mut steps = 0;
        while let Some(id) = current {
            steps += 1;
            if steps > self.names.declared.len() {
                return None;
            }
            if !self.members_indexed[id.index()] {
                self.members_indexed[id.index()] = true;
                self.index_members(id);
            }
            if let Some(&member) = self.members.get(&(id, name)) {
                return Some((id, member));
            }
            current = match self.declared_of(id) {
                Declared::Structured(ty) => ty
                    .base_type
                    .as_ref()
                    .and_then(|base| self.lookup_written(base.as_str())),
                _ => None,
            };
        }
        None
    }
}
