//! The demo song, "Night Drive": 110 BPM, A minor, Am-F-C-G, 20 bars plus a
//! ring-out bar. Intro (bars 1-4): pad, chords, a riser. Verse (5-12): drums,
//! bass, chords, the vocal line. Chorus (13-20): everything, with lead and
//! percussion. Each part renders one track's audio; all are deterministic.

use super::synth::{Noise, Osc, Svf, adsr, decay, midi_hz};

pub const RATE: u32 = 48_000;
pub const BPM: f64 = 110.0;
pub const BARS: usize = 20;
/// Song length in samples: 21 bars (the last one lets the final chord ring).
pub const FRAMES: usize = (RATE as f64 * 60.0 / BPM * 4.0 * (BARS as f64 + 1.0)) as usize;

const R: f64 = RATE as f64;
const BEAT: f64 = 60.0 / BPM;
const BAR: f64 = 4.0 * BEAT;

/// (bass root, triad) per bar of the four-bar loop: Am, F, C, G.
const CHORDS: [(f64, [f64; 3]); 4] = [
    (33.0, [57.0, 60.0, 64.0]),
    (29.0, [57.0, 60.0, 65.0]),
    (36.0, [55.0, 60.0, 64.0]),
    (31.0, [55.0, 59.0, 62.0]),
];

fn chord(bar: usize) -> (f64, [f64; 3]) {
    CHORDS[bar % 4]
}

/// Audio for one track: one or two channels of `FRAMES` samples.
pub type Audio = Vec<Vec<f32>>;

fn buffer(channels: usize) -> Vec<Vec<f64>> {
    vec![vec![0.0; FRAMES]; channels]
}

fn finish(buf: Vec<Vec<f64>>) -> Audio {
    buf.into_iter().map(|c| c.into_iter().map(|x| x as f32).collect()).collect()
}

/// Renders `len` seconds of a voice starting at `at` seconds with `f(t, i)` per sample
/// (t in seconds since the note began), added to channel `ch` at `gain`.
fn add_voice(buf: &mut [f64], at: f64, len: f64, gain: f64, mut f: impl FnMut(f64) -> f64) {
    let start = (at * R) as usize;
    let n = (len * R) as usize;
    for i in 0..n {
        let Some(s) = buf.get_mut(start + i) else { break };
        *s += gain * f(i as f64 / R);
    }
}

pub fn drums() -> Audio {
    let mut b = buffer(2);
    let mut noise = Noise::new(11);
    for bar in 4..BARS {
        let chorus = bar >= 12;
        let t0 = bar as f64 * BAR;
        let kicks: &[f64] = if chorus { &[0.0, 1.5, 2.0, 2.5] } else { &[0.0, 2.0, 2.5] };
        for k in kicks {
            for channel in b.iter_mut() {
                let mut osc = Osc::default();
                add_voice(channel, t0 + k * BEAT, 0.45, 0.55, |t| {
                    let hz = 48.0 + 110.0 * decay(t, 0.12);
                    osc.sine(hz, R) * decay(t, 0.4)
                });
            }
        }
        for s in [1.0, 3.0] {
            let mut svf = Svf::default();
            let mut tone = Osc::default();
            let body: Vec<f64> = (0..(0.3 * R) as usize)
                .map(|i| {
                    let t = i as f64 / R;
                    let n = svf.process(noise.next(), 3500.0, 0.7, R).band;
                    0.7 * n * decay(t, 0.22) + 0.4 * tone.sine(185.0, R) * decay(t, 0.1)
                })
                .collect();
            for (c, gain) in [(0, 0.4), (1, 0.45)] {
                add_voice(&mut b[c], t0 + s * BEAT, 0.3, gain, |t| {
                    body[((t * R) as usize).min(body.len() - 1)]
                });
            }
        }
        let steps = if chorus { 16 } else { 8 };
        for h in 0..steps {
            let open = chorus && h % 4 == 2;
            let len = if open { 0.25 } else { 0.06 };
            let accent = if h % 2 == 0 { 1.0 } else { 0.6 };
            let mut svf = Svf::default();
            let hits: Vec<f64> = (0..(len * R) as usize)
                .map(|i| svf.process(noise.next(), 9000.0, 0.8, R).high * decay(i as f64 / R, len))
                .collect();
            let at = t0 + h as f64 * 4.0 * BEAT / steps as f64;
            add_voice(&mut b[0], at, len, 0.12 * accent, |t| hits[((t * R) as usize).min(hits.len() - 1)]);
            add_voice(&mut b[1], at, len, 0.2 * accent, |t| hits[((t * R) as usize).min(hits.len() - 1)]);
        }
        if bar == 12 {
            let mut svf = Svf::default();
            let crash: Vec<f64> =
                (0..(2.5 * R) as usize).map(|_| svf.process(noise.next(), 7000.0, 0.5, R).high).collect();
            for c in 0..2 {
                add_voice(&mut b[c], t0, 2.5, 0.25, |t| {
                    crash[((t * R) as usize).min(crash.len() - 1)] * decay(t, 2.5)
                });
            }
        }
    }
    finish(b)
}

