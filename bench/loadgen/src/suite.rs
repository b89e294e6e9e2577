//! The benchmark suite: every scenario against each target, each on a freshly started server
//! pinned to its own core, and the records for the report.

use anyhow::Context;
use serde::Serialize;

use crate::cluster::Cluster;
use crate::proto::Target;
use crate::scenario::{fanout, idle, reconnect, storm};
use crate::server::{Launch, ServerProc};
use crate::{Endpoint, Sources};

/// One scenario's outcome against one target.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// Scenario name.
    pub scenario: String,
    /// Which server.
    pub target: Target,
    /// The scenario's parameters.
    pub params: serde_json::Value,
    /// What it measured.
    pub result: serde_json::Value,
}

/// Suite options.
#[derive(Debug, Clone, clap::Args)]
pub struct SuiteArgs {
    /// How to start the servers.
    #[command(flatten)]
    pub launch: Launch,
    /// Which targets, in order.
    #[arg(long, value_delimiter = ',', default_value = "parley,node")]
    pub targets: Vec<Target>,
    /// Which scenarios (fanout, fanout-chatter (fan-out with a tenth of the room typing and
    /// reading), fanout-reactions (fan-out with a reaction for every four messages),
    /// latency, storm, idle, capacity, slow, reconnect, and
    /// cluster-fanout, cluster-latency: the same as fanout and latency with the clients
    /// spread over `--cluster-nodes` nodes on NATS and a server database).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "fanout,fanout-chatter,fanout-reactions,latency,storm,idle,capacity,slow,reconnect,cluster-fanout,cluster-latency"
    )]
    pub scenarios: Vec<String>,
    /// Source addresses 127.0.0.1..n.
    #[arg(long, default_value_t = 8)]
    pub sources: u8,
    /// Shorter runs, for a quick look.
    #[arg(long)]
    pub quick: bool,
}

fn fanout_params(name: &str, quick: bool) -> Option<fanout::FanoutParams> {
    let secs = if quick { 3.0 } else { 10.0 };
    let base = fanout::FanoutParams {
        rooms: 1,
        clients: 1000,
        senders: 10,
        rate: 0.0,
        window: 32,
        seconds: secs,
        pad: 0,
        stall: false,
        chatters: 0,
        chatter_every_ms: 3000,
        react_every: 0,
    };
    Some(match name {
        "fanout" => base,
        // Fan-out with a tenth of the room typing and reading (every 3 s, as the SPA says it).
        "fanout-chatter" => fanout::FanoutParams {
            chatters: 100,
            ..base
        },
        // Fan-out with one reaction for every four messages (each sender toggles its 👍).
        "fanout-reactions" => fanout::FanoutParams {
            react_every: 4,
            ..base
        },
        "latency" => fanout::FanoutParams {
            rooms: 100,
            clients: 10,
            senders: 1,
            rate: 1000.0,
            window: 1000,
            ..base
        },
        "slow-baseline" | "slow" => fanout::FanoutParams {
            rooms: 1,
            clients: 50,
            senders: 5,
            rate: 500.0,
            window: 1000,
            seconds: if quick { 8.0 } else { 15.0 },
            pad: 3900,
            stall: name == "slow",
            ..base
        },
        _ => return None,
    })
}

