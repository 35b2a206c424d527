//! The album: songs (sessions or bounced files) in order, with the gap or
//! the crossfade into each and a gain per song, rendered as one file (with
//! a cue point per track in WAV and a `.cue` sheet) and as one file per
//! song, all at one album gain so their loudness stays as sequenced; plus
//! a preview of each transition and the album's loudness table.
//!
//! Placement (closed form): song 0 starts at 0; song i starts at
//! `end(i-1) + gap(i)`, or at `end(i-1) - crossfade(i)` when it crossfades
//! in. In a crossfade of N frames, frame k of it sums the outgoing song
//! times `cos(pi/2 * k/N)` and the incoming one times `sin(pi/2 * k/N)`
//! (equal power). Per-song files split the album at each song's start, so
//! played in order they are the album.
//!
//! The album is assembled in memory (32-bit float at the album rate, about
//! 23 MB a minute at 48 kHz).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::format::{Format, WavBits};
use super::metadata::Tags;
use super::{Convert, DeliverError, DeliveredFile, bwf::Origination, convert};
use crate::analysis::{ClipLevels, MixAnalyzer};
use crate::bounce::{BounceOptions, Dither};
use crate::media::MediaPool;
use crate::report::Normalization;

/// An album file (`*.album.ron`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Album {
    /// The album's title.
    pub title: String,
    /// The artist.
    #[serde(default)]
    pub artist: Option<String>,
    /// The album's sample rate (default: the first song's).
    #[serde(default)]
    pub sample_rate: Option<u32>,
    /// The songs, in order.
    pub songs: Vec<Song>,
}

/// One song of an album.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Song {
    /// A session (`.mixdesk`, rendered whole) or an audio file, relative to the album file.
    pub source: PathBuf,
    /// The title (default: the file's name).
    #[serde(default)]
    pub title: Option<String>,
    /// Silence before this song, seconds (not with a crossfade).
    #[serde(default)]
    pub gap: f64,
    /// Crossfade from the previous song into this one, seconds.
    #[serde(default)]
    pub crossfade: f64,
    /// Gain on this song, dB.
    #[serde(default)]
    pub gain_db: f64,
    /// The song's ISRC.
    #[serde(default)]
    pub isrc: Option<String>,
}

/// How to render an album.
#[derive(Debug, Clone, PartialEq)]
pub struct AlbumOptions {
    /// The files' format.
    pub format: Format,
    /// The delivered rate (default: the album's).
    pub rate: Option<u32>,
    /// Album normalisation: one gain for every song so the album's integrated loudness is this.
    pub normalize_lufs: Option<f64>,
    /// With `normalize_lufs`: the true peak the gain may not pass.
    pub true_peak_ceiling: Option<f64>,
    /// Write each transition (this many seconds either side) as its own preview file.
    pub transitions: Option<f64>,
}

/// One row of the album's loudness table.
#[derive(Debug, Clone, PartialEq)]
pub struct AlbumRow {
    /// Track number (from 1).
    pub track: usize,
    /// Title.
    pub title: String,
    /// Where the track starts in the album, frames at the album rate.
    pub start: u64,
    /// The same, in seconds.
    pub start_seconds: f64,
    /// The song's own file.
    pub file: DeliveredFile,
}

/// What an album render wrote.
#[derive(Debug, Clone)]
pub struct AlbumSummary {
    /// The whole album in one file.
    pub album: DeliveredFile,
    /// The cue sheet.
    pub cue: PathBuf,
    /// One row per song.
    pub tracks: Vec<AlbumRow>,
    /// Transition previews.
    pub transitions: Vec<PathBuf>,
    /// The album gain, if normalised.
    pub normalization: Option<Normalization>,
    /// The loudness table (also written as `album-sheet.txt`).
    pub table: String,
}

