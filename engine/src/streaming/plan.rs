//! What the disk thread must have loaded: the session's clips as spans of
//! files on the timeline, and the chunks a window of playback around the
//! playhead (wrapping at the loop's end) reads, soonest first.

use super::chunks::CHUNK_FRAMES;

/// One clip as the disk thread sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanClip {
    /// The streamed file's id.
    pub file: u32,
    /// Timeline span `[start, end)`.
    pub start: u64,
    pub end: u64,
    /// The file frame at `start`.
    pub source_offset: u64,
    /// How early the clip's track reads it (its inserts' latency): at
    /// timeline time `t` the track reads the clip at `t + read_ahead`.
    pub read_ahead: u64,
}

/// Every clip that streams.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub clips: Vec<PlanClip>,
}

/// The stretch of timeline to cover.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Window {
    /// Where playback is (or is about to be, after a seek).
    pub anchor: u64,
    /// Frames after the anchor to have loaded.
    pub ahead: u64,
    /// Frames before it to keep (a small step back, a loop start just passed).
    pub behind: u64,
    /// The loop range when looping: the window wraps from its end to its start.
    pub loop_range: Option<(u64, u64)>,
}

/// A chunk the window reads, and how many frames of playback from the anchor
/// until it is read (chunks behind the anchor rank after every chunk ahead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Need {
    pub file: u32,
    pub chunk: u32,
    pub soon: u64,
}

impl Window {
    /// The timeline spans the window covers, each with the "soon" of its start.
    fn spans(&self) -> Vec<(u64, u64, u64)> {
        let a = self.anchor;
        let mut spans = Vec::with_capacity(3);
        match self.loop_range {
            Some((ls, le)) if (ls..le).contains(&a) => {
                let first_end = (a + self.ahead).min(le);
                spans.push((a, first_end, 0));
                let rest = (a + self.ahead).saturating_sub(le);
                if rest > 0 {
                    spans.push((ls, (ls + rest).min(le), le - a));
                }
            }
            _ => spans.push((a, a + self.ahead, 0)),
        }
        let back = a.saturating_sub(self.behind);
        if back < a {
            spans.push((back, a, self.ahead + 1));
        }
        spans
    }
}

/// The chunks `window` reads in `plan`, each once at its soonest, soonest first.
/// `skip(file)` leaves out files that cannot be read.
pub(crate) fn needs(plan: &Plan, window: &Window, skip: &dyn Fn(u32) -> bool, out: &mut Vec<Need>) {
    out.clear();
    let cf = CHUNK_FRAMES as u64;
    for (a, b, base) in window.spans() {
        for clip in &plan.clips {
            if skip(clip.file) {
                continue;
            }
            // The clip is read at timeline times [start - read_ahead, end - read_ahead).
            let (cs, ce) =
                (clip.start.saturating_sub(clip.read_ahead), clip.end.saturating_sub(clip.read_ahead));
            let (x, y) = (a.max(cs), b.min(ce));
            if x >= y {
                continue;
            }
            // File frames read at timeline x..y.
            let f0 = clip.source_offset + (x - cs);
            let f1 = clip.source_offset + (y - cs);
            for chunk in f0 / cf..=(f1 - 1) / cf {
                let first_frame = (chunk * cf).max(f0);
                let when = x + (first_frame - f0);
                let soon = if base > window.ahead { base + (b - when) } else { base + (when - a) };
                out.push(Need { file: clip.file, chunk: chunk as u32, soon });
            }
        }
    }
    out.sort_unstable_by_key(|n| (n.file, n.chunk, n.soon));
    out.dedup_by_key(|n| (n.file, n.chunk));
    out.sort_by_key(|n| n.soon);
}

/// Adds `more` to `out` ranked after everything already there (each chunk
/// kept once, at its soonest), soonest first.
pub(crate) fn add_after(out: &mut Vec<Need>, more: &[Need]) {
    let base = out.iter().map(|n| n.soon).max().map_or(0, |m| m + 1);
    out.extend(more.iter().map(|n| Need { soon: base + n.soon, ..*n }));
    out.sort_unstable_by_key(|n| (n.file, n.chunk, n.soon));
    out.dedup_by_key(|n| (n.file, n.chunk));
    out.sort_by_key(|n| n.soon);
}

#[cfg(test)]
mod tests {
    use super::*;

    const CF: u64 = CHUNK_FRAMES as u64;

    fn clip(file: u32, start: u64, end: u64, source_offset: u64) -> PlanClip {
        PlanClip { file, start, end, source_offset, read_ahead: 0 }
    }

    fn window(anchor: u64, ahead: u64) -> Window {
        Window { anchor, ahead, behind: 0, loop_range: None }
    }

    #[test]
    fn the_chunks_ahead_of_the_playhead_come_soonest_first() {
        let plan = Plan { clips: vec![clip(0, 0, 10 * CF, 0), clip(1, 2 * CF, 3 * CF, 5 * CF)] };
        let mut out = Vec::new();
        needs(&plan, &window(CF / 2, 3 * CF), &|_| false, &mut out);
        let got: Vec<_> = out.iter().map(|n| (n.file, n.chunk, n.soon)).collect();
        assert_eq!(
            got,
            [(0, 0, 0), (0, 1, CF / 2), (0, 2, CF + CF / 2), (1, 5, CF + CF / 2), (0, 3, 2 * CF + CF / 2)]
        );
    }

    #[test]
    fn a_loop_window_wraps_to_the_loop_start() {
        // Looping [CF, 3 CF) with the playhead near the end: the loop start's
        // chunk is needed right after the end's.
        let plan = Plan { clips: vec![clip(0, 0, 10 * CF, 0)] };
        let w = Window { anchor: 3 * CF - 100, ahead: 1000, behind: 0, loop_range: Some((CF, 3 * CF)) };
        let mut out = Vec::new();
        needs(&plan, &w, &|_| false, &mut out);
        assert_eq!(out, [Need { file: 0, chunk: 2, soon: 0 }, Need { file: 0, chunk: 1, soon: 100 }]);
    }

    #[test]
    fn read_ahead_source_offset_and_skipped_files_are_honoured() {
        let mut c = clip(0, 1000, 1000 + 4 * CF, 3 * CF + 10);
        c.read_ahead = 500;
        let plan = Plan { clips: vec![c, clip(1, 0, 4 * CF, 0)] };
        let mut out = Vec::new();
        needs(&plan, &window(500, 100), &|f| f == 1, &mut out);
        // At timeline 500 the track reads timeline 1000: file frame 3 CF + 10.
        assert_eq!(out, [Need { file: 0, chunk: 3, soon: 0 }]);
        // Behind the anchor ranks after everything ahead.
        let w = Window { anchor: 2 * CF + 1000, ahead: 10, behind: CF, loop_range: None };
        needs(&plan, &w, &|f| f == 1, &mut out);
        assert_eq!(out[0].soon, 0);
        assert!(out[1..].iter().all(|n| n.soon > w.ahead));
    }
}
