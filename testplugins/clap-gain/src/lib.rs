//! Mixdesk's CLAP test plugin: what the hosting tests load as a real `.clap`
//! file (Debian packages no CLAP plugins).
//!
//! - **Gain** (id 1, dB, -60 to +24): exact, not smoothed, so +6.02 dB
//!   doubles the signal to the last bit and automation is sample-accurate at
//!   the events the host sends.
//! - **Delay** (id 2, samples, 0 to 48000, stepped): delays both channels and
//!   reports the delay as the plugin's latency (latency extension). As CLAP
//!   asks, latency only changes on activation: a new delay is heard after the
//!   host restarts the plugin (the plugin asks it to).
//! - **Fault** (id 3, enumeration Off/NaN/Inf): makes the plugin emit NaN or
//!   infinities, for the host's guard.
//! - **Sidechain**: a second, stereo input port. Each output sample is
//!   multiplied by `1 - min(|key|, 1)` of the same channel and sample, so a
//!   silent key changes nothing and a key of 0.5 halves the output: a
//!   closed form for the host's keying.
//!
//! Its state (state extension) is a tag and the three values, as bytes.

mod params;

use std::sync::atomic::{AtomicU32, Ordering};

use clack_extensions::audio_ports::{
    AudioPortFlags, AudioPortInfo, AudioPortInfoWriter, AudioPortType, PluginAudioPorts, PluginAudioPortsImpl,
};
use clack_extensions::latency::{PluginLatency, PluginLatencyImpl};
use clack_extensions::params::PluginParams;
use clack_extensions::state::PluginState;
use clack_plugin::prelude::*;

use params::{FAULT_INF, FAULT_NAN, Params};

/// The plugin's id, as hosts know it.
pub const ID: &str = "org.mixdesk.test.gain";

/// The plugin.
#[derive(Debug)]
pub struct GainPlugin;

impl Plugin for GainPlugin {
    type AudioProcessor<'a> = Processor<'a>;
    type Shared<'a> = Shared;
    type MainThread<'a> = MainThread<'a>;

    fn declare_extensions(builder: &mut PluginExtensions<Self>, _shared: Option<&Shared>) {
        builder
            .register::<PluginAudioPorts>()
            .register::<PluginParams>()
            .register::<PluginState>()
            .register::<PluginLatency>();
    }
}

impl DefaultPluginFactory for GainPlugin {
    fn get_descriptor() -> PluginDescriptor {
        use clack_plugin::plugin::features::{AUDIO_EFFECT, STEREO, UTILITY};
        PluginDescriptor::new(ID, "Mixdesk Test Gain")
            .with_vendor("Mixdesk")
            .with_version("1.0.0")
            .with_description("A gain, a latency-reporting delay and a fault switch, for hosting tests")
            .with_features([AUDIO_EFFECT, UTILITY, STEREO])
    }

    fn new_shared(_host: HostSharedHandle<'_>) -> Result<Shared, PluginError> {
        Ok(Shared { params: Params::default(), active_delay: AtomicU32::new(0) })
    }

    fn new_main_thread<'a>(
        host: HostMainThreadHandle<'a>,
        shared: &'a Shared,
    ) -> Result<MainThread<'a>, PluginError> {
        Ok(MainThread { shared, _host: host })
    }
}

/// What the main thread and the audio thread share: the parameter values.
#[derive(Debug)]
pub struct Shared {
    params: Params,
    /// The delay the audio processor was activated with (the latency).
    active_delay: AtomicU32,
}

impl PluginShared<'_> for Shared {}

/// The main thread's side.
#[allow(missing_debug_implementations)] // host handles are not Debug
pub struct MainThread<'a> {
    shared: &'a Shared,
    _host: HostMainThreadHandle<'a>,
}

impl<'a> PluginMainThread<'a, Shared> for MainThread<'a> {}

impl PluginLatencyImpl for MainThread<'_> {
    fn get(&self) -> u32 {
        self.shared.active_delay.load(Ordering::Relaxed)
    }
}

impl PluginAudioPortsImpl for MainThread<'_> {
    /// The main port both ways, and a sidechain input.
    fn count(&self, is_input: bool) -> u32 {
        if is_input { 2 } else { 1 }
    }

    fn get(&self, index: u32, is_input: bool, writer: &mut AudioPortInfoWriter) {
        let (name, flags): (&[u8], _) = match (index, is_input) {
            (0, _) => (b"main", AudioPortFlags::IS_MAIN),
            (1, true) => (b"sidechain", AudioPortFlags::empty()),
            _ => return,
        };
        writer.set(&AudioPortInfo {
            id: ClapId::new(index),
            name,
            channel_count: 2,
            flags,
            port_type: Some(AudioPortType::STEREO),
            in_place_pair: None,
        });
    }
}

