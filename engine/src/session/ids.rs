//! Stable ids for every object in a session. All kinds share one number space
//! (see [`super::Session::next_id`]) but are distinct types so they cannot be mixed up.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// Identifies a track.
    TrackId
);
id_type!(
    /// Identifies a bus.
    BusId
);
id_type!(
    /// Identifies a clip.
    ClipId
);
id_type!(
    /// Identifies a send.
    SendId
);
id_type!(
    /// Identifies an insert processor.
    ProcessorId
);
id_type!(
    /// Identifies a marker.
    MarkerId
);
id_type!(
    /// Identifies a review note.
    NoteId
);
id_type!(
    /// Identifies a group of strips.
    GroupId
);
id_type!(
    /// Identifies a folder of tracks.
    FolderId
);
