//! The render graph: clip players -> track strips -> buses -> master.
//!
//! [`compile`] turns a [`Session`](crate::session::Session) plus its media into
//! a [`Graph`] off the audio thread; [`Graph::process`] renders one block. The
//! live audio callback and the offline bounce both call `process`, so what you
//! hear is what you bounce; only the [`Parallelism`] they pass differs.
//!
//! Strip order: clips (gain, fades) -> trim and polarity -> inserts -> pre-fader
//! sends and sidechain keys -> fader and mute -> pan/balance and width ->
//! post-fader sends -> output. Strips run in the order `schedule` works out
//! (tracks in parallel stages, buses one by one), and latency from inserts is
//! compensated so every input of a bus or the master is sample-aligned and
//! every keyed insert hears its sidechain key at the time of its own input.
//! Every gain is live: [`Graph::set_param`], [`Graph::set_mute`] and
//! [`Graph::set_solo`] change it while playing, smoothed or declicked (see
//! `gains`), and [`Graph::inherit`] carries that state into a recompiled graph.
//! Explicit mute silences the strip's output and post-fader sends but not its
//! pre-fader sends (cue mixes keep playing); the implicit mute of
//! solo-in-place silences everything the strip sends.

mod automation;
mod chain;
mod clip;
mod compile;
mod delay;
pub mod fade;
mod gains;
mod latency;
mod meter;
pub mod pan;
mod parallel;
mod record;
mod schedule;
mod slots;
mod solo;
mod track;
mod vca;

pub use compile::{GraphError, compile};
pub use latency::LatencyChange;
pub use meter::Meter;
pub use parallel::{Parallelism, Rayon, Serial};
pub use record::Gesture;
pub(crate) use record::Record;

use crate::denormal::without_denormals;
use crate::dsp::delay_line::DelayLine;
use crate::dsp::group::GROUP;
use crate::session::{BusId, MeterOptions, ParamId, ProcessorId, StripRef, TrackId};
use chain::Chain;
use clip::ClipPlayer;
use delay::Delay;
use gains::StripGains;
use meter::StripMeter;
use schedule::Stage;
use solo::{SoloNode, SoloScratch, update_audibility};

/// A 2x2 gain matrix in f32 (see [`pan::Matrix`]).
type Matrix32 = [[f32; 2]; 2];

/// Where a strip's output is summed: 0 is the master, `1 + i` is the i-th bus in
/// processing order.
type Slot = usize;

/// What feeds the tracks during one block.
#[derive(Debug, Clone, Copy)]
pub enum Feed<'a> {
    /// The clips at timeline sample `pos`.
    Play(u64),
    /// The clips at `pos`, each sample multiplied by `gain` (the transport's declick).
    Fade(u64, &'a [f32]),
    /// No clip audio (the transport is stopped); strips and buses still run.
    Silent,
}

impl Feed<'_> {
    /// The timeline sample the block starts at, while the timeline moves
    /// (automation plays only then).
    pub fn position(&self) -> Option<u64> {
        match self {
            Feed::Play(p) | Feed::Fade(p, _) => Some(*p),
            Feed::Silent => None,
        }
    }
}

#[derive(Debug)]
struct TrackNode {
    id: TrackId,
    clips: Vec<ClipPlayer>,
    channels: usize,
    input: [Vec<f32>; 2],
    out: [Vec<f32>; 2],
    scratch: Vec<f32>,
    gains: StripGains,
    chain: Chain,
    /// Samples the clips are read early by, to cancel the inserts' latency
    /// (and to make the key early by `early`).
    read_ahead: u64,
    /// Between the key tap and the fader: the track's key is this early for
    /// the tracks it keys, and the rest of the strip is delayed back in line.
    early: Delay,
    /// The key before `early` (allocated only when there is an `early` delay).
    key: [Vec<f32>; 2],
    /// When the output arrives, in samples after the timeline (a track keyed
    /// by a late bus plays late; otherwise 0).
    latency: usize,
    /// Where the output is summed (a delayed virtual slot if compensation needs it).
    dest: Slot,
    /// The output's and every send's real slot (for solo-in-place).
    targets: Vec<Slot>,
    /// The key slots this strip fills for sidechains it keys: pre-fader, post-fader.
    key_out: [Option<Slot>; 2],
    /// The input slots of the buses that key its inserts (for solo-in-place).
    key_inputs: Vec<Slot>,
    meter: StripMeter,
    /// NaN/Inf samples replaced in the last block.
    bad: u64,
    /// Whether `out` holds this block's output (see [`Graph::set_track_outputs`]).
    out_written: bool,
}

