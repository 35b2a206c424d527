//! The `mixdesk` command line end to end: new from stems, render with stems,
//! ranges, word length and dither, info.

use mixdesk_tests::{noise, read_wav, render_cli, run, write_wav_f32};

#[test]
fn stems_at_unity_and_centre_sum_exactly_and_each_stem_is_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let stems_in = dir.path().join("in");
    std::fs::create_dir(&stems_in).unwrap();
    let n = 30_000;
    let names = ["b_bass.wav", "a_drums.wav", "c_keys.wav"];
    let sources: Vec<Vec<Vec<f32>>> =
        (0..3).map(|i| vec![noise(10 + i, n, 0.3), noise(20 + i, n, 0.3)]).collect();
    for (name, src) in names.iter().zip(&sources) {
        write_wav_f32(&stems_in.join(name), 48_000, src);
    }
    let session = dir.path().join("song.mixdesk");
    let (ok, out, err) =
        run(&["new", "--from-stems", stems_in.to_str().unwrap(), "-o", session.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    let (ok, info, err) = run(&["info", session.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    let track_names: Vec<&str> =
        info["tracks"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(track_names, ["a_drums", "b_bass", "c_keys"], "sorted by file name, named after the file");
    assert_eq!(info["length_samples"], n as u64);
    assert_eq!(info["missing_media"].as_array().unwrap().len(), 0);

    let mix = dir.path().join("mix.wav");
    let stems_out = dir.path().join("stems");
    render_cli(&session, &mix, &["--bits", "32f", "--stems", stems_out.to_str().unwrap()]);
    let (spec, master) = read_wav(&mix);
    assert_eq!((spec.channels, spec.sample_rate, spec.bits_per_sample), (2, 48_000, 32));
    assert_eq!(master[0].len(), n);
    // Sorted order: a_drums (index 1), b_bass (0), c_keys (2); summed from zero in that order.
    for c in 0..2 {
        for i in 0..n {
            let want = 0.0f32 + sources[1][c][i] + sources[0][c][i] + sources[2][c][i];
            assert_eq!(master[c][i], want, "channel {c} sample {i}");
        }
    }
    let mut files: Vec<_> = std::fs::read_dir(&stems_out).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), 3);
    for (file, src) in files.iter().zip([&sources[1], &sources[0], &sources[2]]) {
        let (_, stem) = read_wav(file);
        assert_eq!(stem[0].len(), n, "{} starts at the same sample and has the same length", file.display());
        assert_eq!(&stem, src, "{}", file.display());
    }
}

fn one_constant_track(dir: &std::path::Path, value: f32, frames: usize) -> std::path::PathBuf {
    let stems = dir.join("in");
    std::fs::create_dir_all(&stems).unwrap();
    write_wav_f32(&stems.join("dc.wav"), 48_000, &[vec![value; frames], vec![value; frames]]);
    let session = dir.join("dc.mixdesk");
    let (ok, out, err) =
        run(&["new", "--from-stems", stems.to_str().unwrap(), "-o", session.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    session
}

#[test]
fn start_end_and_tail_select_the_exact_range() {
    let dir = tempfile::tempdir().unwrap();
    let session = one_constant_track(dir.path(), 0.25, 48_000);
    let mix = dir.path().join("part.wav");
    render_cli(&session, &mix, &["--bits", "32f", "--start", "0.5", "--end", "0.75", "--tail", "0.5"]);
    let (_, m) = read_wav(&mix);
    assert_eq!(m[0].len(), 12_000 + 24_000, "0.25 s range plus 0.5 s tail");
    assert!(m[0][..24_000].iter().all(|v| *v == 0.25), "clip audio until its end at 1.0 s");
    assert!(m[0][24_000..].iter().all(|v| *v == 0.0), "silence after the clip's end");
}

#[test]
fn sixteen_bit_output_is_dithered_by_default_and_exact_without_dither() {
    let dir = tempfile::tempdir().unwrap();
    let session = one_constant_track(dir.path(), 0.5, 20_000);
    let plain = dir.path().join("plain.wav");
    let dithered = dir.path().join("dithered.wav");
    let s = session.to_str().unwrap();
    assert!(run(&["render", s, "-o", plain.to_str().unwrap(), "--bits", "16", "--dither", "none"]).0);
    assert!(run(&["render", s, "-o", dithered.to_str().unwrap(), "--bits", "16"]).0);
    let read_i16 = |p: &std::path::Path| -> Vec<i16> {
        let mut r = hound::WavReader::open(p).unwrap();
        assert_eq!(r.spec().bits_per_sample, 16);
        r.samples::<i16>().map(Result::unwrap).collect()
    };
    assert!(read_i16(&plain).iter().all(|v| *v == 16_384));
    let d = read_i16(&dithered);
    let mean = d.iter().map(|v| f64::from(*v)).sum::<f64>() / d.len() as f64;
    assert!((mean - 16_384.0).abs() < 0.02, "TPDF dither is unbiased: mean {mean}");
    assert!(d.iter().all(|v| (16_383..=16_385).contains(v)), "±1 LSB");
    assert!(d.iter().any(|v| *v != 16_384));
    // 24-bit by default carries no dither.
    let deep = dir.path().join("deep.wav");
    assert!(run(&["render", s, "-o", deep.to_str().unwrap()]).0);
    let mut r = hound::WavReader::open(&deep).unwrap();
    assert_eq!(r.spec().bits_per_sample, 24);
    assert!(r.samples::<i32>().all(|v| v.unwrap() == 1 << 22));
}

#[test]
fn info_lists_vcas_and_folders_apart_from_the_buses() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sessions/v5.mixdesk");
    let (ok, out, err) = run(&["info", fixture, "--json"]);
    assert!(ok, "{err}");
    let info: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(info["buses"], serde_json::json!(["Drum bus"]), "a VCA carries no audio: not a bus");
    assert_eq!(info["vcas"][0]["name"], "Drums VCA");
    assert_eq!(info["vcas"][0]["fader_db"], -4.5);
    assert_eq!(info["vcas"][0]["members"], serde_json::json!(["Kick", "Snare"]));
    assert_eq!(info["folders"][0]["name"], "Drums");
    assert_eq!(info["folders"][0]["tracks"], serde_json::json!(["Kick", "Snare"]));
    assert_eq!(info["folders"][0]["bus"], "Drum bus");
    assert_eq!(info["folders"][0]["collapsed"], true);
    let (ok, out, err) = run(&["info", fixture]);
    assert!(ok, "{err}");
    assert!(out.contains("3 tracks, 1 bus, 1 VCA, 2 folders"), "{out}");
    assert!(out.contains("VCA Drums VCA -4.5 dB over Kick, Snare"), "{out}");
    assert!(out.contains("folder Drums: Kick, Snare, summing into Drum bus, collapsed"), "{out}");
}
