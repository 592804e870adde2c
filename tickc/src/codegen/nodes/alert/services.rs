//! The service handlers of an alert (`.slack()`, `.pagerDuty2()`, `.email()`...): each becomes
//! the runtime's handler built when the task starts, from the service's section of the program's
//! configuration (`context.config.services`) and the script's properties, which the runtime lets
//! override the section as Kapacitor does.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::codegen::nodes::{properties, unsupported_property};
use crate::diagnostic::Diagnostic;
use crate::ir::{Handler, Node, Value};

/// How a handler property becomes a field of the runtime's properties struct.
#[derive(Clone, Copy)]
enum Kind {
    /// The last call's string (`.channel('#ops')`).
    Text,
    /// Whether the flag was called (`.disableNotification()`).
    Flag,
    /// The last call's strings (`.teams('a', 'b')`).
    List,
    /// Every call's `(key, value)` (`.metadata('k', 1)`), in order.
    Pairs,
    /// The last call's duration, if any (`.timeout(10s)`).
    Duration,
    /// Every call's `(href[, text])` (pagerDuty2's `.link()`).
    Links,
    /// The handler's own strings and every call's (`.email('a').to('b')`).
    Recipients,
}

/// A service handler: its TICKscript name, the runtime's names for it, and its properties as
/// `(property, field, kind)`. Several properties may set one field (pagerDuty2's `serviceKey`
/// is another name for `routingKey`): the last call wins.
struct Service {
    name: &'static str,
    /// `rt::ServiceHandler::<variant>`, built by `rt::<variant>Handler::new`.
    variant: &'static str,
    /// The runtime's properties struct.
    properties: &'static str,
    /// Whether `new` can refuse the properties (it parses templates).
    fallible: bool,
    fields: &'static [(&'static str, &'static str, Kind)],
}

const SERVICES: &[Service] = &[
    Service {
        name: "slack",
        variant: "Slack",
        properties: "Slack",
        fallible: false,
        fields: &[
            ("workspace", "workspace", Kind::Text),
            ("channel", "channel", Kind::Text),
            ("username", "username", Kind::Text),
            ("iconEmoji", "icon_emoji", Kind::Text),
        ],
    },
    Service {
        name: "pagerDuty",
        variant: "PagerDuty",
        properties: "PagerDuty",
        fallible: false,
        fields: &[("serviceKey", "service_key", Kind::Text)],
    },
    Service {
        name: "pagerDuty2",
        variant: "PagerDuty2",
        properties: "PagerDuty2",
        fallible: true,
        fields: &[
            ("routingKey", "routing_key", Kind::Text),
            ("serviceKey", "routing_key", Kind::Text),
            ("link", "links", Kind::Links),
        ],
    },
    Service {
        name: "victorOps",
        variant: "VictorOps",
        properties: "VictorOps",
        fallible: false,
        fields: &[("routingKey", "routing_key", Kind::Text)],
    },
    Service {
        name: "opsGenie",
        variant: "OpsGenie",
        properties: "OpsGenie",
        fallible: false,
        fields: &[
            ("teams", "teams", Kind::List),
            ("recipients", "recipients", Kind::List),
        ],
    },
    Service {
        name: "opsGenie2",
        variant: "OpsGenie2",
        properties: "OpsGenie2",
        fallible: false,
        fields: &[
            ("teams", "teams", Kind::List),
            ("recipients", "recipients", Kind::List),
            ("recoveryAction", "recovery_action", Kind::Text),
        ],
    },
    Service {
        name: "teams",
        variant: "Teams",
        properties: "Teams",
        fallible: false,
        fields: &[("channelURL", "channel_url", Kind::Text)],
    },
    Service {
        name: "telegram",
        variant: "Telegram",
        properties: "Telegram",
        fallible: false,
        fields: &[
            ("chatId", "chat_id", Kind::Text),
            ("parseMode", "parse_mode", Kind::Text),
            ("disableWebPagePreview", "disable_web_page_preview", Kind::Flag),
            ("disableNotification", "disable_notification", Kind::Flag),
        ],
    },
    Service {
        name: "discord",
        variant: "Discord",
        properties: "Discord",
        fallible: true,
        fields: &[
            ("workspace", "workspace", Kind::Text),
            ("username", "username", Kind::Text),
            ("avatarURL", "avatar_url", Kind::Text),
            ("embedTitle", "embed_title", Kind::Text),
        ],
    },
    Service {
        name: "alerta",
        variant: "Alerta",
        properties: "Alerta",
        fallible: true,
        fields: &[
            ("token", "token", Kind::Text),
            ("resource", "resource", Kind::Text),
            ("event", "event", Kind::Text),
            ("environment", "environment", Kind::Text),
            ("group", "group", Kind::Text),
            ("value", "value", Kind::Text),
            ("origin", "origin", Kind::Text),
            ("services", "services", Kind::List),
            ("timeout", "timeout", Kind::Duration),
        ],
    },
    Service {
        name: "pushover",
        variant: "Pushover",
        properties: "Pushover",
        fallible: false,
        fields: &[
            ("userKey", "user_key", Kind::Text),
            ("device", "device", Kind::Text),
            ("title", "title", Kind::Text),
            ("uRL", "url", Kind::Text),
            ("uRLTitle", "url_title", Kind::Text),
            ("sound", "sound", Kind::Text),
        ],
    },
    Service {
        name: "sensu",
        variant: "Sensu",
        properties: "Sensu",
        fallible: true,
        fields: &[
            ("source", "source", Kind::Text),
            ("handlers", "handlers", Kind::List),
            ("metadata", "metadata", Kind::Pairs),
        ],
    },
    Service {
        name: "bigPanda",
        variant: "BigPanda",
        properties: "BigPanda",
        fallible: true,
        fields: &[
            ("appKey", "app_key", Kind::Text),
            ("host", "host", Kind::Text),
            ("primaryProperty", "primary_property", Kind::Text),
            ("secondaryProperty", "secondary_property", Kind::Text),
            ("attribute", "attributes", Kind::Pairs),
        ],
    },
    Service {
        name: "email",
        variant: "Email",
        properties: "Email",
        fallible: false,
        fields: &[("to", "to", Kind::Recipients)],
    },
];

