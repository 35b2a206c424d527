//! The handle's side of automation recording: samples from the audio thread
//! gathered into one [`Pass`] per parameter, complete when the transport
//! stops, and merged into the session's lanes on request.

use crate::graph::Record;
use crate::session::Session;
use crate::session::pass::{LaneEdit, Pass, merge_pass};

/// Capacity of the record queue: about a second of 30 parameters written
/// at once (a sample per 16-sample chunk at 48 kHz while they move).
pub(crate) const RECORD_CAPACITY: usize = 1 << 15;

/// Passes being written and passes complete.
#[derive(Debug, Default)]
pub(crate) struct Passes {
    open: Vec<Pass>,
    done: Vec<Pass>,
}

impl Passes {
    /// Takes in one record from the audio thread.
    pub fn take_in(&mut self, record: Record) {
        match record {
            Record::Sample { param, mode, start, sample } => {
                let pass = match self.open.iter().position(|p| p.param == param) {
                    Some(i) => &mut self.open[i],
                    None => {
                        self.open.push(Pass { param, mode, runs: Vec::new() });
                        self.open.last_mut().expect("just pushed")
                    }
                };
                match pass.runs.last_mut() {
                    Some(run) if !start => run.push(sample),
                    _ => pass.runs.push(vec![sample]),
                }
            }
            Record::PassEnd => self.done.append(&mut self.open),
        }
    }

    /// The complete passes, oldest first.
    pub fn take(&mut self) -> Vec<Pass> {
        std::mem::take(&mut self.done)
    }
}

/// Merges complete passes into the lanes of `session` as they are now: one
/// edit per parameter (several passes on one lane, oldest first, make one
/// edit); a pass whose lane or parameter is gone is dropped.
pub(crate) fn lane_edits(passes: Vec<Pass>, session: &Session) -> Vec<LaneEdit> {
    let mut edits: Vec<LaneEdit> = Vec::new();
    for pass in &passes {
        let (Some(lane), Some(info)) = (session.lane(pass.param), session.param_info(pass.param)) else {
            continue;
        };
        match edits.iter_mut().find(|e| e.param == pass.param) {
            Some(e) => e.after = merge_pass(&e.after, pass, &info).after,
            None => edits.push(merge_pass(lane, pass, &info)),
        }
    }
    edits
}
