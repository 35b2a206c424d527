//! The app's side of the engine: owns the [`EngineHandle`], turns document
//! changes into engine commands, rebuilds the graph off the GUI thread when the
//! structure changed, and keeps what the engine reports (position, load, xruns,
//! device news, meters, gain reduction) for the views.
//!
//! Media streams from disk ([`Streamer`]): a build opens the session's files
//! for streaming (converting only what cannot stream directly, with progress
//! in [`Audio::opening`]), never decodes them into memory; the disk thread
//! follows the engine's transport, and a seek tells it where first.
//!
//! [`Audio::apply`] sends a typed edit the document says it made: values go
//! into their slot on the graph's control plane (latest wins, see
//! `mixdesk_engine::control`), switches as commands; anything that changes the
//! graph's shape compiles a new graph in a background task ([`Audio::rebuild`]),
//! and the result carries a version stamp so an older build never replaces a
//! newer one. Nothing compares sessions to find out what changed.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use iced::Task;
use mixdesk_engine::analysis::MeterDisplay;
use mixdesk_engine::edit::{Edit, Switch};
use mixdesk_engine::graph::Graph;
use mixdesk_engine::monitor::{Listen, Measured, MonitorProgram, MonitorSettings};
use mixdesk_engine::realtime::{Engine, EngineConfig, EngineEvent, EngineHandle};
use mixdesk_engine::relink::{Missing, missing_media};
use mixdesk_engine::session::{ClipId, ParamId, ProcessorId, Session, StripRef};
use mixdesk_engine::streaming::{StreamConfig, Streamer, prepare_live};

/// How far the gain-reduction meter falls per engine report (20 dB/s at 50 reports/s).
const GR_FALL_PER_EVENT: f32 = 0.4;

/// Where the engine should play.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioSettings {
    /// Device id, or `None` for the system default.
    pub device: Option<String>,
    /// Frames per callback.
    pub buffer_frames: u32,
    /// Never open a device (tests, or a machine where opening one hangs).
    pub null_output: bool,
}

/// A compiled graph on its way from the worker to the engine (messages must be
/// `Clone`; the graph is taken out exactly once).
type GraphSlot = Arc<std::sync::Mutex<Option<Graph>>>;

/// A graph compiled in the background, stamped with the build it answers.
#[derive(Debug, Clone)]
pub struct Built {
    version: u64,
    /// The graph, and the media that could not be loaded (played as silence).
    result: Result<(GraphSlot, Vec<String>), String>,
    /// The media files that are not where the session says.
    missing: Vec<Missing>,
}

/// How far opening the media for a build has come (files opened of all).
#[derive(Debug, Default)]
pub struct Opening {
    done: AtomicUsize,
    total: AtomicUsize,
}

impl Opening {
    /// Starts counting `total` files.
    pub fn start(&self, total: usize) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }

    /// One more file done.
    pub fn step(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// Nothing is being opened.
    pub fn finish(&self) {
        self.total.store(0, Ordering::Relaxed);
    }

    /// `(done, total)` while a build opens media, `None` otherwise.
    pub fn progress(&self) -> Option<(usize, usize)> {
        let (d, t) = (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed));
        (t > 0 && d < t).then_some((d, t))
    }
}

/// How long a build waits for the disk thread to load what plays at the
/// playhead before it hands the graph over (so a moved clip starts in time).
const READY_WAIT: Duration = Duration::from_millis(300);

