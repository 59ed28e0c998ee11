//! The `dxgov` binary's library half: configuration, wiring of storage → services → web, the
//! demo data, and the operational commands. `main.rs` only parses the command line.

pub mod app;
pub mod bench;
pub mod bench_bulletins;
pub mod bench_indicators;
pub mod classify_cli;
pub mod config;
pub mod demo;
