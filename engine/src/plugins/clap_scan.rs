//! Finding the installed CLAP plugins.
//!
//! The CLAP search path is `CLAP_PATH` when set (folders, or `.clap` files),
//! else `~/.clap` and `/usr/lib/clap`; every `.clap` file under them (to a
//! few folders deep) is loaded, each plugin of its factory instantiated
//! (never activated) and asked its audio ports, parameters (params
//! extension: range, stepped, enumerations through the plugin's own value
//! texts, the unit from the text of the default value) and whether it
//! reports latency. The result is cached beside the LV2 scan (see
//! [`super::scan`]), keyed by every file's path and modification time.
//!
//! Scanning loads the plugins into this process: a plugin that crashes on
//! load takes the scan down with it (hosts that scan in a child process
//! survive that; Mixdesk does not yet).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use clack_extensions::audio_ports::{AudioPortInfoBuffer, PluginAudioPorts};
use clack_extensions::latency::PluginLatency;
use clack_extensions::params::{ParamInfoBuffer, ParamInfoFlags, PluginParams};
use clack_host::prelude::*;

use super::clap::{Host, entry, new_instance};
use super::{CLAP_PREFIX, PluginInfo, PluginParam};

/// Folders below a search folder that are looked into for `.clap` files.
const DEPTH: usize = 4;

/// Enumerations longer than this are offered as a number, not a menu.
const MAX_CHOICES: f64 = 64.0;

/// Folders searched besides the CLAP path, added by the program itself
/// before the first scan (the tests add the folder of the test plugin they
/// build; changing the environment of a running, threaded program is not
/// safe).
static EXTRA: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Searches `dir` too. Only scans made after this see it (the registry of
/// [`super::list`] is built once, at its first use).
pub fn add_search_path(dir: PathBuf) {
    let mut extra = EXTRA.lock().unwrap_or_else(|e| e.into_inner());
    if !extra.contains(&dir) {
        extra.push(dir);
    }
}

/// The folders (or files) searched for CLAP plugins.
pub fn clap_path() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(p) = std::env::var_os("CLAP_PATH") {
        dirs.extend(std::env::split_paths(&p).filter(|p| !p.as_os_str().is_empty()));
    } else {
        if let Some(home) = std::env::var_os("HOME") {
            dirs.push(PathBuf::from(home).join(".clap"));
        }
        dirs.push(PathBuf::from("/usr/lib/clap"));
    }
    dirs.extend(EXTRA.lock().unwrap_or_else(|e| e.into_inner()).iter().cloned());
    dirs
}

