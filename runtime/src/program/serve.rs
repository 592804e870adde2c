//! `serve`: run the program's tasks on the live stream, fed by `/write` (InfluxDB subscriptions,
//! Telegraf, curl), with the Kapacitor-compatible API beside it, and the batch tasks' queries
//! against InfluxDB on their schedules, until SIGTERM or SIGINT; then stop gracefully: remove
//! our subscriptions, let the queries in flight finish, drain the queued points, flush the
//! tasks and their deliveries, exit 0.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use clap::Args;
use tokio::net::TcpListener;

use super::exit;
use super::schedule::BatchScheduler;
use crate::config::{InfluxDbSection, ProgramConfig};
use crate::delivery::Outbox;
use crate::delivery::threaded::ThreadedOutbox;
use crate::http::{BatchSink, Config, Credentials, Server};
use crate::influxdb::subscriptions::{Dbrp, Subscription, Subscriptions};
use crate::influxdb::{InfluxDbClient, InfluxDbConfig};
use crate::task::{TaskDescriptor, TaskKind};

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
    /// A configuration file (TOML with kapacitor.conf's section names); its `[[influxdb]]`
    /// section is the InfluxDB the batch tasks query and the stream tasks subscribe to.
    #[arg(long, env = "TICK_CONFIG")]
    config: Option<PathBuf>,
    #[command(flatten)]
    influxdb: InfluxDbArgs,
}

/// The InfluxDB flags of `serve`; each overrides its `[[influxdb]]` key.
#[derive(Debug, Args)]
struct InfluxDbArgs {
    /// The InfluxDB (`http://host:port`) the batch tasks query and the stream tasks subscribe
    /// to.
    #[arg(long = "influxdb", env = "TICK_INFLUXDB_URL")]
    url: Option<String>,
    /// The user name to authenticate to InfluxDB with.
    #[arg(long = "influxdb-username", env = "TICK_INFLUXDB_USERNAME")]
    username: Option<String>,
    /// The password of --influxdb-username; prefer the environment variable.
    #[arg(
        long = "influxdb-password",
        env = "TICK_INFLUXDB_PASSWORD",
        hide_env_values = true
    )]
    password: Option<String>,
    /// Where InfluxDB sends the stream tasks' data (`http://host:port` of this server as
    /// InfluxDB reaches it). Default: `kapacitor-hostname` and `http-port` of `[[influxdb]]`,
    /// else the address served on (`localhost` when that is every interface).
    #[arg(long, env = "TICK_SUBSCRIPTION_URL")]
    subscription_url: Option<String>,
    /// The name of our subscriptions in InfluxDB (default `tickc-<host name>`).
    #[arg(long, env = "TICK_SUBSCRIPTION_NAME")]
    subscription_name: Option<String>,
    /// Do not subscribe the stream tasks to InfluxDB (`disable-subscriptions` in the file).
    #[arg(long)]
    disable_subscriptions: bool,
}

/// The InfluxDB a serving program talks to, from the flags over the configuration file.
#[derive(Debug)]
struct InfluxDbSettings {
    client: InfluxDbConfig,
    /// None when subscriptions are disabled.
    subscription: Option<Subscription>,
}

impl InfluxDbArgs {
    /// The InfluxDB to use, if any is named by a flag or the file; `local` is the address the
    /// server listens on.
    fn settings(self, file: Option<&InfluxDbSection>, local: SocketAddr) -> Option<InfluxDbSettings> {
        let url = self.url.or_else(|| file.and_then(|s| s.urls.first().cloned()))?;
        let non_empty = |text: &String| !text.is_empty();
        let mut client = InfluxDbConfig::new(url);
        client.username = self.username.or_else(|| file.map(|s| s.username.clone()).filter(non_empty));
        client.password = self.password.or_else(|| file.map(|s| s.password.clone()).filter(non_empty));
        let disabled = self.disable_subscriptions || file.is_some_and(|s| s.disable_subscriptions);
        let subscription = (!disabled).then(|| Subscription {
            name: self
                .subscription_name
                .unwrap_or_else(|| format!("tickc-{}", host_name())),
            destination: self
                .subscription_url
                .unwrap_or_else(|| subscription_destination(file, local)),
        });
        Some(InfluxDbSettings {
            client,
            subscription,
        })
    }
}

/// `http://host:port` of this server for InfluxDB: the configured host name and port, else the
/// address served on.
fn subscription_destination(file: Option<&InfluxDbSection>, local: SocketAddr) -> String {
    let port = file.and_then(|s| s.http_port).unwrap_or(local.port());
    match file.and_then(|s| s.kapacitor_hostname.as_deref()) {
        Some(host) => format!("http://{host}:{port}"),
        // Kapacitor's default host name.
        None if local.ip().is_unspecified() => format!("http://localhost:{port}"),
        // Formatted as a socket address, an IPv6 address gets its brackets.
        None => format!("http://{}", SocketAddr::new(local.ip(), port)),
    }
}

/// This machine's name, for the default subscription name.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// What `serve` runs against InfluxDB: the batch tasks' schedules and the stream tasks'
/// subscriptions.
struct LiveInfluxDb {
    scheduler: Option<BatchScheduler>,
    /// Linking runs beside the server, so an InfluxDB slow to answer does not hold up serving.
    linking: Option<JoinHandle<Subscriptions>>,
}

