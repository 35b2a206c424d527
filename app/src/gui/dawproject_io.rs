//! DAWproject in the window: "Open DAWproject" makes a session of a
//! `.dawproject` (written beside it as `NAME.mixdesk`, its audio in `media/`,
//! a new name if that exists) and opens it; "Export DAWproject" writes the
//! open session as one. Both run on a worker; what the format cannot carry
//! is said in the note, as the command line says it on stderr.

use std::path::{Path, PathBuf};

use iced::Task;
use mixdesk_engine::{dawproject, session};

use super::Message;
use super::path_prompt::Ask;

/// A finished import or export: what to say, and for an import the session to open.
#[derive(Debug, Clone)]
pub struct Done {
    /// The session written by an import, to open.
    pub open: Option<PathBuf>,
    /// What happened, in words.
    pub said: String,
}

/// Asks which DAWproject to open.
pub fn choose_import() -> Task<Message> {
    super::files::ask(
        async {
            rfd::AsyncFileDialog::new()
                .add_filter("DAWproject", &["dawproject"])
                .pick_file()
                .await
                .map(|h| h.path().to_owned())
        },
        Message::DawprojectImportChosen,
        Message::NoDialog(Ask::ImportDawproject),
    )
}

/// Asks where to write the session as a DAWproject.
pub fn choose_export(dir: PathBuf, name: String) -> Task<Message> {
    super::files::ask(
        async move {
            rfd::AsyncFileDialog::new()
                .add_filter("DAWproject", &["dawproject"])
                .set_directory(dir)
                .set_file_name(format!("{name}.dawproject"))
                .save_file()
                .await
                .map(|h| h.path().to_owned())
        },
        Message::DawprojectExportChosen,
        Message::NoDialog(Ask::ExportDawproject),
    )
}

/// The first `NAME.mixdesk`, `NAME-2.mixdesk`, ... beside `project` that does not exist.
pub fn session_beside(project: &Path) -> PathBuf {
    let stem = project.file_stem().map_or_else(|| "imported".into(), |s| s.to_string_lossy().into_owned());
    let dir = project.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    (1..)
        .map(|n| {
            if n == 1 { dir.join(format!("{stem}.mixdesk")) } else { dir.join(format!("{stem}-{n}.mixdesk")) }
        })
        .find(|p| !p.exists())
        .expect("some name is free")
}

/// Makes a session of `project` on a worker.
pub fn import(project: PathBuf) -> Task<Message> {
    worker(move || {
        let out = session_beside(&project);
        let (s, lost) = dawproject::import(&project, &out).map_err(|e| e.to_string())?;
        session::save(&s, &out).map_err(|e| e.to_string())?;
        let mut said = format!("Opened {} as {}", name(&project), name(&out));
        if !lost.is_empty() {
            said.push_str(&format!("; not imported: {}", lost.join("; ")));
        }
        Ok(Done { open: Some(out), said })
    })
}

/// Writes `s` (whose media are relative to `dir`) to `out` on a worker.
pub fn export(s: session::Session, dir: PathBuf, out: PathBuf) -> Task<Message> {
    worker(move || {
        let lost = dawproject::export(&s, &dir, &out).map_err(|e| e.to_string())?;
        let mut said =
            format!("Exported {} ({} tracks, {} buses)", name(&out), s.tracks.len(), s.buses.len());
        if !lost.is_empty() {
            said.push_str(&format!("; not carried: {}", lost.join("; ")));
        }
        Ok(Done { open: None, said })
    })
}

fn name(p: &Path) -> String {
    p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn worker(f: impl FnOnce() -> Result<Done, String> + Send + 'static) -> Task<Message> {
    Task::perform(
        async move {
            let (tx, rx) = iced::futures::channel::oneshot::channel();
            std::thread::spawn(move || {
                let _ = tx.send(f());
            });
            rx.await.unwrap_or_else(|_| Err("the DAWproject worker stopped unexpectedly".into()))
        },
        Message::DawprojectDone,
    )
}
