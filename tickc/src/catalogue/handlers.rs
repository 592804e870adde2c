//! The alert handler table: each handler's arguments and its own properties, as read from
//! Kapacitor's `pipeline/alert.go`. A handler's property shadows an alert property of the same
//! name (`.topic()` after `.mqtt()` sets the MQTT topic, `.message()` after `.zenoss()` the Zenoss
//! message), because Kapacitor resolves the handler's own fields first.

use super::*;
use ArgType as T;

/// A `(key, value)` property whose every call adds an entry (`.attribute('k', 1.5)`); the
/// value may be any literal, as Kapacitor stores it untyped.
const fn key_value(name: &'static str, doc: &'static str) -> PropertySpec {
    const KEY_VALUE: Signature = Signature::of(&[p("key", T::String), p("value", T::Scalar)]);
    PropertySpec::new(name, KEY_VALUE, doc).accumulating()
}

/// A property listing names (`.teams('a', 'b')`); a later call replaces the list.
const fn list(name: &'static str, doc: &'static str) -> PropertySpec {
    PropertySpec::new(name, Signature::variadic(&[], T::String), doc)
}

// One entry per line reads as a table; rustfmt would spread each over several.
#[rustfmt::skip]
pub static HANDLERS: &[HandlerSpec] = &[
    HandlerSpec::new(
        "post",
        Signature::of(&[opt("url", T::String)]),
        &[
            PropertySpec::value("endpoint", T::String, "Name of a configured httppost endpoint."),
            PropertySpec::new(
                "header",
                Signature::of(&[p("name", T::String), p("value", T::String)]),
                "HTTP header of the request.",
            )
            .accumulating(),
            PropertySpec::flag("captureResponse", "Log the response body on failure."),
            PropertySpec::value("timeout", T::Duration, "Request timeout."),
            PropertySpec::flag("skipSSLVerification", "Do not verify the server's certificate."),
        ],
        "POST the event as JSON to a URL or endpoint.",
    ),
    HandlerSpec::new(
        "tcp",
        Signature::of(&[p("address", T::String)]),
        &[PropertySpec::value("address", T::String, "host:port to send to.")],
        "Send the event as JSON over TCP.",
    ),
    HandlerSpec::new(
        "email",
        Signature::variadic(&[], T::String),
        &[
            list("to", "More recipients.").accumulating(),
            list("toTemplates", "Templates that render more recipients.").accumulating().since(Since::V1_6),
        ],
        "Send the event by email.",
    ),
    HandlerSpec::new(
        "exec",
        Signature::variadic(&[p("executable", T::String)], T::String),
        &[],
        "Run a program with the event as JSON on stdin.",
    ),
    HandlerSpec::new(
        "log",
        Signature::of(&[p("path", T::String)]),
        &[PropertySpec::value("mode", T::Int, "File mode of a created log file (default 0600).")],
        "Append the event as JSON to a file.",
    ),
    HandlerSpec::new(
        "victorOps",
        Signature::NONE,
        &[PropertySpec::value("routingKey", T::String, "VictorOps routing key.")],
        "Send the event to VictorOps.",
    ),
    HandlerSpec::new(
        "pagerDuty",
        Signature::NONE,
        &[PropertySpec::value("serviceKey", T::String, "PagerDuty service key.")],
        "Send the event to PagerDuty (API v1).",
    ),
    HandlerSpec::new(
        "pagerDuty2",
        Signature::NONE,
        &[
            PropertySpec::value("routingKey", T::String, "PagerDuty routing key."),
            PropertySpec::value("serviceKey", T::String, "Alias of routingKey."),
            PropertySpec::new(
                "link",
                Signature::of(&[p("href", T::String), opt("text", T::String)]),
                "Link attached to the incident.",
            )
            .accumulating(),
        ],
        "Send the event to PagerDuty (API v2).",
    ),
    HandlerSpec::new(
        "pushover",
        Signature::NONE,
        &[
            PropertySpec::value("userKey", T::String, "Pushover user key."),
            PropertySpec::value("device", T::String, "Device to notify."),
            PropertySpec::value("title", T::String, "Message title."),
            PropertySpec::value("uRL", T::String, "Supplementary URL."),
            PropertySpec::value("uRLTitle", T::String, "Title of the supplementary URL."),
            PropertySpec::value("sound", T::String, "Notification sound."),
        ],
        "Send the event to Pushover.",
    ),
    HandlerSpec::new(
        "sensu",
        Signature::NONE,
        &[
            PropertySpec::value("source", T::String, "Source name of the check."),
            list("handlers", "Sensu handlers to run."),
            key_value("metadata", "Extra attribute of the check."),
        ],
        "Send the event to Sensu.",
    ),
    HandlerSpec::new(
        "slack",
        Signature::NONE,
        &[
            PropertySpec::value("workspace", T::String, "Configured Slack workspace."),
            PropertySpec::value("channel", T::String, "Channel or @user to post to."),
            PropertySpec::value("username", T::String, "Name the message is posted as."),
            PropertySpec::value("iconEmoji", T::String, "Emoji used as the avatar."),
        ],
        "Post the event to Slack.",
    ),
    HandlerSpec::new(
        "discord",
        Signature::NONE,
        &[
            PropertySpec::value("workspace", T::String, "Configured Discord workspace."),
            PropertySpec::value("username", T::String, "Name the message is posted as."),
            PropertySpec::value("avatarURL", T::String, "URL of the avatar image."),
            PropertySpec::value("embedTitle", T::String, "Title of the embed."),
        ],
        "Post the event to Discord.",
    ),
    HandlerSpec::new(
        "telegram",
        Signature::NONE,
        &[
            PropertySpec::value("chatId", T::String, "Chat to post to."),
            PropertySpec::value("parseMode", T::String, "Markdown or HTML."),
            PropertySpec::flag("disableWebPagePreview", "Do not preview links."),
            PropertySpec::flag("disableNotification", "Send silently."),
        ],
        "Post the event to Telegram.",
    ),
    HandlerSpec::new(
        "hipChat",
        Signature::NONE,
        &[
            PropertySpec::value("room", T::String, "Room to post to."),
            PropertySpec::value("token", T::String, "HipChat API token."),
        ],
        "Post the event to HipChat.",
    ),
    HandlerSpec::new(
        "alerta",
        Signature::NONE,
        &[
            PropertySpec::value("token", T::String, "Alerta API token."),
            PropertySpec::value("resource", T::String, "Template of the resource."),
            PropertySpec::value("event", T::String, "Template of the event name."),
            PropertySpec::value("environment", T::String, "Template of the environment."),
            PropertySpec::value("group", T::String, "Template of the group."),
            PropertySpec::value("value", T::String, "Template of the value."),
            PropertySpec::value("origin", T::String, "Origin of the alert."),
            list("services", "Affected services."),
            PropertySpec::value("timeout", T::Duration, "Alerta timeout of the alert."),
            list("correlated", "Related event names.").since(Since::V1_6),
            key_value("attribute", "Extra attribute.").since(Since::V1_6),
        ],
        "Send the event to Alerta.",
    ),
    HandlerSpec::new(
        "opsGenie",
        Signature::NONE,
        &[list("teams", "Teams to notify."), list("recipients", "Recipients to notify.")],
        "Send the event to OpsGenie (API v1).",
    ),
    HandlerSpec::new(
        "opsGenie2",
        Signature::NONE,
        &[
            list("teams", "Teams to notify."),
            list("recipients", "Recipients to notify."),
            PropertySpec::value("recoveryAction", T::String, "notes or close."),
            PropertySpec::flag("details", "Send the details as OpsGenie details.").since(Since::V1_6),
        ],
        "Send the event to OpsGenie (API v2).",
    ),
    HandlerSpec::new("talk", Signature::NONE, &[], "Send the event to Talk."),
    HandlerSpec::new(
        "mqtt",
        Signature::of(&[p("topic", T::String)]),
        &[
            PropertySpec::value("brokerName", T::String, "Configured broker."),
            PropertySpec::value("topic", T::String, "Topic to publish to."),
            PropertySpec::value("qos", T::Int, "Quality of service: 0, 1 or 2."),
            PropertySpec::value("retained", T::Bool, "Retain the message on the broker."),
        ],
        "Publish the event to an MQTT topic.",
    ),
    HandlerSpec::new(
        "snmpTrap",
        Signature::of(&[p("trapOid", T::String)]),
        &[PropertySpec::new(
            "data",
            Signature::of(&[p("oid", T::String), p("type", T::String), p("value", T::String)]),
            "Variable binding; type is one of c, i, n, s, t.",
        )
        .accumulating()],
        "Send the event as an SNMP trap.",
    ),
    HandlerSpec::new(
        "kafka",
        Signature::NONE,
        &[
            PropertySpec::value("cluster", T::String, "Configured Kafka cluster."),
            PropertySpec::value("kafkaTopic", T::String, "Topic to write to."),
            PropertySpec::value("template", T::String, "Template of the message."),
            PropertySpec::flag("disablePartitionById", "Do not partition by alert id.").since(Since::V1_6),
            PropertySpec::value("partitionHashAlgorithm", T::String, "crc32 (default), murmur2 or fnv-1a.")
                .since(Since::V1_6),
        ],
        "Write the event to Kafka.",
    ),
    HandlerSpec::new(
        "teams",
        Signature::NONE,
        &[PropertySpec::value("channelURL", T::String, "Incoming webhook URL of the channel.")],
        "Post the event to Microsoft Teams.",
    ),
    HandlerSpec::new(
        "serviceNow",
        Signature::NONE,
        &[
            PropertySpec::value("uRL", T::String, "ServiceNow events API URL."),
            PropertySpec::value("username", T::String, "ServiceNow user."),
            PropertySpec::value("password", T::String, "ServiceNow password."),
            PropertySpec::value("source", T::String, "Template of the event source."),
            PropertySpec::value("node", T::String, "Template of the node."),
            PropertySpec::value("type", T::String, "Template of the event type."),
            PropertySpec::value("resource", T::String, "Template of the resource."),
            PropertySpec::value("metricName", T::String, "Template of the metric name."),
            PropertySpec::value("messageKey", T::String, "Template of the message key."),
            key_value("additionalInfo", "Extra field of the event.").since(Since::V1_6),
        ],
        "Send the event to ServiceNow.",
    ),
    HandlerSpec::new(
        "bigPanda",
        Signature::NONE,
        &[
            PropertySpec::value("appKey", T::String, "BigPanda application key."),
            PropertySpec::value("host", T::String, "Template of the host."),
            PropertySpec::value("primaryProperty", T::String, "Primary property of the incident."),
            PropertySpec::value("secondaryProperty", T::String, "Secondary property of the incident."),
            key_value("attribute", "Extra attribute."),
        ],
        "Send the event to BigPanda.",
    )
    .since(Since::V1_6),
    HandlerSpec::new(
        "zenoss",
        Signature::NONE,
        &[
            PropertySpec::value("uRL", T::String, "Zenoss router URL."),
            PropertySpec::value("username", T::String, "Zenoss user."),
            PropertySpec::value("password", T::String, "Zenoss password."),
            PropertySpec::value("action", T::String, "Router action."),
            PropertySpec::value("method", T::String, "Router method."),
            PropertySpec::value("type", T::String, "Event type."),
            PropertySpec::value("tid", T::Int, "Temporary request id."),
            PropertySpec::value("collector", T::String, "Collector name."),
            PropertySpec::value("summary", T::String, "Template of the summary (default `{{ .Message }}`)."),
            PropertySpec::value("device", T::String, "Template of the device."),
            PropertySpec::value("component", T::String, "Template of the component."),
            PropertySpec::value("eventClassKey", T::String, "Template of the event class key."),
            PropertySpec::value("eventClass", T::String, "Template of the event class."),
            PropertySpec::value("message", T::String, "Template of the Zenoss message."),
            key_value("customField", "Extra field of the event."),
        ],
        "Send the event to Zenoss.",
    )
    .since(Since::V1_6),
];
