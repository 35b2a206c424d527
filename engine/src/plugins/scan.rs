//! Finding the installed LV2 plugins, and the on-disk caches of what was
//! found (LV2 here, CLAP in [`super::clap_scan`], each in its own file).
//!
//! A scan asks lilv for every plugin on the LV2 path (`LV2_PATH` when set,
//! else lilv's default: `~/.lv2`, `/usr/local/lib/lv2`, `/usr/lib/lv2` and
//! the multiarch folder) that livi can host (plugins needing LV2 features
//! livi lacks are left out), and reads each one's name, author, class, audio
//! ports, latency port and control ports (range, units, toggles,
//! enumerations). Reading every bundle's Turtle takes a while (about a
//! second with the LSP collection), so the result is cached in
//! `$XDG_CACHE_HOME/mixdesk/plugins-lv2.json` together with a fingerprint of
//! the path: every bundle folder and the modification time of the folder and
//! its `manifest.ttl`. A plugin installed, removed or upgraded changes the
//! fingerprint and the next start scans again.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::{LV2_PREFIX, PluginInfo, PluginParam};

/// The cache file's content.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScanResult {
    /// What the plugins were found under (see the module docs).
    pub fingerprint: String,
    /// Every plugin found, usable or not, sorted by name.
    pub plugins: Vec<PluginInfo>,
    /// Whether this came from the cache (not saved).
    #[serde(skip)]
    pub cached: bool,
}

/// Raised whenever what a scan reads changes, so older caches are scanned again.
const SCAN_VERSION: u32 = 6;

/// The folders lilv searches.
pub fn lv2_path() -> Vec<PathBuf> {
    if let Some(p) = std::env::var_os("LV2_PATH") {
        return std::env::split_paths(&p).collect();
    }
    let mut dirs = Vec::new();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".lv2"));
    }
    for d in [
        "/usr/local/lib/lv2",
        "/usr/lib/lv2",
        "/usr/lib/x86_64-linux-gnu/lv2",
        "/usr/lib/aarch64-linux-gnu/lv2",
    ] {
        dirs.push(PathBuf::from(d));
    }
    dirs
}

fn mtime(p: &Path) -> u128 {
    std::fs::metadata(p)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// Every bundle on the path with its modification times, as one string.
pub fn fingerprint() -> String {
    let mut out = format!("scan {SCAN_VERSION}\n");
    for dir in lv2_path() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut bundles: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        bundles.sort();
        for b in bundles {
            out.push_str(&format!("{}:{}:{}\n", b.display(), mtime(&b), mtime(&b.join("manifest.ttl"))));
        }
    }
    out
}

/// Where the LV2 scan is cached (`None` without a home or cache folder).
pub fn cache_file() -> Option<PathBuf> {
    cache_path("plugins-lv2.json")
}

/// Where the CLAP scan is cached.
pub fn clap_cache_file() -> Option<PathBuf> {
    cache_path("plugins-clap.json")
}

fn cache_path(name: &str) -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("mixdesk").join(name))
}

/// Every `.clap` file on the CLAP path with its modification time, as one string.
pub fn clap_fingerprint() -> String {
    let mut out = format!("clap scan {SCAN_VERSION}\n");
    for f in super::clap_scan::clap_files() {
        out.push_str(&format!("{}:{}\n", f.display(), mtime(&f)));
    }
    out
}

/// The installed plugins of both formats: each format's list from its cache
/// when the fingerprint matches, else scanned now and cached. A cache that
/// cannot be read or written is ignored.
pub fn scan_cached() -> ScanResult {
    let lv2 = cached_or(cache_file(), fingerprint(), scan);
    let clap = cached_or(clap_cache_file(), clap_fingerprint(), super::clap_scan::scan);
    merge(lv2, clap)
}

/// Scans both formats now, ignoring the caches, and caches the results.
pub fn rescan() -> ScanResult {
    let lv2 = scan_and_cache(cache_file(), fingerprint(), scan);
    let clap = scan_and_cache(clap_cache_file(), clap_fingerprint(), super::clap_scan::scan);
    merge(lv2, clap)
}

fn merge(lv2: ScanResult, clap: ScanResult) -> ScanResult {
    let mut plugins = lv2.plugins;
    plugins.extend(clap.plugins);
    plugins.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
    ScanResult {
        fingerprint: lv2.fingerprint + &clap.fingerprint,
        plugins,
        cached: lv2.cached && clap.cached,
    }
}

