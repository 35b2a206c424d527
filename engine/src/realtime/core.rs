//! The body of the audio callback: apply commands, run the transport and the
//! graph, interleave, meter, report, and hand out the automation written
//! while playing (a pass ends when the transport stops). Whatever drives it
//! (the cpal callback, the clock-driven null output, a test) calls
//! [`AudioCore::render`].
//!
//! Realtime rules, enforced here: no allocation or freeing (checked under
//! `assert_no_alloc` when the `alloc-check` feature is on), no locks, no
//! blocking, no logging, no I/O. Denormals are flushed to zero for the whole
//! callback.

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use rtrb::{Consumer, Producer};

use super::Shared;
use super::message::{EngineCommand, EngineEvent};
use super::transport::{Step, Transport};
use crate::analysis::tap::TapWriter;
use crate::denormal::without_denormals;
use crate::graph::{Feed, Graph, Record, Serial};
use crate::monitor::MonitorStage;
use crate::session::StripRef;
use crate::smooth::{DECLICK_SECONDS, ramp_samples};

/// The largest run rendered at once; longer device buffers are split.
pub(crate) const MAX_RUN: usize = 4096;

/// Events kept free for what must never be dropped (returned graphs, errors):
/// meters and ticks are only sent while more than this many slots are free.
pub(crate) const RESERVED_EVENTS: usize = 256;

/// Record slots kept free so that the end of a pass always fits.
const RESERVED_RECORDS: usize = 64;

/// Commands applied per callback at most, so a flood cannot overrun a buffer.
const MAX_COMMANDS_PER_CALLBACK: usize = 512;

/// How long playback may wait at its start (play, seek, loop) for streamed
/// media to be loaded there, in seconds; then it plays anyway, and whatever
/// is still missing plays as silence and is counted.
const MAX_HOLD_SECONDS: f64 = 0.5;

/// Frames of media that must be loaded at a start before playback begins.
const READY_FRAMES: u64 = 4096;

/// Everything the audio thread owns.
#[derive(Debug)]
pub struct AudioCore {
    graph: Box<Graph>,
    transport: Transport,
    commands: Consumer<EngineCommand>,
    events: Producer<EngineEvent>,
    /// Automation written while playing, for the handle to merge.
    records: Producer<Record>,
    /// Whether the last run moved the timeline (a pass ends when it stops).
    rolling: bool,
    left: Vec<f32>,
    right: Vec<f32>,
    gain: Vec<f32>,
    rate: u32,
    meter_period: u32,
    since_meter: u32,
    dropped_events: u64,
    shared: Arc<Shared>,
    taps: TapWriter,
    /// Frames held silent so far at the current start, waiting for media.
    held: u64,
    max_hold: u64,
    /// The monitor section: after the master and the taps, before the device.
    monitor: MonitorStage,
    /// The reference track's graph, rendered only while the monitor plays it.
    reference: Option<Box<Graph>>,
    /// Where a free-running reference is, in samples.
    reference_pos: u64,
    reference_buf: [Vec<f32>; 2],
    /// Whether the graph's changed latency was reported (once per graph).
    latency_reported: bool,
}

