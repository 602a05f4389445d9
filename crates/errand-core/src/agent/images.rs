//! Pictures from tool results: kept as blobs, named in the events, read back per request.
use crate::model::{ImageRef, ImageSource};
use crate::store::Store;
use crate::tool::ToolImage;

/// Saves a call's pictures as blobs, before the event that names them. A picture that
/// cannot be saved is left out; the result's text still says what it was.
pub(super) fn keep(store: &dyn Store, images: Vec<ToolImage>) -> Vec<ImageRef> {
    images
        .into_iter()
        .filter_map(|image| match store.put_blob(&image.bytes) {
            Ok(sha256) => Some(ImageRef {
                media_type: image.media_type,
                sha256,
                width: image.width,
                height: image.height,
            }),
            Err(e) => {
                tracing::warn!(error = %e, "a picture from a tool could not be kept");
                None
            }
        })
        .collect()
}

/// The store's blobs as the pictures of a conversation.
pub(super) struct StoreImages<'a>(pub &'a dyn Store);

impl ImageSource for StoreImages<'_> {
    fn image_bytes(&self, image: &ImageRef) -> Option<Vec<u8>> {
        std::fs::read(self.0.blob_path(&image.sha256)).ok()
    }
}
