//! The boards the image is built for: Rust's target triple, Debian's
//! architecture, and where that architecture keeps its pieces.

use crate::tool::Error;

/// A target board family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// 64-bit ARM (`qemu-system-aarch64 -M virt`, and boards like it with U-Boot).
    Aarch64,
}

impl Target {
    pub fn parse(name: &str) -> Result<Self, Error> {
        match name {
            "aarch64" | "arm64" | "aarch64-unknown-linux-gnu" => Ok(Self::Aarch64),
            "armv7" | "armhf" => Err(Error::Usage(
                "armv7: the gateway cross-compiles (cargo build --target armv7-unknown-linux-gnueabihf), \
                 but the image is built for aarch64 only so far"
                    .into(),
            )),
            other => Err(Error::Usage(format!("unknown target {other:?} (known: aarch64)"))),
        }
    }

    /// The name `--target` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Aarch64 => "aarch64",
        }
    }

    /// Rust's target triple.
    pub fn triple(self) -> &'static str {
        match self {
            Self::Aarch64 => "aarch64-unknown-linux-gnu",
        }
    }

    /// Debian's architecture name.
    pub fn deb_arch(self) -> &'static str {
        match self {
            Self::Aarch64 => "arm64",
        }
    }

    /// Debian's multiarch library folder, relative to `/`.
    pub fn multiarch_lib(self) -> &'static str {
        match self {
            Self::Aarch64 => "lib/aarch64-linux-gnu",
        }
    }

    /// The dynamic loader the target's binaries name, relative to `/`.
    pub fn loader(self) -> &'static str {
        match self {
            Self::Aarch64 => "lib/ld-linux-aarch64.so.1",
        }
    }

    /// The serial console's device name.
    pub fn serial(self) -> &'static str {
        match self {
            Self::Aarch64 => "ttyAMA0",
        }
    }

    /// The RAUC `compatible` string: a bundle installs only on a box that says the same.
    pub fn compatible(self) -> &'static str {
        match self {
            Self::Aarch64 => "gateway-firmware-aarch64",
        }
    }
}
