//! The document's lifecycle in the window: new, open, save, save as, import
//! and dropped files, and the unsaved-changes question before any of them
//! replaces the open session.

use std::path::PathBuf;

use iced::{Task, window};
use mixdesk_engine::session::Session;

use super::document::Document;
use super::path_prompt::Ask;
use super::{
    After, App, Message, Modal, autosave, files, mixer, path_prompt, recovery, timeline, versions_panel,
};

impl App {
    /// Runs `then` now, or first asks whether to save unsaved changes.
    pub(super) fn unless_unsaved(
        &mut self,
        after: After,
        then: impl FnOnce(&mut App) -> Task<Message>,
    ) -> Task<Message> {
        if self.doc.is_dirty() {
            self.modal = Some(Modal::Unsaved(after));
            Task::none()
        } else {
            then(self)
        }
    }

    /// Opens the file dialog for `ask`, or the typed-path prompt where no
    /// dialog can open.
    pub(super) fn choose(&mut self, ask: Ask) -> Task<Message> {
        if !self.dialogs {
            return self.prompt_path(ask);
        }
        match ask {
            Ask::New => files::choose_new(),
            Ask::Open => files::choose_open(),
            Ask::SaveAs => files::choose_save_as(&self.doc),
            Ask::Import => files::choose_import(),
            Ask::ImportDawproject => super::dawproject_io::choose_import(),
            Ask::ExportDawproject => super::dawproject_io::choose_export(self.doc.dir(), self.doc.name()),
        }
    }

    pub(super) fn proceed(&mut self, after: After) -> Task<Message> {
        self.modal = None;
        match after {
            After::Close(id) => window::close(id),
            After::New => self.choose(Ask::New),
            After::Open => self.choose(Ask::Open),
            After::ImportDawproject => self.choose(Ask::ImportDawproject),
        }
    }

    /// Replaces the document (after New or Open) and rebuilds the engine's graph.
    pub(super) fn replace(&mut self, doc: Document) -> Task<Message> {
        self.audio.stop();
        // The windows belong to the old session's inserts.
        self.plugin_windows.windows.close_all();
        self.doc = doc;
        self.autosave = autosave::Autosave::new(&self.doc, self.prefs.autosave.interval());
        self.versions = versions_panel::Versions::default();
        self.versions.refresh(self.doc.path.as_deref());
        self.mixer = mixer::MixerUi::default();
        let width = self.timeline.width;
        self.timeline = timeline::TimelineUi::for_session(&self.doc.session);
        self.timeline.width = width;
        self.timeline.fit(&self.doc.session);
        self.waves = timeline::waveforms::Waveforms::default();
        self.shown = None;
        self.export = None;
        self.audio.meters.clear();
        self.audio.seek(0);
        self.audio.set_loop(&self.doc.session);
        self.audio.set_end(&self.doc.session, self.prefs.stop_at_end);
        self.audio.set_monitor(&self.doc.session.monitor);
        self.monitor = super::monitor_refs::References::default();
        let waves = self.waves.request(&self.doc.session, &self.doc.dir()).map(Message::Waves);
        let build = self.audio.rebuild(&self.doc.session, self.doc.dir()).map(Message::Built);
        Task::batch([build, waves, self.monitor_follows()])
    }

    /// What the Session tab asks of the app.
    pub(super) fn session_panel(&mut self, m: super::session_panel::Message) -> Task<Message> {
        use super::session_panel::{Event, update};
        match update(&mut self.doc, m) {
            Some(Event::Seek(at)) => self.timeline_message(super::timeline::Message::Seek(at)),
            Some(Event::SaveTemplate) => {
                match self.templates.save(&self.doc) {
                    Ok(note) => self.note.set(note),
                    Err(e) => self.errors.push(e),
                }
                Task::none()
            }
            Some(Event::NewFrom(template)) => {
                self.templates.pending = Some(template);
                self.update(Message::New)
            }
            None => Task::none(),
        }
    }

    pub(super) fn new_session(&mut self, path: Option<PathBuf>) -> Task<Message> {
        let template = self.templates.pending.take();
        let Some(path) = path else { return Task::none() };
        let session = match template.as_deref().map(mixdesk_engine::session_templates::start_from) {
            Some(Ok(s)) => s,
            Some(Err(e)) => {
                self.errors.push(format!("The session template did not open: {e}"));
                return Task::none();
            }
            None => Session::new(48_000),
        };
        let mut doc = Document::new(session, None);
        match doc.save_as(&path) {
            Ok(p) => {
                self.note.set(format!("Created {}", p.display()));
                self.replace(doc)
            }
            Err(e) => {
                self.errors.push(format!("{e}"));
                Task::none()
            }
        }
    }

    pub(super) fn open(&mut self, path: Option<PathBuf>) -> Task<Message> {
        let Some(path) = path else { return Task::none() };
        match Document::open(&path) {
            Ok(doc) => {
                let task = self.replace(doc);
                self.offer_recovery();
                task
            }
            Err(e) => {
                self.errors.push(format!("{e}"));
                Task::none()
            }
        }
    }

