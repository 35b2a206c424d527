//! `mixdesk`: the Mixdesk binary. With no arguments it opens the bundled demo
//! session; subcommands work without a display (see `mixdesk --help`).

mod cli;
mod demo_files;
mod gui;
mod plugin_ui;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        // A closed stdout: the reader stopped early, which is not a failure (see cli::out).
        Ok(()) | Err(cli::CliError::OutputClosed) => ExitCode::SUCCESS,
        Err(cli::CliError::Failed(message)) => {
            cli::out::write_stderr(format_args!("mixdesk: {message}\n"));
            ExitCode::FAILURE
        }
    }
}
