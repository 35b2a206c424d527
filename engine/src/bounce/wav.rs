//! WAV output: 16- or 24-bit integer (optionally dithered) or 32-bit float,
//! written atomically (nothing appears at the path until it is complete).
//!
//! The header is hound's, byte for byte (the older PCM format up to 16 bits,
//! WAVE_FORMAT_EXTENSIBLE above), so files are what they were when hound
//! wrote them; the samples are quantised and packed a block at a time and
//! written in one call, instead of one library call per sample (which was an
//! eighth of a small bounce's time).

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
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

    pub(crate) fn bytes(self) -> usize {
        self.bits() as usize / 8
    }
}

/// WAVE_FORMAT_EXTENSIBLE sub-formats (GUIDs).
const SUBTYPE_PCM: [u8; 16] = [0x01, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];
const SUBTYPE_FLOAT: [u8; 16] = [0x03, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];

/// The largest data chunk a WAV file can describe.
const MAX_DATA_BYTES: u64 = u32::MAX as u64 - 100;

/// A stereo WAV being written.
pub(crate) struct WavSink {
    target: AtomicFile,
    out: BufWriter<File>,
    depth: BitDepth,
    quantizers: Option<[Quantizer; 2]>,
    /// Where the data chunk's length goes.
    data_len_at: u64,
    data_bytes: u64,
    /// One block's quantised samples per channel, then its bytes.
    codes: [Vec<i32>; 2],
    bytes: Vec<u8>,
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
        let mut out = BufWriter::with_capacity(1 << 16, file);
        let header = header(rate, depth);
        out.write_all(&header)?;
        let quantizers = Quantizer::stereo(depth, dither, seed);
        Ok(WavSink {
            target,
            out,
            depth,
            quantizers,
            data_len_at: header.len() as u64 - 4,
            data_bytes: 0,
            codes: [Vec::new(), Vec::new()],
            bytes: Vec::new(),
        })
    }

    /// The sample format written.
    pub fn depth(&self) -> BitDepth {
        self.depth
    }

    pub fn write(&mut self, left: &[f32], right: &[f32]) -> std::io::Result<()> {
        self.write_block(left, right, None)
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
        self.write_block(left, right, Some(read_back))
    }

    fn write_block(
        &mut self,
        left: &[f32],
        right: &[f32],
        read_back: Option<&mut [Vec<f32>; 2]>,
    ) -> std::io::Result<()> {
        let n = left.len().min(right.len());
        let (left, right) = (&left[..n], &right[..n]);
        let size = self.depth.bytes();
        let grown = self.data_bytes + (2 * n * size) as u64;
        if grown > MAX_DATA_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                "the mix is longer than a WAV file can hold (4 GiB); bounce a shorter range",
            ));
        }
        self.bytes.clear();
        match &mut self.quantizers {
            None => {
                for (l, r) in left.iter().zip(right) {
                    self.bytes.extend_from_slice(&l.to_le_bytes());
                    self.bytes.extend_from_slice(&r.to_le_bytes());
                }
                if let Some([rl, rr]) = read_back {
                    rl.extend(left.iter().map(|x| sanitize_sample(*x)));
                    rr.extend(right.iter().map(|x| sanitize_sample(*x)));
                }
            }
            Some(q) => {
                for ((q, x), codes) in q.iter_mut().zip([left, right]).zip(&mut self.codes) {
                    codes.resize(n, 0);
                    q.quantize_block(x, codes);
                }
                let [cl, cr] = &self.codes;
                for (a, b) in cl.iter().zip(cr) {
                    self.bytes.extend_from_slice(&a.to_le_bytes()[..size]);
                    self.bytes.extend_from_slice(&b.to_le_bytes()[..size]);
                }
                if let Some(back) = read_back {
                    // 2^(bits - 1): exact in f32, so the division is exact, as the decoder's is.
                    let full = (1u32 << (self.depth.bits() - 1)) as f32;
                    for (codes, out) in self.codes.iter().zip(back.iter_mut()) {
                        out.extend(codes.iter().map(|c| *c as f32 / full));
                    }
                }
            }
        }
        self.out.write_all(&self.bytes)?;
        self.data_bytes = grown;
        Ok(())
    }

    /// Where the file will appear.
    pub fn path(&self) -> &Path {
        self.target.path()
    }

    /// Completes the header and moves the file into place.
    pub fn finish(mut self) -> std::io::Result<PathBuf> {
        let data = self.data_bytes as u32;
        let riff = data + self.data_len_at as u32 - 4;
        self.out.seek(SeekFrom::Start(4))?;
        self.out.write_all(&riff.to_le_bytes())?;
        self.out.seek(SeekFrom::Start(self.data_len_at))?;
        self.out.write_all(&data.to_le_bytes())?;
        self.out.flush()?;
        let path = self.target.path().to_owned();
        self.target.commit(false)?;
        Ok(path)
    }
}

