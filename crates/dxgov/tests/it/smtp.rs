//! `SmtpReceiver`: a real SMTP server on a loopback port for tests that send mail. It speaks
//! enough SMTP for lettre (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no TLS, no AUTH),
//! takes many connections at once, keeps every mail it was given, and decodes each one
//! (RFC 2047 subject, quoted-printable or base64 body) with mail-parser.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// The longest command line (RFC 5321 says 512 octets; extensions add a little).
const MAX_LINE: usize = 4096;
/// The largest mail accepted (the SIZE announced in EHLO).
const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// One mail as the receiver got it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`), without the angle brackets; empty for `<>`.
    pub from: String,
    /// The envelope recipients (`RCPT TO`), in order, without the angle brackets.
    pub to: Vec<String>,
    /// The message as sent after DATA, dot-stuffing undone, CRLF line ends.
    pub raw: String,
    /// The `Subject` header, RFC 2047 decoded (empty when missing).
    pub subject: String,
    /// The first text/plain body, transfer-decoded to UTF-8, with `\n` line ends.
    pub body: String,
}

impl ReceivedMail {
    fn parse(from: String, to: Vec<String>, raw: String) -> Self {
        let (subject, body) = match mail_parser::MessageParser::default().parse(raw.as_bytes()) {
            Some(message) => (
                message.subject().unwrap_or_default().to_owned(),
                message.body_text(0).map(|b| b.replace("\r\n", "\n")).unwrap_or_default(),
            ),
            None => (String::new(), String::new()),
        };
        ReceivedMail { from, to, raw, subject, body }
    }

    /// A header's value as sent (unfolded, not decoded), e.g. `header("Message-ID")`.
    pub fn header(&self, name: &str) -> Option<String> {
        let message = mail_parser::MessageParser::default().parse(self.raw.as_bytes())?;
        let value = message.headers_raw().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)?;
        Some(value.replace("\r\n", "").replace('\n', "").trim().to_owned())
    }
}

/// A loopback SMTP server that stops when dropped.
pub struct SmtpReceiver {
    port: u16,
    mails: Arc<Mutex<Vec<ReceivedMail>>>,
    task: JoinHandle<()>,
}

impl SmtpReceiver {
    /// Listens on 127.0.0.1 on a free port.
    pub async fn start() -> SmtpReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the SMTP receiver");
        let port = listener.local_addr().expect("SMTP receiver address").port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let store = mails.clone();
        let task = tokio::spawn(async move {
            // Connections live in this set, so aborting the accept loop ends them too.
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let (read, write) = stream.into_split();
                        connections.spawn(session(BufReader::new(read), write, store.clone()));
                    }
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
        });
        SmtpReceiver { port, mails, task }
    }

    /// `smtp://127.0.0.1:PORT`, for `jobs::mail::SmtpConfig::url`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every mail received so far, in the order their DATA ended.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.mails.lock().expect("SMTP receiver store").clone()
    }

    /// Waits until at least `n` mails have arrived or `timeout` has passed; returns what it has.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let mails = self.messages();
            if mails.len() >= n || Instant::now() >= deadline {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for SmtpReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One SMTP session; an I/O error or EOF simply ends it.
async fn session<R, W>(mut reader: BufReader<R>, mut writer: W, store: Arc<Mutex<Vec<ReceivedMail>>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let _ = run_session(&mut reader, &mut writer, &store).await;
    let _ = writer.shutdown().await;
}

async fn run_session<R, W>(
    reader: &mut BufReader<R>,
    writer: &mut W,
    store: &Mutex<Vec<ReceivedMail>>,
) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    reply(writer, "220 dxgov-test ESMTP ready\r\n").await?;
    let mut greeted = false;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if read_line(reader, &mut line, MAX_LINE).await? == 0 {
            return Ok(());
        }
        if !line.ends_with(b"\n") {
            reply(writer, "500 5.5.2 Line too long\r\n").await?;
            discard_rest_of_line(reader).await?;
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let (verb, arg) = match text.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.trim()),
            None => (text.to_ascii_uppercase(), ""),
        };
        match verb.as_str() {
            "EHLO" => {
                greeted = true;
                from = None;
                to.clear();
                let name = if arg.is_empty() { "client" } else { arg };
                let hello = format!(
                    "250-dxgov-test greets {name}\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-PIPELINING\r\n250 SIZE {MAX_MESSAGE}\r\n"
                );
                reply(writer, &hello).await?;
            }
            "HELO" => {
                greeted = true;
                from = None;
                to.clear();
                reply(writer, "250 dxgov-test\r\n").await?;
            }
            "MAIL" => match path_after(arg, "FROM:") {
                _ if !greeted => reply(writer, "503 5.5.1 EHLO or HELO first\r\n").await?,
                _ if from.is_some() => reply(writer, "503 5.5.1 Nested MAIL command\r\n").await?,
                Some(path) => {
                    from = Some(path);
                    reply(writer, "250 2.1.0 Ok\r\n").await?;
                }
                None => reply(writer, "501 5.5.4 Syntax: MAIL FROM:<address>\r\n").await?,
            },
            "RCPT" => match path_after(arg, "TO:") {
                _ if from.is_none() => reply(writer, "503 5.5.1 MAIL first\r\n").await?,
                Some(path) if !path.is_empty() => {
                    to.push(path);
                    reply(writer, "250 2.1.5 Ok\r\n").await?;
                }
                _ => reply(writer, "501 5.5.4 Syntax: RCPT TO:<address>\r\n").await?,
            },
            "DATA" => {
                if !arg.is_empty() {
                    reply(writer, "501 5.5.4 DATA takes no argument\r\n").await?;
                    continue;
                }
                if from.is_none() || to.is_empty() {
                    reply(writer, "503 5.5.1 RCPT first\r\n").await?;
                    continue;
                }
                let sender = from.take().unwrap_or_default();
                reply(writer, "354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let Some(raw) = read_data(reader).await? else {
                    to.clear();
                    reply(writer, "552 5.3.4 Message too big\r\n").await?;
                    continue;
                };
                let mail = ReceivedMail::parse(sender, std::mem::take(&mut to), raw);
                let n = {
                    let mut mails = store.lock().expect("SMTP receiver store");
                    mails.push(mail);
                    mails.len()
                };
                reply(writer, &format!("250 2.0.0 Ok: queued as {n}\r\n")).await?;
            }
            "RSET" => {
                from = None;
                to.clear();
                reply(writer, "250 2.0.0 Ok\r\n").await?;
            }
            "NOOP" => reply(writer, "250 2.0.0 Ok\r\n").await?,
            "QUIT" => {
                reply(writer, "221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => reply(writer, "502 5.5.2 Command not implemented\r\n").await?,
        }
    }
}

