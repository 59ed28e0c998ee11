//! Citizen feedback pages. Public (no account, Vietnamese, light, usable on a phone without
//! JavaScript): the form at `/phan-anh` with its privacy notice and likely duplicates, the
//! tracking page at `/phan-anh/tra-cuu`, reopening. Officers: the list and triage queue at
//! `/feedback`, one item with its workflow at `/feedback/{id}`, and the settings (categories,
//! routing rules, thresholds, Open311 keys) at `/feedback/settings`.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use domain::DomainError;
use domain::auth::{Action, Principal};
use domain::feedback::{ATTRIBUTES, Category, FeedbackInput, FeedbackSettings, Source, Status, Step};
use domain::services::feedback::{
    FeedbackDetail, FeedbackFilter, FeedbackView, PublicFeedback, SimilarFeedback, StepInput, Submission, Tracking,
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::{EdgeError, PageError, PageResult};
use crate::format;
use crate::pages::forms::{Choice, Fields};
use crate::pages::{Layout, form_error, redirect_or_form, unprocessable};
use crate::session::Actor;

fn choices(items: impl IntoIterator<Item = (String, String)>, selected: &str) -> Vec<Choice> {
    items.into_iter().map(|(value, label)| Choice { selected: value == selected, value, label }).collect()
}

/// Every photo and text field of the public form (multipart).
async fn read_form(mut form: Multipart) -> Result<(Vec<Vec<u8>>, Fields), PageError> {
    let mut photos = Vec::new();
    let mut fields = Vec::new();
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            PageError(EdgeError::PayloadTooLarge)
        } else {
            PageError(EdgeError::BadRequest { field: "photos", message: e.body_text() })
        }
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        if field.file_name().is_some() {
            let bytes = field.bytes().await.map_err(bad)?;
            if !bytes.is_empty() {
                photos.push(bytes.to_vec());
            }
        } else {
            fields.push((name, field.text().await.map_err(bad)?));
        }
    }
    Ok((photos, Fields(fields)))
}

// ---------------------------------------------------------------------------------------------
// Public: the form
// ---------------------------------------------------------------------------------------------

