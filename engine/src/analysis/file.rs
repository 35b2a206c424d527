//! Whole-programme analysis: everything `mixdesk analyze` prints and a bounce
//! report holds, measured in one streaming pass ([`MixAnalyzer`]) over a file
//! or over a mix as it renders.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::loudness::{LoudnessMeter, LoudnessPoint, finite};
use super::spectrum::{Averaging, Spectrum, SpectrumPoint};
use crate::media::{MediaError, decode_file};

/// FFT size of the long-term spectrum.
const SPECTRUM_FFT: usize = 8192;

/// Frames [`analyze_file`] hands the analyzer at a time. The bounce's report
/// measures in blocks of the same length, so its sums are made in the same
/// order and it equals `mixdesk analyze` of the file to the last digit.
pub(crate) const ANALYSIS_BLOCK: usize = 65_536;

/// A 3 s window's correlation and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowCorrelation {
    /// Pearson correlation of left and right over the window.
    pub correlation: f64,
    /// Start of the window, seconds from the start.
    pub at_seconds: f64,
}

/// The measurements of a programme (levels in dB; `None` where there is no signal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The file measured, if it was a file.
    pub file: Option<PathBuf>,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channels (1 or 2; more are folded to stereo before measuring).
    pub channels: usize,
    /// Bits per sample of the file (`None` for a mix measured before writing, or a lossy file).
    pub bit_depth: Option<u32>,
    /// Whether the samples are floating point.
    pub float: bool,
    /// Frames per channel.
    pub frames: u64,
    /// Length in seconds.
    pub seconds: f64,
    /// Highest absolute sample, dBFS.
    pub sample_peak_dbfs: Option<f64>,
    /// Highest true peak (4x oversampled, BS.1770-4), dBTP.
    pub true_peak_dbtp: Option<f64>,
    /// Integrated loudness (EBU R 128), LUFS.
    pub integrated_lufs: Option<f64>,
    /// Loudness range (EBU Tech 3342), LU.
    pub loudness_range_lu: Option<f64>,
    /// Highest short-term (3 s) loudness, LUFS.
    pub max_short_term_lufs: Option<f64>,
    /// Highest momentary (400 ms) loudness, LUFS.
    pub max_momentary_lufs: Option<f64>,
    /// RMS over all channels and the whole length, dBFS (a full-scale sine reads -3.01).
    pub rms_dbfs: Option<f64>,
    /// Mean per channel, as a fraction of full scale.
    pub dc_offset: Vec<f64>,
    /// Samples at or beyond full scale (for integer files: at the largest code).
    pub clipped_samples: u64,
    /// Correlation of left and right over the whole length.
    pub correlation: Option<f64>,
    /// The most negative 3 s correlation while the signal is above -50 dBFS RMS.
    pub worst_correlation: Option<WindowCorrelation>,
    /// Left over right energy in dB (positive leans left).
    pub balance_db: Option<f64>,
    /// Level of the first frame (the louder channel), dBFS (a cut start if loud).
    pub first_sample_dbfs: Option<f64>,
    /// Level of the last frame (the louder channel), dBFS (a cut tail if loud).
    pub last_sample_dbfs: Option<f64>,
}

/// The curves behind an analysis (for plots).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AnalysisCurves {
    /// Momentary and short-term loudness every 100 ms.
    pub loudness: Vec<LoudnessPoint>,
    /// The long-term spectrum, 1/6-octave smoothing.
    pub spectrum: Vec<SpectrumPoint>,
    /// Mid and side levels per octave band (tonal balance and width).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<super::bands::BandLevel>,
}

/// Measures a programme fed block by block.
#[derive(Debug)]
pub struct MixAnalyzer {
    channels: usize,
    sample_rate: u32,
    loudness: LoudnessMeter,
    spectrum: Spectrum,
    bands: super::bands::BandMeter,
    peak: f32,
    sum_sq: f64,
    sum: [f64; 2],
    frames: u64,
    clipped: u64,
    clip: ClipLevels,
    first: Option<f32>,
    last: f32,
}

impl MixAnalyzer {
    /// An analyzer for `channels` (1 or 2) at `sample_rate`, counting samples
    /// as clipped at the levels `clip` gives (see [`ClipLevels::for_format`]).
    pub fn new(sample_rate: u32, channels: usize, clip: ClipLevels) -> MixAnalyzer {
        let channels = channels.clamp(1, 2);
        MixAnalyzer {
            channels,
            sample_rate,
            loudness: LoudnessMeter::with_channels(sample_rate, channels),
            spectrum: Spectrum::new(sample_rate, SPECTRUM_FFT, Averaging::LongTerm, 6),
            bands: super::bands::BandMeter::new(sample_rate),
            peak: 0.0,
            sum_sq: 0.0,
            sum: [0.0; 2],
            frames: 0,
            clipped: 0,
            clip,
            first: None,
            last: 0.0,
        }
    }

