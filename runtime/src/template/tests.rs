//! End-to-end tests of parsing and rendering.

use super::value::{MapElem, MapValue, StructValue, Value};
use super::{Phase, Template};

fn data() -> Value {
    let tags = MapValue::new(
        "models.Tags",
        MapElem::String,
        [
            ("host".into(), Value::string("web01")),
            ("dc".into(), Value::string("ams")),
        ],
    );
    let fields = MapValue::new(
        "models.Fields",
        MapElem::Any,
        [
            ("v".into(), Value::Float(95.5)),
            ("n".into(), Value::Int64(95)),
            ("status".into(), Value::string("down")),
        ],
    );
    StructValue::new("kapacitor.messageInfo")
        .embed(
            StructValue::new("kapacitor.idInfo")
                .field("Name", "svc")
                .field("Group", "nil")
                .field("Tags", tags),
        )
        .field("ID", "svc:nil")
        .field("Fields", fields)
        .field("Level", "CRITICAL")
        .field("Time", Value::Time(1_700_000_015_000_000_000))
        .field("Duration", Value::Duration(3_000_000_000))
        .field(
            "List",
            Value::List(vec![Value::string("a"), Value::string("b")].into()),
        )
        .field("Empty", Value::List(Vec::new().into()))
        .into()
}

fn render(src: &str) -> String {
    match Template::parse(src).and_then(|t| t.render(&data())) {
        Ok(s) => s,
        Err(e) => format!("ERROR {e}"),
    }
}

fn render_html(src: &str) -> String {
    match Template::parse_html(src).and_then(|t| t.render(&data())) {
        Ok(s) => s,
        Err(e) => format!("ERROR {e}"),
    }
}

#[test]
fn fields_maps_and_missing_values() {
    assert_eq!(
        render("{{ .Name }}:{{ .Group }} {{ .Level }}"),
        "svc:nil CRITICAL"
    );
    assert_eq!(
        render("{{ .Fields.v }} {{ .Fields.n }} {{ .Tags.host }}"),
        "95.5 95 web01"
    );
    assert_eq!(
        render(
            "[{{ .Fields.nope }}][{{ index .Fields \"nope\" }}][{{ .Tags.nope }}][{{ index .Tags \"nope\" }}]"
        ),
        "[<no value>][<no value>][<no value>][]"
    );
    assert_eq!(render("{{ .Fields.nope.deeper }}"), "<no value>");
    assert_eq!(
        render("{{ .Tags }} {{ .Fields }}"),
        "map[dc:ams host:web01] map[n:95 status:down v:95.5]"
    );
    assert_eq!(
        render("{{ .Time }} | {{ .Duration }} | {{ .List }}"),
        "2023-11-14 22:13:35 +0000 UTC | 3s | [a b]"
    );
}

#[test]
fn whole_struct_prints_like_go() {
    assert_eq!(
        render("{{ . }}"),
        "{{svc nil map[dc:ams host:web01]} svc:nil map[n:95 status:down v:95.5] CRITICAL 2023-11-14 22:13:35 +0000 UTC 3s [a b] []}"
    );
}

#[test]
fn methods_on_time_and_duration() {
    assert_eq!(
        render("{{ .Duration.Seconds }} {{ .Time.Unix }} {{ .Time.Format \"2006-01-02T15:04\" }}"),
        "3 1700000015 2023-11-14T22:13"
    );
    assert_eq!(render("{{ \"15:04:05\" | .Time.Format }}"), "22:13:35");
    assert_eq!(
        render("{{ .Time.Nope }}"),
        "ERROR executing template: can't evaluate field Nope in type time.Time (at byte 3)"
    );
}

