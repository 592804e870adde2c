//! Snapshots of whole scripts, written messily, in their canonical layout.

use super::assert_contract;

#[test]
fn alert_script_with_template_vars_and_comments() {
    let script = r#"dbrp "telegraf"."autogen"
// thresholds (set per task)
var warn float
var crit=90.0
var ratio=.5
var period=5m
var groups=['host',dc,*]
var message='''{{ .ID }} is {{ .Level }}: it's '{{ index .Fields "value" }}' '''

stream|from().measurement('cpu').where(lambda: "cpu"=='cpu-total' AND "host" =~ /^web\d+$/)
  .groupBy(groups)
|window().period(period).every(1m).align()
|mean('usage_user').as('value')
|alert().id('cpu:{{ .Group }}')
.message(message)
.warn(lambda: "value" > warn)
  .crit(lambda: "value" > crit OR
        ("value" > 80 AND !("host" !~ /db/)))
// notify
.stateChangesOnly().log('/tmp/alerts.log').post('http://example.com/hook',)
"#;
    insta::assert_snapshot!("alert_script", assert_contract(script));
}

#[test]
fn batch_query_with_udf_and_join() {
    let script = r#"var data=batch|query('''SELECT mean("v") FROM "db"."rp"."m"''').period(2m).every(1m).groupBy(time(1m,10s),'host').fill(0)
var smoothed = data@movingAverage().field('mean').size(010)
data|join(smoothed).as('raw','avg').tolerance(1s)
    |eval(lambda: "raw.mean" - "avg.value", lambda: -("raw.mean" / 2.5) % 3)
        .as('diff','half')
    |influxDBOut().database('out').retentionPolicy('autogen').measurement('diffs').tag('kind','raw')
"#;
    insta::assert_snapshot!("batch_query_script", assert_contract(script));
}

#[test]
fn multi_line_arguments() {
    let script = "stream|eval(\n  lambda: \"a\" +\n  \"b\",\n  lambda: if(\"x\" > 0,\n'pos', 'neg'),\n)\n.as('sum', 'sign')\n|httpOut('x')";
    insta::assert_snapshot!("multi_line_arguments", assert_contract(script));
}
