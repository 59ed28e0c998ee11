//! `TestApp`: the real application on port 0 over a fresh database.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use domain::Services;
use domain::auth::Role;
use domain::clock::{Clock, ManualClock, SystemClock};
use dxgov::app::App;
use dxgov::config::Config;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const PASSWORD: &str = "Mat-khau-thu-nghiem-2026";

pub struct TestApp {
    pub addr: SocketAddr,
    pub config: Config,
    pub app: App,
    pub dir: Arc<tempfile::TempDir>,
    /// The server's clock: the system clock, or a [`ManualClock`] for tests that move time.
    pub clock: Arc<dyn Clock>,
    pub manual_clock: Option<Arc<ManualClock>>,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<()>>,
}

/// Which backend the suite runs on: PostgreSQL when `TEST_DATABASE_URL` is set.
pub fn test_config(dir: &std::path::Path) -> Config {
    let mut config = Config {
        data_dir: dir.join("data"),
        login_per_minute: 0,
        feedback_per_minute: 0,
        demo: false,
        max_connections: 5,
        ..Config::default()
    };
    if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
        config.database_url = Some(url);
        config.database_schema = Some(format!("t_{}", hex_id()));
    }
    config
}

pub fn hex_id() -> String {
    (0..12).map(|_| char::from_digit(rand::random_range(0..16u32), 16).unwrap_or('0')).collect()
}

impl TestApp {
    /// A server on a fresh database with the reference data loaded and the standard fixtures.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_full(adjust, None).await
    }

    /// A server whose clock starts at `at` and moves only when the test moves it.
    pub async fn spawn_at(at: chrono::DateTime<chrono::Utc>) -> Self {
        Self::spawn_full(|_| {}, Some(Arc::new(ManualClock::new(at)))).await
    }

    /// `spawn_at` with a configuration change (an SMTP server, …).
    #[allow(dead_code)] // not every test module uses every constructor
    pub async fn spawn_at_with(at: chrono::DateTime<chrono::Utc>, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_full(adjust, Some(Arc::new(ManualClock::new(at)))).await
    }

    async fn spawn_full(adjust: impl FnOnce(&mut Config), manual: Option<Arc<ManualClock>>) -> Self {
        let dir = Arc::new(tempfile::tempdir().expect("tempdir"));
        let mut config = test_config(dir.path());
        adjust(&mut config);
        let clock: Arc<dyn Clock> = match &manual {
            Some(m) => m.clone(),
            None => Arc::new(SystemClock),
        };
        let app = App::open(&config, clock.clone(), true).await.expect("open app");
        fixtures(&app.services).await;
        Self::start(app, config, dir, clock, manual).await
    }

    /// Moves the manual clock forward.
    #[allow(dead_code)] // used by the reminder tests
    pub fn advance(&self, by: chrono::Duration) {
        self.manual_clock.as_ref().expect("spawned with spawn_at").advance(by);
    }

    async fn start(
        app: App,
        config: Config,
        dir: Arc<tempfile::TempDir>,
        clock: Arc<dyn Clock>,
        manual_clock: Option<Arc<ManualClock>>,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = app.web_state(&config, Some(metrics_handle()));
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            let _ = web::serve(listener, state, async {
                let _ = rx.await;
            })
            .await;
        });
        TestApp { addr, config, app, dir, clock, manual_clock, shutdown: Some(tx), handle: Some(handle) }
    }

    /// A second app node on the same database, as behind a load balancer.
    pub async fn another_node(&self) -> TestApp {
        let app = App::open(&self.config, self.clock.clone(), true).await.expect("open node");
        Self::start(app, self.config.clone(), self.dir.clone(), self.clock.clone(), self.manual_clock.clone()).await
    }

    /// Stops the server and starts a new one (new process state) on the same database.
    pub async fn restart(mut self) -> Self {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
        let config = self.config.clone();
        let dir = self.dir.clone();
        let (clock, manual) = (self.clock.clone(), self.manual_clock.clone());
        let app = App::open(&config, clock.clone(), true).await.expect("reopen app");
        Self::start(app, config, dir, clock, manual).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn services(&self) -> &Services {
        &self.app.services
    }

    /// A browser-like client: cookies kept, redirects not followed (tests look at them).
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Signs in through the login form; returns the client and the session's CSRF token.
    pub async fn sign_in(&self, username: &str, password: &str) -> (reqwest::Client, String) {
        let client = self.client();
        let csrf = self.csrf_of(&client, "/login").await;
        let res = client
            .post(self.url("/login"))
            .form(&[("csrf", csrf.as_str()), ("username", username), ("password", password), ("next", "/")])
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), 303, "login of {username} failed");
        let csrf = self.csrf_of(&client, "/account").await;
        (client, csrf)
    }

    /// Posts a form as a signed-in browser would: the session's CSRF token plus `fields`.
    pub async fn post_form(
        &self,
        client: &reqwest::Client,
        csrf: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form = vec![("csrf", csrf)];
        form.extend_from_slice(fields);
        client.post(self.url(path)).form(&form).send().await.expect("post form")
    }

    /// The CSRF token in the page at `path`.
    pub async fn csrf_of(&self, client: &reqwest::Client, path: &str) -> String {
        let html = client.get(self.url(path)).send().await.expect("get").text().await.expect("body");
        csrf_in(&html).unwrap_or_else(|| panic!("no csrf field in {path}: {html}"))
    }

    /// A bearer token for the API.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let res = reqwest::Client::new()
            .post(self.url("/api/v1/auth/token"))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("token");
        assert_eq!(res.status(), 200, "token for {username}");
        let v: serde_json::Value = res.json().await.expect("json");
        v["token"].as_str().expect("token field").to_string()
    }

    /// Calls the API with a bearer token; the status and the JSON body (Null when empty).
    pub async fn api(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let mut req = reqwest::Client::new().request(method, self.url(path)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("api call");
        let status = res.status();
        let text = res.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
    }

    /// GET an API path with a bearer token; the JSON body.
    pub async fn get_json(&self, token: &str, path: &str) -> serde_json::Value {
        let res = reqwest::Client::new().get(self.url(path)).bearer_auth(token).send().await.expect("get");
        res.json().await.expect("json body")
    }

    pub fn bin() -> PathBuf {
        PathBuf::from(env!("CARGO_BIN_EXE_dxgov"))
    }

    /// Runs the `dxgov` binary against this app's database.
    pub fn command(&self, args: &[&str]) -> std::process::Output {
        run_dxgov(&self.config, args)
    }
}