#[test]
fn conditionals() {
    let src = "{{ if eq .Level \"CRITICAL\" }}PAGE{{ else if eq .Level \"OK\" }}clear{{ else }}note{{ end }}";
    assert_eq!(render(src), "PAGE");
    assert_eq!(
        render("{{ if .Empty }}x{{ else }}empty{{ end }}{{ if .List }} full{{ end }}"),
        "empty full"
    );
    assert_eq!(
        render("{{ if and .Fields.v (gt .Fields.v 90.0) }}hot{{ end }}"),
        "hot"
    );
    assert_eq!(
        render("{{ if or .Fields.nope .Tags.dc }}{{ or .Fields.nope .Tags.dc }}{{ end }}"),
        "ams"
    );
    assert_eq!(render("{{ if not .Fields.nope }}none{{ end }}"), "none");
    assert_eq!(
        render(
            "{{ with .Tags.host }}host={{ . }}{{ end }}{{ with .Fields.nope }}x{{ else }} none{{ end }}"
        ),
        "host=web01 none"
    );
}

#[test]
fn ranges() {
    assert_eq!(
        render("{{ range $k, $v := .Tags }}{{ $k }}={{ $v }};{{ end }}"),
        "dc=ams;host=web01;"
    );
    assert_eq!(
        render("{{ range .Fields }}{{ . }},{{ end }}"),
        "95,down,95.5,"
    );
    assert_eq!(
        render("{{ range $i, $e := .List }}{{ $i }}{{ $e }}{{ end }}"),
        "0a1b"
    );
    assert_eq!(render("{{ range $e := .List }}{{ $e }}{{ end }}"), "ab");
    assert_eq!(
        render(
            "{{ range .Empty }}x{{ else }}none{{ end }}{{ range .Fields.nope }}x{{ else }}, nil{{ end }}"
        ),
        "none, nil"
    );
    assert_eq!(render("{{ range .List }}{{ $.Name }}{{ end }}"), "svcsvc");
    assert!(
        render("{{ range .Level }}{{ end }}")
            .starts_with("ERROR executing template: range can't iterate over CRITICAL")
    );
}

#[test]
fn variables_and_scopes() {
    assert_eq!(
        render("{{ $x := .Level }}{{ $x }}{{ $x = \"OK\" }}{{ $x }}"),
        "CRITICALOK"
    );
    assert_eq!(
        render("{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}"),
        "21"
    );
    assert_eq!(
        render("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}"),
        "2"
    );
    assert_eq!(
        render("{{ $.Name }} {{ $ | printf \"%T\" }}"),
        "svc kapacitor.messageInfo"
    );
}

#[test]
fn pipelines_and_functions() {
    assert_eq!(render("{{ .Fields.v | printf \"%.1f\" }}"), "95.5");
    assert_eq!(
        render("{{ printf \"%s-%05d-%v\" .Name .Fields.n .Fields.v }}"),
        "svc-00095-95.5"
    );
    assert_eq!(render("{{ printf \"%d\" .Fields.v }}"), "%!d(float64=95.5)");
    assert_eq!(
        render("{{ print 1 2 \"x\" }}|{{ println .Name 3 }}|"),
        "1 2x|svc 3\n|"
    );
    assert_eq!(
        render("{{ len .Tags }} {{ len .Name }} {{ index .List 1 }}"),
        "2 3 b"
    );
    assert_eq!(
        render("{{ html \"<b>\" }} {{ js \"it's\" }} {{ urlquery \"a b\" }}"),
        "&lt;b&gt; it\\'s a+b"
    );
    assert_eq!(
        render("{{ (index .Fields \"v\") }} {{ (.Tags).host }}"),
        "95.5 web01"
    );
    assert_eq!(
        render("{{ eq .Fields.n 95 }} {{ lt .Duration 5000000000 }} {{ ne .Level \"OK\" }}"),
        "true true true"
    );
    assert_eq!(
        render("{{ 3 }} {{ 1.5 }} {{ 1e3 }} {{ 'a' }} {{ true }} {{ \"s\" }} {{ `r` }} {{ 0x10 }}"),
        "3 1.5 1000 97 true s r 16"
    );
}

#[test]
fn trimming_and_comments() {
    assert_eq!(
        render("a  {{- .Name -}}  b {{/* note */}}c{{- /* x */ -}} d"),
        "asvcb cd"
    );
}

