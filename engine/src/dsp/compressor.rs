//! Compressor: feed-forward, with the gain computer and the attack/release
//! ballistics in the log domain (Giannoulis, Massberg and Reiss, "Digital
//! Dynamic Range Compressor Design", JAES 2012: the smooth branching detector
//! placed after the gain computer).
//!
//! Per sample: the key's level in dB (peak: |x|; RMS: a 10 ms mean square),
//! stereo-linked by `stereo_link`; the static curve (threshold, ratio, soft knee
//! of width `knee` dB centred on the threshold) gives the wanted gain reduction;
//! a one-pole smoother rises with the attack and falls with the release time
//! constant (each is the time to 1 - 1/e of a step in dB). The key is the input,
//! or an external sidechain routed from any track or bus, through an optional
//! 12 dB/oct high-pass. Auto makeup adds the gain reduction the static curve
//! applies at 0 dBFS, so a full-scale peak comes out at full scale.

use super::biquad::{self, Coeffs, Shape};
use super::dynamics::{amp_to_db_with, db_to_amp_with, time_coeff};
use super::simd::{self, MulAdd};
use super::{Dsp, DspContext, KindSpec, on};
use crate::session::{ParamInfo, Unit};
use crate::smooth::{SMOOTHING_SECONDS, Smoother, ramp_samples};

/// Parameter indices.
pub mod p {
    pub const THRESHOLD: usize = 0;
    pub const RATIO: usize = 1;
    pub const KNEE: usize = 2;
    pub const ATTACK: usize = 3;
    pub const RELEASE: usize = 4;
    pub const MAKEUP: usize = 5;
    pub const AUTO_MAKEUP: usize = 6;
    pub const DETECTION: usize = 7;
    pub const STEREO_LINK: usize = 8;
    pub const SC_HPF_ON: usize = 9;
    pub const SC_HPF_FREQ: usize = 10;
    pub const MIX: usize = 11;
}

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("threshold", "Threshold", Unit::Decibels, -60.0, 0.0, -18.0),
    ParamInfo::new("ratio", "Ratio", Unit::CompressionRatio, 1.0, 20.0, 4.0),
    ParamInfo::new("knee", "Knee", Unit::Decibels, 0.0, 24.0, 6.0),
    ParamInfo::new("attack", "Attack", Unit::Milliseconds, 0.05, 250.0, 10.0),
    ParamInfo::new("release", "Release", Unit::Milliseconds, 5.0, 3000.0, 120.0),
    ParamInfo::new("makeup", "Makeup gain", Unit::Decibels, 0.0, 24.0, 0.0),
    ParamInfo::toggle("auto_makeup", "Auto makeup", false),
    ParamInfo::choice("detection", "Detection", &["Peak", "RMS"], 0),
    ParamInfo::new("stereo_link", "Stereo link", Unit::Percent, 0.0, 100.0, 100.0),
    ParamInfo::toggle("sc_hpf_on", "Sidechain high-pass", false),
    ParamInfo::new("sc_hpf_freq", "Sidechain high-pass frequency", Unit::Hertz, 20.0, 1000.0, 100.0),
    ParamInfo::new("mix", "Mix (parallel)", Unit::Percent, 0.0, 100.0, 100.0),
];

/// The compressor's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "compressor",
    name: "Compressor",
    short: "Comp",
    description: "Soft-knee compressor with peak/RMS detection, stereo link, auto makeup and an external sidechain",
    params: PARAMS,
    sidechain: true,
    structural: &[],
    build,
};

fn build(ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(Compressor::new(ctx, values))
}

/// The averaging time of RMS detection.
const RMS_MS: f64 = 10.0;

/// The static curve: output level in dB for input level `x` dB.
pub fn static_curve(x: f64, threshold: f64, ratio: f64, knee: f64) -> f64 {
    let over = x - threshold;
    if 2.0 * over < -knee {
        x
    } else if knee > 0.0 && 2.0 * over.abs() <= knee {
        x + (1.0 / ratio - 1.0) * (over + knee / 2.0).powi(2) / (2.0 * knee)
    } else {
        threshold + over / ratio
    }
}

