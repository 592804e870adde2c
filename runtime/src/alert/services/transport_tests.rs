//! Service deliveries end to end through [`ThreadedOutbox`], to local fakes of the services:
//! an HTTP server for the posting services, an SMTP server for email. Every wait is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::reference_tests::{
    HTTP_SERVICES, SINK, TRANSPORT_HEADERS, captured, config_at, http_variants, with_events,
};
use super::*;
use crate::alert::event::{Event, EventSource};
use crate::alert::handlers::{Handler, deliveries};
use crate::alert::level::Level;
use crate::delivery::Outbox;
use crate::delivery::threaded::ThreadedOutbox;
use crate::point::{Dimensions, FieldValue, Fields, GroupKey, Point};

const PATIENCE: Duration = Duration::from_secs(10);

fn point(usage_idle: f64) -> Point {
    Point {
        database: "telegraf".into(),
        retention_policy: "autogen".into(),
        name: "cpu".into(),
        tags: [("host".to_owned(), "serverA".to_owned())]
            .into_iter()
            .collect(),
        fields: Fields::from_iter([("usage_idle".to_owned(), FieldValue::Float(usage_idle))]),
        time: 1_700_000_000_000_000_000,
        dimensions: Dimensions::default(),
        group: GroupKey::default(),
    }
}

fn event<'a>(p: &'a Point, level: Level) -> Event<'a> {
    Event {
        id: "cpu:serverA".into(),
        message: format!("cpu:serverA is {}", level.as_str()),
        details: "<b>details</b>".into(),
        time: p.time,
        duration: 0,
        level,
        previous_level: Level::Ok,
        recoverable: true,
        name: &p.name,
        task_name: "task",
        server: &crate::template::alert_data::NO_SERVER,
        category: None,
        group: "host=serverA",
        tags: &p.tags,
        fields: &p.fields,
        data: EventSource::Point(p),
    }
}

/// Accepts one connection within [`PATIENCE`], or `None`.
fn accept(listener: &TcpListener) -> Option<TcpStream> {
    listener.set_nonblocking(true).ok()?;
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).ok()?;
                stream.set_read_timeout(Some(PATIENCE)).ok()?;
                return Some(stream);
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    None
}

/// One HTTP request as a fake service sees it: request line, lower-cased headers, body.
#[derive(Debug)]
struct Request {
    line: String,
    headers: Vec<(String, String)>,
    body: String,
}

/// Serves `count` requests, one per connection (each answer closes it), answering `status`.
fn serve_http(
    listener: TcpListener,
    status: &'static str,
    count: usize,
) -> std::thread::JoinHandle<Vec<Request>> {
    std::thread::spawn(move || {
        (0..count)
            .map_while(|_| read_request(accept(&listener)?, status))
            .collect()
    })
}

fn read_request(stream: TcpStream, status: &str) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")?
        .1
        .parse()
        .ok()?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let answer = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    reader.get_mut().write_all(answer.as_bytes()).ok()?;
    Some(Request {
        line: line.trim_end().to_owned(),
        headers,
        body: String::from_utf8(body).ok()?,
    })
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Each HTTP service's handlers (bare and with properties) deliver through the outbox to a
/// local fake of the service, which gets what Kapacitor 1.5.7 sent in the captures: method,
/// path, the service's headers and the body.
#[test]
fn every_http_service_delivers_to_a_fake_of_itself() {
    for service in HTTP_SERVICES {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let sink = format!("http://{}", listener.local_addr().unwrap());
        let config = config_at(service, &sink, "127.0.0.1:9");
        let outbox = ThreadedOutbox::new();
        let mut expected = Vec::new();
        for (variant, handler) in http_variants(service, &config, &sink) {
            let records = captured(service, variant);
            let task = records[0].1["task"].as_str().unwrap().to_owned();
            let handlers = [Handler::Service(Box::new(handler))];
            with_events(&task, ':', |_, event| {
                for delivery in deliveries(&handlers, event, |e| panic!("{service}: {e}")) {
                    outbox.send(delivery);
                }
            });
            expected.extend(records.into_iter().map(|(level, record)| (variant, level, record)));
        }
        let server = serve_http(listener, "200 OK", expected.len());
        outbox.flush();
        assert_eq!(outbox.failures(), 0, "{service}");
        let requests = server.join().unwrap();
        assert_eq!(requests.len(), expected.len(), "{service}");
        for (request, (variant, level, record)) in requests.iter().zip(&expected) {
            let what = format!("{service}{variant} {level}");
            let path = record["path"].as_str().unwrap();
            assert_eq!(request.line, format!("POST {path} HTTP/1.1"), "{what}");
            for header in record["headers"].as_array().unwrap() {
                let name = header[0].as_str().unwrap().to_ascii_lowercase();
                if TRANSPORT_HEADERS.contains(&name.as_str()) {
                    continue;
                }
                assert_eq!(request.header(&name), header[1].as_str(), "{what}: {name}");
            }
            assert_eq!(request.body, record["body_text"].as_str().unwrap(), "{what}");
        }
    }
}

