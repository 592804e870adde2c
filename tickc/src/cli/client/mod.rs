//! The operating commands: `list`, `show`, `enable`, `disable`, `record`, `replay -task` and
//! `delete`, spoken to a running task program (or Kapacitor) over its API, with the flags and
//! printed output of Kapacitor's own CLI.

mod flags;
mod go_format;
mod job;
mod list;
mod record;
mod show;

use std::path::Path;

use clap::{Args, Subcommand, ValueEnum};

pub use flags::kapacitor_flags;

use super::exit;
use crate::client::{
    Client, ClientError, Clock, CreateReplay, RecordStream, Recording, Replay, Task, TaskStatus,
};

/// Where the API is when neither `--url` nor the environment says.
const DEFAULT_URL: &str = "http://localhost:9092";

/// The operating commands, flattened into tickc's command list.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// List the tasks, recordings or replays of a running program or Kapacitor, whose ids match
    /// the glob patterns (all when none): `kapacitor list`.
    List {
        kind: Kind,
        patterns: Vec<String>,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Show a task: its state, its script and its DOT graph with live counts (`kapacitor show`).
    Show {
        id: String,
        /// Print only the DOT graph.
        #[arg(long)]
        dot: bool,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Start the tasks whose ids match the glob patterns on live data (`kapacitor enable`).
    Enable {
        #[arg(required = true)]
        ids: Vec<String>,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Stop the tasks whose ids match the glob patterns (`kapacitor disable`).
    Disable {
        #[arg(required = true)]
        ids: Vec<String>,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Record a task's input on the server; prints the recording's id (`kapacitor record`).
    Record {
        #[command(subcommand)]
        source: RecordSource,
    },
    /// Delete the tasks, recordings or replays whose ids match the glob patterns
    /// (`kapacitor delete`).
    Delete {
        kind: Kind,
        #[arg(required = true)]
        ids: Vec<String>,
        #[command(flatten)]
        server: ServerArgs,
    },
}

/// What `record` records.
#[derive(Debug, Subcommand)]
pub enum RecordSource {
    /// The points a task's databases receive from now for a while (`kapacitor record stream`).
    Stream {
        /// The task whose databases and retention policies to record.
        #[arg(long)]
        task: String,
        /// How long to record: `60s`, `10m`, `1h30m`.
        #[arg(long)]
        duration: String,
        /// The recording's id (default: one the server chooses).
        #[arg(long)]
        recording_id: Option<String>,
        /// Print the id at once instead of waiting for the recording to finish.
        #[arg(long)]
        no_wait: bool,
        #[command(flatten)]
        server: ServerArgs,
    },
}

/// The collections the commands list and delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Tasks,
    Recordings,
    Replays,
}

/// Which API to talk to.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// The API of the task program or Kapacitor [default: $TICKC_URL, else $KAPACITOR_URL, else
    /// http://localhost:9092].
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
}

/// The `replay` flags that replay a recording stored on the server instead of a file.
#[derive(Debug, Clone, Args)]
pub struct ReplayTaskArgs {
    /// Replay the server's recording --recording ID through its task ID, and print the replay's
    /// id (`kapacitor replay`), instead of compiling a script.
    #[arg(long, conflicts_with_all = ["script", "influxdb"])]
    pub task: Option<String>,
    /// Use the times saved in the recording instead of times relative to now (with --task).
    #[arg(long, requires = "task")]
    pub rec_time: bool,
    /// The replay's id (with --task; default: one the server chooses).
    #[arg(long, requires = "task")]
    pub replay_id: Option<String>,
    /// Print the replay's id at once instead of waiting for it to finish (with --task).
    #[arg(long, requires = "task")]
    pub no_wait: bool,
    #[command(flatten)]
    pub server: ServerArgs,
}

impl ServerArgs {
    /// `--url`, else `TICKC_URL`, else `KAPACITOR_URL`, else the default port on this machine.
    fn url(&self) -> String {
        let from_env = |name| {
            std::env::var(name)
                .ok()
                .filter(|url: &String| !url.is_empty())
        };
        self.url
            .clone()
            .or_else(|| from_env("TICKC_URL"))
            .or_else(|| from_env("KAPACITOR_URL"))
            .unwrap_or_else(|| DEFAULT_URL.to_owned())
    }
}

pub fn run(command: ClientCommand) -> u8 {
    match command {
        ClientCommand::List {
            kind,
            patterns,
            server,
        } => with_client(&server, |client| list::run(client, kind, &patterns)),
        ClientCommand::Show { id, dot, server } => {
            with_client(&server, |client| show::run(client, &id, dot))
        }
        ClientCommand::Enable { ids, server } => with_client(&server, |client| {
            set_status(client, &ids, TaskStatus::Enabled)
        }),
        ClientCommand::Disable { ids, server } => with_client(&server, |client| {
            set_status(client, &ids, TaskStatus::Disabled)
        }),
        ClientCommand::Record {
            source:
                RecordSource::Stream {
                    task,
                    duration,
                    recording_id,
                    no_wait,
                    server,
                },
        } => {
            let stop = match record::stop_after(&duration) {
                Ok(stop) => stop,
                Err(message) => {
                    eprintln!("error: {message}");
                    return exit::USAGE;
                }
            };
            let request = RecordStream {
                id: recording_id.unwrap_or_default(),
                task,
                stop,
            };
            with_client(&server, |client| record::run(client, &request, no_wait))
        }
        ClientCommand::Delete { kind, ids, server } => {
            with_client(&server, |client| delete(client, kind, &ids))
        }
    }
}

/// `tickc replay --task ID --recording RID`: replays a recording stored on the server.
pub fn run_replay(args: &ReplayTaskArgs, recording: Option<&Path>, real_clock: bool) -> u8 {
    let (Some(task), Some(recording)) = (&args.task, recording) else {
        eprintln!("error: replaying on the server needs --task ID and --recording ID");
        return exit::USAGE;
    };
    let request = CreateReplay {
        id: args.replay_id.clone().unwrap_or_default(),
        recording: recording.to_string_lossy().into_owned(),
        task: task.clone(),
        recording_time: args.rec_time,
        clock: if real_clock { Clock::Real } else { Clock::Fast },
    };
    with_client(&args.server, |client| {
        let replay = client.create_replay(&request)?;
        job::finish(replay, args.no_wait, |link| client.replay(link))
    })
}

/// Connects to the API and runs `command`, printing its failure as Kapacitor's CLI would.
fn with_client(
    server: &ServerArgs,
    command: impl FnOnce(&Client) -> Result<(), ClientError>,
) -> u8 {
    match Client::new(&server.url()).and_then(|client| command(&client)) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e}");
            exit::SERVER
        }
    }
}

