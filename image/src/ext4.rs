//! An ext4 file system from a folder, without mounting anything: `mke2fs -d`,
//! then `debugfs` sets every inode's times to the build's fixed time.
//!
//! What makes it reproducible: a fixed UUID and directory hash seed, mke2fs's
//! clock fixed (`E2FSPROGS_FAKE_TIME`), files owned by root, and the times
//! mke2fs 1.47.0 copies from the build host (a directory's access time, every
//! inode's change time, which no one can set on the host) overwritten.

use std::path::Path;

use crate::tool::{io, Error, Tool};

/// Writes an ext4 file system of `size_bytes` holding `dir` into `out`.
pub fn make(
    dir: Option<&Path>,
    out: &Path,
    label: &str,
    uuid: &str,
    size_bytes: u64,
    epoch: u64,
) -> Result<(), Error> {
    let _ = std::fs::remove_file(out);
    let file = std::fs::File::create(out).map_err(io(out))?;
    file.set_len(size_bytes).map_err(io(out))?;
    drop(file);
    let mut mk = Tool::new("mke2fs")
        .env("E2FSPROGS_FAKE_TIME", epoch.to_string())
        .args([
            "-q", "-F", "-t", "ext4", "-b", "4096", "-I", "256", "-m", "0", "-L", label, "-U", uuid,
        ])
        .arg("-E")
        .arg(format!("hash_seed={uuid},root_owner=0:0"));
    if let Some(d) = dir {
        mk = mk.arg("-d").arg(d);
    }
    mk.arg(out).arg(format!("{}k", size_bytes / 1024)).run()?;
    let mut script = String::new();
    let mut paths = vec!["/".to_string(), "/lost+found".to_string()];
    if let Some(d) = dir {
        walk(d, d, &mut paths)?;
    }
    for p in &paths {
        for field in ["atime", "ctime", "mtime", "crtime"] {
            script.push_str(&format!("sif \"{p}\" {field} {epoch}\n"));
        }
    }
    let script_path = out.with_extension("debugfs");
    std::fs::write(&script_path, script).map_err(io(&script_path))?;
    Tool::new("debugfs")
        .env("E2FSPROGS_FAKE_TIME", epoch.to_string())
        .arg("-w")
        .arg("-f")
        .arg(&script_path)
        .arg(out)
        .run()?;
    let _ = std::fs::remove_file(&script_path);
    // The judge: e2fsck finds nothing to fix.
    Tool::new("e2fsck").args(["-f", "-n"]).arg(out).run()
}

/// Every path under `dir`, as `/relative`, sorted.
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), Error> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let rel = p.strip_prefix(root).unwrap_or(&p);
        out.push(format!("/{}", rel.display()));
        let meta = std::fs::symlink_metadata(&p).map_err(io(&p))?;
        if meta.is_dir() {
            walk(root, &p, out)?;
        }
    }
    Ok(())
}
