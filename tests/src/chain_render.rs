//! Rendering one processor's session through the whole product: the offline
//! bounce (WAV files on disk, `bounce::bounce`) and the live callback
//! (`Engine::manual` driving the real `AudioCore::render`), both returned on
//! the timeline (the master's latency taken off), for the tests that check
//! every processor kind through the chain.

use std::path::Path;

use mixdesk_engine::bounce::{BitDepth, BounceOptions, bounce};
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::realtime::Engine;
use mixdesk_engine::session::{
    Bus, BusId, Lane, Output, PanLaw, ParamId, Point, ProcessorId, Session, Shape, StripRef, TrackId,
};
use mixdesk_engine::units::SampleTime;

use crate::{compile_with, media, run_callback, track, write_wav_f32};

/// The session rate every render here uses.
pub const RATE: usize = 48_000;

/// The transport's fade-in when live playback starts (5 ms): samples before
/// this (plus the live path's lookahead) differ from the bounce by design.
pub const DECLICK: usize = 240;

/// Where the processor under test sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// On the track playing the signal.
    Track,
    /// On a bus the track is routed to.
    Bus,
    /// On the master.
    Master,
}

impl Placement {
    /// Every placement.
    pub const ALL: [Placement; 3] = [Placement::Track, Placement::Bus, Placement::Master];

    fn strip(self) -> StripRef {
        match self {
            Placement::Track => StripRef::Track(TrackId(1)),
            Placement::Bus => StripRef::Bus(BusId(10)),
            Placement::Master => StripRef::Master,
        }
    }
}

/// One processor on one strip of a one-track session playing a mono signal
/// centred with the 0 dB pan law, so every strip after the track carries the
/// signal at the level it has on the track (the processor's input level is
/// the dry output's level wherever it sits).
#[derive(Debug, Clone)]
pub struct Rig {
    /// The session.
    pub session: Session,
    /// The processor, if the session has one.
    pub processor: Option<ProcessorId>,
    /// The track's media.
    pub signal: Vec<f32>,
}

impl Rig {
    /// A rig with processor `kind` at `placement`, its parameters set by key.
    pub fn new(kind: &str, placement: Placement, settings: &[(&str, f64)], signal: Vec<f32>) -> Rig {
        let mut rig = Rig::dry(placement, signal);
        let id = rig.session.add_processor(placement.strip(), kind, usize::MAX).expect("a known kind");
        let p = rig.session.processor_mut(id).expect("just added");
        for (k, v) in settings {
            p.params.insert((*k).to_owned(), *v);
        }
        rig.processor = Some(id);
        mixdesk_engine::session::validate(&rig.session).expect("the rig validates");
        rig
    }

    /// The same session with no processor (the dry reference).
    pub fn dry(placement: Placement, signal: Vec<f32>) -> Rig {
        let mut s = Session::new(RATE as u32);
        s.pan_law = PanLaw::ZeroDb;
        s.tracks.push(track(1, "in.wav", 0, signal.len() as u64));
        if placement == Placement::Bus {
            s.buses.push(Bus::new(BusId(10), "Bus"));
            s.tracks[0].output = Output::Bus(BusId(10));
        }
        Rig { session: s, processor: None, signal }
    }

    /// Bypasses the processor in the session.
    pub fn bypassed(mut self) -> Rig {
        let id = self.processor.expect("a rig with a processor");
        self.session.set_bypass(id, true).expect("the processor exists");
        self
    }

    /// Automates parameter `key`: `a` until sample `at`, `b` from there (a step).
    pub fn automated(mut self, key: &str, a: f64, b: f64, at: u64) -> Rig {
        let id = self.processor.expect("a rig with a processor");
        let param: ParamId = self.session.processor_param(id, key).expect("the kind has the parameter");
        let mut lane = Lane::new(param);
        lane.points = vec![
            Point { time: 0, value: a, shape: Shape::Step },
            Point { time: at, value: b, shape: Shape::Step },
        ];
        self.session.automation.push(lane);
        mixdesk_engine::session::validate(&self.session).expect("the automated rig validates");
        self
    }

    fn frames(&self) -> usize {
        self.signal.len()
    }

    /// Bounces the whole signal to a 32-bit float WAV with `mixdesk`'s own
    /// bounce (media read from disk, rayon's pool) and reads it back.
    pub fn bounce(&self) -> [Vec<f32>; 2] {
        self.try_bounce().unwrap_or_else(|e| panic!("bounce: {e}"))
    }

    /// [`Rig::bounce`], its error returned.
    pub fn try_bounce(&self) -> Result<[Vec<f32>; 2], mixdesk_engine::bounce::BounceError> {
        let dir = tempfile::tempdir().expect("a temporary folder");
        write_wav_f32(&dir.path().join("in.wav"), RATE as u32, std::slice::from_ref(&self.signal));
        let out = dir.path().join("mix.wav");
        let opts = BounceOptions {
            depth: BitDepth::Float32,
            report: false,
            end: Some(SampleTime(self.frames() as u64)),
            ..BounceOptions::default()
        };
        bounce(&self.session, dir.path(), &MediaPool::new(), &out, &opts, &mut |_| true)?;
        Ok(read_stereo(&out))
    }

    /// Plays the signal through the live callback from position 0, in
    /// callbacks of `buffer` frames, applying each `(sample, bypassed)`
    /// toggle at the first callback that starts at or after its sample.
    /// Returns the output on the timeline (the graph's latency taken off);
    /// the first [`DECLICK`] samples are the transport's fade-in.
    pub fn live(&self, buffer: usize, toggles: &[(usize, bool)]) -> [Vec<f32>; 2] {
        let sources = [("in.wav", media(vec![self.signal.clone()]))];
        let graph = compile_with(&self.session, &sources);
        let latency = graph.latency();
        let (mut handle, mut core) = Engine::manual(RATE as u32, 4096);
        handle.swap_graph(graph).expect("the graph is accepted");
        handle.play();
        let total = self.frames() + latency;
        let mut out = [Vec::with_capacity(total), Vec::with_capacity(total)];
        let mut pending = toggles.to_vec();
        while out[0].len() < total {
            let at = out[0].len().saturating_sub(latency);
            pending.retain(|&(when, bypassed)| {
                let due = when <= at;
                if due {
                    handle.set_bypass(self.processor.expect("toggles need a processor"), bypassed);
                }
                !due
            });
            let n = buffer.min(total - out[0].len());
            let [l, r] = run_callback(&mut core, n, n);
            out[0].extend(l);
            out[1].extend(r);
        }
        handle.poll(|_| {});
        out.map(|c| c[latency..].to_vec())
    }
}

/// Reads a stereo float WAV.
fn read_stereo(path: &Path) -> [Vec<f32>; 2] {
    let (spec, mut ch) = crate::read_wav(path);
    assert_eq!(spec.channels, 2, "{}: a stereo mix", path.display());
    let r = ch.pop().expect("two channels");
    let l = ch.pop().expect("two channels");
    [l, r]
}
