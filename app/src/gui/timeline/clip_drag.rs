//! Dragging clips as typed edits: the clips as they were when the drag began
//! ([`DragBase`], kept by the timeline for the drag, the clips only), and
//! each move computed from them on copies of the few tracks it touches, then
//! sent as `Edit::Clip` for every clip of those tracks (an unchanged clip's
//! edit changes nothing). Recomputing from the start of the drag means
//! rounding never accumulates.

use std::collections::BTreeSet;

use mixdesk_engine::edit::{ClipAt, Edit};
use mixdesk_engine::session::{Clip, ClipId, Fade, FadeShape, Session, TrackId};
use mixdesk_engine::units::SampleTime;

/// The clips of every track as a drag began, and the tracks it has touched.
#[derive(Debug, Clone)]
pub struct DragBase {
    /// The gesture this base belongs to.
    pub key: String,
    tracks: Vec<(TrackId, Vec<Clip>)>,
    touched: BTreeSet<usize>,
}

/// Copies of some tracks' clip lists, changed by one move.
pub type Scratch = Vec<(TrackId, Vec<Clip>)>;

impl DragBase {
    /// The clips of `s` now, for the drag `key` (once per drag).
    pub fn take(s: &Session, key: &str) -> DragBase {
        DragBase {
            key: key.to_owned(),
            tracks: s.tracks.iter().map(|t| (t.id, t.clips.clone())).collect(),
            touched: BTreeSet::new(),
        }
    }

    /// Clip `id` as the drag began, and the index of its track.
    pub fn clip(&self, id: ClipId) -> Option<(usize, &Clip)> {
        self.tracks
            .iter()
            .enumerate()
            .find_map(|(i, (_, clips))| clips.iter().find(|c| c.id == id).map(|c| (i, c)))
    }

    /// Copies of the tracks at `indices` and of every track an earlier move
    /// of this drag touched (so what it changed there is put back), as they
    /// were when the drag began; `indices` are remembered as touched.
    pub fn scratch(&mut self, indices: impl IntoIterator<Item = usize>) -> Scratch {
        self.touched.extend(indices.into_iter().filter(|i| *i < self.tracks.len()));
        self.touched.iter().map(|&i| self.tracks[i].clone()).collect()
    }

    /// The track id at index `i`.
    pub fn track_id(&self, i: usize) -> Option<TrackId> {
        self.tracks.get(i).map(|t| t.0)
    }
}

/// The clip `id` in `scratch`, mutably.
pub fn clip_mut(scratch: &mut Scratch, id: ClipId) -> Option<&mut Clip> {
    scratch.iter_mut().flat_map(|(_, clips)| clips.iter_mut()).find(|c| c.id == id)
}

/// Moves each clip in `ids` from its list in `scratch` to the list of track `to(from)`.
pub fn move_to_tracks(scratch: &mut Scratch, ids: &[ClipId], to: impl Fn(TrackId) -> Option<TrackId>) {
    let mut taken = Vec::new();
    for (t, clips) in scratch.iter_mut() {
        let (go, stay): (Vec<Clip>, Vec<Clip>) = clips.drain(..).partition(|c| ids.contains(&c.id));
        *clips = stay;
        taken.extend(go.into_iter().map(|c| (to(*t), c)));
    }
    for (to, c) in taken {
        if let Some((_, clips)) = scratch.iter_mut().find(|(t, _)| Some(*t) == to) {
            clips.push(c);
        }
    }
}

/// Gives clips that overlap on a track crossfades: the earlier clip fades out
/// and the later fades in over the overlap (equal power), unless their fades
/// are already at least that long.
pub fn crossfade(scratch: &mut Scratch, touched: &[ClipId]) {
    for (_, clips) in scratch.iter_mut() {
        if !clips.iter().any(|c| touched.contains(&c.id)) {
            continue;
        }
        let mut order: Vec<usize> = (0..clips.len()).collect();
        order.sort_by_key(|&i| clips[i].start);
        for w in order.windows(2) {
            let (a, b) = (w[0], w[1]);
            let (a_end, b_start) = (clips[a].end().0, clips[b].start.0);
            if b_start >= a_end || !(touched.contains(&clips[a].id) || touched.contains(&clips[b].id)) {
                continue;
            }
            let overlap = (a_end - b_start).min(clips[b].length.0);
            for (i, fade_in) in [(a, false), (b, true)] {
                let c = &mut clips[i];
                let f = if fade_in { &mut c.fade_in } else { &mut c.fade_out };
                if f.length.0 < overlap {
                    *f = Fade { length: SampleTime(overlap), shape: FadeShape::EqualPower };
                }
            }
        }
    }
}

/// Every clip of `scratch` put where the scratch has it.
pub fn edits(scratch: Scratch) -> Vec<Edit> {
    scratch
        .into_iter()
        .flat_map(|(track, clips)| {
            clips
                .into_iter()
                .enumerate()
                .map(move |(index, clip)| Edit::Clip(clip.id, Some(ClipAt { track, index, clip })))
        })
        .collect()
}
