//! Each service's deliveries against what Kapacitor 1.5.7 sent for the same events
//! (`testdata/<service>/`, captured from the reference with the `config.toml` beside them):
//! the task `.crit(lambda: "usage_idle" < 10.0)` over `cpu,host=serverA usage_idle=5.5`
//! (CRITICAL) then `usage_idle=55.5` ten seconds later (OK), once with the handler bare
//! (`requests.jsonl`) and once with its properties set (`requests_props.jsonl`).

use serde_json::Value as Json;

use super::*;
use crate::alert::event::{Event, EventSource};
use crate::alert::level::Level;
use crate::delivery::Mail;
use crate::point::{Dimensions, FieldValue, Fields, GroupKey, Point};

/// Where the reference's HTTP sink listened: captured paths are relative to it.
pub(super) const SINK: &str = "http://127.0.0.1:19910";
/// Headers Go's client adds to every request: not the services' doing.
pub(super) const TRANSPORT_HEADERS: [&str; 4] = ["host", "user-agent", "content-length", "accept-encoding"];

pub(super) fn testdata(service: &str, file: &str) -> String {
    let path = format!(
        "{}/src/alert/services/testdata/{service}/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn config(service: &str) -> ServicesConfig {
    config_at(service, SINK, "127.0.0.1:19911")
}

/// A service's configuration with the capture's HTTP sink at `sink` and its TCP one at `tcp`.
pub(super) fn config_at(service: &str, sink: &str, tcp: &str) -> ServicesConfig {
    let text = testdata(service, "config.toml")
        .replace(SINK, sink)
        .replace("127.0.0.1:19911", tcp);
    let mut config: ServicesConfig = toml::from_str(&text).unwrap();
    config.kapacitor_url = "http://127.0.0.1:19900/kapacitor/v1".to_owned();
    config
}

/// The captured requests of a task variant: (event level, record).
pub(super) fn captured(service: &str, variant: &str) -> Vec<(String, Json)> {
    testdata(service, &format!("requests{variant}.jsonl"))
        .lines()
        .map(|line| {
            let record: Json = serde_json::from_str(line).unwrap();
            (record["event"].as_str().unwrap().to_owned(), record)
        })
        .collect()
}

fn point(usage_idle: f64, time: i64) -> Point {
    Point {
        database: "telegraf".into(),
        retention_policy: "autogen".into(),
        name: "cpu".into(),
        tags: [("host".to_owned(), "serverA".to_owned())]
            .into_iter()
            .collect(),
        fields: Fields::from_iter([("usage_idle".to_owned(), FieldValue::Float(usage_idle))]),
        time,
        dimensions: Dimensions::default(),
        group: GroupKey::default(),
    }
}

/// The two events of the capture, as the alert node makes them for task `task` (the
/// id separator is `.` for sensu, which refuses `:`).
pub(super) fn with_events(task: &str, separator: char, mut check: impl FnMut(&str, &Event<'_>)) {
    let crit = point(5.5, 1_700_000_000_000_000_000);
    let ok = point(55.5, 1_700_000_010_000_000_000);
    for (p, level, previous, duration, value) in [
        (&crit, Level::Critical, Level::Ok, 0, "5.5"),
        (&ok, Level::Ok, Level::Critical, 10_000_000_000, "55.5"),
    ] {
        let id = format!("cpu{separator}serverA");
        let event = Event {
            message: format!("{id} is {}: usage_idle={value}", level.as_str()),
            details: format!("Host serverA usage_idle is {value}").into(),
            id,
            time: p.time,
            duration,
            level,
            previous_level: previous,
            recoverable: true,
            name: &p.name,
            task_name: task,
            server: &crate::template::alert_data::NO_SERVER,
            category: None,
            group: "host=serverA",
            tags: &p.tags,
            fields: &p.fields,
            data: EventSource::Point(p),
        };
        check(level.as_str(), &event);
    }
}

/// Checks `handler`'s two HTTP posts against the captured requests, byte for byte.
fn check_posts(service: &str, variant: &str, handler: ServiceHandler) {
    let records = captured(service, variant);
    assert_eq!(records.len(), 2, "{service}{variant}");
    let task = records[0].1["task"].as_str().unwrap().to_owned();
    let mut records = records.into_iter();
    with_events(&task, ':', |level, event| {
        let (captured_level, record) = records.next().unwrap();
        assert_eq!(captured_level, level);
        let what = format!("{service}{variant} {level}");
        let Ok(Delivery::Post(post)) = handler.delivery(event) else {
            panic!("{what}: not a post");
        };
        assert_eq!(record["method"], "POST");
        assert_eq!(
            post.url.strip_prefix(SINK),
            record["path"].as_str(),
            "{what}: url"
        );
        let mut expected_headers: Vec<(String, String)> = record["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h[0].as_str().unwrap().to_ascii_lowercase(),
                    h[1].as_str().unwrap().to_owned(),
                )
            })
            .filter(|(name, _)| !TRANSPORT_HEADERS.contains(&name.as_str()))
            .collect();
        let mut headers: Vec<(String, String)> = post
            .headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
            .collect();
        expected_headers.sort();
        headers.sort();
        assert_eq!(headers, expected_headers, "{what}: headers");
        let body = String::from_utf8(post.body).unwrap();
        let expected_body = record["body_text"].as_str().unwrap();
        if let Some(expected_json) = record.get("body_json").filter(|j| !j.is_null()) {
            let json: Json = serde_json::from_str(&body).unwrap();
            assert_eq!(&json, expected_json, "{what}: body as JSON");
        }
        assert_eq!(body, expected_body, "{what}: body text");
    });
}

