//! What travels between the app and the audio thread.
//!
//! Both directions are fixed-capacity rtrb queues. Commands are small and
//! realtime-safe to receive; the only heap object that crosses is a whole
//! [`Graph`], which goes in as [`EngineCommand::SwapGraph`] and comes back as
//! [`EngineEvent::Garbage`] so that it is freed on the app's side.

use crate::analysis::MeterReading;
use crate::graph::{Gesture, Graph};
use crate::session::{MeterOptions, ProcessorId, StripRef};

/// A request to the audio thread.
#[derive(Debug)]
pub enum EngineCommand {
    /// Start playing from the current position (fades in).
    Play,
    /// Stop (fades out, then holds the position where the fade ended).
    Stop,
    /// Move the playhead to a timeline sample (fades out and in while playing).
    Seek(u64),
    /// Set the loop range `[start, end)` in samples and whether playback loops.
    SetLoop {
        /// The range; `None` clears it.
        range: Option<(u64, u64)>,
        /// Whether playback wraps at the range's end.
        enabled: bool,
    },
    /// Where playback stops by itself when not looping (the session's end), in
    /// samples; `None`: it rolls on.
    SetEnd(Option<u64>),
    /// A hand on the control in a slot of the graph sent last (see
    /// [`crate::control`]): applied at the transport position the audio
    /// thread is at when it reads the command; written into the parameter's
    /// lane in Touch, Latch, Write and Trim mode, else like a value written
    /// into the slot. Values themselves do not travel here: they go through
    /// the control plane, latest wins.
    Gesture(usize, Gesture),
    /// Mute or unmute a strip (declicked).
    SetMute(StripRef, bool),
    /// Solo or unsolo a strip (declicked; solo-in-place).
    SetSolo(StripRef, bool),
    /// Invert a strip's polarity or not (declicked).
    SetPolarity(StripRef, bool),
    /// Bypass an insert processor or bring it back (crossfaded).
    SetBypass(ProcessorId, bool),
    /// Set where a strip's meter measures and whether it reads true peak.
    SetMeter(StripRef, MeterOptions),
    /// Feed analysis tap `slot` (0 to [`TAP_SLOTS`](crate::analysis::tap::TAP_SLOTS) - 1) from a strip's output, or stop it.
    SetTap {
        /// The tap.
        slot: usize,
        /// The strip to analyse; `None` stops the tap.
        strip: Option<StripRef>,
    },
    /// Replace the render graph at the next block boundary; the old one comes back as garbage.
    SwapGraph(Box<Graph>),
    /// The reference track's graph for the monitor section (compiled from a
    /// one-track session of the reference file), or none; the old one comes
    /// back as garbage. The monitor plays it instead of the mix when asked.
    SetReference(Option<Box<Graph>>),
    /// The monitor's user impulse response, or none; the old one comes back
    /// as [`EngineEvent::IrGarbage`].
    SetMonitorIr(Option<Box<crate::monitor::IrConvolver>>),
}

