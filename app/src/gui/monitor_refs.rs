//! The Monitor tab's reference slots: adding an audio file (the file dialog,
//! or the typed path where no dialog can open; an earlier bounce is a file
//! like any other), a saved mix version or a codec preview (the mix rendered
//! to an MP3 beside the session, `monitor::codec`), removing a slot, and sending the
//! chosen slot's graph to the engine. Loading (decoding, measuring as the
//! graph plays it, compiling) runs on a worker thread; each load carries a
//! stamp and a result older than the newest request is dropped.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use iced::Task;
use mixdesk_engine::graph::Graph;
use mixdesk_engine::monitor::codec::{codec_preview, preview_path};
use mixdesk_engine::monitor::{IrConvolver, MonitorSettings, ReferenceSlot, load_reference, reference_graph};
use mixdesk_engine::stems::{AUDIO_EXTENSIONS, relative_to};
use mixdesk_engine::versions::Version;

use super::audio::Audio;

/// The id of the typed-path field.
pub const FIELD: &str = "reference-path";
/// The id of the impulse response's path field.
pub const IR_FIELD: &str = "ir-path";
/// The largest block the impulse response is prepared for (it splits longer ones).
const IR_BLOCK: usize = 4096;

/// A graph on its way from the worker (messages must be `Clone`; it is taken once).
pub type GraphSlot = Arc<Mutex<Option<Graph>>>;

/// What a load is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A new slot, chosen once loaded.
    Add,
    /// The graph of slot `usize`, chosen already.
    Play(usize),
}

/// Work that writes the file a load then reads (the codec preview).
type Make = Box<dyn FnOnce() -> Result<(), String> + Send>;

/// A finished load: the slot measured (for [`Purpose::Add`]) and its graph,
/// or why not, in words naming the file.
pub type LoadResult = Result<(Option<ReferenceSlot>, GraphSlot), String>;

/// What the user did with the reference slots, or a load that finished.
#[derive(Debug, Clone)]
pub enum Message {
    /// The reference path was edited.
    PathTyped(String),
    /// Add the typed path (the Add button or Enter).
    AddTyped,
    /// Open the file dialog.
    Browse,
    /// The file dialog answered.
    Browsed(Option<PathBuf>),
    /// No file dialog could open.
    NoDialog,
    /// A saved mix version was chosen as a reference.
    VersionChosen(u32),
    /// Slot `usize` was removed.
    Removed(usize),
    /// Render the mix as an MP3 at this many kbit/s and add it as a slot.
    CodecPreview(u16),
    /// A load finished.
    Loaded(u64, Purpose, PathBuf, LoadResult),
    /// The impulse response path was edited.
    IrTyped(String),
    /// Load the typed impulse response and hear it.
    IrLoad,
    /// Stop hearing the impulse response.
    IrOff,
    /// An impulse response finished loading (or why not).
    IrLoaded(PathBuf, Result<IrSlot, String>),
}

/// An impulse response on its way from the worker (taken once).
pub type IrSlot = Arc<Mutex<Option<IrConvolver>>>;

/// The slots' state in the window.
#[derive(Debug, Default)]
pub struct References {
    /// The path typed so far.
    pub typed: String,
    /// What went wrong last, or what is loading.
    pub status: Option<String>,
    /// The file being loaded.
    pub loading: Option<PathBuf>,
    /// The impulse response path typed so far.
    pub ir_typed: String,
    /// The impulse response file being loaded.
    ir_loading: Option<PathBuf>,
    stamp: u64,
}

/// What an update may touch besides the settings.
pub struct Context<'a> {
    /// The engine link.
    pub audio: &'a mut Audio,
    /// The session's folder (slot paths are relative to it).
    pub dir: PathBuf,
    /// The saved mix versions.
    pub versions: &'a [Version],
    /// Whether file dialogs can open.
    pub dialogs: bool,
    /// The session and its name, for a codec preview (see [`mix_for`]).
    pub mix: Option<(mixdesk_engine::session::Session, String)>,
}

/// What a message needs of the session: a copy of it and its name for a
/// codec preview, nothing for the rest.
pub fn mix_for(
    m: &super::monitor_panel::Message,
    doc: &super::document::Document,
) -> Option<(mixdesk_engine::session::Session, String)> {
    let wants = matches!(m, super::monitor_panel::Message::Refs(Message::CodecPreview(_)));
    (wants && doc.path.is_some()).then(|| (doc.session.clone(), doc.name()))
}

