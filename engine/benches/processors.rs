//! Per-processor cost: every processor kind at its defaults (the EQ with every
//! band active) on stereo 512-frame blocks at 48 kHz. Criterion reports time
//! per element; an element is one stereo frame, so the figure is ns per sample
//! frame. Run with `cargo bench -p mixdesk-engine --bench processors`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mixdesk_engine::dsp::{DspContext, kinds};

const BLOCK: usize = 512;

fn processors(c: &mut Criterion) {
    let mut group = c.benchmark_group("processor");
    group.throughput(Throughput::Elements(BLOCK as u64));
    let ctx = DspContext { sample_rate: 48_000, max_block: BLOCK, bpm: 120.0 };
    for spec in kinds() {
        let mut values: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
        if spec.kind == "eq" {
            // Every band doing something: 12 dB/oct high- and low-pass, both shelves, four peaks.
            for (key, v) in [("hp_on", 1.0), ("lp_on", 1.0), ("low_gain", 2.0), ("high_gain", -2.0)] {
                values[spec.param_index(key).unwrap()] = v;
            }
            for band in ["p1", "p2", "p3", "p4"] {
                values[spec.param_index(&format!("{band}_gain")).unwrap()] = 3.0;
            }
        }
        let mut dsp = (spec.build)(&ctx, &values);
        let mut seed = 1u32;
        let mut noise = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as f32 / u32::MAX as f32 - 0.5
        };
        let (mut l, mut r): (Vec<f32>, Vec<f32>) = (0..BLOCK).map(|_| (noise(), noise())).unzip();
        group.bench_function(spec.kind, |b| {
            b.iter(|| {
                dsp.process(&mut [&mut l, &mut r], None);
                // Keep the signal alive (limiters and compressors would otherwise settle on silence).
                l[0] = 0.5;
                r[0] = -0.5;
            })
        });
    }
    group.finish();
    track_strip(c);
}

/// The chain bench's track inserts (`mixdesk bench chain`): a mono track's
/// 80 Hz high-pass and three peaking bands, then a soft-knee compressor that
/// works on every block, on 4096-frame blocks. ns per mono sample.
fn track_strip(c: &mut Criterion) {
    const FRAMES: usize = 4096;
    let mut group = c.benchmark_group("track strip (mono, 4096)");
    group.throughput(Throughput::Elements(FRAMES as u64));
    let ctx = DspContext { sample_rate: 48_000, max_block: FRAMES, bpm: 120.0 };
    let build = |kind: &str, set: &[(&str, f64)]| {
        let spec = kinds().iter().find(|k| k.kind == kind).unwrap();
        let mut values: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
        for (key, v) in set {
            values[spec.param_index(key).unwrap()] = *v;
        }
        (spec.build)(&ctx, &values)
    };
    let mut eq = build(
        "eq",
        &[
            ("hp_on", 1.0),
            ("hp_freq", 80.0),
            ("p1_freq", 250.0),
            ("p1_gain", 3.0),
            ("p2_freq", 1200.0),
            ("p2_gain", -4.0),
            ("p2_q", 1.4),
            ("p3_freq", 5000.0),
            ("p3_gain", 2.0),
            ("p3_q", 0.8),
        ],
    );
    let mut comp = build("compressor", &[("threshold", -24.0), ("ratio", 3.0), ("knee", 6.0)]);
    // A swelling tone with a little noise, as in the chain bench's tracks (the
    // noise makes the compressor's attack/release choice unpredictable).
    let mut seed = 7u32;
    let input: Vec<f32> = (0..FRAMES)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let noise = seed as f32 / u32::MAX as f32 - 0.5;
            0.5 * (i as f32 * 0.05).sin() * (1.0 + (i as f32 * 0.001).sin()) + 0.02 * noise
        })
        .collect();
    let mut buf = input.clone();
    group.bench_function("eq", |b| {
        b.iter(|| {
            buf.copy_from_slice(&input);
            eq.process(&mut [&mut buf], None);
        })
    });
    group.bench_function("compressor", |b| {
        b.iter(|| {
            buf.copy_from_slice(&input);
            comp.process(&mut [&mut buf], None);
        })
    });
    group.finish();
}

criterion_group!(benches, processors);
criterion_main!(benches);
