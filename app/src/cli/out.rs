//! What the subcommands print, and how a subcommand fails.
//!
//! Rule: everything printed on stdout goes through [`outln!`] and [`out!`]
//! (never `println!`, which panics when the write fails: Rust ignores
//! SIGPIPE, so `mixdesk analyze X --json | head -1` used to end in a
//! backtrace). A closed stdout (the reader, like `head`, stopped early) ends
//! the subcommand quietly with exit status 0: the reader got what it asked
//! for, and `set -o pipefail` scripts keep working. Any other write error (a
//! full disk) is an error that names standard output. Messages on stderr go
//! through [`errln!`], which never fails a command: when stderr itself is
//! closed there is nowhere left to say anything.

use std::fmt;
use std::io::{self, Write};

/// Why a subcommand ended without doing all it set out to.
#[derive(Debug)]
pub enum CliError {
    /// Something went wrong: the message for stderr (it names the file and
    /// says what to do); the exit status is 1.
    Failed(String),
    /// Stdout was closed by its reader: end quietly, exit status 0.
    OutputClosed,
}

impl From<String> for CliError {
    fn from(message: String) -> CliError {
        CliError::Failed(message)
    }
}

impl From<&str> for CliError {
    fn from(message: &str) -> CliError {
        CliError::Failed(message.to_owned())
    }
}

/// Writes `args` to stdout and flushes, so a failure shows at once.
pub fn write_stdout(args: fmt::Arguments<'_>) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    match out.write_fmt(args).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(CliError::OutputClosed),
        Err(e) => Err(CliError::Failed(format!(
            "cannot write to standard output: {e}. Check where the output goes (a full disk?)"
        ))),
    }
}

/// Writes `args` to stderr; a failure is ignored (see the module rule).
pub fn write_stderr(args: fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// `println!` for subcommands: returns from the calling function with the
/// [`CliError`] when stdout fails (see the module rule).
macro_rules! outln {
    () => {
        $crate::cli::out::write_stdout(format_args!("\n"))?
    };
    ($($arg:tt)*) => {
        $crate::cli::out::write_stdout(format_args!("{}\n", format_args!($($arg)*)))?
    };
}

/// `print!` for subcommands, flushed; returns like [`outln!`] when stdout fails.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::out::write_stdout(format_args!($($arg)*))?
    };
}

/// `eprintln!` that never panics (see the module rule).
macro_rules! errln {
    () => {
        $crate::cli::out::write_stderr(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::out::write_stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {errln, out, outln};
