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
}

criterion_group!(benches, processors);
criterion_main!(benches);
