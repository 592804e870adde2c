//! The compiler side of `tick!`: a script becomes the body of the module the macro expands to,
//! with the code `tickc build` generates for it (hidden in a `pipeline` module) and a typed
//! `Task` over the runtime's `tick_runtime::embed::EmbeddedTask`.
//! Errors come back rendered as `tickc check` prints them, for the macro to turn into
//! `compile_error!`s; warnings are left out, as a build leaves them out.

use proc_macro2::TokenStream;
use quote::quote;

use crate::check::{CheckOptions, check_source};
use crate::codegen::generate;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::render::to_text;

/// The items of the module embedding `script` as task `task_id`, or each error rendered with
/// its line, column and source line. `origin` names the script in those (its file, or where
/// the macro was written).
pub fn expand(script: &str, task_id: &str, origin: &str) -> Result<TokenStream, Vec<String>> {
    let rendered = |diagnostics: &[Diagnostic]| -> Vec<String> {
        diagnostics.iter().filter(|d| d.is_error()).map(|d| to_text(d, origin, script)).collect()
    };
    let checked = check_source(script, &CheckOptions::default());
    let Some(task) = checked.task else {
        return Err(rendered(&checked.diagnostics));
    };
    let pipeline = generate(&task, task_id, script).map_err(|diagnostics| rendered(&diagnostics))?;
    let doc = format!("The task `{task_id}`, started with [`Task::new`].");
    Ok(quote! {
        /// The code `tickc build` generates for the script.
        #[doc(hidden)]
        #[allow(warnings, clippy::all, clippy::pedantic, clippy::nursery)]
        pub mod pipeline {
            #pipeline
        }

        pub use self::pipeline::DESCRIPTOR;

        #[doc = #doc]
        /// It dereferences to [`EmbeddedTask`](::tick_runtime::embed::EmbeddedTask), which
        /// takes points and batches and moves the task's clock.
        #[derive(Debug)]
        pub struct Task(::tick_runtime::embed::EmbeddedTask);

        impl Task {
            /// The id the task was compiled with.
            pub const ID: &'static str = #task_id;

            /// Starts the task: its outputs and handlers go where `config` says.
            pub fn new(config: ::tick_runtime::embed::EmbedConfig) -> Task {
                Task(::tick_runtime::embed::EmbeddedTask::new(&DESCRIPTOR, config))
            }

            /// The untyped task, e.g. to keep tasks of several scripts together.
            pub fn into_inner(self) -> ::tick_runtime::embed::EmbeddedTask {
                self.0
            }
        }

        impl ::core::ops::Deref for Task {
            type Target = ::tick_runtime::embed::EmbeddedTask;

            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }

        impl ::core::ops::DerefMut for Task {
            fn deref_mut(&mut self) -> &mut Self::Target {
                &mut self.0
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CPU_ALERT: &str = "dbrp \"telegraf\".\"autogen\"\n\nstream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" < 70)\n";

    #[test]
    fn a_script_expands_to_its_pipeline_and_a_typed_task() {
        let items = expand(CPU_ALERT, "cpu_alert", "cpu_alert.tick").unwrap();
        let file: syn::File = syn::parse2(items).expect("the expansion parses as items");
        let names: Vec<String> = file
            .items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Mod(m) => Some(format!("mod {}", m.ident)),
                syn::Item::Struct(s) => Some(format!("struct {}", s.ident)),
                syn::Item::Use(_) => Some("use".to_owned()),
                syn::Item::Impl(_) => Some("impl".to_owned()),
                _ => None,
            })
            .collect();
        assert_eq!(names, ["mod pipeline", "use", "struct Task", "impl", "impl", "impl"]);
        let text = prettyplease::unparse(&file);
        assert!(text.contains("id: \"cpu_alert\""), "{text}");
        assert!(text.contains("pub const ID: &'static str = \"cpu_alert\";"), "{text}");
    }

    #[test]
    fn warnings_do_not_stop_a_script() {
        // No dbrp: the checker warns; the task still compiles.
        let script = "stream\n    |from()\n        .measurement('cpu')\n";
        assert!(expand(script, "t", "t.tick").is_ok());
    }

    #[test]
    fn every_error_is_rendered_with_its_position() {
        let script = "stream\n    |from()\n        .measurement(\"cpu\")\n        .nosuch(1)\n";
        let errors = expand(script, "t", "t.tick").unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(errors[0].starts_with("error[quoting]"), "{}", errors[0]);
        assert!(errors[0].contains("t.tick:3:22"), "{}", errors[0]);
        assert!(errors[1].contains("t.tick:4:10") && errors[1].contains("nosuch"), "{}", errors[1]);
    }

    #[test]
    fn a_syntax_error_is_an_error_not_a_panic() {
        let errors = expand("stream\n    |from(\n", "t", "t.tick").unwrap_err();
        assert!(!errors.is_empty());
        assert!(errors.iter().all(|e| e.contains("t.tick:")), "{errors:#?}");
    }
}