pub fn bass() -> Audio {
    let mut b = buffer(1);
    for bar in 4..=BARS {
        let (root, _) = chord(bar);
        let notes: &[(f64, f64, f64)] = if bar == BARS {
            &[(0.0, 3.0, 0.0)]
        } else {
            &[
                (0.0, 0.9, 0.0),
                (1.0, 0.4, 0.0),
                (1.5, 0.9, 12.0),
                (2.5, 0.4, 0.0),
                (3.0, 0.4, 7.0),
                (3.5, 0.4, 0.0),
            ]
        };
        for (at, len, interval) in notes {
            let hz = midi_hz(root + 12.0 + interval);
            let held = len * BEAT;
            let mut osc = Osc::default();
            let mut svf = Svf::default();
            add_voice(&mut b[0], bar as f64 * BAR + at * BEAT, held + 0.05, 0.5, |t| {
                let env = adsr(t, held, 0.004, 0.15, 0.7, 0.04);
                let cutoff = 250.0 + 900.0 * decay(t, 0.25);
                svf.process(osc.saw(hz, R), cutoff, 1.2, R).low * env
            });
        }
    }
    finish(b)
}

pub fn chords() -> Audio {
    let mut b = buffer(2);
    for bar in 0..=BARS {
        let (_, triad) = chord(bar);
        let hits: &[(f64, f64)] =
            if bar < 4 || bar == BARS { &[(0.0, 3.8)] } else { &[(0.0, 1.4), (1.5, 0.9), (2.5, 1.4)] };
        for (at, len) in hits {
            for (v, note) in triad.iter().enumerate() {
                for (c, detune) in [(0, -0.04), (1, 0.04)] {
                    let hz = midi_hz(note + detune);
                    let mut phase = v as f64 * 0.3;
                    let held = len * BEAT;
                    add_voice(&mut b[c], bar as f64 * BAR + at * BEAT, held + 0.6, 0.09, |t| {
                        // Two-operator FM (ratio 1:1) with a decaying index: an electric-piano bark.
                        let index = 1.6 * decay(t, 0.6);
                        let s = (std::f64::consts::TAU * phase
                            + index * (std::f64::consts::TAU * phase).sin())
                        .sin();
                        phase = (phase + hz / R).fract();
                        s * adsr(t, held, 0.003, 1.2, 0.45, 0.6)
                    });
                }
            }
        }
    }
    finish(b)
}

pub fn pad() -> Audio {
    let mut b = buffer(2);
    for bar in 0..=BARS {
        let (_, triad) = chord(bar);
        let held = BAR;
        for note in triad {
            for (c, detunes) in [(0, [-0.11, 0.03]), (1, [-0.03, 0.12])] {
                let mut oscs: Vec<Osc> =
                    detunes.iter().enumerate().map(|(i, _)| Osc::with_phase(0.37 * i as f64)).collect();
                let mut svf = Svf::default();
                let release = if bar == BARS { 3.0 } else { 0.5 };
                add_voice(&mut b[c], bar as f64 * BAR, held + release, 0.07, |t| {
                    let s: f64 =
                        oscs.iter_mut().zip(detunes).map(|(o, d)| o.saw(midi_hz(note - 12.0 + d), R)).sum();
                    let cutoff = 900.0 + 500.0 * (t * 0.7).sin();
                    svf.process(s, cutoff, 0.8, R).low * adsr(t, held, 0.8, 0.5, 0.8, release)
                });
            }
        }
    }
    finish(b)
}

/// Melody notes: (beat within the four-bar phrase, length in beats, MIDI note).
const PHRASE: [(f64, f64, f64); 12] = [
    (0.0, 1.5, 64.0),
    (1.5, 0.5, 62.0),
    (2.0, 1.0, 60.0),
    (3.0, 1.0, 57.0),
    (4.0, 1.0, 60.0),
    (5.0, 1.0, 62.0),
    (6.0, 2.0, 64.0),
    (8.0, 1.5, 67.0),
    (9.5, 0.5, 64.0),
    (10.0, 1.0, 62.0),
    (11.0, 1.0, 60.0),
    (12.0, 3.0, 62.0),
];

/// Formant frequencies (Hz) of the vowels a, e, i, o, u.
const VOWELS: [[f64; 3]; 5] = [
    [800.0, 1150.0, 2900.0],
    [400.0, 1600.0, 2700.0],
    [350.0, 2000.0, 2800.0],
    [450.0, 800.0, 2830.0],
    [325.0, 700.0, 2530.0],
];

