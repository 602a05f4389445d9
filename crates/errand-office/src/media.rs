//! Pictures placed in documents, decks and PDFs: PNG or JPEG bytes with their pixel size.
use crate::OfficeError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
}

impl ImageFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpeg",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Image {
    pub bytes: Vec<u8>,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

impl Image {
    /// Recognises PNG and JPEG by content; `name` is only for the error message.
    pub fn from_bytes(bytes: Vec<u8>, name: &str) -> Result<Image, OfficeError> {
        let format = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            ImageFormat::Png
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            ImageFormat::Jpeg
        } else {
            return Err(OfficeError::Spec(format!(
                "{name} is not a PNG or JPEG image; convert it, or make a chart with `chart`"
            )));
        };
        let size = imagesize::blob_size(&bytes)
            .map_err(|e| OfficeError::Spec(format!("{name}: cannot read the image size: {e}")))?;
        let (width, height) = (size.width as u32, size.height as u32);
        if width == 0 || height == 0 {
            return Err(OfficeError::Spec(format!("{name}: the image is empty")));
        }
        Ok(Image {
            bytes,
            format,
            width,
            height,
        })
    }

    /// Height over width.
    pub fn aspect(&self) -> f64 {
        f64::from(self.height) / f64::from(self.width)
    }
}

/// Where a document's `image` blocks come from: the tool resolves paths inside the task's
/// folders; tests and recipes hand over bytes directly.
pub trait ImageSource {
    fn image(&self, path: &str) -> Result<Image, OfficeError>;
}

/// For documents without pictures: every lookup is an error naming the path.
pub struct NoImages;

impl ImageSource for NoImages {
    fn image(&self, path: &str) -> Result<Image, OfficeError> {
        Err(OfficeError::Spec(format!(
            "image {path}: pictures are not available here"
        )))
    }
}
