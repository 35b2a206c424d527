//! Writing a session as a DAWproject: `project.xml`, `metadata.xml` and the
//! media under `audio/`, every entry STORED with its sizes and CRC in the
//! local header (no data descriptors: some readers refuse them).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;

use super::xml::escape;
use super::{DawError, MASTER_NAME};
use crate::session::{Clip, Colour, Output, Session, Strip, StripRef};

/// Writes `s` (whose media paths are relative to `dir`) to `out`. Returns
/// the names of what could not be carried (processors, automation, clip gain
/// and fade shapes), for the caller to say.
pub fn export(s: &Session, dir: &Path, out: &Path) -> Result<Vec<String>, DawError> {
    let mut media: HashMap<PathBuf, String> = HashMap::new();
    let mut used = std::collections::HashSet::new();
    for c in s.tracks.iter().flat_map(|t| &t.clips) {
        if media.contains_key(&c.media) {
            continue;
        }
        let base =
            c.media.file_name().map_or_else(|| "audio.wav".into(), |n| n.to_string_lossy().into_owned());
        let mut name = format!("audio/{base}");
        let mut k = 2;
        while !used.insert(name.clone()) {
            name = format!("audio/{k}-{base}");
            k += 1;
        }
        media.insert(c.media.clone(), name);
    }
    let (xml, lost) = project_xml(s, dir, &media);
    let file = crate::atomic::write_atomically(out, false, |w| {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let io = |e: zip::result::ZipError| std::io::Error::other(e.to_string());
        z.start_file("project.xml", stored).map_err(io)?;
        z.write_all(xml.as_bytes())?;
        z.start_file("metadata.xml", stored).map_err(io)?;
        z.write_all(METADATA.as_bytes())?;
        let mut entries: Vec<(&PathBuf, &String)> = media.iter().collect();
        entries.sort_by(|a, b| a.1.cmp(b.1));
        for (path, name) in entries {
            let bytes = std::fs::read(dir.join(path))
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", dir.join(path).display())))?;
            z.start_file(name.as_str(), stored).map_err(io)?;
            z.write_all(&bytes)?;
        }
        let buf = z.finish().map_err(io)?.into_inner();
        w.write_all(&buf)
    });
    file.map_err(|source| DawError::Io { path: out.to_owned(), source })?;
    Ok(lost)
}

const METADATA: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<MetaData/>\n";

fn colour(c: Colour) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// Linear gain of a level in dB (0 for -inf).
pub(super) fn linear(db: f64) -> f64 {
    if db == f64::NEG_INFINITY { 0.0 } else { 10f64.powf(db / 20.0) }
}

/// Ids in the XML: `t1` for track 1, `c1` its channel, `b10`/`cb10` for bus 10, `master` for the master.
pub(super) fn channel_id(r: StripRef) -> String {
    match r {
        StripRef::Track(t) => format!("c{t}"),
        StripRef::Bus(b) => format!("cb{b}"),
        StripRef::Master => "master".into(),
    }
}