#[test]
fn execution_errors_carry_spans() {
    let cases = [
        (
            "{{ .Nope }}",
            "can't evaluate field Nope in type kapacitor.messageInfo",
            3,
        ),
        (
            "ab {{ .Name.X }}",
            "can't evaluate field X in type string",
            6,
        ),
        (
            "{{ index .Name 1 2 }}",
            "error calling index: can't index item of type",
            3,
        ),
        (
            "{{ eq .Fields.v 95 }}",
            "error calling eq: incompatible types for comparison",
            3,
        ),
        (
            "{{ .Fields.v 1 }}",
            "v is not a method but has arguments",
            3,
        ),
        (
            "{{ .Name 1 }}",
            "Name has arguments but cannot be invoked as function",
            3,
        ),
        ("{{ nil }}", "nil is not a command", 3),
        ("{{ 1 2 }}", "can't give argument to non-function", 3),
        (
            "{{ printf 3 }}",
            "wrong type for value; expected string; got int",
            3,
        ),
        ("{{ len 3 }}", "len of type int", 3),
        (
            "{{ .Duration.Seconds 1 }}",
            "wrong number of args for Seconds: want 0 got 1",
            3,
        ),
    ];
    for (src, want, at) in cases {
        let err = Template::parse(src).unwrap().render(&data()).unwrap_err();
        assert_eq!(err.phase, Phase::Execute, "{src}");
        assert!(err.message.contains(want), "{src}: {}", err.message);
        assert_eq!(err.span.start, at, "{src}");
    }
}

#[test]
fn html_flavor_escapes_values_not_text() {
    assert_eq!(
        render_html("<b>{{ .Tags.host }}</b> & {{ \"<i>'a'+\\\"b\\\"</i>\" }}"),
        "<b>web01</b> & &lt;i&gt;&#39;a&#39;&#43;&#34;b&#34;&lt;/i&gt;"
    );
    assert_eq!(
        render_html("[{{ .Fields.nope }}][{{ index .Fields \"nope\" }}]"),
        "[][]"
    );
    assert_eq!(render_html("{{ \"<\" | html }}"), "&lt;");
    assert_eq!(
        render_html("{{ json .Tags }}"),
        "{&#34;dc&#34;:&#34;ams&#34;,&#34;host&#34;:&#34;web01&#34;}\n"
    );
    assert_eq!(render("{{ \"<\" }}"), "<");
}

#[test]
fn limits_stop_runaway_templates() {
    let wide = "{{ range .List }}{{ range $.List }}{{ range $.List }}{{ printf \"%999999s\" \"x\" }}{{ end }}{{ end }}{{ end }}";
    let err = Template::parse(wide)
        .unwrap()
        .render(&data())
        .map(|s| s.len())
        .unwrap_err();
    assert!(err.message.contains("output exceeds"), "{}", err.message);
    let hidden = "{{ range .List }}{{ range $.List }}{{ range $.List }}{{ range $.List }}{{ range $.List }}{{ range $.List }}{{ range $.List }}{{ $x := printf \"%999999s\" \"x\" }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}";
    let err = Template::parse(hidden)
        .unwrap()
        .render(&data())
        .map(|s| s.len())
        .unwrap_err();
    assert!(
        err.message.contains("produced more than"),
        "{}",
        err.message
    );
    let long = format!(
        "{}{{{{ 1 }}}}{}",
        "{{ range $.List }}".repeat(30),
        "{{ end }}".repeat(30)
    );
    let err = Template::parse(&long)
        .unwrap()
        .render(&data())
        .map(|s| s.len())
        .unwrap_err();
    assert!(err.message.contains("steps"), "{}", err.message);
}

#[test]
fn parse_errors_are_spanned() {
    let err = Template::parse("ok {{ if .X }}").unwrap_err();
    assert_eq!(err.phase, Phase::Parse);
    assert_eq!(err.span.start, 3);
    let err = Template::parse("x {{ .A | nope }}").unwrap_err();
    assert_eq!(&"x {{ .A | nope }}"[err.span.clone()], "nope");
}
