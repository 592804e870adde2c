//! Whole-node rules, checked once every property is set: the checks Kapacitor's pipeline
//! validation and node constructors make when a task is defined or started (a window needs
//! a length, a join one `.as()` name per parent, ...), with messages that say what to write.

use super::Checker;
use crate::diagnostic::Diagnostic;
use crate::ir::{Node, Property, Value};
use crate::span::Span;

impl Checker<'_> {
    pub(super) fn validate_nodes(&mut self) {
        let mut diagnostics = Vec::new();
        for node in self.nodes.iter().filter(|n| !self.tainted.contains(&n.id)) {
            validate(node, &mut diagnostics);
        }
        self.diagnostics.extend(diagnostics);
    }
}

fn validate(node: &Node, out: &mut Vec<Diagnostic>) {
    match node.spec.name {
        "window" => window(node, out),
        "join" => prefixes(node, "join", node.parents.len(), "joined parents", out),
        "combine" => prefixes(node, "combine", node.args.len(), "expressions", out),
        "eval" => eval(node, out),
        "groupBy" => dimensions(node, &node.args, node.property("exclude"), out),
        "from" => {
            for property in node.properties_named("groupBy") {
                dimensions(node, &property.args, None, out);
            }
        }
        "query" => query(node, out),
        "barrier" => barrier(node, out),
        "httpPost" => http_post(node, out),
        "kapacitorLoopback" => {
            for required in ["database", "retentionPolicy"] {
                if string(node, required).is_none_or(str::is_empty) {
                    out.push(
                        error(
                            node.span,
                            format!("`kapacitorLoopback` needs `.{required}(...)`"),
                        )
                        .with_label("no target"),
                    );
                }
            }
        }
        "alert" | "deadman" => alert(node, out),
        "sample" => {
            if matches!(node.args.first(), Some(Value::Int(n) | Value::Duration(n)) if *n <= 0) {
                out.push(error(
                    node.span,
                    "`sample` needs a positive count or duration".to_owned(),
                ));
            }
        }
        "shift" => {
            if matches!(node.args.first(), Some(Value::Duration(0))) {
                out.push(error(
                    node.span,
                    "`shift` needs a non-zero duration".to_owned(),
                ));
            }
        }
        "stats" => {
            if matches!(node.args.first(), Some(Value::Duration(d)) if *d <= 0) {
                out.push(error(
                    node.span,
                    "`stats` needs a positive interval".to_owned(),
                ));
            }
        }
        "k8sAutoscale" => autoscale(node, "resourceName", out),
        "swarmAutoscale" => autoscale(node, "serviceName", out),
        "ec2Autoscale" => autoscale(node, "groupName", out),
        _ => {}
    }
}

fn error(span: Span, message: String) -> Diagnostic {
    Diagnostic::error("invalid-node", span, message)
}

/// The first argument of the last call of a property.
fn first_arg<'a>(node: &'a Node, name: &str) -> Option<&'a Value> {
    node.property(name).and_then(|p| p.args.first())
}

fn duration(node: &Node, name: &str) -> i64 {
    match first_arg(node, name) {
        Some(Value::Duration(d)) => *d,
        _ => 0,
    }
}

fn int(node: &Node, name: &str) -> i64 {
    match first_arg(node, name) {
        Some(Value::Int(i)) => *i,
        _ => 0,
    }
}

fn string<'a>(node: &'a Node, name: &str) -> Option<&'a str> {
    match first_arg(node, name) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// The string arguments of a property call (`.as('a', 'b')`).
fn strings(property: &Property) -> Vec<&str> {
    property
        .args
        .iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        })
        .collect()
}

/// The span of a property if it was set, else of the node.
fn span_of(node: &Node, name: &str) -> Span {
    node.property(name).map_or(node.span, |p| p.span)
}

fn window(node: &Node, out: &mut Vec<Diagnostic>) {
    let (period, count) = (duration(node, "period"), int(node, "periodCount"));
    if period == 0 && count == 0 {
        out.push(
            error(
                node.span,
                "a window needs a length: `.period(d)` or `.periodCount(n)`".to_owned(),
            )
            .with_hint("for example `|window().period(1m).every(1m)`"),
        );
    }
    if period != 0 && count != 0 {
        out.push(
            error(
                span_of(node, "periodCount"),
                "a window has either `.period` or `.periodCount`, not both".to_owned(),
            )
            .with_secondary(span_of(node, "period"), "period set here"),
        );
    }
    if count != 0 && node.property("align").is_some() {
        out.push(error(
            span_of(node, "align"),
            "only time windows can be aligned, not count windows".to_owned(),
        ));
    }
    if count != 0 && int(node, "everyCount") <= 0 {
        out.push(
            error(
                span_of(node, "periodCount"),
                "a count window needs `.everyCount(n)` with n > 0".to_owned(),
            )
            .with_hint(format!(
                "to emit every {count} points: `.everyCount({count})`"
            )),
        );
    }
}