/// Runs the `dxgov` binary with `config`'s database settings in its environment.
pub fn run_dxgov(config: &Config, args: &[&str]) -> std::process::Output {
    let mut cmd = std::process::Command::new(TestApp::bin());
    cmd.args(args).env_remove("DXGOV_CONFIG").env("DXGOV_DATA_DIR", &config.data_dir);
    cmd.env("DXGOV_DATABASE_URL", config.database_url());
    if let Some(s) = &config.database_schema {
        cmd.env("DXGOV_DATABASE_SCHEMA", s);
    }
    cmd.output().expect("run dxgov")
}

/// One Prometheus recorder for the whole test process (the `metrics` facade is global).
fn metrics_handle() -> metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: std::sync::OnceLock<metrics_exporter_prometheus::PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder().expect("recorder"))
        .clone()
}

pub fn csrf_in(html: &str) -> Option<String> {
    let re = regex::Regex::new(r#"name="csrf" value="([0-9a-f]+)""#).ok()?;
    re.captures(html).map(|c| c[1].to_string())
}

/// Standard people: province A is Quảng Ngãi (51), province B is Hà Nội (01).
pub async fn fixtures(s: &Services) {
    s.seed_internal_unit("51", "51.SKHCN", "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi").await.expect("unit A");
    s.seed_internal_unit("01", "01.SKHCN", "Sở Khoa học và Công nghệ thành phố Hà Nội").await.expect("unit B");
    let people: [(&str, &str, &str, Role, &str); 6] = [
        ("root.admin", "Quản trị Trung ương", "VN", Role::Admin, "VN"),
        ("a.admin", "Quản trị Quảng Ngãi", "51.SKHCN", Role::Admin, "51"),
        ("a.officer", "Chuyên viên Quảng Ngãi", "51.SKHCN", Role::Officer, "51.SKHCN"),
        ("a.auditor", "Thanh tra Quảng Ngãi", "51", Role::Auditor, "51"),
        ("b.admin", "Quản trị Hà Nội", "01.SKHCN", Role::Admin, "01"),
        ("b.officer", "Chuyên viên Hà Nội", "01.SKHCN", Role::Officer, "01.SKHCN"),
    ];
    for (u, name, org, role, grant_org) in people {
        s.seed_user(u, name, org, role, grant_org, PASSWORD).await.expect("seed user");
    }
}
