//! Every processor kind, heard through the whole product: on a track, on a bus
//! and on the master, in the offline bounce (files on disk) and in the live
//! audio callback, each must change the sound by what it promises (a closed
//! form or a measured effect), with its latency compensated; bypassed it must
//! give the dry signal exactly; automated it must follow its lane; toggled
//! while playing it must go dry and come back.
//!
//! The kinds come from the registry (`dsp::kinds()`): a kind without a
//! promise here fails the first test, so a new processor cannot be forgotten.
//!
//! Why this exists: the master limiter was once silently bypassed in the chain
//! (an insert with latency played its delayed dry signal) while its own DSP
//! tests passed.

use std::collections::BTreeMap;
use std::ops::Range;

use mixdesk_engine::analysis::true_peak::TruePeak;
use mixdesk_engine::dsp::kinds;
use mixdesk_tests::chain_render::{DECLICK, Placement, RATE, Rig};
use mixdesk_tests::restore::{band_energy, fit_sine};
use mixdesk_tests::{noise, sine_wave};

/// Three seconds of signal for every case.
const FRAMES: usize = 3 * RATE;
/// Where an automated parameter steps from its first value to its second.
const STEP_AT: usize = 3 * RATE / 2;
/// Where the static checks look: after every processor has settled.
const SETTLED: Range<usize> = RATE..FRAMES;
/// Where the automation checks look: before the step, and well after it.
const BEFORE_STEP: Range<usize> = RATE..STEP_AT;
const AFTER_STEP: Range<usize> = 2 * RATE..FRAMES;

/// A processor's parameter values (defaults, then the case's settings).
struct Params(BTreeMap<&'static str, f64>);

impl Params {
    fn new(kind: &str, settings: &[(&'static str, f64)], over: Option<(&'static str, f64)>) -> Params {
        let spec = mixdesk_engine::dsp::kind(kind).expect("a registered kind");
        let mut m: BTreeMap<&'static str, f64> = spec.params.iter().map(|p| (p.key, p.default)).collect();
        for (k, v) in settings.iter().chain(over.iter()) {
            m.insert(k, *v);
        }
        Params(m)
    }

    fn get(&self, key: &str) -> f64 {
        self.0[key]
    }
}

/// What a check sees: the processed output and the dry one (the same session
/// without the processor), both on the timeline, and where to look.
struct Heard<'a> {
    out: &'a [Vec<f32>; 2],
    dry: &'a [Vec<f32>; 2],
    range: Range<usize>,
}

/// Checks a render; `Ok` describes what was measured, `Err` what was wrong.
type Check = fn(&Params, &Heard) -> Result<String, String>;

/// What one kind promises.
struct Promise {
    /// Non-neutral settings.
    settings: &'static [(&'static str, f64)],
    /// The track's signal (mono, [`FRAMES`] long).
    input: fn() -> Vec<f32>,
    /// The promise, for the parameters in effect.
    check: Check,
    /// A parameter to automate and its values before and after the step.
    automate: (&'static str, f64, f64),
}

