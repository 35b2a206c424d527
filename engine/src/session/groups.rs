//! Groups of strips: tracks and buses whose faders, mutes and solos move
//! together, and which select together.
//!
//! A group is only a link in the editing: it has no audio of its own. When a
//! member's control moves, the window moves the other members' controls by
//! the same amount (faders relative, in dB; switches to the same state), as
//! one undo step of ordinary parameter edits. So what is heard, bounced and
//! saved is always the members' own values, and a suspended or deleted group
//! leaves every member exactly where it was.

use serde::{Deserialize, Serialize};

use super::validate::ValidationError;
use super::{Colour, GroupId, Session, StripRef};

/// A named set of tracks and buses that edit together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Stable id.
    pub id: GroupId,
    /// Display name.
    pub name: String,
    /// Colour of its badge on the strips.
    #[serde(default)]
    pub colour: Colour,
    /// Its members, in the order they were added. A strip is in one group at most.
    pub members: Vec<StripRef>,
    /// What moves together.
    #[serde(default)]
    pub shares: Shares,
    /// Suspended: the members keep their membership but edit alone.
    #[serde(default)]
    pub suspended: bool,
}

/// Which controls a group links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shares {
    /// Faders move by the same number of dB.
    pub gain: bool,
    /// Mute switches together.
    pub mute: bool,
    /// Solo switches together.
    pub solo: bool,
    /// Clicking one member selects them all.
    pub selection: bool,
    /// Arming a member's strip lane for recording (its automation mode:
    /// Touch, Latch, Write, Trim, or back to Read/Off) arms the same lane of
    /// every member. New groups link it; a file written before it that lists
    /// what its group links leaves it off.
    #[serde(default)]
    pub automation: bool,
}

impl Default for Shares {
    fn default() -> Shares {
        Shares { gain: true, mute: true, solo: true, selection: true, automation: true }
    }
}

/// A control a group can link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linked {
    /// The fader.
    Gain,
    /// The mute switch.
    Mute,
    /// The solo switch.
    Solo,
    /// Selection in the mixer.
    Selection,
    /// The automation mode of a strip lane.
    Automation,
}

impl Shares {
    /// Whether this group links `what`.
    pub fn links(&self, what: Linked) -> bool {
        match what {
            Linked::Gain => self.gain,
            Linked::Mute => self.mute,
            Linked::Solo => self.solo,
            Linked::Selection => self.selection,
            Linked::Automation => self.automation,
        }
    }
}

impl Session {
    /// The group with this id.
    pub fn group(&self, id: GroupId) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// The group `r` belongs to, if any.
    pub fn group_of(&self, r: StripRef) -> Option<&Group> {
        self.groups.iter().find(|g| g.members.contains(&r))
    }

    /// The strips that move with `r` for `what`: `r` first, then the other
    /// members of its group when the group is active and links `what`.
    pub fn linked(&self, r: StripRef, what: Linked) -> Vec<StripRef> {
        let mut out = vec![r];
        if let Some(g) = self.group_of(r).filter(|g| !g.suspended && g.shares.links(what)) {
            out.extend(g.members.iter().copied().filter(|m| *m != r));
        }
        out
    }
}

/// Checks that every group names strips that exist, the master in none,
/// and each strip in one group at most.
pub(crate) fn check(s: &Session) -> Result<(), ValidationError> {
    let mut seen = std::collections::HashSet::new();
    for g in &s.groups {
        for m in &g.members {
            let exists = match m {
                StripRef::Track(id) => s.track(*id).is_some(),
                StripRef::Bus(id) => s.bus(*id).is_some(),
                StripRef::Master => false,
            };
            if !exists {
                return Err(ValidationError::Impossible {
                    what: format!("group '{}' names {m}, which is not a track or bus of the session", g.name),
                });
            }
            if !seen.insert(*m) {
                return Err(ValidationError::Impossible {
                    what: format!("{m} is in two groups; a strip can be in one group at most"),
                });
            }
        }
    }
    Ok(())
}
