//! The app's glue between the timeline, automation and the engine: timeline
//! messages become document edits or seeks; controls grabbed while their lane
//! records (Touch, Latch, Write, Trim) go to the engine's recorder instead of
//! the document, and what was recorded becomes one undo step when the
//! transport stops; the controls show the automated values at the playhead.

use iced::Task;
use mixdesk_engine::edit::Edit;
use mixdesk_engine::session::{AutoMode, ParamId, SendParam, Session, StripParam};

use super::document::Outbox;
use super::timeline::{self, edit::Effect};
use super::widget::ControlEvent;
use super::{App, Message, mixer};

/// Lane modes in which grabbing a control records.
fn records(mode: AutoMode) -> bool {
    matches!(mode, AutoMode::Touch | AutoMode::Latch | AutoMode::Write | AutoMode::Trim)
}

impl App {
    /// The playhead in session samples.
    pub fn playhead(&self) -> u64 {
        let scale = f64::from(self.doc.session.sample_rate) / f64::from(self.audio.rate.max(1));
        (self.audio.position as f64 * scale).round() as u64
    }

    pub(super) fn timeline_message(&mut self, m: timeline::Message) -> Task<Message> {
        // A clicked clip selects its track's strip too (M/S keys, the analyzer's overlay).
        if let timeline::Message::ClipPressed(id, _) = &m
            && let Some(t) = self.doc.session.tracks.iter().find(|t| t.clips.iter().any(|c| c.id == *id))
        {
            self.mixer.selected = Some(mixdesk_engine::session::StripRef::Track(t.id));
        }
        let waves = &self.waves;
        let dir = self.doc.dir();
        let frames = |c: &mixdesk_engine::session::Clip| waves.get(&dir.join(&c.media)).map(|p| p.frames);
        let playhead = self.playhead();
        match timeline::update(&mut self.doc, &mut self.timeline, &frames, playhead, m) {
            Effect::None => {}
            Effect::Seek(t) => {
                let scale = f64::from(self.audio.rate) / f64::from(self.doc.session.sample_rate.max(1));
                self.audio.seek((t as f64 * scale).round() as u64);
                self.refresh_shown(None);
            }
            Effect::Strip(m) => return self.mixer_message(m),
            Effect::Error(e) => self.errors.push(e),
        }
        Task::none()
    }

    /// Routes a control gesture to the automation recorder if the transport
    /// plays and the control's lane records; returns whether it did.
    pub(super) fn touch(&mut self, m: &mixer::Message) -> bool {
        let (param, event) = match m {
            mixer::Message::Fader(r, e) => (ParamId::Strip(*r, StripParam::Fader), *e),
            mixer::Message::Pan(r, e) => (ParamId::Strip(*r, StripParam::Pan), *e),
            mixer::Message::Width(r, e) => (ParamId::Strip(*r, StripParam::Width), *e),
            mixer::Message::SendLevel(s, e) => (ParamId::Send(*s, SendParam::Level), *e),
            _ => return false,
        };
        self.touch_param(param, event)
    }

    /// Routes a gesture on `param` to the automation recorder if the
    /// transport plays and its lane records; returns whether it did.
    pub(super) fn touch_param(&mut self, param: ParamId, event: ControlEvent) -> bool {
        let Some(lane) = self.doc.session.lane(param) else { return false };
        if !self.audio.playing || !records(lane.mode) {
            return false;
        }
        let trim = lane.mode == AutoMode::Trim;
        let base =
            lane.value_at(self.playhead()).or_else(|| self.doc.session.param_value(param)).unwrap_or(0.0);
        let value = |v: f64, start: f64| if trim { v - start } else { v };
        match event {
            ControlEvent::Moved(v) => match self.touching.get(&param).copied() {
                Some(start) => {
                    self.audio.touch_value(param, value(v, start));
                    self.touching.insert(param, start);
                }
                None => {
                    self.audio.touch_begin(param, value(v, base));
                    self.touching.insert(param, base);
                }
            },
            ControlEvent::Released => {
                self.audio.touch_end(param);
                self.touching.remove(&param);
            }
            ControlEvent::Reset => {
                let default = self.doc.session.param_info(param).map_or(0.0, |i| i.default);
                self.audio.touch_begin(param, value(default, base));
                self.audio.touch_end(param);
            }
        }
        if let (Some(shown), ControlEvent::Moved(v)) = (self.shown.as_mut(), event) {
            shown.set_param(param, v);
        }
        true
    }

