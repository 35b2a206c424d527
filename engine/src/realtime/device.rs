//! The audio device: opening it with cpal, watching it, and the clock-driven
//! null output the engine falls back to when there is none.
//!
//! One manager thread owns whichever output is running. The [`AudioCore`]
//! moves into the cpal callback while a stream runs and comes back when the
//! stream is dropped (the callback's captured slot returns it from its `Drop`),
//! so a device failure never loses the transport, the graph or the meters.
//! Without a device, the manager thread itself calls the core on a clock and
//! tries to open the device again about once a second.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicU8, AtomicU64};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};

use super::core::AudioCore;
use super::message::DeviceEvent;
use super::{DeviceInfo, DeviceStatus, EngineConfig, Shared};

/// Requests from the app to the manager thread.
#[derive(Debug)]
pub(crate) enum Control {
    /// Switch to this device (`None`: the system default).
    SetDevice(Option<String>),
    /// Close everything and end the thread.
    Shutdown,
}

/// How often a missing device is looked for again.
const RETRY: Duration = Duration::from_secs(1);

/// How long a running stream may go without a callback before it counts as lost
/// (long enough for the largest buffer at the lowest common rate, and start-up).
const STALL: Duration = Duration::from_millis(1500);

/// Every output device the system offers.
pub(crate) fn list_devices() -> Result<Vec<DeviceInfo>, String> {
    let host = cpal::default_host();
    let devices = host.output_devices().map_err(|e| e.to_string())?;
    Ok(devices.filter_map(|d| describe(&d)).collect())
}

fn describe(d: &cpal::Device) -> Option<DeviceInfo> {
    let id = d.id().ok()?;
    let name = d.description().map(|x| x.name().to_owned()).unwrap_or_default();
    let id = id.to_string();
    let id = id.split_once(':').map_or(id.as_str(), |(_, rest)| rest).to_owned();
    Some(DeviceInfo { id, name })
}

/// The manager thread's whole life.
pub(crate) struct Manager {
    pub core: Option<Box<AudioCore>>,
    pub config: EngineConfig,
    pub shared: Arc<Shared>,
    pub status: Arc<Mutex<DeviceStatus>>,
    pub notices: Sender<DeviceEvent>,
    pub control: Receiver<Control>,
    /// Signalled once the first attempt to open the device has finished.
    pub ready: Option<Sender<()>>,
    /// The rate the null clock runs at (the last device's, or the session's).
    pub rate: u32,
    pub last_notice: Option<DeviceEvent>,
    /// The running stream's error flag (0: fine; else a code for [`error_text`]).
    pub stream_errors: Option<Arc<AtomicU8>>,
}

/// Why a running output ended.
enum Exit {
    Shutdown,
    Reopen,
    Lost(String),
    Retry,
}

impl Manager {
    pub fn run(mut self) {
        loop {
            let exit = if self.config.null_output {
                self.publish(None, DeviceEvent::NoDevice { reason: "null output requested".into() });
                self.run_null(None)
            } else {
                match self.open() {
                    Ok((stream, name, home)) => {
                        let exit = self.supervise();
                        drop(stream);
                        self.core = Some(wait_for(home));
                        if let Exit::Lost(reason) = &exit {
                            self.publish(None, DeviceEvent::Lost { name, reason: reason.clone() });
                        }
                        exit
                    }
                    Err(reason) => {
                        self.publish(None, DeviceEvent::NoDevice { reason });
                        self.run_null(Some(RETRY))
                    }
                }
            };
            if let Exit::Shutdown = exit {
                return;
            }
        }
    }

    /// Records the state for the app and tells it (once per change).
    fn publish(&mut self, device: Option<(String, u32)>, event: DeviceEvent) {
        {
            let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
            s.device = device.as_ref().map(|(n, _)| n.clone());
            s.sample_rate = self.rate;
            s.buffer_frames = self.config.buffer_frames;
            s.message = event.to_string();
        }
        if self.last_notice.as_ref() != Some(&event) {
            let _ = self.notices.send(event.clone());
            self.last_notice = Some(event);
        }
        if let Some(ready) = self.ready.take() {
            let _ = ready.send(());
        }
    }

