//! Bulk work: the users of a level exported to CSV, and imported from CSV. An import checks
//! every row first and reports each invalid one with its line number; it writes nothing unless
//! every row is valid (and nothing at all in a dry run).

use std::collections::HashMap;

use serde_json::json;
use tessera_domain::access::Action;
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::{FieldError, LevelId};
use tessera_store::{AuditLog, Levels, Users};

use crate::app::App;
use crate::context::Ctx;
use crate::directory::{UserInput, check_input};
use crate::error::{AppError, AppResult};

/// The columns of the CSV files, in this order; the header row names them.
pub const CSV_COLUMNS: [&str; 7] = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "company_id",
    "expires_on",
    "language",
];

/// One problem of an import, at a line of the file (1 is the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub field: String,
    pub message: String,
}

/// What an import did, or would do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: usize,
    /// Accounts created (0 in a dry run or when any row is invalid).
    pub created: usize,
    pub dry_run: bool,
    pub errors: Vec<RowError>,
}

impl App {
    /// The users of one level (not the levels below) as CSV, sorted by last name.
    pub async fn export_users(&self, ctx: &Ctx, level: LevelId) -> AppResult<String> {
        let mut tx = self.store().reads().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let path = match tx.level(level).await? {
            Some(level) => level.path,
            None => return Err(AppError::NotFound),
        };
        if self
            .authorize(ctx.actor, &grants, Action::ViewUsers { level: &path })
            .is_err()
        {
            return Err(AppError::NotFound);
        }
        let users = tx.users_in_level(level).await?;
        let mut writer = csv::Writer::from_writer(Vec::new());
        let failed = |e: csv::Error| AppError::Internal(e.to_string());
        writer.write_record(CSV_COLUMNS).map_err(failed)?;
        for user in users {
            let phone = self
                .factors_of(&mut tx, user.id)
                .await?
                .phones
                .first()
                .cloned()
                .unwrap_or_default();
            writer
                .write_record([
                    user.first_name.as_str(),
                    user.last_name.as_str(),
                    user.email.as_str(),
                    phone.as_str(),
                    user.company_id.as_deref().unwrap_or(""),
                    &user
                        .expires_at
                        .map(|at| at.date().to_string())
                        .unwrap_or_default(),
                    user.language.as_str(),
                ])
                .map_err(failed)?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| AppError::Internal(e.to_string()))
    }

    /// Imports users into a level from CSV (header row first, columns as [`CSV_COLUMNS`],
    /// `phone`, `company_id` and `expires_on` may be empty). All or nothing.
    pub async fn import_users(
        &self,
        ctx: &Ctx,
        level: LevelId,
        text: &str,
        dry_run: bool,
    ) -> AppResult<ImportReport> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        let path = match tx.level(level).await? {
            Some(found) => found.path,
            None => return Err(AppError::NotFound),
        };
        self.authorize(ctx.actor, &grants, Action::ManageUsers { level: &path })?;

        let mut report = ImportReport {
            dry_run,
            ..ImportReport::default()
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .flexible(false)
            .from_reader(text.as_bytes());
        let header_error = |message: String| RowError {
            line: 1,
            field: String::new(),
            message,
        };
        let headers = match reader.headers() {
            Ok(headers) => headers.clone(),
            Err(e) => {
                report
                    .errors
                    .push(header_error(format!("The file cannot be read as CSV: {e}")));
                return Ok(report);
            }
        };
        let position: HashMap<&str, usize> =
            headers.iter().enumerate().map(|(i, h)| (h, i)).collect();
        let missing: Vec<&str> = ["first_name", "last_name", "email", "language"]
            .into_iter()
            .filter(|c| !position.contains_key(c))
            .collect();
        let unknown: Vec<&str> = headers
            .iter()
            .filter(|h| !CSV_COLUMNS.contains(h))
            .collect();
        if !missing.is_empty() || !unknown.is_empty() {
            report.errors.push(header_error(format!(
                "The header row must name the columns {}{}{}.",
                CSV_COLUMNS.join(","),
                if missing.is_empty() {
                    String::new()
                } else {
                    format!("; missing: {}", missing.join(", "))
                },
                if unknown.is_empty() {
                    String::new()
                } else {
                    format!("; unknown: {}", unknown.join(", "))
                },
            )));
            return Ok(report);
        }
        let mut accepted = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        for record in reader.records() {
            report.rows += 1;
            let record = match record {
                Ok(record) => record,
                Err(e) => {
                    let line = e.position().map_or(0, csv::Position::line);
                    report.errors.push(RowError {
                        line,
                        field: String::new(),
                        message: format!("This line cannot be read: {e}"),
                    });
                    continue;
                }
            };
            let line = record.position().map_or(0, csv::Position::line);
            let cell = |name: &str| {
                position
                    .get(name)
                    .and_then(|i| record.get(*i))
                    .unwrap_or("")
                    .to_owned()
            };
            let input = UserInput {
                level_id: Some(level),
                first_name: cell("first_name"),
                last_name: cell("last_name"),
                email: cell("email"),
                phone: cell("phone"),
                company_id: cell("company_id"),
                expires_on: cell("expires_on"),
                language: cell("language"),
            };
            let mut row_error = |e: &FieldError| {
                report.errors.push(RowError {
                    line,
                    field: e.field.to_owned(),
                    message: e.message.clone(),
                });
            };
            match check_input(&input, now) {
                Err(errors) => errors.errors.iter().for_each(&mut row_error),
                Ok(checked) => {
                    let key = checked.email_key.clone();
                    if let Some(first) = seen.get(&key) {
                        row_error(&FieldError {
                            field: "email",
                            code: "duplicate",
                            message: format!("This address is also on line {first}."),
                        });
                    } else if tx.user_by_email_key(&key).await?.is_some() {
                        row_error(&FieldError {
                            field: "email",
                            code: "taken",
                            message: "An account with this e-mail address already exists.".into(),
                        });
                    } else {
                        seen.insert(key, line);
                        accepted.push(checked);
                    }
                }
            }
        }
        if dry_run || !report.errors.is_empty() {
            return Ok(report);
        }
        for checked in accepted {
            self.insert_checked(&mut tx, ctx, level, checked).await?;
            report.created += 1;
        }
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "user.import", "level")
                .target(level)
                .level(level)
                .request(ctx.request_id.as_deref())
                .details(&json!({"created": report.created})),
        )
        .await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(report)
    }
}