/// Every `.clap` file on the path, sorted, each once.
pub fn clap_files() -> Vec<PathBuf> {
    fn walk(p: &Path, depth: usize, out: &mut Vec<PathBuf>) {
        if p.extension().is_some_and(|e| e == "clap") && p.is_file() {
            out.push(p.to_path_buf());
        } else if depth > 0
            && let Ok(entries) = std::fs::read_dir(p)
        {
            for e in entries.flatten() {
                walk(&e.path(), depth - 1, out);
            }
        }
    }
    let mut out = Vec::new();
    for p in clap_path() {
        walk(&p, DEPTH, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

/// Scans the CLAP path now (no cache).
pub fn scan() -> Vec<PluginInfo> {
    let mut out = Vec::new();
    for file in clap_files() {
        let path = file.to_string_lossy().into_owned();
        let Ok(entry) = entry(&path) else { continue };
        let Some(factory) = entry.get_plugin_factory() else { continue };
        let plugins: Vec<(String, String, String, Vec<String>)> = factory
            .plugin_descriptors()
            .filter_map(|d| {
                let text = |c: Option<&std::ffi::CStr>| c.map(|c| c.to_string_lossy().into_owned());
                let id = text(d.id())?;
                let name = text(d.name()).unwrap_or_else(|| id.clone());
                let features = d.features().map(|f| f.to_string_lossy().into_owned()).collect();
                Some((id, name, text(d.vendor()).unwrap_or_default(), features))
            })
            .collect();
        for (id, name, author, features) in plugins {
            out.push(describe(&path, id, name, author, &features));
        }
    }
    out
}

fn describe(path: &str, id: String, name: String, author: String, features: &[String]) -> PluginInfo {
    let mut info = PluginInfo {
        format: "clap".into(),
        kind: format!("{CLAP_PREFIX}{id}"),
        name,
        author,
        category: category(features),
        bundle: path.to_owned(),
        audio_inputs: 0,
        audio_outputs: 0,
        sidechain_inputs: Vec::new(),
        reports_latency: false,
        block: super::BlockNeeds::default(),
        unsupported: None,
        params: Vec::new(),
        id,
    };
    let mut inst = match new_instance(path, &info.id) {
        Ok(i) => i,
        Err(e) => {
            info.unsupported = Some(format!("it failed to start: {e}"));
            return info;
        }
    };
    let h = inst.plugin_handle();
    info.reports_latency = h.get_extension::<PluginLatency>().is_some();
    let Ports { ins, outs, sidechain, extra } = ports(&inst.plugin_handle());
    info.audio_inputs = ins + sidechain;
    info.audio_outputs = outs;
    // The sidechain port's channels count after the main port's.
    info.sidechain_inputs = (ins..ins + sidechain).collect();
    info.unsupported = match (ins, outs) {
        _ if extra => Some("more audio ports than a main input, a sidechain and a main output".to_owned()),
        _ if sidechain > 2 => Some(format!("{sidechain} sidechain channels; a key is 1 or 2 channels")),
        (1, 1) | (2, 2) => None,
        (0, _) => Some("it has no audio input (an instrument or generator)".to_owned()),
        (i, o) => Some(format!("{i} audio inputs and {o} outputs; inserts take 1 in/1 out or 2 in/2 out")),
    };
    info.params = params(&mut inst);
    info
}

/// A plugin's audio ports as an insert sees them.
struct Ports {
    /// Channels of the main input port.
    ins: usize,
    /// Channels of the main output port.
    outs: usize,
    /// Channels of its one other input port, its sidechain (0: none).
    sidechain: usize,
    /// Ports beyond those (more outputs, more inputs): not hosted.
    extra: bool,
}

/// The channels of the main input and output ports, of a second input
/// port (a sidechain), and whether there are other ports.
fn ports(h: &PluginMainThreadHandle) -> Ports {
    let Some(ext) = h.get_extension::<PluginAudioPorts>() else {
        return Ports { ins: 0, outs: 0, sidechain: 0, extra: false };
    };
    let mut buf = AudioPortInfoBuffer::new();
    let mut channels = |is_input: bool, index: u32| {
        ext.get(h, index, is_input, &mut buf).map_or(0, |p| p.channel_count as usize)
    };
    let (in_count, out_count) = (ext.count(h, true), ext.count(h, false));
    let ins = if in_count > 0 { channels(true, 0) } else { 0 };
    let outs = if out_count > 0 { channels(false, 0) } else { 0 };
    let sidechain = if in_count == 2 { channels(true, 1) } else { 0 };
    Ports { ins, outs, sidechain, extra: in_count > 2 || out_count > 1 || (in_count == 2 && sidechain == 0) }
}

fn params(inst: &mut PluginInstance<Host>) -> Vec<PluginParam> {
    let h = inst.plugin_handle();
    let Some(ext) = h.get_extension::<PluginParams>() else { return Vec::new() };
    let mut out = Vec::new();
    let mut buf = ParamInfoBuffer::new();
    for i in 0..ext.count(&h) {
        let Some(p) = ext.get_info(&h, i, &mut buf) else { continue };
        if p.flags.intersects(ParamInfoFlags::IS_HIDDEN | ParamInfoFlags::IS_READONLY) {
            continue;
        }
        let (id, flags) = (p.id, p.flags);
        let name = String::from_utf8_lossy(p.name).trim_end_matches('\0').to_owned();
        let (min, max) = (p.min_value, p.max_value.max(p.min_value));
        let default = p.default_value.clamp(min, max);
        let mut text_buf = [0u8; 256];
        let mut text = |v: f64| -> Option<String> {
            let t = ext.value_to_text(&h, id, v, &mut text_buf).ok()?;
            Some(String::from_utf8_lossy(t).trim_end_matches('\0').to_owned())
        };
        let stepped = flags.contains(ParamInfoFlags::IS_STEPPED);
        let mut choices = Vec::new();
        if stepped && flags.contains(ParamInfoFlags::IS_ENUM) && max - min <= MAX_CHOICES {
            let mut v = min.round();
            while v <= max {
                choices.push((text(v).unwrap_or_else(|| v.to_string()), v as f32));
                v += 1.0;
            }
        }
        let unit = text(default).map(|t| unit_of(&t).to_owned()).unwrap_or_default();
        out.push(PluginParam {
            symbol: id.get().to_string(),
            name,
            port: id.get() as usize,
            min: min as f32,
            max: max as f32,
            default: default as f32,
            unit,
            toggle: stepped && choices.is_empty() && min == 0.0 && max == 1.0,
            integer: stepped,
            choices,
        });
    }
    out
}

/// The unit a value's text ends in ("-3.00 dB" is dB), or "".
fn unit_of(text: &str) -> &'static str {
    let last = text.trim().rsplit(' ').next().unwrap_or("");
    match last {
        "dB" | "db" => "dB",
        "Hz" => "Hz",
        "ms" => "ms",
        "s" => "s",
        "%" => "%",
        _ if text.trim_end().ends_with('%') => "%",
        _ => "",
    }
}

/// The first feature that says what the plugin is for, capitalised ("Compressor"), or "Other".
fn category(features: &[String]) -> String {
    const GENERIC: [&str; 8] =
        ["audio-effect", "instrument", "note-effect", "analyzer", "mono", "stereo", "surround", "ambisonic"];
    let f = features.iter().find(|f| !GENERIC.contains(&f.as_str())).or_else(|| features.first());
    let Some(f) = f else { return "Other".to_owned() };
    let words: Vec<String> = f
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|a| a.to_uppercase().chain(c).collect()).unwrap_or_default()
        })
        .collect();
    words.join(" ")
}
