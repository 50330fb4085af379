//! The applications pages (operators): the list with "Register an application", and one
//! application's page with its details (version-checked), its tile per environment, its
//! groups per environment (technical names derived by Tessera, shown, never typed) and, for
//! each group, the organisation levels whose subtrees may be granted it. Works without
//! JavaScript; every field error is shown at its field and in a summary.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_app::{AppError, ApplicationDetail, ApplicationInput, TileInput};
use tessera_domain::application::{Environment, PRE_PRODUCTION_PREFIX};
use tessera_domain::{FieldError, LevelId};
use uuid::Uuid;

use crate::auth::SignedIn;
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::pages::admin_users::level_options;
use crate::pages::pairs::Pairs;
use crate::state::AppState;

/// What someone is told when another change came first.
const STALE: &str = "Someone else changed this application after you opened the page. It is shown as it is now: check it, then make your change again.";

/// Tile icons may live on the applications' own https hosts: the pages that show them allow
/// https images, and nothing else beyond the site-wide policy.
pub(crate) const CSP_WITH_ICONS: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; \
     font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub(crate) fn with_icon_policy(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP_WITH_ICONS),
    );
    response
}

const ASSURANCES: [(&str, &str); 3] = [
    ("low", "Low: password alone"),
    ("medium", "Medium: password and a code (SMS, voice, app)"),
    ("high", "High: a security key"),
];

fn assurance_options() -> Vec<(&'static str, &'static str)> {
    ASSURANCES.to_vec()
}

fn environments() -> Vec<(&'static str, &'static str)> {
    Environment::ALL
        .iter()
        .map(|e| (e.as_str(), e.label()))
        .collect()
}

/// A message of the error summary, linking to its field.
pub struct Summary {
    pub anchor: String,
    pub message: String,
}

/// Errors of one form of the page (the page has several, with fields of the same names).
#[derive(Default)]
struct Failure {
    /// Which form they belong to: "application", "tile-{environment}", "group",
    /// "levels-{group id}".
    form: String,
    errors: Vec<FieldError>,
    /// What was typed into that form, shown again.
    typed: Pairs,
}

impl Failure {
    fn error(&self, form: &str, field: &str) -> Option<&str> {
        (self.form == form)
            .then(|| self.errors.iter().find(|e| e.field == field))
            .flatten()
            .map(|e| e.message.as_str())
    }

    /// The typed value of a field of the failed form, or the stored one.
    fn value(&self, form: &str, field: &str, stored: &str) -> String {
        if self.form == form {
            self.typed.first(field).to_owned()
        } else {
            stored.to_owned()
        }
    }

    fn summary(&self) -> Vec<Summary> {
        self.errors
            .iter()
            .map(|e| Summary {
                anchor: format!("{}-{}", self.form, e.field),
                message: e.message.clone(),
            })
            .collect()
    }
}

fn ask(form: &Pairs) -> ApplicationInput {
    ApplicationInput {
        code: form.first("code").to_owned(),
        name: form.first("name").to_owned(),
        description: form.first("description").to_owned(),
        min_assurance: form.first("min_assurance").to_owned(),
    }
}

