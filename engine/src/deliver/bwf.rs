//! Broadcast WAV for delivery: the samples as the bounce writes them, plus
//! the EBU `bext` chunk (Tech 3285 v2: origination, and the R 128 loudness
//! fields filled in from the delivered samples when the file is finished),
//! the tags in a `LIST`/`INFO` chunk, and the session's markers as `cue `
//! points with `labl` names. A `JUNK` chunk reserves room for RF64's `ds64`
//! (EBU Tech 3306): a file past 4 GiB is turned into RF64 when it is finished.
//!
//! Layout: `RIFF WAVE`, `JUNK` (28 bytes), `fmt `, `bext`, `LIST INFO`,
//! `data`, `cue `, `LIST adtl`.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::metadata::Tags;
use crate::analysis::Analysis;
use crate::atomic::AtomicFile;
use crate::bounce::{BitDepth, Quantizer, fmt_chunk};

/// Where `LoudnessValue` sits in the `bext` body.
pub const BEXT_LOUDNESS_AT: usize = 256 + 32 + 32 + 10 + 8 + 4 + 4 + 2 + 64;
/// The fixed part of the `bext` body.
const BEXT_FIXED: usize = 602;
/// A RIFF size field's largest value.
const RIFF_MAX: u64 = u32::MAX as u64;

/// The `bext` fields known when the file starts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origination {
    /// Free text (256 bytes at most).
    pub description: String,
    /// The first sample's time since midnight, in samples (the bounce's start).
    pub time_reference: u64,
}

/// A stereo Broadcast WAV being written.
pub(crate) struct BwfSink {
    target: AtomicFile,
    out: BufWriter<File>,
    depth: BitDepth,
    quantizers: Option<[Quantizer; 2]>,
    /// Where the `bext` body starts.
    bext_at: u64,
    /// Where the `data` chunk's length goes.
    data_len_at: u64,
    data_bytes: u64,
    markers: Vec<(String, u64)>,
    /// Above this many bytes of RIFF the file becomes RF64.
    rf64_above: u64,
    codes: [Vec<i32>; 2],
    bytes: Vec<u8>,
}

impl std::fmt::Debug for BwfSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BwfSink").field("target", &self.target).finish_non_exhaustive()
    }
}

/// Appends a chunk (id, length, body). An odd body gets a NUL that its
/// length counts (every body here is text or padded text), so readers that
/// forget RIFF's pad byte (hound) still find the next chunk.
fn chunk(h: &mut Vec<u8>, id: &[u8; 4], body: &[u8]) {
    let len = body.len() + body.len() % 2;
    h.extend_from_slice(id);
    h.extend_from_slice(&(len as u32).to_le_bytes());
    h.extend_from_slice(body);
    h.resize(h.len() + len - body.len(), 0);
}

/// A fixed-width ASCII field (cut or padded with NULs).
fn field(h: &mut Vec<u8>, s: &str, width: usize) {
    let ascii: Vec<u8> =
        s.bytes().map(|b| if b.is_ascii() && !b.is_ascii_control() { b } else { b'_' }).collect();
    let n = ascii.len().min(width);
    h.extend_from_slice(&ascii[..n]);
    h.resize(h.len() + width - n, 0);
}

