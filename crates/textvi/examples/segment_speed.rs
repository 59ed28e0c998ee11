//! Throughput of word segmentation: `cargo run -p textvi --release --example segment_speed`.
//!
//! Segments the fixture sentences (tests/data/sentences.txt) over and over, a few thousand
//! in all, on one thread, and prints sentences/s and syllables (tokens)/s, after timing the
//! one-off lazy load of the embedded model.

use std::time::Instant;

fn main() {
    let sentences: Vec<&str> =
        include_str!("../tests/data/sentences.txt").lines().filter(|l| !l.trim().is_empty()).collect();

    let start = Instant::now();
    let first = textvi::segment(sentences[0]);
    println!("first call (loads model, dictionary, regex): {:.1} ms -> {first:?}", start.elapsed().as_secs_f64() * 1e3);

    let rounds = 10;
    let tokens: usize = sentences.iter().map(|s| textvi::tokenize(s).len()).sum::<usize>() * rounds;
    let mut words = 0;
    let mut count = 0;
    let start_seg = Instant::now();
    for _ in 0..rounds {
        for s in &sentences {
            words += textvi::segment(s).len();
            count += 1;
        }
    }
    let secs = start_seg.elapsed().as_secs_f64();
    println!(
        "{count} sentences, {tokens} syllables/tokens, {words} words in {secs:.3} s: \
         {:.0} sentences/s, {:.0} syllables/s",
        count as f64 / secs,
        tokens as f64 / secs
    );

    let start = Instant::now();
    for _ in 0..rounds {
        for s in &sentences {
            std::hint::black_box(textvi::tokenize(s));
        }
    }
    let secs_tok = start.elapsed().as_secs_f64();
    println!("of which tokenizing alone: {secs_tok:.3} s ({:.0} sentences/s)", count as f64 / secs_tok);
}