    /// Opens the configured device and starts a stream that owns the core.
    #[allow(clippy::type_complexity)]
    fn open(&mut self) -> Result<(cpal::Stream, String, rtrb::Consumer<Box<AudioCore>>), String> {
        let host = cpal::default_host();
        let device = match &self.config.device {
            None => host.default_output_device().ok_or("the system has no default output device")?,
            Some(want) => host
                .output_devices()
                .map_err(|e| e.to_string())?
                .find(|d| describe(d).is_some_and(|i| &i.id == want || &i.name == want))
                .ok_or_else(|| format!("no output device is called '{want}'"))?,
        };
        let info = describe(&device).ok_or("the device disappeared")?;
        let default = device.default_output_config().map_err(|e| e.to_string())?;
        let wanted = self.config.sample_rate;
        let supports = |rate: u32| {
            device.supported_output_configs().is_ok_and(|mut it| {
                it.any(|r| {
                    r.sample_format() == cpal::SampleFormat::F32
                        && r.min_sample_rate() <= rate
                        && rate <= r.max_sample_rate()
                })
            })
        };
        let rate = if supports(wanted) { wanted } else { default.sample_rate() };
        let channels = default.channels().max(1);
        let config = cpal::StreamConfig {
            channels,
            sample_rate: rate,
            buffer_size: cpal::BufferSize::Fixed(self.config.buffer_frames),
        };

        // The core goes into the callback only once the stream exists, through
        // `inbox`; until then a failed build cannot take it with it.
        let (mut inbox_tx, inbox_rx) = rtrb::RingBuffer::new(1);
        let (home_tx, home_rx) = rtrb::RingBuffer::new(1);
        let mut slot = CoreSlot { core: None, inbox: inbox_rx, home: home_tx };
        let errors = Arc::new(AtomicU8::new(0));
        let (errors_cb, shared) = (errors.clone(), self.shared.clone());
        let stream = device.build_output_stream::<f32, _, _>(
            config,
            move |data: &mut [f32], _: &cpal::OutputCallbackInfo| slot.render(data, usize::from(channels)),
            move |e: cpal::Error| on_stream_error(&e, &errors_cb, &shared.xruns),
            None,
        );
        let stream = match stream {
            Ok(s) => s,
            Err(e) => return Err(format!("cannot open '{}': {e}", info.id)),
        };
        let core = self.core.take().expect("the manager holds the core between streams");
        inbox_tx.push(core).expect("a fresh queue of one has room");
        if let Err(e) = stream.play() {
            drop(stream);
            self.core = Some(wait_for(home_rx));
            return Err(format!("cannot start '{}': {e}", info.id));
        }
        self.stream_errors = Some(errors);
        let previous = self.rate;
        self.rate = rate;
        let name = if info.name.is_empty() || info.name == info.id {
            info.id.clone()
        } else {
            format!("{} ({})", info.id, info.name)
        };
        self.publish(
            Some((name.clone(), rate)),
            DeviceEvent::Opened {
                name: name.clone(),
                sample_rate: rate,
                buffer_frames: self.config.buffer_frames,
            },
        );
        if rate != wanted && previous != rate {
            let _ = self.notices.send(DeviceEvent::RateMismatch { session: wanted, device: rate });
        }
        Ok((stream, name, home_rx))
    }

    /// Watches a running stream until it fails or the app asks for something else.
    fn supervise(&mut self) -> Exit {
        let errors = self.stream_errors.take().expect("open sets the error flag");
        let mut callbacks = self.shared.callbacks.load(Relaxed);
        let mut last_callback = Instant::now();
        loop {
            match self.control.recv_timeout(Duration::from_millis(100)) {
                Ok(Control::Shutdown) | Err(RecvTimeoutError::Disconnected) => return Exit::Shutdown,
                Ok(Control::SetDevice(d)) => {
                    self.config.device = d;
                    return Exit::Reopen;
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            let code = errors.load(Relaxed);
            if code != 0 {
                return Exit::Lost(error_text(code).to_owned());
            }
            // Some backends fail silently (an audio server that died): the
            // callbacks just stop. Treat a long silence as a lost device.
            let now = self.shared.callbacks.load(Relaxed);
            if now != callbacks {
                callbacks = now;
                last_callback = Instant::now();
            } else if last_callback.elapsed() > STALL {
                return Exit::Lost("the device stopped asking for audio".into());
            }
        }
    }

    /// Drives the core from a clock at the current rate, for `limit` (or until told otherwise).
    fn run_null(&mut self, limit: Option<Duration>) -> Exit {
        let mut core = self.core.take().expect("the manager holds the core between streams");
        let frames = self.config.buffer_frames as usize;
        let period = Duration::from_secs_f64(frames as f64 / f64::from(self.rate));
        let mut buf = vec![0.0f32; frames * 2];
        let started = Instant::now();
        let mut next = started;
        let exit = loop {
            core.render(&mut buf, 2);
            next += period;
            let now = Instant::now();
            if now > next + period {
                self.shared.xruns.fetch_add(1, Relaxed);
                next = now;
            } else if next > now {
                std::thread::sleep(next - now);
            }
            match self.control.try_recv() {
                Ok(Control::Shutdown) | Err(TryRecvError::Disconnected) => break Exit::Shutdown,
                Ok(Control::SetDevice(d)) => {
                    self.config.device = d;
                    break Exit::Reopen;
                }
                Err(TryRecvError::Empty) => {}
            }
            if limit.is_some_and(|l| now - started >= l) {
                break Exit::Retry;
            }
        };
        self.core = Some(core);
        exit
    }
}

/// Waits for the core to come home from a dropped stream callback.
fn wait_for(mut home: rtrb::Consumer<Box<AudioCore>>) -> Box<AudioCore> {
    loop {
        if let Ok(core) = home.pop() {
            return core;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The core inside a stream callback: it arrives through `inbox` and returns
/// `home` when the callback is dropped.
struct CoreSlot {
    core: Option<Box<AudioCore>>,
    inbox: rtrb::Consumer<Box<AudioCore>>,
    home: rtrb::Producer<Box<AudioCore>>,
}

impl CoreSlot {
    fn render(&mut self, data: &mut [f32], channels: usize) {
        if self.core.is_none() {
            self.core = self.inbox.pop().ok();
        }
        match &mut self.core {
            Some(core) => core.render(data, channels),
            None => data.fill(0.0),
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
fn on_stream_error(e: &cpal::Error, errors: &AtomicU8, xruns: &AtomicU64) {
    use cpal::ErrorKind as K;
    match e.kind() {
        K::Xrun => {
            xruns.fetch_add(1, Relaxed);
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

fn error_text(code: u8) -> &'static str {
    ERROR_TEXTS.get(usize::from(code)).copied().unwrap_or(ERROR_TEXTS[5])
}
