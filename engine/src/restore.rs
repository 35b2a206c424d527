//! Learning a de-noiser's noise profile from a range of a session: "select
//! a stretch of noise alone on the timeline and learn it".
//!
//! The profile must describe what the de-noiser itself hears, after the
//! inserts before it, on whatever strip it sits. So a copy of the session is
//! rendered offline in which that strip keeps only the inserts before the
//! de-noiser and passes them on untouched (fader 0 dB, centred, a track
//! with the 0 dB pan law, width 1, unmuted, no automation of those), no strip is
//! soloed, and the strip's own output (a track's or bus's stem, or the
//! master) is read back aligned with the timeline by the bounce's own delay
//! compensation. The range's audio is then analysed exactly as the
//! processor analyses its input ([`crate::dsp::denoise::profile::learn`]).
//! Runs off the audio thread; it renders only the range.

use std::path::Path;

use thiserror::Error;

use crate::bounce::{BounceError, prepare};
use crate::dsp::denoise::profile::{BANDS, NoiseProfile, learn};
use crate::dsp::denoise::stft::SIZE;
use crate::graph::{Graph, Serial};
use crate::media::MediaPool;
use crate::session::{Decibels, Pan, PanLaw, ParamId, ProcessorId, Session, StripParam, StripRef};

/// The de-noiser's kind name.
pub const DENOISE: &str = "denoise";

/// Why a profile could not be learned.
#[derive(Debug, Error)]
pub enum LearnError {
    /// No processor has that id.
    #[error("there is no processor {0} in the session; `mixdesk info` lists the strips and their inserts")]
    NoProcessor(ProcessorId),
    /// The processor is not a de-noiser.
    #[error("processor {id} is a '{kind}', not a de-noiser: only a de-noiser learns a noise profile")]
    NotADenoiser {
        /// The processor.
        id: ProcessorId,
        /// Its kind.
        kind: String,
    },
    /// The range is too short for one analysis frame (or empty).
    #[error(
        "the range is {got} samples long; select at least {need} samples ({:.2} s) of noise alone",
        *need as f64 / f64::from(*rate)
    )]
    TooShort {
        /// Its length.
        got: u64,
        /// The shortest range.
        need: u64,
        /// The session rate.
        rate: u32,
    },
    /// The range is silent where the de-noiser sits.
    #[error("the range is silent at the de-noiser's input: select a range where the noise plays")]
    Silent,
    /// The session could not be rendered.
    #[error(transparent)]
    Render(#[from] BounceError),
}

/// The shortest range learned from: a tenth of a second, and at least one analysis frame.
pub fn min_learn_samples(rate: u32) -> u64 {
    (u64::from(rate) / 10).max(SIZE as u64)
}

/// Learns the noise profile of de-noiser `id` from the timeline range
/// `start..end` (samples) of `session` (its media found from `session_dir`,
/// decoded through `pool`).
pub fn learn_noise(
    session: &Session,
    session_dir: &Path,
    pool: &MediaPool,
    id: ProcessorId,
    start: u64,
    end: u64,
) -> Result<NoiseProfile, LearnError> {
    let (strip, index) = session.find_processor(id).ok_or(LearnError::NoProcessor(id))?;
    let kind = session.processor(id).map(|p| p.kind.clone()).unwrap_or_default();
    if kind != DENOISE {
        return Err(LearnError::NotADenoiser { id, kind });
    }
    let need = min_learn_samples(session.sample_rate);
    let got = end.saturating_sub(start);
    if got < need {
        return Err(LearnError::TooShort { got, need, rate: session.sample_rate });
    }
    let heard = input_session(session, strip, index);
    let mut graph = prepare(&heard, session_dir, pool, 4096)?;
    graph.set_track_outputs(true);
    let [l, r] = render_strip(&mut graph, strip, start, end);
    learn(&[&l, &r], session.sample_rate).ok_or(LearnError::Silent)
}