/// The promise of every kind this build has. A kind missing here fails
/// `every_kind_has_a_promise`.
fn promise(kind: &str) -> Option<Promise> {
    Some(match kind {
        "eq" => Promise {
            settings: &[
                ("p1_freq", 200.0),
                ("p1_gain", 6.0),
                ("p1_q", 1.0),
                ("p2_freq", 1000.0),
                ("p2_gain", -9.0),
                ("p2_q", 1.4),
                ("p4_freq", 5000.0),
                ("p4_gain", 4.0),
                ("p4_q", 2.0),
            ],
            input: three_tones,
            check: eq_response,
            automate: ("p2_gain", -9.0, 3.0),
        },
        "compressor" => Promise {
            settings: &[
                ("threshold", -30.0),
                ("ratio", 4.0),
                ("knee", 0.0),
                ("attack", 1.0),
                ("release", 50.0),
                ("detection", 0.0),
            ],
            input: || square(-10.0),
            check: compressor_curve,
            automate: ("threshold", -30.0, -20.0),
        },
        "gate" => Promise {
            settings: &[("threshold", -40.0), ("range", -30.0), ("hold", 20.0), ("release", 100.0)],
            input: || square(-50.0),
            check: gate_range,
            automate: ("range", -30.0, -10.0),
        },
        "limiter" => Promise {
            settings: &[("ceiling", -1.0), ("lookahead", 5.0), ("release", 50.0)],
            // 12 dB over the ceiling.
            input: || sine_wave(997.0, 10f64.powf(11.0 / 20.0), FRAMES),
            check: limiter_ceiling,
            automate: ("ceiling", -1.0, -6.0),
        },
        "reverb" => Promise {
            settings: &[("decay", 1.0), ("predelay", 10.0), ("mix", 50.0)],
            input: || noise(11, FRAMES, 0.3),
            check: wet_energy,
            automate: ("mix", 50.0, 0.0),
        },
        "delay" => Promise {
            settings: &[("time", 100.0), ("sync", 0.0), ("feedback", 0.0), ("mix", 50.0)],
            input: || noise(12, FRAMES, 0.3),
            check: delay_echo,
            automate: ("mix", 50.0, 0.0),
        },
        "chorus" => Promise {
            settings: &[("rate", 0.8), ("depth", 2.0), ("delay", 7.0), ("mix", 50.0)],
            input: || noise(13, FRAMES, 0.3),
            check: wet_energy,
            automate: ("mix", 50.0, 0.0),
        },
        "utility" => Promise {
            settings: &[("gain", -6.0)],
            input: || noise(14, FRAMES, 0.3),
            check: utility_gain,
            automate: ("gain", -6.0, -20.0),
        },
        // A hosted LV2 plugin (lv2-examples), when installed: a gain in dB like the utility.
        "lv2:http://lv2plug.in/plugins/eg-amp" => Promise {
            settings: &[("gain", -6.0)],
            input: || noise(15, FRAMES, 0.3),
            check: utility_gain,
            automate: ("gain", -6.0, -20.0),
        },
        // The workspace's CLAP test plugin (built by the helper): its gain (id 1) in dB.
        mixdesk_tests::clap_plugin::TEST_GAIN => Promise {
            settings: &[("1", -6.0)],
            input: || noise(16, FRAMES, 0.3),
            check: clap_test_gain,
            automate: ("1", -6.0, -20.0),
        },
        "dehum" => Promise {
            settings: &[("harmonics", 5.0)],
            input: tone_with_hum,
            check: dehum_cut,
            automate: ("depth", -60.0, -20.0),
        },
        "declick" => Promise {
            settings: &[("sensitivity", 50.0)],
            input: clicked_sine,
            check: declick_repair,
            automate: ("listen", 0.0, 1.0),
        },
        "denoise" => Promise {
            settings: DENOISE_SETTINGS,
            input: tone_in_hiss,
            check: denoise_cut,
            automate: ("reduction", 20.0, 6.0),
        },
        "deesser" => Promise {
            settings: &[("frequency", 6000.0), ("threshold", -40.0), ("ratio", 4.0), ("range", 12.0)],
            input: low_and_sibilant_tones,
            check: deesser_band,
            automate: ("threshold", -40.0, -5.0),
        },
        _ => return None,
    })
}

// ---- Signals ----

/// The signal with its first 0.1 s silent, so that the live transport's
/// fade-in (and the lookahead the live path does not prime) fall on silence
/// and live playback must equal the bounce sample for sample.
fn lead_in(mut x: Vec<f32>) -> Vec<f32> {
    x[..RATE / 10].fill(0.0);
    x
}

/// 200 Hz, 1 kHz and 5 kHz at 0.2 each: whole cycles in any half second.
fn three_tones() -> Vec<f32> {
    let (a, b, c) =
        (sine_wave(200.0, 0.2, FRAMES), sine_wave(1000.0, 0.2, FRAMES), sine_wave(5000.0, 0.2, FRAMES));
    (0..FRAMES).map(|i| a[i] + b[i] + c[i]).collect()
}

/// A 100 Hz square wave at `db` dBFS: its magnitude is constant, so every
/// detector (peak or RMS) reads exactly `db`.
fn square(db: f64) -> Vec<f32> {
    let a = 10f64.powf(db / 20.0) as f32;
    (0..FRAMES).map(|i| if (i / 240) % 2 == 0 { a } else { -a }).collect()
}

