//! `serve`: run the program's tasks on the live stream, fed by `/write` (InfluxDB subscriptions,
//! Telegraf, curl), with the Kapacitor-compatible API beside it, until SIGTERM or SIGINT; then
//! stop gracefully: remove our InfluxDB subscriptions, let the batch queries in flight finish,
//! drain the queued points, flush the tasks and their deliveries, exit 0. Settings come from a
//! configuration file (`--config`), with flags and environment variables over it.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use tokio::net::TcpListener;

use super::exit;
use super::live_influxdb::{InfluxDbArgs, LiveInfluxDb};
use crate::config::ProgramConfig;
use crate::delivery::Outbox;
use crate::delivery::threaded::ThreadedOutbox;
use crate::http::{Config, Credentials, Server};
use crate::task::{TaskDescriptor, TaskKind};

#[derive(Debug, Args)]
pub(super) struct ServeArgs {
    /// A configuration file (TOML, with kapacitor.conf's section and key names: `data-dir`,
    /// `[http]`, `[[influxdb]]`); flags and environment variables override it.
    #[arg(long, env = "TICK_CONFIG")]
    config: Option<PathBuf>,
    /// Where the tasks' state and the recordings are kept; without one, a restart forgets
    /// alert levels and recordings are refused.
    #[arg(long, env = "TICK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Address to listen on (host:port) [default: the file's `[http] bind-address`, else
    /// 127.0.0.1:9092].
    #[arg(long, env = "TICK_BIND")]
    bind: Option<String>,
    /// Largest request body accepted, in bytes (also the limit after gzip decompression);
    /// larger bodies get 413 [default: the file's `[http] max-body-size`, else 25000000].
    #[arg(long, env = "TICK_MAX_BODY_BYTES")]
    max_body_bytes: Option<usize>,
    /// Retention policy of writes that name none (the database's default).
    #[arg(long, env = "TICK_DEFAULT_RETENTION_POLICY", default_value = "autogen")]
    default_retention_policy: String,
    /// Require HTTP basic authentication with this user name (with --password); overrides
    /// the file's `[http] auth-enabled`, `username` and `password`.
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
    #[command(flatten)]
    influxdb: InfluxDbArgs,
}

/// Where `serve` listens when neither a flag nor the file says.
const DEFAULT_BIND: &str = "127.0.0.1:9092";

/// What `serve` runs with: the address, and the server's configuration (the program's
/// configuration inside it, with the flags applied, as the tasks see it).
#[derive(Debug)]
struct Settings {
    bind: String,
    server: Config,
    influxdb: InfluxDbArgs,
}

impl ServeArgs {
    /// The file's settings with the flags and environment variables over them.
    fn settings(self) -> Result<Settings, String> {
        let mut program = match &self.config {
            Some(path) => ProgramConfig::load(path).map_err(|e| e.to_string())?,
            None => ProgramConfig::default(),
        };
        if let Some(data_dir) = self.data_dir {
            program.data_dir = Some(data_dir);
        }
        if let Some(bind) = self.bind {
            program.http.bind_address = Some(bind);
        }
        if let Some(max) = self.max_body_bytes {
            program.http.max_body_size = Some(max);
        }
        self.influxdb.apply(&mut program);
        if let (Some(username), Some(password)) = (self.username, self.password) {
            program.http.auth_enabled = true;
            program.http.username = Some(username);
            program.http.password = Some(password);
        }
        let http = &program.http;
        let credentials = match (http.auth_enabled, &http.username, &http.password) {
            (false, ..) => None,
            (true, Some(username), Some(password)) => Some(Credentials {
                username: username.clone(),
                password: password.clone(),
            }),
            (true, ..) => {
                return Err("[http] auth-enabled needs a username and a password".into());
            }
        };
        let bind = http
            .bind_address
            .as_deref()
            .map_or_else(|| DEFAULT_BIND.to_owned(), listen_address);
        let max_body_bytes = http
            .max_body_size
            .unwrap_or(Config::default().max_body_bytes);
        Ok(Settings {
            bind,
            server: Config {
                max_body_bytes,
                default_retention_policy: self.default_retention_policy,
                credentials,
                program: Arc::new(program),
                ..Config::default()
            },
            influxdb: self.influxdb,
        })
    }
}

