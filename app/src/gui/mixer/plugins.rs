//! The installed plugins in the "+ insert" list: scanned once on a thread of
//! their own (a cold scan takes seconds; the window must not wait), then
//! listed after the built-ins by category and name.

use std::sync::{Once, OnceLock};

use mixdesk_engine::dsp::KindSpec;
use mixdesk_engine::plugins;

static SORTED: OnceLock<Vec<&'static KindSpec>> = OnceLock::new();
static SCAN: Once = Once::new();

/// The hosted kinds for the insert list: empty until the background scan
/// has finished (the first call starts it).
pub fn kinds() -> &'static [&'static KindSpec] {
    SCAN.call_once(|| {
        let _ = std::thread::Builder::new().name("plugin scan".into()).spawn(|| {
            let mut list: Vec<(&str, &'static KindSpec)> =
                plugins::list().iter().map(|h| (h.info.category.as_str(), h.spec)).collect();
            list.sort_by(|a, b| a.0.cmp(b.0).then_with(|| a.1.name.cmp(b.1.name)));
            let _ = SORTED.set(list.into_iter().map(|(_, s)| s).collect());
        });
    });
    SORTED.get().map_or(&[], Vec::as_slice)
}

/// Waits for the scan (for tests).
#[cfg(test)]
pub fn wait() -> &'static [&'static KindSpec] {
    while kinds().is_empty() && !plugins::list().is_empty() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    kinds()
}

/// How a kind reads in the list: a built-in by its name, a plugin by its
/// category and name ("Compressor: LSP Compressor Mono").
pub fn label(spec: &KindSpec) -> String {
    match plugins::hosted(spec.kind) {
        Some(h) => format!("{}: {}", h.info.category, spec.name),
        None => spec.name.to_owned(),
    }
}
