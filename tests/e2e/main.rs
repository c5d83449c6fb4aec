//! The one end-to-end test binary (as just and fd do): every integration
//! test is a module of this crate, so `tests/e2e/common` (the Sandbox with
//! moto and the fault proxy, and the `Keyturn` run builder) and the
//! keyturn library are compiled and linked once, not once per file.
//!
//! Invariant: the tests of all modules run on threads of one process, in
//! parallel. Each builds its own world (a `common::Sandbox` with its own
//! moto, fault proxy, ports and temporary HOME; or its own temporary
//! directories, tmux socket or D-Bus session) and passes the environment
//! to the child processes it starts; none sets process-wide state
//! (`std::env::set_var`, the current directory, a fixed port).
//!
//! Adding a test file: `tests/e2e/NAME.rs` plus one `mod NAME;` line here.
//! Running one module: `cargo test --test e2e NAME::` (e.g. `rotate::`).

mod common;

mod audit;
mod aws_conditions;
mod cli_compat;
mod crash;
mod destinations;
mod destinations_http;
mod drain;
mod edges;
mod file_engine;
mod fleet;
mod hardening;
mod help;
mod i18n;
mod json;
mod keystore;
mod keystore_flags;
mod keystore_rotate;
mod managed;
mod mounts;
mod refusal;
mod rotate;
mod schedule;
mod status;
mod terminal;
mod unattended;
mod version;
