//! Delay: echoes at a time in ms or a note value at the session tempo, with
//! feedback through a high-pass and a low-pass, optional ping-pong.
//!
//! - Time: `time` ms, or when `sync` is not "Off", the note's length at the
//!   session tempo (`quarters * 60 / bpm` seconds, at most [`MAX_SYNC_SECONDS`]),
//!   rounded to whole samples. A change crossfades from the old tap to the new
//!   one over 20 ms (no pitch glide, no click).
//! - Feedback runs through the filters, which sit at the delay line's output
//!   inside the loop: echo `k` (at `k * time`) is `mix * fb^(k-1) * (HP LP)^k`
//!   of the input. Both are topology-preserving one-poles (bilinear, 6 dB/oct);
//!   the high-pass at its minimum (20 Hz) and the low-pass at its maximum
//!   (20 kHz) are exactly off, so the default echoes are exact copies.
//! - Ping-pong: the input summed to mono, `(L+R)/2`, enters the left line; the
//!   left line's output feeds the right one and the right feeds the left, so the
//!   first echo is on the left, the next on the right, and so on.
//! - Mix: `dry * (1 - mix) + wet * mix`.
//! - On a mono track the wet signal is the stereo wet folded to mono, `(L+R)/2`
//!   (so ping-pong echoes come at half level); the dry signal is unchanged.

use super::{Dsp, DspContext, KindSpec, MonoOrStereo, on, run_mono_or_stereo};
use crate::session::{ParamInfo, Unit};
use crate::smooth::{DECLICK_SECONDS, Declick, SMOOTHING_SECONDS, Smoother, ramp_samples};

/// Parameter indices.
pub mod p {
    pub const TIME: usize = 0;
    pub const SYNC: usize = 1;
    pub const FEEDBACK: usize = 2;
    pub const PING_PONG: usize = 3;
    pub const HPF: usize = 4;
    pub const LPF: usize = 5;
    pub const MIX: usize = 6;
}

/// Note values for tempo sync, with their length in quarter notes (index 0 is "off").
pub const SYNC_NOTES: [(&str, f64); 10] = [
    ("Off (ms)", 0.0),
    ("1/1", 4.0),
    ("1/2", 2.0),
    ("1/4", 1.0),
    ("1/8", 0.5),
    ("1/16", 0.25),
    ("1/4 dotted", 1.5),
    ("1/8 dotted", 0.75),
    ("1/4 triplet", 2.0 / 3.0),
    ("1/8 triplet", 1.0 / 3.0),
];

const SYNC_NAMES: [&str; 10] = [
    SYNC_NOTES[0].0,
    SYNC_NOTES[1].0,
    SYNC_NOTES[2].0,
    SYNC_NOTES[3].0,
    SYNC_NOTES[4].0,
    SYNC_NOTES[5].0,
    SYNC_NOTES[6].0,
    SYNC_NOTES[7].0,
    SYNC_NOTES[8].0,
    SYNC_NOTES[9].0,
];

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("time", "Time", Unit::Milliseconds, 1.0, 2000.0, 375.0),
    ParamInfo::choice("sync", "Tempo sync", &SYNC_NAMES, 0),
    ParamInfo::new("feedback", "Feedback", Unit::Percent, 0.0, 95.0, 35.0),
    ParamInfo::toggle("ping_pong", "Ping-pong", false),
    ParamInfo::new("hpf", "Feedback high-pass", Unit::Hertz, 20.0, 2000.0, 20.0),
    ParamInfo::new("lpf", "Feedback low-pass", Unit::Hertz, 500.0, 20000.0, 20000.0),
    ParamInfo::new("mix", "Mix", Unit::Percent, 0.0, 100.0, 30.0),
];

/// The delay's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "delay",
    name: "Delay",
    short: "Delay",
    description: "Stereo delay in ms or tempo-synced note values, with ping-pong and filtered feedback",
    params: PARAMS,
    sidechain: false,
    structural: &[],
    build,
};

/// The longest synced delay memory is allocated for (a whole note at 30 BPM);
/// longer synced notes (slower tempos) are clamped to it.
pub const MAX_SYNC_SECONDS: f64 = 8.0;

