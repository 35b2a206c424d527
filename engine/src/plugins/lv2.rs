//! One LV2 plugin instance running as an insert.
//!
//! Built when the graph is compiled (off the audio thread): the plugin's
//! bundle is loaded into a lilv world of its own (kept per bundle for the
//! process), the instance is created and activated, its saved state and then
//! its parameters are applied, every buffer it will be connected to is
//! allocated, and one block of silence is run so it reports its latency.
//! On the audio thread `process` copies the strip's channels into the input
//! buffers, runs the plugin with the strip's channels as its outputs, and
//! never allocates (livi connects ports and runs; the control ports are
//! plain values).
//!
//! A plugin whose latency follows a parameter (x42 `nodelay`, lookaheads)
//! writes the new figure to its latency port during `run`: the graph sees it
//! ([`Dsp::latency_changed`]), the app compiles a new graph compensating it,
//! and that graph takes over this very instance (its state and buffers carry
//! on), see `graph::latency`.
//!
//! Plugins that use the LV2 worker (loading a file, rebuilding tables)
//! have it: work scheduled while the instance is restored and primed is
//! done on the building thread before the instance goes live, and work
//! scheduled from `run` later is done by one background thread
//! (`mixdesk-lv2-worker`, every 2 ms) and answered at a following `run`.
//!
//! Channel layouts: a stereo plugin on a stereo strip runs once; a mono
//! plugin runs one instance per channel (two are made, a mono strip uses the
//! first); a stereo plugin on a mono strip hears the channel on both inputs
//! and its two outputs are averaged (as the built-in stereo effects fold to
//! mono).
//!
//! Sidechain inputs (LSP's `sc_*` plugins) hear the insert's
//! key, the track or bus its sidechain picker names, lined up with the
//! insert's input by the chain like a built-in compressor's key: a
//! two-channel sidechain hears the key's left and right, a one-channel
//! sidechain on a stereo plugin their average, and a mono plugin's
//! instance per channel its own channel of the key. Without a key the
//! sidechain inputs hear silence.
//!
//! This module is the engine's one use of `unsafe` for hosting: livi marks
//! instantiation and `run` unsafe because the plugin is foreign code that
//! must keep the LV2 contract (read only its inputs, write only within its
//! outputs). Nothing here can make a misbehaving plugin safe; see the
//! module docs of [`super`].
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use livi::event::LV2AtomSequence;

use super::{PluginError, PluginInfo, PluginParam};
use crate::dsp::{Dsp, DspContext};

/// Bytes of each atom sequence port (LSP and x42 plugins talk to their UIs
/// through them; Mixdesk sends nothing and ignores what comes back).
const ATOM_CAPACITY: usize = 8192;

/// Blocks of silence run at build, for the plugin to report its latency.
pub(super) const PRIMING_BLOCKS: usize = 2;

/// How often the worker thread looks for work plugins scheduled.
const WORKER_PERIOD: std::time::Duration = std::time::Duration::from_millis(2);

/// A running LV2 plugin.
pub struct Lv2Dsp {
    name: String,
    /// One instance, or two for a mono plugin (one per channel).
    instances: Vec<livi::Instance>,
    stereo_plugin: bool,
    params: Vec<PluginParam>,
    inputs: [Vec<f32>; 2],
    outputs: [Vec<f32>; 2],
    /// Which audio inputs (in port order) are sidechain inputs.
    sidechain_inputs: Vec<usize>,
    /// The key this block, as the sidechain inputs hear it (silence without
    /// one); allocated only for a plugin with sidechain inputs.
    key: [Vec<f32>; 2],
    atom_in: Vec<LV2AtomSequence>,
    atom_out: Vec<LV2AtomSequence>,
    latency_port: Option<livi::PortIndex>,
    latency: usize,
    max_block: usize,
    /// The instances' workers (LV2 worker extension), run off the audio thread.
    workers: Arc<livi::WorkerManager>,
}

impl std::fmt::Debug for Lv2Dsp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lv2Dsp")
            .field("name", &self.name)
            .field("instances", &self.instances.len())
            .field("latency", &self.latency)
            .finish_non_exhaustive()
    }
}

/// Worlds by bundle URI: loading a bundle's Turtle (the LSP bundle holds
/// every LSP plugin) is slow, and graphs are compiled often.
fn world_for(bundle: &str) -> Arc<livi::World> {
    static WORLDS: Mutex<Option<HashMap<String, Arc<livi::World>>>> = Mutex::new(None);
    let mut guard = WORLDS.lock().unwrap_or_else(|e| e.into_inner());
    guard
        .get_or_insert_with(HashMap::new)
        .entry(bundle.to_owned())
        .or_insert_with(|| Arc::new(livi::World::with_load_bundle(bundle)))
        .clone()
}