/// Enables or disables every task matching each pattern; a pattern that matches nothing is not
/// an error, as in Kapacitor.
fn set_status(client: &Client, patterns: &[String], status: TaskStatus) -> Result<(), ClientError> {
    let verb = match status {
        TaskStatus::Enabled => "enabling",
        TaskStatus::Disabled => "disabling",
    };
    for pattern in patterns {
        let tasks: Vec<Task> = client
            .list(pattern, &["link"])
            .map_err(|e| context("listing tasks", e))?;
        for task in tasks {
            client
                .set_task_status(&task.link, status)
                .map_err(|e| context(&format!("{verb} task {}", task.id), e))?;
        }
    }
    Ok(())
}

fn delete(client: &Client, kind: Kind, patterns: &[String]) -> Result<(), ClientError> {
    for pattern in patterns {
        match kind {
            Kind::Tasks => client.delete_matching::<Task>(pattern)?,
            Kind::Recordings => client.delete_matching::<Recording>(pattern)?,
            Kind::Replays => client.delete_matching::<Replay>(pattern)?,
        };
    }
    Ok(())
}

/// Puts what was being done in front of a server's message, as Kapacitor's CLI does.
fn context(doing: &str, error: ClientError) -> ClientError {
    match error {
        ClientError::Api { status, message } => ClientError::Api {
            status,
            message: format!("{doing}: {message}"),
        },
        other => other,
    }
}
