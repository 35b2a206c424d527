//! The de-noiser's short-time Fourier transform: frames of [`SIZE`] samples
//! every [`HOP`] (75 % overlap), a square-root periodic Hann window on both
//! analysis and resynthesis (their product, a Hann window, overlaps to a
//! constant 2 at this hop, so unity is restored by halving), FFTs by
//! `realfft`. Everything is planned and allocated in `new`.

use std::sync::Arc;

use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

/// Samples per frame.
pub const SIZE: usize = 2048;
/// Samples between frames.
pub const HOP: usize = 512;
/// Bins per spectrum (DC to Nyquist).
pub const BINS: usize = SIZE / 2 + 1;

/// The square-root periodic Hann window.
pub fn window() -> Vec<f32> {
    (0..SIZE)
        .map(|i| (0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / SIZE as f64).cos()).sqrt() as f32)
        .collect()
}

/// Forward and inverse transforms with their scratch.
pub struct Transforms {
    fwd: Arc<dyn RealToComplex<f32>>,
    inv: Arc<dyn ComplexToReal<f32>>,
    scratch: Vec<Complex32>,
}

impl std::fmt::Debug for Transforms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transforms").field("size", &SIZE).finish()
    }
}

impl Transforms {
    /// Plans both transforms (allocates).
    pub fn new() -> Transforms {
        let mut planner = RealFftPlanner::<f32>::new();
        let (fwd, inv) = (planner.plan_fft_forward(SIZE), planner.plan_fft_inverse(SIZE));
        let len = fwd.get_scratch_len().max(inv.get_scratch_len());
        Transforms { fwd, inv, scratch: vec![Complex32::new(0.0, 0.0); len] }
    }

    /// `spec = FFT(frame)`; `frame` is used as scratch. Realtime-safe.
    pub fn forward(&mut self, frame: &mut [f32], spec: &mut [Complex32]) {
        // Sizes are fixed by construction, so this cannot fail.
        let _ = self.fwd.process_with_scratch(frame, spec, &mut self.scratch);
    }

    /// `frame = IFFT(spec)` (unnormalised: `SIZE` times the inverse); `spec`
    /// is used as scratch. Realtime-safe.
    pub fn inverse(&mut self, spec: &mut [Complex32], frame: &mut [f32]) {
        spec[0].im = 0.0;
        spec[BINS - 1].im = 0.0;
        let _ = self.inv.process_with_scratch(spec, frame, &mut self.scratch);
    }
}

impl Default for Transforms {
    fn default() -> Transforms {
        Transforms::new()
    }
}

/// Power spectra of frames as the de-noiser sees them, for learning.
#[derive(Debug)]
pub struct Analysis {
    transforms: Transforms,
    window: Vec<f32>,
    /// The window's energy, `sum w^2`.
    energy: f64,
    frame: Vec<f32>,
    spec: Vec<Complex32>,
}

impl Analysis {
    /// Allocates the transform and its buffers.
    pub fn new() -> Analysis {
        let window = window();
        let energy = window.iter().map(|w| f64::from(*w) * f64::from(*w)).sum();
        Analysis {
            transforms: Transforms::new(),
            window,
            energy,
            frame: vec![0.0; SIZE],
            spec: vec![Complex32::new(0.0, 0.0); BINS],
        }
    }

    /// Samples per frame.
    pub fn size(&self) -> usize {
        SIZE
    }

    /// Samples between frames.
    pub fn hop(&self) -> usize {
        HOP
    }

    /// Adds `weight |X_k|^2 / sum w^2` of the windowed frame `x` (`SIZE` samples) to `power[k]`.
    pub fn add_power(&mut self, x: &[f32], weight: f64, power: &mut [f64]) {
        for ((f, v), w) in self.frame.iter_mut().zip(x).zip(&self.window) {
            *f = v * w;
        }
        self.transforms.forward(&mut self.frame, &mut self.spec);
        let scale = weight / self.energy;
        for (p, c) in power.iter_mut().zip(&self.spec) {
            *p += f64::from(c.norm_sqr()) * scale;
        }
    }
}

impl Default for Analysis {
    fn default() -> Analysis {
        Analysis::new()
    }
}
