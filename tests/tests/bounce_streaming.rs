//! The bounce streams uncompressed WAV files from disk instead of decoding them
//! into memory: the samples must be exactly the decoder's, the bounce
//! bit-identical to one from the media pool, and a file that breaks while the
//! bounce reads it must fail the bounce, naming the file.

use std::path::{Path, PathBuf};

use mixdesk_engine::bounce::{BitDepth, BounceError, BounceOptions, bounce};
use mixdesk_engine::media::{AudioSource, MediaPool, StreamedWav, decode_file};
use mixdesk_engine::session::{Decibels, FadeShape, Pan, SampleTime, Session};
use mixdesk_tests::{noise, read_wav, track};

const RATE: u32 = 48_000;

/// Writes `channels` (equal lengths) at `bits` (16/24/32 integer, or 32 float).
fn write(path: &Path, bits: u16, float: bool, channels: &[Vec<f32>]) {
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: RATE,
        bits_per_sample: bits,
        sample_format: if float { hound::SampleFormat::Float } else { hound::SampleFormat::Int },
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let full = (1i64 << (bits - 1)) as f64;
    for i in 0..channels[0].len() {
        for c in channels {
            if float {
                w.write_sample(c[i]).unwrap();
            } else {
                let v = (f64::from(c[i]) * full).round().clamp(-full, full - 1.0) as i32;
                w.write_sample(v).unwrap();
            }
        }
    }
    w.finalize().unwrap();
}

/// Every sample the stream gives, per channel, read in blocks of `block`
/// (the second channel right after the first, as clip players read).
fn stream_all(s: &StreamedWav, block: usize) -> Vec<Vec<f32>> {
    let n = s.frames() as usize;
    let mut out = vec![vec![0.0; n]; s.channel_count()];
    let mut at = 0;
    while at < n {
        let len = block.min(n - at);
        for (c, ch) in out.iter_mut().enumerate() {
            s.read(c, at as u64, &mut ch[at..at + len]);
        }
        at += len;
    }
    out
}

fn assert_bit_equal(path: &Path, block: usize) {
    let s = StreamedWav::open(path, RATE).unwrap_or_else(|| panic!("{} streams", path.display()));
    let decoded = decode_file(path).unwrap();
    let streamed = stream_all(&s, block);
    assert_eq!(streamed.len(), decoded.channels.len(), "{}", path.display());
    for (a, b) in streamed.iter().zip(&decoded.channels) {
        assert_eq!(a.len(), b.len(), "{}", path.display());
        let differ = a.iter().zip(b).filter(|(x, y)| x.to_bits() != y.to_bits()).count();
        assert_eq!(differ, 0, "{}: {differ} samples differ from the decoder", path.display());
    }
    assert!(s.failure().is_none());
}

#[test]
fn streamed_samples_are_exactly_the_decoders_in_every_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let n = 10_007;
    // Full-scale extremes and noise, so every bit of every width is exercised.
    let mut left = noise(1, n, 0.9);
    left[0] = 1.0;
    left[1] = -1.0;
    left[2] = 0.0;
    let right = noise(2, n, 0.5);
    for (bits, float) in [(16, false), (24, false), (32, false), (32, true)] {
        for channels in [vec![left.clone()], vec![left.clone(), right.clone()]] {
            let path = dir.path().join(format!("{bits}{float}{}.wav", channels.len()));
            write(&path, bits, float, &channels);
            for block in [4096, 1000, 1] {
                assert_bit_equal(&path, block);
            }
        }
    }
    // Damaged float values are sanitised the decoder's way.
    let mut bad = noise(3, 100, 0.5);
    bad[10] = f32::NAN;
    bad[20] = f32::INFINITY;
    bad[30] = 1e38;
    let path = dir.path().join("bad.wav");
    write(&path, 32, true, &[bad]);
    assert_bit_equal(&path, 64);
    let s = StreamedWav::open(&path, RATE).unwrap();
    assert_eq!([10u64, 20, 30].map(|i| stream_all(&s, 64)[0][i as usize]), [0.0, 0.0, 1e6]);
}