/// The `.as()` prefixes of join and combine: one per parent or expression, distinct,
/// non-empty and free of the delimiter.
fn prefixes(node: &Node, what: &str, expected: usize, counted: &str, out: &mut Vec<Diagnostic>) {
    let Some(property) = node.property("as") else {
        out.push(
            error(node.span, format!("`{what}` needs `.as(...)`: one prefix for each of its {expected} {counted}"))
                .with_hint("the prefixes name the output fields: `.as('cpu', 'mem')` gives `cpu.value`, `mem.value`"),
        );
        return;
    };
    let names = strings(property);
    if names.len() != expected {
        out.push(
            error(
                property.span,
                format!(
                    "`{what}` has {expected} {counted} but {}",
                    self::counted(names.len(), "`.as()` prefix")
                ),
            )
            .with_label(self::counted(names.len(), "prefix")),
        );
    }
    let delimiter = string(node, "delimiter").unwrap_or(".");
    for (index, name) in names.iter().enumerate() {
        if name.is_empty() {
            out.push(error(
                property.span,
                format!("`{what}` prefixes cannot be empty"),
            ));
        } else if !delimiter.is_empty() && name.contains(delimiter) {
            out.push(error(
                property.span,
                format!("the prefix '{name}' contains the delimiter '{delimiter}'"),
            ));
        } else if names[..index].contains(name) {
            out.push(error(
                property.span,
                format!("the prefix '{name}' is used twice"),
            ));
        }
    }
}

fn eval(node: &Node, out: &mut Vec<Diagnostic>) {
    let names = node.property("as").map(strings).unwrap_or_default();
    let expressions = node.args.len();
    if names.len() != expressions {
        let span = span_of(node, "as");
        out.push(
            error(
                span,
                format!(
                    "`eval` needs one `.as()` name per expression: {} and {}",
                    counted(expressions, "expression"),
                    counted(names.len(), "name")
                ),
            )
            .with_hint("each expression's result is stored in the field named at the same position in `.as()`"),
        );
    }
    for property in node.properties_named("tags") {
        for tag in strings(property) {
            if !names.contains(&tag) {
                out.push(
                    error(
                        property.span,
                        format!("`.tags('{tag}')` names no `.as()` result"),
                    )
                    .with_hint(format!(
                        "tags are chosen among the `.as()` names: {}",
                        names.join(", ")
                    )),
                );
            }
        }
    }
}

/// groupBy dimensions: tag names or `*`, not both; `.exclude()` only with `*`.
fn dimensions(node: &Node, dims: &[Value], exclude: Option<&Property>, out: &mut Vec<Diagnostic>) {
    let star = dims.iter().any(|d| matches!(d, Value::Star));
    if dims
        .iter()
        .any(|d| matches!(d, Value::String(s) if s.is_empty()))
    {
        out.push(error(
            node.span,
            "a group-by dimension cannot be the empty string".to_owned(),
        ));
    }
    if star
        && dims
            .iter()
            .any(|d| !matches!(d, Value::Star | Value::TimeDimension { .. }))
    {
        out.push(error(
            node.span,
            "group by `*` or by named tags, not both".to_owned(),
        ));
    }
    if let Some(exclude) = exclude
        && !star
    {
        out.push(
            error(
                exclude.span,
                "`.exclude()` applies only to `groupBy(*)`".to_owned(),
            )
            .with_hint(
                "group by `*` to exclude tags from all of them, or list just the tags you want",
            ),
        );
    }
}

fn query(node: &Node, out: &mut Vec<Diagnostic>) {
    let every = node.property("every");
    let cron = node.property("cron");
    match (every, cron) {
        (None, None) => out.push(
            error(
                node.span,
                "a query needs a schedule: `.every(d)` or `.cron('...')`".to_owned(),
            )
            .with_hint("for example `.period(5m).every(1m)`"),
        ),
        (Some(every), Some(cron)) => out.push(
            error(
                cron.span,
                "a query has either `.every` or `.cron`, not both".to_owned(),
            )
            .with_secondary(every.span, "every set here"),
        ),
        _ => {}
    }
    if duration(node, "every") < 0 {
        out.push(error(
            span_of(node, "every"),
            "`.every` cannot be negative".to_owned(),
        ));
    }
    if let Some(Value::String(text)) = node.args.first() {
        let starts_with_select = text
            .trim_start()
            .get(..6)
            .is_some_and(|w| w.eq_ignore_ascii_case("select"));
        if !starts_with_select {
            out.push(error(
                node.span,
                "a query must be a single SELECT statement".to_owned(),
            ));
        }
    }
    for property in node.properties_named("groupBy") {
        let times = property
            .args
            .iter()
            .filter(|d| matches!(d, Value::TimeDimension { .. }))
            .count();
        if times > 1 {
            out.push(error(
                property.span,
                "a query groups by at most one time() dimension".to_owned(),
            ));
        }
        dimensions(node, &property.args, None, out);
    }
}

