//! The bundled demo session: eight tracks of a short song, synthesised
//! deterministically so the repository carries the generator, not the audio.
//!
//! [`session`] is the document (committed as `assets/demo/demo.mixdesk`; a test
//! checks the two agree); [`generate`] writes the media it refers to.

mod long;
mod song;
mod synth;

pub use long::LongSession;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::session::{
    Clip, ClipId, Colour, Decibels, Fade, FadeShape, Marker, MarkerId, Pan, SampleTime, Session, Strip,
    Tempo, Track, TrackId,
};

/// The session file name inside the demo folder.
pub const SESSION_FILE: &str = "demo.mixdesk";
/// The media folder inside the demo folder.
pub const MEDIA_DIR: &str = "media";

struct Part {
    name: &'static str,
    file: &'static str,
    colour: Colour,
    fader_db: f64,
    pan: f64,
    render: fn() -> song::Audio,
}

const PARTS: [Part; 8] = [
    Part {
        name: "Drums",
        file: "drums.wav",
        colour: Colour(0xd9, 0x5f, 0x4c),
        fader_db: -2.0,
        pan: 0.0,
        render: song::drums,
    },
    Part {
        name: "Bass",
        file: "bass.wav",
        colour: Colour(0xe0, 0x9b, 0x3d),
        fader_db: -3.0,
        pan: 0.0,
        render: song::bass,
    },
    Part {
        name: "Chords",
        file: "chords.wav",
        colour: Colour(0x5f, 0xb0, 0x6e),
        fader_db: -4.0,
        pan: -0.1,
        render: song::chords,
    },
    Part {
        name: "Pad",
        file: "pad.wav",
        colour: Colour(0x4c, 0x9f, 0xc7),
        fader_db: -8.0,
        pan: 0.0,
        render: song::pad,
    },
    Part {
        name: "Lead",
        file: "lead.wav",
        colour: Colour(0x9b, 0x6c, 0xd1),
        fader_db: -7.0,
        pan: 0.3,
        render: song::lead,
    },
    Part {
        name: "Vocal",
        file: "vocal.wav",
        colour: Colour(0xe2, 0x6f, 0xa8),
        fader_db: -1.0,
        pan: 0.0,
        render: song::vocal,
    },
    Part {
        name: "Percussion",
        file: "percussion.wav",
        colour: Colour(0xc7, 0xc2, 0x4c),
        fader_db: -6.0,
        pan: 0.0,
        render: song::percussion,
    },
    Part {
        name: "FX",
        file: "fx.wav",
        colour: Colour(0x7f, 0x8c, 0x99),
        fader_db: -9.0,
        pan: 0.0,
        render: song::effects,
    },
];

/// The demo session document. Media paths are `media/*.wav`.
pub fn session() -> Session {
    let frames = song::FRAMES as u64;
    let mut s = Session::new(song::RATE);
    s.tempo = Tempo { bpm: song::BPM, beats_per_bar: 4, beat_unit: 4 };
    let bar = |n: f64| SampleTime((n * 4.0 * 60.0 / song::BPM * f64::from(song::RATE)).round() as u64);
    for (i, part) in PARTS.iter().enumerate() {
        let id = 1 + 2 * i as u32;
        s.tracks.push(Track {
            id: TrackId(id),
            name: part.name.into(),
            colour: part.colour,
            comment: String::new(),
            clips: vec![Clip {
                id: ClipId(id + 1),
                media: Path::new(MEDIA_DIR).join(part.file),
                start: SampleTime::ZERO,
                source_offset: SampleTime::ZERO,
                length: SampleTime(frames),
                gain_db: Decibels::ZERO,
                fade_in: Fade { length: SampleTime(0), shape: FadeShape::EqualPower },
                fade_out: Fade {
                    length: SampleTime(u64::from(song::RATE) / 2),
                    shape: FadeShape::EqualPower,
                },
                fingerprint: None,
            }],
            strip: Strip { fader_db: Decibels(part.fader_db), pan: Pan(part.pan), ..Strip::default() },
            output: Default::default(),
            layout: Default::default(),
        });
    }
    s.master.fader_db = Decibels(-3.0);
    dress(&mut s);
    let sections = [("Intro", 0.0), ("Verse", 4.0), ("Chorus", 12.0), ("End", 20.0)];
    for (id, (name, at)) in (s.next_id()..).zip(sections) {
        s.markers.push(Marker { id: MarkerId(id), name: name.into(), position: bar(at) });
    }
    s.loop_range = Some(crate::session::LoopRange { start: bar(12.0), end: bar(16.0), enabled: false });
    s
}

