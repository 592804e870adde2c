//! `|stats(interval)`: the runtime's `StatsNode`, ticked by the wall clock and shown what the
//! node it observes (its one parent, which does not list it as a child) emits. Also the id and
//! message of the alert `|deadman()` ends in, which come from the program's configuration.

use proc_macro2::TokenStream;
use quote::quote;

use super::{NodeCode, properties};
use crate::codegen::literal;
use crate::ir::{Node, Value};

pub(super) fn generate(node: &Node) -> NodeCode {
    let interval = literal::int(properties::duration_arg(node, 0).unwrap_or(0));
    let align = properties::flag(node, "align");
    NodeCode {
        clocked: true,
        observes: node.parents.first().copied(),
        ..NodeCode::plain(quote!(rt::StatsNode), quote!(rt::StatsNode::new(#interval, #align)))
    }
}

/// The default id and message templates of an alert `|deadman()` made (the checker gives it
/// the observed node's name and the interval as arguments), read from the program's
/// `[deadman]` section when the task starts; `None` for any other alert.
pub(super) fn deadman_templates(alert: &Node) -> Option<(TokenStream, TokenStream)> {
    match alert.args.as_slice() {
        [Value::String(observed), Value::Duration(interval)] => {
            let interval = literal::int(*interval);
            Some((
                quote!(Some(context.config.deadman.alert_id(#observed).as_str())),
                quote!(Some(context.config.deadman.alert_message(#interval).as_str())),
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::check::{CheckOptions, check_source};
    use crate::codegen::generate_file;

    /// The lines of the generated module that wire `stats` in: who shows it what, and the
    /// clock.
    #[test]
    fn the_observed_node_shows_its_output_to_stats_and_the_clock_ticks_it() {
        let script = "dbrp \"db\".\"rp\"\nstream\n    |from()\n        .measurement('cpu')\n    |deadman(0.0, 10s)\n        .log('/tmp/deadman.log')\n";
        let task = check_source(script, &CheckOptions::default()).task.unwrap();
        let code = generate_file(&task, "deadman", script).unwrap();
        let wiring: Vec<&str> = code
            .lines()
            .map(str::trim)
            .filter(|l| l.contains("stats2") || l.starts_with("fn tick") || l.starts_with("fn emit_from1"))
            .collect();
        insta::assert_snapshot!(wiring.join("\n"), @r#"
nodes: &["stream0", "from1", "stats2", "noop3", "derivative4", "alert5"],
stats2: rt::Wired<rt::StatsNode>,
stats2: rt::Wired::new(rt::StatsNode::new(10000000000, true)),
self.stats2.node.observe(out);
fn emit_from1(&mut self, mut out: Vec<rt::Message>) {
self.stats2.node.observe(&out);
fn emit_stats2(&mut self, mut out: Vec<rt::Message>) {
tap.emitted("stats2", &out);
self.stats2.recycle(out);
self.stats2.stats("stats2"),
fn tick(&mut self, now: rt::Time) {
let out = self.stats2.tick(now);
self.emit_stats2(out);
self.stats2.snapshot("stats2"),
self.stats2.restore("stats2", states, &mut failures);
"#);
    }


    /// The generated call that builds the deadman alert's templates, on one line.
    fn templates_call(script: &str) -> String {
        let task = check_source(script, &CheckOptions::default()).task.unwrap();
        let code = generate_file(&task, "deadman", script).unwrap();
        let code = code.split_whitespace().collect::<Vec<_>>().join(" ");
        let Some(start) = code.find("rt::AlertTemplates::parse(") else {
            return code;
        };
        let call = &code[start..];
        let mut depth = 0;
        let end = call.char_indices().find_map(|(i, c)| {
            depth += i32::from(c == '(') - i32::from(c == ')');
            (c == ')' && depth == 0).then_some(i + 1)
        });
        call[..end.unwrap_or(call.len())].to_owned()
    }

    /// Kapacitor reads `[deadman]` when the task is defined; tickc when the task starts, so
    /// an edited configuration applies without rebuilding. A script's own `.id()` wins.
    #[test]
    fn deadman_templates_come_from_the_configuration_unless_the_script_sets_them() {
        let script = "dbrp \"db\".\"rp\"\nstream\n    |from()\n        .measurement('cpu')\n    |deadman(0.0, 1m)\n";
        insta::assert_snapshot!(templates_call(script), @r#"rt::AlertTemplates::parse( Some(context.config.deadman.alert_id("from1").as_str()), Some( context.config.deadman.alert_message(60000000000).as_str(), ), None, )"#);
        let own_id = script.replace("|deadman(0.0, 1m)\n", "|deadman(0.0, 1m)\n        .id('mine')\n");
        insta::assert_snapshot!(templates_call(&own_id), @r#"rt::AlertTemplates::parse( Some("mine"), Some( context.config.deadman.alert_message(60000000000).as_str(), ), None, )"#);
    }
}
