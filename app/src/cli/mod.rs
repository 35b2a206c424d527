//! Command-line interface: argument definitions and dispatch, one module per subcommand.

mod album;
mod analyze;
#[cfg(feature = "bench")]
mod bench;
#[cfg(feature = "bench")]
mod bench_chain;
#[cfg(feature = "bench")]
mod bench_chain_stems;
#[cfg(feature = "bench")]
mod bench_edits;
mod bench_monitor;
#[cfg(feature = "bench")]
mod bench_plugins;
#[cfg(feature = "bench")]
mod bench_realtime;
#[cfg(feature = "bench")]
mod bench_stream;
#[cfg(feature = "bench")]
mod bench_timeline;
mod compare;
mod cpu_time;
mod dawproject;
mod deliver;
mod deliver_presets;
mod diff;
mod examples;
mod info;
mod learn_noise;
mod masking;
mod monitor_render;
mod new;
mod notes;
pub mod out;
mod play;
mod plugins;
mod processors;
mod progress;
mod relink;
mod render;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
pub use out::CliError;
use out::outln;

/// Mixdesk: a native desktop mixer.
#[derive(Debug, Parser)]
#[command(name = "mixdesk", version, about, long_about = None, after_help = examples::MIXDESK)]
pub struct Cli {
    /// A session to open (default: the bundled demo).
    pub session: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bounce a session to a stereo WAV, FLAC or MP3 (and optionally stems).
    #[command(after_help = examples::RENDER)]
    Render(Box<render::Args>),
    /// Run delivery presets (mastering, streaming, CD, stems, MP3 preview) into
    /// a folder and write the delivery sheet (HTML and text).
    #[command(after_help = examples::DELIVER)]
    Deliver(Box<deliver_presets::Args>),
    /// Sequence songs into an album: one file with a cue sheet, per-song
    /// files at one album gain, transition previews, the loudness table.
    #[command(subcommand, after_help = examples::ALBUM)]
    Album(album::Album),
    /// Measure an audio file: loudness (LUFS, LRA), true and sample peak, RMS,
    /// DC offset, clipped samples, correlation.
    #[command(after_help = examples::ANALYZE)]
    Analyze(analyze::Args),
    /// Compare a mix with a reference track, loudness-matched: the matching
    /// gain, the tonal difference and stereo width per octave band.
    #[command(after_help = examples::COMPARE)]
    Compare(compare::Args),
    /// Where two tracks of a session compete in the same band at the same time.
    #[command(after_help = examples::MASKING)]
    Masking(masking::Args),
    /// Play a session through the audio device with a one-line live meter.
    #[command(after_help = examples::PLAY)]
    Play(play::Args),
    /// List the audio output devices.
    #[command(after_help = examples::DEVICES)]
    Devices,
    /// List the insert processors (EQ, compressor, ...) and their parameters.
    #[command(after_help = examples::PROCESSORS)]
    Processors {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// List the installed plugins (LV2 and CLAP) Mixdesk can host as inserts, with their parameters.
    #[command(after_help = examples::PLUGINS)]
    Plugins {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Scan again instead of reading the cache.
        #[arg(long)]
        rescan: bool,
        /// Also list plugins that cannot be inserts, and why.
        #[arg(long)]
        all: bool,
    },
    /// Print a session's tracks, clips, length, sample rate, and missing or unplayable media.
    #[command(after_help = examples::INFO)]
    Info(info::Args),
    /// Create a session.
    #[command(after_help = examples::NEW)]
    New(new::Args),
    /// Print what changed between two sessions (or mix versions), one change per line.
    #[command(after_help = examples::DIFF)]
    Diff(diff::Args),
    /// Find moved or renamed media by name and content, and save the session pointing at it.
    #[command(after_help = examples::RELINK)]
    Relink(relink::Args),
    /// Write the session as a DAWproject (Bitwig, Studio One, Cubase), media included.
    #[command(after_help = examples::EXPORT_DAWPROJECT)]
    ExportDawproject(dawproject::ExportArgs),
    /// Make a session from a DAWproject, its media extracted into media/ beside it.
    #[command(after_help = examples::IMPORT_DAWPROJECT)]
    ImportDawproject(dawproject::ImportArgs),
    /// Review notes pinned to times: list, add, mark done, reply, import.
    #[command(subcommand, after_help = examples::NOTES)]
    Notes(notes::Notes),
    /// Learn a de-noiser's noise profile from a stretch of noise alone, and save the session.
    #[command(after_help = examples::LEARN_NOISE)]
    LearnNoise(learn_noise::Args),
    /// Prepare the demo session `mixdesk` opens (generating its audio once) and
    /// print its path, or write a fresh copy of the demo into a folder.
    #[command(after_help = examples::DEMO)]
    Demo {
        /// Write the demo session and its audio into this folder instead.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// With --out: put Debian's LV2 plugins on it (x42 EQ, LSP compressor
        /// and limiter, the eg-amp example).
        #[arg(long, requires = "out")]
        plugins: bool,
    },
    /// Show one LV2 plugin's own window (the window runs it as a child
    /// process; see docs/gui.md). Talks over stdin/stdout lines.
    #[command(hide = true)]
    PluginUi {
        /// The plugin's kind (`lv2:<uri>`).
        kind: String,
        /// The window's title.
        #[arg(long, default_value = "Plugin")]
        title: String,
    },
    /// Measure speed and memory (built with the `bench` feature, on by default;
    /// the .deb leaves it out).
    #[cfg(feature = "bench")]
    #[command(subcommand, after_help = examples::BENCH)]
    Bench(bench::Bench),
}

/// Runs the parsed command line; the error is the message to print.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Some(Command::Render(args)) => render::run(*args),
        Some(Command::Deliver(args)) => deliver_presets::run(*args),
        Some(Command::Album(cmd)) => album::run(cmd),
        Some(Command::Analyze(args)) => analyze::run(args),
        Some(Command::Compare(args)) => compare::run(args),
        Some(Command::Masking(args)) => masking::run(args),
        Some(Command::Play(args)) => play::run(args),
        Some(Command::Devices) => devices(),
        Some(Command::Processors { json }) => processors::run(json),
        Some(Command::Plugins { json, rescan, all }) => plugins::run(json, rescan, all),
        Some(Command::Info(args)) => info::run(args),
        Some(Command::New(args)) => new::run(args),
        Some(Command::Diff(args)) => diff::run(args),
        Some(Command::Relink(args)) => relink::run(args),
        Some(Command::LearnNoise(args)) => learn_noise::run(args),
        Some(Command::Notes(cmd)) => notes::run(cmd),
        Some(Command::ExportDawproject(args)) => dawproject::export(args),
        Some(Command::ImportDawproject(args)) => dawproject::import(args),
        Some(Command::Demo { out: Some(out), plugins }) => write_demo(&out, plugins),
        Some(Command::Demo { out: None, .. }) => print_demo_path(),
        Some(Command::PluginUi { kind, title }) => Ok(crate::plugin_ui::child::run(&kind, &title)?),
        #[cfg(feature = "bench")]
        Some(Command::Bench(b)) => bench::run(b),
        None => Ok(open(cli.session)?),
    }
}

