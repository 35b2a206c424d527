//! Format versions and migrations.
//!
//! Every format version Mixdesk ever wrote is listed here with the migration
//! that lifts it to the next one, and has a fixture under `tests/fixtures/`
//! that a test loads. Version 1 is the first released format, so there are no
//! migrations yet; the next format change adds `fn v1_to_v2(ron::Value)` here.

use serde::Deserialize;

/// The format version this build writes.
pub const CURRENT_VERSION: u32 = 1;

/// The oldest format version this build reads.
pub const OLDEST_VERSION: u32 = 1;

/// Only the `version` field, read before anything else so a newer file is
/// refused with its number rather than with a confusing field error.
#[derive(Deserialize)]
pub(super) struct VersionProbe {
    pub version: u32,
}

/// Lifts the RON text of a file at `version` to [`CURRENT_VERSION`].
///
/// Returns the text unchanged for the current version.
pub(super) fn migrate(text: String, version: u32) -> Result<String, String> {
    match version {
        v if v == CURRENT_VERSION => Ok(text),
        v => Err(format!(
            "format version {v} is not one this build can read \
             (it reads {OLDEST_VERSION} to {CURRENT_VERSION})"
        )),
    }
}
