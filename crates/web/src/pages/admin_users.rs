//! The Users page, as in the ECB Identity Portal manual: search by level ("Include
//! sub-levels"), first name, last name, e-mail and phone; "Reset" and "Search"; sortable
//! columns; keyset paging; view, edit and delete on each row; "Create a new user". Works
//! without JavaScript. Every decision is the app's (and so the domain's).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use tessera_app::{AppError, SUPPORTED_LANGUAGES, UserInput, UserQuery};
use tessera_domain::level::Level;
use tessera_domain::{FieldError, LevelId, UserId};
use uuid::Uuid;

use crate::auth::SignedIn;
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::state::AppState;

/// A level in a select box, indented by depth.
pub struct LevelOption {
    pub id: LevelId,
    pub name: String,
    pub indent: String,
    pub selected: bool,
}

pub(crate) fn level_options(levels: &[Level], selected: Option<LevelId>) -> Vec<LevelOption> {
    let top = levels.iter().map(Level::depth).min().unwrap_or(0);
    levels
        .iter()
        .map(|level| LevelOption {
            id: level.id,
            name: level.name.clone(),
            indent: "\u{2003}".repeat(level.depth().saturating_sub(top)),
            selected: Some(level.id) == selected,
        })
        .collect()
}

/// A group in the "Select membership" box.
pub struct GroupOption {
    pub id: Uuid,
    pub label: String,
    pub selected: bool,
}

pub struct Column {
    pub label: &'static str,
    pub sortable: bool,
    pub href: String,
    pub current: bool,
}

