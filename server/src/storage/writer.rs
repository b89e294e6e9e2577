//! The message writer: one task that commits messages in batches (group commit).
//!
//! Rooms send it their pending messages; it gathers whatever has queued from every room,
//! writes it all at once and answers each room. Under load batches grow, so one commit
//! covers many messages. It also assigns the server-wide message ids and recognises a
//! client id seen before from the same sender (a retried send): that message is answered
//! with the original's seq and id and is not stored again.
//!
//! Fast path: retries are recognised from the ids of recent messages kept in memory, and
//! the new rows go in with a few multi-row `INSERT`s (a single statement, committed on its
//! own, for a batch of one). If that fails (a retry older than the memory hits the unique
//! key, a row the database refuses, or the database failed), the slow path redoes the batch
//! row by row in a transaction, asking the database about each client id. There each row
//! is inserted under a savepoint: a row the database refuses fails only its own sender
//! ([`Outcome::Failed`]), and the room's later messages take the seqs it would have had.
//!
//! In cluster mode the seqs come from the database instead of the rooms, and the ids from
//! blocks reserved there (see [`super::sequencer`]); both paths then run in a transaction.

use std::sync::Arc;

use shared::{ClientMsgId, MessageId, MessageText, Nickname, Reply, RoomName, Seq};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use tokio::sync::{mpsc, oneshot};

use super::reactions::{self, ReactOutcome, ReactionChange};
use super::sequencer::{reserve_seqs, Ids, Sequencing};
use super::{Backend, Store, StoreError};

/// Most messages committed in one transaction.
const MAX_BATCH: usize = 1024;
/// Row counts of the multi-row `INSERT`s: a batch is split into these, largest first, so
/// only these few statements are ever prepared.
const CHUNKS: [usize; 5] = [256, 64, 16, 4, 1];
/// Client ids of this many recent messages are kept to recognise retries without a query.
const RECENT_IDS: usize = 20_000;

/// A message to store.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Who sent it, for idempotency (unique with `client_id`).
    pub sender: Arc<str>,
    /// The nickname shown.
    pub nickname: Nickname,
    /// The sender's id for it.
    pub client_id: ClientMsgId,
    /// The text.
    pub text: MessageText,
    /// Server time, ms since the Unix epoch.
    pub ts: i64,
    /// Posted by a service with an API key (`nickname` is the key's name).
    pub bot: bool,
    /// The message it answers, quoted.
    pub reply: Option<Reply>,
}

/// The columns a message row is inserted with, and one row's placeholders.
const INSERT_COLUMNS: &str = "INSERT INTO messages (room, seq, id, sender, nickname, client_id, \
     body, ts, bot, reply_seq, reply_nickname, reply_snippet) VALUES ";
const ROW_PLACEHOLDERS: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// Binds one message row, in [`INSERT_COLUMNS`]' order.
fn bind_row<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    (room, seq, id): (&'q str, i64, i64),
    m: &'q NewMessage,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let reply = m.reply.as_ref();
    q.bind(room)
        .bind(seq)
        .bind(id)
        .bind(&*m.sender)
        .bind(m.nickname.as_str())
        .bind(m.client_id.as_str())
        .bind(m.text.as_str())
        .bind(m.ts)
        .bind(i64::from(m.bot))
        .bind(reply.map(|r| r.seq.0 as i64))
        .bind(reply.map(|r| r.nickname.as_str()))
        .bind(reply.map(|r| r.snippet.as_str()))
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
    /// The database refused this row (the cause is logged); nothing was stored for it and it
    /// took no seq. The others of the batch are unaffected.
    Failed,
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
    /// The room's next seq: new messages take it and the ones after it, in order. (In
    /// cluster mode the database's count wins.)
    next_seq: Seq,
    rows: Vec<NewMessage>,
    reply: oneshot::Sender<Result<Vec<Outcome>, StoreError>>,
}

/// Cloneable handle to the writer task.
#[derive(Clone)]
pub struct WriterHandle {
    tx: mpsc::Sender<Job>,
}

/// What the writer is asked to do.
enum Job {
    Append(Request),
    React(ReactRequest),
}

/// A reaction to write, and where its outcome goes.
struct ReactRequest {
    change: ReactionChange,
    reply: oneshot::Sender<Result<ReactOutcome, StoreError>>,
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
            .send(Job::Append(Request {
                room,
                next_seq,
                rows,
                reply,
            }))
            .await;
        rx
    }

    /// Queues a reaction for the next commit (after that round's messages, so it may react
    /// to one of them).
    pub async fn react(
        &self,
        change: ReactionChange,
    ) -> oneshot::Receiver<Result<ReactOutcome, StoreError>> {
        let (reply, rx) = oneshot::channel();
        let _ = self
            .tx
            .send(Job::React(ReactRequest { change, reply }))
            .await;
        rx
    }
}

