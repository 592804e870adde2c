//! `|stats(interval)` and `|deadman(threshold, interval[, lambda...])`, the methods that
//! observe a node rather than receive from it, built as Kapacitor builds them so node names
//! and the DOT graph match:
//!
//! - `stats` is a new source: it lists the node it observes as its parent, but is not among
//!   that node's children (no data flows to it; it counts what the node emits). When the
//!   observed node has no children yet, a `noop` child is added so its output goes somewhere.
//! - `deadman` is `stats(interval).align() |derivative('emitted').unit(interval).nonNegative()
//!   |alert().crit(lambda: "emitted" <= threshold [AND lambda...])`; it returns the alert node,
//!   which the rest of the chain configures. Its id and message come from the program's
//!   `[deadman]` section when the task starts, so the alert node carries, as its arguments, the
//!   name of the observed node and the interval those templates mention.

use super::{Checker, Cursor};
use crate::ast::BinaryOp;
use crate::catalogue::{self, Edge, NodeSpec, Provides, ValueType};
use crate::ir::{self, Lambda, Property, StaticType, TypedExpr, TypedExprKind, Value};
use crate::span::Span;

/// The node Kapacitor adds under a childless observed node; it passes everything on and
/// cannot be written in a script.
pub(crate) static NOOP: NodeSpec = NodeSpec::chain(
    "noop",
    "noop",
    catalogue::Wants::Any,
    Provides::SameAsInput,
    "Gives a childless observed node somewhere to send its data.",
);

impl Checker<'_> {
    /// Builds `|stats()` or `|deadman()` (checked arguments in `args`) on `observed`.
    pub(super) fn observe(
        &mut self,
        observed: ir::NodeId,
        spec: &'static NodeSpec,
        args: Vec<Value>,
        link: Span,
    ) -> Cursor {
        let node = if spec.name == "deadman" {
            self.deadman(observed, args, link)
        } else {
            self.stats(observed, args, Vec::new(), link)
        };
        Cursor {
            node,
            handler: None,
        }
    }

    fn stats(
        &mut self,
        observed: ir::NodeId,
        args: Vec<Value>,
        properties: Vec<Property>,
        link: Span,
    ) -> ir::NodeId {
        let id = self.push_node(spec("stats"), vec![observed], args, properties, link);
        if let Some(node) = self.nodes.get_mut(id) {
            node.output = Some(Edge::Stream);
        }
        if self
            .nodes
            .get(observed)
            .is_some_and(|n| n.children.is_empty())
        {
            self.add_child(observed, &NOOP, Vec::new(), Vec::new(), link);
        }
        id
    }

    fn deadman(&mut self, observed: ir::NodeId, args: Vec<Value>, link: Span) -> ir::NodeId {
        let mut args = args.into_iter();
        let threshold = match args.next() {
            Some(Value::Float(f)) => f,
            Some(Value::Int(i)) => i as f64,
            _ => 0.0,
        };
        let interval = match args.next() {
            Some(Value::Duration(d)) => d,
            _ => 0,
        };
        let extra = args.filter_map(|v| match v {
            Value::Lambda(lambda) => Some(lambda.body),
            _ => None,
        });
        let stats_properties = property("stats", "align", Vec::new(), link);
        let stats = self.stats(observed, vec![Value::Duration(interval)], stats_properties, link);
        let derivative_properties = [
            property("derivative", "unit", vec![Value::Duration(interval)], link),
            property("derivative", "nonNegative", Vec::new(), link),
        ]
        .concat();
        let derivative = self.add_child(
            stats,
            spec("derivative"),
            vec![Value::String("emitted".to_owned())],
            derivative_properties,
            link,
        );
        let observed_name = self
            .nodes
            .get(observed)
            .map(|n| n.name.clone())
            .unwrap_or_default();
        let crit = extra.fold(emitted_at_most(threshold, link), |all, e| {
            binary(BinaryOp::And, all, e, link)
        });
        let alert_properties =
            property("alert", "crit", vec![Value::Lambda(Lambda { body: crit, span: link })], link);
        let templates_args = vec![Value::String(observed_name), Value::Duration(interval)];
        self.add_child(derivative, spec("alert"), templates_args, alert_properties, link)
    }

    /// A node chained after `parent`: its input is what the parent emits.
    fn add_child(
        &mut self,
        parent: ir::NodeId,
        spec: &'static NodeSpec,
        args: Vec<Value>,
        properties: Vec<Property>,
        link: Span,
    ) -> ir::NodeId {
        let id = self.push_node(spec, vec![parent], args, properties, link);
        let input = self.nodes.get_mut(parent).and_then(|p| {
            p.children.push(id);
            p.output
        });
        if let Some(node) = self.nodes.get_mut(id) {
            node.input = input;
            node.output = match spec.provides {
                Provides::Stream => Some(Edge::Stream),
                Provides::Batch => Some(Edge::Batch),
                Provides::SameAsInput => input,
                Provides::Nothing => None,
            };
        }
        id
    }

    fn push_node(
        &mut self,
        spec: &'static NodeSpec,
        parents: Vec<ir::NodeId>,
        args: Vec<Value>,
        properties: Vec<Property>,
        link: Span,
    ) -> ir::NodeId {
        let id = self.nodes.len();
        self.nodes.push(ir::Node {
            id,
            spec,
            name: format!("{}{id}", spec.desc),
            parents,
            children: Vec::new(),
            args,
            properties,
            handlers: Vec::new(),
            input: None,
            output: None,
            span: link,
        });
        id
    }
}

