//! Preferences: the audio device, the buffer size, the look and how often to
//! autosave. Stored in
//! `$XDG_CONFIG_HOME/mixdesk/preferences.ron` (or `~/.config/...`); a missing
//! or unreadable file means the defaults (preferences may be forgiving).

use std::path::PathBuf;

use iced::widget::{button, checkbox, column, container, pick_list, row, text};
use iced::{Alignment, Element, Length};
use serde::{Deserialize, Serialize};

use super::theme::{self, Look, Tone};

/// Buffer sizes offered, frames.
pub const BUFFERS: [u32; 7] = [64, 128, 256, 512, 1024, 2048, 4096];

/// What the user chose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    /// Output device id; `None` for the system default.
    pub device: Option<String>,
    /// Frames per callback.
    pub buffer_frames: u32,
    /// The look.
    pub look: Look,
    /// How often unsaved changes are autosaved.
    pub autosave: AutosaveEvery,
    /// Playback stops by itself at the session's end unless it loops (REAPER's
    /// "stop playback at end of project"); off, it rolls on past the end.
    pub stop_at_end: bool,
}

/// Autosave intervals offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AutosaveEvery {
    /// Never.
    Off,
    /// Every 10 seconds.
    Secs10,
    /// Every 30 seconds (the default).
    #[default]
    Secs30,
    /// Every minute.
    Min1,
    /// Every 5 minutes.
    Min5,
}

impl AutosaveEvery {
    /// Every choice, in the order shown.
    pub const ALL: [AutosaveEvery; 5] = [
        AutosaveEvery::Off,
        AutosaveEvery::Secs10,
        AutosaveEvery::Secs30,
        AutosaveEvery::Min1,
        AutosaveEvery::Min5,
    ];

    /// The interval, `None` when off.
    pub fn interval(self) -> Option<std::time::Duration> {
        let secs = match self {
            AutosaveEvery::Off => return None,
            AutosaveEvery::Secs10 => 10,
            AutosaveEvery::Secs30 => 30,
            AutosaveEvery::Min1 => 60,
            AutosaveEvery::Min5 => 300,
        };
        Some(std::time::Duration::from_secs(secs))
    }
}

impl std::fmt::Display for AutosaveEvery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AutosaveEvery::Off => "Off",
            AutosaveEvery::Secs10 => "Every 10 s",
            AutosaveEvery::Secs30 => "Every 30 s",
            AutosaveEvery::Min1 => "Every minute",
            AutosaveEvery::Min5 => "Every 5 minutes",
        })
    }
}

impl Default for Preferences {
    fn default() -> Preferences {
        Preferences {
            device: None,
            buffer_frames: 256,
            look: Look::Dark,
            autosave: AutosaveEvery::default(),
            stop_at_end: true,
        }
    }
}

impl Preferences {
    /// Where preferences live.
    pub fn path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("mixdesk").join("preferences.ron"))
    }

    /// The saved preferences, or the defaults.
    pub fn load() -> Preferences {
        Preferences::path()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|s| ron::from_str(&s).ok())
            .unwrap_or_default()
    }

    /// Saves them (atomically); the error says where and why.
    pub fn save(&self) -> Result<(), String> {
        let Some(path) = Preferences::path() else { return Ok(()) };
        let text =
            ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default()).map_err(|e| e.to_string())?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let tmp = path.with_extension("ron.tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| format!("cannot save preferences to {}: {e}", path.display()))
    }
}

/// A device in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceChoice {
    /// Id, or `None` for the system default.
    pub id: Option<String>,
    /// Shown name.
    pub name: String,
}

impl std::fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// What the user did in the dialog.
#[derive(Debug, Clone)]
pub enum Message {
    /// A device was chosen.
    DeviceChosen(DeviceChoice),
    /// A buffer size was chosen.
    BufferChosen(u32),
    /// A look was chosen.
    LookChosen(Look),
    /// An autosave interval was chosen.
    AutosaveChosen(AutosaveEvery),
    /// "Stop at the end" was switched.
    StopAtEndToggled(bool),
    /// "Apply" pressed: restart audio with these settings and save them.
    Applied,
    /// Closed without applying.
    Closed,
}

/// The dialog: the preferences being edited and the devices found.
#[derive(Debug, Clone)]
pub struct Dialog {
    /// The edited copy.
    pub prefs: Preferences,
    devices: Vec<DeviceChoice>,
}

impl Dialog {
    /// Opens the dialog on a copy of `prefs`, listing the devices now present.
    pub fn new(prefs: &Preferences) -> Dialog {
        let mut devices = vec![DeviceChoice { id: None, name: "System default".into() }];
        if let Ok(list) = mixdesk_engine::realtime::Engine::devices() {
            devices.extend(list.into_iter().map(|d| DeviceChoice {
                name: if d.name.is_empty() { d.id.clone() } else { format!("{} ({})", d.name, d.id) },
                id: Some(d.id),
            }));
        }
        Dialog { prefs: prefs.clone(), devices }
    }

    /// The dialog.
    pub fn view(&self) -> Element<'_, Message> {
        let current = self.devices.iter().find(|d| d.id == self.prefs.device).cloned();
        let label = |s: &'static str| text(s).size(13).width(Length::Fixed(120.0));
        let body = column![
            text("Preferences").size(18),
            row![
                label("Audio device"),
                pick_list(self.devices.clone(), current, Message::DeviceChosen)
                    .text_size(13)
                    .style(theme::pick)
            ]
            .spacing(8)
            .align_y(Alignment::Center),
            row![
                label("Buffer size"),
                pick_list(BUFFERS, Some(self.prefs.buffer_frames), Message::BufferChosen)
                    .text_size(13)
                    .style(theme::pick),
                text("frames (smaller: less latency, more CPU)").size(12),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
            row![
                label("Theme"),
                pick_list(Look::ALL, Some(self.prefs.look), Message::LookChosen)
                    .text_size(13)
                    .style(theme::pick)
            ]
            .spacing(8)
            .align_y(Alignment::Center),
            row![
                label("Autosave"),
                pick_list(AutosaveEvery::ALL, Some(self.prefs.autosave), Message::AutosaveChosen)
                    .text_size(13)
                    .style(theme::pick),
                text("unsaved changes, beside the session").size(12),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
            row![
                label("Playback"),
                checkbox(self.prefs.stop_at_end)
                    .label("Stop at the session's end (unless looping)")
                    .on_toggle(Message::StopAtEndToggled)
                    .text_size(13),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
            row![
                button(text("Apply").size(14))
                    .padding([6, 18])
                    .style(theme::button(Tone::Accent, true))
                    .on_press(Message::Applied),
                button(text("Cancel").size(14))
                    .padding([6, 18])
                    .style(theme::button(Tone::Plain, false))
                    .on_press(Message::Closed),
            ]
            .spacing(8),
        ]
        .spacing(12);
        container(body).padding(16).width(Length::Fixed(560.0)).style(theme::dialog).into()
    }
}
