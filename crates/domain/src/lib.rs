//! The rules of dxgov: types that carry them, the services that pages, API and jobs all call,
//! and the repository trait that storage implements.
//!
//! Owns every business rule and every authorisation decision. Must not touch HTTP, HTML or SQL:
//! storage is reached only through [`repo::Store`], time only through [`clock::Clock`].

#[macro_use]
mod vocabulary;

pub mod audit;
pub mod auth;
pub mod bulletins;
pub mod calendar;
pub mod clock;
pub mod error;
pub mod feedback;
pub mod files;
pub mod frameworks;
pub mod indicators;
pub mod kpi;
pub mod messages;
pub mod notify;
pub mod org;
pub mod photo;
pub mod registries;
pub mod repo;
pub mod reporting;
pub mod schedule;
pub mod services;
pub mod users;
pub mod work;

pub use error::{DomainError, Result};
pub use services::Services;