/// How long a delay-time change crossfades from the old tap to the new one.
const TIME_FADE_SECONDS: f64 = 0.02;

/// Feedback below this magnitude is flushed to zero, so a decaying loop reaches
/// exact silence instead of lingering in subnormal floats.
const FLUSH: f32 = 1e-20;

/// The registry entry's build: a delay settled at `values`.
fn build(ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(Delay::new(ctx, values))
}

/// A linear per-sample ramp over one block of `n` samples: the smoother's
/// value at the block's start and the step per sample (sample `i` of the block
/// gets `start + step * (i + 1)`, the last one the smoother's value after `n`).
/// Shared by the effects in this module's siblings.
#[inline]
pub(crate) fn block_ramp(s: &mut Smoother, n: usize) -> (f32, f32) {
    let a = s.value();
    let b = s.advance(n as u32);
    (a as f32, ((b - a) / n.max(1) as f64) as f32)
}

/// `tan(pi f / rate) / (1 + tan(...))`: the gain of a topology-preserving
/// one-pole (the bilinear transform of `1 / (1 + s/wc)`) with cutoff `f`.
fn tpt_gain(f: f64, rate: f64) -> f32 {
    let g = (std::f64::consts::PI * f.clamp(1.0, 0.49 * rate) / rate).tan();
    (g / (1.0 + g)) as f32
}

/// One step of a TPT one-pole low-pass with gain `g` and state `s`.
#[inline]
fn lowpass(x: f32, g: f32, s: &mut f32) -> f32 {
    let v = (x - *s) * g;
    let y = v + *s;
    let ns = y + v;
    *s = if ns.abs() < FLUSH { 0.0 } else { ns };
    y
}

#[inline]
fn flush(x: f32) -> f32 {
    if x.abs() < FLUSH { 0.0 } else { x }
}

/// A tap into delay memory that moves by crossfading linearly from its old
/// position to its new one (no pitch glide, no click). A new target that
/// arrives mid-fade is taken up when the fade ends. Shared with the reverb's
/// pre-delay.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tap {
    /// Delay in samples being read (and faded from).
    pub(crate) cur: usize,
    /// Delay being faded to.
    pub(crate) next: usize,
    /// The latest requested delay.
    pub(crate) target: usize,
    /// Samples of the fade done (0 when not fading).
    pos: u32,
    /// Samples a fade lasts.
    len: u32,
}

impl Tap {
    pub(crate) fn new(delay: usize, len: u32) -> Tap {
        Tap { cur: delay, next: delay, target: delay, pos: 0, len: len.max(1) }
    }

    pub(crate) fn fading(&self) -> bool {
        self.cur != self.next
    }

    /// Starts the fade to the latest target if none is under way.
    pub(crate) fn start(&mut self) {
        if !self.fading() && self.target != self.cur {
            self.next = self.target;
            self.pos = 0;
        }
    }

    /// Advances one sample of a fade; returns the weight of `next` for this sample.
    #[inline]
    pub(crate) fn advance(&mut self) -> f32 {
        self.pos += 1;
        let f = self.pos as f32 / self.len as f32;
        if self.pos >= self.len {
            self.cur = self.next;
            self.pos = 0;
            self.start();
        }
        f
    }

    pub(crate) fn settle(&mut self) {
        self.cur = self.target;
        self.next = self.target;
        self.pos = 0;
    }
}

/// The running delay.
pub struct Delay {
    rate: f64,
    bpm: f64,
    /// Delay memory, left and right, a power of two long each.
    buf: [Vec<f32>; 2],
    mask: usize,
    /// Where the next sample is written.
    w: usize,
    /// The longest delay in samples.
    max_delay: usize,
    time_ms: f64,
    sync: usize,
    tap: Tap,
    feedback: Smoother,
    mix: Smoother,
    /// 0 = normal, 1 = ping-pong routing (ramped when switched).
    ping: Declick,
    hpf: Smoother,
    lpf: Smoother,
    hpf_min: f64,
    lpf_max: f64,
    /// Filter states (the low-pass integrator of the high-pass, then the low-pass), per channel.
    hp_s: [f32; 2],
    lp_s: [f32; 2],
    hp_on: bool,
    lp_on: bool,
    /// The last sample that reached the low-pass while it was off, to start it
    /// without a step when it turns on.
    lp_last: [f32; 2],
}

