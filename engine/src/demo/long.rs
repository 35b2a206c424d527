//! A long, many-track session made of the demo's instruments, for the
//! benchmarks and the tests that must run at the sizes users have (an album
//! session is 40-120 tracks of 4-8 minutes) without committing audio.
//!
//! Track `i` plays demo part `i % 8` (drums, bass, chords, ...) from its own
//! starting point, looped to the length asked, stereo, with its own gain
//! drift so that no two tracks are the same signal; 24-bit WAV at any rate
//! (the parts are rendered at 48 kHz and interpolated). Each file is written
//! a second at a time, so making the session needs little memory however
//! long it is.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{MEDIA_DIR, PARTS, song};
use crate::session::{Session, Track};
use crate::units::SampleTime;

/// What to make.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LongSession {
    /// Stereo tracks.
    pub tracks: usize,
    /// Seconds per track.
    pub seconds: f64,
    /// Sample rate of the files and the session.
    pub rate: u32,
}

impl LongSession {
    /// Frames per track.
    pub fn frames(&self) -> u64 {
        (self.seconds * f64::from(self.rate)).round() as u64
    }

    /// Bytes of WAV data the session's media holds.
    pub fn media_bytes(&self) -> u64 {
        self.frames() * 6 * self.tracks as u64
    }

    /// The session document, one track per file, media in `media/`.
    pub fn session(&self) -> Session {
        let mut s = Session::new(self.rate);
        for i in 0..self.tracks {
            let part = &PARTS[i % PARTS.len()];
            let mut t = Track::with_one_clip(
                1 + 2 * i as u32,
                format!("{} {}", part.name, i / PARTS.len() + 1),
                Path::new(MEDIA_DIR).join(file_name(i)),
                SampleTime(self.frames()),
            );
            t.colour = part.colour;
            t.strip.fader_db = crate::session::Decibels(part.fader_db - 6.0);
            t.strip.pan = crate::session::Pan(((i % 7) as f64 - 3.0) / 6.0);
            s.tracks.push(t);
        }
        s
    }

    /// Writes the media and `name` into `dir`; returns the session file.
    /// Files already there with the right size are kept (making a large
    /// session takes a while; the benchmarks reuse it).
    pub fn write(&self, dir: &Path, name: &str) -> io::Result<PathBuf> {
        let media = dir.join(MEDIA_DIR);
        std::fs::create_dir_all(&media)?;
        let parts: Vec<Vec<Vec<f32>>> = PARTS.par_iter().map(|p| (p.render)()).collect();
        let want = 44 + self.frames() * 6;
        (0..self.tracks).into_par_iter().try_for_each(|i| {
            let path = media.join(file_name(i));
            if std::fs::metadata(&path).is_ok_and(|m| m.len() == want) {
                return Ok(());
            }
            self.write_track(&path, i, &parts[i % parts.len()])
        })?;
        let path = dir.join(name);
        crate::session::save(&self.session(), &path).map_err(|e| io::Error::other(e.to_string()))?;
        Ok(path)
    }

    fn write_track(&self, path: &Path, i: usize, part: &[Vec<f32>]) -> io::Result<()> {
        let frames = self.frames();
        let src_len = part[0].len() as f64;
        let step = f64::from(song::RATE) / f64::from(self.rate);
        // From a third of the way into the song (past the intro), a different place per track.
        let start = ((part[0].len() / 3 + i * 7919) % part[0].len()) as f64;
        let channel = |c: usize| &part[c.min(part.len() - 1)];
        let tmp = path.with_extension("wav.part");
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        out.write_all(&wav_header(self.rate, frames))?;
        let mut bytes = Vec::with_capacity(6 * self.rate as usize);
        let mut done = 0u64;
        while done < frames {
            let n = (frames - done).min(u64::from(self.rate));
            bytes.clear();
            let mut drift = 1.0;
            for k in done..done + n {
                let pos = (start + k as f64 * step) % src_len;
                let (j, frac) = (pos as usize, (pos.fract()) as f32);
                let next = (j + 1) % part[0].len();
                if k % 512 == 0 {
                    // A slow gain drift of +-3 dB, different per track.
                    drift = 10f32.powf(0.15 * (k as f32 / self.rate as f32 * 0.05 + i as f32).sin());
                }
                for c in 0..2 {
                    let x = channel(c);
                    let v = (x[j] + (x[next] - x[j]) * frac) * drift * 0.7;
                    let q = (f64::from(v) * 8_388_608.0).round().clamp(-8_388_608.0, 8_388_607.0) as i32;
                    bytes.extend_from_slice(&q.to_le_bytes()[..3]);
                }
            }
            out.write_all(&bytes)?;
            done += n;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    }
}

fn file_name(i: usize) -> String {
    format!("track-{:03}.wav", i + 1)
}

/// A canonical 44-byte header for 24-bit stereo PCM.
fn wav_header(rate: u32, frames: u64) -> Vec<u8> {
    let data = (frames * 6) as u32;
    let mut h = Vec::with_capacity(44);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&(36 + data).to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&2u16.to_le_bytes());
    h.extend_from_slice(&rate.to_le_bytes());
    h.extend_from_slice(&(rate * 6).to_le_bytes());
    h.extend_from_slice(&6u16.to_le_bytes());
    h.extend_from_slice(&24u16.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&data.to_le_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_long_session_decodes_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let spec = LongSession { tracks: 3, seconds: 1.5, rate: 44_100 };
        let path = spec.write(dir.path(), "long.mixdesk").unwrap();
        let s = crate::session::load(&path).unwrap();
        assert_eq!(s.tracks.len(), 3);
        for t in &s.tracks {
            let d = crate::media::decode_file(&dir.path().join(&t.clips[0].media)).unwrap();
            assert_eq!(d.format.sample_rate, 44_100);
            assert_eq!(d.channels.len(), 2);
            assert_eq!(d.channels[0].len() as u64, spec.frames());
            assert!(d.channels[0].iter().any(|x| x.abs() > 0.01), "{} is audible", t.name);
        }
    }
}
