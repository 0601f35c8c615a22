//! `cargo xtask conformance`: the whole-Graph crate against the documented traffic of Graph's
//! v1.0 API reference (`../shared/graph-docs-examples`).
//!
//! Generates the whole-Graph crate, resolves each documented request against it
//! (`msgraph_codegen::conformance`), writes and runs the harness program that builds each
//! request with the generated builders and reads each documented answer back, and compares
//! both with the documentation as JSON values. Every example gets one class, with a reason:
//! exact, equivalent (by a named rule), a crate failure (the request differs, or the answer is
//! not read back losslessly), unsupported by the crate, not checked by the harness, metadata
//! drift, beyond the CSDL, or a defect of the example. The table is printed by area; the exit
//! status is 1 when a crate-side failure (a failure or an unsupported request) appears that the
//! list of known failures (`xtask/conformance/known-failures.txt`) does not hold.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use msgraph_codegen::SliceSpec;
use msgraph_codegen::cli::{Source, Standalone};
use msgraph_codegen::conformance::{
    self, Class, below_service_root, percent_decode, percent_decode_except,
};
use serde_json::{Value, json};

use crate::{Failure, files, graph_metadata, workspace_root};

/// What `cargo xtask conformance` was asked.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The examples (JSON lines); default: the shared folder's.
    pub examples: Option<PathBuf>,
    /// The CSDL; default: the shared folder's `v1.0/clean.xml`.
    pub csdl: Option<PathBuf>,
    /// Where the crate and the harness go; default `target/conformance`.
    pub out: Option<PathBuf>,
    /// Where they are built; default `OUT/target`.
    pub target_dir: Option<PathBuf>,
    /// List every example that is not exact, with its class and reason.
    pub list: bool,
    /// Rewrite the list of known failures with today's.
    pub bless: bool,
}

/// The result of a run: the report, and whether it found a crate-side failure that is not known.
pub struct Report {
    /// What to print.
    pub text: String,
    /// Whether a crate-side failure appeared that the known list does not hold.
    pub new_failures: bool,
}

/// An example's verdict.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Exact,
    /// Equal by the named rules.
    Equivalent(Vec<&'static str>),
    /// The crate built the request differently, or did not read the answer back losslessly.
    Failure(String),
    /// Classified before the harness ran (or the example's defect seen after).
    Classified(Class, String),
}

impl Verdict {
    fn column(&self) -> usize {
        match self {
            Verdict::Exact => 0,
            Verdict::Equivalent(_) => 1,
            Verdict::Failure(_) => 2,
            Verdict::Classified(class, _) => match class {
                Class::Unsupported => 3,
                Class::NotChecked => 4,
                Class::Drift => 5,
                Class::BeyondCsdl => 6,
                Class::ExampleDefect => 7,
            },
        }
    }

    /// Whether the crate is at fault.
    fn crate_side(&self) -> bool {
        matches!(
            self,
            Verdict::Failure(_) | Verdict::Classified(Class::Unsupported, _)
        )
    }

    fn describe(&self) -> String {
        match self {
            Verdict::Exact => "exact".to_string(),
            Verdict::Equivalent(rules) => format!("equivalent: {}", rules.join(", ")),
            Verdict::Failure(reason) => format!("failure: {reason}"),
            Verdict::Classified(class, reason) => format!("{}: {reason}", class.name()),
        }
    }
}

const COLUMNS: [&str; 8] = [
    "exact",
    "equivalent",
    "failure",
    "unsupported",
    "not checked",
    "drift",
    "beyond CSDL",
    "defect",
];

/// One documented example, as read from the file.
struct Example {
    id: String,
    area: String,
    method: String,
    url: String,
    body: Option<Value>,
    raw_body: String,
    content_type: String,
    status: u16,
    response: String,
    response_json: Option<Value>,
    response_content_type: String,
    /// The answer's `Location` header (a long-running operation's monitor), if documented.
    response_location: Option<String>,
}

fn read_examples(path: &Path) -> Result<Vec<Example>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure(format!("{}:1:1: error: cannot read: {e}", path.display())))?;
    let mut examples = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line).map_err(|e| {
            Failure(format!(
                "{}:{}:{}: error: not JSON: {e}",
                path.display(),
                number + 1,
                e.column()
            ))
        })?;
        let text = |value: &Value| value.as_str().unwrap_or_default().to_string();
        let request = &value["request"];
        let response = &value["response"];
        let header = |headers: &Value, name: &str| headers[name].as_str().map(str::to_string);
        let url = text(&request["url"]);
        let body = request["body_json"].clone();
        let response_json = response["body_json"].clone();
        examples.push(Example {
            id: format!("{}#{}", text(&value["page"]), value["index"]),
            area: area_of(&url),
            method: text(&request["method"]).to_ascii_uppercase(),
            url,
            body: (!body.is_null()).then_some(body),
            raw_body: text(&request["body"]),
            content_type: header(&request["headers"], "content-type")
                .unwrap_or_else(|| "application/octet-stream".to_string()),
            status: response["status"].as_u64().unwrap_or(200) as u16,
            response: text(&response["body"]),
            response_json: (!response_json.is_null()).then_some(response_json),
            response_content_type: header(&response["headers"], "content-type")
                .unwrap_or_else(|| "application/json".to_string()),
            response_location: header(&response["headers"], "location"),
        });
    }
    Ok(examples)
}

/// The area an example's URL is in: its first segment below the service root.
fn area_of(url: &str) -> String {
    let path = below_service_root(url);
    let path = path.split('?').next().unwrap_or_default();
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let mut first = segments.next().unwrap_or_default();
    if first.eq_ignore_ascii_case("beta") {
        first = segments.next().unwrap_or_default();
    }
    let first = first.split('(').next().unwrap_or_default();
    if first.is_empty() {
        "(root)".to_string()
    } else {
        first.to_string()
    }
}