#[derive(Debug)]
struct BusNode {
    id: BusId,
    input: [Vec<f32>; 2],
    out: [Vec<f32>; 2],
    gains: StripGains,
    chain: Chain,
    dest: Slot,
    targets: Vec<Slot>,
    /// As a track's.
    key_out: [Option<Slot>; 2],
    key_inputs: Vec<Slot>,
    meter: StripMeter,
    /// When this bus's output arrives, in samples after the timeline.
    latency: usize,
}

/// A delayed summing slot: what is summed into `from` reaches slot `to`
/// `delay` samples later (delay compensation).
#[derive(Debug)]
struct SlotDelay {
    from: Slot,
    to: Slot,
    delay: usize,
    lines: [DelayLine; 2],
}

impl SlotDelay {
    fn new(from: Slot, to: Slot, delay: usize) -> SlotDelay {
        SlotDelay { from, to, delay, lines: [DelayLine::new(delay), DelayLine::new(delay)] }
    }
}

/// A compiled session, ready to render blocks. Owns every buffer it needs, so
/// [`Graph::process`] never allocates.
#[derive(Debug)]
pub struct Graph {
    sample_rate: u32,
    max_block: usize,
    tracks: Vec<TrackNode>,
    buses: Vec<BusNode>,
    stages: Vec<Stage>,
    /// Delay-compensation slots, sorted by destination.
    delays: Vec<SlotDelay>,
    master: StripGains,
    master_chain: Chain,
    master_in: [Vec<f32>; 2],
    master_meter: StripMeter,
    /// Summing inputs per channel: `sums[c][slot]`.
    sums: [Vec<Vec<f32>>; 2],
    solo: SoloScratch,
    metering: bool,
    /// Whether tracks write their post-fader output (see [`Graph::set_track_outputs`]).
    track_outputs: bool,
    non_finite_samples: u64,
    /// The strip that last produced NaN/Inf, and how many samples, since last asked.
    bad_strip: Option<(StripRef, u64)>,
    /// Samples from the timeline to the master output (inserts on buses and the master).
    latency: usize,
    /// Where each live parameter's slot points (see [`crate::control`]).
    slots: Vec<slots::Slot>,
    /// The slots by parameter, and the plane the app writes values into.
    params: crate::control::ParamMap,
    /// The VCAs and the strips they control.
    vcas: Vec<vca::VcaNode>,
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

    /// Samples between the timeline and the master output: the latency of
    /// inserts on buses and the master (tracks read ahead and add none). The
    /// bounce trims this off the start of the mix.
    pub fn latency(&self) -> usize {
        self.latency
    }

    /// When bus `index`'s output arrives, in samples after the timeline.
    pub fn bus_latency(&self, index: usize) -> usize {
        self.buses[index].latency
    }

    /// When track `index`'s output arrives, in samples after the timeline: 0
    /// unless a sidechain key from a late bus makes it play late.
    pub fn track_latency(&self, index: usize) -> usize {
        self.tracks[index].latency
    }

    /// Every track's read-ahead (the latency of its inserts, which it reads
    /// its clips early by), by track id: where a streamer must look ahead.
    pub fn track_read_aheads(&self) -> Vec<(TrackId, u64)> {
        self.tracks.iter().map(|t| (t.id, t.read_ahead)).collect()
    }

