//! The render graph: clip players -> track strips -> buses -> master.
//!
//! [`compile`] turns a [`Session`](crate::session::Session) plus its media into
//! a [`Graph`] off the audio thread; [`Graph::process`] renders one block. The
//! live audio callback and the offline bounce both call `process`, so what you
//! hear is what you bounce; only the [`Parallelism`] they pass differs.
//!
//! Strip order: clips (gain, fades) -> trim and polarity -> pre-fader sends ->
//! fader and mute -> pan/balance and width -> post-fader sends -> output.
//! Explicit mute silences the strip's output and post-fader sends but not its
//! pre-fader sends (cue mixes keep playing); the implicit mute of
//! solo-in-place silences everything the strip sends.

mod clip;
mod compile;
pub mod fade;
pub mod pan;
mod parallel;

pub use compile::{GraphError, compile};
pub use parallel::{Parallelism, Rayon, Serial};

use crate::session::{BusId, TrackId};
use clip::ClipPlayer;

/// A 2x2 gain matrix in f32 (see [`pan::Matrix`]).
type Matrix32 = [[f32; 2]; 2];

/// Where a strip's output is summed: 0 is the master, `1 + i` is the i-th bus in
/// processing order.
type Slot = usize;

#[derive(Debug)]
struct SendNode {
    slot: Slot,
    matrix: Matrix32,
}

#[derive(Debug)]
struct TrackNode {
    id: TrackId,
    clips: Vec<ClipPlayer>,
    channels: usize,
    input: [Vec<f32>; 2],
    out: [Vec<f32>; 2],
    scratch: Vec<f32>,
    main: Matrix32,
    dest: Slot,
    sends: Vec<SendNode>,
}

#[derive(Debug)]
struct BusNode {
    id: BusId,
    input: [Vec<f32>; 2],
    out: [Vec<f32>; 2],
    main: Matrix32,
    dest: Slot,
    sends: Vec<SendNode>,
}

/// A compiled session, ready to render blocks. Owns every buffer it needs, so
/// [`Graph::process`] never allocates.
#[derive(Debug)]
pub struct Graph {
    sample_rate: u32,
    max_block: usize,
    tracks: Vec<TrackNode>,
    buses: Vec<BusNode>,
    master: Matrix32,
    /// Summing inputs per channel: `sums[c][slot]`.
    sums: [Vec<Vec<f32>>; 2],
    non_finite_samples: u64,
}

impl Graph {
    /// The session rate this graph renders at.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// The largest block [`Graph::process`] accepts.
    pub fn max_block(&self) -> usize {
        self.max_block
    }

    /// Track ids in output order (the order of [`Graph::track_output`]).
    pub fn track_ids(&self) -> Vec<TrackId> {
        self.tracks.iter().map(|t| t.id).collect()
    }

    /// Bus ids in processing order (the order of [`Graph::bus_output`]).
    pub fn bus_ids(&self) -> Vec<BusId> {
        self.buses.iter().map(|b| b.id).collect()
    }

    /// How many NaN or infinite samples the master guard has replaced with silence.
    pub fn non_finite_samples(&self) -> u64 {
        self.non_finite_samples
    }

    /// The last block's post-fader stereo output of track `index`.
    pub fn track_output(&self, index: usize, frames: usize) -> [&[f32]; 2] {
        let t = &self.tracks[index];
        [&t.out[0][..frames], &t.out[1][..frames]]
    }

    /// The last block's post-fader stereo output of bus `index`.
    pub fn bus_output(&self, index: usize, frames: usize) -> [&[f32]; 2] {
        let b = &self.buses[index];
        [&b.out[0][..frames], &b.out[1][..frames]]
    }