#[test]
fn chunks_before_the_data_and_odd_chunk_sizes_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.wav");
    write(&plain, 24, false, &[noise(4, 999, 0.7), noise(5, 999, 0.7)]);
    // Insert a JUNK chunk with an odd size (so a pad byte) before `data`.
    let bytes = std::fs::read(&plain).unwrap();
    let data = bytes.windows(4).position(|w| w == b"data").unwrap();
    let mut out = bytes[..data].to_vec();
    out.extend_from_slice(b"JUNK");
    out.extend_from_slice(&5u32.to_le_bytes());
    out.extend_from_slice(b"abcde\0");
    out.extend_from_slice(&bytes[data..]);
    let riff = (out.len() - 8) as u32;
    out[4..8].copy_from_slice(&riff.to_le_bytes());
    let listed = dir.path().join("listed.wav");
    std::fs::write(&listed, out).unwrap();
    assert_bit_equal(&listed, 4096);
    assert_eq!(
        stream_all(&StreamedWav::open(&listed, RATE).unwrap(), 512),
        decode_file(&plain).unwrap().channels
    );
}

#[test]
fn files_the_streamer_does_not_handle_are_left_to_the_decoder() {
    let dir = tempfile::tempdir().unwrap();
    let one = vec![noise(6, 2000, 0.5)];
    type Make<'a> = Box<dyn Fn(&Path) + 'a>;
    let cases: Vec<(&str, Make)> = vec![
        ("8-bit", Box::new(|p| write(p, 8, false, &one))),
        (
            "three channels",
            Box::new(|p| write(p, 16, false, &[one[0].clone(), one[0].clone(), one[0].clone()])),
        ),
        ("another rate", Box::new(|p| mixdesk_tests::write_wav_f32(p, 44_100, &one))),
        (
            "cut short",
            Box::new(|p| {
                write(p, 16, false, &one);
                let len = std::fs::metadata(p).unwrap().len();
                std::fs::OpenOptions::new().write(true).open(p).unwrap().set_len(len - 100).unwrap();
            }),
        ),
        (
            "not a WAV",
            Box::new(|p| std::fs::write(p, b"fLaC and some more bytes that are not audio").unwrap()),
        ),
        ("empty", Box::new(|p| std::fs::write(p, b"").unwrap())),
    ];
    for (what, make) in cases {
        let path = dir.path().join(format!("{what}.wav"));
        make(&path);
        assert!(StreamedWav::open(&path, RATE).is_none(), "{what} must not stream");
    }
    assert!(StreamedWav::open(&dir.path().join("missing.wav"), RATE).is_none());
}

/// A session over WAV files of several encodings, with clip offsets, gain,
/// fades, pan and an EQ + compressor, so every read path is used.
fn session(dir: &Path) -> (Session, Vec<PathBuf>) {
    let n = 100_000;
    let files = [("a.wav", 16, false, 1), ("b.wav", 24, false, 2), ("c.wav", 32, true, 2)];
    let mut s = Session::new(RATE);
    let mut paths = Vec::new();
    for (k, (name, bits, float, channels)) in files.into_iter().enumerate() {
        let chans: Vec<Vec<f32>> = (0..channels).map(|c| noise(10 + 2 * k as u64 + c, n, 0.4)).collect();
        let path = dir.join(name);
        write(&path, bits, float, &chans);
        paths.push(path);
        let mut t = track(1 + k as u32, name, 3_000 * k as u64, 80_000);
        t.clips[0].source_offset = SampleTime(1_234 * k as u64);
        t.clips[0].gain_db = Decibels(-3.0 * k as f64);
        t.clips[0].fade_in.length = SampleTime(5_000);
        t.clips[0].fade_out.length = SampleTime(7_000);
        t.clips[0].fade_out.shape = FadeShape::SCurve;
        t.strip.pan = Pan(0.5 - 0.5 * k as f64);
        s.tracks.push(t);
        let strip = mixdesk_engine::session::StripRef::Track(s.tracks[k].id);
        let eq = s.add_processor(strip, "eq", 0).unwrap();
        s.processor_mut(eq).unwrap().params.insert("p1_gain".into(), 6.0);
        let comp = s.add_processor(strip, "compressor", 1).unwrap();
        s.processor_mut(comp).unwrap().params.insert("threshold".into(), -30.0);
    }
    (s, paths)
}

