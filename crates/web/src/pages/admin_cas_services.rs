//! CAS services of an application (operators): register one for an environment, change it
//! (version-checked) and delete it after a confirmation. Works without JavaScript; every
//! field error is shown at its field and in a summary.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use tessera_app::{CasService, CasServiceInput, CasServiceUpdate};
use tessera_domain::application::Environment;
use uuid::Uuid;

use crate::auth::SignedIn;
use crate::csrf::{self, CsrfForm};
use crate::error::PageError;
use crate::pages::admin_sso::{DeletePage, FormErrors, Refusal, SummaryItem, optional, refusal};
use crate::pages::pairs::Pairs;
use crate::state::AppState;

/// The values the form shows: as typed, as stored, or the defaults of a new service.
pub struct ServiceForm {
    pub environment: String,
    pub name: String,
    pub service_url: String,
    pub match_kind: String,
    pub proxy_allowed: bool,
    pub single_logout_url: String,
}

impl ServiceForm {
    fn new_service() -> Self {
        Self {
            environment: Environment::Production.as_str().into(),
            name: String::new(),
            service_url: String::new(),
            match_kind: "exact".into(),
            proxy_allowed: false,
            single_logout_url: String::new(),
        }
    }

    fn stored(service: &CasService) -> Self {
        Self {
            environment: service.environment.as_str().into(),
            name: service.name.clone(),
            service_url: service.service_url.clone(),
            match_kind: service.match_kind.clone(),
            proxy_allowed: service.proxy_allowed,
            single_logout_url: service.single_logout_url.clone().unwrap_or_default(),
        }
    }

    fn typed(form: &Pairs) -> Self {
        Self {
            environment: form.first("environment").into(),
            name: form.first("name").into(),
            service_url: form.first("service_url").into(),
            match_kind: form.first("match_kind").into(),
            proxy_allowed: !form.first("proxy_allowed").is_empty(),
            single_logout_url: form.first("single_logout_url").into(),
        }
    }
}

fn ask(application_id: Uuid, form: &Pairs) -> CasServiceInput {
    CasServiceInput {
        application_id,
        environment: form.first("environment").to_owned(),
        name: form.first("name").to_owned(),
        service_url: form.first("service_url").trim().to_owned(),
        match_kind: optional(form.first("match_kind")),
        proxy_allowed: !form.first("proxy_allowed").is_empty(),
        single_logout_url: optional(form.first("single_logout_url")),
    }
}

/// Set when the page changes an existing service.
pub struct Editing {
    pub id: Uuid,
    pub version: i64,
    pub environment: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_cas_service.html")]
struct ServicePage {
    application_id: Uuid,
    application_name: String,
    editing: Option<Editing>,
    form: ServiceForm,
    errors: FormErrors,
    summary: Vec<SummaryItem>,
    environments: Vec<(&'static str, &'static str)>,
    csrf: String,
}

impl ServicePage {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors.of(field)
    }
}

async fn service_page(
    state: &AppState,
    me: &SignedIn,
    application_id: Uuid,
    editing: Option<Editing>,
    form: ServiceForm,
    errors: FormErrors,
    csrf: String,
) -> Result<ServicePage, PageError> {
    let detail = state
        .app
        .application_detail(&me.ctx, application_id)
        .await?;
    Ok(ServicePage {
        application_id,
        application_name: detail.application.name,
        editing,
        form,
        summary: errors.summary(),
        errors,
        environments: Environment::ALL
            .iter()
            .map(|e| (e.as_str(), e.label()))
            .collect(),
        csrf,
    })
}

fn editing(service: &CasService) -> Editing {
    Editing {
        id: service.id,
        version: service.version,
        environment: service.environment.label(),
    }
}

fn back_to(application: Uuid, done: &str) -> Response {
    Redirect::to(&format!(
        "/admin/applications/{application}?done={done}#sso"
    ))
    .into_response()
}

/// GET /admin/applications/{id}/cas-services/new
pub async fn new(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let form = ServiceForm::new_service();
    let errors = FormErrors::new("service");
    let page = service_page(&state, &me, id, None, form, errors, csrf).await?;
    Ok((jar, page).into_response())
}

