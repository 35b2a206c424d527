//! The examples `mixdesk --help` and `mixdesk COMMAND --help` print after the
//! options, one constant per command. A test parses every example line with the
//! real argument definitions, so an example cannot go stale.

pub const MIXDESK: &str = "Examples:
  mixdesk                                   open the demo session
  mixdesk song.mixdesk                      open a session in the window
  mixdesk render song.mixdesk -o mix.wav    bounce to 24-bit WAV
  mixdesk analyze mix.wav --json            loudness, true peak, LRA, clipping, correlation
  mixdesk play song.mixdesk --start 30 --seconds 10   headless playback with a meter
  mixdesk info song.mixdesk                 tracks, clips, length, missing or unplayable media
  mixdesk --version                         the version

Each command has its own examples: mixdesk COMMAND --help";

pub const RENDER: &str = "Examples:
  mixdesk render song.mixdesk -o mix.wav                 24-bit WAV with a report beside it
  mixdesk render song.mixdesk -o mix.wav --bits 16 --stems stems/   16-bit with TPDF dither, plus stems
  mixdesk render song.mixdesk -o chorus.wav --start 60 --end 90 --tail 2   a range with its reverb tail
  mixdesk render song.mixdesk -o ref.wav --normalize-lufs -14 --true-peak-ceiling -1   a reference at -14 LUFS
  mixdesk render song.mixdesk -o rough.wav --allow-missing --no-report   missing media as silence
  mixdesk render song.mixdesk -o master.flac --rate 44100 --bits 16   FLAC at 44.1 kHz, dithered after conversion
  mixdesk render song.mixdesk -o preview.mp3 --format mp3-v0   LAME VBR for the artist's phone
  mixdesk render song.mixdesk -o phone.wav --monitor phone,mono   what the monitor plays: a phone speaker, in mono";

pub const DELIVER: &str = "Examples:
  mixdesk deliver song.mixdesk --out delivery/            every preset, and delivery-sheet.html/.txt
  mixdesk deliver song.mixdesk --out d/ --preset Mastering --preset CD   two presets
  mixdesk deliver song.mixdesk --out d/ --notes Unmastered   notes on the sheet (quote several words)
  mixdesk deliver song.mixdesk --list                     the session's presets
  mixdesk deliver song.mixdesk --save-presets             store the presets in the session to edit them";

pub const ALBUM: &str = "Examples:
  mixdesk album render ep.album.ron --out ep/        one WAV + .cue, a file per song, album-sheet.txt
  mixdesk album render ep.album.ron --out ep/ --normalize-lufs -14 --transitions 8 --format flac