/// Reads an album file.
pub fn load(path: &Path) -> Result<Album, DeliverError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| DeliverError::Invalid(format!("cannot read the album {}: {e}", path.display())))?;
    let album: Album = ron::from_str(&text)
        .map_err(|e| DeliverError::Invalid(format!("{}: not an album file: {e}", path.display())))?;
    check(&album).map_err(|e| DeliverError::Invalid(format!("{}: {e}", path.display())))?;
    Ok(album)
}

/// What is wrong with `album`, if anything (the rules [`load`] enforces).
pub fn check(album: &Album) -> Result<(), String> {
    if album.songs.is_empty() {
        return Err("the album has no songs".into());
    }
    for (i, s) in album.songs.iter().enumerate() {
        let bad = |what: String| format!("song {}: {what}", i + 1);
        for (name, v) in [("gap", s.gap), ("crossfade", s.crossfade)] {
            if !(v.is_finite() && (0.0..=600.0).contains(&v)) {
                return Err(bad(format!("{name} must be 0 to 600 seconds, not {v}")));
            }
        }
        if s.gap > 0.0 && s.crossfade > 0.0 {
            return Err(bad("give a gap or a crossfade, not both".into()));
        }
        if i == 0 && s.crossfade > 0.0 {
            return Err(bad("the first song has nothing to crossfade from".into()));
        }
        if !(s.gain_db.is_finite() && (-60.0..=24.0).contains(&s.gain_db)) {
            return Err(bad(format!("gain_db must be -60 to +24, not {}", s.gain_db)));
        }
    }
    Ok(())
}

/// Writes `album` to `path` atomically (checked first: a file [`load`] would
/// refuse is never written).
pub fn save(album: &Album, path: &Path) -> Result<(), DeliverError> {
    check(album).map_err(|e| DeliverError::Invalid(format!("{}: {e}", path.display())))?;
    let text = ron::ser::to_string_pretty(album, ron::ser::PrettyConfig::default())
        .map_err(|e| DeliverError::Invalid(format!("{}: {e}", path.display())))?;
    crate::atomic::write_atomically(path, false, |w| std::io::Write::write_all(w, text.as_bytes()))
        .map_err(|source| DeliverError::Write { path: path.to_owned(), source })
}

/// Each song's start and the album's length, in frames, for song lengths
/// `lens` (see the module's closed form). Errors when a crossfade is longer
/// than a song it joins.
pub fn placement(album: &Album, lens: &[u64], rate: u32) -> Result<(Vec<u64>, u64), String> {
    let frames = |s: f64| (s * f64::from(rate)).round() as u64;
    let mut starts = Vec::with_capacity(lens.len());
    let mut end = 0u64;
    for (i, (song, len)) in album.songs.iter().zip(lens).enumerate() {
        let start = if i == 0 {
            0
        } else if song.crossfade > 0.0 {
            let x = frames(song.crossfade);
            if x > *len || x > lens[i - 1] {
                return Err(format!("song {}: the crossfade is longer than a song it joins", i + 1));
            }
            end - x
        } else {
            end + frames(song.gap)
        };
        starts.push(start);
        end = end.max(start + len);
    }
    Ok((starts, end))
}

/// Renders one song to stereo at `rate`, with its gain.
fn render_song(song: &Song, album_dir: &Path, rate: u32, temp: &Path) -> Result<[Vec<f32>; 2], DeliverError> {
    let path = album_dir.join(&song.source);
    let invalid = |e: String| DeliverError::Invalid(format!("{}: {e}", path.display()));
    let (mut chans, from) = if path.extension().is_some_and(|e| e == "mixdesk") {
        let session = crate::session::load(&path).map_err(|e| invalid(e.to_string()))?;
        let out = temp.join("song.wav");
        let opts = BounceOptions {
            depth: crate::bounce::BitDepth::Float32,
            dither: Dither::None,
            report: false,
            session_file: Some(path.clone()),
            ..BounceOptions::default()
        };
        let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_owned);
        crate::bounce::bounce(&session, &dir, &MediaPool::new(), &out, &opts, &mut |_| true)?;
        let d = crate::media::decode_file(&out).map_err(|e| invalid(e.to_string()))?;
        (d.channels, session.sample_rate)
    } else {
        let d = crate::media::decode_file(&path).map_err(|e| invalid(e.to_string()))?;
        (d.channels, d.format.sample_rate)
    };
    if chans.len() == 1 {
        chans.push(chans[0].clone());
    }
    let mut chans = crate::media::resample(chans, from, rate).map_err(invalid)?;
    let g = 10f64.powf(song.gain_db / 20.0) as f32;
    for c in &mut chans {
        for x in c.iter_mut() {
            *x *= g;
        }
    }
    let r = chans.pop().unwrap_or_default();
    let l = chans.pop().unwrap_or_default();
    Ok([l, r])
}

