//! The `parley` binary: parse the configuration, start the server, stop on Ctrl-C/SIGTERM;
//! or run a command on the database (`parley api-key …`).

use clap::Parser;
use parley_server::config::{Command, Config};
use parley_server::telemetry;

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let mut config = Config::parse();
    if let Some(Command::ApiKey(cmd)) = &config.command {
        return match parley_server::api_keys::run(&config, cmd).await {
            Ok(out) => {
                println!("{out}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("parley: error: {}", one_line(&err));
                ExitCode::FAILURE
            }
        };
    }
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