/// A report from the audio thread (or, for [`EngineEvent::Device`], from the
/// thread that manages the audio device).
#[derive(Debug)]
pub enum EngineEvent {
    /// Sent once per audio callback.
    Tick {
        /// The playhead, in samples at `sample_rate`.
        position: u64,
        /// The rate the engine runs at (it changes when the device comes back
        /// at another rate; see [`DeviceEvent::RateMismatch`]).
        sample_rate: u32,
        /// Whether the transport is rolling (or fading in or out).
        playing: bool,
        /// Callback time over the buffer's duration (1.0 = all the time there was).
        load: f32,
        /// Buffer under- and overruns reported by the device since the engine started.
        xruns: u64,
        /// Events that did not fit in the queue since the engine started.
        dropped_events: u64,
    },
    /// A strip's level over the last metering period (about 20 ms), measured
    /// where its meter is set (post-fader unless chosen otherwise).
    Meter {
        /// Which strip.
        strip: StripRef,
        /// Peak, mean square and (where measured) true peak per channel.
        reading: MeterReading,
    },
    /// A dynamics processor's gain reduction now (sent with the meters).
    GainReduction {
        /// Which processor.
        processor: ProcessorId,
        /// Gain reduction in dB (0 or more).
        db: f32,
    },
    /// NaN or infinite samples were replaced with silence.
    NonFinite {
        /// The strip whose output held them.
        strip: StripRef,
        /// How many samples.
        samples: u64,
    },
    /// An insert now adds another latency than the graph compensates (a
    /// plugin's lookahead followed a parameter): compile a new graph (sent
    /// once per graph).
    LatencyChanged(crate::graph::LatencyChange),
    /// A command named a strip the current graph does not have.
    UnknownStrip(StripRef),
    /// A command named a processor the current graph does not have.
    UnknownProcessor(ProcessorId),
    /// A replaced graph, to be dropped away from the audio thread.
    Garbage(Box<Graph>),
    /// A replaced impulse response, to be dropped away from the audio thread.
    IrGarbage(Box<crate::monitor::IrConvolver>),
    /// The audio device changed state.
    Device(DeviceEvent),
}

/// Audio device news, in words the app can show.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceEvent {
    /// Playing through a device.
    Opened {
        /// The device's name.
        name: String,
        /// The rate it runs at.
        sample_rate: u32,
        /// Frames per callback requested.
        buffer_frames: u32,
    },
    /// No usable device: the engine runs on a clock-driven null output.
    NoDevice {
        /// Why, in words.
        reason: String,
    },
    /// The device failed or disappeared; the engine keeps its state, runs on the
    /// null output and reopens the device when it comes back.
    Lost {
        /// The device's name.
        name: String,
        /// What happened.
        reason: String,
    },
    /// The device cannot use the buffer size asked for; the engine uses one it
    /// offers.
    BufferChanged {
        /// The device's name.
        name: String,
        /// The frames per callback asked for.
        requested: u32,
        /// The frames per callback used.
        used: u32,
    },
    /// The device takes audio faster than real time (it has no clock of its
    /// own, like ALSA's null PCM): the engine plays on its internal clock
    /// instead, paced, and does not try that device again until asked to.
    Unpaced {
        /// The device's name.
        name: String,
        /// How much faster than real time it took audio.
        speed: f32,
    },
    /// The device cannot run at the session's rate; the engine runs at the
    /// device's rate and media must be resampled to it.
    RateMismatch {
        /// The session's rate.
        session: u32,
        /// The device's rate.
        device: u32,
    },
}

impl std::fmt::Display for DeviceEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeviceEvent::Opened { name, sample_rate, buffer_frames } => {
                write!(f, "playing through '{name}' at {sample_rate} Hz, {buffer_frames}-frame buffers")
            }
            DeviceEvent::NoDevice { reason } => {
                write!(f, "no audio device ({reason}); playing silently on the internal clock")
            }
            DeviceEvent::Lost { name, reason } => write!(
                f,
                "audio device '{name}' stopped ({reason}); playing silently on the internal clock \
                 and reopening it when it comes back"
            ),
            DeviceEvent::BufferChanged { name, requested, used } => write!(
                f,
                "audio device '{name}' cannot use {requested}-frame buffers; using {used}-frame buffers, \
                 the nearest it takes"
            ),
            DeviceEvent::Unpaced { name, speed } => write!(
                f,
                "audio device '{name}' does not keep time (it took audio {speed:.0}x faster than real \
                 time, so it has no clock: a null output?); playing silently on the internal clock \
                 instead. Choose another device to hear the mix"
            ),
            DeviceEvent::RateMismatch { session, device } => write!(
                f,
                "the device cannot run at the session's {session} Hz; playing at {device} Hz with the \
                 media resampled"
            ),
        }
    }
}
