//! Loading and saving `*.mixdesk` files.
//!
//! Loading refuses rather than guesses: a syntax error names the file, line and
//! column; a newer format is refused with its number; a structurally invalid
//! session (duplicate ids, unknown buses, routing loops) is refused with the
//! problem. Saving is atomic and keeps the previous file as `.bak`.

use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::Session;
use super::migrate::{CURRENT_VERSION, VersionProbe, migrate};
use super::validate::{ValidationError, validate};
use crate::atomic::write_atomically;

/// Why a session could not be loaded or saved.
#[derive(Debug, Error)]
pub enum SessionError {
    /// The file could not be read or written.
    #[error("{action} {path}: {source}. {advice}", path = .path.display(), advice = io_advice(.action, .source))]
    Io {
        /// The session file.
        path: PathBuf,
        /// What was attempted, e.g. "cannot read".
        action: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not text, or is far too large to be a session.
    #[error("{path} {what}, so it is not a Mixdesk session. Check that you picked the right file{hint}.", path = .path.display(), hint = restore_hint(.path))]
    NotASession {
        /// The file.
        path: PathBuf,
        /// What it is instead ("is not UTF-8 text", "is 3 GB").
        what: String,
    },
    /// The file is not valid session RON.
    #[error(
        "{path}:{line}:{column}: {message}. The session was not opened; fix the file at that \
         position{hint}.", path = .path.display(), hint = restore_hint(.path)
    )]
    Parse {
        /// The session file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected or found.
        message: String,
    },
    /// The file was written by a newer Mixdesk.
    #[error(
        "{path} is session format version {found}, newer than this Mixdesk understands \
         (version {supported}). Open it with a newer Mixdesk.", path = .path.display()
    )]
    FutureVersion {
        /// The session file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Newest version this build reads.
        supported: u32,
    },
    /// The file's version cannot be migrated.
    #[error("{path}: {message}.", path = .path.display())]
    Migration {
        /// The session file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The session could not be written as text (nothing was written).
    #[error("cannot save {path}: {message}. Nothing was written; the file there before is unchanged.", path = .path.display())]
    Unsavable {
        /// Where it was to be saved.
        path: PathBuf,
        /// Why, from the serialiser.
        message: String,
    },
    /// The file parsed but describes an impossible session.
    #[error("{path}: {source}. The session was not opened; fix the file{hint}.", hint = restore_hint(.path), path = .path.display())]
    Invalid {
        /// The session file.
        path: PathBuf,
        /// The first problem found.
        source: ValidationError,
    },
}

/// What to do about a failed read or write.
fn io_advice(action: &str, e: &std::io::Error) -> &'static str {
    if e.kind() == std::io::ErrorKind::InvalidInput {
        // A FIFO, device or folder where the file should go: see `atomic`.
        "Nothing was written; save to a file name instead."
    } else if action == "cannot read" {
        "Check that the file exists and that you may read it."
    } else {
        "Check that the disk has free space and that you may write to its folder; the file \
         there before is unchanged."
    }
}

/// ", or restore PATH.bak" when a previous version exists.
fn restore_hint(path: &Path) -> String {
    let bak = crate::atomic::backup_path(&crate::atomic::target_of(path));
    if bak.is_file() { format!(" or restore the previous version, {}", bak.display()) } else { String::new() }
}

/// The largest file [`load`] reads: a session with a thousand tracks and dense
/// automation is a few MB, so anything this large is the wrong file, and
/// reading it whole could exhaust memory.
pub const MAX_SESSION_BYTES: u64 = 256 << 20;

/// Loads and validates the session at `path`, migrating older formats.
pub fn load(path: &Path) -> Result<Session, SessionError> {
    let io = |source| SessionError::Io { path: path.to_owned(), action: "cannot read", source };
    let file = crate::files::open_regular(path).map_err(|e| match e {
        crate::files::OpenError::NotRegular(kind) => SessionError::NotASession {
            path: path.to_owned(),
            what: format!("is {kind}, not a regular file"),
        },
        crate::files::OpenError::Io(e) => io(e),
    })?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_SESSION_BYTES {
        return Err(SessionError::NotASession {
            path: path.to_owned(),
            what: format!(
                "is {} MB, more than the {} MB a session can be",
                size >> 20,
                MAX_SESSION_BYTES >> 20
            ),
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_SESSION_BYTES + 1), &mut bytes)
        .map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|e| SessionError::NotASession {
        path: path.to_owned(),
        what: format!("is not UTF-8 text (byte {} is not)", e.utf8_error().valid_up_to()),
    })?;
    if text.trim().is_empty() {
        return Err(SessionError::NotASession { path: path.to_owned(), what: "is empty".into() });
    }
    from_ron_str(&text, path)
}

/// Parses, migrates and validates session text; `path` is only used in error messages.
pub fn from_ron_str(text: &str, path: &Path) -> Result<Session, SessionError> {
    let parse_error = |e: ron::error::SpannedError| SessionError::Parse {
        path: path.to_owned(),
        line: e.span.start.line,
        column: e.span.start.col,
        message: match e.code {
            ron::Error::ExceededRecursionLimit => "brackets nest too deeply here".to_owned(),
            ron::Error::IntegerOutOfBounds => "this number is negative or too large for its field".to_owned(),
            code => code.to_string(),
        },
    };
    let version = ron::from_str::<VersionProbe>(text).map_err(parse_error)?.version;
    if version > CURRENT_VERSION {
        return Err(SessionError::FutureVersion {
            path: path.to_owned(),
            found: version,
            supported: CURRENT_VERSION,
        });
    }
    let text = migrate(text.to_owned(), version)
        .map_err(|message| SessionError::Migration { path: path.to_owned(), message })?;
    let mut session: Session = ron::from_str(&text).map_err(parse_error)?;
    session.version = CURRENT_VERSION;
    validate(&session).map_err(|source| SessionError::Invalid { path: path.to_owned(), source })?;
    Ok(session)
}

/// The session as pretty RON text, exactly as [`save`] writes it. Every
/// session has a text form (media paths that are not UTF-8 are byte
/// strings, see [`super::media_paths::lossless`]); an error here would be a
/// bug, and is reported rather than a crash that loses the session.
pub fn to_ron_string(session: &Session) -> Result<String, ron::Error> {
    let config = ron::ser::PrettyConfig::new().struct_names(false).indentor("  ").new_line("\n");
    let mut text = ron::ser::to_string_pretty(session, config)?;
    text.push('\n');
    Ok(text)
}

/// [`to_ron_string`], its error naming where the text was going.
pub(crate) fn text_for(session: &Session, path: &Path) -> Result<String, SessionError> {
    to_ron_string(session)
        .map_err(|e| SessionError::Unsavable { path: path.to_owned(), message: e.to_string() })
}

/// Saves atomically to `path`, keeping the previous file as `PATH.bak`. When
/// `path` is a symbolic link, the file it points to is saved (the link stays);
/// the saved file keeps the permission bits of the one it replaces.
pub fn save(session: &Session, path: &Path) -> Result<(), SessionError> {
    let text = text_for(session, path)?;
    write_atomically(path, true, |w| w.write_all(text.as_bytes())).map_err(|source| SessionError::Io {
        path: path.to_owned(),
        action: "cannot write",
        source,
    })
}
