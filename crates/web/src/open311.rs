//! Open311 GeoReport v2 under `/open311/v2/` (<https://wiki.open311.org/GeoReport_v2>), in JSON
//! and XML by the file extension: discovery, services, service definitions, `POST requests`
//! (with an `api_key`), `GET requests` with its filters, one request, tokens, and FixMyStreet's
//! `servicerequestupdates` extension. `jurisdiction_id` is an official province or commune code.
//! Errors come as Open311's array of `{code, description}`. Every handler calls the feedback
//! services, like the pages and the JSON API; contact details never leave.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use domain::DomainError;
use domain::feedback::{ATTRIBUTES, FeedbackInput, Source, Status};
use domain::repo::feedback::FeedbackQuery;
use domain::services::feedback::{PublicFeedback, Submission};
use serde_json::{Value, json};

use crate::AppState;
use crate::error::EdgeError;

/// JSON or XML, from the resource's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

/// `services.json` → ("services", Json).
fn split(file: &str) -> Option<(&str, Format)> {
    if let Some(stem) = file.strip_suffix(".json") {
        Some((stem, Format::Json))
    } else {
        file.strip_suffix(".xml").map(|stem| (stem, Format::Xml))
    }
}

/// An Open311 error: its HTTP status and description, shown in the format asked for.
pub struct Open311Error {
    status: StatusCode,
    description: String,
    format: Format,
}

impl Open311Error {
    fn new(format: Format, status: StatusCode, description: impl Into<String>) -> Self {
        Self { status, description: description.into(), format }
    }

    /// A domain or edge error in Open311's form: bad input 400, unknown things 404.
    pub fn from_edge(format: Format, e: EdgeError) -> Self {
        let status = match &e {
            EdgeError::Domain(DomainError::Invalid { .. }) => StatusCode::BAD_REQUEST,
            other => other.status(),
        };
        if let EdgeError::Domain(DomainError::Storage(cause)) = &e {
            tracing::error!(%cause, "storage error");
        }
        Self { status, description: e.detail(), format }
    }
}

impl From<(Format, DomainError)> for Open311Error {
    fn from((format, e): (Format, DomainError)) -> Self {
        Self::from_edge(format, EdgeError::Domain(e))
    }
}

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        let body = json!([{ "code": self.status.as_u16(), "description": self.description }]);
        let mut res = document(self.format, "errors", &body);
        *res.status_mut() = self.status;
        res
    }
}

/// An error for a path under `/open311/` (rate limits, unknown paths, body limits).
pub fn error_for_path(path: &str, e: EdgeError) -> Response {
    let format = if path.ends_with(".xml") { Format::Xml } else { Format::Json };
    Open311Error::from_edge(format, e).into_response()
}

type Result<T> = std::result::Result<T, Open311Error>;

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

/// The element name of one item of a list named `list`.
fn item_name(list: &str) -> &'static str {
    match list {
        "services" => "service",
        "service_requests" => "request",
        "attributes" => "attribute",
        "values" => "value",
        "errors" => "error",
        "endpoints" => "endpoint",
        "formats" => "format",
        "service_request_updates" => "request_update",
        _ => "item",
    }
}

fn write_xml(name: &str, value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => {
            out.push_str(&format!("<{name}>"));
            let item = item_name(name);
            for v in items {
                write_xml(item, v, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Object(fields) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in fields {
                write_xml(k, v, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Null => out.push_str(&format!("<{name}/>")),
        Value::String(s) => {
            out.push_str(&format!("<{name}>"));
            reports::xml::escape_into(s, out);
            out.push_str(&format!("</{name}>"));
        }
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

/// The same document as JSON, or as XML whose root is `root` (a list's items named by
/// [`item_name`]).
fn document(format: Format, root: &str, body: &Value) -> Response {
    match format {
        Format::Json => ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], body.to_string()).into_response(),
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            write_xml(root, body, &mut out);
            ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], out).into_response()
        }
    }
}

/// ISO 8601 in Vietnam's time with its offset, e.g. `2026-11-23T10:00:00+07:00`.
fn datetime(at: DateTime<Utc>) -> String {
    match FixedOffset::east_opt(7 * 3600) {
        Some(vn) => at.with_timezone(&vn).format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        None => at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }
}

fn request_json(base: &str, r: &PublicFeedback) -> Value {
    let media_url = r.photo_ids.first().map(|id| format!("{base}/api/v1/feedback/photos/{id}"));
    json!({
        "service_request_id": r.tracking_code,
        "status": r.status.open311(),
        "status_notes": r.status_label,
        "service_name": r.category.as_ref().map(|c| c.name.clone()),
        "service_code": r.category.as_ref().map_or_else(|| "chua-phan-loai".to_string(), |c| c.code.clone()),
        "description": r.description,
        "agency_responsible": r.handler_name,
        "service_notice": null,
        "requested_datetime": datetime(r.submitted_at),
        "updated_datetime": datetime(r.updated_at),
        "expected_datetime": datetime(expected(r)),
        "address": r.address,
        "address_id": null,
        "zipcode": null,
        "lat": r.location.map(|l| l.lat),
        "long": r.location.map(|l| l.lon),
        "media_url": media_url,
    })
}

/// The end of the due day, Vietnam time.
fn expected(r: &PublicFeedback) -> DateTime<Utc> {
    let end = r.due_on.and_hms_opt(17, 0, 0).unwrap_or_default();
    DateTime::<Utc>::from_naive_utc_and_offset(end - Duration::hours(7), Utc)
}

/// The scheme and host the client reached, for absolute URLs.
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
    format!("{scheme}://{host}")
}