/// The song's title: its own, or its file's name.
fn title_of(song: &Song) -> String {
    song.title.clone().unwrap_or_else(|| {
        song.source.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned())
    })
}

/// The album mixed in memory: stereo at its rate, with each song's start.
#[derive(Debug, Clone)]
pub struct Assembled {
    /// The album's rate.
    pub rate: u32,
    /// Left and right.
    pub mix: [Vec<f32>; 2],
    /// Where each song starts, frames.
    pub starts: Vec<u64>,
}

impl Assembled {
    /// The album's length, frames.
    pub fn frames(&self) -> u64 {
        self.mix[0].len() as u64
    }

    /// Frames `from..to` (clamped to the album).
    pub fn slice(&self, from: u64, to: u64) -> [Vec<f32>; 2] {
        let to = to.min(self.frames()) as usize;
        let from = (from as usize).min(to);
        [self.mix[0][from..to].to_vec(), self.mix[1][from..to].to_vec()]
    }

    /// The transition into song `i` (from 1): `half` seconds either side of its start.
    pub fn transition(&self, i: usize, half: f64) -> Option<[Vec<f32>; 2]> {
        let start = *self.starts.get(i).filter(|_| i > 0)?;
        let half = (half * f64::from(self.rate)) as u64;
        Some(self.slice(start.saturating_sub(half), start + half))
    }

    /// The loudness of frames `from..to`.
    pub fn measure(&self, from: usize, to: usize) -> crate::analysis::Analysis {
        let mut a = MixAnalyzer::new(self.rate, 2, ClipLevels::for_format(None, true));
        for at in (from..to).step_by(crate::analysis::file::ANALYSIS_BLOCK) {
            let e = (at + crate::analysis::file::ANALYSIS_BLOCK).min(to);
            a.add(&self.mix[0][at..e], &self.mix[1][at..e]);
        }
        a.finish().0
    }

    /// Album normalisation: the one gain that brings the whole album to
    /// `target` LUFS (held back by `ceiling` dBTP if given).
    pub fn album_gain(&self, target: f64, ceiling: Option<f64>) -> Result<Normalization, DeliverError> {
        let a = self.measure(0, self.frames() as usize);
        let lufs = a.integrated_lufs.ok_or(crate::bounce::BounceError::SilentMix)?;
        Ok(Normalization::plan(target, ceiling, lufs, a.true_peak_dbtp))
    }
}

/// The album's rate: its own, or its first song's.
fn album_rate(album: &Album, album_dir: &Path) -> Result<u32, DeliverError> {
    if let Some(r) = album.sample_rate {
        return Ok(r);
    }
    let first = album_dir.join(&album.songs[0].source);
    if first.extension().is_some_and(|e| e == "mixdesk") {
        Ok(crate::session::load(&first).map_err(|e| DeliverError::Invalid(e.to_string()))?.sample_rate)
    } else {
        Ok(crate::media::probe_format(&first).map_err(|e| DeliverError::Invalid(e.to_string()))?.sample_rate)
    }
}

