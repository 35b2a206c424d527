//! Clip players: read a clip's media into a track buffer with sample-accurate
//! boundaries, clip gain and fades.

use std::sync::Arc;

use super::fade::fade_gain;
use crate::media::AudioSource;
use crate::session::{Clip, FadeShape};

/// A clip ready to play: timeline span, source, and gain envelope.
#[derive(Debug)]
pub(crate) struct ClipPlayer {
    /// `None` when the media is missing: the clip plays silence.
    pub source: Option<Arc<dyn AudioSource>>,
    pub start: u64,
    pub end: u64,
    pub source_offset: u64,
    pub gain: f32,
    pub fade_in: (u64, FadeShape),
    pub fade_out: (u64, FadeShape),
}

impl ClipPlayer {
    pub fn new(clip: &Clip, source: Option<Arc<dyn AudioSource>>) -> ClipPlayer {
        ClipPlayer {
            source,
            start: clip.start.0,
            end: clip.end().0,
            source_offset: clip.source_offset.0,
            gain: clip.gain_db.to_gain().0 as f32,
            fade_in: (clip.fade_in.length.0, clip.fade_in.shape),
            fade_out: (clip.fade_out.length.0, clip.fade_out.shape),
        }
    }

    /// The gain envelope at timeline sample `t` (inside the clip).
    fn envelope(&self, t: u64) -> f32 {
        let mut g = f64::from(self.gain);
        let (fi, fi_shape) = self.fade_in;
        if t - self.start < fi {
            g *= fade_gain(fi_shape, (t - self.start) as f64 / fi as f64);
        }
        let (fo, fo_shape) = self.fade_out;
        if self.end - t <= fo {
            g *= fade_gain(fo_shape, (self.end - t) as f64 / fo as f64);
        }
        g as f32
    }

    /// Adds this clip's audio for the block `[pos, pos + n)` into `buf` (one slice per
    /// track channel), using `scratch` (at least `n` long). Realtime-safe.
    pub fn mix_into(&self, pos: u64, buf: &mut [&mut [f32]], scratch: &mut [f32]) {
        let n = buf[0].len() as u64;
        let a = pos.max(self.start);
        let b = (pos + n).min(self.end);
        let Some(source) = &self.source else { return };
        if a >= b {
            return;
        }
        let (lo, hi) = ((a - pos) as usize, (b - pos) as usize);
        let len = hi - lo;
        let src_at = self.source_offset + (a - self.start);
        let fade_in_end = self.start + self.fade_in.0;
        let fade_out_start = self.end - self.fade_out.0;
        let flat = a >= fade_in_end && b <= fade_out_start;
        let src_channels = source.channel_count();
        for (ch, out) in buf.iter_mut().enumerate() {
            let tmp = &mut scratch[..len];
            source.read(ch.min(src_channels - 1), src_at, tmp);
            let out = &mut out[lo..hi];
            if flat {
                let g = self.gain;
                for (o, s) in out.iter_mut().zip(tmp.iter()) {
                    *o += g * s;
                }
            } else {
                for (i, (o, s)) in out.iter_mut().zip(tmp.iter()).enumerate() {
                    *o += self.envelope(a + i as u64) * s;
                }
            }
        }
    }
}
