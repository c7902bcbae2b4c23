//! What RAUC says, read: `rauc status --detailed --output-format=json` as the
//! slots `show version` lists, and the messages of a refused bundle. Pure
//! functions over RAUC's text (no process is started here), so they are
//! tested against RAUC's own output.

use serde_json::Value;

/// One slot as `show version` and `GET /api/v1/firmware` show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SlotView {
    /// RAUC's slot name (`rootfs.0`).
    pub name: String,
    /// The boot name U-Boot knows it by (`A`).
    pub bootname: String,
    /// The block device.
    pub device: String,
    /// `booted`, `inactive`, `active`.
    pub state: String,
    /// `good` or `bad` (attempts left or not).
    pub boot_status: String,
    /// The version of the bundle last installed there, if RAUC recorded one.
    pub version: Option<String>,
    /// When it was installed, if RAUC recorded it.
    pub installed: Option<String>,
}

/// The slots and which is booted, from RAUC's status.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    pub compatible: String,
    /// The boot name of the slot running.
    pub booted: String,
    /// RAUC's name of the slot the next boot starts.
    pub boot_primary: Option<String>,
    pub slots: Vec<SlotView>,
}

/// Errors reading RAUC's status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    #[error("RAUC's status is not JSON: {0}")]
    NotJson(String),
    #[error("RAUC's status has no {0}")]
    Missing(&'static str),
}

/// Reads `rauc status --detailed --output-format=json`.
pub fn parse_status(text: &str) -> Result<Status, StatusError> {
    let v: Value = serde_json::from_str(text).map_err(|e| StatusError::NotJson(e.to_string()))?;
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let mut slots = Vec::new();
    for entry in v
        .get("slots")
        .and_then(Value::as_array)
        .ok_or(StatusError::Missing("slots"))?
    {
        let Some(map) = entry.as_object() else {
            continue;
        };
        for (name, slot) in map {
            let status = slot.get("slot_status");
            slots.push(SlotView {
                name: name.clone(),
                bootname: s(slot, "bootname").unwrap_or_default(),
                device: s(slot, "device").unwrap_or_default(),
                state: s(slot, "state").unwrap_or_default(),
                boot_status: s(slot, "boot_status").unwrap_or_default(),
                version: status
                    .and_then(|st| st.get("bundle"))
                    .and_then(|b| s(b, "version")),
                installed: status
                    .and_then(|st| st.get("installed"))
                    .and_then(|i| s(i, "timestamp")),
            });
        }
    }
    slots.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Status {
        compatible: s(&v, "compatible").unwrap_or_default(),
        booted: s(&v, "booted").ok_or(StatusError::Missing("booted"))?,
        boot_primary: s(&v, "boot_primary"),
        slots,
    })
}

/// `show version`'s lines about the slots.
pub fn describe(status: &Status, running_version: &str) -> Vec<String> {
    let mut out = Vec::new();
    for slot in &status.slots {
        let running = slot.bootname == status.booted;
        let version = if running {
            slot.version
                .clone()
                .unwrap_or_else(|| running_version.to_string())
        } else {
            slot.version
                .clone()
                .unwrap_or_else(|| "factory image".to_string())
        };
        let next = status.boot_primary.as_deref() == Some(slot.name.as_str());
        out.push(format!(
            "slot {} ({}, {}): {}{}, {}, {}{}",
            slot.bootname,
            slot.name,
            slot.device,
            if running { "running" } else { "not running" },
            if next { ", boots next" } else { "" },
            slot.boot_status,
            version,
            slot.installed
                .as_deref()
                .map(|t| format!(", installed {t}"))
                .unwrap_or_default()
        ));
    }
    out
}

/// The message to show for a refused bundle or a failed install: RAUC's own
/// error lines, without its progress lines.
pub fn failure(output: &str) -> String {
    let lines: Vec<&str> = output
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with(|c: char| c.is_ascii_digit()))
        .filter(|l| !l.starts_with("installing"))
        // RAUC's informational messages (GLib's `g_message`), not the reason.
        .filter(|l| !l.starts_with("rauc-Message") && !l.starts_with("(rauc:"))
        .collect();
    let text = lines.join("; ");
    if text.is_empty() {
        "RAUC refused it without saying why".into()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // `rauc status --detailed --output-format=json` of RAUC 1.8 on the image
    // (shortened: checksums left out).
    const STATUS: &str = r#"{"compatible":"gateway-firmware-aarch64","variant":"","booted":"B","boot_primary":"rootfs.1","slots":[{"rootfs.0":{"class":"rootfs","device":"/dev/vda2","type":"ext4","bootname":"A","state":"inactive","parent":null,"mountpoint":null,"boot_status":"good","slot_status":{}}},{"rootfs.1":{"class":"rootfs","device":"/dev/vda3","type":"ext4","bootname":"B","state":"booted","parent":null,"mountpoint":"/","boot_status":"good","slot_status":{"bundle":{"compatible":"gateway-firmware-aarch64","version":"0.1.0-update"},"installed":{"timestamp":"2026-12-04T18:00:00Z","count":1},"status":"ok"}}}]}"#;

    #[test]
    fn reads_the_slots() {
        let s = parse_status(STATUS).unwrap();
        assert_eq!(s.booted, "B");
        assert_eq!(s.slots.len(), 2);
        assert_eq!(s.slots[0].bootname, "A");
        assert_eq!(s.slots[0].version, None);
        assert_eq!(s.slots[1].version.as_deref(), Some("0.1.0-update"));
        let lines = describe(&s, "0.1.0");
        assert_eq!(
            lines,
            [
                "slot A (rootfs.0, /dev/vda2): not running, good, factory image",
                "slot B (rootfs.1, /dev/vda3): running, boots next, good, 0.1.0-update, installed 2026-12-04T18:00:00Z",
            ]
        );
    }

    #[test]
    fn bad_status_is_an_error_not_a_panic() {
        assert!(matches!(parse_status("nope"), Err(StatusError::NotJson(_))));
        assert_eq!(parse_status("{}"), Err(StatusError::Missing("slots")));
        assert_eq!(
            parse_status(r#"{"slots":[]}"#),
            Err(StatusError::Missing("booted"))
        );
        assert_eq!(
            parse_status(r#"{"booted":"A","slots":[1,{"x":2}]}"#)
                .unwrap()
                .slots
                .len(),
            1
        );
    }

    #[test]
    fn failure_keeps_rauc_errors_and_drops_progress() {
        let out = "installing\nrauc-Message: 18:46:21.301: Using central status file /data/rauc/central.raucs\n  0% Installing\n 20% Checking bundle\nLastError: signature verification failed: Verify error:unable to get local issuer certificate\ninstalling `/tmp/u.raucb`: failed\n";
        assert_eq!(
            failure(out),
            "LastError: signature verification failed: Verify error:unable to get local issuer certificate"
        );
        assert_eq!(failure(""), "RAUC refused it without saying why");
    }
}
