//! What kind of file something is, by name and by content, and when a photo was taken.
use chrono::NaiveDateTime;
use std::io::{BufReader, Read, Seek};

/// The category of a file by its extension — Documents, Images, Audio, Video, Archives or
/// Code — or `None` when the extension says nothing.
pub fn category_by_extension(name: &str) -> Option<&'static str> {
    let ext = name
        .rsplit_once('.')
        .map(|(stem, ext)| (stem, ext.to_ascii_lowercase()));
    let (stem, ext) = ext?;
    if stem.is_empty() {
        return None; // a dotfile such as `.bashrc` has no extension
    }
    Some(match ext.as_str() {
        "pdf" | "doc" | "docx" | "odt" | "rtf" | "txt" | "md" | "markdown" | "tex" | "xls"
        | "xlsx" | "xlsm" | "ods" | "csv" | "tsv" | "ppt" | "pptx" | "odp" | "key" | "pages"
        | "numbers" | "epub" | "mobi" | "log" | "vcf" | "ics" => "Documents",
        "jpg" | "jpeg" | "jpe" | "png" | "gif" | "bmp" | "tif" | "tiff" | "webp" | "heic"
        | "heif" | "avif" | "svg" | "raw" | "cr2" | "cr3" | "nef" | "arw" | "dng" | "orf"
        | "rw2" | "ico" | "psd" | "xcf" => "Images",
        "mp3" | "wav" | "flac" | "aac" | "ogg" | "oga" | "m4a" | "wma" | "aif" | "aiff"
        | "opus" | "mid" | "midi" | "amr" => "Audio",
        "mp4" | "mov" | "avi" | "mkv" | "wmv" | "flv" | "webm" | "m4v" | "mpg" | "mpeg" | "3gp"
        | "mts" | "m2ts" | "vob" => "Video",
        "zip" | "tar" | "gz" | "tgz" | "bz2" | "tbz2" | "xz" | "txz" | "7z" | "rar" | "zst"
        | "iso" | "dmg" | "cab" | "lz" | "lzma" => "Archives",
        "py" | "rs" | "js" | "mjs" | "ts" | "jsx" | "tsx" | "java" | "c" | "h" | "cc" | "cpp"
        | "hpp" | "cs" | "go" | "rb" | "php" | "sh" | "bash" | "zsh" | "fish" | "ps1" | "bat"
        | "html" | "htm" | "css" | "scss" | "sass" | "json" | "yaml" | "yml" | "toml" | "xml"
        | "sql" | "ipynb" | "swift" | "kt" | "kts" | "lua" | "pl" | "r" | "scala" | "dart"
        | "vue" | "svelte" | "ini" | "cfg" | "conf" | "mk" | "cmake" | "gradle" => "Code",
        _ => return None,
    })
}

/// The category from the first bytes of a file, for names without a telling extension.
pub fn category_by_content(head: &[u8]) -> Option<&'static str> {
    let kind = infer::get(head)?;
    // infer files PDF and RTF under archives; people file them under documents.
    if matches!(
        kind.mime_type(),
        "application/pdf" | "application/rtf" | "application/postscript"
    ) {
        return Some("Documents");
    }
    Some(match kind.matcher_type() {
        infer::MatcherType::Image => "Images",
        infer::MatcherType::Audio => "Audio",
        infer::MatcherType::Video => "Video",
        infer::MatcherType::Archive => "Archives",
        infer::MatcherType::Doc | infer::MatcherType::Book | infer::MatcherType::Text => {
            "Documents"
        }
        infer::MatcherType::Font | infer::MatcherType::App | infer::MatcherType::Custom => "Other",
    })
}

/// The MIME type from content, if the bytes are recognisable.
pub fn mime_by_content(head: &[u8]) -> Option<&'static str> {
    infer::get(head).map(|k| k.mime_type())
}

/// When a photo was taken, from EXIF `DateTimeOriginal` (or `DateTimeDigitized`, `DateTime`).
pub fn exif_taken<R: Read + Seek>(reader: R) -> Option<NaiveDateTime> {
    let mut reader = BufReader::new(reader);
    let exif = exif::Reader::new().read_from_container(&mut reader).ok()?;
    for tag in [
        exif::Tag::DateTimeOriginal,
        exif::Tag::DateTimeDigitized,
        exif::Tag::DateTime,
    ] {
        let Some(field) = exif.get_field(tag, exif::In::PRIMARY) else {
            continue;
        };
        if let exif::Value::Ascii(values) = &field.value {
            let Some(raw) = values.first() else { continue };
            let Ok(dt) = exif::DateTime::from_ascii(raw) else {
                continue;
            };
            let date = chrono::NaiveDate::from_ymd_opt(
                i32::from(dt.year),
                u32::from(dt.month),
                u32::from(dt.day),
            );
            let time = chrono::NaiveTime::from_hms_opt(
                u32::from(dt.hour),
                u32::from(dt.minute),
                u32::from(dt.second),
            );
            if let (Some(d), Some(t)) = (date, time) {
                // Cameras write 0000:00:00 when unset; years before photography are noise.
                if d.year_ce().1 >= 1900 {
                    return Some(d.and_time(t));
                }
            }
        }
    }
    None
}

use chrono::Datelike as _;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_by_name() {
        assert_eq!(category_by_extension("IMG_1.JPG"), Some("Images"));
        assert_eq!(category_by_extension("a.tar.gz"), Some("Archives"));
        assert_eq!(category_by_extension("résumé.pdf"), Some("Documents"));
        assert_eq!(category_by_extension("main.rs"), Some("Code"));
        assert_eq!(category_by_extension(".bashrc"), None);
        assert_eq!(category_by_extension("README"), None);
        assert_eq!(category_by_extension("x.weird"), None);
    }

    #[test]
    fn categories_by_content() {
        assert_eq!(
            category_by_content(b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"),
            Some("Images")
        );
        assert_eq!(category_by_content(b"%PDF-1.4\n"), Some("Documents"));
        assert_eq!(category_by_content(b"plain words"), None);
    }
}