fn params(query: Option<&str>) -> Vec<(String, String)> {
    query.and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}

fn parse_time(format: Format, field: &str, v: Option<&str>) -> Result<Option<DateTime<Utc>>> {
    match v {
        None => Ok(None),
        Some(v) => DateTime::parse_from_rfc3339(v).map(|t| Some(t.with_timezone(&Utc))).map_err(|_| {
            Open311Error::new(
                format,
                StatusCode::BAD_REQUEST,
                format!("{field}: '{v}' không phải thời điểm ISO 8601 (vd. 2026-11-23T08:00:00+07:00)"),
            )
        }),
    }
}

/// The jurisdiction's unit path, when given; unknown codes are 404 as the specification says.
async fn jurisdiction(state: &AppState, format: Format, code: Option<&str>) -> Result<Option<String>> {
    let Some(code) = code else { return Ok(None) };
    match state.services.org_by_code(code, None).await {
        Ok(unit) => Ok(Some(unit.path)),
        Err(_) => {
            Err(Open311Error::new(format, StatusCode::NOT_FOUND, format!("jurisdiction_id '{code}' không tồn tại")))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

/// `GET /open311/v2/{resource}`: discovery, services, requests, servicerequestupdates.
pub async fn get_root(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let Some((resource, format)) = split(&file) else {
        return error_for_path(&file, EdgeError::Domain(DomainError::not_found("tài nguyên", file.clone())));
    };
    let params = params(query.as_deref());
    let result = match resource {
        "discovery" => Ok(discovery(&headers, format)),
        "services" => services(&state, format, &params).await,
        "requests" => requests(&state, format, &headers, &params).await,
        "servicerequestupdates" => updates(&state, format, &params).await,
        _ => Err(Open311Error::new(format, StatusCode::NOT_FOUND, format!("không có tài nguyên '{resource}'"))),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

fn discovery(headers: &HeaderMap, format: Format) -> Response {
    let base = base_url(headers);
    let body = json!({
        "changeset": "2026-11-24T00:00:00+07:00",
        "contact": "Cơ quan điều phối chuyển đổi số — phản ánh, kiến nghị của người dân",
        "key_service": format!("{base}/feedback/settings"),
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": format!("{base}/open311/v2"),
            "changeset": "2026-11-24T00:00:00+07:00",
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }],
    });
    document(format, "discovery", &body)
}

async fn services(state: &AppState, format: Format, params: &[(String, String)]) -> Result<Response> {
    jurisdiction(state, format, param(params, "jurisdiction_id")).await?;
    let cats = state.services.feedback_categories(false).await.map_err(|e| Open311Error::from((format, e)))?;
    let list: Vec<Value> = cats
        .iter()
        .map(|c| {
            json!({
                "service_code": c.code,
                "service_name": c.name,
                "description": c.description,
                "metadata": !ATTRIBUTES.is_empty(),
                "type": "realtime",
                "keywords": c.keywords.join(", "),
                "group": "Phản ánh, kiến nghị",
            })
        })
        .collect();
    Ok(document(format, "services", &Value::Array(list)))
}

/// `GET /open311/v2/services/{code}.{format}`: a service definition.
pub async fn service_definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some((code, format)) = split(&file) else {
        return error_for_path(&file, EdgeError::Domain(DomainError::not_found("lĩnh vực", file.clone())));
    };
    let result: Result<Response> = async {
        jurisdiction(&state, format, param(&params(query.as_deref()), "jurisdiction_id")).await?;
        let cat = state.services.feedback_category(code).await.map_err(|e| Open311Error::from((format, e)))?;
        let attributes: Vec<Value> = ATTRIBUTES
            .iter()
            .enumerate()
            .map(|(i, a)| {
                json!({
                    "variable": true,
                    "code": a.code,
                    "datatype": "singlevaluelist",
                    "required": a.required,
                    "datatype_description": "Chọn một giá trị",
                    "order": i + 1,
                    "description": a.description,
                    "values": a.values.iter().map(|(k, n)| json!({ "key": k, "name": n })).collect::<Vec<_>>(),
                })
            })
            .collect();
        Ok(document(format, "service_definition", &json!({ "service_code": cat.code, "attributes": attributes })))
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn requests(
    state: &AppState,
    format: Format,
    headers: &HeaderMap,
    params: &[(String, String)],
) -> Result<Response> {
    let area_path = jurisdiction(state, format, param(params, "jurisdiction_id")).await?;
    let mut query = FeedbackQuery { area_path, newest_first: true, limit: 1000, ..Default::default() };
    if let Some(ids) = param(params, "service_request_id") {
        query.tracking_codes = ids.split(',').filter_map(domain::feedback::parse_tracking_code).collect();
        if query.tracking_codes.is_empty() {
            return Ok(document(format, "service_requests", &json!([])));
        }
    } else {
        // The specification's default window: the last 90 days, unless dates are given.
        let start = parse_time(format, "start_date", param(params, "start_date"))?;
        let end = parse_time(format, "end_date", param(params, "end_date"))?;
        let now = state.services.clock().now();
        query.submitted_from = Some(start.unwrap_or_else(|| end.unwrap_or(now) - Duration::days(90)));
        query.submitted_to = end;
        if let Some(code) = param(params, "service_code") {
            let cat = state.services.feedback_category(code).await.map_err(|e| Open311Error::from((format, e)))?;
            query.category_id = Some(cat.id);
        }
        match param(params, "status") {
            None => {}
            Some(s) => {
                for part in s.split(',').map(str::trim) {
                    match part {
                        "open" => query.statuses.extend(Status::ALL.iter().filter(|s| s.is_pending())),
                        "closed" => query.statuses.extend(Status::ALL.iter().filter(|s| !s.is_pending())),
                        other => {
                            return Err(Open311Error::new(
                                format,
                                StatusCode::BAD_REQUEST,
                                format!("status: '{other}' không hợp lệ, cần open hoặc closed"),
                            ));
                        }
                    }
                }
            }
        }
    }
    let page = state.services.public_feedback(query).await.map_err(|e| Open311Error::from((format, e)))?;
    let base = base_url(headers);
    let list: Vec<Value> = page.items.iter().map(|r| request_json(&base, r)).collect();
    Ok(document(format, "service_requests", &Value::Array(list)))
}

async fn updates(state: &AppState, format: Format, params: &[(String, String)]) -> Result<Response> {
    let start = parse_time(format, "start_date", param(params, "start_date"))?;
    let end = parse_time(format, "end_date", param(params, "end_date"))?;
    let events =
        state.services.public_feedback_updates(start, end, 1000).await.map_err(|e| Open311Error::from((format, e)))?;
    let list: Vec<Value> = events
        .iter()
        .map(|(e, code)| {
            json!({
                "update_id": e.id.to_string(),
                "service_request_id": code,
                "status": fixmystreet_status(e.status),
                "updated_datetime": datetime(e.at),
                "description": e.note.clone().unwrap_or_else(|| e.kind.label().to_string()),
                "media_url": null,
            })
        })
        .collect();
    Ok(document(format, "service_request_updates", &Value::Array(list)))
}

/// FixMyStreet's update states.
fn fixmystreet_status(s: Status) -> &'static str {
    match s {
        Status::New => "open",
        Status::Received => "action_scheduled",
        Status::InProgress => "in_progress",
        Status::Answered => "fixed",
        Status::Transferred => "internal_referral",
        Status::Rejected => "no_further_action",
        Status::Closed => "closed",
        Status::Merged => "duplicate",
    }
}

/// `GET /open311/v2/requests/{id}.{format}`: one request (a list of one, as the specification has it).
pub async fn request(State(state): State<AppState>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some((id, format)) = split(&file) else {
        return error_for_path(&file, EdgeError::Domain(DomainError::not_found("phản ánh", file.clone())));
    };
    match state.services.public_feedback_item(id).await {
        Ok(r) => document(format, "service_requests", &json!([request_json(&base_url(&headers), &r)])),
        Err(e) => Open311Error::from((format, e)).into_response(),
    }
}

/// `GET /open311/v2/tokens/{token}.{format}`: the request a token stands for. Our tokens are
/// the tracking codes themselves: the request exists as soon as it is accepted.
pub async fn token(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((token, format)) = split(&file) else {
        return error_for_path(&file, EdgeError::Domain(DomainError::not_found("token", file.clone())));
    };
    match state.services.public_feedback_item(token).await {
        Ok(r) => document(
            format,
            "service_requests",
            &json!([{ "service_request_id": r.tracking_code, "token": r.tracking_code }]),
        ),
        Err(e) => Open311Error::from((format, e)).into_response(),
    }
}

/// `POST /open311/v2/requests.{format}` (form-encoded): a new request from a client holding an
/// `api_key`.
pub async fn post_request(State(state): State<AppState>, Path(file): Path<String>, body: Bytes) -> Response {
    let Some(("requests", format)) = split(&file) else {
        let format = split(&file).map_or(Format::Json, |(_, f)| f);
        return Open311Error::new(format, StatusCode::NOT_FOUND, format!("không gửi được tới '{file}'"))
            .into_response();
    };
    create(&state, format, &body).await.unwrap_or_else(IntoResponse::into_response)
}

async fn create(state: &AppState, format: Format, body: &[u8]) -> Result<Response> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| {
        Open311Error::new(format, StatusCode::BAD_REQUEST, "nội dung phải ở dạng application/x-www-form-urlencoded")
    })?;
    let get = |name: &str| param(&fields, name).map(str::to_string);
    let bad = |message: &str| Open311Error::new(format, StatusCode::BAD_REQUEST, message.to_string());
    let key = get("api_key").unwrap_or_default();
    if !state.services.open311_key_valid(&key).await.map_err(|e| Open311Error::from((format, e)))? {
        return Err(Open311Error::new(format, StatusCode::FORBIDDEN, "api_key: thiếu hoặc không hợp lệ"));
    }
    let Some(jurisdiction_id) = get("jurisdiction_id") else {
        return Err(bad("jurisdiction_id: thiếu mã tỉnh, thành phố hoặc xã, phường"));
    };
    let Some(service_code) = get("service_code") else {
        return Err(bad("service_code: thiếu mã lĩnh vực"));
    };
    let number = |name: &'static str| -> Result<Option<f64>> {
        match get(name) {
            None => Ok(None),
            Some(v) => v.parse::<f64>().map(Some).map_err(|_| bad(&format!("{name}: '{v}' không phải số"))),
        }
    };
    let (lat, lon) = (number("lat")?, number("long")?);
    let address = get("address_string").or_else(|| get("address_id"));
    if (lat.is_none() || lon.is_none()) && address.is_none() {
        return Err(bad("vị trí: cần lat và long, hoặc address_string"));
    }
    let Some(description) = get("description") else {
        return Err(bad("description: thiếu nội dung phản ánh"));
    };
    let name = match (get("first_name"), get("last_name")) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (f, l) => f.or(l),
    };
    let attributes: BTreeMap<String, String> = fields
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("attribute[").and_then(|k| k.strip_suffix(']')).map(|k| (k.to_string(), v.clone()))
        })
        .collect();
    let input = FeedbackInput {
        service_code: Some(service_code),
        title: None,
        description,
        area_code: jurisdiction_id,
        address,
        lat,
        lon,
        name,
        email: get("email"),
        phone: get("phone"),
        attributes,
        confirmed_new: true,
    };
    match state.services.submit_feedback(&input, &[], Source::Open311).await {
        Ok(Submission::Submitted { item }) => Ok(document(
            format,
            "service_requests",
            &json!([{
                "service_request_id": item.tracking_code,
                "token": item.tracking_code,
                "service_notice": format!("Đã tiếp nhận; hạn trả lời {}", item.due_on.format("%d/%m/%Y")),
                "account_id": null,
            }]),
        )),
        Ok(Submission::LikelyDuplicates { .. }) => Err(bad("phản ánh trùng")),
        // An unknown service or jurisdiction is "not found" in Open311's terms.
        Err(DomainError::Invalid { field: field @ ("service_code" | "jurisdiction_id"), message }) => {
            Err(Open311Error::new(format, StatusCode::NOT_FOUND, format!("{field}: {message}")))
        }
        Err(e) => Err(Open311Error::from((format, e))),
    }
}
