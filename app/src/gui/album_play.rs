//! Album previews heard through the engine: the album is assembled on a
//! worker (each song rendered and placed, as the album export does), the
//! part to hear is cut out (a transition, or the whole album at one album
//! gain), resampled to the engine's rate and compiled as a one-track
//! session held in memory. The app hands that graph to
//! [`super::audio::Audio::preview`], which plays it as the monitor's
//! reference while the transport rolls: nothing is written to disk and the
//! session's own graph is left alone.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use iced::Task;
use mixdesk_engine::deliver::album::{self, Album, Assembled};
use mixdesk_engine::graph::{Graph, compile};
use mixdesk_engine::media::{AudioSource, Media, SourceFormat};
use mixdesk_engine::session::{Session, Track};
use mixdesk_engine::units::SampleTime;

/// What to hear.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Which {
    /// The transition into song `i` (from 1), [`super::album_view::TRANSITION_SECONDS`] either side.
    Transition(usize),
    /// The whole album with one gain that brings it to this loudness, LUFS.
    Album(f64),
}

/// A preview ready to play.
#[derive(Debug, Clone)]
pub struct Heard {
    /// The graph (taken out once by the app).
    pub graph: Arc<Mutex<Option<Graph>>>,
    /// Its length, frames at the engine's rate.
    pub frames: u64,
    /// In words: "Transition 1 → 2 (8.0 s)".
    pub what: String,
    /// The album assembled for it, to keep for the next preview.
    pub assembled: Option<(Album, Arc<Assembled>)>,
}

/// Renders the preview `which` of `album` (saved or to be saved at
/// `album_file`) on a worker, reusing `cached` when given.
pub fn render(
    album: Album,
    album_file: PathBuf,
    which: Which,
    cached: Option<Arc<Assembled>>,
    engine_rate: u32,
) -> Task<Result<Heard, String>> {
    let (tx, rx) = iced::futures::channel::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(heard(album, &album_file, which, cached, engine_rate));
    });
    Task::perform(
        async move { rx.await.unwrap_or_else(|_| Err("the preview stopped unexpectedly".into())) },
        |r| r,
    )
}

/// The preview, rendered here (on a worker thread).
pub fn heard(
    album: Album,
    album_file: &std::path::Path,
    which: Which,
    cached: Option<Arc<Assembled>>,
    engine_rate: u32,
) -> Result<Heard, String> {
    let fresh = cached.is_none();
    let assembled = match cached {
        Some(a) => a,
        None => Arc::new(album::assemble(&album, album_file, &mut |_| {}).map_err(|e| e.to_string())?),
    };
    let half = super::album_view::TRANSITION_SECONDS;
    let (chans, what) = match which {
        Which::Transition(i) => {
            let c = assembled
                .transition(i, half)
                .ok_or_else(|| format!("there is no transition into song {}", i + 1))?;
            let secs = c[0].len() as f64 / f64::from(assembled.rate);
            (c, format!("Transition {} → {} ({secs:.1} s)", i, i + 1))
        }
        Which::Album(lufs) => {
            let n = assembled.album_gain(lufs, Some(-1.0)).map_err(|e| e.to_string())?;
            let g = 10f64.powf(n.gain_db / 20.0) as f32;
            let mut c = assembled.slice(0, assembled.frames());
            for x in c.iter_mut().flatten() {
                *x *= g;
            }
            let what = format!("The album at {lufs} LUFS ({:+.1} dB on every song)", n.gain_db);
            (c, what)
        }
    };
    let [l, r] = chans;
    let chans = mixdesk_engine::media::resample(vec![l, r], assembled.rate, engine_rate)?;
    let frames = chans[0].len() as u64;
    let graph = one_track(chans, engine_rate)?;
    Ok(Heard {
        graph: Arc::new(Mutex::new(Some(graph))),
        frames,
        what,
        assembled: fresh.then_some((album, assembled)),
    })
}

/// A one-track session playing `chans` from 0, compiled at `rate`.
fn one_track(chans: Vec<Vec<f32>>, rate: u32) -> Result<Graph, String> {
    let frames = chans[0].len() as u64;
    let media: Arc<dyn AudioSource> = Arc::new(Media {
        channels: chans.into_iter().map(Vec::into_boxed_slice).collect(),
        sample_rate: rate,
        original: SourceFormat {
            sample_rate: rate,
            channels: 2,
            bits_per_sample: None,
            codec: "preview".into(),
        },
    });
    let mut session = Session::new(rate);
    session.tracks.push(Track::with_one_clip(1, "Preview", "preview".into(), SampleTime(frames)));
    compile(&session, &|_| Some(Arc::clone(&media)), 4096)
        .map_err(|e| format!("the preview cannot play: {e}"))
}

impl super::App {
    /// What the album view asks of the app: previews start and stop here.
    pub(super) fn album_message(&mut self, m: super::album_view::Message) -> Task<super::Message> {
        let Some(view) = self.album.as_mut() else { return Task::none() };
        let m = match m {
            super::album_view::Message::Browse if !self.dialogs => super::album_view::Message::NoDialog,
            m => m,
        };
        let (task, event) = view.update(m, self.audio.rate);
        match event {
            None => {}
            Some(super::album_view::Event::Play(heard)) => {
                self.audio.stop_preview(&self.doc.session, self.prefs.stop_at_end);
                let graph = heard.graph.lock().ok().and_then(|mut g| g.take());
                if let Some(graph) = graph
                    && let Err(e) = self.audio.preview(graph, heard.frames)
                {
                    view.said = Some(Err(e));
                }
            }
            Some(super::album_view::Event::Stop) => {
                return Task::batch([task.map(super::Message::Album), self.end_preview()]);
            }
            Some(super::album_view::Event::Closed) => {
                self.modal = None;
                return Task::batch([task.map(super::Message::Album), self.end_preview()]);
            }
        }
        task.map(super::Message::Album)
    }
}