/// `FROM:<a@b> PARAMS` → `a@b` (also without the brackets, and with a space after the colon).
fn path_after(arg: &str, keyword: &str) -> Option<String> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg[keyword.len()..].trim_start();
    let path = match rest.strip_prefix('<') {
        Some(inner) => inner.split_once('>')?.0,
        None => rest.split(' ').next().unwrap_or(""),
    };
    Some(path.to_owned())
}

/// Reads one line of at most `max` bytes (the `\n` included); 0 at EOF.
async fn read_line<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    line: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<usize> {
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(line.len());
        }
        let room = max - line.len();
        let take = buf.iter().take(room).position(|&b| b == b'\n').map(|i| i + 1);
        let n = take.unwrap_or(buf.len().min(room));
        line.extend_from_slice(&buf[..n]);
        reader.consume(n);
        if take.is_some() || line.len() >= max {
            return Ok(line.len());
        }
    }
}

async fn discard_rest_of_line<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> std::io::Result<()> {
    let mut sink = Vec::new();
    loop {
        sink.clear();
        if read_line(reader, &mut sink, MAX_LINE).await? == 0 || sink.ends_with(b"\n") {
            return Ok(());
        }
    }
}

/// The mail after DATA up to the lone `.` line, dot-stuffing undone; `None` when too big (the
/// rest is still read, so the session stays in step).
async fn read_data<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> std::io::Result<Option<String>> {
    let mut raw = Vec::new();
    let mut too_big = false;
    let mut line = Vec::new();
    let mut at_line_start = true;
    loop {
        line.clear();
        if read_line(reader, &mut line, MAX_LINE).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let complete = line.ends_with(b"\n");
        if at_line_start && (line == b".\r\n" || line == b".\n") {
            break;
        }
        let content = if at_line_start && line.starts_with(b".") { &line[1..] } else { &line[..] };
        if raw.len() + content.len() > MAX_MESSAGE {
            too_big = true;
        } else {
            raw.extend_from_slice(content);
        }
        at_line_start = complete;
    }
    Ok((!too_big).then(|| String::from_utf8_lossy(&raw).into_owned()))
}

async fn reply<W: AsyncWrite + Unpin>(writer: &mut W, text: &str) -> std::io::Result<()> {
    writer.write_all(text.as_bytes()).await?;
    writer.flush().await
}

