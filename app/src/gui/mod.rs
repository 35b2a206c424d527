//! The desktop window (iced): a toolbar, the transport bar, the mixer and the
//! editor of the opened processor, with dialogs for export and preferences.
//!
//! [`App`] holds the document, the engine link and view state; messages nest
//! by area (`Message::Mixer`, `Message::Editor`, ...). Every edit goes through
//! the [`Document`] (one undo step per click, drag or typed value) and then
//! [`Audio::sync`], which sends what changed to the engine, so edits, undo and
//! redo are all heard at once. [`application`] builds the app for `main` and
//! the tests alike.

pub mod album_list;
pub mod album_play;
pub mod album_view;
pub mod arrange;
pub mod audio;
pub mod autosave;
pub mod dawproject_io;
pub mod document;
pub mod editor;
pub mod export;
pub mod export_presets;
pub mod files;
pub mod history_panel;
pub mod keys;
pub mod lifecycle;
mod message;
pub mod mixer;
pub mod monitor_panel;
pub mod monitor_refs;
pub mod notes_panel;
pub mod notices;
pub mod path_prompt;
pub mod plugin_windows;
pub mod prefs;
pub mod recovery;
pub mod relink_dialog;
pub mod session_panel;
pub mod side;
pub mod theme;
pub mod timeline;
pub mod transport;
pub mod versions_panel;
pub mod widget;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_album;
#[cfg(test)]
mod tests_dawproject;
#[cfg(test)]
mod tests_edits;
#[cfg(test)]
mod tests_export;
#[cfg(test)]
mod tests_export_presets;
#[cfg(test)]
mod tests_folders;
#[cfg(test)]
mod tests_groups;
#[cfg(test)]
mod tests_layout;
#[cfg(test)]
mod tests_monitor;
#[cfg(test)]
mod tests_narrow;
#[cfg(test)]
mod tests_notes;
#[cfg(test)]
mod tests_plugins;
#[cfg(test)]
mod tests_render;
#[cfg(test)]
mod tests_restore;
#[cfg(test)]
mod tests_safety;
#[cfg(test)]
mod tests_timeline;
#[cfg(test)]
mod tests_tracks;
#[cfg(test)]
mod tests_vca;

use std::path::PathBuf;
use std::time::Duration;

use iced::widget::{column, container, opaque, row, stack};
use iced::{Element, Length, Subscription, Task, Theme, keyboard, window};
use mixdesk_engine::session::{Session, StripRef};

use audio::{Audio, AudioSettings};
use document::Document;
use export::Export;
use prefs::Preferences;

pub use message::{After, Message, Modal, Page};

/// The app's state.
#[derive(Debug)]
pub struct App {
    /// Which main area is shown.
    pub page: Page,
    /// Timeline view state.
    pub timeline: timeline::TimelineUi,
    /// Waveform overviews.
    pub waves: timeline::waveforms::Waveforms,
    /// Controls held while their lane records, with the lane value when grabbed.
    touching: std::collections::HashMap<mixdesk_engine::session::ParamId, f64>,
    /// The session as the controls show it now: automated values at the playhead.
    shown: Option<Session>,
    /// The strip whose spectrum the analyzer overlays.
    tapped: Option<StripRef>,
    /// The open session.
    pub doc: Document,
    /// The engine link.
    pub audio: Audio,
    /// Mixer view state.
    pub mixer: mixer::MixerUi,
    /// The export dialog's fields (kept between openings).
    pub export: Option<Export>,
    /// The export dialog's delivery presets (kept between openings).
    pub presets: Option<export_presets::Presets>,
    /// The album view (kept between openings).
    pub album: Option<album_view::AlbumView>,
    /// The open dialog.
    pub modal: Option<Modal>,
    /// Preferences in effect.
    pub prefs: Preferences,
    /// Errors shown in the banner, newest last.
    pub errors: Vec<String>,
    /// A short note over the window that expires ("Saved demo.mixdesk").
    pub note: notices::Note,
    /// The side panel's tab, when it is shown.
    pub side: Option<side::Tab>,
    /// The versions panel.
    pub versions: versions_panel::Versions,
    /// The Monitor tab's reference slots being added and loaded.
    pub monitor: monitor_refs::References,
    /// The notes tab's filter.
    pub notes: notes_panel::Notes,
    /// Autosave of the open document.
    pub autosave: autosave::Autosave,
    /// Whether file dialogs can open (zenity or a desktop portal); without
    /// them New, Open, Save As and Import ask for a typed path.
    pub dialogs: bool,
    /// The window's size (for popups kept inside it).
    pub window: iced::Size,
    null_output: bool,
    /// Session templates (the Session tab, and the next New).
    pub templates: session_panel::Templates,
    /// Plugins' own windows.
    pub plugin_windows: plugin_windows::PluginWindows,
}