/// The services that post over HTTP.
pub(super) const HTTP_SERVICES: [&str; 11] = [
    "slack",
    "pagerduty",
    "pagerduty2",
    "victorops",
    "opsgenie",
    "opsgenie2",
    "teams",
    "telegram",
    "discord",
    "alerta",
    "pushover",
];

/// An HTTP service's handlers as the captures were made: bare (variant `""`) and with its
/// properties set (`"_props"`). `sink` is where the capture's HTTP sink listens.
pub(super) fn http_variants(
    service: &str,
    config: &ServicesConfig,
    sink: &str,
) -> Vec<(&'static str, ServiceHandler)> {
    let (bare, props) = match service {
        "slack" => (
            ServiceHandler::Slack(SlackHandler::new(Slack::default(), config)),
            ServiceHandler::Slack(SlackHandler::new(
                Slack {
                    channel: "#alerts".into(),
                    username: "kapbot".into(),
                    icon_emoji: ":fire:".into(),
                    ..Slack::default()
                },
                config,
            )),
        ),
        "pagerduty" => (
            ServiceHandler::PagerDuty(PagerDutyHandler::new(PagerDuty::default(), config)),
            ServiceHandler::PagerDuty(PagerDutyHandler::new(
                PagerDuty {
                    service_key: "pd-override-key".into(),
                },
                config,
            )),
        ),
        "pagerduty2" => {
            let props = PagerDuty2 {
                routing_key: "pd2-override-key".into(),
                links: vec![
                    PagerDutyLink {
                        href: "https://example.com/dash".into(),
                        text: "Dashboard".into(),
                    },
                    PagerDutyLink {
                        href: r#"https://example.com/host/{{ index .Tags "host" }}"#.into(),
                        text: String::new(),
                    },
                ],
            };
            (
                ServiceHandler::PagerDuty2(
                    PagerDuty2Handler::new(PagerDuty2::default(), config).unwrap(),
                ),
                ServiceHandler::PagerDuty2(PagerDuty2Handler::new(props, config).unwrap()),
            )
        }
        "victorops" => (
            ServiceHandler::VictorOps(VictorOpsHandler::new(VictorOps::default(), config)),
            ServiceHandler::VictorOps(VictorOpsHandler::new(
                VictorOps {
                    routing_key: "team-ops".into(),
                },
                config,
            )),
        ),
        "opsgenie" => (
            ServiceHandler::OpsGenie(OpsGenieHandler::new(OpsGenie::default(), config)),
            ServiceHandler::OpsGenie(OpsGenieHandler::new(
                OpsGenie {
                    teams: vec!["teamA".into(), "teamB".into()],
                    recipients: vec!["alice".into(), "bob".into()],
                },
                config,
            )),
        ),
        "opsgenie2" => (
            ServiceHandler::OpsGenie2(OpsGenie2Handler::new(OpsGenie2::default(), config)),
            ServiceHandler::OpsGenie2(OpsGenie2Handler::new(
                OpsGenie2 {
                    teams: vec!["teamA".into(), "teamB".into()],
                    recipients: vec!["alice".into(), "bob".into()],
                    recovery_action: "close".into(),
                },
                config,
            )),
        ),
        "teams" => (
            ServiceHandler::Teams(TeamsHandler::new(Teams::default(), config)),
            ServiceHandler::Teams(TeamsHandler::new(
                Teams {
                    channel_url: format!("{sink}/teams/override"),
                },
                config,
            )),
        ),
        "telegram" => (
            ServiceHandler::Telegram(TelegramHandler::new(Telegram::default(), config)),
            ServiceHandler::Telegram(TelegramHandler::new(
                Telegram {
                    chat_id: "555".into(),
                    parse_mode: "Markdown".into(),
                    disable_web_page_preview: true,
                    disable_notification: true,
                },
                config,
            )),
        ),
        "discord" => {
            let props = Discord {
                workspace: "ts".into(),
                username: "kapbot".into(),
                avatar_url: "https://example.com/a.png".into(),
                embed_title: "Custom Title".into(),
            };
            (
                ServiceHandler::Discord(DiscordHandler::new(Discord::default(), config).unwrap()),
                ServiceHandler::Discord(DiscordHandler::new(props, config).unwrap()),
            )
        }
        "alerta" => {
            let props = Alerta {
                resource: r#"{{ index .Tags "host" }}"#.into(),
                event: "cpu_idle".into(),
                environment: "Production".into(),
                group: "Performance".into(),
                value: r#"{{ index .Fields "usage_idle" }}"#.into(),
                origin: "kap-test".into(),
                services: vec!["web".into(), "db".into()],
                token: "alerta-override-token".into(),
                timeout: None,
            };
            (
                ServiceHandler::Alerta(AlertaHandler::new(Alerta::default(), config).unwrap()),
                ServiceHandler::Alerta(AlertaHandler::new(props, config).unwrap()),
            )
        }
        "pushover" => (
            ServiceHandler::Pushover(PushoverHandler::new(Pushover::default(), config)),
            ServiceHandler::Pushover(PushoverHandler::new(
                Pushover {
                    user_key: "pushover-user-override".into(),
                    device: "phone1".into(),
                    title: "Pushover Title".into(),
                    url: "https://example.com/x".into(),
                    url_title: "Example".into(),
                    sound: "siren".into(),
                },
                config,
            )),
        ),
        other => panic!("{other} is not an HTTP service"),
    };
    vec![("", bare), ("_props", props)]
}

