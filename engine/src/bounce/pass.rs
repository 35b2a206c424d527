//! One rendering pass of a bounce: the graph renders block by block over
//! rayon's pool; each block of the mix (trimmed of the master's latency) goes
//! to the mix's writer thread, and the stems are written as they come.

use super::BounceError;
use super::wav::WavSink;
use super::writer::{MixWriter, Written};
use crate::graph::{Graph, Rayon};

/// Renders `[start, end)`, handing the mix to `writer` and writing the
/// stems; returns what the writer did once it has written and measured
/// everything. A failed write (the mix's or a stem's) or a cancel ends the
/// pass with that error, and nothing is put in place.
pub(super) fn run(
    graph: &mut Graph,
    start: u64,
    end: u64,
    block: usize,
    stems: &mut [WavSink],
    mut writer: MixWriter,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<Written, BounceError> {
    let rendered = render(graph, start, end, block, stems, &mut writer, progress);
    // The writer's own error (why it stopped taking blocks) comes first.
    let written = writer.finish().map_err(|(path, source)| BounceError::Write { path, source })?;
    rendered.map(|()| written)
}

fn render(
    graph: &mut Graph,
    start: u64,
    end: u64,
    block: usize,
    stems: &mut [WavSink],
    writer: &mut MixWriter,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<(), BounceError> {
    let (mut left, mut right) = (vec![0.0f32; block], vec![0.0f32; block]);
    let n_tracks = graph.track_ids().len();
    // Inserts on buses and the master delay what they output: render that much
    // further and drop each output's first `latency` frames, so the files line
    // up with the timeline (tracks read ahead and need no trimming, unless a
    // sidechain key from a late bus makes them late too).
    let latency = graph.latency() as u64;
    let total = end - start;
    let mut master_trim = Trim { skip: latency, left: total };
    let mut stem_trim: Vec<Trim> = (0..stems.len())
        .map(|i| {
            let skip = if i < n_tracks { graph.track_latency(i) } else { graph.bus_latency(i - n_tracks) };
            let skip = skip as u64;
            Trim { skip, left: total }
        })
        .collect();
    let last = end + stem_trim.iter().map(|t| t.skip).max().unwrap_or(0).max(latency);
    graph.prime(start);
    let mut pos = start;
    while pos < last {
        let n = ((last - pos) as usize).min(block);
        let (l, r) = (&mut left[..n], &mut right[..n]);
        graph.process(pos, l, r, &Rayon);
        if let Some(change) = graph.stale_latency() {
            // Live, the app compiles a new graph at this point; a render
            // would drift out of time from here, so it refuses.
            return Err(BounceError::LatencyChanged { change, at: pos + n as u64, plugin: String::new() });
        }
        if let Some((a, b)) = master_trim.window(n)
            && !writer.send(&l[a..b], &r[a..b])
        {
            // The writer stopped on an error, which `run` reports.
            return Ok(());
        }
        for (i, sink) in stems.iter_mut().enumerate() {
            let [sl, sr] =
                if i < n_tracks { graph.track_output(i, n) } else { graph.bus_output(i - n_tracks, n) };
            if let Some((a, b)) = stem_trim[i].window(n) {
                sink.write(&sl[a..b], &sr[a..b])
                    .map_err(|source| BounceError::Write { path: sink.path().to_owned(), source })?;
            }
        }
        pos += n as u64;
        if !progress((pos - start) as f64 / (last - start) as f64) {
            return Err(BounceError::Cancelled);
        }
    }
    Ok(())
}

/// Which frames of each rendered block one output writes: it skips its
/// latency, then writes exactly the bounce's length.
#[derive(Debug, Clone, Copy)]
struct Trim {
    skip: u64,
    left: u64,
}

impl Trim {
    /// The range of a block of `n` frames to write, if any.
    fn window(&mut self, n: usize) -> Option<(usize, usize)> {
        let a = self.skip.min(n as u64);
        self.skip -= a;
        let len = self.left.min(n as u64 - a);
        self.left -= len;
        (len > 0).then_some((a as usize, (a + len) as usize))
    }
}
