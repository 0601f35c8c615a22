//! Actions and functions, and operation overloads named by their parameter types.

use super::*;

/// One operation of the document, with its schema's namespace.
pub(super) struct OperationEntry<'d, 'a> {
    /// The namespace as written, which the model borrows.
    pub(super) written_namespace: &'d Text<'a>,
    pub(super) namespace: &'d str,
    pub(super) operation: &'d syntax::Operation<'a>,
}

impl<'d, 'a> Names<'d, 'a> {
    pub(super) fn collect_operations_terms_container(&mut self) {
        let document = self.document;
        let count = document.schemas.iter().map(|s| s.operations.len()).sum();
        self.operations.reserve(count);
        self.operations_by_name.reserve(count);
        for schema in &document.schemas {
            let namespace = schema.namespace.as_str();
            for operation in &schema.operations {
                let index = self.operations.len();
                self.operations.push(OperationEntry {
                    written_namespace: &schema.namespace.value,
                    namespace,
                    operation,
                });
                self.operations_by_name
                    .entry((namespace, operation.name.as_str()))
                    .or_default()
                    .push(index);
            }
            for term in &schema.terms {
                self.terms
                    .entry((namespace, term.name.as_str()))
                    .or_insert(term.name.span);
            }
            if self.container.is_none() {
                if let Some(container) = schema.entity_containers.first() {
                    self.container = Some((namespace, container));
                    self.container_namespace = Some(&schema.namespace.value);
                    self.container_children = fast_map(container.children.len());
                    for child in &container.children {
                        self.container_children
                            .entry(child.name.as_str())
                            .or_insert(child);
                    }
                }
            }
        }
    }
}

impl<'n, 'd, 'a> Resolver<'n, 'd, 'a> {
    pub(super) fn operations(
        &mut self,
        descriptions: &Descriptions<'d, 'a>,
    ) -> Vec<OperationDef<'a>> {
        let mut operations = Vec::with_capacity(self.names.operations.len());
        for index in 0..self.names.operations.len() {
            let OperationEntry {
                written_namespace,
                namespace,
                operation,
            } = self.names.operations[index];
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
            let mut resolved = Vec::with_capacity(parameters.len());
            let mut ok = true;
            for parameter in parameters {
                match self.type_use(&parameter.type_name, parameter.nullable, "parameter type") {
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
            let name = operation.name.as_str();
            operations.push(OperationDef {
                kind: operation.kind.into(),
                namespace: written_namespace.clone(),
                name: operation.name.value.clone(),
                binding,
                parameters: resolved,
                return_type,
                is_composable: operation.is_composable,
                description: annotation_description(&self.names.qualifiers, &operation.annotations)
                    .or_else(|| description_of(descriptions, TargetKey::Operation(index)))
                    .or_else(|| {
                        let first = self.names.operations_by_name.get(&(namespace, name))?[0];
                        description_of(descriptions, TargetKey::OperationAll(first))
                    }),
                span: operation.name.span,
            });
        }
        // Type ids follow qualified-name order, so comparing ids compares names.
        operations.sort_by(|a, b| {
            (
                &a.namespace,
                &a.name,
                a.binding.map(|x| (x.ty, x.collection)),
            )
                .cmp(&(
                    &b.namespace,
                    &b.name,
                    b.binding.map(|x| (x.ty, x.collection)),
                ))
                .then_with(|| {
                    a.parameters
                        .iter()
                        .map(|p| &p.name)
                        .cmp(b.parameters.iter().map(|p| &p.name))
                })
                .then(a.span.cmp(&b.span))
        });
        operations
    }

    /// Whether the overload `index` has the parameter types written in an annotation target:
    /// all its parameters, or (as for actions) only the binding parameter.
    pub(super) fn signature_matches(&self, index: usize, types: &str) -> bool {
        let operation = self.names.operations[index].operation;
        let written: Vec<&str> = if types.trim().is_empty() {
            Vec::new()
        } else {
            types.split(',').map(str::trim).collect()
        };
        let same = |a: &str, b: &str| self.normal_type(a) == self.normal_type(b);
        let all = written.len() == operation.parameters.len()
            && written
                .iter()
                .zip(&operation.parameters)
                .all(|(w, p)| same(w, p.type_name.as_str()));
        let binding_only = operation.is_bound
            && operation.kind == syntax::OperationKind::Action
            && written.len() == 1
            && operation
                .parameters
                .first()
                .is_some_and(|p| same(written[0], p.type_name.as_str()));
        all || binding_only
    }

    /// A type reference with its qualifier replaced by the namespace: (collection, namespace,
    /// name); `None` when the qualifier is unknown.
    pub(super) fn normal_type<'t>(&self, text: &'t str) -> Option<(bool, &'t str, &'t str)>
    where
        'd: 't,
    {
        let (inner, collection) = match text
            .strip_prefix("Collection(")
            .and_then(|rest| rest.strip_suffix(')'))
        {
            Some(inner) => (inner.trim(), true),
            None => (text.trim(), false),
        };
        let (qualifier, name) = split_at_last_dot(inner)?;
        if qualifier == "Edm" {
            return Some((collection, "Edm", name));
        }
        let namespace = self.names.qualifiers.get(qualifier).copied()?;
        Some((collection, namespace, name))
    }
}
