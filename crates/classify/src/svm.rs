//! One-vs-rest linear SVM (L2-regularised squared hinge loss) trained by dual coordinate descent
//! with shrinking, as liblinear does (Hsieh et al., ICML 2008), with a bias feature of value 1.

/// Rows of l2-normalised sparse vectors: row `i` is `indices[offsets[i]..offsets[i + 1]]`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Csr {
    pub offsets: Vec<usize>,
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
}

impl Csr {
    pub fn new() -> Self {
        Csr { offsets: vec![0], indices: Vec::new(), values: Vec::new() }
    }

    pub fn push_row(&mut self, row: impl IntoIterator<Item = (u32, f32)>) {
        for (i, v) in row {
            self.indices.push(i);
            self.values.push(v);
        }
        self.offsets.push(self.indices.len());
    }

    #[inline]
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.offsets[i], self.offsets[i + 1]);
        (&self.indices[a..b], &self.values[a..b])
    }
}

/// SplitMix64: small, fast and the same on every platform (training must be reproducible).
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// How the solver stops.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Solver {
    pub c: f64,
    pub epsilon: f64,
    pub max_epochs: usize,
}

/// A binary classifier: `w · x + b`.
#[derive(Clone, Debug)]
pub(crate) struct Binary {
    pub w: Vec<f64>,
    pub b: f64,
}

/// Trains one binary problem on the rows listed in `rows` (all rows of `x` when `None`);
/// `positive[i]` says whether row i is of the class; `weight[i]` multiplies C for row i.
pub(crate) fn train_binary(
    x: &Csr,
    dim: usize,
    rows: &[u32],
    positive: &[bool],
    weight: &[f64],
    solver: Solver,
    seed: u64,
) -> Binary {
    let l = rows.len();
    let mut w = vec![0f64; dim];
    let mut b = 0f64;
    let mut alpha = vec![0f64; l];
    let y: Vec<f64> = rows.iter().map(|&r| if positive[r as usize] { 1.0 } else { -1.0 }).collect();
    let diag: Vec<f64> = rows.iter().map(|&r| 0.5 / (solver.c * weight[r as usize])).collect();
    let qd: Vec<f64> = rows
        .iter()
        .enumerate()
        .map(|(k, &r)| {
            let (_, v) = x.row(r as usize);
            v.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() + 1.0 + diag[k]
        })
        .collect();
    let mut index: Vec<usize> = (0..l).collect();
    let mut active = l;
    let mut pg_max_old = f64::INFINITY;
    let mut pg_min_old = f64::NEG_INFINITY;
    let mut rng = Rng::new(seed);

    for _ in 0..solver.max_epochs {
        let mut pg_max_new = f64::NEG_INFINITY;
        let mut pg_min_new = f64::INFINITY;
        rng.shuffle(&mut index[..active]);
        let mut s = 0;
        while s < active {
            let k = index[s];
            let (idx, val) = x.row(rows[k] as usize);
            let mut dot = b;
            for (&j, &v) in idx.iter().zip(val) {
                dot += w[j as usize] * f64::from(v);
            }
            let g = y[k] * dot - 1.0 + alpha[k] * diag[k];
            let mut pg = 0.0;
            if alpha[k] == 0.0 {
                if g > pg_max_old {
                    active -= 1;
                    index.swap(s, active);
                    continue;
                } else if g < 0.0 {
                    pg = g;
                }
            } else {
                pg = g;
            }
            pg_max_new = pg_max_new.max(pg);
            pg_min_new = pg_min_new.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[k];
                alpha[k] = (old - g / qd[k]).max(0.0);
                let d = (alpha[k] - old) * y[k];
                for (&j, &v) in idx.iter().zip(val) {
                    w[j as usize] += d * f64::from(v);
                }
                b += d;
            }
            s += 1;
        }
        if pg_max_new - pg_min_new <= solver.epsilon {
            if active == l {
                break;
            }
            active = l;
            pg_max_old = f64::INFINITY;
            pg_min_old = f64::NEG_INFINITY;
            continue;
        }
        pg_max_old = if pg_max_new <= 0.0 { f64::INFINITY } else { pg_max_new };
        pg_min_old = if pg_min_new >= 0.0 { f64::NEG_INFINITY } else { pg_min_new };
    }
    let _ = pg_min_old;
    Binary { w, b }
}

/// Runs `jobs` closures on up to `threads` threads and returns their results in job order
/// (the order, hence the result, does not depend on the number of threads).
pub(crate) fn run_parallel<T: Send>(jobs: usize, threads: usize, job: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = threads.clamp(1, jobs.max(1));
    if threads == 1 {
        return (0..jobs).map(&job).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= jobs {
                            break;
                        }
                        mine.push((i, job(i)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_a_toy_problem() {
        let mut x = Csr::new();
        // class A uses feature 0, class B feature 1; feature 2 is shared noise
        for i in 0..20 {
            let f = if i % 2 == 0 { 0 } else { 1 };
            x.push_row([(f, 0.8), (2, 0.6)]);
        }
        let positive: Vec<bool> = (0..20).map(|i| i % 2 == 0).collect();
        let rows: Vec<u32> = (0..20).collect();
        let m =
            train_binary(&x, 3, &rows, &positive, &[1.0; 20], Solver { c: 1.0, epsilon: 0.01, max_epochs: 1000 }, 7);
        assert!(m.w[0] > 0.5 && m.w[1] < -0.5, "{:?}", m.w);
    }

    #[test]
    fn parallel_keeps_job_order() {
        let v = run_parallel(10, 3, |i| i * i);
        assert_eq!(v, (0..10).map(|i| i * i).collect::<Vec<_>>());
    }
}
