//! File commands: the rfd dialogs (as async tasks, so `update` never blocks),
//! importing audio files as tracks, and the unsaved-changes question.
//!
//! Imported files outside the session's folder are copied into its `media/`
//! folder first (as Ardour does by default), so the session folder holds
//! everything it needs; decoding to learn each file's length runs on a worker.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use iced::widget::{button, column, container, row, text};
use iced::{Element, Length, Task};
use mixdesk_engine::edit::{Edit, TrackAt};
use mixdesk_engine::session::Track;
use mixdesk_engine::stems::{AUDIO_EXTENSIONS, least_used_colour, relative_to, strip_colours};
use mixdesk_engine::units::SampleTime;

use super::Message;
use super::document::Document;
use super::path_prompt::Ask;
use super::theme::{self, Tone};

/// A dialog that answers "nothing chosen" sooner than this did not open
/// (rfd found neither a portal nor zenity): no one cancels a dialog this fast.
pub const FAILED_FAST: Duration = Duration::from_millis(250);

/// Whether a file dialog can open here: zenity is on the PATH, or there is a
/// D-Bus session bus for an XDG desktop portal. Without both, rfd answers
/// "nothing chosen" at once; the window then asks for a typed path instead.
pub fn dialogs_available() -> bool {
    let on_path = |name: &str| {
        std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
    };
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|a| !a.is_empty())
        || std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|d| Path::new(&d).join("bus").exists());
    on_path("zenity") || bus
}

/// Runs a dialog as a task; "nothing chosen" within [`FAILED_FAST`] means no
/// dialog opened, and becomes `failed` instead of `done(None)`.
pub fn ask<T: Send + 'static, M: Send + 'static>(
    dialog: impl Future<Output = Option<T>> + Send + 'static,
    done: impl FnOnce(Option<T>) -> M + Send + 'static,
    failed: M,
) -> Task<M> {
    Task::perform(
        async move {
            let start = Instant::now();
            let answer = dialog.await;
            (answer, start.elapsed())
        },
        move |(answer, took)| match answer {
            None if took < FAILED_FAST => failed,
            answer => done(answer),
        },
    )
}

fn session_filter(d: rfd::AsyncFileDialog) -> rfd::AsyncFileDialog {
    d.add_filter("Mixdesk session", &["mixdesk"])
}

/// Asks where to create a new session.
pub fn choose_new() -> Task<Message> {
    ask(
        async {
            session_filter(
                rfd::AsyncFileDialog::new().set_title("Create a session").set_file_name("untitled.mixdesk"),
            )
            .save_file()
            .await
            .map(|h| h.path().to_owned())
        },
        Message::NewChosen,
        Message::NoDialog(Ask::New),
    )
}

/// Asks which session to open.
pub fn choose_open() -> Task<Message> {
    ask(
        async { session_filter(rfd::AsyncFileDialog::new()).pick_file().await.map(|h| h.path().to_owned()) },
        Message::OpenChosen,
        Message::NoDialog(Ask::Open),
    )
}

/// Asks where to save.
pub fn choose_save_as(doc: &Document) -> Task<Message> {
    let name = format!("{}.mixdesk", doc.name());
    let dir = doc.dir();
    ask(
        async move {
            session_filter(rfd::AsyncFileDialog::new().set_directory(dir).set_file_name(name))
                .save_file()
                .await
                .map(|h| h.path().to_owned())
        },
        Message::SaveAsChosen,
        Message::NoDialog(Ask::SaveAs),
    )
}

/// Asks which audio files to import.
pub fn choose_import() -> Task<Message> {
    ask(
        async {
            rfd::AsyncFileDialog::new()
                .add_filter("Audio", &AUDIO_EXTENSIONS)
                .pick_files()
                .await
                .map(|v| v.into_iter().map(|h| h.path().to_owned()).collect::<Vec<_>>())
        },
        |paths| Message::ImportChosen(paths.unwrap_or_default()),
        Message::NoDialog(Ask::Import),
    )
}

/// A file ready to become a track.
#[derive(Debug, Clone)]
pub struct Imported {
    /// Where it is now (inside the session folder when the session has one).
    pub path: PathBuf,
    /// Its length at the session rate.
    pub frames: u64,
}

/// Copies (when needed) and prepares `paths` for streaming on a worker
/// thread, several files at once; `progress` counts them.
pub fn prepare_import(
    paths: Vec<PathBuf>,
    dir: Option<PathBuf>,
    rate: u32,
    progress: Arc<crate::gui::audio::Opening>,
) -> Task<Message> {
    Task::perform(
        async move {
            let (tx, rx) = iced::futures::channel::oneshot::channel();
            std::thread::spawn(move || {
                let _ = tx.send(import_files(&paths, dir.as_deref(), rate, &progress));
                progress.finish();
            });
            rx.await.unwrap_or_else(|_| Err("the import stopped unexpectedly".into()))
        },
        Message::ImportReady,
    )
}

