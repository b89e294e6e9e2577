//! `parley-bench`: runs load scenarios over real WebSockets against Parley and the Node ws
//! reference peer. `parley-bench suite` runs them all against both and prints the table;
//! the other commands run one scenario against a server that is already running.

use std::net::SocketAddr;

use clap::{Parser, Subcommand};
use loadgen::proto::Target;
use loadgen::scenario::{fanout, idle, storm};
use loadgen::{report, suite, Endpoint, Sources};

#[derive(Parser)]
#[command(
    name = "parley-bench",
    about = "Load scenarios for Parley and the Node ws peer"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Every scenario against each target; prints the table and JSON lines.
    Suite {
        #[command(flatten)]
        args: suite::SuiteArgs,
        /// Also write the JSON lines to this file.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
    },
    /// Fan-out against a running server.
    Fanout {
        #[command(flatten)]
        on: On,
        #[command(flatten)]
        params: fanout::FanoutParams,
    },
    /// Connect storm against a running server.
    Storm {
        #[command(flatten)]
        on: On,
        #[command(flatten)]
        params: storm::StormParams,
    },
    /// Worker process of the idle scenario (used by the suite).
    #[command(hide = true)]
    WorkerIdle {
        #[command(flatten)]
        on: On,
        #[arg(long)]
        first: usize,
        #[arg(long)]
        count: usize,
        #[arg(long)]
        rooms: usize,
    },
}

/// Which running server.
#[derive(clap::Args)]
struct On {
    /// Its protocol.
    #[arg(long, value_enum, default_value = "parley")]
    target: Target,
    /// Its address.
    #[arg(long, default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// Source addresses 127.0.0.1..n.
    #[arg(long, default_value_t = 8)]
    sources: u8,
    /// A Parley session token; without one, a session is created.
    #[arg(long)]
    token: Option<String>,
}

impl On {
    async fn endpoint(&self) -> anyhow::Result<Endpoint> {
        match &self.token {
            Some(t) => Ok(Endpoint {
                target: self.target,
                addr: self.addr,
                token: Some(t.clone()),
                spread: Vec::new(),
            }),
            None => Endpoint::open(self.target, self.addr, "bench").await,
        }
    }
}

fn main() -> anyhow::Result<()> {
    loadgen::raise_nofile();
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        match cli.cmd {
            Cmd::Suite { args, json } => {
                let records = suite::run(&args).await?;
                println!("\n{}", report::table(&records));
                let cluster = report::cluster_table(&records);
                if !cluster.is_empty() {
                    println!("{cluster}");
                }
                let lines = report::json_lines(&records);
                print!("{lines}");
                if let Some(path) = json {
                    std::fs::write(path, &lines)?;
                }
            }
            Cmd::Fanout { on, params } => {
                let server = on.endpoint().await?;
                let r = fanout::run(&server, &params, &Sources::loopback(on.sources), None).await?;
                println!("{}", serde_json::to_string(&r)?);
            }
            Cmd::Storm { on, params } => {
                let server = on.endpoint().await?;
                let r = storm::run(&server, &params, &Sources::loopback(on.sources)).await;
                println!("{}", serde_json::to_string(&r)?);
            }
            Cmd::WorkerIdle {
                on,
                first,
                count,
                rooms,
            } => {
                let server = Endpoint {
                    target: on.target,
                    addr: on.addr,
                    token: on.token.clone(),
                    spread: Vec::new(),
                };
                idle::worker(&server, first, count, rooms, &Sources::loopback(on.sources)).await;
            }
        }
        anyhow::Ok(())
    })
}
