//! `cargo xtask`: see `cargo xtask help`.

use std::process::ExitCode;

use xtask::cli::{self, Command};
use xtask::{Failure, bench, codegen, refresh};

/// Counts heap use for `cargo xtask bench`; a plain pass-through to the system allocator otherwise.
#[global_allocator]
static ALLOCATOR: bench::CountingAllocator = bench::CountingAllocator;

fn main() -> ExitCode {
    match run() {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
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

fn run() -> Result<String, Failure> {
    match cli::parse(std::env::args().skip(1))? {
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
    }
}
