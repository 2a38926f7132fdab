//! The `tindex` binary: a thin shell over the library's CLI.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = tindex::cli::Cli::parse();
    match tindex::cli::run(cli) {
        Ok(answer) => ExitCode::from(answer.code()),
        Err(e) => {
            let e = anyhow::Error::new(e);
            // Our messages already carry their cause: print the top line only, not the chain.
            eprintln!("tindex: error: {e}");
            let code = e
                .downcast_ref::<tindex::cli::CliError>()
                .map_or(1, tindex::cli::CliError::exit_code);
            ExitCode::from(code)
        }
    }
}
