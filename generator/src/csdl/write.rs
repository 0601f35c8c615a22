//! Writes a selection of a model back out as CSDL XML: the structural slice kept in `metadata/`.
//!
//! Only facts that code generation uses are written: names, types, keys, nullability,
//! containment, abstractness, operations and the container. Descriptions are left out on
//! purpose, so a slice holds no upstream prose.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::*;
use crate::select::Selection;

/// Writes the selected part of `model` as a CSDL document. `provenance` becomes an XML comment
/// at the top (where the slice came from, and when).
pub fn write_slice(model: &Model, selection: &Selection, provenance: &str) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    for line in provenance.lines() {
        let _ = writeln!(out, "<!-- {} -->", line.replace("--", "- -"));
    }
    out.push_str(
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n",
    );
    out.push_str("  <edmx:DataServices>\n");
    let mut namespaces: BTreeMap<&str, (Vec<TypeId>, Vec<OperationId>)> = BTreeMap::new();
    for &id in &selection.types {
        namespaces
            .entry(&model.ty(id).namespace)
            .or_default()
            .0
            .push(id);
    }
    for &id in &selection.operations {
        namespaces
            .entry(&model.operation(id).namespace)
            .or_default()
            .1
            .push(id);
    }
    if let Some(container) = &model.container {
        if !selection.entries.is_empty() {
            namespaces.entry(&container.namespace).or_default();
        }
    }
    for (namespace, (types, operations)) in namespaces {
        let _ = writeln!(
            out,
            "    <Schema Namespace=\"{}\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">",
            escape(namespace)
        );
        for &id in &types {
            write_type(&mut out, model, selection, id);
        }
        for &id in &operations {
            write_operation(&mut out, model, model.operation(id));
        }
        if let Some(container) = &model.container {
            if container.namespace == namespace && !selection.entries.is_empty() {
                let _ = writeln!(
                    out,
                    "      <EntityContainer Name=\"{}\">",
                    escape(&container.name)
                );
                for &index in &selection.entries {
                    let entry = &container.children[index];
                    let ty = escape(&model.ty(entry.ty).qualified_name());
                    let name = escape(&entry.name);
                    let (element, type_attribute) = match entry.kind {
                        ContainerChildKind::EntitySet => ("EntitySet", "EntityType"),
                        ContainerChildKind::Singleton => ("Singleton", "Type"),
                    };
                    let annotations = restrictions(entry.capabilities, "          ");
                    if annotations.is_empty() {
                        let _ = writeln!(
                            out,
                            "        <{element} Name=\"{name}\" {type_attribute}=\"{ty}\" />"
                        );
                    } else {
                        let _ = writeln!(
                            out,
                            "        <{element} Name=\"{name}\" {type_attribute}=\"{ty}\">\n{annotations}        </{element}>"
                        );
                    }
                }
                out.push_str("      </EntityContainer>\n");
            }
        }
        out.push_str("    </Schema>\n");
    }
    out.push_str("  </edmx:DataServices>\n</edmx:Edmx>\n");
    out
}

fn write_type(out: &mut String, model: &Model, selection: &Selection, id: TypeId) {
    let ty = model.ty(id);
    let name = escape(&ty.name);
    match &ty.kind {
        TypeKind::Definition(primitive) => {
            let _ = writeln!(
                out,
                "      <TypeDefinition Name=\"{name}\" UnderlyingType=\"{}\" />",
                primitive.edm_name()
            );
        }
        TypeKind::Enum(def) => {
            let mut attributes = String::new();
            if def.underlying != Primitive::Int32 {
                let _ = write!(
                    attributes,
                    " UnderlyingType=\"{}\"",
                    def.underlying.edm_name()
                );
            }
            if def.is_flags {
                attributes.push_str(" IsFlags=\"true\"");
            }
            if def.members.is_empty() {
                let _ = writeln!(out, "      <EnumType Name=\"{name}\"{attributes} />");
                return;
            }
            let _ = writeln!(out, "      <EnumType Name=\"{name}\"{attributes}>");
            for member in &def.members {
                let _ = writeln!(
                    out,
                    "        <Member Name=\"{}\" Value=\"{}\" />",
                    escape(&member.name),
                    member.value
                );
            }
            out.push_str("      </EnumType>\n");
        }
        TypeKind::Structured(def) => {
            let element = match def.kind {
                StructuredKind::Entity => "EntityType",
                StructuredKind::Complex => "ComplexType",
            };
            let mut attributes = String::new();
            if let Some(base) = def.base {
                let _ = write!(
                    attributes,
                    " BaseType=\"{}\"",
                    escape(&model.ty(base).qualified_name())
                );
            }
            if def.is_abstract {
                attributes.push_str(" Abstract=\"true\"");
            }
            if def.is_open {
                attributes.push_str(" OpenType=\"true\"");
            }
            if def.has_stream {
                attributes.push_str(" HasStream=\"true\"");
            }
            let navigations: Vec<&NavigationDef> = def
                .navigations
                .iter()
                .enumerate()
                .filter(|(index, _)| selection.navigations.contains(&(id, *index)))
                .map(|(_, navigation)| navigation)
                .collect();
            if def.key.is_empty() && def.properties.is_empty() && navigations.is_empty() {
                let _ = writeln!(out, "      <{element} Name=\"{name}\"{attributes} />");
                return;
            }
            let _ = writeln!(out, "      <{element} Name=\"{name}\"{attributes}>");
            if !def.key.is_empty() {
                out.push_str("        <Key>\n");
                for key in &def.key {
                    let alias = match &key.alias {
                        Some(alias) => format!(" Alias=\"{}\"", escape(alias)),
                        None => String::new(),
                    };
                    let _ = writeln!(
                        out,
                        "          <PropertyRef Name=\"{}\"{alias} />",
                        escape(&key.path)
                    );
                }
                out.push_str("        </Key>\n");
            }
            for property in &def.properties {
                let _ = writeln!(
                    out,
                    "        <Property Name=\"{}\" Type=\"{}\"{} />",
                    escape(&property.name),
                    type_text(model, property.ty),
                    nullable_text(property.ty)
                );
            }
            for navigation in navigations {
                let target = model.ty(navigation.target).qualified_name();
                let target = if navigation.collection {
                    format!("Collection({target})")
                } else {
                    target
                };
                let contains = if navigation.contains_target {
                    " ContainsTarget=\"true\""
                } else {
                    ""
                };
                let annotations = restrictions(navigation.capabilities, "          ");
                let name = escape(&navigation.name);
                let target = escape(&target);
                if annotations.is_empty() {
                    let _ = writeln!(
                        out,
                        "        <NavigationProperty Name=\"{name}\" Type=\"{target}\"{contains} />"
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "        <NavigationProperty Name=\"{name}\" Type=\"{target}\"{contains}>\n{annotations}        </NavigationProperty>"
                    );
                }
            }
            let _ = writeln!(out, "      </{element}>");
        }
    }
}

