//! How long `tickc check` takes on a 200-line script: lex, parse and check, end to end.

use criterion::{criterion_group, criterion_main, Criterion};
use tickc::check::{check_source, CheckOptions};

/// A realistic 200-line script: the getting-started p95 task's shape, repeated with vars.
fn script() -> String {
    let mut s = String::from("dbrp \"telegraf\".\"autogen\"\n\nvar period = 1m\nvar warn = 2.5\n\n");
    let mut n = 0;
    while s.lines().count() < 200 {
        s.push_str(&format!(
            "var data{n} = stream\n    |from()\n        .measurement('cpu')\n        .where(lambda: \"host\" =~ /web{n}/ AND \"usage_idle\" < 90.0)\n    |eval(lambda: 100.0 - \"usage_idle\")\n        .as('used')\n    |groupBy('service', 'datacenter')\n    |window()\n        .period(period)\n        .every(period)\n    |percentile('used', 95.0)\n\ndata{n}\n    |eval(lambda: sigma(\"percentile\"))\n        .as('sigma')\n        .keep('percentile', 'sigma')\n    |alert()\n        .id('{{{{ .Name }}}}/{{{{ index .Tags \"service\" }}}}')\n        .warn(lambda: \"sigma\" > warn)\n        .crit(lambda: \"sigma\" > 3.0)\n        .log('/tmp/alerts_{n}.log')\n\n"
        ));
        n += 1;
    }
    s
}

fn bench_check(c: &mut Criterion) {
    let source = script();
    assert!(source.lines().count() >= 200);
    let checked = check_source(&source, &CheckOptions::default());
    assert!(checked.diagnostics.iter().all(|d| !d.is_error()), "{:?}", checked.diagnostics);
    c.bench_function("check 200-line script", |b| b.iter(|| check_source(std::hint::black_box(&source), &CheckOptions::default())));
}

criterion_group!(benches, bench_check);
criterion_main!(benches);
