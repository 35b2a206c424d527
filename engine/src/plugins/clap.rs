//! One CLAP plugin instance running as an insert, through `clack-host`.
//!
//! Built when the graph is compiled (off the audio thread): the plugin's
//! `.clap` file is loaded once per process, the instance is created, its
//! saved state is loaded (state extension), it is activated for the
//! session's rate and largest block, the session's parameter values are
//! flushed to it (params extension; ZAM's DPF plugins crash when flushed
//! before their first activation), it is asked its latency (latency
//! extension), started and primed with two short blocks of silence; a
//! restart it asks for meanwhile (a value that sets its latency) is done
//! before it plays. The host offers the `latency` extension (DPF plugins
//! call it without checking).
//!
//! A plugin whose latency follows a parameter asks the host to restart it
//! (CLAP changes latency only on activation): the request sets a flag the
//! audio thread reads ([`Dsp::latency_changed`]), the engine reports it and
//! the app compiles a new graph, which builds, loads (state, then the
//! current parameters) and activates a new instance off the audio thread,
//! asks it its latency and compensates it; the old instance is deactivated
//! where the replaced graph is dropped.
//!
//! On the audio thread `process` copies the strip's channels into the input
//! buffers, sends the parameter changes since the last block as CLAP
//! param-value events at the block's first sample, and lets the plugin
//! write the strip's channels; nothing is allocated (the
//! event buffer, the port descriptions and the audio buffers are sized at
//! build, and changes are coalesced into one pending value per parameter).
//!
//! Channel layouts are those of [`super::lv2`]: a stereo plugin on a mono
//! strip hears the channel on both inputs and its outputs are averaged; a
//! mono plugin on a stereo strip runs one instance per channel.
//! A second input port of 1 or 2 channels is the plugin's sidechain: it
//! hears the insert's key as an LV2 plugin's sidechain inputs do.
//!
//! CLAP calls some functions "main thread" ones (create, activate, state,
//! deactivate, destroy). Mixdesk makes them on the thread that builds or
//! drops the graph, never while `process` runs: the instance is owned by the
//! [`ClapDsp`] and only reached through `&mut`. That is why [`ClapDsp`] is
//! declared `Send` and `Sync` below although `clack-host` keeps its
//! `PluginInstance` to one thread: the engine moves a built processor to the
//! audio thread once, as it does every processor. A plugin that checks the
//! thread id of its main-thread calls against the thread that created it
//! may complain when a graph built on one thread is dropped on another.
//!
//! Loading and running a plugin is foreign code: a plugin that crashes takes
//! the process down (see the module docs of [`super`]).
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::ffi::CString;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine as _;
use clack_extensions::latency::{HostLatency, HostLatencyImpl, PluginLatency};
use clack_extensions::params::PluginParams;
use clack_extensions::state::PluginState;
use clack_host::events::event_types::ParamValueEvent;
use clack_host::prelude::*;
use clack_host::process::StartedPluginAudioProcessor;

use super::{PluginError, PluginInfo, PluginParam};
use crate::dsp::{Dsp, DspContext};

/// The host side of an instance: the callbacks a plugin may make.
#[derive(Debug)]
pub struct Host;

/// What every thread of a plugin may call on the host.
#[derive(Debug, Default)]
pub struct HostShared {
    /// The plugin asked to be restarted (deactivated and activated again,
    /// e.g. for a new latency): the audio thread sees it through
    /// [`Dsp::latency_changed`], the app compiles a new graph, which builds
    /// and activates an instance with the current state and parameters
    /// (off the audio thread) and asks it its latency.
    restart: AtomicBool,
}

impl SharedHandler<'_> for HostShared {
    fn request_restart(&self) {
        self.restart.store(true, Ordering::Relaxed);
    }
    fn request_process(&self) {}
    fn request_callback(&self) {}
}

/// How many restarts a plugin may ask for while it is built before it is
/// started anyway (one is what plugins need; more would be a loop).
const RESTARTS_AT_BUILD: usize = 3;

/// What the main thread of a plugin may call on the host.
#[derive(Debug, Default)]
pub struct HostMain;

impl MainThreadHandler<'_> for HostMain {}

