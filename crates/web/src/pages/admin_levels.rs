//! The organisation levels page: the tree of levels the reader may see and, for operators,
//! forms to create a level, and to rename, move or delete one. Every form carries the
//! level's version, so a change made by someone else in the meantime is refused with a
//! message instead of being overwritten. Works without JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_app::{AppError, LevelChange};
use tessera_domain::level::Level;
use tessera_domain::{FieldError, LevelId};
use uuid::Uuid;

use crate::auth::SignedIn;
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::pages::admin_users::{LevelOption, level_options};
use crate::state::AppState;

/// Deeper levels are indented no further, so the page stays readable.
const MAX_INDENT: usize = 8;

/// What someone is told when another change came first.
const STALE: &str = "Someone else changed this level after you opened the page. It is shown as it is now: check it, then make your change again.";

/// A level in the tree.
pub struct TreeRow {
    pub id: LevelId,
    pub name: String,
    /// How many levels lie above it.
    pub depth: usize,
    /// Indentation step, relative to the highest level shown.
    pub indent: usize,
}

fn tree_rows(levels: &[Level]) -> Vec<TreeRow> {
    let top = levels.iter().map(Level::depth).min().unwrap_or(0);
    levels
        .iter()
        .map(|level| TreeRow {
            id: level.id,
            name: level.name.clone(),
            depth: level.depth(),
            indent: level.depth().saturating_sub(top).min(MAX_INDENT),
        })
        .collect()
}

fn error_of<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