impl Delay {
    fn new(ctx: &DspContext, values: &[f64]) -> Delay {
        let rate = f64::from(ctx.sample_rate.max(1));
        let bpm = if ctx.bpm.is_finite() && ctx.bpm > 0.0 { ctx.bpm } else { 120.0 };
        let v = |i: usize| values.get(i).copied().unwrap_or(PARAMS[i].default);
        let longest_note =
            (SYNC_NOTES.iter().map(|n| n.1).fold(0.0, f64::max) * 60.0 / bpm).min(MAX_SYNC_SECONDS);
        let max_seconds = (PARAMS[p::TIME].max * 0.001).max(longest_note);
        let max_delay = (max_seconds * rate).ceil() as usize + 1;
        let size = (max_delay + 1).next_power_of_two();
        let smooth = ramp_samples(SMOOTHING_SECONDS, ctx.sample_rate);
        let mut d = Delay {
            rate,
            bpm,
            buf: [vec![0.0; size], vec![0.0; size]],
            mask: size - 1,
            w: 0,
            max_delay,
            time_ms: v(p::TIME),
            sync: v(p::SYNC).round().clamp(0.0, (SYNC_NOTES.len() - 1) as f64) as usize,
            tap: Tap::new(1, ramp_samples(TIME_FADE_SECONDS, ctx.sample_rate)),
            feedback: Smoother::new(v(p::FEEDBACK) * 0.01, smooth),
            mix: Smoother::new(v(p::MIX) * 0.01, smooth),
            ping: Declick::new(on(v(p::PING_PONG)), ramp_samples(DECLICK_SECONDS, ctx.sample_rate)),
            hpf: Smoother::new(v(p::HPF), smooth),
            lpf: Smoother::new(v(p::LPF), smooth),
            hpf_min: PARAMS[p::HPF].min,
            lpf_max: PARAMS[p::LPF].max,
            hp_s: [0.0; 2],
            lp_s: [0.0; 2],
            hp_on: false,
            lp_on: false,
            lp_last: [0.0; 2],
        };
        d.tap.target = d.delay_samples();
        d.tap.settle();
        d.hp_on = d.hpf.value() > d.hpf_min;
        d.lp_on = d.lpf.value() < d.lpf_max;
        d
    }

    /// The delay the parameters ask for, in samples (1 to the memory's length).
    fn delay_samples(&self) -> usize {
        let seconds = match SYNC_NOTES.get(self.sync) {
            Some(&(_, quarters)) if self.sync > 0 => quarters * 60.0 / self.bpm,
            _ => self.time_ms * 0.001,
        };
        ((seconds * self.rate).round() as usize).clamp(1, self.max_delay)
    }

    /// Reads the tap (crossfading while it moves) for both channels.
    #[inline]
    fn read(&mut self) -> (f32, f32) {
        let m = self.mask;
        let i = self.w.wrapping_sub(self.tap.cur) & m;
        let (mut l, mut r) = (self.buf[0][i], self.buf[1][i]);
        if self.tap.fading() {
            let j = self.w.wrapping_sub(self.tap.next) & m;
            let f = self.tap.advance();
            l += (self.buf[0][j] - l) * f;
            r += (self.buf[1][j] - r) * f;
        }
        (l, r)
    }

    /// Advances the filter glides by `n` samples and returns this block's
    /// one-pole gains, switching each filter off at its extreme.
    fn filters(&mut self, n: usize) -> (f32, f32) {
        let hpf = self.hpf.advance(n as u32);
        let lpf = self.lpf.advance(n as u32);
        let hp_on = hpf > self.hpf_min;
        let lp_on = lpf < self.lpf_max;
        if hp_on && !self.hp_on {
            self.hp_s = [0.0; 2];
        }
        if lp_on && !self.lp_on {
            self.lp_s = self.lp_last;
        }
        self.hp_on = hp_on;
        self.lp_on = lp_on;
        (tpt_gain(hpf, self.rate), tpt_gain(lpf, self.rate))
    }
}

