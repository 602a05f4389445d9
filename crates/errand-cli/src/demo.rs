//! `errand demo-folder`: generates a messy, realistic folder to demo and benchmark the
//! offline "organize by type and date" recipe.
//!
//! Everything is derived from one seed through a tiny xorshift PRNG, so the same spec always
//! yields byte-identical trees with identical modification times. Files are small (hundreds
//! of bytes to a few KB) so that 10,000 of them generate in about a second. Formats are real
//! enough for content sniffing: JPEGs carry a parseable EXIF `DateTimeOriginal`, PNG, ZIP,
//! gzip and WAV files are structurally valid, and the rest start with the right magic bytes.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct DemoSpec {
    /// Exact number of regular files to create (dotfiles included).
    pub files: usize,
    /// Seed for the PRNG; the same seed gives the same tree.
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoReport {
    /// Regular files written (equals `DemoSpec::files`).
    pub files: usize,
    /// JPEGs carrying an EXIF `DateTimeOriginal` (including extensionless ones).
    pub photos_with_exif: usize,
    /// Total bytes written.
    pub bytes: u64,
}

/// Fills `dir` (created if missing; must be empty or absent, else error) with a messy,
/// realistic mix of files.
pub fn make_demo_folder(dir: &Path, spec: &DemoSpec) -> io::Result<DemoReport> {
    prepare_empty_dir(dir)?;
    let mut rng = Rng::new(spec.seed);
    let mut taken: HashSet<PathBuf> = HashSet::new();
    let mut report = DemoReport {
        files: 0,
        photos_with_exif: 0,
        bytes: 0,
    };

    for index in 0..spec.files {
        let plan = plan_file(&mut rng, index);
        let (bytes, has_exif) = render(&mut rng, &plan)?;
        let (mut stem, mut ext) = (plan.stem.clone(), plan.ext.clone());
        if plan.kind == Kind::DotFile && taken.contains(&Path::new(plan.folder).join(&stem)) {
            // One `.DS_Store` per folder; further dotfiles become AppleDouble `._` files.
            (stem, ext) = (
                format!("._IMG_{:04}", rng.range(1, 9999)),
                ".JPG".to_string(),
            );
        }
        let rel = unique_path(&mut taken, plan.folder, &stem, &ext);
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        write_with_mtime(&path, &bytes, plan.mtime.system_time())?;
        report.files += 1;
        report.bytes += bytes.len() as u64;
        if has_exif {
            report.photos_with_exif += 1;
        }
    }
    Ok(report)
}

/// "sha256  relative/path" lines for every regular file under dir, sorted by path (a hash
/// listing to compare trees).
///
/// Symlinks are neither followed nor listed, so a listing only reflects real content.
pub fn hash_listing(dir: &Path) -> io::Result<Vec<String>> {
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current)? {
            let entry = entry?;
            // `DirEntry::file_type` does not follow symlinks, which is what we want.
            let kind = entry.file_type()?;
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                let digest = Sha256::digest(fs::read(&path)?);
                entries.push((relative_slash_path(dir, &path), hex::encode(digest)));
            }
        }
    }
    entries.sort();
    Ok(entries
        .into_iter()
        .map(|(rel, hash)| format!("{hash}  {rel}"))
        .collect())
}