An album file:
  Album(title: \"EP\", artist: Some(\"Band\"), songs: [
    Song(source: \"one/one.mixdesk\"),
    Song(source: \"two.wav\", gap: 2.0, isrc: Some(\"GBAYE2400002\")),
    Song(source: \"three.flac\", crossfade: 1.0, gain_db: -0.5),
  ])";

pub const ALBUM_RENDER: &str = "Examples:
  mixdesk album render ep.album.ron --out ep/        24-bit WAV album, .cue, per-song files
  mixdesk album render ep.album.ron --out ep/ --format mp3 --rate 44100 --normalize-lufs -14";

pub const ANALYZE: &str = "Examples:
  mixdesk analyze mix.wav                   loudness, true peak, LRA, clipping, correlation
  mixdesk analyze master.flac --json        the same as JSON";

pub const COMPARE: &str = "Examples:
  mixdesk compare mix.wav reference.flac             matching gain, tonal and width difference per octave
  mixdesk compare mix.wav reference.mp3 --short-term  matched on the loudest 3 s
  mixdesk compare mix.wav reference.flac --json       the same as JSON";

pub const MASKING: &str = "Examples:
  mixdesk masking song.mixdesk bass kick          bands where the two compete
  mixdesk masking song.mixdesk 1 3 --json         tracks by id, as JSON";

pub const PLAY: &str = "Examples:
  mixdesk play song.mixdesk                 from the start to the end
  mixdesk play song.mixdesk --start 30 --seconds 10   ten seconds from 0:30
  mixdesk play song.mixdesk --device hw:1 --buffer 512   another device, larger buffer";

pub const DEVICES: &str = "Examples:
  mixdesk devices                           ids and names to pass to play --device (the default first)";

pub const PROCESSORS: &str = "Examples:
  mixdesk processors                        every processor with its parameters
  mixdesk processors --json                 the same as JSON";

pub const PLUGINS: &str = "Examples:
  mixdesk plugins                           the installed LV2 and CLAP plugins usable as inserts
  mixdesk plugins --json                    the same as JSON (kind, parameters, latency)
  LV2_PATH=~/my-lv2 mixdesk plugins --rescan  scan another folder, ignoring the caches
  CLAP_PATH=~/my-clap mixdesk plugins       CLAP plugins from another folder";

pub const INFO: &str = "Examples:
  mixdesk info song.mixdesk                 tracks, clips, length, missing or unplayable media
  mixdesk info song.mixdesk --json          the same as JSON";

pub const NEW: &str = "Examples:
  mixdesk new --from-stems ./stems -o song.mixdesk   one track per audio file";

pub const DIFF: &str = "Examples:
  mixdesk diff song.versions/001-rough.mixdesk song.mixdesk   what changed, in words
  mixdesk diff song.mixdesk.bak song.mixdesk                  since the previous save";

pub const RELINK: &str = "Examples:
  mixdesk relink song.mixdesk --search ~/Music --dry-run   what would be relinked
  mixdesk relink song.mixdesk --search /mnt/backup         relink and save (keeps song.mixdesk.bak)";

pub const EXPORT_DAWPROJECT: &str = "Examples:
  mixdesk export-dawproject song.mixdesk -o song.dawproject   tracks, clips and audio, mixer, markers";

pub const IMPORT_DAWPROJECT: &str = "Examples:
  mixdesk import-dawproject song.dawproject -o song.mixdesk   media extracted into media/ beside it";

pub const NOTES: &str = "Examples:
  mixdesk notes list song.mixdesk --status open              what is still to do
  mixdesk notes add song.mixdesk --at 1:23 --track Vocal --author Ann \"vocal too quiet\"
  mixdesk notes import song.mixdesk mix.notes.json           what the artist wrote on the share page";

pub const NOTES_LIST: &str = "Examples:
  mixdesk notes list song.mixdesk                            every note in time order, with replies
  mixdesk notes list song.mixdesk --status open --json       open notes as JSON";

pub const NOTES_ADD: &str = "Examples:
  mixdesk notes add song.mixdesk --at 1:23 \"vocal too quiet\"
  mixdesk notes add song.mixdesk --at 2:05-2:20 --track Guitar --author Ann \"too loud\"
  mixdesk notes add song.mixdesk --at \"bars 17-20\" \"more reverb here\"";

pub const NOTES_DONE: &str = "Examples:
  mixdesk notes done song.mixdesk 31 32                      mark notes 31 and 32 done
  mixdesk notes done song.mixdesk 33 --wont-do               considered, declined
  mixdesk notes done song.mixdesk 31 --reopen                open again";

pub const NOTES_REPLY: &str = "Examples:
  mixdesk notes reply song.mixdesk 31 --author Sam \"raised 1.5 dB, check v3\"";

pub const NOTES_IMPORT: &str = "Examples:
  mixdesk notes import song.mixdesk mix.notes.json           the file the share page saved
  mixdesk notes import song.mixdesk feedback.txt --author Ann   \"1:23 vocal too quiet\" lines
  mixdesk notes import song.mixdesk feedback.txt --dry-run   show what would be added";

pub const LEARN_NOISE: &str = "Examples:
  mixdesk learn-noise interview.mixdesk --start 0.2 --end 1.5           the only de-noiser learns 0.2-1.5 s
  mixdesk learn-noise song.mixdesk --start 12 --end 13 --processor 41   choose the de-noiser by id
  mixdesk learn-noise song.mixdesk --start 12 --end 13 --dry-run        show the profile, save nothing";

pub const DEMO: &str = "Examples:
  mixdesk demo                              prepare the demo `mixdesk` opens and print its path
  mixdesk demo --out ~/demo                 write a fresh copy of the demo into ~/demo";

#[cfg(feature = "bench")]
pub const BENCH: &str = "Examples:
  mixdesk bench render --tracks 32 --seconds 60
  mixdesk bench chain --tracks 16 --seconds 30 --no-ffmpeg
  mixdesk bench realtime --tracks 256 --sends 2
  mixdesk bench timeline --tracks 64 --clips 20";

#[cfg(feature = "bench")]
pub const BENCH_RENDER: &str = "Examples:
  mixdesk bench render --tracks 32 --seconds 60      decode and render speed, peak memory
  mixdesk bench render --tracks 8 --seconds 10 --block 512";

#[cfg(feature = "bench")]
pub const BENCH_CHAIN: &str = "Examples:
  mixdesk bench chain --tracks 32 --seconds 60       generated stems, beside ffmpeg running the same graph
  mixdesk bench chain --tracks 128 --runs 3          the fastest of three runs of each measurement
  mixdesk bench chain --stems ~/mixes/song/stems     your own stems, one track per file
  mixdesk bench chain --tracks 16 --seconds 30 --no-ffmpeg";

#[cfg(feature = "bench")]
#[cfg(feature = "bench")]
pub const BENCH_MONITOR: &str = "Examples:
  mixdesk bench monitor                              the monitor's cost per callback on 64 tracks
  mixdesk bench monitor --tracks 16 --seconds 5      a smaller session, shorter";

pub const BENCH_REALTIME: &str = "Examples:
  mixdesk bench realtime --tracks 256 --sends 2      median and 99th percentile DSP load
  mixdesk bench realtime --tracks 512 --find         the largest track count under 70 %
  mixdesk bench realtime --tracks 64 --chain --find  the same with EQ and a compressor on every track
  mixdesk bench realtime --tracks 64 --plugin lv2:http://lsp-plug.in/plugins/lv2/compressor_stereo
                                                     an installed plugin on every track";

/// `mixdesk bench stream --help`.
#[cfg(feature = "bench")]
pub const BENCH_STREAM: &str = "Examples:
  mixdesk bench stream --tracks 64 --minutes 10      first sound, memory, under-runs, seeks and a loop
  mixdesk bench stream --tracks 128 --minutes 6 --seconds 30
  mixdesk bench stream --tracks 64 --minutes 10 --rate 96000";

/// `mixdesk bench edits --help`.
#[cfg(feature = "bench")]
pub const BENCH_EDITS: &str = "Examples:
  mixdesk bench edits                                128 tracks, lanes of 2000 points: one fader move
  mixdesk bench edits --tracks 256 --points 10000    a bigger session";

/// `mixdesk bench plugins --help`.
#[cfg(feature = "bench")]
pub const BENCH_PLUGINS: &str = "Examples:
  mixdesk bench plugins                              scan cold and cached, time per callback of hosted plugins
  mixdesk bench plugins --callbacks 20000            a shorter run";

/// `mixdesk bench timeline --help`.
#[cfg(feature = "bench")]
pub const BENCH_TIMELINE: &str = "Examples:
  mixdesk bench timeline                             64 tracks x 20 clips, 60 frames while scrolling
  mixdesk bench timeline --tracks 8 --clips 4        a small session";

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use crate::cli::Cli;

    /// The command lines in an after_help text: each example line up to the
    /// first run of two spaces (where the comment starts).
    fn example_lines(help: &str) -> Vec<Vec<String>> {
        help.lines()
            .filter_map(|l| l.strip_prefix("  mixdesk"))
            .map(|l| {
                let command = l.split("  ").next().unwrap_or("");
                std::iter::once("mixdesk").chain(command.split_whitespace()).map(String::from).collect()
            })
            .collect()
    }

    /// Checks `cmd` and its subcommands; returns how many commands it checked.
    fn check(cmd: &clap::Command, path: &[String]) -> usize {
        let help = cmd.get_after_help().map(|h| h.to_string()).unwrap_or_default();
        let examples = example_lines(&help);
        assert!(!examples.is_empty(), "`{}` has no examples in its --help", path.join(" "));
        for argv in &examples {
            assert!(argv.starts_with(path), "{argv:?} is under the help of `{}`", path.join(" "));
            if argv.last().is_some_and(|a| a == "--version") {
                continue;
            }
            if let Err(e) = Cli::try_parse_from(argv) {
                panic!("the example {argv:?} does not parse: {e}");
            }
        }
        let mut checked = 1;
        // Hidden commands (`plugin-ui`, run by the window) are not for typing.
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let mut sub_path = path.to_vec();
            sub_path.push(sub.get_name().to_string());
            checked += check(sub, &sub_path);
        }
        checked
    }

    #[test]
    fn every_command_has_examples_that_parse() {
        // mixdesk, its 11 commands and the 3 benchmarks
        assert!(check(&Cli::command(), &["mixdesk".to_string()]) >= 15);
    }

    #[test]
    fn version_prints_the_package_version() {
        let err = Cli::try_parse_from(["mixdesk", "--version"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::DisplayVersion);
        assert_eq!(err.to_string(), format!("mixdesk {}\n", env!("CARGO_PKG_VERSION")));
    }

    #[test]
    fn help_shows_the_examples() {
        let err = Cli::try_parse_from(["mixdesk", "render", "--help"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp);
        let text = err.to_string();
        assert!(text.contains("Examples:") && text.contains("--normalize-lufs -14"), "{text}");
    }
}
