//! Opening an output stream on what the device offers, and the callback that
//! carries the [`AudioCore`] into it.
//!
//! - Rate: the session's if the device runs at it, else the rate the engine
//!   already runs at (graphs compiled for it stay valid), else the device's
//!   default (the app then recompiles, see [`super::DeviceStatus::sample_rate`]).
//! - Buffer: the size asked for when the device takes it, else the nearest it
//!   takes (a JACK server with 1024-frame periods refuses 256), else the
//!   device's own choice; the caller says so ([`DeviceEvent::BufferChanged`]).
//!   The range a device advertises is not to be trusted (ALSA's `plug`
//!   advertises 85 to 2^29 frames in front of a JACK server that takes only
//!   its period), so sizes are tried: the one asked for; then, when the
//!   refusal names the range the device really takes ("... not in the
//!   supported range 1024..=65536", cpal's ALSA backend), the nearest size in
//!   it; then doubling up to [`LARGEST_BUFFER`], then halving down to
//!   [`BUFFER_FRAMES`]' smallest; then the device's own choice.
//! - Pace: a device with no clock of its own (ALSA's null PCM) calls back as
//!   fast as it is fed, 50 to 200 times real time, and would run the
//!   transport past the end in a moment. The callback compares the frames it
//!   was asked for with the wall clock since the stream started; when they
//!   run ahead by more than half again plus a few buffers, it stops rendering
//!   (silence, the transport held) and raises a flag for the manager, which
//!   drops the stream and plays on its own clock-driven null output (see
//!   `device`). The audio thread never sleeps to pace itself: that would
//!   block, and only a device that is not one needs it.
//!
//! [`DeviceEvent::BufferChanged`]: super::DeviceEvent::BufferChanged

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32};
use std::time::Instant;

use cpal::traits::{DeviceTrait, StreamTrait};

use super::Shared;
use super::core::AudioCore;

/// A stream that is playing, with what it settled on.
pub(crate) struct Opened {
    pub stream: cpal::Stream,
    /// Where the core comes back when the stream is dropped.
    pub home: rtrb::Consumer<Box<AudioCore>>,
    /// The rate it runs at.
    pub rate: u32,
    /// Frames per callback.
    pub buffer: u32,
    /// The size asked for was refused (the one used is in `buffer`).
    pub buffer_changed: bool,
    /// The stream's error flag (0: fine; else a code for [`error_text`]).
    pub errors: Arc<AtomicU8>,
    /// Set by the callback when the device does not keep time.
    pub unpaced: Arc<Pace>,
}

/// What the callback found about the device's pace.
#[derive(Debug, Default)]
pub(crate) struct Pace {
    /// The device took audio faster than real time.
    pub tripped: AtomicBool,
    /// How much faster (f32 bits).
    speed: AtomicU32,
}

impl Pace {
    /// How much faster than real time the device took audio.
    pub fn speed(&self) -> f32 {
        f32::from_bits(self.speed.load(Relaxed))
    }
}

