//! The administrators page: a user administrator (or an operator) nominates a person of
//! their organisation as user or access administrator; operators confirm or reject pending
//! nominations, appoint directly and revoke. What each person may do is decided by the app
//! (and so the domain); this page only shows or hides the buttons it is told about.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_app::{AppError, RoleInput};
use tessera_domain::role::Role;
use tessera_domain::{FieldError, LevelId, UserId};
use uuid::Uuid;

use crate::auth::SignedIn;
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::pages::admin_users::{LevelOption, level_options};
use crate::state::AppState;

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Operator => "Operator",
        Role::UserAdmin => "User administrator",
        Role::AccessAdmin => "Access administrator",
    }
}

pub struct PendingRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub level: String,
    pub nominated_on: String,
    pub may_decide: bool,
}

pub struct AdministratorRow {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub role_key: &'static str,
    pub level_id: LevelId,
    pub level: String,
    pub granted_on: String,
    pub may_revoke: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_nominations.html")]
struct NominationsPage {
    csrf: String,
    may_nominate: bool,
    may_appoint: bool,
    email: String,
    role: String,
    levels: Vec<LevelOption>,
    /// No level chosen: the role would be held at the person's own level.
    own_level: bool,
    errors: Vec<FieldError>,
    problem: Option<String>,
    notice: Option<&'static str>,
    pending: Vec<PendingRow>,
    administrators: Vec<AdministratorRow>,
}

impl NominationsPage {
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// The nomination (or appointment) form as typed.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct RoleForm {
    csrf: String,
    email: String,
    role: String,
    /// Empty for the person's own level.
    level_id: String,
}

impl RoleForm {
    fn input(&self) -> RoleInput {
        RoleInput {
            email: self.email.clone(),
            role: self.role.clone(),
            level_id: Uuid::parse_str(self.level_id.trim()).ok().map(LevelId),
        }
    }
}

/// What the page shows after a refused action.
#[derive(Default)]
struct Outcome {
    errors: Vec<FieldError>,
    problem: Option<String>,
    notice: Option<&'static str>,
}

async fn nominations_page(
    state: &AppState,
    me: &SignedIn,
    csrf: String,
    form: &RoleForm,
    outcome: Outcome,
) -> Result<NominationsPage, PageError> {
    let rights = state.app.administration_rights(&me.ctx).await?;
    if !rights.nominate && !rights.decide_roles {
        return Err(AppError::Forbidden.into());
    }
    let levels = state.app.visible_levels(&me.ctx).await?;
    let date = time::macros::format_description!("[year]-[month]-[day]");
    let pending = state
        .app
        .pending_nominations(&me.ctx)
        .await?
        .into_iter()
        .map(|n| PendingRow {
            id: n.id,
            name: n.user_name,
            email: n.user_email,
            role: role_label(n.role),
            level: n.level_name,
            nominated_on: n.nominated_at.format(&date).unwrap_or_default(),
            may_decide: n.may_decide,
        })
        .collect();
    let administrators = state
        .app
        .administrators(&me.ctx)
        .await?
        .into_iter()
        .map(|a| AdministratorRow {
            user_id: a.user_id,
            name: a.user_name,
            email: a.user_email,
            role: role_label(a.role),
            role_key: a.role.as_str(),
            level_id: a.level_id,
            level: a.level_name,
            granted_on: a.granted_at.format(&date).unwrap_or_default(),
            may_revoke: a.may_revoke,
        })
        .collect();
    let chosen = Uuid::parse_str(form.level_id.trim()).ok().map(LevelId);
    let levels = level_options(&levels, chosen);
    Ok(NominationsPage {
        csrf,
        may_nominate: rights.nominate,
        may_appoint: rights.decide_roles,
        email: form.email.clone(),
        role: form.role.clone(),
        own_level: !levels.iter().any(|l| l.selected),
        levels,
        errors: outcome.errors,
        problem: outcome.problem,
        notice: outcome.notice,
        pending,
        administrators,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    /// Someone to nominate, when coming from their page.
    user_id: String,
    done: String,
}

/// GET /admin/nominations
pub async fn show(
    State(state): State<AppState>,
    Query(query): Query<ShowQuery>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let mut form = RoleForm::default();
    if let Ok(id) = Uuid::parse_str(query.user_id.trim()) {
        let record = state.app.user_record(&me.ctx, UserId(id)).await?;
        form.email = record.user.email;
    }
    let notice = match query.done.as_str() {
        "nominated" => Some("The nomination was sent: an operator confirms or rejects it."),
        "appointed" => Some("The role was granted."),
        "confirmed" => Some("The nomination was confirmed: the role is granted."),
        "rejected" => Some("The nomination was rejected."),
        "revoked" => Some("The role was revoked."),
        _ => None,
    };
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let outcome = Outcome {
        notice,
        ..Outcome::default()
    };
    let page = nominations_page(&state, &me, csrf, &form, outcome).await?;
    Ok((jar, page).into_response())
}

/// Answers an action the app refused with the page and what went wrong (keeping what was
/// typed); failures that are not about the action become error pages.
async fn refused(
    state: &AppState,
    me: &SignedIn,
    jar: CookieJar,
    form: &RoleForm,
    error: AppError,
) -> Result<Response, PageError> {
    let mut outcome = Outcome::default();
    let status = match error {
        AppError::Invalid(errors) => {
            outcome.errors = errors.errors;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::Conflict(why) => {
            outcome.problem = Some(why);
            StatusCode::CONFLICT
        }
        AppError::Forbidden => {
            outcome.problem = Some(
                "Your account may not do this: nobody nominates, appoints or revokes themselves, user administrators nominate only within their organisation, and only operators decide."
                    .into(),
            );
            StatusCode::FORBIDDEN
        }
        AppError::NotFound => {
            outcome.problem = Some(
                "It no longer exists, or it is not yours to see. The page shows what is there now."
                    .into(),
            );
            StatusCode::NOT_FOUND
        }
        other => return Err(other.into()),
    };
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = nominations_page(state, me, csrf, form, outcome).await?;
    Ok((status, jar, page).into_response())
}

/// POST /admin/nominations: nominate someone; an operator decides later.
pub async fn nominate(
    State(state): State<AppState>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response, PageError> {
    match state.app.nominate_from(&me.ctx, &form.input()).await {
        Ok(_) => Ok(Redirect::to("/admin/nominations?done=nominated").into_response()),
        Err(error) => refused(&state, &me, jar, &form, error).await,
    }
}

/// POST /admin/nominations/appoint: an operator grants the role at once.
pub async fn appoint(
    State(state): State<AppState>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response, PageError> {
    match state.app.appoint_from(&me.ctx, &form.input()).await {
        Ok(()) => Ok(Redirect::to("/admin/nominations?done=appointed").into_response()),
        Err(error) => refused(&state, &me, jar, &form, error).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecideForm {
    csrf: String,
}

async fn decide(
    state: AppState,
    jar: CookieJar,
    me: SignedIn,
    id: Uuid,
    confirm: bool,
) -> Result<Response, PageError> {
    match state.app.decide_nomination(&me.ctx, id, confirm).await {
        Ok(()) => {
            let done = if confirm { "confirmed" } else { "rejected" };
            Ok(Redirect::to(&format!("/admin/nominations?done={done}")).into_response())
        }
        Err(error) => refused(&state, &me, jar, &RoleForm::default(), error).await,
    }
}

/// POST /admin/nominations/{id}/confirm
pub async fn confirm(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(_form): CsrfForm<DecideForm>,
) -> Result<Response, PageError> {
    decide(state, jar, me, id, true).await
}

/// POST /admin/nominations/{id}/reject
pub async fn reject(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(_form): CsrfForm<DecideForm>,
) -> Result<Response, PageError> {
    decide(state, jar, me, id, false).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevokeForm {
    csrf: String,
    user_id: String,
    role: String,
    level_id: String,
}

/// POST /admin/nominations/revoke: an operator takes a role away.
pub async fn revoke(
    State(state): State<AppState>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<RevokeForm>,
) -> Result<Response, PageError> {
    let (Ok(user), Some(role), Ok(level)) = (
        Uuid::parse_str(form.user_id.trim()),
        Role::parse(form.role.trim()),
        Uuid::parse_str(form.level_id.trim()),
    ) else {
        return Err(PageError::bad_request(
            "The form does not name a person, a role and a level.",
        ));
    };
    match state
        .app
        .revoke(&me.ctx, UserId(user), role, LevelId(level))
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/nominations?done=revoked").into_response()),
        Err(error) => refused(&state, &me, jar, &RoleForm::default(), error).await,
    }
}

crate::csrf::csrf_protected!(RoleForm, DecideForm, RevokeForm);
