//! The Assign Memberships page, as in the ECB Identity Portal manual: the person's first
//! name, last name and level; "Memberships (N)" with a search box and a remove box on each
//! membership this administrator may remove; "Add Memberships" with a search over the groups
//! this administrator may grant to this person, a "Selected (N)" list and an optional expiry
//! date per addition; "Save" and "Cancel". One form, so it works without JavaScript: the
//! search buttons post the form back with every choice kept, and only "Save" changes
//! anything (all additions and removals in one transaction, all or nothing).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use tessera_app::{Addition, AppError, AssignableGroup};
use tessera_domain::UserId;
use tessera_domain::application::Group;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, Time};
use uuid::Uuid;

use crate::auth::SignedIn;
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::pages::pairs::Pairs;
use crate::state::AppState;

/// At most this many groups are listed for one search; more ask for a narrower search.
const MAX_RESULTS: usize = 50;

/// An expiry as typed: a day (the membership stops counting at its start, UTC, like an
/// account's expiration date) or, through the API, an RFC 3339 time. `Err` when it is
/// neither; empty is no expiry.
pub(crate) fn parse_expiry(text: &str) -> Result<Option<OffsetDateTime>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let day = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(date) = Date::parse(text, day) {
        return Ok(Some(date.with_time(Time::MIDNIGHT).assume_utc()));
    }
    OffsetDateTime::parse(text, &Rfc3339)
        .map(Some)
        .map_err(|_| ())
}

pub struct HeldRow {
    pub group_id: Uuid,
    pub technical_name: String,
    pub display_name: String,
    pub application: String,
    pub expires: String,
    pub removable: bool,
    pub remove: bool,
}

pub struct AddRow {
    pub group_id: Uuid,
    pub technical_name: String,
    pub display_name: String,
    pub application: String,
    pub environment: &'static str,
    pub held: bool,
    pub expires: String,
    pub error: Option<String>,
}

/// A message of the error summary; `anchor` is the field it is about, if any.
pub struct Summary {
    pub anchor: Option<String>,
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "memberships.html")]
struct MembershipsPage {
    id: Uuid,
    csrf: String,
    first_name: String,
    last_name: String,
    level: String,
    /// The held-memberships filter.
    q: String,
    /// The "Add Memberships" search.
    search: String,
    held_count: usize,
    held: Vec<HeldRow>,
    /// Removals chosen on memberships the filter hides, kept for "Save".
    hidden_removals: Vec<Uuid>,
    may_assign: bool,
    selected: Vec<AddRow>,
    results: Vec<AddRow>,
    /// More groups matched than are listed.
    more: bool,
    summary: Vec<Summary>,
    notice: Option<&'static str>,
}

fn matches_filter(filter: &str, texts: &[&str]) -> bool {
    let needle = filter.trim().to_lowercase();
    needle.is_empty() || texts.iter().any(|t| t.to_lowercase().contains(&needle))
}

/// The choices of the form as posted (or none, on a first visit).
struct Choices<'a> {
    form: &'a Pairs,
    /// Field errors by group id (expiry dates).
    errors: HashMap<Uuid, String>,
    summary: Vec<Summary>,
}

impl<'a> Choices<'a> {
    fn new(form: &'a Pairs) -> Self {
        Self {
            form,
            errors: HashMap::new(),
            summary: Vec::new(),
        }
    }

    fn added(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self
            .form
            .all("add")
            .filter_map(|v| Uuid::parse_str(v.trim()).ok())
            .collect();
        ids.dedup();
        ids
    }

    fn removed(&self) -> Vec<Uuid> {
        self.form
            .all("remove")
            .filter_map(|v| Uuid::parse_str(v.trim()).ok())
            .collect()
    }

    fn expires(&self, group: Uuid) -> &str {
        self.form.first(&format!("expires_{group}"))
    }
}

