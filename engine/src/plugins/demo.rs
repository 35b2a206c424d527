//! The demo session with Debian's plugins on it (`mixdesk demo --out DIR
//! --plugins`): x42's EQ on the bass, LSP's compressor on the vocal, the
//! lv2-examples amplifier on the percussion and LSP's lookahead limiter on
//! the master, each with settings an engineer might use.

use crate::session::{EditError, Session, StripRef};

/// One insert: the strip (a track name, or `None` for the master), the
/// plugin kind and its settings by port symbol.
type Insert = (Option<&'static str>, &'static str, &'static [(&'static str, f64)]);

const INSERTS: &[Insert] = &[
    (
        Some("Bass"),
        "lv2:http://gareus.org/oss/lv2/fil4#mono",
        &[("HighPass", 1.0), ("HPfreq", 40.0), ("LSsec", 1.0), ("LSfreq", 120.0), ("LSgain", 2.0)],
    ),
    (
        Some("Vocal"),
        "lv2:http://lsp-plug.in/plugins/lv2/compressor_mono",
        &[("al", 0.125), ("cr", 3.0), ("at", 5.0)],
    ),
    (Some("Percussion"), "lv2:http://lv2plug.in/plugins/eg-amp", &[("gain", -3.0)]),
    (
        None,
        "lv2:http://lsp-plug.in/plugins/lv2/limiter_stereo",
        &[("th", 0.891), ("boost", 0.0), ("lk", 5.0)],
    ),
];

/// Adds the demo's plugin inserts to `s`; an error names the first plugin
/// that is not installed (`packaging/setup.sh --test` installs them).
pub fn add_demo_plugins(s: &mut Session) -> Result<(), EditError> {
    for (strip, kind, settings) in INSERTS {
        let r = match strip {
            Some(name) => match s.tracks.iter().find(|t| t.name == *name) {
                Some(t) => StripRef::Track(t.id),
                None => continue,
            },
            None => StripRef::Master,
        };
        let id = s.add_processor(r, kind, usize::MAX)?;
        let p = s.processor_mut(id).ok_or(EditError::NoProcessor(id))?;
        for (k, v) in *settings {
            p.params.insert((*k).to_owned(), *v);
        }
    }
    crate::session::validate(s)?;
    Ok(())
}
