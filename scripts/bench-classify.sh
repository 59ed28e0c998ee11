#!/usr/bin/env bash
# The text classifier benchmark: crates/classify against a scikit-learn baseline, trained and
# tested on the same split in the same run. Prints figures and whether the goals are met; exits
# 0 either way (wall-clock goals are not asserted).
#
#   scripts/bench-classify.sh [DATA_DIR]     # DATA_DIR holds train.tsv and test.tsv
#                                            # (lines text<TAB>label); default ../shared/data/vntc
#                                            # from the repository root
#
# Ours: `cargo run --release -p classify --example bench` (crates/classify/examples/bench.rs):
# Params::default(), training time, accuracy and macro-F1 on test.tsv, texts/s of `predict` one
# text at a time on one thread and of `predict_batch` on all cores.
# Baseline: scripts/bench/classify_baseline.py, TfidfVectorizer (syllable unigrams + bigrams,
# sublinear tf) + LinearSVC; texts/s of `pipeline.predict` over the test texts (transform +
# predict, as it would serve; single-threaded). It runs in a virtualenv at
# ${BENCH_VENV:-$HOME/.cache/dxgov-bench-venv} filled with the pinned packages of
# scripts/bench/requirements.txt, rebuilt only when that file changes.
#
# Goals (2 cores): our texts/s ≥ 10 × the baseline's; our macro-F1 ≥ the baseline's.
# Environment: REPEATS (5) throughput runs, the best counts.
set -euo pipefail

data=${1:-}
if [ -n "$data" ]; then
  data=$(cd "$data" && pwd)
fi
cd "$(dirname "$0")/.."
ROOT=$PWD
data=${data:-$ROOT/../shared/data/vntc}
REPEATS=${REPEATS:-5}

log() { printf '%s\n' "$*" >&2; }

for f in train.tsv test.tsv; do
  [ -f "$data/$f" ] || { log "no $data/$f"; exit 1; }
done
data=$(cd "$data" && pwd)

# --- the baseline's virtualenv -------------------------------------------------------------------
requirements=$ROOT/scripts/bench/requirements.txt
venv=${BENCH_VENV:-$HOME/.cache/dxgov-bench-venv}
python=$venv/bin/python
stamp=$venv/.dxgov-requirements.sha256
want=$(sha256sum "$requirements" | cut -d' ' -f1)
ready() { [[ -x "$python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && "$python" -c '' 2>/dev/null; }
if ! ready; then
  mkdir -p "$(dirname "$venv")"
  exec 9>"$venv.lock"
  flock 9
  if ! ready; then
    if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
      log "bench-classify: installing python3-venv"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
    fi
    log "bench-classify: making $venv with scripts/bench/requirements.txt"
    rm -f "$stamp"
    python3 -m venv --clear "$venv"
    PIP_REQUIRE_VIRTUALENV=1 "$python" -m pip --disable-pip-version-check --no-input --quiet install --no-deps -r "$requirements"
    "$python" -m pip --disable-pip-version-check check >&2
    "$python" -c 'import sklearn, numpy, scipy'
    echo "$want" >"$stamp"
  fi
  exec 9>&-
fi

# --- runs -----------------------------------------------------------------------------------------
log "building: cargo build --release -p classify --example bench"
cargo build --release -p classify --example bench >&2
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
ours_out=$(mktemp)
base_out=$(mktemp)
trap 'rm -f "$ours_out" "$base_out"' EXIT

log "running ours on $data"
"$TARGET_DIR/release/examples/bench" "$data" "$REPEATS" >"$ours_out"
log "running the scikit-learn baseline on $data"
"$python" "$ROOT/scripts/bench/classify_baseline.py" "$data" "$REPEATS" >"$base_out"

get() { awk -v k="$2" '$1 == k { print $2; exit }' "$1"; }

o_train=$(get "$ours_out" train_s)
o_acc=$(get "$ours_out" accuracy)
o_f1=$(get "$ours_out" macro_f1)
o_tps1=$(get "$ours_out" texts_per_s_1thread)
o_tpsb=$(get "$ours_out" texts_per_s_batch)
b_train=$(get "$base_out" train_s)
b_acc=$(get "$base_out" accuracy)
b_f1=$(get "$base_out" macro_f1)
b_tps=$(get "$base_out" texts_per_s)

echo "Text classifier benchmark — $(nproc) cores, $(get "$ours_out" train_texts) train / $(get "$ours_out" test_texts) test texts from $data"
echo "ours: crates/classify Params::default() ($(get "$ours_out" features) features, model $(get "$ours_out" model_bytes) bytes)"
echo "baseline: scikit-learn $(get "$base_out" sklearn | tr -d '\n') TfidfVectorizer(1-2 grams, sublinear_tf) + LinearSVC ($(get "$base_out" features) features)"
echo
printf '%-34s %14s %14s\n' "" "ours" "baseline"
printf '%-34s %14s %14s\n' "training time (s)" "$o_train" "$b_train"
printf '%-34s %14s %14s\n' "accuracy" "$o_acc" "$b_acc"
printf '%-34s %14s %14s\n' "macro-F1" "$o_f1" "$b_f1"
printf '%-34s %14s %14s\n' "texts/s, 1 thread" "$o_tps1" "$b_tps"
printf '%-34s %14s %14s\n' "texts/s, batch on all cores" "$o_tpsb" "-"
echo
awk -v o1="$o_tps1" -v ob="$o_tpsb" -v b="$b_tps" -v of="$o_f1" -v bf="$b_f1" -v ot="$o_train" -v bt="$b_train" 'BEGIN {
  r1 = o1 / b; rb = ob / b; d = of - bf
  printf "throughput ratio (ours ÷ baseline): %.1f× on 1 thread, %.1f× batch   goal ≥ 10×: %s\n", r1, rb, (r1 >= 10 ? "met" : "NOT met")
  printf "macro-F1 difference (ours − baseline): %+.4f   goal ≥ 0: %s\n", d, (d >= 0 ? "met" : "NOT met")
  printf "training time ratio (baseline ÷ ours): %.1f×\n", bt / ot
}'
echo
echo "our evaluation on test.tsv:"
awk 'f { print } /^$/ { f = 1 }' "$ours_out"
