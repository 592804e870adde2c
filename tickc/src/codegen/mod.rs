//! Code generation: a checked task (the IR) becomes the Rust module of a task program.
//!
//! The module holds `pub static DESCRIPTOR` (id, kind, dbrps, script, and the function that
//! builds the pipeline), a `Pipeline` struct with one typed field per node (configured with the
//! script's values written as literals), one method per node that wires it to its children,
//! the `Task` impl the runtime drives, and one struct per lambda implementing `Lambda`. Nothing
//! of the script is interpreted at run time.
//!
//! Generated code names the runtime only through `tick_runtime::__private` (imported as `rt`),
//! so the runtime can change behind that module.
//!
//! The snapshot tests in `tests.rs` are the golden files of generated code (under
//! `src/codegen/snapshots/`): they fail on any change of the output. After an intended change,
//! run `INSTA_UPDATE=always cargo test -p tickc --lib codegen` (or `cargo insta test` then
//! `cargo insta accept`) and review the diff of the snapshot files before committing them.

mod descriptor;
pub use descriptor::TaskHeader;
mod lambda;
mod literal;
mod nodes;
mod wiring;

#[cfg(test)]
mod end_to_end;
#[cfg(test)]
mod tests;

use proc_macro2::TokenStream;
use quote::quote;

use crate::diagnostic::Diagnostic;
use crate::ir::Task;
use crate::span::Span;

/// The module of `task` as tokens. `task_id` names the task (as the runtime's API shows it);
/// `script` is its source, kept for `show`; the task starts enabled. Every node the runtime
/// does not implement yet is reported (code `unsupported`) at the node.
pub fn generate(task: &Task, task_id: &str, script: &str) -> Result<TokenStream, Vec<Diagnostic>> {
    generate_task(task, &TaskHeader::enabled(task_id, script))
}

/// [`generate`] with the whole header: a task may start disabled.
pub fn generate_task(task: &Task, header: &TaskHeader<'_>) -> Result<TokenStream, Vec<Diagnostic>> {
    let mut codes = Vec::with_capacity(task.nodes.len());
    let mut diagnostics = Vec::new();
    for node in &task.nodes {
        match nodes::generate(node) {
            Ok(code) => codes.push(code),
            Err(error) => diagnostics.push(*error),
        }
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    let descriptor = descriptor::descriptor(task, header);
    let pipeline = wiring::pipeline(task, &codes);
    let items = codes.iter().flat_map(|c| &c.items);
    Ok(quote! {
        use ::tick_runtime::__private as rt;

        #descriptor
        #pipeline
        #(#items)*
    })
}

/// [`generate`], formatted as the source file of the module.
pub fn generate_file(task: &Task, task_id: &str, script: &str) -> Result<String, Vec<Diagnostic>> {
    generate_task_file(task, &TaskHeader::enabled(task_id, script))
}

/// [`generate_task`], formatted as the source file of the module.
pub fn generate_task_file(task: &Task, header: &TaskHeader<'_>) -> Result<String, Vec<Diagnostic>> {
    let tokens = generate_task(task, header)?;
    let file: syn::File = syn::parse2(tokens).map_err(|error| {
        vec![Diagnostic::error(
            "internal",
            Span::default(),
            format!("tickc bug: the generated code does not parse: {error}"),
        )]
    })?;
    Ok(prettyplease::unparse(&file))
}
