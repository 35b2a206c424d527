//! `mixdesk diff A.mixdesk B.mixdesk`: what changed from A to B, in words, one
//! change per line on stdout. Exit status 0 whether or not they differ (like
//! every other subcommand, non-zero means it could not compare); identical
//! sessions print nothing on stdout and say so on stderr.

use std::path::PathBuf;

use mixdesk_engine::diff::diff;

use super::out::{CliError, errln};

/// Arguments of `mixdesk diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The session before.
    pub a: PathBuf,
    /// The session after.
    pub b: PathBuf,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let a = super::load(&args.a)?;
    let mut b = super::load(&args.b)?;
    // Media paths are relative to each file's folder: compare the files they name.
    b.rebase_media(&super::session_dir(&args.b), &super::session_dir(&args.a));
    let changes = diff(&a, &b);
    if changes.is_empty() {
        errln!("no differences between {} and {}", args.a.display(), args.b.display());
        return Ok(());
    }
    let text: String = changes.iter().map(|c| format!("{c}\n")).collect();
    super::print_out(&text)
}
