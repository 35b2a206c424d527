//! Small, deterministic synthesis building blocks for the demo song: band-limited
//! oscillators, a state-variable filter, envelopes and a seeded noise source.

use std::f64::consts::TAU;

/// MIDI note number to Hz (A4 = 69 = 440 Hz).
pub fn midi_hz(note: f64) -> f64 {
    440.0 * 2f64.powf((note - 69.0) / 12.0)
}

/// A seeded xorshift noise source: the same seed always gives the same noise.
#[derive(Debug, Clone)]
pub struct Noise(u64);

impl Noise {
    pub fn new(seed: u64) -> Noise {
        Noise(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1)
    }

    /// Uniform in [-1, 1).
    pub fn next(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// PolyBLEP correction for a discontinuity at phase 0 (phase in [0, 1), increment `dt`).
fn blep(t: f64, dt: f64) -> f64 {
    if t < dt {
        let x = t / dt;
        2.0 * x - x * x - 1.0
    } else if t > 1.0 - dt {
        let x = (t - 1.0) / dt;
        x * x + 2.0 * x + 1.0
    } else {
        0.0
    }
}

/// A phase accumulator with band-limited saw and square outputs.
#[derive(Debug, Clone, Default)]
pub struct Osc {
    phase: f64,
}

impl Osc {
    pub fn with_phase(phase: f64) -> Osc {
        Osc { phase: phase.rem_euclid(1.0) }
    }

    fn advance(&mut self, dt: f64) -> f64 {
        let p = self.phase;
        self.phase = (self.phase + dt).fract();
        p
    }

    pub fn sine(&mut self, hz: f64, rate: f64) -> f64 {
        (self.advance(hz / rate) * TAU).sin()
    }

    pub fn saw(&mut self, hz: f64, rate: f64) -> f64 {
        let dt = hz / rate;
        let p = self.advance(dt);
        2.0 * p - 1.0 - blep(p, dt)
    }

    pub fn square(&mut self, hz: f64, rate: f64) -> f64 {
        let dt = hz / rate;
        let p = self.advance(dt);
        let naive = if p < 0.5 { 1.0 } else { -1.0 };
        naive + blep(p, dt) - blep((p + 0.5).fract(), dt)
    }
}

/// A topology-preserving state-variable filter (Zavalishin/Simper form).
#[derive(Debug, Clone, Default)]
pub struct Svf {
    ic1: f64,
    ic2: f64,
}

/// The three outputs of one [`Svf`] step.
#[derive(Debug, Clone, Copy)]
pub struct SvfOut {
    pub low: f64,
    pub band: f64,
    pub high: f64,
}

impl Svf {
    pub fn process(&mut self, x: f64, cutoff: f64, q: f64, rate: f64) -> SvfOut {
        let g = (std::f64::consts::PI * cutoff.clamp(10.0, rate * 0.45) / rate).tan();
        let k = 1.0 / q;
        let a1 = 1.0 / (1.0 + g * (g + k));
        let a2 = g * a1;
        let a3 = g * a2;
        let v3 = x - self.ic2;
        let v1 = a1 * self.ic1 + a2 * v3;
        let v2 = self.ic2 + a2 * self.ic1 + a3 * v3;
        self.ic1 = 2.0 * v1 - self.ic1;
        self.ic2 = 2.0 * v2 - self.ic2;
        SvfOut { low: v2, band: v1, high: x - k * v1 - v2 }
    }
}

/// Attack-decay-sustain-release amplitude at time `t` seconds of a note held `held` seconds.
pub fn adsr(t: f64, held: f64, a: f64, d: f64, s: f64, r: f64) -> f64 {
    let level_at = |t: f64| {
        if t < a {
            t / a
        } else if t < a + d {
            1.0 - (1.0 - s) * (t - a) / d
        } else {
            s
        }
    };
    if t < held {
        level_at(t)
    } else {
        let released = t - held;
        if released >= r { 0.0 } else { level_at(held) * (1.0 - released / r) }
    }
}

/// Exponential decay to -60 dB after `t60` seconds.
pub fn decay(t: f64, t60: f64) -> f64 {
    (-6.907_755 * t / t60).exp()
}
