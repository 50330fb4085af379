use std::future::Future;

use axum::Router;
use tokio::net::TcpListener;

/// Serves until `shutdown` completes, then stops accepting connections and lets the requests
/// in flight finish before returning.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
