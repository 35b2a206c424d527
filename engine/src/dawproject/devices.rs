//! Insert processors as DAWproject devices. The EQ, compressor, gate and
//! limiter are written as the format's generic `Equalizer`, `Compressor`,
//! `NoiseGate` and `Limiter` (their standard fields filled, so another DAW
//! can map them onto its own); every processor also carries all its
//! parameters by key in `Parameters`, with `deviceVendor="Mixdesk"` and
//! `deviceID="mixdesk:KIND"`, so Mixdesk reads it back exactly. Other kinds
//! are `BuiltinDevice`s of the same form. A generic device from another DAW
//! is mapped onto the matching Mixdesk processor from its standard fields;
//! plug-ins are listed as left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::xml::{Element, escape};
use crate::session::{Processor, ProcessorId, Strip};

/// A standard field of a generic device: (its element, our parameter key,
/// its unit, the factor from our unit to it).
type Field = (&'static str, &'static str, &'static str, f64);

/// The DAWproject element of a kind, and its standard fields.
fn generic(kind: &str) -> Option<(&'static str, &'static [Field])> {
    const MS: f64 = 0.001;
    match kind {
        "eq" => Some(("Equalizer", &[])),
        "compressor" => Some((
            "Compressor",
            &[
                ("Attack", "attack", "seconds", MS),
                ("AutoMakeup", "auto_makeup", "bool", 1.0),
                ("OutputGain", "makeup", "decibel", 1.0),
                ("Ratio", "ratio", "linear", 1.0),
                ("Release", "release", "seconds", MS),
                ("Threshold", "threshold", "decibel", 1.0),
            ],
        )),
        "gate" => Some((
            "NoiseGate",
            &[
                ("Attack", "attack", "seconds", MS),
                ("Range", "range", "decibel", 1.0),
                ("Ratio", "ratio", "linear", 1.0),
                ("Release", "release", "seconds", MS),
                ("Threshold", "threshold", "decibel", 1.0),
            ],
        )),
        "limiter" => Some((
            "Limiter",
            &[
                ("InputGain", "gain", "decibel", 1.0),
                ("Release", "release", "seconds", MS),
                ("Threshold", "ceiling", "decibel", 1.0),
            ],
        )),
        _ => None,
    }
}

/// The EQ's bands: (DAWproject band type, our key prefix).
const BANDS: [(&str, &str); 8] = [
    ("highPass", "hp"),
    ("lowShelf", "low"),
    ("bell", "p1"),
    ("bell", "p2"),
    ("bell", "p3"),
    ("bell", "p4"),
    ("highShelf", "high"),
    ("lowPass", "lp"),
];

fn value(p: &Processor, key: &str) -> f64 {
    p.params
        .get(key)
        .copied()
        .or_else(|| crate::dsp::kind(&p.kind)?.params.iter().find(|i| i.key == key).map(|i| i.default))
        .unwrap_or(0.0)
}

/// Writes the strip's processors as a `<Devices>` element (nothing when it has none).
pub(super) fn write(x: &mut String, cid: &str, strip: &Strip, lost: &mut Vec<String>, owner: &str) {
    if strip.processors.is_empty() {
        return;
    }
    let _ = writeln!(x, "        <Devices>");
    for p in &strip.processors {
        let (element, fields) = generic(&p.kind).unwrap_or(("BuiltinDevice", &[]));
        let name = crate::dsp::kind(&p.kind).map_or(p.kind.as_str(), |k| k.name);
        let id = format!("{cid}-p{}", p.id);
        let _ = writeln!(
            x,
            "          <{element} deviceID=\"mixdesk:{}\" deviceName=\"{}\" deviceRole=\"audioFX\" deviceVendor=\"Mixdesk\" loaded=\"true\" id=\"{id}\" name=\"{}\">",
            escape(&p.kind),
            escape(name),
            escape(name)
        );
        let _ = writeln!(x, "            <Parameters>");
        let keys: Vec<String> = match crate::dsp::kind(&p.kind) {
            Some(k) => k.params.iter().map(|i| i.key.to_owned()).collect(),
            None => p.params.keys().cloned().collect(),
        };
        for (index, key) in keys.iter().enumerate() {
            let _ = writeln!(
                x,
                "              <RealParameter unit=\"linear\" value=\"{}\" parameterID=\"{index}\" name=\"{}\" id=\"{id}-{}\"/>",
                value(p, key),
                escape(key),
                escape(key)
            );
        }
        let _ = writeln!(x, "            </Parameters>");
        let _ = writeln!(x, "            <Enabled value=\"{}\" name=\"On/Off\"/>", !p.bypassed);
        if p.kind == "eq" {
            for (ty, k) in BANDS {
                let _ = writeln!(x, "            <Band type=\"{ty}\">");
                let _ = writeln!(
                    x,
                    "              <Freq unit=\"hertz\" value=\"{}\"/>",
                    value(p, &format!("{k}_freq"))
                );
                if !matches!(k, "hp" | "lp") {
                    let _ = writeln!(
                        x,
                        "              <Gain unit=\"decibel\" value=\"{}\"/>",
                        value(p, &format!("{k}_gain"))
                    );
                    let _ = writeln!(
                        x,
                        "              <Q unit=\"linear\" value=\"{}\"/>",
                        value(p, &format!("{k}_q"))
                    );
                }
                let _ =
                    writeln!(x, "              <Enabled value=\"{}\"/>", value(p, &format!("{k}_on")) >= 0.5);
                let _ = writeln!(x, "            </Band>");
            }
        }
        for (field, key, unit, scale) in fields {
            let v = value(p, key);
            if *unit == "bool" {
                let _ = writeln!(x, "            <{field} value=\"{}\"/>", v >= 0.5);
            } else {
                let _ = writeln!(x, "            <{field} unit=\"{unit}\" value=\"{}\"/>", v * scale);
            }
        }
        let _ = writeln!(x, "          </{element}>");
        if p.sidechain.is_some() {
            lost.push(format!("{owner}: the sidechain of {name}"));
        }
    }
    let _ = writeln!(x, "        </Devices>");
}

/// A processor read, with the ids of its parameter elements by key (for automation targets).
pub(super) type Read = (Processor, Vec<(String, String)>);

/// The processors of a `<Devices>` element (ids 0: the caller gives them),
/// and what could not be read, in words.
pub(super) fn read(devices: &Element, owner: &str) -> (Vec<Read>, Vec<String>) {
    let (mut out, mut lost) = (Vec::new(), Vec::new());
    for d in &devices.children {
        let name = d.attr("deviceName").unwrap_or(&d.name).to_owned();
        let bypassed = d.child("Enabled").and_then(|e| e.attr("value")) == Some("false");
        let ours = d.attr("deviceVendor") == Some("Mixdesk");
        let kind = d.attr("deviceID").and_then(|i| i.strip_prefix("mixdesk:")).filter(|_| ours);
        let mut params = BTreeMap::new();
        let mut ids = Vec::new();
        let kind = if let Some(kind) = kind.filter(|k| crate::dsp::kind(k).is_some()) {
            for p in d.child("Parameters").into_iter().flat_map(|x| x.children.iter()) {
                if let (Some(key), Some(v)) = (p.attr("name"), p.num("value")) {
                    params.insert(key.to_owned(), v);
                    if let Some(id) = p.attr("id") {
                        ids.push((id.to_owned(), key.to_owned()));
                    }
                }
            }
            kind.to_owned()
        } else if let Some(kind) = foreign(d, &mut params) {
            kind.to_owned()
        } else {
            lost.push(format!("{owner}: {} \"{name}\"", d.name));
            continue;
        };
        // Values at their defaults are left out, as the session writes them.
        if let Some(spec) = crate::dsp::kind(&kind) {
            params.retain(|k, v| spec.params.iter().find(|i| i.key == k).is_some_and(|i| i.default != *v));
        }
        out.push((
            Processor {
                id: ProcessorId(0),
                kind,
                bypassed,
                params,
                sidechain: None,
                sidechain_post_fader: false,
                state: None,
            },
            ids,
        ));
    }
    (out, lost)
}

/// A generic device from another DAW mapped onto our kind, from its standard fields.
fn foreign(d: &Element, params: &mut BTreeMap<String, f64>) -> Option<&'static str> {
    let kind = match d.name.as_str() {
        "Equalizer" => "eq",
        "Compressor" => "compressor",
        "NoiseGate" => "gate",
        "Limiter" => "limiter",
        _ => return None,
    };
    let (_, fields) = generic(kind)?;
    for (field, key, unit, scale) in fields {
        let Some(e) = d.child(field) else { continue };
        let v = if *unit == "bool" {
            f64::from(u8::from(e.attr("value") == Some("true")))
        } else {
            let Some(v) = e.num("value") else { continue };
            let v = if e.attr("unit") == Some("seconds") || *unit != "seconds" { v } else { v * 0.001 };
            v / scale
        };
        params.insert((*key).to_owned(), v);
    }
    if kind == "eq" {
        let mut bells = ["p1", "p2", "p3", "p4"].into_iter();
        for band in d.all("Band") {
            let key = match band.attr("type") {
                Some("highPass") => "hp",
                Some("lowPass") => "lp",
                Some("lowShelf") => "low",
                Some("highShelf") => "high",
                Some("bell") => match bells.next() {
                    Some(k) => k,
                    None => continue,
                },
                _ => continue,
            };
            let num = |f: &str| band.child(f).and_then(|e| e.num("value"));
            if let Some(v) = num("Freq") {
                params.insert(format!("{key}_freq"), v);
            }
            if let Some(v) = num("Gain") {
                params.insert(format!("{key}_gain"), v);
            }
            if let Some(v) = num("Q") {
                params.insert(format!("{key}_q"), v);
            }
            let on = band.child("Enabled").and_then(|e| e.attr("value")) != Some("false");
            params.insert(format!("{key}_on"), f64::from(u8::from(on)));
        }
    }
    Some(kind)
}
