//! What the window's messages are, and the app-level choices they refer to
//! (which dialog is over the window, which page is shown, what to do after
//! the unsaved-changes question).

use std::path::PathBuf;

use iced::window;

use super::{
    audio, dawproject_io, editor, export, files, history_panel, mixer, notes_panel, path_prompt, prefs,
    recovery, relink_dialog, session_panel, side, timeline, versions_panel,
};

/// What happened in the window.
#[derive(Debug, Clone)]
pub enum Message {
    /// Something in the mixer.
    Mixer(mixer::Message),
    /// Something in the processor editor.
    Editor(editor::Message),
    /// Something in the export dialog.
    Export(export::Message),
    /// Something in the export dialog's delivery presets.
    Presets(super::export_presets::Message),
    /// Something in the album view.
    Album(super::album_view::Message),
    /// Open the album view.
    AlbumOpened,
    /// Something in the preferences dialog.
    Prefs(prefs::Message),
    /// Something on the timeline.
    Timeline(timeline::Message),
    /// A waveform overview is ready.
    Waves(timeline::waveforms::Loaded),
    /// Show the timeline or the mixer.
    PageChosen(Page),
    /// Switch between the timeline and the mixer.
    PageToggled,
    /// The window changed size.
    Resized(iced::Size),
    /// Something in the history panel.
    History(history_panel::Message),
    /// Something in the Session tab (pan law, groups).
    SessionPanel(session_panel::Message),
    /// Something in the versions panel.
    Versions(versions_panel::Message),
    /// The notes tab of the side panel.
    Notes(notes_panel::Message),
    /// The monitor tab of the side panel.
    Monitor(super::monitor_panel::Message),
    /// The recovery prompt was answered.
    Recovery(recovery::Message),
    /// Something in the relink dialog.
    Relink(relink_dialog::Message),
    /// Show or hide a tab of the side panel.
    PanelToggled(side::Tab),
    /// Open the relink dialog.
    RelinkOpened,
    /// New session (asks to save first if there are unsaved changes).
    New,
    /// The "create session" dialog answered.
    NewChosen(Option<PathBuf>),
    /// Open a session.
    Open,
    /// The open dialog answered.
    OpenChosen(Option<PathBuf>),
    /// Save.
    Save,
    /// Save under another name.
    SaveAs,
    /// The save dialog answered.
    SaveAsChosen(Option<PathBuf>),
    /// Import audio files as tracks.
    Import,
    /// The import dialog answered, or files were dropped on the window.
    ImportChosen(Vec<PathBuf>),
    /// Imported files were copied and decoded (or one could not be).
    ImportReady(Result<Vec<files::Imported>, String>),
    /// A file was dropped on the window.
    FileDropped(PathBuf),
    /// Open the export dialog.
    ExportOpened,
    /// Make a session of a DAWproject and open it (asks to save first).
    DawprojectImport,
    /// The DAWproject to import was chosen.
    DawprojectImportChosen(Option<PathBuf>),
    /// Write the session as a DAWproject.
    DawprojectExport,
    /// Where to write the DAWproject was chosen.
    DawprojectExportChosen(Option<PathBuf>),
    /// A DAWproject import or export finished.
    DawprojectDone(Result<dawproject_io::Done, String>),
    /// Open the preferences.
    PreferencesOpened,
    /// Undo the last step.
    Undo,
    /// Redo the last undone step.
    Redo,
    /// Play or stop.
    PlayToggled,
    /// Return to the start.
    Home,
    /// Switch looping.
    LoopToggled,
    /// Mute the selected strip.
    MuteSelected,
    /// Arrow keys: select the previous (-1) or next (1) track or bus.
    SelectStep(i32),
    /// The keyboard modifiers held changed (Ctrl/Shift-clicks select several strips).
    Modifiers(iced::keyboard::Modifiers),
    /// Solo the selected strip.
    SoloSelected,
    /// Time to read the engine's news and redraw meters.
    Tick,
    /// A graph finished compiling.
    Built(audio::Built),
    /// The window manager asked to close the window.
    CloseRequested(window::Id),
    /// "Save" in the unsaved-changes question.
    ConfirmSave,
    /// "Don't save" in the unsaved-changes question.
    ConfirmDiscard,
    /// "Cancel" in the unsaved-changes question.
    ConfirmCancel,
    /// The error card was closed.
    ErrorDismissed,
    /// The note was closed.
    NoteDismissed,
    /// A file dialog could not open: ask for a typed path instead.
    NoDialog(path_prompt::Ask),
    /// Something in the typed-path prompt.
    Path(path_prompt::Message),
}

/// What to do once the unsaved-changes question is answered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum After {
    /// Close the window.
    Close(window::Id),
    /// Start a new session.
    New,
    /// Open another session.
    Open,
    /// Open a DAWproject as a session.
    ImportDawproject,
}

/// The dialog over the window, if any.
#[derive(Debug)]
pub enum Modal {
    /// Export.
    Export,
    /// The album view.
    Album,
    /// Preferences.
    Preferences(prefs::Dialog),
    /// "Save changes before ...?"
    Unsaved(After),
    /// "Mixdesk found unsaved changes ..."
    Recovery(Box<recovery::Prompt>),
    /// Relink missing media.
    Relink(relink_dialog::Dialog),
    /// A typed path, when no file dialog can open.
    Path(path_prompt::Prompt),
}

/// The main area: the arrangement or the mixing console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Page {
    /// Clips, waveforms and automation lanes over time.
    #[default]
    Timeline,
    /// Channel strips.
    Mixer,
}