impl BwfSink {
    #[allow(clippy::too_many_arguments)]
    pub fn create(
        path: &Path,
        rate: u32,
        depth: BitDepth,
        dither: bool,
        seed: u64,
        origination: &Origination,
        tags: &Tags,
        markers: Vec<(String, u64)>,
    ) -> std::io::Result<BwfSink> {
        BwfSink::create_with_limit(path, rate, depth, dither, seed, origination, tags, markers, RIFF_MAX)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn create_with_limit(
        path: &Path,
        rate: u32,
        depth: BitDepth,
        dither: bool,
        seed: u64,
        origination: &Origination,
        tags: &Tags,
        markers: Vec<(String, u64)>,
        rf64_above: u64,
    ) -> std::io::Result<BwfSink> {
        let (target, file) = AtomicFile::create(path)?;
        let mut h = Vec::with_capacity(2048);
        h.extend_from_slice(b"RIFF");
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(b"WAVE");
        chunk(&mut h, b"JUNK", &[0; 28]);
        h.extend_from_slice(&fmt_chunk(rate, depth));
        let (date, time) = super::metadata::utc_now();
        let mut bext = Vec::with_capacity(BEXT_FIXED + 64);
        field(&mut bext, &origination.description, 256);
        field(&mut bext, "Mixdesk", 32);
        field(&mut bext, &format!("MIXDESK{}{}", date.replace('-', ""), time.replace(':', "")), 32);
        field(&mut bext, &date, 10);
        field(&mut bext, &time, 8);
        bext.extend_from_slice(&(origination.time_reference as u32).to_le_bytes());
        bext.extend_from_slice(&((origination.time_reference >> 32) as u32).to_le_bytes());
        bext.extend_from_slice(&2u16.to_le_bytes());
        bext.resize(bext.len() + 64, 0); // UMID
        debug_assert_eq!(bext.len(), BEXT_LOUDNESS_AT);
        for _ in 0..5 {
            bext.extend_from_slice(&0x7fffi16.to_le_bytes()); // unknown until measured
        }
        bext.resize(BEXT_FIXED, 0);
        let word = match depth {
            BitDepth::Float32 => "32F".to_owned(),
            d => d.bits().to_string(),
        };
        bext.extend_from_slice(
            format!("A=PCM,F={rate},W={word},M=stereo,T=Mixdesk {}\r\n", env!("CARGO_PKG_VERSION"))
                .as_bytes(),
        );
        let bext_at = h.len() as u64 + 8;
        chunk(&mut h, b"bext", &bext);
        let mut info = b"INFO".to_vec();
        for (id, text) in tags.riff_info() {
            let mut t = text.into_bytes();
            t.push(0);
            chunk(&mut info, &id, &t);
        }
        chunk(&mut h, b"LIST", &info);
        h.extend_from_slice(b"data");
        h.extend_from_slice(&0u32.to_le_bytes());
        let mut out = BufWriter::with_capacity(1 << 16, file);
        out.write_all(&h)?;
        let quantizers = Quantizer::stereo(depth, dither, seed);
        Ok(BwfSink {
            target,
            out,
            depth,
            quantizers,
            bext_at,
            data_len_at: h.len() as u64 - 4,
            data_bytes: 0,
            markers,
            rf64_above,
            codes: [Vec::new(), Vec::new()],
            bytes: Vec::new(),
        })
    }

    /// Writes a block; with `read_back`, appends the samples as a decoder reads them.
    pub fn write(
        &mut self,
        l: &[f32],
        r: &[f32],
        read_back: Option<&mut [Vec<f32>; 2]>,
    ) -> std::io::Result<()> {
        let n = l.len().min(r.len());
        let (l, r) = (&l[..n], &r[..n]);
        self.bytes.clear();
        match &mut self.quantizers {
            None => {
                for (a, b) in l.iter().zip(r) {
                    self.bytes.extend_from_slice(&a.to_le_bytes());
                    self.bytes.extend_from_slice(&b.to_le_bytes());
                }
                if let Some(back) = read_back {
                    let clean = |x: &f32| crate::media::decode::sanitize_sample(*x);
                    back[0].extend(l.iter().map(clean));
                    back[1].extend(r.iter().map(clean));
                }
            }
            Some(q) => {
                for (ch, x) in [l, r].into_iter().enumerate() {
                    self.codes[ch].resize(n, 0);
                    q[ch].quantize_block(x, &mut self.codes[ch]);
                }
                let size = self.depth.bytes();
                for (a, b) in self.codes[0].iter().zip(&self.codes[1]) {
                    self.bytes.extend_from_slice(&a.to_le_bytes()[..size]);
                    self.bytes.extend_from_slice(&b.to_le_bytes()[..size]);
                }
                if let Some(back) = read_back {
                    let full = (1u64 << (self.depth.bits() - 1)) as f32;
                    for (codes, out) in self.codes.iter().zip(back.iter_mut()) {
                        out.extend(codes.iter().map(|c| *c as f32 / full));
                    }
                }
            }
        }
        self.data_bytes += self.bytes.len() as u64;
        self.out.write_all(&self.bytes)
    }

    /// Writes the cue points, the lengths (RF64 past 4 GiB) and the `bext`
    /// loudness of `measured`, and puts the file in place.
    pub fn finish(mut self, measured: Option<&Analysis>) -> std::io::Result<PathBuf> {
        // Cue points and their names after the data.
        if !self.markers.is_empty() {
            let mut cue = (self.markers.len() as u32).to_le_bytes().to_vec();
            let mut adtl = b"adtl".to_vec();
            for (i, (name, at)) in self.markers.iter().enumerate() {
                let id = i as u32 + 1;
                let at = (*at).min(u64::from(u32::MAX)) as u32;
                cue.extend_from_slice(&id.to_le_bytes());
                cue.extend_from_slice(&at.to_le_bytes());
                cue.extend_from_slice(b"data");
                cue.extend_from_slice(&0u32.to_le_bytes());
                cue.extend_from_slice(&0u32.to_le_bytes());
                cue.extend_from_slice(&at.to_le_bytes());
                let mut labl = id.to_le_bytes().to_vec();
                labl.extend_from_slice(name.as_bytes());
                labl.push(0);
                chunk(&mut adtl, b"labl", &labl);
            }
            let mut tail = Vec::new();
            chunk(&mut tail, b"cue ", &cue);
            chunk(&mut tail, b"LIST", &adtl);
            self.out.write_all(&tail)?;
        }
        let end = self.out.stream_position()?;
        let riff = end - 8;
        let frames = self.data_bytes / (2 * self.depth.bytes() as u64);
        if riff > self.rf64_above {
            self.out.seek(SeekFrom::Start(0))?;
            self.out.write_all(b"RF64")?;
            self.out.write_all(&u32::MAX.to_le_bytes())?;
            self.out.seek(SeekFrom::Start(12))?;
            self.out.write_all(b"ds64")?;
            self.out.write_all(&28u32.to_le_bytes())?;
            self.out.write_all(&riff.to_le_bytes())?;
            self.out.write_all(&self.data_bytes.to_le_bytes())?;
            self.out.write_all(&frames.to_le_bytes())?;
            self.out.write_all(&0u32.to_le_bytes())?;
            self.out.seek(SeekFrom::Start(self.data_len_at))?;
            self.out.write_all(&u32::MAX.to_le_bytes())?;
        } else {
            self.out.seek(SeekFrom::Start(4))?;
            self.out.write_all(&(riff as u32).to_le_bytes())?;
            self.out.seek(SeekFrom::Start(self.data_len_at))?;
            self.out.write_all(&(self.data_bytes as u32).to_le_bytes())?;
        }
        if let Some(a) = measured {
            let centi = |x: Option<f64>| -> i16 {
                x.filter(|v| v.is_finite())
                    .map_or(0x7fff, |v| (v * 100.0).round().clamp(-32_767.0, 32_766.0) as i16)
            };
            let mut loud = Vec::with_capacity(10);
            for v in [
                a.integrated_lufs,
                a.loudness_range_lu,
                a.true_peak_dbtp,
                a.max_momentary_lufs,
                a.max_short_term_lufs,
            ] {
                loud.extend_from_slice(&centi(v).to_le_bytes());
            }
            self.out.seek(SeekFrom::Start(self.bext_at + BEXT_LOUDNESS_AT as u64))?;
            self.out.write_all(&loud)?;
        }
        self.out.flush()?;
        let path = self.target.path().to_owned();
        drop(self.out);
        self.target.commit(false)?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past the size limit (lowered here from 4 GiB) the file becomes RF64:
    /// `RF64`, `ds64` in the reserved chunk with the 64-bit sizes, and the
    /// 32-bit sizes at their "see ds64" value.
    #[test]
    fn past_the_limit_the_file_is_rf64() {
        let dir = tempfile::tempdir().unwrap();
        for (limit, rf64) in [(RIFF_MAX, false), (1000, true)] {
            let path = dir.path().join(format!("{limit}.wav"));
            let o = Origination::default();
            let mut s = BwfSink::create_with_limit(
                &path,
                48_000,
                BitDepth::Int24,
                false,
                1,
                &o,
                &Tags::default(),
                Vec::new(),
                limit,
            )
            .unwrap();
            let x = vec![0.25f32; 1000];
            s.write(&x, &x, None).unwrap();
            s.finish(None).unwrap();
            let b = std::fs::read(&path).unwrap();
            let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
            let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap());
            let data = b.windows(4).position(|w| w == b"data").unwrap();
            if rf64 {
                assert_eq!(&b[0..4], b"RF64");
                assert_eq!(u32_at(4), u32::MAX);
                assert_eq!(&b[12..16], b"ds64");
                assert_eq!(u64_at(20), b.len() as u64 - 8);
                assert_eq!(u64_at(28), 6000);
                assert_eq!(u64_at(36), 1000);
                assert_eq!(u32_at(data + 4), u32::MAX);
            } else {
                assert_eq!(&b[0..4], b"RIFF");
                assert_eq!(&b[12..16], b"JUNK");
                assert_eq!(u32_at(4) as usize, b.len() - 8);
                assert_eq!(u32_at(data + 4), 6000);
                let r = hound::WavReader::open(&path).unwrap();
                assert_eq!(r.duration(), 1000, "hound reads past JUNK, bext and LIST");
            }
        }
    }
}