/// The engine as the GUI sees it.
#[derive(Debug)]
pub struct Audio {
    engine: Option<EngineHandle>,
    /// The disk streamer following the engine (none without an engine).
    streamer: Option<Arc<Streamer>>,
    /// Media opening progress of the running build.
    pub opening: Arc<Opening>,
    /// Frames played as silence because the disk did not keep up.
    pub underfed: u64,
    /// Streamed files that failed while playing, already reported.
    failures_seen: usize,
    /// Engine sample rate.
    pub rate: u32,
    /// The device came back at another rate since the last build: the engine
    /// holds the transport in silence until a graph compiled at it arrives.
    pub rate_changed: bool,
    /// A plugin's latency followed a parameter moved live: the next tick
    /// compiles a graph that compensates it (the instance carries on).
    pub latency_changed: bool,
    /// Plugins a graph was compiled for (their latency changed) since the
    /// last edit: one that reports again before any edit has its latency
    /// moved by automation, which a new graph (built at the session's
    /// value) cannot follow; compiling again would only repeat (and fade
    /// the plugin in) at every tick.
    latency_rebuilt: HashSet<ProcessorId>,
    /// The playhead in samples at `rate`.
    pub position: u64,
    /// Whether the transport runs.
    pub playing: bool,
    /// DSP load of the last callbacks (0..1).
    pub load: f32,
    /// Device under/overruns since start.
    pub xruns: u64,
    /// The device in words ("no audio device, playing silently").
    pub device: String,
    /// Strip meters with GUI-side ballistics.
    pub meters: HashMap<StripRef, MeterDisplay>,
    /// Gain reduction of compressors, limiters and gates, in dB.
    pub gain_reduction: HashMap<ProcessorId, f32>,
    /// Why the last graph could not be built, if it could not.
    pub graph_error: Option<String>,
    /// Media that failed while playing (removed, cut, replaced), in words.
    pub stream_error: Option<String>,
    /// See [`Audio::history_breaks`].
    history_breaks: Vec<f64>,
    /// The end last sent to the engine (see [`Audio::set_end`]).
    end: Option<Option<u64>>,
    version: u64,
    missing: Vec<Missing>,
    missing_clips: HashSet<ClipId>,
    /// Engine commands sent, for tests and diagnostics.
    pub commands_sent: u64,
    /// The monitor settings and the program last sent for them.
    monitor: (MonitorSettings, MonitorProgram),
    /// The reference file the engine holds a graph of.
    reference: Option<PathBuf>,
    /// The impulse response file the engine holds.
    ir: Option<PathBuf>,
    /// An album preview playing instead of the mix (see [`Audio::preview`]).
    preview: Option<Preview>,
}

/// A preview playing through the monitor's reference path: until the
/// playhead has moved `frames` past `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preview {
    /// The playhead when it started.
    pub from: u64,
    /// Its length, engine frames.
    pub frames: u64,
}

impl Audio {
    /// Starts the engine; if it cannot start at all the app still runs, silently.
    pub fn start(settings: &AudioSettings, session_rate: u32) -> (Audio, Option<String>) {
        let config = EngineConfig {
            device: settings.device.clone(),
            buffer_frames: settings.buffer_frames,
            sample_rate: session_rate,
            null_output: settings.null_output,
        };
        let (engine, error) = match Engine::start(config) {
            Ok(e) => (Some(e), None),
            Err(e) => (
                None,
                Some(format!(
                    "The audio engine could not start: {e}. Mixdesk runs without sound; choose another device in Preferences."
                )),
            ),
        };
        let status = engine.as_ref().map(EngineHandle::status).unwrap_or_default();
        let rate = if status.sample_rate > 0 { status.sample_rate } else { session_rate };
        let streamer = engine
            .as_ref()
            .map(|e| Arc::new(Streamer::start(e.transport_clock(), rate, StreamConfig::default())));
        let audio = Audio {
            rate,
            device: describe(&status),
            engine,
            streamer,
            opening: Arc::new(Opening::default()),
            underfed: 0,
            failures_seen: 0,
            position: 0,
            playing: false,
            load: 0.0,
            xruns: 0,
            meters: HashMap::new(),
            gain_reduction: HashMap::new(),
            graph_error: None,
            stream_error: None,
            history_breaks: Vec::new(),
            end: None,
            version: 0,
            missing: Vec::new(),
            missing_clips: HashSet::new(),
            commands_sent: 0,
            rate_changed: false,
            latency_changed: false,
            latency_rebuilt: HashSet::new(),
            monitor: (MonitorSettings::default(), MonitorProgram::IDENTITY),
            reference: None,
            ir: None,
            preview: None,
        };
        (audio, error)
    }

    /// Stops the engine and closes its device (before starting another one).
    pub fn shutdown(&mut self) {
        self.engine = None;
        self.streamer = None;
    }

    /// Compiles a graph for `session` in the background, its media opened for
    /// streaming (a first open converts what cannot stream directly into the
    /// session's cache; [`Audio::opening`] shows how far it is).
    pub fn rebuild(&mut self, session: &Session, dir: PathBuf) -> Task<Built> {
        self.version += 1;
        let version = self.version;
        let session = session.resampled_to(self.rate);
        let streamer = self.streamer.clone();
        let opening = Arc::clone(&self.opening);
        let position = self.position;
        Task::perform(
            async move {
                let (tx, rx) = iced::futures::channel::oneshot::channel();
                std::thread::spawn(move || {
                    let _ = tx.send(build(&session, &dir, streamer.as_deref(), &opening, position));
                });
                rx.await.unwrap_or_else(|_| (Err("the graph build stopped unexpectedly".into()), Vec::new()))
            },
            move |(result, missing)| Built { version, result, missing },
        )
    }

