//! `mixdesk`: the Mixdesk binary. With no arguments it opens the bundled demo
//! session; subcommands work without a display (see `mixdesk --help`).

mod cli;
mod demo_files;
mod gui;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mixdesk: {message}");
            ExitCode::FAILURE
        }
    }
}
