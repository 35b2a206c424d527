//! `mixdesk processors`: every insert processor kind and its parameters, as a
//! table or as JSON for scripts and the GUI's tests.

use mixdesk_engine::dsp::{KindSpec, kinds};
use mixdesk_engine::session::{ParamInfo, Unit};
use serde_json::{Value, json};

use super::out::{CliError, outln};

/// Prints the processor kinds.
pub fn run(as_json: bool) -> Result<(), CliError> {
    if as_json {
        let list: Vec<Value> = kinds().iter().map(kind_json).collect();
        let text = serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?;
        return emit(&text);
    }
    let mut text = String::new();
    for k in kinds() {
        let side = if k.sidechain { ", takes a sidechain" } else { "" };
        text += &format!("{} ({}){side}: {}\n", k.kind, k.name, k.description);
        for (i, p) in k.params.iter().enumerate().filter(|(_, p)| !p.hidden) {
            let range = if !p.choices.is_empty() {
                p.choices.join(" | ")
            } else if p.unit == Unit::Toggle {
                "Off | On".to_owned()
            } else {
                format!("{} to {}", p.format(p.min), p.format(p.max))
            };
            text += &format!(
                "  {i:>2} {:<14} {:<32} {:<28} default {}\n",
                p.key,
                p.name,
                range,
                p.format(p.default)
            );
        }
        let learned: Vec<(usize, &ParamInfo)> =
            k.params.iter().enumerate().filter(|(_, p)| p.hidden).collect();
        if let (Some((a, first)), Some((b, last))) = (learned.first(), learned.last()) {
            text += &format!(
                "  {a:>2}-{b} {}..{}: learned ({} to {}), set by `mixdesk learn-noise`, not automatable\n",
                first.key,
                last.key,
                first.format(first.min),
                first.format(first.max)
            );
        }
        text += "\n";
    }
    emit(&text)
}

/// Writes to stdout (see `out` for a closed pipe).
fn emit(text: &str) -> Result<(), CliError> {
    outln!("{}", text.trim_end());
    Ok(())
}

fn kind_json(k: &KindSpec) -> Value {
    json!({
        "kind": k.kind,
        "name": k.name,
        "description": k.description,
        "sidechain": k.sidechain,
        "params": k.params.iter().enumerate().map(|(i, p)| param_json(i, k, p)).collect::<Vec<_>>(),
    })
}

fn param_json(index: usize, k: &KindSpec, p: &ParamInfo) -> Value {
    json!({
        "index": index,
        "key": p.key,
        "name": p.name,
        "unit": format!("{:?}", p.unit),
        "min": p.min,
        "max": p.max,
        "default": p.default,
        "default_display": p.format(p.default),
        "choices": p.choices,
        "log_scale": p.is_log_scale(),
        "live": !k.structural.contains(&index),
        "learned": p.hidden,
    })
}
