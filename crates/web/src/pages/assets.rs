//! The stylesheet and the one small script (the feedback form's "use my position"), embedded in
//! the binary and cached by browsers.

use axum::http::header;
use axum::response::IntoResponse;

const CSS: &str = include_str!("../../static/app.css");
const FEEDBACK_JS: &str = include_str!("../../static/feedback.js");

pub async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")], CSS)
}

pub async fn feedback_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")],
        FEEDBACK_JS,
    )
}