/// The RIFF, `fmt ` and `data` headers (with the lengths still zero) for
/// stereo at `rate` in `depth`, as hound writes them.
fn header(rate: u32, depth: BitDepth) -> Vec<u8> {
    let mut h = Vec::with_capacity(68);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&0u32.to_le_bytes());
    h.extend_from_slice(b"WAVE");
    h.extend_from_slice(&fmt_chunk(rate, depth));
    h.extend_from_slice(b"data");
    h.extend_from_slice(&0u32.to_le_bytes());
    h
}

/// The `fmt ` chunk for stereo at `rate` in `depth`: the older PCM format up
/// to 16 bits, WAVE_FORMAT_EXTENSIBLE above (as hound writes it).
pub(crate) fn fmt_chunk(rate: u32, depth: BitDepth) -> Vec<u8> {
    let channels = 2u16;
    let bytes = depth.bytes() as u16;
    let block_align = channels * bytes;
    let mut h = Vec::with_capacity(48);
    h.extend_from_slice(b"fmt ");
    let format = |h: &mut Vec<u8>, tag: u16| {
        h.extend_from_slice(&tag.to_le_bytes());
        h.extend_from_slice(&channels.to_le_bytes());
        h.extend_from_slice(&rate.to_le_bytes());
        h.extend_from_slice(&(rate * u32::from(block_align)).to_le_bytes());
        h.extend_from_slice(&block_align.to_le_bytes());
    };
    if depth.bits() <= 16 {
        h.extend_from_slice(&16u32.to_le_bytes());
        format(&mut h, 1);
        h.extend_from_slice(&(depth.bits() as u16).to_le_bytes());
    } else {
        h.extend_from_slice(&40u32.to_le_bytes());
        format(&mut h, 0xfffe);
        h.extend_from_slice(&(bytes * 8).to_le_bytes());
        h.extend_from_slice(&22u16.to_le_bytes());
        h.extend_from_slice(&(depth.bits() as u16).to_le_bytes());
        h.extend_from_slice(&3u32.to_le_bytes()); // front left and right
        h.extend_from_slice(if depth == BitDepth::Float32 { &SUBTYPE_FLOAT } else { &SUBTYPE_PCM });
    }
    h
}

impl std::fmt::Debug for WavSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavSink").field("target", &self.target).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each format's file is byte for byte the one hound writes.
    #[test]
    fn files_are_hounds_to_the_byte() {
        let dir = tempfile::tempdir().unwrap();
        let l: Vec<f32> = (0..5000).map(|i| ((i as f32) * 0.013).sin() * 0.9).collect();
        let r: Vec<f32> = l.iter().map(|x| -0.5 * x).collect();
        for depth in [BitDepth::Int16, BitDepth::Int24, BitDepth::Float32] {
            let ours = dir.path().join(format!("ours{}.wav", depth.bits()));
            let mut sink = WavSink::create(&ours, 44_100, depth, depth == BitDepth::Int16, 3).unwrap();
            for (a, b) in l.chunks(777).zip(r.chunks(777)) {
                sink.write(a, b).unwrap();
            }
            sink.finish().unwrap();
            let theirs = dir.path().join(format!("hound{}.wav", depth.bits()));
            let spec = hound::WavSpec {
                channels: 2,
                sample_rate: 44_100,
                bits_per_sample: depth.bits() as u16,
                sample_format: if depth == BitDepth::Float32 {
                    hound::SampleFormat::Float
                } else {
                    hound::SampleFormat::Int
                },
            };
            let mut w = hound::WavWriter::create(&theirs, spec).unwrap();
            let dither = depth == BitDepth::Int16;
            let mut q = [Quantizer::new(depth.bits(), dither, 6), Quantizer::new(depth.bits(), dither, 7)];
            for (a, b) in l.iter().zip(&r) {
                if depth == BitDepth::Float32 {
                    w.write_sample(*a).unwrap();
                    w.write_sample(*b).unwrap();
                } else {
                    w.write_sample(q[0].quantize(*a)).unwrap();
                    w.write_sample(q[1].quantize(*b)).unwrap();
                }
            }
            w.finalize().unwrap();
            assert!(std::fs::read(&ours).unwrap() == std::fs::read(&theirs).unwrap(), "{depth:?}");
        }
    }
}
