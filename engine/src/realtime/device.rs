//! The audio device: the manager thread that opens it, watches it, reopens it
//! when it comes back, and the clock-driven null output the engine falls back
//! to when there is none.
//!
//! One manager thread owns whichever output is running. The [`AudioCore`]
//! moves into the cpal callback while a stream runs and comes back when the
//! stream is dropped (the callback's captured slot returns it from its `Drop`),
//! so a device failure never loses the transport, the graph or the meters.
//! Without a device, the manager thread itself calls the core on a clock and
//! tries to open the device again about once a second, taking whatever rate
//! and buffer size it comes back with (see `output`). A device that does not
//! keep time is not tried again until the app picks a device.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait};

use super::core::AudioCore;
use super::message::DeviceEvent;
use super::output::{self, Opened, error_text, wait_for};
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

/// Every output device the system offers, the default one first (it is what
/// `play` and the window use without a choice, and an ALSA configuration
/// without hints lists nothing else).
pub(crate) fn list_devices() -> Result<Vec<DeviceInfo>, String> {
    let host = cpal::default_host();
    let mut list: Vec<DeviceInfo> =
        host.output_devices().map_err(|e| e.to_string())?.filter_map(|d| describe(&d)).collect();
    let usable_default =
        host.default_output_device().filter(|d| d.default_output_config().is_ok()).and_then(|d| describe(&d));
    if let Some(d) = usable_default
        && !list.iter().any(|x| x.id == d.id)
    {
        list.insert(0, d);
    }
    Ok(list)
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
    /// The rate the engine runs at (the last device's, or the session's).
    pub rate: u32,
    /// Frames per callback of the running output.
    pub buffer: u32,
    pub last_notice: Option<DeviceEvent>,
}

/// Why a running output ended.
enum Exit {
    Shutdown,
    Reopen,
    Lost(String),
    Unpaced(f32),
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
                    Ok((opened, name)) => {
                        let Opened { stream, home, errors, unpaced, .. } = opened;
                        let exit = self.supervise(&errors, &unpaced);
                        drop(stream);
                        self.core = Some(wait_for(home));
                        match &exit {
                            Exit::Lost(reason) => {
                                self.publish(None, DeviceEvent::Lost { name, reason: reason.clone() })
                            }
                            Exit::Unpaced(speed) => {
                                self.publish(None, DeviceEvent::Unpaced { name, speed: *speed });
                            }
                            _ => {}
                        }
                        match exit {
                            // Not a device to wait for: play on the clock until another is chosen.
                            Exit::Unpaced(_) => self.run_null(None),
                            other => other,
                        }
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
            s.buffer_frames = self.buffer;
            s.message = event.to_string();
        }
        self.notify(event);
        if let Some(ready) = self.ready.take() {
            let _ = ready.send(());
        }
    }

    /// Tells the app, unless it is the same news as last time.
    fn notify(&mut self, event: DeviceEvent) {
        if self.last_notice.as_ref() != Some(&event) {
            let _ = self.notices.send(event.clone());
            self.last_notice = Some(event);
        }
    }

    /// Opens the configured device on what it offers and starts a stream that
    /// owns the core. Returns the stream and the device's name for people.
    fn open(&mut self) -> Result<(Opened, String), String> {
        let host = cpal::default_host();
        let device = match &self.config.device {
            None => host.default_output_device().ok_or("the system has no default output device")?,
            Some(want) => host
                .output_devices()
                .map_err(|e| e.to_string())?
                .chain(host.default_output_device())
                .find(|d| describe(d).is_some_and(|i| &i.id == want || &i.name == want))
                .ok_or_else(|| format!("no output device is called '{want}'"))?,
        };
        let info = describe(&device).ok_or("the device disappeared")?;
        let core = self.core.take().expect("the manager holds the core between streams");
        let wanted = self.config.sample_rate;
        let rates = [wanted, self.rate];
        let opened =
            match output::open(&device, &info.id, core, rates, self.config.buffer_frames, &self.shared) {
                Ok(o) => o,
                Err((core, reason)) => {
                    self.core = Some(core);
                    return Err(reason);
                }
            };
        let previous = self.rate;
        self.rate = opened.rate;
        self.buffer = opened.buffer;
        let name = if info.name.is_empty() || info.name == info.id {
            info.id.clone()
        } else {
            format!("{} ({})", info.id, info.name)
        };
        self.publish(
            Some((name.clone(), opened.rate)),
            DeviceEvent::Opened {
                name: name.clone(),
                sample_rate: opened.rate,
                buffer_frames: opened.buffer,
            },
        );
        if opened.buffer_changed {
            self.notify(DeviceEvent::BufferChanged {
                name: name.clone(),
                requested: self.config.buffer_frames,
                used: opened.buffer,
            });
        }
        if opened.rate != wanted && previous != opened.rate {
            self.notify(DeviceEvent::RateMismatch { session: wanted, device: opened.rate });
        }
        Ok((opened, name))
    }

    /// Watches a running stream until it fails or the app asks for something else.
    fn supervise(&mut self, errors: &std::sync::atomic::AtomicU8, pace: &output::Pace) -> Exit {
        let mut callbacks = self.shared.callbacks.load(Relaxed);
        let mut last_callback = Instant::now();
        loop {
            match self.control.recv_timeout(Duration::from_millis(50)) {
                Ok(Control::Shutdown) | Err(RecvTimeoutError::Disconnected) => return Exit::Shutdown,
                Ok(Control::SetDevice(d)) => {
                    self.config.device = d;
                    return Exit::Reopen;
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            if pace.tripped.load(Relaxed) {
                return Exit::Unpaced(pace.speed());
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

    /// Drives the core from a clock at the current rate, for `limit` (or until
    /// told otherwise). A late wake-up of this thread is not an under-run (no
    /// device was starved), so none is counted; the clock just catches up.
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
