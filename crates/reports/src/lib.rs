//! Document formats in and out for dxgov: XLSX, CSV, SVG timelines and charts, iCalendar,
//! CAP 1.2 alerts and Atom feeds.
//!
//! This crate owns *formats only*. It turns a [`Table`] into XLSX or CSV bytes and uploaded
//! XLSX/CSV bytes into a [`ReadTable`] of trimmed strings with true line numbers; it renders
//! a [`Timeline`] and a [`Chart`] as SVG and [`Event`]s as an RFC 5545 calendar. Everything is a pure function
//! over values and byte buffers:
//!
//! - no domain rules: which columns an import expects, how a cell is validated, what a status
//!   means — all of that belongs to the callers (`domain`, `web`);
//! - no storage and no file system: bytes in, bytes out;
//! - no HTTP: content types, file names and download headers are the web layer's business.
//!
//! Conventions for Vietnamese officials: dates `dd/mm/yyyy`; numbers `1.234,5` where a
//! person reads them (XLSX number formats follow the reader's locale,
//! [`Cell::to_display_vi`] for pages), plain `1234.5` where a machine reads them again (CSV,
//! [`ReadTable`] cells). Error messages meant for users are in Vietnamese.

pub mod atom;
pub mod cap;
pub mod chart;
pub mod csv;
pub mod gantt;
pub mod ical;
pub mod table;
pub mod xlsx;
pub mod xml;

pub use crate::csv::{read_csv, write_csv};
pub use chart::{Chart, ChartRow, ChartScale, render_chart};
pub use gantt::{Bar, Timeline, render_svg};
pub use ical::{Event, EventStatus, When, write_calendar};
pub use table::{Cell, ReadError, ReadRow, ReadTable, Table, format_date};
pub use xlsx::{WriteError, read_xlsx, read_xlsx_sheets, sanitize_sheet_name, write_xlsx};
