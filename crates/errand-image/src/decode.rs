//! Reading the four formats both providers take, by their bytes, never their names.
use crate::{ImageError, MAX_SOURCE_PIXELS, Rgba};
use std::io::Cursor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
    Gif,
    Webp,
}

impl Format {
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Format::Gif)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Format::Webp)
        } else {
            None
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
            Format::Gif => "image/gif",
            Format::Webp => "image/webp",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
            Format::Gif => "GIF",
            Format::Webp => "WebP",
        }
    }
}

fn failed(format: Format, reason: impl ToString) -> ImageError {
    ImageError::Decode {
        format: format.name(),
        reason: reason.to_string(),
    }
}

/// Width and height from the headers alone.
pub fn dimensions(format: Format, bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    let size = match format {
        Format::Png => {
            let reader = png::Decoder::new(Cursor::new(bytes))
                .read_info()
                .map_err(|e| failed(format, e))?;
            let info = reader.info();
            (info.width, info.height)
        }
        Format::Jpeg => {
            let mut decoder =
                zune_jpeg::JpegDecoder::new(zune_jpeg::zune_core::bytestream::ZCursor::new(bytes));
            decoder.decode_headers().map_err(|e| failed(format, e))?;
            let info = decoder
                .info()
                .ok_or_else(|| failed(format, "no frame header"))?;
            (u32::from(info.width), u32::from(info.height))
        }
        Format::Gif => match bytes.get(6..10) {
            Some(b) => (
                u32::from(u16::from_le_bytes([b[0], b[1]])),
                u32::from(u16::from_le_bytes([b[2], b[3]])),
            ),
            None => return Err(failed(format, "the header is cut short")),
        },
        Format::Webp => image_webp::WebPDecoder::new(Cursor::new(bytes))
            .map_err(|e| failed(format, e))?
            .dimensions(),
    };
    if size.0 == 0 || size.1 == 0 {
        return Err(failed(format, "it has no pixels"));
    }
    Ok(size)
}

/// The EXIF orientation of a photo (1 to 8; 1 is upright), 1 when it has none.
pub fn exif_orientation(bytes: &[u8]) -> u32 {
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok()
        .and_then(|exif| {
            exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)
                .and_then(|f| f.value.get_uint(0))
        })
        .filter(|o| (1..=8).contains(o))
        .unwrap_or(1)
}

/// The whole picture (a GIF's first frame) as RGBA.
pub fn rgba(format: Format, bytes: &[u8]) -> Result<Rgba, ImageError> {
    let picture = match format {
        Format::Png => png_rgba(bytes)?,
        Format::Jpeg => jpeg_rgba(bytes)?,
        Format::Gif => gif_rgba(bytes)?,
        Format::Webp => webp_rgba(bytes)?,
    };
    let expected = picture.width as usize * picture.height as usize * 4;
    if picture.pixels.len() != expected {
        return Err(failed(format, "the pixel data does not match its size"));
    }
    Ok(picture)
}

fn png_rgba(bytes: &[u8]) -> Result<Rgba, ImageError> {
    let format = Format::Png;
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|e| failed(format, e))?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| failed(format, "too large"))?;
    let mut buffer = vec![0; size];
    let info = reader
        .next_frame(&mut buffer)
        .map_err(|e| failed(format, e))?;
    buffer.truncate(info.buffer_size());
    let pixels = match info.color_type {
        png::ColorType::Rgba => buffer,
        png::ColorType::Rgb => buffer
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::GrayscaleAlpha => buffer
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        png::ColorType::Grayscale => buffer.iter().flat_map(|g| [*g, *g, *g, 255]).collect(),
        png::ColorType::Indexed => return Err(failed(format, "an unexpanded palette")),
    };
    Ok(Rgba {
        width: info.width,
        height: info.height,
        pixels,
    })
}

fn jpeg_rgba(bytes: &[u8]) -> Result<Rgba, ImageError> {
    let format = Format::Jpeg;
    let options = zune_jpeg::zune_core::options::DecoderOptions::default()
        .jpeg_set_out_colorspace(zune_jpeg::zune_core::colorspace::ColorSpace::RGB);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
        zune_jpeg::zune_core::bytestream::ZCursor::new(bytes),
        options,
    );
    let rgb = decoder.decode().map_err(|e| failed(format, e))?;
    let info = decoder
        .info()
        .ok_or_else(|| failed(format, "no frame header"))?;
    Ok(Rgba {
        width: u32::from(info.width),
        height: u32::from(info.height),
        pixels: rgb
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
    })
}

fn gif_rgba(bytes: &[u8]) -> Result<Rgba, ImageError> {
    let format = Format::Gif;
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options
        .read_info(Cursor::new(bytes))
        .map_err(|e| failed(format, e))?;
    let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    let mut pixels = vec![0u8; width as usize * height as usize * 4];
    let frame = decoder
        .read_next_frame()
        .map_err(|e| failed(format, e))?
        .ok_or_else(|| failed(format, "it has no frames"))?;
    // The first frame may cover only part of the canvas; the rest stays transparent.
    let (left, top) = (usize::from(frame.left), usize::from(frame.top));
    let frame_width = usize::from(frame.width);
    if frame_width == 0 {
        return Err(failed(format, "its first frame has no pixels"));
    }
    for (row, line) in frame.buffer.chunks_exact(frame_width * 4).enumerate() {
        let y = top + row;
        if y >= height as usize || left >= width as usize {
            continue;
        }
        let start = (y * width as usize + left) * 4;
        let take = line.len().min((width as usize - left) * 4);
        pixels[start..start + take].copy_from_slice(&line[..take]);
    }
    Ok(Rgba {
        width,
        height,
        pixels,
    })
}

fn webp_rgba(bytes: &[u8]) -> Result<Rgba, ImageError> {
    let format = Format::Webp;
    let mut decoder =
        image_webp::WebPDecoder::new(Cursor::new(bytes)).map_err(|e| failed(format, e))?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_SOURCE_PIXELS {
        return Err(ImageError::TooLarge { width, height });
    }
    let size = decoder
        .output_buffer_size()
        .ok_or_else(|| failed(format, "too large"))?;
    let mut buffer = vec![0; size];
    decoder
        .read_image(&mut buffer)
        .map_err(|e| failed(format, e))?;
    let pixels = if decoder.has_alpha() {
        buffer
    } else {
        buffer
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect()
    };
    Ok(Rgba {
        width,
        height,
        pixels,
    })
}