fn opts() -> BounceOptions {
    BounceOptions { depth: BitDepth::Float32, report: false, ..BounceOptions::default() }
}

#[test]
fn a_streamed_bounce_is_bit_identical_to_one_from_the_pool_and_loads_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (s, paths) = session(dir.path());
    // From the pool: the media decoded into memory first (as the window does).
    let warm = MediaPool::new();
    for p in &paths {
        warm.load(p, RATE).unwrap();
    }
    let from_pool = dir.path().join("pool.wav");
    bounce(&s, dir.path(), &warm, &from_pool, &opts(), &mut |_| true).unwrap();
    // Streamed: a fresh pool, as `mixdesk render` has; nothing gets decoded into it.
    let cold = MediaPool::new();
    let streamed = dir.path().join("streamed.wav");
    bounce(&s, dir.path(), &cold, &streamed, &opts(), &mut |_| true).unwrap();
    assert!(cold.is_empty(), "streamed files are not decoded into the pool");
    let (_, a) = read_wav(&from_pool);
    let (_, b) = read_wav(&streamed);
    assert_eq!(a[0].len(), 6_000 + 80_000, "to the end of the last clip");
    assert!(a[0].iter().any(|x| x.abs() > 0.05), "the mix is not silent");
    assert!(a == b, "the streamed bounce differs from the pool's");
}

#[test]
fn a_file_that_breaks_during_the_bounce_fails_it_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (s, paths) = session(dir.path());
    let out = dir.path().join("mix.wav");
    let victim = paths[1].clone();
    let mut cut = false;
    let mut progress = |_| {
        // After the first block, the 24-bit file loses most of its data.
        if !cut {
            std::fs::OpenOptions::new().write(true).open(&victim).unwrap().set_len(1_000).unwrap();
            cut = true;
        }
        true
    };
    let e = bounce(
        &s,
        dir.path(),
        &MediaPool::new(),
        &out,
        &BounceOptions { block: 1024, ..opts() },
        &mut progress,
    )
    .expect_err("the bounce read a broken file");
    assert!(matches!(e, BounceError::Media(_)), "{e}");
    let message = e.to_string();
    assert!(message.contains("b.wav") && message.contains("while bouncing"), "{message}");
    assert!(!out.exists(), "no half-made mix is left");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("mix"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Each streamed file holds a descriptor open for the whole bounce, so past
/// 512 files the rest are decoded into the pool; the mix is the same.
#[test]
fn past_512_files_the_rest_are_decoded_and_the_mix_is_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let files = 520;
    let mut s = Session::new(RATE);
    let mut paths = Vec::new();
    for k in 0..files {
        let name = format!("f{k:03}.wav");
        let path = dir.path().join(&name);
        write(&path, 16, false, &[noise(100 + k as u64, 300, 0.01)]);
        paths.push(path);
        s.tracks.push(track(1 + k as u32, &name, k as u64, 300));
    }
    let cold = MediaPool::new();
    let streamed = dir.path().join("streamed.wav");
    bounce(&s, dir.path(), &cold, &streamed, &opts(), &mut |_| true).unwrap();
    assert_eq!(cold.len(), files - 512, "the files past the 512th are decoded");
    let warm = MediaPool::new();
    for p in &paths {
        warm.load(p, RATE).unwrap();
    }
    let from_pool = dir.path().join("pool.wav");
    bounce(&s, dir.path(), &warm, &from_pool, &opts(), &mut |_| true).unwrap();
    let (_, a) = read_wav(&streamed);
    assert_eq!(a[0].len(), files - 1 + 300);
    assert!(a == read_wav(&from_pool).1);
}
