//! Background work: the scheduler that runs reminder jobs, and outgoing e-mail (being written).

pub mod mail;