    pub(super) fn save(&mut self) -> Task<Message> {
        if self.doc.path.is_none() {
            return self.choose(Ask::SaveAs);
        }
        match self.doc.save() {
            Ok(p) => self.note.set(format!("Saved {}", p.display())),
            Err(e) => self.errors.push(format!("{e}")),
        }
        Task::none()
    }

    pub(super) fn save_as(&mut self, path: Option<PathBuf>) -> Task<Message> {
        let Some(path) = path else { return Task::none() };
        match self.doc.save_as(&path) {
            Ok(p) => {
                self.note.set(format!("Saved {}", p.display()));
                if let Some(Modal::Unsaved(after)) = self.modal.take() {
                    return self.proceed(after);
                }
            }
            Err(e) => self.errors.push(format!("{e}")),
        }
        Task::none()
    }

    pub(super) fn import(&mut self, paths: Vec<PathBuf>) -> Task<Message> {
        if paths.is_empty() {
            return Task::none();
        }
        let dir = self.doc.path.is_some().then(|| self.doc.dir());
        files::prepare_import(
            paths,
            dir,
            self.doc.session.sample_rate,
            std::sync::Arc::clone(&self.audio.opening),
        )
    }

    pub(super) fn dropped(&mut self, path: PathBuf) -> Task<Message> {
        if path.extension().is_some_and(|e| e == "mixdesk") {
            return self.unless_unsaved(After::Open, |_| Task::done(Message::OpenChosen(Some(path.clone()))));
        }
        self.import(vec![path])
    }

    /// Shows the typed-path prompt for `ask` (no file dialog could open).
    pub(super) fn prompt_path(&mut self, ask: Ask) -> Task<Message> {
        self.modal = Some(Modal::Path(path_prompt::Prompt::new(ask, &self.doc.dir(), &self.doc.name())));
        path_prompt::Prompt::focus()
    }

    /// Offers the autosave of the open document's file (or of the untitled
    /// session), if there is one worth offering.
    pub(super) fn offer_recovery(&mut self) {
        match recovery::offer(self.doc.path.as_deref()) {
            Ok(Some(prompt)) => self.modal = Some(Modal::Recovery(Box::new(prompt))),
            Ok(None) => {}
            Err(e) => self.errors.push(e),
        }
    }

    /// Does what the answer to the recovery prompt asks.
    pub(super) fn recovered(&mut self, answer: recovery::Event) -> Task<Message> {
        match answer {
            recovery::Event::Recover(doc) => {
                self.note.set("Recovered the autosave: save to keep it");
                // The sidecar already holds this state; it goes when the user saves.
                self.replace(*doc)
            }
            recovery::Event::Discarded(error) => {
                self.errors.extend(error);
                Task::none()
            }
            recovery::Event::Later => Task::none(),
        }
    }
}

/// Preferences applied, and the engine restarted on a new device or buffer.
impl App {
    pub(super) fn prefs_message(&mut self, m: super::prefs::Message) -> Task<super::Message> {
        let Some(super::Modal::Preferences(dialog)) = self.modal.as_mut() else { return Task::none() };
        match m {
            super::prefs::Message::DeviceChosen(d) => dialog.prefs.device = d.id,
            super::prefs::Message::BufferChosen(b) => dialog.prefs.buffer_frames = b,
            super::prefs::Message::LookChosen(l) => dialog.prefs.look = l,
            super::prefs::Message::AutosaveChosen(a) => dialog.prefs.autosave = a,
            super::prefs::Message::StopAtEndToggled(on) => dialog.prefs.stop_at_end = on,
            super::prefs::Message::Closed => self.modal = None,
            super::prefs::Message::Applied => {
                let new = dialog.prefs.clone();
                self.modal = None;
                let restart =
                    new.device != self.prefs.device || new.buffer_frames != self.prefs.buffer_frames;
                self.prefs = new;
                self.autosave.set_interval(self.prefs.autosave.interval());
                self.audio.set_end(&self.doc.session, self.prefs.stop_at_end);
                if let Err(e) = self.prefs.save() {
                    self.errors.push(e);
                }
                if restart {
                    return self.restart_audio();
                }
            }
        }
        Task::none()
    }

    /// Restarts the engine with the preferences' device and buffer, keeping the session.
    pub(super) fn restart_audio(&mut self) -> Task<super::Message> {
        let settings = super::audio::AudioSettings {
            device: self.prefs.device.clone(),
            buffer_frames: self.prefs.buffer_frames,
            null_output: self.null_output,
        };
        let position = self.audio.position;
        self.audio.stop();
        // Close the old engine first so the device is free for the new one.
        self.audio.shutdown();
        let (audio, error) = super::audio::Audio::start(&settings, self.doc.session.sample_rate);
        self.audio = audio;
        self.errors.extend(error);
        self.audio.seek(position);
        self.audio.set_loop(&self.doc.session);
        self.audio.set_end(&self.doc.session, self.prefs.stop_at_end);
        self.audio.set_monitor(&self.doc.session.monitor);
        let follow = self.monitor_follows();
        Task::batch([
            self.audio.rebuild(&self.doc.session, self.doc.dir()).map(super::Message::Built),
            follow,
        ])
    }
}
