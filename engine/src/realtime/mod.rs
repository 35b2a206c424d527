//! Live playback: the audio thread, the queues to it, the transport and the device.
//!
//! ```text
//! app (EngineHandle) --EngineCommand--> rtrb --> audio thread (AudioCore::render)
//! app (EngineHandle) <--EngineEvent---- rtrb <-- ticks, meters, errors, Garbage
//! app (EngineHandle) <--DeviceEvent---- mpsc <-- manager thread (opens/watches the device)
//! ```
//!
//! [`Engine::start`] opens the output (or the null clock when there is no
//! device) and returns an [`EngineHandle`], the app's only way in. Graphs are
//! compiled on the app's side and sent whole; the replaced graph comes back in
//! the event queue and is dropped by [`EngineHandle::poll`], never on the audio
//! thread.

mod analyst;
mod clock;
mod core;
mod device;
mod message;
mod output;
mod passes;
mod transport;

use std::ops::RangeInclusive;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use thiserror::Error;

pub use self::clock::TransportClock;
pub use self::core::AudioCore;
pub use message::{DeviceEvent, EngineCommand, EngineEvent};

use self::core::RESERVED_EVENTS;
use crate::analysis::tap::{LiveAnalysis, TAP_SLOTS, taps};
use crate::graph::{Gesture, Graph, Record, compile};
use crate::session::pass::{LaneEdit, Pass};
use crate::session::{MeterOptions, ParamId, ProcessorId, Session, StripRef};
use device::{Control, Manager};
use passes::{Passes, RECORD_CAPACITY, lane_edits};

/// Buffer sizes the engine accepts, in frames.
pub const BUFFER_FRAMES: RangeInclusive<u32> = 64..=4096;

/// Capacity of the command queue.
const COMMAND_CAPACITY: usize = 4096;

/// Capacity of the event queue (ticks, meters for hundreds of strips, garbage).
const EVENT_CAPACITY: usize = 16384;

/// How many replaced graphs may be on their way back at once (well inside the reserve).
const MAX_GRAPHS_IN_FLIGHT: usize = RESERVED_EVENTS / 4;

/// How to start the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineConfig {
    /// The output device by id or name (see [`Engine::devices`]); `None` for the system default.
    pub device: Option<String>,
    /// Frames per callback, from 64 to 4096; requested as a fixed size. A
    /// device that does not offer it gets the nearest size it offers, else
    /// its own choice ([`DeviceEvent::BufferChanged`] says so).
    pub buffer_frames: u32,
    /// The session's rate, used if the device supports it.
    pub sample_rate: u32,
    /// Never open a device: run on the clock-driven null output.
    pub null_output: bool,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig { device: None, buffer_frames: 256, sample_rate: 48_000, null_output: false }
    }
}

/// Why the engine cannot start.
#[derive(Debug, Error, PartialEq)]
pub enum EngineError {
    /// The buffer size is outside [`BUFFER_FRAMES`].
    #[error("a buffer of {0} frames is not possible; choose 64 to 4096 frames")]
    BufferSize(u32),
    /// The engine thread could not be started.
    #[error("cannot start the audio engine thread: {0}")]
    Thread(String),
}

/// Why a graph was not sent.
#[derive(Debug, Error, PartialEq)]
pub enum SwapError {
    /// The graph renders at another rate than the engine runs at.
    #[error("the graph is for {graph} Hz but the engine runs at {engine} Hz; recompile it at {engine} Hz")]
    RateMismatch {
        /// The graph's rate.
        graph: u32,
        /// The engine's rate.
        engine: u32,
    },
    /// Too many replaced graphs are still on their way back; poll events and retry.
    #[error("too many graph swaps in flight; poll the engine's events and try again")]
    Busy,
    /// The command queue is full; poll events and retry.
    #[error("the engine's command queue is full")]
    QueueFull,
}

/// An output device the system offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The id to pass as [`EngineConfig::device`] (for ALSA, the PCM name such as `default` or `hw:0,0`).
    pub id: String,
    /// A description for people.
    pub name: String,
}

