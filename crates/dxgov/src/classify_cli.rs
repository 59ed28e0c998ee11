//! `dxgov classify train|eval`: the feedback classifier on labelled files (`text<TAB>label` a
//! line), outside any database — to try the model on a deployment's own data, or to measure it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum ClassifyCommand {
    /// Train a model on a labelled file and save it.
    Train {
        /// Lines `text<TAB>label`.
        #[arg(long)]
        data: PathBuf,
        /// Where to write the model.
        #[arg(long)]
        model: PathBuf,
    },
    /// Evaluate a saved model on a labelled file: accuracy, macro-F1, per label, confusion matrix.
    Eval {
        #[arg(long)]
        model: PathBuf,
        /// Lines `text<TAB>label`, none of them used in training.
        #[arg(long)]
        data: PathBuf,
    },
}

fn read(path: &Path) -> anyhow::Result<Vec<classify::Example>> {
    let file = std::fs::File::open(path).with_context(|| format!("không mở được {}", path.display()))?;
    classify::read_tsv(std::io::BufReader::new(file)).with_context(|| format!("tệp {} có lỗi", path.display()))
}

pub fn run(command: ClassifyCommand) -> anyhow::Result<()> {
    match command {
        ClassifyCommand::Train { data, model } => {
            let examples = read(&data)?;
            let started = Instant::now();
            let trained = classify::Model::train(&[], &examples, &classify::Params::default())
                .context("không huấn luyện được")?;
            let seconds = started.elapsed().as_secs_f64();
            trained.save(&model).with_context(|| format!("không ghi được {}", model.display()))?;
            println!(
                "trained on {} examples, {} labels in {seconds:.2} s; model written to {}",
                examples.len(),
                trained.labels().len(),
                model.display()
            );
        }
        ClassifyCommand::Eval { model, data } => {
            let loaded =
                classify::Model::load(&model).with_context(|| format!("không đọc được mô hình {}", model.display()))?;
            let examples = read(&data)?;
            let started = Instant::now();
            let evaluation = classify::evaluate(&loaded, &examples);
            let seconds = started.elapsed().as_secs_f64().max(1e-9);
            print!("{evaluation}");
            println!(
                "classified {} texts in {seconds:.3} s ({:.0} texts/s)",
                examples.len(),
                examples.len() as f64 / seconds
            );
        }
    }
    Ok(())
}
