//! Insert processors: the DSP that runs in a strip's insert chain.
//!
//! Every processor kind is listed once in [`kinds`] with its stable name, its
//! parameters (stable keys and indices, name, unit, range, default, display
//! format) and a constructor. The graph owns one boxed [`Dsp`] per insert and
//! calls it on the audio thread; the live callback and the bounce run the same
//! code, so what is heard is what is bounced.
//!
//! Conventions every processor keeps:
//! - `process` works in place on 1 (mono track) or 2 channels of equal length,
//!   never allocates, locks or logs, and never emits NaN/Inf for parameters in
//!   range;
//! - `set_param` takes a value already clamped to the parameter's range and
//!   glides audible changes (see [`crate::smooth`]) so automation does not zipper;
//! - state that must survive a graph swap lives in the `Dsp` value itself (the
//!   graph moves the box across swaps).

pub mod ar;
pub mod biquad;
pub mod cascade_lanes;
pub mod chorus;
pub mod compressor;
pub mod declick;
pub mod deesser;
pub mod dehum;
pub mod delay;
pub mod delay_line;
pub mod denoise;
pub mod dynamics;
pub mod eq;
pub mod gate;
pub mod group;
pub mod limiter;
pub mod reverb;
pub mod simd;
pub mod utility;

use crate::plugins::{self, PluginError};
use crate::session::{ParamInfo, Processor};

/// What a processor is built for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DspContext {
    /// Session sample rate in Hz.
    pub sample_rate: u32,
    /// The largest block `process` will be given.
    pub max_block: usize,
    /// Session tempo, for tempo-synced times.
    pub bpm: f64,
}

/// One running insert processor. See the module docs for the contract.
pub trait Dsp: Send + Sync + std::fmt::Debug {
    /// Sets parameter `index` (its position in the kind's parameter list) to
    /// `value`, already clamped to its range. Realtime-safe.
    fn set_param(&mut self, index: usize, value: f64);

    /// Processes one block in place: `io` holds 1 or 2 channels of equal length
    /// (at most the context's `max_block`). `key` is the external sidechain
    /// (stereo) when one is routed to a processor that accepts it. Realtime-safe.
    fn process(&mut self, io: &mut [&mut [f32]], key: Option<[&[f32]; 2]>);

    /// The delay in samples this processor adds to its signal (its lookahead).
    fn latency(&self) -> usize {
        0
    }

    /// Whether the processor now adds another delay than `compiled` samples,
    /// the latency its graph compensates (a hosted plugin whose latency
    /// follows a parameter: an LV2 latency port reading a new figure after
    /// `run`, a CLAP plugin that asked for a restart). The graph reports it
    /// and the app compiles a new one that compensates the new latency.
    /// Realtime-safe.
    fn latency_changed(&self, compiled: usize) -> bool {
        self.latency() != compiled
    }

    /// The gain reduction being applied now, in dB (0 or more), for dynamics processors.
    fn gain_reduction_db(&self) -> Option<f32> {
        None
    }

    /// Forgets all signal state (delay lines, envelopes), as if fed silence forever.
    fn reset(&mut self);

    /// This processor as one of the kinds that run several tracks side by
    /// side ([`group`]), if it is one.
    fn grouped(&mut self) -> Option<group::Grouped<'_>> {
        None
    }
}

/// A constructor: the context and every parameter's initial value, by index.
pub type Build = fn(&DspContext, &[f64]) -> Box<dyn Dsp>;

/// One processor kind.
#[derive(Debug, Clone, Copy)]
pub struct KindSpec {
    /// Stable name used in session files (`"eq"`).
    pub kind: &'static str,
    /// Display name.
    pub name: &'static str,
    /// A name that fits a mixer strip's insert slot (about eight characters).
    pub short: &'static str,
    /// One line on what it is for.
    pub description: &'static str,
    /// Parameters; a parameter's index here is its `ParamId::Processor` index,
    /// so new parameters are only ever appended.
    pub params: &'static [ParamInfo],
    /// Whether an external sidechain can be routed to it.
    pub sidechain: bool,
    /// Parameters that change the processor's latency: a change takes effect
    /// when the graph is rebuilt, not live.
    pub structural: &'static [usize],
    /// The constructor.
    pub build: Build,
}