/// Renders every song of `album` (read from `album_file`; sources are
/// relative to it) and places them (see the module's closed form), in
/// memory. `progress` hears the fraction of songs done; sessions are
/// bounced into a temporary folder while they are read.
pub fn assemble(
    album: &Album,
    album_file: &Path,
    progress: &mut dyn FnMut(f32),
) -> Result<Assembled, DeliverError> {
    check(album).map_err(|e| DeliverError::Invalid(format!("{}: {e}", album_file.display())))?;
    let temp = tempfile::Builder::new()
        .prefix(".mixdesk-album-")
        .tempdir()
        .map_err(|source| DeliverError::Write { path: std::env::temp_dir(), source })?;
    let temp = temp.path();
    let album_dir = album_file.parent().map_or_else(|| PathBuf::from("."), Path::to_owned);
    let rate = album_rate(album, &album_dir)?;
    let mut songs: Vec<[Vec<f32>; 2]> = Vec::with_capacity(album.songs.len());
    for (i, s) in album.songs.iter().enumerate() {
        songs.push(render_song(s, &album_dir, rate, temp)?);
        progress((i + 1) as f32 / album.songs.len() as f32);
    }
    let lens: Vec<u64> = songs.iter().map(|s| s[0].len() as u64).collect();
    let (starts, total) = placement(album, &lens, rate).map_err(DeliverError::Invalid)?;
    let mut mix = [vec![0.0f32; total as usize], vec![0.0f32; total as usize]];
    for (i, song) in songs.iter().enumerate() {
        let start = starts[i] as usize;
        let fade_in = if i > 0 && album.songs[i].crossfade > 0.0 {
            starts[i - 1] as usize + songs[i - 1][0].len() - start
        } else {
            0
        };
        let fade_out = album
            .songs
            .get(i + 1)
            .filter(|n| n.crossfade > 0.0)
            .map_or(0, |_| start + song[0].len() - starts[i + 1] as usize);
        let n = song[0].len();
        for (c, ch) in song.iter().enumerate() {
            for (k, x) in ch.iter().enumerate() {
                let mut g = 1.0f64;
                if k < fade_in {
                    g *= (std::f64::consts::FRAC_PI_2 * k as f64 / fade_in as f64).sin();
                }
                if k >= n - fade_out {
                    let j = k - (n - fade_out);
                    g *= (std::f64::consts::FRAC_PI_2 * j as f64 / fade_out as f64).cos();
                }
                mix[c][start + k] += (f64::from(*x) * g) as f32;
            }
        }
    }
    Ok(Assembled { rate, mix, starts })
}

/// Renders `album` (read from `album_file`) into `dir`; see the module notes.
pub fn render(
    album: &Album,
    album_file: &Path,
    dir: &Path,
    opts: &AlbumOptions,
) -> Result<AlbumSummary, DeliverError> {
    render_with_progress(album, album_file, dir, opts, &mut |_| {})
}

