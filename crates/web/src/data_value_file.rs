//! DHIS2 data value sets as files, the one place the import API reads them and the export writes
//! them: CSV (UTF-8 with or without BOM, quoted fields) and XLSX (the first sheet), with DHIS2's
//! CSV columns `dataelement, period, orgunit, categoryoptioncombo, attributeoptioncombo, value,
//! storedby, lastupdated, comment, followup` — or only `dataElement, period, orgUnit, value,
//! comment` — in any order and any case. Rows keep the file's numbering (the CSV line, the sheet
//! row) so an import summary names the row an official can find. The rules on the rows belong to
//! `Services::import_data_value_rows`.

use domain::indicators::Dhis2DataValue;
use domain::services::indicators::ImportConflict;
use reports::{Cell, ReadError, ReadTable, Table};

/// DHIS2's CSV columns, in the order DHIS2 writes them (and the export does).
pub const COLUMNS: [&str; 10] = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
];

/// Columns a file must have.
pub const REQUIRED: [&str; 4] = ["dataelement", "period", "orgunit", "value"];

fn conflict(row: usize, object: &str, value: String) -> ImportConflict {
    ImportConflict { row, object: object.to_string(), value }
}

/// Reads an uploaded data value set: XLSX when the bytes are a ZIP container, CSV otherwise.
/// The rows, each with its line (CSV) or row (XLSX) number, and the problems of the file itself
/// (unreadable, a column missing, unknown or repeated): with any of those no row is read.
pub fn read(bytes: &[u8]) -> (Vec<(usize, Dhis2DataValue)>, Vec<ImportConflict>) {
    let read = if bytes.starts_with(b"PK\x03\x04") { reports::read_xlsx(bytes) } else { reports::read_csv(bytes) };
    match read {
        Ok(table) => rows(&table),
        Err(e) => {
            let line = match e {
                ReadError::Csv { line, .. } | ReadError::NotUtf8 { line } => line,
                ReadError::InvalidXlsx { .. } | ReadError::Empty => 1,
            };
            (Vec::new(), vec![conflict(line, "", format!("file: {e}"))])
        }
    }
}

/// The table's rows as data values; header problems are problems of row 1.
fn rows(t: &ReadTable) -> (Vec<(usize, Dhis2DataValue)>, Vec<ImportConflict>) {
    let mut index: Vec<(&'static str, usize)> = Vec::new();
    let mut problems = Vec::new();
    for (i, header) in t.headers.iter().enumerate() {
        let name = header.trim().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        match COLUMNS.iter().find(|c| **c == name) {
            Some(c) if index.iter().any(|(n, _)| n == c) => {
                problems.push(conflict(1, header, "header: cột bị lặp lại".into()))
            }
            Some(c) => index.push((c, i)),
            None => problems.push(conflict(
                1,
                header,
                format!(
                    "header: cột không có trong mẫu DHIS2; các cột được nhận: {} (hoặc dataElement, period, orgUnit, \
                     value, comment)",
                    COLUMNS.join(", ")
                ),
            )),
        }
    }
    for required in REQUIRED {
        if !index.iter().any(|(n, _)| *n == required) {
            problems.push(conflict(1, required, "header: thiếu cột bắt buộc".into()));
        }
    }
    if !problems.is_empty() {
        return (Vec::new(), problems);
    }
    let out = t
        .rows
        .iter()
        .map(|row| {
            let cell = |name: &str| index.iter().find(|(n, _)| *n == name).map_or("", |(_, i)| row.get(*i));
            let opt = |name: &str| Some(cell(name).to_string()).filter(|s| !s.is_empty());
            (
                row.line,
                Dhis2DataValue {
                    data_element: cell("dataelement").to_string(),
                    period: cell("period").to_string(),
                    org_unit: cell("orgunit").to_string(),
                    value: cell("value").to_string(),
                    comment: opt("comment"),
                    category_option_combo: opt("categoryoptioncombo"),
                    attribute_option_combo: opt("attributeoptioncombo"),
                    stored_by: opt("storedby"),
                    last_updated: opt("lastupdated"),
                },
            )
        })
        .collect();
    (out, problems)
}

/// A value written as a number cell when it is one exactly as written (so an XLSX sheet sums it
/// and it reads back unchanged), otherwise as text.
fn value_cell(value: &str) -> Cell {
    match value.parse::<f64>() {
        Ok(x) if x.is_finite() && x.to_string() == value => Cell::Number(x),
        _ => Cell::Text(value.to_string()),
    }
}

/// The export as a table in DHIS2's CSV columns; its CSV (or XLSX) imports again unchanged.
pub fn table(values: &[Dhis2DataValue]) -> Table {
    let mut t = Table::new(COLUMNS);
    for v in values {
        let text = |s: &Option<String>| Cell::Text(s.clone().unwrap_or_default());
        t.push_row(vec![
            Cell::Text(v.data_element.clone()),
            Cell::Text(v.period.clone()),
            Cell::Text(v.org_unit.clone()),
            text(&v.category_option_combo),
            text(&v.attribute_option_combo),
            value_cell(&v.value),
            text(&v.stored_by),
            text(&v.last_updated),
            text(&v.comment),
            Cell::Text("false".into()),
        ]);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dhis2_and_short_columns_in_any_order_and_case() {
        let csv = "\u{feff}orgUnit,VALUE,dataElement,Period,comment\r\n51,\"12500.5\",CHI_CNTT,2025,\"Quyết toán, đợt 1\"\r\n";
        let (rows, problems) = read(csv.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        let (line, v) = &rows[0];
        assert_eq!(*line, 2);
        assert_eq!((v.data_element.as_str(), v.period.as_str(), v.org_unit.as_str()), ("CHI_CNTT", "2025", "51"));
        assert_eq!((v.value.as_str(), v.comment.as_deref()), ("12500.5", Some("Quyết toán, đợt 1")));

        let full = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup\n\
                    CHI_ATTT,2025,51,HllvX50cXC0,HllvX50cXC0,1300,admin,2025-12-01T00:00:00Z,,false\n";
        let (rows, problems) = read(full.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows[0].1.category_option_combo.as_deref(), Some("HllvX50cXC0"));
        assert_eq!((rows[0].1.comment.as_ref(), rows[0].1.non_default_combo()), (None, None));
    }

    #[test]
    fn header_problems_are_named_on_row_one() {
        let (rows, problems) = read(b"dataelement,period,ghichu,value\nCHI_CNTT,2025,x,1\n");
        assert!(rows.is_empty());
        let named: Vec<(usize, &str)> = problems.iter().map(|p| (p.row, p.object.as_str())).collect();
        assert_eq!(named, [(1, "ghichu"), (1, "orgunit")]);
        let (_, problems) = read(b"value,period,orgunit,dataElement,VALUE\n");
        assert_eq!(problems[0].object, "VALUE");
        assert!(problems[0].value.contains("lặp lại"));
        let (_, problems) = read(b"dataelement,value\n\"CHI,1\n");
        assert!(problems[0].value.starts_with("file:"), "{problems:?}");
    }

    #[test]
    fn numbers_become_number_cells_only_when_exact() {
        assert_eq!(value_cell("12500.5"), Cell::Number(12500.5));
        assert_eq!(value_cell("-3"), Cell::Number(-3.0));
        for text in ["0123", "true", "1e3", "Đã triển khai", "1.50"] {
            assert_eq!(value_cell(text), Cell::Text(text.into()), "{text}");
        }
    }
}