impl HostLatencyImpl for HostMain {
    /// The plugin's latency changed while it was inactive or activating:
    /// Mixdesk asks every instance its latency right after activating it,
    /// so there is nothing to note. Offered because plugins call it without
    /// checking that the host has it: ZAM's ZaMaximX2 (DPF) dereferenced the
    /// missing extension when a parameter set its lookahead, and crashed.
    fn changed(&self) {}
}

impl HostHandlers for Host {
    type Shared<'a> = HostShared;
    type MainThread<'a> = HostMain;
    type AudioProcessor<'a> = ();

    fn declare_extensions(builder: &mut HostExtensions<Self>, _: &Self::Shared<'_>) {
        builder.register::<HostLatency>();
    }
}

/// The loaded `.clap` files, by path: a library is opened once per process
/// (CLAP's entry `init` runs once) and kept.
pub fn entry(path: &str) -> Result<PluginEntry, String> {
    static ENTRIES: Mutex<Option<HashMap<String, PluginEntry>>> = Mutex::new(None);
    let mut guard = ENTRIES.lock().unwrap_or_else(|e| e.into_inner());
    let map = guard.get_or_insert_with(HashMap::new);
    if let Some(e) = map.get(path) {
        return Ok(e.clone());
    }
    // SAFETY: loading a CLAP file runs its entry's `init`: foreign code the
    // engineer installed as a plugin (see the module docs on what this cannot
    // promise).
    let e = unsafe { PluginEntry::load(path) }.map_err(|e| format!("{path}: {e}"))?;
    map.insert(path.to_owned(), e.clone());
    Ok(e)
}

fn host_info() -> HostInfo {
    HostInfo::new("Mixdesk", "Mixdesk", "https://example.invalid/mixdesk", env!("CARGO_PKG_VERSION"))
        .expect("the host's names hold no NUL")
}

/// A new, inactive instance of plugin `id` from the file at `path`.
pub fn new_instance(path: &str, id: &str) -> Result<PluginInstance<Host>, String> {
    let entry = entry(path)?;
    let id = CString::new(id).map_err(|e| e.to_string())?;
    PluginInstance::<Host>::new(|_| HostShared::default(), |_| HostMain, &entry, &id, &host_info())
        .map_err(|e| e.to_string())
}

/// The CLAP value of a Mixdesk parameter value (a choice's index becomes its value).
fn clap_value(p: &PluginParam, v: f64) -> f64 {
    if p.choices.is_empty() {
        if p.integer { v.round() } else { v }
    } else {
        let i = (v.round().max(0.0) as usize).min(p.choices.len() - 1);
        f64::from(p.choices[i].1)
    }
}

/// An inactive instance with `state` loaded.
fn loaded(info: &PluginInfo, state: Option<&str>) -> Result<PluginInstance<Host>, String> {
    let mut inst = new_instance(&info.bundle, &info.id)?;
    if let Some(s) = state {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .map_err(|e| format!("its saved state is not base64: {e}"))?;
        let ext = inst.plugin_handle().get_extension::<PluginState>();
        let ext = ext.ok_or("it has saved state but no longer offers the CLAP state extension")?;
        ext.load(&inst.plugin_handle(), &mut &bytes[..]).map_err(|e| format!("its saved state: {e}"))?;
    }
    Ok(inst)
}

/// `inst` activated with `config` and then given `values` (by parameter
/// index). The values go in once the plugin is active (through the params
/// extension's flush on the audio-thread side, before processing starts):
/// some plugins are not ready for parameter changes before their first
/// activation (ZAM's ZaMaximX2, built on DPF, crashed when flushed while
/// inactive), and an active plugin takes them as it would while playing.
fn activated(
    inst: &mut PluginInstance<Host>,
    info: &PluginInfo,
    values: &[f64],
    config: PluginAudioConfiguration,
) -> Result<StoppedPluginAudioProcessor<Host>, String> {
    let mut stopped = inst.activate(|_, _| (), config).map_err(|e| format!("activation: {e}"))?;
    let mut events = EventBuffer::with_capacity(info.params.len());
    for (p, v) in info.params.iter().zip(values) {
        events.push(&ParamValueEvent::new(
            0,
            ClapId::new(p.port as u32),
            Pckn::match_all(),
            clap_value(p, *v),
        ));
    }
    if let Some(params) = inst.plugin_handle().get_extension::<PluginParams>() {
        params.flush_active(&mut stopped.plugin_handle(), &events.as_input(), &mut OutputEvents::void());
    }
    Ok(stopped)
}

