//! `cargo xtask`: see `cargo xtask help`.

use std::process::ExitCode;

use xtask::cli::{self, Command};
use xtask::{Failure, api_diff, bench, codegen, refresh};

/// Counts heap use for `cargo xtask bench`; a plain pass-through to the system allocator otherwise.
#[global_allocator]
static ALLOCATOR: bench::CountingAllocator = bench::CountingAllocator;

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    // `api-diff` exits with 2 when a change breaks downstream crates, for a release job to gate on.
    if let Ok(Command::ApiDiff(options)) = cli::parse(arguments.clone()) {
        return match api_diff::run(&options) {
            Ok(outcome) => {
                print!("{}", outcome.text);
                ExitCode::from(if outcome.breaking { 2 } else { 0 })
            }
            Err(failure) => fail(failure),
        };
    }
    match run(arguments) {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(failure) => fail(failure),
    }
}

fn fail(Failure(message): Failure) -> ExitCode {
    eprint!("{message}");
    if !message.ends_with('\n') {
        eprintln!();
    }
    ExitCode::FAILURE
}

fn run(arguments: Vec<String>) -> Result<String, Failure> {
    match cli::parse(arguments)? {
        Command::Help(usage) => Ok(usage.to_string()),
        Command::Codegen {
            check: false,
            warnings,
        } => codegen::run(warnings),
        Command::Codegen { check: true, .. } => {
            let drift = codegen::check()?;
            if drift.is_empty() {
                Ok("generated/ is up to date\n".to_string())
            } else {
                Err(Failure(codegen::describe_drift(&drift)))
            }
        }
        Command::Standalone(standalone) => standalone.run(codegen::COMMAND),
        Command::Refresh { from } => refresh::run(from),
        Command::Bench(options) => bench::run_release(options),
        Command::ApiDiff(_) => unreachable!("`main` runs api-diff"),
    }
}
