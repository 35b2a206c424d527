//! Reading files that must be regular files.
//!
//! Rule: every session, media file, autosave, version and cache Mixdesk reads
//! is checked to be a regular file (after following symbolic links) before it
//! is read. Opening a FIFO for reading blocks until something writes to it,
//! and reading a device or a folder makes no sense, so any other kind is an
//! error that says what the path is ("a FIFO (named pipe)", "a directory").
//! The check is made twice: on the path before opening (`stat` never blocks,
//! and a device is never even opened), and on the opened file (the path could
//! have been swapped in between; the open itself is non-blocking, so a FIFO
//! swapped in is refused instead of waited on).

use std::fs::{File, FileType, OpenOptions};
use std::io;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use thiserror::Error;

/// Why a file could not be opened for reading.
#[derive(Debug, Error)]
pub enum OpenError {
    /// The usual I/O failures: not found, permission denied...
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The path is something other than a regular file.
    #[error("it is {0}, not a regular file")]
    NotRegular(&'static str),
}

impl From<OpenError> for io::Error {
    fn from(e: OpenError) -> io::Error {
        match e {
            OpenError::Io(e) => e,
            other => io::Error::new(io::ErrorKind::InvalidInput, other.to_string()),
        }
    }
}

/// What a file type is, in words: "a directory", "a FIFO (named pipe)"...
pub fn kind_in_words(t: FileType) -> &'static str {
    if t.is_file() {
        "a regular file"
    } else if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else {
        "not a regular file"
    }
}

/// Checks that `path` (following symbolic links) is a regular file, without opening it.
pub fn check_regular(path: &Path) -> Result<std::fs::Metadata, OpenError> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() { Ok(meta) } else { Err(OpenError::NotRegular(kind_in_words(meta.file_type()))) }
}

/// Opens `path` for reading if it is a regular file (see the module rule);
/// never blocks on a FIFO and never opens a device.
pub fn open_regular(path: &Path) -> Result<File, OpenError> {
    check_regular(path)?;
    let file = OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() { Ok(file) } else { Err(OpenError::NotRegular(kind_in_words(meta.file_type()))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_named_a_folder_and_a_file_opens() {
        let dir = tempfile::tempdir().unwrap();
        match open_regular(dir.path()) {
            Err(OpenError::NotRegular(kind)) => assert_eq!(kind, "a directory"),
            other => panic!("{other:?}"),
        }
        let file = dir.path().join("a.txt");
        std::fs::write(&file, b"x").unwrap();
        let mut text = String::new();
        io::Read::read_to_string(&mut open_regular(&file).unwrap(), &mut text).unwrap();
        assert_eq!(text, "x");
        let missing = open_regular(&dir.path().join("nope")).unwrap_err();
        assert!(matches!(missing, OpenError::Io(e) if e.kind() == io::ErrorKind::NotFound));
        assert_eq!(kind_in_words(std::fs::metadata("/dev/null").unwrap().file_type()), "a character device");
    }
}
