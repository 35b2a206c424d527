//! A user impulse response as a system simulation: the monitor convolves
//! the (already checked) signal with a WAV or any file Mixdesk imports, e.g.
//! a measured phone speaker or room. Partitioned FFT convolution
//! (`fft-convolver`) with every buffer allocated when the file is loaded, off
//! the audio thread; processing never allocates. A mono response is applied
//! to both channels, a stereo one channel by channel. The stage ramps it in
//! and out over the monitor's crossfade (see [`super::MonitorStage`]).

use std::path::{Path, PathBuf};

use fft_convolver::FFTConvolver;

use crate::media::{MediaError, MediaPool};

/// The longest response taken, seconds (a large hall's tail).
pub const MAX_IR_SECONDS: f64 = 10.0;

/// Partition size of the convolution, frames.
const PARTITION: usize = 256;

/// Why a response could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum IrError {
    /// The file could not be read (the error names it).
    #[error("cannot load the impulse response: {0}")]
    Media(#[from] MediaError),
    /// Too long or empty.
    #[error("the impulse response {} is {what}: give a response of 1 sample to {MAX_IR_SECONDS} s", .path.display())]
    Length {
        /// The file.
        path: PathBuf,
        /// "empty", "12.5 s long".
        what: String,
    },
}

/// A loaded response, ready for the audio thread.
pub struct IrConvolver {
    conv: [FFTConvolver<f32>; 2],
    scratch: [Box<[f32]>; 2],
    path: PathBuf,
}

impl std::fmt::Debug for IrConvolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IrConvolver").field("path", &self.path).finish_non_exhaustive()
    }
}

impl IrConvolver {
    /// A convolver for the response `channels` (one or two) for blocks of
    /// at most `max_block` frames.
    pub fn new(channels: &[&[f32]], max_block: usize, path: PathBuf) -> IrConvolver {
        let make = |ir: &[f32]| {
            let mut c = FFTConvolver::default();
            // Only a zero partition size fails, and PARTITION is not zero.
            let _ = c.init(PARTITION, ir);
            c
        };
        let right = channels.get(1).unwrap_or(&channels[0]);
        IrConvolver {
            conv: [make(channels[0]), make(right)],
            scratch: [vec![0.0; max_block].into(), vec![0.0; max_block].into()],
            path,
        }
    }

    /// Loads the response at `path` resampled to `rate` Hz.
    pub fn load(path: &Path, rate: u32, max_block: usize) -> Result<IrConvolver, IrError> {
        let media = MediaPool::new().load(path, rate)?;
        let len = media.channels.first().map_or(0, |c| c.len());
        let limit = (MAX_IR_SECONDS * f64::from(rate)) as usize;
        if len == 0 || len > limit {
            let what =
                if len == 0 { "empty".into() } else { format!("{:.1} s long", len as f64 / f64::from(rate)) };
            return Err(IrError::Length { path: path.to_owned(), what });
        }
        let channels: Vec<&[f32]> = media.channels.iter().take(2).map(|c| &c[..]).collect();
        Ok(IrConvolver::new(&channels, max_block, path.to_owned()))
    }

    /// The file it was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Convolves a stereo block in place (at most the `max_block` it was
    /// made for; longer blocks are processed in parts). Realtime-safe.
    pub fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        let max = self.scratch[0].len().max(1);
        for (c, x) in [l, r].into_iter().enumerate() {
            for part in x.chunks_mut(max) {
                let s = &mut self.scratch[c][..part.len()];
                s.copy_from_slice(part);
                if self.conv[c].process(s, part).is_err() {
                    part.fill(0.0);
                }
            }
        }
    }

    /// Forgets the signal held in the convolution (a seek, a new stream).
    /// Realtime-safe.
    pub fn reset(&mut self) {
        self.conv.iter_mut().for_each(FFTConvolver::reset);
    }
}
