//! The task's descriptor, the one item of a generated module the runtime looks up: the task's
//! id, kind, databases, script, its graph (node names and edges, for the DOT view), the
//! configurations of its queries (batch tasks), the function that builds its pipeline,
//! whether a serving program starts it, and which points of the stream it can use (its routes).

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::nodes::query_config;
use super::wiring::query_nodes;
use crate::catalogue::Edge;
use crate::ir::Task;
use crate::routes::{Route, routes};

/// What the generated module says about a task beyond its pipeline.
#[derive(Debug, Clone, Copy)]
pub struct TaskHeader<'a> {
    /// The task's id, as the runtime's API shows it.
    pub id: &'a str,
    /// The script, kept for `show`.
    pub script: &'a str,
    /// Whether a serving program starts the task (Kapacitor's status `enabled`).
    pub enabled: bool,
}

impl<'a> TaskHeader<'a> {
    /// An enabled task: what a script given on the command line becomes.
    pub fn enabled(id: &'a str, script: &'a str) -> Self {
        TaskHeader { id, script, enabled: true }
    }
}

pub(super) fn descriptor(task: &Task, header: &TaskHeader<'_>) -> TokenStream {
    let TaskHeader { id: task_id, script, enabled } = *header;
    let kind = match task.kind {
        Edge::Stream => quote!(Stream),
        Edge::Batch => quote!(Batch),
    };
    let databases = task.dbrps.iter().map(|d| &d.database);
    let retention_policies = task.dbrps.iter().map(|d| &d.retention_policy);
    let nodes = task.nodes.iter().map(|n| &n.name);
    // Kapacitor lists edges by parent, then in the order the children were added.
    let edges = task
        .nodes
        .iter()
        .flat_map(|n| n.children.iter().map(move |&c| (n.id, c)))
        .map(|(parent, child)| {
            let (parent, child) = (
                Literal::usize_unsuffixed(parent),
                Literal::usize_unsuffixed(child),
            );
            quote!((#parent, #child))
        });
    // A stream task has no queries: it names `Vec::new` rather than an empty function.
    let configs: Vec<TokenStream> = query_nodes(task).into_iter().map(query_config).collect();
    let (queries, queries_fn) = if configs.is_empty() {
        (quote!(Vec::new), None)
    } else {
        let queries_fn = quote! {
            fn query_configs() -> Vec<rt::QueryConfig> {
                Vec::from([#(#configs),*])
            }
        };
        (quote!(query_configs), Some(queries_fn))
    };
    let routes: Vec<TokenStream> = routes(task).iter().map(route).collect();
    quote! {
        pub static DESCRIPTOR: rt::TaskDescriptor = rt::TaskDescriptor {
            id: #task_id,
            kind: rt::TaskKind::#kind,
            dbrps: &[#(rt::Dbrp { database: #databases, retention_policy: #retention_policies }),*],
            script: #script,
            nodes: &[#(#nodes),*],
            edges: &[#(#edges),*],
            queries: #queries,
            new: Pipeline::start,
            enabled: #enabled,
            routes: rt::Routes::Only(&[#(#routes),*]),
        };

        #queries_fn
    }
}

fn route(route: &Route) -> TokenStream {
    let Route { database, retention_policy, measurement, tags } = route;
    let measurement = match measurement {
        Some(m) => quote!(Some(#m)),
        None => quote!(None),
    };
    let (names, values): (Vec<&String>, Vec<&String>) = tags.iter().map(|(n, v)| (n, v)).unzip();
    quote! {
        rt::Route {
            database: #database,
            retention_policy: #retention_policy,
            measurement: #measurement,
            tags: &[#((#names, #values)),*],
        }
    }
}