/// A bind address as kapacitor.conf writes it (`":9092"`: every interface) as one a socket
/// binds to.
fn listen_address(configured: &str) -> String {
    match configured.strip_prefix(':') {
        Some(port) => format!("0.0.0.0:{port}"),
        None => configured.to_owned(),
    }
}

pub(super) fn serve(tasks: &[TaskDescriptor], args: ServeArgs) -> u8 {
    let Settings { bind, server: config, influxdb } = match args.settings() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
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
    let program = config.program.clone();
    let outbox = Arc::new(ThreadedOutbox::new());
    let server = Server::new(tasks, outbox.clone(), config);
    let influxdb = LiveInfluxDb::start(tasks, &influxdb, &program, local, server.batch_sink());
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::path::Path;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn settings(args: &[&str]) -> Result<Settings, String> {
        let cli = Cli::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        cli.serve.settings()
    }

    fn config_file(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file
    }

    #[test]
    fn without_a_file_the_defaults_apply() {
        let settings = settings(&[]).unwrap();
        assert_eq!(settings.bind, DEFAULT_BIND);
        assert_eq!(settings.server.max_body_bytes, Config::default().max_body_bytes);
        assert!(settings.server.credentials.is_none());
        assert!(settings.server.program.data_dir.is_none());
    }

    #[test]
    fn the_file_is_read_and_flags_override_it() {
        let file = config_file(
            "data-dir = \"/var/lib/tick\"\n[http]\nbind-address = \":9999\"\nmax-body-size = 10\n\
             auth-enabled = true\nusername = \"u\"\npassword = \"p\"\n",
        );
        let path = file.path().to_str().unwrap();
        let from_file = settings(&["--config", path]).unwrap();
        assert_eq!(from_file.bind, "0.0.0.0:9999");
        assert_eq!(from_file.server.max_body_bytes, 10);
        assert_eq!(from_file.server.credentials.as_ref().map(|c| c.username.as_str()), Some("u"));
        assert_eq!(from_file.server.program.data_dir.as_deref(), Some(Path::new("/var/lib/tick")));

        let overridden = settings(&[
            "--config", path, "--bind", "127.0.0.1:1", "--max-body-bytes", "20", "--data-dir", "/tmp/d",
            "--username", "v", "--password", "q",
        ])
        .unwrap();
        assert_eq!(overridden.bind, "127.0.0.1:1");
        assert_eq!(overridden.server.max_body_bytes, 20);
        assert_eq!(overridden.server.credentials.as_ref().map(|c| c.username.as_str()), Some("v"));
        // The tasks see the configuration with the flags applied.
        assert_eq!(overridden.server.program.data_dir.as_deref(), Some(Path::new("/tmp/d")));
        assert_eq!(overridden.server.program.http.bind_address.as_deref(), Some("127.0.0.1:1"));
    }

    #[test]
    fn a_bad_file_or_incomplete_auth_is_an_error_naming_it() {
        let bad = config_file("[http]\nauth-enabled = 3\n");
        let error = settings(&["--config", bad.path().to_str().unwrap()]).unwrap_err();
        assert!(error.contains("auth-enabled"), "{error}");
        let incomplete = config_file("[http]\nauth-enabled = true\n");
        let error = settings(&["--config", incomplete.path().to_str().unwrap()]).unwrap_err();
        assert!(error.contains("username and a password"), "{error}");
        assert!(settings(&["--config", "/no/such/file.toml"]).unwrap_err().contains("/no/such/file.toml"));
    }
}
