//! Outgoing e-mail: plain-text UTF-8 mails through an SMTP server named by one URL.
//!
//! The URL says how to reach the server and how the connection is protected:
//!
//! | URL | connection |
//! | --- | --- |
//! | `smtp://host:port` | plain, no TLS (port 25 by default) — for a relay on loopback or a test receiver |
//! | `smtp://host:port?tls=starttls` (or `?tls=required`) | STARTTLS, required (port 587 by default) |
//! | `smtps://host:port` | implicit TLS from the first byte (port 465 by default) |
//!
//! `user:password@` before the host logs in (percent-encode `@`, `:` and `/` inside them).
//! A password is only ever sent over TLS, or in plain text to a server on loopback.
//!
//! Every mail gets `Date` and `Message-ID`; the subject is RFC 2047 encoded and the body
//! quoted-printable or base64 encoded by lettre as its content needs. Connecting, each command
//! and the whole send are bounded by [`TIMEOUT`].

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use url::Url;

/// The bound on connecting to the server, on each SMTP command, and on one whole send.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Where and as whom outgoing mail is sent (the configuration's `smtp_url` and `mail_from`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// `smtp://host:port`, `smtps://host:port`, or `smtp://user:pass@host:port?tls=required`.
    pub url: String,
    /// The `From` of every mail, e.g. `dxgov <no-reply@dxgov.local>`.
    pub from: String,
}

/// One plain-text mail to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// `someone@example.vn` or `Nguyễn Văn A <someone@example.vn>`.
    pub to: String,
    /// One line; line breaks and other control characters become spaces.
    pub subject: String,
    /// The body, UTF-8 plain text.
    pub text: String,
}

/// Why a mail could not be sent. `Display` gives the Vietnamese sentence followed by the English
/// key in brackets, e.g. `URL máy chủ thư: lược đồ 'http' không được hỗ trợ … [smtp_url.scheme]`.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The configuration is wrong; `key` names the part (`smtp_url.scheme`, `smtp_url.host`,
    /// `smtp_url.port`, `smtp_url.tls`, `smtp_url.user`, `smtp_url.password`, `mail_from`, …).
    #[error("{message} [{key}]")]
    Config { key: &'static str, message: String },
    /// This mail cannot be built (`mail_to`: a bad recipient address).
    #[error("{message} [{key}]")]
    Invalid { key: &'static str, message: String },
    /// The server could not be reached, timed out, or refused the mail. `permanent` when the
    /// server answered with a 5xx code: trying the same mail again will not help.
    #[error("gửi thư qua máy chủ SMTP không thành công: {message} [smtp.send]")]
    Send { permanent: bool, message: String },
}

impl MailError {
    /// The English key of the part that is wrong (`smtp.send` for a failed send).
    pub fn key(&self) -> &'static str {
        match self {
            MailError::Config { key, .. } | MailError::Invalid { key, .. } => key,
            MailError::Send { .. } => "smtp.send",
        }
    }

    fn config(key: &'static str, message: impl Into<String>) -> Self {
        MailError::Config { key, message: format!("URL máy chủ thư: {}", message.into()) }
    }
}

/// Something that sends mail: [`SmtpMailer`], or a stand-in in tests.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError>;
}

/// How the connection to the server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain text (`smtp://`).
    None,
    /// STARTTLS, required (`smtp://…?tls=starttls` or `?tls=required`).
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

/// An SMTP URL taken apart and checked.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpEndpoint {
    /// A domain name or an IP address (without brackets).
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// User name and password, percent-decoded.
    pub credentials: Option<(String, String)>,
}

impl fmt::Debug for SmtpEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpEndpoint")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .finish_non_exhaustive()
    }
}

