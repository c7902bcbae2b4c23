//! Parsing and checking a board description (format in the module doc of
//! [`super`]).

use std::collections::BTreeMap;

use toml::Table;

use super::document::{as_str, invalid, Section};
use super::{
    BoardDescription, DescriptionError, DevicePaths, GpioLines, LedNames, MacAddress, PortIndex,
    PortKind, MAX_PORTS,
};
use crate::gpio::GpioLine;

pub(super) fn parse(text: &str) -> Result<BoardDescription, DescriptionError> {
    let table: Table = text
        .parse()
        .map_err(|e: toml::de::Error| DescriptionError::Syntax {
            message: e.to_string(),
        })?;
    let root = Section::root(&table);
    root.only(&[
        "model",
        "serial",
        "mac",
        "hardware_revision",
        "ports",
        "devices",
    ])?;

    let model = label(&root, "model", 64)?;
    let serial = root.string("serial")?;
    if serial.is_empty()
        || serial.len() > 32
        || !serial
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        return Err(root.invalid(
            "serial",
            "must be 1 to 32 ASCII letters, digits, '-', '_' or '.'",
        ));
    }
    let mac: MacAddress = root
        .string("mac")?
        .parse()
        .map_err(|e: super::MacAddressError| root.invalid("mac", e.to_string()))?;
    let hardware_revision = label(&root, "hardware_revision", 16)?;
    let ports = ports(&root.section("ports")?)?;
    let devices = match root.optional_section("devices")? {
        Some(section) => devices(&section, &ports)?,
        None => DevicePaths::default(),
    };
    Ok(BoardDescription {
        model,
        serial: serial.to_owned(),
        mac,
        hardware_revision,
        ports,
        devices,
    })
}

/// A required, non-empty, printable string of at most `max` characters.
fn label(section: &Section<'_>, name: &str, max: usize) -> Result<String, DescriptionError> {
    let text = section.string(name)?;
    if text.trim().is_empty() || text.chars().count() > max || text.chars().any(char::is_control) {
        return Err(section.invalid(name, format!("must be 1 to {max} printable characters")));
    }
    Ok(text.to_owned())
}

fn ports(section: &Section<'_>) -> Result<Vec<PortKind>, DescriptionError> {
    section.only(&["count", "kinds"])?;
    let count = section.integer("count")?;
    if !(1..=i64::from(MAX_PORTS)).contains(&count) {
        return Err(section.invalid("count", format!("must be 1 to {MAX_PORTS}")));
    }
    let kinds = section
        .optional_array("kinds")?
        .ok_or_else(|| DescriptionError::MissingKey {
            key: section.key("kinds"),
        })?;
    if i64::try_from(kinds.len()) != Ok(count) {
        return Err(section.invalid(
            "kinds",
            format!("lists {} ports but count is {count}", kinds.len()),
        ));
    }
    kinds
        .into_iter()
        .map(|(key, value)| match as_str(value, &key)? {
            "fxo" => Ok(PortKind::Fxo),
            "fxs" => Ok(PortKind::Fxs),
            _ => Err(invalid(
                &key,
                value.to_string(),
                "must be \"fxo\" or \"fxs\"",
            )),
        })
        .collect()
}

fn devices(section: &Section<'_>, ports: &[PortKind]) -> Result<DevicePaths, DescriptionError> {
    section.only(&["watchdog", "led_root", "leds", "gpio"])?;
    Ok(DevicePaths {
        watchdog: section.optional_path("watchdog")?,
        led_root: section.optional_path("led_root")?,
        leds: match section.optional_section("leds")? {
            Some(leds) => led_names(&leds, ports.len())?,
            None => LedNames::default(),
        },
        gpio: match section.optional_section("gpio")? {
            Some(gpio) => gpio_lines(&gpio, ports)?,
            None => GpioLines::default(),
        },
    })
}

fn led_name(key: &str, name: &str) -> Result<String, DescriptionError> {
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return Err(invalid(
            key,
            format!("{name:?}"),
            "must be an LED class device name",
        ));
    }
    Ok(name.to_owned())
}

fn led_names(section: &Section<'_>, port_count: usize) -> Result<LedNames, DescriptionError> {
    section.only(&["fault", "registration", "ports"])?;
    let single = |name: &str| -> Result<Option<String>, DescriptionError> {
        section
            .optional_string(name)?
            .map(|text| led_name(&section.key(name), text))
            .transpose()
    };
    let ports = section.optional_array("ports")?.unwrap_or_default();
    if !ports.is_empty() && ports.len() != port_count {
        return Err(section.invalid(
            "ports",
            format!("lists {} LEDs for {port_count} ports", ports.len()),
        ));
    }
    Ok(LedNames {
        fault: single("fault")?,
        registration: single("registration")?,
        ports: ports
            .into_iter()
            .map(|(key, value)| led_name(&key, as_str(value, &key)?))
            .collect::<Result<_, _>>()?,
    })
}

fn gpio_line(section: &Section<'_>) -> Result<GpioLine, DescriptionError> {
    let offset = section.integer("offset")?;
    Ok(GpioLine {
        chip: section.path("chip")?,
        offset: u32::try_from(offset)
            .map_err(|_| section.invalid("offset", "must be a line offset (0 or more)"))?,
        active_low: section.optional_bool("active_low")?.unwrap_or(false),
    })
}

fn gpio_lines(section: &Section<'_>, ports: &[PortKind]) -> Result<GpioLines, DescriptionError> {
    section.only(&["reset_button", "hook_relay", "ring_detect"])?;
    let reset_button = match section.optional_section("reset_button")? {
        Some(button) => {
            button.only(&["chip", "offset", "active_low"])?;
            Some(gpio_line(&button)?)
        }
        None => None,
    };
    Ok(GpioLines {
        reset_button,
        hook_relays: per_port_lines(section, "hook_relay", ports)?,
        ring_detects: per_port_lines(section, "ring_detect", ports)?,
    })
}

fn per_port_lines(
    section: &Section<'_>,
    name: &str,
    ports: &[PortKind],
) -> Result<BTreeMap<PortIndex, GpioLine>, DescriptionError> {
    let mut lines = BTreeMap::new();
    for entry in section.optional_tables(name)? {
        entry.only(&["port", "chip", "offset", "active_low"])?;
        let port = entry.integer("port")?;
        let index = u8::try_from(port)
            .ok()
            .filter(|&p| usize::from(p) < ports.len())
            .ok_or_else(|| {
                entry.invalid(
                    "port",
                    format!("no such port on a {}-port board", ports.len()),
                )
            })?;
        if ports[usize::from(index)] != PortKind::Fxo {
            return Err(entry.invalid("port", format!("port {index} is not an FXO port")));
        }
        if lines.insert(PortIndex(index), gpio_line(&entry)?).is_some() {
            return Err(entry.invalid("port", format!("port {index} already has a {name} line")));
        }
    }
    Ok(lines)
}
