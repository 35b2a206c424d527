//! Reading a DAWproject into a session: tracks and buses with their channel
//! settings and routing, audio clips with fades (their media extracted into
//! the session's `media/` folder), markers, tempo and time signature.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::xml::{self, Element};
use super::{DawError, MASTER_NAME};
use crate::session::{
    Bus, BusId, Clip, ClipId, Colour, Decibels, Fade, Marker, MarkerId, Output, Pan, ParamId, ProcessorId,
    SampleTime, Send, SendId, SendParam, Session, Strip, StripParam, StripRef, Track, TrackId,
};

/// Largest `project.xml` read.
const MAX_XML: u64 = 64 << 20;

/// Reads the DAWproject at `path` into a session to be saved as `session_path`
/// (media extracted beside it into `media/`). Returns the session and what was
/// left out, in words.
pub fn import(path: &Path, session_path: &Path) -> Result<(Session, Vec<String>), DawError> {
    let bad = |why: String| DawError::NotDawProject { path: path.to_owned(), why };
    let file = crate::files::open_regular(path)
        .map_err(|e| DawError::Io { path: path.to_owned(), source: std::io::Error::other(e.to_string()) })?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| bad(format!("it is not a ZIP archive ({e})")))?;
    let text = {
        let entry = zip.by_name("project.xml").map_err(|_| bad("it has no project.xml".into()))?;
        let mut text = String::new();
        entry.take(MAX_XML + 1).read_to_string(&mut text).map_err(|e| bad(format!("project.xml: {e}")))?;
        if text.len() as u64 > MAX_XML {
            return Err(bad("project.xml is larger than 64 MiB".into()));
        }
        text
    };
    let root = xml::parse(&text).map_err(|e| bad(format!("project.xml: {e}")))?;
    if root.name != "Project" {
        return Err(bad(format!("project.xml holds <{}>, not <Project>", root.name)));
    }
    let dir = match session_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut r = Reader {
        zip: &mut zip,
        path,
        dir,
        extracted: HashMap::new(),
        lost: Vec::new(),
        next_id: 1,
        targets: HashMap::new(),
    };
    let s = r.session(&root)?;
    Ok((s, r.lost))
}

/// A send read before every channel is known: its strip, its destination's
/// XML id, the send, and the XML ids of its level and pan.
type PendingSend = (StripRef, String, Send, Vec<(String, SendParam)>);

struct Reader<'a> {
    zip: &'a mut zip::ZipArchive<std::fs::File>,
    path: &'a Path,
    dir: PathBuf,
    extracted: HashMap<String, PathBuf>,
    lost: Vec<String>,
    next_id: u32,
    /// Parameter elements by XML id, for automation targets.
    targets: HashMap<String, ParamId>,
}

fn db(e: &Element) -> f64 {
    let v = e.num("value").unwrap_or(1.0);
    match e.attr("unit") {
        Some("decibel") => v,
        _ if v <= 0.0 => f64::NEG_INFINITY,
        _ => (20.0 * v.log10() * 1e9).round() / 1e9,
    }
}

fn pan(e: Option<&Element>) -> Pan {
    let Some(e) = e else { return Pan::CENTRE };
    let v = e.num("value").unwrap_or(0.5);
    let p = match e.attr("unit") {
        Some("percent") => v / 100.0,
        _ => v * 2.0 - 1.0,
    };
    Pan(((p.clamp(-1.0, 1.0)) * 1e9).round() / 1e9)
}

fn colour(e: &Element) -> Colour {
    let hex = e.attr("color").and_then(|c| c.strip_prefix('#')).filter(|h| h.len() >= 6);
    let byte = |h: &str, i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    hex.and_then(|h| Some(Colour(byte(h, 0)?, byte(h, 2)?, byte(h, 4)?))).unwrap_or_default()
}

