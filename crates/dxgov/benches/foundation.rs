//! Foundation query benchmarks on SQLite with the shipped reference data (~14,150 org units).
//!
//! Run with `cargo bench -p dxgov --bench foundation` (or `scripts/bench.sh`, which runs this and
//! the server-level figures). Prints figures only: nothing here asserts on wall-clock time.
//!
//! - `subtree_of_country`: the whole country's structure valid today (`Services::subtree` on the
//!   root with `as_of = today`).
//! - `subtree_all_history`: every unit ever under the root (`as_of = None`).
//! - `org_search_quang_ngai`: `list_orgs` with the search text "quang ngai" (first page).

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use domain::clock::{Clock, SystemClock};
use domain::org::OrgQuery;
use dxgov::app::App;
use dxgov::config::Config;

fn search_query() -> OrgQuery {
    OrgQuery { q: Some("quang ngai".into()), limit: 50, ..Default::default() }
}

fn foundation(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config { data_dir: dir.path().join("data"), demo: false, ..Default::default() };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let today = clock.today();

    // Setup, timed once for information: migrate + load the reference data.
    let started = Instant::now();
    let app = rt.block_on(App::open(&config, clock, true)).expect("open app with reference data");
    let setup = started.elapsed();
    let services = &app.services;
    let root = rt.block_on(services.root()).expect("root unit");

    let today_rows = rt.block_on(services.subtree(&root, Some(today))).expect("subtree today").len();
    let all_rows = rt.block_on(services.subtree(&root, None)).expect("subtree all").len();
    let search = rt.block_on(services.list_orgs(&search_query())).expect("search");
    println!(
        "foundation: open+migrate+reference load {:.0} ms; subtree of country on {today}: {today_rows} rows; \
         all history: {all_rows} rows; search \"quang ngai\": {} of {} matches",
        setup.as_secs_f64() * 1000.0,
        search.items.len(),
        search.total,
    );

    let mut group = c.benchmark_group("foundation");
    group.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    group.bench_function("subtree_of_country", |b| {
        b.to_async(&rt).iter(|| async { services.subtree(&root, Some(today)).await.expect("subtree today").len() })
    });
    group.bench_function("subtree_all_history", |b| {
        b.to_async(&rt).iter(|| async { services.subtree(&root, None).await.expect("subtree all").len() })
    });
    group.bench_function("org_search_quang_ngai", |b| {
        b.to_async(&rt).iter(|| async { services.list_orgs(&search_query()).await.expect("search").total })
    });
    group.finish();

    drop(app);
    drop(dir);
}

criterion_group!(benches, foundation);
criterion_main!(benches);