fn add_row(found: &AssignableGroup, choices: &Choices<'_>) -> AddRow {
    let group: &Group = &found.group;
    AddRow {
        group_id: group.id,
        technical_name: group.technical_name.clone(),
        display_name: group.display_name().to_owned(),
        application: found.application_name.clone(),
        environment: group.environment.label(),
        held: found.held,
        expires: choices.expires(group.id).to_owned(),
        error: choices.errors.get(&group.id).cloned(),
    }
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    id: Uuid,
    csrf: String,
    choices: Choices<'_>,
    notice: Option<&'static str>,
) -> Result<MembershipsPage, PageError> {
    let view = state.app.memberships_view(&me.ctx, UserId(id)).await?;
    let rights = state.app.membership_rights(&me.ctx).await?;
    let q = choices.form.first("q").to_owned();
    let search = choices.form.first("search").to_owned();
    let removed = choices.removed();
    let mut held = Vec::new();
    let mut hidden_removals = Vec::new();
    for (membership, removable) in &view.held {
        let group = &membership.group;
        let remove = *removable && removed.contains(&group.id);
        if !matches_filter(
            &q,
            &[
                &group.technical_name,
                group.display_name(),
                &membership.application_name,
            ],
        ) {
            if remove {
                hidden_removals.push(group.id);
            }
            continue;
        }
        held.push(HeldRow {
            group_id: group.id,
            technical_name: group.technical_name.clone(),
            display_name: group.display_name().to_owned(),
            application: membership.application_name.clone(),
            expires: membership
                .membership
                .expires_at
                .map_or_else(|| "—".to_owned(), |at| at.date().to_string()),
            removable: *removable,
            remove,
        });
    }
    let (selected, results, more) = if rights.assign || !choices.added().is_empty() {
        let everything = state.app.assignable_groups(&me.ctx, UserId(id), "").await?;
        let added = choices.added();
        let selected: Vec<AddRow> = everything
            .iter()
            .filter(|g| !g.held && added.contains(&g.group.id))
            .map(|g| add_row(g, &choices))
            .collect();
        let found = if search.trim().is_empty() {
            everything
        } else {
            state
                .app
                .assignable_groups(&me.ctx, UserId(id), &search)
                .await?
        };
        let mut results: Vec<AddRow> = found
            .iter()
            .filter(|g| !selected.iter().any(|s| s.group_id == g.group.id))
            .map(|g| add_row(g, &choices))
            .collect();
        let more = results.len() > MAX_RESULTS;
        results.truncate(MAX_RESULTS);
        (selected, results, more)
    } else {
        (Vec::new(), Vec::new(), false)
    };
    Ok(MembershipsPage {
        id,
        csrf,
        first_name: view.user.first_name.clone(),
        last_name: view.user.last_name.clone(),
        level: view.level_name.clone(),
        q,
        search,
        held_count: view.held.len(),
        held,
        hidden_removals,
        may_assign: rights.assign,
        selected,
        results,
        more,
        summary: choices.summary,
        notice,
    })
}

/// GET /admin/users/{id}/memberships (`q` filters the memberships, `search` the groups to
/// add).
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(query): Query<Pairs>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let notice = match query.first("done") {
        "saved" => Some("The memberships were saved."),
        _ => None,
    };
    let page = page(&state, &me, id, csrf, Choices::new(&query), notice).await?;
    Ok((jar, page).into_response())
}

/// POST /admin/users/{id}/memberships: "Search" shows the page again with every choice
/// kept; "Save" grants and removes, all or nothing.
pub async fn submit(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let mut choices = Choices::new(&form);
    let mut status = StatusCode::OK;
    if form.first("action") == "save" {
        let mut additions = Vec::new();
        for group_id in choices.added() {
            match parse_expiry(choices.expires(group_id)) {
                Ok(expires_at) => additions.push(Addition {
                    group_id,
                    expires_at,
                }),
                Err(()) => {
                    let message =
                        "Enter the expiry date as a day, e.g. 2030-12-31, or leave it empty.";
                    choices.errors.insert(group_id, message.to_owned());
                    choices.summary.push(Summary {
                        anchor: Some(format!("expires_{group_id}")),
                        message: message.to_owned(),
                    });
                }
            }
        }
        if choices.summary.is_empty() {
            match state
                .app
                .save_memberships(&me.ctx, UserId(id), &additions, &choices.removed())
                .await
            {
                Ok(()) => {
                    return Ok(
                        Redirect::to(&format!("/admin/users/{id}/memberships?done=saved"))
                            .into_response(),
                    );
                }
                Err(AppError::Invalid(errors)) => {
                    // The use case names the field; the page puts an expiry message at the
                    // additions that carry a date, so the person sees which to change.
                    let dated: Vec<Uuid> = additions
                        .iter()
                        .filter(|a| a.expires_at.is_some())
                        .map(|a| a.group_id)
                        .collect();
                    for error in errors.errors {
                        let anchor = if error.field == "expires_at" {
                            for group in &dated {
                                choices.errors.insert(*group, error.message.clone());
                            }
                            dated.first().map(|g| format!("expires_{g}"))
                        } else {
                            None
                        };
                        choices.summary.push(Summary {
                            anchor,
                            message: error.message,
                        });
                    }
                }
                Err(other) => return Err(other.into()),
            }
        }
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = page(&state, &me, id, csrf, choices, None).await?;
    Ok((status, jar, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_dates_are_days_or_times() {
        assert_eq!(parse_expiry(""), Ok(None));
        let day = parse_expiry("2030-12-31").unwrap().unwrap();
        assert_eq!(day.unix_timestamp(), 1_924_905_600);
        let at = parse_expiry("2030-12-31T12:00:00Z").unwrap().unwrap();
        assert_eq!(at.unix_timestamp(), 1_924_948_800);
        assert!(parse_expiry("31/12/2030").is_err());
        assert!(parse_expiry("2030-02-30").is_err());
    }

    #[test]
    fn the_filter_looks_at_every_name() {
        assert!(matches_filter("", &["x"]));
        assert!(matches_filter("casper", &["A-CASPER_WEB_USER_ADMIN"]));
        assert!(matches_filter(
            "portal",
            &["IMAS_PORTAL_USER", "PORTAL_USER"]
        ));
        assert!(!matches_filter(
            "astra",
            &["CASPER_WEB_USER_ADMIN", "CASPER"]
        ));
    }
}