/// The static curve's gain reduction (dB, >= 0) in f32 for the audio path,
/// without branches: the knee's quadratic and the straight part above it are
/// each clamped to their own region and added.
#[inline]
fn reduction(x: f32, c: &Curve) -> f32 {
    let over = x - c.threshold;
    let t = (over + 0.5 * c.knee).clamp(0.0, c.knee);
    c.slope * (t * t * c.inv_2knee + (over - 0.5 * c.knee).max(0.0))
}

/// The static curve's constants in the form the audio path uses.
#[derive(Debug, Clone, Copy)]
struct Curve {
    threshold: f32,
    knee: f32,
    inv_2knee: f32,
    /// `1 - 1/ratio`.
    slope: f32,
}

/// The running compressor.
#[derive(Debug, Clone)]
pub struct Compressor {
    rate: f64,
    values: [f64; 12],
    curve: Curve,
    attack: f32,
    release: f32,
    rms_coeff: f32,
    makeup: Smoother,
    mix: Smoother,
    hpf: Coeffs,
    hpf_state: [[f64; 2]; 2],
    /// Smoothed gain reduction per channel (dB).
    gr: [f32; 2],
    /// Mean square per channel for RMS detection.
    ms: [f32; 2],
}

impl Compressor {
    fn new(ctx: &DspContext, values: &[f64]) -> Compressor {
        let ramp = ramp_samples(SMOOTHING_SECONDS, ctx.sample_rate);
        let mut c = Compressor {
            rate: f64::from(ctx.sample_rate),
            values: [0.0; 12],
            curve: Curve { threshold: 0.0, knee: 0.0, inv_2knee: 0.0, slope: 0.0 },
            attack: 0.0,
            release: 0.0,
            rms_coeff: 0.0,
            makeup: Smoother::new(0.0, ramp),
            mix: Smoother::new(1.0, ramp),
            hpf: Coeffs::IDENTITY,
            hpf_state: [[0.0; 2]; 2],
            gr: [0.0; 2],
            ms: [0.0; 2],
        };
        c.values.copy_from_slice(&values[..12]);
        c.update();
        c.makeup.jump(c.makeup_db());
        c.mix.jump(c.values[p::MIX] / 100.0);
        c
    }

    fn makeup_db(&self) -> f64 {
        let v = &self.values;
        let auto = if on(v[p::AUTO_MAKEUP]) {
            0.0 - static_curve(0.0, v[p::THRESHOLD], v[p::RATIO], v[p::KNEE])
        } else {
            0.0
        };
        v[p::MAKEUP] + auto
    }

    fn update(&mut self) {
        let v = self.values;
        let knee = v[p::KNEE] as f32;
        self.curve = Curve {
            threshold: v[p::THRESHOLD] as f32,
            knee,
            inv_2knee: if knee > 0.0 { 1.0 / (2.0 * knee) } else { 0.0 },
            slope: (1.0 - 1.0 / v[p::RATIO]) as f32,
        };
        self.attack = time_coeff(v[p::ATTACK], self.rate);
        self.release = time_coeff(v[p::RELEASE], self.rate);
        self.rms_coeff = time_coeff(RMS_MS, self.rate);
        self.hpf = if on(v[p::SC_HPF_ON]) {
            Coeffs::design(
                Shape::HighPass { q: std::f64::consts::FRAC_1_SQRT_2 },
                v[p::SC_HPF_FREQ],
                self.rate,
            )
        } else {
            Coeffs::IDENTITY
        };
        self.makeup.set_target(self.makeup_db());
        self.mix.set_target(v[p::MIX] / 100.0);
    }
}

/// Samples processed per pass: the level, curve and gain passes run over a
/// chunk at a time so they vectorise; only the attack/release recursion is serial.
/// (512 measured 16 % faster than 64; the chunk buffers take 16 KiB of stack.)
const CHUNK: usize = 512;

/// The most compressors [`process_group`] runs side by side.
pub const GROUP: usize = 8;

