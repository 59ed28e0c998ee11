"""scikit-learn baseline for the text classifier benchmark (scripts/bench-classify.sh).

TF-IDF over word (syllable) unigrams + bigrams with sublinear tf and l2 norm, then a one-vs-rest
linear SVM (LinearSVC, liblinear), trained on DATA_DIR/train.tsv and tested on DATA_DIR/test.tsv
(lines `text<TAB>label`). Prints `key value` lines read by the script:
training time, accuracy, macro-F1 and the throughput of `pipeline.predict` over the test texts
(transform + predict, as it would serve), best of a few repetitions.

    python classify_baseline.py DATA_DIR [REPEATS]
"""

import sys
import time
import unicodedata

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC


def read_tsv(path):
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n").rstrip("\r")
            if not line:
                continue
            text, label = line.rsplit("\t", 1)
            texts.append(text)
            labels.append(label)
    return texts, labels


def nfc_lower(text):
    return unicodedata.normalize("NFC", text).lower()


def main():
    data_dir = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    train_x, train_y = read_tsv(f"{data_dir}/train.tsv")
    test_x, test_y = read_tsv(f"{data_dir}/test.tsv")

    pipeline = make_pipeline(
        TfidfVectorizer(
            preprocessor=nfc_lower,
            # every run of word characters is a token: Vietnamese syllables are often 1–2 letters
            token_pattern=r"(?u)\b\w+\b",
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=1,
        ),
        LinearSVC(C=1.0),
    )
    start = time.perf_counter()
    pipeline.fit(train_x, train_y)
    train_s = time.perf_counter() - start

    predicted = pipeline.predict(test_x)
    accuracy = accuracy_score(test_y, predicted)
    macro_f1 = f1_score(test_y, predicted, average="macro")

    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        pipeline.predict(test_x)
        best = min(best, time.perf_counter() - start)

    import sklearn

    print(f"sklearn {sklearn.__version__}")
    print(f"train_texts {len(train_x)}")
    print(f"test_texts {len(test_x)}")
    print(f"features {len(pipeline[0].vocabulary_)}")
    print(f"train_s {train_s:.4f}")
    print(f"accuracy {accuracy:.4f}")
    print(f"macro_f1 {macro_f1:.4f}")
    print(f"texts_per_s {len(test_x) / best:.1f}")


if __name__ == "__main__":
    main()