/// What the engine is playing through, for the app to show.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeviceStatus {
    /// The open device, or `None` when running on the null output.
    pub device: Option<String>,
    /// The rate the engine runs at (graphs must be compiled at it).
    pub sample_rate: u32,
    /// Frames per callback the device runs at (it may differ from the one asked for).
    pub buffer_frames: u32,
    /// The latest device news in words.
    pub message: String,
}

/// Counters the audio thread and the device callbacks update without locks.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// The transport as the disk thread reads it.
    pub clock: Arc<TransportClock>,
    pub xruns: AtomicU64,
    /// Whether the transport was rolling at the last callback (under-runs
    /// count only then).
    pub playing: AtomicBool,
    pub callbacks: AtomicU64,
    pub alloc_violations: AtomicU64,
    pub record_overflows: AtomicU64,
}

/// Counters for diagnostics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// Device under- and overruns while the transport plays (not while
    /// stopped, and never on the internal clock, which is not a device).
    pub xruns: u64,
    /// Audio callbacks run.
    pub callbacks: u64,
    /// Allocations or frees on the audio thread (counted only with the
    /// `alloc-check` feature and `assert_no_alloc`'s allocator installed).
    pub alloc_violations: u64,
    /// Commands that did not fit in the queue.
    pub command_overflows: u64,
    /// Automation samples written while playing that did not fit in their
    /// buffers (the pass still merges; a gap becomes a straight line).
    pub record_overflows: u64,
}

/// Starting the engine.
#[derive(Debug)]
pub struct Engine;

impl Engine {
    /// Opens the output (the configured device, or the null clock when there is
    /// none) and starts playing silence, stopped at position 0, with an empty
    /// graph. Returns once the first attempt to open the device has finished, so
    /// [`EngineHandle::status`] already tells the rate to compile graphs at.
    pub fn start(config: EngineConfig) -> Result<EngineHandle, EngineError> {
        if !BUFFER_FRAMES.contains(&config.buffer_frames) {
            return Err(EngineError::BufferSize(config.buffer_frames));
        }
        let (core, mut handle) = parts(config.sample_rate, config.buffer_frames);
        let (control_tx, control_rx) = mpsc::channel();
        let (notice_tx, notice_rx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        let manager = Manager {
            core: Some(core),
            rate: config.sample_rate,
            buffer: config.buffer_frames,
            config,
            shared: handle.shared.clone(),
            status: handle.status.clone(),
            notices: notice_tx,
            control: control_rx,
            ready: Some(ready_tx),
            last_notice: None,
        };
        let thread = std::thread::Builder::new()
            .name("mixdesk-audio".into())
            .spawn(move || manager.run())
            .map_err(|e| EngineError::Thread(e.to_string()))?;
        let _ = ready_rx.recv();
        handle.control = Some(control_tx);
        handle.notices = Some(notice_rx);
        handle.thread = Some(thread);
        handle.analyst = analyst::Analyst::start(&handle.analysis);
        Ok(handle)
    }

    /// An engine with no output at all: the caller drives the audio callback by
    /// hand through the returned [`AudioCore`] (tests and benchmarks run the real
    /// callback path this way, deterministically).
    pub fn manual(sample_rate: u32, buffer_frames: u32) -> (EngineHandle, AudioCore) {
        let (core, handle) = parts(sample_rate, buffer_frames);
        (handle, *core)
    }

    /// The output devices the system offers.
    pub fn devices() -> Result<Vec<DeviceInfo>, String> {
        device::list_devices()
    }
}

fn parts(sample_rate: u32, buffer_frames: u32) -> (Box<AudioCore>, EngineHandle) {
    let (cmd_tx, cmd_rx) = rtrb::RingBuffer::new(COMMAND_CAPACITY);
    let (ev_tx, ev_rx) = rtrb::RingBuffer::new(EVENT_CAPACITY);
    let (rec_tx, rec_rx) = rtrb::RingBuffer::<Record>::new(RECORD_CAPACITY);
    let shared = Arc::new(Shared::default());
    let empty = compile(&Session::new(sample_rate), &|_| None, self::core::MAX_RUN)
        .expect("an empty session always compiles");
    let (tap_writer, analysis) = taps(sample_rate);
    let (monitor_tx, monitor_rx) = rtrb::RingBuffer::new(crate::monitor::PROGRAM_CAPACITY);
    let monitor = crate::monitor::MonitorStage::new(monitor_rx, sample_rate, self::core::MAX_RUN);
    let params = empty.param_map();
    let core = Box::new(AudioCore::new(
        Box::new(empty),
        cmd_rx,
        ev_tx,
        rec_tx,
        sample_rate,
        shared.clone(),
        tap_writer,
        monitor,
    ));
    let status = DeviceStatus { device: None, sample_rate, buffer_frames, message: "driven by hand".into() };
    let handle = EngineHandle {
        commands: cmd_tx,
        events: ev_rx,
        notices: None,
        control: None,
        status: Arc::new(Mutex::new(status)),
        shared,
        thread: None,
        graphs_in_flight: 0,
        command_overflows: 0,
        analysis: Arc::new(Mutex::new(analysis)),
        analyst: None,
        records: rec_rx,
        passes: Passes::default(),
        params,
        monitor: monitor_tx,
        has_reference: false,
    };
    (core, handle)
}

/// The app's side of the engine. Dropping it stops the audio.
#[derive(Debug)]
pub struct EngineHandle {
    commands: rtrb::Producer<EngineCommand>,
    events: rtrb::Consumer<EngineEvent>,
    notices: Option<mpsc::Receiver<DeviceEvent>>,
    control: Option<mpsc::Sender<Control>>,
    status: Arc<Mutex<DeviceStatus>>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    graphs_in_flight: usize,
    command_overflows: u64,
    analysis: analyst::Shared,
    /// The thread that runs the analysis (none when driven by hand).
    analyst: Option<analyst::Analyst>,
    records: rtrb::Consumer<Record>,
    passes: Passes,
    /// The parameter slots of the graph sent last.
    params: crate::control::ParamMap,
    /// Programs for the monitor section.
    monitor: rtrb::Producer<crate::monitor::MonitorProgram>,
    /// Whether the audio thread holds a reference graph (it comes back when replaced).
    has_reference: bool,
}

impl EngineHandle {
    /// Queues a command. A full queue hands it back and counts an overflow.
    pub fn send(&mut self, command: EngineCommand) -> Result<(), EngineCommand> {
        match self.commands.push(command) {
            Ok(()) => Ok(()),
            Err(rtrb::PushError::Full(c)) => {
                self.command_overflows += 1;
                Err(c)
            }
        }
    }

