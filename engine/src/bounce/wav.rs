//! WAV output with hound: 16- or 24-bit integer (optionally dithered) or 32-bit
//! float, written atomically (nothing appears at the path until it is complete).

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::dither::Quantizer;
use crate::atomic::AtomicFile;
use crate::media::decode::sanitize_sample;

/// Sample format of a bounced file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BitDepth {
    /// 16-bit integer PCM.
    Int16,
    /// 24-bit integer PCM.
    #[default]
    Int24,
    /// 32-bit IEEE float.
    Float32,
}

impl BitDepth {
    /// Bits per sample.
    pub fn bits(self) -> u32 {
        match self {
            BitDepth::Int16 => 16,
            BitDepth::Int24 => 24,
            BitDepth::Float32 => 32,
        }
    }
}

/// A stereo WAV being written.
pub(crate) struct WavSink {
    target: AtomicFile,
    writer: hound::WavWriter<BufWriter<File>>,
    depth: BitDepth,
    quantizers: Option<[Quantizer; 2]>,
}

impl WavSink {
    pub fn create(
        path: &Path,
        rate: u32,
        depth: BitDepth,
        dither: bool,
        seed: u64,
    ) -> std::io::Result<WavSink> {
        let (target, file) = AtomicFile::create(path)?;
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: rate,
            bits_per_sample: depth.bits() as u16,
            sample_format: match depth {
                BitDepth::Float32 => hound::SampleFormat::Float,
                _ => hound::SampleFormat::Int,
            },
        };
        let writer = hound::WavWriter::new(BufWriter::with_capacity(1 << 16, file), spec).map_err(to_io)?;
        let quantizers = match depth {
            BitDepth::Float32 => None,
            d => Some([
                Quantizer::new(d.bits(), dither, seed * 2),
                Quantizer::new(d.bits(), dither, seed * 2 + 1),
            ]),
        };
        Ok(WavSink { target, writer, depth, quantizers })
    }

    /// The sample format written.
    pub fn depth(&self) -> BitDepth {
        self.depth
    }

    /// Like [`WavSink::write`], and appends to `read_back` the samples as a
    /// decoder will read them from the file (integers scaled by a power of
    /// two, as `media::stream` converts them; floats sanitised), so the
    /// report can measure the file without reading it.
    pub fn write_read_back(
        &mut self,
        left: &[f32],
        right: &[f32],
        read_back: &mut [Vec<f32>; 2],
    ) -> std::io::Result<()> {
        let [rl, rr] = read_back;
        match &mut self.quantizers {
            None => {
                for (l, r) in left.iter().zip(right) {
                    self.writer.write_sample(*l).map_err(to_io)?;
                    self.writer.write_sample(*r).map_err(to_io)?;
                    rl.push(sanitize_sample(*l));
                    rr.push(sanitize_sample(*r));
                }
            }
            Some([ql, qr]) => {
                // 2^(bits - 1): exact in f32, so the division is exact, as the decoder's is.
                let full = (1u32 << (self.depth.bits() - 1)) as f32;
                for (l, r) in left.iter().zip(right) {
                    let (a, b) = (ql.quantize(*l), qr.quantize(*r));
                    self.writer.write_sample(a).map_err(to_io)?;
                    self.writer.write_sample(b).map_err(to_io)?;
                    rl.push(a as f32 / full);
                    rr.push(b as f32 / full);
                }
            }
        }
        Ok(())
    }

    pub fn write(&mut self, left: &[f32], right: &[f32]) -> std::io::Result<()> {
        match &mut self.quantizers {
            None => {
                for (l, r) in left.iter().zip(right) {
                    self.writer.write_sample(*l).map_err(to_io)?;
                    self.writer.write_sample(*r).map_err(to_io)?;
                }
            }
            Some([ql, qr]) => {
                for (l, r) in left.iter().zip(right) {
                    self.writer.write_sample(ql.quantize(*l)).map_err(to_io)?;
                    self.writer.write_sample(qr.quantize(*r)).map_err(to_io)?;
                }
            }
        }
        Ok(())
    }

    /// Where the file will appear.
    pub fn path(&self) -> &Path {
        self.target.path()
    }

    /// Completes the header and moves the file into place.
    pub fn finish(self) -> std::io::Result<PathBuf> {
        self.writer.finalize().map_err(to_io)?;
        let path = self.target.path().to_owned();
        self.target.commit(false)?;
        Ok(path)
    }
}

impl std::fmt::Debug for WavSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavSink").field("target", &self.target).finish_non_exhaustive()
    }
}

fn to_io(e: hound::Error) -> std::io::Error {
    match e {
        hound::Error::IoError(io) => io,
        other => std::io::Error::other(other.to_string()),
    }
}