impl AudioCore {
    // Each argument is one queue or part the core owns; only `parts()` calls it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        mut graph: Box<Graph>,
        commands: Consumer<EngineCommand>,
        events: Producer<EngineEvent>,
        records: Producer<Record>,
        rate: u32,
        shared: Arc<Shared>,
        taps: TapWriter,
        monitor: MonitorStage,
    ) -> AudioCore {
        graph.set_metering(true);
        graph.set_live(true);
        AudioCore {
            graph,
            transport: Transport::new(ramp_samples(DECLICK_SECONDS, rate)),
            commands,
            events,
            records,
            rolling: false,
            left: vec![0.0; MAX_RUN],
            right: vec![0.0; MAX_RUN],
            gain: vec![0.0; MAX_RUN],
            rate,
            meter_period: rate / 50,
            since_meter: 0,
            dropped_events: 0,
            shared,
            taps,
            held: 0,
            max_hold: (MAX_HOLD_SECONDS * f64::from(rate)) as u64,
            monitor,
            reference: None,
            reference_pos: 0,
            reference_buf: [vec![0.0; MAX_RUN], vec![0.0; MAX_RUN]],
            latency_reported: false,
        }
    }

    /// Renders one device buffer of interleaved samples with `channels` channels.
    /// This is the audio callback. Realtime-safe.
    pub fn render(&mut self, out: &mut [f32], channels: usize) {
        let started = Instant::now();
        let violations = without_denormals(|| allocations_during(|| self.render_block(out, channels)));
        self.shared.alloc_violations.fetch_add(violations, Relaxed);
        self.shared.playing.store(self.transport.is_playing(), Relaxed);
        let frames = out.len() / channels.max(1);
        let period = frames as f64 / f64::from(self.rate);
        let load = (started.elapsed().as_secs_f64() / period) as f32;
        self.shared.callbacks.fetch_add(1, Relaxed);
        let tick = EngineEvent::Tick {
            position: self.transport.position(),
            sample_rate: self.rate,
            playing: self.transport.is_playing(),
            load,
            xruns: self.shared.xruns.load(Relaxed),
            dropped_events: self.dropped_events,
        };
        self.send_droppable(tick);
    }

    fn render_block(&mut self, out: &mut [f32], channels: usize) {
        self.apply_commands();
        // The newest value of every control moved since the last callback.
        self.graph.apply_params();
        let channels = channels.max(1);
        let frames = out.len() / channels;
        if self.graph.sample_rate() != self.rate {
            // The device changed rate: silence, the transport held, until the
            // app sends a graph compiled at the new rate.
            out.fill(0.0);
            return;
        }
        let mut done = 0;
        while done < frames {
            let max = (frames - done).min(MAX_RUN).min(self.graph.max_block());
            let holding = self
                .transport
                .starting_at()
                .is_some_and(|pos| self.held < self.max_hold && !self.graph.media_ready(pos, READY_FRAMES));
            let step = if holding {
                // Hold the start (silent, the playhead still) until the
                // streamed media there is loaded; the pass goes on.
                self.held += max as u64;
                Step { pos: None, len: max, fading: false }
            } else {
                self.held = 0;
                self.transport.step(max, &mut self.gain)
            };
            let pass_ended = step.pos.is_none() && self.rolling && !holding;
            self.rolling = step.pos.is_some() || (holding && self.rolling);
            if pass_ended {
                self.graph.end_pass();
            }
            let feed = match step.pos {
                None => Feed::Silent,
                Some(pos) if step.fading => Feed::Fade(pos, &self.gain[..step.len]),
                Some(pos) => Feed::Play(pos),
            };
            let (l, r) = (&mut self.left[..step.len], &mut self.right[..step.len]);
            self.graph.process_feed(feed, l, r, &Serial);
            self.taps.write(&self.graph, l, r);
            // What the engineer hears; never part of the mix (the bounce
            // renders the graph, not this callback).
            self.monitor.receive();
            let reference = match &mut self.reference {
                Some(g) if self.monitor.wants_reference() => {
                    let [bl, br] = &mut self.reference_buf;
                    let (bl, br) = (&mut bl[..step.len], &mut br[..step.len]);
                    let feed = match (self.monitor.free_running(), step.pos) {
                        (false, _) | (true, None) => feed,
                        (true, Some(_)) => {
                            let at = self.reference_pos;
                            self.reference_pos += step.len as u64;
                            if step.fading { Feed::Fade(at, &self.gain[..step.len]) } else { Feed::Play(at) }
                        }
                    };
                    g.process_feed(feed, bl, br, &Serial);
                    Some((&bl[..], &br[..]))
                }
                _ => None,
            };
            self.monitor.process_with(l, r, reference);
            let dst = &mut out[done * channels..(done + step.len) * channels];
            interleave(l, r, dst, channels);
            self.send_records(pass_ended);
            done += step.len;
        }
        self.shared.clock.publish(
            self.transport.position(),
            self.transport.is_playing(),
            self.transport.loop_range(),
        );
        if !self.latency_reported
            && let Some(change) = self.graph.stale_latency()
        {
            self.latency_reported = true;
            self.send_reserved(EngineEvent::LatencyChanged(change));
        }
        self.since_meter += frames as u32;
        if self.since_meter >= self.meter_period {
            self.since_meter = 0;
            self.send_meters();
        }
    }

    fn apply_commands(&mut self) {
        for _ in 0..MAX_COMMANDS_PER_CALLBACK {
            let Ok(cmd) = self.commands.pop() else { break };
            match cmd {
                EngineCommand::Play => self.transport.play(),
                EngineCommand::Stop => self.transport.stop(),
                EngineCommand::Seek(pos) => self.transport.seek(pos),
                EngineCommand::SetLoop { range, enabled } => self.transport.set_loop(range, enabled),
                EngineCommand::SetEnd(end) => self.transport.set_end(end),
                EngineCommand::Gesture(slot, g) => {
                    let (pos, rolling) = (self.transport.position(), self.transport.is_playing());
                    self.graph.gesture_slot(slot, g, pos, rolling);
                }
                EngineCommand::SetMute(s, on) => self.on_strip(s, |g| g.set_mute(s, on)),
                EngineCommand::SetSolo(s, on) => self.on_strip(s, |g| g.set_solo(s, on)),
                EngineCommand::SetPolarity(s, on) => self.on_strip(s, |g| g.set_polarity(s, on)),
                EngineCommand::SetBypass(p, on) => {
                    if !self.graph.set_bypass(p, on) {
                        self.send_reserved(EngineEvent::UnknownProcessor(p));
                    }
                }
                EngineCommand::SetMeter(s, options) => self.on_strip(s, |g| g.set_meter(s, options)),
                EngineCommand::SetTap { slot, strip } => {
                    self.taps.set(slot, strip);
                }
                EngineCommand::SetReference(graph) => {
                    let old = std::mem::replace(&mut self.reference, graph);
                    self.reference_pos = 0;
                    if let Some(old) = old {
                        self.send_reserved(EngineEvent::Garbage(old));
                    }
                }
                EngineCommand::SetMonitorIr(ir) => {
                    if let Some(old) = self.monitor.set_ir(ir) {
                        self.send_reserved(EngineEvent::IrGarbage(old));
                    }
                }
                EngineCommand::SwapGraph(mut graph) => {
                    graph.set_metering(true);
                    graph.set_live(true);
                    // Values written for the old graph that it has not played yet.
                    self.graph.apply_params();
                    graph.inherit(&mut self.graph);
                    std::mem::swap(&mut self.graph, &mut graph);
                    self.latency_reported = false;
                    self.send_reserved(EngineEvent::Garbage(graph));
                }
            }
        }
    }

    /// Applies a strip switch; reports the strip if the graph has no such strip.
    fn on_strip(&mut self, strip: StripRef, apply: impl FnOnce(&mut Graph) -> bool) {
        if !apply(&mut self.graph) {
            self.send_reserved(EngineEvent::UnknownStrip(strip));
        }
    }

    fn send_meters(&mut self) {
        if let Some((strip, samples)) = self.graph.take_non_finite() {
            self.send_reserved(EngineEvent::NonFinite { strip, samples });
        }
        let Self { graph, events, dropped_events, .. } = self;
        graph.take_meters(|strip, m| {
            let event = EngineEvent::Meter { strip, reading: m.reading() };
            if events.slots() <= RESERVED_EVENTS || events.push(event).is_err() {
                *dropped_events += 1;
            }
        });
        graph.gain_reductions(|processor, db| {
            let event = EngineEvent::GainReduction { processor, db };
            if events.slots() <= RESERVED_EVENTS || events.push(event).is_err() {
                *dropped_events += 1;
            }
        });
    }

    /// Hands what the automation wrote during the last run to the handle, and
    /// the end of the pass after it; what does not fit is counted.
    fn send_records(&mut self, pass_ended: bool) {
        let Self { graph, records, shared, .. } = self;
        let mut dropped = 0;
        let mut lost = graph.drain_records(|r| {
            if records.slots() <= RESERVED_RECORDS || records.push(r).is_err() {
                dropped += 1;
            }
        });
        lost += dropped;
        if pass_ended && records.push(Record::PassEnd).is_err() {
            lost += 1;
        }
        if lost > 0 {
            shared.record_overflows.fetch_add(lost, Relaxed);
        }
    }

    /// Sends an event that may be dropped when the queue is nearly full (meters, ticks).
    fn send_droppable(&mut self, event: EngineEvent) {
        if self.events.slots() <= RESERVED_EVENTS || self.events.push(event).is_err() {
            self.dropped_events += 1;
        }
    }

    /// Sends an event into the reserved headroom. The handle never has more
    /// graphs in flight than the reserve holds, so a graph always fits.
    fn send_reserved(&mut self, event: EngineEvent) {
        if let Err(rtrb::PushError::Full(event)) = self.events.push(event) {
            self.dropped_events += 1;
            // Only reachable if the app stops reading events entirely. Keep the
            // graph alive rather than freeing it here.
            match event {
                EngineEvent::Garbage(g) => std::mem::forget(g),
                EngineEvent::IrGarbage(ir) => std::mem::forget(ir),
                _ => {}
            }
        }
    }

    /// The playhead, in samples.
    pub fn position(&self) -> u64 {
        self.transport.position()
    }

    /// The rate the core runs at.
    pub(crate) fn rate(&self) -> u32 {
        self.rate
    }

    /// The device now runs at `rate`: timeline positions (playhead, loop) are
    /// converted to it, and until a graph compiled at it arrives the core
    /// plays silence with the transport held (see [`AudioCore::render`]).
    /// Called between streams, never on the audio thread.
    pub(crate) fn set_rate(&mut self, rate: u32) {
        if rate == self.rate || rate == 0 {
            return;
        }
        self.transport.rescale(self.rate, rate);
        self.rate = rate;
        self.meter_period = rate / 50;
        self.since_meter = 0;
        self.monitor.set_rate(rate);
    }
}

