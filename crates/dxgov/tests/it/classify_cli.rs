//! `dxgov classify train|eval` on real labelled Vietnamese text (the VNTC sample committed with
//! the classify crate: a train file, and a test file none of whose texts is in it).

use std::path::PathBuf;

use crate::harness::TestApp;

fn data(name: &str) -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo")).join("../classify/tests/data").join(name)
}

fn run(args: &[&str]) -> std::process::Output {
    std::process::Command::new(TestApp::bin()).args(args).env_remove("DXGOV_CONFIG").output().expect("run dxgov")
}

#[test]
fn classify_train_then_eval_on_held_out_text_prints_accuracy_macro_f1_and_the_confusion_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.bin");
    let (train, test) = (data("vntc-train.tsv"), data("vntc-test.tsv"));
    // The evaluation file shares no text with the training file.
    let train_text = std::fs::read_to_string(&train).unwrap();
    let test_text = std::fs::read_to_string(&test).unwrap();
    let seen: std::collections::HashSet<&str> = train_text.lines().filter_map(|l| l.split('\t').next()).collect();
    assert!(test_text.lines().all(|l| !seen.contains(l.split('\t').next().unwrap())));

    let out = run(&["classify", "train", "--data", train.to_str().unwrap(), "--model", model.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("trained on 600 examples, 10 labels"), "{stdout}");
    assert!(model.is_file());

    let out = run(&["classify", "eval", "--model", model.to_str().unwrap(), "--data", test.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = String::from_utf8_lossy(&out.stdout);
    let figure = |name: &str| -> f64 {
        let at = report.find(name).unwrap_or_else(|| panic!("no {name} in:\n{report}"));
        report[at + name.len()..].split_whitespace().next().unwrap().parse().unwrap()
    };
    let (accuracy, macro_f1) = (figure("accuracy "), figure("macro-F1 "));
    assert!(accuracy > 0.7 && macro_f1 > 0.7, "{report}");
    assert!(report.contains("examples 300"), "{report}");
    assert!(report.contains("confusion matrix"), "{report}");
    // Ten rows of the matrix, each summing to the 30 test texts of its label.
    let matrix: Vec<&str> = report
        .lines()
        .skip_while(|l| !l.starts_with("confusion matrix"))
        .skip(2)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(matrix.len(), 10, "{report}");
    for row in matrix {
        let counts: usize = row.split_whitespace().rev().take(10).map(|n| n.parse::<usize>().unwrap()).sum();
        assert_eq!(counts, 30, "{row}");
    }
}

#[test]
fn classify_names_the_bad_line_of_a_labelled_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "Đường hỏng\tgiao-thong\nkhông có nhãn\n").unwrap();
    let out =
        run(&["classify", "train", "--data", bad.to_str().unwrap(), "--model", dir.path().join("m").to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(!dir.path().join("m").exists(), "nothing written");
}
