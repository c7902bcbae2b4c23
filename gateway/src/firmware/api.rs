//! `GET|POST /api/v1/firmware`: the slots and the updater's progress, and an
//! update, for the operator's token only (docs/IMAGE.md, "Updates").
//!
//! - `POST` with the bundle as the body (`application/octet-stream`): it is
//!   spooled to `/tmp`, its signature and compatibility checked (`rauc info`)
//!   before the answer: 202 with its version, or 422 `bundle-refused` with
//!   RAUC's reason and nothing written. The install then runs and the box
//!   reboots into the new slot.
//! - `POST` with `{"url": "http://…"}` (`application/json`): the box fetches it;
//!   202 at once, the progress in `GET`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http_body_util::BodyExt as _;
use serde_json::json;
use tracing::info;

use super::{Firmware, FirmwareError};
use crate::api::{Access, Scope};

/// Largest bundle accepted (the slots are 256 MiB).
const MAX_BUNDLE: usize = 256 * 1024 * 1024;

/// The body cap of `path` when it is the firmware route (the API's own cap,
/// `api.max_body_bytes`, is for JSON requests).
pub fn body_limit(path: &str) -> Option<usize> {
    (path == "/api/v1/firmware").then_some(MAX_BUNDLE)
}

/// What the firmware routes share.
#[derive(Debug, Clone)]
pub struct FirmwareApi {
    pub access: Arc<Access>,
    pub firmware: Firmware,
}

/// The firmware routes, to merge into the API's router.
pub fn router(state: FirmwareApi) -> Router {
    Router::new()
        .route("/api/v1/firmware", get(status).post(update))
        .layer(DefaultBodyLimit::max(MAX_BUNDLE))
        .with_state(state)
}

fn error(status: StatusCode, error: &str, message: String) -> Response {
    (status, Json(json!({ "error": error, "message": message }))).into_response()
}

/// Only the operator may see or change the firmware: the refusal otherwise.
fn refused(access: &Access, headers: &HeaderMap) -> Option<Response> {
    match access.scope(headers) {
        Ok(Scope::All) => None,
        Ok(Scope::Merchant(_)) => Some(error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the firmware is the operator's".into(),
        )),
        Err(e) => Some(error(
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNAUTHORIZED),
            "unauthorized",
            e.body
                .get("message")
                .and_then(|m| m.as_str())
                .unwrap_or("unauthorized")
                .to_string(),
        )),
    }
}

fn refusal(e: FirmwareError) -> Response {
    match e {
        FirmwareError::NotOnTheBox => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-on-the-box",
            e.to_string(),
        ),
        FirmwareError::Busy(_) => error(StatusCode::CONFLICT, "busy", e.to_string()),
        FirmwareError::Rauc(m) => error(StatusCode::UNPROCESSABLE_ENTITY, "bundle-refused", m),
        FirmwareError::Io(..) => error(StatusCode::INTERNAL_SERVER_ERROR, "io", e.to_string()),
    }
}

async fn status(State(state): State<FirmwareApi>, headers: HeaderMap) -> Response {
    if let Some(r) = refused(&state.access, &headers) {
        return r;
    }
    let fw = state.firmware.clone();
    let slots = tokio::task::spawn_blocking(move || fw.status()).await;
    let (slots, booted) = match slots {
        Ok(Ok(s)) => (json!(s.slots), json!(s.booted)),
        Ok(Err(e)) => (json!([]), json!(e.to_string())),
        Err(e) => (json!([]), json!(e.to_string())),
    };
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "booted": booted,
        "slots": slots,
        "progress": state.firmware.progress(),
    }))
    .into_response()
}

async fn update(State(state): State<FirmwareApi>, headers: HeaderMap, body: Body) -> Response {
    if let Some(r) = refused(&state.access, &headers) {
        return r;
    }
    if !state.firmware.enabled() {
        return refusal(FirmwareError::NotOnTheBox);
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json {
        let bytes = match body.collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => return error(StatusCode::BAD_REQUEST, "bad-request", e.to_string()),
        };
        let url = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v.get("url").and_then(|u| u.as_str()).map(str::to_string));
        let Some(url) = url else {
            return error(
                StatusCode::BAD_REQUEST,
                "bad-request",
                "expected {\"url\": \"http://…\"} or the bundle itself as application/octet-stream"
                    .into(),
            );
        };
        return match state.firmware.install(&url, Box::new(|_| {})) {
            Ok(()) => (
                StatusCode::ACCEPTED,
                Json(json!({ "state": "installing", "source": url })),
            )
                .into_response(),
            Err(e) => refusal(e),
        };
    }
    let path = std::env::temp_dir().join("gateway-upload.raucb");
    if let Err(e) = spool(body, &path).await {
        let _ = std::fs::remove_file(&path);
        return error(StatusCode::BAD_REQUEST, "upload-failed", e);
    }
    info!(path = %path.display(), "firmware bundle uploaded");
    let fw = state.firmware.clone();
    let checked =
        tokio::task::spawn_blocking(move || fw.install_upload(&path, Box::new(|_| {}))).await;
    match checked {
        Ok(Ok(version)) => (
            StatusCode::ACCEPTED,
            Json(json!({ "state": "installing", "version": version })),
        )
            .into_response(),
        Ok(Err(e)) => refusal(e),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "io", e.to_string()),
    }
}

/// Writes the request body to `path` as it arrives (on a blocking thread:
/// the file is written with std's I/O).
async fn spool(body: Body, path: &std::path::Path) -> Result<(), String> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<bytes::Bytes>(16);
    let target = path.to_path_buf();
    let writer = tokio::task::spawn_blocking(move || -> Result<usize, String> {
        use std::io::Write as _;
        let mut file = std::fs::File::create(&target).map_err(|e| e.to_string())?;
        let mut total = 0usize;
        while let Some(chunk) = rx.blocking_recv() {
            total += chunk.len();
            file.write_all(&chunk).map_err(|e| e.to_string())?;
        }
        file.sync_all().map_err(|e| e.to_string())?;
        Ok(total)
    });
    let mut body = body;
    let mut failed = None;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    if tx.send(data).await.is_err() {
                        break;
                    }
                }
            }
            Err(e) => {
                failed = Some(e.to_string());
                break;
            }
        }
    }
    drop(tx);
    let written = writer.await.map_err(|e| e.to_string())??;
    if let Some(e) = failed {
        return Err(e);
    }
    if written == 0 {
        return Err(
            "the body is empty: send the bundle, or {\"url\": …} as application/json".into(),
        );
    }
    Ok(())
}
