//! The OpenAPI 3.1 document of the JSON API, generated from the handlers' annotations
//! (utoipa) and served at `/api/v1/openapi.json`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;

use crate::{
    api, api_applications, api_audit, api_bulk, api_cas_services, api_directory, api_memberships,
    api_oidc_clients, api_roles, problem,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tessera",
        description = "Identity portal: organisation levels, users and their administrators, applications with their groups, memberships, the audit trail, messages. Calls use the session cookie of a signed-in person; calls that change something also send the tessera_csrf cookie's value in X-CSRF-Token. Errors are RFC 9457 problem details."
    ),
    paths(
        api_directory::levels,
        api_directory::level,
        api_directory::create_level,
        api_directory::update_level,
        api_directory::delete_level,
        api_directory::users,
        api_directory::user,
        api_directory::create_user,
        api_directory::replace_user,
        api_directory::delete_user,
        api_bulk::export,
        api_bulk::import,
        api_roles::nominate,
        api_roles::pending,
        api_roles::confirm,
        api_roles::reject,
        api_roles::appoint,
        api_roles::revoke,
        api_applications::applications,
        api_applications::create_application,
        api_applications::application,
        api_applications::update_application,
        api_applications::delete_application,
        api_applications::put_tile,
        crate::pages::admin_external::api_get,
        crate::pages::admin_external::api_put,
        api_applications::create_group,
        api_applications::delete_group,
        api_applications::set_group_levels,
        api_memberships::memberships,
        api_memberships::change_memberships,
        api_memberships::assignable_groups,
        api_memberships::grant_to_many,
        api_cas_services::services,
        api_cas_services::register,
        api_cas_services::service,
        api_cas_services::change,
        api_cas_services::delete,
        api_oidc_clients::clients,
        api_oidc_clients::register,
        api_oidc_clients::client,
        api_oidc_clients::change,
        api_oidc_clients::delete,
        api_audit::audit,
        api::outbox,
        api::send_test_message,
        api::outbox_attempts,
    ),
    components(schemas(problem::Problem))
)]
pub struct ApiDoc;

/// GET /api/v1/openapi.json
pub async fn document() -> Response {
    Json(ApiDoc::openapi()).into_response()
}
