//! DAWproject: a session exported and imported again keeps every field the
//! format carries (tracks, buses, master, routing, sends, clips with their
//! audio and fades, markers, tempo); every ZIP entry has its sizes in its
//! local header (no data descriptors); what is not carried is said; a file
//! that is not a DAWproject is refused with its name.
//!
//! Not here: validating against the published Project.xsd (no registry ships
//! it; a one-off check with xmllint passed, see docs/engine.md), and importing
//! an example project from the format's repository (it has none; a project
//! written the way other DAWs write theirs, in beats with warps, stands in).

use std::path::Path;

use mixdesk_engine::session::{
    self, Bus, BusId, ClipId, Colour, Decibels, Fade, Marker, MarkerId, Output, Pan, Processor, ProcessorId,
    SampleTime, Send, SendId, Session, TrackId,
};
use mixdesk_tests::{noise, run, track, write_wav_f32};

const RATE: u32 = 48_000;

fn session_with_everything(dir: &Path) -> Session {
    std::fs::create_dir_all(dir.join("media")).unwrap();
    write_wav_f32(&dir.join("media/bass.wav"), RATE, &[noise(1, 96_000, 0.3), noise(2, 96_000, 0.3)]);
    write_wav_f32(&dir.join("media/vox.wav"), RATE, &[noise(3, 48_000, 0.3)]);
    let mut s = Session::new(RATE);
    s.tempo.bpm = 96.5;
    s.tempo.beats_per_bar = 6;
    s.tempo.beat_unit = 8;
    let mut bass = track(1, "media/bass.wav", 4_800, 48_000);
    bass.name = "Bass & <Sub>".into();
    bass.colour = Colour(224, 155, 61);
    bass.comment = "DI \"clean\"".into();
    bass.clips[0].source_offset = SampleTime(12_000);
    bass.clips[0].fade_in = Fade { length: SampleTime(480), ..Fade::default() };
    bass.clips[0].fade_out = Fade { length: SampleTime(2_400), ..Fade::default() };
    let mut second = bass.clips[0].clone();
    second.id = ClipId(1002);
    second.start = SampleTime(60_000);
    second.source_offset = SampleTime(0);
    second.length = SampleTime(30_000);
    bass.clips.push(second);
    bass.strip.fader_db = Decibels(-3.5);
    bass.strip.pan = Pan(-0.3);
    bass.strip.mute = true;
    bass.output = Output::Bus(BusId(10));
    bass.strip.sends.push(Send {
        id: SendId(20),
        target: BusId(11),
        level_db: Decibels(-12.0),
        pan: Pan(0.25),
        pre_fader: true,
    });
    let mut vox = track(3, "media/vox.wav", 0, 48_000);
    vox.name = "Vox".into();
    vox.strip.solo = true;
    vox.strip.fader_db = Decibels(2.0);
    s.tracks = vec![bass, vox];
    let mut group = Bus::new(BusId(10), "Low end");
    group.strip.fader_db = Decibels(-1.0);
    group.colour = Colour(10, 20, 30);
    let mut verb = Bus::new(BusId(11), "Reverb");
    verb.output = Output::Bus(BusId(10));
    s.buses = vec![group, verb];
    s.master.fader_db = Decibels(-1.5);
    let processor = |id: u32, kind: &str, bypassed: bool, params: &[(&str, f64)]| Processor {
        id: ProcessorId(id),
        kind: kind.into(),
        bypassed,
        params: params.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        sidechain: None,
        sidechain_post_fader: false,
        state: None,
    };
    s.tracks[0].strip.processors = vec![
        processor(40, "eq", false, &[("hp_on", 1.0), ("hp_freq", 60.0), ("p2_gain", -3.0), ("p3_q", 2.5)]),
        processor(41, "gate", false, &[("threshold", -50.0), ("hold", 20.0)]),
    ];
    s.tracks[1].strip.processors =
        vec![processor(42, "compressor", true, &[("threshold", -24.0), ("ratio", 3.0), ("knee", 2.0)])];
    s.buses[1].strip.processors = vec![processor(43, "reverb", false, &[("decay", 3.1)])];
    s.master.processors = vec![processor(44, "limiter", false, &[("ceiling", -1.5)])];
    use session::{Lane, ParamId, Point, SendParam, Shape, StripParam, StripRef};
    let lane = |param, points: &[(u64, f64, Shape)]| Lane {
        param,
        mode: session::AutoMode::Read,
        points: points.iter().map(|&(time, value, shape)| Point { time, value, shape }).collect(),
    };
    s.automation = vec![
        lane(
            ParamId::Strip(StripRef::Track(TrackId(1)), StripParam::Fader),
            &[(0, -6.0, Shape::Linear), (24_000, -3.5, Shape::Step), (48_000, -10.0, Shape::Linear)],
        ),
        lane(
            ParamId::Strip(StripRef::Track(TrackId(3)), StripParam::Pan),
            &[(0, -0.5, Shape::Linear), (9_600, 0.75, Shape::Linear)],
        ),
        lane(
            ParamId::Strip(StripRef::Track(TrackId(3)), StripParam::Mute),
            &[(0, 0.0, Shape::Linear), (12_000, 1.0, Shape::Linear)],
        ),
        lane(
            ParamId::Send(SendId(20), SendParam::Level),
            &[(0, -20.0, Shape::Linear), (30_000, -12.0, Shape::Linear)],
        ),
        lane(
            ParamId::Processor(ProcessorId(40), 16),
            &[(0, -3.0, Shape::Linear), (36_000, 4.5, Shape::Step)],
        ),
        lane(ParamId::Strip(StripRef::Master, StripParam::Fader), &[(4_800, -1.5, Shape::Linear)]),
    ];
    s.markers = vec![
        Marker { id: MarkerId(30), name: "Verse".into(), position: SampleTime(0) },
        Marker { id: MarkerId(31), name: "Chorus \"big\"".into(), position: SampleTime(72_000) },
    ];
    s
}

