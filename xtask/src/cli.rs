//! Command-line parsing for `cargo xtask`.

use std::path::PathBuf;

use msgraph_codegen::SliceSpec;
use msgraph_codegen::csdl::syntax::Spanned;

use crate::Failure;

/// The usage text.
pub const USAGE: &str = "\
usage:
  cargo xtask codegen                      regenerate generated/ from metadata/ (writes only what changed)
  cargo xtask codegen --check              compare generated/ with a fresh generation; exit 1 on drift
  cargo xtask codegen --csdl FILE --out DIR (--all | --root QUALIFIED.NAME ...) [--name CRATE]
                                           generate a standalone crate from any CSDL into DIR
  cargo xtask bench [--iterations N] [--synthetic-mb MB] [--cargo]
                                           time reading clean.xml against quick-xml tokenizing it,
                                           and reading synthetic documents up to MB (default 100; 0: none)
  cargo xtask refresh-metadata [--from FILE]
                                           re-extract metadata/'s CSDL slice from a full CSDL
                                           (default: the config's refresh_from in ../shared/graph-metadata)
options:
  --warnings                               list every warning about the input, not just the first few
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
    Standalone {
        /// The CSDL file.
        csdl: PathBuf,
        /// The output folder.
        out: PathBuf,
        /// What to generate.
        slice: SliceSpec,
        /// The crate name, if not `msgraph`.
        name: Option<String>,
        /// List all warnings.
        warnings: bool,
    },
    /// Refresh the metadata slice.
    Refresh {
        /// The full CSDL, if not the configured one.
        from: Option<PathBuf>,
    },
    /// Time the reader (`cargo xtask bench`).
    Bench(crate::bench::Options),
    /// Print the usage.
    Help,
}

fn usage_error(message: String) -> Failure {
    Failure(format!("xtask: error: {message}\n\n{USAGE}"))
}

fn number(flag: &str, text: String) -> Result<usize, Failure> {
    text.parse()
        .map_err(|_| usage_error(format!("`{flag}` needs a number, found `{text}`")))
}

/// Parses the arguments after `cargo xtask`.
pub fn parse(arguments: impl IntoIterator<Item = String>) -> Result<Command, Failure> {
    let mut arguments = arguments.into_iter();
    let Some(command) = arguments.next() else {
        return Ok(Command::Help);
    };
    let mut check = false;
    let mut warnings = false;
    let mut csdl = None;
    let mut out = None;
    let mut all = false;
    let mut roots = Vec::new();
    let mut name = None;
    let mut from = None;
    let mut bench = crate::bench::Options::default();
    let value = |flag: &str, arguments: &mut dyn Iterator<Item = String>| {
        arguments
            .next()
            .filter(|v| !v.starts_with("--"))
            .ok_or_else(|| usage_error(format!("`{flag}` needs a value")))
    };
    let rest: Vec<String> = arguments.collect();
    let mut iter = rest.into_iter();
    while let Some(argument) = iter.next() {
        match argument.as_str() {
            "--check" => check = true,
            "--warnings" => warnings = true,
            "--all" => all = true,
            "--csdl" => csdl = Some(PathBuf::from(value("--csdl", &mut iter)?)),
            "--out" => out = Some(PathBuf::from(value("--out", &mut iter)?)),
            "--root" => roots.push(Spanned::new(
                value("--root", &mut iter)?,
                Default::default(),
            )),
            "--name" => name = Some(value("--name", &mut iter)?),
            "--from" => from = Some(PathBuf::from(value("--from", &mut iter)?)),
            "--iterations" => {
                bench.iterations = number("--iterations", value("--iterations", &mut iter)?)?
            }
            "--synthetic-mb" => {
                bench.synthetic_mb = number("--synthetic-mb", value("--synthetic-mb", &mut iter)?)?
            }
            "--cargo" => bench.cargo = true,
            "-h" | "--help" => return Ok(Command::Help),
            other => return Err(usage_error(format!("unknown argument `{other}`"))),
        }
    }
    match command.as_str() {
        "codegen" => match (csdl, out) {
            (None, None) => {
                if all || !roots.is_empty() || name.is_some() {
                    return Err(usage_error(
                        "`--all`, `--root` and `--name` go with `--csdl` and `--out`".into(),
                    ));
                }
                Ok(Command::Codegen { check, warnings })
            }
            (Some(csdl), Some(out)) => {
                if check {
                    return Err(usage_error(
                        "`--check` compares generated/; it does not go with `--out`".into(),
                    ));
                }
                if all != roots.is_empty() {
                    return Err(usage_error(
                        "give either `--all` or one or more `--root QUALIFIED.NAME`".into(),
                    ));
                }
                Ok(Command::Standalone {
                    csdl,
                    out,
                    slice: SliceSpec {
                        all,
                        // The whole service gets a feature per area.
                        areas: all,
                        roots,
                        paths: Vec::new(),
                    },
                    name,
                    warnings,
                })
            }
            _ => Err(usage_error("`--csdl` and `--out` go together".into())),
        },
        "refresh-metadata" => Ok(Command::Refresh { from }),
        "bench" => Ok(Command::Bench(bench)),
        "help" | "-h" | "--help" => Ok(Command::Help),
        other => Err(usage_error(format!("unknown command `{other}`"))),
    }
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
        let Command::Standalone {
            csdl, out, slice, ..
        } = parse(args(
            "codegen --csdl a.xml --out dir --root ns.a --root ns.b",
        ))
        .unwrap()
        else {
            panic!("expected a standalone command");
        };
        assert_eq!(csdl, PathBuf::from("a.xml"));
        assert_eq!(out, PathBuf::from("dir"));
        assert_eq!(
            slice
                .roots
                .iter()
                .map(|r| r.value.as_str())
                .collect::<Vec<_>>(),
            ["ns.a", "ns.b"]
        );
        assert!(!slice.all);
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
    fn rejects_inconsistent_arguments() {
        for bad in [
            "codegen --csdl a.xml",
            "codegen --csdl a.xml --out d",
            "codegen --csdl a.xml --out d --all --root x",
            "codegen --root x",
            "codegen --frobnicate",
            "codegen --csdl",
            "bench --iterations many",
            "build",
        ] {
            let error = parse(args(bad)).unwrap_err();
            assert!(error.0.starts_with("xtask: error: "), "{bad}: {}", error.0);
        }
    }
}