impl References {
    /// Applies a message.
    pub fn update(&mut self, s: &mut MonitorSettings, m: Message, cx: Context<'_>) -> Task<Message> {
        match m {
            Message::PathTyped(t) => {
                self.typed = t;
                self.status = None;
                Task::none()
            }
            Message::AddTyped => {
                let typed = self.typed.trim();
                if typed.is_empty() {
                    self.status = Some("Type the path of an audio file or a saved mix (.mixdesk).".into());
                    return Task::none();
                }
                let path = cx.dir.join(typed);
                self.load(path, Purpose::Add, cx.audio.rate)
            }
            Message::Browse if !cx.dialogs => self.no_dialog(),
            Message::Browse => super::files::ask(
                async {
                    rfd::AsyncFileDialog::new()
                        .set_title("Add a reference track")
                        .add_filter(
                            "Audio or a saved mix",
                            &[AUDIO_EXTENSIONS.as_slice(), &["mixdesk"]].concat(),
                        )
                        .pick_file()
                        .await
                        .map(|h| h.path().to_owned())
                },
                Message::Browsed,
                Message::NoDialog,
            ),
            Message::Browsed(None) => Task::none(),
            Message::Browsed(Some(path)) => {
                self.typed = path.display().to_string();
                self.load(path, Purpose::Add, cx.audio.rate)
            }
            Message::NoDialog => self.no_dialog(),
            Message::VersionChosen(n) => match cx.versions.iter().find(|v| v.number == n) {
                Some(v) => self.load(v.path.clone(), Purpose::Add, cx.audio.rate),
                None => Task::none(),
            },
            Message::Removed(i) if i < s.references.len() => {
                s.references.remove(i);
                match s.reference {
                    Some(r) if r == i => {
                        s.reference = None;
                        self.send(cx.audio, None);
                    }
                    Some(r) if r > i => s.reference = Some(r - 1),
                    _ => {}
                }
                Task::none()
            }
            Message::Removed(_) => Task::none(),
            Message::IrTyped(t) => {
                self.ir_typed = t;
                Task::none()
            }
            Message::IrLoad => {
                let typed = self.ir_typed.trim();
                if typed.is_empty() {
                    self.status = Some("Type the path of an impulse response (a WAV file).".into());
                    return Task::none();
                }
                self.load_ir(cx.dir.join(typed), cx.audio.rate)
            }
            Message::IrOff => {
                s.ir = None;
                Task::none()
            }
            Message::IrLoaded(path, result) => {
                if self.ir_loading.as_deref() != Some(path.as_path()) {
                    return Task::none();
                }
                self.ir_loading = None;
                match result.map(|slot| slot.lock().ok().and_then(|mut c| c.take())) {
                    Ok(Some(c)) => {
                        let rel = relative_to(&path, &cx.dir);
                        cx.audio.set_monitor_ir(Some((cx.dir.join(&rel), c)));
                        s.ir = Some(rel);
                        self.status = None;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        self.status = Some(e);
                        if cx.audio.ir().is_none() {
                            s.ir = None;
                        }
                    }
                }
                Task::none()
            }
            Message::CodecPreview(kbps) => {
                let Some((session, name)) = cx.mix else {
                    self.status = Some("Save the session first: the preview is written beside it.".into());
                    return Task::none();
                };
                let out = preview_path(&cx.dir, &name, kbps);
                let (dir, target) = (cx.dir.clone(), out.clone());
                let make: Make = Box::new(move || {
                    codec_preview(&session, &dir, kbps, &target).map(drop).map_err(|e| e.to_string())
                });
                self.make_and_load(out, Purpose::Add, cx.audio.rate, Some(make))
            }
            Message::Loaded(stamp, purpose, path, result) => {
                if stamp != self.stamp {
                    return Task::none();
                }
                self.loading = None;
                match result {
                    Err(e) => {
                        self.status = Some(e);
                        // A slot that cannot play: back to the mix rather than silence.
                        if let Purpose::Play(i) = purpose
                            && s.reference == Some(i)
                        {
                            s.reference = None;
                        }
                    }
                    Ok((slot, graph)) => {
                        let graph = graph.lock().ok().and_then(|mut g| g.take());
                        match (purpose, slot) {
                            (Purpose::Add, Some(mut slot)) => {
                                slot.path = relative_to(&slot.path, &cx.dir);
                                // What `follow` will look for.
                                let heard = cx.dir.join(&slot.path);
                                s.references.push(slot);
                                s.reference = Some(s.references.len() - 1);
                                self.status = None;
                                self.send(cx.audio, graph.map(|g| (heard, g)));
                            }
                            (Purpose::Play(i), _) if s.reference == Some(i) => {
                                self.send(cx.audio, graph.map(|g| (path, g)));
                            }
                            _ => {}
                        }
                    }
                }
                Task::none()
            }
        }
    }

