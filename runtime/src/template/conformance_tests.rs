//! The templates of the conformance cases, rendered over event data rebuilt by hand from
//! the cases' inputs; the expected texts are the reference Kapacitor's outputs
//! (`expected/alerts.jsonl` of each case).

use crate::point::{FieldValue, Fields, Tags};

use super::Template;
use super::Value;
use super::alert_data::{
    EventData, IdData, MapsRead, ServerInfo, details_data, id_data, message_data,
};

const DEFAULT_ID: &str = "{{ .Name }}:{{ .Group }}";
const DEFAULT_MESSAGE: &str = "{{ .ID }} is {{ .Level }}";
const DEFAULT_DETAILS: &str = "{{ json . }}";

/// The reference's server identity, so default details compare whole.
fn server() -> ServerInfo {
    ServerInfo {
        hostname: "localhost".into(),
        cluster_id: "65c702e3-32c2-4fb3-9446-ab89ac2544bc".into(),
        server_id: "ddac7694-d02d-48c9-8652-48adf9923d0f".into(),
    }
}

struct Task<'a> {
    name: &'a str,
    measurement: &'a str,
    group: &'a str,
    id: &'a str,
    message: &'a str,
    details: &'a str,
}

/// One event: tags, fields, level, seconds since the epoch, duration in seconds.
struct Event<'a> {
    tags: &'a [(&'a str, &'a str)],
    fields: Vec<(&'a str, FieldValue)>,
    level: &'a str,
    time_s: i64,
    duration_s: i64,
}

/// Renders id, message and details as Kapacitor's alert node does for one event.
fn render(task: &Task<'_>, event: &Event<'_>) -> (String, String, String) {
    let tags = Tags::from_iter(
        event
            .tags
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let fields = Fields::from_iter(
        event
            .fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone())),
    );
    let server = server();
    let ids = IdData {
        name: task.measurement,
        task_name: task.name,
        group: task.group,
        tags: &tags,
        server: &server,
    };
    let id = Template::parse(task.id)
        .unwrap()
        .render(&id_data(&ids))
        .unwrap();
    let ev = EventData {
        id: &id,
        fields: &fields,
        level: event.level,
        time: event.time_s * 1_000_000_000,
        duration: event.duration_s * 1_000_000_000,
    };
    let data = message_data(&ids, &ev, MapsRead::ALL);
    let message = Template::parse(task.message)
        .unwrap()
        .render(&Value::Struct(data.clone()))
        .unwrap();
    let details = Template::parse_html(task.details)
        .unwrap()
        .render(&details_data(&data, &message))
        .unwrap();
    (id, message, details)
}

const SVC_TAGS: &[(&str, &str)] = &[("host", "web01"), ("dc", "ams")];

/// The `svc` series of the template cases: v (float), n (int), status (string).
fn svc(
    v: f64,
    n: i64,
    status: &str,
    level: &'static str,
    time_s: i64,
    duration_s: i64,
) -> Event<'static> {
    let fields = vec![
        ("v", FieldValue::Float(v)),
        ("n", FieldValue::Int(n)),
        ("status", FieldValue::String(status.to_owned())),
    ];
    Event {
        tags: SVC_TAGS,
        fields,
        level,
        time_s,
        duration_s,
    }
}

fn messages(task: &Task<'_>, events: &[Event<'_>]) -> String {
    events
        .iter()
        .map(|e| {
            let (id, message, _) = render(task, e);
            format!("{id} | {message}\n")
        })
        .collect()
}

