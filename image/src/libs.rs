//! The shared libraries an ELF file needs (its `DT_NEEDED` entries, read with
//! binutils' `readelf`, which reads every architecture), found in the sysroot
//! unpacked from Debian's packages, transitively. The root filesystem carries
//! exactly these libraries; a library no package provides stops the build
//! with its name and who needs it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::target::Target;
use crate::tool::{Error, Tool};

/// The libraries' paths relative to `sysroot` (symbolic links and what they
/// point at), for `binaries` (paths inside `root`, which may be the sysroot or
/// the root filesystem being built).
pub fn closure(
    target: Target,
    sysroot: &Path,
    binaries: &[PathBuf],
) -> Result<BTreeSet<PathBuf>, Error> {
    let dirs = [
        PathBuf::from(target.multiarch_lib()),
        Path::new("usr").join(target.multiarch_lib()),
        PathBuf::from("lib"),
        PathBuf::from("usr/lib"),
    ];
    let mut found = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut todo: Vec<(PathBuf, String)> = Vec::new();
    for b in binaries {
        for n in needed(b)? {
            todo.push((b.clone(), n));
        }
    }
    while let Some((who, soname)) = todo.pop() {
        if !seen.insert(soname.clone()) {
            continue;
        }
        let Some(rel) = dirs
            .iter()
            .map(|d| d.join(&soname))
            .find(|p| sysroot.join(p).exists())
        else {
            return Err(Error::Input(format!(
                "{} needs {soname}, which no package in image/src/packages.rs provides",
                who.display()
            )));
        };
        let real = links(sysroot, &rel, &mut found)?;
        for n in needed(&sysroot.join(&real))? {
            todo.push((real.clone(), n));
        }
    }
    Ok(found)
}

/// Adds `rel` and, if it is a symbolic link, the chain to its file; returns the file.
pub fn links(sysroot: &Path, rel: &Path, found: &mut BTreeSet<PathBuf>) -> Result<PathBuf, Error> {
    let mut rel = rel.to_path_buf();
    for _ in 0..8 {
        found.insert(rel.clone());
        let abs = sysroot.join(&rel);
        match std::fs::read_link(&abs) {
            Ok(link) => {
                let parent = rel.parent().unwrap_or(Path::new(""));
                rel = if link.is_absolute() {
                    link.strip_prefix("/").unwrap_or(&link).to_path_buf()
                } else {
                    normalise(&parent.join(link))
                };
            }
            Err(_) => return Ok(rel),
        }
    }
    Err(Error::Input(format!(
        "{}: too many symbolic links",
        rel.display()
    )))
}

/// `a/b/../c` → `a/c` (no file system access: links are relative to the sysroot).
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// The `DT_NEEDED` entries of an ELF file.
fn needed(file: &Path) -> Result<Vec<String>, Error> {
    let out = Tool::new("readelf")
        .arg("-d")
        .arg("-W")
        .arg(file)
        .output()?;
    Ok(out
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| {
            let start = l.find('[')? + 1;
            let end = l[start..].find(']')? + start;
            Some(l[start..end].to_string())
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_relative_links() {
        assert_eq!(
            normalise(Path::new("lib/x/../y/./z")),
            PathBuf::from("lib/y/z")
        );
    }
}
