//! The album view: the songs of an EP or album (sessions or bounced files)
//! in order, with the gap or crossfade into each, a gain, a title and an
//! ISRC; opened and saved as an album file (`*.album.ron`, the one `mixdesk
//! album render` reads); the transitions and the album-normalised album
//! played through the engine ([`super::album_play`]); and "Export album",
//! which runs `mixdesk_engine::deliver::album::render` on a worker with
//! progress. Its layout is in [`super::album_list`].
//!
//! Sources are held as absolute paths while the view is open; a saved file
//! names those inside the album's folder relative to it, so the folder can move.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use iced::Task;
use mixdesk_engine::deliver::album::{self, Album, AlbumOptions, Assembled, Song};
use mixdesk_engine::deliver::{Format, WavBits};

use super::album_play::{self, Heard, Which};
use super::export::{Depth, RateChoice};

/// The id of the album file's field.
pub const FILE_FIELD: &str = "album-file";
/// The id of the field a song's path is typed into.
pub const ADD_FIELD: &str = "album-add";
/// The id of the export folder's field.
pub const OUT_FIELD: &str = "album-out";

/// Seconds either side of a song's start that "Play" plays.
pub const TRANSITION_SECONDS: f64 = 4.0;

/// A song as its row shows it (numbers as typed, checked on use).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The session or audio file (absolute, or relative to the working folder).
    pub source: PathBuf,
    /// Title ("" for the file's name).
    pub title: String,
    /// Silence before it, seconds.
    pub gap: String,
    /// Crossfade into it, seconds.
    pub crossfade: String,
    /// Gain, dB.
    pub gain: String,
    /// ISRC ("" for none).
    pub isrc: String,
}

impl Row {
    fn of(song: &Song, dir: &Path) -> Row {
        Row {
            source: dir.join(&song.source),
            title: song.title.clone().unwrap_or_default(),
            gap: num(song.gap),
            crossfade: num(song.crossfade),
            gain: num(song.gain_db),
            isrc: song.isrc.clone().unwrap_or_default(),
        }
    }
}

fn num(v: f64) -> String {
    format!("{v}")
}

/// A song's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Title.
    Title,
    /// Gap, seconds.
    Gap,
    /// Crossfade, seconds.
    Crossfade,
    /// Gain, dB.
    Gain,
    /// ISRC.
    Isrc,
}

impl Field {
    /// The id of song `i`'s field (from 0).
    pub fn id(self, i: usize) -> iced::widget::Id {
        let what = match self {
            Field::Title => "title",
            Field::Gap => "gap",
            Field::Crossfade => "crossfade",
            Field::Gain => "gain",
            Field::Isrc => "isrc",
        };
        iced::widget::Id::from(format!("album-{what}-{i}"))
    }
}

/// What the user did in the album view.
#[derive(Debug, Clone)]
pub enum Message {
    /// The album file's path typed.
    FileTyped(String),
    /// The album's title typed.
    TitleTyped(String),
    /// The artist typed.
    ArtistTyped(String),
    /// "Open" pressed: read the album file.
    Load,
    /// "Save" pressed: write the album file.
    Save,
    /// A song's path typed.
    AddTyped(String),
    /// "Add" pressed: add the typed path.
    Add,
    /// "Choose…" pressed: pick songs in a file dialog.
    Browse,
    /// The file dialog answered.
    Browsed(Option<Vec<PathBuf>>),
    /// No file dialog could open: the path is typed in its field.
    NoDialog,
    /// Song `i` removed.
    Removed(usize),
    /// Song `i` moved one place earlier (-1) or later (1).
    Moved(usize, i32),
    /// A field of song `i` typed.
    Typed(usize, Field, String),
    /// Play the transition into song `i`.
    PlayTransition(usize),
    /// Play the whole album at one level.
    PlayAlbum,
    /// Stop the preview.
    Stop,
    /// A preview is rendered (or could not be).
    Rendered(Result<Heard, String>),
    /// The album-normalisation target typed (LUFS).
    LufsTyped(String),
    /// Album normalisation switched for the export.
    NormalizeToggled(bool),
    /// The export's format chosen.
    FormatChosen(Depth),
    /// The export's rate chosen.
    RateChosen(RateChoice),
    /// The export folder typed.
    OutTyped(String),
    /// "Export album" pressed.
    Export,
    /// The export ended.
    Exported(Result<Vec<String>, String>),
    /// The view was closed.
    Closed,
}