impl Reader<'_> {
    fn id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn session(&mut self, root: &Element) -> Result<Session, DawError> {
        let audio_rate =
            root.descendants().into_iter().find(|e| e.name == "Audio").and_then(|a| a.num("sampleRate"));
        let rate = audio_rate.map_or(48_000, |r| r.clamp(8_000.0, 384_000.0) as u32);
        let mut s = Session::new(rate);
        if let Some(t) = root.child("Transport") {
            if let Some(bpm) = t.child("Tempo").and_then(|e| e.num("value")) {
                s.tempo.bpm = bpm.clamp(1.0, 999.0);
            }
            if let Some(sig) = t.child("TimeSignature") {
                s.tempo.beats_per_bar = sig.num("numerator").map_or(4, |n| n.clamp(1.0, 64.0) as u32);
                let d = sig.num("denominator").map_or(4, |d| d as u32);
                s.tempo.beat_unit = if [1, 2, 4, 8, 16, 32].contains(&d) { d } else { 4 };
            }
        }
        // Channels by their XML id, the tracks that own clips by their XML id.
        let mut channels: HashMap<String, StripRef> = HashMap::new();
        let mut tracks: HashMap<String, TrackId> = HashMap::new();
        let mut routes: Vec<(StripRef, String)> = Vec::new();
        let mut sends: Vec<PendingSend> = Vec::new();
        let structure: Vec<&Element> = root
            .child("Structure")
            .map(|st| st.descendants().into_iter().filter(|e| e.name == "Track").collect())
            .unwrap_or_default();
        for t in structure {
            let Some(ch) = t.child("Channel") else { continue };
            let name = t.attr("name").unwrap_or("Track").to_owned();
            let role = ch.attr("role").unwrap_or("regular");
            let r = if role == "master" {
                StripRef::Master
            } else if role == "regular" {
                let id = TrackId(self.id());
                s.tracks.push(Track {
                    id,
                    name,
                    colour: colour(t),
                    comment: t.attr("comment").unwrap_or_default().to_owned(),
                    clips: Vec::new(),
                    strip: Strip::default(),
                    output: Output::Master,
                    layout: Default::default(),
                });
                if let Some(x) = t.attr("id") {
                    tracks.insert(x.to_owned(), id);
                }
                StripRef::Track(id)
            } else {
                let id = BusId(self.id());
                let mut b = Bus::new(id, name);
                b.colour = colour(t);
                b.comment = t.attr("comment").unwrap_or_default().to_owned();
                s.buses.push(b);
                StripRef::Bus(id)
            };
            if let Some(x) = ch.attr("id") {
                channels.insert(x.to_owned(), r);
            }
            for (field, param) in
                [("Volume", StripParam::Fader), ("Pan", StripParam::Pan), ("Mute", StripParam::Mute)]
            {
                if let Some(x) = ch.child(field).and_then(|e| e.attr("id")) {
                    self.targets.insert(x.to_owned(), ParamId::Strip(r, param));
                }
            }
            let strip = strip_of(&mut s, r);
            strip.fader_db = Decibels(ch.child("Volume").map_or(0.0, db));
            strip.pan = pan(ch.child("Pan"));
            strip.mute = ch.child("Mute").and_then(|m| m.attr("value")) == Some("true");
            strip.solo = ch.attr("solo") == Some("true");
            if let Some(dest) = ch.attr("destination") {
                routes.push((r, dest.to_owned()));
            }
            for send in ch.child("Sends").into_iter().flat_map(|x| x.all("Send")) {
                let Some(dest) = send.attr("destination") else { continue };
                let level = send.child("Volume").map_or(0.0, db);
                let send_pan = pan(send.child("Pan"));
                let s2 = Send {
                    id: SendId(0),
                    target: BusId(0),
                    level_db: Decibels(level),
                    pan: send_pan,
                    pre_fader: send.attr("type") == Some("pre"),
                };
                let ids = [("Volume", SendParam::Level), ("Pan", SendParam::Pan)]
                    .into_iter()
                    .filter_map(|(f, p)| Some((send.child(f)?.attr("id")?.to_owned(), p)))
                    .collect::<Vec<_>>();
                sends.push((r, dest.to_owned(), s2, ids));
            }
            if let Some(devices) = ch.child("Devices") {
                let (processors, lost) = super::devices::read(devices, t.attr("name").unwrap_or(MASTER_NAME));
                self.lost.extend(lost);
                for (mut p, ids) in processors {
                    p.id = ProcessorId(self.id());
                    let spec = crate::dsp::kind(&p.kind).map_or(&[][..], |k| k.params);
                    for (x, key) in ids {
                        if let Some(index) = spec.iter().position(|i| i.key == key) {
                            self.targets.insert(x, ParamId::Processor(p.id, index as u16));
                        }
                    }
                    strip_of(&mut s, r).processors.push(p);
                }
            }
        }
        for (r, dest) in routes {
            let out = match channels.get(&dest) {
                Some(StripRef::Bus(b)) => Output::Bus(*b),
                _ => Output::Master,
            };
            match r {
                StripRef::Track(id) => {
                    s.tracks.iter_mut().filter(|t| t.id == id).for_each(|t| t.output = out)
                }
                StripRef::Bus(id) if out != Output::Bus(id) => {
                    s.buses.iter_mut().filter(|b| b.id == id).for_each(|b| b.output = out)
                }
                _ => {}
            }
        }
        for (r, dest, mut send, ids) in sends {
            let Some(StripRef::Bus(target)) = channels.get(&dest).copied() else { continue };
            send.target = target;
            send.id = SendId(self.id());
            for (x, p) in ids {
                self.targets.insert(x, ParamId::Send(send.id, p));
            }
            strip_of(&mut s, r).sends.push(send);
        }
        if let Some(arr) = root.child("Arrangement") {
            self.lanes(&mut s, arr, "beats", &tracks)?;
            for m in arr.child("Markers").into_iter().flat_map(|x| x.all("Marker")) {
                let lanes_unit = arr.child("Lanes").and_then(|x| x.attr("timeUnit"));
                let unit =
                    arr.child("Markers").and_then(|x| x.attr("timeUnit")).or(lanes_unit).unwrap_or("beats");
                let t = seconds(m.num("time").unwrap_or(0.0), unit, s.tempo.bpm);
                let id = MarkerId(self.id());
                s.markers.push(Marker {
                    id,
                    name: m.attr("name").unwrap_or_default().to_owned(),
                    position: SampleTime::from_seconds(t, rate),
                });
            }
            if arr.child("TempoAutomation").is_some() {
                self.lost.push("tempo changes (the session has one tempo)".into());
            }
        }
        crate::session::validate(&s)
            .map_err(|e| DawError::NotDawProject { path: self.path.to_owned(), why: e.to_string() })?;
        Ok(s)
    }

    /// Clips under `e`, whose time unit is `unit` unless it says otherwise.
    fn lanes(
        &mut self,
        s: &mut Session,
        e: &Element,
        unit: &str,
        tracks: &HashMap<String, TrackId>,
    ) -> Result<(), DawError> {
        let unit = e.attr("timeUnit").unwrap_or(unit).to_owned();
        for child in &e.children {
            match child.name.as_str() {
                "Lanes" => self.lanes(s, child, &unit, tracks)?,
                "Clips" => {
                    let owner = child.attr("track").or(e.attr("track")).and_then(|t| tracks.get(t)).copied();
                    let Some(owner) = owner else { continue };
                    let unit = child.attr("timeUnit").unwrap_or(&unit).to_owned();
                    for c in child.all("Clip") {
                        if let Some(clip) = self.clip(s, c, &unit)? {
                            s.tracks
                                .iter_mut()
                                .filter(|t| t.id == owner)
                                .for_each(|t| t.clips.push(clip.clone()));
                        }
                    }
                }
                "Points" => match super::automation::read(child, &unit, s, &self.targets) {
                    Some(lane) if !s.automation.iter().any(|l| l.param == lane.param) => {
                        s.automation.push(lane)
                    }
                    _ => self.lost.push("automation of a parameter Mixdesk does not have".into()),
                },
                _ => {}
            }
        }
        Ok(())
    }

    fn clip(&mut self, s: &Session, c: &Element, unit: &str) -> Result<Option<Clip>, DawError> {
        let (bpm, rate) = (s.tempo.bpm, s.sample_rate);
        let audio = c.child("Audio").or_else(|| c.child("Warps").and_then(|w| w.child("Audio")));
        let Some(audio) = audio else {
            self.lost.push("a clip that is not audio".into());
            return Ok(None);
        };
        let Some(file) =
            audio.child("File").and_then(|f| f.attr("path").map(|p| (p, f.attr("external") == Some("true"))))
        else {
            return Ok(None);
        };
        let media = self.media(file.0, file.1)?;
        let content = c.attr("contentTimeUnit").unwrap_or(unit);
        let fades = c.attr("fadeTimeUnit").unwrap_or(unit);
        let t = |v: Option<f64>, u: &str| SampleTime::from_seconds(seconds(v.unwrap_or(0.0), u, bpm), rate);
        let start = t(c.num("time"), unit);
        let length = match c.num("duration") {
            Some(d) => t(Some(d), unit),
            None => t(audio.num("duration"), audio.attr("timeUnit").unwrap_or("seconds")),
        };
        if length.0 == 0 {
            return Ok(None);
        }
        let fade = |key: &str| Fade { length: t(c.num(key), fades), ..Fade::default() };
        let id = ClipId(self.id());
        Ok(Some(Clip {
            id,
            media,
            start,
            source_offset: t(c.num("playStart"), content),
            length,
            gain_db: Decibels::ZERO,
            fade_in: fade("fadeInTime"),
            fade_out: fade("fadeOutTime"),
            fingerprint: None,
        }))
    }

    /// The media file `name` of the archive, extracted into `media/` (once),
    /// as a path relative to the session's folder; an external file as it is.
    fn media(&mut self, name: &str, external: bool) -> Result<PathBuf, DawError> {
        if external {
            return Ok(PathBuf::from(name));
        }
        if let Some(p) = self.extracted.get(name) {
            return Ok(p.clone());
        }
        let bad = |why: String| DawError::NotDawProject { path: self.path.to_owned(), why };
        let mut entry =
            self.zip.by_name(name).map_err(|_| bad(format!("it names {name}, which it does not hold")))?;
        let base = Path::new(name)
            .file_name()
            .map_or_else(|| "audio.wav".into(), |n| n.to_string_lossy().into_owned());
        let folder = self.dir.join("media");
        std::fs::create_dir_all(&folder).map_err(|source| DawError::Io { path: folder.clone(), source })?;
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| bad(format!("{name}: {e}")))?;
        let mut k = 1;
        let rel = loop {
            let file = if k == 1 { base.clone() } else { format!("{k}-{base}") };
            let at = folder.join(&file);
            match std::fs::read(&at) {
                Ok(existing) if existing == bytes => break PathBuf::from("media").join(file),
                Ok(_) => k += 1,
                Err(_) => {
                    crate::atomic::write_atomically(&at, false, |w| std::io::Write::write_all(w, &bytes))
                        .map_err(|source| DawError::Io { path: at.clone(), source })?;
                    break PathBuf::from("media").join(file);
                }
            }
        };
        self.extracted.insert(name.to_owned(), rel.clone());
        Ok(rel)
    }
}

fn strip_of(s: &mut Session, r: StripRef) -> &mut Strip {
    match r {
        StripRef::Track(id) => &mut s.tracks.iter_mut().find(|t| t.id == id).expect("just added").strip,
        StripRef::Bus(id) => &mut s.buses.iter_mut().find(|b| b.id == id).expect("just added").strip,
        StripRef::Master => &mut s.master,
    }
}

/// A time in `unit` as seconds (beats at `bpm`).
fn seconds(v: f64, unit: &str, bpm: f64) -> f64 {
    if unit == "beats" { v * 60.0 / bpm.max(1.0) } else { v }
}
