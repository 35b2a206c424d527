//! Snapshots of a session that share unchanged parts with the snapshot before
//! them, so a fader move costs one track's copy, not the whole session's.
//!
//! A snapshot is cut at tracks, buses and automation lanes (the parts that
//! grow with a session); everything else (master, markers, settings) is the
//! small "head". Each part is reference-counted and remembers its size.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::session::{Bus, BusId, Lane, ParamId, Session, Strip, Track, TrackId};

/// One shared piece of a snapshot and its approximate size in bytes.
#[derive(Debug)]
struct Part<T> {
    value: T,
    bytes: usize,
}

type Shared<T> = Arc<Part<T>>;

fn part<T>(value: T, bytes: usize) -> Shared<T> {
    Arc::new(Part { value, bytes })
}

/// A whole session, stored in shared parts.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    head: Shared<Session>,
    tracks: Vec<Shared<Track>>,
    buses: Vec<Shared<Bus>>,
    lanes: Vec<Shared<Lane>>,
}

impl Snapshot {
    /// Takes `s`, reusing every part of `like` that is unchanged.
    pub(crate) fn take(s: &Session, like: Option<&Snapshot>) -> Snapshot {
        let head = head_of(s);
        let head = match like {
            Some(l) if l.head.value == head => Arc::clone(&l.head),
            _ => {
                let bytes = size::head(&head);
                part(head, bytes)
            }
        };
        let old_tracks: HashMap<TrackId, &Shared<Track>> =
            like.map(|l| l.tracks.iter().map(|t| (t.value.id, t)).collect()).unwrap_or_default();
        let old_buses: HashMap<BusId, &Shared<Bus>> =
            like.map(|l| l.buses.iter().map(|b| (b.value.id, b)).collect()).unwrap_or_default();
        let old_lanes: HashMap<ParamId, &Shared<Lane>> =
            like.map(|l| l.lanes.iter().map(|x| (x.value.param, x)).collect()).unwrap_or_default();
        Snapshot {
            head,
            tracks: s.tracks.iter().map(|t| reuse(old_tracks.get(&t.id), t, size::track)).collect(),
            buses: s.buses.iter().map(|b| reuse(old_buses.get(&b.id), b, size::bus)).collect(),
            lanes: s.automation.iter().map(|l| reuse(old_lanes.get(&l.param), l, size::lane)).collect(),
        }
    }

    /// The session this snapshot holds.
    pub(crate) fn restore(&self) -> Session {
        Session {
            tracks: self.tracks.iter().map(|t| t.value.clone()).collect(),
            buses: self.buses.iter().map(|b| b.value.clone()).collect(),
            automation: self.lanes.iter().map(|l| l.value.clone()).collect(),
            ..self.head.value.clone()
        }
    }

    /// Makes `live`, which `now` holds, the session this snapshot holds,
    /// copying only the parts that differ from `now` (an undo of a fader
    /// move copies one track, not every lane of the session).
    pub(crate) fn restore_into(&self, now: &Snapshot, live: &mut Session) {
        fn patch<T: Clone>(want: &[Shared<T>], now: &[Shared<T>], live: &mut Vec<T>) {
            if want.len() == now.len() && live.len() == now.len() {
                for (i, (w, n)) in want.iter().zip(now).enumerate() {
                    if !Arc::ptr_eq(w, n) {
                        live[i] = w.value.clone();
                    }
                }
            } else {
                *live = want.iter().map(|p| p.value.clone()).collect();
            }
        }
        if !Arc::ptr_eq(&self.head, &now.head) {
            let tracks = std::mem::take(&mut live.tracks);
            let buses = std::mem::take(&mut live.buses);
            let automation = std::mem::take(&mut live.automation);
            *live = Session { tracks, buses, automation, ..self.head.value.clone() };
        }
        patch(&self.tracks, &now.tracks, &mut live.tracks);
        patch(&self.buses, &now.buses, &mut live.buses);
        patch(&self.lanes, &now.lanes, &mut live.automation);
    }

    /// Both snapshots as sessions to compare (`diff`), leaving out of both
    /// the automation lanes they share: lanes are the big part of a session
    /// (thousands of points each), and one no step touched reads the same
    /// on both sides. Everything else is kept whole, so the words name
    /// tracks and buses as before.
    pub(crate) fn pair_for_diff(a: &Snapshot, b: &Snapshot) -> (Session, Session) {
        let shared: HashSet<usize> = a
            .lanes
            .iter()
            .filter(|x| b.lanes.iter().any(|y| Arc::ptr_eq(x, y)))
            .map(|x| Arc::as_ptr(x) as usize)
            .collect();
        let session = |s: &Snapshot| Session {
            tracks: s.tracks.iter().map(|t| t.value.clone()).collect(),
            buses: s.buses.iter().map(|b| b.value.clone()).collect(),
            automation: s
                .lanes
                .iter()
                .filter(|l| !shared.contains(&(Arc::as_ptr(l) as usize)))
                .map(|l| l.value.clone())
                .collect(),
            ..s.head.value.clone()
        };
        (session(a), session(b))
    }