    /// Sends the monitor section a new program (from
    /// [`MonitorSettings::program`](crate::monitor::MonitorSettings::program));
    /// the audio thread crossfades to it. False if its queue is full (poll
    /// and retry; the newest program sent wins).
    pub fn set_monitor(&mut self, program: crate::monitor::MonitorProgram) -> bool {
        self.monitor.push(program).is_ok()
    }

    /// Sends the reference track's graph for the monitor section (compiled
    /// at the engine's rate from a one-track session of the file), or takes
    /// it away. The replaced one comes back through [`EngineHandle::poll`].
    pub fn set_reference(&mut self, graph: Option<Graph>) -> Result<(), SwapError> {
        let engine = self.status().sample_rate;
        if let Some(g) = &graph
            && g.sample_rate() != engine
        {
            return Err(SwapError::RateMismatch { graph: g.sample_rate(), engine });
        }
        if self.graphs_in_flight >= MAX_GRAPHS_IN_FLIGHT {
            return Err(SwapError::Busy);
        }
        let sending = graph.is_some();
        if self.send(EngineCommand::SetReference(graph.map(Box::new))).is_err() {
            return Err(SwapError::QueueFull);
        }
        if std::mem::replace(&mut self.has_reference, sending) {
            self.graphs_in_flight += 1;
        }
        Ok(())
    }

    /// Sends the monitor a user impulse response (loaded off the audio
    /// thread, [`crate::monitor::IrConvolver::load`]) or takes it away; it
    /// is heard while the monitor program's `ir` is on. False if the command
    /// queue is full. The replaced one comes back through [`EngineHandle::poll`].
    pub fn set_monitor_ir(&mut self, ir: Option<crate::monitor::IrConvolver>) -> bool {
        self.send(EngineCommand::SetMonitorIr(ir.map(Box::new))).is_ok()
    }

