//! Command-line parsing for `cargo xtask`, with `lexopt`: each subcommand takes its own flags and
//! has its own `--help`; a flag another subcommand takes is an error that names it.

use std::path::PathBuf;

use lexopt::prelude::*;
use msgraph_codegen::SliceSpec;
use msgraph_codegen::cli::args::usage_error;
use msgraph_codegen::cli::{Source, Standalone};
use msgraph_codegen::csdl::syntax::Spanned;

use crate::Failure;

/// `cargo xtask --help`.
pub const USAGE: &str = "\
usage: cargo xtask COMMAND [OPTIONS]   (cargo xtask help COMMAND, or COMMAND --help, for each)

commands:
  codegen             regenerate generated/ from metadata/ (writes only what changed); with
                      --check, compare instead; with --csdl or --config and --out, generate a
                      standalone crate from any CSDL (what `msgraph-codegen` does)
  refresh-metadata    re-extract metadata/'s CSDL slice from a full CSDL
  api-diff            compare the API generated from two CSDL files: what was added, removed
                      or changed, each marked breaking or not; exit 2 when something breaks
  bench               time the reader, the generator and (with --cargo) compiling all of Graph
  conformance         build Graph's documented requests with the whole-Graph crate and read
                      their documented answers back; a table by area, exit 1 on a new failure
  help [COMMAND]      this text, or the usage of one command
";

/// `cargo xtask codegen --help`.
pub const CODEGEN_USAGE: &str = "\
usage:
  cargo xtask codegen [--warnings]          regenerate generated/ from metadata/msgraph.toml
  cargo xtask codegen --check               compare generated/ with a fresh generation; exit 1
                                            on drift
  cargo xtask codegen --csdl FILE --out DIR (--all | --root NS.TYPE ... | --path /P ...)
                      [--reference URI=FILE ...] [--name CRATE] [--warnings]
  cargo xtask codegen --config FILE --out DIR [--warnings]
                                            generate a standalone crate (see msgraph-codegen
                                            --help for the options)

options:
  --check             only compare generated/ with what the generator makes
  --warnings          list every warning about the input, not just the first few
";

/// `cargo xtask refresh-metadata --help`.
pub const REFRESH_USAGE: &str = "\
usage: cargo xtask refresh-metadata [--from FILE]

Re-extracts metadata/'s CSDL slice (the roots and paths of metadata/msgraph.toml) from a full
CSDL; then run `cargo xtask codegen`.

options:
  --from FILE         the full CSDL (default: the config's refresh_from, below
                      ../shared/graph-metadata or $GRAPH_METADATA_DIR)
";

/// `cargo xtask api-diff --help`.
pub const API_DIFF_USAGE: &str = "\
usage: cargo xtask api-diff --from OLD.xml --to NEW.xml
                            [--all | --root NS.TYPE ... | --path /P ... | --config FILE]
                            [--summary] [--json] [--probe DIR]

Generates a crate from each CSDL with the same options (in memory; the project's
metadata/msgraph.toml unless a slice or --config is given) and compares the public API of the
two: models and their fields, unions and their variants, enums and their members, builders and
their methods, action bodies, features per area. Prints the changes grouped by area (the
feature that gates them), breaking ones marked `!` with the reason.