/// Opens `device` for `core` (which moves into the callback once the stream
/// runs; on failure it is handed back in the error), at the first of `rates`
/// it offers.
pub(crate) fn open(
    device: &cpal::Device,
    id: &str,
    mut core: Box<AudioCore>,
    rates: [u32; 2],
    buffer: u32,
    shared: &Arc<Shared>,
) -> Result<Opened, (Box<AudioCore>, String)> {
    let default = match device.default_output_config() {
        Ok(c) => c,
        Err(e) => return Err((core, e.to_string())),
    };
    let channels = default.channels().max(1);
    let offered = |rate: u32| {
        device.supported_output_configs().is_ok_and(|mut it| {
            it.any(|r| {
                r.sample_format() == cpal::SampleFormat::F32
                    && r.min_sample_rate() <= rate
                    && rate <= r.max_sample_rate()
            })
        })
    };
    let rate = rates.iter().copied().find(|&r| offered(r)).unwrap_or(default.sample_rate());
    let was = core.rate();

    // The core goes into the callback only once the stream exists, through
    // `inbox`; until then a failed build cannot take it with it.
    let mut last_error = String::new();
    let mut sizes = buffer_sizes(buffer);
    let mut tried = Vec::new();
    while !sizes.is_empty() {
        let size = sizes.remove(0);
        if tried.contains(&size) {
            continue;
        }
        tried.push(size);
        let config = cpal::StreamConfig { channels, sample_rate: rate, buffer_size: size };
        let (mut inbox_tx, inbox_rx) = rtrb::RingBuffer::new(1);
        let (home_tx, home_rx) = rtrb::RingBuffer::new(1);
        let pace = Arc::new(Pace::default());
        let mut slot =
            CoreSlot { core: None, inbox: inbox_rx, home: home_tx, clock: Clock::new(rate, pace.clone()) };
        let errors = Arc::new(AtomicU8::new(0));
        let (errors_cb, shared_cb) = (errors.clone(), shared.clone());
        let stream = device.build_output_stream::<f32, _, _>(
            config,
            move |data: &mut [f32], _: &cpal::OutputCallbackInfo| slot.render(data, usize::from(channels)),
            move |e: cpal::Error| on_stream_error(&e, &errors_cb, &shared_cb),
            None,
        );
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                let text = e.to_string();
                if let Some((min, max)) = range_in(&text) {
                    sizes.insert(0, cpal::BufferSize::Fixed(buffer.clamp(min, max)));
                }
                last_error = format!("cannot open '{id}': {text}");
                continue;
            }
        };
        core.set_rate(rate);
        inbox_tx.push(core).expect("a fresh queue of one has room");
        if let Err(e) = stream.play() {
            drop(stream);
            let mut core = wait_for(home_rx);
            core.set_rate(was);
            return Err((core, format!("cannot start '{id}': {e}")));
        }
        let used = match (stream.buffer_size(), size) {
            (Ok(n), _) | (Err(_), cpal::BufferSize::Fixed(n)) => n,
            (Err(_), cpal::BufferSize::Default) => buffer,
        };
        let buffer_changed = size != cpal::BufferSize::Fixed(buffer);
        return Ok(Opened {
            stream,
            home: home_rx,
            rate,
            buffer: used,
            buffer_changed,
            errors,
            unpaced: pace,
        });
    }
    Err((core, last_error))
}

/// The largest buffer tried before leaving the size to the device (16384
/// frames, a third of a second at 48 kHz).
pub(crate) const LARGEST_BUFFER: u32 = 16_384;

/// The buffer sizes to try, in order (see the module documentation).
fn buffer_sizes(wanted: u32) -> Vec<cpal::BufferSize> {
    let mut sizes = vec![wanted];
    let mut up = wanted.next_power_of_two();
    while up <= LARGEST_BUFFER {
        if up > wanted {
            sizes.push(up);
        }
        up *= 2;
    }
    let mut down = wanted / 2;
    while down >= *super::BUFFER_FRAMES.start() {
        sizes.push(down);
        down /= 2;
    }
    let mut sizes: Vec<cpal::BufferSize> = sizes.into_iter().map(cpal::BufferSize::Fixed).collect();
    sizes.push(cpal::BufferSize::Default);
    sizes
}

/// The range in a refusal like "Buffer size 256 is not in the supported
/// range 557..=35666" (an optimisation: without it the sizes are still tried).
fn range_in(text: &str) -> Option<(u32, u32)> {
    let (min, max) = text.split("range ").nth(1)?.split_once("..=")?;
    let max: String = max.chars().take_while(char::is_ascii_digit).collect();
    let (min, max) = (min.trim().parse().ok()?, max.parse().ok()?);
    (min <= max).then_some((min, max))
}

