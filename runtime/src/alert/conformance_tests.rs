//! Conformance cases run through the alert node end to end: their inputs (copied into
//! `testdata/`, with the reference's outputs and the script for reading) go in, what the
//! handlers deliver and what the node passes on are compared with what Kapacitor 1.5.7 wrote,
//! under /work/shared/conformance/README.md's rules (`details` HTML-unescaped, and its
//! `ServerInfo` dropped when it is the default JSON).

use std::sync::Arc;

use serde_json::Value as Json;

use super::*;
use crate::delivery::{Delivery, RecordingOutbox};
use crate::expr::{BinaryOp, EvalError, Lambda, Scope, Value, predicate, reference};
use crate::lineproto::parse_line;
use crate::node::Node;
use crate::output::row::result_json;
use crate::point::{Batch, BatchPoint, Dimensions, GroupKey, Message, Point, Tags};
use crate::replay::srpl::SrplReader;
use crate::time::Precision;

/// The lambdas the cases use: `"field" <op> literal`, or `TRUE`.
enum Expr {
    Compare(&'static str, BinaryOp, Value<'static>),
    True,
}

impl Lambda for Expr {
    type State = ();

    fn eval<'a, S: Scope + ?Sized>(
        &'a self,
        scope: &'a S,
        _: &mut (),
    ) -> Result<Value<'a>, EvalError> {
        match self {
            Expr::True => Ok(Value::Bool(true)),
            Expr::Compare(field, op, literal) => {
                predicate(*op, &reference(scope, field)?, literal).map(Value::Bool)
            }
        }
    }
}

fn above(field: &'static str, v: f64) -> Expr {
    Expr::Compare(field, BinaryOp::Gt, Value::Float(v))
}

fn below(field: &'static str, v: f64) -> Expr {
    Expr::Compare(field, BinaryOp::Lt, Value::Float(v))
}

/// A case's level expressions, INFO to CRITICAL.
#[derive(Default)]
struct Levels {
    enter: [Option<LevelLambda<Expr>>; 3],
    reset: [Option<LevelLambda<Expr>>; 3],
}

fn slot(level: Level) -> Option<usize> {
    Some(match level {
        Level::Ok => return None,
        Level::Info => 0,
        Level::Warning => 1,
        Level::Critical => 2,
    })
}

impl Levels {
    fn enter(mut self, level: Level, e: Expr) -> Self {
        self.enter[slot(level).unwrap()] = Some(LevelLambda::new(e));
        self
    }

    fn reset(mut self, level: Level, e: Expr) -> Self {
        self.reset[slot(level).unwrap()] = Some(LevelLambda::new(e));
        self
    }
}

impl AlertLevels for Levels {
    fn test<S: Scope + ?Sized>(
        &mut self,
        check: LevelCheck,
        scope: &S,
    ) -> Option<Result<bool, EvalError>> {
        let lambda = match check {
            LevelCheck::Enter(l) => self.enter[slot(l)?].as_mut(),
            LevelCheck::Reset(l) => self.reset[slot(l)?].as_mut(),
        };
        lambda.map(|l| l.test(scope))
    }
}

fn log() -> Handler {
    Handler::Log(LogHandler::new("/tmp/conformance/alerts.log", None).unwrap())
}