/// [`render`], telling `progress` the fraction done (0 to 1).
pub fn render_with_progress(
    album: &Album,
    album_file: &Path,
    dir: &Path,
    opts: &AlbumOptions,
    progress: &mut dyn FnMut(f32),
) -> Result<AlbumSummary, DeliverError> {
    std::fs::create_dir_all(dir).map_err(|source| DeliverError::Write { path: dir.to_owned(), source })?;
    let temp = tempfile::Builder::new()
        .prefix(".mixdesk-album-")
        .tempdir_in(dir)
        .map_err(|source| DeliverError::Write { path: dir.to_owned(), source })?;
    // Rendering the songs is most of the work; writing the files the rest.
    let assembled = assemble(album, album_file, &mut |f| progress(0.7 * f))?;
    let (rate, starts, total) = (assembled.rate, assembled.starts.clone(), assembled.frames());
    // The album's loudness, for one album gain.
    let normalization = match opts.normalize_lufs {
        None => None,
        Some(target) => Some(assembled.album_gain(target, opts.true_peak_ceiling)?),
    };
    let mix = &assembled.mix;
    let gain_db = normalization.map_or(0.0, |n| n.gain_db);
    let out_rate = opts.rate.unwrap_or(rate);
    let at_rate = |f: u64| (u128::from(f) * u128::from(out_rate) / u128::from(rate)) as u64;
    let safe = |s: &str| -> String {
        s.chars().map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) { '_' } else { c }).collect()
    };
    let write_temp = |name: &str, from: usize, to: usize| -> Result<PathBuf, DeliverError> {
        let p = temp.path().join(name);
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: rate,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let err = |e: hound::Error| DeliverError::Write {
            path: p.clone(),
            source: std::io::Error::other(e.to_string()),
        };
        let mut w = hound::WavWriter::create(&p, spec).map_err(err)?;
        for i in from..to {
            w.write_sample(mix[0][i]).map_err(err)?;
            w.write_sample(mix[1][i]).map_err(err)?;
        }
        w.finalize().map_err(err)?;
        Ok(p)
    };
    let spec = |seed: u64, tags: Tags, markers: Vec<(String, u64)>, what: String| Convert {
        format: opts.format,
        from: rate,
        rate: out_rate,
        dither: opts.format.dithers(Dither::Auto),
        seed,
        measure: true,
        gain_db,
        tags,
        markers,
        origination: Origination { description: what, time_reference: 0 },
        tracks: Vec::new(),
    };
    let album_tags =
        Tags { album: Some(album.title.clone()), artist: album.artist.clone(), ..Tags::default() };
    let titles: Vec<String> = album.songs.iter().map(title_of).collect();
    // The whole album, with a cue point per track.
    let whole = write_temp("album.wav", 0, total as usize)?;
    let ext = opts.format.extension();
    let album_path = dir.join(format!("{}.{ext}", safe(&album.title)));
    let markers: Vec<(String, u64)> =
        titles.iter().zip(&starts).map(|(t, s)| (t.clone(), at_rate(*s))).collect();
    let mut whole_spec = spec(
        1,
        Tags { title: Some(album.title.clone()), ..album_tags.clone() },
        markers,
        format!("The album {}", album.title),
    );
    // A FLAC album carries its track list as a CUESHEET block.
    whole_spec.tracks =
        starts.iter().zip(&album.songs).map(|(s, song)| (at_rate(*s), song.isrc.clone())).collect();
    let (album_file_out, _) = convert(&whole, &album_path, &whole_spec)?;
    progress(0.8);
    // One file per song, split at the starts.
    let mut tracks = Vec::new();
    for (i, title) in titles.iter().enumerate() {
        let from = starts[i] as usize;
        let to = starts.get(i + 1).map_or(total as usize, |s| *s as usize);
        let t = write_temp(&format!("track{i}.wav"), from, to)?;
        let tags = Tags {
            title: Some(title.clone()),
            track: Some(i as u32 + 1),
            isrc: album.songs[i].isrc.clone(),
            ..album_tags.clone()
        };
        let tags = tags.checked().map_err(DeliverError::Invalid)?;
        let path = dir.join(format!("{:02} {}.{ext}", i + 1, safe(title)));
        let (file, _) = convert(
            &t,
            &path,
            &spec(10 + i as u64, tags, Vec::new(), format!("Track {} of {}", i + 1, album.title)),
        )?;
        progress(0.8 + 0.2 * (i + 1) as f32 / titles.len() as f32);
        let _ = std::fs::remove_file(&t);
        let start_seconds = starts[i] as f64 / f64::from(rate);
        tracks.push(AlbumRow { track: i + 1, title: title.clone(), start: starts[i], start_seconds, file });
    }
    // Transition previews.
    let mut transitions = Vec::new();
    if let Some(secs) = opts.transitions {
        let half = (secs * f64::from(rate)) as u64;
        for i in 1..starts.len() {
            let (from, to) = (starts[i].saturating_sub(half), (starts[i] + half).min(total));
            let t = write_temp("transition.wav", from as usize, to as usize)?;
            let path = dir.join(format!("transition {:02}-{:02}.{ext}", i, i + 1));
            let (file, _) = convert(
                &t,
                &path,
                &spec(100 + i as u64, album_tags.clone(), Vec::new(), "A transition".into()),
            )?;
            transitions.push(file.path);
        }
    }
    // The cue sheet (CD frames: 75 a second).
    let cue_path = dir.join(format!("{}.cue", safe(&album.title)));
    let mut cue = String::new();
    if let Some(a) = &album.artist {
        cue.push_str(&format!("PERFORMER \"{}\"\n", a.replace('"', "'")));
    }
    cue.push_str(&format!("TITLE \"{}\"\n", album.title.replace('"', "'")));
    let kind = if matches!(opts.format, Format::Mp3(_)) { "MP3" } else { "WAVE" };
    cue.push_str(&format!(
        "FILE \"{}\" {kind}\n",
        album_path.file_name().unwrap_or_default().to_string_lossy()
    ));
    for (i, (title, start)) in titles.iter().zip(&starts).enumerate() {
        let cd = start * 75 / u64::from(rate);
        cue.push_str(&format!("  TRACK {:02} AUDIO\n    TITLE \"{}\"\n", i + 1, title.replace('"', "'")));
        if let Some(isrc) = &album.songs[i].isrc {
            cue.push_str(&format!("    ISRC {}\n", isrc.replace('-', "").to_ascii_uppercase()));
        }
        cue.push_str(&format!("    INDEX 01 {:02}:{:02}:{:02}\n", cd / 75 / 60, cd / 75 % 60, cd % 75));
    }
    crate::atomic::write_atomically(&cue_path, false, |w| std::io::Write::write_all(w, cue.as_bytes()))
        .map_err(|source| DeliverError::Write { path: cue_path.clone(), source })?;
    let table = loudness_table(album, &album_file_out, &tracks, normalization.as_ref());
    let sheet = dir.join("album-sheet.txt");
    crate::atomic::write_atomically(&sheet, false, |w| std::io::Write::write_all(w, table.as_bytes()))
        .map_err(|source| DeliverError::Write { path: sheet.clone(), source })?;
    Ok(AlbumSummary { album: album_file_out, cue: cue_path, tracks, transitions, normalization, table })
}

