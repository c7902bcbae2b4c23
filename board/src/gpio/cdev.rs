//! [`CdevInput`] / [`CdevOutput`]: lines of the Linux GPIO character device, via the
//! `gpiocdev` crate (uAPI v2, falling back to v1). The kernel applies active-low, so
//! the values read and written here are already logical.

use gpiocdev::line::Value;
use gpiocdev::Request;

use super::{GpioError, GpioLine, InputLine, OutputLine};

/// The consumer label the kernel shows for our lines (`gpioinfo`).
const CONSUMER: &str = "gateway-board";

fn request(line: &GpioLine, output: Option<Value>) -> Result<Request, GpioError> {
    let mut builder = Request::builder();
    builder
        .on_chip(&line.chip)
        .with_consumer(CONSUMER)
        .with_line(line.offset);
    match output {
        None => builder.as_input(),
        Some(initial) => builder.as_output(initial),
    };
    if line.active_low {
        builder.as_active_low();
    }
    builder.request().map_err(|source| GpioError::Request {
        line: line.clone(),
        source,
    })
}

/// An input line requested from a GPIO chip.
#[derive(Debug)]
pub struct CdevInput {
    line: GpioLine,
    request: Request,
}

impl CdevInput {
    /// Request `line` as an input.
    pub fn open(line: &GpioLine) -> Result<Self, GpioError> {
        Ok(Self {
            request: request(line, None)?,
            line: line.clone(),
        })
    }
}

impl InputLine for CdevInput {
    fn read(&mut self) -> Result<bool, GpioError> {
        self.request
            .value(self.line.offset)
            .map(bool::from)
            .map_err(|source| GpioError::Access {
                line: self.line.clone(),
                source,
            })
    }
}

/// An output line requested from a GPIO chip, driven inactive at request time.
#[derive(Debug)]
pub struct CdevOutput {
    line: GpioLine,
    request: Request,
}

impl CdevOutput {
    /// Request `line` as an output, initially inactive (a hook relay starts on hook).
    pub fn open(line: &GpioLine) -> Result<Self, GpioError> {
        Ok(Self {
            request: request(line, Some(Value::Inactive))?,
            line: line.clone(),
        })
    }
}

impl OutputLine for CdevOutput {
    fn set(&mut self, active: bool) -> Result<(), GpioError> {
        self.request
            .set_value(self.line.offset, Value::from(active))
            .map_err(|source| GpioError::Access {
                line: self.line.clone(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn line(chip: impl Into<PathBuf>) -> GpioLine {
        GpioLine {
            chip: chip.into(),
            offset: 17,
            active_low: true,
        }
    }

    /// Real code path: this machine has no `/dev/gpiochip*`.
    #[test]
    fn gpio_cdev_error_without_chip_names_the_chip() {
        let missing = line("/dev/gpiochip-none");
        let err = CdevInput::open(&missing).unwrap_err();
        assert!(matches!(&err, GpioError::Request { line, .. } if *line == missing));
        let text = err.to_string();
        assert!(
            text.contains("/dev/gpiochip-none") && text.contains("17"),
            "{text}"
        );
        assert!(matches!(
            CdevOutput::open(&missing),
            Err(GpioError::Request { .. })
        ));
    }

    /// Real code path: a file that is not a GPIO character device is refused.
    #[test]
    fn gpio_cdev_regular_file_is_not_a_chip() {
        let path = std::env::temp_dir().join(format!("board-gpiochip-{}", std::process::id()));
        std::fs::write(&path, b"").unwrap();
        let err = CdevInput::open(&line(&path)).unwrap_err();
        assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
        std::fs::remove_file(path).unwrap();
    }
}
