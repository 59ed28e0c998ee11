//! Source information pages for officials: bulletins written in or sent to their units at
//! `/bulletins` (and a unit's inbox at `/bulletins/inbox`), writing and editing at
//! `/bulletins/new` and `/bulletins/{id}`, the workflow, correction, relay, acknowledgement and
//! reach on the bulletin's page, the reach dashboard at `/bulletins/reach`, and stations with
//! their playlists at `/stations`.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use domain::DomainError;
use domain::auth::{Action, Principal};
use domain::bulletins::{AlertFacts, BroadcastInput, BulletinInput, Category, StationInput, Status, Step};
use domain::services::bulletins::{BulletinReach, BulletinView, ReachDashboard};
use reports::{Chart, ChartRow, ChartScale, render_chart};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::api::bulletins::ReachParams;
use crate::error::{PageError, PageResult};
use crate::format;
use crate::pages::forms::{Choice, Fields, read_multipart};
use crate::pages::{Layout, redirect_or_form};
use crate::session::Actor;

fn choices(items: impl IntoIterator<Item = (String, String)>, selected: &str) -> Vec<Choice> {
    items.into_iter().map(|(value, label)| Choice { selected: value == selected, value, label }).collect()
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Draft => "muted",
        Status::Submitted | Status::Approved => "info",
        Status::Published => "ok",
        Status::Superseded => "muted",
        Status::Withdrawn => "overdue",
    }
}

/// Unit codes typed in one field, separated by commas, semicolons, spaces or lines.
fn codes(text: &str) -> Vec<String> {
    text.split([',', ';', ' ', '\n']).map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect()
}

