//! `msgraph-codegen`: generates a Rust crate from OData CSDL (see `msgraph-codegen --help`).

use std::process::ExitCode;

use msgraph_codegen::cli::args::{self, Command, PROGRAM};
use msgraph_codegen::cli::invocation;

fn main() -> ExitCode {
    let given: Vec<String> = std::env::args().skip(1).collect();
    let result = match args::parse(given.iter().cloned()) {
        Ok(Command::Help) => Ok(args::USAGE.to_string()),
        Ok(Command::Version) => Ok(format!("{PROGRAM} {}\n", env!("CARGO_PKG_VERSION"))),
        Ok(Command::Generate(standalone)) => standalone.run(PROGRAM, &invocation(PROGRAM, &given)),
        Err(failure) => Err(failure),
    };
    match result {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprint!("{failure}");
            if !failure.0.ends_with('\n') {
                eprintln!();
            }
            ExitCode::FAILURE
        }
    }
}
