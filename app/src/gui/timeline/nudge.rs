//! Ctrl+Left/Right: the selected clips move by one step of the grid shown
//! (Shift: a tenth of it), as one undo step; a clip never goes before zero.

use mixdesk_engine::edit::{ClipAt, Edit};
use mixdesk_engine::session::{Clip, SampleTime};

use super::{TimelineUi, geometry};
use crate::gui::document::Document;

/// Moves the selected clips `steps` grid steps (negative: earlier).
pub fn nudge(doc: &mut Document, ui: &TimelineUi, steps: i64, fine: bool) {
    let s = &doc.session;
    let mut step = geometry::grid_step(s.tempo, s.sample_rate, ui.span.spp, 12.0);
    if fine {
        step /= 10.0;
    }
    let by = (step * steps as f64).round() as i64;
    let mut edits = Vec::new();
    for t in &s.tracks {
        for (index, c) in t.clips.iter().enumerate().filter(|(_, c)| ui.selected.contains(&c.id)) {
            let start = SampleTime(c.start.0.saturating_add_signed(by));
            if start != c.start {
                let clip = Clip { start, ..c.clone() };
                edits.push(Edit::Clip(c.id, Some(ClipAt { track: t.id, index, clip })));
            }
        }
    }
    if edits.is_empty() {
        return;
    }
    let secs = by as f64 / f64::from(s.sample_rate);
    doc.apply_all("nudge", format!("Nudged {} clip(s) {secs:+.3} s", edits.len()), edits);
}
