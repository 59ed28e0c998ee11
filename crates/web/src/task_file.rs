//! Task tables in and out, the one place the import page and the import API share: an uploaded
//! CSV or XLSX becomes import rows (columns found by their Vietnamese names, ignoring case and
//! diacritics; dates dd/mm/yyyy or yyyy-mm-dd), and the task list becomes a table whose
//! columns import again. Rules on the rows belong to `Services::import_tasks`.

use domain::error::RowProblem;
use domain::services::import::{EXPORT_ONLY_COLUMNS, IMPORT_COLUMNS, REQUIRED_COLUMNS, column};
use domain::services::work::MAX_PAGE;
use domain::work::{Task, TaskId, TaskInput, TaskQuery};
use domain::{DomainError, Services};
use reports::{Cell, ReadError, ReadTable, Table};

use crate::format;

pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV_MIME: &str = "text/csv; charset=utf-8";

/// Most rows one export writes.
pub const EXPORT_MAX_ROWS: u64 = 100_000;

/// Reads an uploaded table: XLSX when the bytes are a ZIP container, CSV otherwise. A file that
/// cannot be read is a rejected import whose one problem says why.
pub fn read_upload(bytes: &[u8]) -> Result<ReadTable, DomainError> {
    let read = if bytes.starts_with(b"PK\x03\x04") { reports::read_xlsx(bytes) } else { reports::read_csv(bytes) };
    read.map_err(|e| {
        let line = match e {
            ReadError::Csv { line, .. } | ReadError::NotUtf8 { line } => line,
            ReadError::InvalidXlsx { .. } | ReadError::Empty => 1,
        };
        DomainError::Rejected(vec![RowProblem { line, column: String::new(), message: e.to_string() }])
    })
}

/// Where each import column is in the file.
struct Columns {
    index: Vec<(&'static str, usize)>,
}

impl Columns {
    fn cell<'a>(&self, row: &'a reports::ReadRow, name: &str) -> &'a str {
        self.index.iter().find(|(n, _)| *n == name).map_or("", |(_, i)| row.get(*i))
    }
}

/// Matches the header row against the known columns; unknown, repeated and missing required
/// columns are problems of line 1.
fn columns(t: &ReadTable) -> (Columns, Vec<RowProblem>) {
    let known: Vec<&'static str> = IMPORT_COLUMNS.iter().chain(EXPORT_ONLY_COLUMNS.iter()).copied().collect();
    let mut index = Vec::new();
    let mut problems = Vec::new();
    let header_problem = |column: &str, message: String| RowProblem { line: 1, column: column.into(), message };
    for (i, header) in t.headers.iter().enumerate() {
        if header.trim().is_empty() {
            continue;
        }
        let folded = textvi::fold(header);
        match known.iter().find(|k| textvi::fold(k) == folded) {
            Some(name) if index.iter().any(|(n, _)| n == name) => {
                problems.push(header_problem(header, "cột bị lặp lại".into()))
            }
            Some(name) => index.push((*name, i)),
            None => problems.push(header_problem(
                header,
                format!("cột không có trong mẫu nhập; các cột được nhận: {}", IMPORT_COLUMNS.join(", ")),
            )),
        }
    }
    for required in REQUIRED_COLUMNS {
        if !index.iter().any(|(n, _)| *n == required) {
            problems.push(header_problem(required, "thiếu cột bắt buộc".into()));
        }
    }
    (Columns { index }, problems)
}

/// Codes or usernames separated by `;` or `,`.
pub fn list(cell: &str) -> Vec<String> {
    cell.split([';', ',']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

/// The table's rows as task inputs, each with its line, and the problems found in reading them
/// (columns, dates). With a problem in the columns no row is read.
pub fn task_rows(t: &ReadTable) -> (Vec<(usize, TaskInput)>, Vec<RowProblem>) {
    let (cols, mut problems) = columns(t);
    if !problems.is_empty() {
        return (Vec::new(), problems);
    }
    let mut rows = Vec::with_capacity(t.rows.len());
    for row in &t.rows {
        let cell = |name| cols.cell(row, name);
        let mut date = |name: &'static str| {
            let text = cell(name);
            if text.is_empty() {
                return None;
            }
            let parsed = format::parse_date(text);
            if parsed.is_none() {
                problems.push(RowProblem {
                    line: row.line,
                    column: name.into(),
                    message: format!("'{text}' không phải ngày dạng dd/mm/yyyy hoặc yyyy-mm-dd"),
                });
            }
            parsed
        };
        let (start_date, deadline) = (date(column::START), date(column::DEADLINE));
        let opt = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        rows.push((
            row.line,
            TaskInput {
                code: opt(cell(column::CODE)),
                title: cell(column::TITLE).to_string(),
                description: cell(column::DESCRIPTION).to_string(),
                lead: opt(cell(column::LEAD)),
                coordinating: list(cell(column::COORDINATING)),
                assignees: list(cell(column::ASSIGNEES)),
                start_date,
                deadline,
                ..TaskInput::default()
            },
        ));
    }
    (rows, problems)
}

/// Imports an uploaded CSV or XLSX file into a draft plan: every row or none.
pub async fn import_file(
    services: &Services,
    actor: &domain::auth::Principal,
    plan_id: i64,
    bytes: &[u8],
) -> Result<Vec<TaskId>, DomainError> {
    let (rows, problems) = match read_upload(bytes) {
        Ok(table) => task_rows(&table),
        Err(DomainError::Rejected(problems)) => (Vec::new(), problems),
        Err(e) => return Err(e),
    };
    // The service checks the caller's access to the plan before it reports any problem.
    services.import_task_rows(actor, plan_id, rows, problems).await
}

fn headers() -> Vec<&'static str> {
    IMPORT_COLUMNS.iter().chain(EXPORT_ONLY_COLUMNS.iter()).copied().collect()
}

