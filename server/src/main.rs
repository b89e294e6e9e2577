//! The `parley` binary: parse the configuration, start the server, stop on Ctrl-C/SIGTERM.

use clap::Parser;
use parley_server::{config::Config, telemetry};

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let mut config = Config::parse();
    let node = config.node_id();
    telemetry::init(&config.log, &node);
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("parley: error: {}", one_line(&err));
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    let server = parley_server::start(config).await?;
    let scheme = if server.tls { "https" } else { "http" };
    println!("Parley is running at {scheme}://{}/", server.addr);
    parley_server::shutdown_signal().await;
    server.shutdown().await
}

/// The chain of causes on one line, without a backtrace, skipping a cause that the one
/// before already quoted (sqlx errors repeat their source).
fn one_line(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}