pub struct ApplicationRow {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub min_assurance: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_applications.html")]
struct ApplicationsPage {
    rows: Vec<ApplicationRow>,
    csrf: String,
    code: String,
    name: String,
    description: String,
    min_assurance: String,
    assurances: Vec<(&'static str, &'static str)>,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
}

impl ApplicationsPage {
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

async fn list_page(
    state: &AppState,
    me: &SignedIn,
    csrf: String,
    typed: &Pairs,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> Result<ApplicationsPage, PageError> {
    let applications = state.app.applications(&me.ctx).await?;
    Ok(ApplicationsPage {
        rows: applications
            .into_iter()
            .map(|a| ApplicationRow {
                id: a.id,
                code: a.code,
                name: a.name,
                min_assurance: a.min_assurance.as_str(),
            })
            .collect(),
        csrf,
        code: typed.first("code").to_owned(),
        name: typed.first("name").to_owned(),
        description: typed.first("description").to_owned(),
        min_assurance: match typed.first("min_assurance") {
            "" => "low".to_owned(),
            other => other.to_owned(),
        },
        assurances: assurance_options(),
        errors,
        notice,
    })
}

/// GET /admin/applications
pub async fn list(
    State(state): State<AppState>,
    Query(done): Query<Done>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let notice = match done.done.as_str() {
        "deleted" => Some("The application was deleted."),
        _ => None,
    };
    let page = list_page(&state, &me, csrf, &Pairs::default(), Vec::new(), notice).await?;
    Ok((jar, page).into_response())
}

/// POST /admin/applications: an operator registers an application.
pub async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    match state.app.create_application(&me.ctx, &ask(&form)).await {
        Ok(app) => Ok(
            Redirect::to(&format!("/admin/applications/{}?done=created", app.id)).into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            let (jar, csrf) = csrf::ensure(jar, state.config.https());
            let page = list_page(&state, &me, csrf, &form, errors.errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub struct TileForm {
    pub environment: &'static str,
    pub environment_label: &'static str,
    pub label: String,
    pub icon: String,
    pub launch_url: String,
    /// Whether the environment has a tile yet.
    pub set: bool,
    pub label_error: Option<String>,
    pub icon_error: Option<String>,
    pub launch_url_error: Option<String>,
}

pub struct LevelCheck {
    pub id: LevelId,
    pub name: String,
    pub indent: String,
    pub checked: bool,
}

pub struct GroupRow {
    pub id: Uuid,
    pub technical_name: String,
    pub display_name: String,
    pub environment: &'static str,
    pub description: String,
    pub members: i64,
    /// The names of the levels it may be granted to, for the summary line.
    pub granted_to: String,
    pub levels: Vec<LevelCheck>,
    pub levels_error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_application.html")]
struct ApplicationPage {
    id: Uuid,
    code: String,
    version: i64,
    /// The stored name, for the title.
    title: String,
    name: String,
    description: String,
    min_assurance: String,
    assurances: Vec<(&'static str, &'static str)>,
    tiles: Vec<TileForm>,
    groups: Vec<GroupRow>,
    environments: Vec<(&'static str, &'static str)>,
    group_environment: String,
    group_role: String,
    group_description: String,
    /// An example of the derived name of a pre-production group.
    example: String,
    csrf: String,
    failure: Failure,
    summary: Vec<Summary>,
    /// Why the last change was refused (someone else's change, memberships left).
    problem: Option<String>,
    notice: Option<&'static str>,
    /// Its OpenID Connect clients and CAS services (`admin_sso.rs`).
    sso: crate::pages::admin_sso::SsoSection,
    /// Which environments accept external accounts (`admin_external.rs`).
    external: crate::pages::admin_external::ExternalSection,
}

impl ApplicationPage {
    fn err(&self, form: &str, field: &str) -> Option<&str> {
        self.failure.error(form, field)
    }
}

async fn application_page(
    state: &AppState,
    me: &SignedIn,
    id: Uuid,
    csrf: String,
    failure: Failure,
    problem: Option<String>,
    notice: Option<&'static str>,
) -> Result<ApplicationPage, PageError> {
    let ApplicationDetail {
        application: app,
        tiles,
        groups,
    } = state.app.application_detail(&me.ctx, id).await?;
    let levels = state.app.visible_levels(&me.ctx).await?;
    let sso = crate::pages::admin_sso::section(state, me, id).await?;
    let external = crate::pages::admin_external::section(state, me, id).await?;
    let tiles = Environment::ALL
        .iter()
        .map(|env| {
            let form = format!("tile-{}", env.as_str());
            let stored = tiles.iter().find(|t| t.environment == *env);
            let field = |name: &str, value: Option<&str>| {
                failure.value(&form, name, value.unwrap_or_default())
            };
            TileForm {
                environment: env.as_str(),
                environment_label: env.label(),
                label: field("label", stored.map(|t| t.label.as_str())),
                icon: field("icon", stored.map(|t| t.icon.as_str())),
                launch_url: field("launch_url", stored.map(|t| t.launch_url.as_str())),
                set: stored.is_some(),
                label_error: failure.error(&form, "label").map(str::to_owned),
                icon_error: failure.error(&form, "icon").map(str::to_owned),
                launch_url_error: failure.error(&form, "launch_url").map(str::to_owned),
            }
        })
        .collect();
    let groups = groups
        .into_iter()
        .map(|detail| {
            let form = format!("levels-{}", detail.group.id);
            let typed: Option<Vec<LevelId>> = (failure.form == form).then(|| {
                failure
                    .typed
                    .all("levels")
                    .filter_map(|v| Uuid::parse_str(v).ok().map(LevelId))
                    .collect()
            });
            let held: Vec<LevelId> = detail.levels.iter().map(|(id, _)| *id).collect();
            let checked = typed.unwrap_or(held);
            let granted_to = detail
                .levels
                .iter()
                .map(|(_, name)| name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            GroupRow {
                id: detail.group.id,
                display_name: detail.group.display_name().to_owned(),
                technical_name: detail.group.technical_name,
                environment: detail.group.environment.label(),
                description: detail.group.description,
                members: detail.members,
                granted_to,
                levels: level_options(&levels, None)
                    .into_iter()
                    .map(|option| LevelCheck {
                        checked: checked.contains(&option.id),
                        id: option.id,
                        name: option.name,
                        indent: option.indent,
                    })
                    .collect(),
                levels_error: failure.error(&form, "levels").map(str::to_owned),
            }
        })
        .collect();
    let summary = failure.summary();
    Ok(ApplicationPage {
        id: app.id,
        example: format!("{PRE_PRODUCTION_PREFIX}{}_WEB_DATA_SUBMITTER", app.code),
        code: app.code,
        version: app.version,
        title: app.name.clone(),
        name: failure.value("application", "name", &app.name),
        description: failure.value("application", "description", &app.description),
        min_assurance: failure.value("application", "min_assurance", app.min_assurance.as_str()),
        assurances: assurance_options(),
        tiles,
        groups,
        environments: environments(),
        group_environment: failure.value("group", "environment", Environment::Production.as_str()),
        group_role: failure.value("group", "role", ""),
        group_description: failure.value("group", "description", ""),
        csrf,
        failure,
        summary,
        problem,
        notice,
        sso,
        external,
    })
}

/// GET /admin/applications/{id}
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(done): Query<Done>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let notice = match done.done.as_str() {
        "created" => Some("The application was registered. Add its tiles and groups below."),
        "saved" => Some("Your changes were saved."),
        "tile" => Some("The tile was saved."),
        "group" => Some("The group was created."),
        "group_deleted" => Some("The group was deleted."),
        "levels" => Some("The levels that may be granted the group were saved."),
        "client_saved" => Some("The OpenID Connect client was saved."),
        "client_deleted" => Some("The OpenID Connect client was deleted."),
        "service_registered" => Some("The CAS service was registered."),
        "service_saved" => Some("The CAS service was saved."),
        "service_deleted" => Some("The CAS service was deleted."),
        "external" => Some("Whether the environment accepts external accounts was saved."),
        _ => None,
    };
    let page = application_page(&state, &me, id, csrf, Failure::default(), None, notice).await?;
    Ok(with_icon_policy((jar, page).into_response()))
}

/// Answers a refused change with the application page and what went wrong; other failures
/// as error pages.
async fn refused(
    state: &AppState,
    me: &SignedIn,
    jar: CookieJar,
    id: Uuid,
    error: AppError,
    mut failure: Failure,
) -> Result<Response, PageError> {
    let mut problem = None;
    let status = match error {
        AppError::Invalid(errors) => {
            failure.errors = errors.errors;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::Stale => {
            // The page shows the application as it is now; the typed values would hide that.
            failure = Failure::default();
            problem = Some(STALE.to_owned());
            StatusCode::CONFLICT
        }
        AppError::Conflict(why) => {
            failure = Failure::default();
            problem = Some(why);
            StatusCode::CONFLICT
        }
        other => return Err(other.into()),
    };
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = application_page(state, me, id, csrf, failure, problem, None).await?;
    Ok(with_icon_policy((status, jar, page).into_response()))
}

fn done(id: Uuid, what: &str) -> Response {
    Redirect::to(&format!("/admin/applications/{id}?done={what}")).into_response()
}

/// POST /admin/applications/{id}: name, description and minimum assurance, if unchanged
/// since the page was read.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let version = form.first("version").trim().parse::<i64>().unwrap_or(0);
    match state
        .app
        .update_application(&me.ctx, id, &ask(&form), version)
        .await
    {
        Ok(_) => Ok(done(id, "saved")),
        Err(error) => {
            let failure = Failure {
                form: "application".into(),
                typed: form,
                ..Failure::default()
            };
            refused(&state, &me, jar, id, error, failure).await
        }
    }
}

/// POST /admin/applications/{id}/delete: only an application nobody holds a group of.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(_form): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    match state.app.delete_application(&me.ctx, id).await {
        Ok(()) => Ok(Redirect::to("/admin/applications?done=deleted").into_response()),
        Err(error) => refused(&state, &me, jar, id, error, Failure::default()).await,
    }
}

/// POST /admin/applications/{id}/tiles/{environment}
pub async fn put_tile(
    State(state): State<AppState>,
    Path((id, environment)): Path<(Uuid, String)>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let input = TileInput {
        label: form.first("label").to_owned(),
        icon: form.first("icon").to_owned(),
        launch_url: form.first("launch_url").to_owned(),
    };
    match state.app.put_tile(&me.ctx, id, &environment, &input).await {
        Ok(_) => Ok(done(id, "tile")),
        Err(error) => {
            let failure = Failure {
                form: format!("tile-{environment}"),
                typed: form,
                ..Failure::default()
            };
            refused(&state, &me, jar, id, error, failure).await
        }
    }
}

/// POST /admin/applications/{id}/groups: a group of one environment, named by Tessera.
pub async fn create_group(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    match state
        .app
        .create_group(
            &me.ctx,
            id,
            form.first("environment"),
            form.first("role"),
            form.first("description"),
        )
        .await
    {
        Ok(group) => Ok(Redirect::to(&format!(
            "/admin/applications/{id}?done=group#group-{}",
            group.id
        ))
        .into_response()),
        Err(error) => {
            let failure = Failure {
                form: "group".into(),
                typed: form,
                ..Failure::default()
            };
            refused(&state, &me, jar, id, error, failure).await
        }
    }
}

/// POST /admin/applications/{id}/groups/{group}/delete: only a group nobody holds.
pub async fn delete_group(
    State(state): State<AppState>,
    Path((id, group)): Path<(Uuid, Uuid)>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(_form): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    match state.app.delete_group(&me.ctx, group).await {
        Ok(()) => Ok(done(id, "group_deleted")),
        Err(error) => refused(&state, &me, jar, id, error, Failure::default()).await,
    }
}

/// POST /admin/applications/{id}/groups/{group}/levels: the levels whose subtrees may be
/// granted the group (every checked box; none unchecks all).
pub async fn set_group_levels(
    State(state): State<AppState>,
    Path((id, group)): Path<(Uuid, Uuid)>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    // An id that is not one names nothing; the use case then says which field is wrong.
    let levels: Vec<LevelId> = form
        .all("levels")
        .map(|v| LevelId(Uuid::parse_str(v.trim()).unwrap_or(Uuid::nil())))
        .collect();
    match state.app.set_group_levels(&me.ctx, group, &levels).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/admin/applications/{id}?done=levels#group-{group}"
        ))
        .into_response()),
        Err(error) => {
            let failure = Failure {
                form: format!("levels-{group}"),
                typed: form,
                ..Failure::default()
            };
            refused(&state, &me, jar, id, error, failure).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_domain::session::Assurance;

    #[test]
    fn every_offered_assurance_is_one_the_domain_knows() {
        for (name, _) in ASSURANCES {
            assert!(Assurance::parse(name).is_some(), "{name}");
        }
    }

    #[test]
    fn errors_belong_to_their_form_only() {
        let failure = Failure {
            form: "tile-production".into(),
            errors: vec![FieldError {
                field: "label",
                code: "required",
                message: "Enter the label.".into(),
            }],
            typed: Pairs(vec![("label".into(), "typed".into())]),
        };
        assert_eq!(
            failure.error("tile-production", "label"),
            Some("Enter the label.")
        );
        assert_eq!(failure.error("tile-pre_production", "label"), None);
        assert_eq!(failure.value("tile-production", "label", "stored"), "typed");
        assert_eq!(failure.value("application", "name", "stored"), "stored");
        assert_eq!(failure.summary()[0].anchor, "tile-production-label");
    }
}