fn testdata(case: &str, file: &str) -> String {
    let path = format!(
        "{}/src/alert/testdata/{case}/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Sets a point's group as `groupBy(tags...)` does (tag names sorted).
fn group_by(mut p: Point, tags: &[&str]) -> Point {
    let mut names: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
    names.sort();
    let key: Vec<String> = names
        .iter()
        .map(|n| format!("{n}={}", p.tags.get(n).map_or("", crate::point::Str::as_str)))
        .collect();
    p.group = GroupKey(key.join(",").into());
    p.dimensions = Dimensions {
        by_measurement: false,
        tag_names: names.into_iter().map(Into::into).collect(),
    };
    p
}

fn stream(case: &str, tags: &[&str]) -> Vec<Message> {
    let srpl = testdata(case, "input.srpl");
    SrplReader::new(srpl.as_bytes(), Precision::Nanosecond)
        .unwrap()
        .map(|p| Message::Point(group_by(p.unwrap(), tags)))
        .collect()
}

const MINUTE: i64 = 60_000_000_000;

/// What `query(SELECT v ...).period(1m).every(1m).groupBy('host')` gives over `input.lp` for
/// the case's [start, stop], then a `where` that keeps the points `keep` accepts: one batch per
/// host per minute that has data, timed at the query's stop, hosts in order.
fn query_batches(case: &str, start: i64, stop: i64, keep: impl Fn(f64) -> bool) -> Vec<Message> {
    let lp = testdata(case, "input.lp");
    let points: Vec<Point> = lp
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            parse_line(l.as_bytes(), Precision::Nanosecond)
                .unwrap()
                .to_point("db", "rp", 0)
        })
        .collect();
    let mut hosts: Vec<String> = points
        .iter()
        .filter_map(|p| p.tags.get("host").map(|h| h.to_string()))
        .collect();
    hosts.sort();
    hosts.dedup();
    let mut batches = Vec::new();
    let mut tick = start + MINUTE;
    while tick <= stop {
        for host in &hosts {
            let tags: Tags = [("host".to_owned(), host.clone())].into_iter().collect();
            let in_window: Vec<BatchPoint> = points
                .iter()
                .filter(|p| {
                    p.tags.get("host").is_some_and(|h| h == host) && (tick - MINUTE..tick).contains(&p.time)
                })
                .map(|p| BatchPoint {
                    time: p.time,
                    fields: p.fields.clone(),
                    tags: tags.clone(),
                })
                .collect();
            if in_window.is_empty() {
                continue;
            }
            let kept = in_window
                .into_iter()
                .filter(|p| matches!(p.fields.get("v"), Some(crate::point::FieldValue::Float(v)) if keep(*v)))
                .collect();
            batches.push(Message::Batch(Batch {
                name: "m".into(),
                time: tick,
                tags,
                dimensions: Dimensions {
                    by_measurement: false,
                    tag_names: ["host"].map(crate::point::Str::from).into(),
                },
                group: GroupKey(format!("host={host}").into()),
                points: kept,
            }));
        }
        tick += MINUTE;
    }
    batches
}

struct Run {
    node: AlertNode<Levels>,
    deliveries: Vec<Delivery>,
    passed_on: Vec<Message>,
}

fn run(config: AlertConfig, levels: Levels, input: Vec<Message>) -> Run {
    let outbox = Arc::new(RecordingOutbox::new());
    let mut node =
        AlertNode::new(config, levels, outbox.clone(), Arc::new(Inhibitors::new())).unwrap();
    let mut passed_on = Vec::new();
    for msg in input {
        node.push(msg, &mut passed_on);
    }
    Run {
        node,
        deliveries: outbox.take(),
        passed_on,
    }
}

fn html_unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#43;", "+")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A JSON document as the comparison rules see it: numbers as floats, and an alert's default
/// details parsed, without its ServerInfo.
fn normalize(v: Json) -> Json {
    match v {
        Json::Number(n) => n.as_f64().map_or(Json::Null, |f| serde_json::json!(f)),
        Json::Array(a) => Json::Array(a.into_iter().map(normalize).collect()),
        Json::Object(o) => Json::Object(
            o.into_iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("details", Json::String(s)) => {
                        let details = match serde_json::from_str::<Json>(&html_unescape(&s)) {
                            Ok(Json::Object(mut d)) => {
                                d.remove("ServerInfo");
                                normalize(Json::Object(d))
                            }
                            _ => Json::String(s),
                        };
                        (k, details)
                    }
                    (_, v) => (k, normalize(v)),
                })
                .collect(),
        ),
        other => other,
    }
}

fn parse_lines(text: &str) -> Vec<Json> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| normalize(serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))))
        .collect()
}

/// The lines `.log()` appended.
fn logged(run: &Run) -> Vec<Json> {
    let text: String = run
        .deliveries
        .iter()
        .filter_map(|d| match d {
            Delivery::Append { line, .. } => Some(String::from_utf8(line.clone()).unwrap()),
            _ => None,
        })
        .collect();
    parse_lines(&text)
}