/// Hum: 50 Hz and five harmonics, each 20 dB under the tone.
const HUM: [f64; 6] = [50.0, 100.0, 150.0, 200.0, 250.0, 300.0];

/// A 440 Hz tone at 0.5 with 50 Hz hum and five harmonics at 0.05 each.
fn tone_with_hum() -> Vec<f32> {
    (0..FRAMES)
        .map(|i| {
            let t = i as f64 / RATE as f64;
            let hum: f64 = HUM.iter().map(|f| 0.05 * (std::f64::consts::TAU * f * t + f / 100.0).sin()).sum();
            (0.5 * (std::f64::consts::TAU * 440.0 * t).sin() + hum) as f32
        })
        .collect()
}

/// 200 Hz and 8 kHz at 0.3 each: a voice's body and its sibilance.
fn low_and_sibilant_tones() -> Vec<f32> {
    let (a, b) = (sine_wave(200.0, 0.3, FRAMES), sine_wave(8000.0, 0.3, FRAMES));
    a.iter().zip(&b).map(|(x, y)| x + y).collect()
}

/// A 997 Hz sine at 0.5 with a click every 50 ms: a decaying pulse of 8
/// samples peaking at 0.3, alternately up and down, at a varying offset.
fn clicked_sine() -> Vec<f32> {
    let mut x = sine_wave(997.0, 0.5, FRAMES);
    for (k, start) in (0..FRAMES - 100).step_by(RATE / 20).enumerate() {
        let at = start + (k * 37) % 500;
        let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
        for i in 0..8 {
            x[at + i] += sign * 0.3 * (-(i as f32) / 2.0).exp();
        }
    }
    x
}

/// The de-noiser with the profile of white noise at -40 dBFS (every band
/// reads the noise's RMS level; see `dsp::denoise::profile`) and 20 dB of reduction.
const DENOISE_SETTINGS: &[(&str, f64)] = &[
    ("reduction", 20.0),
    ("noise_01", -40.0),
    ("noise_02", -40.0),
    ("noise_03", -40.0),
    ("noise_04", -40.0),
    ("noise_05", -40.0),
    ("noise_06", -40.0),
    ("noise_07", -40.0),
    ("noise_08", -40.0),
    ("noise_09", -40.0),
    ("noise_10", -40.0),
    ("noise_11", -40.0),
    ("noise_12", -40.0),
    ("noise_13", -40.0),
    ("noise_14", -40.0),
    ("noise_15", -40.0),
    ("noise_16", -40.0),
    ("noise_17", -40.0),
    ("noise_18", -40.0),
    ("noise_19", -40.0),
    ("noise_20", -40.0),
    ("noise_21", -40.0),
    ("noise_22", -40.0),
    ("noise_23", -40.0),
    ("noise_24", -40.0),
    ("noise_25", -40.0),
    ("noise_26", -40.0),
    ("noise_27", -40.0),
    ("noise_28", -40.0),
    ("noise_29", -40.0),
    ("noise_30", -40.0),
    ("noise_31", -40.0),
    ("noise_32", -40.0),
];

/// A 1 kHz tone at 0.3 in white noise at -40 dBFS RMS.
fn tone_in_hiss() -> Vec<f32> {
    let (tone, hiss) = (sine_wave(1000.0, 0.3, FRAMES), noise(15, FRAMES, 0.01 * 3f32.sqrt()));
    tone.iter().zip(&hiss).map(|(a, b)| a + b).collect()
}

// ---- Measures ----

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

fn energy(x: &[f32]) -> f64 {
    x.iter().map(|v| f64::from(*v) * f64::from(*v)).sum()
}

/// The amplitude of the `freq` Hz component of `x` (a projection; exact for
/// tones with whole cycles in `x`).
fn tone_amplitude(x: &[f32], freq: f64) -> f64 {
    let w = std::f64::consts::TAU * freq / RATE as f64;
    let (mut s, mut c) = (0.0, 0.0);
    for (i, v) in x.iter().enumerate() {
        s += f64::from(*v) * (w * i as f64).sin();
        c += f64::from(*v) * (w * i as f64).cos();
    }
    2.0 * (s * s + c * c).sqrt() / x.len() as f64
}

