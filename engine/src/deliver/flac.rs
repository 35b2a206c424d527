//! FLAC output through `flacenc` (pure Rust), 16 or 24 bit, with TPDF dither
//! at 16 bit. The quantised samples are kept (as the encoder takes its input
//! whole), then encoded in parallel, then written atomically.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use flacenc::bitsink::ByteSink;
use flacenc::component::{BitRepr, MetadataBlockData};
use flacenc::error::{SourceError, Verify};
use flacenc::source::{Fill, Source};

use crate::atomic::AtomicFile;
use crate::bounce::Quantizer;

/// A stereo FLAC file being written.
pub(crate) struct FlacSink {
    target: AtomicFile,
    file: File,
    rate: u32,
    bits: u32,
    quantizers: [Quantizer; 2],
    /// Interleaved quantised samples.
    samples: Vec<i32>,
    codes: [Vec<i32>; 2],
    /// Extra metadata blocks (type, body), e.g. the Vorbis comment.
    blocks: Vec<(u8, Vec<u8>)>,
    /// Tracks for a CUESHEET block (start frame, ISRC), when the file is an album.
    tracks: Vec<(u64, Option<String>)>,
}

impl std::fmt::Debug for FlacSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlacSink").field("target", &self.target).finish_non_exhaustive()
    }
}

impl FlacSink {
    /// Starts `path`; `blocks` are extra metadata blocks (FLAC block type,
    /// body), e.g. a Vorbis comment (type 4).
    pub fn create(
        path: &Path,
        rate: u32,
        bits: u32,
        dither: bool,
        seed: u64,
        blocks: Vec<(u8, Vec<u8>)>,
        tracks: Vec<(u64, Option<String>)>,
    ) -> std::io::Result<FlacSink> {
        let (target, file) = AtomicFile::create(path)?;
        Ok(FlacSink {
            target,
            file,
            rate,
            bits,
            quantizers: [Quantizer::new(bits, dither, seed * 2), Quantizer::new(bits, dither, seed * 2 + 1)],
            samples: Vec::new(),
            codes: [Vec::new(), Vec::new()],
            blocks,
            tracks,
        })
    }

    /// Quantises a block; with `read_back`, appends the samples as a decoder reads them.
    pub fn write(&mut self, l: &[f32], r: &[f32], read_back: Option<&mut [Vec<f32>; 2]>) {
        let n = l.len().min(r.len());
        for (ch, x) in [&l[..n], &r[..n]].into_iter().enumerate() {
            self.codes[ch].resize(n, 0);
            self.quantizers[ch].quantize_block(x, &mut self.codes[ch]);
        }
        self.samples.reserve(2 * n);
        for (a, b) in self.codes[0].iter().zip(&self.codes[1]) {
            self.samples.push(*a);
            self.samples.push(*b);
        }
        if let Some(back) = read_back {
            let full = (1u64 << (self.bits - 1)) as f32;
            for (codes, out) in self.codes.iter().zip(back.iter_mut()) {
                out.extend(codes.iter().map(|c| *c as f32 / full));
            }
        }
    }

    /// Encodes, writes and puts the file in place.
    pub fn finish(self) -> std::io::Result<PathBuf> {
        let FlacSink { target, mut file, rate, bits, samples, mut blocks, tracks, .. } = self;
        if !tracks.is_empty() {
            blocks.push((5, cuesheet(&tracks, samples.len() as u64 / 2)));
        }
        let err = |what: String| std::io::Error::other(format!("the FLAC encoder failed: {what}"));
        let config =
            flacenc::config::Encoder::default().into_verified().map_err(|(_, e)| err(format!("{e:?}")))?;
        let source = Interleaved { samples, at: 0, bits: bits as usize, rate: rate as usize };
        let mut stream = flacenc::encode_with_fixed_block_size(&config, source, config.block_size)
            .map_err(|e| err(format!("{e:?}")))?;
        // A fixed-blocksize stream: the minimum block size excludes the last
        // (short) block, as the reference encoder writes it; symphonia
        // otherwise takes the stream for variable-blocksize and cannot read
        // a short one.
        let block = config.block_size;
        stream.stream_info_mut().set_block_sizes(block, block).map_err(|e| err(format!("{e:?}")))?;
        for (kind, body) in blocks {
            let block = MetadataBlockData::new_unknown(kind, &body).map_err(|e| err(format!("{e:?}")))?;
            stream.add_metadata_block(block);
        }
        let mut sink = ByteSink::new();
        stream.write(&mut sink).map_err(|e| err(format!("{e:?}")))?;
        file.write_all(sink.as_slice())?;
        file.flush()?;
        drop(file);
        let path = target.path().to_owned();
        target.commit(false)?;
        Ok(path)
    }
}

/// The body of a FLAC `CUESHEET` block (not a CD: any sample offsets) for
/// `tracks` (start frame, ISRC) in a stream of `total` frames: each track
/// with index 01 at its start, then the lead-out (track 255) at the end.
pub fn cuesheet(tracks: &[(u64, Option<String>)], total: u64) -> Vec<u8> {
    let mut b = vec![0u8; 128]; // media catalog number: none
    b.extend_from_slice(&0u64.to_be_bytes()); // lead-in samples: not a CD
    b.extend_from_slice(&[0u8; 259]); // not a CD, reserved
    b.push(tracks.len() as u8 + 1);
    let track = |b: &mut Vec<u8>, offset: u64, number: u8, isrc: Option<&str>, index: bool| {
        b.extend_from_slice(&offset.to_be_bytes());
        b.push(number);
        let mut code = [0u8; 12];
        if let Some(i) = isrc.map(|i| i.replace('-', "").to_ascii_uppercase()).filter(|i| i.len() == 12) {
            code.copy_from_slice(i.as_bytes());
        }
        b.extend_from_slice(&code);
        b.extend_from_slice(&[0u8; 14]); // audio, no pre-emphasis, reserved
        b.push(u8::from(index));
        if index {
            b.extend_from_slice(&0u64.to_be_bytes()); // index 01 at the track's start
            b.extend_from_slice(&[1, 0, 0, 0]);
        }
    };
    for (i, (offset, isrc)) in tracks.iter().enumerate() {
        track(&mut b, *offset, i as u8 + 1, isrc.as_deref(), true);
    }
    track(&mut b, total, 255, None, false);
    b
}

/// The kept samples as the encoder's input.
struct Interleaved {
    samples: Vec<i32>,
    at: usize,
    bits: usize,
    rate: usize,
}

impl Source for Interleaved {
    fn channels(&self) -> usize {
        2
    }

    fn bits_per_sample(&self) -> usize {
        self.bits
    }

    fn sample_rate(&self) -> usize {
        self.rate
    }

    fn read_samples<F: Fill>(&mut self, block_size: usize, dest: &mut F) -> Result<usize, SourceError> {
        let end = (self.at + 2 * block_size).min(self.samples.len());
        dest.fill_interleaved(&self.samples[self.at..end])?;
        let frames = (end - self.at) / 2;
        self.at = end;
        Ok(frames)
    }

    fn len_hint(&self) -> Option<usize> {
        Some(self.samples.len() / 2)
    }
}