    /// After the engine was read: follow the playhead, keep the analyzer's
    /// tap on the selected strip, take in a finished recording pass, show
    /// automated values, and exchange values with plugins' own windows.
    pub(super) fn after_tick(&mut self) {
        if self.audio.playing {
            let p = self.playhead() as f64;
            self.timeline.follow_playhead(p);
        } else if self.doc.session.automation.iter().any(|l| records(l.mode)) {
            let edits = self.audio.take_lane_edits(&self.doc.session);
            if !edits.is_empty() {
                let names: Vec<String> =
                    edits.iter().map(|e| timeline::edit::param_name(&self.doc.session, e.param)).collect();
                let label = format!("Record automation: {}", names.join(", "));
                // The recorded pass lands as lane edits, one step like any other.
                let lanes = edits.into_iter().map(|e| Edit::Lane(e.param, Some(e.after))).collect();
                self.doc.apply_all("automation-pass", label, lanes);
            }
        }
        let want = if self.timeline.analyzer { self.mixer.selected } else { None };
        if want != self.tapped {
            self.audio.set_tap(0, want);
            self.tapped = want;
        }
        // The analyzer's overlay tracks in the tap slots after the first.
        for i in 0..timeline::analyzer::OVERLAYS {
            let t = self.timeline.overlay.get(i).filter(|_| self.timeline.analyzer);
            let want = t.map(|t| mixdesk_engine::session::StripRef::Track(*t));
            if want != self.timeline.overlay_tapped[i] {
                self.audio.set_tap(i + 1, want);
                self.timeline.overlay_tapped[i] = want;
            }
        }
        self.refresh_shown(None);
        self.plugin_windows_tick();
    }

    /// Recomputes what the controls show: each automated parameter (lane not
    /// Off, with points) at the playhead, and held controls where the hand is.
    /// A copy of the session is made only when there are such lanes and the
    /// session changed in a way no typed edit names; typed edits (a fader
    /// drag) are applied to the shown session as they were to the document,
    /// and a tick only moves the lanes' values.
    pub(super) fn refresh_shown(&mut self, changed: Option<&Outbox>) {
        let s = &self.doc.session;
        let automated = s.automation.iter().any(|l| l.mode != AutoMode::Off && !l.points.is_empty());
        if !automated {
            self.shown = None;
            return;
        }
        match (self.shown.as_mut(), changed) {
            (Some(shown), Some(out)) if !out.untyped => {
                for e in &out.edits {
                    e.apply(shown);
                }
            }
            (Some(_), None) => {}
            _ => self.shown = Some(s.clone()),
        }
        let t = self.playhead();
        let Some(shown) = self.shown.as_mut() else { return };
        for lane in s.automation.iter().filter(|l| l.mode != AutoMode::Off && l.mode != AutoMode::Trim) {
            let Some(info) = s.param_info(lane.param) else { continue };
            if let Some(v) = timeline::rows::lane_value(lane, &info, t) {
                shown.set_param(lane.param, v);
            }
        }
    }

    /// The session the mixer draws.
    pub fn shown(&self) -> &Session {
        self.shown.as_ref().unwrap_or(&self.doc.session)
    }

    /// The clips whose media file is missing (they play silent): for the
    /// timeline to mark them.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn missing_clips(&self) -> &std::collections::HashSet<mixdesk_engine::session::ClipId> {
        self.audio.missing_clips()
    }
}
