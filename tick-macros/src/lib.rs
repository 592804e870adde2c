//! The `tick!` macro: a TICKscript task compiled into the Rust program that embeds it. A thin
//! shim over the tickc library: it reads the macro's input, hands the script to
//! `tickc::embed::expand` (the code generator `tickc build` uses) and turns the script's errors
//! into compile errors.

mod input;

use proc_macro::TokenStream;
use quote::quote;

use input::{Script, TickInput};

/// Compiles a TICKscript into a module holding a typed task.
///
/// ```text
/// tick!(ATTRIBUTES VISIBILITY mod NAME, "SCRIPT");
/// tick!(ATTRIBUTES VISIBILITY mod NAME, path = "FILE.tick");
/// ```
///
/// The script is a string literal, or a file named relative to the crate's `Cargo.toml`
/// (`CARGO_MANIFEST_DIR`), which cargo then watches: editing it rebuilds the crate. The task's
/// id is the module's name.
///
/// The module `NAME` holds `DESCRIPTOR` (what the compiler knows of the task: its databases,
/// nodes and edges) and `Task`: `Task::new(config)` starts the task, and it dereferences to
/// `tick_runtime::embed::EmbeddedTask`, which takes line protocol
/// (`push_line_protocol`), built points (`point`, `push_point`), batches (`push_batch`) and
/// clock ticks (`tick`), and `flush`es. What the task emits and the alerts it raises reach the
/// callback or channel of its `tick_runtime::embed::EmbedConfig`; the alert handlers the script
/// declares deliver as in a task program, unless the configuration turns them off.
///
/// A script with an error does not compile: each error is a compile error that shows the
/// script's line and column, its source line and the fix, as `tickc check` shows them. A
/// script's warnings are not reported (run `tickc check` on it to see them).
///
/// The crate using `tick!` also depends on `tick-runtime`, which the generated code calls.
///
/// # Examples
///
/// ```
/// use tick_macros::tick;
/// use tick_runtime::alert::Level;
/// use tick_runtime::embed::{EmbedConfig, Handlers};
///
/// tick!(
///     /// A critical alert whenever a cpu is less than 70% idle.
///     mod cpu_alert,
///     r#"
/// dbrp "telegraf"."autogen"
///
/// stream
///     |from()
///         .measurement('cpu')
///     |alert()
///         .crit(lambda: "usage_idle" < 70)
///         .log('/tmp/alerts.log')
/// "#
/// );
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // The log handler is turned off: alerts are read from the channel instead.
/// let (sender, outputs) = std::sync::mpsc::sync_channel(64);
/// let config = EmbedConfig::new().handlers(Handlers::Off).channel(sender);
/// let mut task = cpu_alert::Task::new(config);
/// task.push_line_protocol(
///     "telegraf",
///     "autogen",
///     "cpu,cpu=cpu0 usage_idle=42 1700000000000000000\n\
///      cpu,cpu=cpu0 usage_idle=95 1700000010000000000\n",
/// )?;
/// drop(task);
///
/// let levels: Vec<Level> = outputs.iter().filter_map(|o| o.alert().map(|a| a.level)).collect();
/// assert_eq!(levels, [Level::Critical, Level::Ok]);
/// # Ok(())
/// # }
/// ```
///
/// A script in a file, with its handlers delivering and outputs collected by a callback:
///
/// ```no_run
/// use std::sync::{Arc, Mutex};
/// use tick_macros::tick;
/// use tick_runtime::embed::{EmbedConfig, OutputRef};
///
/// tick!(pub mod cpu_alert, path = "../examples/cpu_alert.tick");
///
/// let messages = Arc::new(Mutex::new(Vec::new()));
/// let seen = Arc::clone(&messages);
/// let mut task = cpu_alert::Task::new(EmbedConfig::new().on_output(move |output| {
///     if let OutputRef::Alert { event, .. } = output {
///         seen.lock().unwrap().push(event.message.clone());
///     }
/// }));
/// let point = task.point("cpu", 1_700_000_000_000_000_000).tag("cpu", "cpu0").field("usage_idle", 12.5).build();
/// task.push_point(point);
/// task.flush();
/// ```
#[proc_macro]
pub fn tick(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as TickInput);
    expand(&input).into()
}

fn expand(input: &TickInput) -> proc_macro2::TokenStream {
    let TickInput { attrs, vis, name, script } = input;
    let task_id = name.to_string();
    let (text, origin, tracked) = match script {
        Script::Inline(literal) => (literal.value(), format!("tick!(mod {task_id})"), None),
        Script::File(literal) => match read_script(&literal.value()) {
            Ok((text, path)) => (text, literal.value(), Some(path)),
            Err(error) => return syn::Error::new(literal.span(), error).to_compile_error(),
        },
    };
    let items = match tickc::embed::expand(&text, &task_id, &origin) {
        Ok(items) => items,
        Err(errors) => {
            // Literal::subspan, which could point inside the script, is nightly-only: the
            // error points at the literal and names the line and column in its text.
            let span = script.span();
            return errors.iter().map(|error| syn::Error::new(span, error).to_compile_error()).collect();
        }
    };
    // Naming the file in include_str! is what makes cargo rebuild when it changes.
    let tracking = tracked.map(|path| quote!(const _: &str = ::core::include_str!(#path);));
    quote! {
        #(#attrs)*
        #vis mod #name {
            #tracking
            #items
        }
    }
}

/// The script at `path` (relative to the crate's manifest), and its absolute path.
fn read_script(path: &str) -> Result<(String, String), String> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .ok_or_else(|| "CARGO_MANIFEST_DIR is not set: tick! runs under cargo".to_owned())?;
    let full = std::path::Path::new(&manifest_dir).join(path);
    let text = std::fs::read_to_string(&full)
        .map_err(|error| format!("cannot read {path} (relative to the crate's Cargo.toml): {error}"))?;
    let full = full.to_str().ok_or_else(|| format!("{} is not UTF-8", full.display()))?.to_owned();
    Ok((text, full))
}
