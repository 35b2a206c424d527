//! Folders: tracks gathered under a folder that collapses them in the
//! timeline and the mixer. A folder can also be a summing folder: then it
//! names the bus its members play into (their outputs are ordinary routing,
//! set when the folder was made), and the window shows that bus as the
//! folder's strip. A folder has no audio of its own and is never compiled.

use serde::{Deserialize, Serialize};

use super::validate::ValidationError;
use super::{BusId, Colour, FolderId, Session, TrackId};

/// Tracks shown together, collapsible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Folder {
    /// Stable id.
    pub id: FolderId,
    /// Display name.
    pub name: String,
    /// Colour of its header.
    #[serde(default)]
    pub colour: Colour,
    /// Its tracks, in the order they were added (a track is in one folder at most).
    pub tracks: Vec<TrackId>,
    /// Collapsed: the window shows the folder's header, not its tracks.
    #[serde(default)]
    pub collapsed: bool,
    /// A summing folder: the bus its tracks play into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bus: Option<BusId>,
}

impl Session {
    /// The folder with this id.
    pub fn folder(&self, id: FolderId) -> Option<&Folder> {
        self.folders.iter().find(|f| f.id == id)
    }

    /// The folder track `t` is in, if any.
    pub fn folder_of(&self, t: TrackId) -> Option<&Folder> {
        self.folders.iter().find(|f| f.tracks.contains(&t))
    }

    /// Whether the window hides track `t` (its folder is collapsed).
    pub fn folded(&self, t: TrackId) -> bool {
        self.folder_of(t).is_some_and(|f| f.collapsed)
    }
}

/// Checks that every folder names tracks that exist, each in one folder at
/// most, and that a summing folder's bus exists and carries audio.
pub(crate) fn check(s: &Session) -> Result<(), ValidationError> {
    let bad = |what: String| Err(ValidationError::Impossible { what });
    let mut seen = std::collections::HashSet::new();
    for f in &s.folders {
        for t in &f.tracks {
            if s.track(*t).is_none() {
                return bad(format!("folder '{}' names track {t}, which is not in the session", f.name));
            }
            if !seen.insert(*t) {
                return bad(format!("track {t} is in two folders; a track can be in one folder at most"));
            }
        }
        if let Some(b) = f.bus
            && s.bus(b).is_none_or(|x| x.is_vca())
        {
            return bad(format!(
                "folder '{}' sums into bus {b}, which is not an audio bus of the session",
                f.name
            ));
        }
    }
    Ok(())
}