options:
  --from FILE         the older CSDL
  --to FILE           the newer CSDL
  --all, --root, --path
                      the slice, as for `cargo xtask codegen --csdl`
  --config FILE       take the slice and options from a config file
  --summary           the counts per area and the breaking changes only
  --json              {\"release\": \"patch\"|\"minor\"|\"major\", \"changes\": [...]}
  --probe DIR         also write the new crate to DIR/new and, to DIR/probe, a crate of code
                      written against the old API (every item and member the diff does not
                      call breaking); `cargo check` of it (with every feature) tests that
                      those verdicts hold for types and signatures

exit status: 0 when nothing breaks (a patch or minor release), 2 when something does (a major
release), 1 on an error.
";

/// `cargo xtask conformance --help`.
pub const CONFORMANCE_USAGE: &str = "\
usage: cargo xtask conformance [--examples FILE] [--csdl FILE] [--out DIR] [--target-dir DIR]
                               [--list] [--bless]

Generates the whole-Graph crate (--all), resolves each documented request of Graph's v1.0 API
reference against it, and runs a harness program that builds each request with the generated
builders and reads each documented answer back. Compares both with the documentation as JSON
values and classifies every example: exact, equivalent (by a named rule), failure (the crate
sent something else or did not read the answer back losslessly), unsupported (the crate cannot
express it), not checked (the harness does not write such a request), metadata drift, beyond
the CSDL, or a defect of the example. Prints a table by area.

options:
  --examples FILE     the examples, one JSON object a line (default:
                      ../shared/graph-docs-examples/v1.0-examples-2021.jsonl or
                      $GRAPH_DOCS_EXAMPLES_DIR)
  --csdl FILE         the CSDL (default: v1.0/clean.xml of ../shared/graph-metadata or
                      $GRAPH_METADATA_DIR)
  --out DIR           where the crate and the harness go (default target/conformance)
  --target-dir DIR    where they are built (default OUT/target)
  --list              also list every example that is not exact, with its class and reason
  --bless             rewrite xtask/conformance/known-failures.txt with today's crate-side
                      failures

exit status: 1 when a crate-side failure (a failure, or an unsupported request) appears that
xtask/conformance/known-failures.txt does not list.
";

/// `cargo xtask bench --help`.
pub const BENCH_USAGE: &str = "\
usage: cargo xtask bench [--iterations N] [--synthetic-mb MB] [--cargo]

Times quick-xml tokenizing clean.xml against reading and resolving it, generating all of Graph,
and reading synthetic documents; prints figures against the targets.

options:
  --iterations N      timed runs per phase (default 30; the median is reported)
  --synthetic-mb MB   the largest synthetic document (default 100; 0: none)
  --cargo             also compile the whole-Graph crate: every area alone, full, rustdoc,
                      cargo package, a release binary (tens of minutes)
";

/// A parsed command.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Regenerate or check `generated/`.
    Codegen {
        /// Only compare.
        check: bool,
        /// List all warnings.
        warnings: bool,
    },
    /// Generate a standalone crate.
    Standalone(Standalone),
    /// Refresh the metadata slice.
    Refresh {
        /// The full CSDL, if not the configured one.
        from: Option<PathBuf>,
    },
    /// Compare the API of two generations (`cargo xtask api-diff`).
    ApiDiff(crate::api_diff::Options),
    /// Check the whole-Graph crate against documented traffic (`cargo xtask conformance`).
    Conformance(crate::conformance::Options),
    /// Time the reader (`cargo xtask bench`).
    Bench(crate::bench::Options),
    /// Print a usage text.
    Help(&'static str),
}

fn error(usage: &str, message: impl std::fmt::Display) -> Failure {
    usage_error("xtask", message, usage)
}

/// The value of the option just read, as UTF-8.
fn value(parser: &mut lexopt::Parser, usage: &str) -> Result<String, Failure> {
    msgraph_codegen::cli::args::value(parser, "xtask", usage)
}

fn number(flag: &str, text: String, usage: &str) -> Result<usize, Failure> {
    text.parse()
        .map_err(|_| error(usage, format!("`{flag}` needs a number, found `{text}`")))
}

/// Parses the arguments after `cargo xtask`.
pub fn parse(arguments: impl IntoIterator<Item = String>) -> Result<Command, Failure> {
    let mut parser = lexopt::Parser::from_args(arguments);
    let Some(command) = parser.next().map_err(|e| error(USAGE, e))? else {
        return Ok(Command::Help(USAGE));
    };
    let command = match command {
        Value(command) => command.string().map_err(|e| error(USAGE, e))?,
        Short('h') | Long("help") => return Ok(Command::Help(USAGE)),
        other => return Err(error(USAGE, other.unexpected())),
    };
    match command.as_str() {
        "codegen" => codegen(&mut parser),
        "refresh-metadata" => {
            let mut from = None;
            while let Some(argument) = parser.next().map_err(|e| error(REFRESH_USAGE, e))? {
                match argument {
                    Long("from") => from = Some(PathBuf::from(value(&mut parser, REFRESH_USAGE)?)),
                    Short('h') | Long("help") => return Ok(Command::Help(REFRESH_USAGE)),
                    other => return Err(error(REFRESH_USAGE, other.unexpected())),
                }
            }
            Ok(Command::Refresh { from })
        }
        "bench" => {
            let mut options = crate::bench::Options::default();
            while let Some(argument) = parser.next().map_err(|e| error(BENCH_USAGE, e))? {
                match argument {
                    Long("iterations") => {
                        let text = value(&mut parser, BENCH_USAGE)?;
                        options.iterations = number("--iterations", text, BENCH_USAGE)?;
                    }
                    Long("synthetic-mb") => {
                        let text = value(&mut parser, BENCH_USAGE)?;
                        options.synthetic_mb = number("--synthetic-mb", text, BENCH_USAGE)?;
                    }
                    Long("cargo") => options.cargo = true,
                    Short('h') | Long("help") => return Ok(Command::Help(BENCH_USAGE)),
                    other => return Err(error(BENCH_USAGE, other.unexpected())),
                }
            }
            Ok(Command::Bench(options))
        }
        "api-diff" => api_diff(&mut parser),
        "conformance" => conformance(&mut parser),
        "help" => help(&mut parser),
        other => Err(error(USAGE, format!("unknown command `{other}`"))),
    }
}

/// `cargo xtask help [COMMAND]`: the usage of every command, or of one.
fn help(parser: &mut lexopt::Parser) -> Result<Command, Failure> {
    let Some(argument) = parser.next().map_err(|e| error(USAGE, e))? else {
        return Ok(Command::Help(USAGE));
    };
    let usage = match argument {
        Value(command) => match command.string().map_err(|e| error(USAGE, e))?.as_str() {
            "codegen" => CODEGEN_USAGE,
            "refresh-metadata" => REFRESH_USAGE,
            "bench" => BENCH_USAGE,
            "api-diff" => API_DIFF_USAGE,
            "conformance" => CONFORMANCE_USAGE,
            "help" => USAGE,
            other => return Err(error(USAGE, format!("unknown command `{other}`"))),
        },
        other => return Err(error(USAGE, other.unexpected())),
    };
    match parser.next().map_err(|e| error(USAGE, e))? {
        None => Ok(Command::Help(usage)),
        Some(other) => Err(error(USAGE, other.unexpected())),
    }
}

/// `cargo xtask conformance ...`.
fn conformance(parser: &mut lexopt::Parser) -> Result<Command, Failure> {
    let usage = CONFORMANCE_USAGE;
    let mut options = crate::conformance::Options::default();
    while let Some(argument) = parser.next().map_err(|e| error(usage, e))? {
        match argument {
            Long("examples") => options.examples = Some(PathBuf::from(value(parser, usage)?)),
            Long("csdl") => options.csdl = Some(PathBuf::from(value(parser, usage)?)),
            Long("out") => options.out = Some(PathBuf::from(value(parser, usage)?)),
            Long("target-dir") => {
                options.target_dir = Some(PathBuf::from(value(parser, usage)?));
            }
            Long("list") => options.list = true,
            Long("bless") => options.bless = true,
            Short('h') | Long("help") => return Ok(Command::Help(usage)),
            other => return Err(error(usage, other.unexpected())),
        }
    }
    Ok(Command::Conformance(options))
}

/// `cargo xtask api-diff ...`.
fn api_diff(parser: &mut lexopt::Parser) -> Result<Command, Failure> {
    let usage = API_DIFF_USAGE;
    let (mut from, mut to, mut config) = (None, None, None);
    let mut slice = SliceSpec::default();
    let (mut json, mut summary, mut probe) = (false, false, None);
    while let Some(argument) = parser.next().map_err(|e| error(usage, e))? {
        match argument {
            Long("from") => from = Some(PathBuf::from(value(parser, usage)?)),
            Long("to") => to = Some(PathBuf::from(value(parser, usage)?)),
            Long("config") => config = Some(PathBuf::from(value(parser, usage)?)),
            Long("all") => slice.all = true,
            Long("root") => slice
                .roots
                .push(Spanned::new(value(parser, usage)?, Default::default())),
            Long("path") => slice
                .paths
                .push(Spanned::new(value(parser, usage)?, Default::default())),
            Long("json") => json = true,
            Long("summary") => summary = true,
            Long("probe") => probe = Some(PathBuf::from(value(parser, usage)?)),
            Short('h') | Long("help") => return Ok(Command::Help(usage)),
            other => return Err(error(usage, other.unexpected())),
        }
    }
    let (Some(from), Some(to)) = (from, to) else {
        return Err(error(usage, "give `--from OLD.xml` and `--to NEW.xml`"));
    };
    if slice.is_given() && config.is_some() {
        return Err(error(usage, "give a slice or `--config`, not both"));
    }
    if slice.all && (!slice.roots.is_empty() || !slice.paths.is_empty()) {
        return Err(error(
            usage,
            "give either `--all`, or one or more `--root` or `--path`",
        ));
    }
    Ok(Command::ApiDiff(crate::api_diff::Options {
        from,
        to,
        slice,
        config,
        json,
        summary,
        probe,
    }))
}

/// `cargo xtask codegen ...`.
fn codegen(parser: &mut lexopt::Parser) -> Result<Command, Failure> {
    let usage = CODEGEN_USAGE;
    let mut check = false;
    let mut warnings = false;
    let mut csdl = None;
    let mut config = None;
    let mut out = None;
    let mut slice = SliceSpec::default();
    let mut name = None;
    let mut references = Vec::new();
    while let Some(argument) = parser.next().map_err(|e| error(usage, e))? {
        match argument {
            Long("check") => check = true,
            Long("warnings") => warnings = true,
            Long("csdl") => csdl = Some(PathBuf::from(value(parser, usage)?)),
            Long("config") => config = Some(PathBuf::from(value(parser, usage)?)),
            Long("out") => out = Some(PathBuf::from(value(parser, usage)?)),
            Long("all") => slice.all = true,
            Long("root") => slice
                .roots
                .push(Spanned::new(value(parser, usage)?, Default::default())),
            Long("path") => slice
                .paths
                .push(Spanned::new(value(parser, usage)?, Default::default())),
            Long("name") => name = Some(value(parser, usage)?),
            Long("reference") => references.push(
                msgraph_codegen::cli::parse_reference(&value(parser, usage)?)
                    .map_err(|e| error(usage, e))?,
            ),
            Short('h') | Long("help") => return Ok(Command::Help(usage)),
            other => return Err(error(usage, other.unexpected())),
        }
    }
    let standalone_flags = slice.is_given() || name.is_some() || !references.is_empty();
    let Some(out) = out else {
        return match (csdl, config) {
            (None, None) if standalone_flags => Err(error(
                usage,
                "`--all`, `--root`, `--path`, `--reference` and `--name` go with `--csdl` and `--out`",
            )),
            (None, None) => Ok(Command::Codegen { check, warnings }),
            _ => Err(error(usage, "`--csdl` and `--config` need `--out DIR`")),
        };
    };
    if check {
        return Err(error(
            usage,
            "`--check` compares generated/; it does not go with `--out`",
        ));
    }
    let source =
        Source::from_flags(csdl, config, slice, references, name).map_err(|e| error(usage, e))?;
    Ok(Command::Standalone(Standalone {
        source,
        out,
        all_warnings: warnings,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_the_fixed_commands() {
        assert_eq!(
            parse(args("codegen")).unwrap(),
            Command::Codegen {
                check: false,
                warnings: false
            }
        );
        assert_eq!(
            parse(args("codegen --check")).unwrap(),
            Command::Codegen {
                check: true,
                warnings: false
            }
        );
        let Command::Standalone(standalone) = parse(args(
            "codegen --csdl a.xml --out dir --root ns.a --root ns.b --name c \
             --reference http://x/b.xml?v=1=b.xml",
        ))
        .unwrap() else {
            panic!("expected a standalone command");
        };
        assert_eq!(standalone.out, PathBuf::from("dir"));
        let Source::Csdl {
            csdl,
            references,
            slice,
            name,
        } = &standalone.source
        else {
            panic!("from a CSDL file");
        };
        assert_eq!(csdl, &PathBuf::from("a.xml"));
        assert_eq!(
            references,
            &[("http://x/b.xml?v=1".to_string(), PathBuf::from("b.xml"))]
        );
        assert_eq!(
            slice
                .roots
                .iter()
                .map(|r| r.value.as_str())
                .collect::<Vec<_>>(),
            ["ns.a", "ns.b"]
        );
        assert!(!slice.all);
        assert_eq!(name.as_deref(), Some("c"));
    }

    #[test]
    fn parses_the_conformance_options() {
        let Command::Conformance(options) = parse(args(
            "conformance --examples e.jsonl --csdl c.xml --out o --target-dir t --list --bless",
        ))
        .unwrap() else {
            panic!("a conformance command");
        };
        assert_eq!(
            options,
            crate::conformance::Options {
                examples: Some(PathBuf::from("e.jsonl")),
                csdl: Some(PathBuf::from("c.xml")),
                out: Some(PathBuf::from("o")),
                target_dir: Some(PathBuf::from("t")),
                list: true,
                bless: true,
            }
        );
        assert_eq!(
            parse(args("conformance --help")).unwrap(),
            Command::Help(CONFORMANCE_USAGE)
        );
        let misplaced = parse(args("conformance --all")).unwrap_err();
        assert!(
            misplaced.0.contains("--all"),
            "names the flag: {}",
            misplaced.0
        );
    }

    #[test]
    fn help_takes_a_command_and_nothing_else() {
        assert_eq!(parse(args("help")).unwrap(), Command::Help(USAGE));
        assert_eq!(
            parse(args("help conformance")).unwrap(),
            Command::Help(CONFORMANCE_USAGE)
        );
        let unknown = parse(args("help frobnicate")).unwrap_err();
        assert!(unknown.0.contains("`frobnicate`"), "{}", unknown.0);
        let flag = parse(args("help --anything")).unwrap_err();
        assert!(flag.0.contains("--anything"), "{}", flag.0);
        let extra = parse(args("help bench extra")).unwrap_err();
        assert!(extra.0.contains("extra"), "{}", extra.0);
    }

    #[test]
    fn parses_the_benchmark_options() {
        assert_eq!(
            parse(args("bench")).unwrap(),
            Command::Bench(crate::bench::Options::default())
        );
        assert_eq!(
            parse(args("bench --iterations 5 --synthetic-mb 0 --cargo")).unwrap(),
            Command::Bench(crate::bench::Options {
                iterations: 5,
                synthetic_mb: 0,
                cargo: true,
            })
        );
    }

    #[test]
    fn every_command_has_its_own_help() {
        assert_eq!(parse(args("")).unwrap(), Command::Help(USAGE));
        assert_eq!(parse(args("--help")).unwrap(), Command::Help(USAGE));
        assert_eq!(
            parse(args("codegen --help")).unwrap(),
            Command::Help(CODEGEN_USAGE)
        );
        assert_eq!(parse(args("bench -h")).unwrap(), Command::Help(BENCH_USAGE));
        assert_eq!(
            parse(args("refresh-metadata --help")).unwrap(),
            Command::Help(REFRESH_USAGE)
        );
        assert_eq!(
            parse(args("api-diff --help")).unwrap(),
            Command::Help(API_DIFF_USAGE)
        );
    }

    #[test]
    fn parses_the_api_diff_options() {
        let Command::ApiDiff(options) = parse(args(
            "api-diff --from a.xml --to b.xml --all --summary --probe p",
        ))
        .unwrap() else {
            panic!("an api-diff command");
        };
        assert_eq!(
            (
                options.from,
                options.to,
                options.slice.all,
                options.summary,
                options.json
            ),
            (
                PathBuf::from("a.xml"),
                PathBuf::from("b.xml"),
                true,
                true,
                false
            )
        );
        assert_eq!(options.probe, Some(PathBuf::from("p")));
        let Command::ApiDiff(options) =
            parse(args("api-diff --from a.xml --to b.xml --json")).unwrap()
        else {
            panic!("an api-diff command");
        };
        assert!(options.json && options.config.is_none() && !options.slice.all);
    }

    #[test]
    fn a_wrong_or_misplaced_flag_is_an_error_that_names_it() {
        for (bad, says) in [
            ("bench --check", "--check"),
            ("refresh-metadata --cargo", "--cargo"),
            ("codegen --iterations 3", "--iterations"),
            ("codegen --csdl a.xml", "--out"),
            ("codegen --csdl a.xml --out d", "--all"),
            ("codegen --csdl a.xml --out d --all --root x", "--all"),
            ("codegen --root x", "--root"),
            ("codegen --frobnicate", "--frobnicate"),
            ("codegen --csdl", "--csdl"),
            ("codegen --check --csdl a.xml --all --out d", "--check"),
            ("bench --iterations many", "many"),
            ("api-diff --from a.xml", "--to"),
            (
                "api-diff --from a.xml --to b.xml --all --config c.toml",
                "--config",
            ),
            ("api-diff --from a.xml --to b.xml --out d", "--out"),
            ("build", "build"),
        ] {
            let error = parse(args(bad)).unwrap_err();
            assert!(error.0.starts_with("xtask: error: "), "{bad}: {}", error.0);
            let first = error.0.lines().next().unwrap();
            assert!(first.contains(says), "{bad}: {first}");
        }
    }
}
