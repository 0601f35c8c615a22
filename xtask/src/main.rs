//! `cargo xtask`: see `cargo xtask help`.

use std::process::ExitCode;

use xtask::cli::{self, Command};
use xtask::{Failure, api_diff, bench, codegen, conformance, refresh};

/// Counts heap use for `cargo xtask bench`; a plain pass-through to the system allocator otherwise.
#[global_allocator]
static ALLOCATOR: bench::CountingAllocator = bench::CountingAllocator;

fn main() -> ExitCode {
    match run() {
        Ok((output, status)) => {
            print!("{output}");
            status
        }
        Err(Failure(message)) => {
            eprint!("{message}");
            if !message.ends_with('\n') {
                eprintln!();
            }
            ExitCode::FAILURE
        }
    }
}

/// Runs the command: what to print, and the exit status (`api-diff` exits with 2 when a change
/// breaks downstream crates, for a release job to gate on).
fn run() -> Result<(String, ExitCode), Failure> {
    let done = |text: String| (text, ExitCode::SUCCESS);
    let given: Vec<String> = std::env::args().skip(1).collect();
    // The command line recorded in the files a command generates: as the user gave it (the
    // benchmark, which re-runs itself in a release build, passes its own on).
    let relayed = std::env::var_os(bench::IN_RELEASE_VAR)
        .and_then(|_| std::env::var(xtask::INVOCATION_VAR).ok());
    let command =
        relayed.unwrap_or_else(|| msgraph_codegen::cli::invocation("cargo xtask", &given));
    match cli::parse(given)? {
        Command::Help(usage) => Ok(done(usage.to_string())),
        Command::Codegen {
            check: false,
            warnings,
        } => codegen::run(warnings, &command).map(done),
        Command::Codegen { check: true, .. } => {
            let drift = codegen::check()?;
            if drift.is_empty() {
                Ok(done("generated/ is up to date\n".to_string()))
            } else {
                Err(Failure(codegen::describe_drift(&drift)))
            }
        }
        Command::Standalone(standalone) => standalone.run(codegen::COMMAND, &command).map(done),
        Command::Refresh { from } => refresh::run(from, &command).map(done),
        Command::Bench(options) => bench::run_release(options, &command).map(done),
        Command::Conformance(options) => {
            let report = conformance::run(&options, &command)?;
            let status = if report.new_failures {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
            Ok((report.text, status))
        }
        Command::ApiDiff(options) => {
            let outcome = api_diff::run(&options, &command)?;
            let status = if outcome.breaking {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
            Ok((outcome.text, status))
        }
    }
}
