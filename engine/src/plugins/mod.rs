//! Hosting the engineer's own plugins (LV2 and CLAP) as inserts.
//!
//! A hosted plugin is an insert like the built-ins: its kind is
//! `"lv2:<uri>"` or `"clap:<plugin id>"`, its parameters are its control
//! input ports keyed by their stable symbols (LV2) or its parameters keyed
//! by their stable ids (CLAP), and it runs in the strip's chain live and in
//! the bounce alike.
//!
//! - [`scan`] finds the installed plugins (lilv, `LV2_PATH` honoured) off the
//!   audio thread and caches what it found on disk, keyed by every bundle's
//!   modification time, so a second start reads one JSON file.
//! - The registry ([`list`], [`spec`]) turns each usable plugin into a
//!   [`KindSpec`] once per process. Processor kinds are `&'static` in the
//!   rest of the engine (the graph keeps `&'static KindSpec` per insert), so
//!   each plugin's spec and parameter table is leaked once, when the registry
//!   is first built: a bounded, one-time cost (a few kB per installed plugin).
//! - [`clap_scan`] and [`clap`] do the same for CLAP plugins (`CLAP_PATH`,
//!   `~/.clap`, `/usr/lib/clap`), through `clack-host`.
//! - [`lv2`] runs an instance as a [`Dsp`]: instantiated and activated when
//!   the graph is compiled (off the audio thread), ports connected to buffers
//!   allocated then, `run` on the audio thread.
//! - A session whose plugin is not installed still opens: [`MISSING`] passes
//!   audio through, and the processor's saved parameters and state are left
//!   untouched for when the plugin comes back (`mixdesk info` lists it).
//!
//! Plugins run in the engine's process: a plugin that crashes takes the
//! whole program down (as in every in-process host). See `docs/engine.md`.

mod channels;
pub mod clap;
pub mod clap_scan;
mod demo;
pub mod lv2;
pub mod reblock;
pub mod scan;
pub mod ui;

pub use demo::add_demo_plugins;

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::dsp::{Dsp, DspContext, KindSpec};
use crate::session::{ParamInfo, Processor, Unit};

/// The prefix of hosted LV2 kinds in session files.
pub const LV2_PREFIX: &str = "lv2:";

/// The prefix of hosted CLAP kinds in session files (`"clap:<plugin id>"`).
pub const CLAP_PREFIX: &str = "clap:";

/// One installed plugin, as `mixdesk plugins` lists it and the scan cache keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginInfo {
    /// "lv2" or "clap".
    pub format: String,
    /// The plugin's id (the LV2 URI, the CLAP plugin id).
    pub id: String,
    /// The kind a session uses for it (`"lv2:<uri>"`, `"clap:<id>"`).
    pub kind: String,
    /// Display name.
    pub name: String,
    /// Author, if the plugin says.
    pub author: String,
    /// Category (the LV2 class label: "Compressor", "Equaliser", ...).
    pub category: String,
    /// The bundle the plugin lives in (a `file://` URI), or the path of its
    /// `.clap` file, for instantiation.
    pub bundle: String,
    /// Audio inputs and outputs.
    pub audio_inputs: usize,
    /// Audio outputs.
    pub audio_outputs: usize,
    /// Which of the audio inputs (counted from 0, in port order) are a
    /// sidechain (`lv2:isSideChain`, or a port group that is the
    /// `pg:sideChainOf` the main input): the insert's key, from the track
    /// or bus its sidechain picker names. Empty: the plugin takes no key.
    #[serde(default)]
    pub sidechain_inputs: Vec<usize>,
    /// Whether it reports its latency (a `lv2:reportsLatency` output port,
    /// the CLAP latency extension).
    pub reports_latency: bool,
    /// The block lengths it needs (LV2 buf-size extension); Mixdesk's
    /// blocks vary, so a plugin with needs runs through [`reblock`].
    #[serde(default)]
    pub block: BlockNeeds,
    /// Whether Mixdesk can run it as an insert (1 in/1 out or 2 in/2 out); if
    /// not, why.
    pub unsupported: Option<String>,
    /// Its parameters (control input ports), in port order.
    pub params: Vec<PluginParam>,
}

/// The block lengths a plugin needs, from its description (LV2
/// `bufsz:minBlockLength`, `bufsz:maxBlockLength`, and the features
/// `bufsz:powerOf2BlockLength`, `bufsz:fixedBlockLength`,
/// `bufsz:coarseBlockLength`). All zero/false: any block from 1 sample up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockNeeds {
    /// The shortest block it accepts (0: no minimum).
    pub min: usize,
    /// The longest block it accepts (0: whatever the host says).
    pub max: usize,
    /// It requires every block to be a power of two long.
    pub power_of_two: bool,
    /// It requires every block to be the same length.
    pub fixed: bool,
    /// It prefers blocks not split at events (optional; Mixdesk's fixed
    /// blocks are never split).
    pub coarse: bool,
}