fn assert_alerts(case: &str, run: &Run) {
    let expected = parse_lines(&testdata(case, "alerts.jsonl"));
    let actual = logged(run);
    assert_eq!(actual.len(), expected.len(), "{case}: number of alerts");
    for (i, (a, e)) in actual.iter().zip(&expected).enumerate() {
        assert_eq!(a, e, "{case}: alert {i}");
    }
}

/// The httpPost bodies a case recorded at `path`.
fn expected_posts(case: &str, path: &str) -> Vec<Json> {
    parse_lines(&testdata(case, "posts.jsonl"))
        .into_iter()
        .filter(|p| p["path"] == path)
        .map(|p| p["body"].clone())
        .collect()
}

fn svc(case: &str) -> AlertConfig {
    let mut config = AlertConfig::new(case);
    config.handlers.push(log());
    config
}

use Level::{Critical, Info, Warning};

#[test]
fn alert_state_changes_only() {
    let case = "alert_state_changes_only";
    let mut config = svc(case);
    config.state.state_changes_only = Some(None);
    let levels = Levels::default()
        .enter(Warning, above("v", 65.0))
        .enter(Critical, above("v", 85.0));
    assert_alerts(case, &run(config, levels, stream(case, &[])));
}

#[test]
fn alert_state_changes_only_interval() {
    let case = "alert_state_changes_only_interval";
    let mut config = svc(case);
    config.state.state_changes_only = Some(Some(7_000_000_000));
    let levels = Levels::default()
        .enter(Warning, above("v", 40.0))
        .enter(Critical, above("v", 85.0));
    assert_alerts(case, &run(config, levels, stream(case, &[])));
}

#[test]
fn alert_grouped_by_host() {
    let case = "alert_grouped_by_host";
    let levels = Levels::default()
        .enter(Warning, above("v", 80.0))
        .enter(Critical, above("v", 92.0));
    let run = run(svc(case), levels, stream(case, &["host"]));
    assert_alerts(case, &run);
    assert_eq!(run.node.states().count(), 2);
}

#[test]
fn alert_levels_priority() {
    let case = "alert_levels_priority";
    let levels = Levels::default()
        .enter(Info, above("v", 50.0))
        .enter(Warning, above("v", 70.0))
        .enter(Critical, above("v", 90.0));
    assert_alerts(case, &run(svc(case), levels, stream(case, &[])));
}

#[test]
fn alert_resets_hysteresis() {
    let case = "alert_resets_hysteresis";
    let levels = Levels::default()
        .enter(Info, above("v", 60.0))
        .reset(Info, below("v", 50.0))
        .enter(Warning, above("v", 70.0))
        .reset(Warning, below("v", 60.0))
        .enter(Critical, above("v", 80.0))
        .reset(Critical, below("v", 70.0));
    assert_alerts(case, &run(svc(case), levels, stream(case, &[])));
}

#[test]
fn alert_no_recoveries() {
    let case = "alert_no_recoveries";
    let mut config = svc(case);
    config.no_recoveries = true;
    let levels = Levels::default()
        .enter(Warning, above("v", 65.0))
        .enter(Critical, above("v", 85.0));
    assert_alerts(case, &run(config, levels, stream(case, &[])));
}

#[test]
fn alert_flapping_state_changes() {
    let case = "alert_flapping_state_changes";
    let mut config = svc(case);
    config.state = StatePolicy {
        history: 8,
        flapping: Some(Flapping {
            low: 0.3,
            high: 0.6,
        }),
        state_changes_only: Some(None),
    };
    let levels = Levels::default().enter(Critical, above("v", 50.0));
    assert_alerts(case, &run(config, levels, stream(case, &[])));
}

#[test]
fn alert_flapping_history6() {
    let case = "alert_flapping_history6";
    let mut config = svc(case);
    config.state.history = 6;
    config.state.flapping = Some(Flapping {
        low: 0.25,
        high: 0.5,
    });
    let levels = Levels::default().enter(Critical, above("v", 50.0));
    assert_alerts(case, &run(config, levels, stream(case, &[])));
}