/// Starts the writer; `next_id` is the first free message id (one node alone).
pub fn spawn(pool: AnyPool, backend: Backend, seqs: Sequencing, next_id: i64) -> WriterHandle {
    let (tx, rx) = mpsc::channel(4096);
    let ids = match seqs {
        Sequencing::Local => Ids::local(next_id),
        Sequencing::Database => Ids::cluster(),
    };
    let db = Db {
        pool,
        backend,
        seqs,
    };
    tokio::spawn(run(db, rx, ids));
    WriterHandle { tx }
}

/// What the writer writes to, and how it numbers.
struct Db {
    pool: AnyPool,
    backend: Backend,
    seqs: Sequencing,
}

impl Db {
    /// The order the batch's rooms are written in: in cluster mode by name, so that two
    /// nodes' writers lock the rooms they share in the same order (and never deadlock).
    fn order(&self, batch: &[Request]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..batch.len()).collect();
        if self.seqs == Sequencing::Database {
            order.sort_by(|a, b| batch[*a].room.cmp(&batch[*b].room));
        }
        order
    }
}

/// Recent (sender, client id) → the stored message, oldest evicted first.
#[derive(Default)]
struct RecentIds {
    map: std::collections::HashMap<(Arc<str>, String), Outcome>,
    order: std::collections::VecDeque<(Arc<str>, String)>,
}

impl RecentIds {
    fn get(&self, m: &NewMessage) -> Option<&Outcome> {
        self.map
            .get(&(m.sender.clone(), m.client_id.as_str().to_owned()))
    }

    fn insert(&mut self, m: &NewMessage, room: &RoomName, outcome: &Outcome, ts: i64) {
        let Outcome::Stored { seq, id } = *outcome else {
            return;
        };
        let key = (m.sender.clone(), m.client_id.as_str().to_owned());
        if self.order.len() == RECENT_IDS {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
        self.map.insert(
            key.clone(),
            Outcome::Duplicate {
                room: room.clone(),
                seq,
                id,
                ts,
            },
        );
        self.order.push_back(key);
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>, mut ids: Ids) {
    let mut batch = Vec::new();
    let mut reacts = Vec::new();
    let mut recent = RecentIds::default();
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        let mut rows = 0;
        while let Some(job) = next.take() {
            match job {
                Job::Append(req) => {
                    rows += req.rows.len();
                    batch.push(req);
                }
                Job::React(r) => reacts.push(r),
            }
            if rows + reacts.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            append(&db, &mut batch, (&mut ids, &mut recent), rows).await;
        }
        if !reacts.is_empty() {
            let changes: Vec<ReactionChange> = reacts.iter().map(|r| r.change.clone()).collect();
            match reactions::commit(&db.pool, db.backend, &changes).await {
                Ok(outcomes) => {
                    for (r, o) in reacts.drain(..).zip(outcomes) {
                        let _ = r.reply.send(Ok(o));
                    }
                }
                Err(err) => {
                    tracing::error!(cause = %err, reactions = reacts.len(), "commit failed");
                    for r in reacts.drain(..) {
                        let _ = r.reply.send(Err(err.clone()));
                    }
                }
            }
        }
    }
}

/// Commits a batch of messages and answers each room.
async fn append(
    db: &Db,
    batch: &mut Vec<Request>,
    (ids, recent): (&mut Ids, &mut RecentIds),
    rows: usize,
) {
    let mut result = ids
        .ensure(&db.pool, db.backend, rows)
        .await
        .map(|()| Vec::new());
    let first_id = ids.next;
    if result.is_ok() {
        result = fast_commit(db, batch, recent, &mut ids.next).await;
        if let Err(err) = &result {
            tracing::debug!(cause = %err, "fast commit failed; retrying row by row");
            ids.next = first_id;
            result = commit(db, batch, &mut ids.next).await;
        }
    }
    match result {
        Ok(outcomes) => {
            for (req, out) in batch.drain(..).zip(outcomes) {
                for (m, o) in req.rows.iter().zip(&out) {
                    recent.insert(m, &req.room, o, m.ts);
                }
                let _ = req.reply.send(Ok(out));
            }
        }
        Err(err) => {
            // Nothing was committed: the ids are free again and each room rolls back.
            ids.next = first_id;
            tracing::error!(cause = %err, messages = rows, "commit failed");
            let err = StoreError::from(err);
            for req in batch.drain(..) {
                let _ = req.reply.send(Err(err.clone()));
            }
        }
    }
}

/// A row to insert: (room, seq, id, message).
type NewRow<'a> = (&'a RoomName, i64, i64, &'a NewMessage);

/// The fast path (see the module docs).
async fn fast_commit(
    db: &Db,
    batch: &[Request],
    recent: &RecentIds,
    next_id: &mut i64,
) -> Result<Vec<Vec<Outcome>>, sqlx::Error> {
    // Which rows are new (None) and which are retries the memory knows (their outcome).
    let mut seen = std::collections::HashSet::new();
    let mut plans: Vec<Vec<Option<Outcome>>> = Vec::with_capacity(batch.len());
    let mut total = 0;
    for req in batch {
        let mut plan = Vec::with_capacity(req.rows.len());
        for m in &req.rows {
            if let Some(dup) = recent.get(m) {
                plan.push(Some(dup.clone()));
                continue;
            }
            if !seen.insert((&*m.sender, m.client_id.as_str())) {
                // The same id twice in one batch: let the slow path sort it out.
                return Err(sqlx::Error::Protocol(
                    "repeated client id in a batch".into(),
                ));
            }
            plan.push(None);
            total += 1;
        }
        plans.push(plan);
    }
    let cluster = db.seqs == Sequencing::Database;
    let mut tx = if cluster || total > 1 {
        Some(db.pool.begin().await?)
    } else {
        None
    };
    // Each room's first new seq.
    let mut first: Vec<i64> = batch.iter().map(|r| r.next_seq.0 as i64).collect();
    if let (true, Some(tx)) = (cluster, tx.as_mut()) {
        for i in db.order(batch) {
            let new = plans[i].iter().filter(|p| p.is_none()).count();
            if new > 0 {
                first[i] = reserve_seqs(tx, db.backend, batch[i].room.as_str(), new).await?;
            }
        }
    }
    let mut all = Vec::with_capacity(batch.len());
    let mut rows: Vec<NewRow<'_>> = Vec::with_capacity(total);
    for ((req, plan), mut seq) in batch.iter().zip(plans).zip(first) {
        let mut outcomes = Vec::with_capacity(plan.len());
        for (m, known) in req.rows.iter().zip(plan) {
            if let Some(dup) = known {
                outcomes.push(dup);
                continue;
            }
            rows.push((&req.room, seq, *next_id, m));
            outcomes.push(Outcome::Stored {
                seq: Seq(seq as u64),
                id: MessageId(*next_id as u64),
            });
            seq += 1;
            *next_id += 1;
        }
        all.push(outcomes);
    }
    match tx {
        None if rows.is_empty() => {}
        None => insert_rows(&db.pool, db.backend, &rows).await?,
        Some(mut tx) => {
            let mut rest = &rows[..];
            while !rest.is_empty() {
                let n = CHUNKS
                    .into_iter()
                    .find(|c| *c <= rest.len())
                    .expect("chunk sizes end with 1");
                insert_rows(&mut *tx, db.backend, &rest[..n]).await?;
                rest = &rest[n..];
            }
            tx.commit().await?;
        }
    }
    Ok(all)
}

/// One multi-row `INSERT` of `rows`.
async fn insert_rows<'e, E>(
    exec: E,
    backend: Backend,
    rows: &[NewRow<'_>],
) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let mut sql = String::from(INSERT_COLUMNS);
    for i in 0..rows.len() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(ROW_PLACEHOLDERS);
    }
    let sql = Store::sql_owned(backend, sql);
    let mut q = sqlx::query(&sql);
    for (room, seq, id, m) in rows {
        q = bind_row(q, (room.as_str(), *seq, *id), m);
    }
    q.execute(exec).await?;
    Ok(())
}

