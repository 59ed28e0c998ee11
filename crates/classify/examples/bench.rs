//! Benchmark of the classifier on a labelled TSV split (run by `scripts/bench-classify.sh`):
//!
//! ```text
//! cargo run --release -p classify --example bench -- DATA_DIR [REPEATS]
//! ```
//!
//! Trains on `DATA_DIR/train.tsv` with `Params::default()`, evaluates on `DATA_DIR/test.tsv`
//! and measures throughput over the test texts: `predict` one text at a time on one thread, and
//! `predict_batch` on all cores (best of REPEATS runs, default 5). Prints `key value` lines for
//! the script, then the evaluation report.

use std::error::Error;
use std::fs::File;
use std::io::BufReader;
use std::time::Instant;

use classify::{Model, Params, evaluate, read_tsv};

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "../shared/data/vntc".to_owned());
    let repeats: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(5);
    let train = read_tsv(BufReader::new(File::open(format!("{dir}/train.tsv"))?))?;
    let test = read_tsv(BufReader::new(File::open(format!("{dir}/test.tsv"))?))?;

    let params = Params::default();
    let start = Instant::now();
    let model = Model::train(&[], &train, &params)?;
    let train_s = start.elapsed().as_secs_f64();

    let evaluation = evaluate(&model, &test);
    let texts: Vec<&str> = test.iter().map(|e| e.text.as_str()).collect();

    // warm up, then best of `repeats`
    let mut sink = 0.0;
    for t in &texts {
        sink += model.predict(t).confidence;
    }
    let mut single = f64::INFINITY;
    for _ in 0..repeats {
        let start = Instant::now();
        for t in &texts {
            sink += model.predict(t).confidence;
        }
        single = single.min(start.elapsed().as_secs_f64());
    }
    let mut batch = f64::INFINITY;
    for _ in 0..repeats {
        let start = Instant::now();
        let p = model.predict_batch(&texts);
        batch = batch.min(start.elapsed().as_secs_f64());
        sink += p[0].confidence;
    }
    let bytes = model.to_bytes();
    let start = Instant::now();
    let loaded = Model::from_bytes(&bytes)?;
    let load_s = start.elapsed().as_secs_f64();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (fa, ff) = model.features();

    println!("train_texts {}", train.len());
    println!("test_texts {}", test.len());
    println!("features {fa}+{ff}");
    println!("temperature {:.4}", model.temperature());
    println!("train_s {train_s:.4}");
    println!("accuracy {:.4}", evaluation.accuracy);
    println!("macro_f1 {:.4}", evaluation.macro_f1);
    println!("texts_per_s_1thread {:.1}", texts.len() as f64 / single);
    println!("texts_per_s_batch {:.1}", texts.len() as f64 / batch);
    println!("threads {threads}");
    println!("model_bytes {}", bytes.len());
    println!("load_s {load_s:.4}");
    std::hint::black_box((sink, loaded));
    println!();
    print!("{evaluation}");
    Ok(())
}