/// Relative path with '/' separators, so listings compare equal across platforms.
fn relative_slash_path(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Creates `dir` if absent; refuses an existing non-directory or a non-empty directory so a
/// demo never mixes with (or overwrites) real files.
fn prepare_empty_dir(dir: &Path) -> io::Result<()> {
    match fs::symlink_metadata(dir) {
        Ok(meta) if !meta.is_dir() => Err(io::Error::new(
            io::ErrorKind::NotADirectory,
            format!("{} exists and is not a directory", dir.display()),
        )),
        Ok(_) => {
            if fs::read_dir(dir)?.next().is_some() {
                Err(io::Error::new(
                    io::ErrorKind::DirectoryNotEmpty,
                    format!(
                        "{} is not empty; demo-folder needs an empty or new directory",
                        dir.display()
                    ),
                ))
            } else {
                Ok(())
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir_all(dir),
        Err(e) => Err(e),
    }
}

/// Writes the file and then stamps its mtime; the stamp must come after the last write,
/// which would otherwise reset it to "now".
fn write_with_mtime(path: &Path, bytes: &[u8], mtime: SystemTime) -> io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.set_modified(mtime)
}

/// Picks a name not used yet in the tree, adding " (k)" like a browser's download folder.
fn unique_path(taken: &mut HashSet<PathBuf>, folder: &str, stem: &str, ext: &str) -> PathBuf {
    let base = Path::new(folder);
    let mut candidate = base.join(format!("{stem}{ext}"));
    let mut k = 1;
    while taken.contains(&candidate) {
        candidate = base.join(format!("{stem} ({k}){ext}"));
        k += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

// ---------------------------------------------------------------------------------------
// PRNG and dates
// ---------------------------------------------------------------------------------------

/// xorshift64* seeded through splitmix64, so small or zero seeds still give good streams.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // xorshift must never hold zero.
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-enough integer in `lo..=hi` (modulo bias is irrelevant for demo data).
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    fn byte(&mut self) -> u8 {
        (self.next_u64() >> 56) as u8
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.byte()).collect()
    }
}

/// A civil date and time (treated as UTC for mtimes, as local time in EXIF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl Stamp {
    /// Days are kept within 2..=27 so that no time zone (±14 h) moves a stamp into another
    /// month or year: organizers bucket by local YYYY/MM and tests must be able to predict it.
    fn random_in_year(rng: &mut Rng, year: u32) -> Self {
        Stamp {
            year,
            month: rng.range(1, 12) as u32,
            day: rng.range(2, 27) as u32,
            hour: rng.range(0, 23) as u32,
            minute: rng.range(0, 59) as u32,
            second: rng.range(0, 59) as u32,
        }
    }

    fn exif(&self) -> String {
        format!(
            "{:04}:{:02}:{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    fn compact_date(&self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    fn compact_time(&self) -> String {
        format!("{:02}{:02}{:02}", self.hour, self.minute, self.second)
    }

    fn dashed_date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    fn system_time(&self) -> SystemTime {
        let days = days_from_civil(self.year as i64, self.month as i64, self.day as i64);
        let secs = days * 86_400 + (self.hour * 3600 + self.minute * 60 + self.second) as i64;
        // All demo dates are after 1970, so the cast cannot wrap.
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    }

    /// MS-DOS date/time as stored in ZIP headers.
    fn dos(&self) -> (u16, u16) {
        let time = ((self.hour << 11) | (self.minute << 5) | (self.second / 2)) as u16;
        let date = (((self.year - 1980) << 9) | (self.month << 5) | self.day) as u16;
        (time, date)
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const MTIME_YEARS: (u32, u32) = (2018, 2025);
const EXIF_YEARS: (u32, u32) = (2019, 2025);

// ---------------------------------------------------------------------------------------
// What to generate
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Jpeg,
    Png,
    Pdf,
    Docx,
    Xlsx,
    Txt,
    Md,
    Csv,
    Mp3,
    Wav,
    Mp4,
    Mov,
    Zip,
    TarGz,
    Py,
    Rs,
    Js,
    Sh,
    Html,
    Bin,
    PlainText,
    DotFile,
}

/// Percent weights; photos (JPEG) are about 35% of the folder, counting the extensionless
/// scans that replace one in four `PlainText` slots.
const WEIGHTS: &[(Kind, u32)] = &[
    (Kind::Jpeg, 34),
    (Kind::Png, 3),
    (Kind::Pdf, 8),
    (Kind::Docx, 4),
    (Kind::Xlsx, 3),
    (Kind::Txt, 6),
    (Kind::Md, 3),
    (Kind::Csv, 3),
    (Kind::Mp3, 4),
    (Kind::Wav, 2),
    (Kind::Mp4, 3),
    (Kind::Mov, 2),
    (Kind::Zip, 3),
    (Kind::TarGz, 2),
    (Kind::Py, 3),
    (Kind::Rs, 2),
    (Kind::Js, 2),
    (Kind::Sh, 1),
    (Kind::Html, 2),
    (Kind::Bin, 3),
    (Kind::PlainText, 4),
    (Kind::DotFile, 2),
];

/// Folders (relative to the demo root) and their percent weights.
const FOLDERS: &[(&str, u32)] = &[("", 75), ("old stuff", 13), ("misc", 5), ("misc/nested", 7)];

/// One file to write: where, what, and when.
struct Plan {
    folder: &'static str,
    stem: String,
    ext: String,
    kind: Kind,
    /// EXIF DateTimeOriginal for photos.
    taken: Option<Stamp>,
    mtime: Stamp,
}

/// The first files are fixed so even a small demo shows the awkward cases: same names in
/// different folders, spaces, non-ASCII names, a dotfile and files without an extension.
const FIXED: &[(&str, &str, &str, Kind)] = &[
    ("", "report", ".pdf", Kind::Pdf),
    ("old stuff", "report", ".pdf", Kind::Pdf),
    ("", "résumé", ".pdf", Kind::Pdf),
    ("", "会议记录", ".txt", Kind::Txt),
    ("", ".DS_Store", "", Kind::DotFile),
    ("", "README", "", Kind::PlainText),
    ("", "scan_0001", "", Kind::Jpeg),
    ("misc/nested", "notes", ".md", Kind::Md),
    ("old stuff", "IMG_0001", ".JPG", Kind::Jpeg),
    ("", "IMG_0001", ".JPG", Kind::Jpeg),
];

fn weighted<T: Copy>(rng: &mut Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut roll = rng.range(0, total as u64 - 1) as u32;
    for &(item, w) in table {
        if roll < w {
            return item;
        }
        roll -= w;
    }
    table[table.len() - 1].0
}

fn plan_file(rng: &mut Rng, index: usize) -> Plan {
    let (folder, fixed_name, kind) = match FIXED.get(index) {
        Some(&(folder, stem, ext, kind)) => (folder, Some((stem, ext)), kind),
        None => (weighted(rng, FOLDERS), None, weighted(rng, WEIGHTS)),
    };
    // One in four "plain text" slots is an extensionless JPEG, the kind of file only content
    // sniffing can classify.
    let sniff_only = kind == Kind::PlainText && fixed_name.is_none() && rng.below(4) == 0;
    let kind = if sniff_only { Kind::Jpeg } else { kind };

    let (taken, mtime) = if kind == Kind::Jpeg {
        let exif_year = rng.range(EXIF_YEARS.0 as u64, EXIF_YEARS.1 as u64) as u32;
        let taken = Stamp::random_in_year(rng, exif_year);
        // A different year than the EXIF date (as after copying off a phone), so a test can
        // tell which of the two dates an organizer used.
        let mut year = rng.range(MTIME_YEARS.0 as u64, MTIME_YEARS.1 as u64 - 1) as u32;
        if year >= exif_year {
            year += 1;
        }
        (Some(taken), Stamp::random_in_year(rng, year))
    } else {
        let year = rng.range(MTIME_YEARS.0 as u64, MTIME_YEARS.1 as u64) as u32;
        (None, Stamp::random_in_year(rng, year))
    };

    let (stem, ext) = match fixed_name {
        Some((stem, ext)) => (stem.to_string(), ext.to_string()),
        None if sniff_only => (format!("scan_{:04}", rng.range(2, 9999)), String::new()),
        None => random_name(rng, kind, taken.unwrap_or(mtime)),
    };
    Plan {
        folder,
        stem,
        ext,
        kind,
        taken,
        mtime,
    }
}

/// A base name as people leave it: bare, copied, numbered or versioned. Keeps large demos
/// from turning into hundreds of "name (k)" duplicates.
fn vary(base: &str, rng: &mut Rng) -> String {
    let n = rng.range(1, 999);
    match rng.below(6) {
        0 | 1 => base.to_string(),
        2 => format!("{base} copy"),
        3 => format!("{base}_{n}"),
        4 => format!("{base}-v{}", n % 9 + 1),
        _ => format!("{base} {n}"),
    }
}

const MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A realistic (stem, extension) for the kind; `when` feeds date-bearing names.
fn random_name(rng: &mut Rng, kind: Kind, when: Stamp) -> (String, String) {
    let n = rng.range(1, 9999);
    let s = |x: &str| x.to_string();
    let (stem, ext) = match kind {
        Kind::Jpeg => match rng.below(7) {
            0 => (format!("IMG_{n:04}"), s(".JPG")),
            1 => (format!("IMG_{n:04}"), s(".jpg")),
            2 => (format!("photo ({})", n % 999 + 1), s(".jpeg")),
            3 => (format!("DSC{n:04}"), s(".jpg")),
            4 => (
                format!("IMG_{}_{}", when.compact_date(), when.compact_time()),
                s(".jpg"),
            ),
            5 => (
                format!(
                    "PXL_{}_{}{:03}",
                    when.compact_date(),
                    when.compact_time(),
                    n % 1000
                ),
                s(".jpg"),
            ),
            _ => (
                format!(
                    "WhatsApp Image {} at {:02}.{:02}.{:02}",
                    when.dashed_date(),
                    when.hour,
                    when.minute,
                    when.second
                ),
                s(".jpeg"),
            ),
        },
        Kind::Png => match rng.below(3) {
            0 => (
                format!(
                    "Screenshot {} at {:02}.{:02}.{:02}",
                    when.dashed_date(),
                    when.hour,
                    when.minute,
                    when.second
                ),
                s(".png"),
            ),
            1 => (
                vary(
                    rng.pick_str(&["diagram", "logo-final", "chart", "icon@2x", "mockup v2"]),
                    rng,
                ),
                s(".png"),
            ),
            _ => (format!("image{n}"), s(".png")),
        },
        Kind::Pdf => match rng.below(7) {
            0 => (vary("report", rng), s(".pdf")),
            1 => (format!("invoice_{}_{n:04}", when.year), s(".pdf")),
            2 => (
                format!(
                    "Bank Statement {} {}",
                    MONTHS[when.month as usize - 1],
                    when.year
                ),
                s(".pdf"),
            ),
            3 => (
                vary(
                    rng.pick_str(&[
                        "boarding-pass",
                        "Lease Agreement (signed)",
                        "manual",
                        "résumé",
                    ]),
                    rng,
                ),
                s(".pdf"),
            ),
            4 => (format!("scan{n}"), s(".pdf")),
            5 => (format!("Rechnung Nr. {n}"), s(".PDF")),
            _ => (format!("paper-{n}"), s(".pdf")),
        },
        Kind::Docx => match rng.below(4) {
            0 => (vary("Cover Letter", rng), s(".docx")),
            1 => (format!("meeting notes {}", when.dashed_date()), s(".docx")),
            2 => (format!("draft_v{}", n % 9 + 1), s(".docx")),
            _ => (vary("Thesis FINAL final", rng), s(".docx")),
        },
        Kind::Xlsx => match rng.below(3) {
            0 => (format!("budget {}", when.year), s(".xlsx")),
            1 => (
                format!("expenses-Q{}", (when.month - 1) / 3 + 1),
                s(".xlsx"),
            ),
            _ => (vary("inventory", rng), s(".xlsx")),
        },
        Kind::Txt => match rng.below(5) {
            0 => (
                vary(
                    rng.pick_str(&["notes", "todo", "shopping list", "Über uns", "会议记录"]),
                    rng,
                ),
                s(".txt"),
            ),
            1 => (format!("log_{n}"), s(".txt")),
            2 => (format!("New Text Document ({})", n % 9 + 1), s(".txt")),
            3 => (vary("copy of notes", rng), s(".TXT")),
            _ => (format!("message-{n}"), s(".txt")),
        },
        Kind::Md => match rng.below(3) {
            0 => (
                vary(
                    rng.pick_str(&["README", "ideas", "CHANGELOG", "reading list"]),
                    rng,
                ),
                s(".md"),
            ),
            1 => (format!("journal-{}", when.dashed_date()), s(".md")),
            _ => (format!("draft {n}"), s(".md")),
        },
        Kind::Csv => match rng.below(3) {
            0 => (format!("export_{n}"), s(".csv")),
            1 => (format!("transactions {}", when.year), s(".csv")),
            _ => (
                vary(rng.pick_str(&["contacts", "données", "grades"]), rng),
                s(".csv"),
            ),
        },
        Kind::Mp3 => match rng.below(3) {
            0 => (format!("track{:02}", n % 20 + 1), s(".mp3")),
            1 => (format!("Voice Memo {n}"), s(".mp3")),
            _ => (format!("podcast-episode-{}", n % 300), s(".MP3")),
        },
        Kind::Wav => match rng.below(2) {
            0 => (format!("recording {n}"), s(".wav")),
            _ => (format!("sample_{n}"), s(".wav")),
        },
        Kind::Mp4 => match rng.below(2) {
            0 => (
                format!("VID_{}_{}", when.compact_date(), when.compact_time()),
                s(".mp4"),
            ),
            _ => (format!("screen recording {n}"), s(".mp4")),
        },
        Kind::Mov => match rng.below(2) {
            0 => (format!("IMG_{n:04}"), s(".MOV")),
            _ => (format!("clip {n}"), s(".mov")),
        },
        Kind::Zip => match rng.below(3) {
            0 => (vary("archive", rng), s(".zip")),
            1 => (format!("photos-backup-{n}"), s(".zip")),
            _ => (vary("project (1)", rng), s(".zip")),
        },
        Kind::TarGz => match rng.below(2) {
            0 => (format!("backup-{}", when.dashed_date()), s(".tar.gz")),
            _ => (format!("src-{n}"), s(".tar.gz")),
        },
        Kind::Py => (
            vary(
                rng.pick_str(&["script", "analyze", "scrape_prices", "plot"]),
                rng,
            ),
            s(".py"),
        ),
        Kind::Rs => (
            vary(rng.pick_str(&["main", "lib", "parser", "tmp_test"]), rng),
            s(".rs"),
        ),
        Kind::Js => (
            vary(rng.pick_str(&["app", "index", "bundle.min", "utils"]), rng),
            s(".js"),
        ),
        Kind::Sh => (
            vary(rng.pick_str(&["install", "backup", "build"]), rng),
            s(".sh"),
        ),
        Kind::Html => (
            vary(
                rng.pick_str(&["index", "saved page", "newsletter", "page (2)"]),
                rng,
            ),
            s(".html"),
        ),
        Kind::Bin => match rng.below(3) {
            0 => (format!("data_{n}"), s(".bin")),
            1 => (format!("firmware-v{}.{}", n % 5, n % 10), s(".bin")),
            _ => (vary("dump", rng), s(".bin")),
        },
        Kind::PlainText => match rng.below(2) {
            0 => (
                vary(
                    rng.pick_str(&["README", "LICENSE", "Makefile", "notes", "TODO"]),
                    rng,
                ),
                String::new(),
            ),
            _ => (
                format!(
                    "{}{n}",
                    rng.pick(&["untitled", "download", "output_", "core.", "tmp"])
                ),
                String::new(),
            ),
        },
        Kind::DotFile => match rng.below(3) {
            0 => (s(".DS_Store"), String::new()),
            1 => (format!("._IMG_{n:04}"), s(".JPG")),
            _ => (s(".localized"), String::new()),
        },
    };
    (stem, ext)
}

// ---------------------------------------------------------------------------------------
// Content
// ---------------------------------------------------------------------------------------

/// Returns the file bytes and whether they are a JPEG with EXIF.
fn render(rng: &mut Rng, plan: &Plan) -> io::Result<(Vec<u8>, bool)> {
    // Embedded dates (ZIP entries) follow the file's own mtime, as they would in real life.
    let mtime_stamp = plan.mtime;
    let bytes = match plan.kind {
        Kind::Jpeg => {
            let taken = plan.taken.unwrap_or(plan.mtime);
            return Ok((jpeg_with_exif(rng, &taken)?, true));
        }
        Kind::Png => png(rng),
        Kind::Pdf => pdf(&sentences(rng, 6)),
        Kind::Docx => docx(&sentences(rng, 8), &mtime_stamp),
        Kind::Xlsx => xlsx(rng, &mtime_stamp),
        Kind::Txt | Kind::PlainText => text_file(rng, &plan.stem),
        Kind::Md => markdown(rng),
        Kind::Csv => csv(rng),
        Kind::Mp3 => mp3(rng),
        Kind::Wav => wav(rng),
        Kind::Mp4 => iso_media(rng, b"isom", &[b"isom", b"iso2", b"avc1", b"mp41"]),
        Kind::Mov => iso_media(rng, b"qt  ", &[b"qt  "]),
        Kind::Zip => {
            let entries = vec![
                ("notes.txt".to_string(), sentences(rng, 5).into_bytes()),
                (format!("data/export_{}.csv", rng.range(1, 99)), csv(rng)),
            ];
            zip(&entries, &mtime_stamp)
        }
        Kind::TarGz => tar_gz(rng),
        Kind::Py => code_py(rng),
        Kind::Rs => code_rs(rng),
        Kind::Js => code_js(rng),
        Kind::Sh => code_sh(rng),
        Kind::Html => html(rng),
        Kind::Bin => {
            let n = rng.range(200, 3000) as usize;
            rng.bytes(n)
        }
        Kind::DotFile => dotfile(rng, &plan.stem),
    };
    Ok((bytes, false))
}

const WORDS: &[&str] = &[
    "the",
    "quarterly",
    "budget",
    "meeting",
    "was",
    "moved",
    "to",
    "Thursday",
    "please",
    "review",
    "attached",
    "invoice",
    "before",
    "Friday",
    "shipping",
    "address",
    "changed",
    "project",
    "timeline",
    "draft",
    "final",
    "version",
    "customer",
    "feedback",
    "about",
    "new",
    "design",
    "we",
    "need",
    "more",
    "photos",
    "from",
    "trip",
    "and",
    "receipts",
    "for",
    "taxes",
    "summer",
    "garden",
    "plan",
    "kitchen",
    "renovation",
    "estimate",
    "school",
    "pickup",
    "schedule",
];

fn sentences(rng: &mut Rng, count: usize) -> String {
    let mut out = String::new();
    for _ in 0..count {
        let len = rng.range(6, 14) as usize;
        for i in 0..len {
            let word = *rng.pick(WORDS);
            if i == 0 {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push(' ');
                out.push_str(word);
            }
        }
        out.push_str(". ");
    }
    out.push('\n');
    out
}

fn text_file(rng: &mut Rng, stem: &str) -> Vec<u8> {
    let body = match stem {
        "LICENSE" => {
            "Permission is hereby granted, free of charge, to any person obtaining a copy\n\
                      of this software, to deal in the Software without restriction.\n"
                .to_string()
        }
        "Makefile" => "all:\n\tcc -O2 -o app main.c\n\nclean:\n\trm -f app\n".to_string(),
        "会议记录" => format!(
            "会议记录\n日期：{}\n- 讨论预算\n- 下周跟进\n",
            rng.range(1, 28)
        ),
        _ => {
            let lines = rng.range(2, 8) as usize;
            let mut s = String::new();
            for _ in 0..lines {
                s.push_str("- ");
                s.push_str(&sentences(rng, 1));
            }
            s
        }
    };
    body.into_bytes()
}

fn markdown(rng: &mut Rng) -> Vec<u8> {
    let mut s = format!(
        "# {}\n\n",
        sentences(rng, 1).trim_end_matches(['.', ' ', '\n'])
    );
    s.push_str(&sentences(rng, 3));
    s.push_str("\n## Next steps\n\n");
    for _ in 0..rng.range(2, 5) {
        s.push_str("- [ ] ");
        s.push_str(&sentences(rng, 1));
    }
    s.into_bytes()
}

fn csv(rng: &mut Rng) -> Vec<u8> {
    let mut s = String::from("date,description,amount,category\n");
    for _ in 0..rng.range(5, 40) {
        s.push_str(&format!(
            "{}-{:02}-{:02},{} {},{}.{:02},{}\n",
            rng.range(2018, 2025),
            rng.range(1, 12),
            rng.range(1, 28),
            rng.pick(&["Coffee", "Groceries", "Train", "Books", "Hardware"]),
            rng.pick(&["shop", "store", "online", "market"]),
            rng.range(1, 250),
            rng.range(0, 99),
            rng.pick(&["food", "travel", "office", "home"]),
        ));
    }
    s.into_bytes()
}

fn code_py(rng: &mut Rng) -> Vec<u8> {
    format!(
        "#!/usr/bin/env python3\n\"\"\"Summarize a CSV export.\"\"\"\nimport csv\nimport sys\n\n\
         THRESHOLD = {}\n\n\ndef main(path):\n    total = 0.0\n    with open(path) as f:\n        \
         for row in csv.DictReader(f):\n            total += float(row[\"amount\"])\n    \
         print(f\"total: {{total:.2f}}\", \"over\" if total > THRESHOLD else \"under\")\n\n\n\
         if __name__ == \"__main__\":\n    main(sys.argv[1])\n",
        rng.range(10, 5000)
    )
    .into_bytes()
}

fn code_rs(rng: &mut Rng) -> Vec<u8> {
    format!(
        "use std::io::{{self, BufRead}};\n\nconst LIMIT: usize = {};\n\nfn main() -> io::Result<()> {{\n    \
         let stdin = io::stdin();\n    let mut count = 0;\n    for line in stdin.lock().lines() {{\n        \
         if line?.len() > LIMIT {{\n            count += 1;\n        }}\n    }}\n    \
         println!(\"{{count}} long lines\");\n    Ok(())\n}}\n",
        rng.range(40, 200)
    )
    .into_bytes()
}

fn code_js(rng: &mut Rng) -> Vec<u8> {
    format!(
        "'use strict';\n\nconst DELAY_MS = {};\n\nfunction debounce(fn) {{\n  let t;\n  \
         return (...args) => {{\n    clearTimeout(t);\n    t = setTimeout(() => fn(...args), DELAY_MS);\n  }};\n}}\n\n\
         document.querySelector('#search').addEventListener('input', debounce(e => console.log(e.target.value)));\n",
        rng.range(50, 800)
    )
    .into_bytes()
}

fn code_sh(rng: &mut Rng) -> Vec<u8> {
    format!(
        "#!/bin/sh\nset -eu\n# Keep the last {} backups.\nDEST=\"$HOME/backups\"\nmkdir -p \"$DEST\"\n\
         tar czf \"$DEST/home-$(date +%F).tar.gz\" \"$HOME/Documents\"\n\
         ls -1t \"$DEST\" | tail -n +{} | while read -r f; do rm -- \"$DEST/$f\"; done\n",
        rng.range(3, 30),
        rng.range(4, 31)
    )
    .into_bytes()
}

fn html(rng: &mut Rng) -> Vec<u8> {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n\
         <body>\n<h1>Newsletter #{}</h1>\n<p>{}</p>\n</body>\n</html>\n",
        rng.pick(&["Saved page", "Order confirmation", "Newsletter"]),
        rng.range(1, 300),
        sentences(rng, 4).trim_end()
    )
    .into_bytes()
}

fn dotfile(rng: &mut Rng, stem: &str) -> Vec<u8> {
    let mut out = if stem == ".DS_Store" {
        // Finder's "Bud1" buddy-allocator header.
        let mut v = vec![0, 0, 0, 1];
        v.extend_from_slice(b"Bud1");
        v
    } else if stem.starts_with("._") {
        // AppleDouble resource-fork header.
        vec![0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00]
    } else {
        Vec::new()
    };
    let n = rng.range(32, 600) as usize;
    out.extend(rng.bytes(n));
    out
}

/// A one-page PDF with correct xref offsets, so real viewers open it.
fn pdf(text: &str) -> Vec<u8> {
    // PDF string literals need parentheses and backslashes escaped; keep the text ASCII.
    let safe: String = text
        .chars()
        .filter(|c| c.is_ascii() && !matches!(c, '(' | ')' | '\\' | '\n'))
        .collect();
    let mut content = String::from("BT /F1 11 Tf 72 720 Td 14 TL\n");
    for chunk in safe.as_bytes().chunks(80) {
        content.push_str(&format!("({}) '\n", String::from_utf8_lossy(chunk)));
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{obj}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn docx(text: &str, when: &Stamp) -> Vec<u8> {
    let content_types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>"#,
        text.trim()
    );
    zip(
        &[
            (
                "[Content_Types].xml".to_string(),
                content_types.as_bytes().to_vec(),
            ),
            ("_rels/.rels".to_string(), rels.as_bytes().to_vec()),
            ("word/document.xml".to_string(), document.into_bytes()),
        ],
        when,
    )
}

fn xlsx(rng: &mut Rng, when: &Stamp) -> Vec<u8> {
    let content_types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let workbook = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let workbook_rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    let mut rows = String::new();
    for r in 1..=rng.range(3, 12) {
        rows.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}"><v>{}</v></c><c r="B{r}"><v>{}.{:02}</v></c></row>"#,
            r,
            rng.range(1, 900),
            rng.range(0, 99)
        ));
    }
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    );
    zip(
        &[
            (
                "[Content_Types].xml".to_string(),
                content_types.as_bytes().to_vec(),
            ),
            ("_rels/.rels".to_string(), rels.as_bytes().to_vec()),
            ("xl/workbook.xml".to_string(), workbook.as_bytes().to_vec()),
            (
                "xl/_rels/workbook.xml.rels".to_string(),
                workbook_rels.as_bytes().to_vec(),
            ),
            ("xl/worksheets/sheet1.xml".to_string(), sheet.into_bytes()),
        ],
        when,
    )
}