/// One track's compressor and its stereo block, for [`process_group`].
pub type Member<'a> = (&'a mut Compressor, [&'a mut [f32]; 2]);

impl Compressor {
    /// The block, compiled with AVX2 and FMA (see [`simd`]).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn process_fma(&mut self, io: &mut [&mut [f32]], key: Option<[&[f32]; 2]>) {
        self.process_with::<true>(io, key);
    }

    #[inline(always)]
    fn process_with<const FMA: bool>(&mut self, io: &mut [&mut [f32]], key: Option<[&[f32]; 2]>) {
        let n = io.first().map_or(0, |c| c.len());
        let channels = io.len().min(2);
        let ends = self.block_ramps(n);
        // Scratch for every chunk (zeroed once per block, not per chunk).
        let mut want = [[0.0f32; CHUNK]; 2];
        let mut scratch = [[0.0f32; CHUNK]; 2];
        let mut done = 0;
        while done < n {
            let m = CHUNK.min(n - done);
            let paths = self.detect::<FMA>(io, key, done, m, channels, &mut want, &mut scratch);
            for (c, want) in want.iter_mut().enumerate().take(paths) {
                self.gr[c] = ballistics::<FMA>(self.attack, self.release, self.gr[c], &mut want[..m]);
            }
            self.apply::<FMA>(io, done, m, channels, paths, chunk_ramp(ends, done, n), &want, &mut scratch);
            done += m;
        }
    }

    /// The makeup and mix at the start and the end of an `n`-sample block
    /// (the smoothers advance over it).
    fn block_ramps(&mut self, n: usize) -> [f32; 4] {
        let mk0 = self.makeup.value() as f32;
        let mx0 = self.mix.value() as f32;
        let mk1 = self.makeup.advance(n as u32) as f32;
        let mx1 = self.mix.advance(n as u32) as f32;
        [mk0, mk1, mx0, mx1]
    }

    /// Steps 1 to 3 over the chunk of `m` samples from `at`: the key's
    /// level (in `level`, scratch), and the reduction the static curve wants
    /// (in `want`, per detection path). Returns the number of paths: 1 when
    /// linked or mono.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn detect<const FMA: bool>(
        &mut self,
        io: &mut [&mut [f32]],
        key: Option<[&[f32]; 2]>,
        at: usize,
        m: usize,
        channels: usize,
        want: &mut [[f32; CHUNK]; 2],
        level: &mut [[f32; CHUNK]; 2],
    ) -> usize {
        let rms = self.values[p::DETECTION] >= 0.5;
        let link = (self.values[p::STEREO_LINK] / 100.0) as f32;
        let filtered = self.hpf != Coeffs::IDENTITY;
        let key_channels = if key.is_some() { 2 } else { channels };
        let curve = self.curve;
        let linked = link >= 1.0 || channels == 1;
        if !rms && !filtered && key.is_none() && channels == 2 {
            // The common case in one pass (peak levels of the input itself):
            // per sample the operations of the passes below, in their order.
            let (l, r) = (&io[0][at..at + m], &io[1][at..at + m]);
            let [w0, w1] = want;
            let level = |x: &f32| amp_to_db_with::<FMA>(x.abs());
            if linked {
                for ((w, a), b) in w0[..m].iter_mut().zip(l).zip(r) {
                    *w = reduction(level(a).max(level(b)), &curve);
                }
                return 1;
            }
            for (((wa, wb), a), b) in w0[..m].iter_mut().zip(w1[..m].iter_mut()).zip(l).zip(r) {
                let (a, b) = (level(a), level(b));
                let max = a.max(b);
                *wa = reduction(max * link + a * (1.0 - link), &curve);
                *wb = reduction(max * link + b * (1.0 - link), &curve);
            }
            return 2;
        }
        // 1. The key's level per channel (linear; mean square for RMS).
        for c in 0..key_channels {
            let src: &[f32] = match key {
                Some(k) => &k[c][at..at + m],
                None => &io[c][at..at + m],
            };
            let lv = &mut level[c][..m];
            lv.copy_from_slice(src);
            if filtered {
                biquad::run(&self.hpf, &mut self.hpf_state[c], lv);
            }
            if rms {
                let (k, ms) = (self.rms_coeff, &mut self.ms[c]);
                for x in lv.iter_mut() {
                    *ms = *x * *x + k * (*ms - *x * *x);
                    *x = *ms;
                }
                // 2. ... in dB (half, as these are squares).
                lv.iter_mut().for_each(|x| *x = 0.5 * amp_to_db_with::<FMA>(*x));
            } else {
                lv.iter_mut().for_each(|x| *x = amp_to_db_with::<FMA>(x.abs()));
            }
        }
        // 3. The wanted reduction from the static curve (branch-free), linked.
        // (A single key channel means a mono track: nothing to link.)
        let [l0, l1] = &*level;
        let [w0, w1] = want;
        let (l0, l1, w0, w1) = (&l0[..m], &l1[..m], &mut w0[..m], &mut w1[..m]);
        if key_channels == 1 {
            for (w, a) in w0.iter_mut().zip(l0) {
                *w = reduction(*a, &curve);
            }
        } else if linked {
            for ((w, a), b) in w0.iter_mut().zip(l0).zip(l1) {
                *w = reduction(a.max(*b), &curve);
            }
        } else {
            for (((wa, wb), a), b) in w0.iter_mut().zip(w1.iter_mut()).zip(l0).zip(l1) {
                let max = a.max(*b);
                *wa = reduction(max * link + a * (1.0 - link), &curve);
                *wb = reduction(max * link + b * (1.0 - link), &curve);
            }
        }
        if linked { 1 } else { 2 }
    }

    /// Step 5 and 6 over the chunk: the smoothed reduction in `gr` (per
    /// path) as a gain, with the makeup, applied with the parallel mix.
    /// `ramp` is (makeup, makeup step, mix, mix step); `gain` is scratch.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn apply<const FMA: bool>(
        &mut self,
        io: &mut [&mut [f32]],
        at: usize,
        m: usize,
        channels: usize,
        paths: usize,
        ramp: [f32; 4],
        gr: &[[f32; CHUNK]; 2],
        gain: &mut [[f32; CHUNK]; 2],
    ) {
        let (mk, step) = (ramp[0], ramp[1]);
        let (mx, mix_step) = (ramp[2], ramp[3]);
        if paths == 1 && channels == 2 && mx >= 1.0 && mix_step == 0.0 {
            // Linked stereo at full mix in one pass: the gain of each sample
            // as below, applied to both channels.
            self.gr[1] = self.gr[0];
            let [l, r] = io else { return };
            let (l, r) = (&mut l[at..at + m], &mut r[at..at + m]);
            for (i, ((a, b), g)) in l.iter_mut().zip(r.iter_mut()).zip(&gr[0][..m]).enumerate() {
                let g = db_to_amp_with::<FMA>(step.madd::<FMA>((i as i32 + 1) as f32, mk) - g);
                *a *= g;
                *b *= g;
            }
            return;
        }
        for c in 0..paths {
            for (i, (out, g)) in gain[c][..m].iter_mut().zip(&gr[c][..m]).enumerate() {
                // (Through i32: the same value, and the conversion vectorises, which usize's does not.)
                *out = db_to_amp_with::<FMA>(step.madd::<FMA>((i as i32 + 1) as f32, mk) - g);
            }
        }
        if paths == 1 {
            self.gr[1] = self.gr[0];
            let [g0, g1] = gain;
            g1[..m].copy_from_slice(&g0[..m]);
        }
        let (mx, step) = (ramp[2], ramp[3]);
        for c in 0..channels {
            let buf = &mut io[c][at..at + m];
            if mx >= 1.0 && step == 0.0 {
                for (x, g) in buf.iter_mut().zip(&gain[c][..m]) {
                    *x *= g;
                }
            } else {
                for (i, (x, g)) in buf.iter_mut().zip(&gain[c][..m]).enumerate() {
                    let mix = mx + step * (i as i32 + 1) as f32;
                    *x += (*x * g - *x) * mix;
                }
            }
        }
    }
}

