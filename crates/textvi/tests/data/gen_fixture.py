"""Regenerates segment.tsv from sentences.txt with the real underthesea.

Run once by hand (CI does not have underthesea):

    python3 -m venv /tmp/uts-venv
    /tmp/uts-venv/bin/pip install underthesea==9.5.0 underthesea-core==3.3.2
    /tmp/uts-venv/bin/python crates/textvi/tests/data/gen_fixture.py

Output, one line a sentence, fields separated by a TAB:
    segment.tsv:  sentence, then the words of underthesea's word_tokenize (syllables joined by a space)
    tokenize.tsv: sentence, then the tokens of underthesea's regex tokenizer (after token normalisation)
"""

from pathlib import Path

from underthesea import word_tokenize
from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize

here = Path(__file__).parent
sentences = [line for line in (here / "sentences.txt").read_text(encoding="utf-8").split("\n") if line.strip()]
with open(here / "segment.tsv", "w", encoding="utf-8") as seg, open(here / "tokenize.tsv", "w", encoding="utf-8") as tok:
    for s in sentences:
        assert "\t" not in s
        words = word_tokenize(s)
        tokens = tokenize(s)
        assert all("\t" not in w for w in words + tokens)
        seg.write("\t".join([s] + words) + "\n")
        tok.write("\t".join([s] + tokens) + "\n")
print(len(sentences), "sentences")
