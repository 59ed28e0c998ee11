//! Background work: the scheduler that runs reminder jobs, and outgoing e-mail.
//!
//! Owns timing and delivery only; what to remind and when is decided by domain services.

pub mod mail;
pub mod reminders;