/// The album's loudness table.
fn loudness_table(
    album: &Album,
    whole: &DeliveredFile,
    tracks: &[AlbumRow],
    n: Option<&Normalization>,
) -> String {
    let num = |x: Option<f64>| x.map_or_else(|| "-".into(), |v| format!("{v:.1}"));
    let mut s = format!("Album: {}\n", album.title);
    if let Some(n) = n {
        s.push_str(&format!("Album normalisation: {}\n", n.describe()));
    }
    s.push_str(&format!(
        "\n{:<4} {:<32} {:>10} {:>10} {:>10} {:>10}\n",
        "#", "title", "start", "length", "LUFS", "dBTP"
    ));
    for t in tracks {
        let a = t.file.analysis.as_ref();
        s.push_str(&format!(
            "{:<4} {:<32} {:>9.3}s {:>9.3}s {:>10} {:>10}\n",
            t.track,
            t.title,
            t.start_seconds,
            t.file.frames as f64 / f64::from(t.file.rate),
            num(a.and_then(|a| a.integrated_lufs)),
            num(a.and_then(|a| a.true_peak_dbtp)),
        ));
    }
    let a = whole.analysis.as_ref();
    s.push_str(&format!(
        "{:<4} {:<32} {:>10} {:>9.3}s {:>10} {:>10}\n",
        "",
        "whole album",
        "",
        whole.frames as f64 / f64::from(whole.rate),
        num(a.and_then(|a| a.integrated_lufs)),
        num(a.and_then(|a| a.true_peak_dbtp)),
    ));
    s
}

/// The default options: 24-bit WAV at the album's rate, no normalisation.
impl Default for AlbumOptions {
    fn default() -> AlbumOptions {
        AlbumOptions {
            format: Format::Wav(WavBits::Int24),
            rate: None,
            normalize_lufs: None,
            true_peak_ceiling: None,
            transitions: None,
        }
    }
}
