//! Format versions and migrations.
//!
//! Every format version Mixdesk ever wrote is listed here with the migration
//! that lifts it to the next one, and has a fixture under `tests/fixtures/`
//! that a test loads.
//!
//! - Version 1: the first released format.
//! - Version 2: clips may carry a content `fingerprint` (size and hash of the
//!   media file) so a relink can find renamed files. Every version 1 file is a
//!   valid version 2 file, so the migration only raises the number; the bump
//!   exists so that a version 1 build refuses a file with fingerprints by its
//!   version ("open it with a newer Mixdesk") instead of by an unknown field.
//! - Version 3: the session may carry review `notes` (see `notes.rs`). Every
//!   version 2 file is a valid version 3 file; the bump is for the same reason.
//! - Version 4: the session may carry `groups` of strips (see `groups.rs`)
//!   and the `monitor` section's settings and reference tracks.
//!   Every version 3 file is a valid version 4 file; the bump is for the same
//!   reason.
//! - Version 5: a bus may be a VCA (`vca: Some(Vca(members: [...]))`, see
//!   `vca.rs`), and tracks may be in `folders` (see `folders.rs`). Every version 4 file is a valid version 5 file; the bump is
//!   for the same reason (a version 4 build would play a VCA as a silent bus).
//! - Version 6: a processor's sidechain key may be taken post-fader
//!   (`sidechain_post_fader: true`). Every version 5 file is a valid version
//!   6 file; the bump is for the same reason (a version 5 build would refuse
//!   the field by name).

use serde::Deserialize;

/// The format version this build writes.
pub const CURRENT_VERSION: u32 = 6;

/// The oldest format version this build reads.
pub const OLDEST_VERSION: u32 = 1;

/// Only the `version` field, read before anything else so a newer file is
/// refused with its number rather than with a confusing field error. (Named
/// `Session` for parse errors: "expected opening `(` for struct `Session`".)
#[derive(Deserialize)]
#[serde(rename = "Session")]
pub(super) struct VersionProbe {
    pub version: u32,
}

/// Lifts the RON text of a file at `version` to [`CURRENT_VERSION`].
///
/// Returns the text unchanged for the current version.
pub(super) fn migrate(text: String, version: u32) -> Result<String, String> {
    match version {
        v if v == CURRENT_VERSION => Ok(text),
        // v1 -> ... -> v6 only add optional fields: the text is valid as it is.
        1..=5 => Ok(text),
        v => Err(format!(
            "format version {v} is not one this build can read \
             (it reads {OLDEST_VERSION} to {CURRENT_VERSION})"
        )),
    }
}