/// The units where the caller may do `action`, as choices (code, name).
fn own_units(p: &Principal, action: Action, selected: &str) -> Vec<Choice> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for g in p.grants.iter().filter(|g| g.role.allows(action)) {
        if !seen.contains(&g.org_code) {
            seen.push(g.org_code.clone());
            out.push(Choice {
                selected: g.org_code == selected,
                value: g.org_code.clone(),
                label: format!("{} ({})", g.org_name, g.org_code),
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------------------------

struct Row {
    id: i64,
    title: String,
    category: &'static str,
    emergency: bool,
    status: &'static str,
    status_class: &'static str,
    version: i32,
    at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "bulletins.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    total: String,
    q: String,
    statuses: Vec<Choice>,
    categories: Vec<Choice>,
    may_write: bool,
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub origin: Option<String>,
    pub offset: Option<u64>,
}

pub async fn index(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let status = q.status.as_deref().filter(|s| !s.is_empty()).map(Status::parse).transpose()?;
    let category = q.category.as_deref().filter(|s| !s.is_empty()).map(Category::parse).transpose()?;
    let filter = domain::services::bulletins::BulletinFilter {
        origin: q.origin.clone().filter(|s| !s.is_empty()),
        status,
        category,
        q: q.q.clone(),
        offset: q.offset.unwrap_or(0),
        limit: 50,
    };
    let page = state.services.bulletins(&p, &filter).await?;
    let rows = page
        .items
        .iter()
        .map(|b| Row {
            id: b.id,
            title: b.title.clone(),
            category: b.category.label(),
            emergency: b.alert.is_some(),
            status: b.status.label(),
            status_class: status_class(b.status),
            version: b.version,
            at: format::datetime(b.published_at.unwrap_or(b.updated_at)),
        })
        .collect();
    let mut statuses =
        vec![Choice { value: String::new(), label: "Mọi trạng thái".into(), selected: status.is_none() }];
    statuses.extend(choices(
        Status::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())),
        q.status.as_deref().unwrap_or(""),
    ));
    let mut categories =
        vec![Choice { value: String::new(), label: "Mọi chuyên mục".into(), selected: category.is_none() }];
    categories.extend(choices(
        Category::ALL.iter().map(|c| (c.as_str().to_string(), c.label().to_string())),
        q.category.as_deref().unwrap_or(""),
    ));
    Ok(ListPage {
        layout: Layout::new(&state.services, &session, &p, "bulletins").await,
        total: format::total(&page),
        rows,
        q: q.q.unwrap_or_default(),
        statuses,
        categories,
        may_write: !p.scope_paths(Action::WriteBulletins).is_empty(),
    }
    .into_response())
}

struct InboxRow {
    id: i64,
    title: String,
    category: &'static str,
    emergency: bool,
    origin: String,
    unit: String,
    unit_code: String,
    delivered: String,
    due: String,
    overdue: bool,
    acknowledged: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "bulletin_inbox.html")]
struct InboxPage {
    layout: Layout,
    rows: Vec<InboxRow>,
    total: String,
    pending: bool,
}

#[derive(Debug, Deserialize, Default)]
pub struct InboxQuery {
    pub pending: Option<String>,
    pub org: Option<String>,
}

pub async fn inbox(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<InboxQuery>,
) -> PageResult {
    let pending = q.pending.as_deref() == Some("1");
    let page = state.services.bulletin_inbox(&p, q.org.as_deref().filter(|s| !s.is_empty()), pending, 0, 100).await?;
    let now = state.services.clock().now();
    let rows = page
        .items
        .iter()
        .map(|l| InboxRow {
            id: l.bulletin.id,
            title: l.bulletin.title.clone(),
            category: l.bulletin.category.label(),
            emergency: l.bulletin.alert.is_some(),
            origin: l.origin_name.clone(),
            unit: l.delivery.org_name.clone(),
            unit_code: l.delivery.org_code.clone(),
            delivered: format::datetime(l.delivery.delivered_at),
            due: format::datetime(l.ack_due),
            overdue: l.delivery.acknowledged_at.is_none() && l.ack_due < now,
            acknowledged: l
                .delivery
                .acknowledged_at
                .map(|t| {
                    format!("{} · {}", format::datetime(t), l.delivery.acknowledged_by.clone().unwrap_or_default())
                })
                .unwrap_or_default(),
        })
        .collect();
    Ok(InboxPage {
        layout: Layout::new(&state.services, &session, &p, "bulletins").await,
        total: format::total(&page),
        rows,
        pending,
    }
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// The form
// ---------------------------------------------------------------------------------------------

/// What the form shows (again after a mistake).
#[derive(Default)]
struct FormValues {
    org: String,
    title: String,
    body: String,
    spoken: String,
    category: String,
    publish_at: String,
    expires_at: String,
    targets: String,
    /// Receiving levels, by their slugs.
    levels: Vec<String>,
    event: String,
    cap_category: String,
    urgency: String,
    severity: String,
    certainty: String,
    instruction: String,
    polygons: String,
    circles: String,
    row_version: i32,
}

impl FormValues {
    fn of(f: &Fields) -> Self {
        FormValues {
            org: f.get("org").into(),
            title: f.get("title").into(),
            body: f.get("body").into(),
            spoken: f.get("spoken").into(),
            category: f.get("category").into(),
            publish_at: f.get("publish_at").into(),
            expires_at: f.get("expires_at").into(),
            targets: f.get("targets").into(),
            levels: f.all("levels").into_iter().map(String::from).collect(),
            event: f.get("event").into(),
            cap_category: f.get("cap_category").into(),
            urgency: f.get("urgency").into(),
            severity: f.get("severity").into(),
            certainty: f.get("certainty").into(),
            instruction: f.get("instruction").into(),
            polygons: f.get("polygons").into(),
            circles: f.get("circles").into(),
            row_version: f.get("row_version").parse().unwrap_or(0),
        }
    }

    fn of_view(v: &BulletinView) -> Self {
        let b = &v.bulletin;
        let a = b.alert.clone();
        FormValues {
            org: v.origin_code.clone(),
            title: b.title.clone(),
            body: b.body.clone(),
            spoken: b.spoken.clone(),
            category: b.category.as_str().into(),
            publish_at: b.publish_at.map(format::datetime_input).unwrap_or_default(),
            expires_at: b.expires_at.map(format::datetime_input).unwrap_or_default(),
            targets: b.targets.join(", "),
            levels: b.levels.iter().map(|l| l.as_str().to_string()).collect(),
            event: a.as_ref().map(|a| a.event.clone()).unwrap_or_default(),
            cap_category: a.as_ref().map(|a| a.cap_category.clone()).unwrap_or_default(),
            urgency: a.as_ref().map(|a| a.urgency.clone()).unwrap_or_default(),
            severity: a.as_ref().map(|a| a.severity.clone()).unwrap_or_default(),
            certainty: a.as_ref().map(|a| a.certainty.clone()).unwrap_or_default(),
            instruction: a.as_ref().map(|a| a.instruction.clone()).unwrap_or_default(),
            polygons: a.as_ref().map(|a| a.polygons.join("\n")).unwrap_or_default(),
            circles: a.as_ref().map(|a| a.circles.join("\n")).unwrap_or_default(),
            row_version: b.row_version,
        }
    }

    /// The bulletin the form describes; a moment that does not parse names its field.
    fn input(&self) -> Result<BulletinInput, DomainError> {
        let moment = |field: &'static str, s: &str| {
            if s.trim().is_empty() {
                return Ok(None);
            }
            format::parse_datetime(s).map(Some).ok_or_else(|| {
                DomainError::invalid(field, format!("'{}' không phải thời điểm dd/mm/yyyy HH:MM", s.trim()))
            })
        };
        let category = Category::parse(&self.category)?;
        let lines = |s: &str| s.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect::<Vec<_>>();
        let alert = (category == Category::Emergency).then(|| AlertFacts {
            event: self.event.clone(),
            cap_category: self.cap_category.clone(),
            urgency: self.urgency.clone(),
            severity: self.severity.clone(),
            certainty: self.certainty.clone(),
            instruction: self.instruction.clone(),
            polygons: lines(&self.polygons),
            circles: lines(&self.circles),
        });
        Ok(BulletinInput {
            title: self.title.clone(),
            body: self.body.clone(),
            spoken: self.spoken.clone(),
            category,
            publish_at: moment("publish_at", &self.publish_at)?,
            expires_at: moment("expires_at", &self.expires_at)?,
            targets: codes(&self.targets),
            levels: self.levels.iter().map(|l| domain::org::OrgType::parse(l)).collect::<Result<_, _>>()?,
            alert,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "bulletin_form.html")]
struct FormPage {
    layout: Layout,
    /// `None`: a new bulletin.
    id: Option<i64>,
    values: FormValues,
    units: Vec<Choice>,
    categories: Vec<Choice>,
    levels: Vec<Choice>,
    cap_categories: Vec<Choice>,
    urgencies: Vec<Choice>,
    severities: Vec<Choice>,
    certainties: Vec<Choice>,
    error: Option<String>,
}

fn scale(all: &[&str], selected: &str) -> Vec<Choice> {
    let mut out = vec![Choice { value: String::new(), label: "— Chọn —".into(), selected: selected.is_empty() }];
    out.extend(choices(all.iter().map(|s| (s.to_string(), s.to_string())), selected));
    out
}

async fn form_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    id: Option<i64>,
    values: FormValues,
    error: Option<String>,
) -> Result<FormPage, PageError> {
    Ok(FormPage {
        layout: Layout::new(&state.services, session, p, "bulletins").await,
        id,
        units: own_units(p, Action::WriteBulletins, &values.org),
        categories: choices(
            Category::ALL.iter().map(|c| (c.as_str().to_string(), c.label().to_string())),
            &values.category,
        ),
        levels: domain::bulletins::RECEIVING_LEVELS
            .iter()
            .map(|l| Choice {
                value: l.as_str().into(),
                label: l.label().into(),
                selected: values.levels.iter().any(|v| v == l.as_str()),
            })
            .collect(),
        cap_categories: scale(&AlertFacts::CAP_CATEGORIES, &values.cap_category),
        urgencies: scale(&AlertFacts::URGENCIES, &values.urgency),
        severities: scale(&AlertFacts::SEVERITIES, &values.severity),
        certainties: scale(&AlertFacts::CERTAINTIES, &values.certainty),
        values,
        error,
    })
}

pub async fn new_form(State(state): State<AppState>, session: Session, Actor(p): Actor) -> PageResult {
    let values = FormValues {
        category: Category::PolicyLaw.as_str().into(),
        levels: domain::bulletins::RECEIVING_LEVELS.iter().map(|l| l.as_str().to_string()).collect(),
        ..Default::default()
    };
    Ok(form_page(&state, &session, &p, None, values, None).await?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<Fields>,
) -> PageResult {
    let values = FormValues::of(&f);
    let result = match values.input() {
        Ok(input) => state.services.create_bulletin(&p, &values.org, input).await,
        Err(e) => Err(e),
    };
    redirect_or_form(
        result,
        |b| format!("/bulletins/{}?ok=created", b.id),
        |m| form_page(&state, &session, &p, None, values, Some(m)),
    )
    .await
}

pub async fn edit_form(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let view = state.services.bulletin(&p, id).await?;
    Ok(form_page(&state, &session, &p, Some(id), FormValues::of_view(&view), None).await?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let values = FormValues::of(&f);
    let result = match values.input() {
        Ok(input) => state.services.update_bulletin(&p, id, input, values.row_version).await,
        Err(e) => Err(e),
    };
    redirect_or_form(
        result,
        |_| format!("/bulletins/{id}?ok=saved"),
        |m| form_page(&state, &session, &p, Some(id), values, Some(m)),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// One bulletin
// ---------------------------------------------------------------------------------------------

struct LevelRow {
    level: &'static str,
    targeted: String,
    received: String,
    acknowledged: String,
    broadcast: String,
    median: String,
    slowest: String,
}

fn wait(secs: Option<i64>) -> String {
    match secs {
        None => "—".into(),
        Some(s) if s < 3600 => format!("{} phút", (s + 59) / 60),
        Some(s) => format!("{} giờ {} phút", s / 3600, (s % 3600) / 60),
    }
}

fn level_rows(levels: &[domain::bulletins::LevelReach]) -> Vec<LevelRow> {
    levels
        .iter()
        .map(|l| LevelRow {
            level: l.level.label(),
            targeted: format::int(l.targeted),
            received: format::int(l.received),
            acknowledged: format::int(l.acknowledged),
            broadcast: format::int(l.broadcast),
            median: wait(l.median_ack_secs),
            slowest: wait(l.slowest_ack_secs),
        })
        .collect()
}

struct ReachFigures {
    targeted: String,
    received: String,
    acknowledged: String,
    broadcast: String,
    views: String,
    levels: Vec<LevelRow>,
    chart: String,
    missing: Vec<(String, String)>,
}

fn reach_figures(r: &BulletinReach) -> ReachFigures {
    let chart = Chart {
        id: format!("reach-{}", r.bulletin_id),
        title: "Tỷ lệ đơn vị đã xác nhận theo tỉnh".into(),
        scale: ChartScale::Percent,
        rows: r
            .provinces
            .iter()
            .map(|a| ChartRow {
                label: a.name.clone(),
                value: (a.targeted > 0).then(|| a.acknowledged as f64 * 100.0 / a.targeted as f64),
                note: Some(format!("{} / {}", format::int(a.acknowledged), format::int(a.targeted))),
                ..Default::default()
            })
            .collect(),
    };
    ReachFigures {
        targeted: format::int(r.targeted),
        received: format::int(r.received),
        acknowledged: format::int(r.acknowledged),
        broadcast: format::int(r.broadcast),
        views: format::int(u64::try_from(r.portal_views).unwrap_or(0)),
        levels: level_rows(&r.levels),
        chart: if r.provinces.is_empty() { String::new() } else { render_chart(&chart) },
        missing: r.never_acknowledged.iter().take(200).map(|d| (d.org_code.clone(), d.org_name.clone())).collect(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "bulletin.html")]
struct ShowPage {
    layout: Layout,
    v: BulletinView,
    status: &'static str,
    status_class: &'static str,
    category: &'static str,
    published: String,
    publish_at: String,
    expires: String,
    paragraphs: Vec<String>,
    versions: Vec<(i64, i32, &'static str, String, bool)>,
    relays: Vec<(i64, String, &'static str)>,
    files: Vec<(i64, String, String)>,
    reach: Option<ReachFigures>,
    notice: Option<&'static str>,
    error: Option<String>,
    cap_links: Vec<(String, &'static str, String)>,
}

async fn show_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    id: i64,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<ShowPage, PageError> {
    let v = state.services.bulletin(p, id).await?;
    let b = &v.bulletin;
    let reach =
        if b.published_at.is_some() { Some(reach_figures(&state.services.bulletin_reach(p, id).await?)) } else { None };
    Ok(ShowPage {
        layout: Layout::new(&state.services, session, p, "bulletins").await,
        status: b.status.label(),
        status_class: status_class(b.status),
        category: b.category.label(),
        published: b.published_at.map(format::datetime).unwrap_or_default(),
        publish_at: b.publish_at.map(format::datetime).unwrap_or_default(),
        expires: b.expires_at.map(format::datetime).unwrap_or_default(),
        paragraphs: b.body.split("\n\n").map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        versions: v
            .versions
            .iter()
            .map(|l| {
                (
                    l.id,
                    l.version,
                    l.status.label(),
                    format::datetime(l.published_at.unwrap_or(l.updated_at)),
                    l.id == b.id,
                )
            })
            .collect(),
        relays: v.relays.iter().map(|l| (l.id, l.origin_name.clone(), l.status.label())).collect(),
        files: v
            .attachments
            .iter()
            .map(|a| {
                (a.id, a.name.clone(), format!("{} KB", format::int(u64::try_from(a.size).unwrap_or(0).div_ceil(1024))))
            })
            .collect(),
        cap_links: v
            .cap
            .iter()
            .map(|m| (crate::feeds::cap_path(&m.identifier), m.msg_type.as_str(), format::datetime(m.sent)))
            .collect(),
        reach,
        notice,
        error,
        v,
    })
}

#[derive(Debug, Deserialize, Default)]
pub struct ShowQuery {
    pub ok: Option<String>,
}

fn notice_for(ok: Option<&str>) -> Option<&'static str> {
    Some(match ok? {
        "created" => "Đã lưu dự thảo bản tin.",
        "saved" => "Đã lưu thay đổi.",
        "submit" => "Đã trình lãnh đạo duyệt.",
        "approve" => "Đã duyệt.",
        "publish" => "Đã phát hành bản tin đến các đơn vị nhận.",
        "return" => "Đã trả lại người soạn.",
        "withdraw" => "Đã thu hồi bản tin.",
        "acknowledge" => "Đã xác nhận đơn vị đã nhận bản tin.",
        "file" => "Đã đính kèm tệp.",
        "detach" => "Đã gỡ tệp.",
        _ => return None,
    })
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    Ok(show_page(&state, &session, &p, id, notice_for(q.ok.as_deref()), None).await?.into_response())
}

/// After a write from the bulletin's page: back to it, or the page with the error.
async fn after<T>(
    state: &AppState,
    session: &Session,
    p: &Principal,
    id: i64,
    done: &str,
    result: Result<T, DomainError>,
) -> PageResult {
    redirect_or_form(
        result,
        |_| format!("/bulletins/{id}?ok={done}"),
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
    let result = state.services.bulletin_step(&p, id, step, f.get("row_version").parse().unwrap_or(0)).await;
    // Publishing a second time (a double click) lands on the published bulletin: one publication.
    if let (Err(DomainError::Transition { .. } | DomainError::Conflict(_)), Step::Publish | Step::Approve) =
        (&result, step)
        && state.services.bulletin(&p, id).await.is_ok_and(|v| v.bulletin.status == Status::Published)
    {
        return Ok(Redirect::to(&format!("/bulletins/{id}?ok=publish")).into_response());
    }
    // Approving publishes at once unless a time is set: say which happened.
    let done = match &result {
        Ok(b) if b.status == Status::Published => "publish",
        _ => step.as_str(),
    };
    after(&state, &session, &p, id, done, result).await
}

pub async fn correct(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let result = state.services.correct_bulletin(&p, id).await;
    redirect_or_form(
        result,
        |b| format!("/bulletins/{}/edit", b.id),
        |m| show_page(&state, &session, &p, id, None, Some(m)),
    )
    .await
}

pub async fn relay(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let result = state.services.relay_bulletin(&p, id, f.get("org"), f.get("additions"), codes(f.get("targets"))).await;
    redirect_or_form(
        result,
        |b| format!("/bulletins/{}?ok=created", b.id),
        |m| show_page(&state, &session, &p, id, None, Some(m)),
    )
    .await
}

pub async fn acknowledge(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let result = state.services.acknowledge_bulletin(&p, id, f.get("org")).await;
    if f.get("back") == "inbox" && result.is_ok() {
        return Ok(Redirect::to("/bulletins/inbox?pending=1").into_response());
    }
    after(&state, &session, &p, id, "acknowledge", result).await
}

pub async fn attach(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    form: Multipart,
) -> PageResult {
    let (file, _) = read_multipart(form).await?;
    let result = match file {
        Some((name, bytes)) => state.services.add_bulletin_attachment(&p, id, &name, &bytes).await.map(|_| ()),
        None => Err(DomainError::invalid("file", "chưa chọn tệp")),
    };
    after(&state, &session, &p, id, "file", result).await
}

pub async fn detach(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path((id, attachment)): Path<(i64, i64)>,
) -> PageResult {
    let result = state.services.remove_bulletin_attachment(&p, id, attachment).await;
    after(&state, &session, &p, id, "detach", result).await
}

pub async fn file(State(state): State<AppState>, Actor(p): Actor, Path(id): Path<i64>) -> PageResult {
    let (a, bytes) = state.services.bulletin_attachment(Some(&p), id).await?;
    Ok(crate::api::work::named_download(&a.name, a.content_type, bytes))
}

// ---------------------------------------------------------------------------------------------
// The reach dashboard
// ---------------------------------------------------------------------------------------------

struct DashRow {
    id: i64,
    title: String,
    emergency: bool,
    published: String,
    targeted: String,
    acknowledged: String,
    share: String,
    broadcast: String,
    views: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "bulletin_reach.html")]
struct DashboardPage {
    layout: Layout,
    d: ReachDashboard,
    org: String,
    from: String,
    to: String,
    query: String,
    rows: Vec<DashRow>,
    levels: Vec<LevelRow>,
    level_chart: String,
    province_chart: String,
    provinces: Vec<(String, String, String, String, String)>,
}

fn share(part: u64, whole: u64) -> String {
    if whole == 0 { "—".into() } else { format::percent(Some((part as f64 * 1000.0 / whole as f64).round() / 10.0)) }
}

pub async fn dashboard(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<ReachParams>,
) -> PageResult {
    let (from, to) = q.period(state.services.clock().today())?;
    let d = state.services.reach_dashboard(&p, q.org.as_deref().filter(|s| !s.is_empty()), from, to).await?;
    let percent_rows = |items: Vec<(String, u64, u64)>| -> Vec<ChartRow> {
        items
            .into_iter()
            .map(|(label, part, whole)| ChartRow {
                label,
                value: (whole > 0).then(|| part as f64 * 100.0 / whole as f64),
                note: Some(format!("{} / {}", format::int(part), format::int(whole))),
                ..Default::default()
            })
            .collect()
    };
    let level_chart = render_chart(&Chart {
        id: "reach-levels".into(),
        title: "Tỷ lệ xác nhận đã nhận theo cấp".into(),
        scale: ChartScale::Percent,
        rows: percent_rows(
            d.levels.iter().map(|l| (l.level.label().to_string(), l.acknowledged, l.targeted)).collect(),
        ),
    });
    let province_chart = render_chart(&Chart {
        id: "reach-provinces".into(),
        title: "Tỷ lệ xác nhận đã nhận theo tỉnh, thành phố".into(),
        scale: ChartScale::Percent,
        rows: percent_rows(d.provinces.iter().map(|a| (a.name.clone(), a.acknowledged, a.targeted)).collect()),
    });
    let rows = d
        .bulletins
        .iter()
        .map(|b| DashRow {
            id: b.bulletin_id,
            title: b.title.clone(),
            emergency: b.category == Category::Emergency,
            published: b.published_at.map(format::datetime).unwrap_or_default(),
            targeted: format::int(b.targeted),
            acknowledged: format::int(b.acknowledged),
            share: share(b.acknowledged, b.targeted),
            broadcast: format::int(b.broadcast),
            views: format::int(u64::try_from(b.portal_views).unwrap_or(0)),
        })
        .collect();
    let provinces = d
        .provinces
        .iter()
        .map(|a| {
            (
                a.name.clone(),
                format::int(a.targeted),
                format::int(a.acknowledged),
                share(a.acknowledged, a.targeted),
                format::int(a.broadcast),
            )
        })
        .collect();
    let from_s = format::date(domain::clock::vietnam_date(d.from));
    let to_s = format::date(domain::clock::vietnam_date(d.to - chrono::Duration::seconds(1)));
    Ok(DashboardPage {
        layout: Layout::new(&state.services, &session, &p, "bulletins").await,
        org: d.org_code.clone(),
        query: format!("org={}&from={from_s}&to={to_s}", d.org_code),
        from: from_s,
        to: to_s,
        levels: level_rows(&d.levels),
        rows,
        level_chart,
        province_chart,
        provinces,
        d,
    }
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// Stations and playlists
// ---------------------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "stations.html")]
struct StationsPage {
    layout: Layout,
    org: String,
    units: Vec<Choice>,
    stations: Vec<domain::bulletins::Station>,
    error: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct StationsQuery {
    pub org: Option<String>,
}

async fn stations_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    org: Option<String>,
    error: Option<String>,
) -> Result<StationsPage, PageError> {
    let units = own_units(p, Action::ReceiveBulletins, org.as_deref().unwrap_or(""));
    let org = org.filter(|s| !s.is_empty()).or_else(|| units.first().map(|c| c.value.clone())).unwrap_or_default();
    let stations = if org.is_empty() { Vec::new() } else { state.services.stations(p, &org).await? };
    Ok(StationsPage {
        layout: Layout::new(&state.services, session, p, "bulletins").await,
        org,
        units,
        stations,
        error,
    })
}

pub async fn stations(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<StationsQuery>,
) -> PageResult {
    Ok(stations_page(&state, &session, &p, q.org, None).await?.into_response())
}

pub async fn add_station(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<Fields>,
) -> PageResult {
    let input = StationInput { name: f.get("name").into(), active: true };
    let result = state.services.save_station(&p, f.get("org"), None, input).await;
    redirect_or_form(
        result,
        |s| format!("/stations/{}", s.id),
        |m| stations_page(&state, &session, &p, Some(f.get("org").into()), Some(m)),
    )
    .await
}

struct SlotRow {
    id: i64,
    bulletin_id: i64,
    title: String,
    starts: String,
    ends: String,
    times: u32,
    aired: bool,
    may_air: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "station.html")]
struct StationPage {
    layout: Layout,
    station: domain::bulletins::Station,
    slots: Vec<SlotRow>,
    bulletins: Vec<Choice>,
    starts_at: String,
    ends_at: String,
    times: String,
    error: Option<String>,
}

async fn station_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    id: i64,
    values: (String, String, String),
    error: Option<String>,
) -> Result<StationPage, PageError> {
    let now = state.services.clock().now();
    let (station, rows) =
        state.services.playlist(p, id, now - chrono::Duration::days(7), now + chrono::Duration::days(14)).await?;
    let unit = state.services.org_unit(station.org_id).await?;
    let inbox = state.services.bulletin_inbox(p, Some(&unit.code), false, 0, 50).await?;
    let bulletins = inbox
        .items
        .iter()
        .filter(|l| l.bulletin.is_current(now))
        .map(|l| Choice { value: l.bulletin.id.to_string(), label: l.bulletin.title.clone(), selected: false })
        .collect();
    Ok(StationPage {
        layout: Layout::new(&state.services, session, p, "bulletins").await,
        slots: rows
            .into_iter()
            .map(|(s, b, _)| SlotRow {
                id: s.id,
                bulletin_id: b.id,
                title: b.title,
                starts: format::datetime(s.starts_at),
                ends: format::datetime(s.ends_at),
                times: s.times,
                aired: s.aired,
                may_air: !s.aired && s.starts_at <= now,
            })
            .collect(),
        station,
        bulletins,
        starts_at: values.0,
        ends_at: values.1,
        times: values.2,
        error,
    })
}

pub async fn station(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let values = (String::new(), String::new(), "1".into());
    Ok(station_page(&state, &session, &p, id, values, None).await?.into_response())
}

pub async fn add_slot(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let values = (f.get("starts_at").to_string(), f.get("ends_at").to_string(), f.get("times").to_string());
    let moment = |field: &'static str, s: &str| {
        format::parse_datetime(s).ok_or_else(|| DomainError::invalid(field, "cần thời điểm dạng dd/mm/yyyy HH:MM"))
    };
    let result = async {
        let input = BroadcastInput {
            bulletin_id: f
                .get("bulletin_id")
                .parse()
                .map_err(|_| DomainError::invalid("bulletin_id", "chọn bản tin"))?,
            station_id: id,
            starts_at: moment("starts_at", &values.0)?,
            ends_at: moment("ends_at", &values.1)?,
            times: values.2.trim().parse().map_err(|_| DomainError::invalid("times", "số lần phát phải là số"))?,
            aired: f.get("aired") == "1",
        };
        state.services.add_broadcast(&p, input).await
    }
    .await;
    redirect_or_form(result, |_| format!("/stations/{id}"), |m| station_page(&state, &session, &p, id, values, Some(m)))
        .await
}

pub async fn aired(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let station: i64 = f.get("station").parse().unwrap_or(0);
    let result = state.services.mark_broadcast_aired(&p, id).await;
    let values = (String::new(), String::new(), "1".into());
    redirect_or_form(
        result,
        |slot| format!("/stations/{}", slot.station_id),
        |m| station_page(&state, &session, &p, station, values, Some(m)),
    )
    .await
}
