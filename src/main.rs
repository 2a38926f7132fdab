//! The `tindex` binary: a thin shell over the library's CLI.

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

fn main() -> ExitCode {
    fixed_mmap_threshold();
    let cli = match tindex::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
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

/// Help and version go to stdout as clap writes them; a usage mistake is one line on stderr
/// and exit 2, like every other input error.
fn usage_error(e: clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::from(2)
        }
        _ => {
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or("bad arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("tindex: error: {first} (see tindex --help)");
            ExitCode::from(2)
        }
    }
}

/// glibc's malloc raises its mmap threshold each time a large block is freed, so the next
/// page body of 20 MiB lands in a heap arena, and arenas keep what was freed: on a run of huge
/// pages that was 100 MB above the memory budget (BENCHMARKS.md, "Memory under huge pages").
/// A fixed threshold keeps blocks of 1 MiB and more in mappings of their own, returned to the
/// system when freed. Fixing it also fixes the heap's trim threshold, at 128 KiB, which made
/// the heap shrink and regrow all the time (a farm cycle 10% slower): that one is set high.
fn fixed_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets tuning parameters, before any thread is started.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
    }
}