fn export_row(t: &Task) -> Vec<Cell> {
    let join = |v: Vec<&str>| v.join("; ");
    vec![
        t.code.as_str().into(),
        t.title.as_str().into(),
        t.description.as_str().into(),
        t.lead.code.as_str().into(),
        join(t.coordinating.iter().map(|o| o.code.as_str()).collect()).into(),
        join(t.assignees.iter().map(|u| u.username.as_str()).collect()).into(),
        t.start_date.into(),
        t.deadline.into(),
        t.status_label.into(),
        Cell::Int(i64::from(t.progress)),
        t.completed_on.into(),
        t.plan_title.as_str().into(),
        t.org.name.as_str().into(),
    ]
}

/// The tasks matching `query` (offset and limit ignored) as a table, read page by page, at most
/// [`EXPORT_MAX_ROWS`] rows.
pub async fn export_table(
    services: &Services,
    actor: &domain::auth::Principal,
    query: &TaskQuery,
) -> Result<Table, DomainError> {
    let mut table = Table::new(headers());
    let mut q = TaskQuery { offset: 0, limit: Some(MAX_PAGE), ..query.clone() };
    loop {
        let page = services.list_tasks(actor, &q).await?;
        let n = page.items.len() as u64;
        for t in &page.items {
            table.push_row(export_row(t));
        }
        q.offset += n;
        // A short page is the last (the total may be a capped count).
        if n < MAX_PAGE || q.offset >= EXPORT_MAX_ROWS {
            return Ok(table);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reports::ReadRow;

    fn table(headers: &[&str], rows: &[&[&str]]) -> ReadTable {
        ReadTable {
            headers: headers.iter().map(|s| s.to_string()).collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| ReadRow { line: i + 2, cells: r.iter().map(|s| s.to_string()).collect() })
                .collect(),
        }
    }

    #[test]
    fn headers_match_without_case_or_diacritics() {
        let t = table(
            &["TEN NHIEM VU", "han hoan thanh", "Đơn vị phối hợp", "Người thực hiện", "Ngày bắt đầu"],
            &[&["Số hóa hồ sơ", "30/11/2026", "01; 51,79", "a.officer", "2026-11-01"]],
        );
        let (rows, problems) = task_rows(&t);
        assert!(problems.is_empty(), "{problems:?}");
        let (line, input) = &rows[0];
        assert_eq!(*line, 2);
        assert_eq!(input.title, "Số hóa hồ sơ");
        assert_eq!(input.deadline, chrono::NaiveDate::from_ymd_opt(2026, 11, 30));
        assert_eq!(input.start_date, chrono::NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(input.coordinating, ["01", "51", "79"]);
        assert_eq!(input.assignees, ["a.officer"]);
        assert_eq!(input.lead, None);
    }

    #[test]
    fn unknown_and_missing_columns_are_problems_of_line_one() {
        let (rows, problems) = task_rows(&table(&["Tên nhiệm vụ", "Ghi chú"], &[&["x", "y"]]));
        assert!(rows.is_empty());
        let cells: Vec<(usize, &str)> = problems.iter().map(|p| (p.line, p.column.as_str())).collect();
        assert_eq!(cells, [(1, "Ghi chú"), (1, "Hạn hoàn thành")]);
    }

    #[test]
    fn a_bad_date_names_its_line_and_column() {
        let (rows, problems) =
            task_rows(&table(&["Tên nhiệm vụ", "Hạn hoàn thành"], &[&["a", "1/1/2026"], &["b", "31/02/2026"]]));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].1.deadline, chrono::NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].line, problems[0].column.as_str()), (3, "Hạn hoàn thành"));
        assert!(problems[0].message.contains("31/02/2026"));
    }
}