/// The gain (dB) from the dry signal to the output over the range, both channels.
fn gain_db(h: &Heard) -> f64 {
    let r = h.range.clone();
    let (o, d) = (
        energy(&h.out[0][r.clone()]) + energy(&h.out[1][r.clone()]),
        energy(&h.dry[0][r.clone()]) + energy(&h.dry[1][r]),
    );
    10.0 * (o / d).log10()
}

/// Energy of the output minus the dry signal, relative to the dry signal, dB.
fn difference_db(h: &Heard) -> f64 {
    let r = h.range.clone();
    let mut diff = 0.0;
    for c in 0..2 {
        for (o, d) in h.out[c][r.clone()].iter().zip(&h.dry[c][r.clone()]) {
            diff += (f64::from(*o) - f64::from(*d)).powi(2);
        }
    }
    10.0 * (diff / (energy(&h.dry[0][r.clone()]) + energy(&h.dry[1][r]))).log10()
}

/// RBJ cookbook peaking EQ magnitude at `f`, computed here from its closed form.
fn rbj_peak_db(f0: f64, gain_db: f64, q: f64, f: f64) -> f64 {
    let rate = RATE as f64;
    let w0 = std::f64::consts::TAU * f0 / rate;
    let alpha = w0.sin() / (2.0 * q);
    let a = 10f64.powf(gain_db / 40.0);
    let (b, den) = (
        [1.0 + alpha * a, -2.0 * w0.cos(), 1.0 - alpha * a],
        [1.0 + alpha / a, -2.0 * w0.cos(), 1.0 - alpha / a],
    );
    let w = std::f64::consts::TAU * f / rate;
    let mag = |c: [f64; 3]| {
        let re = c[0] + c[1] * w.cos() + c[2] * (2.0 * w).cos();
        let im = -(c[1] * w.sin() + c[2] * (2.0 * w).sin());
        (re * re + im * im).sqrt()
    };
    db(mag(b) / mag(den))
}

// ---- Promises ----

/// The response at each tone is the product of the peaking bands' closed
/// forms (the shelves and band 3 stay at 0 dB: unity), within 0.02 dB.
fn eq_response(p: &Params, h: &Heard) -> Result<String, String> {
    let mut said = Vec::new();
    for f in [200.0, 1000.0, 5000.0] {
        let want: f64 = ["p1", "p2", "p3", "p4"]
            .iter()
            .map(|b| {
                rbj_peak_db(
                    p.get(&format!("{b}_freq")),
                    p.get(&format!("{b}_gain")),
                    p.get(&format!("{b}_q")),
                    f,
                )
            })
            .sum();
        let got =
            db(tone_amplitude(&h.out[0][h.range.clone()], f) / tone_amplitude(&h.dry[0][h.range.clone()], f));
        if (got - want).abs() > 0.02 {
            return Err(format!("at {f} Hz the gain is {got:+.3} dB, the closed form says {want:+.3} dB"));
        }
        said.push(format!("{f} Hz {got:+.2} dB"));
    }
    Ok(said.join(", "))
}

/// A steady level `L` over the threshold `T` comes out `(L - T)(1 - 1/ratio)`
/// lower (hard knee), within 0.05 dB.
fn compressor_curve(p: &Params, h: &Heard) -> Result<String, String> {
    let level = db(f64::from(h.dry[0][h.range.clone()].iter().fold(0.0f32, |m, v| m.max(v.abs()))));
    let want = -(level - p.get("threshold")).max(0.0) * (1.0 - 1.0 / p.get("ratio"));
    let got = gain_db(h);
    if (got - want).abs() > 0.05 {
        return Err(format!("{level:.1} dBFS in, gain {got:+.3} dB; the static curve says {want:+.3} dB"));
    }
    Ok(format!("gain {got:+.2} dB"))
}

/// A steady level far under the threshold is attenuated by the range, within 0.1 dB.
fn gate_range(p: &Params, h: &Heard) -> Result<String, String> {
    let (got, want) = (gain_db(h), p.get("range"));
    if (got - want).abs() > 0.1 {
        return Err(format!("closed gate: gain {got:+.2} dB, the range is {want:+.1} dB"));
    }
    Ok(format!("closed at {got:+.2} dB"))
}