/// Checks and copies each file, then makes every one ready to stream (a
/// compressed file or one at another rate is converted once into the
/// session's cache, in parallel): its length at the session rate. The first
/// failure names its file and nothing is imported.
pub fn import_files(
    paths: &[PathBuf],
    dir: Option<&Path>,
    rate: u32,
    progress: &crate::gui::audio::Opening,
) -> Result<Vec<Imported>, String> {
    let mut copied = Vec::new();
    for p in paths {
        let ext = p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
        if !AUDIO_EXTENSIONS.contains(&ext.as_str()) {
            return Err(format!(
                "{} is not an audio file Mixdesk reads ({}); nothing was imported",
                p.display(),
                AUDIO_EXTENSIONS.join(", ")
            ));
        }
        copied.push(match dir {
            Some(d) if !inside(p, d) => copy_into(p, &d.join("media"))?,
            _ => p.clone(),
        });
    }
    let cache_dir = dir
        .map_or_else(|| copied.first().and_then(|p| p.parent()).map(Path::to_owned), |d| Some(d.to_owned()));
    let cache_dir = cache_dir.unwrap_or_else(|| PathBuf::from("."));
    progress.start(copied.len());
    use rayon::prelude::*;
    copied
        .par_iter()
        .map(|path| {
            let r = mixdesk_engine::streaming::prepare_file(path, rate, &cache_dir)
                .map(|(frames, _)| Imported { path: path.clone(), frames })
                .map_err(|e| format!("{e}; nothing was imported"));
            progress.step();
            r
        })
        .collect()
}

fn inside(p: &Path, dir: &Path) -> bool {
    match (std::fs::canonicalize(p), std::fs::canonicalize(dir)) {
        (Ok(p), Ok(d)) => p.starts_with(d),
        _ => false,
    }
}

/// Copies `p` into `media`, under a name not yet taken there.
fn copy_into(p: &Path, media: &Path) -> Result<PathBuf, String> {
    std::fs::create_dir_all(media).map_err(|e| {
        format!("cannot create {}: {e}; check the session folder is writable", media.display())
    })?;
    let name = p.file_name().ok_or_else(|| format!("{} is not a file", p.display()))?;
    let mut target = media.join(name);
    let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = p.extension().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut n = 2;
    while target.exists() {
        target = media.join(format!("{stem}-{n}.{ext}"));
        n += 1;
    }
    std::fs::copy(p, &target).map_err(|e| {
        let _ = std::fs::remove_file(&target);
        format!("cannot copy {} into {}: {e}; check free disk space", p.display(), media.display())
    })?;
    Ok(target)
}

/// Adds one track per imported file, as one undo step.
pub fn add_tracks(doc: &mut Document, files: &[Imported]) {
    let dir = doc.dir();
    let relative = doc.path.is_some();
    let label = if files.len() == 1 {
        "Imported 1 file".to_owned()
    } else {
        format!("Imported {} files", files.len())
    };
    let s = &doc.session;
    let mut next = s.next_id();
    let mut colours: Vec<_> = strip_colours(s).collect();
    let mut edits = Vec::new();
    for (k, f) in files.iter().enumerate() {
        let n = s.tracks.len() + k;
        let name = f
            .path
            .file_stem()
            .map_or_else(|| format!("Track {}", n + 1), |x| x.to_string_lossy().into_owned());
        let media = if relative { relative_to(&f.path, &dir) } else { f.path.clone() };
        // A track and its clip take two ids.
        let mut t = Track::with_one_clip(next, name, media, SampleTime(f.frames));
        next += 2;
        t.colour = least_used_colour(colours.clone());
        colours.push(t.colour);
        edits.push(Edit::Track(t.id, Some(TrackAt { index: usize::MAX, track: t })));
    }
    doc.apply_all("import", label, edits);
}

/// "Save changes to NAME before ...?"
pub fn unsaved_view<'a>(name: &str) -> Element<'a, Message> {
    container(
        column![
            text(format!("Save the changes to {name}?")).size(18),
            text("Your changes will be lost if you don't save them.").size(13),
            row![
                button(text("Save").size(14))
                    .padding([6, 18])
                    .style(theme::button(Tone::Accent, true))
                    .on_press(Message::ConfirmSave),
                button(text("Don't save").size(14))
                    .padding([6, 18])
                    .style(theme::button(Tone::Danger, false))
                    .on_press(Message::ConfirmDiscard),
                button(text("Cancel").size(14))
                    .padding([6, 18])
                    .style(theme::button(Tone::Plain, false))
                    .on_press(Message::ConfirmCancel),
            ]
            .spacing(8),
        ]
        .spacing(12),
    )
    .padding(16)
    .width(Length::Fixed(480.0))
    .style(theme::dialog)
    .into()
}