/// How the app starts.
#[derive(Debug, Clone)]
pub struct Launch {
    /// The session to open; `None` opens an empty untitled session.
    pub session: Option<PathBuf>,
    /// Never open an audio device (tests, screenshots on machines without sound).
    pub null_output: bool,
    /// Preferences to use instead of the saved ones (tests).
    pub prefs: Option<Preferences>,
}

impl App {
    /// Opens the session named in `launch` and starts the engine on it.
    pub fn boot(launch: Launch) -> (App, Task<Message>) {
        let prefs = launch.prefs.clone().unwrap_or_else(Preferences::load);
        let mut errors = Vec::new();
        let doc = match &launch.session {
            Some(path) => Document::open(path).unwrap_or_else(|e| {
                errors.push(format!("{e}"));
                Document::new(Session::new(48_000), None)
            }),
            None => Document::new(Session::new(48_000), None),
        };
        let settings = AudioSettings {
            device: prefs.device.clone(),
            buffer_frames: prefs.buffer_frames,
            null_output: launch.null_output,
        };
        let (mut audio, error) = Audio::start(&settings, doc.session.sample_rate);
        errors.extend(error);
        let task = audio.rebuild(&doc.session, doc.dir()).map(Message::Built);
        audio.set_loop(&doc.session);
        audio.set_end(&doc.session, prefs.stop_at_end);
        audio.set_monitor(&doc.session.monitor);
        let mut waves = timeline::waveforms::Waveforms::default();
        let wave_task = waves.request(&doc.session, &doc.dir()).map(Message::Waves);
        let task = Task::batch([task, wave_task]);
        let (config, user_dir) =
            (launch.prefs.is_none(), |name| Preferences::path().map(|p| p.with_file_name(name)));
        let mut app = App {
            page: Page::default(),
            timeline: timeline::TimelineUi::for_session(&doc.session),
            waves,
            touching: Default::default(),
            shown: None,
            tapped: None,
            side: None,
            versions: versions_panel::Versions::default(),
            monitor: monitor_refs::References::default(),
            notes: notes_panel::Notes::default(),
            autosave: autosave::Autosave::new(&doc, prefs.autosave.interval()),
            dialogs: files::dialogs_available(),
            window: iced::Size::new(1600.0, 1000.0),
            doc,
            audio,
            // Tests hand their own preferences and keep away from the user's folders.
            mixer: mixer::MixerUi::with_templates(config.then(|| user_dir("templates")).flatten()),
            templates: session_panel::Templates::in_dir(
                config.then(|| user_dir("session-templates")).flatten(),
            ),
            export: None,
            album: None,
            presets: None,
            modal: None,
            prefs,
            errors,
            note: notices::Note::default(),
            null_output: launch.null_output,
            plugin_windows: Default::default(),
        };
        app.offer_recovery();
        let follow = app.monitor_follows();
        (app, Task::batch([task, follow]))
    }

    /// "*demo - Mixdesk": the session name, a star while there are unsaved changes.
    pub fn title(&self) -> String {
        format!("{}{} - Mixdesk", if self.doc.is_dirty() { "*" } else { "" }, self.doc.name())
    }

    /// The theme chosen in Preferences.
    pub fn theme(&self) -> Theme {
        self.prefs.look.theme()
    }