/// POST /admin/applications/{id}/cas-services
pub async fn register(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let error = match state
        .app
        .register_cas_service(&me.ctx, &ask(id, &form))
        .await
    {
        Ok(service) => return Ok(back_to(service.application_id, "service_registered")),
        Err(error) => error,
    };
    let Refusal::Fields(fields) = refusal(error)? else {
        return Err(PageError::new(
            StatusCode::CONFLICT,
            "Not possible",
            "The service could not be registered: try again.",
        ));
    };
    let errors = FormErrors {
        errors: fields,
        ..FormErrors::new("service")
    };
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let typed = ServiceForm::typed(&form);
    let page = service_page(&state, &me, id, None, typed, errors, csrf).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, jar, page).into_response())
}

/// GET /admin/cas-services/{id}
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let service = state.app.cas_service(&me.ctx, id).await?;
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let page = service_page(
        &state,
        &me,
        service.application_id,
        Some(editing(&service)),
        ServiceForm::stored(&service),
        FormErrors::new("service"),
        csrf,
    )
    .await?;
    Ok((jar, page).into_response())
}

/// POST /admin/cas-services/{id}: the new settings, if the service is unchanged since the
/// page was read.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
    CsrfForm(form): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let update = CasServiceUpdate {
        settings: ask(Uuid::nil(), &form),
        // A version that is not a number is one no service has: the change is stale.
        version: form.first("version").trim().parse().unwrap_or(-1),
    };
    let error = match state.app.update_cas_service(&me.ctx, id, &update).await {
        Ok(service) => return Ok(back_to(service.application_id, "service_saved")),
        Err(error) => error,
    };
    let refused = refusal(error)?;
    let current = state.app.cas_service(&me.ctx, id).await?;
    let mut errors = FormErrors::new("service");
    let mut edit = editing(&current);
    let (status, shown) = match refused {
        Refusal::Fields(fields) => {
            errors.errors = fields;
            // The version the operator read stays, so a change made meanwhile is noticed.
            edit.version = update.version;
            let mut typed = ServiceForm::typed(&form);
            typed.environment = current.environment.as_str().into();
            (StatusCode::UNPROCESSABLE_ENTITY, typed)
        }
        // The service as it is now: what was typed would hide the other change.
        Refusal::Stale(why) => {
            errors.problem = Some(why);
            (StatusCode::CONFLICT, ServiceForm::stored(&current))
        }
    };
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    let application = current.application_id;
    let page = service_page(&state, &me, application, Some(edit), shown, errors, csrf).await?;
    Ok((status, jar, page).into_response())
}

/// GET /admin/cas-services/{id}/delete: are you sure?
pub async fn confirm_delete(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    jar: CookieJar,
    me: SignedIn,
) -> Result<Response, PageError> {
    let service = state.app.cas_service(&me.ctx, id).await?;
    let (jar, csrf) = csrf::ensure(jar, state.config.https());
    Ok(DeletePage {
        kind: "CAS service",
        name: format!("{} ({})", service.name, service.service_url),
        consequence: "Its tickets not yet validated stop working, and /cas/login no longer accepts its address. The audit trail keeps what happened.",
        action: format!("/admin/cas-services/{id}/delete"),
        back: format!("/admin/cas-services/{id}"),
        csrf,
    }
    .response(jar))
}

/// POST /admin/cas-services/{id}/delete
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    me: SignedIn,
    CsrfForm(_form): CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let service = state.app.cas_service(&me.ctx, id).await?;
    state.app.delete_cas_service(&me.ctx, id).await?;
    Ok(back_to(service.application_id, "service_deleted"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_optional_fields_are_left_out() {
        let form = Pairs(vec![
            ("name".into(), "CASPER".into()),
            ("service_url".into(), " https://casper.example/ ".into()),
            ("match_kind".into(), "prefix".into()),
            ("single_logout_url".into(), "  ".into()),
        ]);
        let input = ask(Uuid::nil(), &form);
        assert_eq!(input.service_url, "https://casper.example/");
        assert_eq!(input.match_kind.as_deref(), Some("prefix"));
        assert_eq!(input.single_logout_url, None);
        assert!(!input.proxy_allowed);
    }
}
