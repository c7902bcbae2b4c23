//! Test 8, talk-off: recorded speech, music and noise that must give no digit.
//!
//! The corpus is built once by `scripts/talk-off-corpus.sh` (run by
//! `scripts/setup.sh --test`) from Debian packages: speech in many languages
//! (the Asterisk prompts en/es/fr, the Hedgewars character voices, espeak-ng
//! reading the fortune packages in nine languages), music of several genres
//! from game packages, and noise (sound effects, white/pink/brown noise). It is
//! cached as 8 kHz 16-bit mono FLAC under [`dir`] as `<kind>/<source>/*.flac`;
//! its `MANIFEST` says how many hours each source holds. The packages held out
//! for the lead's check (`asterisk-core-sounds-{it,ru}*`,
//! `asterisk-prompt-it-menardi*`, `asterisk-prompt-es-co`,
//! `asterisk-prompt-fr-armelle`, `wesnoth-*-music`) are never part of it.
//!
//! Each source is run through every [`Channel`] in two ways:
//! - **stream**: every file after the other into one receiver, fed in 20 ms
//!   frames (what a call does);
//! - **per file** at each of [`ALIGNMENTS`]: a fresh receiver per file, the
//!   file preceded by that many samples of silence, so the receiver's blocks
//!   fall at four different places in the audio.
//!
//! A **false digit** is any digit reported. A **near-miss** is counted by
//! the receiver itself ([`Receiver::near_misses`]) with one definition for
//! every receiver: a maximal run of consecutive analysis blocks that its
//! per-block test judged to hold a digit, none of which became a reported
//! digit.
//!

use std::path::{Path, PathBuf};

use super::{Channel, Receiver, FRAME};

/// Environment variable naming the corpus folder.
pub const CORPUS_ENV: &str = "TALK_OFF_CORPUS";
/// The corpus folder when [`CORPUS_ENV`] is not set.
pub const DEFAULT_DIR: &str = "/var/cache/gateway/talk-off";
/// Samples of silence before each file in the per-file runs: four different
/// phases against 51-, 102- and 160-sample grids.
pub const ALIGNMENTS: [usize; 4] = [0, 17, 43, 77];

/// The corpus folder.
pub fn dir() -> PathBuf {
    std::env::var_os(CORPUS_ENV).map_or_else(|| PathBuf::from(DEFAULT_DIR), PathBuf::from)
}

/// Why the corpus cannot be used.
#[derive(Clone, Debug)]
pub struct Missing(pub String);

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (build it with scripts/talk-off-corpus.sh, run by scripts/setup.sh --test)",
            self.0
        )
    }
}

/// One recording.
#[derive(Clone, Debug)]
pub struct Clip {
    /// Its file.
    pub path: PathBuf,
    /// 8 kHz 16-bit mono samples.
    pub samples: Vec<i16>,
}

/// One source of the corpus, loaded.
#[derive(Clone, Debug)]
pub struct Corpus {
    /// `kind/source` (`music/orchestral-ufoai`, `speech/espeak-de`).
    pub name: String,
    /// The recordings, in path order.
    pub clips: Vec<Clip>,
}

impl Corpus {
    /// Seconds of audio.
    pub fn seconds(&self) -> f64 {
        self.clips.iter().map(|c| c.samples.len()).sum::<usize>() as f64 / 8000.0
    }

    /// The kind: `speech`, `music` or `noise`.
    pub fn kind(&self) -> &str {
        self.name.split('/').next().unwrap_or("")
    }

    /// The same recordings passed through `channel`.
    pub fn through(&self, channel: Channel) -> Corpus {
        let mut c = self.clone();
        for clip in &mut c.clips {
            channel.carry(&mut clip.samples);
        }
        c
    }
}

/// One false detection.
#[derive(Clone, Debug)]
pub struct Hit {
    /// The recording.
    pub path: PathBuf,
    /// Seconds into it (end of the frame in which the digit was reported).
    pub at_s: f64,
    /// The digit.
    pub digit: char,
}

/// False detections on one pass over a source.
#[derive(Clone, Debug, Default)]
pub struct TalkOff {
    /// Seconds of audio played.
    pub seconds: f64,
    /// Every false digit.
    pub hits: Vec<Hit>,
    /// Near-misses ([`Receiver::near_misses`]).
    pub near_misses: u64,
}

impl TalkOff {
    /// False digits per hour of audio.
    pub fn per_hour(&self) -> f64 {
        if self.seconds == 0.0 {
            return 0.0;
        }
        self.hits.len() as f64 * 3600.0 / self.seconds
    }

    fn absorb(&mut self, other: TalkOff) {
        self.seconds += other.seconds;
        self.hits.extend(other.hits);
        self.near_misses += other.near_misses;
    }
}

