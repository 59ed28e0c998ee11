//! dxgov's integration tests: one binary, one module per feature. Every test gets a fresh
//! database — a temporary SQLite file, or its own PostgreSQL schema when `TEST_DATABASE_URL`
//! names a server — and a real server on a loopback port.

mod harness;

mod admin;
mod audit;
mod auth;
mod authz;
mod backup;
mod bad_input;
mod browser;
mod browser_bulletins;
mod browser_feedback;
mod browser_plans;
mod browser_reports;
mod bulletins;
mod classify_cli;
mod dashboards;
mod feedback;
mod feedback_analytics;
mod import;
mod indicator_pages;
mod indicators;
mod kpi;
mod openapi;
mod ops;
mod orgs;
mod plan_pages;
mod registries;
mod reminders;
mod reports;
mod schedules;
mod smtp;
mod validators;
mod work;