/// What the form shows again after a mistake.
#[derive(Default)]
struct FormValues {
    service_code: String,
    title: String,
    description: String,
    province: String,
    commune: String,
    address: String,
    lat: String,
    lon: String,
    pham_vi: String,
    name: String,
    email: String,
    phone: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_form.html")]
struct FormPage {
    layout: Layout,
    values: FormValues,
    categories: Vec<Choice>,
    provinces: Vec<Choice>,
    scopes: Vec<Choice>,
    error: Option<String>,
    /// Likely duplicates found on sending: the citizen confirms or follows one.
    similar: Vec<SimilarRow>,
    max_chars: usize,
}

struct SimilarRow {
    code: String,
    title: String,
    status: &'static str,
    submitted: String,
    place: String,
    distance: String,
}

fn similar_rows(items: &[SimilarFeedback]) -> Vec<SimilarRow> {
    items
        .iter()
        .map(|s| SimilarRow {
            code: s.item.tracking_code.clone(),
            title: s.item.title.clone(),
            status: s.item.status_label,
            submitted: format::datetime(s.item.submitted_at),
            place: s.item.address.clone().unwrap_or_else(|| s.item.area_name.clone()),
            distance: s
                .distance_m
                .map(|d| format!("cách khoảng {} m", format::int(d.round() as u64)))
                .unwrap_or_default(),
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    session: &Session,
    values: FormValues,
    error: Option<String>,
    similar: Vec<SimilarRow>,
) -> Result<FormPage, PageError> {
    let cats = state.services.feedback_categories(false).await?;
    let provinces = state.services.feedback_provinces().await?;
    let mut categories = vec![Choice {
        value: String::new(),
        label: "Chưa rõ — để hệ thống tự phân loại".into(),
        selected: values.service_code.is_empty(),
    }];
    categories.extend(choices(cats.into_iter().map(|c| (c.code, c.name)), &values.service_code));
    let mut province_choices = vec![Choice {
        value: String::new(),
        label: "— Chọn tỉnh, thành phố —".into(),
        selected: values.province.is_empty(),
    }];
    province_choices.extend(choices(provinces.into_iter().map(|u| (u.code, u.name)), &values.province));
    let mut scopes =
        vec![Choice { value: String::new(), label: "Không rõ".into(), selected: values.pham_vi.is_empty() }];
    if let Some(attr) = ATTRIBUTES.iter().find(|a| a.code == "pham_vi") {
        scopes.extend(choices(attr.values.iter().map(|(k, n)| (k.to_string(), n.to_string())), &values.pham_vi));
    }
    Ok(FormPage {
        layout: Layout::anonymous(session).await,
        values,
        categories,
        provinces: province_choices,
        scopes,
        error,
        similar,
        max_chars: domain::feedback::DESCRIPTION_MAX_CHARS,
    })
}

pub async fn form(State(state): State<AppState>, session: Session) -> PageResult {
    Ok(form_page(&state, &session, FormValues::default(), None, Vec::new()).await?.into_response())
}

pub async fn submit(State(state): State<AppState>, session: Session, form: Multipart) -> PageResult {
    let (photos, f) = read_form(form).await?;
    let values = FormValues {
        service_code: f.get("service_code").into(),
        title: f.get("title").into(),
        description: f.get("description").into(),
        province: f.get("province").into(),
        commune: f.get("commune").into(),
        address: f.get("address").into(),
        lat: f.get("lat").into(),
        lon: f.get("lon").into(),
        pham_vi: f.get("pham_vi").into(),
        name: f.get("name").into(),
        email: f.get("email").into(),
        phone: f.get("phone").into(),
    };
    let number = |field: &'static str, s: &str| -> Result<Option<f64>, DomainError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        s.replace(',', ".")
            .parse()
            .map(Some)
            .map_err(|_| DomainError::invalid(field, format!("'{s}' không phải tọa độ")))
    };
    let result = async {
        let area_code = state
            .services
            .feedback_area_named(
                &values.province,
                Some(&values.commune).filter(|c| !c.trim().is_empty()).map(String::as_str),
            )
            .await?;
        let input = FeedbackInput {
            service_code: Some(values.service_code.clone()).filter(|c| !c.is_empty()),
            title: Some(values.title.clone()),
            description: values.description.clone(),
            area_code,
            address: Some(values.address.clone()),
            lat: number("lat", &values.lat)?,
            lon: number("long", &values.lon)?,
            name: Some(values.name.clone()),
            email: Some(values.email.clone()),
            phone: Some(values.phone.clone()),
            attributes: [("pham_vi".to_string(), values.pham_vi.clone())].into_iter().collect(),
            confirmed_new: f.get("confirmed_new") == "1",
        };
        state.services.submit_feedback(&input, &photos, Source::Web).await
    }
    .await;
    match result {
        Ok(Submission::Submitted { item }) => {
            Ok(Redirect::to(&format!("/phan-anh/tra-cuu?ma={}&moi=1", item.tracking_code)).into_response())
        }
        Ok(Submission::LikelyDuplicates { similar }) => {
            let page = form_page(&state, &session, values, None, similar_rows(&similar)).await?;
            Ok(page.into_response())
        }
        Err(e) => {
            let message = form_error(e)?;
            Ok(unprocessable(form_page(&state, &session, values, Some(message), Vec::new()).await?))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Public: tracking and reopening
// ---------------------------------------------------------------------------------------------

struct HistoryRow {
    at: String,
    label: &'static str,
    status: &'static str,
    note: String,
}

struct TrackView {
    code: String,
    title: String,
    description: String,
    category: String,
    place: String,
    status: &'static str,
    status_class: &'static str,
    handler: String,
    submitted: String,
    due: String,
    photos: Vec<i64>,
    history: Vec<HistoryRow>,
}

fn track_view(item: &PublicFeedback, history: Vec<HistoryRow>) -> TrackView {
    TrackView {
        code: item.tracking_code.clone(),
        title: item.title.clone(),
        description: item.description.clone(),
        category: item.category.as_ref().map_or_else(|| "Đang phân loại".into(), |c| c.name.clone()),
        place: match &item.address {
            Some(a) => format!("{a}, {}", item.area_name),
            None => item.area_name.clone(),
        },
        status: item.status_label,
        status_class: status_class(item.status),
        handler: item.handler_name.clone(),
        submitted: format::datetime(item.submitted_at),
        due: format::date(item.due_on),
        photos: item.photo_ids.clone(),
        history,
    }
}

fn tracking_views(t: &Tracking) -> (TrackView, Option<TrackView>) {
    let rows = |t: &Tracking| {
        t.history
            .iter()
            .map(|e| HistoryRow {
                at: format::datetime(e.at),
                label: e.label,
                status: e.status.label(),
                note: e.note.clone().unwrap_or_default(),
            })
            .collect()
    };
    (track_view(&t.item, rows(t)), t.master.as_ref().map(|m| track_view(&m.item, rows(m))))
}

pub fn status_class(s: Status) -> &'static str {
    match s {
        Status::New | Status::Transferred => "warn",
        Status::Received | Status::InProgress => "info",
        Status::Answered | Status::Closed => "ok",
        Status::Rejected | Status::Merged => "muted",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_track.html")]
struct TrackPage {
    layout: Layout,
    code: String,
    item: Option<TrackView>,
    master: Option<TrackView>,
    reopen_until: Option<String>,
    just_sent: bool,
    reopened: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct TrackQuery {
    ma: Option<String>,
    moi: Option<String>,
    ok: Option<String>,
}

pub async fn track(State(state): State<AppState>, session: Session, Query(q): Query<TrackQuery>) -> PageResult {
    let code = q.ma.unwrap_or_default();
    let mut page = TrackPage {
        layout: Layout::anonymous(&session).await,
        code: code.trim().to_string(),
        item: None,
        master: None,
        reopen_until: None,
        just_sent: q.moi.as_deref() == Some("1"),
        reopened: q.ok.as_deref() == Some("reopened"),
        error: None,
    };
    if code.trim().is_empty() {
        return Ok(page.into_response());
    }
    match state.services.track_feedback(&code).await {
        Ok(t) => {
            let (item, master) = tracking_views(&t);
            page.item = Some(item);
            page.master = master;
            page.reopen_until = t.reopen_until.map(format::datetime);
            page.code = t.item.tracking_code;
            Ok(page.into_response())
        }
        Err(DomainError::NotFound { .. }) => {
            page.error = Some(format!("Không tìm thấy phản ánh mã '{}'. Hãy kiểm tra lại mã tra cứu.", code.trim()));
            Ok((axum::http::StatusCode::NOT_FOUND, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ReopenForm {
    ma: String,
    reason: String,
}

pub async fn reopen(State(state): State<AppState>, session: Session, Form(f): Form<ReopenForm>) -> PageResult {
    match state.services.reopen_feedback(&f.ma, &f.reason).await {
        Ok(t) => {
            Ok(Redirect::to(&format!("/phan-anh/tra-cuu?ma={}&ok=reopened", t.item.tracking_code)).into_response())
        }
        Err(e) => {
            let message = form_error(e)?;
            let t = state.services.track_feedback(&f.ma).await?;
            let (item, master) = tracking_views(&t);
            let page = TrackPage {
                layout: Layout::anonymous(&session).await,
                code: t.item.tracking_code.clone(),
                item: Some(item),
                master,
                reopen_until: t.reopen_until.map(format::datetime),
                just_sent: false,
                reopened: false,
                error: Some(message),
            };
            Ok(unprocessable(page))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Officers: the list and triage queue
// ---------------------------------------------------------------------------------------------

struct ListRow {
    id: i64,
    code: String,
    title: String,
    category: String,
    guess: String,
    area: String,
    handler: String,
    status: &'static str,
    status_class: &'static str,
    submitted: String,
    due: String,
    overdue: bool,
    flagged: bool,
}

fn list_row(v: &FeedbackView) -> ListRow {
    let f = &v.item;
    ListRow {
        id: f.id,
        code: f.tracking_code.clone(),
        title: f.title.clone(),
        category: v.category.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        guess: match (&v.category, &v.predicted_category, f.confidence) {
            (None, Some(p), Some(c)) => format!("gợi ý: {} ({} %)", p.name, format::int((c * 100.0).round() as u64)),
            _ => String::new(),
        },
        area: v.area.name.clone(),
        handler: v.handler.name.clone(),
        status: f.status.label(),
        status_class: status_class(f.status),
        submitted: format::datetime(f.submitted_at),
        due: format::date(f.due_on),
        overdue: v.overdue,
        flagged: f.flagged,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_list.html")]
struct ListPage {
    layout: Layout,
    tab: &'static str,
    rows: Vec<ListRow>,
    total: String,
    statuses: Vec<Choice>,
    categories: Vec<Choice>,
    q: String,
    org: String,
    overdue: bool,
    /// Filters that analytics links add (days, area, handling unit, SLA state).
    narrowing: crate::pages::feedback_analytics::ListNarrowing,
    prev_href: Option<String>,
    next_href: Option<String>,
    may_manage: bool,
}

fn list_href(f: &FeedbackFilter, offset: u64) -> String {
    FeedbackFilter { offset: Some(offset), ..f.clone() }.href()
}

pub async fn index(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(filter): Query<FeedbackFilter>,
) -> PageResult {
    let page = state.services.feedback_list(&p, &filter).await?;
    let cats: Vec<Category> = state.services.feedback_categories(true).await?;
    let tab = match (filter.category.as_deref(), filter.overdue.as_deref(), filter.status.as_deref()) {
        (Some("none"), _, _) => "triage",
        (_, Some("1"), _) => "overdue",
        (_, _, Some("new,received,in_progress,transferred")) => "pending",
        _ => "all",
    };
    let status = filter.status.clone().unwrap_or_default();
    let mut statuses =
        vec![Choice { value: String::new(), label: "Mọi trạng thái".into(), selected: status.is_empty() }];
    statuses.extend(choices(Status::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())), &status));
    let category = filter.category.clone().unwrap_or_default();
    let mut categories = vec![
        Choice { value: String::new(), label: "Mọi lĩnh vực".into(), selected: category.is_empty() },
        Choice { value: "none".into(), label: "Chưa phân loại".into(), selected: category == "none" },
    ];
    categories.extend(choices(cats.into_iter().map(|c| (c.code, c.name)), &category));
    let offset = page.offset;
    let limit = page.limit;
    Ok(ListPage {
        layout: Layout::new(&state.services, &session, &p, "feedback").await,
        tab,
        total: format::total(&page),
        rows: page.items.iter().map(list_row).collect(),
        statuses,
        categories,
        q: filter.q.clone().unwrap_or_default(),
        org: filter.org.clone().unwrap_or_default(),
        overdue: filter.overdue.as_deref() == Some("1"),
        narrowing: crate::pages::feedback_analytics::list_narrowing(&filter),
        prev_href: (offset > 0).then(|| list_href(&filter, offset.saturating_sub(limit))),
        next_href: (offset + limit < page.total).then(|| list_href(&filter, offset + limit)),
        may_manage: !p.scope_paths(Action::ManageFeedback).is_empty(),
    }
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// Officers: one item
// ---------------------------------------------------------------------------------------------

/// The steps the caller may take now, one flag each for the template.
struct StepFlags {
    receive: bool,
    start: bool,
    reply: bool,
    transfer: bool,
    reject: bool,
    close: bool,
    merge: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_show.html")]
struct ShowPage {
    layout: Layout,
    d: FeedbackDetail,
    row: ListRow,
    history: Vec<HistoryRow>,
    attributes: Vec<(String, String)>,
    categories: Vec<Choice>,
    similar: Vec<SimilarRow>,
    merged: Vec<ListRow>,
    steps: StepFlags,
    confidence: String,
    location: String,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct ShowQuery {
    ok: Option<String>,
}

async fn show_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    id: i64,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<ShowPage, PageError> {
    let d = state.services.feedback_detail(p, id).await?;
    let cats = state.services.feedback_categories(false).await?;
    let current =
        d.view.category.as_ref().or(d.view.predicted_category.as_ref()).map(|c| c.code.clone()).unwrap_or_default();
    let history = d
        .history
        .iter()
        .map(|e| HistoryRow {
            at: format!(
                "{}{}",
                format::datetime(e.at),
                if e.actor.is_empty() { String::new() } else { format!(" · {}", e.actor) }
            ),
            label: e.kind.label(),
            status: e.status.label(),
            note: format!("{}{}", e.note.clone().unwrap_or_default(), if e.public { "" } else { " (nội bộ)" }),
        })
        .collect();
    let attributes = d
        .view
        .item
        .attributes
        .iter()
        .filter_map(|(k, v)| {
            let attr = ATTRIBUTES.iter().find(|a| a.code == k)?;
            let answer = attr.values.iter().find(|(key, _)| key == v).map(|(_, n)| n.to_string())?;
            Some((attr.description.to_string(), answer))
        })
        .collect();
    let has = |s: Step| d.steps.contains(&s);
    let steps = StepFlags {
        receive: has(Step::Receive),
        start: has(Step::Start),
        reply: has(Step::Reply),
        transfer: has(Step::Transfer),
        reject: has(Step::Reject),
        close: has(Step::Close),
        merge: has(Step::Merge),
    };
    let confidence =
        d.view.item.confidence.map(|c| format!("{} %", format::int((c * 100.0).round() as u64))).unwrap_or_default();
    let location = d.view.item.location.map(|l| format!("{:.5}, {:.5}", l.lat, l.lon)).unwrap_or_default();
    Ok(ShowPage {
        layout: Layout::new(&state.services, session, p, "feedback").await,
        row: list_row(&d.view),
        history,
        attributes,
        categories: choices(cats.into_iter().map(|c| (c.code, c.name)), &current),
        similar: similar_rows(&d.similar),
        merged: d.merged.iter().map(list_row).collect(),
        steps,
        confidence,
        location,
        notice,
        error,
        d,
    })
}

fn notice(ok: Option<&str>) -> Option<&'static str> {
    match ok? {
        "receive" => Some("Đã tiếp nhận phản ánh."),
        "start" => Some("Đã chuyển sang đang xử lý."),
        "reply" => Some("Đã gửi trả lời; người dân xem được trên trang tra cứu (và qua thư điện tử nếu có)."),
        "transfer" => Some("Đã chuyển phản ánh sang đơn vị khác."),
        "reject" => Some("Đã từ chối phản ánh."),
        "close" => Some("Đã đóng phản ánh."),
        "merge" => Some("Đã gộp vào phản ánh khác."),
        "category" => Some("Đã cập nhật lĩnh vực."),
        "moderation" => Some("Đã cập nhật nội dung công khai."),
        _ => None,
    }
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    Ok(show_page(&state, &session, &p, id, notice(q.ok.as_deref()), None).await?.into_response())
}

/// After a form on the item page: back to it with a notice, or the page again with the error.
async fn after(
    state: &AppState,
    session: &Session,
    p: &Principal,
    id: i64,
    done: &str,
    result: Result<FeedbackView, DomainError>,
) -> PageResult {
    redirect_or_form(
        result,
        |_| format!("/feedback/{id}?ok={done}"),
        |m| show_page(state, session, p, id, None, Some(m)),
    )
    .await
}

pub async fn step(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let step = Step::parse(f.get("step"))?;
    let input = StepInput {
        note: Some(f.get("note").to_string()),
        to_org: Some(f.get("to_org").to_string()),
        into: Some(f.get("into").to_string()),
        row_version: f.get("row_version").parse().ok(),
    };
    let result = state.services.feedback_step(&p, id, step, &input).await;
    after(&state, &session, &p, id, step.as_str(), result).await
}

pub async fn categorize(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let result = state.services.categorize_feedback(&p, id, f.get("category")).await;
    after(&state, &session, &p, id, "category", result).await
}

pub async fn moderate(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let result =
        state.services.moderate_feedback(&p, id, Some(f.get("public_description")), f.get("hidden") == "1").await;
    after(&state, &session, &p, id, "moderation", result).await
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

struct RouteRow {
    id: i64,
    category: String,
    area: String,
    handler: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_settings.html")]
struct SettingsPage {
    layout: Layout,
    categories: Vec<Category>,
    category_choices: Vec<Choice>,
    routes: Vec<RouteRow>,
    settings: FeedbackSettings,
    threshold: String,
    is_admin: bool,
    new_key: Option<String>,
    notice: Option<&'static str>,
    error: Option<String>,
}

async fn settings_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    notice: Option<&'static str>,
    error: Option<String>,
    new_key: Option<String>,
) -> Result<SettingsPage, PageError> {
    let categories = state.services.feedback_categories(true).await?;
    let mut routes = Vec::new();
    for r in state.services.feedback_routes().await? {
        let area = state.services.org_name(r.area_org_id).await?;
        let handler = state.services.org_name(r.handler_org_id).await?;
        let category = r
            .category_id
            .and_then(|id| categories.iter().find(|c| c.id == id))
            .map_or_else(|| "Mọi lĩnh vực".to_string(), |c| c.name.clone());
        routes.push(RouteRow { id: r.id, category, area, handler });
    }
    let settings = state.services.feedback_settings().await?;
    let mut category_choices = vec![Choice { value: String::new(), label: "Mọi lĩnh vực".into(), selected: true }];
    category_choices.extend(choices(categories.iter().map(|c| (c.code.clone(), c.name.clone())), ""));
    Ok(SettingsPage {
        layout: Layout::new(&state.services, session, p, "feedback").await,
        categories,
        category_choices,
        routes,
        threshold: format!("{}", settings.confidence_threshold).replace('.', ","),
        settings,
        is_admin: p.is_root_admin(),
        new_key,
        notice,
        error,
    })
}

pub async fn settings(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    if p.scope_paths(Action::ManageFeedback).is_empty() {
        return Err(DomainError::Forbidden("cấu hình lĩnh vực, định tuyến phản ánh").into());
    }
    let notice = match q.ok.as_deref() {
        Some("route") => Some("Đã thêm quy tắc định tuyến."),
        Some("route-deleted") => Some("Đã xóa quy tắc định tuyến."),
        Some("category") => Some("Đã lưu lĩnh vực."),
        Some("settings") => Some("Đã lưu thiết lập."),
        _ => None,
    };
    Ok(settings_page(&state, &session, &p, notice, None, None).await?.into_response())
}

/// One handler for the settings page's forms (`form` names which).
pub async fn save_settings(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<Fields>,
) -> PageResult {
    let s = &state.services;
    let result: Result<&str, DomainError> = async {
        match f.get("form") {
            "route" => {
                s.add_feedback_route(&p, Some(f.get("category")), f.get("area"), f.get("handler")).await?;
                Ok("route")
            }
            "route-delete" => {
                let id = f.get("id").parse().map_err(|_| DomainError::invalid("id", "không rõ quy tắc"))?;
                s.delete_feedback_route(&p, id).await?;
                Ok("route-deleted")
            }
            "category" => {
                let input = domain::feedback::CategoryInput {
                    code: f.get("code").into(),
                    name: f.get("name").into(),
                    description: f.get("description").into(),
                    keywords: f.get("keywords").split(',').map(str::to_string).collect(),
                    sla_days: f
                        .get("sla_days")
                        .trim()
                        .parse()
                        .map_err(|_| DomainError::invalid("sla_days", "thời hạn xử lý là số ngày làm việc"))?,
                    active: f.get("active") == "1",
                    sort: f.get("sort").trim().parse().unwrap_or(100),
                };
                s.save_feedback_category(&p, input).await?;
                Ok("category")
            }
            "settings" => {
                let number =
                    |field: &'static str| -> Result<f64, DomainError> {
                        f.get(field).trim().replace(',', ".").parse().map_err(|_| {
                            DomainError::invalid(field, format!("'{}' không phải số", f.get(field).trim()))
                        })
                    };
                let settings = FeedbackSettings {
                    confidence_threshold: number("confidence_threshold")?,
                    reopen_days: number("reopen_days")? as u32,
                    duplicate_radius_m: number("duplicate_radius_m")? as u32,
                    duplicate_days: number("duplicate_days")? as u32,
                    retrain_after: number("retrain_after")? as u32,
                };
                s.set_feedback_settings(&p, settings).await?;
                Ok("settings")
            }
            _ => Err(DomainError::invalid("form", "biểu mẫu không rõ")),
        }
    }
    .await;
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/feedback/settings?ok={done}")).into_response()),
        Err(e) => {
            let message = form_error(e)?;
            Ok(unprocessable(settings_page(&state, &session, &p, None, Some(message), None).await?))
        }
    }
}

/// Issues an Open311 key and shows it once.
pub async fn create_key(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<Fields>,
) -> PageResult {
    match state.services.create_open311_key(&p, f.get("name")).await {
        Ok(key) => Ok(settings_page(&state, &session, &p, None, None, Some(key)).await?.into_response()),
        Err(e) => {
            let message = form_error(e)?;
            Ok(unprocessable(settings_page(&state, &session, &p, None, Some(message), None).await?))
        }
    }
}