    /// Whether every clip heard in the `len` frames from timeline sample
    /// `pos` can be read without playing silence for want of data (streamed
    /// media not loaded yet). Realtime-safe.
    pub fn media_ready(&self, pos: u64, len: u64) -> bool {
        self.tracks.iter().all(|t| {
            let (a, b) = (pos + t.read_ahead, pos + t.read_ahead + len);
            t.clips.iter().filter(|c| c.start < b && c.end > a).all(|c| {
                c.source.as_ref().is_none_or(|s| {
                    let from = a.max(c.start);
                    s.ready(c.source_offset + (from - c.start), b.min(c.end) - from)
                })
            })
        })
    }

    /// How many NaN or infinite samples the guards have replaced with silence.
    pub fn non_finite_samples(&self) -> u64 {
        self.non_finite_samples
    }

    /// The strip that produced NaN or infinite samples since the last call, and
    /// how many (found by the per-strip meters, so only while metering).
    pub fn take_non_finite(&mut self) -> Option<(StripRef, u64)> {
        self.bad_strip.take()
    }

    /// Measures every strip's output for [`Graph::take_meters`] (the live engine
    /// turns this on; the bounce leaves it off).
    pub fn set_metering(&mut self, on: bool) {
        self.metering = on;
    }

    /// Whether each track writes its post-fader output into a buffer of its
    /// own, for [`Graph::track_output`], [`Graph::strip_block`] and the meters
    /// (on by default). Off (a bounce without stems), tracks are summed
    /// straight from their inserts' output through their fader and pan, with
    /// the same operations, so the mix is bit-identical and one pass over
    /// memory is saved. Metering writes the outputs whatever this says.
    pub fn set_track_outputs(&mut self, on: bool) {
        self.track_outputs = on;
    }

    /// Hands every strip's meter to `f` and starts measuring afresh. Realtime-safe.
    pub fn take_meters(&mut self, mut f: impl FnMut(StripRef, Meter)) {
        for t in &mut self.tracks {
            f(StripRef::Track(t.id), t.meter.take());
        }
        for b in &mut self.buses {
            f(StripRef::Bus(b.id), b.meter.take());
        }
        f(StripRef::Master, self.master_meter.take());
    }

    /// Changes where a strip's meter measures and whether it reads true peak
    /// (the master always does). False if there is no such strip. Realtime-safe.
    pub fn set_meter(&mut self, r: StripRef, options: MeterOptions) -> bool {
        let m = match r {
            StripRef::Track(id) => self.tracks.iter_mut().find(|t| t.id == id).map(|t| &mut t.meter),
            StripRef::Bus(id) => self.buses.iter_mut().find(|b| b.id == id).map(|b| &mut b.meter),
            StripRef::Master => Some(&mut self.master_meter),
        };
        m.map(|m| m.set_options(options, r == StripRef::Master)).is_some()
    }

