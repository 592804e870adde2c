//! `|stats(interval)`: the runtime's `StatsNode`, ticked by the wall clock and shown what the
//! node it observes (its one parent, which does not list it as a child) emits.

use quote::quote;

use super::{NodeCode, properties};
use crate::codegen::literal;
use crate::ir::Node;

pub(super) fn generate(node: &Node) -> NodeCode {
    let interval = literal::int(properties::duration_arg(node, 0).unwrap_or(0));
    let align = properties::flag(node, "align");
    NodeCode {
        clocked: true,
        observes: node.parents.first().copied(),
        ..NodeCode::plain(quote!(rt::StatsNode), quote!(rt::StatsNode::new(#interval, #align)))
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
}