impl BlockNeeds {
    /// The block length to run the plugin at, when Mixdesk's varying blocks
    /// (automation strides, callback sizes, a render's last block) could
    /// break its needs: the smallest power of two of at least its minimum
    /// (and of 64), within its maximum. `None`: it takes any block.
    pub fn fixed_block(&self) -> Option<usize> {
        if self.min <= 1 && !self.power_of_two && !self.fixed {
            return None;
        }
        let b = self.min.max(64).next_power_of_two();
        Some(if self.max > 0 && b > self.max { self.max.max(self.min) } else { b })
    }
}

/// One parameter (LV2 control input port, CLAP parameter) of a [`PluginInfo`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginParam {
    /// The port's stable symbol, or the CLAP parameter id in decimal (the
    /// key in session files).
    pub symbol: String,
    /// Display name.
    pub name: String,
    /// The LV2 port index, or the CLAP parameter id.
    pub port: usize,
    /// Smallest value.
    pub min: f32,
    /// Largest value.
    pub max: f32,
    /// Default value.
    pub default: f32,
    /// "dB", "Hz", "ms", "s", "%", or "" (from the LV2 units extension).
    pub unit: String,
    /// An on/off switch (`lv2:toggled`).
    pub toggle: bool,
    /// Whole numbers only (`lv2:integer`).
    pub integer: bool,
    /// Named values (`lv2:enumeration` scale points), sorted by value: the
    /// session stores the index into this list.
    pub choices: Vec<(String, f32)>,
}

impl PluginParam {
    /// What the engine's parameter table says about this port. Leaks its
    /// strings (see the module docs: once per plugin per process).
    fn param_info(&self) -> ParamInfo {
        let key: &'static str = leak(&self.symbol);
        let name: &'static str = leak(&self.name);
        if !self.choices.is_empty() {
            let labels: Vec<&'static str> = self.choices.iter().map(|(l, _)| leak(l)).collect();
            let labels: &'static [&'static str] = Box::leak(labels.into_boxed_slice());
            let default = self.choices.iter().position(|(_, v)| *v == self.default).unwrap_or_default();
            return ParamInfo::choice(key, name, labels, default);
        }
        if self.toggle {
            return ParamInfo::toggle(key, name, self.default >= 0.5);
        }
        let unit = match self.unit.as_str() {
            "dB" => Unit::Decibels,
            "Hz" if self.min > 0.0 => Unit::Hertz,
            "ms" => Unit::Milliseconds,
            "s" => Unit::Seconds,
            "%" => Unit::Percent,
            _ => Unit::Ratio,
        };
        let (min, max) = (f64::from(self.min), f64::from(self.max));
        ParamInfo::new(key, name, unit, min, max, f64::from(self.default).clamp(min, max))
    }

    /// The port value for the engine's parameter value (a choice's index
    /// becomes its scale point's value).
    pub fn port_value(&self, v: f64) -> f32 {
        if self.choices.is_empty() {
            let v = v as f32;
            if self.integer { v.round() } else { v }
        } else {
            let i = (v.round().max(0.0) as usize).min(self.choices.len() - 1);
            self.choices[i].1
        }
    }
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

/// Why a hosted plugin could not be put to work.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PluginError {
    /// The plugin is not installed (or not usable): the insert passes audio through.
    #[error("plugin '{0}' is not installed; `mixdesk plugins` lists the installed ones")]
    NotInstalled(String),
    /// The plugin refused to start.
    #[error("plugin '{name}' ({id}) failed to start: {reason}")]
    Instantiate {
        /// Display name.
        name: String,
        /// URI.
        id: String,
        /// What went wrong.
        reason: String,
    },
}

/// A hosted plugin kind: its scan record and its engine spec.
#[derive(Debug)]
pub struct Hosted {
    /// What the scan found.
    pub info: PluginInfo,
    /// The spec the engine uses (leaked once).
    pub spec: &'static KindSpec,
}

struct Registry {
    plugins: Vec<Hosted>,
    by_kind: HashMap<String, usize>,
}

static REGISTRY: OnceLock<Registry> = OnceLock::new();

fn registry() -> &'static Registry {
    REGISTRY.get_or_init(|| {
        let found = scan::scan_cached().plugins;
        let plugins: Vec<Hosted> = found
            .into_iter()
            .filter(|p| p.unsupported.is_none())
            .map(|info| {
                let spec = leak_spec(&info);
                Hosted { info, spec }
            })
            .collect();
        let by_kind = plugins.iter().enumerate().map(|(i, h)| (h.info.kind.clone(), i)).collect();
        Registry { plugins, by_kind }
    })
}

