use super::*;

/// A picture whose left half is red and right half blue, so scaling and turning can be
/// checked by colour.
fn halves(width: u32, height: u32, alpha: u8) -> Vec<u8> {
    (0..height)
        .flat_map(|_| {
            (0..width).flat_map(move |x| {
                if x < width / 2 {
                    [220, 20, 20, alpha]
                } else {
                    [20, 20, 220, alpha]
                }
            })
        })
        .collect()
}

fn png_of(width: u32, height: u32, pixels: &[u8]) -> Vec<u8> {
    encode_png(&Rgba {
        width,
        height,
        pixels: pixels.to_vec(),
    })
    .expect("png")
}

fn jpeg_of(width: u16, height: u16, orientation: Option<u16>) -> Vec<u8> {
    let rgb: Vec<u8> = halves(u32::from(width), u32::from(height), 255)
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    if let Some(o) = orientation {
        // Exif\0\0, a little-endian TIFF header and one IFD entry: Orientation (0x0112), SHORT.
        let mut exif = b"Exif\0\0II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0".to_vec();
        exif.extend_from_slice(&o.to_le_bytes());
        exif.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        encoder.add_app_segment(1, &exif).expect("exif");
    }
    encoder
        .encode(&rgb, width, height, jpeg_encoder::ColorType::Rgb)
        .expect("jpeg");
    out
}

fn pixel(prepared: &Prepared, x: u32, y: u32) -> [u8; 4] {
    let format = Format::sniff(&prepared.bytes).expect("a known format");
    let picture = decode::rgba(format, &prepared.bytes).expect("decodes");
    assert_eq!(
        (picture.width, picture.height),
        (prepared.width, prepared.height)
    );
    let at = ((y * picture.width + x) * 4) as usize;
    [
        picture.pixels[at],
        picture.pixels[at + 1],
        picture.pixels[at + 2],
        picture.pixels[at + 3],
    ]
}

#[test]
fn a_small_picture_is_sent_byte_for_byte() {
    let png = png_of(40, 30, &halves(40, 30, 255));
    let prepared = prepare(&png).expect("prepares");
    assert_eq!(prepared.bytes, png);
    assert_eq!(prepared.media_type, "image/png");
    assert_eq!((prepared.width, prepared.height), (40, 30));
    assert!(!prepared.scaled());
    assert_eq!(prepared.describe(), "40×30 PNG");
}

#[test]
fn a_large_photo_is_scaled_within_the_limits_keeping_its_proportions_and_colours() {
    let png = png_of(3000, 2000, &halves(3000, 2000, 255));
    let prepared = prepare(&png).expect("prepares");
    assert_eq!(
        prepared.media_type, "image/jpeg",
        "opaque pictures go as JPEG"
    );
    assert!(prepared.width.max(prepared.height) <= LONG_EDGE);
    assert!(u64::from(prepared.width) * u64::from(prepared.height) <= MAX_PIXELS);
    let ratio = f64::from(prepared.width) / f64::from(prepared.height);
    assert!((ratio - 1.5).abs() < 0.01, "{ratio}");
    assert_eq!(
        (prepared.original_width, prepared.original_height),
        (3000, 2000)
    );
    assert!(prepared.describe().starts_with("3000×2000 PNG, sent at "));
    let left = pixel(&prepared, 10, prepared.height / 2);
    let right = pixel(&prepared, prepared.width - 10, prepared.height / 2);
    assert!(left[0] > 180 && left[2] < 60, "{left:?}");
    assert!(right[2] > 180 && right[0] < 60, "{right:?}");
}

#[test]
fn transparency_survives_scaling() {
    let png = png_of(2000, 100, &halves(2000, 100, 100));
    let prepared = prepare(&png).expect("prepares");
    assert_eq!(prepared.media_type, "image/png");
    assert_eq!(prepared.width, LONG_EDGE);
    let alpha = pixel(&prepared, 5, 5)[3];
    assert!((95..=105).contains(&alpha), "{alpha}");
}

#[test]
fn a_photo_taken_sideways_is_turned_upright() {
    // Orientation 6: the camera was turned; a viewer rotates it 90° clockwise.
    let jpeg = jpeg_of(64, 32, Some(6));
    assert_eq!(decode::exif_orientation(&jpeg), 6);
    let prepared = prepare(&jpeg).expect("prepares");
    assert_eq!((prepared.width, prepared.height), (32, 64));
    // The red left half is now on top.
    assert!(pixel(&prepared, 16, 5)[0] > 180);
    assert!(pixel(&prepared, 16, 58)[2] > 180);
    let upright = jpeg_of(64, 32, None);
    assert_eq!(prepare(&upright).expect("prepares").bytes, upright);
    // Measured from the header alone, the same sizes `prepare` gives.
    assert_eq!(measure(&jpeg).expect("measures"), (Format::Jpeg, 32, 64));
    assert_eq!(measure(&upright).expect("measures"), (Format::Jpeg, 64, 32));
}

#[test]
fn gif_and_webp_are_read() {
    let mut rgba = halves(2000, 10, 255);
    let mut gif = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut gif, 2000, 10, &[]).expect("gif");
        let frame = gif::Frame::from_rgba(2000, 10, &mut rgba);
        encoder.write_frame(&frame).expect("frame");
    }
    let prepared = prepare(&gif).expect("a wide GIF is scaled");
    assert_eq!(prepared.width, LONG_EDGE);
    assert!(pixel(&prepared, 3, 3)[0] > 180);

    let mut webp = Vec::new();
    image_webp::WebPEncoder::new(&mut webp)
        .encode(&halves(20, 10, 255), 20, 10, image_webp::ColorType::Rgba8)
        .expect("webp");
    let prepared = prepare(&webp).expect("prepares");
    assert_eq!(prepared.media_type, "image/webp");
    assert_eq!(prepared.bytes, webp);
}

#[test]
fn what_is_not_a_picture_is_named() {
    assert_eq!(prepare(b"hello"), Err(ImageError::Unsupported));
    let png = png_of(40, 30, &halves(40, 30, 255));
    let cut = prepare(&png[..30]).expect_err("cut short");
    assert!(
        cut.to_string()
            .starts_with("the PNG image could not be read"),
        "{cut}"
    );
    // A header claiming 100,000 × 100,000 pixels is refused before anything is decoded.
    let mut bomb = b"GIF89a".to_vec();
    bomb.extend_from_slice(&[0xA0, 0x86, 0xA0, 0x86, 0, 0, 0]);
    assert!(matches!(prepare(&bomb), Err(ImageError::TooLarge { .. })));
}

#[test]
fn token_estimates_follow_the_pixel_count() {
    assert_eq!(estimated_tokens(1092, 1092), 1590);
    assert_eq!(estimated_tokens(10, 10), 85);
}