    /// Applies one message, then sends the engine what the document says
    /// changed (its [`document::Outbox`]): typed edits go out as they are
    /// (values on the control plane), a change of shape compiles a new graph.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        let revision = self.doc.revision();
        let task = self.dispatch(message);
        let outbox = self.doc.take_outbox();
        if self.doc.revision() == revision && outbox == document::Outbox::default() {
            return task;
        }
        self.errors.extend(self.autosave.follow(&self.doc));
        for e in &outbox.edits {
            self.audio.apply(e, &self.doc.session);
        }
        self.refresh_shown(Some(&outbox));
        if !outbox.rebuild {
            return task;
        }
        self.audio.set_end(&self.doc.session, self.prefs.stop_at_end);
        // An undo or a whole-session edit may bring other monitor settings (or a new rate).
        self.audio.set_monitor(&self.doc.session.monitor);
        let waves = self.waves.request(&self.doc.session, &self.doc.dir()).map(Message::Waves);
        let build = self.audio.rebuild(&self.doc.session, self.doc.dir()).map(Message::Built);
        Task::batch([task, build, waves, self.monitor_follows()])
    }

    fn dispatch(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Mixer(m) => self.mixer_message(m),
            Message::Editor(editor::Message::LearnNoise(id)) => {
                self.mixer.learning = Some(id);
                editor::denoise::learn(self.doc.session.clone(), self.doc.dir(), id).map(Message::Editor)
            }
            Message::Editor(editor::Message::NoiseLearned(id, start, end, got)) => {
                self.mixer.learning = None;
                match got {
                    Ok(profile) => editor::apply_learned(&mut self.doc, id, start, end, &profile),
                    Err(e) => self.errors.push(format!("Learning the noise failed: {e}")),
                }
                Task::none()
            }
            Message::Editor(m) => {
                match editor::update(&mut self.doc, m) {
                    Some(editor::Event::Closed) => self.mixer.editor = None,
                    Some(editor::Event::Error(e)) => self.errors.push(e),
                    Some(editor::Event::PluginWindow(id)) => self.open_plugin_window(id),
                    None => {}
                }
                Task::none()
            }
            Message::Export(m) => self.export_message(m),
            Message::Album(m) => self.album_message(m),
            Message::Presets(m) => match self.presets.as_mut() {
                Some(p) => p.update(m, &mut self.doc).map(Message::Presets),
                None => Task::none(),
            },
            Message::AlbumOpened => {
                let (dir, name) = (self.doc.dir(), self.doc.name());
                self.album.get_or_insert_with(|| album_view::AlbumView::new(&dir, &name));
                self.modal = Some(Modal::Album);
                Task::none()
            }
            Message::Prefs(m) => self.prefs_message(m),
            Message::Timeline(m) => self.timeline_message(m),
            Message::Waves(loaded) => {
                self.waves.install(loaded);
                #[cfg(feature = "bench")]
                if let Some((took, files, cached)) = self.waves.take_finished()
                    && std::env::var_os("MIXDESK_REPORT_OPEN").is_some()
                {
                    // For `mixdesk bench stream --window`: the timeline is drawn with every waveform.
                    eprintln!(
                        "mixdesk: window ready: {files} waveform(s) in {:.2} s ({cached} from the cache)",
                        took.as_secs_f64()
                    );
                    if std::env::var_os("MIXDESK_EXIT_WHEN_READY").is_some() {
                        return iced::exit();
                    }
                }
                Task::none()
            }
            Message::PageChosen(p) => {
                self.page = p;
                Task::none()
            }
            Message::PageToggled => {
                self.page = if self.page == Page::Timeline { Page::Mixer } else { Page::Timeline };
                Task::none()
            }
            Message::Resized(size) => {
                self.window = size;
                let panel = if self.timeline.analyzer { timeline::analyzer::WIDTH } else { 0.0 };
                self.timeline.width =
                    (size.width - timeline::geometry::HEADER_WIDTH - panel - 14.0).max(100.0);
                self.timeline.height = (size.height - timeline::CHROME_HEIGHT).max(100.0);
                Task::none()
            }
            Message::History(m) => {
                history_panel::update(&mut self.doc, m);
                Task::none()
            }
            Message::SessionPanel(m) => self.session_panel(m),
            Message::Versions(m) => {
                self.versions.update(&mut self.doc, m);
                Task::none()
            }
            Message::Notes(m) => {
                let (task, event) = self.notes.update(m, &mut self.doc);
                let follow = match event {
                    Some(notes_panel::Event::Seek(at)) => self.timeline_message(timeline::Message::Seek(at)),
                    Some(notes_panel::Event::Said(said)) => {
                        self.note.set(said);
                        Task::none()
                    }
                    Some(notes_panel::Event::Error(e)) => {
                        self.errors.push(e);
                        Task::none()
                    }
                    None => Task::none(),
                };
                Task::batch([task.map(Message::Notes), follow])
            }
            Message::Recovery(m) => match self.modal.take() {
                Some(Modal::Recovery(prompt)) => self.recovered(prompt.answer(m)),
                other => {
                    self.modal = other;
                    Task::none()
                }
            },
            Message::Relink(m) => {
                let Some(Modal::Relink(d)) = self.modal.as_mut() else { return Task::none() };
                let (task, event) = d.update(m, &self.doc.session, self.doc.dir(), self.dialogs);
                if let Some(e) = event {
                    self.modal = None;
                    if let relink_dialog::Event::Relink(plan) = e {
                        let mut relinked = self.doc.session.clone();
                        let clips = mixdesk_engine::relink::apply(&mut relinked, &plan);
                        let edit = mixdesk_engine::edit::Edit::Session(Box::new(relinked));
                        self.doc.apply("relink", "Relink media", edit);
                        self.note.set(format!("Relinked {} file(s), {clips} clip(s)", plan.found.len()));
                    }
                }
                task.map(Message::Relink)
            }
            Message::Monitor(m) => {
                // What is heard, not the mix: saved with the session but not an undo step.
                let cx = monitor_refs::Context {
                    mix: monitor_refs::mix_for(&m, &self.doc),
                    audio: &mut self.audio,
                    dir: self.doc.dir(),
                    versions: &self.versions.list,
                    dialogs: self.dialogs,
                };
                let task = monitor_panel::update(&mut self.monitor, &mut self.doc.session.monitor, m, cx);
                self.audio.set_monitor(&self.doc.session.monitor);
                task.map(Message::Monitor)
            }
            Message::PanelToggled(tab) => {
                self.side = side::toggled(self.side, tab);
                if self.side == Some(side::Tab::Versions) {
                    self.versions.refresh(self.doc.path.as_deref());
                }
                Task::none()
            }
            Message::RelinkOpened => {
                self.modal = Some(Modal::Relink(relink_dialog::Dialog::default()));
                Task::none()
            }
            Message::New => self.unless_unsaved(After::New, |app| app.choose(path_prompt::Ask::New)),
            Message::NewChosen(path) => self.new_session(path),
            Message::Open => self.unless_unsaved(After::Open, |app| app.choose(path_prompt::Ask::Open)),
            Message::OpenChosen(path) => self.open(path),
            Message::Save => self.save(),
            Message::SaveAs => self.choose(path_prompt::Ask::SaveAs),
            Message::SaveAsChosen(path) => self.save_as(path),
            Message::Import => self.choose(path_prompt::Ask::Import),
            Message::ImportChosen(paths) => self.import(paths),
            Message::ImportReady(Ok(files)) => {
                files::add_tracks(&mut self.doc, &files);
                self.note.set(format!("Imported {} file(s) as tracks", files.len()));
                Task::none()
            }
            Message::ImportReady(Err(e)) => {
                self.errors.push(e);
                Task::none()
            }
            Message::FileDropped(path) => self.dropped(path),
            Message::DawprojectImport => self.unless_unsaved(After::ImportDawproject, |app| {
                app.choose(path_prompt::Ask::ImportDawproject)
            }),
            Message::DawprojectImportChosen(None) | Message::DawprojectExportChosen(None) => Task::none(),
            Message::DawprojectImportChosen(Some(p)) => {
                self.note.set("Reading the DAWproject…");
                dawproject_io::import(p)
            }
            Message::DawprojectExport => self.choose(path_prompt::Ask::ExportDawproject),
            Message::DawprojectExportChosen(Some(p)) => {
                self.note.set("Writing the DAWproject…");
                dawproject_io::export(self.doc.session.clone(), self.doc.dir(), p)
            }
            Message::DawprojectDone(Ok(done)) => {
                let task = self.open(done.open);
                self.note.set(done.said);
                task
            }
            Message::DawprojectDone(Err(e)) => {
                self.note.clear();
                self.errors.push(e);
                Task::none()
            }
            Message::ExportOpened => {
                if self.export.is_none() {
                    self.export = Some(Export::new(&self.doc.dir(), &self.doc.name()));
                }
                if self.presets.is_none() {
                    self.presets = Some(export_presets::Presets::new(&self.doc.dir(), &self.doc.session));
                }
                self.modal = Some(Modal::Export);
                Task::none()
            }
            Message::PreferencesOpened => {
                self.modal = Some(Modal::Preferences(prefs::Dialog::new(&self.prefs)));
                Task::none()
            }
            Message::Undo => {
                match self.doc.undo() {
                    Some(l) => self.note.set(format!("Undid: {l}")),
                    None => self.note.clear(),
                }
                Task::none()
            }
            Message::Redo => {
                match self.doc.redo() {
                    Some(l) => self.note.set(format!("Redid: {l}")),
                    None => self.note.clear(),
                }
                Task::none()
            }
            Message::PlayToggled => {
                if self.audio.playing {
                    self.audio.stop();
                } else {
                    // Stopped at the end: play again from the start, as a player does.
                    if self.audio.end().is_some_and(|end| end > 0 && self.audio.position >= end) {
                        self.audio.seek(0);
                    }
                    self.audio.play();
                }
                Task::none()
            }
            Message::Home => {
                self.audio.seek(0);
                Task::none()
            }
            Message::LoopToggled => self.toggle_loop(),
            Message::MuteSelected => self.selected(mixer::Message::MuteToggled),
            Message::SoloSelected => self.selected(mixer::Message::SoloToggled),
            Message::SelectStep(by) => {
                mixer::select_step(&self.doc.session, &mut self.mixer, by);
                Task::none()
            }
            Message::Modifiers(m) => {
                self.mixer.modifiers = m;
                Task::none()
            }
            Message::Tick => {
                self.audio.poll();
                let previewed = if self.audio.preview_done() { self.end_preview() } else { Task::none() };
                self.after_tick();
                self.note.expire(std::time::Instant::now());
                self.errors.extend(self.autosave.tick(&self.doc));
                let latency = std::mem::take(&mut self.audio.latency_changed);
                if std::mem::take(&mut self.audio.rate_changed) || latency {
                    // The device came back at another rate: compile at it;
                    // a plugin's latency changed: compile to compensate it.
                    return self.audio.rebuild(&self.doc.session, self.doc.dir()).map(Message::Built);
                }
                previewed
            }
            Message::Built(b) => {
                self.audio.install(b, &self.doc.session);
                Task::none()
            }
            Message::CloseRequested(id) => {
                if self.doc.is_dirty() {
                    self.modal = Some(Modal::Unsaved(After::Close(id)));
                    Task::none()
                } else {
                    window::close(id)
                }
            }
            Message::ConfirmSave => {
                let Some(Modal::Unsaved(after)) = self.modal.take() else { return Task::none() };
                if self.doc.path.is_none() {
                    return self.choose(path_prompt::Ask::SaveAs);
                }
                match self.doc.save() {
                    Ok(_) => self.proceed(after),
                    Err(e) => {
                        self.errors.push(e.to_string());
                        Task::none()
                    }
                }
            }
            Message::ConfirmDiscard => match self.modal.take() {
                Some(Modal::Unsaved(after)) => {
                    // The user chose to lose the changes: so goes their autosave.
                    self.errors.extend(self.autosave.discard());
                    self.proceed(after)
                }
                _ => Task::none(),
            },
            Message::ConfirmCancel => {
                self.modal = None;
                Task::none()
            }
            Message::ErrorDismissed => {
                self.errors.clear();
                self.audio.graph_error = None;
                self.audio.stream_error = None;
                Task::none()
            }
            Message::NoteDismissed => {
                self.note.clear();
                Task::none()
            }
            Message::NoDialog(ask) => {
                // It will not open next time either: ask for typed paths from now on.
                self.dialogs = false;
                self.prompt_path(ask)
            }
            Message::Path(m) => {
                let Some(Modal::Path(p)) = self.modal.as_mut() else { return Task::none() };
                match p.update(m) {
                    None => Task::none(),
                    Some(path_prompt::Event::Cancelled) => {
                        self.modal = None;
                        Task::none()
                    }
                    Some(path_prompt::Event::Chosen(ask, mut paths)) => {
                        self.modal = None;
                        let first = paths.first().cloned();
                        self.dispatch(match ask {
                            path_prompt::Ask::New => Message::NewChosen(first),
                            path_prompt::Ask::Open => Message::OpenChosen(first),
                            path_prompt::Ask::SaveAs => Message::SaveAsChosen(first),
                            path_prompt::Ask::Import => Message::ImportChosen(std::mem::take(&mut paths)),
                            path_prompt::Ask::ImportDawproject => Message::DawprojectImportChosen(first),
                            path_prompt::Ask::ExportDawproject => Message::DawprojectExportChosen(first),
                        })
                    }
                }
            }
        }
    }

    fn mixer_message(&mut self, m: mixer::Message) -> Task<Message> {
        if self.touch(&m) {
            return Task::none();
        }
        match mixer::update(&mut self.doc, &mut self.mixer, m) {
            mixer::Effect::None => {}
            mixer::Effect::ClipReset(r) => self.audio.reset_clip(r),
            mixer::Effect::Error(e) => self.errors.push(e),
            mixer::Effect::Note(n) => self.note.set(n),
        }
        Task::none()
    }

    fn selected(&mut self, f: fn(StripRef) -> mixer::Message) -> Task<Message> {
        match self.mixer.selected {
            Some(r) => self.mixer_message(f(r)),
            None => {
                self.note.set("Click a strip first to select it");
                Task::none()
            }
        }
    }

    fn toggle_loop(&mut self) -> Task<Message> {
        let end = self.doc.session.content_end();
        let mut l = self.doc.session.loop_range.unwrap_or(mixdesk_engine::session::LoopRange {
            start: mixdesk_engine::units::SampleTime::ZERO,
            end,
            enabled: false,
        });
        l.enabled = !l.enabled;
        self.doc.apply("loop", "Loop on/off", mixdesk_engine::edit::Edit::Loop(Some(l)));
        Task::none()
    }

    fn export_message(&mut self, m: export::Message) -> Task<Message> {
        let Some(export) = self.export.as_mut() else { return Task::none() };
        let m = match m {
            export::Message::Browse if !self.dialogs => export::Message::NoDialog,
            m => m,
        };
        let (task, close) = export.update(m, &self.doc.session, &self.doc.dir(), &self.doc.name());
        if close {
            self.modal = None;
        }
        task.map(Message::Export)
    }

    /// The window.
    pub fn view(&self) -> Element<'_, Message> {
        let looping = self.doc.session.loop_range.is_some_and(|l| l.enabled);
        let mut main = column![
            transport::toolbar(self.doc.undo_label(), self.doc.redo_label()),
            container(transport::bar(&self.audio, self.doc.session.tempo, looping, self.doc.undo_label()))
                .width(Length::Fill)
                .style(theme::panel),
        ];
        main = main.push(transport::tabs(self.page, self.mixer.narrow));
        let body: Element<'_, Message> = match self.page {
            Page::Timeline => timeline::view(
                &self.doc.session,
                &self.timeline,
                &self.mixer,
                &self.audio,
                &self.waves,
                self.doc.dir(),
                self.doc.revision(),
            )
            .map(Message::Timeline),
            Page::Mixer => {
                let shown = self.shown();
                // The editor opens between the strips and the master: the strips'
                // area narrows (and scrolls), the master stays where it was.
                let mut body = row![mixer::view(shown, &self.mixer, &self.audio).map(Message::Mixer)];
                if let Some(id) = self.mixer.editor {
                    let learning = self.mixer.learning == Some(id);
                    body = body.push(editor::view(shown, id, &self.audio, learning).map(Message::Editor));
                }
                body.push(mixer::master(shown, &self.mixer, &self.audio).map(Message::Mixer)).into()
            }
        };
        let mut body = row![container(body).width(Length::Fill)];
        if let Some(panel) = self.side.map(|tab| side::view(tab, self, self.audio.measured())) {
            body = body.push(panel);
        }
        main = main.push(body.height(Length::Fill));
        let base: Element<'_, Message> = container(main).width(Length::Fill).height(Length::Fill).into();
        // Messages and menus float on layers of their own: nothing under them moves.
        let mut layers = stack![base];
        if self.page == Page::Timeline
            && let Some(menu) = timeline::popup(&self.doc.session, &self.timeline, self.window)
        {
            layers = layers.push(menu.map(Message::Timeline));
        }
        let errors: Vec<&str> = self
            .errors
            .iter()
            .chain(self.audio.graph_error.as_ref())
            .chain(self.audio.stream_error.as_ref())
            .map(String::as_str)
            .collect();
        let relink = !self.audio.missing_media().is_empty();
        if let Some(messages) = notices::layer(self.note.text(), &errors, relink) {
            layers = layers.push(messages);
        }
        let base: Element<'_, Message> = layers.into();
        let dialog: Option<Element<'_, Message>> = match &self.modal {
            None => None,
            Some(Modal::Export) => self.export.as_ref().map(|e| {
                let mut both = row![e.view().map(Message::Export)].spacing(12);
                if let Some(p) = &self.presets {
                    both = both.push(p.view(&self.doc.session).map(Message::Presets));
                }
                both.into()
            }),
            Some(Modal::Album) => {
                let previewing = self.audio.previewing().is_some();
                self.album.as_ref().map(|a| a.view(previewing).map(Message::Album))
            }
            Some(Modal::Preferences(d)) => Some(d.view().map(Message::Prefs)),
            Some(Modal::Unsaved(_)) => Some(files::unsaved_view(&self.doc.name())),
            Some(Modal::Recovery(p)) => Some(p.view().map(Message::Recovery)),
            Some(Modal::Relink(d)) => Some(d.view().map(Message::Relink)),
            Some(Modal::Path(p)) => Some(p.view().map(Message::Path)),
        };
        match dialog {
            None => base,
            Some(d) => stack![base, opaque(container(d).center(Length::Fill).style(theme::backdrop))].into(),
        }
    }

    /// Keyboard shortcuts, window events, and ticks to read the engine.
    pub fn subscription(&self) -> Subscription<Message> {
        let keys = keyboard::listen().filter_map(|e| match e {
            keyboard::Event::KeyPressed { key, modifiers, .. } => keys::shortcut(&key, modifiers),
            keyboard::Event::ModifiersChanged(m) => Some(Message::Modifiers(m)),
            _ => None,
        });
        let windows = window::events().filter_map(|(id, e)| match e {
            window::Event::FileDropped(p) => Some(Message::FileDropped(p)),
            window::Event::CloseRequested => Some(Message::CloseRequested(id)),
            window::Event::Resized(size) => Some(Message::Resized(size)),
            _ => None,
        });
        let busy = self.audio.playing
            || self.audio.meters_active()
            || self.audio.opening.progress().is_some()
            || self.export.as_ref().is_some_and(Export::is_running)
            || self.album.as_ref().is_some_and(album_view::AlbumView::is_running)
            || self.presets.as_ref().is_some_and(export_presets::Presets::is_running)
            || self.plugin_windows.any();
        let every = if busy { Duration::from_millis(40) } else { Duration::from_millis(1000) };
        let ticks = iced::time::every(every).map(|_| Message::Tick);
        Subscription::batch([keys, windows, ticks])
    }
}

