//! Which points of the stream a task can use, read off its `from()` nodes at compile time: the
//! database and retention policy, the measurement, and the tag equalities of the `.where()`
//! lambdas (`"host" == 'web1'` in a chain of `AND`s). The runtime hands a task only the points
//! of its routes, so a hundred tasks each on their own host do not each look at every point.
//!
//! A route only ever narrows when it is certain that the `from()` rejects every point outside
//! it: anything the extraction does not understand (`OR`, `!=`, regexes, functions, a lambda
//! with stateful functions, which must see every point) leaves that part unconstrained.

use crate::ast::BinaryOp;
use crate::catalogue::Edge;
use crate::ir::{Dbrp, Node, Task, TypedExpr, TypedExprKind, Value};

/// Points a task can use: those of a database and retention policy, of a measurement when it is
/// set, whose tags equal `tags` (by name, each name once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub database: String,
    pub retention_policy: String,
    pub measurement: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// The routes of `task`: one per `from()` node and dbrp the node reads, without repeats. A
/// batch task takes no points from the stream: it has none.
pub fn routes(task: &Task) -> Vec<Route> {
    if task.kind != Edge::Stream {
        return Vec::new();
    }
    let Some(root) = task.nodes.first() else {
        return Vec::new();
    };
    let mut routes: Vec<Route> = Vec::new();
    for child in root.children.iter().filter_map(|&id| task.nodes.get(id)) {
        // The stream root only has from() children; anything else takes every point.
        let selection = (child.spec.name == "from").then(|| Selection::of(child));
        for dbrp in &task.dbrps {
            let route = match &selection {
                Some(selection) => selection.route(dbrp),
                None => Some(every_point(dbrp)),
            };
            if let Some(route) = route
                && !routes.contains(&route)
            {
                routes.push(route);
            }
        }
    }
    routes
}

/// What one `from()` selects.
#[derive(Debug)]
struct Selection {
    database: Option<String>,
    retention_policy: Option<String>,
    measurement: Option<String>,
    tags: Vec<(String, String)>,
}

impl Selection {
    fn of(from: &Node) -> Selection {
        let wheres: Vec<&TypedExpr> = from
            .properties_named("where")
            .filter_map(|p| match p.args.first() {
                Some(Value::Lambda(lambda)) => Some(&lambda.body),
                _ => None,
            })
            .collect();
        let mut tags = Vec::new();
        // A stateful function counts the points it is shown: it must be shown them all.
        if !wheres.iter().any(|body| has_stateful_call(body)) {
            for body in wheres {
                tag_equalities(body, &mut tags);
            }
        }
        tags.sort();
        tags.dedup();
        // Two values for one tag: no point has both, unless it has a field of that name; keeping
        // the first is still a condition every passing point meets.
        tags.dedup_by(|later, earlier| later.0 == earlier.0);
        Selection {
            database: string_property(from, "database"),
            retention_policy: string_property(from, "retentionPolicy"),
            measurement: string_property(from, "measurement"),
            tags,
        }
    }

    /// The route of a task dbrp through this `from()`; none when the `from()` names another
    /// database or retention policy.
    fn route(&self, dbrp: &Dbrp) -> Option<Route> {
        let differs =
            |wanted: &Option<String>, actual: &str| wanted.as_deref().is_some_and(|w| w != actual);
        if differs(&self.database, &dbrp.database)
            || differs(&self.retention_policy, &dbrp.retention_policy)
        {
            return None;
        }
        Some(Route {
            measurement: self.measurement.clone(),
            tags: self.tags.clone(),
            ..every_point(dbrp)
        })
    }
}

/// Every point of `dbrp`.
fn every_point(dbrp: &Dbrp) -> Route {
    Route {
        database: dbrp.database.clone(),
        retention_policy: dbrp.retention_policy.clone(),
        measurement: None,
        tags: Vec::new(),
    }
}

