//! What a serving program does with InfluxDB: runs the batch tasks' queries on their schedules
//! and subscribes the stream tasks to their dbrps (removing the subscriptions on a clean
//! shutdown). The InfluxDB comes from `[[influxdb]]` in the configuration, with the flags over it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use clap::Args;

use super::schedule::BatchScheduler;
use crate::config::{InfluxDbSection, ProgramConfig};
use crate::http::BatchSink;
use crate::influxdb::subscriptions::{Dbrp, Subscription, Subscriptions};
use crate::influxdb::{InfluxDbClient, InfluxDbConfig};
use crate::task::{TaskDescriptor, TaskKind};

/// The InfluxDB flags of `serve`; each overrides its `[[influxdb]]` key.
#[derive(Debug, Args)]
pub(super) struct InfluxDbArgs {
    /// The InfluxDB (`http://host:port`) the batch tasks query and the stream tasks subscribe
    /// to.
    #[arg(long = "influxdb", env = "TICK_INFLUXDB_URL")]
    influxdb_url: Option<String>,
    /// The user name to authenticate to InfluxDB with.
    #[arg(long = "influxdb-username", env = "TICK_INFLUXDB_USERNAME")]
    influxdb_username: Option<String>,
    /// The password of --influxdb-username; prefer the environment variable.
    #[arg(
        long = "influxdb-password",
        env = "TICK_INFLUXDB_PASSWORD",
        hide_env_values = true
    )]
    influxdb_password: Option<String>,
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
    /// Puts the flags over the file's default `[[influxdb]]` section (adding one when the file
    /// has none and `--influxdb` names one), so every part of the program (queries,
    /// subscriptions, influxDBOut) sees the same InfluxDB.
    pub(super) fn apply(&self, program: &mut ProgramConfig) {
        if program.default_influxdb().is_none() {
            let Some(url) = &self.influxdb_url else {
                return;
            };
            program.influxdb.push(InfluxDbSection {
                urls: vec![url.clone()],
                ..InfluxDbSection::default()
            });
        }
        let Some(section) = default_section(program) else {
            return;
        };
        if let Some(url) = &self.influxdb_url {
            section.urls = vec![url.clone()];
        }
        if let Some(username) = &self.influxdb_username {
            section.username = username.clone();
        }
        if let Some(password) = &self.influxdb_password {
            section.password = password.clone();
        }
        if self.disable_subscriptions {
            section.disable_subscriptions = true;
        }
    }

    /// The InfluxDB to use, if the configuration (with the flags applied) names one; `local`
    /// is the address the server listens on.
    fn settings(&self, program: &ProgramConfig, local: SocketAddr) -> Option<Result<InfluxDbSettings, String>> {
        let file = program.default_influxdb()?;
        let client = match InfluxDbConfig::from_section(file) {
            Ok(client) => client,
            Err(e) => return Some(Err(e)),
        };
        let subscription = (!file.disable_subscriptions).then(|| Subscription {
            name: self
                .subscription_name
                .clone()
                .unwrap_or_else(|| format!("tickc-{}", host_name())),
            destination: self
                .subscription_url
                .clone()
                .unwrap_or_else(|| subscription_destination(file, local)),
        });
        Some(Ok(InfluxDbSettings {
            client,
            subscription,
        }))
    }
}

/// The section [`ProgramConfig::default_influxdb`] picks, to change.
fn default_section(program: &mut ProgramConfig) -> Option<&mut InfluxDbSection> {
    let index = {
        let chosen = program.default_influxdb()?;
        program.influxdb.iter().position(|s| std::ptr::eq(s, chosen))?
    };
    program.influxdb.get_mut(index)
}

/// `http://host:port` of this server for InfluxDB: the configured host name and port, else the
/// address served on.
fn subscription_destination(file: &InfluxDbSection, local: SocketAddr) -> String {
    let port = file.http_port.unwrap_or(local.port());
    match file.kapacitor_hostname.as_deref() {
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
pub(super) struct LiveInfluxDb {
    scheduler: Option<BatchScheduler>,
    /// Linking runs beside the server, so an InfluxDB slow to answer does not hold up serving.
    linking: Option<JoinHandle<Subscriptions>>,
}

impl LiveInfluxDb {
    /// Starts the schedules and the linking. Every error is reported and none is fatal: the
    /// server still serves `/write`.
    /// Starts what the configuration asks for against its InfluxDB; `None` when it names
    /// none.
    pub(super) fn start(
        tasks: &[TaskDescriptor],
        args: &InfluxDbArgs,
        program: &ProgramConfig,
        local: SocketAddr,
        sink: BatchSink,
    ) -> Option<LiveInfluxDb> {
        let settings = match args.settings(program, local)? {
            Ok(settings) => settings,
            Err(e) => {
                eprintln!("error: {e}; batch tasks will not query and stream tasks will not be subscribed");
                return None;
            }
        };
        Some(Self::start_with(tasks, settings, sink))
    }

    fn start_with(tasks: &[TaskDescriptor], settings: InfluxDbSettings, sink: BatchSink) -> LiveInfluxDb {
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
    pub(super) fn stop(self) {
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