    /// Hands a finished build to the engine, unless a newer build was
    /// started, and brings it up to `session`'s values.
    pub fn install(&mut self, built: Built, session: &Session) {
        if built.version != self.version {
            return;
        }
        self.missing_clips = built.missing.iter().flat_map(|m| m.clips.iter().copied()).collect();
        self.missing = built.missing;
        match built.result {
            Ok((slot, missing)) => {
                self.graph_error = (!missing.is_empty()).then(|| {
                    format!(
                        "{}\nThese clips play as silence until the files are back (Relink… searches a folder for moved files).",
                        missing.join("\n")
                    )
                });
                let graph = slot.lock().ok().and_then(|mut g| g.take());
                if let (Some(engine), Some(graph)) = (self.engine.as_mut(), graph)
                    && let Err(e) = engine.swap_graph(graph)
                {
                    self.graph_error = Some(format!("The new mix graph could not be installed: {e}"));
                }
                self.catch_up(session);
            }
            Err(e) => self.graph_error = Some(format!("The mix cannot be built: {e}")),
        }
    }

    /// The clips whose media file is missing (they play silent), as of the
    /// last graph build: for marking them in the timeline and the strips.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn missing_clips(&self) -> &HashSet<ClipId> {
        &self.missing_clips
    }

    /// The missing media files and the clips that use them, as of the last graph build.
    pub fn missing_media(&self) -> &[Missing] {
        &self.missing
    }

    /// Sends one applied edit to the engine: a value into its slot on the
    /// control plane (the newest value wins), a switch as a command, the
    /// loop range from `session`. Edits the engine does not hear, and those
    /// that need a new graph, are not sent here (see [`document::Outbox`]).
    ///
    /// [`document::Outbox`]: super::document::Outbox
    pub fn apply(&mut self, edit: &Edit, session: &Session) {
        // An edit may move a plugin's latency: its report is answered again.
        self.latency_rebuilt.clear();
        match *edit {
            Edit::Param(id, v) => self.send(|e| e.set_param(id, v)),
            Edit::Switch(r, Switch::Mute, on) => self.send(|e| e.set_mute(r, on)),
            Edit::Switch(r, Switch::Solo, on) => self.send(|e| e.set_solo(r, on)),
            Edit::Switch(r, Switch::Polarity, on) => {
                self.send(|e| e.send(mixdesk_engine::realtime::EngineCommand::SetPolarity(r, on)).ok())
            }
            Edit::Bypass(id, on) => self.send(|e| e.set_bypass(id, on)),
            Edit::Loop(_) => self.set_loop(session),
            // Anything else is not heard (names, markers, notes) or heard
            // through the new graph the document asks for (`Edit::effect`).
            _ => {}
        }
    }

    /// The newest value of `param` the engine has been given (tests: what plays).
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn heard(&self, param: ParamId) -> Option<f64> {
        self.engine.as_ref().and_then(|e| e.params().latest(param))
    }

    /// How many graph builds were started (tests).
    #[cfg(test)]
    pub fn builds(&self) -> u64 {
        self.version
    }

    /// Every live parameter of the graph sent last (tests).
    #[cfg(test)]
    pub fn param_ids(&self) -> Vec<ParamId> {
        self.engine.as_ref().map(|e| e.params().iter().map(|(id, _)| id).collect()).unwrap_or_default()
    }

    /// After a new graph is handed over: every value the session has now
    /// that the graph was not compiled with (moved while it compiled) goes
    /// out on its control plane.
    fn catch_up(&mut self, session: &Session) {
        let Some(engine) = self.engine.as_mut() else { return };
        let session = session.resampled_to(self.rate);
        let params = engine.params().clone();
        for (id, _) in params.iter() {
            if let Some(v) = session.param_value(id)
                && params.compiled(id) != Some(v)
            {
                params.set(id, v);
                self.commands_sent += 1;
            }
        }
    }

    fn send<R>(&mut self, f: impl FnOnce(&mut EngineHandle) -> R) {
        if let Some(e) = self.engine.as_mut() {
            f(e);
            self.commands_sent += 1;
        }
    }

    /// Starts the transport.
    pub fn play(&mut self) {
        // Everything the last run played has been drained into the loudness
        // history by now: what plays next starts a new stretch of it.
        if let Some(t) = self.analysis().and_then(|a| a.loudness().history().last().map(|p| p.seconds))
            && self.history_breaks.last() != Some(&t)
        {
            if self.history_breaks.len() >= 256 {
                self.history_breaks.remove(0);
            }
            self.history_breaks.push(t);
        }
        self.send(EngineHandle::play);
        self.playing = true;
    }

    /// The loudness history's times at which playback started again after a
    /// stop, oldest first: its lines break there.
    pub fn history_breaks(&self) -> &[f64] {
        &self.history_breaks
    }

    /// Stops the transport.
    pub fn stop(&mut self) {
        self.send(EngineHandle::stop);
        self.playing = false;
    }

    /// Moves the playhead (in samples at the engine rate).
    pub fn seek(&mut self, position: u64) {
        if let Some(s) = &self.streamer {
            s.want(position);
        }
        self.send(|e| e.seek(position));
        self.position = position;
    }

    /// Tells the engine where playback stops by itself: the session's end
    /// when `stop` (the preference), else nowhere. Sent only when it changes.
    pub fn set_end(&mut self, session: &Session, stop: bool) {
        let scale = f64::from(self.rate) / f64::from(session.sample_rate.max(1));
        let end = stop.then(|| (session.content_end().0 as f64 * scale).round() as u64);
        if self.end != Some(end) {
            self.end = Some(end);
            self.send(|e| e.set_end(end));
        }
    }

    /// Where playback stops by itself (engine samples), as last sent.
    pub fn end(&self) -> Option<u64> {
        self.end.flatten()
    }

    /// Sends the session's loop range.
    pub fn set_loop(&mut self, session: &Session) {
        let scale = f64::from(self.rate) / f64::from(session.sample_rate.max(1));
        let range =
            session.loop_range.map(|l| ((l.start.0 as f64 * scale) as u64, (l.end.0 as f64 * scale) as u64));
        let enabled = session.loop_range.is_some_and(|l| l.enabled);
        self.send(|e| e.set_loop(range, enabled));
    }

    /// Reads everything the engine reported since the last call.
    pub fn poll(&mut self) {
        let Some(engine) = self.engine.as_mut() else { return };
        let rate = self.rate;
        let meters = &mut self.meters;
        let gr = &mut self.gain_reduction;
        let mut latency_report = None;
        let mut tick = None;
        let mut news = None;
        engine.poll(|event| match event {
            EngineEvent::Tick { position, playing, load, xruns, .. } => {
                tick = Some((position, playing, load, xruns))
            }
            EngineEvent::Meter { strip, reading } => {
                meters.entry(strip).or_insert_with(|| MeterDisplay::new(rate)).update(&reading)
            }
            EngineEvent::GainReduction { processor, db } => {
                // Peak-hold ballistics: jump up at once, fall 20 dB/s (the
                // events come every 20 ms), so short drum hits stay visible.
                let shown = gr.entry(processor).or_insert(0.0);
                *shown = db.max(*shown - GR_FALL_PER_EVENT).max(0.0);
            }
            EngineEvent::Device(d) => news = Some(d.to_string()),
            EngineEvent::LatencyChanged(c) => latency_report = Some(c.processor),
            _ => {}
        });
        if let Some(p) = latency_report
            && self.latency_rebuilt.insert(p)
        {
            self.latency_changed = true;
        }
        if let Some((position, playing, load, xruns)) = tick {
            self.position = position;
            self.playing = playing;
            self.load = load;
            self.xruns = xruns;
        }
        if news.is_some() {
            let status = engine.status();
            self.device = describe(&status);
            if status.sample_rate != self.rate && status.sample_rate > 0 {
                self.rate = status.sample_rate;
                self.rate_changed = true;
                // Media streams at the engine's rate: a new streamer for the
                // new one (the next build opens the files at it).
                self.streamer = Some(Arc::new(Streamer::start(
                    engine.transport_clock(),
                    self.rate,
                    StreamConfig::default(),
                )));
                self.failures_seen = 0;
            }
        }
        let (settings, sent) = &self.monitor;
        if self.preview.is_none() && (settings.platform.is_some() || settings.reference.is_some()) {
            let now = settings.program(self.rate, self.measured());
            // The gain follows the loudness measured so far, in steps of 0.1 dB.
            if (now.gain - sent.gain).abs() > sent.gain * 0.0116
                || (now.reference_gain - sent.reference_gain).abs() > sent.reference_gain * 0.0116
            {
                let settings = settings.clone();
                self.set_monitor(&settings);
            }
        }
        if let Some(streamer) = &self.streamer {
            let stats = streamer.stats();
            self.underfed = stats.underrun_frames;
            if stats.failures.len() > self.failures_seen {
                let said: Vec<String> =
                    stats.failures[self.failures_seen..].iter().map(|(_, why)| why.clone()).collect();
                self.failures_seen = stats.failures.len();
                self.stream_error = Some(said.join("\n"));
            }
        }
    }

    /// Sends the monitor section the program for `settings`, with the mix
    /// as the analysis last measured it; re-sent by [`Audio::poll`] while a
    /// platform or a reference needs the measurement.
    pub fn set_monitor(&mut self, settings: &MonitorSettings) {
        let measured = self.measured();
        let program = settings.program(self.rate, measured);
        self.monitor = (settings.clone(), program);
        self.send(|e| {
            let _ = e.set_monitor(program);
        });
    }

    /// Sends the engine the graph of the reference at `path` (resolved), or
    /// takes it away; the replaced graph comes back through `poll`.
    pub fn set_reference(&mut self, reference: Option<(PathBuf, Graph)>) -> Result<(), String> {
        let (path, graph) = reference.map_or((None, None), |(p, g)| (Some(p), Some(g)));
        let Some(engine) = self.engine.as_mut() else { return Ok(()) };
        engine.set_reference(graph).map_err(|e| format!("the reference could not reach the engine: {e}"))?;
        self.commands_sent += 1;
        self.reference = path;
        Ok(())
    }

    /// Sends the engine the monitor's impulse response loaded from `path`
    /// (resolved), or takes it away.
    pub fn set_monitor_ir(&mut self, ir: Option<(PathBuf, mixdesk_engine::monitor::IrConvolver)>) {
        let (path, ir) = ir.map_or((None, None), |(p, c)| (Some(p), Some(c)));
        if let Some(engine) = self.engine.as_mut()
            && engine.set_monitor_ir(ir)
        {
            self.commands_sent += 1;
            self.ir = path;
        }
    }

    /// The impulse response file the engine holds.
    pub fn ir(&self) -> Option<&std::path::Path> {
        self.ir.as_deref()
    }

    /// The file whose graph the engine holds as the monitor's reference.
    pub fn reference(&self) -> Option<&std::path::Path> {
        self.reference.as_deref()
    }

    /// The monitor program last sent to the engine (for tests).
    #[cfg(test)]
    pub fn monitor_program(&self) -> &MonitorProgram {
        &self.monitor.1
    }

    /// Plays `graph` (a one-track session of a rendered preview, compiled at
    /// the engine's rate, `frames` long) instead of the mix: it goes in as
    /// the monitor's reference, free-running from its start, and the
    /// transport rolls (not looping, not stopping at the session's end) until
    /// [`Audio::stop_preview`]. The mix keeps running underneath, unheard.
    pub fn preview(&mut self, graph: Graph, frames: u64) -> Result<(), String> {
        let engine = self.engine.as_mut().ok_or("there is no audio engine to play the preview on")?;
        engine.set_reference(Some(graph)).map_err(|e| format!("the preview cannot play: {e}"))?;
        // The monitor's own reference left the engine: it is sent again after.
        self.reference = None;
        let program =
            MonitorProgram { listen: Listen::Reference, free_running: true, ..MonitorProgram::IDENTITY };
        let _ = engine.set_monitor(program);
        engine.set_loop(None, false);
        engine.set_end(None);
        // Sent again (as the session says) when the preview ends.
        self.end = None;
        self.preview = Some(Preview { from: self.position, frames });
        self.play();
        Ok(())
    }

    /// The preview playing, if any.
    pub fn previewing(&self) -> Option<Preview> {
        self.preview
    }

    /// Whether the preview playing has played to its end (or the transport stopped).
    pub fn preview_done(&self) -> bool {
        self.preview.is_some_and(|p| !self.playing || self.position >= p.from + p.frames)
    }

    /// Stops the preview and gives the monitor, loop, end and playhead back
    /// to where `session` had them.
    /// Returns whether a preview was playing.
    pub fn stop_preview(&mut self, session: &Session, stop_at_end: bool) -> bool {
        let Some(p) = self.preview.take() else { return false };
        self.stop();
        self.seek(p.from);
        self.send(|e| {
            let _ = e.set_reference(None);
        });
        let settings = self.monitor.0.clone();
        self.set_monitor(&settings);
        self.set_loop(session);
        self.set_end(session, stop_at_end);
        true
    }

    /// The mix's loudness as the live analysis measures it.
    pub fn measured(&self) -> Option<Measured> {
        self.analysis().and_then(|a| Measured::from_reading(&a.loudness().reading()))
    }

    /// The live analysis of the master and the tapped strips (loudness,
    /// spectra), as the engine's analysis thread last measured it (every
    /// 20 ms, never on this thread); `None` without an engine.
    pub fn analysis(&self) -> Option<std::sync::MutexGuard<'_, mixdesk_engine::analysis::tap::LiveAnalysis>> {
        self.engine.as_ref().map(EngineHandle::analysis)
    }

    /// Shows `strip`'s spectrum in tap `slot` (or stops the tap).
    pub fn set_tap(&mut self, slot: usize, strip: Option<StripRef>) {
        self.send(|e| e.set_tap(slot, strip));
    }

    /// A control was grabbed while its lane records (Touch, Latch, Write, Trim).
    pub fn touch_begin(&mut self, param: ParamId, value: f64) {
        self.send(|e| e.touch_begin(param, value));
    }

    /// The grabbed control moved.
    pub fn touch_value(&mut self, param: ParamId, value: f64) {
        self.send(|e| e.touch_value(param, value));
    }

    /// The grabbed control was let go.
    pub fn touch_end(&mut self, param: ParamId) {
        self.send(|e| e.touch_end(param));
    }

    /// What the last recording pass wrote, as lane edits on `session`.
    pub fn take_lane_edits(&mut self, session: &Session) -> Vec<mixdesk_engine::session::pass::LaneEdit> {
        self.engine.as_mut().map(|e| e.take_lane_edits(session)).unwrap_or_default()
    }

    /// Clears a strip's clip indicator.
    pub fn reset_clip(&mut self, strip: StripRef) {
        if let Some(m) = self.meters.get_mut(&strip) {
            m.reset_clip();
        }
    }

    /// Whether any meter is still moving (so the GUI keeps redrawing).
    pub fn meters_active(&self) -> bool {
        self.meters.values().any(|m| m.peak_db().iter().chain(m.hold_db().iter()).any(|d| *d > -100.0))
    }
}

