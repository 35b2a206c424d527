//! Measuring what the mix sounds like: strip meters, loudness, spectrum and
//! whole-file analysis.
//!
//! - [`true_peak`]: the BS.1770-4 4x true-peak detector (cheap enough for the audio thread),
//!   the one true-peak measure of meters, analysis, the report and the limiter.
//! - [`ballistics`]: the display side of strip meters (fall-back, hold, RMS window, clip latch).
//! - [`loudness`]: EBU R 128 momentary, short-term, integrated, LRA, true peak and history.
//! - [`range`]: the loudness range (EBU Tech 3342) from short-term values ten times a second.
//! - [`stereo`]: phase correlation and balance.
//! - [`spectrum`]: the FFT analyzer with fractional-octave smoothing and peak hold.
//! - [`file`]: one streaming pass that measures a file or a rendering mix.
//! - [`tap`]: the live analysis fed from the audio thread through lock-free taps.
//!
//! Everything here except [`true_peak`] runs off the audio thread.

pub mod ballistics;
pub mod bands;
pub mod file;
mod kweight;
pub mod loudness;
pub mod masking;
pub mod range;
pub mod scope;
pub mod spectrum;
pub mod stereo;
pub mod tap;
pub mod true_peak;

pub use ballistics::{Ballistics, MeterDisplay, MeterReading};
pub use file::{Analysis, AnalysisCurves, ClipLevels, MixAnalyzer, analyze_file};
pub use loudness::{LoudnessMeter, LoudnessPoint, LoudnessReading};
pub use scope::{Goniometer, SCOPE_POINTS};
pub use spectrum::{Averaging, Spectrum, SpectrumPoint};
pub use stereo::StereoMeter;