/// An ID3v2.3 tag with a title frame, then a few MPEG-1 Layer III frame headers.
fn mp3(rng: &mut Rng) -> Vec<u8> {
    let title = format!("Track {}", rng.range(1, 99));
    let mut frame = b"TIT2".to_vec();
    frame.extend_from_slice(&((title.len() + 1) as u32).to_be_bytes());
    frame.extend_from_slice(&[0, 0, 0]); // flags, then ISO-8859-1 text encoding
    frame.extend_from_slice(title.as_bytes());
    let mut out = b"ID3\x03\x00\x00".to_vec();
    // The tag size is "syncsafe": 7 bits per byte.
    let size = frame.len() as u32;
    out.extend_from_slice(&[
        (size >> 21) as u8 & 0x7f,
        (size >> 14) as u8 & 0x7f,
        (size >> 7) as u8 & 0x7f,
        size as u8 & 0x7f,
    ]);
    out.extend(frame);
    for _ in 0..rng.range(1, 4) {
        // 128 kbit/s, 44.1 kHz frames are 417 bytes long.
        out.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        out.extend(rng.bytes(413));
    }
    out
}

/// A real PCM WAV file: 8 kHz mono 16-bit, a short triangle wave.
fn wav(rng: &mut Rng) -> Vec<u8> {
    let samples = rng.range(200, 1500) as usize;
    let period = rng.range(8, 64) as i32;
    let mut data = Vec::with_capacity(samples * 2);
    for i in 0..samples as i32 {
        let phase = i % period;
        let tri = if phase < period / 2 {
            phase
        } else {
            period - phase
        };
        let v = (tri * 2000 / period.max(1)) as i16 - 500;
        data.extend_from_slice(&v.to_le_bytes());
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&16000u32.to_le_bytes()); // byte rate
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend(data);
    out
}