async fn commit(
    db: &Db,
    batch: &[Request],
    next_id: &mut i64,
) -> Result<Vec<Vec<Outcome>>, sqlx::Error> {
    let backend = db.backend;
    let find = Store::sql(
        backend,
        "SELECT room, seq, id, ts FROM messages WHERE sender = ? AND client_id = ?",
    );
    let insert = Store::sql_owned(backend, format!("{INSERT_COLUMNS}{ROW_PLACEHOLDERS}"));
    let mut tx = db.pool.begin().await?;
    let mut all = vec![Vec::new(); batch.len()];
    for i in db.order(batch) {
        let req = &batch[i];
        let mut seq = req.next_seq.0;
        let mut outcomes = Vec::with_capacity(req.rows.len());
        for m in &req.rows {
            let dup: Option<AnyRow> = sqlx::query(&find)
                .bind(&*m.sender)
                .bind(m.client_id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = dup {
                outcomes.push(duplicate(&row)?);
                continue;
            }
            sqlx::query("SAVEPOINT one_row").execute(&mut *tx).await?;
            if db.seqs == Sequencing::Database {
                seq = reserve_seqs(&mut tx, backend, req.room.as_str(), 1).await? as u64;
            }
            let inserted = bind_row(
                sqlx::query(&insert),
                (req.room.as_str(), seq as i64, *next_id),
                m,
            )
            .execute(&mut *tx)
            .await;
            if let Err(err) = inserted {
                tracing::warn!(cause = %err, room = %req.room, "a message was refused by the database");
                sqlx::query("ROLLBACK TO SAVEPOINT one_row")
                    .execute(&mut *tx)
                    .await?;
                outcomes.push(Outcome::Failed);
                continue;
            }
            sqlx::query("RELEASE SAVEPOINT one_row")
                .execute(&mut *tx)
                .await?;
            outcomes.push(Outcome::Stored {
                seq: Seq(seq),
                id: MessageId(*next_id as u64),
            });
            seq += 1;
            *next_id += 1;
        }
        all[i] = outcomes;
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