impl SmtpEndpoint {
    /// Takes an SMTP URL apart. The errors never repeat the password.
    pub fn parse(raw: &str) -> Result<Self, MailError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(MailError::config("smtp_url", "chưa được cấu hình (trống)"));
        }
        let url = Url::parse(raw).map_err(|e| match e {
            url::ParseError::InvalidPort => MailError::config("smtp_url.port", "cổng không hợp lệ (1–65535)"),
            url::ParseError::EmptyHost => MailError::config("smtp_url.host", "thiếu tên máy chủ"),
            url::ParseError::InvalidDomainCharacter
            | url::ParseError::IdnaError
            | url::ParseError::InvalidIpv4Address
            | url::ParseError::InvalidIpv6Address => {
                MailError::config("smtp_url.host", format!("tên máy chủ không hợp lệ ({e})"))
            }
            url::ParseError::RelativeUrlWithoutBase => MailError::config(
                "smtp_url.scheme",
                "thiếu lược đồ; viết smtp://máy-chủ:cổng hoặc smtps://máy-chủ:cổng",
            ),
            e => MailError::config("smtp_url", format!("không phân tích được ({e})")),
        })?;

        let implicit = match url.scheme() {
            "smtp" => false,
            "smtps" => true,
            other => {
                return Err(MailError::config(
                    "smtp_url.scheme",
                    format!("lược đồ '{other}' không được hỗ trợ; dùng smtp:// hoặc smtps://"),
                ));
            }
        };

        let host = match url.host() {
            Some(url::Host::Domain(d)) if is_domain(d) => d.to_ascii_lowercase(),
            Some(url::Host::Domain(d)) if !d.is_empty() => {
                return Err(MailError::config("smtp_url.host", format!("tên máy chủ '{d}' không hợp lệ")));
            }
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            _ => return Err(MailError::config("smtp_url.host", "thiếu tên máy chủ")),
        };

        if url.path() != "" && url.path() != "/" {
            return Err(MailError::config("smtp_url.path", format!("không được có đường dẫn ('{}')", url.path())));
        }
        if url.fragment().is_some() {
            return Err(MailError::config("smtp_url.path", "không được có phần '#…'"));
        }

        let mut tls: Option<String> = None;
        for (k, v) in url.query_pairs() {
            if k != "tls" {
                return Err(MailError::config(
                    "smtp_url.query",
                    format!("tham số '{k}' không được hỗ trợ (chỉ có tls)"),
                ));
            }
            if tls.replace(v.into_owned()).is_some() {
                return Err(MailError::config("smtp_url.tls", "tham số tls chỉ được ghi một lần"));
            }
        }
        let security = match (implicit, tls.as_deref()) {
            (true, None) => Security::Implicit,
            (true, Some(v)) => {
                return Err(MailError::config(
                    "smtp_url.tls",
                    format!("smtps:// đã dùng TLS ngay từ đầu, không nhận tls={v}"),
                ));
            }
            (false, None | Some("none")) => Security::None,
            (false, Some("starttls" | "required")) => Security::StartTls,
            (false, Some(v)) => {
                return Err(MailError::config(
                    "smtp_url.tls",
                    format!("tls={v} không được hỗ trợ; dùng tls=starttls (hoặc tls=required) hay tls=none"),
                ));
            }
        };

        let port = match url.port() {
            Some(0) => return Err(MailError::config("smtp_url.port", "cổng không hợp lệ (1–65535)")),
            Some(p) => p,
            None => match security {
                Security::None => 25,
                Security::StartTls => 587,
                Security::Implicit => 465,
            },
        };

        let user = decode(url.username(), "smtp_url.user")?;
        let password = url.password().map(|p| decode(p, "smtp_url.password")).transpose()?;
        let credentials = match (user.is_empty(), password) {
            (true, None) => None,
            (true, Some(_)) => return Err(MailError::config("smtp_url.user", "có mật khẩu nhưng thiếu tên đăng nhập")),
            (false, None) => {
                return Err(MailError::config("smtp_url.password", format!("thiếu mật khẩu cho người dùng '{user}'")));
            }
            (false, Some(password)) => Some((user, password)),
        };
        if credentials.is_some() && security == Security::None && !is_loopback(&host) {
            return Err(MailError::config(
                "smtp_url.tls",
                "không gửi mật khẩu qua kết nối không mã hoá; thêm ?tls=starttls hoặc dùng smtps://",
            ));
        }

        Ok(SmtpEndpoint { host, port, security, credentials })
    }
}

fn decode(s: &str, key: &'static str) -> Result<String, MailError> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| MailError::config(key, "không phải UTF-8 sau khi giải mã %"))
}

fn is_domain(d: &str) -> bool {
    !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Sends mail through one SMTP server; a new connection for each mail.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    endpoint: SmtpEndpoint,
    from: Mailbox,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer").field("endpoint", &self.endpoint).field("from", &self.from.to_string()).finish()
    }
}

