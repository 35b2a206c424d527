//! Working with artists and other studios: review notes coming in (plain
//! text with times, the share page's file) and going out (the share page
//! beside a bounce, [`page`]). The notes themselves are part of the session, see
//! [`crate::session::notes`].

pub mod import;
pub mod page;
pub mod timestamps;

pub use import::{Added, Incoming, NotesFile, ReviewError, add, add_undoably, from_text, read};
pub use timestamps::{Skipped, Timed, format_clock, parse_line, parse_lines, parse_span};