impl LiveInfluxDb {
    /// Starts the schedules and the linking. Every error is reported and none is fatal: the
    /// server still serves `/write`.
    fn start(tasks: &[TaskDescriptor], settings: InfluxDbSettings, sink: BatchSink) -> LiveInfluxDb {
        let client = match InfluxDbClient::new(&settings.client) {
            Ok(client) => client,
            Err(e) => {
                eprintln!("error: --influxdb: {e}; batch tasks will not query and stream tasks will not be subscribed");
                return LiveInfluxDb {
                    scheduler: None,
                    linking: None,
                };
            }
        };
        let batch_tasks: Vec<TaskDescriptor> =
            tasks.iter().filter(|t| t.kind == TaskKind::Batch).copied().collect();
        let scheduler = (!batch_tasks.is_empty()).then(|| {
            let (scheduler, rejected) = BatchScheduler::start(&batch_tasks, &client, Arc::new(sink));
            for error in rejected {
                eprintln!("error: {error}; the task's queries will not run");
            }
            eprintln!(
                "scheduled {} batch queries against {}",
                scheduler.queries(),
                settings.client.url
            );
            scheduler
        });
        let dbrps: Vec<Dbrp> = tasks
            .iter()
            .filter(|t| t.kind == TaskKind::Stream)
            .flat_map(|t| t.dbrps)
            .map(|d| Dbrp {
                database: d.database.to_owned(),
                retention_policy: d.retention_policy.to_owned(),
            })
            .collect();
        let linking = settings
            .subscription
            .filter(|_| !dbrps.is_empty())
            .and_then(|subscription| {
                let spawned = std::thread::Builder::new()
                    .name("subscriptions".into())
                    .spawn(move || link(&client, &subscription, dbrps));
                spawned
                    .map_err(|e| eprintln!("error: cannot start subscribing: {e}"))
                    .ok()
            });
        LiveInfluxDb { scheduler, linking }
    }

    /// Removes our subscriptions, then stops the schedules (a query in flight still hands its
    /// batches to the tasks, which are still running).
    fn stop(self) {
        if let Some(subscriptions) = self.linking.and_then(|linking| linking.join().ok()) {
            for error in subscriptions.unlink() {
                eprintln!("warning: {error}");
            }
        }
        if let Some(scheduler) = self.scheduler {
            let counts = scheduler.stop();
            if counts.failures > 0 {
                eprintln!(
                    "warning: {} of {} batch queries failed",
                    counts.failures, counts.runs
                );
            }
        }
    }
}

fn link(client: &InfluxDbClient, subscription: &Subscription, dbrps: Vec<Dbrp>) -> Subscriptions {
    let (subscriptions, errors) = Subscriptions::link(client, subscription, dbrps);
    for error in errors {
        eprintln!("warning: {error}; the stream tasks will not get that data from InfluxDB");
    }
    for dbrp in subscriptions.linked() {
        eprintln!(
            "subscribed to {dbrp} as {:?}, sending to {}",
            subscription.name, subscription.destination
        );
    }
    subscriptions
}

impl ServeArgs {
    fn server_config(&self) -> Config {
        let credentials = match (&self.username, &self.password) {
            (Some(username), Some(password)) => Some(Credentials {
                username: username.clone(),
                password: password.clone(),
            }),
            _ => None,
        };
        Config {
            max_body_bytes: self.max_body_bytes,
            default_retention_policy: self.default_retention_policy.clone(),
            credentials,
            ..Config::default()
        }
    }
}

pub(super) fn serve(tasks: &[TaskDescriptor], args: ServeArgs) -> u8 {
    let file = match &args.config {
        Some(path) => match ProgramConfig::load(path) {
            Ok(config) => config,
            Err(e) => {
                eprintln!("error: --config {e}");
                return exit::USAGE;
            }
        },
        None => ProgramConfig::default(),
    };
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
    let local = match listener.local_addr() {
        Ok(address) => address,
        Err(e) => {
            eprintln!("error: cannot listen on {bind}: {e}");
            return exit::FAILED;
        }
    };
    let outbox = Arc::new(ThreadedOutbox::new());
    let server = Server::new(tasks, outbox.clone(), args.server_config());
    let influxdb = args
        .influxdb
        .settings(file.default_influxdb(), local)
        .map(|settings| LiveInfluxDb::start(tasks, settings, server.batch_sink()));
    if influxdb.is_none() && tasks.iter().any(|t| t.kind == TaskKind::Batch) {
        eprintln!("warning: no InfluxDB configured (--influxdb): the batch tasks' queries will not run");
    }
    // Tests and scripts wait for this line (with --bind 127.0.0.1:0 it tells the port).
    eprintln!("listening on http://{local}");
    let shutdown = async move {
        termination().await;
        if let Some(influxdb) = influxdb {
            // Blocking calls to InfluxDB and joins: off the async workers.
            let _ = tokio::task::spawn_blocking(move || influxdb.stop()).await;
        }
    };
    runtime.block_on(server.run(listener, shutdown));
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
