//! The message writer: one task that commits messages in batches (group commit).
//!
//! Rooms send it their pending messages; it gathers whatever has queued from every room,
//! writes it all in one transaction and answers each room. Under load batches grow, so one
//! commit (one fsync) covers many messages. It also assigns the server-wide message ids
//! and recognises a client id seen before from the same sender (a retried send): that
//! message is answered with the original's seq and id and is not stored again.

use shared::{ClientMsgId, MessageId, MessageText, Nickname, RoomName, Seq};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use tokio::sync::{mpsc, oneshot};

use super::{Backend, Store, StoreError};

/// Most messages committed in one transaction.
const MAX_BATCH: usize = 1024;

/// A message to store.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Who sent it, for idempotency (unique with `client_id`).
    pub sender: String,
    /// The nickname shown.
    pub nickname: Nickname,
    /// The sender's id for it.
    pub client_id: ClientMsgId,
    /// The text.
    pub text: MessageText,
    /// Server time, ms since the Unix epoch.
    pub ts: i64,
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Stored under this seq and id.
    Stored {
        /// Its seq.
        seq: Seq,
        /// Its id.
        id: MessageId,
    },
    /// The sender had already sent this client id: the original message.
    Duplicate {
        /// Room of the original.
        room: RoomName,
        /// Its seq.
        seq: Seq,
        /// Its id.
        id: MessageId,
        /// Its timestamp.
        ts: i64,
    },
}

/// One room's messages to commit.
struct Request {
    room: RoomName,
    /// The room's next seq: new messages take it and the ones after it, in order.
    next_seq: Seq,
    rows: Vec<NewMessage>,
    reply: oneshot::Sender<Result<Vec<Outcome>, StoreError>>,
}

/// Cloneable handle to the writer task.
#[derive(Clone)]
pub struct WriterHandle {
    tx: mpsc::Sender<Request>,
}

/// The reply to [`WriterHandle::append`], once committed (or failed).
pub type Pending = oneshot::Receiver<Result<Vec<Outcome>, StoreError>>;

impl WriterHandle {
    /// Queues a room's messages for the next commit. A room must wait for the reply before
    /// sending its next batch, since `next_seq` depends on it.
    pub async fn append(&self, room: RoomName, next_seq: Seq, rows: Vec<NewMessage>) -> Pending {
        let (reply, rx) = oneshot::channel();
        let _ = self
            .tx
            .send(Request {
                room,
                next_seq,
                rows,
                reply,
            })
            .await;
        rx
    }
}

/// Starts the writer; `next_id` is the first free message id.
pub fn spawn(pool: AnyPool, backend: Backend, next_id: i64) -> WriterHandle {
    let (tx, rx) = mpsc::channel(4096);
    tokio::spawn(run(pool, backend, rx, next_id));
    WriterHandle { tx }
}

async fn run(pool: AnyPool, backend: Backend, mut rx: mpsc::Receiver<Request>, mut next_id: i64) {
    let mut batch = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut rows = first.rows.len();
        batch.push(first);
        while rows < MAX_BATCH {
            match rx.try_recv() {
                Ok(req) => {
                    rows += req.rows.len();
                    batch.push(req);
                }
                Err(_) => break,
            }
        }
        let first_id = next_id;
        match commit(&pool, backend, &batch, &mut next_id).await {
            Ok(outcomes) => {
                for (req, out) in batch.drain(..).zip(outcomes) {
                    let _ = req.reply.send(Ok(out));
                }
            }
            Err(err) => {
                // Nothing was committed: the ids are free again and each room rolls back.
                next_id = first_id;
                tracing::error!(cause = %err, messages = rows, "commit failed");
                let err = StoreError::from(err);
                for req in batch.drain(..) {
                    let _ = req.reply.send(Err(err.clone()));
                }
            }
        }
    }
}

async fn commit(
    pool: &AnyPool,
    backend: Backend,
    batch: &[Request],
    next_id: &mut i64,
) -> Result<Vec<Vec<Outcome>>, sqlx::Error> {
    let find = Store::sql(
        backend,
        "SELECT room, seq, id, ts FROM messages WHERE sender = ? AND client_id = ?",
    );
    let insert = Store::sql(
        backend,
        "INSERT INTO messages (room, seq, id, sender, nickname, client_id, body, ts) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    let mut tx = pool.begin().await?;
    let mut all = Vec::with_capacity(batch.len());
    for req in batch {
        let mut seq = req.next_seq.0;
        let mut outcomes = Vec::with_capacity(req.rows.len());
        for m in &req.rows {
            let dup: Option<AnyRow> = sqlx::query(&find)
                .bind(m.sender.as_str())
                .bind(m.client_id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = dup {
                outcomes.push(duplicate(&row)?);
                continue;
            }
            sqlx::query(&insert)
                .bind(req.room.as_str())
                .bind(seq as i64)
                .bind(*next_id)
                .bind(m.sender.as_str())
                .bind(m.nickname.as_str())
                .bind(m.client_id.as_str())
                .bind(m.text.as_str())
                .bind(m.ts)
                .execute(&mut *tx)
                .await?;
            outcomes.push(Outcome::Stored {
                seq: Seq(seq),
                id: MessageId(*next_id as u64),
            });
            seq += 1;
            *next_id += 1;
        }
        all.push(outcomes);
    }
    tx.commit().await?;
    Ok(all)
}

fn duplicate(row: &AnyRow) -> Result<Outcome, sqlx::Error> {
    let room: String = row.try_get(0)?;
    Ok(Outcome::Duplicate {
        room: RoomName::parse(&room).map_err(|e| sqlx::Error::Decode(e.into()))?,
        seq: Seq(row.try_get::<i64, _>(1)? as u64),
        id: MessageId(row.try_get::<i64, _>(2)? as u64),
        ts: row.try_get(3)?,
    })
}