/// (makeup, makeup step, mix, mix step) for the chunk at `done` of an
/// `n`-sample block whose ends are `ends` (see `block_ramps`).
#[inline(always)]
fn chunk_ramp(ends: [f32; 4], done: usize, n: usize) -> [f32; 4] {
    let [mk0, mk1, mx0, mx1] = ends;
    let inv = 1.0 / n.max(1) as f32;
    let t0 = done as f32 * inv;
    [mk0 + (mk1 - mk0) * t0, (mk1 - mk0) * inv, mx0 + (mx1 - mx0) * t0, (mx1 - mx0) * inv]
}

/// Step 4, attack/release, the one serial recursion: over `want` in place
/// from the smoothed reduction `g`; returns the last value.
///
/// g' = k g + (1 - k) want, with k the attack or the release coefficient
/// by whether more reduction is wanted. Both candidates are computed
/// while the comparison runs, so each step waits for one multiply-add
/// and a select rather than a subtract, a multiply and an add.
#[inline(always)]
fn ballistics<const FMA: bool>(att: f32, rel: f32, mut g: f32, want: &mut [f32]) -> f32 {
    let mut to_att = [0.0f32; CHUNK];
    let mut to_rel = [0.0f32; CHUNK];
    let m = want.len();
    for ((w, a), r) in want.iter().zip(&mut to_att[..m]).zip(&mut to_rel[..m]) {
        *a = (1.0 - att) * w;
        *r = (1.0 - rel) * w;
    }
    for (i, w) in want.iter_mut().enumerate() {
        let up = att.madd::<FMA>(g, to_att[i]);
        let down = rel.madd::<FMA>(g, to_rel[i]);
        // A branch measured faster than a select or a max/min here, even
        // with noise in the key making the direction unpredictable.
        g = if *w > g { up } else { down };
        *w = g;
    }
    g
}