    /// Whether this snapshot holds exactly `s`.
    pub(crate) fn holds(&self, s: &Session) -> bool {
        self.head.value == head_of(s)
            && self.tracks.len() == s.tracks.len()
            && self.tracks.iter().zip(&s.tracks).all(|(p, t)| p.value == *t)
            && self.buses.len() == s.buses.len()
            && self.buses.iter().zip(&s.buses).all(|(p, b)| p.value == *b)
            && self.lanes.len() == s.automation.len()
            && self.lanes.iter().zip(&s.automation).all(|(p, l)| p.value == *l)
    }

    /// Every part as (address, size).
    fn parts(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        fn id<T>(p: &Shared<T>) -> (usize, usize) {
            (Arc::as_ptr(p) as usize, p.bytes)
        }
        std::iter::once(id(&self.head))
            .chain(self.tracks.iter().map(id))
            .chain(self.buses.iter().map(id))
            .chain(self.lanes.iter().map(id))
    }

    /// The size of all parts.
    pub(crate) fn bytes(&self) -> usize {
        self.parts().map(|(_, n)| n).sum()
    }

    /// The size of the parts this snapshot does not share with `other`: what
    /// keeping it costs when `other` is kept anyway.
    pub(crate) fn bytes_not_in(&self, other: &Snapshot) -> usize {
        let shared: HashSet<usize> = other.parts().map(|(p, _)| p).collect();
        self.parts().filter(|(p, _)| !shared.contains(p)).map(|(_, n)| n).sum()
    }

    /// Whether both hold the same session (shared parts compare by address).
    pub(crate) fn same_as(&self, other: &Snapshot) -> bool {
        fn eq<T: PartialEq>(a: &[Shared<T>], b: &[Shared<T>]) -> bool {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| Arc::ptr_eq(x, y) || x.value == y.value)
        }
        (Arc::ptr_eq(&self.head, &other.head) || self.head.value == other.head.value)
            && eq(&self.tracks, &other.tracks)
            && eq(&self.buses, &other.buses)
            && eq(&self.lanes, &other.lanes)
    }
}

/// The session without its tracks, buses and lanes. Destructured field by
/// field so that a new field in `Session` cannot be forgotten here.
fn head_of(s: &Session) -> Session {
    let Session {
        version,
        sample_rate,
        pan_law,
        tempo,
        tracks: _,
        buses: _,
        master,
        markers,
        loop_range,
        automation: _,
        delivery,
        notes,
        groups,
        folders,
        monitor,
    } = s;
    Session {
        version: *version,
        sample_rate: *sample_rate,
        pan_law: *pan_law,
        tempo: *tempo,
        tracks: Vec::new(),
        buses: Vec::new(),
        master: master.clone(),
        markers: markers.clone(),
        loop_range: *loop_range,
        automation: Vec::new(),
        delivery: delivery.clone(),
        notes: notes.clone(),
        groups: groups.clone(),
        folders: folders.clone(),
        monitor: monitor.clone(),
    }
}

fn reuse<T: Clone + PartialEq>(old: Option<&&Shared<T>>, new: &T, bytes: fn(&T) -> usize) -> Shared<T> {
    match old {
        Some(p) if p.value == *new => Arc::clone(p),
        _ => part(new.clone(), bytes(new)),
    }
}

/// Approximate heap and inline sizes of session parts: what a snapshot costs.
mod size {
    use std::mem::size_of;

    use super::*;
    use crate::session::{Clip, Processor};

    /// Per-allocation and per-map-entry overhead, roughly what an allocator and
    /// a B-tree node add.
    const OVERHEAD: usize = 16;

    fn text(s: &str) -> usize {
        s.len() + OVERHEAD
    }

    fn strip(s: &Strip) -> usize {
        let proc = |p: &Processor| {
            size_of::<Processor>()
                + text(&p.kind)
                + p.params.keys().map(|k| text(k) + size_of::<f64>() + OVERHEAD).sum::<usize>()
        };
        s.processors.iter().map(proc).sum::<usize>() + s.sends.len() * size_of::<crate::session::Send>()
    }

    pub(super) fn head(s: &Session) -> usize {
        size_of::<Session>()
            + strip(&s.master)
            + s.markers.iter().map(|m| size_of::<crate::session::Marker>() + text(&m.name)).sum::<usize>()
            + s.notes.iter().map(note).sum::<usize>()
    }

    fn note(n: &crate::session::Note) -> usize {
        let reply =
            |r: &crate::session::Reply| size_of::<crate::session::Reply>() + text(&r.author) + text(&r.text);
        size_of::<crate::session::Note>()
            + text(&n.author)
            + text(&n.text)
            + n.replies.iter().map(reply).sum::<usize>()
    }

    pub(super) fn track(t: &Track) -> usize {
        let clip = |c: &Clip| size_of::<Clip>() + c.media.as_os_str().len() + OVERHEAD;
        size_of::<Track>()
            + text(&t.name)
            + text(&t.comment)
            + strip(&t.strip)
            + t.clips.iter().map(clip).sum::<usize>()
    }

    pub(super) fn bus(b: &Bus) -> usize {
        size_of::<Bus>() + text(&b.name) + text(&b.comment) + strip(&b.strip)
    }

    pub(super) fn lane(l: &Lane) -> usize {
        size_of::<Lane>() + l.points.len() * size_of::<crate::session::Point>() + OVERHEAD
    }
}