/// The state of plugin `info` after loading `state` and setting `values`:
/// its state extension's bytes, base64; `None` for a plugin without the
/// state extension (its parameters are all it keeps). Off the audio thread.
pub fn capture_state(
    info: &PluginInfo,
    values: &[f64],
    state: Option<&str>,
) -> Result<Option<String>, String> {
    let mut inst = loaded(info, state)?;
    let config =
        PluginAudioConfiguration { sample_rate: 48_000.0, min_frames_count: 1, max_frames_count: 64 };
    let stopped = activated(&mut inst, info, values, config)?;
    inst.deactivate(stopped);
    let Some(ext) = inst.plugin_handle().get_extension::<PluginState>() else { return Ok(None) };
    let mut bytes = Vec::new();
    ext.save(&inst.plugin_handle(), &mut bytes).map_err(|e| e.to_string())?;
    Ok(Some(base64::engine::general_purpose::STANDARD.encode(bytes)))
}

/// One activated instance and its running audio processor.
struct Unit {
    processor: Option<StartedPluginAudioProcessor<Host>>,
    instance: PluginInstance<Host>,
}

impl Drop for Unit {
    fn drop(&mut self) {
        if let Some(p) = self.processor.take() {
            self.instance.deactivate(p.stop_processing());
        }
    }
}

/// A running CLAP plugin.
pub struct ClapDsp {
    name: String,
    units: Vec<Unit>,
    stereo_plugin: bool,
    params: Vec<PluginParam>,
    /// Parameter changes since the last block, one per parameter (plugin units).
    pending: Vec<Option<f64>>,
    events: EventBuffer,
    in_ports: AudioPorts,
    out_ports: AudioPorts,
    inputs: [Vec<f32>; 2],
    outputs: [Vec<f32>; 2],
    /// Channels of the plugin's sidechain port (0: none).
    sidechain: usize,
    /// The key this block, as the sidechain port hears it (silence without
    /// one); allocated only for a plugin with a sidechain.
    key: [Vec<f32>; 2],
    latency: usize,
    max_block: usize,
    steady: u64,
}

// SAFETY: see the module docs. Every use of the instances goes through
// `&mut ClapDsp` (build, `process`, `reset`, drop), so no two threads reach a
// plugin at once; the audio processor handles are `Send` already, and the
// main-thread handle is only used while the processor is not running.
unsafe impl Send for ClapDsp {}
// SAFETY: `&ClapDsp` reaches no plugin (only `latency`, a plain number).
unsafe impl Sync for ClapDsp {}

impl std::fmt::Debug for ClapDsp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClapDsp")
            .field("name", &self.name)
            .field("instances", &self.units.len())
            .field("latency", &self.latency)
            .finish_non_exhaustive()
    }
}

