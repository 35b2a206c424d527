//! Putting things with an identity where they belong, or removing them, and
//! saying where they were: the structural half of [`Edit::apply`](super::Edit::apply).
//!
//! Each function returns `None` when nothing changed (already there as given,
//! or the place does not exist: a clip put on a track that is gone), else
//! `Some(before)`: where the thing was and what it was (`None` inside if it
//! did not exist), which is the edit that undoes it.

use crate::session::{
    Bus, BusId, Clip, ClipId, Folder, FolderId, Group, GroupId, Lane, Marker, MarkerId, Output, ParamId,
    Processor, ProcessorId, Send, SendId, Session, StripRef, Track, TrackId,
};

/// A clip on a track, at an index of the track's clip list.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipAt {
    /// The track.
    pub track: TrackId,
    /// Where in its clip list (clamped to the list's end).
    pub index: usize,
    /// The clip (its id is the edit's).
    pub clip: Clip,
}

/// An insert on a strip, at an index of its chain.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessorAt {
    /// The strip.
    pub strip: StripRef,
    /// Where in the chain (clamped to its end).
    pub index: usize,
    /// The processor (its id is the edit's).
    pub processor: Processor,
}

/// A send on a strip, at an index of its sends.
#[derive(Debug, Clone, PartialEq)]
pub struct SendAt {
    /// The strip.
    pub strip: StripRef,
    /// Where in its sends (clamped to their end).
    pub index: usize,
    /// The send (its id is the edit's).
    pub send: Send,
}

/// A bus at an index of the session's buses.
#[derive(Debug, Clone, PartialEq)]
pub struct BusAt {
    /// Where (clamped to the end).
    pub index: usize,
    /// The bus (its id is the edit's).
    pub bus: Bus,
}

/// A track at an index of the session's tracks.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackAt {
    /// Where (clamped to the end).
    pub index: usize,
    /// The track (its id is the edit's).
    pub track: Track,
}

/// Moves an item out of `from` (its list and index) and into `to` (its list
/// and index, clamped), the lists chosen by the caller. Returns nothing; the
/// callers have already worked out what was there.
fn replace<T>(take: Option<(&mut Vec<T>, usize)>, put: Option<(&mut Vec<T>, usize, T)>) {
    if let Some((list, i)) = take {
        list.remove(i);
    }
    if let Some((list, i, item)) = put {
        let i = i.min(list.len());
        list.insert(i, item);
    }
}

pub(super) fn clip(s: &mut Session, id: ClipId, to: Option<&ClipAt>) -> Option<Option<ClipAt>> {
    let before = s.tracks.iter().find_map(|t| {
        let index = t.clips.iter().position(|c| c.id == id)?;
        Some(ClipAt { track: t.id, index, clip: t.clips[index].clone() })
    });
    let to = match to {
        Some(t) => {
            let list = &s.tracks.iter().find(|x| x.id == t.track)?.clips;
            let len = list.len() - usize::from(before.as_ref().is_some_and(|b| b.track == t.track));
            Some(ClipAt { track: t.track, index: t.index.min(len), clip: Clip { id, ..t.clip.clone() } })
        }
        None => None,
    };
    if before == to {
        return None;
    }
    if let Some(b) = &before {
        replace(Some((&mut s.tracks.iter_mut().find(|t| t.id == b.track)?.clips, b.index)), None);
    }
    if let Some(t) = to {
        replace(None, Some((&mut s.tracks.iter_mut().find(|x| x.id == t.track)?.clips, t.index, t.clip)));
    }
    Some(before)
}

pub(super) fn lane(s: &mut Session, param: ParamId, to: Option<&Lane>) -> Option<Option<Lane>> {
    let at = s.automation.iter().position(|l| l.param == param);
    let before = at.map(|i| s.automation[i].clone());
    if before.as_ref() == to {
        return None;
    }
    let put = to.map(|l| Lane { param, ..l.clone() });
    match (at, put) {
        (Some(i), Some(l)) => s.automation[i] = l,
        (Some(i), None) => {
            s.automation.remove(i);
        }
        (None, Some(l)) => s.automation.push(l),
        (None, None) => {}
    }
    Some(before)
}

pub(super) fn marker(s: &mut Session, id: MarkerId, to: Option<&Marker>) -> Option<Option<Marker>> {
    by_id(&mut s.markers, |m| m.id.0, id.0, to.map(|m| Marker { id, ..m.clone() }))
}

pub(super) fn group(s: &mut Session, id: GroupId, to: Option<&Group>) -> Option<Option<Group>> {
    by_id(&mut s.groups, |g| g.id.0, id.0, to.map(|g| Group { id, ..g.clone() }))
}

pub(super) fn folder(s: &mut Session, id: FolderId, to: Option<&Folder>) -> Option<Option<Folder>> {
    by_id(&mut s.folders, |f| f.id.0, id.0, to.map(|f| Folder { id, ..f.clone() }))
}

