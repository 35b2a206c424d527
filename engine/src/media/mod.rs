//! Media: decoding audio files, resampling them to the session rate, and the
//! shared in-memory pool clip players read from.
//!
//! Clip players read through [`AudioSource`]: the live engine reads decoded
//! media from the pool; the offline bounce also streams uncompressed WAV
//! files from disk ([`StreamedWav`]).

pub(crate) mod decode;
mod fingerprint;
pub mod peaks;
mod pool;
mod resample;
pub(crate) mod stream;

use std::path::PathBuf;

use thiserror::Error;

pub use decode::{DecodedAudio, SOURCE_RATES, decode_file, probe_format};
pub use fingerprint::{Xxh64, fingerprint};
pub use pool::MediaPool;
pub use resample::resample;
pub use stream::StreamedWav;

/// Decoded audio at the session rate, one or two channels, held in memory.
#[derive(Debug)]
pub struct Media {
    /// One buffer per channel (1 or 2), all the same length.
    pub channels: Vec<Box<[f32]>>,
    /// The rate the samples are at (the session rate).
    pub sample_rate: u32,
    /// What the file was before import: rate, channel count, bit depth.
    pub original: SourceFormat,
}

/// The format of a media file as found on disk.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFormat {
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channel count before any fold-down.
    pub channels: usize,
    /// Bits per sample, where the format has them.
    pub bits_per_sample: Option<u32>,
    /// Codec name, e.g. "pcm_s24le" or "flac".
    pub codec: String,
}

impl Media {
    /// Frames per channel.
    pub fn frames(&self) -> u64 {
        self.channels.first().map_or(0, |c| c.len() as u64)
    }

    /// Bytes of sample memory held.
    pub fn sample_bytes(&self) -> usize {
        self.channels.iter().map(|c| c.len() * std::mem::size_of::<f32>()).sum()
    }
}

/// Where clip players get their samples. Sources given to the live engine must
/// be realtime-safe: `read` must not allocate, lock, block or do I/O. The
/// offline bounce also uses [`StreamedWav`], which reads its file.
pub trait AudioSource: Send + Sync + std::fmt::Debug {
    /// 1 (mono) or 2 (stereo).
    fn channel_count(&self) -> usize;
    /// Frames per channel.
    fn frames(&self) -> u64;
    /// Fills `out` with `channel` from frame `offset` on; frames past the end are zero.
    /// Realtime-safe in sources for the live engine (see the trait).
    fn read(&self, channel: usize, offset: u64, out: &mut [f32]);
    /// Fills `left` and `right` (the same length) with channels 0 and 1 from
    /// frame `offset` on, as [`AudioSource::read`] of each would (a mono
    /// source fills both with its one channel); frames past the end are
    /// zero. A stereo file read from disk converts both channels in one pass
    /// over its bytes. Realtime-safe in sources for the live engine.
    fn read_stereo(&self, offset: u64, left: &mut [f32], right: &mut [f32]) {
        self.read(0, offset, left);
        self.read(1, offset, right);
    }
    /// The samples `[offset, offset + len)` of `channel` in place, when the source
    /// holds them in memory and all of them exist; `None` otherwise (then use
    /// [`AudioSource::read`]). Lets players skip a copy. Realtime-safe.
    fn slice(&self, _channel: usize, _offset: u64, _len: usize) -> Option<&[f32]> {
        None
    }
    /// Whether frames `[offset, offset + len)` can be read now without
    /// playing silence for want of data (a streamed file whose chunks are not
    /// loaded yet says no; in-memory sources always can). Realtime-safe.
    fn ready(&self, _offset: u64, _len: u64) -> bool {
        true
    }
}

impl AudioSource for Media {
    fn channel_count(&self) -> usize {
        self.channels.len()
    }

    fn frames(&self) -> u64 {
        Media::frames(self)
    }

    fn read(&self, channel: usize, offset: u64, out: &mut [f32]) {
        let data = &self.channels[channel.min(self.channels.len() - 1)];
        let start = (offset.min(data.len() as u64)) as usize;
        let n = out.len().min(data.len() - start);
        out[..n].copy_from_slice(&data[start..start + n]);
        out[n..].fill(0.0);
    }

    fn slice(&self, channel: usize, offset: u64, len: usize) -> Option<&[f32]> {
        let data = &self.channels[channel.min(self.channels.len() - 1)];
        let start = usize::try_from(offset).ok()?;
        data.get(start..start.checked_add(len)?)
    }
}

/// Why a media file could not be imported.
#[derive(Debug, Error, Clone)]
pub enum MediaError {
    /// The file is not there.
    #[error("{path}: file not found. Move the file back, or relink the clip to where it is now.", path = .path.display())]
    Missing {
        /// The media file.
        path: PathBuf,
    },
    /// The path is a directory, a FIFO, a device or a socket: nothing to decode
    /// (and a FIFO would block the read).
    #[error("{path} is {kind}, not an audio file. Give the path of the audio file itself.", path = .path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is, in words ("a directory", "a FIFO (named pipe)").
        kind: &'static str,
    },
    /// The file could not be opened or read.
    #[error("{path}: cannot read: {message}. Check the file's permissions.", path = .path.display())]
    Unreadable {
        /// The media file.
        path: PathBuf,
        /// The I/O error.
        message: String,
    },
    /// Not a format Mixdesk decodes.
    #[error(
        "{path}: {message}. Mixdesk imports WAV/BWF, AIFF, FLAC, MP3 and Ogg Vorbis; convert the \
         file to one of those.", path = .path.display()
    )]
    Unsupported {
        /// The media file.
        path: PathBuf,
        /// What was found.
        message: String,
    },
    /// The file is damaged or cut short.
    #[error("{path}: the file is damaged: {message}. Re-export or re-copy it from its source.", path = .path.display())]
    Corrupt {
        /// The media file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl MediaError {
    /// The error for a media file that could not be opened for reading.
    pub fn opening(path: &std::path::Path, e: crate::files::OpenError) -> MediaError {
        use crate::files::OpenError;
        let path = path.to_owned();
        match e {
            OpenError::NotRegular(kind) => MediaError::NotAFile { path, kind },
            OpenError::Io(e) if e.kind() == std::io::ErrorKind::NotFound => MediaError::Missing { path },
            OpenError::Io(e) => MediaError::Unreadable { path, message: e.to_string() },
        }
    }

    /// The file this error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            MediaError::Missing { path }
            | MediaError::NotAFile { path, .. }
            | MediaError::Unreadable { path, .. }
            | MediaError::Unsupported { path, .. }
            | MediaError::Corrupt { path, .. } => path,
        }
    }
}
