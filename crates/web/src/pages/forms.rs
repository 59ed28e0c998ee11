//! Helpers for the work pages' forms: fields with repeated names, dates as officials type them,
//! choices of a select, and multipart forms with one file.

use axum::extract::Multipart;
use domain::DomainError;
use serde::Deserialize;

use crate::error::{EdgeError, PageError};
use crate::format;

/// A form's fields in order, repeated names kept (checkboxes, multiple selects, section lists).
#[derive(Deserialize)]
#[serde(transparent)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
}

/// A date field: empty is none, anything else must parse.
pub fn date_field(field: &'static str, text: &str) -> Result<Option<chrono::NaiveDate>, DomainError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    format::parse_date(text)
        .map(Some)
        .ok_or_else(|| DomainError::invalid(field, format!("'{}' không phải ngày dạng dd/mm/yyyy", text.trim())))
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The first file of a multipart form: its name and bytes (none when no file was chosen), and
/// the text fields.
pub async fn read_multipart(mut form: Multipart) -> Result<(Option<(String, Vec<u8>)>, Fields), PageError> {
    let mut file = None;
    let mut fields = Vec::new();
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            PageError(EdgeError::PayloadTooLarge)
        } else {
            PageError(EdgeError::BadRequest { field: "file", message: e.body_text() })
        }
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(bad)?;
                if file.is_none() && !file_name.is_empty() {
                    file = Some((file_name, bytes.to_vec()));
                }
            }
            None => fields.push((name, field.text().await.map_err(bad)?)),
        }
    }
    Ok((file, Fields(fields)))
}