/// Waits for the core to come home from a dropped stream callback.
pub(crate) fn wait_for(mut home: rtrb::Consumer<Box<AudioCore>>) -> Box<AudioCore> {
    loop {
        if let Ok(core) = home.pop() {
            return core;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// The wall clock against which a device's pace is checked (see the module documentation).
struct Clock {
    rate: f64,
    /// Frames a device may run ahead of real time before the ratio counts:
    /// its start-up fill (two periods in cpal's ALSA backend) and jitter:
    /// four of its largest callbacks and 50 ms.
    slack: f64,
    started: Option<Instant>,
    frames: u64,
    pace: Arc<Pace>,
}

/// How much faster than real time a device may take audio before it counts
/// as having no clock (a real device is within a fraction of a percent).
const MAX_SPEED: f64 = 1.5;

impl Clock {
    fn new(rate: u32, pace: Arc<Pace>) -> Clock {
        Clock { rate: f64::from(rate), slack: 0.0, started: None, frames: 0, pace }
    }

    /// Whether `frames` more keep the device within real time. Realtime-safe.
    fn allows(&mut self, frames: usize) -> bool {
        if self.pace.tripped.load(Relaxed) {
            return false;
        }
        self.slack = self.slack.max(4.0 * frames as f64 + self.rate / 20.0);
        let now = Instant::now();
        let elapsed = now.duration_since(*self.started.get_or_insert(now)).as_secs_f64();
        let asked = (self.frames + frames as u64) as f64;
        if asked > MAX_SPEED * self.rate * elapsed + self.slack {
            let speed = asked / (self.rate * elapsed).max(1.0);
            self.pace.speed.store((speed as f32).to_bits(), Relaxed);
            self.pace.tripped.store(true, Relaxed);
            return false;
        }
        self.frames += frames as u64;
        true
    }
}

/// The core inside a stream callback: it arrives through `inbox` and returns
/// `home` when the callback is dropped.
struct CoreSlot {
    core: Option<Box<AudioCore>>,
    inbox: rtrb::Consumer<Box<AudioCore>>,
    home: rtrb::Producer<Box<AudioCore>>,
    clock: Clock,
}

impl CoreSlot {
    /// The stream callback. Realtime-safe.
    fn render(&mut self, data: &mut [f32], channels: usize) {
        if self.core.is_none() {
            self.core = self.inbox.pop().ok();
        }
        match &mut self.core {
            Some(core) if self.clock.allows(data.len() / channels.max(1)) => core.render(data, channels),
            _ => data.fill(0.0),
        }
    }
}

impl Drop for CoreSlot {
    fn drop(&mut self) {
        if let Some(core) = self.core.take().or_else(|| self.inbox.pop().ok()) {
            let _ = self.home.push(core);
        }
    }
}

/// The stream's error callback (it may run on the audio thread: atomics only).
/// An under-run counts only while the transport plays: one while stopped
/// (silence) is heard by no one.
fn on_stream_error(e: &cpal::Error, errors: &AtomicU8, shared: &Shared) {
    use cpal::ErrorKind as K;
    match e.kind() {
        K::Xrun => {
            if shared.playing.load(Relaxed) {
                shared.xruns.fetch_add(1, Relaxed);
            }
        }
        K::DeviceChanged | K::RealtimeDenied => {}
        kind => errors.store(error_code(kind), Relaxed),
    }
}

const ERROR_TEXTS: [&str; 6] = [
    "",
    "the device was disconnected",
    "the audio server stopped",
    "the stream must be reopened",
    "the audio backend reported an error",
    "an unknown stream error",
];

fn error_code(kind: cpal::ErrorKind) -> u8 {
    use cpal::ErrorKind as K;
    match kind {
        K::DeviceNotAvailable => 1,
        K::HostUnavailable => 2,
        K::StreamInvalidated => 3,
        K::BackendError => 4,
        _ => 5,
    }
}

/// The words for an error code of the stream's error flag.
pub(crate) fn error_text(code: u8) -> &'static str {
    ERROR_TEXTS.get(usize::from(code)).copied().unwrap_or(ERROR_TEXTS[5])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_tried_from_the_one_asked_for_up_then_down() {
        let fixed = |v: &[u32]| v.iter().map(|n| cpal::BufferSize::Fixed(*n)).collect::<Vec<_>>();
        let mut want = fixed(&[256, 512, 1024, 2048, 4096, 8192, 16_384, 128, 64]);
        want.push(cpal::BufferSize::Default);
        assert_eq!(buffer_sizes(256), want);
        assert_eq!(buffer_sizes(300)[..3], fixed(&[300, 512, 1024]));
        let refusal = "Buffer size 256 is not in the supported range 557..=35666";
        assert_eq!(range_in(refusal), Some((557, 35_666)));
        assert_eq!(range_in("The requested stream configuration is not supported"), None);
    }

    #[test]
    fn a_device_far_ahead_of_the_clock_trips_and_one_in_time_does_not() {
        let pace = Arc::new(Pace::default());
        let mut clock = Clock::new(48_000, pace.clone());
        // The start-up fill of a real device: two periods at once.
        assert!(clock.allows(256) && clock.allows(256));
        assert!(!pace.tripped.load(Relaxed));
        // A null output: a second of audio asked for at once.
        let mut tripped_after = 0;
        for i in 0..200 {
            if !clock.allows(256) {
                tripped_after = i;
                break;
            }
        }
        assert!(pace.tripped.load(Relaxed), "200 buffers in no time did not trip it");
        assert!(tripped_after < 20, "tripped after {tripped_after} buffers");
        assert!(pace.speed() > 10.0, "{}", pace.speed());
        assert!(!clock.allows(1), "stays tripped");
    }
}