#[test]
fn alert_template_all_vars() {
    let task = Task {
        name: "alert_template_all_vars",
        measurement: "svc",
        group: "dc=ams,host=web01",
        id: r#"{{ .TaskName }}|{{ .Name }}|{{ .Group }}|{{ index .Tags "host" }}"#,
        message: r#"{{ .ID }} L={{ .Level }} v={{ index .Fields "v" }} n={{ index .Fields "n" }} st={{ index .Fields "status" }} t={{ .Time }} d={{ .Duration }} tags={{ .Tags }}"#,
        details: DEFAULT_DETAILS,
    };
    let events = [
        svc(66.0, 66, "degraded", "WARNING", 1_700_000_006, 0),
        svc(95.5, 95, "down", "CRITICAL", 1_700_000_015, 9),
        svc(58.0, 58, "up", "OK", 1_700_000_024, 18),
    ];
    insta::assert_snapshot!(messages(&task, &events), @r"
    alert_template_all_vars|svc|dc=ams,host=web01|web01 | alert_template_all_vars|svc|dc=ams,host=web01|web01 L=WARNING v=66 n=66 st=degraded t=2023-11-14 22:13:26 +0000 UTC d=0s tags=map[dc:ams host:web01]
    alert_template_all_vars|svc|dc=ams,host=web01|web01 | alert_template_all_vars|svc|dc=ams,host=web01|web01 L=CRITICAL v=95.5 n=95 st=down t=2023-11-14 22:13:35 +0000 UTC d=9s tags=map[dc:ams host:web01]
    alert_template_all_vars|svc|dc=ams,host=web01|web01 | alert_template_all_vars|svc|dc=ams,host=web01|web01 L=OK v=58 n=58 st=up t=2023-11-14 22:13:44 +0000 UTC d=18s tags=map[dc:ams host:web01]
    ");
    let (_, _, details) = render(&task, &events[0]);
    assert_eq!(
        details,
        "{&#34;Name&#34;:&#34;svc&#34;,&#34;TaskName&#34;:&#34;alert_template_all_vars&#34;,&#34;Group&#34;:&#34;dc=ams,host=web01&#34;,&#34;Tags&#34;:{&#34;dc&#34;:&#34;ams&#34;,&#34;host&#34;:&#34;web01&#34;},&#34;ServerInfo&#34;:{&#34;Hostname&#34;:&#34;localhost&#34;,&#34;ClusterID&#34;:&#34;65c702e3-32c2-4fb3-9446-ab89ac2544bc&#34;,&#34;ServerID&#34;:&#34;ddac7694-d02d-48c9-8652-48adf9923d0f&#34;},&#34;ID&#34;:&#34;alert_template_all_vars|svc|dc=ams,host=web01|web01&#34;,&#34;Fields&#34;:{&#34;n&#34;:66,&#34;status&#34;:&#34;degraded&#34;,&#34;v&#34;:66},&#34;Level&#34;:&#34;WARNING&#34;,&#34;Time&#34;:&#34;2023-11-14T22:13:26Z&#34;,&#34;Duration&#34;:0,&#34;Message&#34;:&#34;alert_template_all_vars|svc|dc=ams,host=web01|web01 L=WARNING v=66 n=66 st=degraded t=2023-11-14 22:13:26 &#43;0000 UTC d=0s tags=map[dc:ams host:web01]&#34;}\n"
    );
}

#[test]
fn alert_template_if_eq_printf() {
    let task = Task {
        name: "alert_template_if_eq_printf",
        measurement: "svc",
        group: "",
        id: r#"svc-{{ index .Tags "host" }}"#,
        message: r#"{{ if eq .Level "CRITICAL" }}PAGE{{ else if eq .Level "OK" }}clear{{ else }}note{{ end }} {{ printf "%.1f" (index .Fields "v") }} {{ printf "%05d" (index .Fields "n") }} {{ .Duration.Seconds }}"#,
        details: DEFAULT_DETAILS,
    };
    let events = [
        svc(66.0, 66, "degraded", "WARNING", 1_700_000_006, 0),
        svc(95.5, 95, "down", "CRITICAL", 1_700_000_015, 9),
        svc(58.0, 58, "up", "OK", 1_700_000_024, 18),
        svc(74.0, 74, "degraded", "WARNING", 1_700_000_018, 12),
    ];
    insta::assert_snapshot!(messages(&task, &events), @r"
    svc-web01 | note 66.0 00066 0
    svc-web01 | PAGE 95.5 00095 9
    svc-web01 | clear 58.0 00058 18
    svc-web01 | note 74.0 00074 12
    ");
    let (_, _, details) = render(&task, &events[0]);
    assert_eq!(
        details,
        "{&#34;Name&#34;:&#34;svc&#34;,&#34;TaskName&#34;:&#34;alert_template_if_eq_printf&#34;,&#34;Group&#34;:&#34;nil&#34;,&#34;Tags&#34;:{&#34;dc&#34;:&#34;ams&#34;,&#34;host&#34;:&#34;web01&#34;},&#34;ServerInfo&#34;:{&#34;Hostname&#34;:&#34;localhost&#34;,&#34;ClusterID&#34;:&#34;65c702e3-32c2-4fb3-9446-ab89ac2544bc&#34;,&#34;ServerID&#34;:&#34;ddac7694-d02d-48c9-8652-48adf9923d0f&#34;},&#34;ID&#34;:&#34;svc-web01&#34;,&#34;Fields&#34;:{&#34;n&#34;:66,&#34;status&#34;:&#34;degraded&#34;,&#34;v&#34;:66},&#34;Level&#34;:&#34;WARNING&#34;,&#34;Time&#34;:&#34;2023-11-14T22:13:26Z&#34;,&#34;Duration&#34;:0,&#34;Message&#34;:&#34;note 66.0 00066 0&#34;}\n"
    );
}

#[test]
fn alert_template_ungrouped_nil() {
    let task = Task {
        name: "alert_template_ungrouped_nil",
        measurement: "svc",
        group: "",
        id: r#"{{ .Name }}:{{ .Group }}:{{ index .Tags "host" }}:{{ index .Tags "missing" }}"#,
        message: "{{ .ID }} {{ .Level }} fields={{ .Fields }}",
        details: DEFAULT_DETAILS,
    };
    let events = [
        svc(91.0, 91, "down", "CRITICAL", 1_700_000_012, 0),
        svc(95.5, 95, "down", "CRITICAL", 1_700_000_015, 3),
    ];
    insta::assert_snapshot!(messages(&task, &events), @r"
    svc:nil:web01: | svc:nil:web01: CRITICAL fields=map[n:91 status:down v:91]
    svc:nil:web01: | svc:nil:web01: CRITICAL fields=map[n:95 status:down v:95.5]
    ");
}

#[test]
fn alert_details_custom_html() {
    let task = Task {
        name: "alert_details_custom_html",
        measurement: "svc",
        group: "",
        id: DEFAULT_ID,
        message: r#"{{ .ID }} <{{ .Level }}> & "{{ index .Fields "status" }}""#,
        details: r#"<b>{{ .Message }}</b> & v={{ index .Fields "v" }} "q" {{ .TaskName }} {{ index .Tags "dc" }}"#,
    };
    let (id, message, details) =
        render(&task, &svc(91.0, 91, "down", "CRITICAL", 1_700_000_012, 0));
    assert_eq!(id, "svc:nil");
    assert_eq!(message, r#"svc:nil <CRITICAL> & "down""#);
    assert_eq!(
        details,
        r#"<b>svc:nil &lt;CRITICAL&gt; &amp; &#34;down&#34;</b> & v=91 "q" alert_details_custom_html ams"#
    );
    let (_, _, details) = render(&task, &svc(95.5, 95, "down", "CRITICAL", 1_700_000_015, 3));
    assert_eq!(
        details,
        r#"<b>svc:nil &lt;CRITICAL&gt; &amp; &#34;down&#34;</b> & v=95.5 "q" alert_details_custom_html ams"#
    );
}

#[test]
fn alert_id_per_host_ungrouped() {
    let task = Task {
        name: "alert_id_per_host_ungrouped",
        measurement: "svc",
        group: "",
        id: r#"{{ index .Tags "host" }}"#,
        message: DEFAULT_MESSAGE,
        details: DEFAULT_DETAILS,
    };
    let event = Event {
        tags: &[("host", "b"), ("dc", "fra")],
        fields: vec![("v", FieldValue::Float(88.0))],
        level: "WARNING",
        time_s: 1_700_000_003,
        duration_s: 0,
    };
    let (id, message, details) = render(&task, &event);
    assert_eq!(id, "b");
    assert_eq!(message, "b is WARNING");
    assert_eq!(
        details,
        "{&#34;Name&#34;:&#34;svc&#34;,&#34;TaskName&#34;:&#34;alert_id_per_host_ungrouped&#34;,&#34;Group&#34;:&#34;nil&#34;,&#34;Tags&#34;:{&#34;dc&#34;:&#34;fra&#34;,&#34;host&#34;:&#34;b&#34;},&#34;ServerInfo&#34;:{&#34;Hostname&#34;:&#34;localhost&#34;,&#34;ClusterID&#34;:&#34;65c702e3-32c2-4fb3-9446-ab89ac2544bc&#34;,&#34;ServerID&#34;:&#34;ddac7694-d02d-48c9-8652-48adf9923d0f&#34;},&#34;ID&#34;:&#34;b&#34;,&#34;Fields&#34;:{&#34;v&#34;:88},&#34;Level&#34;:&#34;WARNING&#34;,&#34;Time&#34;:&#34;2023-11-14T22:13:23Z&#34;,&#34;Duration&#34;:0,&#34;Message&#34;:&#34;b is WARNING&#34;}\n"
    );
}

#[test]
fn gs_cpu_p95_sigma() {
    let task = Task {
        name: "gs_cpu_p95_sigma",
        measurement: "cpu",
        group: "datacenter=us-east,service=web",
        id: r#"{{ .Name }}/{{ index .Tags "service" }}/{{ index .Tags "datacenter"}}"#,
        message: r#"{{ .ID }} is {{ .Level }} cpu-95th:{{ index .Fields "percentile" }}"#,
        details: DEFAULT_DETAILS,
    };
    let tags: &[(&str, &str)] = &[
        ("cpu", "cpu-total"),
        ("datacenter", "us-east"),
        ("host", "serverA"),
        ("service", "web"),
    ];
    let event = |p: f64, s: f64, level, time_s, duration_s| Event {
        tags,
        fields: vec![
            ("percentile", FieldValue::Float(p)),
            ("sigma", FieldValue::Float(s)),
        ],
        level,
        time_s,
        duration_s,
    };
    let events = [
        event(51.195, 4.353729713606952, "CRITICAL", 1_700_001_260, 0),
        event(
            9.662999999999997,
            0.3883371979476854,
            "OK",
            1_700_001_380,
            120,
        ),
    ];
    insta::assert_snapshot!(messages(&task, &events), @r"
    cpu/web/us-east | cpu/web/us-east is CRITICAL cpu-95th:51.195
    cpu/web/us-east | cpu/web/us-east is OK cpu-95th:9.662999999999997
    ");
    let (_, _, details) = render(&task, &events[0]);
    assert_eq!(
        details,
        "{&#34;Name&#34;:&#34;cpu&#34;,&#34;TaskName&#34;:&#34;gs_cpu_p95_sigma&#34;,&#34;Group&#34;:&#34;datacenter=us-east,service=web&#34;,&#34;Tags&#34;:{&#34;cpu&#34;:&#34;cpu-total&#34;,&#34;datacenter&#34;:&#34;us-east&#34;,&#34;host&#34;:&#34;serverA&#34;,&#34;service&#34;:&#34;web&#34;},&#34;ServerInfo&#34;:{&#34;Hostname&#34;:&#34;localhost&#34;,&#34;ClusterID&#34;:&#34;65c702e3-32c2-4fb3-9446-ab89ac2544bc&#34;,&#34;ServerID&#34;:&#34;ddac7694-d02d-48c9-8652-48adf9923d0f&#34;},&#34;ID&#34;:&#34;cpu/web/us-east&#34;,&#34;Fields&#34;:{&#34;percentile&#34;:51.195,&#34;sigma&#34;:4.353729713606952},&#34;Level&#34;:&#34;CRITICAL&#34;,&#34;Time&#34;:&#34;2023-11-14T22:34:20Z&#34;,&#34;Duration&#34;:0,&#34;Message&#34;:&#34;cpu/web/us-east is CRITICAL cpu-95th:51.195&#34;}\n"
    );
}

#[test]
fn gs_default_templates() {
    let task = Task {
        name: "gs_cpu_idle_threshold",
        measurement: "cpu",
        group: "",
        id: DEFAULT_ID,
        message: DEFAULT_MESSAGE,
        details: DEFAULT_DETAILS,
    };
    let event = Event {
        tags: &[
            ("cpu", "cpu-total"),
            ("datacenter", "us-east"),
            ("host", "serverA"),
            ("service", "web"),
        ],
        fields: vec![
            ("usage_idle", FieldValue::Float(48.805)),
            ("usage_system", FieldValue::Float(15.359)),
            ("usage_user", FieldValue::Float(35.836)),
        ],
        level: "CRITICAL",
        time_s: 1_700_001_200,
        duration_s: 0,
    };
    let (id, message, details) = render(&task, &event);
    assert_eq!(id, "cpu:nil");
    assert_eq!(message, "cpu:nil is CRITICAL");
    assert!(details.contains("&#34;Fields&#34;:{&#34;usage_idle&#34;:48.805,&#34;usage_system&#34;:15.359,&#34;usage_user&#34;:35.836}"), "{details}");
    assert!(details.ends_with("&#34;Time&#34;:&#34;2023-11-14T22:33:20Z&#34;,&#34;Duration&#34;:0,&#34;Message&#34;:&#34;cpu:nil is CRITICAL&#34;}\n"), "{details}");
}

#[test]
fn handler_side_data_is_flat() {
    use super::alert_data::{HandlerData, handler_data};
    let tags = Tags::from_iter([("host".to_owned(), "a".to_owned())]);
    let fields = Fields::from_iter([("v".to_owned(), FieldValue::Float(1.5))]);
    let data = handler_data(&HandlerData {
        id: "cpu:nil",
        message: "m",
        level: "OK",
        time: 0,
        duration: 1_000_000_000,
        details: "d",
        name: "cpu",
        task_name: "t",
        group: "nil",
        tags: &tags,
        fields: &fields,
    });
    let t = Template::parse("{{ .ID }} {{ .Details }} {{ .Duration }} {{ .Tags.host }} {{ printf \"%T %T\" .Tags .Fields }}").unwrap();
    assert_eq!(
        t.render(&data).unwrap(),
        "cpu:nil d 1s a map[string]string map[string]interface {}"
    );
}