impl SmtpMailer {
    /// Checks the URL and the sender address; connects to nothing yet.
    pub fn new(config: &SmtpConfig) -> Result<Self, MailError> {
        let endpoint = SmtpEndpoint::parse(&config.url)?;
        let from = Mailbox::from_str(config.from.trim()).map_err(|e| MailError::Config {
            key: "mail_from",
            message: format!("địa chỉ người gửi '{}' không hợp lệ ({e})", config.from),
        })?;

        let tls = || {
            TlsParameters::new(endpoint.host.clone()).map_err(|e| MailError::Config {
                key: "smtp_url.tls",
                message: format!("URL máy chủ thư: không thiết lập được TLS cho '{}' ({e})", endpoint.host),
            })
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(endpoint.host.clone()).port(endpoint.port);
        builder = match endpoint.security {
            Security::None => builder.tls(Tls::None),
            Security::StartTls => builder.tls(Tls::Required(tls()?)),
            Security::Implicit => builder.tls(Tls::Wrapper(tls()?)),
        };
        if let Some((user, password)) = &endpoint.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let transport =
            builder.hello_name(ClientId::Domain(from.email.domain().to_owned())).timeout(Some(TIMEOUT)).build();
        Ok(SmtpMailer { transport, endpoint, from })
    }

    /// Where this mailer sends (for logs: no password).
    pub fn endpoint(&self) -> &SmtpEndpoint {
        &self.endpoint
    }

    /// The message as it goes on the wire (headers and encoded body).
    pub fn build_message(&self, mail: &OutgoingMail) -> Result<Message, MailError> {
        let to = Mailbox::from_str(mail.to.trim()).map_err(|e| MailError::Invalid {
            key: "mail_to",
            message: format!("địa chỉ người nhận '{}' không hợp lệ ({e})", mail.to),
        })?;
        let subject = mail.subject.split(|c: char| c.is_control()).collect::<Vec<_>>().join(" ");
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject.trim())
            .message_id(Some(message_id(self.from.email.domain())))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text.clone())
            .map_err(|e| MailError::Invalid { key: "mail", message: format!("không tạo được thư ({e})") })
    }

    /// Sends one mail, waiting at most [`TIMEOUT`] in all.
    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let message = self.build_message(mail)?;
        let id = message.headers().get_raw("Message-ID").unwrap_or_default().to_owned();
        match tokio::time::timeout(TIMEOUT, self.transport.send(message)).await {
            Ok(Ok(_)) => {
                tracing::debug!(message_id = %id, server = %self.endpoint.host, "mail sent");
                Ok(())
            }
            Ok(Err(e)) => Err(MailError::Send { permanent: e.is_permanent(), message: e.to_string() }),
            Err(_) => Err(MailError::Send {
                permanent: false,
                message: format!("hết thời gian chờ {} giây", TIMEOUT.as_secs()),
            }),
        }
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        SmtpMailer::send(self, mail).await
    }
}