/// The id changes with the host while the state is the ungrouped stream's: previousLevel
/// follows the id, duration the group.
#[test]
fn alert_id_per_host_ungrouped() {
    let case = "alert_id_per_host_ungrouped";
    let mut config = svc(case);
    config.templates =
        AlertTemplates::parse(Some(r#"{{ index .Tags "host" }}"#), None, None).unwrap();
    let levels = Levels::default()
        .enter(Warning, above("v", 80.0))
        .enter(Critical, above("v", 92.0));
    assert_alerts(case, &run(config, levels, stream(case, &[])));
}

/// A level whose field is missing fails on every point it is evaluated for; Kapacitor counted
/// 15 errors over this input (the current level's expression runs twice when it fails).
#[test]
fn alert_missing_field_in_lambda() {
    let case = "alert_missing_field_in_lambda";
    let levels = Levels::default()
        .enter(Warning, above("w", 10.0))
        .enter(Critical, above("v", 85.0));
    let run = run(svc(case), levels, stream(case, &[]));
    assert_alerts(case, &run);
    assert_eq!(run.node.errors(), 15);
    let stats = run.node.stats();
    assert_eq!(
        (
            stats.alerts_triggered,
            stats.crits_triggered,
            stats.oks_triggered
        ),
        (5, 3, 2)
    );
}

#[test]
fn alert_crit_true_every_point() {
    let case = "alert_crit_true_every_point";
    let mut config = svc(case);
    config.templates =
        AlertTemplates::parse(Some("always"), Some("{{ .ID }} {{ .Duration }}"), None).unwrap();
    let levels = Levels::default().enter(Critical, Expr::True);
    assert_alerts(case, &run(config, levels, stream(case, &[])));
}

#[test]
fn alert_details_custom_html() {
    let case = "alert_details_custom_html";
    let mut config = svc(case);
    config.templates = AlertTemplates::parse(
        None,
        Some(r#"{{ .ID }} <{{ .Level }}> & "{{ index .Fields "status" }}""#),
        Some(r#"<b>{{ .Message }}</b> & v={{ index .Fields "v" }} "q" {{ .TaskName }} {{ index .Tags "dc" }}"#),
    )
    .unwrap();
    let levels = Levels::default().enter(Critical, above("v", 85.0));
    assert_alerts(case, &run(config, levels, stream(case, &[])));
}

/// The inhibitor's `dc` is not a group dimension, so it is empty and never matches.
#[test]
fn alert_inhibit_tag_not_in_group() {
    let case = "alert_inhibit_tag_not_in_group";
    let mut config = svc(case);
    config.category = Some("svc_high".into());
    config.inhibits.push(Inhibit {
        category: "svc_high".into(),
        equal_tags: vec!["dc".into()],
    });
    config.templates = AlertTemplates::parse(
        None,
        Some(r#"{{ .ID }} {{ .Level }} {{ index .Fields "v" }}"#),
        None,
    )
    .unwrap();
    let levels = Levels::default().enter(Critical, above("v", 90.0));
    let run = run(config, levels, stream(case, &["host"]));
    assert_alerts(case, &run);
    assert_eq!(run.node.stats().alerts_inhibited, 0);
}

/// The same group inhibits itself when its equal tags are group dimensions: Kapacitor arms a
/// group's inhibitor before it checks the group's own event.
#[test]
fn an_alert_inhibits_its_own_category_when_the_tags_match() {
    let case = "alert_inhibit_tag_not_in_group";
    let mut config = svc(case);
    config.category = Some("svc_high".into());
    config.inhibits.push(Inhibit {
        category: "svc_high".into(),
        equal_tags: vec!["host".into()],
    });
    let levels = Levels::default().enter(Critical, above("v", 90.0));
    let run = run(config, levels, stream(case, &["host"]));
    let levels: Vec<Json> = logged(&run).iter().map(|a| a["level"].clone()).collect();
    assert!(levels.iter().all(|l| l == "OK"), "{levels:?}");
    assert!(run.node.stats().alerts_inhibited > 0);
    assert_eq!(
        run.passed_on.len() as u64,
        run.node.stats().alerts_inhibited + run.node.stats().alerts_triggered
    );
}

#[test]
fn alert_post_handler() {
    let case = "alert_post_handler";
    let mut config = AlertConfig::new(case);
    config.handlers.push(Handler::Post(
        PostHandler::new("http://127.0.0.1:19111/alert", Vec::new(), None).unwrap(),
    ));
    config.templates =
        AlertTemplates::parse(Some(r#"post-{{ index .Tags "host" }}"#), None, None).unwrap();
    let levels = Levels::default()
        .enter(Warning, above("v", 65.0))
        .enter(Critical, above("v", 85.0));
    let run = run(config, levels, stream(case, &["host"]));
    let bodies: Vec<Json> = run
        .deliveries
        .iter()
        .map(|d| match d {
            Delivery::Post(p) => {
                assert_eq!(p.url, "http://127.0.0.1:19111/alert");
                normalize(serde_json::from_slice(&p.body).unwrap())
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(bodies, expected_posts(case, "/alert"));
}

#[test]
fn alert_tcp_handler() {
    let case = "alert_tcp_handler";
    let mut config = AlertConfig::new(case);
    config.handlers.push(Handler::Tcp(TcpHandler {
        address: "127.0.0.1:19112".into(),
    }));
    config.no_recoveries = true;
    config.templates = AlertTemplates::parse(
        None,
        Some(r#"{{ .ID }} {{ .Level }} {{ index .Fields "n" }}"#),
        None,
    )
    .unwrap();
    let levels =
        Levels::default().enter(Critical, Expr::Compare("n", BinaryOp::Gt, Value::Int(94)));
    let run = run(config, levels, stream(case, &[]));
    let lines: String = run
        .deliveries
        .iter()
        .map(|d| match d {
            Delivery::Tcp { line, .. } => {
                assert!(line.ends_with(b"}\n\n"));
                String::from_utf8(line.clone()).unwrap()
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        parse_lines(&lines),
        parse_lines(&testdata(case, "tcp.jsonl"))
    );
}

/// What the node passes on carries the level, id, message and duration it was asked to add.
#[test]
fn alert_downstream_all_fields_tags() {
    let case = "alert_downstream_all_fields_tags";
    let mut config = AlertConfig::new(case);
    config.templates = AlertTemplates::parse(
        Some(r#"{{ index .Tags "host" }}-alarm"#),
        Some("{{ .ID }}:{{ .Level }}"),
        None,
    )
    .unwrap();
    config.annotations = Annotations {
        level_tag: Some("lvl_t".into()),
        id_tag: Some("id_t".into()),
        level_field: Some("lvl_f".into()),
        message_field: Some("msg_f".into()),
        id_field: Some("id_f".into()),
        duration_field: Some("dur_f".into()),
    };
    let levels = Levels::default()
        .enter(Warning, above("v", 65.0))
        .enter(Critical, above("v", 85.0));
    let run = run(config, levels, stream(case, &["host"]));
    let results: Vec<Json> = run
        .passed_on
        .iter()
        .map(|m| normalize(serde_json::from_str(&result_json(m).unwrap()).unwrap()))
        .collect();
    assert_eq!(results, expected_posts(case, "/after_alert"));
}

#[test]
fn batch_alert_empty_batch() {
    let case = "batch_alert_empty_batch";
    let (start, stop) = (1_700_000_100 * 1_000_000_000, 1_700_000_340 * 1_000_000_000);
    let levels = Levels::default().enter(Critical, above("v", 27.0));
    let batches = query_batches(case, start, stop, |v| v > 20.0);
    assert!(
        batches
            .iter()
            .any(|b| matches!(b, Message::Batch(b) if b.points.is_empty()))
    );
    let run = run(svc(case), levels, batches);
    assert_alerts(case, &run);
}

#[test]
fn batch_alert_all() {
    let case = "batch_alert_all";
    let (start, stop) = (1_700_000_100 * 1_000_000_000, 1_700_000_400 * 1_000_000_000);
    let mut config = svc(case);
    config.all = true;
    config.templates = AlertTemplates::parse(
        None,
        Some("{{ .ID }} {{ .Level }} at {{ .Time.Unix }}"),
        None,
    )
    .unwrap();
    let levels = Levels::default()
        .enter(Warning, above("v", 5.0))
        .enter(Critical, above("v", 12.0));
    let run = run(config, levels, query_batches(case, start, stop, |_| true));
    assert_alerts(case, &run);
}
