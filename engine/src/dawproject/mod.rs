//! DAWproject, the open interchange format Bitwig, Studio One and Cubase read
//! and write (a ZIP with `project.xml`, `metadata.xml` and the media), written
//! from its published schema (`Project.xsd`); no maintained Rust crate reads
//! or writes it.
//!
//! Carried both ways: tracks (name, colour, comment), buses (channels with
//! role `submix`), the master (role `master`), fader (`Volume`, linear), pan
//! (`Pan`, normalized), mute, solo, outputs (`destination`), sends (pre/post,
//! level, pan), insert processors (see `devices`: the EQ, compressor, gate
//! and limiter as the format's generic devices, all parameters by key),
//! audio clips (time, duration, play start, fade lengths; the media stored in
//! `audio/`), markers, tempo and time signature. Times are written in
//! seconds. Automation of the fader, pan, mute, sends and processor
//! parameters (see `automation`). Not carried yet (listed by [`export`] and
//! [`import`] when a session or project has them): plug-ins of other DAWs,
//! sidechains, automation of trim and width, curve shapes other than linear
//! and step, lane modes, clip gain, fade shapes, trim, width, polarity,
//! solo-safe, tempo changes, review notes.

mod automation;
mod devices;
mod read;
mod write;
pub mod xml;

use std::path::PathBuf;

use thiserror::Error;

pub use read::import;
pub use write::export;

/// The master's track name in a written project.
const MASTER_NAME: &str = "Master";

/// Why a DAWproject could not be written or read.
#[derive(Debug, Error)]
pub enum DawError {
    /// A file could not be read or written.
    #[error("{path}: {source}. Check the path and that you may write there.", path = .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a DAWproject this build can read.
    #[error("{path} is not a DAWproject Mixdesk can read: {why}. Export it again as DAWproject (.dawproject) from the other DAW.", path = .path.display())]
    NotDawProject {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
}