impl ClapDsp {
    /// A running instance of `info` with parameter values `values` (by
    /// parameter index) after loading `state` (base64 of the plugin's
    /// state-extension bytes, as [`capture_state`] writes it).
    pub fn new(
        info: &PluginInfo,
        ctx: &DspContext,
        values: &[f64],
        state: Option<&str>,
    ) -> Result<ClapDsp, PluginError> {
        let fail = |reason: String| PluginError::Instantiate {
            name: info.name.clone(),
            id: info.id.clone(),
            reason,
        };
        let max_block = ctx.max_block.max(1);
        let stereo_plugin = info.audio_outputs == 2;
        let count = if stereo_plugin { 1 } else { 2 };
        let config = PluginAudioConfiguration {
            sample_rate: f64::from(ctx.sample_rate),
            min_frames_count: 1,
            max_frames_count: max_block as u32,
        };
        let mut units = Vec::with_capacity(count);
        let mut latency = 0;
        for _ in 0..count {
            let mut instance = loaded(info, state).map_err(fail)?;
            let stopped = activated(&mut instance, info, values, config).map_err(fail)?;
            if let Some(ext) = instance.plugin_handle().get_extension::<PluginLatency>() {
                latency = ext.get(&instance.plugin_handle()) as usize;
            }
            let processor = match stopped.start_processing() {
                Ok(p) => p,
                Err(e) => {
                    let reason = format!("it would not start processing: {e}");
                    instance.deactivate(e.into_stopped_processor());
                    return Err(fail(reason));
                }
            };
            units.push(Unit { processor: Some(processor), instance });
        }
        let channels = if stereo_plugin { 2 } else { 1 };
        let mut dsp = ClapDsp {
            name: info.name.clone(),
            units,
            stereo_plugin,
            params: info.params.clone(),
            pending: vec![None; info.params.len()],
            events: EventBuffer::with_capacity(info.params.len().max(1)),
            // The main port and the sidechain's, up to two channels each.
            in_ports: AudioPorts::with_capacity(4, 2),
            out_ports: AudioPorts::with_capacity(channels, 1),
            inputs: [vec![0.0; max_block], vec![0.0; max_block]],
            outputs: [vec![0.0; max_block], vec![0.0; max_block]],
            sidechain: info.sidechain_inputs.len(),
            key: if info.sidechain_inputs.is_empty() {
                [Vec::new(), Vec::new()]
            } else {
                [vec![0.0; max_block], vec![0.0; max_block]]
            },
            latency,
            max_block,
            steady: 0,
        };
        // Blocks of silence before it goes live, as an LV2 instance gets
        // (`lv2::PRIMING_BLOCKS`): a plugin that glides to its settings
        // (ZAM's delay time, its tube's gains) starts from the same place
        // through either format, and the bounce and playback alike. A
        // plugin that asks for a restart meanwhile (its values set a new
        // latency: ZAM's ZaMaximX2 asks while taking them, the test plugin
        // at its first block) is restarted now, before it plays, and asked
        // its latency again.
        dsp.prime();
        for _ in 0..RESTARTS_AT_BUILD {
            if !dsp.restart_asked() {
                break;
            }
            dsp.restart(config).map_err(fail)?;
            dsp.prime();
        }
        Ok(dsp)
    }
}

impl ClapDsp {
    /// Runs `lv2::PRIMING_BLOCKS` short blocks of silence. Off the audio thread.
    fn prime(&mut self) {
        let n = self.max_block.min(64);
        let mut silence = [vec![0.0f32; n], vec![0.0f32; n]];
        for _ in 0..super::lv2::PRIMING_BLOCKS {
            let [l, r] = &mut silence;
            l.fill(0.0);
            r.fill(0.0);
            self.process(&mut [&mut l[..], &mut r[..]], None);
        }
    }

    /// Whether an instance asked to be restarted.
    fn restart_asked(&self) -> bool {
        self.units.iter().any(|u| u.instance.access_shared_handler(|h| h.restart.load(Ordering::Relaxed)))
    }

    /// Deactivates and activates every instance again (keeping its values)
    /// and asks its latency anew. Off the audio thread.
    fn restart(&mut self, config: PluginAudioConfiguration) -> Result<(), String> {
        for u in &mut self.units {
            if let Some(p) = u.processor.take() {
                u.instance.deactivate(p.stop_processing());
            }
            u.instance.access_shared_handler(|h| h.restart.store(false, Ordering::Relaxed));
            let stopped = u.instance.activate(|_, _| (), config).map_err(|e| format!("activation: {e}"))?;
            if let Some(ext) = u.instance.plugin_handle().get_extension::<PluginLatency>() {
                self.latency = ext.get(&u.instance.plugin_handle()) as usize;
            }
            let started = stopped.start_processing().map_err(|e| {
                let reason = format!("it would not start processing: {e}");
                u.instance.deactivate(e.into_stopped_processor());
                reason
            })?;
            u.processor = Some(started);
        }
        Ok(())
    }
}

