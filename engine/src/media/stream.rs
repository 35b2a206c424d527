//! Uncompressed WAV files read straight from disk as they play, for the
//! offline bounce: no decode pass, no copy of the file in memory.
//!
//! A 128-track, one-minute session holds 1.5 GB of decoded mono samples; the
//! bounce needs 4096 frames of each at a time. Files the bounce can stream
//! are PCM WAV (16, 24 or 32-bit integers, or 32-bit float) with one or two
//! channels at the session rate; anything else (compressed, resampled,
//! folded down from more channels) goes through the media pool as before.
//! Samples convert exactly as the decoder converts them (integers scaled by a
//! power of two, floats sanitised the same way), so a streamed bounce is
//! bit-identical to one from the pool (tested).
//!
//! Reading does I/O, so a [`StreamedWav`] is never given to the live engine.
//! A read that fails mid-bounce (the file truncated or removed while the
//! bounce runs) plays silence and is remembered; the bounce then fails naming
//! the file, and its outputs are removed.

use std::cell::RefCell;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use super::decode::sanitize_sample;
use super::{AudioSource, MediaError};

/// How samples are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    I16,
    I24,
    I32,
    F32,
}

impl Encoding {
    pub(crate) fn bytes(self) -> usize {
        match self {
            Encoding::I16 => 2,
            Encoding::I24 => 3,
            Encoding::I32 | Encoding::F32 => 4,
        }
    }