/// What the app does for the view.
#[derive(Debug)]
pub enum Event {
    /// Play this preview through the engine.
    Play(Heard),
    /// Stop the preview.
    Stop,
    /// Close the view.
    Closed,
}

/// The album view's state (kept between openings).
#[derive(Debug, Clone)]
pub struct AlbumView {
    /// The album file.
    pub file: String,
    /// The album's title.
    pub title: String,
    /// The artist.
    pub artist: String,
    /// The songs in order.
    pub rows: Vec<Row>,
    /// A song's path being typed.
    pub add: String,
    /// "Choose…" found no file dialog.
    pub no_dialog: bool,
    /// The album-normalisation target, LUFS.
    pub lufs: String,
    /// Album-normalise the export.
    pub normalize: bool,
    /// The export's format.
    pub format: Depth,
    /// The export's rate.
    pub rate: RateChoice,
    /// The export folder.
    pub out: String,
    /// What the view says: what plays, what was saved, or what went wrong.
    pub said: Option<Result<String, String>>,
    /// A preview being rendered.
    pub rendering: bool,
    /// The export's progress (millionths), while it runs.
    running: Option<Arc<AtomicU32>>,
    /// The last export: the files and the loudness table, or the error.
    pub result: Option<Result<Vec<String>, String>>,
    /// The album last assembled (previews reuse it while the album is unchanged).
    cache: Option<(Album, Arc<Assembled>)>,
}

impl AlbumView {
    /// An empty album named after the session, saved beside it.
    pub fn new(dir: &Path, name: &str) -> AlbumView {
        AlbumView {
            file: dir.join(format!("{name}.album.ron")).display().to_string(),
            title: name.to_owned(),
            artist: String::new(),
            rows: Vec::new(),
            add: String::new(),
            no_dialog: false,
            lufs: "-14".into(),
            normalize: false,
            format: Depth(Format::Wav(WavBits::Int24)),
            rate: RateChoice(None),
            out: dir.join("exports").join("album").display().to_string(),
            said: None,
            rendering: false,
            running: None,
            result: None,
            cache: None,
        }
    }

    /// Whether the export runs.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Fraction done of the running export.
    pub fn progress(&self) -> f32 {
        self.running.as_ref().map_or(0.0, |p| p.load(Ordering::Relaxed) as f32 / 1e6)
    }

    /// The album file's path.
    pub fn path(&self) -> PathBuf {
        PathBuf::from(self.file.trim())
    }

