//! Which hosted LV2 plugins have their own UI that Mixdesk can open in a
//! window of its own (the window itself is the app's `mixdesk plugin-ui`
//! child process; this module only reads the plugin's description).
//!
//! A UI is offered when it is an X11 UI (`ui:X11UI`: x42's OpenGL UIs,
//! LSP's) whose binary exists and whose every `lv2:requiredFeature` is one
//! the child provides ([`PROVIDED`]). Out of process, the UI cannot reach
//! the plugin instance: UIs that require `instance-access` or `data-access`
//! are refused, as are GTK and Qt UIs (they need a toolkit wrapper, libsuil,
//! which Mixdesk does not load).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use super::{LV2_PREFIX, hosted};

/// The features the `plugin-ui` child gives a UI.
pub const PROVIDED: &[&str] = &[
    "http://lv2plug.in/ns/extensions/ui#parent",
    "http://lv2plug.in/ns/extensions/ui#resize",
    "http://lv2plug.in/ns/extensions/ui#idleInterface",
    "http://lv2plug.in/ns/ext/urid#map",
    "http://lv2plug.in/ns/ext/urid#unmap",
    "http://lv2plug.in/ns/ext/options#options",
    // Promises about the host, not data it passes: true of a process that never unloads the UI.
    "http://lv2plug.in/ns/extensions/ui#makeResident",
    "http://lv2plug.in/ns/extensions/ui#makeSONameResident",
    "http://lv2plug.in/ns/lv2core#isLive",
];

const X11_UI: &str = "http://lv2plug.in/ns/extensions/ui#X11UI";
const REQUIRED_FEATURE: &str = "http://lv2plug.in/ns/lv2core#requiredFeature";

/// A plugin's own X11 UI, as the child loads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiInfo {
    /// The plugin's URI (the UI's `instantiate` is told it).
    pub plugin: String,
    /// The UI's URI (picks the descriptor in the binary).
    pub uri: String,
    /// The UI's shared library.
    pub binary: PathBuf,
    /// The UI's bundle folder (with its trailing slash, as LV2 wants it).
    pub bundle: String,
}

/// The X11 UI of hosted kind `kind` (`"lv2:<uri>"`), or why there is none
/// Mixdesk can open. Reads the plugin's bundle once per kind per process.
pub fn find(kind: &str) -> Result<UiInfo, String> {
    static CACHE: OnceLock<Mutex<HashMap<String, Result<UiInfo, String>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(kind) {
        return found.clone();
    }
    let found = look_up(kind);
    cache.lock().unwrap_or_else(|e| e.into_inner()).insert(kind.to_owned(), found.clone());
    found
}

fn look_up(kind: &str) -> Result<UiInfo, String> {
    let Some(uri) = kind.strip_prefix(LV2_PREFIX) else {
        return Err(format!("'{kind}' is not an LV2 plugin; only LV2 plugins' own windows open"));
    };
    let h = hosted(kind).ok_or_else(|| format!("plugin '{uri}' is not installed"))?;
    let name = &h.info.name;
    let world = lilv::World::new();
    world.load_bundle(&world.new_uri(&h.info.bundle));
    let plugin = world
        .plugins()
        .plugin(&world.new_uri(uri))
        .ok_or_else(|| format!("{name}: its bundle {} no longer describes it", h.info.bundle))?;
    let Some(uis) = plugin.uis() else { return Err(format!("{name} has no window of its own")) };
    let x11 = world.new_uri(X11_UI);
    let required = world.new_uri(REQUIRED_FEATURE);
    let mut refusals = Vec::new();
    for ui in uis.iter() {
        let ui_uri = ui.uri().as_uri().unwrap_or_default().to_owned();
        if !ui.is_a(&x11) {
            let class =
                ui.classes().iter().find_map(|c| c.as_uri().map(|u| short(u).to_owned())).unwrap_or_default();
            refusals.push(format!("its {class} window needs a toolkit Mixdesk does not load"));
            continue;
        }
        let missing: Vec<String> = world
            .find_nodes(Some(&ui.uri()), &required, None)
            .iter()
            .filter_map(|f| f.as_uri().map(str::to_owned))
            .filter(|f| !PROVIDED.contains(&f.as_str()))
            .collect();
        if !missing.is_empty() {
            let list: Vec<&str> = missing.iter().map(|m| short(m)).collect();
            refusals.push(format!(
                "its window requires {} (a window in its own process cannot reach the plugin)",
                list.join(", ")
            ));
            continue;
        }
        let path = |n: Option<lilv::node::Node>| n.and_then(|n| n.path()).map(|(_, p)| p);
        let (Some(binary), Some(bundle)) = (path(ui.binary_uri()), path(ui.bundle_uri())) else {
            refusals.push("its window's library is not named".to_owned());
            continue;
        };
        let binary = PathBuf::from(binary);
        if !binary.is_file() {
            refusals.push(format!("its window's library {} is missing", binary.display()));
            continue;
        }
        let bundle = if bundle.ends_with('/') { bundle } else { format!("{bundle}/") };
        return Ok(UiInfo { plugin: uri.to_owned(), uri: ui_uri, binary, bundle });
    }
    match refusals.is_empty() {
        true => Err(format!("{name} has no window of its own")),
        false => Err(format!("{name}: {}", refusals.join("; "))),
    }
}

/// The last part of a URI ("instance-access", "GtkUI").
fn short(uri: &str) -> &str {
    uri.rsplit(['#', '/']).next().unwrap_or(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_short_names() {
        assert_eq!(short("http://lv2plug.in/ns/ext/instance-access"), "instance-access");
        assert_eq!(short("http://lv2plug.in/ns/extensions/ui#GtkUI"), "GtkUI");
    }
}