    /// Converts little-endian samples as the decoder does (integers scaled by
    /// a power of two, so exactly; floats sanitised); `bytes` holds
    /// `out.len()` samples. With AVX2 where the CPU has it (see [`crate::dsp::simd`]).
    #[allow(unsafe_code)]
    pub(crate) fn convert(self, bytes: &[u8], out: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if crate::dsp::simd::fma() {
            // SAFETY: the CPU has AVX2 and FMA (checked just above).
            unsafe { self.convert_avx2(bytes, out) };
            return;
        }
        self.convert_with(bytes, out);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn convert_avx2(self, bytes: &[u8], out: &mut [f32]) {
        self.convert_with(bytes, out);
    }

    /// Converts interleaved stereo frames into two channels, each sample as
    /// [`Encoding::convert`] converts it, in one pass; `bytes` holds
    /// `left.len()` frames.
    #[allow(unsafe_code)]
    pub(crate) fn convert_stereo(self, bytes: &[u8], left: &mut [f32], right: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if crate::dsp::simd::fma() {
            // SAFETY: the CPU has AVX2 and FMA (checked just above).
            unsafe { self.convert_stereo_avx2(bytes, left, right) };
            return;
        }
        self.convert_stereo_with(bytes, left, right);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn convert_stereo_avx2(self, bytes: &[u8], left: &mut [f32], right: &mut [f32]) {
        let done = if self == Encoding::I24 { stereo_i24_avx2(bytes, left, right) } else { 0 };
        self.convert_stereo_with(&bytes[done * 6..], &mut left[done..], &mut right[done..]);
    }

    #[inline(always)]
    fn convert_stereo_with(self, bytes: &[u8], left: &mut [f32], right: &mut [f32]) {
        let frames = left.iter_mut().zip(right.iter_mut());
        match self {
            Encoding::I16 => {
                for ((l, r), b) in frames.zip(bytes.chunks_exact(4)) {
                    *l = f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0;
                    *r = f32::from(i16::from_le_bytes([b[2], b[3]])) / 32_768.0;
                }
            }
            Encoding::I24 => {
                for ((l, r), b) in frames.zip(bytes.chunks_exact(6)) {
                    *l = (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 / 8_388_608.0;
                    *r = (i32::from_le_bytes([0, b[3], b[4], b[5]]) >> 8) as f32 / 8_388_608.0;
                }
            }
            Encoding::I32 => {
                for ((l, r), b) in frames.zip(bytes.chunks_exact(8)) {
                    *l = i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32 / 2_147_483_648.0;
                    *r = i32::from_le_bytes([b[4], b[5], b[6], b[7]]) as f32 / 2_147_483_648.0;
                }
            }
            Encoding::F32 => {
                for ((l, r), b) in frames.zip(bytes.chunks_exact(8)) {
                    *l = sanitize_sample(f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                    *r = sanitize_sample(f32::from_le_bytes([b[4], b[5], b[6], b[7]]));
                }
            }
        }
    }

    #[inline(always)]
    fn convert_with(self, bytes: &[u8], out: &mut [f32]) {
        match self {
            Encoding::I16 => {
                for (o, b) in out.iter_mut().zip(bytes.chunks_exact(2)) {
                    *o = f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0;
                }
            }
            Encoding::I24 => {
                for (o, b) in out.iter_mut().zip(bytes.chunks_exact(3)) {
                    *o = (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 / 8_388_608.0;
                }
            }
            Encoding::I32 => {
                for (o, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
                    *o = i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32 / 2_147_483_648.0;
                }
            }
            Encoding::F32 => {
                for (o, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
                    *o = sanitize_sample(f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                }
            }
        }
    }
}

/// Stereo 24-bit frames into two channels, four frames per step: each
/// 128-bit half of a register takes two frames' six bytes, a byte shuffle
/// puts each sample in the top three bytes of a 32-bit lane (left, left,
/// right, right), an arithmetic shift sign-extends it, and the conversion
/// and the power-of-two scale are exact, so every sample is what
/// [`Encoding::convert`] gives (tested). Returns how many frames it did;
/// the caller converts the rest.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(unsafe_code)]
fn stereo_i24_avx2(bytes: &[u8], left: &mut [f32], right: &mut [f32]) -> usize {
    use std::arch::x86_64::{
        __m128i, _mm_loadu_si128, _mm_storeu_ps, _mm256_castps256_ps128, _mm256_castsi128_si256,
        _mm256_cvtepi32_ps, _mm256_extractf128_ps, _mm256_inserti128_si256, _mm256_mul_ps,
        _mm256_permute4x64_epi64, _mm256_set1_ps, _mm256_setr_epi8, _mm256_shuffle_epi8, _mm256_srai_epi32,
    };
    let frames = left.len().min(right.len()).min(bytes.len() / 6);
    // Each 16-byte load reads 4 bytes past its two frames: stop while that stays inside `bytes`.
    let steps = if bytes.len() >= 28 { ((bytes.len() - 28) / 24 + 1).min(frames / 4) } else { 0 };
    const Z: i8 = -128; // a shuffle index with its top bit set writes a zero byte
    let shuffle = _mm256_setr_epi8(
        Z, 0, 1, 2, Z, 6, 7, 8, Z, 3, 4, 5, Z, 9, 10, 11, Z, 0, 1, 2, Z, 6, 7, 8, Z, 3, 4, 5, Z, 9, 10, 11,
    );
    let scale = _mm256_set1_ps(1.0 / 8_388_608.0);
    for k in 0..steps {
        let at = k * 24;
        // SAFETY: `at + 12 + 16 <= bytes.len()` for every step (see `steps`),
        // and `4 * k + 4 <= frames`, so the loads and stores stay in bounds.
        unsafe {
            let lo = _mm_loadu_si128(bytes.as_ptr().add(at).cast::<__m128i>());
            let hi = _mm_loadu_si128(bytes.as_ptr().add(at + 12).cast::<__m128i>());
            let v = _mm256_inserti128_si256::<1>(_mm256_castsi128_si256(lo), hi);
            // Lanes: L0 L1 R0 R1 | L2 L3 R2 R3, each sample << 8.
            let s = _mm256_srai_epi32::<8>(_mm256_shuffle_epi8(v, shuffle));
            // L0 L1 L2 L3 | R0 R1 R2 R3.
            let s = _mm256_permute4x64_epi64::<0b11_01_10_00>(s);
            let f = _mm256_mul_ps(_mm256_cvtepi32_ps(s), scale);
            _mm_storeu_ps(left.as_mut_ptr().add(4 * k), _mm256_castps256_ps128(f));
            _mm_storeu_ps(right.as_mut_ptr().add(4 * k), _mm256_extractf128_ps::<1>(f));
        }
    }
    steps * 4
}

/// A WAV file's sample data, read on demand.
#[derive(Debug)]
pub struct StreamedWav {
    path: PathBuf,
    file: File,
    encoding: Encoding,
    channels: usize,
    data_start: u64,
    frames: u64,
    /// Tells this source's blocks apart in the per-thread cache.
    id: u64,
    /// The first read that failed, if one has.
    failure: OnceLock<String>,
}

/// The next [`StreamedWav::id`] (0 is never used, so the empty cache matches nothing).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The last block a thread read, decoded (both channels of a stereo file are
/// read one after the other; the second is served from here).
struct LastRead {
    source: u64,
    offset: u64,
    frames: usize,
    bytes: Vec<u8>,
    samples: Vec<f32>,
}

thread_local! {
    static LAST: RefCell<LastRead> =
        const { RefCell::new(LastRead { source: 0, offset: 0, frames: 0, bytes: Vec::new(), samples: Vec::new() }) };
}

impl StreamedWav {
    /// Opens `path` for streaming at `rate` Hz, or `None` when the file is
    /// not one the bounce can stream (not a WAV, another encoding or rate,
    /// more than two channels, damaged, cut short, unreadable): the caller
    /// then loads it through the pool, which reports any error properly.
    pub fn open(path: &Path, rate: u32) -> Option<StreamedWav> {
        let mut file = crate::files::open_regular(path).ok()?;
        let len = file.metadata().ok()?.len();
        let header = parse_header(&mut file)?;
        if header.rate != rate || !(1..=2).contains(&header.channels) {
            return None;
        }
        let block_align = header.channels * header.encoding.bytes();
        let frames = header.data_len / block_align as u64;
        if frames == 0 || header.data_start + frames * block_align as u64 > len {
            return None;
        }
        Some(StreamedWav {
            path: path.to_owned(),
            file,
            encoding: header.encoding,
            channels: header.channels,
            data_start: header.data_start,
            frames,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            failure: OnceLock::new(),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why a read failed, if one has: the bounce must not be trusted then.
    pub fn failure(&self) -> Option<MediaError> {
        self.failure.get().map(|message| MediaError::Unreadable {
            path: self.path.clone(),
            message: format!("{message} while bouncing (was it changed or removed during the bounce?)"),
        })
    }
}

impl AudioSource for StreamedWav {
    fn channel_count(&self) -> usize {
        self.channels
    }

    fn frames(&self) -> u64 {
        self.frames
    }

    /// Not realtime-safe: reads the file (offline bounce only).
    fn read_stereo(&self, offset: u64, left: &mut [f32], right: &mut [f32]) {
        self.read_both(offset, left, right);
    }

    /// Not realtime-safe: reads the file (offline bounce only).
    fn read(&self, channel: usize, offset: u64, out: &mut [f32]) {
        let n = (out.len() as u64).min(self.frames.saturating_sub(offset)) as usize;
        out[n..].fill(0.0);
        if n == 0 {
            return;
        }
        let channel = channel.min(self.channels - 1);
        LAST.with_borrow_mut(|last| {
            if self.channels == 1 {
                // Mono: straight into `out`; only the bytes need a buffer.
                if self.fetch(offset, n, &mut last.bytes) {
                    self.encoding.convert(&last.bytes, &mut out[..n]);
                } else {
                    out[..n].fill(0.0);
                }
                return;
            }
            if last.source != self.id || last.offset != offset || last.frames < n {
                last.frames = 0;
                if !self.fetch(offset, n, &mut last.bytes) {
                    out[..n].fill(0.0);
                    return;
                }
                last.samples.resize(n * self.channels, 0.0);
                self.encoding.convert(&last.bytes, &mut last.samples);
                (last.source, last.offset, last.frames) = (self.id, offset, n);
            }
            for (o, pair) in out[..n].iter_mut().zip(last.samples.chunks_exact(2)) {
                *o = pair[channel];
            }
        });
    }
}

impl StreamedWav {
    /// [`AudioSource::read_stereo`]: both channels converted in one pass over the bytes.
    fn read_both(&self, offset: u64, left: &mut [f32], right: &mut [f32]) {
        let len = left.len().min(right.len());
        let n = (len as u64).min(self.frames.saturating_sub(offset)) as usize;
        left[n..].fill(0.0);
        right[n..].fill(0.0);
        if n == 0 {
            return;
        }
        let (left, right) = (&mut left[..n], &mut right[..n]);
        LAST.with_borrow_mut(|last| {
            // Only the byte buffer is used: the cached samples stay valid.
            if !self.fetch(offset, n, &mut last.bytes) {
                left.fill(0.0);
                right.fill(0.0);
            } else if self.channels == 1 {
                self.encoding.convert(&last.bytes, left);
                right.copy_from_slice(left);
            } else {
                self.encoding.convert_stereo(&last.bytes, left, right);
            }
        });
    }

    /// Reads the bytes of frames `[offset, offset + n)` into `bytes`; false
    /// (and the failure remembered) if the file cannot give them.
    fn fetch(&self, offset: u64, n: usize, bytes: &mut Vec<u8>) -> bool {
        let block_align = (self.channels * self.encoding.bytes()) as u64;
        bytes.resize(n * block_align as usize, 0);
        match self.file.read_exact_at(bytes, self.data_start + offset * block_align) {
            Ok(()) => true,
            Err(e) => {
                let _ = self.failure.set(e.to_string());
                false
            }
        }
    }
}

/// What the bounce needs from a WAV header.
pub(crate) struct Header {
    pub encoding: Encoding,
    pub channels: usize,
    pub rate: u32,
    pub data_start: u64,
    pub data_len: u64,
}

const PCM: u16 = 1;
const FLOAT: u16 = 3;
const EXTENSIBLE: u16 = 0xFFFE;

/// Walks the RIFF chunks to `fmt ` and `data`. `None` for anything the
/// streamer does not handle (the decoder then takes the file).
pub(crate) fn parse_header(file: &mut File) -> Option<Header> {
    let mut riff = [0u8; 12];
    file.read_exact(&mut riff).ok()?;
    if &riff[0..4] != b"RIFF" || &riff[8..12] != b"WAVE" {
        return None;
    }
    let mut at = 12u64;
    let mut format: Option<(Encoding, usize, u32)> = None;
    loop {
        let mut head = [0u8; 8];
        file.read_exact_at(&mut head, at).ok()?;
        let size = u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
        let body = at + 8;
        match &head[0..4] {
            b"fmt " => {
                if !(16..=1024).contains(&size) {
                    return None;
                }
                let mut fmt = vec![0u8; size as usize];
                file.read_exact_at(&mut fmt, body).ok()?;
                format = Some(parse_fmt(&fmt)?);
            }
            b"data" => {
                let (encoding, channels, rate) = format?;
                return Some(Header { encoding, channels, rate, data_start: body, data_len: size });
            }
            _ => {}
        }
        // Chunks are padded to an even size.
        at = body + size + (size & 1);
    }
}

/// (encoding, channels, rate) from a `fmt ` chunk's body.
fn parse_fmt(fmt: &[u8]) -> Option<(Encoding, usize, u32)> {
    let u16_at = |i: usize| u16::from_le_bytes([fmt[i], fmt[i + 1]]);
    let mut tag = u16_at(0);
    let channels = usize::from(u16_at(2));
    let rate = u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]]);
    let block_align = usize::from(u16_at(12));
    let bits = u16_at(14);
    if tag == EXTENSIBLE {
        // cbSize, valid bits, channel mask, then the sub-format GUID whose first two bytes are the tag.
        if fmt.len() < 40 || u16_at(18) != bits {
            return None;
        }
        tag = u16_at(24);
    }
    let encoding = match (tag, bits) {
        (PCM, 16) => Encoding::I16,
        (PCM, 24) => Encoding::I24,
        (PCM, 32) => Encoding::I32,
        (FLOAT, 32) => Encoding::F32,
        _ => return None,
    };
    (channels > 0 && block_align == channels * encoding.bytes()).then_some((encoding, channels, rate))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain build converts exactly as the AVX2 build (and both as the
    /// decoder, which tests/tests/bounce_streaming.rs checks on this CPU).
    #[test]
    fn plain_and_vector_conversions_agree_bit_for_bit() {
        let bytes: Vec<u8> =
            (0..4 * 1000).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for encoding in [Encoding::I16, Encoding::I24, Encoding::I32, Encoding::F32] {
            let n = bytes.len() / encoding.bytes();
            let (mut plain, mut best) = (vec![0.0f32; n], vec![0.0f32; n]);
            encoding.convert_with(&bytes[..n * encoding.bytes()], &mut plain);
            encoding.convert(&bytes[..n * encoding.bytes()], &mut best);
            assert!(plain.iter().zip(&best).all(|(a, b)| a.to_bits() == b.to_bits()), "{encoding:?}");
            assert!(plain.iter().all(|x| x.is_finite() && x.abs() <= 1e6), "{encoding:?}");
        }
        // Stereo in one pass: each channel as converted sample by sample.
        for encoding in [Encoding::I16, Encoding::I24, Encoding::I32, Encoding::F32] {
            let frames = bytes.len() / encoding.bytes() / 2;
            let b = &bytes[..frames * 2 * encoding.bytes()];
            let mut all = vec![0.0f32; frames * 2];
            encoding.convert_with(b, &mut all);
            let (mut l, mut r) = (vec![0.0f32; frames], vec![0.0f32; frames]);
            encoding.convert_stereo(b, &mut l, &mut r);
            let (mut pl, mut pr) = (vec![0.0f32; frames], vec![0.0f32; frames]);
            encoding.convert_stereo_with(b, &mut pl, &mut pr);
            for (i, pair) in all.chunks_exact(2).enumerate() {
                assert_eq!(
                    [l[i].to_bits(), r[i].to_bits()],
                    [pair[0].to_bits(), pair[1].to_bits()],
                    "{encoding:?}"
                );
                assert_eq!(
                    [pl[i].to_bits(), pr[i].to_bits()],
                    [pair[0].to_bits(), pair[1].to_bits()],
                    "{encoding:?}"
                );
            }
        }
        // Every short length, so the vector steps' ends and the rest meet everywhere.
        for frames in 0..=13 {
            let b = &bytes[..frames * 6];
            let (mut l, mut r) = (vec![0.0f32; frames], vec![0.0f32; frames]);
            Encoding::I24.convert_stereo(b, &mut l, &mut r);
            let (mut pl, mut pr) = (vec![0.0f32; frames], vec![0.0f32; frames]);
            Encoding::I24.convert_stereo_with(b, &mut pl, &mut pr);
            assert!(l == pl && r == pr, "{frames} frames");
        }
        // Spot values: the extremes of 24-bit.
        let mut out = [0.0f32; 3];
        Encoding::I24.convert_with(&[0xff, 0xff, 0x7f, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00], &mut out);
        assert_eq!(out, [8_388_607.0 / 8_388_608.0, -1.0, 1.0 / 8_388_608.0]);
    }
}