/// Paths whose recursions run in one vector (eight f32 lanes).
const LANES: usize = 8;

/// [`ballistics`] of up to [`LANES`] independent paths at once, one path
/// per vector lane (`want[lanes[l]]` is lane `l`'s; `coeffs` and `g` are per
/// lane): the same operations on each lane, so the same results, and the
/// recursions advance together instead of each waiting on its own latency.
#[inline(always)]
fn ballistics_lanes<const FMA: bool>(
    coeffs: [(f32, f32); LANES],
    g: &mut [f32; LANES],
    want: &mut [[f32; CHUNK]],
    lanes: &[usize],
    m: usize,
    t: &mut [[f32; LANES]; CHUNK],
) {
    let m = m.min(CHUNK);
    // Sample by sample, the lanes side by side (lanes past `lanes` hold
    // whatever they held: no path reads them).
    for (l, &src) in lanes.iter().enumerate() {
        for (row, w) in t[..m].iter_mut().zip(&want[src][..m]) {
            row[l] = *w;
        }
    }
    let att: [f32; LANES] = std::array::from_fn(|l| coeffs[l].0);
    let rel: [f32; LANES] = std::array::from_fn(|l| coeffs[l].1);
    let mut v = *g;
    for row in t[..m].iter_mut() {
        for l in 0..LANES {
            let w = row[l];
            let up = att[l].madd::<FMA>(v[l], (1.0 - att[l]) * w);
            let down = rel[l].madd::<FMA>(v[l], (1.0 - rel[l]) * w);
            v[l] = if w > v[l] { up } else { down };
        }
        *row = v;
    }
    *g = v;
    for (l, &dst) in lanes.iter().enumerate() {
        for (w, row) in want[dst][..m].iter_mut().zip(&t[..m]) {
            *w = row[l];
        }
    }
}

