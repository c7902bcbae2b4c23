//! Test 8, talk-off: real recorded speech and music that must give no digit.
//!
//! Corpora come from Debian packages (installed by `scripts/setup.sh --test`),
//! read where the packages put them: every voice folder under
//! `/usr/share/asterisk/sounds/` (`asterisk-core-sounds-{en,es,fr}-wav`: the
//! Asterisk prompts, one professional talker per language) is a speech corpus,
//! and `/usr/share/asterisk/moh/` (`asterisk-moh-opsound-wav`) is the music
//! corpus. They ship 8 kHz, 16-bit mono WAV; any other file is skipped and
//! counted. Each corpus is played file after file into one receiver, raw and
//! through µ-law; false digits are reported per hour of audio.

use std::path::{Path, PathBuf};

use super::{Channel, Receiver, FRAME};

/// Where the speech packages put their voices (one folder per voice).
pub const SOUNDS_DIR: &str = "/usr/share/asterisk/sounds";
/// Where `asterisk-moh-opsound-wav` puts its music.
pub const MUSIC_DIR: &str = "/usr/share/asterisk/moh";

/// One recording.
#[derive(Clone, Debug)]
pub struct Clip {
    /// Its file.
    pub path: PathBuf,
    /// 8 kHz 16-bit mono samples.
    pub samples: Vec<i16>,
}

/// A loaded corpus.
#[derive(Clone, Debug)]
pub struct Corpus {
    /// Short name (`speech en_US_f_Allison`, `music moh`).
    pub name: String,
    /// The recordings, in path order.
    pub clips: Vec<Clip>,
    /// Files that were not 8 kHz 16-bit mono WAV, or failed to read.
    pub skipped: Vec<PathBuf>,
}

impl Corpus {
    /// Seconds of audio.
    pub fn seconds(&self) -> f64 {
        self.clips.iter().map(|c| c.samples.len()).sum::<usize>() as f64 / 8000.0
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

/// False detections on one corpus through one channel.
#[derive(Clone, Debug)]
pub struct TalkOff {
    /// Seconds of audio played.
    pub seconds: f64,
    /// Every false digit.
    pub hits: Vec<Hit>,
}

impl TalkOff {
    /// False digits per hour of audio.
    pub fn per_hour(&self) -> f64 {
        if self.seconds == 0.0 {
            return 0.0;
        }
        self.hits.len() as f64 * 3600.0 / self.seconds
    }
}

fn wav_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            wav_files(&p, out);
        } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("wav")) {
            out.push(p);
        }
    }
}

fn read_clip(path: &Path) -> Option<Vec<i16>> {
    let mut r = hound::WavReader::open(path).ok()?;
    let s = r.spec();
    if s.sample_rate != 8000
        || s.channels != 1
        || s.bits_per_sample != 16
        || s.sample_format != hound::SampleFormat::Int
    {
        return None;
    }
    r.samples::<i16>().collect::<Result<Vec<_>, _>>().ok()
}

/// Loads every WAV under `dir` as the corpus `name`; `None` if `dir` holds none.
pub fn load(name: &str, dir: &Path) -> Option<Corpus> {
    let mut files = Vec::new();
    wav_files(dir, &mut files);
    if files.is_empty() {
        return None;
    }
    files.sort();
    let mut corpus = Corpus {
        name: name.to_string(),
        clips: Vec::new(),
        skipped: Vec::new(),
    };
    for path in files {
        match read_clip(&path) {
            Some(samples) => corpus.clips.push(Clip { path, samples }),
            None => corpus.skipped.push(path),
        }
    }
    Some(corpus)
}

/// The corpora present on this machine, as `(name, folder)`: each voice under
/// [`SOUNDS_DIR`], then [`MUSIC_DIR`]. Empty when the packages are absent.
pub fn available() -> Vec<(String, PathBuf)> {
    let mut voices: Vec<PathBuf> = std::fs::read_dir(SOUNDS_DIR)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    voices.sort();
    let mut out: Vec<(String, PathBuf)> = voices
        .into_iter()
        .map(|p| {
            let voice = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (format!("speech {voice}"), p)
        })
        .collect();
    if Path::new(MUSIC_DIR).is_dir() {
        out.push(("music moh".to_string(), PathBuf::from(MUSIC_DIR)));
    }
    out
}

/// Plays `corpus` through `channel` into one `R`, file after file.
pub fn run<R: Receiver>(corpus: &Corpus, channel: Channel) -> TalkOff {
    let mut rx = R::new();
    let mut hits = Vec::new();
    let mut digits = String::new();
    let mut buf = [0i16; FRAME];
    for clip in &corpus.clips {
        for (i, frame) in clip.samples.chunks(FRAME).enumerate() {
            let buf = &mut buf[..frame.len()];
            buf.copy_from_slice(frame);
            channel.carry(buf);
            rx.process(buf);
            rx.take_digits(&mut digits);
            for digit in digits.drain(..) {
                hits.push(Hit {
                    path: clip.path.clone(),
                    at_s: ((i * FRAME) + frame.len()) as f64 / 8000.0,
                    digit,
                });
            }
        }
    }
    TalkOff {
        seconds: corpus.seconds(),
        hits,
    }
}