/// The audio thread's side: the delay lines, sized on activation.
#[allow(missing_debug_implementations)] // host handles are not Debug
pub struct Processor<'a> {
    shared: &'a Shared,
    host: HostAudioProcessorHandle<'a>,
    lines: [Vec<f32>; 2],
    /// This block's sidechain input, sized on activation.
    key: [Vec<f32>; 2],
    pos: usize,
    delay: u32,
    restart_asked: bool,
}

impl<'a> PluginAudioProcessor<'a, Shared, MainThread<'a>> for Processor<'a> {
    fn activate(
        host: HostAudioProcessorHandle<'a>,
        main_thread: &MainThread<'a>,
        shared: &'a Shared,
        config: PluginAudioConfiguration,
    ) -> Result<Self, PluginError> {
        let delay = shared.params.delay();
        let _ = main_thread;
        shared.active_delay.store(delay, Ordering::Relaxed);
        let len = delay as usize + 1;
        Ok(Processor {
            shared,
            host,
            lines: [vec![0.0; len], vec![0.0; len]],
            key: [vec![0.0; config.max_frames_count as usize], vec![0.0; config.max_frames_count as usize]],
            pos: 0,
            delay,
            restart_asked: false,
        })
    }

    fn process(
        &mut self,
        _process: Process,
        mut audio: Audio,
        events: Events,
    ) -> Result<ProcessStatus, PluginError> {
        let frames = (audio.frames_count() as usize).min(self.key[0].len());
        let side = audio.input_port(1).and_then(|p| p.channels().ok()).and_then(|c| c.into_f32());
        for (c, key) in self.key.iter_mut().enumerate() {
            match side.as_ref().and_then(|s| s.channel(c as u32)) {
                Some(k) => key[..frames].copy_from_slice(&k[..frames]),
                None => key[..frames].fill(0.0),
            }
        }
        let mut pair = audio.port_pair(0).ok_or(PluginError::Message("no main audio port"))?;
        let mut channels = pair.channels()?.into_f32().ok_or(PluginError::Message("expected f32 audio"))?;
        let mut bufs: [Option<&mut [f32]>; 2] = [None, None];
        for (pair, slot) in channels.iter_mut().zip(&mut bufs) {
            *slot = match pair {
                ChannelPair::InPlace(b) => Some(b),
                ChannelPair::InputOutput(i, o) => {
                    o.copy_from_slice(i);
                    Some(o)
                }
                ChannelPair::InputOnly(_) | ChannelPair::OutputOnly(_) => None,
            };
        }
        let len = self.lines[0].len();
        let start = self.pos;
        for batch in events.input.batch() {
            for e in batch.events() {
                self.shared.params.handle_event(e);
            }
            let gain = self.shared.params.gain_factor();
            let fault = self.shared.params.fault();
            for (c, buf) in bufs.iter_mut().enumerate() {
                let Some(buf) = buf else { continue };
                let line = &mut self.lines[c];
                let end = batch.next_batch_first_sample().unwrap_or(buf.len()).min(buf.len());
                let from = batch.first_sample().min(end);
                let mut pos = (start + from) % len;
                for (x, k) in buf[from..end].iter_mut().zip(&self.key[c][from..]) {
                    line[pos] = *x;
                    pos = (pos + 1) % len;
                    // The oldest sample in the line: `delay` samples ago, ducked by the key.
                    let y = line[pos] * gain * (1.0 - k.abs().min(1.0));
                    *x = match fault {
                        FAULT_NAN => f32::NAN,
                        FAULT_INF => f32::INFINITY,
                        _ => y,
                    };
                }
            }
        }
        self.pos = (start + frames) % len;
        if self.shared.params.delay() != self.delay && !self.restart_asked {
            // Latency changes only on activation: ask the host to restart us.
            self.host.shared().request_restart();
            self.restart_asked = true;
        }
        Ok(ProcessStatus::Continue)
    }

    fn reset(&mut self) {
        for l in &mut self.lines {
            l.fill(0.0);
        }
        self.pos = 0;
    }
}

clack_export_entry!(SinglePluginEntry<GainPlugin>);
