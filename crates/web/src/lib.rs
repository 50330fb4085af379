//! The web layer: HTTP routes, pages and middleware. Handlers are thin: they parse the
//! request, call one use case of the app layer, and render its answer.

mod api;
mod api_applications;
mod api_audit;
mod api_bulk;
mod api_cas_services;
mod api_directory;
mod api_memberships;
mod api_oidc_clients;
mod api_roles;
mod auth;
pub mod captcha;
mod captcha_audio;
mod captcha_image;
mod cas;
mod cookies;
mod csrf;
mod cursor;
mod error;
mod i18n;
mod metrics;
mod middleware;
mod oidc;
mod oidc_logout;
mod openapi;
mod ops;
mod pages;
mod problem;
mod rate_limit;
mod return_to;
mod serve;
mod state;

pub use metrics::Metrics;
pub use serve::serve;
pub use state::{AppState, WebConfig};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

/// Every route Tessera serves, with its middleware.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(pages::home::show))
        .route("/language/{code}", get(i18n::choose))
        .route(
            "/register",
            get(pages::register::show).post(pages::register::submit),
        )
        .route("/register/help", get(pages::register::help))
        .route("/register/renew", post(pages::register::renew))
        .route(
            "/register/verify/{token}",
            get(pages::register::show_link).post(pages::register::submit_link),
        )
        .route("/privacy", get(pages::register::privacy))
        .route(
            "/admin/applications/{id}/external/{environment}",
            post(pages::admin_external::save),
        )
        .route(
            "/api/v1/applications/{id}/environments/{environment}/external",
            get(pages::admin_external::api_get).put(pages::admin_external::api_put),
        )
        .route(
            "/setup/{token}",
            get(pages::setup::show).post(pages::setup::submit),
        )
        .route(
            "/signin",
            get(pages::signin::show_email).post(pages::signin::submit_email),
        )
        .route(
            "/signin/password",
            get(pages::signin::show_password).post(pages::signin::submit_password),
        )
        .route(
            "/signin/code",
            get(pages::signin_code::show).post(pages::signin_code::submit),
        )
        .route("/signin/code/resend", post(pages::signin_code::resend))
        .route("/signin/method", post(pages::signin_code::switch))
        .route("/signin/key", post(pages::signin_code::key_submit))
        .route("/signin/key/options", post(pages::signin_code::key_options))
        .route("/signin/passkey", post(pages::signin_code::passkey_submit))
        .route(
            "/signin/passkey/options",
            post(pages::signin_code::passkey_options),
        )
        .route("/signin/step-up", get(pages::signin_code::step_up))
        .route(
            "/signin/reset",
            get(pages::reset::show_request).post(pages::reset::submit_request),
        )
        .route(
            "/signin/reset/{token}",
            get(pages::reset::show_link).post(pages::reset::submit_link),
        )
        .route("/signout", post(pages::signin::sign_out))
        .route("/account", get(pages::account::show))
        .route(
            "/account/password",
            get(pages::password::show).post(pages::password::submit),
        )
        .route("/account/security", get(pages::security::show))
        .route("/account/security/phones", post(pages::security::add_phone))
        .route(
            "/account/security/phones/confirm",
            post(pages::security::confirm_phone),
        )
        .route(
            "/account/security/phones/remove",
            post(pages::security::remove_phone),
        )
        .route(
            "/account/security/phones/default",
            post(pages::security::default_phone),
        )
        .route(
            "/account/security/default",
            post(pages::security::default_method),
        )
        .route("/account/security/apps", post(pages::security::add_app))
        .route(
            "/account/security/apps/{id}",
            get(pages::security::show_app),
        )
        .route(
            "/account/security/apps/{id}/confirm",
            post(pages::security::confirm_app),
        )
        .route(
            "/account/security/apps/{id}/remove",
            post(pages::security::remove_app),
        )
        .route("/account/security/keys", post(pages::security::add_key))
        .route("/account/security/keys/new", get(pages::security::new_key))
        .route(
            "/account/security/keys/options",
            post(pages::security::key_options),
        )
        .route(
            "/account/security/keys/{id}/remove",
            post(pages::security::remove_key),
        )
        .route("/account/sessions", get(pages::sessions::show))
        .route("/account/sessions/{id}/end", post(pages::sessions::end))
        .route("/account/consents", get(pages::account_consents::show))
        .route(
            "/account/consents/{client}/withdraw",
            post(pages::account_consents::withdraw),
        )
        .route("/admin/outbox", get(pages::outbox::show))
        .route(
            "/admin/users",
            get(pages::admin_users::list).post(pages::admin_users::create),
        )
        .route("/admin/users/new", get(pages::admin_users::new))
        .route("/admin/users/export", get(pages::admin_csv::export))
        .route(
            "/admin/levels",
            get(pages::admin_levels::list).post(pages::admin_levels::create),
        )
        .route("/admin/levels/{id}", get(pages::admin_levels::show))
        .route(
            "/admin/levels/{id}/rename",
            post(pages::admin_levels::rename),
        )
        .route(
            "/admin/levels/{id}/move",
            post(pages::admin_levels::move_level),
        )
        .route(
            "/admin/levels/{id}/delete",
            post(pages::admin_levels::delete),
        )
        .route(
            "/admin/nominations",
            get(pages::admin_nominations::show).post(pages::admin_nominations::nominate),
        )
        .route(
            "/admin/nominations/appoint",
            post(pages::admin_nominations::appoint),
        )
        .route(
            "/admin/nominations/revoke",
            post(pages::admin_nominations::revoke),
        )
        .route(
            "/admin/nominations/{id}/confirm",
            post(pages::admin_nominations::confirm),
        )
        .route(
            "/admin/nominations/{id}/reject",
            post(pages::admin_nominations::reject),
        )
        .route(
            "/admin/users/{id}",
            get(pages::admin_users::show).post(pages::admin_users::update),
        )
        .route("/admin/users/{id}/edit", get(pages::admin_users::edit))
        .route(
            "/admin/users/{id}/memberships",
            get(pages::memberships::show).post(pages::memberships::submit),
        )
        .route("/account/apps", get(pages::my_apps::show))
        .route(
            "/admin/applications",
            get(pages::admin_applications::list).post(pages::admin_applications::create),
        )
        .route(
            "/admin/applications/{id}",
            get(pages::admin_applications::show).post(pages::admin_applications::update),
        )
        .route(
            "/admin/applications/{id}/delete",
            post(pages::admin_applications::delete),
        )
        .route(
            "/admin/applications/{id}/tiles/{environment}",
            post(pages::admin_applications::put_tile),
        )
        .route(
            "/admin/applications/{id}/groups",
            post(pages::admin_applications::create_group),
        )
        .route(
            "/admin/applications/{id}/groups/{group}/delete",
            post(pages::admin_applications::delete_group),
        )
        .route(
            "/admin/applications/{id}/groups/{group}/levels",
            post(pages::admin_applications::set_group_levels),
        )
        .route(
            "/admin/applications/{id}/oidc-clients/new",
            get(pages::admin_oidc_clients::new),
        )
        .route(
            "/admin/applications/{id}/oidc-clients",
            post(pages::admin_oidc_clients::register),
        )
        .route(
            "/admin/oidc-clients/{id}",
            get(pages::admin_oidc_clients::edit).post(pages::admin_oidc_clients::update),
        )
        .route(
            "/admin/oidc-clients/{id}/delete",
            get(pages::admin_oidc_clients::confirm_delete).post(pages::admin_oidc_clients::delete),
        )
        .route(
            "/admin/applications/{id}/cas-services/new",
            get(pages::admin_cas_services::new),
        )
        .route(
            "/admin/applications/{id}/cas-services",
            post(pages::admin_cas_services::register),
        )
        .route(
            "/admin/cas-services/{id}",
            get(pages::admin_cas_services::edit).post(pages::admin_cas_services::update),
        )
        .route(
            "/admin/cas-services/{id}/delete",
            get(pages::admin_cas_services::confirm_delete).post(pages::admin_cas_services::delete),
        )
        .route(
            "/admin/users/{id}/delete",
            get(pages::admin_users::confirm_delete).post(pages::admin_users::delete),
        )
        .route(
            "/api/v1/levels",
            get(api_directory::levels).post(api_directory::create_level),
        )
        .route(
            "/api/v1/levels/{id}",
            get(api_directory::level)
                .patch(api_directory::update_level)
                .delete(api_directory::delete_level),
        )
        .route(
            "/api/v1/users",
            get(api_directory::users).post(api_directory::create_user),
        )
        .route(
            "/api/v1/users/{id}",
            get(api_directory::user)
                .put(api_directory::replace_user)
                .delete(api_directory::delete_user),
        )
        .route(
            "/api/v1/nominations",
            get(api_roles::pending).post(api_roles::nominate),
        )
        .route("/api/v1/nominations/{id}/confirm", post(api_roles::confirm))
        .route("/api/v1/nominations/{id}/reject", post(api_roles::reject))
        .route("/api/v1/roles", post(api_roles::appoint))
        .route(
            "/api/v1/roles/{user_id}/{role}/{level_id}",
            axum::routing::delete(api_roles::revoke),
        )
        .route(
            "/api/v1/applications",
            get(api_applications::applications).post(api_applications::create_application),
        )
        .route(
            "/api/v1/applications/{id}",
            get(api_applications::application)
                .patch(api_applications::update_application)
                .delete(api_applications::delete_application),
        )
        .route(
            "/api/v1/applications/{id}/tiles/{environment}",
            axum::routing::put(api_applications::put_tile),
        )
        .route(
            "/api/v1/applications/{id}/groups",
            post(api_applications::create_group),
        )
        .route(
            "/api/v1/groups/{id}",
            axum::routing::delete(api_applications::delete_group),
        )
        .route(
            "/api/v1/groups/{id}/levels",
            axum::routing::put(api_applications::set_group_levels),
        )
        .route(
            "/api/v1/groups/{id}/memberships",
            post(api_memberships::grant_to_many),
        )
        .route(
            "/api/v1/users/{id}/memberships",
            get(api_memberships::memberships).post(api_memberships::change_memberships),
        )
        .route(
            "/api/v1/users/{id}/assignable-groups",
            get(api_memberships::assignable_groups),
        )
        .route(
            "/api/v1/applications/{id}/cas-services",
            get(api_cas_services::services).post(api_cas_services::register),
        )
        .route(
            "/api/v1/cas-services/{id}",
            get(api_cas_services::service)
                .put(api_cas_services::change)
                .delete(api_cas_services::delete),
        )
        .route(
            "/api/v1/applications/{id}/oidc-clients",
            get(api_oidc_clients::clients).post(api_oidc_clients::register),
        )
        .route(
            "/api/v1/oidc-clients/{id}",
            get(api_oidc_clients::client)
                .put(api_oidc_clients::change)
                .delete(api_oidc_clients::delete),
        )
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/audit", get(api_audit::audit))
        .route("/admin/audit", get(pages::admin_audit::show))
        .route("/api/v1/outbox", get(api::outbox))
        .route("/api/v1/outbox/test-messages", post(api::send_test_message))
        .route("/api/v1/outbox/{id}/attempts", get(api::outbox_attempts))
        .route("/oidc/authorize", get(oidc::authorize))
        .route("/oidc/consent", post(pages::consent::answer))
        .route(
            "/oidc/logout",
            get(oidc_logout::end_session).post(oidc_logout::end_session_form),
        )
        .route("/oidc/logout/confirm", post(oidc_logout::confirm))
        .route("/cas/login", get(cas::login))
        .route("/cas/logout", get(cas::logout))
        .route("/cas/serviceValidate", get(cas::service_validate))
        .route("/cas/p3/serviceValidate", get(cas::p3_service_validate))
        .route("/cas/proxyValidate", get(cas::proxy_validate))
        .route("/cas/proxy", get(cas::proxy))
        .route("/cas/p3/proxyValidate", get(cas::proxy_validate))
        .route("/static/{file}", get(pages::assets::serve))
        .route("/captcha/challenge", get(captcha::challenge))
        .route("/captcha/{id}/image", get(captcha::image))
        .route("/captcha/{id}/audio", get(captcha::audio))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(error::not_found);
    // CSV imports may be larger than every other body: both the outer limit and the one
    // axum's body extractors apply by themselves (2 MB) are raised for these routes.
    let bulk = Router::new()
        .route(
            "/api/v1/levels/{id}/users.csv",
            get(api_bulk::export).post(api_bulk::import),
        )
        .route(
            "/admin/users/import",
            get(pages::admin_csv::show).post(pages::admin_csv::import),
        )
        .layer(DefaultBodyLimit::max(middleware::BULK_LIMIT));
    // What applications call, machine to machine: the fewest layers (`wrap_machine`).
    let machine = Router::new()
        .route("/.well-known/openid-configuration", get(oidc::discovery))
        .route("/oidc/jwks", get(oidc::jwks))
        .route("/oidc/token", post(oidc::token))
        .route("/oidc/userinfo", get(oidc::userinfo).post(oidc::userinfo))
        .route("/oidc/introspect", post(oidc::introspect))
        .route("/oidc/revoke", post(oidc::revoke));
    middleware::wrap(routes, state.clone(), middleware::BODY_LIMIT)
        .merge(middleware::wrap_machine(machine, state.clone()))
        .merge(middleware::wrap(
            bulk,
            state.clone(),
            middleware::BULK_LIMIT,
        ))
        .with_state(state)
}