/// `<random.millis@domain>`: unique without asking the OS for a host name.
fn message_id(domain: &str) -> String {
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let random: u128 = rand::random();
    format!("<{random:032x}.{millis}@{domain}>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(url: &str) -> SmtpEndpoint {
        SmtpEndpoint::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    fn bad(url: &str) -> &'static str {
        match SmtpEndpoint::parse(url) {
            Ok(e) => panic!("{url} accepted as {e:?}"),
            Err(e) => e.key(),
        }
    }

    #[test]
    fn good_urls() {
        let e = ok("smtp://127.0.0.1:2525");
        assert_eq!((e.host.as_str(), e.port, e.security, e.credentials), ("127.0.0.1", 2525, Security::None, None));
        assert_eq!(ok("smtp://mail.dxgov.local").port, 25);
        assert_eq!(ok("smtp://Mail.Example.VN/").host, "mail.example.vn");
        assert_eq!(ok("smtp://[::1]:25").host, "::1");

        let e = ok("smtps://smtp.example.vn");
        assert_eq!((e.port, e.security), (465, Security::Implicit));

        let e = ok("smtp://smtp.example.vn?tls=starttls");
        assert_eq!((e.port, e.security), (587, Security::StartTls));

        let e = ok("smtp://thu%40so:m%E1%BA%ADt%3Akh%E1%BA%A9u@smtp.example.vn:2587?tls=required");
        assert_eq!((e.port, e.security), (2587, Security::StartTls));
        assert_eq!(e.credentials, Some(("thu@so".to_owned(), "mật:khẩu".to_owned())));
        assert!(!format!("{e:?}").contains("khẩu"), "Debug must not show the password");

        // A password in plain text only to loopback.
        assert!(ok("smtp://u:p@localhost:25").credentials.is_some());
        assert_eq!(ok("smtp://h.example.vn?tls=none").security, Security::None);
    }

    #[test]
    fn bad_urls() {
        assert_eq!(bad(""), "smtp_url");
        assert_eq!(bad("mail.example.vn:25"), "smtp_url.scheme");
        assert_eq!(bad("localhost"), "smtp_url.scheme");
        assert_eq!(bad("http://mail.example.vn"), "smtp_url.scheme");
        assert_eq!(bad("smtp://"), "smtp_url.host");
        assert_eq!(bad("smtp://:25"), "smtp_url.host");
        assert_eq!(bad("smtp://mail example.vn"), "smtp_url.host");
        assert_eq!(bad("smtp://localhost:99999"), "smtp_url.port");
        assert_eq!(bad("smtp://localhost:0"), "smtp_url.port");
        assert_eq!(bad("smtp://localhost:abc"), "smtp_url.port");
        assert_eq!(bad("smtp://localhost?tls=maybe"), "smtp_url.tls");
        assert_eq!(bad("smtp://localhost?tls=starttls&tls=none"), "smtp_url.tls");
        assert_eq!(bad("smtps://localhost?tls=starttls"), "smtp_url.tls");
        assert_eq!(bad("smtp://localhost?timeout=5"), "smtp_url.query");
        assert_eq!(bad("smtp://localhost/helo.name"), "smtp_url.path");
        assert_eq!(bad("smtp://user@smtp.example.vn?tls=required"), "smtp_url.password");
        assert_eq!(bad("smtp://:secret@smtp.example.vn?tls=required"), "smtp_url.user");
        assert_eq!(bad("smtp://user:secret@smtp.example.vn:25"), "smtp_url.tls");
    }

    #[test]
    fn errors_say_it_in_vietnamese_then_the_key_and_never_the_password() {
        let e = SmtpEndpoint::parse("smtp://user:hunter2@smtp.example.vn:25").unwrap_err();
        let shown = e.to_string();
        assert!(shown.starts_with("URL máy chủ thư: không gửi mật khẩu"), "{shown}");
        assert!(shown.ends_with("[smtp_url.tls]"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn mailer_checks_the_sender_and_recipient() {
        let config = |from: &str| SmtpConfig { url: "smtp://127.0.0.1:2525".into(), from: from.into() };
        let e = SmtpMailer::new(&config("không phải địa chỉ")).unwrap_err();
        assert_eq!(e.key(), "mail_from");
        assert!(SmtpMailer::new(&SmtpConfig { url: "ftp://x".into(), from: "a@b.vn".into() }).is_err());

        let mailer = SmtpMailer::new(&config("dxgov <no-reply@dxgov.local>")).expect("mailer");
        let mail = |to: &str| OutgoingMail {
            to: to.into(),
            subject: "Nhắc hạn\r\nBcc: x@y.vn".into(),
            text: "Nội dung".into(),
        };
        assert_eq!(mailer.build_message(&mail("ai đó")).unwrap_err().key(), "mail_to");

        let message = mailer.build_message(&mail("Nguyễn Văn A <a@so.gov.vn>")).expect("message");
        let raw = String::from_utf8(message.formatted()).expect("ascii");
        assert!(raw.contains("From: dxgov <no-reply@dxgov.local>\r\n"), "{raw}");
        assert!(raw.contains("Subject: =?utf-8?"), "subject is RFC 2047 encoded: {raw}");
        assert!(!raw.contains("\r\nBcc:"), "a line break in the subject must not start a header: {raw}");
        assert!(raw.contains("\r\nDate: "), "{raw}");
        let id = message.headers().get_raw("Message-ID").expect("Message-ID");
        assert!(id.starts_with('<') && id.ends_with("@dxgov.local>"), "{id}");
        assert_eq!(message.envelope().to().len(), 1);
    }
}