/// The session with ids and media paths set aside: what a round trip must keep.
fn carried(s: &Session, dir: &Path) -> String {
    let bus_name = |id: BusId| s.bus(id).map_or("?".to_owned(), |b| b.name.clone());
    let out = |o: Output| match o {
        Output::Master => "Master".to_owned(),
        Output::Bus(b) => bus_name(b),
    };
    let strip = |st: &session::Strip| {
        let sends: Vec<String> = st
            .sends
            .iter()
            .map(|x| {
                format!(
                    "send to {} {:.9} dB pan {:.9} pre {}",
                    bus_name(x.target),
                    x.level_db.0,
                    x.pan.0,
                    x.pre_fader
                )
            })
            .collect();
        format!(
            "fader {:.9} pan {:.9} mute {} solo {} [{}]",
            st.fader_db.0,
            st.pan.0,
            st.mute,
            st.solo,
            sends.join(", ")
        )
    };
    let mut lines = vec![format!(
        "rate {} tempo {} {}/{}",
        s.sample_rate, s.tempo.bpm, s.tempo.beats_per_bar, s.tempo.beat_unit
    )];
    for t in &s.tracks {
        lines.push(format!(
            "track {} {:?} {:?} -> {} {}",
            t.name,
            t.colour,
            t.comment,
            out(t.output),
            strip(&t.strip)
        ));
        for c in &t.clips {
            let audio = std::fs::read(dir.join(&c.media)).unwrap();
            lines.push(format!(
                "  clip at {} for {} from {} fades {} {} audio {} bytes hash {}",
                c.start.0,
                c.length.0,
                c.source_offset.0,
                c.fade_in.length.0,
                c.fade_out.length.0,
                audio.len(),
                audio.iter().fold(0u64, |h, &b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
            ));
        }
    }
    for b in &s.buses {
        lines.push(format!("bus {} {:?} -> {} {}", b.name, b.colour, out(b.output), strip(&b.strip)));
    }
    lines.push(format!("master {}", strip(&s.master)));
    for m in &s.markers {
        lines.push(format!("marker {:?} at {}", m.name, m.position.0));
    }
    for l in &s.automation {
        let points: Vec<String> =
            l.points.iter().map(|p| format!("{}: {:.6} {:?}", p.time, p.value, p.shape)).collect();
        let strip_name = |r: session::StripRef| match r {
            session::StripRef::Track(id) => s.track(id).unwrap().name.clone(),
            session::StripRef::Bus(id) => s.bus(id).unwrap().name.clone(),
            session::StripRef::Master => "Master".into(),
        };
        let name = match l.param {
            session::ParamId::Strip(r, p) => format!("{} {p:?}", strip_name(r)),
            session::ParamId::Send(id, p) => {
                let owner = s.tracks.iter().find(|t| t.strip.sends.iter().any(|x| x.id == id)).unwrap();
                format!("{} send {p:?}", owner.name)
            }
            session::ParamId::Processor(pid, index) => {
                let (r, i) = s.find_processor(pid).unwrap();
                let p = &s.strip(r).unwrap().processors[i];
                format!("{} {} param {index}", strip_name(r), p.kind)
            }
        };
        lines.push(format!("automation {name} {:?} [{}]", l.mode, points.join(", ")));
    }
    lines.join("\n")
}

#[test]
fn export_then_import_keeps_every_carried_field() {
    let dir = tempfile::tempdir().unwrap();
    let s = session_with_everything(dir.path());
    let p = dir.path().join("song.mixdesk");
    session::save(&s, &p).unwrap();
    let project = dir.path().join("song.dawproject");
    let (ok, out, err) = run(&["export-dawproject", p.to_str().unwrap(), "-o", project.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("(2 tracks, 2 buses)"), "{out}");
    assert!(err.is_empty(), "nothing lost: {err}");

    let back_dir = dir.path().join("imported");
    std::fs::create_dir(&back_dir).unwrap();
    let q = back_dir.join("song.mixdesk");
    let (ok, out, err) = run(&["import-dawproject", project.to_str().unwrap(), "-o", q.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("(2 tracks, 3 clips, 2 buses)"), "{out}");
    let back = session::load(&q).unwrap();
    assert_eq!(carried(&back, &back_dir), carried(&s, dir.path()));
    assert_eq!(
        (back.automation.len(), back.tracks[0].strip.processors.len()),
        (6, 2),
        "the comparison saw them"
    );
    assert_eq!(back.tracks[0].clips[0].media, Path::new("media/bass.wav"), "media extracted into media/");
    assert_eq!(
        back.tracks[0].clips[0].media, back.tracks[0].clips[1].media,
        "one file for clips that share it"
    );
    let (ok, _, err) = run(&["import-dawproject", project.to_str().unwrap(), "-o", q.to_str().unwrap()]);
    assert!(!ok && err.contains("exists"), "an existing session is never overwritten: {err}");
}

/// Every local file header: (name, general purpose flags, compressed size, uncompressed size, crc).
fn local_headers(bytes: &[u8]) -> Vec<(String, u16, u32, u32, u32)> {
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let mut out = Vec::new();
    let mut i = 0;
    while i + 30 <= bytes.len() && u32_at(i) == 0x0403_4b50 {
        let (flags, crc, compressed, size) = (u16_at(i + 6), u32_at(i + 14), u32_at(i + 18), u32_at(i + 22));
        let (name_len, extra_len) = (usize::from(u16_at(i + 26)), usize::from(u16_at(i + 28)));
        let name = String::from_utf8_lossy(&bytes[i + 30..i + 30 + name_len]).into_owned();
        out.push((name, flags, compressed, size, crc));
        // With the sizes in the header, the next header follows the data directly.
        i += 30 + name_len + extra_len + compressed as usize;
    }
    assert_eq!(u32_at(i), 0x0201_4b50, "the central directory follows the last entry's data at byte {i}");
    out
}

#[test]
fn every_zip_entry_has_its_sizes_in_the_local_header_and_no_data_descriptor() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session_with_everything(dir.path());
    s.tracks[1].strip.processors.push(Processor {
        id: ProcessorId(45),
        kind: "compressor".into(),
        bypassed: false,
        params: Default::default(),
        sidechain: Some(session::StripRef::Track(session::TrackId(1))),
        sidechain_post_fader: false,
        state: None,
    });
    let p = dir.path().join("song.mixdesk");
    session::save(&s, &p).unwrap();
    let project = dir.path().join("song.dawproject");
    let (ok, _, err) = run(&["export-dawproject", p.to_str().unwrap(), "-o", project.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(err.contains("not carried into DAWproject: Vox: the sidechain of Compressor"), "{err}");
    let bytes = std::fs::read(&project).unwrap();
    let headers = local_headers(&bytes);
    let names: Vec<&str> = headers.iter().map(|h| h.0.as_str()).collect();
    assert_eq!(names, ["project.xml", "metadata.xml", "audio/bass.wav", "audio/vox.wav"]);
    for (name, flags, compressed, size, crc) in &headers {
        assert_eq!(flags & 0x0008, 0, "{name}: no data descriptor");
        assert_eq!(compressed, size, "{name}: stored");
        assert!(*size > 0 && *crc != 0, "{name}: size and CRC in the local header");
    }
    let wav = std::fs::metadata(dir.path().join("media/bass.wav")).unwrap().len();
    assert_eq!(u64::from(headers[2].3), wav);
}

/// A project written the way other DAWs write theirs: times in beats, the
/// audio inside `Warps`, a plug-in on the channel, entries DEFLATED.
const BEATS_PROJECT: &str = r##"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project version="1.0">
  <Application name="Other DAW" version="5.0"/>
  <Transport>
    <Tempo unit="bpm" value="120.0" id="id1" name="Tempo"/>
    <TimeSignature numerator="3" denominator="4" id="id2"/>
  </Transport>
  <Structure>
    <Track contentType="audio" loaded="true" id="id3" name="Audio 1" color="#d92e24">
      <Channel audioChannels="2" destination="id9" role="regular" solo="false" id="id4">
        <Devices>
          <Vst3Plugin deviceName="Some EQ" deviceRole="audioFX" loaded="true" id="id20">
            <State path="plugins/eq.vstpreset"/>
          </Vst3Plugin>
          <Compressor deviceName="Comp" deviceRole="audioFX" loaded="true" id="id21">
            <Enabled value="false"/>
            <Attack unit="seconds" value="0.005"/>
            <Ratio unit="linear" value="3.0"/>
            <Threshold unit="decibel" value="-20.0"/>
          </Compressor>
        </Devices>
        <Mute value="false" id="id5" name="Mute"/>
        <Pan max="1.0" min="0.0" unit="normalized" value="0.75" id="id6" name="Pan"/>
        <Volume max="2.0" min="0.0" unit="linear" value="0.5" id="id7" name="Volume"/>
      </Channel>
    </Track>
    <Track contentType="audio notes" loaded="true" id="id8" name="Master">
      <Channel audioChannels="2" role="master" solo="false" id="id9">
        <Volume max="2.0" min="0.0" unit="linear" value="1.0" id="id10" name="Volume"/>
      </Channel>
    </Track>
  </Structure>
  <Arrangement id="id11">
    <Lanes timeUnit="beats" id="id12">
      <Lanes track="id3" id="id13">
        <Clips id="id14">
          <Clip time="4.0" duration="8.0" playStart="0.0" fadeTimeUnit="beats" fadeInTime="0.5" fadeOutTime="0.0">
            <Warps contentTimeUnit="seconds" timeUnit="beats" id="id15">
              <Audio algorithm="stretch" channels="2" duration="4.0" sampleRate="48000" id="id16">
                <File path="audio/take.wav"/>
              </Audio>
              <Warp time="0.0" contentTime="0.0"/>
              <Warp time="8.0" contentTime="4.0"/>
            </Warps>
          </Clip>
        </Clips>
      </Lanes>
    </Lanes>
    <Markers id="id17">
      <Marker time="8.0" name="Drop"/>
    </Markers>
  </Arrangement>
</Project>
"##;

#[test]
fn a_project_in_beats_with_warps_and_a_plugin_imports() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("take.wav");
    write_wav_f32(&wav, RATE, &[noise(5, 192_000, 0.3), noise(6, 192_000, 0.3)]);
    let project = dir.path().join("other.dawproject");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&project).unwrap());
    let deflated =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    z.start_file("project.xml", deflated).unwrap();
    z.write_all(BEATS_PROJECT.as_bytes()).unwrap();
    z.start_file("audio/take.wav", deflated).unwrap();
    z.write_all(&std::fs::read(&wav).unwrap()).unwrap();
    z.finish().unwrap();

    let q = dir.path().join("in/song.mixdesk");
    std::fs::create_dir_all(q.parent().unwrap()).unwrap();
    let (ok, out, err) = run(&["import-dawproject", project.to_str().unwrap(), "-o", q.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("(1 tracks, 1 clips, 0 buses)"), "{out}");
    assert!(err.contains("not imported: Audio 1: Vst3Plugin \"Some EQ\""), "{err}");
    let s = session::load(&q).unwrap();
    assert_eq!((s.tempo.bpm, s.tempo.beats_per_bar, s.tempo.beat_unit), (120.0, 3, 4));
    let t = &s.tracks[0];
    assert_eq!((t.name.as_str(), t.colour), ("Audio 1", Colour(0xd9, 0x2e, 0x24)));
    assert!((t.strip.fader_db.0 - 20.0 * 0.5f64.log10()).abs() < 1e-9, "{}", t.strip.fader_db.0);
    assert_eq!(t.strip.pan, Pan(0.5));
    let comp = &t.strip.processors[0];
    assert_eq!((comp.kind.as_str(), comp.bypassed), ("compressor", true), "a generic device maps onto ours");
    let want: std::collections::BTreeMap<String, f64> =
        [("attack", 5.0), ("ratio", 3.0), ("threshold", -20.0)]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), *v))
            .collect();
    assert_eq!(comp.params, want);
    let c = &t.clips[0];
    // 4 beats at 120 BPM = 2 s; 8 beats = 4 s; a fade of half a beat = 0.25 s.
    assert_eq!((c.start.0, c.length.0, c.fade_in.length.0), (96_000, 192_000, 12_000));
    assert_eq!(std::fs::read(q.parent().unwrap().join(&c.media)).unwrap(), std::fs::read(&wav).unwrap());
    assert_eq!((s.markers[0].name.as_str(), s.markers[0].position.0), ("Drop", 192_000));
}

#[test]
fn a_file_that_is_not_a_dawproject_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.dawproject");
    std::fs::write(&text, "hello").unwrap();
    let out = dir.path().join("x.mixdesk");
    let (ok, _, err) = run(&["import-dawproject", text.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(
        !ok && err.contains("notes.dawproject is not a DAWproject") && err.contains("not a ZIP archive"),
        "{err}"
    );
    assert!(!out.exists());
}
