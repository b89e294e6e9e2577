//! Starting the servers under test as child processes, pinned to a core, and reading their
//! memory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::process::{Child, Command};

use crate::proto::Target;

/// A server under test.
pub struct ServerProc {
    child: Child,
    /// Its process id.
    pub pid: u32,
    /// Where it listens.
    pub addr: SocketAddr,
    target: Target,
    launch: Launch,
    /// Arguments added to Parley's (a cluster node's).
    extra: Vec<String>,
    _data: Option<PathBuf>,
}

/// How to start the servers.
#[derive(Debug, Clone, clap::Args)]
pub struct Launch {
    /// The `parley` binary.
    #[arg(long, default_value = "target/release/parley")]
    pub parley_bin: PathBuf,
    /// The Node peer's script.
    #[arg(long, default_value = "bench/node-peer/server.js")]
    pub node_peer: PathBuf,
    /// Pin the server to this CPU core (with taskset); none: no pinning.
    #[arg(long)]
    pub server_core: Option<usize>,
    /// The NATS broker of the cluster scenarios.
    #[arg(long, default_value = "nats://127.0.0.1:4222")]
    pub cluster: String,
    /// A PostgreSQL (or MySQL) server for the cluster scenarios, as an admin URL: each run
    /// makes a database of its own there and drops it after.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub cluster_database: String,
    /// Nodes in the cluster scenarios.
    #[arg(long, default_value_t = 2)]
    pub cluster_nodes: usize,
}

/// A free loopback port.
pub fn free_addr() -> anyhow::Result<SocketAddr> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

impl ServerProc {
    /// Starts `target` and waits until it accepts connections.
    pub async fn start(target: Target, launch: &Launch) -> anyhow::Result<Self> {
        Self::start_with(target, launch, Vec::new()).await
    }

    /// As [`ServerProc::start`], with `extra` arguments for Parley.
    pub async fn start_with(
        target: Target,
        launch: &Launch,
        extra: Vec<String>,
    ) -> anyhow::Result<Self> {
        let addr = free_addr()?;
        let data = (target == Target::Parley).then(|| {
            let dir = std::env::temp_dir().join(format!(
                "parley-bench-{}-{}",
                std::process::id(),
                addr.port()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            dir
        });
        let child = spawn(target, launch, addr, data.as_deref(), &extra)?;
        let pid = child.id().context("server pid")?;
        let server = Self {
            child,
            pid,
            addr,
            target,
            launch: launch.clone(),
            extra,
            _data: data,
        };
        wait_listening(target, addr).await?;
        Ok(server)
    }

    /// Stops the server as a deploy does (SIGTERM: Parley closes every WebSocket with 1001
    /// and exits), waits for it to exit, and starts it again on the same address and data
    /// directory (so the same database and session secret). Returns once the new process is
    /// started, before it listens: the caller watches for that.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .await
            .context("running kill")?;
        anyhow::ensure!(status.success(), "kill -TERM {} failed", self.pid);
        let exit = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .context("the server did not exit within 30 s of SIGTERM")??;
        anyhow::ensure!(exit.success(), "the server exited with {exit}");
        self.child = spawn(
            self.target,
            &self.launch,
            self.addr,
            self._data.as_deref(),
            &self.extra,
        )?;
        self.pid = self.child.id().context("server pid")?;
        Ok(())
    }

    /// Stops the server.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
        if let Some(dir) = &self._data {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Starts `target` on `addr` (Parley with its data in `data`).
fn spawn(
    target: Target,
    launch: &Launch,
    addr: SocketAddr,
    data: Option<&Path>,
    extra: &[String],
) -> anyhow::Result<Child> {
    let mut argv: Vec<String> = Vec::new();
    if let Some(core) = launch.server_core {
        argv.extend(["taskset".into(), "-c".into(), core.to_string()]);
    }
    let mut cmd;
    match target {
        Target::Parley => {
            argv.push(launch.parley_bin.display().to_string());
            cmd = command(&argv);
            cmd.args(["--listen", &addr.to_string(), "--log", "warn", "--data-dir"])
                .arg(data.context("Parley needs a data directory")?);
            // The abuse limits are off: the load generator is one user (or, reconnecting,
            // thousands signing in), from a few addresses, as fast as it can (the Node peer
            // has no such limits).
            cmd.args(["--max-connections", "0", "--max-connections-per-ip", "0"])
                .args(["--message-rate", "0", "--max-rooms", "0"])
                .args(["--sign-in-rate", "0"])
                // Every simulated client comes from 127.0.0.1: no per-address limits, and
                // no cap on rooms or on TCP connections beyond the open-file limit.
                .args(["--http-rate", "0", "--max-tcp-connections", "0"])
                .args([
                    "--max-tcp-connections-per-ip",
                    "0",
                    "--room-creation-rate",
                    "0",
                ])
                .args(["--max-rooms-created", "0"])
                .args(extra);
            // One runtime worker: the server gets one core, like the Node peer.
            cmd.env("TOKIO_WORKER_THREADS", "1")
                .env_remove("DATABASE_URL");
        }
        Target::Node => {
            argv.extend(["node".into(), launch.node_peer.display().to_string()]);
            cmd = command(&argv);
            cmd.env("PEER_LISTEN", addr.to_string());
        }
    }
    cmd.stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {target} ({})", argv.join(" ")))
}

/// Waits until `addr` accepts connections.
async fn wait_listening(target: Target, addr: SocketAddr) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        anyhow::ensure!(
            Instant::now() < deadline,
            "{target} did not start listening on {addr}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

fn command(argv: &[String]) -> Command {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    cmd
}

/// Resident memory of a process, in KiB (VmRSS).
pub fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS")
}