/// A node of the catalogue the expansion uses; they are all there (a test makes sure).
fn spec(name: &str) -> &'static NodeSpec {
    catalogue::node(name).unwrap_or(&NOOP)
}

/// A call of property `name` of node `node`, as a one-element list (empty if the catalogue
/// lacked it, which a test rules out).
fn property(node: &str, name: &str, args: Vec<Value>, span: Span) -> Vec<Property> {
    spec(node)
        .properties
        .iter()
        .find(|p| p.name == name)
        .map(|spec| Property { spec, args, span })
        .into_iter()
        .collect()
}

/// `"emitted" <= threshold`.
fn emitted_at_most(threshold: f64, span: Span) -> TypedExpr {
    let emitted = TypedExpr {
        kind: TypedExprKind::Reference("emitted".to_owned()),
        ty: StaticType::Dynamic,
        span,
    };
    let threshold = TypedExpr {
        kind: TypedExprKind::Float(threshold),
        ty: StaticType::Known(ValueType::Float),
        span,
    };
    binary(BinaryOp::Le, emitted, threshold, span)
}

fn binary(op: BinaryOp, lhs: TypedExpr, rhs: TypedExpr, span: Span) -> TypedExpr {
    TypedExpr {
        kind: TypedExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
        ty: StaticType::Known(ValueType::Bool),
        span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expansion_finds_its_catalogue_entries() {
        for (node, name) in [
            ("stats", "align"),
            ("derivative", "unit"),
            ("derivative", "nonNegative"),
            ("alert", "crit"),
        ] {
            assert_eq!(property(node, name, Vec::new(), Span::new(0, 0)).len(), 1, "{node}.{name}");
        }
    }
}

#[cfg(test)]
mod expansion_tests {
    use crate::check::{CheckOptions, check_source};

    /// Each node: name, parents → children, then its arguments, properties and handlers.
    fn graph(script: &str) -> String {
        let checked = check_source(script, &CheckOptions::default());
        let Some(task) = checked.task else {
            return format!("{:?}", checked.diagnostics);
        };
        let name = |id: &usize| task.nodes.get(*id).map_or("?", |n| n.name.as_str());
        task.nodes
            .iter()
            .map(|n| {
                let parents: Vec<&str> = n.parents.iter().map(name).collect();
                let children: Vec<&str> = n.children.iter().map(name).collect();
                let properties: Vec<String> = n
                    .properties
                    .iter()
                    .map(|p| format!(".{}{:?}", p.spec.name, p.args))
                    .collect();
                let handlers: Vec<String> =
                    n.handlers.iter().map(|h| format!(".{}{:?}", h.spec.name, h.args)).collect();
                let line = format!(
                    "{} {parents:?} -> {children:?} {:?} {} {}",
                    n.name,
                    n.args,
                    properties.join(" "),
                    handlers.join(" ")
                );
                line.trim_end().to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn stats_observes_and_gives_a_childless_node_a_noop() {
        let script = "dbrp \"db\".\"rp\"\nvar data = stream\n    |from()\n        .measurement('cpu')\ndata\n    |stats(1m)\n    |httpOut('stats')\ndata\n    |window()\n        .period(1m)\n        .every(1m)\n";
        insta::assert_snapshot!(graph(script), @r#"
stream0 [] -> ["from1"] []
from1 ["stream0"] -> ["noop3", "window5"] [] .measurement[String("cpu")]
stats2 ["from1"] -> ["http_out4"] [Duration(60000000000)]
noop3 ["from1"] -> [] []
http_out4 ["stats2"] -> [] [String("stats")]
window5 ["from1"] -> [] [] .period[Duration(60000000000)] .every[Duration(60000000000)]
"#);
    }

    #[test]
    fn deadman_expands_into_stats_derivative_and_alert() {
        let script = "dbrp \"db\".\"rp\"\nstream\n    |from()\n        .measurement('cpu')\n    |deadman(100.0, 10s, lambda: \"host\" == 'a')\n        .log('/tmp/dead.log')\n";
        insta::assert_snapshot!(graph(script), @r#"
stream0 [] -> ["from1"] []
from1 ["stream0"] -> ["noop3"] [] .measurement[String("cpu")]
stats2 ["from1"] -> ["derivative4"] [Duration(10000000000)] .align[]
noop3 ["from1"] -> [] []
derivative4 ["stats2"] -> ["alert5"] [String("emitted")] .unit[Duration(10000000000)] .nonNegative[]
alert5 ["derivative4"] -> [] [String("from1"), Duration(10000000000)] .crit[Lambda(Lambda { body: TypedExpr { kind: Binary { op: And, lhs: TypedExpr { kind: Binary { op: Le, lhs: TypedExpr { kind: Reference("emitted"), ty: Dynamic, span: Span { start: 66, end: 109 } }, rhs: TypedExpr { kind: Float(100.0), ty: Known(Float), span: Span { start: 66, end: 109 } } }, ty: Known(Bool), span: Span { start: 66, end: 109 } }, rhs: TypedExpr { kind: Binary { op: Eq, lhs: TypedExpr { kind: Reference("host"), ty: Dynamic, span: Span { start: 95, end: 101 } }, rhs: TypedExpr { kind: String("a"), ty: Known(String), span: Span { start: 105, end: 108 } } }, ty: Known(Bool), span: Span { start: 95, end: 108 } } }, ty: Known(Bool), span: Span { start: 66, end: 109 } }, span: Span { start: 66, end: 109 } })] .log[String("/tmp/dead.log")]
"#);
    }
}