/// A build's result: the graph (none without an engine) and the media that
/// plays silent, or why there is no graph; and the missing media.
type BuildResult = (Result<(GraphSlot, Vec<String>), String>, Vec<Missing>);

/// Opens `session`'s media for streaming, compiles the graph and waits (at
/// most [`READY_WAIT`]) until what plays at `position` is loaded. Runs on a
/// worker thread.
fn build(
    session: &Session,
    dir: &std::path::Path,
    streamer: Option<&Streamer>,
    opening: &Opening,
    position: u64,
) -> BuildResult {
    let missing = missing_media(session, dir);
    let Some(streamer) = streamer else {
        return (Ok((Arc::new(std::sync::Mutex::new(None)), Vec::new())), missing);
    };
    let progress = |done: usize, total: usize| {
        opening.total.store(total, Ordering::Relaxed);
        opening.done.store(done, Ordering::Relaxed);
    };
    let result = prepare_live(session, dir, streamer, 4096, &progress)
        .map(|live| {
            streamer.wait_ready(position, 4096, READY_WAIT);
            (
                Arc::new(std::sync::Mutex::new(Some(live.graph))),
                live.unplayable.iter().map(ToString::to_string).collect(),
            )
        })
        .map_err(|e| e.to_string());
    opening.total.store(0, Ordering::Relaxed);
    (result, missing)
}

fn describe(status: &mixdesk_engine::realtime::DeviceStatus) -> String {
    match &status.device {
        Some(name) => format!("{name} · {} Hz · {} frames", status.sample_rate, status.buffer_frames),
        None if status.sample_rate == 0 => "audio engine not running".to_owned(),
        None => "no audio device, playing silently".to_owned(),
    }
}