pub struct Row {
    pub id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub level: String,
    pub status: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_users.html")]
struct UsersPage {
    levels: Vec<LevelOption>,
    include_sub_levels: bool,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    sort: String,
    columns: Vec<Column>,
    rows: Vec<Row>,
    next: Option<String>,
    may_create: bool,
    may_manage: bool,
    /// "Select membership": the groups whose holders the reader may look for.
    groups: Vec<GroupOption>,
    /// "Assign memberships" on each row.
    may_assign: bool,
    /// Links to the other administration pages the reader may use.
    may_view_levels: bool,
    may_nominate: bool,
    /// `level_id=…` of the level searched, for "Export CSV" and "Import CSV".
    level_query: String,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct SearchForm {
    level_id: String,
    include_sub_levels: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    group_id: String,
    sort: String,
    after: String,
    done: String,
}

impl SearchForm {
    /// The query string of this search with another sort (and from the first page), or
    /// from the page after `after`.
    fn href(&self, sort: &str, after: Option<&str>) -> String {
        let mut pairs = url_pairs(&[
            ("level_id", &self.level_id),
            ("include_sub_levels", &self.include_sub_levels),
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
            ("email", &self.email),
            ("phone", &self.phone),
            ("group_id", &self.group_id),
            ("sort", sort),
        ]);
        if let Some(after) = after {
            pairs.push_str(&format!("&after={after}"));
        }
        format!("/admin/users?{pairs}")
    }
}

fn url_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes a query value (everything but unreserved characters).
pub(crate) fn percent(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn notice_of(done: &str) -> Option<&'static str> {
    match done {
        "deleted" => Some("The user was deleted."),
        _ => None,
    }
}

pub async fn list(
    State(state): State<AppState>,
    Query(form): Query<SearchForm>,
    me: SignedIn,
) -> Result<Response, PageError> {
    let rights = state.app.directory_rights(&me.ctx).await?;
    if !rights.view_users {
        return Err(AppError::Forbidden.into());
    }
    let administration = state.app.administration_rights(&me.ctx).await?;
    let membership_rights = state.app.membership_rights(&me.ctx).await?;
    let groups = state.app.filterable_groups(&me.ctx).await?;
    let group_id = Uuid::parse_str(form.group_id.trim()).ok();
    let levels = state.app.visible_levels(&me.ctx).await?;
    let chosen = Uuid::parse_str(form.level_id.trim()).ok().map(LevelId);
    let level_id = chosen.or_else(|| levels.first().map(|l| l.id));
    let after = crate::cursor::decode(&form.after);
    let query = UserQuery {
        level_id,
        // The first visit lists the whole visible tree.
        include_sub_levels: form.include_sub_levels == "on" || chosen.is_none(),
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        email: form.email.clone(),
        phone: form.phone.clone(),
        group_id,
        sort: form.sort.clone(),
        after,
        limit: 50,
    };
    let mut sort = form.sort.clone();
    let (rows, next, error) = match state.app.search_users(&me.ctx, &query).await {
        Ok(page) => {
            let rows = page
                .hits
                .iter()
                .map(|hit| Row {
                    id: hit.user.id,
                    first_name: hit.user.first_name.clone(),
                    last_name: hit.user.last_name.clone(),
                    email: hit.user.email.clone(),
                    level: hit.level_name.clone(),
                    status: state.app.status_of(&hit.user).as_str(),
                })
                .collect();
            sort = page.sort.to_owned();
            let next = page
                .next
                .map(|(key, id)| form.href(&sort, Some(&crate::cursor::encode(&key, id))));
            (rows, next, None)
        }
        Err(AppError::Invalid(errors)) => (Vec::new(), None, Some(errors.to_string())),
        Err(other) => return Err(other.into()),
    };
    if sort.is_empty() {
        sort = "last_name".to_owned();
    }
    let column = |label, key: &str| Column {
        label,
        sortable: !key.is_empty(),
        href: form.href(key, None),
        current: key == sort,
    };
    let page = UsersPage {
        levels: level_options(&levels, level_id),
        include_sub_levels: query.include_sub_levels,
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        email: form.email.clone(),
        phone: form.phone.clone(),
        columns: vec![
            column("Last name", "last_name"),
            column("First name", "first_name"),
            column("E-mail", "email"),
            column("Level", ""),
            column("Status", ""),
        ],
        sort,
        rows,
        next,
        may_create: rights.manage_users,
        may_manage: rights.manage_users,
        groups: groups
            .into_iter()
            .map(|(group, application)| GroupOption {
                selected: Some(group.id) == group_id,
                label: format!(
                    "{} ({application}, {})",
                    group.technical_name,
                    group.environment.label()
                ),
                id: group.id,
            })
            .collect(),
        may_assign: membership_rights.assign,
        may_view_levels: administration.view_levels,
        may_nominate: administration.nominate || administration.decide_roles,
        level_query: format!(
            "level_id={}",
            level_id.map(|id| id.to_string()).unwrap_or_default()
        ),
        notice: notice_of(&form.done),
        error,
    };
    Ok(page.into_response())
}

/// One input of the user form.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub value: String,
    pub required: bool,
    pub hint: Option<&'static str>,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_user_form.html")]
struct UserFormPage {
    title: &'static str,
    action: String,
    csrf: String,
    version: i64,
    levels: Vec<LevelOption>,
    fields: Vec<Field>,
    languages: Vec<(&'static str, &'static str)>,
    language: String,
    errors: Vec<FieldError>,
}

impl UserFormPage {
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct UserForm {
    csrf: String,
    version: i64,
    level_id: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    company_id: String,
    expires_on: String,
    language: String,
}

impl UserForm {
    fn input(&self) -> UserInput {
        UserInput {
            level_id: Uuid::parse_str(self.level_id.trim()).ok().map(LevelId),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            company_id: self.company_id.clone(),
            expires_on: self.expires_on.clone(),
            language: self.language.clone(),
        }
    }
}

fn language_name(code: &str) -> &'static str {
    match code {
        "fr" => "Français",
        "de" => "Deutsch",
        _ => "English",
    }
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    title: &'static str,
    action: String,
    csrf: String,
    levels: &[Level],
    form: &UserForm,
    errors: Vec<FieldError>,
) -> UserFormPage {
    let error = |name: &str| {
        errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.clone())
    };
    let field = |name, label, kind, value: &str, required, hint| Field {
        name,
        label,
        kind,
        value: value.to_owned(),
        required,
        hint,
        error: error(name),
    };
    let selected = Uuid::parse_str(form.level_id.trim()).ok().map(LevelId);
    UserFormPage {
        title,
        action,
        csrf,
        version: form.version,
        levels: level_options(levels, selected),
        fields: vec![
            field(
                "first_name",
                "First name",
                "text",
                &form.first_name,
                true,
                None,
            ),
            field(
                "last_name",
                "Last name",
                "text",
                &form.last_name,
                true,
                None,
            ),
            field("email", "E-mail address", "email", &form.email, true, None),
            field(
                "phone",
                "Phone number",
                "tel",
                &form.phone,
                false,
                Some("International format, e.g. +49 151 2345 6789. Sign-in codes go there."),
            ),
            field(
                "company_id",
                "Company ID",
                "text",
                &form.company_id,
                false,
                Some("Optional; only some applications use it."),
            ),
            field(
                "expires_on",
                "Account expiration date",
                "date",
                &form.expires_on,
                false,
                Some(
                    "Optional, for temporary accounts: from this day on the account cannot sign in.",
                ),
            ),
        ],
        languages: SUPPORTED_LANGUAGES
            .iter()
            .map(|code| (*code, language_name(code)))
            .collect(),
        language: if form.language.is_empty() {
            "en".into()
        } else {
            form.language.clone()
        },
        errors,
    }
}

pub async fn new(
    State(state): State<AppState>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    if !state.app.directory_rights(&me.ctx).await?.manage_users {
        return Err(AppError::Forbidden.into());
    }
    let levels = state.app.visible_levels(&me.ctx).await?;
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let form = UserForm::default();
    let page = form_page(
        "Create a new user",
        "/admin/users".into(),
        csrf,
        &levels,
        &form,
        Vec::new(),
    );
    Ok((jar, page).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<UserForm>,
) -> Result<Response, PageError> {
    match state.app.create_user(&me.ctx, &form.input()).await {
        Ok(user) => {
            Ok(Redirect::to(&format!("/admin/users/{}?done=created", user.id.0)).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let levels = state.app.visible_levels(&me.ctx).await?;
            let (jar, csrf) = csrf::ensure(jar, state.config.https());
            let page = form_page(
                "Create a new user",
                "/admin/users".into(),
                csrf,
                &levels,
                &form,
                errors.errors,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_user.html")]
struct UserPage {
    id: Uuid,
    name: String,
    email: String,
    level: String,
    phone: String,
    company_id: String,
    expires_on: String,
    language: &'static str,
    status: &'static str,
    roles: String,
    may_manage: bool,
    may_nominate: bool,
    may_assign: bool,
    notice: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(done): Query<Done>,
    me: SignedIn,
) -> Result<Response, PageError> {
    let record = state.app.user_record(&me.ctx, UserId(id)).await?;
    let rights = state.app.directory_rights(&me.ctx).await?;
    let administration = state.app.administration_rights(&me.ctx).await?;
    let may_assign = state.app.membership_rights(&me.ctx).await?.assign;
    let user = &record.user;
    let page = UserPage {
        id,
        name: user.display_name(),
        email: user.email.clone(),
        level: record.level_name.clone(),
        phone: record.phones.first().cloned().unwrap_or_else(|| "—".into()),
        company_id: user.company_id.clone().unwrap_or_else(|| "—".into()),
        expires_on: user
            .expires_at
            .map_or_else(|| "—".into(), |at| at.date().to_string()),
        language: language_name(&user.language),
        status: record.status.as_str(),
        roles: if record.roles.is_empty() {
            "—".into()
        } else {
            record
                .roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        },
        may_manage: rights.manage_users,
        may_nominate: administration.nominate || administration.decide_roles,
        may_assign,
        notice: match done.done.as_str() {
            "created" => Some("The user was created and an invitation e-mail is on its way."),
            "saved" => Some("Your changes were saved."),
            _ => None,
        },
    };
    Ok(page.into_response())
}

fn form_of(record: &tessera_app::UserRecord) -> UserForm {
    let user = &record.user;
    UserForm {
        csrf: String::new(),
        version: user.version,
        level_id: user.level_id.0.to_string(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        email: user.email.clone(),
        phone: record.phones.first().cloned().unwrap_or_default(),
        company_id: user.company_id.clone().unwrap_or_default(),
        expires_on: user
            .expires_at
            .map(|at| at.date().to_string())
            .unwrap_or_default(),
        language: user.language.clone(),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let record = state.app.user_record(&me.ctx, UserId(id)).await?;
    let levels = state.app.visible_levels(&me.ctx).await?;
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = form_page(
        "Edit user",
        format!("/admin/users/{id}"),
        csrf,
        &levels,
        &form_of(&record),
        Vec::new(),
    );
    Ok((jar, page).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<UserForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .update_user(&me.ctx, UserId(id), &form.input(), form.version)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}?done=saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let levels = state.app.visible_levels(&me.ctx).await?;
            let (jar, csrf) = csrf::ensure(jar, state.config.https());
            let page = form_page(
                "Edit user",
                format!("/admin/users/{id}"),
                csrf,
                &levels,
                &form,
                errors.errors,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_user_delete.html")]
struct DeletePage {
    id: Uuid,
    csrf: String,
    version: i64,
    name: String,
    email: String,
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let record = state.app.user_record(&me.ctx, UserId(id)).await?;
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = DeletePage {
        id,
        csrf,
        version: record.user.version,
        name: record.user.display_name(),
        email: record.user.email.clone(),
    };
    Ok((jar, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    csrf: String,
    version: i64,
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    me: SignedIn,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> Result<Response, PageError> {
    state
        .app
        .delete_user(&me.ctx, UserId(id), Some(form.version))
        .await?;
    Ok(Redirect::to("/admin/users?done=deleted").into_response())
}

crate::csrf::csrf_protected!(UserForm, DeleteForm);
