//! Reading chunks of a WAV file for the disk thread: its layout (found once,
//! when the file is opened for streaming) and a reader that turns frames into
//! two planar channels, converted exactly as the decoder converts them.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::media::MediaError;
use crate::media::stream::{Encoding, parse_header};

/// Where a streamable WAV keeps its samples.
#[derive(Debug, Clone)]
pub(crate) struct WavLayout {
    /// The file read (the media itself, or its converted copy in the cache).
    pub path: PathBuf,
    pub encoding: Encoding,
    pub channels: usize,
    pub rate: u32,
    pub data_start: u64,
    pub frames: u64,
    /// The file's size and modification time when opened: a change means the
    /// file was replaced or cut while playing.
    pub size: u64,
    pub modified: Option<std::time::SystemTime>,
}

impl WavLayout {
    /// The layout of `path` if it is a WAV the streamer reads directly (PCM
    /// 16/24/32-bit or float, one or two channels, whole); `None` otherwise.
    pub fn probe(path: &Path) -> Option<WavLayout> {
        // Never blocks on a FIFO, never opens a device (see `crate::files`).
        let mut file = crate::files::open_regular(path).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() {
            return None;
        }
        let header = parse_header(&mut file)?;
        if !(1..=2).contains(&header.channels) {
            return None;
        }
        let block = (header.channels * header.encoding.bytes()) as u64;
        let frames = header.data_len / block;
        if frames == 0 || header.data_start + frames * block > meta.len() {
            return None;
        }
        Some(WavLayout {
            path: path.to_owned(),
            encoding: header.encoding,
            channels: header.channels,
            rate: header.rate,
            data_start: header.data_start,
            frames,
            size: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// An open WAV and the buffers its reads need.
#[derive(Debug)]
pub(crate) struct Reader {
    file: File,
    bytes: Vec<u8>,
    interleaved: Vec<f32>,
}

impl Reader {
    /// Opens the layout's file.
    pub fn open(layout: &WavLayout) -> Result<Reader, MediaError> {
        let file =
            crate::files::open_regular(&layout.path).map_err(|e| MediaError::opening(&layout.path, e))?;
        Ok(Reader { file, bytes: Vec::new(), interleaved: Vec::new() })
    }

    /// Asks the kernel to start reading frames `[offset, offset + n)` now
    /// (see [`super::page_cache`]); [`Reader::read`] of them then waits less.
    pub fn will_need(&self, layout: &WavLayout, offset: u64, n: usize) {
        let block = (layout.channels * layout.encoding.bytes()) as u64;
        super::page_cache::will_need(&self.file, layout.data_start + offset * block, n as u64 * block);
    }

    /// Reads frames `[offset, offset + n)` into `out[0]` (and `out[1]` for a
    /// stereo file), each at least `n` long.
    pub fn read(
        &mut self,
        layout: &WavLayout,
        offset: u64,
        n: usize,
        out: &mut [Vec<f32>; 2],
    ) -> Result<(), String> {
        let block = layout.channels * layout.encoding.bytes();
        self.bytes.resize(n * block, 0);
        self.file.read_exact_at(&mut self.bytes, layout.data_start + offset * block as u64).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                "the file is shorter than when it was opened (cut or replaced while playing)".to_owned()
            } else {
                e.to_string()
            }
        })?;
        if layout.channels == 1 {
            layout.encoding.convert(&self.bytes, &mut out[0][..n]);
            return Ok(());
        }
        self.interleaved.resize(2 * n, 0.0);
        layout.encoding.convert(&self.bytes, &mut self.interleaved);
        let [l, r] = out;
        for ((pair, a), b) in self.interleaved.chunks_exact(2).zip(l.iter_mut()).zip(r.iter_mut()) {
            *a = pair[0];
            *b = pair[1];
        }
        Ok(())
    }
}