fn leak_spec(info: &PluginInfo) -> &'static KindSpec {
    let params: Vec<ParamInfo> = info.params.iter().map(PluginParam::param_info).collect();
    let short: String = info.name.chars().take(8).collect();
    let format = info.format.to_uppercase();
    let description = if info.author.is_empty() {
        format!("{format} {}", info.category)
    } else {
        format!("{format} {} by {}", info.category, info.author)
    };
    Box::leak(Box::new(KindSpec {
        kind: leak(&info.kind),
        name: leak(&info.name),
        short: leak(&short),
        description: leak(&description),
        params: Box::leak(params.into_boxed_slice()),
        sidechain: !info.sidechain_inputs.is_empty(),
        structural: &[],
        build: build_unhosted,
    }))
}

/// The constructor in a hosted spec's `build` slot: a hosted kind is built by
/// [`instantiate`] (which also needs the processor's saved state), so a caller
/// that uses `build` directly gets a pass-through.
fn build_unhosted(_: &DspContext, _: &[f64]) -> Box<dyn Dsp> {
    Box::new(PassThrough)
}

/// Whether `kind` names a hosted plugin (installed or not).
pub fn is_hosted(kind: &str) -> bool {
    kind.starts_with(LV2_PREFIX) || kind.starts_with(CLAP_PREFIX)
}

/// Every installed, usable plugin (scans on first use, off the audio thread).
pub fn list() -> &'static [Hosted] {
    &registry().plugins
}

/// The installed plugin of kind `kind`.
pub fn hosted(kind: &str) -> Option<&'static Hosted> {
    if !is_hosted(kind) {
        return None;
    }
    let r = registry();
    r.by_kind.get(kind).map(|&i| &r.plugins[i])
}

/// The engine spec of the installed plugin of kind `kind`.
pub fn spec(kind: &str) -> Option<&'static KindSpec> {
    hosted(kind).map(|h| h.spec)
}

/// Builds a running instance of processor `p` of a hosted kind, restoring its
/// saved state and then its parameters. Off the audio thread.
pub fn instantiate(ctx: &DspContext, p: &Processor) -> Result<Box<dyn Dsp>, PluginError> {
    let h = hosted(&p.kind).ok_or_else(|| PluginError::NotInstalled(p.kind.clone()))?;
    let values = h.spec.values(p);
    if h.info.format == "clap" {
        return Ok(Box::new(clap::ClapDsp::new(&h.info, ctx, &values, p.state.as_deref())?));
    }
    let dsp = lv2::Lv2Dsp::new(&h.info, ctx, &values, p.state.as_deref())?;
    match h.info.block.fixed_block() {
        Some(block) => Ok(Box::new(reblock::Reblock::new(dsp, block, !h.info.sidechain_inputs.is_empty()))),
        None => Ok(Box::new(dsp)),
    }
}

/// The full state of processor `p` of a hosted kind as it would run: an
/// instance built from its saved state and parameters, asked for its state
/// (LV2 state extension and control ports, as Turtle; a CLAP plugin's
/// state-extension bytes). What a session stores in [`Processor::state`].
/// `None`: the plugin keeps no state beyond its parameters (a CLAP plugin
/// without the state extension, as ZAM's). Off the audio thread.
pub fn capture_state(sample_rate: u32, p: &Processor) -> Result<Option<String>, PluginError> {
    let h = hosted(&p.kind).ok_or_else(|| PluginError::NotInstalled(p.kind.clone()))?;
    let state = if h.info.format == "clap" {
        clap::capture_state(&h.info, &h.spec.values(p), p.state.as_deref())
    } else {
        let ctx = DspContext { sample_rate, max_block: 64, bpm: 120.0 };
        lv2::Lv2Dsp::new(&h.info, &ctx, &h.spec.values(p), p.state.as_deref())?.state().map(Some)
    };
    state.map_err(|reason| PluginError::Instantiate {
        name: h.info.name.clone(),
        id: h.info.id.clone(),
        reason: format!("its state could not be saved: {reason}"),
    })
}

/// The spec of an insert whose plugin is not installed: no parameters (the
/// saved ones stay in the session untouched), audio passes through.
pub static MISSING: KindSpec = KindSpec {
    kind: "missing-plugin",
    name: "Missing plugin",
    short: "Missing",
    description: "A plugin this machine does not have; audio passes through",
    params: &[],
    sidechain: false,
    structural: &[],
    build: build_unhosted,
};

/// A processor that leaves its input alone (a missing plugin).
#[derive(Debug, Clone, Copy, Default)]
pub struct PassThrough;

impl Dsp for PassThrough {
    fn set_param(&mut self, _: usize, _: f64) {}
    fn process(&mut self, _: &mut [&mut [f32]], _: Option<[&[f32]; 2]>) {}
    fn reset(&mut self) {}
}

/// The hosted kinds of `session`'s inserts that are not installed, each once, in order.
pub fn missing_in(session: &crate::session::Session) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, s) in session.strips() {
        for p in &s.processors {
            if is_hosted(&p.kind) && hosted(&p.kind).is_none() && !out.contains(&p.kind) {
                out.push(p.kind.clone());
            }
        }
    }
    out
}
