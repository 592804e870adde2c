//! The task's descriptor, the one item of a generated module the runtime looks up: the task's
//! id, kind, databases, script, and the function that builds its pipeline.

use proc_macro2::TokenStream;
use quote::quote;

use crate::catalogue::Edge;
use crate::ir::Task;

pub(super) fn descriptor(task: &Task, task_id: &str, script: &str) -> TokenStream {
    let kind = match task.kind {
        Edge::Stream => quote!(Stream),
        Edge::Batch => quote!(Batch),
    };
    let databases = task.dbrps.iter().map(|d| &d.database);
    let retention_policies = task.dbrps.iter().map(|d| &d.retention_policy);
    quote! {
        pub static DESCRIPTOR: rt::TaskDescriptor = rt::TaskDescriptor {
            id: #task_id,
            kind: rt::TaskKind::#kind,
            dbrps: &[#(rt::Dbrp { database: #databases, retention_policy: #retention_policies }),*],
            script: #script,
            new: Pipeline::start,
        };
    }
}