/// The known crate-side failures, by example id.
fn known_path() -> PathBuf {
    workspace_root().join("xtask/conformance/known-failures.txt")
}

fn read_known() -> BTreeSet<String> {
    std::fs::read_to_string(known_path())
        .unwrap_or_default()
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Runs the whole check.
/// `command` (the command line as given) is recorded in the files it generates.
pub fn run(options: &Options, command: &str) -> Result<Report, Failure> {
    let csdl = match &options.csdl {
        Some(csdl) => csdl.clone(),
        None => graph_metadata::file("v1.0/clean.xml").ok_or_else(|| {
            Failure(format!(
                "xtask: error: v1.0/clean.xml was not found (set ${} or put shared/graph-metadata beside the workspace), or pass --csdl FILE",
                graph_metadata::ENV_VAR
            ))
        })?,
    };
    let examples_path = match &options.examples {
        Some(path) => path.clone(),
        None => graph_metadata::examples_file().ok_or_else(|| {
            Failure(format!(
                "xtask: error: the documented examples were not found (set ${} or put shared/graph-docs-examples beside the workspace), or pass --examples FILE",
                graph_metadata::EXAMPLES_ENV_VAR
            ))
        })?,
    };
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| workspace_root().join("target/conformance"));
    let examples = read_examples(&examples_path)?;

    // The whole-Graph crate, as `cargo xtask codegen --csdl ... --all` writes it.
    let slice = SliceSpec {
        all: true,
        ..SliceSpec::default()
    };
    let source = Source::from_flags(Some(csdl.clone()), None, slice, Vec::new(), None)
        .map_err(|e| Failure(format!("xtask: error: {e}")))?;
    let standalone = Standalone {
        source: source.clone(),
        out: out.join("msgraph"),
        all_warnings: false,
    };
    let generated = standalone.run("cargo xtask conformance", command)?;
    let (documents, _, generate_options) = source.load(command.to_string())?;

    // The harness.
    let requests: Vec<conformance::Example> = examples
        .iter()
        .map(|example| conformance::Example {
            method: &example.method,
            url: &example.url,
            body: example.body.as_ref(),
        })
        .collect();
    let bytes: Vec<&[u8]> = documents
        .iter()
        .map(|input| input.bytes.as_slice())
        .collect();
    let harness = conformance::harness(&bytes, &generate_options, &requests).map_err(|_| {
        Failure("xtask: error: the CSDL did not generate (see `cargo xtask codegen`)".into())
    })?;
    let input: Vec<Value> = examples
        .iter()
        .zip(&harness.resolutions)
        .enumerate()
        .filter_map(|(index, (example, resolution))| {
            let case = resolution.as_ref().ok()?;
            Some(json!({
                "example": index,
                "case": case.case,
                "arguments": case.arguments,
                "query": case.query,
                "body": example.body,
                "raw_body": example.raw_body,
                "content_type": example.content_type,
                "status": example.status,
                "response": example.response,
                "response_content_type": example.response_content_type,
                "response_location": example.response_location,
            }))
        })
        .collect();
    // Written as the generated crate is: only what changed (so cargo rebuilds only that).
    let harness_dir = out.join("harness");
    let harness_files = BTreeMap::from([
        (
            "Cargo.toml".to_string(),
            msgraph_codegen::format::header("Cargo.toml", command) + HARNESS_MANIFEST,
        ),
        ("src/main.rs".to_string(), harness.main_rs.clone()),
        (
            "input.json".to_string(),
            serde_json::to_string(&input).expect("the input is JSON"),
        ),
    ]);
    files::write(&harness_dir, &harness_files)?;
    let input_path = harness_dir.join("input.json");
    let target = options
        .target_dir
        .clone()
        .unwrap_or_else(|| out.join("target"));
    let outcomes = run_harness(&harness_dir, &target, &input_path)?;

    // The verdicts.
    let known = read_known();
    let mut verdicts: Vec<Verdict> = Vec::with_capacity(examples.len());
    for (index, (example, resolution)) in examples.iter().zip(&harness.resolutions).enumerate() {
        let verdict = match resolution {
            Err((class, reason)) => Verdict::Classified(*class, reason.clone()),
            Ok(case) => match outcomes.get(&index) {
                Some(outcome) => judge(example, outcome, case),
                None => Verdict::Failure("the harness gave no outcome".to_string()),
            },
        };
        verdicts.push(verdict);
    }
    let mut text = generated;
    text.push_str(&format!(
        "{} examples from {}; the harness has {} cases\n\n",
        examples.len(),
        examples_path.display(),
        harness.cases
    ));
    text.push_str(&table(&examples, &verdicts));
    // How many of the documented answers' members the crate typed.
    let mut tally = Tally::default();
    for (index, (example, resolution)) in examples.iter().zip(&harness.resolutions).enumerate() {
        let (Ok(case), Some(outcome), Some(documented)) = (
            resolution,
            outcomes.get(&index),
            example.response_json.as_ref(),
        ) else {
            continue;
        };
        // Only answers read and written back.
        let (Some((ty, collection)), Some(typed)) = (&case.answer, outcome.get("typed")) else {
            continue;
        };
        if outcome["written"].is_null() || !outcome["read_error"].is_null() {
            continue;
        }
        let mut walk = MemberWalk {
            members: &harness.members,
            tally: &mut tally,
            example: &example.id,
        };
        if *collection {
            if let (Some(items), Some(typed_items)) = (documented.get("value"), typed.get("value"))
            {
                walk.value(items, typed_items, Some(ty), "value");
            }
        } else {
            walk.value(documented, typed, Some(ty), "");
        }
    }
    text.push_str(&tally.report(options.list));
    let mut new = Vec::new();
    let mut fixed = Vec::new();
    for (example, verdict) in examples.iter().zip(&verdicts) {
        match (verdict.crate_side(), known.contains(&example.id)) {
            (true, false) => new.push((example, verdict)),
            (false, true) => fixed.push(example),
            _ => {}
        }
    }
    if options.list {
        text.push('\n');
        for (example, verdict) in examples.iter().zip(&verdicts) {
            if *verdict != Verdict::Exact {
                let _ = writeln!(
                    text,
                    "{} {} {}: {}",
                    example.id,
                    example.method,
                    example.area,
                    verdict.describe()
                );
            }
        }
    }
    if options.bless {
        let mut list = String::from(
            "# Crate-side failures of `cargo xtask conformance` that are known (example ids of\n\
             # ../shared/graph-docs-examples, with the class and reason this project gives them).\n\
             # Rewritten by `cargo xtask conformance --bless`; a failure not listed here fails CI.\n",
        );
        for (example, verdict) in examples.iter().zip(&verdicts) {
            if verdict.crate_side() {
                let _ = writeln!(list, "{}  {}", example.id, verdict.describe());
            }
        }
        std::fs::write(known_path(), &list).map_err(|e| {
            Failure(format!(
                "xtask: error: writing {}: {e}",
                known_path().display()
            ))
        })?;
        let _ = writeln!(text, "\nwrote {}", known_path().display());
        return Ok(Report {
            text,
            new_failures: false,
        });
    }
    if !fixed.is_empty() {
        let _ = writeln!(
            text,
            "\n{} known failure(s) now pass (run with --bless to drop them from the list):",
            fixed.len()
        );
        for example in &fixed {
            let _ = writeln!(text, "  {}", example.id);
        }
    }
    if !new.is_empty() {
        let _ = writeln!(
            text,
            "\nerror: {} crate-side failure(s) not in {}:",
            new.len(),
            known_path().display()
        );
        for (example, verdict) in &new {
            let _ = writeln!(
                text,
                "  {} {} {}: {}",
                example.id,
                example.method,
                example.url,
                verdict.describe()
            );
        }
    }
    if !tally.declared.is_empty() {
        let _ = writeln!(
            text,
            "\nerror: {} documented member(s) declared by their type were not typed (listed \
             above)",
            tally.declared.len()
        );
    }
    Ok(Report {
        text,
        new_failures: !new.is_empty() || !tally.declared.is_empty(),
    })
}

