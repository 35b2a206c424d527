//! The codec preview: the mix as a listener hears it from an MP3 at a
//! chosen bit rate. Encoding per callback is not cheap enough for the audio
//! thread, so the preview is rendered offline (the whole mix, through the
//! same LAME encoder the delivery uses) to a file beside the session, which
//! the monitor then plays as a reference slot: loudness-matched, aligned to
//! the playhead and switched with the same crossfade as any reference.

use std::path::{Path, PathBuf};

use crate::bounce::{BounceError, prepare};
use crate::deliver::{Mp3Mode, Mp3Sink};
use crate::graph::Serial;
use crate::media::MediaPool;
use crate::session::Session;

/// The bit rates the window offers, kbit/s.
pub const PREVIEW_KBPS: [u16; 4] = [96, 128, 192, 320];

/// Why a preview could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The mix could not be rendered.
    #[error("the codec preview cannot render the mix: {0}")]
    Render(#[from] BounceError),
    /// The preview file could not be written.
    #[error("cannot write the codec preview {}: {source}. Check free disk space and that the folder is writable.", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The session has no audio.
    #[error("the session has no clips: nothing to preview")]
    Empty,
}

/// Where the preview at `kbps` of the session named `name` in `dir` goes.
pub fn preview_path(dir: &Path, name: &str, kbps: u16) -> PathBuf {
    dir.join("previews").join(format!("{name} {kbps}k.mp3"))
}

/// Renders `session` (media relative to `dir`) from the start to the end of
/// its last clip and encodes it as a CBR MP3 at `kbps` to `out`.
pub fn codec_preview(session: &Session, dir: &Path, kbps: u16, out: &Path) -> Result<PathBuf, CodecError> {
    let end = session.content_end().0;
    if end == 0 {
        return Err(CodecError::Empty);
    }
    let mut graph = prepare(session, dir, &MediaPool::new(), 4096)?;
    let write = |source| CodecError::Write { path: out.to_owned(), source };
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).map_err(write)?;
    }
    let mut sink = Mp3Sink::create(out, session.sample_rate, Mp3Mode::Cbr(kbps), &[]).map_err(write)?;
    let (mut l, mut r) = (vec![0.0; 4096], vec![0.0; 4096]);
    graph.prime(0);
    let mut pos = 0;
    while pos < end {
        let n = (end - pos).min(4096) as usize;
        graph.process(pos, &mut l[..n], &mut r[..n], &Serial);
        sink.write(&l[..n], &r[..n]).map_err(write)?;
        pos += n as u64;
    }
    sink.finish().map_err(write)
}
