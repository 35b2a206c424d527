//! The Mixdesk engine: everything that is not pixels.
//!
//! - [`session`]: the document, saved as RON (`*.mixdesk`).
//! - [`media`]: decoding, resampling and the in-memory media pool.
//! - [`streaming`]: disk streaming of media for live playback (a disk thread ahead of the playhead).
//! - [`control`]: the parameter control plane (a slot per live parameter, latest value wins).
//! - [`graph`]: compiling a session into a render graph and rendering blocks.
//! - [`bounce`]: the offline render to WAV (mix and stems).
//! - [`deliver`]: delivery formats (WAV, FLAC, MP3), rate conversion and metadata on export.
//! - [`analysis`]: meters, loudness (EBU R 128), spectrum and file analysis.
//! - [`monitor`]: the monitor section after the master (checks, systems, platform preview), never bounced.
//! - [`report`]: the bounce report (analysis, mastering preflight, streaming table, PNG).
//! - [`dsp`]: the insert processors (EQ, dynamics, effects) and their registry.
//! - [`plugins`]: hosted LV2 plugins as inserts (scan, cache, instances).
//! - [`demo`]: the deterministic generator of the bundled demo song.
//! - [`edit`]: typed edits of the session, each with its inverse and what the engine must do.
//! - [`history`]: undo and redo with bounded memory, steps named in words.
//! - [`diff`]: the difference between two sessions, in words.
//! - [`autosave`]: the autosave sidecar and crash recovery.
//! - [`versions`]: named mix versions beside the session.
//! - [`relink`]: finding moved or renamed media by name and content.
//! - [`dawproject`]: DAWproject export and import (the open interchange format).
//! - [`review`]: review notes in (timestamped text, the share page's file) and out (the share page).
//! - [`atomic`] and [`files`]: writing files whole, and reading only regular files.
//!
//! This crate never depends on a GUI toolkit.

pub mod analysis;
pub mod atomic;
pub mod autosave;
pub mod bounce;
pub mod control;
pub mod dawproject;
pub mod deliver;
pub mod demo;
pub mod denormal;
pub mod diff;
pub mod dsp;
pub mod edit;
pub mod files;
pub mod graph;
pub mod history;
pub mod info;
pub mod media;
pub mod monitor;
pub mod plugins;
pub mod realtime;
pub mod relink;
pub mod report;
pub mod restore;
pub mod review;
pub mod session;
pub mod session_templates;
pub mod smooth;
pub mod stems;
pub mod streaming;
pub mod templates;
pub mod units;
pub mod versions;