/// A typed id, or one that names nothing (the use case then says which field is wrong).
fn level_id(raw: &str) -> LevelId {
    LevelId(Uuid::parse_str(raw.trim()).unwrap_or(Uuid::nil()))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_levels.html")]
struct LevelsPage {
    rows: Vec<TreeRow>,
    may_manage: bool,
    csrf: String,
    parents: Vec<LevelOption>,
    name: String,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
}

impl LevelsPage {
    fn error_of(&self, field: &str) -> Option<&str> {
        error_of(&self.errors, field)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    parent_id: String,
    done: String,
}

/// The create form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateForm {
    csrf: String,
    parent_id: String,
    name: String,
}

async fn levels_page(
    state: &AppState,
    me: &SignedIn,
    csrf: String,
    form: &CreateForm,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> Result<LevelsPage, PageError> {
    if !state.app.administration_rights(&me.ctx).await?.view_levels {
        return Err(AppError::Forbidden.into());
    }
    let levels = state.app.visible_levels(&me.ctx).await?;
    let may_manage = state.app.directory_rights(&me.ctx).await?.manage_levels;
    let parent = Uuid::parse_str(form.parent_id.trim()).ok().map(LevelId);
    Ok(LevelsPage {
        rows: tree_rows(&levels),
        may_manage,
        csrf,
        parents: level_options(&levels, parent.or_else(|| levels.first().map(|l| l.id))),
        name: form.name.clone(),
        errors,
        notice,
    })
}

/// GET /admin/levels
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let form = CreateForm {
        parent_id: query.parent_id,
        ..CreateForm::default()
    };
    let notice = match query.done.as_str() {
        "deleted" => Some("The level was deleted."),
        _ => None,
    };
    let page = levels_page(&state, &me, csrf, &form, Vec::new(), notice).await?;
    Ok((jar, page).into_response())
}

/// POST /admin/levels: an operator creates a level below another.
pub async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<CreateForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .create_level(&me.ctx, level_id(&form.parent_id), &form.name)
        .await
    {
        Ok(level) => {
            Ok(Redirect::to(&format!("/admin/levels/{}?done=created", level.id)).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let (jar, csrf) = csrf::ensure(jar, state.config.https());
            let page = levels_page(&state, &me, csrf, &form, errors.errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_level.html")]
struct LevelPage {
    id: LevelId,
    name: String,
    version: i64,
    depth: usize,
    /// The names from the root down to this level.
    trail: String,
    children: Vec<TreeRow>,
    is_root: bool,
    may_manage: bool,
    csrf: String,
    /// Where it may move: every visible level outside its own subtree.
    parents: Vec<LevelOption>,
    /// The name typed into the rename form.
    new_name: String,
    errors: Vec<FieldError>,
    /// Why the last change was refused (someone else's change, a level not empty).
    problem: Option<String>,
    notice: Option<&'static str>,
}

impl LevelPage {
    fn error_of(&self, field: &str) -> Option<&str> {
        error_of(&self.errors, field)
    }
}

/// What the level page shows besides the level: the outcome of a refused change.
#[derive(Default)]
struct Outcome {
    new_name: Option<String>,
    parent_id: Option<LevelId>,
    errors: Vec<FieldError>,
    problem: Option<String>,
    notice: Option<&'static str>,
}

async fn level_page(
    state: &AppState,
    me: &SignedIn,
    id: LevelId,
    csrf: String,
    outcome: Outcome,
) -> Result<LevelPage, PageError> {
    let level = state.app.level_for(&me.ctx, id).await?;
    let levels = state.app.visible_levels(&me.ctx).await?;
    let may_manage = state.app.directory_rights(&me.ctx).await?.manage_levels;
    let trail = levels
        .iter()
        .filter(|other| other.contains(&level))
        .map(|other| other.name.as_str())
        .collect::<Vec<_>>()
        .join(" › ");
    let children: Vec<Level> = levels
        .iter()
        .filter(|other| other.parent_id == Some(level.id))
        .cloned()
        .collect();
    // A level cannot move below itself: its own subtree is not offered.
    let outside: Vec<Level> = levels
        .iter()
        .filter(|other| !level.contains(other))
        .cloned()
        .collect();
    Ok(LevelPage {
        id: level.id,
        name: level.name.clone(),
        version: level.version,
        depth: level.depth(),
        trail,
        children: tree_rows(&children),
        is_root: level.parent_id.is_none(),
        may_manage,
        csrf,
        parents: level_options(&outside, outcome.parent_id.or(level.parent_id)),
        new_name: outcome.new_name.unwrap_or(level.name),
        errors: outcome.errors,
        problem: outcome.problem,
        notice: outcome.notice,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

/// GET /admin/levels/{id}
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(done): Query<Done>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let notice = match done.done.as_str() {
        "created" => Some("The level was created."),
        "renamed" => Some("The level was renamed."),
        "moved" => Some("The level was moved, with everything below it."),
        _ => None,
    };
    let outcome = Outcome {
        notice,
        ..Outcome::default()
    };
    let page = level_page(&state, &me, LevelId(id), csrf, outcome).await?;
    Ok((jar, page).into_response())
}

/// Answers a refused change with the level page and what went wrong; other failures as
/// error pages.
async fn refused(
    state: &AppState,
    me: &SignedIn,
    jar: CookieJar,
    id: LevelId,
    error: AppError,
    mut outcome: Outcome,
) -> Result<Response, PageError> {
    let status = match error {
        AppError::Invalid(errors) => {
            outcome.errors = errors.errors;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::Stale => {
            // The page shows the level as it is now; the typed values would hide that.
            outcome = Outcome {
                problem: Some(STALE.to_owned()),
                ..Outcome::default()
            };
            StatusCode::CONFLICT
        }
        AppError::Conflict(why) => {
            outcome.problem = Some(why);
            StatusCode::CONFLICT
        }
        other => return Err(other.into()),
    };
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = level_page(state, me, id, csrf, outcome).await?;
    Ok((status, jar, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RenameForm {
    csrf: String,
    version: i64,
    name: String,
}

/// POST /admin/levels/{id}/rename
pub async fn rename(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<RenameForm>,
) -> Result<Response, PageError> {
    let id = LevelId(id);
    let change = LevelChange {
        name: Some(form.name.clone()),
        parent_id: None,
    };
    match state
        .app
        .update_level(&me.ctx, id, change, form.version)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/levels/{id}?done=renamed")).into_response()),
        Err(error) => {
            let outcome = Outcome {
                new_name: Some(form.name),
                ..Outcome::default()
            };
            refused(&state, &me, jar, id, error, outcome).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    csrf: String,
    version: i64,
    parent_id: String,
}

/// POST /admin/levels/{id}/move: the level goes below another, with everything below it.
pub async fn move_level(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, PageError> {
    let id = LevelId(id);
    let parent = level_id(&form.parent_id);
    let change = LevelChange {
        name: None,
        parent_id: Some(parent),
    };
    match state
        .app
        .update_level(&me.ctx, id, change, form.version)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/levels/{id}?done=moved")).into_response()),
        Err(error) => {
            let outcome = Outcome {
                parent_id: Some(parent),
                ..Outcome::default()
            };
            refused(&state, &me, jar, id, error, outcome).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    csrf: String,
    version: i64,
}

/// POST /admin/levels/{id}/delete: only an empty level goes; the page says why otherwise.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> Result<Response, PageError> {
    let id = LevelId(id);
    match state.app.delete_level(&me.ctx, id, form.version).await {
        Ok(()) => Ok(Redirect::to("/admin/levels?done=deleted").into_response()),
        Err(error) => refused(&state, &me, jar, id, error, Outcome::default()).await,
    }
}

crate::csrf::csrf_protected!(CreateForm, RenameForm, MoveForm, DeleteForm);
