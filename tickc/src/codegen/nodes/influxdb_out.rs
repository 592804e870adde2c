//! `|influxDBOut()`: the runtime's `InfluxDbOutNode`, writing to the program's InfluxDB (the
//! task cannot start without one), with Kapacitor's defaults: a buffer of 1000 points and a
//! flush every 10s.

use quote::quote;

use super::{NodeCode, properties};
use crate::ir::Node;

const DEFAULT_BUFFER: i64 = 1000;
const DEFAULT_FLUSH_INTERVAL: i64 = 10_000_000_000;

pub(super) fn generate(node: &Node) -> NodeCode {
    let text = |name| properties::string(node, name).unwrap_or_default();
    let (cluster, database, retention_policy, measurement, precision) = (
        text("cluster"),
        text("database"),
        text("retentionPolicy"),
        text("measurement"),
        text("precision"),
    );
    let tags = properties::string_pairs(node, "tag")
        .into_iter()
        .map(|(key, value)| quote!((String::from(#key), String::from(#value))));
    // A negative buffer (the checker types it as an int) writes every point at once.
    let buffer = usize::try_from(properties::int(node, "buffer").unwrap_or(DEFAULT_BUFFER)).unwrap_or(0);
    let flush_nanos = u64::try_from(
        properties::duration(node, "flushInterval").unwrap_or(DEFAULT_FLUSH_INTERVAL),
    )
    .ok()
    .filter(|n| *n > 0)
    .unwrap_or(DEFAULT_FLUSH_INTERVAL as u64);
    let flush_nanos = proc_macro2::Literal::u64_unsuffixed(flush_nanos);
    let buffer = proc_macro2::Literal::usize_unsuffixed(buffer);
    let create = properties::flag(node, "create");
    let name = &node.name;
    let init = quote! {
        rt::valid(#name, rt::InfluxDbOutNode::start(
            rt::InfluxDbOutConfig {
                cluster: String::from(#cluster),
                database: String::from(#database),
                retention_policy: String::from(#retention_policy),
                measurement: String::from(#measurement),
                tags: vec![#(#tags),*],
                precision: String::from(#precision),
                buffer: #buffer,
                flush_interval: rt::Duration::from_nanos(#flush_nanos),
                create: #create,
                label: format!("task {}, node {}", context.task_id, #name),
            },
            &context.config,
        ))
    };
    NodeCode::plain(quote!(rt::InfluxDbOutNode), init)
}