/// The string argument of the last call of property `name`.
fn string_property(node: &Node, name: &str) -> Option<String> {
    match node.property(name)?.args.first()? {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// Adds the `"tag" == 'value'` conjuncts of `expr` (read through `AND`s) to `tags`.
fn tag_equalities(expr: &TypedExpr, tags: &mut Vec<(String, String)>) {
    let TypedExprKind::Binary { op, lhs, rhs } = &expr.kind else {
        return;
    };
    match op {
        BinaryOp::And => {
            tag_equalities(lhs, tags);
            tag_equalities(rhs, tags);
        }
        BinaryOp::Eq => {
            let equality = match (&lhs.kind, &rhs.kind) {
                (TypedExprKind::Reference(name), TypedExprKind::String(value))
                | (TypedExprKind::String(value), TypedExprKind::Reference(name)) => {
                    Some((name, value))
                }
                _ => None,
            };
            // `"time"` is the point's time, never a tag.
            if let Some((name, value)) = equality
                && name != "time"
            {
                tags.push((name.clone(), value.clone()));
            }
        }
        _ => {}
    }
}

fn has_stateful_call(expr: &TypedExpr) -> bool {
    match &expr.kind {
        TypedExprKind::Call {
            state_slot: Some(_),
            ..
        } => true,
        TypedExprKind::Call { args, .. } | TypedExprKind::UnknownCall { args, .. } => {
            args.iter().any(has_stateful_call)
        }
        TypedExprKind::Unary { operand, .. } => has_stateful_call(operand),
        TypedExprKind::Binary { lhs, rhs, .. } => has_stateful_call(lhs) || has_stateful_call(rhs),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckOptions, check_source};

    fn routes_of(script: &str) -> Vec<Route> {
        let checked = check_source(script, &CheckOptions::default());
        let task = checked
            .task
            .unwrap_or_else(|| panic!("{script}: {:?}", checked.diagnostics));
        routes(&task)
    }

    /// The routes of a stream task on "telegraf"."autogen" whose one from() has `properties`,
    /// as `measurement tag=value,...` (`*` for any measurement), one per route.
    fn shown(properties: &str) -> String {
        let script = format!("dbrp \"telegraf\".\"autogen\"\nstream\n    |from(){properties}\n");
        show(&routes_of(&script))
    }

    fn show(routes: &[Route]) -> String {
        routes
            .iter()
            .map(|r| {
                let tags: Vec<String> = r.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!(
                    "{}.{} {} {}",
                    r.database,
                    r.retention_policy,
                    r.measurement.as_deref().unwrap_or("*"),
                    tags.join(",")
                )
                .trim_end()
                .to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_tag_equality_narrows_either_way_round() {
        let host = shown(".measurement('cpu').where(lambda: \"host\" == 'host001')");
        assert_eq!(host, "telegraf.autogen cpu host=host001");
        let reversed = shown(".measurement('cpu').where(lambda: 'host001' == \"host\")");
        assert_eq!(reversed, host);
    }

    #[test]
    fn the_conjuncts_of_and_narrow_together() {
        assert_eq!(
            shown(
                ".where(lambda: \"host\" == 'a' AND \"usage_idle\" < 10 AND (\"dc\" == 'west' AND TRUE))"
            ),
            "telegraf.autogen * dc=west,host=a"
        );
        assert_eq!(
            shown(
                ".measurement('cpu').where(lambda: \"host\" == 'a').where(lambda: \"cpu\" == 'cpu-total')"
            ),
            "telegraf.autogen cpu cpu=cpu-total,host=a"
        );
    }

    #[test]
    fn what_is_not_a_certain_tag_equality_does_not_narrow() {
        let unconstrained = [
            ".measurement('cpu').where(lambda: \"host\" == 'a' OR \"host\" == 'b')",
            ".measurement('cpu').where(lambda: \"host\" != 'a')",
            ".measurement('cpu').where(lambda: \"host\" =~ /^a$/)",
            ".measurement('cpu').where(lambda: NOT (\"host\" == 'a'))",
            ".measurement('cpu').where(lambda: \"host\" == \"other\")",
            ".measurement('cpu').where(lambda: \"usage_idle\" == 10)",
            ".measurement('cpu').where(lambda: \"time\" == 'a')",
            ".measurement('cpu').where(lambda: strContains(\"host\", 'a'))",
            ".measurement('cpu').where(lambda: (\"host\" == 'a') == TRUE)",
            ".measurement('cpu')",
        ];
        for properties in unconstrained {
            assert_eq!(shown(properties), "telegraf.autogen cpu", "{properties}");
        }
        assert_eq!(shown(""), "telegraf.autogen *");
    }

    #[test]
    fn a_where_with_a_stateful_function_does_not_narrow() {
        assert_eq!(
            shown(".measurement('cpu').where(lambda: \"host\" == 'a' AND count() > 5)"),
            "telegraf.autogen cpu"
        );
        assert_eq!(
            shown(
                ".measurement('cpu').where(lambda: \"host\" == 'a').where(lambda: sigma(\"usage_idle\") > 3.0)"
            ),
            "telegraf.autogen cpu"
        );
    }

    #[test]
    fn two_values_for_one_tag_keep_one_of_them() {
        assert_eq!(
            shown(".where(lambda: \"host\" == 'b' AND \"host\" == 'a' AND \"host\" == 'b')"),
            "telegraf.autogen * host=a"
        );
    }

    #[test]
    fn several_froms_route_the_union_and_each_dbrp_apart() {
        let script = "dbrp \"telegraf\".\"autogen\"\ndbrp \"other\".\"rp\"\n\
            var s = stream\n\
            s|from().measurement('cpu').where(lambda: \"host\" == 'a')\n\
            s|from().measurement('cpu').where(lambda: \"host\" == 'a')\n\
            s|from().database('other').measurement('mem')\n\
            s|from().database('nowhere')\n";
        assert_eq!(
            show(&routes_of(script)),
            "telegraf.autogen cpu host=a\nother.rp cpu host=a\nother.rp mem"
        );
    }

    #[test]
    fn a_batch_task_has_no_routes() {
        let script = "dbrp \"telegraf\".\"autogen\"\nbatch\n    |query('SELECT mean(usage_idle) FROM \"telegraf\".\"autogen\".cpu')\n        .period(1m)\n        .every(1m)\n";
        assert!(routes_of(script).is_empty());
    }
}
