//! The cluster scenarios' servers: N Parley nodes on one NATS broker and one fresh server
//! database (made for the run, dropped after), with one shared session secret.

use std::time::Duration;

use anyhow::Context;

use crate::proto::Target;
use crate::server::{Launch, ServerProc};
use crate::Endpoint;

/// Running nodes and the database made for them.
pub struct Cluster {
    nodes: Vec<ServerProc>,
    admin: String,
    database: String,
}

/// Runs `sql` on the database server `url` names.
async fn admin_sql(url: &str, sql: &str) -> anyhow::Result<()> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = tokio::time::timeout(Duration::from_secs(10), sqlx::AnyConnection::connect(url))
        .await
        .context("connecting to the cluster database timed out")??;
    sqlx::query(sql).execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// `url` with its database (the path) replaced by `name`.
fn with_database(url: &str, name: &str) -> anyhow::Result<String> {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base
        .find("://")
        .map(|i| i + 3)
        .context("a database URL has a scheme")?;
    let path_start = base[authority_end..]
        .find('/')
        .map_or(base.len(), |i| authority_end + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    Ok(out)
}

/// Whether a TCP connection to the broker's `host:port` opens.
async fn broker_reachable(url: &str) -> bool {
    let hostport = url
        .split_once("://")
        .map_or(url, |(_, r)| r)
        .trim_end_matches('/');
    let hostport = hostport.rsplit_once('@').map_or(hostport, |(_, h)| h);
    matches!(
        tokio::time::timeout(
            Duration::from_secs(2),
            tokio::net::TcpStream::connect(hostport)
        )
        .await,
        Ok(Ok(_))
    )
}

impl Cluster {
    /// Starts `launch.cluster_nodes` nodes; `Ok(None)` (with the reason on stderr) when the
    /// broker or the database server is not there.
    pub async fn start(launch: &Launch) -> anyhow::Result<Option<Self>> {
        if !broker_reachable(&launch.cluster).await {
            eprintln!("    not run: no NATS broker at {}", launch.cluster);
            return Ok(None);
        }
        let name = format!("parley_bench_{}", std::process::id());
        let admin = launch.cluster_database.clone();
        if let Err(e) = admin_sql(&admin, &format!("DROP DATABASE IF EXISTS {name}")).await {
            eprintln!("    not run: no database server at {admin}: {e:#}");
            return Ok(None);
        }
        admin_sql(&admin, &format!("CREATE DATABASE {name}")).await?;
        let database = with_database(&admin, &name)?;
        let secret = format!("bench-secret-{}-{name}", std::process::id());
        let mut cluster = Self {
            nodes: Vec::new(),
            admin,
            database: name,
        };
        for i in 0..launch.cluster_nodes.max(1) {
            let extra = [
                "--cluster",
                &launch.cluster,
                "--database-url",
                &database,
                "--session-secret",
                &secret,
                "--node-id",
                &format!("bench-{}", i + 1),
            ];
            let node =
                ServerProc::start_with(Target::Parley, launch, extra.map(String::from).into())
                    .await;
            match node {
                Ok(node) => cluster.nodes.push(node),
                Err(e) => {
                    cluster.stop().await;
                    return Err(e);
                }
            }
        }
        Ok(Some(cluster))
    }

    /// An endpoint whose connections alternate over the nodes, with a session made on the
    /// first (a token works on every node).
    pub async fn endpoint(&self) -> anyhow::Result<Endpoint> {
        let mut endpoint = Endpoint::open(Target::Parley, self.nodes[0].addr, "bench").await?;
        endpoint.spread = self.nodes.iter().map(|n| n.addr).collect();
        Ok(endpoint)
    }

    /// Stops every node and drops the database.
    pub async fn stop(self) {
        for node in self.nodes {
            node.stop().await;
        }
        let drop = format!("DROP DATABASE IF EXISTS {}", self.database);
        if let Err(e) = admin_sql(&self.admin, &drop).await {
            eprintln!(
                "    could not drop the bench database {}: {e:#}",
                self.database
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_of_a_url_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "b").unwrap(),
            "postgres://postgres@127.0.0.1:5432/b"
        );
        assert_eq!(
            with_database("mysql://root@h:3306?ssl-mode=disabled", "b").unwrap(),
            "mysql://root@h:3306/b?ssl-mode=disabled"
        );
    }
}