/// Puts `to` in place of the item of `list` with id `id` (or removes it):
/// a new item goes where its id sorts among the others, so removing one and
/// putting it back restores the list. Returns what was there, or `None` if
/// nothing changed.
fn by_id<T: Clone + PartialEq>(
    list: &mut Vec<T>,
    id_of: fn(&T) -> u32,
    id: u32,
    to: Option<T>,
) -> Option<Option<T>> {
    let at = list.iter().position(|x| id_of(x) == id);
    let before = at.map(|i| list[i].clone());
    if before == to {
        return None;
    }
    match (at, to) {
        (Some(i), Some(x)) => list[i] = x,
        (Some(i), None) => {
            list.remove(i);
        }
        (None, Some(x)) => {
            let i = list.iter().position(|y| id_of(y) > id).unwrap_or(list.len());
            list.insert(i, x);
        }
        (None, None) => {}
    }
    Some(before)
}

pub(super) fn processor(
    s: &mut Session,
    id: ProcessorId,
    to: Option<&ProcessorAt>,
) -> Option<Option<ProcessorAt>> {
    let before = s.find_processor(id).and_then(|(strip, index)| {
        Some(ProcessorAt { strip, index, processor: s.strip(strip)?.processors[index].clone() })
    });
    let to = match to {
        Some(t) => {
            let len = s.strip(t.strip)?.processors.len()
                - usize::from(before.as_ref().is_some_and(|b| b.strip == t.strip));
            let processor = Processor { id, ..t.processor.clone() };
            Some(ProcessorAt { strip: t.strip, index: t.index.min(len), processor })
        }
        None => None,
    };
    if before == to {
        return None;
    }
    if let Some(b) = &before {
        replace(Some((&mut s.strip_mut(b.strip)?.processors, b.index)), None);
    }
    if let Some(t) = to {
        replace(None, Some((&mut s.strip_mut(t.strip)?.processors, t.index, t.processor)));
    }
    Some(before)
}

pub(super) fn send(s: &mut Session, id: SendId, to: Option<&SendAt>) -> Option<Option<SendAt>> {
    let before = s.strips().find_map(|(strip, st)| {
        let index = st.sends.iter().position(|x| x.id == id)?;
        Some(SendAt { strip, index, send: st.sends[index].clone() })
    });
    let to = match to {
        Some(t) => {
            let len = s.strip(t.strip)?.sends.len()
                - usize::from(before.as_ref().is_some_and(|b| b.strip == t.strip));
            Some(SendAt { strip: t.strip, index: t.index.min(len), send: Send { id, ..t.send.clone() } })
        }
        None => None,
    };
    if before == to {
        return None;
    }
    if let Some(b) = &before {
        replace(Some((&mut s.strip_mut(b.strip)?.sends, b.index)), None);
    }
    if let Some(t) = to {
        replace(None, Some((&mut s.strip_mut(t.strip)?.sends, t.index, t.send)));
    }
    Some(before)
}

pub(super) fn output(s: &mut Session, r: StripRef, to: Output) -> Option<Output> {
    let field = match r {
        StripRef::Track(id) => &mut s.tracks.iter_mut().find(|t| t.id == id)?.output,
        StripRef::Bus(id) => &mut s.buses.iter_mut().find(|b| b.id == id)?.output,
        StripRef::Master => return None,
    };
    let before = std::mem::replace(field, to);
    (before != to).then_some(before)
}

pub(super) fn bus(s: &mut Session, id: BusId, to: Option<&BusAt>) -> Option<Option<BusAt>> {
    let before =
        s.buses.iter().position(|b| b.id == id).map(|index| BusAt { index, bus: s.buses[index].clone() });
    let len = s.buses.len() - usize::from(before.is_some());
    let to = to.map(|t| BusAt { index: t.index.min(len), bus: Bus { id, ..t.bus.clone() } });
    if before == to {
        return None;
    }
    replace(before.as_ref().map(|b| (&mut s.buses, b.index)), None);
    replace(None, to.map(|t| (&mut s.buses, t.index, t.bus)));
    Some(before)
}

pub(super) fn track(s: &mut Session, id: TrackId, to: Option<&TrackAt>) -> Option<Option<TrackAt>> {
    let before = s
        .tracks
        .iter()
        .position(|t| t.id == id)
        .map(|index| TrackAt { index, track: s.tracks[index].clone() });
    let len = s.tracks.len() - usize::from(before.is_some());
    let to = to.map(|t| TrackAt { index: t.index.min(len), track: Track { id, ..t.track.clone() } });
    if before == to {
        return None;
    }
    replace(before.as_ref().map(|b| (&mut s.tracks, b.index)), None);
    replace(None, to.map(|t| (&mut s.tracks, t.index, t.track)));
    Some(before)
}
