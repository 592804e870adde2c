//! The InfluxQL chain methods (`|mean()`, `|percentile()`, `|top()`, `|holtWinters()`...): the
//! runtime's `InfluxQlNode` with the method and its arguments.

use proc_macro2::TokenStream;
use quote::quote;

use super::{NodeCode, invalid, properties};
use crate::codegen::literal;
use crate::diagnostic::Diagnostic;
use crate::ir::Node;

pub(super) fn generate(node: &Node) -> Result<NodeCode, Box<Diagnostic>> {
    let (field, method) = method(node)?;
    let as_name = properties::string(node, "as").unwrap_or(node.spec.desc);
    let use_point_times = properties::flag(node, "usePointTimes");
    let name = &node.name;
    Ok(NodeCode::plain(
        quote!(rt::InfluxQlNode),
        quote!(rt::valid(#name, rt::InfluxQlNode::new(rt::InfluxQlConfig {
            method: #method,
            field: String::from(#field),
            as_name: String::from(#as_name),
            use_point_times: #use_point_times,
        }))),
    ))
}

/// The field the method reads, and the runtime's `Method` with the arguments. Arguments the
/// runtime refuses to run with are reported here, at compile time.
fn method(node: &Node) -> Result<(&str, TokenStream), Box<Diagnostic>> {
    let refuse = |message: &str| invalid(node.span, format!("`{}`: {message}", node.spec.name));
    let simple = |variant: TokenStream| {
        Ok((
            properties::string_arg(node, 0).unwrap_or_default(),
            quote!(rt::Method::#variant),
        ))
    };
    match node.spec.name {
        "count" => simple(quote!(Count)),
        "distinct" => simple(quote!(Distinct)),
        "mean" => simple(quote!(Mean)),
        "median" => simple(quote!(Median)),
        "mode" => simple(quote!(Mode)),
        "spread" => simple(quote!(Spread)),
        "sum" => simple(quote!(Sum)),
        "stddev" => simple(quote!(Stddev)),
        "first" => simple(quote!(First)),
        "last" => simple(quote!(Last)),
        "min" => simple(quote!(Min)),
        "max" => simple(quote!(Max)),
        "difference" => simple(quote!(Difference)),
        "cumulativeSum" => simple(quote!(CumulativeSum)),
        "percentile" => {
            let percentile = literal::float(properties::float_arg(node, 1).unwrap_or_default());
            simple(quote!(Percentile(#percentile)))
        }
        "elapsed" => match properties::duration_arg(node, 1).unwrap_or_default() {
            0 => Err(refuse("the unit must not be zero")),
            unit => {
                let unit = literal::int(unit);
                simple(quote!(Elapsed { unit: #unit }))
            }
        },
        "movingAverage" => match properties::int_arg(node, 1).unwrap_or_default() {
            window if window < 1 => Err(refuse("the window must be at least 1")),
            window => {
                let window = literal::int(window);
                simple(quote!(MovingAverage { window: #window }))
            }
        },
        "top" | "bottom" => {
            let n = properties::int_arg(node, 0).unwrap_or_default();
            if n < 0 {
                return Err(refuse("the number of points must not be negative"));
            }
            let field = properties::string_arg(node, 1).unwrap_or_default();
            let n = literal::int(n);
            let distinct_by = properties::strings_from(node, 2);
            let variant = if node.spec.name == "top" {
                quote!(Top)
            } else {
                quote!(Bottom)
            };
            Ok((
                field,
                quote!(rt::Method::#variant { n: #n, distinct_by: vec![#(String::from(#distinct_by)),*] }),
            ))
        }
        "holtWinters" | "holtWintersWithFit" => {
            let interval = properties::duration_arg(node, 3).unwrap_or_default();
            if interval <= 0 {
                return Err(refuse("the interval must be positive"));
            }
            let h = literal::int(properties::int_arg(node, 1).unwrap_or_default());
            let m = literal::int(properties::int_arg(node, 2).unwrap_or_default());
            let interval = literal::int(interval);
            let with_fit = node.spec.name == "holtWintersWithFit";
            simple(quote!(HoltWinters { h: #h, m: #m, interval: #interval, with_fit: #with_fit }))
        }
        _ => Err(super::unsupported(node)),
    }
}