/// [`ballistics_lanes`] with AVX2 and FMA, without a buffer: eight steps
/// of eight paths are loaded as eight rows, transposed in registers so each
/// register holds one step of every path, advanced, transposed back and
/// stored. The same operations on each lane (`-` is `vcmpps` greater-than,
/// false for NaN as `>` is, then a blend), so the same results.
///
/// # Safety
///
/// The CPU must have AVX2 and FMA, and `lanes` must name distinct paths.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(unsafe_code)]
unsafe fn ballistics_avx2(
    coeffs: [(f32, f32); LANES],
    g: &mut [f32; LANES],
    want: &mut [[f32; CHUNK]],
    lanes: &[usize],
    m: usize,
) {
    use std::arch::x86_64::{
        _CMP_GT_OQ, _mm256_blendv_ps, _mm256_cmp_ps, _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_mul_ps,
        _mm256_setzero_ps, _mm256_storeu_ps,
    };
    let m = m.min(CHUNK);
    let k = lanes.len().min(LANES);
    let rows: [*mut f32; LANES] =
        std::array::from_fn(|l| if l < k { want[lanes[l]].as_mut_ptr() } else { std::ptr::null_mut() });
    let att: [f32; LANES] = std::array::from_fn(|l| coeffs[l].0);
    let rel: [f32; LANES] = std::array::from_fn(|l| coeffs[l].1);
    let not_att: [f32; LANES] = std::array::from_fn(|l| 1.0 - att[l]);
    let not_rel: [f32; LANES] = std::array::from_fn(|l| 1.0 - rel[l]);
    // SAFETY: each array holds eight f32.
    let (va, vr, na, nr, mut v) = unsafe {
        (
            _mm256_loadu_ps(att.as_ptr()),
            _mm256_loadu_ps(rel.as_ptr()),
            _mm256_loadu_ps(not_att.as_ptr()),
            _mm256_loadu_ps(not_rel.as_ptr()),
            _mm256_loadu_ps(g.as_ptr()),
        )
    };
    let full = m / 8 * 8;
    for i0 in (0..full).step_by(8) {
        let mut r = [_mm256_setzero_ps(); 8];
        for (l, row) in r.iter_mut().enumerate().take(k) {
            // SAFETY: rows below `k` are distinct rows of `want`, CHUNK long,
            // and `i0 + 8 <= m <= CHUNK`.
            *row = unsafe { _mm256_loadu_ps(rows[l].add(i0)) };
        }
        let mut c = simd::transpose8(r);
        for w in c.iter_mut() {
            let up = _mm256_fmadd_ps(va, v, _mm256_mul_ps(na, *w));
            let down = _mm256_fmadd_ps(vr, v, _mm256_mul_ps(nr, *w));
            v = _mm256_blendv_ps(down, up, _mm256_cmp_ps::<_CMP_GT_OQ>(*w, v));
            *w = v;
        }
        let r = simd::transpose8(c);
        for l in 0..k {
            // SAFETY: as for the loads.
            unsafe { _mm256_storeu_ps(rows[l].add(i0), r[l]) };
        }
    }
    let mut out = [0.0f32; LANES];
    // SAFETY: `out` holds eight f32.
    unsafe { _mm256_storeu_ps(out.as_mut_ptr(), v) };
    *g = out;
    if full < m {
        // The last few steps one by one, with the same operations.
        for i in full..m {
            for l in 0..k {
                // SAFETY: as for the loads, with `i < m`.
                let w = unsafe { &mut *rows[l].add(i) };
                let up = att[l].mul_add(g[l], (1.0 - att[l]) * *w);
                let down = rel[l].mul_add(g[l], (1.0 - rel[l]) * *w);
                g[l] = if *w > g[l] { up } else { down };
                *w = g[l];
            }
        }
    }
}

