//! Canvas controls a mixing console needs and iced does not have: a fader with
//! a dB scale, a knob, and a peak/RMS meter. They share one drag model
//! ([`drag`]): vertical drag, Shift for fine, double-click to reset, wheel steps.

pub mod drag;
pub mod fader;
pub mod knob;
pub mod meter;
pub mod scope;

pub use drag::ControlEvent;