impl KindSpec {
    /// The index of the parameter with stable key `key`.
    pub fn param_index(&self, key: &str) -> Option<usize> {
        self.params.iter().position(|p| p.key == key)
    }

    /// Every parameter's value for `p`: its stored value clamped to range, or the default.
    pub fn values(&self, p: &Processor) -> Vec<f64> {
        self.params
            .iter()
            .map(|info| p.params.get(info.key).map_or(info.default, |v| info.clamp(*v)))
            .collect()
    }

    /// Builds a running processor for `p` (off the audio thread): a built-in
    /// by its constructor, a hosted plugin by instantiating it with its saved
    /// state. A plugin that cannot start is an error naming it.
    pub fn instantiate(&self, ctx: &DspContext, p: &Processor) -> Result<Box<dyn Dsp>, PluginError> {
        if plugins::is_hosted(self.kind) {
            plugins::instantiate(ctx, p)
        } else {
            Ok((self.build)(ctx, &self.values(p)))
        }
    }
}

/// Every built-in processor kind, in the order menus show them (hosted
/// plugins: [`crate::plugins::list`]).
pub fn kinds() -> &'static [KindSpec] {
    &KINDS
}

/// The kind with stable name `name`: a built-in, or an installed hosted
/// plugin (`"lv2:<uri>"`; the first such look-up scans the plugins, so it
/// never happens on the audio thread: the graph keeps its specs).
pub fn kind(name: &str) -> Option<&'static KindSpec> {
    KINDS.iter().find(|k| k.kind == name).or_else(|| plugins::spec(name))
}

/// The kind of an insert in a compiled graph: [`kind`], or for a hosted
/// plugin that is not installed, [`plugins::MISSING`] (audio passes through).
pub fn kind_or_missing(name: &str) -> Option<&'static KindSpec> {
    kind(name).or_else(|| plugins::is_hosted(name).then_some(&plugins::MISSING))
}

static KINDS: [KindSpec; 12] = [
    eq::SPEC,
    compressor::SPEC,
    gate::SPEC,
    limiter::SPEC,
    reverb::SPEC,
    delay::SPEC,
    chorus::SPEC,
    utility::SPEC,
    dehum::SPEC,
    declick::SPEC,
    denoise::SPEC,
    deesser::SPEC,
];

/// The value of a toggle parameter.
pub(crate) fn on(v: f64) -> bool {
    v >= 0.5
}

/// A processor with one sample loop compiled for mono and for stereo.
pub(crate) trait MonoOrStereo {
    /// Processes `l` (and `r` when `STEREO`) in place.
    fn run<const STEREO: bool>(&mut self, l: &mut [f32], r: &mut [f32]);
}

/// Runs `p` over a mono or stereo block (extra channels are left alone). Realtime-safe.
pub(crate) fn run_mono_or_stereo<P: MonoOrStereo>(p: &mut P, io: &mut [&mut [f32]]) {
    match io {
        [x] => p.run::<false>(x, &mut []),
        [l, r, ..] => {
            let n = l.len().min(r.len());
            p.run::<true>(&mut l[..n], &mut r[..n]);
        }
        [] => {}
    }
}

/// A processor that works one frame (one sample per channel) at a time,
/// the same code for one channel and for two: it runs as [`MonoOrStereo`].
pub(crate) trait FrameByFrame {
    /// Processes one frame of `CH` channels.
    fn frame<const CH: usize>(&mut self, x: [f32; CH]) -> [f32; CH];
}

impl<P: FrameByFrame> MonoOrStereo for P {
    #[inline]
    fn run<const STEREO: bool>(&mut self, l: &mut [f32], r: &mut [f32]) {
        if STEREO {
            for (a, b) in l.iter_mut().zip(r.iter_mut()) {
                [*a, *b] = self.frame([*a, *b]);
            }
        } else {
            for v in l.iter_mut() {
                *v = self.frame([*v])[0];
            }
        }
    }
}

/// `10^(db/20)`.
pub(crate) fn db_to_gain(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// A one-pole smoothing coefficient that reaches 1-1/e of a step in `ms`
/// milliseconds at `rate` (0 for an instant response).
pub(crate) fn one_pole_coeff(ms: f64, rate: f64) -> f64 {
    if ms <= 0.0 { 0.0 } else { (-1.0 / (ms * 0.001 * rate)).exp() }
}
