//! `|from()`: the runtime's `FromNode`, selecting by database, retention policy, measurement and
//! the `.where()` lambdas, which Kapacitor ANDs into one expression.

use quote::quote;

use super::{NodeCode, grouping, node_lambda, properties};
use crate::ast::BinaryOp;
use crate::catalogue::ValueType;
use crate::codegen::literal;
use crate::diagnostic::Diagnostic;
use crate::ir::{Lambda, Node, StaticType, TypedExpr, TypedExprKind, Value};

pub(super) fn generate(node: &Node) -> Result<NodeCode, Box<Diagnostic>> {
    let optional = |value: Option<&str>| match value {
        Some(s) => quote!(Some(String::from(#s))),
        None => quote!(None),
    };
    let optional_duration = |value: Option<i64>| match value {
        Some(d) => {
            let d = literal::int(d);
            quote!(Some(#d))
        }
        None => quote!(None),
    };
    let database = optional(properties::string(node, "database"));
    let retention_policy = optional(properties::string(node, "retentionPolicy"));
    let measurement = optional(properties::string(node, "measurement"));
    let dimensions: Vec<&Value> = node
        .property("groupBy")
        .map(|p| p.args.iter().collect())
        .unwrap_or_default();
    let group_by = grouping::group_by(&dimensions, &[]);
    let group_by_measurement = properties::flag(node, "groupByMeasurement");
    let truncate = optional_duration(properties::duration(node, "truncate"));
    let round = optional_duration(properties::duration(node, "round"));

    let (ty, filter, lambdas) = match filter(node) {
        Some(lambda) => {
            let code = node_lambda(node, "where", &lambda)?;
            let (ty, init) = (&code.ty, &code.init);
            (quote!(rt::FromNode<#ty>), quote!(Some(#init)), vec![code])
        }
        None => (
            quote!(rt::FromNode),
            quote!(None::<rt::NoLambda>),
            Vec::new(),
        ),
    };
    let init = quote! {
        rt::FromNode::new(
            rt::FromConfig {
                database: #database,
                retention_policy: #retention_policy,
                measurement: #measurement,
                group_by: #group_by,
                group_by_measurement: #group_by_measurement,
                truncate: #truncate,
                round: #round,
            },
            #filter,
        )
        .forgetting_idle_groups(context.config.groups.idle_timeout)
    };
    Ok(NodeCode::plain(ty, init).in_place().with_lambdas(lambdas))
}

/// The `.where()` lambdas ANDed, left to right, as Kapacitor combines them.
fn filter(node: &Node) -> Option<Lambda> {
    let mut lambdas = node
        .properties_named("where")
        .filter_map(|p| match p.args.first() {
            Some(Value::Lambda(lambda)) => Some(lambda.clone()),
            _ => None,
        });
    let first = lambdas.next()?;
    Some(lambdas.fold(first, |all, next| {
        let span = all.span.to(next.span);
        let body = TypedExpr {
            kind: TypedExprKind::Binary {
                op: BinaryOp::And,
                lhs: Box::new(all.body),
                rhs: Box::new(next.body),
            },
            ty: StaticType::Known(ValueType::Bool),
            span,
        };
        Lambda { body, span }
    }))
}