/// The session in which `strip`'s output is what its insert `index` hears.
fn input_session(session: &Session, strip: StripRef, index: usize) -> Session {
    let mut s = session.clone();
    if let StripRef::Track(_) = strip {
        // A mono track centred with the 0 dB law plays its signal on both
        // sides unchanged (the law acts on mono sources only, so what feeds
        // a bus or the master is left as it is).
        s.pan_law = PanLaw::ZeroDb;
    }
    let removed: Vec<ProcessorId> =
        s.strip(strip).map(|st| st.processors[index..].iter().map(|p| p.id).collect()).unwrap_or_default();
    for t in &mut s.tracks {
        t.strip.solo = false;
    }
    for b in &mut s.buses {
        b.strip.solo = false;
    }
    if let Some(st) = s.strip_mut(strip) {
        st.processors.truncate(index);
        st.fader_db = Decibels(0.0);
        st.pan = Pan::CENTRE;
        st.width = 1.0;
        st.mute = false;
    }
    s.automation.retain(|lane| match lane.param {
        ParamId::Strip(r, p) => r != strip || p == StripParam::Trim,
        ParamId::Processor(p, _) => !removed.contains(&p),
        ParamId::Send(..) => true,
    });
    s
}

/// Renders `start..end` and returns `strip`'s output over it, on the timeline.
fn render_strip(graph: &mut Graph, strip: StripRef, start: u64, end: u64) -> [Vec<f32>; 2] {
    let track = graph.track_ids().iter().position(|t| StripRef::Track(*t) == strip);
    let bus = graph.bus_ids().iter().position(|b| StripRef::Bus(*b) == strip);
    let skip = match (track, bus) {
        (Some(i), _) => graph.track_latency(i),
        (_, Some(i)) => graph.bus_latency(i),
        _ => graph.latency(),
    } as u64;
    let total = (end - start) as usize;
    let block = graph.max_block();
    let (mut left, mut right) = (vec![0.0f32; block], vec![0.0f32; block]);
    let mut out = [Vec::with_capacity(total), Vec::with_capacity(total)];
    let mut skipped = 0u64;
    graph.prime(start);
    let mut pos = start;
    while out[0].len() < total {
        let n = block;
        graph.process(pos, &mut left[..n], &mut right[..n], &Serial);
        let [a, b]: [&[f32]; 2] = match (track, bus) {
            (Some(i), _) => graph.track_output(i, n),
            (_, Some(i)) => graph.bus_output(i, n),
            _ => [&left[..n], &right[..n]],
        };
        let from = (skip - skipped).min(n as u64) as usize;
        skipped += from as u64;
        let take = (n - from).min(total - out[0].len());
        out[0].extend_from_slice(&a[from..from + take]);
        out[1].extend_from_slice(&b[from..from + take]);
        pos += n as u64;
    }
    out
}

/// The session parameters that hold `profile` for a de-noiser: key and value per band.
pub fn profile_params(profile: &NoiseProfile) -> Vec<(String, f64)> {
    (0..BANDS).map(|i| (format!("noise_{:02}", i + 1), profile.0[i])).collect()
}

/// The profile a de-noiser's parameters hold.
pub fn profile_of(session: &Session, id: ProcessorId) -> Option<NoiseProfile> {
    let p = session.processor(id)?;
    let spec = crate::dsp::kind(&p.kind)?;
    let values = spec.values(p);
    let first = spec.param_index("noise_01")?;
    let mut out = NoiseProfile::EMPTY;
    out.0.copy_from_slice(&values[first..first + BANDS]);
    Some(out)
}

/// Every de-noiser in the session, with the strip it is on in words, in strip order.
pub fn denoisers(session: &Session) -> Vec<(ProcessorId, String)> {
    let strips = session
        .tracks
        .iter()
        .map(|t| StripRef::Track(t.id))
        .chain(session.buses.iter().map(|b| StripRef::Bus(b.id)))
        .chain([StripRef::Master]);
    let mut out = Vec::new();
    for r in strips {
        let Some(st) = session.strip(r) else { continue };
        for p in st.processors.iter().filter(|p| p.kind == DENOISE) {
            out.push((p.id, crate::diff::strip_label(session, r)));
        }
    }
    out
}

/// Writes `profile` into de-noiser `id`'s parameters; false if there is no such processor.
pub fn set_profile(session: &mut Session, id: ProcessorId, profile: &NoiseProfile) -> bool {
    let Some(p) = session.processor_mut(id) else { return false };
    for (k, v) in profile_params(profile) {
        p.params.insert(k, v);
    }
    true
}