/// How many of the documented answers' members (with a value, not control information) the
/// crate's types hold.
#[derive(Default)]
struct Tally {
    /// Members documented with a value.
    documented: usize,
    /// Of them, those the crate typed.
    typed: usize,
    /// Not typed although their type declares them: a naming or mapping defect of the crate
    /// (example id, path of the member).
    declared: Vec<(String, String)>,
    /// Not typed, and not declared by their type (drift, or beyond the CSDL).
    undeclared: usize,
    /// Members of a value whose type the crate cannot tell (an abstract slot's value without
    /// `@odata.type`) or does not know (a type the CSDL does not have), kept whole.
    unknown_type: usize,
    /// Those values: example id, path, and the type named or expected.
    unknown_values: Vec<(String, String, String)>,
}

impl Tally {
    fn report(&self, list: bool) -> String {
        let percent = |n: usize| 100.0 * n as f64 / self.documented.max(1) as f64;
        let mut text = format!(
            "\nmembers of the documented answers read (with a value, control information left out): \
             {}\n  typed by the crate: {} ({:.1}%)\n  declared by their type but not typed (a \
             defect of the crate): {}\n  not declared by their type in the CSDL: {} ({:.1}%)\n  \
             in a value whose type the crate cannot tell (no `@odata.type` in an abstract slot) \
             or does not know: {} ({:.1}%)\n",
            self.documented,
            self.typed,
            percent(self.typed),
            self.declared.len(),
            self.undeclared,
            percent(self.undeclared),
            self.unknown_type,
            percent(self.unknown_type),
        );
        let shown = if list { self.declared.len() } else { 10 };
        for (example, path) in self.declared.iter().take(shown) {
            let _ = writeln!(text, "    {example}: {path}");
        }
        if self.declared.len() > shown {
            let _ = writeln!(
                text,
                "    ... and {} more (--list)",
                self.declared.len() - shown
            );
        }
        if list {
            let _ = writeln!(
                text,
                "  values of a type the crate cannot tell or does not know:"
            );
            for (example, path, ty) in &self.unknown_values {
                let _ = writeln!(text, "    {example}: {path} ({ty})");
            }
        }
        text
    }
}

/// Walks a documented answer beside what the crate typed of it (`typed_json`), by the
/// declared type of each value.
struct MemberWalk<'a> {
    members: &'a BTreeMap<String, conformance::Members>,
    tally: &'a mut Tally,
    example: &'a str,
}