fn project_xml(s: &Session, dir: &Path, media: &HashMap<PathBuf, String>) -> (String, Vec<String>) {
    let mut lost = Vec::new();
    let mut x = String::new();
    let _ = writeln!(x, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>");
    let _ = writeln!(x, "<Project version=\"1.0\">");
    let _ = writeln!(x, "  <Application name=\"Mixdesk\" version=\"{}\"/>", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(x, "  <Transport>");
    let _ = writeln!(x, "    <Tempo unit=\"bpm\" value=\"{}\" id=\"tempo\" name=\"Tempo\"/>", s.tempo.bpm);
    let _ = writeln!(
        x,
        "    <TimeSignature numerator=\"{}\" denominator=\"{}\" id=\"signature\"/>",
        s.tempo.beats_per_bar, s.tempo.beat_unit
    );
    let _ = writeln!(x, "  </Transport>");
    let _ = writeln!(x, "  <Structure>");
    for t in &s.tracks {
        let r = StripRef::Track(t.id);
        track(
            &mut x,
            &format!("t{}", t.id),
            &t.name,
            t.colour,
            &t.comment,
            "audio",
            r,
            &t.strip,
            Some(t.output),
            &mut lost,
        );
    }
    for b in &s.buses {
        let r = StripRef::Bus(b.id);
        track(
            &mut x,
            &format!("b{}", b.id),
            &b.name,
            b.colour,
            &b.comment,
            "audio",
            r,
            &b.strip,
            Some(b.output),
            &mut lost,
        );
    }
    track(
        &mut x,
        "tmaster",
        MASTER_NAME,
        Colour::default(),
        "",
        "audio",
        StripRef::Master,
        &s.master,
        None,
        &mut lost,
    );
    let _ = writeln!(x, "  </Structure>");
    let _ = writeln!(x, "  <Arrangement id=\"arrangement\">");
    let _ = writeln!(x, "    <Lanes timeUnit=\"seconds\" id=\"lanes\">");
    let rate = s.sample_rate;
    let sec = |v: u64| v as f64 / f64::from(rate);
    for t in &s.tracks {
        let _ = writeln!(x, "      <Lanes track=\"t{}\" id=\"lanes{}\">", t.id, t.id);
        let _ = writeln!(x, "        <Clips id=\"clips{}\">", t.id);
        for c in &t.clips {
            clip(&mut x, c, rate, dir, media, &mut lost, &t.name);
        }
        let _ = writeln!(x, "        </Clips>");
        let _ = writeln!(x, "      </Lanes>");
    }
    super::automation::write(&mut x, s, &mut lost);
    let _ = writeln!(x, "    </Lanes>");
    if !s.markers.is_empty() {
        let _ = writeln!(x, "    <Markers timeUnit=\"seconds\" id=\"markers\">");
        for m in &s.markers {
            let _ =
                writeln!(x, "      <Marker time=\"{}\" name=\"{}\"/>", sec(m.position.0), escape(&m.name));
        }
        let _ = writeln!(x, "    </Markers>");
    }
    let _ = writeln!(x, "  </Arrangement>");
    let _ = writeln!(x, "</Project>");
    if !s.notes.is_empty() {
        lost.push(format!("{} review note(s) (DAWproject has no notes)", s.notes.len()));
    }
    (x, lost)
}

#[allow(clippy::too_many_arguments)]
fn track(
    x: &mut String,
    id: &str,
    name: &str,
    c: Colour,
    comment: &str,
    content: &str,
    r: StripRef,
    strip: &Strip,
    output: Option<Output>,
    lost: &mut Vec<String>,
) {
    let comment =
        if comment.is_empty() { String::new() } else { format!(" comment=\"{}\"", escape(comment)) };
    let _ = writeln!(
        x,
        "    <Track contentType=\"{content}\" loaded=\"true\" id=\"{id}\" name=\"{}\" color=\"{}\"{comment}>",
        escape(name),
        colour(c)
    );
    let role = match r {
        StripRef::Track(_) => "regular",
        StripRef::Bus(_) => "submix",
        StripRef::Master => "master",
    };
    let destination = match output {
        Some(Output::Master) => " destination=\"master\"".to_owned(),
        Some(Output::Bus(b)) => format!(" destination=\"{}\"", channel_id(StripRef::Bus(b))),
        None => String::new(),
    };
    let cid = channel_id(r);
    let _ = writeln!(
        x,
        "      <Channel audioChannels=\"2\" role=\"{role}\" solo=\"{}\"{destination} id=\"{cid}\">",
        strip.solo
    );
    super::devices::write(x, &cid, strip, lost, name);
    let _ = writeln!(x, "        <Mute value=\"{}\" id=\"{cid}-mute\" name=\"Mute\"/>", strip.mute);
    let _ = writeln!(
        x,
        "        <Pan unit=\"normalized\" min=\"0\" max=\"1\" value=\"{}\" id=\"{cid}-pan\" name=\"Pan\"/>",
        (strip.pan.0 + 1.0) / 2.0
    );
    if !strip.sends.is_empty() {
        let _ = writeln!(x, "        <Sends>");
        for send in &strip.sends {
            let _ = writeln!(
                x,
                "          <Send destination=\"{}\" type=\"{}\" id=\"send{}\">",
                channel_id(StripRef::Bus(send.target)),
                if send.pre_fader { "pre" } else { "post" },
                send.id
            );
            let _ = writeln!(
                x,
                "            <Pan unit=\"normalized\" min=\"0\" max=\"1\" value=\"{}\" id=\"send{}-pan\"/>",
                (send.pan.0 + 1.0) / 2.0,
                send.id
            );
            let _ = writeln!(
                x,
                "            <Volume unit=\"linear\" min=\"0\" max=\"4\" value=\"{}\" id=\"send{}-volume\"/>",
                linear(send.level_db.0),
                send.id
            );
            let _ = writeln!(x, "          </Send>");
        }
        let _ = writeln!(x, "        </Sends>");
    }
    let _ = writeln!(
        x,
        "        <Volume unit=\"linear\" min=\"0\" max=\"4\" value=\"{}\" id=\"{cid}-volume\" name=\"Volume\"/>",
        linear(strip.fader_db.0)
    );
    let _ = writeln!(x, "      </Channel>");
    let _ = writeln!(x, "    </Track>");
    let moved = strip.trim_db.0 != 0.0 || strip.width != 1.0 || strip.polarity_inverted || strip.solo_safe;
    if moved {
        lost.push(format!("{name}: trim, width, polarity or solo-safe"));
    }
}

fn clip(
    x: &mut String,
    c: &Clip,
    rate: u32,
    dir: &Path,
    media: &HashMap<PathBuf, String>,
    lost: &mut Vec<String>,
    track: &str,
) {
    let sec = |v: u64| v as f64 / f64::from(rate);
    let path = &media[&c.media];
    let (channels, file_rate, duration) =
        audio_info(&dir.join(&c.media)).unwrap_or((2, rate, sec(c.source_offset.0 + c.length.0)));
    let _ = writeln!(
        x,
        "          <Clip time=\"{}\" duration=\"{}\" playStart=\"{}\" fadeTimeUnit=\"seconds\" fadeInTime=\"{}\" fadeOutTime=\"{}\" name=\"{}\">",
        sec(c.start.0),
        sec(c.length.0),
        sec(c.source_offset.0),
        sec(c.fade_in.length.0),
        sec(c.fade_out.length.0),
        escape(&c.media.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
    );
    let _ = writeln!(
        x,
        "            <Audio channels=\"{channels}\" sampleRate=\"{file_rate}\" duration=\"{duration}\" timeUnit=\"seconds\">"
    );
    let _ = writeln!(x, "              <File path=\"{}\"/>", escape(path));
    let _ = writeln!(x, "            </Audio>");
    let _ = writeln!(x, "          </Clip>");
    if c.gain_db.0 != 0.0 {
        lost.push(format!("{track}: clip gain {} dB", c.gain_db.0));
    }
}

/// Channels, rate and length in seconds of a WAV file (None for other formats).
fn audio_info(path: &Path) -> Option<(u16, u32, f64)> {
    let r = hound::WavReader::open(path).ok()?;
    let spec = r.spec();
    Some((spec.channels, spec.sample_rate, f64::from(r.duration()) / f64::from(spec.sample_rate.max(1))))
}