#[test]
fn http_services_send_what_kapacitor_sent() {
    for service in HTTP_SERVICES {
        for (variant, handler) in http_variants(service, &config(service), SINK) {
            check_posts(service, variant, handler);
        }
    }
}

/// Sensu is spoken over TCP: each event is one JSON line to the configured address.
#[test]
fn sensu() {
    let config = config("sensu");
    let props = Sensu {
        source: "kap-source".into(),
        handlers: vec!["h1".into(), "h2".into()],
        metadata: vec![
            ("k1".into(), Scalar::from("v1")),
            ("num".into(), Scalar::from(42)),
        ],
    };
    for (variant, properties) in [("", Sensu::default()), ("_props", props)] {
        let handler = SensuHandler::new(properties, &config).unwrap();
        let mut records = captured("sensu", variant).into_iter();
        with_events("sensu", '.', |level, event| {
            let (_, record) = records.next().unwrap();
            let Ok(Delivery::Tcp { address, line }) = handler.delivery(event) else {
                panic!("sensu{variant} {level}: not a TCP line");
            };
            assert_eq!(address, "127.0.0.1:19911");
            assert_eq!(
                String::from_utf8(line).unwrap(),
                record["body_text"].as_str().unwrap(),
                "sensu{variant} {level}"
            );
        });
    }
}

