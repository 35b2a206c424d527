//! Moving a session to another sample rate (when the audio device cannot run at
//! the session's): every position and length is rescaled so it plays at the
//! same time in seconds.

use super::{SampleTime, Session};

impl Session {
    /// A copy of this session with every sample position and length rescaled from
    /// its rate to `rate` (rounded to the nearest sample). Media must then be
    /// loaded at `rate`.
    pub fn resampled_to(&self, rate: u32) -> Session {
        let mut s = self.clone();
        if rate == self.sample_rate {
            return s;
        }
        let from = self.sample_rate;
        let scale = |t: &mut SampleTime| {
            *t = SampleTime((t.0 as f64 * f64::from(rate) / f64::from(from)).round() as u64);
        };
        for t in &mut s.tracks {
            for c in &mut t.clips {
                scale(&mut c.start);
                scale(&mut c.source_offset);
                scale(&mut c.length);
                scale(&mut c.fade_in.length);
                scale(&mut c.fade_out.length);
            }
        }
        for m in &mut s.markers {
            scale(&mut m.position);
        }
        if let Some(l) = &mut s.loop_range {
            scale(&mut l.start);
            scale(&mut l.end);
        }
        s.sample_rate = rate;
        s
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::session::{LoopRange, Track};

    #[test]
    fn positions_keep_their_time_in_seconds() {
        let mut s = Session::new(44_100);
        let mut t = Track::with_one_clip(1, "a", PathBuf::from("a.wav"), SampleTime(44_100));
        t.clips[0].start = SampleTime(22_050);
        s.tracks.push(t);
        s.loop_range = Some(LoopRange { start: SampleTime(441), end: SampleTime(88_200), enabled: true });
        let r = s.resampled_to(48_000);
        assert_eq!(r.sample_rate, 48_000);
        assert_eq!(r.tracks[0].clips[0].start, SampleTime(24_000));
        assert_eq!(r.tracks[0].clips[0].length, SampleTime(48_000));
        assert_eq!(r.loop_range.unwrap().start, SampleTime(480));
        assert_eq!(r.loop_range.unwrap().end, SampleTime(96_000));
    }
}
