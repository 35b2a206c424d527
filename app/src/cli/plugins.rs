//! `mixdesk plugins`: the installed plugins Mixdesk can host (LV2 and CLAP), with
//! their ids, names, authors, categories, ports, parameters and latency, as a
//! table or as JSON. The scan is cached (see `mixdesk_engine::plugins::scan`);
//! `--rescan` ignores the cache; `--all` also lists plugins that cannot be
//! inserts (instruments, sidechain and multichannel layouts) and why.

use std::time::Instant;

use mixdesk_engine::plugins::PluginInfo;
use mixdesk_engine::plugins::scan;
use serde_json::json;

use super::out::{CliError, outln};

/// Prints the installed plugins.
pub fn run(as_json: bool, rescan: bool, all: bool) -> Result<(), CliError> {
    let start = Instant::now();
    let result = if rescan { scan::rescan() } else { scan::scan_cached() };
    let elapsed = start.elapsed().as_secs_f64();
    let shown: Vec<&PluginInfo> = result.plugins.iter().filter(|p| all || p.unsupported.is_none()).collect();
    if as_json {
        let value = json!({
            "cached": result.cached,
            "scan_seconds": elapsed,
            "lv2_path": scan::lv2_path(),
            "clap_path": mixdesk_engine::plugins::clap_scan::clap_path(),
            "plugins": shown,
        });
        let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
        outln!("{text}");
        return Ok(());
    }
    let mut text = String::new();
    for p in &shown {
        let latency = if p.reports_latency { ", reports latency" } else { "" };
        let side = p.sidechain_inputs.len();
        text += &format!(
            "{} ({}{}, {}, {} in/{} out{}{latency})\n",
            p.name,
            p.category,
            if p.author.is_empty() { String::new() } else { format!(" by {}", p.author) },
            p.format.to_uppercase(),
            p.audio_inputs - side,
            p.audio_outputs,
            if side > 0 { format!(" + {side} sidechain in") } else { String::new() },
        );
        text += &format!("  kind: {}\n", p.kind);
        if let Some(why) = &p.unsupported {
            text += &format!("  not an insert: {why}\n");
        }
        if let Some(block) = p.block.fixed_block() {
            let max = if p.block.max > 0 { format!(", at most {}", p.block.max) } else { String::new() };
            text += &format!(
                "  blocks: at least {}{max}; runs in blocks of {block} (adds {block} samples of latency, compensated)\n",
                p.block.min.max(1)
            );
        }
        for q in &p.params {
            let range = if !q.choices.is_empty() {
                q.choices.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>().join(" | ")
            } else if q.toggle {
                "Off | On".to_owned()
            } else {
                format!("{} to {} {}", q.min, q.max, q.unit)
            };
            text += &format!(
                "  {:<16} {:<28} {:<36} default {}\n",
                q.symbol,
                q.name,
                range.trim_end(),
                q.default
            );
        }
    }
    let usable = result.plugins.iter().filter(|p| p.unsupported.is_none()).count();
    text += &format!(
        "\n{usable} plugins usable as inserts ({} found){}, in {:.2} s",
        result.plugins.len(),
        if result.cached { ", from the cache" } else { ", scanned" },
        elapsed
    );
    outln!("{text}");
    Ok(())
}