/// The runtime handler for service handler `handler` of `node`, or `None` when `handler` is not
/// a service tickc knows.
pub(super) fn handler(
    node: &Node,
    handler: &Handler,
) -> Option<Result<TokenStream, Box<Diagnostic>>> {
    let service = SERVICES.iter().find(|s| s.name == handler.spec.name)?;
    Some(generate(node, handler, service))
}

fn generate(
    node: &Node,
    handler: &Handler,
    service: &Service,
) -> Result<TokenStream, Box<Diagnostic>> {
    if let Some(unknown) = handler
        .properties
        .iter()
        .find(|p| !service.fields.iter().any(|(name, _, _)| *name == p.spec.name))
    {
        return Err(unsupported_property(
            node,
            &format!("`.{}().{}()`", service.name, unknown.spec.name),
            unknown.span,
        ));
    }
    let mut fields: Vec<&str> = service.fields.iter().map(|(_, f, _)| *f).collect();
    fields.dedup();
    let inits = fields.into_iter().filter_map(|field| {
        let value = field_value(handler, service, field)?;
        let field = format_ident!("{}", field);
        Some(quote!(#field: #value))
    });
    let (variant, properties) = (
        format_ident!("{}", service.variant),
        format_ident!("{}", service.properties),
    );
    let constructor = format_ident!("{}Handler", service.variant);
    let built = quote!(rt::#constructor::new(
        rt::#properties { #(#inits,)* ..Default::default() },
        &context.config.services,
    ));
    let built = if service.fallible {
        let name = &node.name;
        quote!(rt::valid(#name, #built))
    } else {
        built
    };
    Ok(quote!(rt::Handler::Service(Box::new(rt::ServiceHandler::#variant(#built)))))
}

/// The value of `field` from the properties that set it, `None` when none was called.
fn field_value(handler: &Handler, service: &Service, field: &str) -> Option<TokenStream> {
    let names: Vec<&str> = service
        .fields
        .iter()
        .filter(|(_, f, _)| *f == field)
        .map(|(name, _, _)| *name)
        .collect();
    let kind = service.fields.iter().find(|(_, f, _)| *f == field)?.2;
    let mut calls = handler
        .properties
        .iter()
        .filter(|p| names.contains(&p.spec.name));
    let last = calls.clone().next_back();
    match kind {
        Kind::Text => {
            let text = properties::strings(&last?.args).into_iter().next()?;
            Some(quote!(String::from(#text)))
        }
        Kind::Flag => last.map(|_| quote!(true)),
        Kind::List => {
            let list = properties::strings(&last?.args);
            Some(quote!(vec![#(String::from(#list)),*]))
        }
        Kind::Duration => match last?.args.first() {
            Some(Value::Duration(nanos)) => {
                let nanos = u64::try_from(*nanos).unwrap_or(0);
                Some(quote!(Some(rt::Duration::from_nanos(#nanos))))
            }
            _ => None,
        },
        Kind::Pairs => {
            let pairs: Vec<TokenStream> = calls
                .by_ref()
                .filter_map(|p| match p.args.as_slice() {
                    [Value::String(key), value] => {
                        let value = scalar(value)?;
                        Some(quote!((String::from(#key), #value)))
                    }
                    _ => None,
                })
                .collect();
            (!pairs.is_empty()).then(|| quote!(vec![#(#pairs),*]))
        }
        Kind::Links => {
            let links: Vec<TokenStream> = calls
                .by_ref()
                .map(|p| {
                    let texts = properties::strings(&p.args);
                    let href = texts.first().copied().unwrap_or_default();
                    let text = texts.get(1).copied().unwrap_or_default();
                    quote!(rt::PagerDutyLink { href: String::from(#href), text: String::from(#text) })
                })
                .collect();
            (!links.is_empty()).then(|| quote!(vec![#(#links),*]))
        }
        Kind::Recipients => {
            let to: Vec<&str> = properties::strings(&handler.args)
                .into_iter()
                .chain(calls.by_ref().flat_map(|p| properties::strings(&p.args)))
                .collect();
            (!to.is_empty()).then(|| quote!(vec![#(String::from(#to)),*]))
        }
    }
}

/// A literal as the runtime's untyped `Scalar` (Kapacitor keeps such values as given).
fn scalar(value: &Value) -> Option<TokenStream> {
    Some(match value {
        Value::String(s) => quote!(rt::Scalar::String(String::from(#s))),
        Value::Int(i) => quote!(rt::Scalar::Int(#i)),
        Value::Float(f) => {
            let f = crate::codegen::literal::float(*f);
            quote!(rt::Scalar::Float(#f))
        }
        Value::Bool(b) => quote!(rt::Scalar::Bool(#b)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::check::{CheckOptions, check_source};
    use crate::codegen::generate_file;

    /// Every service handler with properties of each kind, and a post to an endpoint.
    const SCRIPT: &str = r#"dbrp "telegraf"."autogen"
stream
    |from()
        .measurement('cpu')
    |alert()
        .crit(lambda: "usage_idle" < 10)
        .slack()
            .workspace('ops')
            .channel('#alerts')
        .pagerDuty()
            .serviceKey('k')
        .pagerDuty2()
            .serviceKey('s')
            .routingKey('r')
            .link('http://x/{{ .ID }}', 'x')
            .link('http://y')
        .victorOps()
            .routingKey('team')
        .teams()
            .channelURL('http://teams')
        .opsGenie()
            .teams('a', 'b')
            .recipients('c')
        .opsGenie2()
            .recoveryAction('close')
        .telegram()
            .chatId('1')
            .disableNotification()
        .discord()
            .embedTitle('{{ .ID }}')
        .alerta()
            .resource('{{ .Name }}')
            .services('web', 'db')
            .timeout(1h)
        .pushover()
            .sound('siren')
        .sensu()
            .handlers('h1')
            .metadata('k', 1)
            .metadata('f', 1.5)
            .metadata('s', 'v')
            .metadata('b', TRUE)
        .bigPanda()
            .appKey('app')
            .attribute('team', 'ops')
        .email('a@example.com')
            .to('b@example.com')
        .post()
            .endpoint('hook')
            .header('X-A', 'b')
            .timeout(5s)
"#;

    fn generated(script: &str) -> Result<String, String> {
        let checked = check_source(script, &CheckOptions::default());
        let task = checked.task.ok_or_else(|| format!("{:?}", checked.diagnostics))?;
        generate_file(&task, "t", script).map_err(|d| format!("{d:?}"))
    }

    #[test]
    fn every_service_handler_is_built_from_the_config_and_the_script() {
        let code = generated(SCRIPT).unwrap();
        let handlers = code
            .split("handlers: vec![")
            .nth(1)
            .and_then(|rest| rest.split("..rt::AlertConfig::for_task").next())
            .unwrap_or_default();
        insta::with_settings!({ snapshot_path => "../../snapshots" }, {
            insta::assert_snapshot!("alert_service_handlers", handlers);
        });
        assert!(code.contains(".with_global_handlers(&context.config.services)"), "{code}");
    }

    #[test]
    fn a_property_the_runtime_lacks_is_unsupported() {
        let script = "dbrp \"db\".\"rp\"\nstream\n    |from()\n    |alert()\n        .opsGenie2()\n            .details()\n";
        let error = generated(script).unwrap_err();
        assert!(error.contains("`.opsGenie2().details()`"), "{error}");
        assert!(error.contains("unsupported"), "{error}");
    }
}