/// Writes `l` and `r` into interleaved `dst`: stereo as is, mono as their mean,
/// extra channels silent. Realtime-safe.
fn interleave(l: &[f32], r: &[f32], dst: &mut [f32], channels: usize) {
    match channels {
        1 => {
            for ((o, a), b) in dst.iter_mut().zip(l).zip(r) {
                *o = 0.5 * (a + b);
            }
        }
        2 => {
            for ((frame, a), b) in dst.chunks_exact_mut(2).zip(l).zip(r) {
                frame[0] = *a;
                frame[1] = *b;
            }
        }
        _ => {
            for ((frame, a), b) in dst.chunks_exact_mut(channels).zip(l).zip(r) {
                frame[0] = *a;
                frame[1] = *b;
                frame[2..].fill(0.0);
            }
        }
    }
}

/// Runs `f` with allocation forbidden and returns how many (de)allocations it
/// tried (counted, in debug and release builds alike, with the `alloc-check`
/// feature and `assert_no_alloc`'s allocator installed; 0 otherwise).
fn allocations_during(f: impl FnOnce()) -> u64 {
    #[cfg(feature = "alloc-check")]
    {
        let before = assert_no_alloc::violation_count();
        assert_no_alloc::assert_no_alloc(f);
        u64::from(assert_no_alloc::violation_count() - before)
    }
    #[cfg(not(feature = "alloc-check"))]
    {
        f();
        0
    }
}
