//! `|barrier()`: the runtime's `BarrierNode`, ticked by the wall clock.

use quote::quote;

use super::{NodeCode, properties};
use crate::codegen::literal;
use crate::ir::Node;

pub(super) fn generate(node: &Node) -> NodeCode {
    // The checker has made sure exactly one of idle and period is positive.
    let idle = literal::int(properties::duration(node, "idle").unwrap_or(0));
    let period = literal::int(properties::duration(node, "period").unwrap_or(0));
    let delete = properties::bool(node, "delete").unwrap_or(false);
    let name = &node.name;
    NodeCode {
        clocked: true,
        ..NodeCode::plain(
            quote!(rt::BarrierNode),
            quote!(rt::valid(#name, rt::BarrierNode::new(rt::BarrierConfig {
                idle: #idle,
                period: #period,
                delete: #delete,
            }))),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::check::{CheckOptions, check_source};
    use crate::codegen::generate_file;

    /// The lines of the generated module that build the barrier and tick it, and hand what it
    /// emits to the window below.
    #[test]
    fn the_barrier_is_built_from_its_properties_and_ticked_by_the_clock() {
        let script = "dbrp \"db\".\"rp\"\nstream\n    |from()\n        .groupBy('host')\n    |barrier()\n        .idle(30s)\n        .delete(TRUE)\n    |window()\n        .period(1m)\n        .every(1m)\n    |httpOut('w')\n";
        let task = check_source(script, &CheckOptions::default()).task.unwrap();
        let code = generate_file(&task, "barrier", script).unwrap();
        let wiring: Vec<&str> = code
            .lines()
            .map(str::trim)
            .filter(|l| {
                l.contains("barrier2")
                    || l.contains("Barrier")
                    || ["idle:", "period:", "delete:", "fn tick"].iter().any(|s| l.starts_with(s))
            })
            .collect();
        insta::assert_snapshot!(wiring.join("\n"), @r#"
nodes: &["stream0", "from1", "barrier2", "window3", "http_out4"],
barrier2: rt::Wired<rt::BarrierNode>,
barrier2: rt::Wired::new(
"barrier2",
rt::BarrierNode::new(rt::BarrierConfig {
idle: 30000000000,
period: 0,
delete: true,
period: 60000000000,
self.push_barrier2(msg.take());
self.push_barrier2(msg);
fn push_barrier2(&mut self, msg: rt::Message) {
let out = self.barrier2.push(msg);
self.emit_barrier2(out);
fn emit_barrier2(&mut self, mut out: Vec<rt::Message>) {
tap.emitted("barrier2", &out);
self.barrier2.recycle(out);
self.barrier2.stats("barrier2"),
fn tick(&mut self, now: rt::Time) {
let out = self.barrier2.tick(now);
self.emit_barrier2(out);
self.barrier2.snapshot("barrier2"),
self.barrier2.restore("barrier2", states, &mut failures);
"#);
    }
}