/// The true peak (BS.1770-4, the one measure the project has) sits at the
/// ceiling within 0.1 dB, and the output is the input scaled (aligned: the
/// lookahead is compensated).
fn limiter_ceiling(p: &Params, h: &Heard) -> Result<String, String> {
    let r = h.range.clone();
    let mut tp = 0.0f32;
    for c in 0..2 {
        let mut meter = TruePeak::new();
        meter.process(&h.out[c][r.start - 12..r.start]);
        tp = tp.max(meter.process(&h.out[c][r.clone()]));
    }
    let (tp, ceiling) = (db(f64::from(tp)), p.get("ceiling"));
    if (tp - ceiling).abs() > 0.1 {
        return Err(format!("true peak {tp:+.2} dBTP with the ceiling at {ceiling:+.1} dBTP"));
    }
    let (o, d) = (&h.out[0][r.clone()], &h.dry[0][r]);
    let g = o.iter().zip(d).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum::<f64>() / energy(d);
    let residual: f64 = o.iter().zip(d).map(|(a, b)| (f64::from(*a) - g * f64::from(*b)).powi(2)).sum();
    let misfit = 10.0 * (residual / energy(o)).log10();
    if misfit > -30.0 {
        return Err(format!(
            "the output is not the input scaled: residual {misfit:.1} dB (latency not compensated?)"
        ));
    }
    Ok(format!("true peak {tp:+.2} dBTP"))
}

/// With some mix the wet signal is there (the output differs from the dry
/// one by at least -20 dB); at mix 0 the output is the dry signal.
fn wet_energy(p: &Params, h: &Heard) -> Result<String, String> {
    let d = difference_db(h);
    match p.get("mix") {
        m if m > 0.0 && d < -20.0 => Err(format!("mix {m}%: the wet signal is {d:.1} dB under the dry one")),
        m if m == 0.0 && d > -120.0 => Err(format!("mix 0%: the output differs from dry by {d:.1} dB")),
        _ => Ok(format!("difference {d:.1} dB")),
    }
}

/// The wet energy, and the echo at the delay time: the difference from the
/// dry signal correlates best with the dry signal `time` ms later.
fn delay_echo(p: &Params, h: &Heard) -> Result<String, String> {
    let said = wet_energy(p, h)?;
    if p.get("mix") == 0.0 {
        return Ok(said);
    }
    let r = h.range.start..h.range.start + RATE / 4;
    let diff: Vec<f64> = h.out[0][r.clone()]
        .iter()
        .zip(&h.dry[0][r.clone()])
        .map(|(o, d)| f64::from(*o) - f64::from(*d))
        .collect();
    let want = (p.get("time") * 0.001 * RATE as f64).round() as usize;
    let best = (1..RATE / 5)
        .max_by(|&a, &b| {
            let corr = |lag: usize| {
                diff.iter().zip(&h.dry[0][r.start - lag..]).map(|(x, d)| x * f64::from(*d)).sum::<f64>()
            };
            corr(a).total_cmp(&corr(b))
        })
        .expect("lags to try");
    if best.abs_diff(want) > 1 {
        return Err(format!("the echo comes {best} samples late, the delay time is {want} samples"));
    }
    Ok(format!("{said}, echo at {best} samples"))
}

/// The output is the dry signal times the gain, sample for sample.
fn utility_gain(p: &Params, h: &Heard) -> Result<String, String> {
    let k = 10f64.powf(p.get("gain") / 20.0);
    let worst = (0..2)
        .flat_map(|c| h.out[c][h.range.clone()].iter().zip(&h.dry[c][h.range.clone()]))
        .map(|(o, d)| (f64::from(*o) - k * f64::from(*d)).abs())
        .fold(0.0, f64::max);
    if worst > 1e-6 {
        return Err(format!("the output is off the dry signal times {k:.4} by up to {worst:.2e}"));
    }
    Ok(format!("gain {:+.1} dB", db(k)))
}

