//! CSV on the Users page: "Export CSV" downloads the users of the level being searched;
//! "Import CSV" takes a file (or pasted text), and either checks every row ("Check (dry
//! run)") or imports them all or nothing ("Import"). The report names every invalid row by
//! its line number. Works without JavaScript: after a check, the text stays in the form, so
//! "Import" sends the same rows without choosing the file again.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_app::{AppError, CSV_COLUMNS, ImportReport};
use tessera_domain::{FieldError, LevelId};
use uuid::Uuid;

use crate::auth::SignedIn;
use crate::csrf;
use crate::error::PageError;
use crate::pages::admin_users::{LevelOption, level_options};
use crate::state::AppState;

/// A typed id, or one that names nothing (the use case then answers "not found").
fn level_id(raw: &str) -> LevelId {
    LevelId(Uuid::parse_str(raw.trim()).unwrap_or(Uuid::nil()))
}

/// A file name from a level's name: ASCII letters and digits, words joined by `-`.
fn file_name(level: &str) -> String {
    let words: Vec<String> = level
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut stem = words.join("-");
    stem.truncate(60);
    if stem.is_empty() {
        "users.csv".to_owned()
    } else {
        format!("users-{}.csv", stem.trim_end_matches('-'))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LevelQuery {
    level_id: String,
}

/// GET /admin/users/export?level_id=…: the users of one level (not the levels below).
pub async fn export(
    State(state): State<AppState>,
    Query(query): Query<LevelQuery>,
    me: SignedIn,
) -> Result<Response, PageError> {
    let id = level_id(&query.level_id);
    let level = state.app.level_for(&me.ctx, id).await?;
    let text = state.app.export_users(&me.ctx, id).await?;
    let mut response = text.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let disposition = format!("attachment; filename=\"{}\"", file_name(&level.name));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static(
            "attachment; filename=\"users.csv\"",
        )),
    );
    Ok(response)
}

pub struct RowView {
    pub line: u64,
    pub field: String,
    pub message: String,
}

/// What an import did, in words.
pub struct ReportView {
    pub ok: bool,
    pub summary: String,
    pub rows: Vec<RowView>,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

impl From<&ImportReport> for ReportView {
    fn from(report: &ImportReport) -> Self {
        let rows = plural(report.rows, "row", "rows");
        let summary = if !report.errors.is_empty() {
            format!(
                "{} in {rows}: nothing was imported. Correct the file and check it again.",
                plural(report.errors.len(), "problem", "problems")
            )
        } else if report.dry_run {
            format!(
                "All {rows} are valid. Nothing was written yet: choose \"Import\" to create the accounts."
            )
        } else {
            format!(
                "{} created. Each person gets an invitation e-mail to choose a password.",
                plural(report.created, "account was", "accounts were")
            )
        };
        Self {
            ok: report.errors.is_empty(),
            summary,
            rows: report
                .errors
                .iter()
                .map(|e| RowView {
                    line: e.line,
                    field: e.field.clone(),
                    message: e.message.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_users_import.html")]
struct ImportPage {
    csrf: String,
    levels: Vec<LevelOption>,
    columns: String,
    text: String,
    report: Option<ReportView>,
    errors: Vec<FieldError>,
}

impl ImportPage {
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

async fn import_page(
    state: &AppState,
    me: &SignedIn,
    csrf: String,
    level: Option<LevelId>,
    text: String,
    report: Option<ReportView>,
    errors: Vec<FieldError>,
) -> Result<ImportPage, PageError> {
    if !state.app.directory_rights(&me.ctx).await?.manage_users {
        return Err(AppError::Forbidden.into());
    }
    let levels = state.app.visible_levels(&me.ctx).await?;
    Ok(ImportPage {
        csrf,
        levels: level_options(&levels, level.or_else(|| levels.first().map(|l| l.id))),
        columns: CSV_COLUMNS.join(","),
        text,
        report,
        errors,
    })
}

/// GET /admin/users/import
pub async fn show(
    State(state): State<AppState>,
    Query(query): Query<LevelQuery>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let level = Uuid::parse_str(query.level_id.trim()).ok().map(LevelId);
    let page = import_page(&state, &me, csrf, level, String::new(), None, Vec::new()).await?;
    Ok((jar, page).into_response())
}

/// The parts of the import form.
#[derive(Default)]
struct Upload {
    csrf: String,
    level_id: String,
    dry_run: String,
    file: Vec<u8>,
    text: String,
}

fn unreadable(error: MultipartError) -> PageError {
    PageError::new(
        error.status(),
        "The upload could not be read",
        format!("{} Files up to 8 MiB can be imported.", error.body_text()),
    )
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, PageError> {
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => upload.file = field.bytes().await.map_err(unreadable)?.to_vec(),
            "csrf" => upload.csrf = field.text().await.map_err(unreadable)?,
            "level_id" => upload.level_id = field.text().await.map_err(unreadable)?,
            "dry_run" => upload.dry_run = field.text().await.map_err(unreadable)?,
            "text" => upload.text = field.text().await.map_err(unreadable)?,
            // Parts this form does not have are ignored, as a form's extra fields are.
            _ => {}
        }
    }
    Ok(upload)
}

/// POST /admin/users/import (multipart/form-data): check or import.
pub async fn import(
    State(state): State<AppState>,
    jar: CookieJar,
    me: SignedIn,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let multipart = multipart.map_err(|rejection| PageError::bad_request(rejection.body_text()))?;
    let upload = read_upload(multipart).await?;
    if !csrf::verify(&jar, &upload.csrf) {
        return Err(csrf::forged());
    }
    let level = level_id(&upload.level_id);
    // A chosen file wins over pasted text.
    let text = if upload.file.is_empty() {
        Ok(upload.text)
    } else {
        String::from_utf8(upload.file)
    };
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let field_error = |message: &str| FieldError {
        field: "file",
        code: "invalid",
        message: message.to_owned(),
    };
    let text = match text {
        Ok(text) if !text.trim().is_empty() => text,
        Ok(_) => {
            let errors = vec![field_error(
                "Choose a CSV file, or paste its text, with the header row first.",
            )];
            let page =
                import_page(&state, &me, csrf, Some(level), String::new(), None, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response());
        }
        Err(_) => {
            let errors = vec![field_error(
                "The file is not UTF-8 text. Save it as \"CSV UTF-8\" and choose it again.",
            )];
            let page =
                import_page(&state, &me, csrf, Some(level), String::new(), None, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response());
        }
    };
    let dry_run = upload.dry_run == "true";
    let report = state
        .app
        .import_users(&me.ctx, level, &text, dry_run)
        .await?;
    let status = if report.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // After an import nothing is left to send; after a check, the same rows are.
    let kept = if report.errors.is_empty() && !dry_run {
        String::new()
    } else {
        text
    };
    let view = ReportView::from(&report);
    let page = import_page(&state, &me, csrf, Some(level), kept, Some(view), Vec::new()).await?;
    Ok((status, jar, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn file_names_are_plain_ascii() {
        assert_eq!(file_name("Bank E Payments"), "users-bank-e-payments.csv");
        assert_eq!(file_name("Zürich \"Süd\""), "users-z-rich-s-d.csv");
        assert_eq!(file_name("東京"), "users.csv");
    }
}