    /// The album the fields describe, or what is wrong with them (naming the song and field).
    pub fn album(&self) -> Result<Album, String> {
        let mut songs = Vec::with_capacity(self.rows.len());
        for (i, r) in self.rows.iter().enumerate() {
            let n = |what: &str, s: &str| -> Result<f64, String> {
                let s = s.trim();
                if s.is_empty() {
                    return Ok(0.0);
                }
                s.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                    format!("song {}: the {what} \"{s}\" is not a number; type one such as 2 or 0.5", i + 1)
                })
            };
            let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
            songs.push(Song {
                source: r.source.clone(),
                title: text(&r.title),
                gap: n("gap", &r.gap)?,
                crossfade: n("crossfade", &r.crossfade)?,
                gain_db: n("gain", &r.gain)?,
                isrc: text(&r.isrc),
            });
        }
        let album = Album {
            title: self.title.trim().to_owned(),
            artist: Some(self.artist.trim().to_owned()).filter(|s| !s.is_empty()),
            sample_rate: None,
            songs,
        };
        album::check(&album)?;
        if album.title.is_empty() {
            return Err("give the album a title".into());
        }
        Ok(album)
    }

    /// Applies a message; returns a task and what the app should do.
    pub fn update(&mut self, message: Message, engine_rate: u32) -> (Task<Message>, Option<Event>) {
        match message {
            Message::FileTyped(s) => self.file = s,
            Message::TitleTyped(s) => self.title = s,
            Message::ArtistTyped(s) => self.artist = s,
            Message::Load => self.load(),
            Message::Save => self.save(),
            Message::AddTyped(s) => self.add = s,
            Message::Add => self.add_typed(),
            Message::Browse => return (browse(), None),
            Message::Browsed(paths) => {
                for p in paths.unwrap_or_default() {
                    self.push(p);
                }
            }
            Message::NoDialog => {
                self.no_dialog = true;
                return (iced::widget::operation::focus(iced::widget::Id::new(ADD_FIELD)), None);
            }
            Message::Removed(i) => {
                if i < self.rows.len() {
                    self.rows.remove(i);
                }
            }
            Message::Moved(i, by) => self.moved(i, by),
            Message::Typed(i, field, s) => {
                if let Some(r) = self.rows.get_mut(i) {
                    *match field {
                        Field::Title => &mut r.title,
                        Field::Gap => &mut r.gap,
                        Field::Crossfade => &mut r.crossfade,
                        Field::Gain => &mut r.gain,
                        Field::Isrc => &mut r.isrc,
                    } = s;
                }
            }
            Message::PlayTransition(i) => {
                return (self.render_preview(Which::Transition(i), engine_rate), None);
            }
            Message::PlayAlbum => match self.target() {
                Ok(lufs) => return (self.render_preview(Which::Album(lufs), engine_rate), None),
                Err(e) => self.said = Some(Err(e)),
            },
            Message::Stop => {
                self.said = None;
                return (Task::none(), Some(Event::Stop));
            }
            Message::Rendered(r) => {
                self.rendering = false;
                match r {
                    Ok(heard) => {
                        self.said = Some(Ok(heard.what.clone()));
                        if let Some(a) = &heard.assembled {
                            self.cache = Some(a.clone());
                        }
                        return (Task::none(), Some(Event::Play(heard)));
                    }
                    Err(e) => self.said = Some(Err(e)),
                }
            }
            Message::LufsTyped(s) => self.lufs = s,
            Message::NormalizeToggled(b) => self.normalize = b,
            Message::FormatChosen(d) => self.format = d,
            Message::RateChosen(r) => self.rate = r,
            Message::OutTyped(s) => self.out = s,
            Message::Export => return (self.export(), None),
            Message::Exported(r) => {
                self.running = None;
                self.result = Some(r);
            }
            Message::Closed => return (Task::none(), Some(Event::Closed)),
        }
        (Task::none(), None)
    }

    fn push(&mut self, source: PathBuf) {
        let source = std::path::absolute(&source).unwrap_or(source);
        // Empty fields are 0: songs follow each other with no gap until told.
        self.rows.push(Row {
            source,
            title: String::new(),
            gap: String::new(),
            crossfade: String::new(),
            gain: String::new(),
            isrc: String::new(),
        });
    }

    fn add_typed(&mut self) {
        let typed = self.add.trim();
        if typed.is_empty() {
            self.said = Some(Err("type the path of a session or an audio file first".into()));
            return;
        }
        let path = PathBuf::from(typed);
        if !path.is_file() {
            self.said = Some(Err(format!(
                "{} is not a file; type the path of a session or an audio file",
                path.display()
            )));
            return;
        }
        self.push(path);
        self.add.clear();
        self.said = None;
    }

    fn moved(&mut self, i: usize, by: i32) {
        let j = i as i64 + i64::from(by);
        if i < self.rows.len() && (0..self.rows.len() as i64).contains(&j) {
            self.rows.swap(i, j as usize);
            // A first song has nothing to crossfade from.
            if let Some(r) = self.rows.first_mut() {
                r.crossfade.clear();
                r.gap.clear();
            }
        }
    }

    fn load(&mut self) {
        let path = self.path();
        match album::load(&path) {
            Ok(a) => {
                let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_owned);
                self.title = a.title.clone();
                self.artist = a.artist.clone().unwrap_or_default();
                self.rows = a.songs.iter().map(|s| Row::of(s, &dir)).collect();
                self.said = Some(Ok(format!("Opened {} ({} songs)", path.display(), a.songs.len())));
            }
            Err(e) => self.said = Some(Err(e.to_string())),
        }
    }

    fn save(&mut self) {
        let path = self.path();
        let mut a = match self.album() {
            Ok(a) => a,
            Err(e) => {
                self.said = Some(Err(format!("{} was not saved: {e}", path.display())));
                return;
            }
        };
        let dir = std::path::absolute(&path).ok().and_then(|p| p.parent().map(Path::to_owned));
        for s in &mut a.songs {
            if let Some(rel) = dir.as_deref().and_then(|d| s.source.strip_prefix(d).ok()) {
                s.source = rel.to_owned();
            }
        }
        self.said = Some(match album::save(&a, &path) {
            Ok(()) => Ok(format!("Saved {}", path.display())),
            Err(e) => Err(e.to_string()),
        });
    }

    fn target(&self) -> Result<f64, String> {
        self.lufs
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| (-70.0..=0.0).contains(v))
            .ok_or_else(|| format!("the album level \"{}\" must be LUFS between -70 and 0", self.lufs.trim()))
    }

    fn render_preview(&mut self, which: Which, engine_rate: u32) -> Task<Message> {
        let album = match self.album() {
            Ok(a) => a,
            Err(e) => {
                self.said = Some(Err(e));
                return Task::none();
            }
        };
        let cached = self.cache.as_ref().filter(|(a, _)| *a == album).map(|(_, m)| Arc::clone(m));
        self.rendering = true;
        self.said = Some(Ok("Rendering the preview…".into()));
        album_play::render(album, self.path(), which, cached, engine_rate).map(Message::Rendered)
    }

    fn export(&mut self) -> Task<Message> {
        let album = match self.album() {
            Ok(a) => a,
            Err(e) => {
                self.result = Some(Err(e));
                return Task::none();
            }
        };
        let normalize_lufs = if self.normalize {
            match self.target() {
                Ok(l) => Some(l),
                Err(e) => {
                    self.result = Some(Err(e));
                    return Task::none();
                }
            }
        } else {
            None
        };
        if self.out.trim().is_empty() {
            self.result = Some(Err("type the folder to export the album into".into()));
            return Task::none();
        }
        let opts = AlbumOptions {
            format: self.format.0,
            rate: self.rate.0,
            normalize_lufs,
            true_peak_ceiling: normalize_lufs.map(|_| -1.0),
            transitions: None,
        };
        let progress = Arc::new(AtomicU32::new(0));
        self.running = Some(Arc::clone(&progress));
        self.result = None;
        let (file, out) = (self.path(), PathBuf::from(self.out.trim()));
        let (tx, rx) = iced::futures::channel::oneshot::channel();
        std::thread::spawn(move || {
            let done = album::render_with_progress(&album, &file, &out, &opts, &mut |f| {
                progress.store((f.clamp(0.0, 1.0) * 1e6) as u32, Ordering::Relaxed);
            });
            let _ = tx.send(done.map(|d| describe(&d)).map_err(|e| e.to_string()));
        });
        Task::perform(
            async move { rx.await.unwrap_or_else(|_| Err("the album export stopped unexpectedly".into())) },
            Message::Exported,
        )
    }
}

/// The export's result in lines: the files, then the loudness table.
fn describe(d: &album::AlbumSummary) -> Vec<String> {
    let mut lines = vec![format!("Wrote {} and {}", d.album.path.display(), d.cue.display())];
    for t in &d.tracks {
        lines.push(format!("Track {:02} at {:.3} s: {}", t.track, t.start_seconds, t.file.path.display()));
    }
    lines.extend(d.table.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned));
    lines
}

fn browse() -> Task<Message> {
    super::files::ask(
        async {
            let exts: Vec<&str> =
                mixdesk_engine::stems::AUDIO_EXTENSIONS.iter().copied().chain(["mixdesk"]).collect();
            rfd::AsyncFileDialog::new()
                .set_title("Add songs to the album")
                .add_filter("Sessions and audio", &exts)
                .pick_files()
                .await
                .map(|hs| hs.iter().map(|h| h.path().to_owned()).collect())
        },
        Message::Browsed,
        Message::NoDialog,
    )
}