/// The CLAP test plugin: exactly its gain, like the utility (its key is its CLAP id).
fn clap_test_gain(p: &Params, h: &Heard) -> Result<String, String> {
    let mut renamed = Params(BTreeMap::new());
    renamed.0.insert("gain", p.get("1"));
    utility_gain(&renamed, h)
}

/// Every hum component is lowered by the depth (down to 40 dB, which the
/// issue asks for at least; within 0.3 dB of a shallower depth) and the tone
/// stays within 0.2 dB.
fn dehum_cut(p: &Params, h: &Heard) -> Result<String, String> {
    let depth = -p.get("depth");
    let (out, dry) = (&h.out[0][h.range.clone()], &h.dry[0][h.range.clone()]);
    let mut weakest = f64::INFINITY;
    for f in HUM {
        let cut = db(tone_amplitude(dry, f) / tone_amplitude(out, f));
        if cut < depth.min(40.0) - 0.3 || (depth < 40.0 && cut > depth + 0.3) {
            return Err(format!("the hum at {f} Hz is lowered by {cut:.1} dB with the depth at -{depth} dB"));
        }
        weakest = weakest.min(cut);
    }
    let tone = db(tone_amplitude(out, 440.0) / tone_amplitude(dry, 440.0));
    if tone.abs() > 0.2 {
        return Err(format!("the 440 Hz tone moved by {tone:+.3} dB"));
    }
    Ok(format!("hum lowered by at least {weakest:.1} dB, tone {tone:+.3} dB"))
}

/// The de-esser's band, `1 - L(f)` with `L` the RBJ 12 dB/octave low-pass
/// (Q = 1/sqrt 2) at `f0`, as a complex response at `f`, computed here from
/// its closed form.
fn sibilance_band(f0: f64, f: f64) -> (f64, f64) {
    let rate = RATE as f64;
    let w0 = std::f64::consts::TAU * f0 / rate;
    let alpha = w0.sin() / (2.0 * std::f64::consts::FRAC_1_SQRT_2);
    let c = w0.cos();
    let (b, a) = ([(1.0 - c) / 2.0, 1.0 - c, (1.0 - c) / 2.0], [1.0 + alpha, -2.0 * c, 1.0 - alpha]);
    let w = std::f64::consts::TAU * f / rate;
    let eval = |k: [f64; 3]| {
        (k[0] + k[1] * w.cos() + k[2] * (2.0 * w).cos(), -(k[1] * w.sin() + k[2] * (2.0 * w).sin()))
    };
    let ((nr, ni), (dr, di)) = (eval(b), eval(a));
    let d = dr * dr + di * di;
    (1.0 - (nr * dr + ni * di) / d, -(ni * dr - nr * di) / d)
}

/// The sibilant tone's band, read at its peak level `L`, is turned down by
/// `min(range, (L - T)(1 - 1/ratio))` dB: the output at each tone is
/// `|1 - (1 - g) B(f)|` times the input (split band, `B` the band),
/// within 0.1 dB at 8 kHz and 0.02 dB at 200 Hz.
fn deesser_band(p: &Params, h: &Heard) -> Result<String, String> {
    let (out, dry) = (&h.out[0][h.range.clone()], &h.dry[0][h.range.clone()]);
    let (br, bi) = sibilance_band(p.get("frequency"), 8000.0);
    let level = db(tone_amplitude(dry, 8000.0) * br.hypot(bi));
    let over = level - p.get("threshold");
    let reduction = if over > 0.0 { (over * (1.0 - 1.0 / p.get("ratio"))).min(p.get("range")) } else { 0.0 };
    let g = 10f64.powf(-reduction / 20.0);
    let mut said = Vec::new();
    for (f, tolerance) in [(8000.0, 0.1), (200.0, 0.02)] {
        let (br, bi) = sibilance_band(p.get("frequency"), f);
        let want = db((1.0 - (1.0 - g) * br).hypot((1.0 - g) * bi));
        let got = db(tone_amplitude(out, f) / tone_amplitude(dry, f));
        if (got - want).abs() > tolerance {
            return Err(format!(
                "at {f} Hz the gain is {got:+.3} dB; {reduction:.1} dB on the band gives {want:+.3} dB"
            ));
        }
        said.push(format!("{f} Hz {got:+.2} dB"));
    }
    Ok(said.join(", "))
}