/// Sensu's fake takes one JSON line per connection.
#[test]
fn sensu_delivers_lines_to_a_fake_of_itself() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let config = config_at("sensu", SINK, &address);
    let server = std::thread::spawn(move || {
        (0..2)
            .map_while(|_| {
                let mut text = String::new();
                accept(&listener)?.read_to_string(&mut text).ok()?;
                Some(text)
            })
            .collect::<Vec<_>>()
    });
    let handlers = [Handler::Service(Box::new(ServiceHandler::Sensu(
        SensuHandler::new(Sensu::default(), &config).unwrap(),
    )))];
    let outbox = ThreadedOutbox::new();
    with_events("sensu", '.', |_, event| {
        for delivery in deliveries(&handlers, event, |e| panic!("{e}")) {
            outbox.send(delivery);
        }
    });
    outbox.flush();
    assert_eq!(outbox.failures(), 0);
    let expected: Vec<String> = captured("sensu", "")
        .into_iter()
        .map(|(_, r)| r["body_text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(server.join().unwrap(), expected);
}

#[test]
fn an_http_service_gets_its_payload_through_the_outbox() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let server = serve_http(listener, "201 Created", 1);
    let services: ServicesConfig = toml::from_str(&format!(
        "[alerta]\nenabled = true\nurl = 'http://{address}/api'\ntoken = 'secret'\nenvironment = 'prod'\n"
    ))
    .unwrap();
    let handler = Handler::Service(Box::new(ServiceHandler::Alerta(
        AlertaHandler::new(Alerta::default(), &services).unwrap(),
    )));
    let p = point(5.5);
    let sent = deliveries(&[handler], &event(&p, Level::Critical), |e| panic!("{e}"));
    let outbox = ThreadedOutbox::new();
    for delivery in sent {
        outbox.send(delivery);
    }
    outbox.flush();
    let request = server.join().unwrap().pop().expect("the fake got a request");
    assert_eq!(request.line, "POST /api/alert HTTP/1.1");
    assert_eq!(request.header("authorization"), Some("Bearer secret"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(body["environment"], "prod");
    assert_eq!(body["severity"], "critical");
    assert_eq!(body["resource"], "cpu");
    assert_eq!(body["rawData"]["series"][0]["values"][0][1], 5.5);
}

/// What the fake SMTP server received over one connection.
#[derive(Debug, Default)]
struct SmtpSession {
    commands: Vec<String>,
    messages: Vec<String>,
}

/// Speaks enough SMTP to take mail, over the first connection only, until QUIT or EOF.
fn serve_smtp(listener: TcpListener) -> std::thread::JoinHandle<Option<SmtpSession>> {
    std::thread::spawn(move || {
        let mut stream = accept(&listener)?;
        let mut reader = BufReader::new(stream.try_clone().ok()?);
        let mut session = SmtpSession::default();
        stream.write_all(b"220 localhost ESMTP fake\r\n").ok()?;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).ok()? == 0 {
                return Some(session);
            }
            let command = line.trim_end().to_owned();
            let verb = command.split(' ').next().unwrap_or("").to_ascii_uppercase();
            session.commands.push(command);
            let reply: &[u8] = match verb.as_str() {
                "EHLO" => b"250-localhost\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n",
                "DATA" => {
                    stream
                        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .ok()?;
                    let mut data = String::new();
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).ok()? == 0 || line == ".\r\n" {
                            break;
                        }
                        data.push_str(&line);
                    }
                    session.messages.push(data);
                    b"250 OK queued\r\n"
                }
                "QUIT" => {
                    stream.write_all(b"221 bye\r\n").ok()?;
                    return Some(session);
                }
                _ => b"250 OK\r\n",
            };
            stream.write_all(reply).ok()?;
        }
    })
}

#[test]
fn email_goes_over_smtp_on_one_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = serve_smtp(listener);
    let services: ServicesConfig = toml::from_str(&format!(
        "[smtp]\nenabled = true\nhost = '127.0.0.1'\nport = {port}\nfrom = 'kapacitor@example.com'\nto = ['default@example.com']\nidle-timeout = '30s'\n"
    ))
    .unwrap();
    let to = Email {
        to: vec!["ops@example.com".into(), "boss@example.com".into()],
    };
    let handlers = [Handler::Service(Box::new(ServiceHandler::Email(
        EmailHandler::new(to, &services),
    )))];
    let (crit, ok) = (point(5.5), point(55.5));
    {
        let outbox = ThreadedOutbox::new();
        for e in [event(&crit, Level::Critical), event(&ok, Level::Ok)] {
            for delivery in deliveries(&handlers, &e, |e| panic!("{e}")) {
                outbox.send(delivery);
            }
        }
        outbox.flush();
        // Dropping the outbox closes its connections.
    }
    let session = server.join().unwrap().expect("the fake got a session");
    let envelopes: Vec<&str> = session
        .commands
        .iter()
        .map(String::as_str)
        .filter(|c| c.starts_with("MAIL") || c.starts_with("RCPT"))
        .collect();
    let envelope = ["RCPT TO:<ops@example.com>", "RCPT TO:<boss@example.com>"];
    assert_eq!(envelopes.len(), 6, "{envelopes:?}");
    for mail in envelopes.chunks(3) {
        assert!(mail[0].starts_with("MAIL FROM:<kapacitor@example.com>"));
        assert_eq!(mail[1..], envelope);
    }
    assert_eq!(
        session.commands.first().map(String::as_str),
        Some("EHLO localhost")
    );
    assert_eq!(session.messages.len(), 2);
    for (message, level) in session.messages.iter().zip(["CRITICAL", "OK"]) {
        let (head, body) = message.split_once("\r\n\r\n").unwrap();
        // lettre spells the charset `utf-8`; MIME names are case-insensitive.
        let headers: Vec<String> = head.split("\r\n").map(str::to_ascii_lowercase).collect();
        for expected in [
            format!("Subject: cpu:serverA is {level}"),
            "From: kapacitor@example.com".to_owned(),
            "To: ops@example.com, boss@example.com".to_owned(),
            "Content-Type: text/html; charset=UTF-8".to_owned(),
            "Content-Transfer-Encoding: quoted-printable".to_owned(),
        ] {
            let expected = expected.to_ascii_lowercase();
            assert!(headers.contains(&expected), "{expected} in {headers:?}");
        }
        assert_eq!(body.trim_end(), "<b>details</b>");
    }
}
