//! The node table: every chain method of Kapacitor 1.5 with its properties.

use super::*;

pub static NODES: &[NodeSpec] = &[
    NodeSpec {
        name: "stream",
        desc: "stream",
        family: NodeFamily::Source,
        args: Signature::NONE,
        wants: Wants::Nothing,
        provides: Provides::Stream,
        parents: &[],
        properties: &[],
        has_handlers: false,
        doc: "The root of a stream task: every point written to the task's databases.",
    },
];
