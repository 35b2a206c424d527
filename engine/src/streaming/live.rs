//! A session ready to play from disk: every media file opened for streaming
//! (converted into the cache first where it must be, in parallel), the graph
//! compiled with the streamed sources, and the disk thread's plan.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::{Plan, Prepared, StreamedFile, Streamer};
use crate::graph::{Graph, GraphError, compile};
use crate::media::{AudioSource, MediaError};
use crate::session::{Clip, Session};

/// A session's graph on streamed media.
#[derive(Debug)]
pub struct LiveSession {
    /// The graph, its clips reading the streamed files.
    pub graph: Graph,
    /// What the disk thread must follow (already given to the streamer).
    pub plan: Plan,
    /// The streamed files by clip media path as the session writes it.
    pub files: HashMap<PathBuf, Arc<StreamedFile>>,
    /// Media that could not be opened (missing, damaged): its clips play silence.
    pub unplayable: Vec<MediaError>,
    /// How many files were converted into the cache for this open.
    pub converted: usize,
}

/// Opens every media file of `session` (paths relative to `session_dir`) on
/// `streamer` at the session's rate, compiles the graph on them and hands the
/// streamer its plan. `progress(done, total)` is called as files are opened
/// (a converted file takes as long as decoding it; a WAV at the session rate
/// only its header). Off the audio thread; opens files in parallel.
pub fn prepare_live(
    session: &Session,
    session_dir: &Path,
    streamer: &Streamer,
    block: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<LiveSession, GraphError> {
    let mut media: Vec<&PathBuf> =
        session.tracks.iter().flat_map(|t| t.clips.iter().map(|c| &c.media)).collect();
    media.sort();
    media.dedup();
    let total = media.len();
    let done = AtomicUsize::new(0);
    let rate = session.sample_rate;
    type Opened = Result<(Arc<StreamedFile>, Prepared), MediaError>;
    let opened: Vec<(PathBuf, Opened)> = media
        .par_iter()
        .map(|m| {
            let r = streamer.open_media(&session_dir.join(m), rate, session_dir);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            ((*m).clone(), r)
        })
        .collect();
    let mut files = HashMap::new();
    let mut unplayable = Vec::new();
    let mut converted = 0;
    for (m, r) in opened {
        match r {
            Ok((f, how)) => {
                converted += usize::from(how == Prepared::Converted);
                files.insert(m, f);
            }
            Err(e) => unplayable.push(e),
        }
    }
    let lookup = |c: &Clip| files.get(&c.media).map(|f| Arc::clone(f) as Arc<dyn AudioSource>);
    let graph = compile(session, &lookup, block)?;
    let plan = Streamer::plan_for(session, &files, &graph.track_read_aheads());
    streamer.set_plan(plan.clone());
    Ok(LiveSession { graph, plan, files, unplayable, converted })
}
