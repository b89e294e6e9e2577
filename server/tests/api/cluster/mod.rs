//! Several nodes as one chat (issue 10), on the machine's NATS (`TEST_NATS_URL`) and server
//! databases (`TEST_POSTGRES_URL`, `TEST_MYSQL_URL`).

mod direct;
mod directory;
mod failover;
mod fanout;
mod link;
mod names;
mod outage;
mod presence;
mod publish;
mod reading;
mod replies;
mod sequencing;
