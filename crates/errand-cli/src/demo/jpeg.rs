//! JPEG photos with a parseable EXIF block.
use super::*;

const CAMERAS: &[(&str, &str)] = &[
    ("Apple", "iPhone 12"),
    ("Apple", "iPhone 14 Pro"),
    ("samsung", "SM-G991B"),
    ("Google", "Pixel 7"),
    ("Canon", "Canon EOS 80D"),
    ("NIKON CORPORATION", "NIKON D3500"),
    ("SONY", "ILCE-6400"),
];

/// A small gradient-plus-noise JPEG (different for every call) with EXIF.
pub(super) fn jpeg_with_exif(rng: &mut Rng, taken: &Stamp) -> io::Result<Vec<u8>> {
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
    let camera = *rng.pick(CAMERAS);
    encode_with_exif(&pixels, w, h, quality, camera, taken)
}

/// A phone to photograph a receipt with (the first cameras listed are phones).
pub(super) fn phone(rng: &mut Rng) -> (&'static str, &'static str) {
    *rng.pick(&CAMERAS[..4])
}

/// RGB pixels as a JPEG with an EXIF APP1 segment right after SOI, where readers look
/// for it.
pub(super) fn encode_with_exif(
    pixels: &[u8],
    w: u16,
    h: u16,
    quality: u8,
    (make, model): (&str, &str),
    taken: &Stamp,
) -> io::Result<Vec<u8>> {
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, quality)
        .encode(pixels, w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(io::Error::other)?;
    if jpeg.get(..2) != Some(&[0xFF, 0xD8][..]) {
        return Err(io::Error::other(
            "jpeg-encoder output does not start with SOI",
        ));
    }

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
pub(super) const ASCII: u16 = 2;
const SHORT: u16 = 3;
const LONG: u16 = 4;
const UNDEFINED: u16 = 7;

/// One IFD entry; values longer than 4 bytes go to the data area after the IFD.
struct Entry {
    pub(super) tag: u16,
    pub(super) kind: u16,
    pub(super) count: u32,
    pub(super) bytes: Vec<u8>,
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
