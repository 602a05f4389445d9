//! What to generate: kinds of files, their names, folders and dates.
use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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
pub(super) struct Plan {
    pub(super) folder: &'static str,
    pub(super) stem: String,
    pub(super) ext: String,
    pub(super) kind: Kind,
    /// EXIF DateTimeOriginal for photos.
    pub(super) taken: Option<Stamp>,
    pub(super) mtime: Stamp,
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

pub(super) fn plan_file(rng: &mut Rng, index: usize) -> Plan {
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