/// Opens a session in the window (the bundled demo when none is named).
fn open(session: Option<PathBuf>) -> Result<(), String> {
    let path = match session {
        Some(p) => p,
        None => crate::demo_files::ensure_demo()?,
    };
    crate::gui::run(Some(path))
}

fn devices() -> Result<(), CliError> {
    let list =
        mixdesk_engine::realtime::Engine::devices().map_err(|e| format!("cannot list audio devices: {e}"))?;
    if list.is_empty() {
        outln!("no audio output devices (Mixdesk will play silently on its internal clock)");
    }
    for d in list {
        if d.name.is_empty() || d.name == d.id {
            outln!("{}", d.id);
        } else {
            outln!("{:<24} {}", d.id, d.name);
        }
    }
    Ok(())
}

/// Prints the path of the demo session `mixdesk` opens, after preparing it.
fn print_demo_path() -> Result<(), CliError> {
    let session = crate::demo_files::ensure_demo()?;
    print_out(&format!("{}\n", session.display()))
}

fn write_demo(out: &std::path::Path, plugins: bool) -> Result<(), CliError> {
    use mixdesk_engine::{demo, session};
    if out.exists() && !out.is_dir() {
        return Err(format!(
            "{} is a file, not a folder; give --out a folder (it is created if missing)",
            out.display()
        )
        .into());
    }
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let path = out.join(demo::SESSION_FILE);
    let mut s = demo::session();
    if plugins {
        mixdesk_engine::plugins::add_demo_plugins(&mut s).map_err(|e| e.to_string())?;
    }
    session::save(&s, &path).map_err(|e| e.to_string())?;
    let files = demo::generate(out)
        .map_err(|e| format!("cannot write the demo audio into {}: {e}", out.display()))?;
    outln!("wrote {} and {} media files", path.display(), files.len());
    Ok(())
}

/// Loads a session or returns its error message.
fn load(path: &std::path::Path) -> Result<mixdesk_engine::session::Session, String> {
    mixdesk_engine::session::load(path).map_err(|e| e.to_string())
}

/// Writes `text` to stdout (see `out` for a closed or full output).
fn print_out(text: &str) -> Result<(), CliError> {
    out::write_stdout(format_args!("{text}"))
}

/// The folder media paths are relative to.
fn session_dir(path: &std::path::Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}
