//! The HTTP API: ports, calls, and the CRM's lookup of a call by the port's ANI.
//!
//! | method and path          | answer |
//! |--------------------------|--------|
//! | `GET /api/v1/ports`      | every port with its ANI, state and Call-ID |
//! | `GET /api/v1/calls`      | every call with its context |
//! | `GET /api/v1/ani/{ani}`  | the port with that ANI and its live call's context; 404 when the ANI is unknown or the port has no call |
//!
//! Handlers never touch the core: they send an [`ApiRequest`] to the runtime's loop,
//! which answers from the core's current state.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};

/// A question for the core.
#[derive(Debug)]
pub enum ApiQuery {
    /// All ports.
    Ports,
    /// All calls.
    Calls,
    /// The port with this ANI and its call.
    Ani(String),
}

/// An answer: HTTP status and JSON body.
#[derive(Debug)]
pub struct ApiAnswer {
    /// The status.
    pub status: u16,
    /// The body.
    pub body: Value,
}

impl ApiAnswer {
    /// 200 with `body`.
    pub fn ok(body: Value) -> Self {
        ApiAnswer { status: 200, body }
    }

    /// An error with a JSON `{"error": .., "message": ..}` body.
    pub fn error(status: u16, error: &str, message: String) -> Self {
        ApiAnswer {
            status,
            body: json!({ "error": error, "message": message }),
        }
    }
}

/// A query and where its answer goes.
#[derive(Debug)]
pub struct ApiRequest {
    /// The question.
    pub query: ApiQuery,
    /// The answer.
    pub reply: oneshot::Sender<ApiAnswer>,
}

/// The API's routes.
pub fn router(core: mpsc::Sender<ApiRequest>) -> Router {
    Router::new()
        .route("/api/v1/ports", get(ports))
        .route("/api/v1/calls", get(calls))
        .route("/api/v1/ani/{ani}", get(ani))
        .fallback(not_found)
        .with_state(core)
}

async fn ask(core: &mpsc::Sender<ApiRequest>, query: ApiQuery) -> Response {
    let (tx, rx) = oneshot::channel();
    if core.send(ApiRequest { query, reply: tx }).await.is_err() {
        return reply(ApiAnswer::error(
            503,
            "unavailable",
            "the gateway is stopping".into(),
        ));
    }
    match rx.await {
        Ok(answer) => reply(answer),
        Err(_) => reply(ApiAnswer::error(
            503,
            "unavailable",
            "the gateway is stopping".into(),
        )),
    }
}

fn reply(answer: ApiAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(answer.body)).into_response()
}

async fn ports(State(core): State<mpsc::Sender<ApiRequest>>) -> Response {
    ask(&core, ApiQuery::Ports).await
}

async fn calls(State(core): State<mpsc::Sender<ApiRequest>>) -> Response {
    ask(&core, ApiQuery::Calls).await
}

async fn ani(State(core): State<mpsc::Sender<ApiRequest>>, Path(ani): Path<String>) -> Response {
    ask(&core, ApiQuery::Ani(ani)).await
}

async fn not_found() -> Response {
    reply(ApiAnswer::error(
        404,
        "not-found",
        "no such API path".into(),
    ))
}