    /// The last block's post-fader output of a track or bus (`None` for the
    /// master, whose output is the block itself, and for unknown strips).
    pub fn strip_block(&self, r: StripRef, frames: usize) -> Option<[&[f32]; 2]> {
        let out = match r {
            StripRef::Track(id) => &self.tracks.iter().find(|t| t.id == id)?.out,
            StripRef::Bus(id) => &self.buses.iter().find(|b| b.id == id)?.out,
            StripRef::Master => return None,
        };
        Some([&out[0][..frames], &out[1][..frames]])
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

    /// Moves a strip, send or processor parameter towards `value`
    /// (smoothed); an empty lane in a writing mode stands for this value from
    /// now on. False if the graph has no such parameter. For offline callers:
    /// the live engine writes into the slot ([`Graph::param_map`]) instead.
    pub fn set_param(&mut self, id: ParamId, value: f64) -> bool {
        self.params.slot(id).is_some_and(|s| self.set_slot(s, value))
    }

    /// Lets automation modes other than Read apply (the live engine: gestures
    /// write, Write overwrites) or not (the bounce, the default). Realtime-safe.
    pub(crate) fn set_live(&mut self, on: bool) {
        self.controls_mut().for_each(|c| c.set_live(on));
    }

    /// The transport stopped: every writing control ends its pass. Realtime-safe.
    pub(crate) fn end_pass(&mut self) {
        self.controls_mut().for_each(record::Control::end_pass);
    }

    /// Hands every recorded sample to `f`; returns how many were lost to full
    /// buffers. Realtime-safe.
    pub(crate) fn drain_records(&mut self, mut f: impl FnMut(Record)) -> u64 {
        self.controls_mut().map(|c| c.drain(&mut f)).sum()
    }

    /// Every automated parameter's control. Realtime-safe.
    fn controls_mut(&mut self) -> impl Iterator<Item = &mut record::Control> {
        let tracks = self.tracks.iter_mut().flat_map(|t| {
            let TrackNode { gains, chain, .. } = t;
            gains.auto.controls_mut().chain(chain.controls_mut())
        });
        let buses = self.buses.iter_mut().flat_map(|b| {
            let BusNode { gains, chain, .. } = b;
            gains.auto.controls_mut().chain(chain.controls_mut())
        });
        let vcas = self.vcas.iter_mut().flat_map(|v| v.auto.iter_mut().flatten());
        tracks
            .chain(buses)
            .chain(self.master.auto.controls_mut())
            .chain(self.master_chain.controls_mut())
            .chain(vcas)
    }

    /// Bypasses or restores an insert (declicked). False if there is no such
    /// processor. Realtime-safe.
    pub fn set_bypass(&mut self, id: ProcessorId, bypassed: bool) -> bool {
        self.chains_mut().any(|c| c.set_bypass(id, bypassed))
    }

    /// Hands every dynamics processor's current gain reduction (dB) to `f`. Realtime-safe.
    pub fn gain_reductions(&self, mut f: impl FnMut(ProcessorId, f32)) {
        let chains = self
            .tracks
            .iter()
            .map(|t| &t.chain)
            .chain(self.buses.iter().map(|b| &b.chain))
            .chain([&self.master_chain]);
        for c in chains {
            c.gain_reductions(&mut f);
        }
    }

    fn chains_mut(&mut self) -> impl Iterator<Item = &mut Chain> {
        self.tracks
            .iter_mut()
            .map(|t| &mut t.chain)
            .chain(self.buses.iter_mut().map(|b| &mut b.chain))
            .chain([&mut self.master_chain])
    }

    /// Mutes or unmutes a strip (declicked); a VCA mutes its members. False
    /// if there is no such strip. Realtime-safe.
    pub fn set_mute(&mut self, r: StripRef, mute: bool) -> bool {
        if let StripRef::Bus(id) = r
            && let Some(k) = self.vca_position(id)
        {
            let v = if mute { 1.0 } else { 0.0 };
            self.set_vca_base(k, crate::session::StripParam::Mute, v);
            self.set_vca_value(k, crate::session::StripParam::Mute, v);
            return true;
        }
        self.strip_mut(r).map(|g| g.set_mute(mute)).is_some()
    }

    /// Inverts a strip's polarity or not (declicked). Realtime-safe.
    pub fn set_polarity(&mut self, r: StripRef, inverted: bool) -> bool {
        self.strip_mut(r).map(|g| g.set_polarity(inverted)).is_some()
    }

    /// Solos or unsolos a strip; every strip's solo-in-place audibility follows
    /// (declicked). False if there is no such strip. Realtime-safe.
    pub fn set_solo(&mut self, r: StripRef, solo: bool) -> bool {
        if r == StripRef::Master {
            return false;
        }
        let Some(g) = self.strip_mut(r) else { return false };
        g.solo = solo;
        update_audibility(&mut self.tracks, &mut self.buses, &mut self.solo);
        true
    }

    fn strip_mut(&mut self, r: StripRef) -> Option<&mut StripGains> {
        match r {
            StripRef::Track(id) => self.tracks.iter_mut().find(|t| t.id == id).map(|t| &mut t.gains),
            StripRef::Bus(id) => self.buses.iter_mut().find(|b| b.id == id).map(|b| &mut b.gains),
            StripRef::Master => Some(&mut self.master),
        }
    }

    /// Takes over the live state of the graph this one replaces: every strip
    /// continues its current gains and fades, gliding to this graph's values,
    /// and every insert that is still there keeps running (its processor moves
    /// over, with its state and tails); strips and inserts new in this graph
    /// fade in; automation gestures and recordings in progress carry on.
    /// Realtime-safe: it copies and swaps, never allocates or frees.
    pub fn inherit(&mut self, old: &mut Graph) {
        for (i, t) in self.tracks.iter_mut().enumerate() {
            let at = match old.tracks.get(i) {
                Some(o) if o.id == t.id => Some(i),
                _ => old.tracks.iter().position(|o| o.id == t.id),
            };
            match at {
                Some(j) => {
                    let o = &mut old.tracks[j];
                    t.gains.inherit(&o.gains);
                    t.chain.inherit(&mut o.chain);
                    t.early.inherit(&mut o.early);
                }
                None => {
                    t.gains.fade_in();
                    t.chain.fade_in();
                }
            }
        }
        for (i, b) in self.buses.iter_mut().enumerate() {
            let at = match old.buses.get(i) {
                Some(o) if o.id == b.id => Some(i),
                _ => old.buses.iter().position(|o| o.id == b.id),
            };
            match at {
                Some(j) => {
                    let o = &mut old.buses[j];
                    b.gains.inherit(&o.gains);
                    b.chain.inherit(&mut o.chain);
                }
                None => {
                    b.gains.fade_in();
                    b.chain.fade_in();
                }
            }
        }
        self.master.inherit(&old.master);
        self.master_chain.inherit(&mut old.master_chain);
        for c in self.controls_mut() {
            if let Some(o) = old.controls_mut().find(|o| o.param == c.param) {
                c.inherit(o);
            }
        }
    }

    /// Fills the lookahead of every track that reads ahead (its inserts add
    /// latency, or its sidechain key is early) with the audio just after
    /// `pos`, so that rendering from `pos` plays those tracks from their
    /// first sample (the bounce calls this before it starts). Each track is
    /// primed on its own: keyed inserts hear a silent key while priming.
    /// Realtime-safe.
    pub fn prime(&mut self, pos: u64) {
        let max = self.max_block;
        let Graph { tracks, sums, .. } = self;
        without_denormals(|| {
            for t in tracks.iter_mut().filter(|t| t.read_ahead > 0) {
                let ahead = std::mem::replace(&mut t.read_ahead, 0);
                let mut done = 0;
                while done < ahead {
                    let n = (ahead - done).min(max as u64) as usize;
                    t.render(Feed::Play(pos + done), n, false, false, sums);
                    done += n as u64;
                }
                t.read_ahead = ahead;
            }
        });
    }

    /// Renders the block starting at timeline sample `pos` into `left` and `right`
    /// (equal lengths, at most [`Graph::max_block`]). Realtime-safe with [`Serial`].
    pub fn process<P: Parallelism>(&mut self, pos: u64, left: &mut [f32], right: &mut [f32], par: &P) {
        self.process_feed(Feed::Play(pos), left, right, par);
    }

    /// Renders one block fed as `feed` says. Realtime-safe with [`Serial`].
    /// Denormals are flushed to zero throughout (on every worker thread too),
    /// so live and bounced processing are the same arithmetic.
    pub fn process_feed<P: Parallelism>(&mut self, feed: Feed, left: &mut [f32], right: &mut [f32], par: &P) {
        without_denormals(|| self.process_inner(feed, left, right, par));
    }

    fn process_inner<P: Parallelism>(&mut self, feed: Feed, left: &mut [f32], right: &mut [f32], par: &P) {
        let n = left.len();
        assert!(n == right.len() && n <= self.max_block, "block of {n} frames exceeds the graph's buffers");
        let metering = self.metering;
        let write_out = metering || self.track_outputs;
        let auto_pos = feed.position();
        self.play_vcas(auto_pos, n);
        for sums_c in &mut self.sums {
            for s in sums_c.iter_mut() {
                s[..n].fill(0.0);
            }
        }
        let Graph { tracks, buses, stages, delays, sums, non_finite_samples, bad_strip, .. } = self;
        for stage in stages.iter() {
            match stage {
                Stage::Tracks(range) => {
                    let stage_tracks = &mut tracks[range.clone()];
                    let keys = &*sums;
                    // Groups of up to GROUP tracks run their inserts side by
                    // side; smaller ones when that leaves a thread idle.
                    let size = GROUP.min(stage_tracks.len().div_ceil(par.threads())).max(1);
                    par.for_each_chunk_mut(stage_tracks, size, |group| {
                        without_denormals(|| track::render_group(group, feed, n, metering, write_out, keys));
                    });
                    for t in stage_tracks.iter() {
                        if t.bad > 0 {
                            *non_finite_samples += t.bad;
                            *bad_strip = Some((StripRef::Track(t.id), t.bad));
                        }
                    }
                    let stage_tracks = &*stage_tracks;
                    let [sums_l, sums_r] = sums;
                    par.join(
                        || sum_tracks(stage_tracks, 0, n, sums_l),
                        || sum_tracks(stage_tracks, 1, n, sums_r),
                    );
                }
                Stage::Bus(i) => {
                    let bus = &mut buses[*i];
                    flush_delays(delays, 1 + i, sums, n);
                    // Take the summed input by swapping buffers (both are max_block long);
                    // the slot gets the old input back and is zeroed at the next block.
                    for c in 0..2 {
                        std::mem::swap(&mut bus.input[c], &mut sums[c][1 + i]);
                    }
                    let bad = bus.render(auto_pos, n, metering, sums);
                    if bad > 0 {
                        *non_finite_samples += bad;
                        *bad_strip = Some((StripRef::Bus(bus.id), bad));
                    }
                    let [il, ir] = &bus.input;
                    for (c, sums_c) in sums.iter_mut().enumerate() {
                        add_into(&mut sums_c[bus.dest][..n], &bus.out[c][..n]);
                        for s in &bus.gains.sends {
                            s.curve.mix_row(c, &il[..n], &ir[..n], &mut sums_c[s.slot][..n]);
                        }
                        for (curve, k) in bus.gains.keys.iter().zip(bus.key_out) {
                            if let Some(k) = k {
                                let dst = &mut sums_c[k][..n];
                                dst.fill(0.0);
                                curve.add_applied_row(c, &il[..n], &ir[..n], dst);
                            }
                        }
                    }
                }
            }
        }
        flush_delays(delays, 0, sums, n);
        for c in 0..2 {
            std::mem::swap(&mut self.master_in[c], &mut self.sums[c][0]);
        }
        self.master.advance(auto_pos, n);
        let [ml, mr] = &mut self.master_in;
        if !self.master_chain.is_empty() {
            let mut io = [&mut ml[..n], &mut mr[..n]];
            self.master.input.scale_in_place(&mut io);
            self.master_chain.process(auto_pos, &mut io, &self.sums);
        }
        self.master.main.apply(&ml[..n], &mr[..n], left, right);
        let bad = scrub(left) + scrub(right);
        if bad > 0 {
            self.non_finite_samples += bad;
            self.bad_strip = self.bad_strip.or(Some((StripRef::Master, bad)));
        }
        if metering {
            let pre_gain = self.master.pre_fader_gain();
            self.master_meter.measure([&ml[..n], &mr[..n]], pre_gain, [left, right]);
        }
    }
}

/// Moves what was summed into delayed virtual slots bound for `to` into `to`,
/// `delay` samples later. Realtime-safe.
fn flush_delays(delays: &mut [SlotDelay], to: Slot, sums: &mut [Vec<Vec<f32>>; 2], n: usize) {
    for d in delays.iter_mut().filter(|d| d.to == to) {
        for (c, sums_c) in sums.iter_mut().enumerate() {
            for i in 0..n {
                let x = d.lines[c].push(sums_c[d.from][i], d.delay);
                sums_c[to][i] += x;
            }
        }
    }
}

impl BusNode {
    /// Runs the strip over the input already in `input`: input stage, inserts,
    /// output matrix. Returns how many NaN/Inf samples were scrubbed. Realtime-safe.
    fn render(&mut self, pos: Option<u64>, n: usize, metering: bool, keys: &[Vec<Vec<f32>>; 2]) -> u64 {
        self.gains.advance(pos, n);
        let [il, ir] = &mut self.input;
        if !self.chain.is_empty() {
            let mut io = [&mut il[..n], &mut ir[..n]];
            self.gains.input.scale_in_place(&mut io);
            self.chain.process(pos, &mut io, keys);
        }
        // No meter checks this block (the bounce): check the inserts' output
        // here, so a NaN from an insert silences this bus only, as live.
        let unmetered = if metering { 0 } else { scrub(&mut il[..n]) + scrub(&mut ir[..n]) };
        let [ol, or] = &mut self.out;
        self.gains.main.apply(&il[..n], &ir[..n], &mut ol[..n], &mut or[..n]);
        let pre = [&il[..n], &ir[..n]];
        if metering && !self.meter.measure(pre, self.gains.pre_fader_gain(), [&ol[..n], &or[..n]]) {
            let bad = scrub(&mut ol[..n]) + scrub(&mut or[..n]);
            scrub(&mut il[..n]);
            scrub(&mut ir[..n]);
            return bad;
        }
        unmetered
    }
}

/// Tracks and buses answer the solo logic from their strip gains.
macro_rules! solo_node_from_gains {
    ($($node:ty),*) => {$(
        impl SoloNode for $node {
            fn solo(&self) -> bool {
                self.gains.solo
            }
            fn solo_safe(&self) -> bool {
                self.gains.solo_safe
            }
            fn targets(&self) -> &[Slot] {
                &self.targets
            }
            fn key_inputs(&self) -> &[Slot] {
                &self.key_inputs
            }
            fn set_audible(&mut self, on: bool) {
                self.gains.set_audible(on);
            }
        }
    )*};
}

solo_node_from_gains!(TrackNode, BusNode);

/// Adds every track's output and sends for channel `c` into `sums` and fills
/// the key slots of tracks that key sidechains (pre- or post-fader), in track order so the result
/// does not depend on the parallelism. Realtime-safe.
fn sum_tracks(tracks: &[TrackNode], c: usize, n: usize, sums: &mut [Vec<f32>]) {
    for t in tracks {
        if t.out_written {
            add_into(&mut sums[t.dest][..n], &t.out[c][..n]);
        } else {
            t.gains.main.add_applied_row(c, &t.input[0][..n], &t.input[1][..n], &mut sums[t.dest][..n]);
        }
        for s in &t.gains.sends {
            s.curve.mix_row(c, &t.input[0][..n], &t.input[1][..n], &mut sums[s.slot][..n]);
        }
        let key = if t.early.samples() > 0 { &t.key } else { &t.input };
        for (curve, k) in t.gains.keys.iter().zip(t.key_out) {
            if let Some(k) = k {
                let dst = &mut sums[k][..n];
                dst.fill(0.0);
                curve.add_applied_row(c, &key[0][..n], &key[1][..n], dst);
            }
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
fn scrub(buf: &mut [f32]) -> u64 {
    let mut bad = 0;
    for x in buf.iter_mut() {
        if !x.is_finite() {
            *x = 0.0;
            bad += 1;
        }
    }
    bad
}
