//! Plugins' own windows: an LV2 plugin's X11 UI shown by a `mixdesk
//! plugin-ui` child process ([`child`]), driven by the app ([`host`]) over
//! the child's standard streams ([`protocol`]).
//!
//! Why a child process: the UI is foreign code with its own toolkit and
//! event loop (pugl/OpenGL for x42, LSP's own); in a process of its own it
//! cannot block or crash the mixer's window (a crash is reported in the
//! status line), iced keeps its event loop, and tests can drive a window
//! directly. The price: UIs that need the plugin instance in their own
//! process (`instance-access`, `data-access`) cannot be shown, and the UI
//! sees control values only (no meters from the running plugin).

pub mod child;
mod clap_child;
mod clap_timers;
pub mod host;
pub mod protocol;