/// The app as `main` and the tests run it.
pub fn application(
    launch: Launch,
) -> iced::Application<impl iced::Program<Message = Message, Theme = Theme>> {
    iced::application(move || App::boot(launch.clone()), App::update, App::view)
        .title(App::title)
        .theme(App::theme)
        .subscription(App::subscription)
        .font(theme::FONT_BYTES)
        .default_font(theme::FONT)
        .window(window_settings())
}

/// The id desktops match the window to its desktop entry and icon by (the
/// Wayland app_id and the X11 WM_CLASS): the basename of
/// `packaging/linux/org.mixdesk.Mixdesk.desktop`.
pub const APP_ID: &str = "org.mixdesk.Mixdesk";

fn window_settings() -> window::Settings {
    window::Settings {
        size: iced::Size::new(1600.0, 1000.0),
        exit_on_close_request: false,
        #[cfg(target_os = "linux")]
        platform_specific: window::settings::PlatformSpecific {
            application_id: APP_ID.into(),
            ..Default::default()
        },
        ..window::Settings::default()
    }
}

/// Opens the window on `session` (or an empty session).
pub fn run(session: Option<PathBuf>) -> Result<(), String> {
    let has = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
    if !has("DISPLAY") && !has("WAYLAND_DISPLAY") {
        return Err(
            "there is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set). \
Run Mixdesk in a desktop session, or use the subcommands, which need no display: mixdesk --help"
                .into(),
        );
    }
    let null_output = std::env::var_os("MIXDESK_NULL_AUDIO").is_some_and(|v| v != "0");
    application(Launch { session, null_output, prefs: None }).run().map_err(|e| {
        format!("cannot open the window: {e}. Without a display, use the subcommands (mixdesk --help), e.g. mixdesk render or mixdesk play.")
    })
}