fn cached_or(file: Option<PathBuf>, fp: String, scan: fn() -> Vec<PluginInfo>) -> ScanResult {
    if let Some(f) = &file
        && let Ok(text) = std::fs::read_to_string(f)
        && let Ok(mut r) = serde_json::from_str::<ScanResult>(&text)
        && r.fingerprint == fp
    {
        r.cached = true;
        return r;
    }
    scan_and_cache(file, fp, scan)
}

fn scan_and_cache(file: Option<PathBuf>, fp: String, scan: fn() -> Vec<PluginInfo>) -> ScanResult {
    let r = ScanResult { fingerprint: fp, plugins: scan(), cached: false };
    if let Some(f) = &file
        && let Some(dir) = f.parent()
        && std::fs::create_dir_all(dir).is_ok()
        && let Ok(json) = serde_json::to_string(&r)
    {
        // Best effort: a read-only cache folder only means the next start scans again.
        let _ = crate::atomic::write_replacing_links(f, |w| std::io::Write::write_all(w, json.as_bytes()));
    }
    r
}

struct Uris {
    toggled: lilv::node::Node,
    integer: lilv::node::Node,
    enumeration: lilv::node::Node,
    unit: lilv::node::Node,
    not_on_gui: lilv::node::Node,
    side_chain: lilv::node::Node,
    group: lilv::node::Node,
    side_chain_of: lilv::node::Node,
    min_block: lilv::node::Node,
    max_block: lilv::node::Node,
    power_of_two: lilv::node::Node,
    fixed: lilv::node::Node,
    coarse: lilv::node::Node,
}

/// The LV2 buf-size extension's namespace.
const BUF_SIZE: &str = "http://lv2plug.in/ns/ext/buf-size#";

/// The LV2 port-groups extension's namespace.
const PORT_GROUPS: &str = "http://lv2plug.in/ns/ext/port-groups#";

/// Whether audio input `port` is a sidechain: marked `lv2:isSideChain`, or
/// in a port group that is the `pg:sideChainOf` another (how LSP's `sc_*`
/// plugins mark theirs).
fn is_side_chain(world: &lilv::World, port: &lilv::port::Port, uris: &Uris) -> bool {
    port.has_property(&uris.side_chain)
        || port
            .get(&uris.group)
            .is_some_and(|g| world.get(Some(&g), Some(&uris.side_chain_of), None).is_some())
}

/// The block lengths plugin `raw` asks for in its description.
fn block_needs(raw: &lilv::plugin::Plugin, uris: &Uris) -> super::BlockNeeds {
    let number = |n: &lilv::node::Node| {
        let v = raw.value(n).iter().next()?;
        v.as_int().map(|i| i.max(0) as usize).or_else(|| v.as_float().map(|f| f.max(0.0) as usize))
    };
    let required = raw.required_features();
    super::BlockNeeds {
        min: number(&uris.min_block).unwrap_or(0),
        max: number(&uris.max_block).unwrap_or(0),
        power_of_two: required.contains(&uris.power_of_two),
        fixed: required.contains(&uris.fixed),
        coarse: raw.has_feature(&uris.coarse),
    }
}

/// Scans the LV2 path now (no cache).
pub fn scan() -> Vec<PluginInfo> {
    let world = livi::World::new();
    let raw = world.raw();
    let uris = Uris {
        toggled: raw.new_uri("http://lv2plug.in/ns/lv2core#toggled"),
        integer: raw.new_uri("http://lv2plug.in/ns/lv2core#integer"),
        enumeration: raw.new_uri("http://lv2plug.in/ns/lv2core#enumeration"),
        unit: raw.new_uri("http://lv2plug.in/ns/extensions/units#unit"),
        not_on_gui: raw.new_uri("http://lv2plug.in/ns/ext/port-props#notOnGUI"),
        side_chain: raw.new_uri("http://lv2plug.in/ns/lv2core#isSideChain"),
        group: raw.new_uri(&format!("{PORT_GROUPS}group")),
        side_chain_of: raw.new_uri(&format!("{PORT_GROUPS}sideChainOf")),
        min_block: raw.new_uri(&format!("{BUF_SIZE}minBlockLength")),
        max_block: raw.new_uri(&format!("{BUF_SIZE}maxBlockLength")),
        power_of_two: raw.new_uri(&format!("{BUF_SIZE}powerOf2BlockLength")),
        fixed: raw.new_uri(&format!("{BUF_SIZE}fixedBlockLength")),
        coarse: raw.new_uri(&format!("{BUF_SIZE}coarseBlockLength")),
    };
    let mut out: Vec<PluginInfo> = world.iter_plugins().map(|p| describe(raw, &p, &uris)).collect();
    out.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
    out
}