/// Runs the suite, printing progress on stderr.
pub async fn run(args: &SuiteArgs) -> anyhow::Result<Vec<Record>> {
    let sources = Sources::loopback(args.sources);
    let sources_arg = args.sources.to_string();
    let mut records = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for s in &args.scenarios {
        if s == "slow" {
            names.push("slow-baseline".into());
        }
        names.push(s.clone());
    }
    for name in &names {
        if let Some(single) = name.strip_prefix("cluster-") {
            if !args.targets.contains(&Target::Parley) {
                eprintln!("==> {name}: not run (Parley only, and --targets leaves it out)");
            } else if let Some(record) = cluster_run(name, single, args, &sources).await? {
                records.push(record);
            }
            continue;
        }
        for &target in &args.targets {
            if (name == "fanout-chatter" || name == "fanout-reactions") && target != Target::Parley
            {
                eprintln!("==> {name}: not run against {target} (it has no typing)");
                continue;
            }
            if name == "reconnect" && target != Target::Parley {
                // The Node peer keeps nothing across a restart: there is nothing to resume.
                eprintln!("==> {name}: not run against {target} (it keeps no history)");
                continue;
            }
            eprintln!("==> {name} against {target}");
            let mut server = ServerProc::start(target, &args.launch).await?;
            let endpoint = Endpoint::open(target, server.addr, "bench").await?;
            let (params, result) = if let Some(p) = fanout_params(name, args.quick) {
                let r = fanout::run(&endpoint, &p, &sources, Some(server.pid)).await?;
                (serde_json::to_value(&p)?, serde_json::to_value(&r)?)
            } else if name == "storm" {
                let p = storm::StormParams {
                    connections: if args.quick { 2000 } else { 5000 },
                    in_flight: 256,
                };
                let r = storm::run(&endpoint, &p, &sources).await;
                (serde_json::to_value(&p)?, serde_json::to_value(&r)?)
            } else if name == "idle" || name == "capacity" {
                let connections = match (name.as_str(), args.quick) {
                    ("idle", true) => 2_000,
                    ("idle", false) => 10_000,
                    // The open-file hard limit here is 20,000; Parley keeps 128 descriptors
                    // for itself (listener, database, files, a 503 for one over its cap) and
                    // accepts at most 19,872 connections.
                    (_, _) => 19_850,
                };
                let p = idle::IdleParams {
                    connections,
                    rooms: 100,
                    per_worker: 7_000,
                };
                let r = idle::run(&endpoint, server.pid, &p, &sources_arg).await?;
                (serde_json::to_value(&p)?, serde_json::to_value(&r)?)
            } else if name == "reconnect" {
                let p = reconnect::ReconnectParams {
                    clients: if args.quick { 2_000 } else { 10_000 },
                    rooms: if args.quick { 20 } else { 100 },
                    stored: 20,
                    burst: 5,
                    timeout_s: 60.0,
                };
                let r = reconnect::run(server.addr, &p, &sources, || server.restart()).await?;
                (serde_json::to_value(&p)?, serde_json::to_value(&r)?)
            } else {
                anyhow::bail!("unknown scenario {name:?}");
            };
            eprintln!("    {result}");
            records.push(Record {
                scenario: name.clone(),
                target,
                params,
                result,
            });
            server.stop().await;
            // Let sockets in TIME_WAIT and the kernel settle between runs.
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }
    Ok(records)
}

/// A fan-out scenario (`single`'s parameters) against a cluster, Parley only; `None` when
/// the broker or the database is missing.
async fn cluster_run(
    name: &str,
    single: &str,
    args: &SuiteArgs,
    sources: &Sources,
) -> anyhow::Result<Option<Record>> {
    let p =
        fanout_params(single, args.quick).with_context(|| format!("unknown scenario {name:?}"))?;
    eprintln!(
        "==> {name} against parley ({} nodes on {})",
        args.launch.cluster_nodes, args.launch.cluster
    );
    let Some(cluster) = Cluster::start(&args.launch).await? else {
        return Ok(None);
    };
    let outcome = async {
        let endpoint = cluster.endpoint().await?;
        fanout::run(&endpoint, &p, sources, None).await
    }
    .await;
    cluster.stop().await;
    let result = serde_json::to_value(outcome?)?;
    eprintln!("    {result}");
    let mut params = serde_json::to_value(&p)?;
    params["nodes"] = args.launch.cluster_nodes.into();
    Ok(Some(Record {
        scenario: name.to_owned(),
        target: Target::Parley,
        params,
        result,
    }))
}
