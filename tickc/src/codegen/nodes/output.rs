//! The nodes that send data out of the task and pass it on: `httpPost` (through the task's
//! outbox), `httpOut` (kept for the HTTP API) and `log`.

use quote::quote;

use super::{NodeCode, properties, unsupported_property};
use crate::diagnostic::Diagnostic;
use crate::ir::{Node, Value};

/// `|httpPost(url)` with its `.header()`s and `.timeout()`.
pub(super) fn http_post(node: &Node) -> Result<NodeCode, Box<Diagnostic>> {
    // Named endpoints live in the server's configuration, and the response code is not
    // recorded by the runtime yet.
    for property in ["endpoint", "codeField"] {
        if let Some(p) = node.property(property) {
            return Err(unsupported_property(
                node,
                &format!("`.{property}()`"),
                p.span,
            ));
        }
    }
    let url = properties::string_arg(node, 0).unwrap_or_default();
    let headers = node
        .properties_named("header")
        .filter_map(|p| match p.args.as_slice() {
            [Value::String(name), Value::String(value)] => {
                Some(quote!((String::from(#name), String::from(#value))))
            }
            _ => None,
        });
    let timeout = match properties::duration(node, "timeout")
        .and_then(|d| u64::try_from(d).ok())
        .filter(|d| *d > 0)
    {
        Some(nanos) => {
            let nanos = proc_macro2::Literal::u64_unsuffixed(nanos);
            quote!(Some(rt::Duration::from_nanos(#nanos)))
        }
        None => quote!(None),
    };
    let init = quote! {
        rt::HttpPostNode::new(
            rt::HttpPostConfig { url: String::from(#url), headers: vec![#(#headers),*], timeout: #timeout },
            context.outbox.clone(),
        )
    };
    Ok(NodeCode::plain(quote!(rt::HttpPostNode), init))
}

/// `|httpOut(endpoint)`: the endpoint only names the result in the HTTP API.
pub(super) fn http_out(node: &Node) -> NodeCode {
    let endpoint = properties::string_arg(node, 0).unwrap_or_default();
    NodeCode::plain(
        quote!(rt::HttpOutNode),
        quote!(rt::HttpOutNode::registered(&context.http_out, #endpoint)),
    )
}

/// `|log()` at `.level()` with `.prefix()`, to the standard error.
pub(super) fn log(node: &Node) -> NodeCode {
    // Kapacitor logs DEBUG and ERROR as such and every other level name as INFO.
    let level = match properties::string(node, "level")
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("DEBUG") => quote!(Debug),
        Some("ERROR") => quote!(Error),
        _ => quote!(Info),
    };
    let prefix = properties::string(node, "prefix").unwrap_or_default();
    let name = &node.name;
    let init = quote! {
        rt::LogNode::to_stderr(rt::LogConfig {
            level: rt::LogLevel::#level,
            prefix: String::from(#prefix),
            task: context.task_id.clone(),
            node: String::from(#name),
            min_level: rt::LogLevel::Info,
        })
    };
    NodeCode::plain(quote!(rt::LogNode), init)
}