/// An input port of the channels given. Realtime-safe.
fn input_port<'a>(
    channels: [Option<&'a mut [f32]>; 2],
) -> AudioPortBuffer<
    impl IntoIterator<Item = InputChannel<'a, f32>>,
    std::array::IntoIter<InputChannel<'a, f64>, 0>,
> {
    AudioPortBuffer {
        channels: AudioPortBufferType::f32_input_only(
            channels.into_iter().flatten().map(InputChannel::variable),
        ),
        latency: 0,
    }
}

impl super::channels::Instances for ClapDsp {
    fn stereo_plugin(&self) -> bool {
        self.stereo_plugin
    }

    fn buffers(&mut self) -> (&mut [Vec<f32>; 2], &mut [Vec<f32>; 2]) {
        (&mut self.inputs, &mut self.outputs)
    }

    /// Runs unit `u` over `n` samples of the first `ins` input buffers (and
    /// the key on its sidechain port) into `outs`.
    fn run(&mut self, u: usize, n: usize, ins: usize, outs: [&mut [f32]; 2], nout: usize) {
        let ClapDsp {
            units, events, in_ports, out_ports, inputs, key, sidechain, stereo_plugin, steady, ..
        } = self;
        let Some(processor) = units[u].processor.as_mut() else { return };
        let mut main: [Option<&mut [f32]>; 2] = [None, None];
        for (slot, b) in main.iter_mut().zip(inputs.iter_mut().take(ins)) {
            *slot = Some(&mut b[..n]);
        }
        // A one-channel sidechain: a mono plugin's instance `u` plays
        // channel `u`, so it hears that channel of the key; a stereo plugin
        // hears their average (in the first buffer).
        let mut side: [Option<&mut [f32]>; 2] = [None, None];
        let [k0, k1] = key;
        match *sidechain {
            0 => {}
            1 if !*stereo_plugin && u == 1 => side[0] = Some(&mut k1[..n]),
            1 => side[0] = Some(&mut k0[..n]),
            _ => side = [Some(&mut k0[..n]), Some(&mut k1[..n])],
        }
        let ports = if *sidechain > 0 { 2 } else { 1 };
        let input = in_ports.with_input_buffers([input_port(main), input_port(side)].into_iter().take(ports));
        let mut output = out_ports.with_output_buffers([AudioPortBuffer {
            channels: AudioPortBufferType::f32_output_only(outs.into_iter().take(nout)),
            latency: 0,
        }]);
        let _ = processor.process(
            &input,
            &mut output,
            &events.as_input(),
            &mut OutputEvents::void(),
            Some(*steady),
            None,
        );
    }
}

impl Dsp for ClapDsp {
    fn set_param(&mut self, index: usize, value: f64) {
        if let (Some(p), Some(slot)) = (self.params.get(index), self.pending.get_mut(index)) {
            *slot = Some(clap_value(p, value));
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], key: Option<[&[f32]; 2]>) {
        let n = io.first().map_or(0, |c| c.len()).min(self.max_block);
        if n == 0 {
            return;
        }
        if self.sidechain > 0 {
            let average = self.stereo_plugin && self.sidechain == 1;
            super::channels::take_key(&mut self.key, key, n, average);
        }
        self.events.clear();
        for (p, slot) in self.params.iter().zip(&mut self.pending) {
            if let Some(v) = slot.take() {
                self.events.push(&ParamValueEvent::new(0, ClapId::new(p.port as u32), Pckn::match_all(), v));
            }
        }
        super::channels::play(self, io, n);
        self.steady += n as u64;
    }

    fn latency(&self) -> usize {
        self.latency
    }

    /// A plugin changes its latency by asking for a restart (CLAP changes
    /// latency only on activation). Realtime-safe: an atomic per instance.
    fn latency_changed(&self, compiled: usize) -> bool {
        self.latency != compiled
            || self.units.iter().any(|u| {
                u.processor
                    .as_ref()
                    .is_some_and(|p| p.access_shared_handler(|h| h.restart.load(Ordering::Relaxed)))
            })
    }

    /// CLAP's `reset` is an audio-thread call: the plugin clears its buffers.
    fn reset(&mut self) {
        for u in &mut self.units {
            if let Some(p) = u.processor.as_mut() {
                p.reset();
            }
        }
    }
}
