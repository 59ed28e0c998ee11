//! Document formats in and out: XLSX, CSV, SVG timelines, iCalendar (being written).