/// ISO base media (MP4/QuickTime): an `ftyp` box, then `free` and an `mdat` of noise.
fn iso_media(rng: &mut Rng, major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(16 + 4 * compatible.len() as u32).to_be_bytes());
    out.extend_from_slice(b"ftyp");
    out.extend_from_slice(major);
    out.extend_from_slice(&0x200u32.to_be_bytes());
    for brand in compatible {
        out.extend_from_slice(*brand);
    }
    out.extend_from_slice(&8u32.to_be_bytes());
    out.extend_from_slice(b"free");
    let payload = rng.range(300, 3500) as usize;
    out.extend_from_slice(&(8 + payload as u32).to_be_bytes());
    out.extend_from_slice(b"mdat");
    out.extend(rng.bytes(payload));
    out
}

// ---------------------------------------------------------------------------------------
// Containers: CRC-32, deflate "stored" blocks, ZIP, gzip/tar, PNG
// ---------------------------------------------------------------------------------------

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

fn crc32(parts: &[&[u8]]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for part in parts {
        for &b in *part {
            c = CRC_TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
        }
    }
    c ^ 0xFFFF_FFFF
}

/// Raw deflate with uncompressed ("stored") blocks: valid for every inflater, and needs no
/// compression library.
fn deflate_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 5 * (data.len() / 65_535 + 1));
    let chunks: Vec<&[u8]> = if data.is_empty() {
        vec![&[][..]]
    } else {
        data.chunks(65_535).collect()
    };
    for (i, chunk) in chunks.iter().enumerate() {
        out.push(u8::from(i + 1 == chunks.len())); // BFINAL, BTYPE=00
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

/// A ZIP archive with stored (uncompressed) entries.
fn zip(entries: &[(String, Vec<u8>)], when: &Stamp) -> Vec<u8> {
    let (time, date) = when.dos();
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let crc = crc32(&[data]);
        let offset = out.len() as u32;
        let mut common = Vec::new();
        common.extend_from_slice(&20u16.to_le_bytes()); // version needed
        common.extend_from_slice(&0u16.to_le_bytes()); // flags
        common.extend_from_slice(&0u16.to_le_bytes()); // method: stored
        common.extend_from_slice(&time.to_le_bytes());
        common.extend_from_slice(&date.to_le_bytes());
        common.extend_from_slice(&crc.to_le_bytes());
        common.extend_from_slice(&(data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(name.len() as u16).to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // extra length

        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&common);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&common);
        central.extend_from_slice(&0u16.to_le_bytes()); // comment length
        central.extend_from_slice(&0u16.to_le_bytes()); // disk number
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A gzip'd ustar archive holding one small text file.
fn tar_gz(rng: &mut Rng) -> Vec<u8> {
    let body = sentences(rng, 4).into_bytes();
    let name = format!("notes-{}.txt", rng.range(1, 999));
    let mut header = [0u8; 512];
    let put = |h: &mut [u8; 512], at: usize, s: &[u8]| h[at..at + s.len()].copy_from_slice(s);
    put(&mut header, 0, name.as_bytes());
    put(&mut header, 100, b"0000644\0");
    put(&mut header, 108, b"0001750\0");
    put(&mut header, 116, b"0001750\0");
    put(
        &mut header,
        124,
        format!("{:011o}\0", body.len()).as_bytes(),
    );
    put(
        &mut header,
        136,
        format!("{:011o}\0", 1_600_000_000 + rng.range(0, 150_000_000)).as_bytes(),
    );
    put(&mut header, 148, b"        "); // checksum is computed with this field as spaces
    header[156] = b'0';
    put(&mut header, 257, b"ustar\x0000");
    put(&mut header, 265, b"user");
    put(&mut header, 297, b"user");
    let sum: u32 = header.iter().map(|&b| b as u32).sum();
    put(&mut header, 148, format!("{sum:06o}\0 ").as_bytes());

    let mut tar = header.to_vec();
    tar.extend_from_slice(&body);
    tar.resize(tar.len().div_ceil(512) * 512 + 1024, 0); // pad, then two zero blocks

    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]; // deflate, no flags, Unix
    out.extend(deflate_stored(&tar));
    out.extend_from_slice(&crc32(&[&tar]).to_le_bytes());
    out.extend_from_slice(&(tar.len() as u32).to_le_bytes());
    out
}

/// A small RGB PNG with a zlib stream of stored blocks.
fn png(rng: &mut Rng) -> Vec<u8> {
    let w = rng.range(8, 24) as u32;
    let h = rng.range(8, 24) as u32;
    let (r0, g0, b0) = (rng.byte(), rng.byte(), rng.byte());
    let mut raw = Vec::with_capacity(((w * 3 + 1) * h) as usize);
    for y in 0..h {
        raw.push(0); // filter: none
        for x in 0..w {
            raw.extend_from_slice(&[
                r0.wrapping_add((x * 9) as u8),
                g0.wrapping_add((y * 9) as u8),
                b0.wrapping_add(((x + y) * 5) as u8),
            ]);
        }
    }
    let mut zlib = vec![0x78, 0x01];
    zlib.extend(deflate_stored(&raw));
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());

    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, adaptive filter, no interlace

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", &ihdr), (b"IDAT", &zlib), (b"IEND", &Vec::new())] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
    }
    out
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + byte as u32) % 65_521;
        b = (b + a) % 65_521;
    }
    b << 16 | a
}