/// Shows the settings, not the (large) delay memory.
impl std::fmt::Debug for Delay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delay")
            .field("rate", &self.rate)
            .field("bpm", &self.bpm)
            .field("max_delay", &self.max_delay)
            .field("time_ms", &self.time_ms)
            .field("sync", &self.sync)
            .field("tap", &self.tap)
            .field("feedback", &self.feedback)
            .field("mix", &self.mix)
            .field("ping", &self.ping)
            .field("hpf", &self.hpf)
            .field("lpf", &self.lpf)
            .finish_non_exhaustive()
    }
}

impl Dsp for Delay {
    fn set_param(&mut self, index: usize, value: f64) {
        match index {
            p::TIME | p::SYNC => {
                if index == p::TIME {
                    self.time_ms = value;
                } else {
                    self.sync = value.round().clamp(0.0, (SYNC_NOTES.len() - 1) as f64) as usize;
                }
                self.tap.target = self.delay_samples();
            }
            p::FEEDBACK => self.feedback.set_target(value * 0.01),
            p::PING_PONG => self.ping.set(on(value)),
            p::HPF => self.hpf.set_target(value),
            p::LPF => self.lpf.set_target(value),
            p::MIX => self.mix.set_target(value * 0.01),
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {
        run_mono_or_stereo(self, io);
    }

    fn reset(&mut self) {
        for b in &mut self.buf {
            b.fill(0.0);
        }
        self.hp_s = [0.0; 2];
        self.lp_s = [0.0; 2];
        self.lp_last = [0.0; 2];
        self.tap.settle();
        for s in [&mut self.feedback, &mut self.mix, &mut self.hpf, &mut self.lpf] {
            s.jump(s.target());
        }
        let ping = self.ping.is_on();
        self.ping.jump(ping);
        self.hp_on = self.hpf.value() > self.hpf_min;
        self.lp_on = self.lpf.value() < self.lpf_max;
    }
}

impl MonoOrStereo for Delay {
    /// Runs one block in place: stereo when `STEREO` (`l`, `r` of equal
    /// length), else the mono track `l` (its wet signal is the stereo wet folded
    /// to mono, `r` is unused).
    #[inline]
    fn run<const STEREO: bool>(&mut self, l: &mut [f32], r: &mut [f32]) {
        let n = l.len();
        self.tap.start();
        let (fb0, dfb) = block_ramp(&mut self.feedback, n);
        let (mix0, dmix) = block_ramp(&mut self.mix, n);
        let ping_moving = self.ping.is_moving();
        let ping0 = self.ping.gain() as f32;
        let (hp, lp) = self.filters(n);
        let (hp_on, lp_on) = (self.hp_on, self.lp_on);
        let mut last = self.lp_last;
        for i in 0..n {
            let k = (i + 1) as f32;
            let fb = fb0 + dfb * k;
            let mix = mix0 + dmix * k;
            let xl = l[i];
            let xr = if STEREO { r[i] } else { xl };
            let (mut yl, mut yr) = self.read();
            if hp_on {
                yl -= lowpass(yl, hp, &mut self.hp_s[0]);
                yr -= lowpass(yr, hp, &mut self.hp_s[1]);
            }
            if lp_on {
                yl = lowpass(yl, lp, &mut self.lp_s[0]);
                yr = lowpass(yr, lp, &mut self.lp_s[1]);
            } else {
                last = [yl, yr];
            }
            let ping = if ping_moving { self.ping.advance(1) as f32 } else { ping0 };
            let (mut wl, mut wr) = (xl + fb * yl, xr + fb * yr);
            if ping > 0.0 {
                let (pl, pr) = (0.5 * (xl + xr) + fb * yr, fb * yl);
                wl += (pl - wl) * ping;
                wr += (pr - wr) * ping;
            }
            let w = self.w;
            self.buf[0][w] = flush(wl);
            self.buf[1][w] = flush(wr);
            self.w = (w + 1) & self.mask;
            if STEREO {
                l[i] = xl + (yl - xl) * mix;
                r[i] = xr + (yr - xr) * mix;
            } else {
                l[i] = xl + (0.5 * (yl + yr) - xl) * mix;
            }
        }
        self.lp_last = last;
    }
}