    /// Takes in a block; for mono, `r` is ignored.
    pub fn add(&mut self, l: &[f32], r: &[f32]) {
        let r = if self.channels == 1 { l } else { r };
        let n = l.len().min(r.len());
        if n == 0 {
            return;
        }
        let (l, r) = (&l[..n], &r[..n]);
        self.loudness.add(l, r);
        self.spectrum.add(l, r);
        self.bands.add(l, r);
        for (c, buf) in [l, r].into_iter().enumerate().take(self.channels) {
            let (mut peak, mut sq, mut sum, mut clipped) = (self.peak, 0.0f64, 0.0f64, 0u64);
            for &x in buf {
                let a = x.abs();
                peak = peak.max(a);
                sq += f64::from(x) * f64::from(x);
                sum += f64::from(x);
                clipped += u64::from(x >= self.clip.high || x <= self.clip.low);
            }
            self.peak = peak;
            self.sum_sq += sq;
            self.sum[c] += sum;
            self.clipped += clipped;
        }
        let frame_level = |i: usize| l[i].abs().max(r[i].abs());
        if self.first.is_none() {
            self.first = Some(frame_level(0));
        }
        self.last = frame_level(n - 1);
        self.frames += n as u64;
    }

    /// The measurements and their curves.
    pub fn finish(self) -> (Analysis, AnalysisCurves) {
        let db = |x: f64| (x > 0.0).then(|| 20.0 * x.log10());
        let r = self.loudness.reading();
        let n = self.frames.max(1) as f64;
        let stereo = self.loudness.stereo();
        let two = self.channels == 2;
        let analysis = Analysis {
            file: None,
            sample_rate: self.sample_rate,
            channels: self.channels,
            bit_depth: None,
            float: true,
            frames: self.frames,
            seconds: self.frames as f64 / f64::from(self.sample_rate),
            sample_peak_dbfs: db(f64::from(self.peak)),
            true_peak_dbtp: r.true_peak.map(|tp| tp.max(20.0 * f64::from(self.peak).log10())),
            integrated_lufs: r.integrated,
            loudness_range_lu: r.range.filter(|_| r.integrated.is_some()),
            max_short_term_lufs: r.max_short_term,
            max_momentary_lufs: r.max_momentary,
            rms_dbfs: finite(10.0 * (self.sum_sq / (n * self.channels as f64)).log10()),
            dc_offset: self.sum[..self.channels].iter().map(|s| s / n).collect(),
            clipped_samples: self.clipped,
            correlation: if two { stereo.overall_correlation() } else { None },
            worst_correlation: if two {
                stereo
                    .worst_3s()
                    .map(|(correlation, at_seconds)| WindowCorrelation { correlation, at_seconds })
            } else {
                None
            },
            balance_db: if two { stereo.overall_balance_db() } else { None },
            first_sample_dbfs: self.first.and_then(|x| db(f64::from(x))),
            last_sample_dbfs: db(f64::from(self.last)),
        };
        let curves = AnalysisCurves {
            loudness: self.loudness.history().to_vec(),
            spectrum: self.spectrum.points(),
            bands: self.bands.finish(),
        };
        (analysis, curves)
    }
}

/// The sample values that count as clipped (inclusive bounds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClipLevels {
    /// At or above this.
    pub high: f32,
    /// At or below this.
    pub low: f32,
}

impl ClipLevels {
    /// Integer files clip at their largest and smallest codes; float audio
    /// (and a mix before it is written) only beyond full scale.
    pub fn for_format(bits: Option<u32>, float: bool) -> ClipLevels {
        match bits {
            Some(b) if !float && (8..=32).contains(&b) => {
                let full = 2f64.powi(b as i32 - 1);
                ClipLevels { high: ((full - 1.0) / full) as f32, low: -1.0 }
            }
            _ => ClipLevels { high: 1.0 + f32::EPSILON, low: -1.0 - f32::EPSILON },
        }
    }
}

/// Why a file could not be analysed.
pub type AnalyzeError = MediaError;

/// Decodes the file at `path` (any format Mixdesk imports) and measures it.
pub fn analyze_file(path: &Path) -> Result<(Analysis, AnalysisCurves), AnalyzeError> {
    let decoded = decode_file(path)?;
    let format = &decoded.format;
    let float = format.codec.starts_with("pcm_f");
    let bits = format.bits_per_sample.filter(|_| is_pcm_like(&format.codec));
    let channels = decoded.channels.len();
    let mut a = MixAnalyzer::new(format.sample_rate, channels, ClipLevels::for_format(bits, float));
    let l = &decoded.channels[0];
    let r = decoded.channels.get(1).unwrap_or(l);
    for start in (0..l.len()).step_by(ANALYSIS_BLOCK) {
        let end = (start + ANALYSIS_BLOCK).min(l.len());
        a.add(&l[start..end], &r[start..end]);
    }
    let (mut analysis, curves) = a.finish();
    analysis.file = Some(path.to_owned());
    analysis.bit_depth = bits;
    analysis.float = float;
    Ok((analysis, curves))
}

/// Whether a codec stores exact sample words (so its bit depth means something).
fn is_pcm_like(codec: &str) -> bool {
    codec.starts_with("pcm") || codec == "flac" || codec == "alac"
}
