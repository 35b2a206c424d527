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

    /// Mixes this clip's audio for the block `[pos, pos + n)` into `buf` (one slice
    /// per track channel): added to what is there, or written over it when
    /// `overwrite` is set (the caller then zeroes only what the clip does not
    /// cover). A mono track folds a stereo (or wider) clip to `(L + R) / 2`.
    /// `scratch` must be at least `2n` long. Realtime-safe.
    pub fn mix_into(&self, pos: u64, buf: &mut [&mut [f32]], scratch: &mut [f32], overwrite: bool) {
        let n = buf[0].len() as u64;
        let a = pos.max(self.start);
        let b = (pos + n).min(self.end);
        if a >= b {
            return;
        }
        let (lo, hi) = ((a - pos) as usize, (b - pos) as usize);
        let len = hi - lo;
        let Some(source) = &self.source else {
            if overwrite {
                for out in buf.iter_mut() {
                    out[lo..hi].fill(0.0);
                }
            }
            return;
        };
        let src_at = self.source_offset + (a - self.start);
        let flat = a >= self.start + self.fade_in.0 && b <= self.end - self.fade_out.0;
        if let [l, r] = buf
            && flat
            && overwrite
            && source.slice(0, src_at, len).is_none()
        {
            // Both channels in one read (a stereo file converts them in one
            // pass); the same samples and gain as channel by channel below.
            let (l, r) = (&mut l[lo..hi], &mut r[lo..hi]);
            source.read_stereo(src_at, l, r);
            let g = self.gain;
            if g != 1.0 {
                for x in l.iter_mut().chain(r.iter_mut()) {
                    *x *= g;
                }
            }
            return;
        }
        let src_channels = source.channel_count();
        let fold = buf.len() == 1 && src_channels > 1;
        let (scratch, second) = scratch.split_at_mut(scratch.len() / 2);
        for (ch, out) in buf.iter_mut().enumerate() {
            let src_ch = ch.min(src_channels - 1);
            let src: &[f32] = match source.slice(src_ch, src_at, len) {
                Some(s) if !fold => s,
                Some(s) => {
                    scratch[..len].copy_from_slice(s);
                    &scratch[..len]
                }
                None => {
                    source.read(src_ch, src_at, &mut scratch[..len]);
                    &scratch[..len]
                }
            };
            let src: &[f32] = if fold {
                let right: &[f32] = match source.slice(1, src_at, len) {
                    Some(s) => s,
                    None => {
                        source.read(1, src_at, &mut second[..len]);
                        &second[..len]
                    }
                };
                let folded = &mut scratch[..len];
                for (l, r) in folded.iter_mut().zip(right) {
                    *l = 0.5 * (*l + r);
                }
                folded
            } else {
                src
            };
            let out = &mut out[lo..hi];
            match (flat, overwrite) {
                (true, true) => {
                    let g = self.gain;
                    for (o, s) in out.iter_mut().zip(src) {
                        *o = g * s;
                    }
                }
                (true, false) => {
                    let g = self.gain;
                    for (o, s) in out.iter_mut().zip(src) {
                        *o += g * s;
                    }
                }
                (false, over) => {
                    for (i, (o, s)) in out.iter_mut().zip(src).enumerate() {
                        let v = self.envelope(a + i as u64) * s;
                        *o = if over { v } else { *o + v };
                    }
                }
            }
        }
    }
}