#[test]
fn sensu_refuses_ids_kapacitor_refuses() {
    let handler = SensuHandler::new(Sensu::default(), &config("sensu")).unwrap();
    with_events("sensu", ':', |_, event| {
        let error = handler.delivery(event).unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"invalid name "cpu:serverA" for sensu alert. Must match ^[\w\.-]+$"#
        );
    });
}

/// The captured mail's header `name`.
fn mail_header<'a>(data: &'a str, name: &str) -> Option<&'a str> {
    data.split("\r\n")
        .take_while(|line| !line.is_empty())
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(": "))
}

#[test]
fn email() {
    let config = config("email");
    let props = |to: &[&str]| Email {
        to: to.iter().map(|s| s.to_string()).collect(),
    };
    for (variant, properties) in [
        ("", props(&["ops@example.com"])),
        (
            "_props",
            props(&["ops@example.com", "oncall@example.com", "boss@example.com"]),
        ),
    ] {
        let handler = EmailHandler::new(properties, &config);
        let mut records = captured("email", variant).into_iter();
        with_events("email", ':', |level, event| {
            let (_, record) = records.next().unwrap();
            let Ok(Delivery::Email(Mail {
                server,
                from,
                to,
                subject,
                body,
            })) = handler.delivery(event)
            else {
                panic!("email{variant} {level}: not a mail");
            };
            assert_eq!((server.host.as_str(), server.port), ("127.0.0.1", 19912));
            let envelope_to: Vec<String> = record["envelope_to"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().trim_matches(['<', '>']).to_owned())
                .collect();
            assert_eq!(to, envelope_to);
            let data = record["body_text"].as_str().unwrap();
            assert_eq!(Some(from.as_str()), mail_header(data, "From"));
            assert_eq!(Some(to.join(", ").as_str()), mail_header(data, "To"));
            assert_eq!(Some(subject.as_str()), mail_header(data, "Subject"));
            assert_eq!(
                data.split_once("\r\n\r\n").map(|(_, b)| b),
                Some(&*format!("{body}\r\n"))
            );
        });
    }
}

#[test]
fn email_without_recipients_is_refused() {
    let mut config = config("email");
    config.smtp.to.clear();
    let handler = EmailHandler::new(Email::default(), &config);
    with_events("email", ':', |_, event| {
        assert_eq!(
            handler.delivery(event),
            Err(SendError::Refused(
                "not sending email, no recipients defined".into()
            ))
        );
    });
}

#[test]
fn a_disabled_service_or_unknown_workspace_sends_nothing() {
    let discord = config("discord");
    let unknown = Discord {
        workspace: "nope".into(),
        ..Discord::default()
    };
    let handler = DiscordHandler::new(unknown, &discord).unwrap();
    let slack = SlackHandler::new(Slack::default(), &ServicesConfig::default());
    with_events("t", ':', |_, event| {
        assert_eq!(
            handler.delivery(event),
            Err(SendError::UnknownWorkspace("nope".into()))
        );
        assert_eq!(
            slack.delivery(event),
            Err(SendError::UnknownWorkspace(String::new()))
        );
    });
    let mut config = config("pagerduty");
    config.pagerduty.enabled = false;
    let handler = PagerDutyHandler::new(PagerDuty::default(), &config);
    with_events("t", ':', |_, event| {
        assert_eq!(handler.delivery(event), Err(SendError::NotEnabled));
    });
}
