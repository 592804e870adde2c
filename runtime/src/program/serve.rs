//! `serve`: run the program's tasks on the live stream, fed by `/write` (InfluxDB subscriptions,
//! Telegraf, curl), with the Kapacitor-compatible API beside it, until SIGTERM or SIGINT; then
//! stop gracefully: drain the queued points, flush the tasks and their deliveries, exit 0.

use std::sync::Arc;

use clap::Args;
use tokio::net::TcpListener;

use super::exit;
use crate::delivery::Outbox;
use crate::delivery::threaded::ThreadedOutbox;
use crate::http::{Config, Credentials, Server};
use crate::task::TaskDescriptor;

#[derive(Debug, Args)]
pub(super) struct ServeArgs {
    /// Address to listen on (host:port).
    #[arg(long, env = "TICK_BIND", default_value = "127.0.0.1:9092")]
    bind: String,
    /// Largest request body accepted, in bytes (also the limit after gzip decompression);
    /// larger bodies get 413.
    #[arg(long, env = "TICK_MAX_BODY_BYTES", default_value_t = Config::default().max_body_bytes)]
    max_body_bytes: usize,
    /// Retention policy of writes that name none (the database's default).
    #[arg(long, env = "TICK_DEFAULT_RETENTION_POLICY", default_value = "autogen")]
    default_retention_policy: String,
    /// Require HTTP basic authentication with this user name (with --password).
    #[arg(long, env = "TICK_USERNAME", requires = "password")]
    username: Option<String>,
    /// The password of --username; prefer the environment variable, which `ps` does not show.
    #[arg(
        long,
        env = "TICK_PASSWORD",
        hide_env_values = true,
        requires = "username"
    )]
    password: Option<String>,
}

impl ServeArgs {
    fn config(self) -> Config {
        let credentials = match (self.username, self.password) {
            (Some(username), Some(password)) => Some(Credentials { username, password }),
            _ => None,
        };
        Config {
            max_body_bytes: self.max_body_bytes,
            default_retention_policy: self.default_retention_policy,
            credentials,
            ..Config::default()
        }
    }
}

pub(super) fn serve(tasks: &[TaskDescriptor], args: ServeArgs) -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::FAILED;
        }
    };
    let bind = args.bind.clone();
    let listener = match runtime.block_on(TcpListener::bind(&bind)) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on {bind}: {e}");
            return exit::FAILED;
        }
    };
    let outbox = Arc::new(ThreadedOutbox::new());
    let server = Server::new(tasks, outbox.clone(), args.config());
    // Tests and scripts wait for this line (with --bind 127.0.0.1:0 it tells the port).
    match listener.local_addr() {
        Ok(address) => eprintln!("listening on http://{address}"),
        Err(_) => eprintln!("listening on {bind}"),
    }
    runtime.block_on(server.run(listener, termination()));
    outbox.flush();
    exit::OK
}

/// Completes at the first SIGTERM or SIGINT.
async fn termination() {
    let interrupt = async {
        // Without a handler there is no signal to wait for: serve until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => tokio::select! {
                _ = terminate.recv() => {}
                () = interrupt => {}
            },
            Err(_) => interrupt.await,
        }
    }
    #[cfg(not(unix))]
    interrupt.await;
}
