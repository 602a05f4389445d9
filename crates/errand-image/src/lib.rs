//! Pictures for models that read them. A photo, screenshot or connector's image is checked,
//! turned upright, and made small enough for every provider before it is sent: a long edge
//! of at most 1,568 pixels and about 1.15 megapixels, which is where Anthropic stops
//! gaining detail and OpenAI's high-detail tiles stop paying off. Smaller pictures in a
//! format both providers take are sent exactly as they are.
mod decode;
pub mod ocr;
mod program;
mod resize;
pub mod scan;

pub use decode::Format;

/// The longest edge sent to a model.
pub const LONG_EDGE: u32 = 1568;
/// The most pixels sent to a model (≈1,600 tokens on Anthropic's count).
pub const MAX_PIXELS: u64 = 1_150_000;
/// Anthropic refuses images over 5 MB once base64-encoded.
pub const MAX_BYTES: usize = 3_750_000;
/// Pictures larger than this are refused rather than decoded: a decompression bomb
/// would otherwise take gigabytes.
pub const MAX_SOURCE_PIXELS: u64 = 60_000_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    #[error("not a PNG, JPEG, GIF or WebP image")]
    Unsupported,
    #[error("the {format} image could not be read: {reason}")]
    Decode {
        format: &'static str,
        reason: String,
    },
    #[error("the image is {width}×{height} pixels; at most {MAX_SOURCE_PIXELS} pixels are read")]
    TooLarge { width: u32, height: u32 },
    #[error("the image could not be re-encoded: {0}")]
    Encode(String),
}

/// A picture ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub media_type: &'static str,
    pub width: u32,
    pub height: u32,
    /// The size it had before it was scaled (and turned, for a rotated photo).
    pub original_width: u32,
    pub original_height: u32,
    pub original_format: Format,
    pub bytes: Vec<u8>,
}

impl Prepared {
    pub fn scaled(&self) -> bool {
        (self.width, self.height) != (self.original_width, self.original_height)
    }

    /// One line saying what the picture is, for the text beside it.
    pub fn describe(&self) -> String {
        let kind = self.original_format.name();
        if self.scaled() {
            format!(
                "{}×{} {kind}, sent at {}×{}",
                self.original_width, self.original_height, self.width, self.height
            )
        } else {
            format!("{}×{} {kind}", self.width, self.height)
        }
    }
}

/// What a model is charged for an image of this size, by Anthropic's rule (pixels / 750);
/// OpenAI's tiles come to about the same for pictures within `LONG_EDGE`.
pub fn estimated_tokens(width: u32, height: u32) -> u64 {
    (u64::from(width) * u64::from(height)).div_ceil(750).max(85)
}

/// The picture as a model should get it: unchanged when it already fits, otherwise
/// decoded, turned upright by its EXIF orientation, scaled down and re-encoded (PNG when it
/// has transparency and stays under `MAX_BYTES`, else JPEG).
pub fn prepare(bytes: &[u8]) -> Result<Prepared, ImageError> {
    let (format, width, height, orientation) = header(bytes)?;
    let (target_w, target_h) = fitted(width, height);
    if orientation == 1 && (target_w, target_h) == (width, height) && bytes.len() <= MAX_BYTES {
        return Ok(Prepared {
            media_type: format.media_type(),
            width,
            height,
            original_width: width,
            original_height: height,
            original_format: format,
            bytes: bytes.to_vec(),
        });
    }
    let picture = decode::rgba(format, bytes)?;
    let picture = resize::orient(picture, orientation);
    let (original_width, original_height) = (picture.width, picture.height);
    let (w, h) = fitted(picture.width, picture.height);
    let picture = resize::scale(&picture, w, h);
    let encoded = if picture.has_transparency() {
        let png = encode_png(&picture)?;
        if png.len() <= MAX_BYTES {
            Some(png)
        } else {
            None
        }
    } else {
        None
    };
    let (media_type, bytes) = match encoded {
        Some(png) => ("image/png", png),
        None => ("image/jpeg", encode_jpeg(&picture)?),
    };
    Ok(Prepared {
        media_type,
        width: picture.width,
        height: picture.height,
        original_width,
        original_height,
        original_format: format,
        bytes,
    })
}

/// What a picture is, from its header alone: its format and its size upright, as `prepare`
/// would turn it. For saying what a picture is without decoding it.
pub fn measure(bytes: &[u8]) -> Result<(Format, u32, u32), ImageError> {
    let (format, width, height, orientation) = header(bytes)?;
    // EXIF orientations 5 to 8 turn the picture a quarter: its sides swap.
    Ok(if (5..=8).contains(&orientation) {
        (format, height, width)
    } else {
        (format, width, height)
    })
}

/// Format, stored size and EXIF orientation, refusing a picture too large to decode.
fn header(bytes: &[u8]) -> Result<(Format, u32, u32, u32), ImageError> {
    let format = Format::sniff(bytes).ok_or(ImageError::Unsupported)?;
    let (width, height) = decode::dimensions(format, bytes)?;
    if u64::from(width) * u64::from(height) > MAX_SOURCE_PIXELS {
        return Err(ImageError::TooLarge { width, height });
    }
    let orientation = match format {
        Format::Jpeg => decode::exif_orientation(bytes),
        _ => 1,
    };
    Ok((format, width, height, orientation))
}

/// The largest size within `LONG_EDGE` and `MAX_PIXELS` with the same proportions.
fn fitted(width: u32, height: u32) -> (u32, u32) {
    let long = width.max(height).max(1) as f64;
    let mut scale = (f64::from(LONG_EDGE) / long).min(1.0);
    let pixels = f64::from(width) * f64::from(height) * scale * scale;
    if pixels > MAX_PIXELS as f64 {
        scale *= (MAX_PIXELS as f64 / pixels).sqrt();
    }
    if scale >= 1.0 {
        return (width, height);
    }
    let side = |n: u32| ((f64::from(n) * scale).floor() as u32).max(1);
    (side(width), side(height))
}

/// Eight-bit RGBA pixels, row by row.
#[derive(Debug, Clone)]
pub(crate) struct Rgba {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

impl Rgba {
    fn has_transparency(&self) -> bool {
        self.pixels.chunks_exact(4).any(|p| p[3] < 255)
    }
}

fn encode_png(picture: &Rgba) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, picture.width, picture.height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    writer
        .write_image_data(&picture.pixels)
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    writer
        .finish()
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    Ok(out)
}

/// JPEG has no transparency: transparent parts become white, as a viewer shows them.
fn encode_jpeg(picture: &Rgba) -> Result<Vec<u8>, ImageError> {
    let rgb: Vec<u8> = picture
        .pixels
        .chunks_exact(4)
        .flat_map(|p| {
            let a = u32::from(p[3]);
            let over_white = |c: u8| ((u32::from(c) * a + 255 * (255 - a)) / 255) as u8;
            [over_white(p[0]), over_white(p[1]), over_white(p[2])]
        })
        .collect();
    let (Ok(w), Ok(h)) = (u16::try_from(picture.width), u16::try_from(picture.height)) else {
        return Err(ImageError::Encode("too large for JPEG".into()));
    };
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85)
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests;
