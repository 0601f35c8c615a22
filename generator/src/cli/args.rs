//! The `msgraph-codegen` binary's command line, parsed with `lexopt`.

use std::path::PathBuf;

use lexopt::prelude::*;

use super::{Failure, Source, Standalone};
use crate::SliceSpec;
use crate::diagnostics::Spanned;

/// The binary's name, in messages.
pub const PROGRAM: &str = "msgraph-codegen";

/// `msgraph-codegen --help`.
pub const USAGE: &str = "\
msgraph-codegen: generates a Rust crate of typed models and request builders from OData CSDL
(Microsoft Graph's $metadata or any other service's).

usage:
  msgraph-codegen --csdl FILE --out DIR (--all | --root NS.TYPE ... | --path /RESOURCE/PATH ...)
                  [--reference URI=FILE ...] [--name CRATE] [--warnings]
  msgraph-codegen --config FILE --out DIR [--warnings]

options:
  --csdl FILE         the CSDL document to read
  --all               every type, entity set, singleton and operation, with a cargo feature per
                      area (entity set or singleton) so that a crate pays only for what it uses
  --root NS.TYPE      a type to generate, with everything it needs (repeatable)
  --path /A/{id}/B    a resource path: its entity sets, navigations and request builders
                      (repeatable; goes with --root)
  --reference URI=FILE
                      the local file of a document the CSDL references (edmx:Reference) by
                      URI (repeatable); relative URIs are read beside the referencing file, and
                      nothing is fetched over the network
  --name CRATE        the crate's package name (default msgraph)
  --config FILE       a config file instead (the format of the project's metadata/msgraph.toml:
                      [input] csdl, references, [crate] name, version, description, ...,
                      [slice] roots, paths, all; its paths relative to it)
  --out DIR           the crate's folder: created, or a crate generated before (only changed
                      files are written; files no longer generated are removed)
  --warnings          list every warning about the input, not just the first few
  -h, --help          this text
  -V, --version       the generator's version

The command that made the crate is recorded in every file it writes, to regenerate it.
";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Generate a crate.
    Generate(Standalone),
    /// Print [`USAGE`].
    Help,
    /// Print the version.
    Version,
}

/// A usage error: the message, then the usage.
pub fn usage_error(program: &str, message: impl std::fmt::Display, usage: &str) -> Failure {
    Failure(format!("{program}: error: {message}\n\n{usage}"))
}

/// The value of the option just read, as UTF-8; errors name `program` and show `usage`.
pub fn value(parser: &mut lexopt::Parser, program: &str, usage: &str) -> Result<String, Failure> {
    let error = |message: String| usage_error(program, message, usage);
    parser
        .value()
        .map_err(|e| error(e.to_string()))?
        .into_string()
        .map_err(|v| error(format!("`{}` is not valid UTF-8", v.to_string_lossy())))
}

/// Parses the arguments after the program's name.
pub fn parse(arguments: impl IntoIterator<Item = String>) -> Result<Command, Failure> {
    let error = |message: String| usage_error(PROGRAM, message, USAGE);
    let mut parser = lexopt::Parser::from_args(arguments);
    let mut csdl = None;
    let mut config = None;
    let mut out = None;
    let mut slice = SliceSpec::default();
    let mut name = None;
    let mut references = Vec::new();
    let mut all_warnings = false;
    while let Some(argument) = parser.next().map_err(|e| error(e.to_string()))? {
        match argument {
            Long("csdl") => csdl = Some(PathBuf::from(value(&mut parser, PROGRAM, USAGE)?)),
            Long("config") => config = Some(PathBuf::from(value(&mut parser, PROGRAM, USAGE)?)),
            Long("out") => out = Some(PathBuf::from(value(&mut parser, PROGRAM, USAGE)?)),
            Long("all") => slice.all = true,
            Long("root") => slice.roots.push(Spanned::new(
                value(&mut parser, PROGRAM, USAGE)?,
                Default::default(),
            )),
            Long("path") => slice.paths.push(Spanned::new(
                value(&mut parser, PROGRAM, USAGE)?,
                Default::default(),
            )),
            Long("name") => name = Some(value(&mut parser, PROGRAM, USAGE)?),
            Long("reference") => {
                references.push(
                    super::parse_reference(&value(&mut parser, PROGRAM, USAGE)?).map_err(error)?,
                );
            }
            Long("warnings") => all_warnings = true,
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            other => return Err(error(other.unexpected().to_string())),
        }
    }
    let out = out.ok_or_else(|| error("`--out DIR` is required".to_string()))?;
    let source = Source::from_flags(csdl, config, slice, references, name)
        .map_err(|e| error(e.to_string()))?;
    Ok(Command::Generate(Standalone {
        source,
        out,
        all_warnings,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_a_slice_and_a_config() {
        let Command::Generate(standalone) = parse(args(
            "--csdl m.xml --root ns.a --path /items/{id} --name c --out d --warnings",
        ))
        .unwrap() else {
            panic!("a generation");
        };
        assert!(standalone.all_warnings);
        assert_eq!(standalone.out, PathBuf::from("d"));
        let Source::Csdl { slice, name, .. } = &standalone.source else {
            panic!("from a CSDL file");
        };
        assert_eq!(slice.roots[0].value, "ns.a");
        assert_eq!(slice.paths[0].value, "/items/{id}");
        assert!(!slice.all && !slice.areas);
        assert_eq!(name.as_deref(), Some("c"));
        assert_eq!(
            parse(args("--config c.toml --out d")).unwrap(),
            Command::Generate(Standalone {
                source: Source::Config(PathBuf::from("c.toml")),
                out: PathBuf::from("d"),
                all_warnings: false,
            })
        );
        let Command::Generate(all) = parse(args("--csdl m.xml --all --out d")).unwrap() else {
            panic!("a generation");
        };
        assert!(matches!(all.source, Source::Csdl { slice, .. } if slice.all && slice.areas));
        assert_eq!(parse(args("--help")).unwrap(), Command::Help);
        assert_eq!(parse(args("-V")).unwrap(), Command::Version);
    }

    #[test]
    fn a_wrong_command_line_names_what_is_wrong() {
        for (bad, says) in [
            ("--csdl m.xml --all --out d --check", "--check"),
            ("--csdl m.xml --out d", "--all"),
            ("--csdl m.xml --all --root x --out d", "--all"),
            ("--csdl m.xml --all", "--out"),
            ("--config c.toml --all --out d", "--config"),
            ("--config c.toml --csdl m.xml --out d", "not both"),
            ("--csdl", "--csdl"),
            ("stray --out d", "stray"),
        ] {
            let error = parse(args(bad)).unwrap_err().0;
            assert!(
                error.starts_with("msgraph-codegen: error: "),
                "{bad}: {error}"
            );
            let first = error.lines().next().unwrap();
            assert!(first.contains(says), "{bad}: {first}");
        }
    }
}
