//! The `parley` binary as a process: killed with SIGKILL under load it loses no acked
//! message; an unreachable database, or a public address without `--public-origin`, stops it
//! at start with a clear error.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parley_server::config::Config;
use shared::{ClientMsg, Seq, ServerMsg};
use tokio::process::{Child, Command};

use crate::helpers::*;

fn parley(db: &Db, addr: SocketAddr) -> Child {
    parley_with(db, addr, &[])
}

/// The `parley` binary on `db` at `addr`, with `extra` flags.
pub(crate) fn parley_with(db: &Db, addr: SocketAddr, extra: &[&str]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_parley"));
    cmd.args(["--listen", &addr.to_string(), "--data-dir"])
        .arg(&db.data_dir)
        .args(extra)
        .env_remove("DATABASE_URL")
        .env("PARLEY_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    if let Some(url) = &db.url {
        cmd.env("DATABASE_URL", url);
    }
    cmd.spawn().expect("parley starts")
}

pub(crate) async fn wait_ready(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(Instant::now() < deadline, "parley did not start listening");
        // A poll interval: the loop checks for the state itself.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// Acks the senders must have had before the kill: traffic is flowing.
const ACKS_BEFORE_THE_KILL: usize = 200;

/// One client sending as fast as acks allow, recording text → acked seq until the server dies;
/// counts its acks in `progress`.
async fn sender(addr: SocketAddr, i: usize, progress: Arc<AtomicUsize>) -> HashMap<String, u64> {
    let mut c = Client::connect(addr, &format!("sender{i}")).await;
    c.join("crash").await;
    let mut acked = HashMap::new();
    let mut sent = HashMap::new();
    for k in 0.. {
        let text = format!("c{i}-m{k}");
        let frame = ClientMsg::Send {
            room: "crash".into(),
            client_id: format!("c{i}-{k}"),
            text: text.clone(),
            reply_to: None,
        };
        if futures_util::SinkExt::send(
            &mut c.ws,
            tokio_tungstenite::tungstenite::Message::text(frame.to_json()),
        )
        .await
        .is_err()
        {
            break;
        }
        sent.insert(format!("c{i}-{k}"), text);
        // Keep up to 8 in flight; read what has arrived.
        while sent.len() - acked.len() >= 8 {
            match tokio::time::timeout(
                Duration::from_secs(5),
                futures_util::StreamExt::next(&mut c.ws),
            )
            .await
            {
                Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t)))) => {
                    if let Ok(ServerMsg::Ack { client_id, seq, .. }) =
                        serde_json::from_str(t.as_str())
                    {
                        acked.insert(sent[client_id.as_str()].clone(), seq.0);
                        progress.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Ok(Some(Ok(_))) => {}
                _ => return acked,
            }
        }
    }
    acked
}

#[tokio::test]
async fn every_acked_message_survives_a_kill_9_in_order_and_once() {
    for db in Db::all().await {
        let addr = free_addr();
        let mut child = parley(&db, addr);
        wait_ready(addr).await;
        let progress = Arc::new(AtomicUsize::new(0));
        let senders: Vec<_> = (0..4)
            .map(|i| tokio::spawn(sender(addr, i, progress.clone())))
            .collect();
        // Kill under load: once traffic has flowed (not after a fixed time, which a slow
        // machine may spend starting up), while the senders keep going.
        let deadline = Instant::now() + Duration::from_secs(20);
        while progress.load(Ordering::Relaxed) < ACKS_BEFORE_THE_KILL {
            assert!(
                Instant::now() < deadline,
                "{}: traffic flowed before the kill ({} acks)",
                db.label,
                progress.load(Ordering::Relaxed)
            );
            // A poll interval: the loop checks for the state itself.
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        child.start_kill().unwrap(); // SIGKILL: no shutdown, no flush
        child.wait().await.unwrap();
        let mut acked: HashMap<String, u64> = HashMap::new();
        for s in senders {
            acked.extend(s.await.unwrap());
        }
        assert!(
            acked.len() > 20,
            "{}: traffic flowed before the kill ({} acks)",
            db.label,
            acked.len()
        );

        let addr = free_addr();
        let _child = parley(&db, addr);
        wait_ready(addr).await;
        let mut reader = Client::connect(addr, "reader").await;
        reader
            .send(&ClientMsg::Join {
                room: "crash".into(),
                nickname: None,
                after: Some(Seq(0)),
                changes_after: None,
            })
            .await;
        let last_seq = reader.recv_joined().await.last_seq;
        let mut stored: Vec<(u64, String)> = Vec::new();
        while stored.len() < last_seq.0 as usize {
            let m = reader.recv_message().await;
            stored.push((m.seq.0, m.text.to_string()));
        }
        let seqs: Vec<u64> = stored.iter().map(|s| s.0).collect();
        assert_eq!(
            seqs,
            (1..=last_seq.0).collect::<Vec<_>>(),
            "{}: gapless, in order",
            db.label
        );
        let by_text: HashMap<&str, u64> = stored.iter().map(|(s, t)| (t.as_str(), *s)).collect();
        assert_eq!(
            by_text.len(),
            stored.len(),
            "{}: no message stored twice",
            db.label
        );
        for (text, seq) in &acked {
            assert_eq!(
                by_text.get(text.as_str()),
                Some(seq),
                "{}: acked {text} at {seq} is there",
                db.label
            );
        }
    }
}

#[tokio::test]
async fn an_unreachable_database_stops_start_up_with_a_clear_error_and_no_password() {
    for url in [
        "postgres://bob:hunter2@127.0.0.1:1/chat",
        "mysql://bob:hunter2@127.0.0.1:1/chat",
    ] {
        let out = tokio::time::timeout(
            Duration::from_secs(30),
            Command::new(env!("CARGO_BIN_EXE_parley"))
                .args(["--listen", "127.0.0.1:0", "--database-url", url])
                .output(),
        )
        .await
        .expect("exits promptly")
        .unwrap();
        assert!(!out.status.success(), "{url}: non-zero exit");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("cannot connect to the database at"),
            "{url}: {stderr}"
        );
        assert!(
            stderr.contains("127.0.0.1:1"),
            "{url}: names the host: {stderr}"
        );
        assert!(
            !stderr.contains("hunter2"),
            "{url}: never the password: {stderr}"
        );
    }
}

#[tokio::test]
async fn listening_beyond_loopback_needs_a_public_origin() {
    let data = Config::for_tests().data_dir;
    let parley = |extra: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_parley"));
        cmd.args(["--listen", "0.0.0.0:0", "--data-dir"])
            .arg(&data)
            .args(extra)
            .env_remove("DATABASE_URL")
            .env_remove("PARLEY_PUBLIC_ORIGIN")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        cmd
    };
    let out = tokio::time::timeout(Duration::from_secs(30), parley(&[]).output())
        .await
        .expect("exits promptly")
        .unwrap();
    assert!(!out.status.success(), "non-zero exit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("0.0.0.0") && stderr.contains("--public-origin"),
        "names the address and the flag: {stderr}"
    );

    // With one, it starts.
    let mut child = parley(&["--public-origin", "https://chat.example"])
        .spawn()
        .unwrap();
    let stdout = tokio::io::BufReader::new(child.stdout.take().unwrap());
    let mut lines = tokio::io::AsyncBufReadExt::lines(stdout);
    let running = async {
        // The log shares stdout.
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.starts_with("Parley is running at") {
                return true;
            }
        }
        false
    };
    let running = tokio::time::timeout(Duration::from_secs(30), running).await;
    assert!(running.expect("starts promptly"), "says it is running");
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let _ = std::fs::remove_dir_all(&data);
}
