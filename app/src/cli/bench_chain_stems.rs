//! The media and sessions of `mixdesk bench chain`: stereo 24-bit stems made
//! from the demo's instruments (`demo::LongSession`, written once into a
//! folder that later runs reuse), or a folder of the user's own stems; and
//! the session that mixes them with the chain (or part of it) on every track.

use std::path::{Path, PathBuf};

use mixdesk_engine::demo::LongSession;
use mixdesk_engine::media::{MediaPool, StreamedWav, probe_format};
use mixdesk_engine::session::{Bus, BusId, Decibels, Pan, Send, SendId, Session, StripRef, Track, TrackId};
use mixdesk_engine::units::SampleTime;
use rayon::prelude::*;

use super::bench_chain::add_track_inserts;

/// The stems to mix.
#[derive(Debug, Clone)]
pub struct Stems {
    /// A mix-only session of one track per stem (fader and pan set).
    pub session: Session,
    /// The folder media paths are relative to.
    pub dir: PathBuf,
    /// Whether every stem is a WAV file `mixdesk render` streams from disk.
    pub all_streamed: bool,
    /// Each stem's file.
    pub files: Vec<PathBuf>,
}

impl Stems {
    /// Track-seconds of audio in the session.
    pub fn track_seconds(&self) -> f64 {
        let rate = f64::from(self.session.sample_rate);
        self.session
            .tracks
            .iter()
            .map(|t| t.clips.iter().map(|c| c.length.0 as f64 / rate).sum::<f64>())
            .sum()
    }

    /// Length of the mix in seconds.
    pub fn seconds(&self) -> f64 {
        self.session.content_end().0 as f64 / f64::from(self.session.sample_rate)
    }
}

/// `tracks` stereo 24-bit stems of `seconds` at 48 kHz in `dir` (made if they
/// are not there yet).
pub fn generated(dir: &Path, tracks: usize, seconds: f64) -> Result<Stems, String> {
    let spec = LongSession { tracks, seconds, rate: 48_000 };
    let path = spec
        .write(dir, "stems.mixdesk")
        .map_err(|e| format!("cannot write the stems into {}: {e}", dir.display()))?;
    let session = mixdesk_engine::session::load(&path).map_err(|e| e.to_string())?;
    let files = session.tracks.iter().map(|t| dir.join(&t.clips[0].media)).collect();
    Ok(Stems { session, dir: dir.to_owned(), all_streamed: true, files })
}

/// Every audio file in `dir` (sorted by name) as one track, at the rate most
/// of them have, faders at -6 dB and pans spread across the stereo field.
pub fn from_folder(dir: &Path) -> Result<Stems, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read the folder {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| !n.to_string_lossy().starts_with('.')))
        .collect();
    files.sort();
    let formats: Vec<(PathBuf, u32)> =
        files.par_iter().filter_map(|p| probe_format(p).ok().map(|f| (p.clone(), f.sample_rate))).collect();
    if formats.is_empty() {
        return Err(format!(
            "{} holds no audio files Mixdesk can read (WAV, FLAC, AIFF, MP3, Ogg Vorbis)",
            dir.display()
        ));
    }
    let mut rates: Vec<u32> = formats.iter().map(|(_, r)| *r).collect();
    rates.sort_unstable();
    let rate =
        rates.iter().copied().max_by_key(|r| rates.iter().filter(|x| *x == r).count()).unwrap_or(48_000);
    // Lengths: from the WAV header where the bounce will stream the file,
    // otherwise by decoding it (as the bounce will).
    let pool = MediaPool::new();
    let lengths: Vec<(PathBuf, u64, bool)> = formats
        .par_iter()
        .filter_map(|(p, _)| match StreamedWav::open(p, rate) {
            Some(s) => Some((p.clone(), mixdesk_engine::media::AudioSource::frames(&s), true)),
            None => pool.load(p, rate).ok().map(|m| (p.clone(), m.frames(), false)),
        })
        .collect();
    let mut session = Session::new(rate);
    for (i, (path, frames, _)) in lengths.iter().enumerate() {
        let name =
            path.file_stem().map_or_else(|| format!("Stem {}", i + 1), |n| n.to_string_lossy().into_owned());
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        let mut t = Track::with_one_clip(1 + 2 * i as u32, name, abs, SampleTime(*frames));
        t.strip.fader_db = Decibels(-6.0);
        t.strip.pan = Pan(((i % 7) as f64 - 3.0) / 6.0);
        session.tracks.push(t);
    }
    let all_streamed = lengths.iter().all(|(_, _, s)| *s);
    Ok(Stems {
        session,
        dir: dir.to_owned(),
        all_streamed,
        files: lengths.into_iter().map(|(p, ..)| p).collect(),
    })
}

/// How much of the chain every track runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserts {
    /// Fader and pan only.
    None,
    /// The EQ (high-pass and three bands), then fader and pan.
    Eq,
    /// EQ, compressor, fader and pan.
    Full,
}

/// The stems' session with `inserts` on every track (and, with `sends`, two
/// post-fader sends per track to a reverb bus and a delay bus).
pub fn session(stems: &Stems, inserts: Inserts, sends: bool) -> Result<Session, String> {
    let mut s = stems.session.clone();
    if sends {
        for (id, name) in [(1, "Reverb"), (2, "Delay")] {
            s.buses.push(Bus::new(BusId(id), name));
        }
        let verb = s.add_processor(StripRef::Bus(BusId(1)), "reverb", 0).map_err(|e| e.to_string())?;
        s.processor_mut(verb).unwrap().params.insert("mix".into(), 100.0);
        let echo = s.add_processor(StripRef::Bus(BusId(2)), "delay", 0).map_err(|e| e.to_string())?;
        let p = &mut s.processor_mut(echo).unwrap().params;
        p.insert("mix".into(), 100.0);
        p.insert("sync".into(), 7.0); // 1/8 dotted
    }
    let ids: Vec<TrackId> = s.tracks.iter().map(|t| t.id).collect();
    // Send ids above every track and clip id.
    let mut next_send = 2 * ids.len() as u32 + 10;
    for id in ids {
        if sends {
            let t = s.tracks.iter_mut().find(|t| t.id == id).expect("the track just listed");
            for bus in [BusId(1), BusId(2)] {
                t.strip.sends.push(Send {
                    id: SendId(next_send),
                    target: bus,
                    level_db: Decibels(-15.0),
                    pan: Pan(0.0),
                    pre_fader: false,
                });
                next_send += 1;
            }
        }
        match inserts {
            Inserts::None => {}
            Inserts::Eq => {
                add_track_inserts(&mut s, StripRef::Track(id))?;
                let comp = s.track(id).and_then(|t| t.strip.processors.last()).map(|p| p.id);
                if let Some(comp) = comp {
                    s.remove_processor(comp).map_err(|e| e.to_string())?;
                }
            }
            Inserts::Full => add_track_inserts(&mut s, StripRef::Track(id))?,
        }
    }
    mixdesk_engine::session::validate(&s).map_err(|e| e.to_string())?;
    Ok(s)
}