/// Held while an instance is built (instantiated, restored, primed) and
/// while workers run: plugins' non-realtime work is done one piece at a time
/// across the process. Plugins built on FFTW (convoLV2's zita-convolver)
/// plan their transforms there, and FFTW's planner is not thread-safe: two
/// graphs compiled at once (a bounce while the app rebuilds, tests side by
/// side) crashed in it.
static NON_REALTIME: Mutex<()> = Mutex::new(());

/// Hands `workers` to the one background thread that runs every live
/// instance's worker (started at the first plugin that has one): work a
/// plugin schedules from `run` on the audio thread is done there, and the
/// plugin hears the answer at a later `run`. A manager whose instances are
/// gone is dropped.
fn keep_working(workers: Arc<livi::WorkerManager>) {
    static LIVE: Mutex<Vec<Arc<livi::WorkerManager>>> = Mutex::new(Vec::new());
    static STARTED: std::sync::Once = std::sync::Once::new();
    LIVE.lock().unwrap_or_else(|e| e.into_inner()).push(workers);
    STARTED.call_once(|| {
        let spawned = std::thread::Builder::new().name("mixdesk-lv2-worker".into()).spawn(|| {
            loop {
                std::thread::sleep(WORKER_PERIOD);
                let _one_at_a_time = NON_REALTIME.lock().unwrap_or_else(|e| e.into_inner());
                let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
                for w in live.iter() {
                    w.run_workers();
                }
                live.retain(|w| w.workers_count() > 0);
            }
        });
        // Without the thread, work scheduled live waits; the plugin still runs.
        drop(spawned);
    });
}

impl Lv2Dsp {
    /// A running instance of `info` with parameter values `values` (by
    /// parameter index) after restoring `state` (an LV2 state in Turtle, as
    /// [`Lv2Dsp::state`] writes it).
    pub fn new(
        info: &PluginInfo,
        ctx: &DspContext,
        values: &[f64],
        state: Option<&str>,
    ) -> Result<Lv2Dsp, PluginError> {
        let fail = |reason: String| PluginError::Instantiate {
            name: info.name.clone(),
            id: info.id.clone(),
            reason,
        };
        let world = world_for(&info.bundle);
        let one_at_a_time = NON_REALTIME.lock().unwrap_or_else(|e| e.into_inner());
        let plugin = world
            .plugin_by_uri(&info.id)
            .ok_or_else(|| fail(format!("its bundle {} no longer describes it", info.bundle)))?;
        // A plugin with block needs runs at one fixed length (through
        // `reblock`), which is both the shortest and the longest it sees.
        let fixed = info.block.fixed_block();
        let max_block = fixed.unwrap_or(ctx.max_block).max(1);
        let min_block = fixed.unwrap_or(1);
        let features = world
            .try_build_features(livi::FeaturesBuilder {
                min_block_length: min_block,
                max_block_length: max_block,
            })
            .map_err(|e| fail(e.to_string()))?;
        let stereo_plugin = info.audio_outputs == 2;
        let count = if stereo_plugin { 1 } else { 2 };
        let saved = match state {
            Some(s) => Some(
                world.state_from_string(&features, s).map_err(|e| fail(format!("its saved state: {e}")))?,
            ),
            None => None,
        };
        let mut instances = Vec::with_capacity(count);
        for _ in 0..count {
            // SAFETY: the plugin comes from its bundle's own description and
            // the rate is the session's (positive, finite); the instance is
            // only ever run through `process` below, with buffers of at least
            // `max_block` samples (see the module docs on what this cannot
            // promise about the plugin's own code).
            let mut inst = unsafe { plugin.instantiate(features.clone(), f64::from(ctx.sample_rate)) }
                .map_err(|e| fail(e.to_string()))?;
            if let Some(s) = &saved {
                inst.restore_state(s).map_err(|e| fail(format!("its saved state: {e}")))?;
            }
            instances.push(inst);
        }
        let atoms =
            |n: usize| (0..n).map(|_| LV2AtomSequence::new(&features, ATOM_CAPACITY)).collect::<Vec<_>>();
        let counts = plugin.port_counts();
        let mut dsp = Lv2Dsp {
            name: info.name.clone(),
            instances,
            stereo_plugin,
            params: info.params.clone(),
            inputs: [vec![0.0; max_block], vec![0.0; max_block]],
            outputs: [vec![0.0; max_block], vec![0.0; max_block]],
            sidechain_inputs: info.sidechain_inputs.clone(),
            key: if info.sidechain_inputs.is_empty() {
                [Vec::new(), Vec::new()]
            } else {
                [vec![0.0; max_block], vec![0.0; max_block]]
            },
            atom_in: atoms(counts.atom_sequence_inputs),
            atom_out: atoms(counts.atom_sequence_outputs),
            latency_port: plugin.raw().latency_port_index().map(livi::PortIndex),
            latency: 0,
            max_block,
            workers: features.worker_manager().clone(),
        };
        for (i, v) in values.iter().enumerate() {
            dsp.set_param(i, *v);
        }
        // Silence until the reported latency settles: plugins report it from
        // `run`, some only after a few blocks.
        let n = if fixed.is_some() { max_block } else { max_block.min(64) };
        let mut silence = [vec![0.0f32; n], vec![0.0f32; n]];
        // Work the plugin scheduled while restoring its state or priming
        // (loading a file, say) is done here, on this thread, before the
        // instance goes live: the bounce and playback then start alike.
        for _ in 0..PRIMING_BLOCKS {
            dsp.workers.run_workers();
            let [l, r] = &mut silence;
            dsp.process(&mut [&mut l[..], &mut r[..]], None);
        }
        dsp.workers.run_workers();
        dsp.latency = dsp.reported_latency();
        drop(one_at_a_time);
        if dsp.workers.workers_count() > 0 {
            keep_working(dsp.workers.clone());
        }
        Ok(dsp)
    }

