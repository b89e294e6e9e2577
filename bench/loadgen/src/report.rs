//! The report: a table of Parley against the Node peer with ratios, and JSON lines.

use crate::proto::Target;
use crate::suite::Record;

/// A row: scenario, metric, the JSON path of the figure, and whether more is better.
const ROWS: &[(&str, &str, &str, bool)] = &[
    ("fanout", "deliveries/s", "deliveries_per_s", true),
    ("fanout", "latency p50 ms", "latency.p50_ms", false),
    ("fanout", "latency p99 ms", "latency.p99_ms", false),
    ("fanout", "lost / duplicated", "lost+duplicated", false),
    ("fanout-chatter", "deliveries/s", "deliveries_per_s", true),
    ("fanout-chatter", "latency p99 ms", "latency.p99_ms", false),
    (
        "fanout-chatter",
        "lost / duplicated",
        "lost+duplicated",
        false,
    ),
    ("fanout-reactions", "deliveries/s", "deliveries_per_s", true),
    (
        "fanout-reactions",
        "frames/s (with reactions)",
        "frames_per_s",
        true,
    ),
    (
        "fanout-reactions",
        "reaction deliveries",
        "reaction_deliveries",
        true,
    ),
    (
        "fanout-reactions",
        "lost / duplicated",
        "lost+duplicated",
        false,
    ),
    ("latency", "latency p50 ms", "latency.p50_ms", false),
    ("latency", "latency p90 ms", "latency.p90_ms", false),
    ("latency", "latency p99 ms", "latency.p99_ms", false),
    ("latency", "latency max ms", "latency.max_ms", false),
    ("latency", "lost / duplicated", "lost+duplicated", false),
    ("storm", "connections/s", "connections_per_s", true),
    ("storm", "failed", "failed", false),
    ("idle", "KiB per connection", "kib_per_connection", false),
    ("capacity", "connected", "connected", true),
    ("capacity", "failed", "failed", false),
    (
        "capacity",
        "KiB per connection",
        "kib_per_connection",
        false,
    ),
    ("slow-baseline", "others' p99 ms", "latency.p99_ms", false),
    ("slow", "others' p99 ms", "latency.p99_ms", false),
    ("slow", "server RSS growth KiB", "rss_growth_kib", false),
    ("slow", "lost / duplicated", "lost+duplicated", false),
    (
        "reconnect",
        "restart ms (SIGTERM to listening)",
        "restart_ms",
        false,
    ),
    ("reconnect", "back 50% ms", "back_p50_ms", false),
    ("reconnect", "back 99% ms", "back_p99_ms", false),
    (
        "reconnect",
        "back 100% ms (target 10000)",
        "back_all_ms",
        false,
    ),
    ("reconnect", "not back", "not_back", false),
    ("reconnect", "peak accepts/s", "peak_accepts_per_s", true),
    ("reconnect", "failed attempts", "failed_attempts", false),
    (
        "reconnect",
        "lost / duplicated / unacked",
        "lost+duplicated+unacked",
        false,
    ),
];

fn lookup(v: &serde_json::Value, path: &str) -> Option<f64> {
    if let Some((a, b)) = path.split_once('+') {
        return Some(lookup(v, a)? + lookup(v, b)?);
    }
    path.split('.').try_fold(v, |v, k| v.get(k))?.as_f64()
}

fn fmt(x: Option<f64>) -> String {
    match x {
        None => "–".into(),
        Some(x) if x >= 1000.0 => format!("{:.0}", x),
        Some(x) if x == x.trunc() => format!("{x:.0}"),
        Some(x) => format!("{x:.2}"),
    }
}

/// The table, in Markdown.
pub fn table(records: &[Record]) -> String {
    let get = |scenario: &str, target: Target| {
        records
            .iter()
            .find(|r| r.scenario == scenario && r.target == target)
    };
    let mut out = String::from(
        "| scenario | metric | Parley | Node ws | Parley vs Node |\n|---|---|---:|---:|---:|\n",
    );
    for (scenario, metric, path, more_is_better) in ROWS {
        let p = get(scenario, Target::Parley).and_then(|r| lookup(&r.result, path));
        let n = get(scenario, Target::Node).and_then(|r| lookup(&r.result, path));
        if p.is_none() && n.is_none() {
            continue;
        }
        let ratio = match (p, n) {
            (Some(p), Some(n)) if p > 0.0 && n > 0.0 => ratio(p, n, *more_is_better),
            _ => "".into(),
        };
        out.push_str(&format!(
            "| {scenario} | {metric} | {} | {} | {ratio} |\n",
            fmt(p),
            fmt(n)
        ));
    }
    for r in records.iter().filter(|r| r.scenario == "slow") {
        if let Some(s) = r.result.get("stalled").and_then(|s| s.as_str()) {
            out.push_str(&format!(
                "| slow | stalled client ({}) | {s} | | |\n",
                r.target
            ));
        }
    }
    out
}