impl MemberWalk<'_> {
    fn value(&mut self, documented: &Value, typed: &Value, ty: Option<&str>, path: &str) {
        match documented {
            Value::Array(items) => {
                let typed_items = typed.as_array();
                for (index, item) in items.iter().enumerate() {
                    let typed_item = typed_items
                        .and_then(|items| items.get(index))
                        .unwrap_or(&Value::Null);
                    self.value(item, typed_item, ty, &format!("{path}/{index}"));
                }
            }
            Value::Object(map) if typed.is_null() => {
                let members = members_with_a_value(documented);
                self.tally.documented += members;
                self.tally.unknown_type += members;
                let named = map.get("@odata.type").and_then(Value::as_str);
                let ty = match (named, ty) {
                    (Some(named), _) => format!("named {named}"),
                    (None, Some(ty)) => format!("no @odata.type, in a slot of {ty}"),
                    (None, None) => "no @odata.type".to_string(),
                };
                self.tally
                    .unknown_values
                    .push((self.example.to_string(), path.to_string(), ty));
            }
            Value::Object(map) => {
                // A value's own `@odata.type` names its type, when the crate has it.
                let own = map
                    .get("@odata.type")
                    .and_then(Value::as_str)
                    .map(|name| name.trim_start_matches('#'))
                    .filter(|name| self.members.contains_key(*name));
                let ty = own.or(ty);
                let declared = ty.and_then(|ty| self.members.get(ty));
                for (name, value) in map {
                    if name.contains('@') || value.is_null() {
                        continue;
                    }
                    self.tally.documented += 1;
                    let member = declared.and_then(|members| members.get(name));
                    let path = format!("{path}/{name}");
                    match typed.get(name) {
                        Some(typed) => {
                            self.tally.typed += 1;
                            let inner = member.and_then(Option::as_deref);
                            self.value(value, typed, inner, &path);
                        }
                        None if member.is_some() => {
                            self.tally.declared.push((self.example.to_string(), path))
                        }
                        None => self.tally.undeclared += 1,
                    }
                }
            }
            _ => {}
        }
    }
}

/// How many members (not control information, not `null`) a JSON value has, at any depth.
fn members_with_a_value(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.iter().map(members_with_a_value).sum(),
        Value::Object(map) => map
            .iter()
            .filter(|(name, value)| !name.contains('@') && !value.is_null())
            .map(|(_, value)| 1 + members_with_a_value(value))
            .sum(),
        _ => 0,
    }
}

/// The harness crate's manifest: the generated crate with every area, and what the harness
/// itself uses. Its own workspace, so that it builds wherever it is written.
const HARNESS_MANIFEST: &str = "\
[package]
name = \"conformance-harness\"
version = \"0.0.0\"
edition = \"2024\"
publish = false

