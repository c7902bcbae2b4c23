//! The boot partition: U-Boot's boot script (`boot.scr`, the A/B choice) and
//! the boot state it and RAUC share (`bootstate.txt`), in a vfat file system
//! made with `mkfs.vfat --invariant` and filled with `mcopy` (no mount). The
//! files carry the build's fixed time, so the partition is reproducible.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::disk::{BOOT, BOOT_VOLUME_ID};
use crate::target::Target;
use crate::tool::{io, Error, Tool};

const BOOT_CMD: &str = include_str!("../files/boot.cmd");

/// The factory boot state: A first, both slots with all their attempts.
pub const FACTORY_STATE: &str = "BOOT_ORDER=A B\nBOOT_A_LEFT=3\nBOOT_B_LEFT=3\n";

/// Makes the boot partition's file system in `out`, using `work` for its files.
pub fn make(target: Target, work: &Path, out: &Path, epoch: u64) -> Result<(), Error> {
    std::fs::create_dir_all(work).map_err(io(work))?;
    let cmd = work.join("boot.cmd");
    std::fs::write(&cmd, BOOT_CMD.replace("@SERIAL@", target.serial())).map_err(io(&cmd))?;
    let scr = work.join("boot.scr");
    // mkimage stamps the script's header with the time; SOURCE_DATE_EPOCH fixes it.
    Tool::new("mkimage")
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .args([
            "-q",
            "-A",
            "arm64",
            "-O",
            "linux",
            "-T",
            "script",
            "-C",
            "none",
            "-n",
            "gateway A/B boot",
        ])
        .arg("-d")
        .arg(&cmd)
        .arg(&scr)
        .run()?;
    let state = work.join("bootstate.txt");
    std::fs::write(&state, FACTORY_STATE).map_err(io(&state))?;
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(epoch);
    for f in [&scr, &state] {
        let file = std::fs::File::options()
            .write(true)
            .open(f)
            .map_err(io(f))?;
        file.set_modified(when).map_err(io(f))?;
    }
    let _ = std::fs::remove_file(out);
    Tool::new("mkfs.vfat")
        .args([
            "-C",
            "--invariant",
            "-F",
            "16",
            "-n",
            "BOOT",
            "-i",
            BOOT_VOLUME_ID,
        ])
        .arg(out)
        .arg((BOOT.bytes() / 1024).to_string())
        .run()?;
    Tool::new("mcopy")
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .arg("-i")
        .arg(out)
        .arg("-m")
        .arg(&scr)
        .arg(&state)
        .arg("::")
        .run()
}