// ---------------------------------------------------------------------------------------
// JPEG with EXIF
// ---------------------------------------------------------------------------------------

const CAMERAS: &[(&str, &str)] = &[
    ("Apple", "iPhone 12"),
    ("Apple", "iPhone 14 Pro"),
    ("samsung", "SM-G991B"),
    ("Google", "Pixel 7"),
    ("Canon", "Canon EOS 80D"),
    ("NIKON CORPORATION", "NIKON D3500"),
    ("SONY", "ILCE-6400"),
];

/// Encodes a small gradient-plus-noise JPEG (different for every call) and inserts an EXIF
/// APP1 segment right after SOI, where readers look for it.
fn jpeg_with_exif(rng: &mut Rng, taken: &Stamp) -> io::Result<Vec<u8>> {
    let w = rng.range(16, 48) as u16;
    let h = rng.range(16, 48) as u16;
    let (fx, fy) = (rng.range(1, 8) as u32, rng.range(1, 8) as u32);
    let base = [rng.byte(), rng.byte(), rng.byte()];
    let mut pixels = Vec::with_capacity(w as usize * h as usize * 3);
    for y in 0..h as u32 {
        for x in 0..w as u32 {
            let noise = rng.next_u64();
            pixels.extend_from_slice(&[
                base[0]
                    .wrapping_add((x * fx) as u8)
                    .wrapping_add((noise & 0x0f) as u8),
                base[1]
                    .wrapping_add((y * fy) as u8)
                    .wrapping_add((noise >> 8 & 0x0f) as u8),
                base[2]
                    .wrapping_add(((x + y) * 2) as u8)
                    .wrapping_add((noise >> 16 & 0x0f) as u8),
            ]);
        }
    }
    let quality = rng.range(70, 92) as u8;
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, quality)
        .encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(io::Error::other)?;
    if jpeg.get(..2) != Some(&[0xFF, 0xD8][..]) {
        return Err(io::Error::other(
            "jpeg-encoder output does not start with SOI",
        ));
    }

    let &(make, model) = rng.pick(CAMERAS);
    let tiff = exif_tiff(make, model, &taken.exif());
    let mut app1 = vec![0xFF, 0xE1];
    // The segment length counts itself (2 bytes) plus "Exif\0\0" plus the TIFF block.
    app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend(tiff);

    let mut out = Vec::with_capacity(jpeg.len() + app1.len());
    out.extend_from_slice(&jpeg[..2]);
    out.extend(app1);
    out.extend_from_slice(&jpeg[2..]);
    Ok(out)
}

