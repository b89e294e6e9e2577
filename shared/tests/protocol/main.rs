//! The `shared` crate's tests, as one test binary: wire shapes, validation rules, property
//! round trips, and docs/PROTOCOL.md checked against the code.

mod doc;
mod properties;
mod roundtrip;
mod validation;