/// With listen off the clicks are gone: what is left once the sine is
/// fitted away is at least 40 dB under what it is in the dry signal, and the
/// sine is within 0.01 dB. With listen on ("clicks only") the sine is gone
/// (40 dB down) and the clicks are there (within 1 dB of the dry residue).
fn declick_repair(p: &Params, h: &Heard) -> Result<String, String> {
    let (out, dry) = (&h.out[0][h.range.clone()], &h.dry[0][h.range.clone()]);
    let residue = |x: &[f32]| {
        let (amp, r) = fit_sine(x, 997.0);
        (amp, r.iter().map(|v| v * v).sum::<f64>())
    };
    let ((amp_o, res_o), (amp_d, res_d)) = (residue(out), residue(dry));
    let (sine, clicks) = (db(amp_o / amp_d), 10.0 * (res_o / res_d).log10());
    if p.get("listen") >= 0.5 {
        if sine > -40.0 || clicks.abs() > 1.0 {
            return Err(format!("clicks only: the sine at {sine:.1} dB, the clicks at {clicks:+.2} dB"));
        }
        return Ok(format!("clicks only: sine {sine:.1} dB, clicks {clicks:+.2} dB"));
    }
    if clicks > -40.0 || sine.abs() > 0.01 {
        return Err(format!("the clicks are down only {:.1} dB (the sine {sine:+.3} dB)", -clicks));
    }
    Ok(format!("clicks down {:.1} dB, sine {sine:+.3} dB", -clicks))
}

/// The hiss comes down by the reduction (measured from 4 to 20 kHz, away
/// from the tone, whose window leakage opens the bins around it: at least
/// 3 dB short of it, never more than 0.5 dB past it) and the tone stays
/// within 0.1 dB.
fn denoise_cut(p: &Params, h: &Heard) -> Result<String, String> {
    let (out, dry) = (&h.out[0][h.range.clone()], &h.dry[0][h.range.clone()]);
    let tone = db(tone_amplitude(out, 1000.0) / tone_amplitude(dry, 1000.0));
    let cut = 10.0 * (band_energy(dry, 4000.0, 20_000.0) / band_energy(out, 4000.0, 20_000.0)).log10();
    let want = p.get("reduction");
    if tone.abs() > 0.1 || cut < want - 3.0 || cut > want + 0.5 {
        return Err(format!("hiss lowered {cut:.1} dB with {want} dB of reduction, tone {tone:+.3} dB"));
    }
    Ok(format!("hiss lowered {cut:.1} dB, tone {tone:+.3} dB"))
}

// ---- Helpers for the tests ----

/// Every kind with its promise: the built-ins, and the installed hosted
/// plugins that have one here.
fn cases() -> Vec<(&'static str, Promise)> {
    mixdesk_tests::clap_plugin::test_plugin_dir();
    let hosted = mixdesk_engine::plugins::list().iter().map(|h| h.spec);
    kinds().iter().chain(hosted).filter_map(|k| promise(k.kind).map(|p| (k.kind, p))).collect()
}