fn describe(world: &lilv::World, p: &livi::Plugin, uris: &Uris) -> PluginInfo {
    let raw = p.raw();
    let id = p.uri();
    let counts = p.port_counts();
    let mut params = Vec::new();
    let mut sidechain_inputs = Vec::new();
    let mut audio_input = 0;
    let mut ports: Vec<livi::Port> = p.ports().collect();
    // livi connects audio inputs in port order; so are they counted here.
    ports.sort_by_key(|p| p.index.0);
    for port in ports {
        let Some(lp) = raw.port_by_index(port.index.0) else { continue };
        match port.port_type {
            livi::PortType::AudioInput => {
                if is_side_chain(world, &lp, uris) {
                    sidechain_inputs.push(audio_input);
                }
                audio_input += 1;
            }
            livi::PortType::ControlInput => {
                let unit = lp
                    .get(&uris.unit)
                    .and_then(|n| n.as_uri().map(str::to_owned))
                    .map(|u| unit_symbol(&u).to_owned())
                    .unwrap_or_default();
                let mut choices: Vec<(String, f32)> = Vec::new();
                if lp.has_property(&uris.enumeration) {
                    for sp in lp.scale_points().iter() {
                        let label = sp.label().as_str().unwrap_or("?").to_owned();
                        let v = sp.value();
                        // Scale points are often integer literals, which lilv does not read as floats.
                        let value = v.as_float().or_else(|| v.as_int().map(|i| i as f32)).unwrap_or_default();
                        choices.push((label, value));
                    }
                    choices.sort_by(|a, b| a.1.total_cmp(&b.1));
                }
                let min = port.min_value.unwrap_or(0.0);
                let max = port.max_value.unwrap_or(1.0).max(min);
                let _ = lp.has_property(&uris.not_on_gui);
                params.push(PluginParam {
                    symbol: port.symbol.clone(),
                    name: port.name.clone(),
                    port: port.index.0,
                    min,
                    max,
                    default: port.default_value.clamp(min, max),
                    unit,
                    toggle: lp.has_property(&uris.toggled),
                    integer: lp.has_property(&uris.integer),
                    choices,
                });
            }
            _ => {}
        }
    }
    let (ins, outs) = (counts.audio_inputs, counts.audio_outputs);
    let unsupported = match (ins - sidechain_inputs.len(), outs) {
        (1, 1) | (2, 2) if counts.cv_inputs == 0 && counts.cv_outputs == 0 => None,
        (0, _) => Some("it has no audio input (an instrument or generator)".to_owned()),
        (i, o) => Some(format!("{i} audio inputs and {o} outputs; inserts take 1 in/1 out or 2 in/2 out")),
    };
    let unsupported = unsupported.or_else(|| {
        (sidechain_inputs.len() > 2)
            .then(|| format!("{} sidechain inputs; a key is 1 or 2 channels", sidechain_inputs.len()))
    });
    PluginInfo {
        format: "lv2".into(),
        kind: format!("{LV2_PREFIX}{id}"),
        name: p.name(),
        author: raw.author_name().and_then(|n| n.as_str().map(str::to_owned)).unwrap_or_default(),
        category: category(raw.class().label().as_str().unwrap_or("")),
        bundle: raw.bundle_uri().as_uri().unwrap_or_default().to_owned(),
        audio_inputs: ins,
        audio_outputs: outs,
        sidechain_inputs,
        reports_latency: raw.latency_port_index().is_some(),
        block: block_needs(raw, uris),
        unsupported,
        params,
        id,
    }
}

/// The class label without its " Plugin" ("Compressor"), or "Other".
fn category(label: &str) -> String {
    match label.trim_end_matches("Plugin").trim() {
        "" => "Other".to_owned(),
        c => c.to_owned(),
    }
}

fn unit_symbol(uri: &str) -> &'static str {
    match uri.rsplit('#').next().unwrap_or("") {
        "db" => "dB",
        "hz" => "Hz",
        "ms" => "ms",
        "s" => "s",
        "pc" => "%",
        _ => "",
    }
}
