//! `loadgen`: posts a line-protocol file to a server's `/write` in bodies of N lines over C
//! keep-alive connections, and reports what was sent. Exits 1 if any post failed.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use hyper::body::Bytes;
use tickc_bench::bodies::split_bodies;
use tickc_bench::loadgen::{Target, post_all};

#[derive(Debug, Parser)]
#[command(about = "Post a line-protocol file to /write in fixed-size bodies over keep-alive connections")]
struct Args {
    /// The line-protocol file (read once into memory, cut on line boundaries).
    file: PathBuf,
    /// The server, host:port.
    #[arg(long, default_value = "127.0.0.1:9092")]
    host: String,
    #[arg(long, default_value = "telegraf")]
    db: String,
    #[arg(long, default_value = "autogen")]
    rp: String,
    /// Lines per request body.
    #[arg(long, default_value_t = 5000)]
    lines: usize,
    /// Keep-alive connections posting at once.
    #[arg(long, default_value_t = 1)]
    connections: usize,
}

fn resolve(host: &str) -> Result<SocketAddr, String> {
    host.to_socket_addrs()
        .map_err(|e| format!("{host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host}: no address"))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let run = || -> Result<bool, String> {
        let data = std::fs::read(&args.file).map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
        let bodies: Arc<[Bytes]> = split_bodies(&Bytes::from(data), args.lines).into();
        let target = Target {
            address: resolve(&args.host)?,
            database: args.db.clone(),
            retention_policy: args.rp.clone(),
            connections: args.connections,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        let report = runtime.block_on(post_all(&target, bodies));
        println!("{report}");
        Ok(report.failed == 0)
    };
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