/// The sources of the corpus, as `kind/source` folders in path order.
pub fn sources() -> Result<Vec<PathBuf>, Missing> {
    let root = dir();
    let manifest = root.join("MANIFEST");
    if !manifest.is_file() {
        return Err(Missing(format!("no talk-off corpus at {}", root.display())));
    }
    let mut out = Vec::new();
    for kind in ["speech", "music", "noise"] {
        let Ok(entries) = std::fs::read_dir(root.join(kind)) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        out.extend(dirs);
    }
    if out.is_empty() {
        return Err(Missing(format!(
            "empty talk-off corpus at {}",
            root.display()
        )));
    }
    Ok(out)
}

fn read_flac(path: &Path) -> Result<Vec<i16>, String> {
    let mut r = claxon::FlacReader::open(path).map_err(|e| e.to_string())?;
    let info = r.streaminfo();
    if info.sample_rate != 8000 || info.channels != 1 || info.bits_per_sample != 16 {
        return Err(format!(
            "{} Hz, {} channels, {} bits (want 8000 Hz mono 16-bit)",
            info.sample_rate, info.channels, info.bits_per_sample
        ));
    }
    r.samples()
        .map(|s| s.map(|v| v as i16).map_err(|e| e.to_string()))
        .collect()
}

/// Loads every FLAC file of one source folder.
pub fn load(source: &Path) -> Result<Corpus, Missing> {
    load_up_to(source, usize::MAX)
}

/// Loads the FLAC files of one source folder, in path order, until they
/// hold at least `samples` samples.
pub fn load_up_to(source: &Path, samples: usize) -> Result<Corpus, Missing> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(source)
        .map_err(|e| Missing(format!("{}: {e}", source.display())))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "flac"))
        .collect();
    files.sort();
    let part = |p: Option<&Path>| {
        p.and_then(Path::file_name)
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    };
    let name = format!("{}/{}", part(source.parent()), part(Some(source)));
    let mut clips = Vec::with_capacity(files.len());
    let mut have = 0;
    for path in files {
        if have >= samples {
            break;
        }
        let s = read_flac(&path).map_err(|e| Missing(format!("{}: {e}", path.display())))?;
        have += s.len();
        clips.push(Clip { path, samples: s });
    }
    Ok(Corpus { name, clips })
}

/// Feeds `samples` in 20 ms frames into `rx`; digits reported go to `hits`,
/// timed from `skip` samples into `samples` (the silence before the file).
fn feed<R: Receiver>(rx: &mut R, path: &Path, samples: &[i16], skip: usize, hits: &mut Vec<Hit>) {
    let mut digits = String::new();
    for (i, frame) in samples.chunks(FRAME).enumerate() {
        rx.process(frame);
        rx.take_digits(&mut digits);
        for digit in digits.drain(..) {
            let end = (i * FRAME + frame.len()).saturating_sub(skip);
            hits.push(Hit {
                path: path.to_path_buf(),
                at_s: end as f64 / 8000.0,
                digit,
            });
        }
    }
}

/// Plays `corpus` (already through its channel) file after file into one `R`.
pub fn stream<R: Receiver>(corpus: &Corpus) -> TalkOff {
    let mut rx = R::new();
    let mut hits = Vec::new();
    for clip in &corpus.clips {
        feed(&mut rx, &clip.path, &clip.samples, 0, &mut hits);
    }
    TalkOff {
        seconds: corpus.seconds(),
        hits,
        near_misses: rx.near_misses(),
    }
}

/// Plays each file of `corpus` into a fresh `R` after `offset` samples of
/// silence.
pub fn per_file<R: Receiver>(corpus: &Corpus, offset: usize) -> TalkOff {
    let mut hits = Vec::new();
    let mut near_misses = 0;
    let mut buf = Vec::new();
    for clip in &corpus.clips {
        buf.clear();
        buf.resize(offset, 0);
        buf.extend_from_slice(&clip.samples);
        let mut rx = R::new();
        feed(&mut rx, &clip.path, &buf, offset, &mut hits);
        near_misses += rx.near_misses();
    }
    TalkOff {
        seconds: corpus.seconds(),
        hits,
        near_misses,
    }
}

/// Every run of one source through one channel.
#[derive(Clone, Debug, Default)]
pub struct Runs {
    /// One stream.
    pub stream: TalkOff,
    /// File by file, all [`ALIGNMENTS`] together.
    pub per_file: TalkOff,
}

/// The stream and the four per-file runs of `corpus` through `channel`.
pub fn run<R: Receiver>(corpus: &Corpus, channel: Channel) -> Runs {
    let carried = corpus.through(channel);
    let mut runs = Runs {
        stream: stream::<R>(&carried),
        per_file: TalkOff::default(),
    };
    for offset in ALIGNMENTS {
        runs.per_file.absorb(per_file::<R>(&carried, offset));
    }
    runs
}