/// Kapacitor's three checks: not both, and the one given greater than zero.
fn barrier(node: &Node, out: &mut Vec<Diagnostic>) {
    let (idle, period) = (duration(node, "idle"), duration(node, "period"));
    let (span, message) = match (idle, period) {
        (0, 0) => (node.span, "a barrier needs `.idle(d)` or `.period(d)`"),
        (_, 0) if idle < 0 => (span_of(node, "idle"), "a barrier's `.idle` must be greater than zero"),
        (0, _) if period < 0 => (span_of(node, "period"), "a barrier's `.period` must be greater than zero"),
        (0, _) | (_, 0) => return,
        _ => (span_of(node, "period"), "a barrier takes `.idle` or `.period`, not both"),
    };
    out.push(error(span, message.to_owned()));
}

fn http_post(node: &Node, out: &mut Vec<Diagnostic>) {
    let endpoints = node.properties_named("endpoint").count();
    match (node.args.len(), endpoints) {
        (0, 0) => out.push(error(
            node.span,
            "`httpPost` needs a URL or an `.endpoint(...)`".to_owned(),
        )),
        (1.., 1..) => out.push(error(
            span_of(node, "endpoint"),
            "`httpPost` takes a URL or an `.endpoint`, not both".to_owned(),
        )),
        (_, 2..) => out.push(error(
            span_of(node, "endpoint"),
            "`httpPost` takes one `.endpoint`".to_owned(),
        )),
        _ => {}
    }
    authenticate_header(node.properties_named("header"), out);
}

/// Kapacitor sets the authentication header itself.
fn authenticate_header<'a>(headers: impl Iterator<Item = &'a Property>, out: &mut Vec<Diagnostic>) {
    for header in headers {
        if matches!(header.args.first(), Some(Value::String(k)) if k.eq_ignore_ascii_case("authenticate"))
        {
            out.push(error(
                header.span,
                "the 'authenticate' header cannot be set".to_owned(),
            ));
        }
    }
}

fn alert(node: &Node, out: &mut Vec<Diagnostic>) {
    if let Some(flapping) = node.property("flapping") {
        let thresholds: Vec<f64> = flapping
            .args
            .iter()
            .filter_map(|v| match v {
                Value::Float(f) => Some(*f),
                Value::Int(i) => Some(*i as f64),
                _ => None,
            })
            .collect();
        if thresholds.iter().any(|t| !(0.0..=1.0).contains(t)) {
            out.push(
                error(flapping.span, "flapping thresholds are fractions between 0 and 1".to_owned())
                    .with_hint("`.flapping(0.25, 0.5)`: flapping starts above 50% state changes and stops below 25%"),
            );
        } else if let [low, high] = thresholds[..]
            && low > high
        {
            out.push(Diagnostic::warning(
                "flapping-order",
                flapping.span,
                "the low flapping threshold is above the high one: `.flapping(low, high)`",
            ));
        }
    }
    for handler in &node.handlers {
        match handler.spec.name {
            "post" => authenticate_header(
                handler
                    .properties
                    .iter()
                    .filter(|p| p.spec.name == "header"),
                out,
            ),
            "snmpTrap" => {
                if matches!(handler.args.first(), Some(Value::String(oid)) if oid.is_empty()) {
                    out.push(error(
                        handler.span,
                        "`.snmpTrap()` needs a trap OID".to_owned(),
                    ));
                }
                for data in handler.properties.iter().filter(|p| p.spec.name == "data") {
                    if let Some(Value::String(ty)) = data.args.get(1)
                        && !matches!(ty.as_str(), "c" | "i" | "n" | "s" | "t")
                    {
                        out.push(error(
                            data.span,
                            format!("'{ty}' is not an SNMP data type: c, i, n, s or t"),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
}

/// k8s, swarm and ec2 autoscale: exactly one way to name the resource, a replicas lambda,
/// and a minimum of at least one.
fn autoscale(node: &Node, resource: &str, out: &mut Vec<Diagnostic>) {
    let by_name = string(node, resource).is_some_and(|s| !s.is_empty());
    let by_tag = string(node, &format!("{resource}Tag")).is_some_and(|s| !s.is_empty());
    if by_name == by_tag {
        out.push(error(
            node.span,
            format!(
                "`{}` needs exactly one of `.{resource}(...)` and `.{resource}Tag(...)`",
                node.spec.name
            ),
        ));
    }
    if node.property("replicas").is_none() {
        out.push(error(
            node.span,
            format!(
                "`{}` needs a `.replicas(lambda: ...)` expression",
                node.spec.name
            ),
        ));
    }
    if node.property("min").is_some() && int(node, "min") < 1 {
        out.push(error(
            span_of(node, "min"),
            "`.min` must be at least 1".to_owned(),
        ));
    }
    if node.spec.name == "k8sAutoscale"
        && let Some(kind) = string(node, "kind")
        && !matches!(
            kind,
            "deployments" | "replicasets" | "replicationcontrollers"
        )
    {
        out.push(error(
            span_of(node, "kind"),
            format!("'{kind}' is not a kind: deployments, replicasets or replicationcontrollers"),
        ));
    }
}

/// "1 name", "2 names".
fn counted(n: usize, noun: &str) -> String {
    let suffix = if n == 1 {
        ""
    } else if noun.ends_with('x') {
        "es"
    } else {
        "s"
    };
    format!("{n} {noun}{suffix}")
}
