"""Converts underthesea's word-segmentation model files into the files embedded by textvi.

Run once by hand, from the repository root, with the wheel (PyPI underthesea==9.5.0) and
joblib installed (`pip install underthesea==9.5.0` brings joblib):

    pip download --no-deps underthesea==9.5.0 -d /tmp/uts
    (cd /tmp/uts && unzip -q -o underthesea-9.5.0-py3-none-any.whl)
    cargo new -q /tmp/swprobe && (cd /tmp/swprobe && cargo add -q stop-words@0.10.1 && cargo fetch -q)
    python3 crates/textvi/data/convert.py /tmp/uts ~/.cargo/registry/src/*/stop-words-0.10.1

(see data/README.md for the full steps).

The first argument is the folder holding the unpacked wheel; the second the unpacked
crate stop-words 0.10.1 (crates.io), whose src/iso/stopwords-iso.json holds the Stopwords ISO lists.
"""

import json
import shutil
import sys
import unicodedata
from pathlib import Path

import joblib

wheel = Path(sys.argv[1])
stop_words_crate = Path(sys.argv[2])
out = Path(__file__).parent
model_dir = wheel / "underthesea/pipeline/word_tokenize/models/ws_crf_vlsp2013_20230727"

# 1. The CRF model: already a CRFsuite file (magic "lCRF"), which crfs reads as it is.
model = (model_dir / "models.bin").read_bytes()
assert model[:4] == b"lCRF", "models.bin is not a CRFsuite model"
shutil.copyfile(model_dir / "models.bin", out / "ws_crf_vlsp2013_20230727.crfsuite")

# 2. The feature templates (a pickled list of str), one a line.
features = joblib.load(model_dir / "features.bin")
assert all(isinstance(f, str) and "\n" not in f for f in features)
(out / "features.txt").write_text("".join(f + "\n" for f in features), encoding="utf-8")


# 3. The dictionary (a pickled set of lower-case str) behind the is_in_dict features.
# The featurizer looks up tokens joined by single spaces; a token is never empty, never
# begins or ends with white space and never holds two white-space characters in a row (the
# one pattern that takes white space, "Th.S", takes one, in the middle), so an entry with a
# leading, trailing or doubled space can never match: those (34 of 72,547) are left out,
# which changes no feature.
def can_match(word):
    return word != "" and word == " ".join(word.split(" ")) and all(p and not any(c.isspace() for c in p) for p in word.split(" "))


dictionary = joblib.load(model_dir / "dictionary.bin")
kept = sorted(w for w in dictionary if can_match(w))
print(f"dictionary: {len(dictionary)} entries, {len(kept)} kept")
(out / "dictionary.txt").write_text("".join(w + "\n" for w in kept), encoding="utf-8")

# 4. The token normalisation rules used by the regex tokenizer (token_normalize).
rules = joblib.load(wheel / "underthesea/pipeline/text_normalize/tn_rules_2023_07_14.bin")
assert rules["character"] == {"ð": "đ", "Ð": "Đ"}, "character map changed: update lib.rs"
token_map = rules["token"]
assert all("\t" not in k + v and "\n" not in k + v for k, v in token_map.items())
(out / "token_map.tsv").write_text("".join(f"{k}\t{v}\n" for k, v in sorted(token_map.items())), encoding="utf-8")
print(f"token map: {len(token_map)} entries")

# 5. Stopwords: the Vietnamese list of Stopwords ISO, as shipped in the crate stop-words 0.10.1.
iso = json.loads((stop_words_crate / "src/iso/stopwords-iso.json").read_text(encoding="utf-8"))
stop = sorted({unicodedata.normalize("NFC", w).strip().lower() for w in iso["vi"] if w.strip()})
(out / "stopwords_vi.txt").write_text("".join(w + "\n" for w in stop), encoding="utf-8")
print(f"stopwords: {len(stop)}")