[dependencies]
msgraph = { path = \"../msgraph\", features = [\"full\", \"query\"] }
http = \"1\"
serde = { version = \"1\", features = [\"derive\"] }
serde_json = \"1\"

[workspace]
";

/// Builds and runs the harness; its outcomes by example index.
fn run_harness(
    harness: &Path,
    target: &Path,
    input: &Path,
) -> Result<BTreeMap<usize, Value>, Failure> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(&cargo)
        .args(["build", "--manifest-path"])
        .arg(harness.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .status()
        .map_err(|e| Failure(format!("xtask: error: running cargo: {e}")))?;
    if !status.success() {
        return Err(Failure(
            "xtask: error: the conformance harness did not build".to_string(),
        ));
    }
    let binary = target.join("debug/conformance-harness");
    let output = Command::new(&binary)
        .arg(input)
        .output()
        .map_err(|e| Failure(format!("xtask: error: running {}: {e}", binary.display())))?;
    if !output.status.success() {
        return Err(Failure(format!(
            "xtask: error: the conformance harness failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let mut outcomes = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let outcome: Value = serde_json::from_str(line)
            .map_err(|e| Failure(format!("xtask: error: a harness line is not JSON: {e}")))?;
        let index = outcome["example"].as_u64().unwrap_or(u64::MAX) as usize;
        outcomes.insert(index, outcome);
    }
    Ok(outcomes)
}

/// The verdict on one example the harness ran as `case`.
fn judge(example: &Example, outcome: &Value, case: &conformance::Case) -> Verdict {
    let mut rules: Vec<&'static str> = case.rules.clone();
    if let Some(error) = outcome["build_error"].as_str() {
        return match defect_in_body(example, error) {
            Some(verdict) => verdict,
            None => Verdict::Failure(format!("the request does not build: {error}")),
        };
    }
    if example.method == "GET" && example.body.is_some() {
        return Verdict::Classified(
            Class::ExampleDefect,
            "a GET with a body (a function's parameters belong in its URL)".to_string(),
        );
    }
    // The request: method, URI, body.
    let method = outcome["method"].as_str().unwrap_or_default();
    if method != example.method {
        return Verdict::Failure(format!("sent {method}, documented {}", example.method));
    }
    let sent = below_root(outcome["uri"].as_str().unwrap_or_default());
    let documented = below_root(&example.url);
    if sent != documented {
        let fold_case = rules.contains(&"letter case of names");
        match uri_rules(&sent, &documented, fold_case) {
            Some(found) => rules.extend(found),
            None => {
                return Verdict::Failure(format!("sent {sent}, documented {documented}"));
            }
        }
    }
    let sent_body = &outcome["body"];
    match (&example.body, sent_body) {
        (Some(documented), sent) if !sent.is_null() => match json_rules(documented, sent) {
            Ok(found) => rules.extend(found),
            Err(path) => {
                return Verdict::Failure(format!("the request body differs at {path}"));
            }
        },
        (Some(_), _) => return Verdict::Failure("no request body was sent".to_string()),
        (None, Value::String(text)) if *text == example.raw_body => {}
        (None, Value::Null) if example.raw_body.trim().is_empty() => {}
        // An action whose parameters are all optional is sent `{}` when none is set.
        (None, Value::Object(sent)) if sent.is_empty() && example.raw_body.trim().is_empty() => {
            rules.push("an empty object for an action's parameters");
        }
        (None, sent) if example.raw_body.trim().is_empty() => {
            return Verdict::Failure(format!(
                "sent a body ({}) where the documented request has none",
                short(sent)
            ));
        }
        (None, _) => {
            return Verdict::Classified(
                Class::ExampleDefect,
                "the documented request body is not JSON".to_string(),
            );
        }
    }
    // The answer, read and written back.
    if (300..400).contains(&example.status) {
        return verdict(rules);
    }
    if let Some(error) = outcome["read_error"].as_str() {
        // An error status is read as the service's error.
        if example.status >= 400 && error.contains(&format!("returned {}", example.status)) {
            return verdict(rules);
        }
        if example.response_json.is_none() && !example.response.trim().is_empty() {
            return Verdict::Classified(
                Class::ExampleDefect,
                "the documented answer is not JSON".to_string(),
            );
        }
        if example.response.trim().is_empty() && (200..300).contains(&example.status) {
            return Verdict::Classified(
                Class::ExampleDefect,
                format!("the documented answer has no body ({error})"),
            );
        }
        if let Some(verdict) = defect_in_answer(example, error) {
            return verdict;
        }
        return Verdict::Failure(format!("the answer does not read: {error}"));
    }
    let written = &outcome["written"];
    if written.is_null()
        && example.method == "GET"
        && example.status == 200
        && example.response.trim().is_empty()
    {
        return Verdict::Classified(
            Class::ExampleDefect,
            "the documented answer to a GET has no body".to_string(),
        );
    }
    if written.is_null() && example.response_json.is_some() && !case.result {
        // The CSDL declares no result (a `$ref` write, an action that returns nothing).
        return if example.status == 204 {
            Verdict::Classified(
                Class::ExampleDefect,
                "a 204 No Content answer documented with a body".to_string(),
            )
        } else {
            Verdict::Classified(
                Class::BeyondCsdl,
                "an answer with a body where the CSDL declares no result".to_string(),
            )
        };
    }
    if outcome["content"].as_bool() == Some(true) {
        let text = written.as_str().unwrap_or_default();
        if text != example.response {
            return Verdict::Failure("the content read is not the documented one".to_string());
        }
        return verdict(rules);
    }
    match &example.response_json {
        Some(documented) => match json_rules(documented, written) {
            Ok(found) => rules.extend(found),
            Err(path) => {
                // A primitive answer (`{"value": true}`) is read as its value.
                let value = documented.get("value");
                let control_only = documented.as_object().is_some_and(|map| {
                    map.keys().all(|key| key == "value" || key.starts_with('@'))
                });
                match value.map(|value| json_rules(value, written)) {
                    Some(Ok(found)) if control_only && !written.is_object() => {
                        rules.push("a primitive answer read as its value");
                        rules.extend(found);
                    }
                    _ => {
                        return Verdict::Failure(format!(
                            "the answer is not written back as read: {path}"
                        ));
                    }
                }
            }
        },
        None if example.response.trim().is_empty() => {}
        None => {
            let text = match written {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            if text.trim() != example.response.trim() {
                return Verdict::Classified(
                    Class::ExampleDefect,
                    "the documented answer is not JSON".to_string(),
                );
            }
        }
    }
    verdict(rules)
}

/// The example's defect, when building its request failed on its body.
fn defect_in_body(example: &Example, error: &str) -> Option<Verdict> {
    if example.body.is_none()
        && !example.raw_body.trim().is_empty()
        && !error.contains("has no JSON body")
    {
        return Some(Verdict::Classified(
            Class::ExampleDefect,
            "the documented request body is not JSON".to_string(),
        ));
    }
    if error.contains("has no JSON body") {
        if example.raw_body.trim().is_empty() {
            return Some(Verdict::Classified(
                Class::ExampleDefect,
                "the documented request has no body".to_string(),
            ));
        }
        if !example.content_type.contains("json")
            && example.content_type != "application/octet-stream"
        {
            return Some(Verdict::Classified(
                Class::BeyondCsdl,
                format!(
                    "a `{}` body where the CSDL describes JSON",
                    example.content_type
                ),
            ));
        }
        return Some(Verdict::Classified(
            Class::ExampleDefect,
            "the documented request body is not JSON".to_string(),
        ));
    }
    wrong_json_type(error).map(|what| {
        Verdict::Classified(
            Class::ExampleDefect,
            format!("the documented body has {what}"),
        )
    })
}

/// The example's defect, when reading its answer failed.
fn defect_in_answer(example: &Example, error: &str) -> Option<Verdict> {
    let not_a_collection = example
        .response_json
        .as_ref()
        .is_some_and(|answer| !answer.get("value").is_some_and(Value::is_array));
    if not_a_collection
        && (error.contains("missing field `value`") || error.contains("expected a sequence"))
    {
        return Some(Verdict::Classified(
            Class::ExampleDefect,
            "the documented answer is not the collection the CSDL declares".to_string(),
        ));
    }
    wrong_json_type(error).map(|what| {
        Verdict::Classified(
            Class::ExampleDefect,
            format!("the documented answer has {what}"),
        )
    })
}

/// A text where the CSDL declares a boolean or a number (the documentation writes `"Boolean"`
/// or `"false"` for one): what serde reports for it.
fn wrong_json_type(error: &str) -> Option<String> {
    let (_, rest) = error.split_once("invalid type: string \"")?;
    let (value, expected) = rest.split_once("\", expected ")?;
    let expected = expected.split(" at line").next().unwrap_or(expected);
    let numeric = ["a boolean", "i8", "i16", "i32", "i64", "u8", "f32", "f64"];
    numeric
        .iter()
        .any(|kind| expected.starts_with(kind))
        .then(|| format!("the text \"{value}\" where the CSDL declares {expected}"))
}

fn verdict(mut rules: Vec<&'static str>) -> Verdict {
    if rules.is_empty() {
        Verdict::Exact
    } else {
        rules.sort_unstable();
        rules.dedup();
        Verdict::Equivalent(rules)
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

/// A URL below the service root, percent-decoded, without empty query options:
/// `/users/{id}?$select=id`.
fn below_root(url: &str) -> String {
    let decoded = decode_keeping_delimiters(below_service_root(url));
    match decoded.split_once('?') {
        Some((path, query)) => {
            let options: Vec<&str> = query.split('&').filter(|o| !o.is_empty()).collect();
            if options.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", options.join("&"))
            }
        }
        None => decoded,
    }
}

/// `text` with its percent-escapes decoded, except those of the characters that separate its
/// parts (in the path `/`, `?`, `#`, `%`; in the query `&`, `#`, `%`, `+`, and `=` in an
/// option's name): an escaped `/` in a key stays told apart from a segment's end.
fn decode_keeping_delimiters(text: &str) -> String {
    let Some((path, query)) = text.split_once('?') else {
        return percent_decode_except(text, b"/?#%");
    };
    let options: Vec<String> = query
        .split('&')
        .map(|option| match option.split_once('=') {
            Some((name, value)) => format!(
                "{}={}",
                percent_decode_except(name, b"&=#%+"),
                percent_decode_except(value, b"&#%+")
            ),
            None => percent_decode_except(option, b"&=#%+"),
        })
        .collect();
    format!(
        "{}?{}",
        percent_decode_except(path, b"/?#%"),
        options.join("&")
    )
}

/// A named equivalence of URLs below the service root: a normalization applied to both.
type UrlRule = Rule<String>;

/// The equivalences of URLs, applied together; "letter case of names" only when the route was
/// resolved by it (it would also fold the case of keys and literals).
fn url_rules(fold_case: bool) -> Vec<UrlRule> {
    let mut rules: Vec<UrlRule> = vec![
        ("a function's null parameters written out", |url| {
            without_null_arguments(url)
        }),
        ("a function call's empty parentheses", |url| {
            url.replace("()", "")
        }),
        // A link in `$id` is a URL in a URL: its own escapes are escaped again.
        // Decoded until nothing changes (a link's escapes are escaped once more in a query).
        ("percent-escapes in a link", |url| {
            let mut decoded = url.clone();
            loop {
                let next = percent_decode(&decoded);
                if next == decoded {
                    return decoded;
                }
                decoded = next;
            }
        }),
        ("a key in parentheses as a key segment", |url| {
            keys_as_segments(url)
        }),
        ("a trailing slash", |url| {
            url.replace("/?", "?").trim_end_matches('/').to_string()
        }),
        // OData 4.0 writes an enum literal with its type; 4.01 and the documentation without.
        ("an enum literal qualified with its type", |url| {
            without_enum_types(url)
        }),
        // A form-encoded query writes a space as `+`; the crate writes `%20`.
        ("a `+` for a space in the query", |url| {
            match url.split_once('?') {
                Some((path, query)) => format!("{path}?{}", query.replace('+', " ")),
                None => url.clone(),
            }
        }),
        // OData writes a date or time bare (`date=2018-03-05`); the documentation quotes some.
        ("a date literal in quotes", |url| unquoted_dates(url)),
    ];
    if fold_case {
        rules.push(("letter case of names", |url| url.to_ascii_lowercase()));
    }
    rules
}

/// The named rules by which two URLs that differ in text address the same thing, if they do.
fn uri_rules(sent: &str, documented: &str, fold_case: bool) -> Option<Vec<&'static str>> {
    equal_by(
        &sent.to_string(),
        &documented.to_string(),
        &url_rules(fold_case),
    )
    .ok()
}

/// A URL without its function arguments that are `null` (their parentheses kept).
fn without_null_arguments(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for segment in url.split_inclusive(['/', '?']) {
        match segment.split_once('(') {
            Some((name, rest)) if rest.trim_end_matches(['/', '?']).ends_with(')') => {
                let end = rest.rfind(')').unwrap_or(rest.len());
                let kept: Vec<&str> = rest[..end]
                    .split(',')
                    .filter(|argument| !argument.ends_with("=null") && !argument.is_empty())
                    .collect();
                out.push_str(&format!("{name}({})", kept.join(",")));
                out.push_str(&rest[end + 1..]);
            }
            _ => out.push_str(segment),
        }
    }
    out
}

/// A URL with the quotes around date and time literals (`='2018-03-05'`) left out.
fn unquoted_dates(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(start) = rest.find("='") {
        out.push_str(&rest[..=start]);
        rest = &rest[start + 1..];
        let literal = &rest[1..];
        let end = literal.find('\'').unwrap_or(literal.len());
        let value = &literal[..end];
        let bytes = value.as_bytes();
        let is_date =
            bytes.len() >= 10 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-';
        if is_date && end < literal.len() {
            out.push_str(value);
            rest = &literal[end + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// A URL with every enum literal's type left out: `on=ns.type'x'` as `on='x'`.
fn without_enum_types(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(equals) = rest.find('=') {
        out.push_str(&rest[..=equals]);
        rest = &rest[equals + 1..];
        let name_end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '.'))
            .unwrap_or(rest.len());
        if rest[..name_end].contains('.') && rest[name_end..].starts_with('\'') {
            rest = &rest[name_end..];
        }
    }
    out.push_str(rest);
    out
}

/// A URL with every key in parentheses (`worksheets('Sheet1')`) as a key segment.
fn keys_as_segments(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let path: Vec<String> = path
        .split('/')
        .map(|segment| match segment.split_once('(') {
            Some((name, rest)) if rest.len() > 1 && rest.ends_with(')') && !rest.contains('=') => {
                let key = &rest[..rest.len() - 1];
                let key = key
                    .strip_prefix('\'')
                    .and_then(|k| k.strip_suffix('\''))
                    .unwrap_or(key);
                format!("{name}/{key}")
            }
            _ => segment.to_string(),
        })
        .collect();
    format!("{}?{query}", path.join("/"))
}

/// A named equivalence of JSON values: a normalization applied to both sides.
type JsonRule = Rule<Value>;

/// The equivalences of JSON bodies, applied together.
const JSON_RULES: [JsonRule; 4] = [
    ("`#` before an @odata.type", |value| {
        map_strings(value, &|key, text| {
            key.ends_with("@odata.type")
                .then(|| text.trim_start_matches('#').to_string())
        })
    }),
    // A link is a URL: escaped or not, it names the same resource.
    ("percent-escapes in a link", |value| {
        map_strings(value, &|key, text| {
            key.ends_with("odata.id").then(|| percent_decode(text))
        })
    }),
    ("number formatting", integral_numbers),
    ("letter case of names", lowercase_keys),
];

/// Whether two JSON values are equal, exactly (no rules) or by named rules (those without
/// which they would differ); else the path of the first difference.
fn json_rules(documented: &Value, sent: &Value) -> Result<Vec<&'static str>, String> {
    equal_by(documented, sent, &JSON_RULES).map_err(|(a, b)| first_difference(&a, &b, "$"))
}

/// A named normalization of values of type `T`.
type Rule<T> = (&'static str, fn(&T) -> T);

/// Whether `a` and `b` are equal with the rules applied to both, in order: the rules needed
/// (of the shortest run of `rules` from the first that makes them equal, each one without
/// which they would differ; at least the last of that run), or the normalized values.
fn equal_by<T: Clone + PartialEq>(
    a: &T,
    b: &T,
    rules: &[Rule<T>],
) -> Result<Vec<&'static str>, (T, T)> {
    if a == b {
        return Ok(Vec::new());
    }
    let apply = |value: &T, rules: &[Rule<T>], skip: Option<usize>| {
        rules
            .iter()
            .enumerate()
            .filter(|(index, _)| Some(*index) != skip)
            .fold(value.clone(), |value, (_, (_, normalize))| {
                normalize(&value)
            })
    };
    let Some(length) =
        (1..=rules.len()).find(|&n| apply(a, &rules[..n], None) == apply(b, &rules[..n], None))
    else {
        return Err((apply(a, rules, None), apply(b, rules, None)));
    };
    let run = &rules[..length];
    let mut needed: Vec<&'static str> = run
        .iter()
        .enumerate()
        .filter(|(index, _)| apply(a, run, Some(*index)) != apply(b, run, Some(*index)))
        .map(|(_, (name, _))| *name)
        .collect();
    if needed.is_empty() {
        needed.push(run[length - 1].0);
    }
    Ok(needed)
}

/// `value` with the strings that `change` gives a new text (by member name) replaced.
fn map_strings(value: &Value, change: &dyn Fn(&str, &str) -> Option<String>) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let value = match value {
                        Value::String(text) => {
                            change(key, text).map_or_else(|| value.clone(), Value::String)
                        }
                        other => map_strings(other, change),
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|i| map_strings(i, change)).collect()),
        other => other.clone(),
    }
}

/// `value` with every number that is a whole number written as an integer (`1.0` as `1`);
/// other numbers stay as they are, so two large integers are never equal by rounding.
fn integral_numbers(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), integral_numbers(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(integral_numbers).collect()),
        Value::Number(number) if number.is_f64() => {
            let float = number.as_f64().unwrap_or(f64::NAN);
            if float.fract() == 0.0 && float.abs() < 9.0e15 {
                Value::Number(serde_json::Number::from(float as i64))
            } else {
                value.clone()
            }
        }
        other => other.clone(),
    }
}

fn lowercase_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.to_ascii_lowercase(), lowercase_keys(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(lowercase_keys).collect()),
        other => other.clone(),
    }
}