    /// Starts playing.
    pub fn play(&mut self) {
        let _ = self.send(EngineCommand::Play);
    }

    /// Stops.
    pub fn stop(&mut self) {
        let _ = self.send(EngineCommand::Stop);
    }

    /// Moves the playhead to a sample position.
    pub fn seek(&mut self, position: u64) {
        let _ = self.send(EngineCommand::Seek(position));
    }

    /// Sets the loop range and whether playback loops.
    pub fn set_loop(&mut self, range: Option<(u64, u64)>, enabled: bool) {
        let _ = self.send(EngineCommand::SetLoop { range, enabled });
    }

    /// Where playback stops by itself when it is not looping (the session's
    /// end, in samples at the engine's rate); `None` rolls on past it.
    pub fn set_end(&mut self, end: Option<u64>) {
        let _ = self.send(EngineCommand::SetEnd(end));
    }

    /// Moves a control to a value (smoothed on the audio thread): written
    /// into the parameter's slot of the graph sent last, where a later value
    /// replaces one not yet played (see [`crate::control`]). False if that
    /// graph has no such parameter.
    pub fn set_param(&mut self, id: ParamId, value: f64) -> bool {
        self.params.set(id, value)
    }

    /// The parameters of the graph sent last, by slot.
    pub fn params(&self) -> &crate::control::ParamMap {
        &self.params
    }

    fn gesture(&mut self, param: ParamId, g: Gesture) {
        if let Some(slot) = self.params.slot(param) {
            let _ = self.send(EngineCommand::Gesture(slot, g));
        }
    }

    /// A control was grabbed at `value` (in Trim mode: an offset in the
    /// parameter's unit, usually 0). In Touch, Latch, Write and Trim mode the
    /// engine writes what it plays from now on (see [`EngineHandle::take_lane_edits`]);
    /// in Read or Off mode, or without a lane, this is [`EngineHandle::set_param`].
    /// The audio thread applies it at the transport position it is at when it
    /// reads it (the start of its next callback).
    pub fn touch_begin(&mut self, param: ParamId, value: f64) {
        self.gesture(param, Gesture::Begin(value));
    }

    /// The held control moved to `value` (Trim mode: offset). Stamped like
    /// [`EngineHandle::touch_begin`]; outside a gesture it begins one.
    pub fn touch_value(&mut self, param: ParamId, value: f64) {
        self.gesture(param, Gesture::Value(value));
    }

    /// The control was let go: Touch glides back to the lane (Trim: the
    /// offset back to 0) over [`TOUCH_GLIDE_SECONDS`](crate::session::pass::TOUCH_GLIDE_SECONDS),
    /// Latch keeps writing until stop, Write until stop.
    pub fn touch_end(&mut self, param: ParamId) {
        self.gesture(param, Gesture::End);
    }

    /// The recording passes completed (the transport stopped after them)
    /// since the last call, raw, oldest first.
    pub fn take_passes(&mut self) -> Vec<Pass> {
        self.collect_records();
        self.passes.take()
    }

    /// The completed passes merged into `session`'s lanes as they are now
    /// ([`merge_pass`](crate::session::pass::merge_pass)): one undoable edit
    /// per lane, to apply to the session and then recompile the graph.
    pub fn take_lane_edits(&mut self, session: &Session) -> Vec<LaneEdit> {
        let passes = self.take_passes();
        lane_edits(passes, session)
    }

    fn collect_records(&mut self) {
        while let Ok(r) = self.records.pop() {
            self.passes.take_in(r);
        }
    }

    /// Mutes or unmutes a strip.
    pub fn set_mute(&mut self, strip: StripRef, mute: bool) {
        let _ = self.send(EngineCommand::SetMute(strip, mute));
    }

    /// Solos or unsolos a strip.
    pub fn set_solo(&mut self, strip: StripRef, solo: bool) {
        let _ = self.send(EngineCommand::SetSolo(strip, solo));
    }

    /// Bypasses an insert processor or brings it back (crossfaded in 5 ms).
    pub fn set_bypass(&mut self, processor: ProcessorId, bypassed: bool) {
        let _ = self.send(EngineCommand::SetBypass(processor, bypassed));
    }