pub fn vocal() -> Audio {
    let mut b = buffer(1);
    let mut breath = Noise::new(23);
    for phrase in 0..4 {
        let bar0 = 4 + phrase * 4;
        let up = if phrase >= 2 { 5.0 } else { 0.0 };
        for (i, (at, len, note)) in PHRASE.iter().enumerate() {
            let formants = VOWELS[(i + phrase) % 5];
            let hz = midi_hz(note + up);
            let held = len * BEAT * 0.92;
            let mut glottis = Osc::default();
            let mut vib = Osc::default();
            let mut filters = [Svf::default(), Svf::default(), Svf::default()];
            add_voice(&mut b[0], bar0 as f64 * BAR + at * BEAT, held + 0.15, 0.07, |t| {
                let vibrato = 1.0 + 0.006 * vib.sine(5.2, R) * (t / 0.4).min(1.0);
                let source = glottis.saw(hz * vibrato, R) + 0.05 * breath.next();
                let voiced: f64 = filters
                    .iter_mut()
                    .zip(formants)
                    .zip([1.0, 0.5, 0.25])
                    .map(|((f, fc), g)| g * f.process(source, fc, 8.0, R).band)
                    .sum();
                voiced * adsr(t, held, 0.05, 0.2, 0.8, 0.15)
            });
        }
    }
    finish(b)
}

pub fn lead() -> Audio {
    let mut b = buffer(1);
    for bar in 12..BARS {
        let (_, triad) = chord(bar);
        for step in 0..8 {
            let note = triad[[0, 1, 2, 1, 2, 0, 2, 1][step]] + 12.0;
            let hz = midi_hz(note);
            let held = BEAT * 0.4;
            let mut osc = Osc::default();
            let mut svf = Svf::default();
            add_voice(&mut b[0], bar as f64 * BAR + step as f64 * BEAT / 2.0, held + 0.1, 0.3, |t| {
                let s = osc.square(hz, R);
                svf.process(s, 2400.0 * decay(t, 0.3) + 600.0, 0.9, R).low
                    * adsr(t, held, 0.005, 0.1, 0.6, 0.1)
            });
        }
    }
    finish(b)
}

pub fn percussion() -> Audio {
    let mut b = buffer(2);
    let mut noise = Noise::new(37);
    for bar in 8..BARS {
        for step in 0..16 {
            let accent = if step % 4 == 2 { 1.0 } else { 0.45 };
            let mut svf = Svf::default();
            let shake: Vec<f64> = (0..(0.07 * R) as usize)
                .map(|i| {
                    let t = i as f64 / R;
                    svf.process(noise.next(), 6000.0, 1.5, R).band * (t / 0.01).min(1.0) * decay(t, 0.07)
                })
                .collect();
            let at = bar as f64 * BAR + step as f64 * BEAT / 4.0;
            let (gl, gr) = if step % 2 == 0 { (0.6, 0.25) } else { (0.25, 0.6) };
            add_voice(&mut b[0], at, 0.07, gl * accent, |t| shake[((t * R) as usize).min(shake.len() - 1)]);
            add_voice(&mut b[1], at, 0.07, gr * accent, |t| shake[((t * R) as usize).min(shake.len() - 1)]);
        }
        if bar >= 12 {
            for beat in [1.0, 3.0] {
                let mut svf = Svf::default();
                let clap: Vec<f64> = (0..(0.2 * R) as usize)
                    .map(|i| {
                        let t = i as f64 / R;
                        let bursts = if t < 0.03 {
                            (1.0 - ((t * 100.0).fract())).powi(2)
                        } else {
                            decay(t - 0.03, 0.15)
                        };
                        svf.process(noise.next(), 1400.0, 1.2, R).band * bursts
                    })
                    .collect();
                for c in 0..2 {
                    add_voice(&mut b[c], bar as f64 * BAR + beat * BEAT + 0.004 * c as f64, 0.2, 0.35, |t| {
                        clap[((t * R) as usize).min(clap.len() - 1)]
                    });
                }
            }
        }
    }
    finish(b)
}

pub fn effects() -> Audio {
    let mut b = buffer(2);
    let mut noise = Noise::new(53);
    // A riser into the verse and into the chorus, and a down-sweep at the very start.
    for (start_bar, bars) in [(2.0, 2.0), (10.0, 2.0)] {
        let len = bars * BAR;
        for c in 0..2 {
            let mut svf = Svf::default();
            add_voice(&mut b[c], start_bar * BAR, len, 0.18, |t| {
                let x = t / len;
                let cutoff = 300.0 * (40.0f64).powf(x);
                let width = if c == 0 { 1.0 } else { 1.07 };
                svf.process(noise.next(), cutoff * width, 4.0, R).band * x * x
            });
        }
    }
    for c in 0..2 {
        let mut osc = Osc::with_phase(0.25 * c as f64);
        add_voice(&mut b[c], 0.0, 3.0, 0.15, |t| osc.sine(900.0 * decay(t, 4.0) + 60.0, R) * decay(t, 3.0));
    }
    finish(b)
}
