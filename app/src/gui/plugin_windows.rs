//! Plugins' own windows from the app's side: "Plugin window" in an LV2
//! insert's editor opens its UI (a `mixdesk plugin-ui` child, see
//! `crate::plugin_ui`), and on every tick the app reads what the windows
//! said and tells them what changed.
//!
//! A control moved in a plugin's window is the same edit the generic
//! editor makes (`editor::Message::ParamChanged`): undoable, heard at once,
//! and recorded into the parameter's lane when the transport plays and the
//! lane records (Touch, Latch, Write, Trim). A drag in the UI is one undo
//! step: the gesture ends when the UI has been quiet for [`GESTURE_GAP`].
//! Values changed elsewhere (the generic editor, automation playing, undo)
//! reach the window at the tick rate, only those that changed.

use std::time::{Duration, Instant};

use mixdesk_engine::session::{ParamId, ProcessorId};

use super::widget::ControlEvent;
use super::{App, editor, mixer};
use crate::plugin_ui::host::{Report, Windows};

#[cfg(test)]
#[path = "tests_plugin_ui.rs"]
mod tests;
#[cfg(test)]
#[path = "tests_plugin_ui_clap.rs"]
mod tests_clap;

/// How long a plugin window's control must rest before its drag becomes one undo step.
pub const GESTURE_GAP: Duration = Duration::from_millis(300);

/// The open plugin windows and the drag in progress in one of them.
#[derive(Debug, Default)]
pub struct PluginWindows {
    /// The child processes.
    pub windows: Windows,
    /// The parameter being moved in a window, and when it last moved.
    moving: Option<(ParamId, Instant)>,
}

impl PluginWindows {
    /// Whether any window is open (the app then ticks often).
    pub fn any(&self) -> bool {
        self.windows.any()
    }
}

impl Drop for PluginWindows {
    fn drop(&mut self) {
        self.windows.close_all();
    }
}

impl App {
    /// "Plugin window" in processor `id`'s editor: opens its UI, or says in
    /// the status line why it cannot.
    pub(super) fn open_plugin_window(&mut self, id: ProcessorId) {
        let title = format!("{} - Mixdesk", mixer::processor_label(&self.doc.session, id));
        if let Err(e) = self.plugin_windows.windows.open(&self.doc.session, id, &title) {
            self.errors.push(format!("Cannot open the plugin window: {e}"));
        }
    }

    /// On each tick: what the windows said becomes edits, what changed goes
    /// to the windows. (Opening another session closes them all, see
    /// `lifecycle`; removing an insert closes its window, see `Windows::push`.)
    pub(super) fn plugin_windows_tick(&mut self) {
        if !self.plugin_windows.any() {
            return;
        }
        for report in self.plugin_windows.windows.poll() {
            match report {
                Report::Param(id, index, v) => self.plugin_param(ParamId::Processor(id, index as u16), v),
                Report::Failed(_, e) => self.errors.push(e),
                Report::Ready(_) | Report::Closed(_) => {}
            }
        }
        if let Some((param, at)) = self.plugin_windows.moving
            && at.elapsed() >= GESTURE_GAP
        {
            self.plugin_windows.moving = None;
            if !self.touch_param(param, ControlEvent::Released) {
                self.doc.end_gesture();
            }
        }
        // What the controls show: automated values at the playhead included.
        let shown = self.shown.as_ref().unwrap_or(&self.doc.session);
        let held = match self.plugin_windows.moving {
            Some((ParamId::Processor(id, i), _)) => Some((id, usize::from(i))),
            _ => None,
        };
        self.plugin_windows.windows.push(shown, held);
    }

    /// The user set `param` to `v` in a plugin's window.
    fn plugin_param(&mut self, param: ParamId, v: f64) {
        if let Some((held, _)) = self.plugin_windows.moving
            && held != param
        {
            // Another control of a window moved: the first one's drag is over.
            if !self.touch_param(held, ControlEvent::Released) {
                self.doc.end_gesture();
            }
        }
        self.plugin_windows.moving = Some((param, Instant::now()));
        if self.touch_param(param, ControlEvent::Moved(v)) {
            return;
        }
        if self.doc.session.param_value(param) != Some(v) {
            let _ = editor::update(&mut self.doc, editor::Message::ParamChanged(param, v));
        }
    }
}