    /// Sets where a strip's meter measures and whether it reads true peak.
    pub fn set_meter(&mut self, strip: StripRef, options: MeterOptions) {
        let _ = self.send(EngineCommand::SetMeter(strip, options));
    }

    /// Analyses a strip's output in tap `slot` (0 to [`TAP_SLOTS`] - 1) for an
    /// overlaid spectrum, or stops the tap with `None`. False if the slot is
    /// out of range or the queue is full.
    pub fn set_tap(&mut self, slot: usize, strip: Option<StripRef>) -> bool {
        if slot >= TAP_SLOTS || self.send(EngineCommand::SetTap { slot, strip }).is_err() {
            return false;
        }
        analyst::lock(&self.analysis).set_source(slot, strip);
        true
    }

    /// The live analysis of the master (loudness, spectrum) and the tapped
    /// strips: as of the analysis thread's last pass (every 20 ms), or of the
    /// last [`EngineHandle::poll`] for an engine driven by hand. Also to reset
    /// the loudness or change the spectrum's smoothing. Hold it only to copy
    /// out what is needed: the analysis thread waits while it is held.
    pub fn analysis(&self) -> MutexGuard<'_, LiveAnalysis> {
        analyst::lock(&self.analysis)
    }

    /// Sends a new graph, compiled at [`DeviceStatus::sample_rate`], to replace
    /// the playing one at the next block boundary.
    pub fn swap_graph(&mut self, graph: Graph) -> Result<(), SwapError> {
        let engine = self.status().sample_rate;
        if graph.sample_rate() != engine {
            return Err(SwapError::RateMismatch { graph: graph.sample_rate(), engine });
        }
        if self.graphs_in_flight >= MAX_GRAPHS_IN_FLIGHT {
            return Err(SwapError::Busy);
        }
        let params = graph.param_map();
        match self.send(EngineCommand::SwapGraph(Box::new(graph))) {
            Ok(()) => {
                self.params = params;
                self.graphs_in_flight += 1;
                Ok(())
            }
            Err(_) => Err(SwapError::QueueFull),
        }
    }

    /// Hands every pending event to `f`, oldest first: the audio thread's, then
    /// device news. Returned graphs are dropped here and not passed on. Also
    /// takes in the automation written, and (only for an engine driven by
    /// hand, which has no analysis thread) the audio tapped for the analysis.
    pub fn poll(&mut self, mut f: impl FnMut(EngineEvent)) {
        if self.analyst.is_none() {
            analyst::lock(&self.analysis).drain();
        }
        self.collect_records();
        while let Ok(event) = self.events.pop() {
            match event {
                EngineEvent::Garbage(graph) => {
                    self.graphs_in_flight = self.graphs_in_flight.saturating_sub(1);
                    drop(graph);
                }
                EngineEvent::IrGarbage(ir) => drop(ir),
                other => f(other),
            }
        }
        if let Some(notices) = &self.notices {
            while let Ok(n) = notices.try_recv() {
                f(EngineEvent::Device(n));
            }
        }
    }

    /// What the engine is playing through.
    pub fn status(&self) -> DeviceStatus {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Switches to another output device (`None`: the system default).
    pub fn set_device(&mut self, device: Option<String>) {
        if let Some(c) = &self.control {
            let _ = c.send(Control::SetDevice(device));
        }
    }

    /// Replaced graphs not yet returned by the audio thread.
    pub fn graphs_in_flight(&self) -> usize {
        self.graphs_in_flight
    }

    /// The transport as other threads read it (the disk streamer follows the
    /// playhead through it).
    pub fn transport_clock(&self) -> Arc<TransportClock> {
        Arc::clone(&self.shared.clock)
    }

    /// Counters for diagnostics and tests.
    pub fn counters(&self) -> Counters {
        Counters {
            xruns: self.shared.xruns.load(Relaxed),
            callbacks: self.shared.callbacks.load(Relaxed),
            alloc_violations: self.shared.alloc_violations.load(Relaxed),
            command_overflows: self.command_overflows,
            record_overflows: self.shared.record_overflows.load(Relaxed),
        }
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        if let Some(c) = self.control.take() {
            let _ = c.send(Control::Shutdown);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.analyst = None;
    }
}
