//! The plugin's three parameters (params extension) and its state (state extension).

use std::ffi::CStr;
use std::fmt::Write as _;
use std::io::{Read, Write as _};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use clack_extensions::params::{
    ParamDisplayWriter, ParamInfo, ParamInfoFlags, ParamInfoWriter, PluginAudioProcessorParams,
    PluginMainThreadParams,
};
use clack_extensions::state::PluginStateImpl;
use clack_plugin::events::spaces::CoreEventSpace;
use clack_plugin::prelude::*;
use clack_plugin::stream::{InputStream, OutputStream};

use crate::{MainThread, Processor};

const GAIN: u32 = 1;
const DELAY: u32 = 2;
const FAULT: u32 = 3;

/// Fault values: off, NaN, infinities.
pub const FAULT_NAN: u32 = 1;
/// See [`FAULT_NAN`].
pub const FAULT_INF: u32 = 2;

const MAGIC: &[u8; 4] = b"MXCG";

/// The parameter values, shared by the main thread and the audio thread.
#[derive(Debug, Default)]
pub struct Params {
    gain_db: AtomicU64,
    delay: AtomicU32,
    fault: AtomicU32,
}

impl Params {
    fn gain_db(&self) -> f64 {
        f64::from_bits(self.gain_db.load(Ordering::Relaxed))
    }

    /// The gain as a factor.
    pub fn gain_factor(&self) -> f32 {
        10f64.powf(self.gain_db() / 20.0) as f32
    }

    /// The delay in samples.
    pub fn delay(&self) -> u32 {
        self.delay.load(Ordering::Relaxed)
    }

    /// The fault mode.
    pub fn fault(&self) -> u32 {
        self.fault.load(Ordering::Relaxed)
    }

    fn set(&self, id: u32, v: f64) {
        match id {
            GAIN => self.gain_db.store(v.clamp(-60.0, 24.0).to_bits(), Ordering::Relaxed),
            DELAY => self.delay.store(v.clamp(0.0, 48_000.0).round() as u32, Ordering::Relaxed),
            FAULT => self.fault.store(v.clamp(0.0, 2.0).round() as u32, Ordering::Relaxed),
            _ => {}
        }
    }

    fn get(&self, id: u32) -> Option<f64> {
        match id {
            GAIN => Some(self.gain_db()),
            DELAY => Some(f64::from(self.delay())),
            FAULT => Some(f64::from(self.fault())),
            _ => None,
        }
    }

    /// Applies a parameter-value event.
    pub fn handle_event(&self, event: &UnknownEvent) {
        if let Some(CoreEventSpace::ParamValue(e)) = event.as_core_event() {
            self.set(e.param_id().map_or(0, |id| id.get()), e.value());
        }
    }
}

impl PluginStateImpl for MainThread<'_> {
    fn save(&self, output: &mut OutputStream) -> Result<(), PluginError> {
        let p = &self.shared.params;
        output.write_all(MAGIC)?;
        for id in [GAIN, DELAY, FAULT] {
            output.write_all(&p.get(id).unwrap_or_default().to_le_bytes())?;
        }
        Ok(())
    }

    fn load(&self, input: &mut InputStream) -> Result<(), PluginError> {
        let mut magic = [0u8; 4];
        input.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(PluginError::Message("not a Mixdesk Test Gain state"));
        }
        let p = &self.shared.params;
        for id in [GAIN, DELAY, FAULT] {
            let mut v = [0u8; 8];
            input.read_exact(&mut v)?;
            p.set(id, f64::from_le_bytes(v));
        }
        Ok(())
    }
}

impl PluginMainThreadParams for MainThread<'_> {
    fn count(&self) -> u32 {
        3
    }

    fn get_info(&self, index: u32, info: &mut ParamInfoWriter) {
        let auto = ParamInfoFlags::IS_AUTOMATABLE;
        let stepped = auto | ParamInfoFlags::IS_STEPPED;
        let (id, name, flags, min, max, default): (u32, &[u8], _, f64, f64, f64) = match index {
            0 => (GAIN, b"Gain", auto, -60.0, 24.0, 0.0),
            1 => (DELAY, b"Delay", stepped, 0.0, 48_000.0, 0.0),
            2 => (FAULT, b"Fault", stepped | ParamInfoFlags::IS_ENUM, 0.0, 2.0, 0.0),
            _ => return,
        };
        info.set(&ParamInfo {
            id: ClapId::new(id),
            flags,
            cookie: Default::default(),
            name,
            module: b"",
            min_value: min,
            max_value: max,
            default_value: default,
        });
    }

    fn get_value(&self, id: ClapId) -> Option<f64> {
        self.shared.params.get(id.get())
    }

    fn value_to_text(&self, id: ClapId, value: f64, writer: &mut ParamDisplayWriter) -> std::fmt::Result {
        match id.get() {
            GAIN => write!(writer, "{value:.2} dB"),
            DELAY => write!(writer, "{} samples", value.round()),
            FAULT => writer.write_str(["Off", "NaN", "Inf"][value.clamp(0.0, 2.0).round() as usize]),
            _ => Err(std::fmt::Error),
        }
    }

    fn text_to_value(&self, id: ClapId, text: &CStr) -> Option<f64> {
        let text = text.to_str().ok()?.trim();
        match id.get() {
            GAIN => text.trim_end_matches("dB").trim().parse().ok(),
            DELAY => text.trim_end_matches("samples").trim().parse().ok(),
            FAULT => ["Off", "NaN", "Inf"].iter().position(|l| *l == text).map(|i| i as f64),
            _ => None,
        }
    }

    fn flush(&self, input: &InputEvents, _output: &mut OutputEvents) {
        for e in input {
            self.shared.params.handle_event(e);
        }
    }
}

impl PluginAudioProcessorParams for Processor<'_> {
    fn flush(&mut self, input: &InputEvents, _output: &mut OutputEvents) {
        for e in input {
            self.shared.params.handle_event(e);
        }
    }
}