    /// Renders the block starting at timeline sample `pos` into `left` and `right`
    /// (equal lengths, at most [`Graph::max_block`]). Realtime-safe with [`Serial`].
    pub fn process<P: Parallelism>(&mut self, pos: u64, left: &mut [f32], right: &mut [f32], par: &P) {
        let n = left.len();
        assert!(n == right.len() && n <= self.max_block, "block of {n} frames exceeds the graph's buffers");
        par.for_each_mut(&mut self.tracks, |t| t.render(pos, n));

        let tracks = &self.tracks;
        let [sums_l, sums_r] = &mut self.sums;
        par.join(|| sum_tracks(tracks, 0, n, sums_l), || sum_tracks(tracks, 1, n, sums_r));

        let Graph { buses, sums, .. } = self;
        for (i, bus) in buses.iter_mut().enumerate() {
            // Take the summed input by swapping buffers (both are max_block long);
            // the slot gets the old input back and is zeroed at the next block.
            for c in 0..2 {
                std::mem::swap(&mut bus.input[c], &mut sums[c][1 + i]);
            }
            let [il, ir] = &bus.input;
            let [ol, or] = &mut bus.out;
            apply_matrix(&bus.main, &il[..n], &ir[..n], &mut ol[..n], &mut or[..n]);
            for (c, sums_c) in sums.iter_mut().enumerate() {
                add_into(&mut sums_c[bus.dest][..n], &bus.out[c][..n]);
                for s in &bus.sends {
                    mix_row(&s.matrix[c], &il[..n], &ir[..n], &mut sums_c[s.slot][..n]);
                }
            }
        }
        let [ml, mr] = &self.sums;
        apply_matrix(&self.master, &ml[0][..n], &mr[0][..n], left, right);
        self.non_finite_samples += guard_non_finite(left) + guard_non_finite(right);
    }
}

impl TrackNode {
    /// Fills `input` from the clips and computes the post-fader `out`. Realtime-safe.
    fn render(&mut self, pos: u64, n: usize) {
        let [il, ir] = &mut self.input;
        let (il, ir) = (&mut il[..n], &mut ir[..n]);
        let end = pos + n as u64;
        let mut active = self.clips.iter().filter(|c| c.start < end && c.end > pos);
        let first = active.next();
        // The common case, one clip over the whole block, writes straight into the
        // input; anything else zeroes first and adds.
        let single_full = first.is_some_and(|c| c.start <= pos && c.end >= end) && active.next().is_none();
        if !single_full {
            il.fill(0.0);
            ir.fill(0.0);
        }
        for clip in self.clips.iter().filter(|c| c.start < end && c.end > pos) {
            if self.channels == 2 {
                clip.mix_into(pos, &mut [&mut *il, &mut *ir], &mut self.scratch, single_full);
            } else {
                clip.mix_into(pos, &mut [&mut *il], &mut self.scratch, single_full);
            }
        }
        let [ol, or] = &mut self.out;
        apply_matrix(&self.main, il, ir, &mut ol[..n], &mut or[..n]);
    }
}

/// Adds every track's output (and its sends) for channel `c` into `sums`, in track
/// order so the result does not depend on the parallelism. Realtime-safe.
fn sum_tracks(tracks: &[TrackNode], c: usize, n: usize, sums: &mut [Vec<f32>]) {
    for s in sums.iter_mut() {
        s[..n].fill(0.0);
    }
    for t in tracks {
        add_into(&mut sums[t.dest][..n], &t.out[c][..n]);
        for s in &t.sends {
            mix_row(&s.matrix[c], &t.input[0][..n], &t.input[1][..n], &mut sums[s.slot][..n]);
        }
    }
}

/// `out_l = m[0]·(l, r)`, `out_r = m[1]·(l, r)`. Realtime-safe.
fn apply_matrix(m: &Matrix32, l: &[f32], r: &[f32], out_l: &mut [f32], out_r: &mut [f32]) {
    let [[a, b], [c, d]] = *m;
    if b == 0.0 && c == 0.0 {
        for (o, x) in out_l.iter_mut().zip(l) {
            *o = a * x;
        }
        for (o, x) in out_r.iter_mut().zip(r) {
            *o = d * x;
        }
    } else {
        for (((ol, or), x), y) in out_l.iter_mut().zip(out_r.iter_mut()).zip(l).zip(r) {
            *ol = a * x + b * y;
            *or = c * x + d * y;
        }
    }
}

/// `dst += row·(l, r)`. Realtime-safe.
fn mix_row(row: &[f32; 2], l: &[f32], r: &[f32], dst: &mut [f32]) {
    let [a, b] = *row;
    if b == 0.0 {
        for (o, x) in dst.iter_mut().zip(l) {
            *o += a * x;
        }
    } else {
        for ((o, x), y) in dst.iter_mut().zip(l).zip(r) {
            *o += a * x + b * y;
        }
    }
}

/// `dst += src`. Realtime-safe.
fn add_into(dst: &mut [f32], src: &[f32]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d += s;
    }
}

/// Replaces NaN and infinite samples with silence; returns how many there were. Realtime-safe.
fn guard_non_finite(buf: &mut [f32]) -> u64 {
    let mut bad = 0;
    for x in buf.iter_mut() {
        if !x.is_finite() {
            *x = 0.0;
            bad += 1;
        }
    }
    bad
}
