//! A real browser (Debian's chromium through chromedriver, phone-sized window) walks the first
//! login of a generated admin: forced password change, the org tree, search without diacritics,
//! a province's page after the 2025 merger, sign-out. Plus a browser-free check that the pages
//! stay light.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (`scripts/browser-deps.sh`); with
//! `DXGOV_SKIP_BROWSER=1` the browser test is skipped when they are missing.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::harness::{PASSWORD, TestApp};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// A phone screen (CSS pixels), so the mobile layout is what gets exercised.
const WIDTH: u32 = 412;
const HEIGHT: u32 = 915;
const WAIT: Duration = Duration::from_secs(20);
const NEW_PASSWORD: &str = "Mat-khau-moi-2026!";
const SCREENSHOT: &str = "/tmp/dxgov-org.png";

/// chromedriver (and the chromium it starts) as children of this test, in their own process
/// group so that dropping the guard — also while unwinding from a failed assertion — ends all
/// of them, then removes the browser profile.
pub(crate) struct Driver {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Driver {
    /// Starts chromedriver on a free loopback port and waits until it accepts connections.
    pub(crate) async fn start() -> Driver {
        let dir = tempfile::tempdir().expect("tempdir for the browser");
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", dir.path().join("chromedriver.log").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
        let mut driver = Driver { child, port, dir };
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + WAIT;
        loop {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                break;
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver exited before accepting connections ({status}); log:\n{}", driver.log_tail());
            }
            assert!(Instant::now() < deadline, "chromedriver not listening on {addr} after {WAIT:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        driver
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(crate) fn profile_dir(&self) -> PathBuf {
        self.dir.path().join("profile")
    }

    /// A new headless chromium session with a fresh profile and a phone-sized window.
    pub(crate) async fn browser(&self) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-quic",
                    format!("--window-size={WIDTH},{HEIGHT}"),
                    format!("--user-data-dir={}", self.profile_dir().display()),
                ],
                // Headless windows are at least 500px wide: emulate the phone's viewport.
                "mobileEmulation": {
                    "deviceMetrics": { "width": WIDTH, "height": HEIGHT, "pixelRatio": 1.0, "touch": true, "mobile": true },
                },
            }),
        );
        // fantoccini's rustls connector needs rustls's process-wide CryptoProvider, and this
        // binary links both providers (ring via reqwest, aws-lc-rs via fantoccini's
        // hyper-rustls), so rustls cannot choose one by itself: pick ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        ClientBuilder::rustls()
            .expect("rustls connector")
            .capabilities(caps)
            .connect(&self.url())
            .await
            .unwrap_or_else(|e| panic!("cannot open a chromium session: {e}; chromedriver log:\n{}", self.log_tail()))
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("chromedriver.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- chromedriver log (last lines) ---\n{}", self.log_tail());
        }
        // The whole group: chromedriver and the browser processes it started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

/// Whether the browser test can run; `false` means skip it (only with `DXGOV_SKIP_BROWSER=1`).
pub(crate) fn browser_available() -> bool {
    if Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists() {
        return true;
    }
    if std::env::var("DXGOV_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        println!("browser test skipped: {CHROMIUM} or {CHROMEDRIVER} missing and DXGOV_SKIP_BROWSER=1");
        return false;
    }
    panic!(
        "{CHROMIUM} and {CHROMEDRIVER} are needed for the browser test: run scripts/browser-deps.sh \
         (or set DXGOV_SKIP_BROWSER=1 to skip it)"
    );
}

/// An XPath string literal for `s` (none of the texts used here contain a quote).
fn xpath_text(s: &str) -> String {
    assert!(!s.contains('\''), "quote in {s}");
    format!("'{s}'")
}

/// Waits until the page's `h1` reads `text`: the page we navigated to has rendered.
pub(crate) async fn wait_h1(c: &Client, text: &str) -> Element {
    let xpath = format!("//h1[normalize-space()={}]", xpath_text(text));
    match c.wait().at_most(WAIT).for_element(Locator::XPath(&xpath)).await {
        Ok(e) => e,
        Err(e) => {
            let url = c.current_url().await.map(|u| u.to_string()).unwrap_or_default();
            let h1 = match c.find(Locator::Css("h1")).await {
                Ok(h) => h.text().await.unwrap_or_default(),
                Err(_) => "(none)".into(),
            };
            panic!("no h1 “{text}” at {url} (h1 is “{h1}”): {e}");
        }
    }
}