    /// Loads the impulse response at `path` on a worker thread.
    fn load_ir(&mut self, path: PathBuf, rate: u32) -> Task<Message> {
        self.ir_loading = Some(path.clone());
        Task::perform(
            async move {
                let (tx, rx) = iced::futures::channel::oneshot::channel();
                let p = path.clone();
                std::thread::spawn(move || {
                    let r = IrConvolver::load(&p, rate, IR_BLOCK).map(|c| Arc::new(Mutex::new(Some(c))));
                    let _ = tx.send(r.map_err(|e| e.to_string()));
                });
                let result = rx.await.unwrap_or_else(|_| {
                    Err(format!("loading the impulse response {} stopped unexpectedly", path.display()))
                });
                (path, result)
            },
            |(path, result)| Message::IrLoaded(path, result),
        )
    }

    /// Makes sure the engine holds the chosen slot's graph and the impulse
    /// response the settings name (loading them when it holds others or none).
    pub fn follow(&mut self, s: &MonitorSettings, audio: &mut Audio, dir: &Path) -> Task<Message> {
        let ir = match &s.ir {
            Some(p) if audio.ir() != Some(dir.join(p).as_path()) && self.ir_loading.is_none() => {
                self.load_ir(dir.join(p), audio.rate)
            }
            _ => Task::none(),
        };
        Task::batch([ir, self.follow_reference(s, audio, dir)])
    }

    fn follow_reference(&mut self, s: &MonitorSettings, audio: &mut Audio, dir: &Path) -> Task<Message> {
        let Some(i) = s.reference else { return Task::none() };
        let Some(slot) = s.references.get(i) else { return Task::none() };
        let path = dir.join(&slot.path);
        if audio.reference() == Some(path.as_path()) || self.loading.as_deref() == Some(path.as_path()) {
            return Task::none();
        }
        self.load(path, Purpose::Play(i), audio.rate)
    }

    fn send(&mut self, audio: &mut Audio, graph: Option<(PathBuf, Graph)>) {
        if let Err(e) = audio.set_reference(graph) {
            self.status = Some(e);
        }
    }

    fn no_dialog(&mut self) -> Task<Message> {
        self.status = Some(format!("{} Type the path above.", super::path_prompt::NO_DIALOG));
        iced::widget::operation::focus(iced::widget::Id::new(FIELD))
    }

    /// Loads `path` on a worker thread.
    fn load(&mut self, path: PathBuf, purpose: Purpose, rate: u32) -> Task<Message> {
        self.make_and_load(path, purpose, rate, None)
    }

    /// Runs `make` (which writes `path`), then loads `path`, on a worker thread.
    fn make_and_load(
        &mut self,
        path: PathBuf,
        purpose: Purpose,
        rate: u32,
        make: Option<Make>,
    ) -> Task<Message> {
        self.stamp += 1;
        let stamp = self.stamp;
        self.loading = Some(path.clone());
        let name =
            path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into());
        self.status = Some(format!("Loading {name}…"));
        Task::perform(
            async move {
                let (tx, rx) = iced::futures::channel::oneshot::channel();
                let p = path.clone();
                std::thread::spawn(move || {
                    let slot = |g| Arc::new(Mutex::new(Some(g)));
                    let result = make.map_or(Ok(()), |make| make()).and_then(|()| {
                        match purpose {
                            Purpose::Add => load_reference(&p, rate).map(|(s, g)| (Some(s), slot(g))),
                            Purpose::Play(_) => reference_graph(&p, rate).map(|g| (None, slot(g))),
                        }
                        .map_err(|e| e.to_string())
                    });
                    let _ = tx.send(result);
                });
                let result = rx.await.unwrap_or_else(|_| {
                    Err(format!("loading the reference {} stopped unexpectedly", path.display()))
                });
                (path, result)
            },
            move |(path, result)| Message::Loaded(stamp, purpose, path, result),
        )
    }
}

impl super::App {
    /// Loads the chosen reference slot's graph for the engine when it holds
    /// another or none (after a session opens, an undo, a new engine).
    /// Ends an album preview, if one plays, and brings the monitor's own
    /// reference back into the engine (the preview took its place).
    pub(super) fn end_preview(&mut self) -> Task<super::Message> {
        if self.audio.stop_preview(&self.doc.session, self.prefs.stop_at_end) {
            self.monitor_follows()
        } else {
            Task::none()
        }
    }

    pub(super) fn monitor_follows(&mut self) -> Task<super::Message> {
        let dir = self.doc.dir();
        self.monitor
            .follow(&self.doc.session.monitor, &mut self.audio, &dir)
            .map(|m| super::Message::Monitor(super::monitor_panel::Message::Refs(m)))
    }
}