    /// What the plugin's latency port says now. Realtime-safe.
    fn reported_latency(&self) -> usize {
        let v = self.latency_port.and_then(|p| self.instances[0].control_output(p)).unwrap_or(0.0);
        if v.is_finite() && v > 0.0 { v.round() as usize } else { 0 }
    }

    /// The plugin's full state (LV2 state extension and control ports) as
    /// Turtle. Off the audio thread, on an instance that is not running.
    pub fn state(&self) -> Result<String, String> {
        let s = self.instances[0].state().map_err(|e| e.to_string())?;
        s.to_string("urn:mixdesk:state").map_err(|e| e.to_string())
    }
}

impl Drop for Lv2Dsp {
    /// Instances are destroyed one at a time too (FFTW's plans are freed there).
    fn drop(&mut self) {
        let _one_at_a_time = NON_REALTIME.lock().unwrap_or_else(|e| e.into_inner());
        self.instances.clear();
    }
}

impl super::channels::Instances for Lv2Dsp {
    fn stereo_plugin(&self) -> bool {
        self.stereo_plugin
    }

    fn buffers(&mut self) -> (&mut [Vec<f32>; 2], &mut [Vec<f32>; 2]) {
        (&mut self.inputs, &mut self.outputs)
    }

    /// Runs instance `i` over `n` samples of `inputs` (and the key on its
    /// sidechain inputs) into `outs`.
    fn run(&mut self, i: usize, n: usize, ins: usize, outs: [&mut [f32]; 2], nout: usize) {
        // Main and sidechain inputs in port order: at most 2 + 2.
        let silence: &[f32] = &[];
        let mut connected = [silence; 4];
        let (mut main, mut side) = (0, 0);
        let total = ins + self.sidechain_inputs.len();
        for (at, slot) in connected.iter_mut().enumerate().take(total) {
            *slot = if self.sidechain_inputs.contains(&at) {
                // A mono plugin's instance `i` plays channel `i`: its one
                // sidechain hears that channel of the key.
                let k = if self.stereo_plugin || self.sidechain_inputs.len() > 1 { side } else { i };
                side += 1;
                &self.key[k.min(1)][..n]
            } else {
                main += 1;
                &self.inputs[main - 1][..n]
            };
        }
        let inputs = connected.into_iter().take(total);
        let outputs = outs.into_iter().take(nout);
        for a in &mut self.atom_in {
            a.clear();
        }
        let ports = livi::EmptyPortConnections::new()
            .with_audio_inputs(inputs)
            .with_audio_outputs(outputs)
            .with_atom_sequence_inputs(self.atom_in.iter())
            .with_atom_sequence_outputs(self.atom_out.iter_mut());
        // SAFETY: every buffer is at least `n` samples and lives for the call;
        // the counts match the plugin's ports (checked by the scan: 1/1 or
        // 2/2 audio plus its 1 or 2 sidechain inputs, no CV); the atom buffers were made with this instance's
        // URID map.
        let _ = unsafe { self.instances[i].run(n, ports) };
    }
}

impl Dsp for Lv2Dsp {
    fn set_param(&mut self, index: usize, value: f64) {
        let Some(p) = self.params.get(index) else { return };
        let (port, v) = (livi::PortIndex(p.port), p.port_value(value));
        for inst in &mut self.instances {
            inst.set_control_input(port, v);
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], key: Option<[&[f32]; 2]>) {
        let n = io.first().map_or(0, |c| c.len()).min(self.max_block);
        if n == 0 {
            return;
        }
        if !self.sidechain_inputs.is_empty() {
            let average = self.stereo_plugin && self.sidechain_inputs.len() == 1;
            super::channels::take_key(&mut self.key, key, n, average);
        }
        super::channels::play(self, io, n);
    }

    fn latency(&self) -> usize {
        self.latency
    }

    /// The latency port as the last `run` left it (a plugin whose lookahead
    /// follows a parameter reports the new figure there).
    fn latency_changed(&self, compiled: usize) -> bool {
        self.reported_latency() != compiled
    }

    /// Hosted plugins are not reset on the audio thread (LV2 resets by
    /// deactivating, which is not realtime-safe): after a bypass they carry on
    /// from where they were.
    fn reset(&mut self) {}
}