#[tokio::test]
async fn smtp_receiver_receives_a_mail_sent_by_lettre() {
    use jobs::mail::{Mailer, OutgoingMail, SmtpConfig, SmtpMailer};

    let receiver = SmtpReceiver::start().await;
    let mailer = SmtpMailer::new(&SmtpConfig { url: receiver.url(), from: "dxgov <no-reply@dxgov.local>".into() })
        .expect("mailer");
    let mailer: Arc<dyn Mailer> = Arc::new(mailer);
    let text = "Kính gửi Sở Thông tin và Truyền thông tỉnh Điện Biên,\n\n\
                Báo cáo chuyển đổi số quý III đến hạn ngày 15/10/2026.\n\
                .Dòng này bắt đầu bằng dấu chấm.\n\
                Trân trọng — Ban chỉ đạo chuyển đổi số quốc gia (Đồng hồ: 08:30)\n";
    let mail = OutgoingMail {
        to: "Nguyễn Thị Hương <huong.nt@dienbien.gov.vn>".into(),
        subject: "Nhắc hạn: Báo cáo chuyển đổi số".into(),
        text: text.into(),
    };
    mailer.send(&mail).await.expect("send through lettre");

    let mails = receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(mails.len(), 1, "{mails:#?}");
    let got = &mails[0];
    assert_eq!(got.from, "no-reply@dxgov.local");
    assert_eq!(got.to, vec!["huong.nt@dienbien.gov.vn".to_owned()]);
    assert_eq!(got.subject, "Nhắc hạn: Báo cáo chuyển đổi số");
    assert!(got.raw.is_ascii(), "lettre encodes headers and body to 7-bit: {}", got.raw);
    assert!(!got.raw.contains("Nhắc hạn"), "the subject travels RFC 2047 encoded: {}", got.raw);
    assert_eq!(got.body.trim_end_matches('\n'), text.trim_end_matches('\n'));
    let message_id = got.header("Message-ID").expect("Message-ID");
    assert!(message_id.starts_with('<') && message_id.ends_with("@dxgov.local>"), "{message_id}");
    assert!(got.header("Date").is_some_and(|d| !d.is_empty()), "{}", got.raw);
    assert!(got.header("Content-Type").is_some_and(|t| t.contains("charset=utf-8")), "{}", got.raw);

    // Several senders at once, each on its own connection.
    let sends = (0..8).map(|i| {
        let mailer = mailer.clone();
        async move {
            let mail = OutgoingMail {
                to: format!("so{i}@tinh.gov.vn"),
                subject: format!("Thư số {i}"),
                text: format!("Nội dung thư số {i}"),
            };
            mailer.send(&mail).await
        }
    });
    let handles: Vec<_> = sends.map(tokio::spawn).collect();
    for handle in handles {
        handle.await.expect("send task").expect("concurrent send");
    }
    let mails = receiver.wait_for(9, Duration::from_secs(5)).await;
    assert_eq!(mails.len(), 9);
    for i in 0..8 {
        let m = mails.iter().find(|m| m.to == [format!("so{i}@tinh.gov.vn")]).expect("each mail arrives");
        assert_eq!(
            (m.subject.as_str(), m.body.trim_end()),
            (format!("Thư số {i}").as_str(), format!("Nội dung thư số {i}").as_str())
        );
    }
}

#[tokio::test]
async fn smtp_receiver_speaks_the_protocol_by_hand() {
    use tokio::net::TcpStream;

    let receiver = SmtpReceiver::start().await;
    let stream = TcpStream::connect(("127.0.0.1", receiver.port())).await.expect("connect");
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut next = async || {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            read.read_line(&mut line).await.expect("reply");
            let last = line.as_bytes().get(3) != Some(&b'-');
            lines.push(line.trim_end().to_owned());
            if last {
                return lines;
            }
        }
    };
    assert!(next().await[0].starts_with("220 "));
    async fn say(w: &mut tokio::net::tcp::OwnedWriteHalf, s: &str) {
        w.write_all(s.as_bytes()).await.expect("write");
    }
    say(&mut write, "MAIL FROM:<a@b.vn>\r\n").await;
    assert!(next().await[0].starts_with("503 "), "MAIL before EHLO");
    say(&mut write, "EHLO test.local\r\n").await;
    let ehlo = next().await;
    assert!(ehlo.len() > 1 && ehlo.iter().any(|l| l.ends_with("8BITMIME")), "{ehlo:?}");
    say(&mut write, "STARTTLS\r\n").await;
    assert!(next().await[0].starts_with("502 "));
    say(&mut write, "NOOP\r\n").await;
    assert!(next().await[0].starts_with("250 "));
    say(&mut write, "DATA\r\n").await;
    assert!(next().await[0].starts_with("503 "), "DATA before RCPT");
    say(&mut write, "MAIL FROM:<>\r\nRCPT TO:<x@y.vn>\r\nRSET\r\n").await;
    for _ in 0..3 {
        assert!(next().await[0].starts_with("250 "));
    }
    say(&mut write, "mail from: <a@b.vn> BODY=8BITMIME\r\nrcpt to:<c@d.vn>\r\nrcpt to:<e@f.vn>\r\nDATA\r\n").await;
    for code in ["250", "250", "250", "354"] {
        assert!(next().await[0].starts_with(code));
    }
    say(&mut write, "Subject: =?utf-8?B?xJDDoyBuaOG6rW4=?=\r\n\r\n..hai cham\r\n.\r\n").await;
    assert!(next().await[0].starts_with("250 "));
    say(&mut write, "QUIT\r\n").await;
    assert!(next().await[0].starts_with("221 "));

    let mails = receiver.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].from, "a@b.vn");
    assert_eq!(mails[0].to, ["c@d.vn", "e@f.vn"]);
    assert_eq!(mails[0].subject, "Đã nhận");
    assert_eq!(mails[0].raw, "Subject: =?utf-8?B?xJDDoyBuaOG6rW4=?=\r\n\r\n.hai cham\r\n");
    assert_eq!(mails[0].body, ".hai cham\n");
}
