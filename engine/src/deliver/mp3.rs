//! MP3 output through LAME (`mp3lame-encoder`): CBR or VBR, joint stereo,
//! LAME's best quality search; the Xing/LAME header (exact length, encoder
//! delay and padding, for gapless decoders) is filled in at the end. Tags go
//! in an ID3v2 tag before the first frame.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use mp3lame_encoder::{Bitrate, Builder, DualPcm, Encoder, FlushGap, Mode, Quality, VbrMode};

use super::format::Mp3Mode;
use crate::atomic::AtomicFile;

/// A stereo MP3 file being written.
pub(crate) struct Mp3Sink {
    target: AtomicFile,
    out: BufWriter<File>,
    encoder: Encoder,
    /// Where the first frame (the LAME header) starts: after the ID3v2 tag.
    first_frame: u64,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for Mp3Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mp3Sink").field("target", &self.target).finish_non_exhaustive()
    }
}

fn lame_error(what: impl std::fmt::Debug) -> std::io::Error {
    std::io::Error::other(format!("the MP3 encoder (LAME) refused: {what:?}"))
}

impl Mp3Sink {
    /// Starts `path` at `rate` in `mode`, with `id3` (a whole ID3v2 tag, or
    /// nothing) before the audio.
    pub fn create(path: &Path, rate: u32, mode: Mp3Mode, id3: &[u8]) -> std::io::Result<Mp3Sink> {
        let mut b = Builder::new().ok_or_else(|| lame_error("no memory for the encoder"))?;
        b.set_num_channels(2).map_err(lame_error)?;
        b.set_sample_rate(rate).map_err(lame_error)?;
        b.set_output_sample_rate(std::num::NonZeroU32::new(rate)).map_err(lame_error)?;
        b.set_mode(Mode::JointStereo).map_err(lame_error)?;
        b.set_quality(Quality::SecondBest).map_err(lame_error)?;
        b.set_to_write_vbr_tag(true).map_err(lame_error)?;
        match mode {
            Mp3Mode::Cbr(k) => {
                b.set_vbr_mode(VbrMode::Off).map_err(lame_error)?;
                b.set_brate(bitrate(k)?).map_err(lame_error)?;
            }
            Mp3Mode::Vbr(q) => {
                b.set_vbr_mode(VbrMode::Mtrh).map_err(lame_error)?;
                b.set_vbr_quality(quality(q)).map_err(lame_error)?;
            }
        }
        let encoder = b.build().map_err(lame_error)?;
        let (target, file) = AtomicFile::create(path)?;
        let mut out = BufWriter::with_capacity(1 << 16, file);
        out.write_all(id3)?;
        Ok(Mp3Sink { target, out, encoder, first_frame: id3.len() as u64, bytes: Vec::new() })
    }

    pub fn write(&mut self, l: &[f32], r: &[f32]) -> std::io::Result<()> {
        let n = l.len().min(r.len());
        self.bytes.clear();
        // LAME's documented worst case: 1.25 n + 7200 bytes.
        self.bytes.reserve(n * 5 / 4 + 7200);
        self.encoder
            .encode_to_vec(DualPcm { left: &l[..n], right: &r[..n] }, &mut self.bytes)
            .map_err(lame_error)?;
        self.out.write_all(&self.bytes)
    }

    /// Flushes the encoder, fills in the LAME header and puts the file in place.
    pub fn finish(mut self) -> std::io::Result<PathBuf> {
        self.bytes.clear();
        self.bytes.reserve(7200);
        self.encoder.flush_to_vec::<FlushGap>(&mut self.bytes).map_err(lame_error)?;
        self.out.write_all(&self.bytes)?;
        let mut tag = Vec::with_capacity(self.encoder.lame_tag_size().max(1));
        if self.encoder.lame_tag_encode_to_vec(&mut tag).is_some() {
            self.out.seek(SeekFrom::Start(self.first_frame))?;
            self.out.write_all(&tag)?;
        }
        self.out.flush()?;
        let path = self.target.path().to_owned();
        drop(self.out);
        self.target.commit(false)?;
        Ok(path)
    }
}

fn bitrate(k: u16) -> std::io::Result<Bitrate> {
    Ok(match k {
        32 => Bitrate::Kbps32,
        40 => Bitrate::Kbps40,
        48 => Bitrate::Kbps48,
        64 => Bitrate::Kbps64,
        80 => Bitrate::Kbps80,
        96 => Bitrate::Kbps96,
        112 => Bitrate::Kbps112,
        128 => Bitrate::Kbps128,
        160 => Bitrate::Kbps160,
        192 => Bitrate::Kbps192,
        224 => Bitrate::Kbps224,
        256 => Bitrate::Kbps256,
        320 => Bitrate::Kbps320,
        _ => return Err(lame_error(format!("{k} kbit/s is not an MP3 bit rate"))),
    })
}

fn quality(q: u8) -> Quality {
    match q {
        0 => Quality::Best,
        1 => Quality::SecondBest,
        2 => Quality::NearBest,
        3 => Quality::VeryNice,
        4 => Quality::Nice,
        5 => Quality::Good,
        6 => Quality::Decent,
        7 => Quality::Ok,
        8 => Quality::SecondWorst,
        _ => Quality::Worst,
    }
}
