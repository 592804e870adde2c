//! `|alert()`: the runtime's `AlertNode` with the script's templates, state policy,
//! annotations, inhibitions and handlers, over a generated `AlertLevels` type that holds the
//! compiled level and reset lambdas (each with one state for the whole node, as in Kapacitor).

mod services;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{NodeCode, invalid, node_lambda, properties, stats, unsupported_property};
use crate::codegen::literal;
use crate::diagnostic::Diagnostic;
use crate::ir::{Handler, Node, Property, Value};

/// The lambda properties of an alert and the runtime's check each answers.
const LEVELS: &[(&str, &str, &str)] = &[
    ("info", "Enter", "Info"),
    ("warn", "Enter", "Warning"),
    ("crit", "Enter", "Critical"),
    ("infoReset", "Reset", "Info"),
    ("warnReset", "Reset", "Warning"),
    ("critReset", "Reset", "Critical"),
];

/// Kapacitor's default file mode of a `.log()` handler's file.
const DEFAULT_LOG_MODE: i64 = 0o600;

pub(super) fn generate(node: &Node) -> Result<NodeCode, Box<Diagnostic>> {
    let name = &node.name;
    let handlers = node
        .handlers
        .iter()
        .map(|h| handler(node, h))
        .collect::<Result<Vec<_>, _>>()?;
    let (levels_ty, levels_init, mut items) = levels(node)?;

    let (default_id, default_message) = stats::deadman_templates(node).unwrap_or((quote!(None), quote!(None)));
    let template = |property: &str, default: TokenStream| match properties::string(node, property) {
        Some(text) => quote!(Some(#text)),
        None => default,
    };
    let (id, message, details) =
        (template("id", default_id), template("message", default_message), template("details", quote!(None)));
    let optional = |property: &str| match properties::string(node, property) {
        Some(text) => quote!(Some(String::from(#text))),
        None => quote!(None),
    };
    let annotations = [
        ("level_tag", "levelTag"),
        ("id_tag", "idTag"),
        ("level_field", "levelField"),
        ("message_field", "messageField"),
        ("id_field", "idField"),
        ("duration_field", "durationField"),
    ]
    .map(|(field, property)| {
        let field = format_ident!("{}", field);
        let value = optional(property);
        quote!(#field: #value)
    });
    let (topic, category) = (optional("topic"), optional("category"));
    let history = literal::int(properties::int(node, "history").unwrap_or(21).max(2));
    let flapping = match node.property("flapping").map(|p| p.args.as_slice()) {
        Some([low, high]) => {
            let (low, high) = (literal::float(number(low)), literal::float(number(high)));
            quote!(Some(rt::Flapping { low: #low, high: #high }))
        }
        _ => quote!(None),
    };
    let state_changes_only = match node.property("stateChangesOnly").map(|p| p.args.as_slice()) {
        None => quote!(None),
        Some([Value::Duration(d), ..]) => {
            let d = literal::int(*d);
            quote!(Some(Some(#d)))
        }
        Some(_) => quote!(Some(None)),
    };
    let no_recoveries = properties::flag(node, "noRecoveries");
    let all = properties::flag(node, "all");
    let inhibits = node.properties_named("inhibit").map(inhibit);

    let init = quote! {
        rt::valid(#name, rt::AlertNode::new(
            rt::valid(#name, rt::AlertConfig {
                templates: rt::valid(#name, rt::AlertTemplates::parse(#id, #message, #details)),
                state: rt::StatePolicy {
                    history: #history,
                    flapping: #flapping,
                    state_changes_only: #state_changes_only,
                },
                no_recoveries: #no_recoveries,
                all: #all,
                annotations: rt::Annotations { #(#annotations,)* },
                topic: #topic,
                category: #category,
                inhibits: vec![#(#inhibits),*],
                handlers: vec![#(#handlers),*],
                ..rt::AlertConfig::for_task(context, #name)
            }
            .with_global_handlers(&context.config.services)),
            #levels_init,
            context.outbox.clone(),
            inhibitors.clone(),
        ))
    };
    let mut code = NodeCode::plain(quote!(rt::AlertNode<#levels_ty>), init).in_place();
    code.uses_inhibitors = true;
    code.items.append(&mut items);
    Ok(code)
}

/// The node's `AlertLevels` type and value, and the items defining them; `()` without levels.
fn levels(node: &Node) -> Result<(TokenStream, TokenStream, Vec<TokenStream>), Box<Diagnostic>> {
    let mut items = Vec::new();
    let mut fields = Vec::new();
    let mut arms = Vec::new();
    for &(property, check, level) in LEVELS {
        let Some(lambda) = properties::lambda(node, property) else {
            continue;
        };
        let code = node_lambda(node, property, lambda)?;
        let field = format_ident!("{}", literal::upper_snake(property).to_ascii_lowercase());
        let (check, level) = (format_ident!("{}", check), format_ident!("{}", level));
        let (ty, init) = (code.ty.clone(), code.init.clone());
        fields.push((field.clone(), ty, init));
        arms.push(
            quote!(rt::LevelCheck::#check(rt::Level::#level) => Some(self.#field.test(scope)),),
        );
        items.push(code.items);
    }
    if fields.is_empty() {
        return Ok((quote!(()), quote!(()), items));
    }
    let ty = format_ident!("{}Levels", literal::camel(&node.name));
    let names: Vec<_> = fields.iter().map(|(f, _, _)| f).collect();
    let types = fields.iter().map(|(_, t, _)| t);
    let inits = fields.iter().map(|(_, _, i)| i);
    items.push(quote! {
        pub struct #ty { #(#names: rt::LevelLambda<#types>,)* }
        impl rt::AlertLevels for #ty {
            fn test<S: rt::Scope + ?Sized>(&mut self, check: rt::LevelCheck, scope: &S) -> Option<Result<bool, rt::EvalError>> {
                match check {
                    #(#arms)*
                    _ => None,
                }
            }
        }
    });
    Ok((
        quote!(#ty),
        quote!(#ty { #(#names: rt::LevelLambda::new(#inits),)* }),
        items,
    ))
}

/// A number argument as a float (the checker accepts ints where floats are meant).
fn number(value: &Value) -> f64 {
    match value {
        Value::Float(f) => *f,
        Value::Int(i) => *i as f64,
        _ => 0.0,
    }
}

/// `.inhibit(category, tags...)`.
fn inhibit(property: &Property) -> TokenStream {
    let strings = properties::strings(&property.args);
    let (category, tags) = strings
        .split_first()
        .map_or(("", &[][..]), |(c, t)| (*c, t));
    quote!(rt::Inhibit { category: String::from(#category), equal_tags: vec![#(String::from(#tags)),*] })
}

/// The last call of a handler property, by name.
fn handler_property<'a>(handler: &'a Handler, name: &str) -> Option<&'a Property> {
    handler
        .properties
        .iter()
        .rev()
        .find(|p| p.spec.name == name)
}

fn handler_string(handler: &Handler, index: usize) -> Option<&str> {
    match handler.args.get(index) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// One handler as the runtime's `Handler`; what the runtime would refuse is refused here.
fn handler(node: &Node, handler: &Handler) -> Result<TokenStream, Box<Diagnostic>> {
    let name = &node.name;
    match handler.spec.name {
        "log" => {
            let path = handler_string(handler, 0).unwrap_or_default();
            if !std::path::Path::new(path).is_absolute() {
                return Err(invalid(
                    handler.span,
                    format!("the alert log file '{path}' must be an absolute path"),
                ));
            }
            let mode = match handler_property(handler, "mode").and_then(|p| p.args.first()) {
                Some(Value::Int(mode)) if *mode != 0 => *mode,
                _ => DEFAULT_LOG_MODE,
            };
            if mode & 0o200 == 0 || !(0..=0o7777).contains(&mode) {
                return Err(invalid(
                    handler.span,
                    format!(
                        "the log file mode {mode:o} must let the owner write (e.g. `.mode(0644)`)"
                    ),
                ));
            }
            // Written in octal, as file modes are read.
            let mode: TokenStream = format!("0o{mode:o}")
                .parse()
                .unwrap_or_else(|_| quote!(0o600));
            Ok(quote!(rt::Handler::Log(rt::valid(#name, rt::LogHandler::new(#path, Some(#mode))))))
        }
        "post" => {
            let url = handler_string(handler, 0).unwrap_or_default();
            let endpoint = handler_property(handler, "endpoint").and_then(|p| match p.args.first() {
                Some(Value::String(s)) => Some(s.as_str()),
                _ => None,
            });
            if url.is_empty() && endpoint.is_none() {
                return Err(invalid(
                    handler.span,
                    "`.post()` needs a URL or an `.endpoint()`".to_owned(),
                ));
            }
            let headers = handler
                .properties
                .iter()
                .filter(|p| p.spec.name == "header")
                .filter_map(|p| match p.args.as_slice() {
                    [Value::String(k), Value::String(v)] => {
                        Some(quote!((String::from(#k), String::from(#v))))
                    }
                    _ => None,
                });
            let headers = quote!(vec![#(#headers),*]);
            let timeout = match handler_property(handler, "timeout").and_then(|p| p.args.first()) {
                Some(Value::Duration(nanos)) if *nanos > 0 => {
                    let nanos = u64::try_from(*nanos).unwrap_or(0);
                    quote!(Some(rt::Duration::from_nanos(#nanos)))
                }
                _ => quote!(None),
            };
            let built = match endpoint {
                Some(endpoint) => quote!(rt::PostHandler::at_endpoint(
                    #endpoint, #url, #headers, #timeout, &context.config.services,
                )),
                None => quote!(rt::PostHandler::new(#url, #headers, #timeout)),
            };
            Ok(quote!(rt::Handler::Post(rt::valid(#name, #built))))
        }
        "tcp" => {
            let address = handler_property(handler, "address")
                .and_then(|p| match p.args.first() {
                    Some(Value::String(s)) => Some(s.as_str()),
                    _ => None,
                })
                .or_else(|| handler_string(handler, 0))
                .unwrap_or_default();
            Ok(quote!(rt::Handler::Tcp(rt::TcpHandler { address: String::from(#address) })))
        }
        "exec" => {
            let strings = properties::strings(&handler.args);
            let (program, args) = strings
                .split_first()
                .map_or(("", &[][..]), |(p, a)| (*p, a));
            Ok(quote!(rt::Handler::Exec(rt::ExecHandler {
                program: String::from(#program),
                args: vec![#(String::from(#args)),*],
            })))
        }
        other => services::handler(node, handler).unwrap_or_else(|| {
            Err(unsupported_property(
                node,
                &format!("the `.{other}()` handler"),
                handler.span,
            ))
        }),
    }
}
