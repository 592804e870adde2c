//! Chain links: `|node()` creates a node on the edge of its parent, `.property()` sets a
//! property of the node (or of the alert handler just started), `@udf()` names a UDF.

use super::args::Callee;
use super::{Checker, Cursor};
use crate::ast::{ChainOp, Expr, ExprKind, Ident};
use crate::catalogue::{
    self, Edge, NODES, NodeFamily, NodeSpec, Parents, Provides, Wants, did_you_mean,
};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Handler, Property, Value};
use crate::span::Span;

/// How many names a "valid names include" hint lists.
const HINT_NAMES: usize = 6;

impl Checker<'_> {
    /// Evaluates a chain to the position its last link leaves: a node, maybe in a handler.
    pub(super) fn eval_chain(&mut self, expr: &Expr) -> Option<Cursor> {
        let ExprKind::Chain {
            target,
            op,
            name,
            args,
        } = &expr.kind
        else {
            let value = self.eval(expr)?;
            return self.cursor_of(value, expr.span);
        };
        let cursor = self.eval_chain(target);
        let link = self.link_span(*op, name, expr.span);
        let Some(cursor) = cursor else {
            // Still check what the arguments say on their own.
            for arg in args.iter().flatten() {
                let _ = self.eval(arg);
            }
            return None;
        };
        match op {
            ChainOp::Pipe => self.chain_node(cursor, name, args.as_deref().unwrap_or(&[]), link),
            ChainOp::Dot => self.set_property(cursor, name, args.as_deref(), link),
            ChainOp::At => {
                self.report(
                    Diagnostic::error("udf", link, "UDFs are not supported by tickc")
                        .with_label(format!("the UDF `{}`", name.name))
                        .with_hint("a UDF is an external process that Kapacitor talks to; tickc compiles the whole task and cannot call one"),
                );
                None
            }
        }
    }

    /// The span of a link from its operator to its closing parenthesis.
    fn link_span(&self, op: ChainOp, name: &Ident, chain: Span) -> Span {
        Span::new(
            self.operator_position(op, name).unwrap_or(name.span.start),
            chain.end,
        )
    }

    /// Where the operator before `name` is, skipping whitespace back from the name.
    fn operator_position(&self, op: ChainOp, name: &Ident) -> Option<usize> {
        let before = self.source.get(..name.span.start)?;
        let trimmed = before.trim_end();
        trimmed
            .ends_with(op.as_str())
            .then(|| trimmed.len() - op.as_str().len())
    }

    /// A fix-it that replaces the link's operator with `replacement`.
    fn operator_fix(
        &self,
        diagnostic: Diagnostic,
        op: ChainOp,
        name: &Ident,
        replacement: ChainOp,
    ) -> Diagnostic {
        match self.operator_position(op, name) {
            Some(at) => diagnostic.with_fix(
                Span::new(at, at + op.as_str().len()),
                replacement.as_str(),
                format!("use `{}`", replacement.as_str()),
            ),
            None => diagnostic,
        }
    }

    /// `|name(args)`: a new node, child of the cursor's node.
    fn chain_node(
        &mut self,
        cursor: Cursor,
        name: &Ident,
        args: &[Expr],
        link: Span,
    ) -> Option<Cursor> {
        let Some(spec) = catalogue::node(&name.name).filter(|s| s.family != NodeFamily::Source)
        else {
            let diagnostic = self.unknown_node(cursor, name);
            self.report(diagnostic);
            for arg in args {
                let _ = self.eval(arg);
            }
            return None;
        };
        self.check_since(spec.since, &format!("`|{}`", spec.name), name.span);
        let placed = self.check_parent_kind(cursor.node, spec, name);
        let callee = Callee {
            node: spec.name,
            member: spec.name,
            op: "|",
        };
        let id = self.nodes.len();
        let values = self.check_args(callee, &spec.args, args, name.span);
        if placed
            && matches!(spec.name, "stats" | "deadman")
            && let Some(args) = values.clone()
        {
            return Some(self.observe(cursor.node, spec, args, link));
        }
        if values.is_none() || !placed {
            self.tainted.insert(id);
        }
        let values = values.unwrap_or_default();
        let others = values.iter().filter_map(|v| match v {
            Value::Node(other) => Some(*other),
            _ => None,
        });
        // Kapacitor links a union's other parents before the node it is chained from, and a
        // join's (and every other node's) own parent first; the order decides which parent's
        // messages a union emits first at equal times.
        let parents: Vec<ir::NodeId> = if spec.name == "union" {
            others.chain([cursor.node]).collect()
        } else {
            [cursor.node].into_iter().chain(others).collect()
        };
        let input = if placed {
            self.input_edge(spec, &parents, link)
        } else {
            None
        };
        let output = match spec.provides {
            Provides::Stream => Some(Edge::Stream),
            Provides::Batch => Some(Edge::Batch),
            Provides::SameAsInput => input,
            Provides::Nothing => None,
        };
        for &parent in &parents {
            if let Some(node) = self.nodes.get_mut(parent) {
                node.children.push(id);
            }
        }
        self.nodes.push(ir::Node {
            id,
            spec,
            name: format!("{}{id}", spec.desc),
            parents,
            children: Vec::new(),
            args: values,
            properties: Vec::new(),
            handlers: Vec::new(),
            input,
            output,
            span: link,
        });
        Some(Cursor {
            node: id,
            handler: None,
        })
    }

    /// Checks (and reports) whether `spec` may follow the parent (`from` only after `stream` or `from`; only
    /// `from`, `query` and the methods of every node after a root or a terminal node).
    fn check_parent_kind(&mut self, parent: ir::NodeId, spec: &NodeSpec, name: &Ident) -> bool {
        let Some(parent) = self.nodes.get(parent) else {
            return false;
        };
        let parent_spec = parent.spec;
        if spec.may_follow(parent_spec) {
            return true;
        }
        let mut diagnostic = Diagnostic::error(
            "misplaced-node",
            name.span,
            format!("`{}` cannot follow `{}`", spec.name, parent.name),
        );
        if let Parents::Only(names) = spec.parents
            && !names.is_empty()
        {
            diagnostic = diagnostic.with_hint(format!(
                "`{}` comes only after {}",
                spec.name,
                quoted_list(names, " or ")
            ));
        }
        if !parent_spec.is_chain_node() {
            let followers: Vec<&str> = NODES
                .iter()
                .filter(|n| n.family != NodeFamily::Source && n.may_follow(parent_spec))
                .map(|n| n.name)
                .collect();
            diagnostic = diagnostic.with_hint(format!(
                "`{}` can be followed by {}",
                parent_spec.name,
                quoted_list(&followers, " or ")
            ));
        }
        self.report(diagnostic);
        false
    }

    /// The edge a node receives: its first parent's output, which every parent must provide
    /// and the node must want. `None` when nothing flows in.
    fn input_edge(&mut self, spec: &NodeSpec, parents: &[ir::NodeId], link: Span) -> Option<Edge> {
        let mut input = None;
        for (index, &parent) in parents.iter().enumerate() {
            let Some(node) = self.nodes.get(parent) else {
                continue;
            };
            let (parent_name, parent_span, output) = (node.name.clone(), node.span, node.output);
            // A terminal node has no output; only the methods of every node (stats, deadman)
            // may follow it, and they observe it rather than receive from it.
            let Some(edge) = output else { continue };
            let wanted = match spec.wants {
                Wants::Stream => Some(Edge::Stream),
                Wants::Batch => Some(Edge::Batch),
                Wants::Any | Wants::Nothing => None,
            };
            if let Some(wanted) = wanted.filter(|w| *w != edge) {
                let mut diagnostic = Diagnostic::error(
                    "edge-mismatch",
                    link,
                    format!(
                        "`{}` needs {} but `{parent_name}` emits {}",
                        spec.name,
                        plural(wanted),
                        plural(edge)
                    ),
                )
                .with_secondary(parent_span, format!("emits {}", plural(edge)));
                if spec.name == "window" {
                    diagnostic = diagnostic.with_hint("its input is already batched: aggregate it directly, or window the stream before batching it");
                }
                self.report(diagnostic);
                continue;
            }
            match input {
                None if index == 0 => input = Some(edge),
                Some(first) if first != edge => self.report(
                    Diagnostic::error(
                        "edge-mismatch",
                        link,
                        format!(
                            "`{}` joins {} with {} from `{parent_name}`",
                            spec.name,
                            plural(first),
                            plural(edge)
                        ),
                    )
                    .with_secondary(parent_span, format!("emits {}", plural(edge))),
                ),
                _ => {}
            }
        }
        input
    }

    fn unknown_node(&self, cursor: Cursor, name: &Ident) -> Diagnostic {
        let node = &self.nodes[cursor.node];
        if self.find_member(cursor, &name.name).is_some() {
            let diagnostic = Diagnostic::error(
                "wrong-operator",
                name.span,
                format!(
                    "`{}` is a property of `{}`, not a node: use `.{}(...)`",
                    name.name, node.name, name.name
                ),
            );
            return self.operator_fix(diagnostic, ChainOp::Pipe, name, ChainOp::Dot);
        }
        let chain_nodes = NODES
            .iter()
            .filter(|n| n.family != NodeFamily::Source)
            .map(|n| n.name);
        let mut diagnostic = Diagnostic::error(
            "unknown-node",
            name.span,
            format!("there is no node `{}`", name.name),
        )
        .with_label("not a node");
        if let Some(close) = did_you_mean(&name.name, chain_nodes.clone()) {
            diagnostic = diagnostic.with_fix(name.span, close, format!("did you mean `{close}`?"));
        }
        diagnostic.with_hint(format!(
            "nodes include {}",
            quoted_list(&closest(&name.name, chain_nodes), ", ")
        ))
    }

    /// `.name(args)`: a property of the current handler, else of the node, else a new handler.
    fn set_property(
        &mut self,
        cursor: Cursor,
        name: &Ident,
        args: Option<&[Expr]>,
        link: Span,
    ) -> Option<Cursor> {
        let Some(args) = args else {
            self.report(
                Diagnostic::error(
                    "missing-parens",
                    name.span,
                    format!("`.{}` needs parentheses to be set", name.name),
                )
                .with_hint("without them Kapacitor reads the property instead of setting it")
                .with_fix(Span::new(name.span.end, name.span.end), "()", "add ()"),
            );
            return Some(cursor);
        };
        let Some(member) = self.find_member(cursor, &name.name) else {
            let diagnostic = self.unknown_property(cursor, name);
            self.report(diagnostic);
            self.tainted.insert(cursor.node);
            for arg in args {
                let _ = self.eval(arg);
            }
            return Some(cursor);
        };
        let node_name = self.nodes[cursor.node].spec.name;
        let since = match member {
            Member::HandlerProperty(_, spec) | Member::Property(spec) => spec.since,
            Member::Handler(spec) => spec.since,
        };
        self.check_since(since, &format!("`.{}`", name.name), name.span);
        match member {
            Member::HandlerProperty(handler, spec) => {
                let callee = Callee {
                    node: node_name,
                    member: spec.name,
                    op: ".",
                };
                match self.check_args(callee, &spec.sig, args, name.span) {
                    Some(values) => {
                        if let Some(h) = self.nodes[cursor.node].handlers.get_mut(handler) {
                            h.properties.push(Property {
                                spec,
                                args: values,
                                span: link,
                            });
                        }
                    }
                    None => {
                        self.tainted.insert(cursor.node);
                    }
                }
                Some(cursor)
            }
            Member::Property(spec) => {
                let callee = Callee {
                    node: node_name,
                    member: spec.name,
                    op: ".",
                };
                match self.check_args(callee, &spec.sig, args, name.span) {
                    Some(values) => self.nodes[cursor.node].properties.push(Property {
                        spec,
                        args: values,
                        span: link,
                    }),
                    None => {
                        self.tainted.insert(cursor.node);
                    }
                }
                Some(Cursor {
                    node: cursor.node,
                    handler: None,
                })
            }
            Member::Handler(spec) => {
                let callee = Callee {
                    node: node_name,
                    member: spec.name,
                    op: ".",
                };
                let values = self.check_args(callee, &spec.args, args, name.span);
                if values.is_none() {
                    self.tainted.insert(cursor.node);
                }
                let values = values.unwrap_or_default();
                let handlers = &mut self.nodes[cursor.node].handlers;
                handlers.push(Handler {
                    spec,
                    args: values,
                    properties: Vec::new(),
                    span: link,
                });
                Some(Cursor {
                    node: cursor.node,
                    handler: Some(handlers.len() - 1),
                })
            }
        }
    }

    /// What `.name` means at the cursor, in Kapacitor's order: the handler's own property
    /// first, then the node's property, then a new handler.
    fn find_member(&self, cursor: Cursor, name: &str) -> Option<Member> {
        let node = &self.nodes[cursor.node];
        if let Some(index) = cursor.handler
            && let Some(handler) = node.handlers.get(index)
            && let Some(spec) = handler.spec.properties.iter().find(|p| p.name == name)
        {
            return Some(Member::HandlerProperty(index, spec));
        }
        if let Some(spec) = catalogue::property(node.spec, name) {
            return Some(Member::Property(spec));
        }
        if node.spec.has_handlers {
            return catalogue::handler(name).map(Member::Handler);
        }
        None
    }

    fn unknown_property(&self, cursor: Cursor, name: &Ident) -> Diagnostic {
        let node = &self.nodes[cursor.node];
        if catalogue::node(&name.name).is_some_and(|n| n.family != NodeFamily::Source) {
            let diagnostic = Diagnostic::error(
                "wrong-operator",
                name.span,
                format!(
                    "`{}` is a node, not a property of `{}`: use `|{}(...)`",
                    name.name, node.name, name.name
                ),
            );
            return self.operator_fix(diagnostic, ChainOp::Dot, name, ChainOp::Pipe);
        }
        let handler = cursor.handler.and_then(|h| node.handlers.get(h));
        let mut names: Vec<&str> = handler
            .iter()
            .flat_map(|h| h.spec.properties.iter().map(|p| p.name))
            .collect();
        names.extend(
            node.spec
                .properties
                .iter()
                .chain(catalogue::COMMON_PROPERTIES)
                .map(|p| p.name),
        );
        if node.spec.has_handlers {
            names.extend(catalogue::HANDLERS.iter().map(|h| h.name));
        }
        let owner = match handler {
            Some(h) => format!("`{}` or its `.{}` handler", node.name, h.spec.name),
            None => format!("`{}`", node.name),
        };
        let mut diagnostic = Diagnostic::error(
            "unknown-property",
            name.span,
            format!("{owner} has no property `{}`", name.name),
        )
        .with_label("not a property");
        if let Some(close) = did_you_mean(&name.name, names.iter().copied()) {
            diagnostic = diagnostic.with_fix(name.span, close, format!("did you mean `{close}`?"));
        }
        if names.is_empty() {
            diagnostic.with_hint(format!("`{}` has no properties", node.spec.name))
        } else {
            diagnostic.with_hint(format!(
                "properties include {}",
                quoted_list(&closest(&name.name, names), ", ")
            ))
        }
    }
}

/// A member of a node reachable with `.`.
#[derive(Debug, Clone, Copy)]
enum Member {
    /// A property of the handler at this index in the node's handlers.
    HandlerProperty(usize, &'static catalogue::PropertySpec),
    Property(&'static catalogue::PropertySpec),
    Handler(&'static catalogue::HandlerSpec),
}

fn plural(edge: Edge) -> &'static str {
    match edge {
        Edge::Stream => "a stream",
        Edge::Batch => "batches",
    }
}

/// `a`, `b` or `c` with backquotes.
fn quoted_list(names: &[&str], last_separator: &str) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("{}{last_separator}{last}", rest.join(", "))
        }
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// The few candidates closest to `name`, most similar first.
fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let lower = name.to_ascii_lowercase();
    let mut scored: Vec<(&str, f64)> = candidates
        .into_iter()
        .map(|c| (c, strsim::jaro_winkler(&lower, &c.to_ascii_lowercase())))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    scored.dedup_by_key(|(c, _)| *c);
    scored
        .into_iter()
        .take(HINT_NAMES)
        .map(|(c, _)| c)
        .collect()
}