/// TIFF type codes used below.
const ASCII: u16 = 2;
const SHORT: u16 = 3;
const LONG: u16 = 4;
const UNDEFINED: u16 = 7;

/// One IFD entry; values longer than 4 bytes go to the data area after the IFD.
struct Entry {
    tag: u16,
    kind: u16,
    count: u32,
    bytes: Vec<u8>,
}

fn ascii_entry(tag: u16, s: &str) -> Entry {
    let mut bytes = s.as_bytes().to_vec();
    bytes.push(0);
    Entry {
        tag,
        kind: ASCII,
        count: bytes.len() as u32,
        bytes,
    }
}

/// Little-endian TIFF block: IFD0 (Make, Model, Orientation, DateTime, ExifIFDPointer)
/// and an Exif sub-IFD (ExifVersion, DateTimeOriginal).
fn exif_tiff(make: &str, model: &str, datetime: &str) -> Vec<u8> {
    let ifd0 = vec![
        ascii_entry(0x010F, make),
        ascii_entry(0x0110, model),
        Entry {
            tag: 0x0112,
            kind: SHORT,
            count: 1,
            bytes: 1u16.to_le_bytes().to_vec(),
        },
        ascii_entry(0x0132, datetime),
        // Placeholder; patched below once the sub-IFD offset is known.
        Entry {
            tag: 0x8769,
            kind: LONG,
            count: 1,
            bytes: 0u32.to_le_bytes().to_vec(),
        },
    ];
    let exif_ifd = vec![
        Entry {
            tag: 0x9000,
            kind: UNDEFINED,
            count: 4,
            bytes: b"0232".to_vec(),
        },
        ascii_entry(0x9003, datetime),
    ];

    let mut out = b"II\x2a\x00".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes());
    let ifd0_len = ifd_size(&ifd0);
    let exif_offset = 8 + ifd0_len;
    let mut ifd0 = ifd0;
    if let Some(ptr) = ifd0.iter_mut().find(|e| e.tag == 0x8769) {
        ptr.bytes = (exif_offset as u32).to_le_bytes().to_vec();
    }
    write_ifd(&mut out, &ifd0);
    debug_assert_eq!(out.len(), exif_offset);
    write_ifd(&mut out, &exif_ifd);
    out
}