fn first_difference(a: &Value, b: &Value, path: &str) -> String {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                match b.get(key) {
                    Some(other) if other != value => {
                        return first_difference(value, other, &format!("{path}.{key}"));
                    }
                    None => return format!("{path}.{key} is missing"),
                    _ => {}
                }
            }
            for key in b.keys() {
                if !a.contains_key(key) {
                    return format!("{path}.{key} was added");
                }
            }
            path.to_string()
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                if x != y {
                    return first_difference(x, y, &format!("{path}[{index}]"));
                }
            }
            path.to_string()
        }
        _ => format!("{path} ({} became {})", short(a), short(b)),
    }
}

/// The table: a row per area, a column per class, and the totals.
fn table(examples: &[Example], verdicts: &[Verdict]) -> String {
    let mut rows: BTreeMap<&str, [usize; 8]> = BTreeMap::new();
    let mut total = [0usize; 8];
    for (example, verdict) in examples.iter().zip(verdicts) {
        rows.entry(&example.area).or_default()[verdict.column()] += 1;
        total[verdict.column()] += 1;
    }
    let width = rows.keys().map(|area| area.len()).max().unwrap_or(4).max(5);
    let mut text = format!("{:width$}", "area");
    for column in COLUMNS {
        let _ = write!(text, " | {column:>11}");
    }
    text.push('\n');
    let mut line = |name: &str, counts: &[usize; 8]| {
        let _ = write!(text, "{name:width$}");
        for count in counts {
            let _ = write!(text, " | {count:>11}");
        }
        text.push('\n');
    };
    for (area, counts) in &rows {
        line(area, counts);
    }
    line("total", &total);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_members_are_counted_by_what_the_crate_typed() {
        let members: BTreeMap<String, conformance::Members> = BTreeMap::from([
            (
                "ns.user".to_string(),
                conformance::Members::from([
                    ("id".to_string(), None),
                    ("manager".to_string(), Some("ns.user".to_string())),
                    ("home".to_string(), Some("ns.address".to_string())),
                    ("extra".to_string(), Some("ns.base".to_string())),
                ]),
            ),
            (
                "ns.address".to_string(),
                conformance::Members::from([("city".to_string(), None)]),
            ),
        ]);
        let documented = json!([{
            "@odata.etag": "W/1",
            "id": "u1",
            "nickname": "al",
            "home": {"city": "Oslo", "zip": null},
            "manager": {"id": "u2", "home": {"city": "Bergen"}},
            "extra": {"@odata.type": "#ns.thing", "a": 1, "b": [{"c": 2}]}
        }]);
        // `home/city` of the manager landed in `additional_properties` (a defect); `extra`
        // is of a type the crate does not know (a union's `Other`, typed as `null`).
        let typed = json!([{
            "id": "u1",
            "home": {"city": "Oslo"},
            "manager": {"id": "u2", "home": {}},
            "extra": null
        }]);
        let mut tally = Tally::default();
        MemberWalk {
            members: &members,
            tally: &mut tally,
            example: "e#0",
        }
        .value(&documented, &typed, Some("ns.user"), "value");
        // id, nickname, home, home/city, manager, manager/id, manager/home,
        // manager/home/city, extra, extra/a, extra/b, extra/b/0/c.
        assert_eq!(tally.documented, 12);
        assert_eq!(
            tally.typed,
            6 + 1,
            "id, home, home/city, manager, its id and home, extra"
        );
        assert_eq!(
            tally.declared,
            [("e#0".to_string(), "value/0/manager/home/city".to_string())]
        );
        assert_eq!(tally.undeclared, 1, "nickname");
        assert_eq!(tally.unknown_type, 3, "extra's a, b and b/0/c");
        assert_eq!(tally.unknown_values[0].1, "value/0/extra");
    }

    #[test]
    fn urls_are_compared_below_the_root_and_decoded() {
        assert_eq!(
            below_root("https://graph.microsoft.com/v1.0/users/%7Bid%7D?$select=a%2Cb"),
            "/users/{id}?$select=a,b"
        );
        assert_eq!(below_root("https://graph.microsoft.com/V1.0/me"), "/me");
        assert_eq!(below_root("/me/events"), "/me/events");
    }

    #[test]
    fn equivalences_are_named() {
        let rules = |sent: &str, documented: &str| uri_rules(sent, documented, false);
        assert_eq!(
            rules("/me/drive/root/delta()", "/me/drive/root/delta"),
            Some(vec!["a function call's empty parentheses"])
        );
        assert_eq!(
            rules(
                "/workbook/worksheets/Sheet1",
                "/workbook/worksheets('Sheet1')"
            ),
            Some(vec!["a key in parentheses as a key segment"])
        );
        assert_eq!(rules("/users/a", "/users/b"), None);
        assert_eq!(rules("/users/A", "/users/a"), None, "keys keep their case");
        assert_eq!(
            uri_rules("/Users/a", "/users/a", true),
            Some(vec!["letter case of names"])
        );
        assert_eq!(
            rules(
                "/x/f(on=microsoft.graph.options'reviewer')",
                "/x/f(on='reviewer')"
            ),
            Some(vec!["an enum literal qualified with its type"])
        );
        assert_eq!(
            rules("/r/f(date=2018-03-05)", "/r/f(date='2018-03-05')"),
            Some(vec!["a date literal in quotes"])
        );
        assert_eq!(rules("/r/f(name='a')", "/r/f(name=a)"), None);
        assert_eq!(
            rules(
                "/a/range()/intersection(anotherRange=null)",
                "/a/range/intersection"
            ),
            Some(vec![
                "a function's null parameters written out",
                "a function call's empty parentheses"
            ]),
            "rules apply together"
        );
        assert_eq!(
            rules("/a/range()/x/f(y='1')/", "/a/range/x/f(y='1')"),
            Some(vec![
                "a function call's empty parentheses",
                "a trailing slash"
            ]),
            "two rules"
        );
        let documented = json!({"x@odata.type": "microsoft.graph.user", "n": 1.0, "m": 2});
        let sent = json!({"x@odata.type": "#microsoft.graph.user", "n": 1, "m": 2});
        assert_eq!(
            json_rules(&documented, &sent).unwrap(),
            ["`#` before an @odata.type", "number formatting"]
        );
        assert_eq!(
            json_rules(&sent, &documented).unwrap(),
            ["`#` before an @odata.type", "number formatting"],
            "whichever side has the other form"
        );
        assert!(
            json_rules(
                &json!({"n": 9007199254740993u64}),
                &json!({"n": 9007199254740992u64})
            )
            .is_err(),
            "large integers are not rounded"
        );
        assert_eq!(
            json_rules(&json!({"a": {"b": 1}}), &json!({"a": {"b": 2}})).unwrap_err(),
            "$.a.b (1 became 2)"
        );
        assert_eq!(
            json_rules(&json!({"a": 1}), &json!({"a": 1, "c": 2})).unwrap_err(),
            "$.c was added"
        );
    }

    #[test]
    fn escaped_delimiters_stay_escaped_when_urls_are_compared() {
        assert_eq!(
            below_root("/me?$expand=manager($levels%3Dmax)&a%3Db=1"),
            "/me?$expand=manager($levels=max)&a%3Db=1"
        );
        assert_eq!(
            uri_rules(
                &below_root("/groups?$filter=a%20eq%20true"),
                &below_root("/groups?$filter=a+eq+true"),
                false
            ),
            Some(vec!["a `+` for a space in the query"])
        );
        assert_eq!(
            below_root("/users/a%2Fb?$filter=x%20eq%201"),
            "/users/a%2Fb?$filter=x eq 1"
        );
        assert_ne!(below_root("/users/a%2Fb"), below_root("/users/a/b"));
        assert_eq!(below_root("/users/%C3%A9"), "/users/é");
    }

    #[test]
    fn areas_are_the_first_segment_below_the_root() {
        assert_eq!(
            area_of("https://graph.microsoft.com/v1.0/users/{id}"),
            "users"
        );
        assert_eq!(area_of("/me/events"), "me");
        assert_eq!(
            area_of("https://graph.microsoft.com/v1.0/workbooks('x')/a"),
            "workbooks"
        );
    }
}
