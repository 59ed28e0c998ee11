//! Feedback analytics as JSON and as an XLSX workbook with one sheet per table. Each handler
//! calls one service.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::DomainError;
use domain::feedback::SlaState;
use domain::services::feedback_analytics::{AnalyticsQuery, FeedbackAnalytics, PeriodRow, SlaFigures, VolumeRow};
use reports::{Cell, Table};

use crate::AppState;
use crate::api::task_io::download;
use crate::error::{ApiError, ApiResult};
use crate::session::Actor;
use crate::task_file::XLSX_MIME;

/// Feedback analytics over a period: volume by category, province, week and month; SLA
/// compliance per handling unit; rising topics and terms. Every figure links to its items.
#[utoipa::path(get, path = "/api/v1/feedback/analytics", params(AnalyticsQuery),
    responses((status = 200, body = FeedbackAnalytics), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn show(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<AnalyticsQuery>,
) -> ApiResult<FeedbackAnalytics> {
    Ok(Json(state.services.feedback_analytics(&p, &q).await?))
}

/// The feedback analytics as an XLSX workbook, one sheet per table.
#[utoipa::path(get, path = "/api/v1/feedback/analytics/file/xlsx", params(AnalyticsQuery),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn xlsx(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, ApiError> {
    let a = state.services.feedback_analytics(&p, &q).await?;
    let sheets = workbook(&a);
    let refs: Vec<(&str, &Table)> = sheets.iter().map(|(n, t)| (*n, t)).collect();
    let bytes = reports::write_xlsx(&refs).map_err(|e| DomainError::Storage(e.to_string()))?;
    let unit = a.org.as_ref().map_or("pham-vi", |u| u.code.as_str());
    let name = format!("thong-ke-phan-anh-{unit}-{}-{}.xlsx", a.from.format("%Y%m%d"), a.to.format("%Y%m%d"));
    Ok(download(bytes, XLSX_MIME, name))
}

fn n(x: u64) -> Cell {
    Cell::Int(i64::try_from(x).unwrap_or(i64::MAX))
}

fn volume_sheet(first: &str, rows: &[VolumeRow]) -> Table {
    let mut t = Table::new([first, "Mã", "Số phản ánh"]);
    for r in rows {
        t.push_row(vec![r.name.clone().into(), r.code.clone().into(), n(r.items.count)]);
    }
    t
}

fn period_sheet(first: &str, rows: &[PeriodRow]) -> Table {
    let mut t = Table::new([first, "Từ ngày", "Đến ngày", "Số phản ánh"]);
    for r in rows {
        t.push_row(vec![r.label.clone().into(), r.from.into(), r.to.into(), n(r.items.count)]);
    }
    t
}

fn sla_cells(f: &SlaFigures) -> Vec<Cell> {
    vec![
        n(f.items.count),
        n(f.on_time.count),
        n(f.late.count),
        n(f.overdue.count),
        n(f.pending.count),
        f.compliance.map_or(Cell::Empty, Cell::Percent),
    ]
}

/// What the figures cover, then the page's tables in its order, with Vietnamese headers.
pub fn workbook(a: &FeedbackAnalytics) -> Vec<(&'static str, Table)> {
    let mut sla = Table::new(
        ["Đơn vị xử lý", "Mã"]
            .into_iter()
            .chain(["Số phản ánh"])
            .chain(SlaState::ALL.map(SlaState::label))
            .chain(["Tỷ lệ đúng hạn (%)"]),
    );
    for u in &a.sla {
        let mut row = vec![u.unit.name.clone().into(), u.unit.code.clone().into()];
        row.extend(sla_cells(&u.figures));
        sla.push_row(row);
    }
    let mut total = vec!["Tổng số".into(), Cell::Empty];
    total.extend(sla_cells(&a.sla_total));
    sla.push_row(total);

    let mut topics = Table::new(["Lĩnh vực", "Mã", "Tuần này", "Tuần trước", "Tăng, giảm", "Tỷ lệ tăng (%)"]);
    for t in &a.rising_topics {
        topics.push_row(vec![
            t.name.clone().into(),
            t.code.clone().into(),
            n(t.this_week.count),
            n(t.previous_week.count),
            Cell::Int(t.change),
            t.growth.map_or(Cell::Empty, Cell::Percent),
        ]);
    }
    let mut terms = Table::new(["Từ ngữ", "Số phản ánh"]);
    for t in &a.top_terms {
        terms.push_row(vec![t.term.clone().into(), n(t.items)]);
    }
    let mut rising = Table::new(["Từ ngữ", "Tuần này", "Tuần trước", "Tăng"]);
    for t in &a.rising_terms {
        rising.push_row(vec![t.term.clone().into(), n(t.this_week), n(t.previous_week), Cell::Int(t.change)]);
    }
    let mut about = Table::new(["Nội dung", "Giá trị"]);
    let unit = a.org.as_ref().map_or_else(|| "Mọi đơn vị trong phạm vi được xem".to_string(), |u| u.name.clone());
    about.push_row(vec!["Đơn vị".into(), unit.into()]);
    about.push_row(vec!["Gửi từ ngày".into(), a.from.into()]);
    about.push_row(vec!["Đến ngày".into(), a.to.into()]);
    about.push_row(vec!["Tình trạng xử lý tính đến ngày".into(), a.as_of.into()]);
    about.push_row(vec!["Tổng số phản ánh".into(), n(a.total.count)]);
    vec![
        ("Thông tin", about),
        ("Theo lĩnh vực", volume_sheet("Lĩnh vực", &a.by_category)),
        ("Theo địa bàn", volume_sheet("Tỉnh, thành phố", &a.by_area)),
        ("Theo tuần", period_sheet("Tuần", &a.by_week)),
        ("Theo tháng", period_sheet("Tháng", &a.by_month)),
        ("Đúng hạn theo đơn vị", sla),
        ("Chủ đề tăng", topics),
        ("Từ ngữ nhiều nhất", terms),
        ("Từ ngữ tăng", rising),
    ]
}