/// A mix engineer's starting point on top of the balance: EQ and compression
/// on the rhythm section and the vocal, a reverb bus and a tempo-synced delay
/// bus fed by sends, and a true-peak limiter on the master, so the demo shows
/// every part of the mixer.
fn dress(s: &mut Session) {
    use crate::session::{Bus, BusId, Output, Send, SendId, StripRef};
    let track =
        |s: &Session, name: &str| s.tracks.iter().find(|t| t.name == name).map(|t| StripRef::Track(t.id));
    let insert = |s: &mut Session, strip: Option<StripRef>, kind: &str, params: &[(&str, f64)]| {
        let Some(strip) = strip else { return };
        let Ok(id) = s.add_processor(strip, kind, usize::MAX) else { return };
        for (key, v) in params {
            if let Some(p) = s.processor_param(id, key) {
                s.set_param(p, *v);
            }
        }
    };
    let (drums, bass, vocal) = (track(s, "Drums"), track(s, "Bass"), track(s, "Vocal"));
    insert(
        s,
        drums,
        "eq",
        &[("hp_on", 1.0), ("hp_freq", 35.0), ("p2_freq", 400.0), ("p2_gain", -2.5), ("high_gain", 2.0)],
    );
    insert(
        s,
        drums,
        "compressor",
        &[("threshold", -14.0), ("ratio", 3.0), ("attack", 15.0), ("release", 120.0)],
    );
    insert(
        s,
        bass,
        "eq",
        &[
            ("hp_on", 1.0),
            ("hp_freq", 30.0),
            ("p1_freq", 120.0),
            ("p1_gain", 2.0),
            ("p3_freq", 2000.0),
            ("p3_gain", 1.5),
        ],
    );
    insert(
        s,
        bass,
        "compressor",
        &[("threshold", -18.0), ("ratio", 4.0), ("attack", 20.0), ("release", 200.0)],
    );
    insert(
        s,
        vocal,
        "eq",
        &[
            ("hp_on", 1.0),
            ("hp_freq", 100.0),
            ("p2_freq", 350.0),
            ("p2_gain", -2.0),
            ("p4_freq", 5000.0),
            ("p4_gain", 2.5),
        ],
    );
    insert(
        s,
        vocal,
        "compressor",
        &[("threshold", -20.0), ("ratio", 3.0), ("attack", 5.0), ("release", 80.0)],
    );
    let (reverb, delay) = (BusId(s.next_id()), BusId(s.next_id() + 1));
    for (id, name, colour) in
        [(reverb, "Reverb", crate::stems::palette(5)), (delay, "Delay", crate::stems::palette(6))]
    {
        s.buses.push(Bus {
            id,
            name: name.into(),
            colour,
            comment: String::new(),
            strip: Strip::default(),
            output: Output::Master,
            vca: None,
        });
    }
    insert(s, Some(StripRef::Bus(reverb)), "reverb", &[("decay", 2.2), ("predelay", 25.0), ("mix", 100.0)]);
    insert(
        s,
        Some(StripRef::Bus(delay)),
        "delay",
        &[("sync", 7.0), ("feedback", 30.0), ("hpf", 300.0), ("lpf", 6000.0), ("mix", 100.0)],
    );
    let sends = [
        ("Vocal", reverb, -12.0),
        ("Lead", reverb, -14.0),
        ("Chords", reverb, -18.0),
        ("Pad", reverb, -20.0),
        ("Vocal", delay, -18.0),
        ("Lead", delay, -16.0),
    ];
    for (name, bus, level) in sends {
        let id = SendId(s.next_id());
        if let Some(t) = s.tracks.iter_mut().find(|t| t.name == name) {
            t.strip.sends.push(Send {
                id,
                target: bus,
                level_db: Decibels(level),
                pan: Pan(0.0),
                pre_fader: false,
            });
        }
    }
    insert(s, Some(StripRef::Master), "limiter", &[("ceiling", -1.0), ("release", 80.0)]);
}

/// Writes the demo's media (24-bit WAV) into `dir/media/`, rendering the parts
/// in parallel; returns the files written. Existing files are replaced.
pub fn generate(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let media = dir.join(MEDIA_DIR);
    std::fs::create_dir_all(&media)?;
    PARTS
        .par_iter()
        .map(|part| {
            let audio = (part.render)();
            let path = media.join(part.file);
            write_wav24(&path, &audio)?;
            Ok(path)
        })
        .collect()
}

/// Whether every media file of the demo exists in `dir`.
pub fn media_present(dir: &Path) -> bool {
    PARTS.iter().all(|p| dir.join(MEDIA_DIR).join(p.file).is_file())
}

fn write_wav24(path: &Path, audio: &[Vec<f32>]) -> std::io::Result<()> {
    let spec = hound::WavSpec {
        channels: audio.len() as u16,
        sample_rate: song::RATE,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let io = |e: hound::Error| std::io::Error::other(format!("{}: {e}", path.display()));
    crate::atomic::write_atomically(path, false, |w| {
        let mut writer = hound::WavWriter::new(w, spec).map_err(io)?;
        for i in 0..audio[0].len() {
            for ch in audio {
                let v = (f64::from(ch[i]) * 8_388_608.0).round().clamp(-8_388_608.0, 8_388_607.0) as i32;
                writer.write_sample(v).map_err(io)?;
            }
        }
        writer.finalize().map_err(io)
    })
}