pub(crate) async fn path_of(c: &Client) -> String {
    c.current_url().await.expect("current url").path().to_string()
}

pub(crate) async fn fill(c: &Client, css: &str, value: &str) {
    let field =
        c.wait().at_most(WAIT).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no field {css}: {e}"));
    field.clear().await.expect("clear field");
    field.send_keys(value).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

pub(crate) async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Texts of the links in the card whose `h2` is `heading`.
async fn section_links(c: &Client, heading: &str) -> Vec<String> {
    let xpath = format!("//section[h2[normalize-space()={}]]//a", xpath_text(heading));
    let mut out = Vec::new();
    for a in c.find_all(Locator::XPath(&xpath)).await.expect("section links") {
        out.push(a.text().await.expect("link text").trim().to_string());
    }
    out
}

/// How wide the document is against the viewport: a phone layout must not scroll sideways.
async fn widths(c: &Client) -> (u64, u64) {
    let v = c
        .execute("return [document.documentElement.scrollWidth, window.innerWidth];", vec![])
        .await
        .expect("measure page");
    (v[0].as_u64().unwrap_or(0), v[1].as_u64().unwrap_or(0))
}

pub(crate) async fn assert_fits(c: &Client, page: &str) {
    let (scroll, inner) = widths(c).await;
    println!("{page}: document {scroll}px wide in a {inner}px viewport");
    assert!(inner <= u64::from(WIDTH) && inner > 0, "{page}: viewport {inner}px, expected a phone-sized one");
    assert!(scroll <= inner, "{page}: the page scrolls sideways on a phone ({scroll}px > {inner}px)");
}

#[tokio::test]
async fn first_login_change_password_browse_and_search() {
    if !browser_available() {
        return;
    }
    let app = TestApp::spawn().await;
    let generated = app
        .services()
        .ensure_admin("quantri", None)
        .await
        .expect("ensure_admin")
        .expect("a generated password for a new admin");

    let driver = Driver::start().await;
    let c = driver.browser().await;

    // Not signed in: the home page sends us to the login form.
    c.goto(&app.url("/")).await.expect("open /");
    wait_h1(&c, "Đăng nhập").await;
    assert_eq!(path_of(&c).await, "/login");
    assert_fits(&c, "/login").await;

    // First login with the generated password: straight to the forced password change.
    fill(&c, "input[name=username]", "quantri").await;
    fill(&c, "input[name=password]", &generated).await;
    click(&c, "main form button[type=submit]").await;
    wait_h1(&c, "Đổi mật khẩu").await;
    assert_eq!(path_of(&c).await, "/account/password");
    let forced = c.find(Locator::Css("main p.notice")).await.expect("forced-change notice").text().await.expect("text");
    assert!(forced.contains("bạn cần đặt mật khẩu mới"), "notice: {forced}");
    assert_fits(&c, "/account/password").await;

    // Anything else still leads back here until the password is changed.
    c.goto(&app.url("/orgs")).await.expect("open /orgs");
    wait_h1(&c, "Đổi mật khẩu").await;
    assert_eq!(path_of(&c).await, "/account/password");

    fill(&c, "input[name=current_password]", &generated).await;
    fill(&c, "input[name=new_password]", NEW_PASSWORD).await;
    fill(&c, "input[name=confirm_password]", NEW_PASSWORD).await;
    click(&c, "main form button[type=submit]").await;
    wait_h1(&c, "Tài khoản của tôi").await;
    assert_eq!(path_of(&c).await, "/account");
    let notice = c.find(Locator::Css("main p.notice[role=status]")).await.expect("notice").text().await.expect("text");
    assert_eq!(notice.trim(), "Đã đổi mật khẩu.");
    assert_fits(&c, "/account").await;

    // The org tree, from the navigation bar.
    c.find(Locator::XPath("//header/nav/a[normalize-space()='Đơn vị']"))
        .await
        .expect("nav link Đơn vị")
        .click()
        .await
        .expect("click Đơn vị");
    wait_h1(&c, "Cây đơn vị").await;
    assert_eq!(path_of(&c).await, "/orgs");
    assert_fits(&c, "/orgs").await;

    // Search without diacritics.
    fill(&c, "form.search input[name=q]", "quang ngai").await;
    click(&c, "form.search button[type=submit]").await;
    let heading = "//h2[starts-with(normalize-space(), 'Kết quả tìm kiếm')]";
    c.wait().at_most(WAIT).for_element(Locator::XPath(heading)).await.expect("search results heading");
    let url = c.current_url().await.expect("url");
    assert_eq!(url.path(), "/orgs");
    assert!(url.query().unwrap_or_default().contains("q=quang+ngai"), "search url {url}");
    let mut found = Vec::new();
    let mut province = None;
    for a in c.find_all(Locator::Css("table.units tbody a")).await.expect("result links") {
        let text = a.text().await.expect("text").trim().to_string();
        if text == "Tỉnh Quảng Ngãi" && province.is_none() {
            province = Some(a.clone());
        }
        found.push(text);
    }
    println!("search “quang ngai”: {found:?}");
    let province = province.unwrap_or_else(|| panic!("no “Tỉnh Quảng Ngãi” among the results {found:?}"));
    assert_eq!(province.attr("href").await.expect("href").as_deref(), Some("/orgs/51"));
    province.click().await.expect("click Tỉnh Quảng Ngãi");

    // The province after the 1 July 2025 merger: its communes, and where it came from.
    wait_h1(&c, "Tỉnh Quảng Ngãi").await;
    assert_eq!(path_of(&c).await, "/orgs/51");
    let children = c
        .find_all(Locator::XPath("//section[h2[starts-with(normalize-space(), 'Đơn vị trực thuộc')]]//table/tbody/tr"))
        .await
        .expect("children rows");
    assert!(!children.is_empty(), "Tỉnh Quảng Ngãi lists no communes");
    let first = children[0].text().await.expect("row text");
    println!("/orgs/51: {} child rows shown, first: {first}", children.len());
    let predecessors = section_links(&c, "Hình thành từ").await;
    println!("/orgs/51 formed from: {predecessors:?}");
    assert!(predecessors.iter().any(|p| p == "Tỉnh Kon Tum"), "Kon Tum not among the predecessors {predecessors:?}");
    assert_fits(&c, "/orgs/51").await;
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(SCREENSHOT, &png).expect("write screenshot");
    println!("screenshot of /orgs/51 ({} bytes) in {SCREENSHOT}", png.len());

    // Sign out from the navigation bar; the home page asks for a login again.
    c.find(Locator::XPath("//header/nav//button[normalize-space()='Đăng xuất']"))
        .await
        .expect("logout button")
        .click()
        .await
        .expect("click Đăng xuất");
    wait_h1(&c, "Đăng nhập").await;
    assert_eq!(path_of(&c).await, "/login");
    c.goto(&app.url("/")).await.expect("open / again");
    wait_h1(&c, "Đăng nhập").await;
    assert_eq!(path_of(&c).await, "/login");
    // Only the public links remain (send and follow feedback, sign in): no officer's menu.
    assert!(
        c.find_all(Locator::Css("header nav a[href='/plans'], header nav button")).await.expect("nav").is_empty(),
        "the signed-in navigation shown after sign-out"
    );
    assert!(!c.find_all(Locator::Css("header nav a[href='/phan-anh']")).await.expect("nav").is_empty());

    c.close().await.expect("close the browser session");
    drop(driver);
}

#[tokio::test]
async fn pages_are_light() {
    const LIMIT: usize = 100 * 1024;
    let app = TestApp::spawn().await;
    let (client, _csrf) = app.sign_in("a.admin", PASSWORD).await;
    let get = |path: &'static str| {
        let client = client.clone();
        let url = app.url(path);
        async move {
            let res = client.get(url).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
            assert_eq!(res.status(), 200, "GET {path}");
            res.bytes().await.unwrap_or_else(|e| panic!("body of {path}: {e}")).len()
        }
    };
    let css = get("/static/app.css").await;
    println!("/static/app.css: {css} bytes");
    for path in
        ["/", "/orgs", "/orgs/51", "/users", "/account", "/login", "/phan-anh", "/phan-anh/tra-cuu", "/feedback"]
    {
        let html = get(path).await;
        println!("{path}: {html} bytes + css {css} = {} bytes", html + css);
        assert!(html + css < LIMIT, "{path}: {html} bytes of HTML + {css} of CSS is over {LIMIT}");
    }
}
