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
    match cli::parse(std::env::args().skip(1))? {
        Command::Help(usage) => Ok(done(usage.to_string())),
        Command::Codegen {
            check: false,
            warnings,
        } => codegen::run(warnings).map(done),
        Command::Codegen { check: true, .. } => {
            let drift = codegen::check()?;
            if drift.is_empty() {
                Ok(done("generated/ is up to date\n".to_string()))
            } else {
                Err(Failure(codegen::describe_drift(&drift)))
            }
        }
        Command::Standalone(standalone) => standalone.run(codegen::COMMAND).map(done),
        Command::Refresh { from } => refresh::run(from).map(done),
        Command::Bench(options) => bench::run_release(options).map(done),
        Command::Conformance(options) => {
            let report = conformance::run(&options)?;
            let status = if report.new_failures {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
            Ok((report.text, status))
        }
        Command::ApiDiff(options) => {
            let outcome = api_diff::run(&options)?;
            let status = if outcome.breaking {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
            Ok((outcome.text, status))
        }
    }
}
