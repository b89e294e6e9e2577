//! The `parley` binary: parse the configuration, start the server, stop on Ctrl-C/SIGTERM.

use clap::Parser;
use parley_server::{config::Config, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    telemetry::init(&config.log);
    let server = parley_server::start(config).await?;
    println!("Parley is running at http://{}/", server.addr);
    parley_server::shutdown_signal().await;
    server.shutdown().await
}