/// Runs up to [`GROUP`] tracks' compressors (stereo blocks of one length,
/// no sidechain key), each exactly as [`Dsp::process`] would: the
/// vectorised passes one compressor after another, the attack/release
/// recursions of all of them in one loop (they are independent, so they
/// overlap in the CPU instead of each waiting on its own latency).
/// Realtime-safe.
#[allow(unsafe_code)]
pub fn process_group(members: &mut [Option<Member<'_>>; GROUP]) {
    #[cfg(target_arch = "x86_64")]
    if simd::fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        unsafe { process_group_fma(members) };
        return;
    }
    process_group_with::<false>(members);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn process_group_fma(members: &mut [Option<Member<'_>>; GROUP]) {
    process_group_with::<true>(members);
}

#[inline(always)]
#[allow(unsafe_code)]
fn process_group_with<const FMA: bool>(members: &mut [Option<Member<'_>>; GROUP]) {
    let n = members.iter().flatten().map(|(_, [l, _])| l.len()).next().unwrap_or(0);
    if members.iter().flatten().any(|(_, [l, r])| l.len() != n || r.len() != n) {
        for (c, [l, r]) in members.iter_mut().flatten() {
            c.process_with::<FMA>(&mut [&mut **l, &mut **r], None);
        }
        return;
    }
    let mut ends = [[0.0f32; 4]; GROUP];
    for (e, (c, _)) in ends.iter_mut().zip(members.iter_mut()).filter_map(|(e, m)| Some((e, m.as_mut()?))) {
        *e = c.block_ramps(n);
    }
    // Scratch for every chunk (zeroed once per block, not per chunk). Paths
    // 2t and 2t + 1 are member t's.
    let mut want = [[0.0f32; CHUNK]; 2 * GROUP];
    let mut scratch = [[0.0f32; CHUNK]; 2];
    let mut lanes_scratch = [[0.0f32; LANES]; CHUNK];
    let mut done = 0;
    while done < n {
        let m = CHUNK.min(n - done);
        let mut paths = [0usize; GROUP];
        let mut lanes = [0usize; 2 * GROUP];
        let mut coeffs = [(0.0f32, 0.0f32); 2 * GROUP];
        let mut g = [0.0f32; 2 * GROUP];
        let mut count = 0;
        for (t, member) in members.iter_mut().enumerate() {
            let Some((c, [l, r])) = member else { continue };
            let w: &mut [[f32; CHUNK]; 2] = (&mut want[2 * t..2 * t + 2]).try_into().expect("two paths");
            paths[t] = c.detect::<FMA>(&mut [&mut **l, &mut **r], None, done, m, 2, w, &mut scratch);
            for p in 0..paths[t] {
                (lanes[count], coeffs[count], g[count]) = (2 * t + p, (c.attack, c.release), c.gr[p]);
                count += 1;
            }
        }
        for at in (0..count).step_by(LANES) {
            let end = (at + LANES).min(count);
            let c: [(f32, f32); LANES] =
                std::array::from_fn(|l| coeffs.get(at + l).copied().unwrap_or((0.0, 0.0)));
            let mut gl: [f32; LANES] = std::array::from_fn(|l| g.get(at + l).copied().unwrap_or(0.0));
            #[cfg(target_arch = "x86_64")]
            if FMA && simd::fma() {
                // SAFETY: the CPU has AVX2 and FMA (checked just above); the
                // lanes are distinct paths (two per member at most, each once).
                unsafe { ballistics_avx2(c, &mut gl, &mut want, &lanes[at..end], m) };
                g[at..end].copy_from_slice(&gl[..end - at]);
                continue;
            }
            ballistics_lanes::<FMA>(c, &mut gl, &mut want, &lanes[at..end], m, &mut lanes_scratch);
            g[at..end].copy_from_slice(&gl[..end - at]);
        }
        let mut k = 0;
        for (t, member) in members.iter_mut().enumerate() {
            let Some((c, [l, r])) = member else { continue };
            for p in 0..paths[t] {
                c.gr[p] = g[k];
                k += 1;
            }
            let w: &[[f32; CHUNK]; 2] = (&want[2 * t..2 * t + 2]).try_into().expect("two paths");
            let ramp = chunk_ramp(ends[t], done, n);
            c.apply::<FMA>(&mut [&mut **l, &mut **r], done, m, 2, paths[t], ramp, w, &mut scratch);
        }
        done += m;
    }
}

impl Dsp for Compressor {
    fn set_param(&mut self, index: usize, value: f64) {
        if index < self.values.len() {
            self.values[index] = value;
            self.update();
        }
    }

    #[allow(unsafe_code)]
    fn process(&mut self, io: &mut [&mut [f32]], key: Option<[&[f32]; 2]>) {
        #[cfg(target_arch = "x86_64")]
        if simd::fma() {
            // SAFETY: the CPU has AVX2 and FMA (checked just above).
            unsafe { self.process_fma(io, key) };
            return;
        }
        self.process_with::<false>(io, key);
    }

    fn gain_reduction_db(&self) -> Option<f32> {
        Some(self.gr[0].max(self.gr[1]))
    }

    fn reset(&mut self) {
        self.gr = [0.0; 2];
        self.ms = [0.0; 2];
        self.hpf_state = [[0.0; 2]; 2];
    }

    fn grouped(&mut self) -> Option<super::group::Grouped<'_>> {
        Some(super::group::Grouped::Compressor(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keyed by its own input, a compressor takes the general detection path;
    /// unkeyed, the one-pass path for stereo peak detection. Both must give
    /// the same samples to the bit (linked and unlinked).
    #[test]
    fn the_one_pass_detection_is_the_general_one_exactly() {
        let ctx = DspContext { sample_rate: 48_000, max_block: 4096, bpm: 120.0 };
        let left: Vec<f32> =
            (0..20_000).map(|i| 0.9 * (i as f32 * 0.021).sin() * (i as f32 * 0.0007).sin()).collect();
        let right: Vec<f32> =
            left.iter().enumerate().map(|(i, x)| 0.4 * x + 0.3 * (i as f32 * 0.05).cos()).collect();
        for link in [100.0, 35.0] {
            let mut values: Vec<f64> = PARAMS.iter().map(|p| p.default).collect();
            values[p::THRESHOLD] = -24.0;
            values[p::STEREO_LINK] = link;
            let (mut plain, mut keyed) = (Compressor::new(&ctx, &values), Compressor::new(&ctx, &values));
            let (mut a, mut b) = ((left.clone(), right.clone()), (left.clone(), right.clone()));
            for (((al, ar), bl), br) in
                a.0.chunks_mut(4096)
                    .zip(a.1.chunks_mut(4096))
                    .zip(b.0.chunks_mut(4096))
                    .zip(b.1.chunks_mut(4096))
            {
                plain.process(&mut [al, ar], None);
                let key = [bl.to_vec(), br.to_vec()];
                keyed.process(&mut [bl, br], Some([&key[0], &key[1]]));
            }
            assert!(a == b, "link {link}: the paths differ");
            assert!(plain.gain_reduction_db().unwrap() > 1.0, "the test signal is compressed");
        }
    }

    /// The plain build (any x86-64 or other CPU) and the AVX2/FMA build compute
    /// the same compressor, to float rounding: every path through the chunk
    /// (peak and RMS, linked and unlinked, makeup and mix gliding).
    #[test]
    fn plain_and_fused_builds_agree() {
        let ctx = DspContext { sample_rate: 48_000, max_block: 1024, bpm: 120.0 };
        let mut seed = 3u32;
        let mut noise = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as f32 / u32::MAX as f32 - 0.5
        };
        let left: Vec<f32> = (0..24_000)
            .map(|i| 0.8 * (i as f32 * 0.03).sin() * (i as f32 * 0.0004).sin() + 0.05 * noise())
            .collect();
        let right: Vec<f32> = left.iter().map(|x| 0.5 * x + 0.05 * noise()).collect();
        for (detection, link) in [(0.0, 100.0), (1.0, 100.0), (0.0, 30.0), (1.0, 0.0)] {
            let mut values: Vec<f64> = PARAMS.iter().map(|p| p.default).collect();
            values[p::THRESHOLD] = -30.0;
            values[p::DETECTION] = detection;
            values[p::STEREO_LINK] = link;
            let mut plain = Compressor::new(&ctx, &values);
            let mut fused = plain.clone();
            let (mut a, mut b) = ((left.clone(), right.clone()), (left.clone(), right.clone()));
            for (k, ((al, ar), (bl, br))) in
                a.0.chunks_mut(1000)
                    .zip(a.1.chunks_mut(1000))
                    .zip(b.0.chunks_mut(1000).zip(b.1.chunks_mut(1000)))
                    .enumerate()
            {
                if k == 5 {
                    // Parameters moving mid-stream: makeup and mix glide.
                    for c in [&mut plain, &mut fused] {
                        c.set_param(p::MAKEUP, 6.0);
                        c.set_param(p::MIX, 60.0);
                    }
                }
                plain.process_with::<false>(&mut [al, ar], None);
                fused.process_with::<true>(&mut [bl, br], None);
            }
            let worst =
                a.0.iter()
                    .chain(&a.1)
                    .zip(b.0.iter().chain(&b.1))
                    .map(|(x, y)| (x - y).abs())
                    .fold(0.0, f32::max);
            assert!(worst < 1e-5, "detection {detection}, link {link}: {worst}");
            assert!(plain.gain_reduction_db().unwrap() > 1.0, "the test signal is compressed");
        }
    }
}