/// The largest difference between two renders over a range.
fn max_difference(a: &[Vec<f32>; 2], b: &[Vec<f32>; 2], range: Range<usize>) -> f32 {
    (0..2)
        .flat_map(|c| a[c][range.clone()].iter().zip(&b[c][range.clone()]))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Runs `check` and files the outcome under `what`.
fn judge(failures: &mut Vec<String>, what: &str, outcome: Result<String, String>) {
    match outcome {
        Ok(said) => eprintln!("ok   {what}: {said}"),
        Err(e) => {
            eprintln!("FAIL {what}: {e}");
            failures.push(format!("{what}: {e}"));
        }
    }
}

fn conclude(failures: Vec<String>) {
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Live callbacks of an odd size, so toggles and automation steps fall
/// inside the engine's 32-sample automation strides, not on their edges.
const BUFFER: usize = 250;

// ---- The tests ----

#[test]
fn every_kind_has_a_promise() {
    let missing: Vec<&str> = kinds().iter().map(|k| k.kind).filter(|k| promise(k).is_none()).collect();
    assert!(
        missing.is_empty(),
        "processor kinds with no promise in tests/tests/every_processor.rs: {missing:?}"
    );
}

#[test]
fn every_kind_keeps_its_promise_in_the_bounce_and_live_and_bypass_is_dry() {
    let mut failures = Vec::new();
    for (kind, promise) in cases() {
        let input = lead_in((promise.input)());
        let params = Params::new(kind, promise.settings, None);
        for place in Placement::ALL {
            let rig = Rig::new(kind, place, promise.settings, input.clone());
            let dry = Rig::dry(place, input.clone()).bounce();
            let bounced = rig.bounce();
            let live = rig.live(BUFFER, &[]);
            let what = format!("{kind} on the {place:?}");
            let heard = |out| Heard { out, dry: &dry, range: SETTLED };
            judge(&mut failures, &format!("{what}, bounce"), (promise.check)(&params, &heard(&bounced)));
            judge(&mut failures, &format!("{what}, live"), (promise.check)(&params, &heard(&live)));
            let d = max_difference(&live, &bounced, 2 * DECLICK..FRAMES);
            if d > 1e-5 {
                failures.push(format!("{what}: live differs from the bounce by up to {d:.2e}"));
            }
            let bypassed = rig.clone().bypassed();
            let (b, l) = (bypassed.bounce(), bypassed.live(BUFFER, &[]));
            let live_dry = Rig::dry(place, input.clone()).live(BUFFER, &[]);
            let (db_, dl) = (max_difference(&b, &dry, 0..FRAMES), max_difference(&l, &live_dry, 0..FRAMES));
            if db_ != 0.0 || dl != 0.0 {
                failures.push(format!(
                    "{what} bypassed: not the dry signal (bounce off by {db_:.2e}, live by {dl:.2e})"
                ));
            }
        }
    }
    conclude(failures);
}

#[test]
fn every_kind_follows_its_automation_in_the_bounce_and_live() {
    let mut failures = Vec::new();
    for (kind, promise) in cases() {
        let input = lead_in((promise.input)());
        let (key, a, b) = promise.automate;
        for place in Placement::ALL {
            let rig =
                Rig::new(kind, place, promise.settings, input.clone()).automated(key, a, b, STEP_AT as u64);
            let dry = Rig::dry(place, input.clone()).bounce();
            for (path, out) in [("bounce", rig.bounce()), ("live", rig.live(BUFFER, &[]))] {
                for (value, range) in [(a, BEFORE_STEP), (b, AFTER_STEP)] {
                    let params = Params::new(kind, promise.settings, Some((key, value)));
                    let heard = Heard { out: &out, dry: &dry, range };
                    let what = format!("{kind} on the {place:?}, {path}, {key} automated to {value}");
                    judge(&mut failures, &what, (promise.check)(&params, &heard));
                }
            }
        }
    }
    conclude(failures);
}

#[test]
fn every_kind_toggled_while_playing_goes_dry_then_keeps_its_promise_again() {
    // Bypassed at 1.2 s, back at 1.6 s (both inside a live callback's span of
    // the 32-sample strides); dry exactly once the 5 ms crossfade is over,
    // and keeping the promise once settled again.
    let (off, on) = (6 * RATE / 5 + 7, 8 * RATE / 5 + 3);
    let mut failures = Vec::new();
    for (kind, promise) in cases() {
        let input = lead_in((promise.input)());
        let params = Params::new(kind, promise.settings, None);
        for place in Placement::ALL {
            let rig = Rig::new(kind, place, promise.settings, input.clone());
            let out = rig.live(BUFFER, &[(off, true), (on, false)]);
            let dry = Rig::dry(place, input.clone()).live(BUFFER, &[]);
            let what = format!("{kind} on the {place:?}, toggled live");
            let gone = off + BUFFER + DECLICK..on;
            let d = max_difference(&out, &dry, gone.clone());
            if d != 0.0 {
                failures.push(format!("{what}: bypassed from {} it is not dry ({d:.2e} off)", gone.start));
            }
            let settled = on + RATE / 2;
            let heard = Heard { out: &out, dry: &dry, range: settled..settled + 4 * RATE / 5 };
            judge(&mut failures, &format!("{what}, back on"), (promise.check)(&params, &heard));
        }
    }
    conclude(failures);
}
