//! `msgraph-codegen`: generates a Rust crate from OData CSDL (see `msgraph-codegen --help`).

use std::process::ExitCode;

use msgraph_codegen::cli::args::{self, Command, PROGRAM};

fn main() -> ExitCode {
    let result = match args::parse(std::env::args().skip(1)) {
        Ok(Command::Help) => Ok(args::USAGE.to_string()),
        Ok(Command::Version) => Ok(format!("{PROGRAM} {}\n", env!("CARGO_PKG_VERSION"))),
        Ok(Command::Generate(standalone)) => standalone.run(PROGRAM),
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