/// Rows of the cluster table: the cluster scenario, the one-node scenario it is compared
/// with, the metric, its JSON path and whether more is better.
const CLUSTER_ROWS: &[(&str, &str, &str, &str, bool)] = &[
    (
        "cluster-latency",
        "latency",
        "latency p50 ms",
        "latency.p50_ms",
        false,
    ),
    (
        "cluster-latency",
        "latency",
        "latency p99 ms",
        "latency.p99_ms",
        false,
    ),
    (
        "cluster-latency",
        "latency",
        "lost / duplicated",
        "lost+duplicated",
        false,
    ),
    (
        "cluster-fanout",
        "fanout",
        "deliveries/s",
        "deliveries_per_s",
        true,
    ),
    (
        "cluster-fanout",
        "fanout",
        "latency p99 ms",
        "latency.p99_ms",
        false,
    ),
    (
        "cluster-fanout",
        "fanout",
        "lost / duplicated",
        "lost+duplicated",
        false,
    ),
];

/// Parley on one node against Parley on a cluster, in Markdown; empty without cluster runs.
pub fn cluster_table(records: &[Record]) -> String {
    let get = |scenario: &str| {
        records
            .iter()
            .find(|r| r.scenario == scenario && r.target == Target::Parley)
    };
    let mut out = String::new();
    for (cluster, single, metric, path, more_is_better) in CLUSTER_ROWS {
        let Some(c) = get(cluster).and_then(|r| lookup(&r.result, path)) else {
            continue;
        };
        if out.is_empty() {
            let nodes = get(cluster).and_then(|r| r.params.get("nodes")).cloned();
            out.push_str(&format!(
                "| scenario | metric | one node | {} nodes | cluster vs one node |\n\
                 |---|---|---:|---:|---:|\n",
                nodes.unwrap_or_default()
            ));
        }
        let s = get(single).and_then(|r| lookup(&r.result, path));
        let ratio = match s {
            Some(s) if s > 0.0 && c > 0.0 => ratio(c, s, *more_is_better),
            _ => "".into(),
        };
        out.push_str(&format!(
            "| {single} | {metric} | {} | {} | {ratio} |\n",
            fmt(s),
            fmt(Some(c))
        ));
    }
    out
}

/// One JSON object per line.
pub fn json_lines(records: &[Record]) -> String {
    records
        .iter()
        .map(|r| serde_json::to_string(r).expect("records serialize") + "\n")
        .collect()
}

/// How Parley's figure `p` compares with the peer's `n`: "3.0× more", "2.0× less (worse)".
fn ratio(p: f64, n: f64, more_is_better: bool) -> String {
    let (factor, word) = if p >= n {
        (p / n, "more")
    } else {
        (n / p, "less")
    };
    let worse = p != n && (p > n) != more_is_better;
    format!("{factor:.1}× {word}{}", if worse { " (worse)" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::{cluster_table, ratio};
    use crate::proto::Target;
    use crate::suite::Record;

    #[test]
    fn ratios_say_which_way_is_better() {
        assert_eq!(ratio(300.0, 100.0, true), "3.0× more");
        assert_eq!(ratio(100.0, 300.0, true), "3.0× less (worse)");
        assert_eq!(ratio(1.0, 2.0, false), "2.0× less");
        assert_eq!(ratio(2.0, 1.0, false), "2.0× more (worse)");
        assert_eq!(ratio(1.0, 1.0, false), "1.0× more");
    }

    fn record(scenario: &str, p99: f64, nodes: Option<u64>) -> Record {
        Record {
            scenario: scenario.into(),
            target: Target::Parley,
            params: nodes.map_or(serde_json::json!({}), |n| serde_json::json!({ "nodes": n })),
            result: serde_json::json!({ "latency": { "p50_ms": 0.5, "p99_ms": p99 } }),
        }
    }

    #[test]
    fn the_cluster_table_sets_each_cluster_run_beside_its_one_node_run() {
        assert_eq!(cluster_table(&[record("latency", 1.0, None)]), "");
        let table = cluster_table(&[
            record("latency", 1.0, None),
            record("cluster-latency", 2.5, Some(2)),
        ]);
        assert!(
            table.starts_with("| scenario | metric | one node | 2 nodes |"),
            "{table}"
        );
        assert!(
            table.contains("| latency | latency p99 ms | 1 | 2.50 | 2.5× more (worse) |"),
            "{table}"
        );
    }
}