fn write_operation(out: &mut String, model: &Model, operation: &OperationDef) {
    let element = match operation.kind {
        OperationKind::Action => "Action",
        OperationKind::Function => "Function",
    };
    let mut attributes = String::new();
    if operation.binding.is_some() {
        attributes.push_str(" IsBound=\"true\"");
    }
    if operation.is_composable {
        attributes.push_str(" IsComposable=\"true\"");
    }
    let _ = writeln!(
        out,
        "      <{element} Name=\"{}\"{attributes}>",
        escape(&operation.name)
    );
    if let Some(binding) = operation.binding {
        let ty = model.ty(binding.ty).qualified_name();
        let ty = if binding.collection {
            format!("Collection({ty})")
        } else {
            ty
        };
        let _ = writeln!(
            out,
            "        <Parameter Name=\"bindingParameter\" Type=\"{}\" />",
            escape(&ty)
        );
    }
    for parameter in &operation.parameters {
        let _ = writeln!(
            out,
            "        <Parameter Name=\"{}\" Type=\"{}\"{} />",
            escape(&parameter.name),
            type_text(model, parameter.ty),
            nullable_text(parameter.ty)
        );
    }
    if let Some(return_type) = operation.return_type {
        let _ = writeln!(
            out,
            "        <ReturnType Type=\"{}\"{} />",
            type_text(model, return_type),
            nullable_text(return_type)
        );
    }
    let _ = writeln!(out, "      </{element}>");
}

/// The Capabilities annotations that say where `capabilities` differs from what silence
/// means (everything allowed, `PUT` too, no `$ref` on a containment navigation), one per line:
/// read back, they give the same capabilities.
fn restrictions(capabilities: Capabilities, indent: &str) -> String {
    let method = |method: &str| {
        format!(
            "<PropertyValue Property=\"UpdateMethod\"><EnumMember>Org.OData.Capabilities.V1.HttpMethod/{method}</EnumMember></PropertyValue>"
        )
    };
    let forbids =
        |property: &str| format!("<PropertyValue Property=\"{property}\" Bool=\"false\" />");
    let mut records: Vec<(&str, Vec<String>)> = Vec::new();
    if !capabilities.insertable {
        records.push(("InsertRestrictions", vec![forbids("Insertable")]));
    }
    let mut update = Vec::new();
    if !capabilities.updatable {
        update.push(forbids("Updatable"));
    }
    // Without updates there is no `PUT` either; with them, `PUT` is what silence means.
    if capabilities.updatable && !capabilities.replaceable {
        update.push(method("PATCH"));
    }
    if !update.is_empty() {
        records.push(("UpdateRestrictions", update));
    }
    if !capabilities.deletable {
        records.push(("DeleteRestrictions", vec![forbids("Deletable")]));
    }
    if capabilities.referenceable {
        records.push((
            "NavigationRestrictions",
            vec!["<PropertyValue Property=\"Referenceable\" Bool=\"true\" />".to_string()],
        ));
    }
    let mut out = String::new();
    for (term, values) in records {
        let _ = writeln!(
            out,
            "{indent}<Annotation Term=\"Org.OData.Capabilities.V1.{term}\"><Record>{}</Record></Annotation>",
            values.concat()
        );
    }
    out
}

fn type_text(model: &Model, ty: TypeUse) -> String {
    let element = match ty.target {
        TypeTarget::Primitive(primitive) => primitive.edm_name().to_string(),
        TypeTarget::Named(id) => model.ty(id).qualified_name(),
    };
    let text = if ty.collection {
        format!("Collection({element})")
    } else {
        element
    };
    escape(&text)
}

fn nullable_text(ty: TypeUse) -> &'static str {
    if ty.nullable {
        ""
    } else {
        " Nullable=\"false\""
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
