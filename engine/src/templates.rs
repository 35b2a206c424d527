//! Track templates: a strip's settings (inserts with their parameters, sends,
//! fader, pan, trim, width, colour, comment, output) saved under a name, to
//! start new tracks from. Each template is one RON file in a folder (the app
//! uses `$XDG_CONFIG_HOME/mixdesk/templates/`), written atomically.
//!
//! A template refers to buses by name, not id, so it can be applied in any
//! session: a send or an output to a bus the session does not have is left
//! out (the track plays into the master), and a sidechain key is dropped.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::session::{
    Colour, Output, Processor, ProcessorId, Send, SendId, Session, Strip, StripRef, Track, TrackId,
};

/// A saved track setup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackTemplate {
    /// Its name (also the file's name).
    pub name: String,
    /// The track colour.
    #[serde(default)]
    pub colour: Colour,
    /// The track comment.
    #[serde(default)]
    pub comment: String,
    /// The strip, ids and sidechain keys cleared; sends name buses in `send_buses`.
    pub strip: Strip,
    /// The bus each send of `strip` feeds, by name, in order.
    #[serde(default)]
    pub send_buses: Vec<String>,
    /// The bus the track plays into, by name; none: the master.
    #[serde(default)]
    pub output_bus: Option<String>,
}

/// A template that could not be read or written, with the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// Reading or writing the file failed.
    #[error("{path}: {source}. Check that the folder exists and is writable.")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a template.
    #[error("{path} is not a track template ({reason}); move it out of the templates folder")]
    NotATemplate {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl TrackTemplate {
    /// The template of track or bus `r` of `s`, named `name`.
    pub fn of(s: &Session, r: StripRef, name: &str) -> Option<TrackTemplate> {
        let (colour, comment, output) = match r {
            StripRef::Track(id) => s.track(id).map(|t| (t.colour, t.comment.clone(), t.output))?,
            StripRef::Bus(id) => s.bus(id).map(|b| (b.colour, b.comment.clone(), b.output))?,
            StripRef::Master => return None,
        };
        let mut strip = s.strip(r)?.clone();
        let bus_name = |id| s.bus(id).map(|b| b.name.clone()).unwrap_or_default();
        let send_buses = strip.sends.iter().map(|x| bus_name(x.target)).collect();
        for p in &mut strip.processors {
            p.id = ProcessorId(0);
            p.sidechain = None;
            p.sidechain_post_fader = false;
        }
        for x in &mut strip.sends {
            x.id = SendId(0);
        }
        let output_bus = match output {
            Output::Bus(id) => Some(bus_name(id)),
            Output::Master => None,
        };
        Some(TrackTemplate { name: name.to_owned(), colour, comment, strip, send_buses, output_bus })
    }

    /// A new empty track of `s` from this template, with ids from `s.next_id()`.
    pub fn track(&self, s: &Session) -> Track {
        let mut next = s.next_id();
        let id = TrackId(next);
        next += 1;
        let bus = |name: &str| s.buses.iter().find(|b| b.name == name).map(|b| b.id);
        let mut strip = self.strip.clone();
        strip.processors = strip
            .processors
            .iter()
            .map(|p| {
                next += 1;
                Processor {
                    id: ProcessorId(next - 1),
                    sidechain: None,
                    sidechain_post_fader: false,
                    ..p.clone()
                }
            })
            .collect();
        strip.sends = strip
            .sends
            .iter()
            .zip(&self.send_buses)
            .filter_map(|(x, name)| {
                let target = bus(name)?;
                next += 1;
                Some(Send { id: SendId(next - 1), target, ..x.clone() })
            })
            .collect();
        let output = self.output_bus.as_deref().and_then(bus).map_or(Output::Master, Output::Bus);
        Track {
            id,
            name: self.name.clone(),
            colour: self.colour,
            comment: self.comment.clone(),
            clips: Vec::new(),
            strip,
            output,
            layout: Default::default(),
        }
    }

    /// Saves it as `DIR/NAME.ron` (atomically, creating the folder); returns the path.
    pub fn save(&self, dir: &Path) -> Result<PathBuf, TemplateError> {
        let safe: String = self
            .name
            .chars()
            .map(|c| if c.is_alphanumeric() || " -_".contains(c) { c } else { '_' })
            .collect();
        let path = dir.join(format!("{}.ron", safe.trim()));
        let io = |source| TemplateError::Io { path: path.clone(), source };
        std::fs::create_dir_all(dir).map_err(io)?;
        let text = ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default())
            .map_err(|e| io(std::io::Error::other(e)))?;
        crate::atomic::write_atomically(&path, false, |w| std::io::Write::write_all(w, text.as_bytes()))
            .map_err(io)?;
        Ok(path)
    }
}

/// Every template in `dir` by name, and the files that are not templates.
/// A missing folder has none.
pub fn load_all(dir: &Path) -> (Vec<TrackTemplate>, Vec<TemplateError>) {
    let (mut out, mut bad) = (Vec::new(), Vec::new());
    let Ok(entries) = std::fs::read_dir(dir) else { return (out, bad) };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    paths.sort();
    for path in paths {
        // Regular files only (never a FIFO or a device), at most 1 MiB.
        let read = crate::files::open_regular(&path).map_err(|e| e.to_string()).and_then(|f| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::Read::take(f, 1 << 20), &mut text)
                .map_err(|e| e.to_string())?;
            ron::from_str::<TrackTemplate>(&text).map_err(|e| e.to_string())
        });
        match read {
            Ok(t) => out.push(t),
            Err(reason) => bad.push(TemplateError::NotATemplate { path, reason }),
        }
    }
    (out, bad)
}