/// Bytes an IFD occupies including its out-of-line data (each value padded to even length).
fn ifd_size(entries: &[Entry]) -> usize {
    let data: usize = entries
        .iter()
        .filter(|e| e.bytes.len() > 4)
        .map(|e| e.bytes.len().div_ceil(2) * 2)
        .sum();
    2 + 12 * entries.len() + 4 + data
}

/// Writes an IFD (entries sorted by tag, as TIFF requires) with next-IFD = 0, followed by
/// its data area. Offsets are relative to the TIFF header, i.e. the start of `out`.
fn write_ifd(out: &mut Vec<u8>, entries: &[Entry]) {
    let start = out.len();
    let mut data_offset = start + 2 + 12 * entries.len() + 4;
    let mut data = Vec::new();
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for e in entries {
        out.extend_from_slice(&e.tag.to_le_bytes());
        out.extend_from_slice(&e.kind.to_le_bytes());
        out.extend_from_slice(&e.count.to_le_bytes());
        if e.bytes.len() <= 4 {
            let mut inline = [0u8; 4];
            inline[..e.bytes.len()].copy_from_slice(&e.bytes);
            out.extend_from_slice(&inline);
        } else {
            out.extend_from_slice(&(data_offset as u32).to_le_bytes());
            data.extend_from_slice(&e.bytes);
            if e.bytes.len() % 2 == 1 {
                data.push(0); // keep offsets word-aligned
            }
            data_offset += e.bytes.len().div_ceil(2) * 2;
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend(data);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn read_exif_date(bytes: &[u8]) -> Vec<u8> {
        let exif = exif::Reader::new()
            .read_from_container(&mut Cursor::new(bytes))
            .expect("EXIF parses");
        let field = exif
            .get_field(exif::Tag::DateTimeOriginal, exif::In::PRIMARY)
            .expect("DateTimeOriginal present");
        match &field.value {
            exif::Value::Ascii(v) => v[0].clone(),
            other => panic!("unexpected value {other:?}"),
        }
    }

    #[test]
    fn exif_date_parses_with_kamadak() {
        let mut rng = Rng::new(7);
        let taken = Stamp {
            year: 2021,
            month: 3,
            day: 4,
            hour: 10,
            minute: 22,
            second: 11,
        };
        let bytes = jpeg_with_exif(&mut rng, &taken).unwrap();
        assert_eq!(read_exif_date(&bytes), b"2021:03:04 10:22:11");

        let exif = exif::Reader::new()
            .read_from_container(&mut Cursor::new(&bytes))
            .unwrap();
        let make = exif
            .get_field(exif::Tag::Make, exif::In::PRIMARY)
            .expect("Make present");
        assert!(matches!(make.value, exif::Value::Ascii(_)));
    }

    #[test]
    fn generated_photos_have_exif_and_a_different_mtime_year() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("demo");
        make_demo_folder(
            &dir,
            &DemoSpec {
                files: 120,
                seed: 3,
            },
        )
        .unwrap();
        let mut checked = 0;
        for line in hash_listing(&dir).unwrap() {
            let rel = line.split_once("  ").unwrap().1;
            let path = dir.join(rel);
            let bytes = fs::read(&path).unwrap();
            if !bytes.starts_with(&[0xFF, 0xD8]) {
                continue;
            }
            let date = read_exif_date(&bytes);
            let exif_year: u64 = std::str::from_utf8(&date[..4]).unwrap().parse().unwrap();
            assert!((2019..=2025).contains(&exif_year), "{rel}: {exif_year}");
            let mtime = fs::metadata(&path).unwrap().modified().unwrap();
            let secs = mtime.duration_since(UNIX_EPOCH).unwrap().as_secs();
            let start_of_exif_year = days_from_civil(exif_year as i64, 1, 1) as u64 * 86_400;
            let start_of_next = days_from_civil(exif_year as i64 + 1, 1, 1) as u64 * 86_400;
            assert!(
                !(start_of_exif_year..start_of_next).contains(&secs),
                "{rel}: mtime in EXIF year"
            );
            checked += 1;
        }
        assert!(checked > 20, "only {checked} JPEGs");
    }

    #[test]
    fn same_seed_same_tree() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            tmp.path().join("a"),
            tmp.path().join("b"),
            tmp.path().join("c"),
        );
        let spec = DemoSpec {
            files: 300,
            seed: 42,
        };
        let ra = make_demo_folder(&a, &spec).unwrap();
        let rb = make_demo_folder(&b, &spec).unwrap();
        assert_eq!(ra, rb);
        assert_eq!(hash_listing(&a).unwrap(), hash_listing(&b).unwrap());
        make_demo_folder(
            &c,
            &DemoSpec {
                files: 300,
                seed: 43,
            },
        )
        .unwrap();
        assert_ne!(hash_listing(&a).unwrap(), hash_listing(&c).unwrap());

        // Modification times are part of the determinism too.
        let mtime = |p: &Path| fs::metadata(p).unwrap().modified().unwrap();
        assert_eq!(mtime(&a.join("report.pdf")), mtime(&b.join("report.pdf")));
    }

    #[test]
    fn counts_and_mix_match_the_spec() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("demo");
        let report = make_demo_folder(
            &dir,
            &DemoSpec {
                files: 1000,
                seed: 1,
            },
        )
        .unwrap();
        let listing = hash_listing(&dir).unwrap();
        assert_eq!(report.files, 1000);
        assert_eq!(listing.len(), 1000);
        let on_disk: u64 = listing
            .iter()
            .map(|l| {
                fs::metadata(dir.join(l.split_once("  ").unwrap().1))
                    .unwrap()
                    .len()
            })
            .sum();
        assert_eq!(report.bytes, on_disk);
        assert!(
            (250..=450).contains(&report.photos_with_exif),
            "{}",
            report.photos_with_exif
        );

        for must in [
            "report.pdf",
            "old stuff/report.pdf",
            "résumé.pdf",
            "会议记录.txt",
            ".DS_Store",
            "README",
            "scan_0001",
            "misc/nested/notes.md",
        ] {
            assert!(
                listing.iter().any(|l| l.ends_with(&format!("  {must}"))),
                "missing {must}"
            );
        }
        let jpeg = fs::read(dir.join("scan_0001")).unwrap();
        assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF, 0xE1]));
        for magic in [
            &b"%PDF-1.4"[..],
            b"PK\x03\x04",
            b"ID3",
            b"RIFF",
            b"\x1f\x8b",
            b"\x89PNG",
        ] {
            let found = listing.iter().any(|l| {
                fs::read(dir.join(l.split_once("  ").unwrap().1))
                    .unwrap()
                    .starts_with(magic)
            });
            assert!(found, "no file starts with {magic:?}");
        }
        // mtimes fall in 2018..=2025.
        let lo = days_from_civil(2018, 1, 1) as u64 * 86_400;
        let hi = days_from_civil(2026, 1, 1) as u64 * 86_400;
        for l in &listing {
            let t = fs::metadata(dir.join(l.split_once("  ").unwrap().1))
                .unwrap()
                .modified()
                .unwrap();
            let s = t.duration_since(UNIX_EPOCH).unwrap().as_secs();
            assert!((lo..hi).contains(&s), "{l}");
        }
    }

    #[test]
    fn small_counts_are_exact() {
        let tmp = tempfile::tempdir().unwrap();
        for n in [0, 1, 5, 11] {
            let dir = tmp.path().join(format!("d{n}"));
            let report = make_demo_folder(&dir, &DemoSpec { files: n, seed: 9 }).unwrap();
            assert_eq!(report.files, n);
            assert_eq!(hash_listing(&dir).unwrap().len(), n);
        }
    }

    #[test]
    fn refuses_non_empty_dir_and_files() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("keep.txt"), b"mine").unwrap();
        let err = make_demo_folder(tmp.path(), &DemoSpec { files: 3, seed: 1 }).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::DirectoryNotEmpty);
        assert_eq!(fs::read(tmp.path().join("keep.txt")).unwrap(), b"mine");

        let err = make_demo_folder(
            &tmp.path().join("keep.txt"),
            &DemoSpec { files: 3, seed: 1 },
        )
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotADirectory);

        // An existing empty directory is fine.
        let empty = tmp.path().join("empty");
        fs::create_dir(&empty).unwrap();
        assert_eq!(
            make_demo_folder(&empty, &DemoSpec { files: 3, seed: 1 })
                .unwrap()
                .files,
            3
        );
    }

    #[test]
    fn containers_are_well_formed() {
        // gzip trailer CRC and size match the payload, and the PNG IEND CRC is the known value.
        let mut rng = Rng::new(5);
        let gz = tar_gz(&mut rng);
        let n = gz.len();
        let isize = u32::from_le_bytes(gz[n - 4..].try_into().unwrap()) as usize;
        assert_eq!(isize % 512, 0);
        let png = png(&mut rng);
        assert_eq!(&png[png.len() - 4..], &[0xAE, 0x42, 0x60, 0x82]);
        assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
    }
}
