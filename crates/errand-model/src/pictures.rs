//! Pictures in tool results, as each provider takes them, and which models read them.
use base64::Engine;
use errand_core::{ImageRef, ImageSource, Message};

/// Pictures sent per request: the latest ones. Anthropic refuses requests with more than
/// 100 and bills each; twenty keeps a receipts folder's last pages in view.
pub const MAX_PICTURES: usize = 20;

/// How many of a conversation's pictures, oldest first, are left out of this request.
#[derive(Debug, Default)]
pub struct PictureBudget {
    to_skip: usize,
}

impl PictureBudget {
    pub fn for_conversation(messages: &[Message]) -> PictureBudget {
        let total: usize = messages
            .iter()
            .map(|m| match m {
                Message::ToolResult { images, .. } => images.len(),
                _ => 0,
            })
            .sum();
        PictureBudget {
            to_skip: total.saturating_sub(MAX_PICTURES),
        }
    }
}

/// One picture ready for a request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub media_type: String,
    pub base64: String,
}

impl Picture {
    pub fn data_url(&self) -> String {
        format!("data:{};base64,{}", self.media_type, self.base64)
    }
}

/// What a tool result's pictures become: those to send, and a line for the text saying
/// what was left out and why (`None` when nothing was).
#[derive(Debug, Default)]
pub struct Pictures {
    pub sent: Vec<Picture>,
    pub note: Option<String>,
}

pub fn pictures(
    images: &[ImageRef],
    source: &dyn ImageSource,
    reads_images: bool,
    budget: &mut PictureBudget,
) -> Pictures {
    if images.is_empty() {
        return Pictures::default();
    }
    if !reads_images {
        return Pictures {
            sent: Vec::new(),
            note: Some(format!(
                "[{} left out: this model does not read images. If it does, set `reads_images = true` in its profile in config.toml.]",
                count(images.len())
            )),
        };
    }
    let mut sent = Vec::with_capacity(images.len());
    let mut missing = 0;
    let mut older = 0;
    for image in images {
        if budget.to_skip > 0 {
            budget.to_skip -= 1;
            older += 1;
            continue;
        }
        match source.image_bytes(image) {
            Some(bytes) => sent.push(Picture {
                media_type: image.media_type.clone(),
                base64: base64::engine::general_purpose::STANDARD.encode(bytes),
            }),
            None => missing += 1,
        }
    }
    let mut notes = Vec::new();
    if older > 0 {
        notes.push(format!(
            "[{} left out: only the latest {MAX_PICTURES} pictures are sent; read the file again to see it]",
            count(older)
        ));
    }
    if missing > 0 {
        notes.push(format!("[{} no longer stored]", count(missing)));
    }
    Pictures {
        sent,
        note: (!notes.is_empty()).then(|| notes.join("\n")),
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 picture".to_string()
    } else {
        format!("{n} pictures")
    }
}

/// Whether a model reads images, by its name, for every provider's naming: Claude 3 and
/// later, OpenAI's GPT-4o, 4.1, 5 and o-series, and the open vision families served by
/// Ollama, llama.cpp or vLLM. A profile's `reads_images` overrides this.
pub fn reads_images_by_name(model: &str) -> bool {
    let name = model.to_ascii_lowercase();
    // The last path segment: `openai/gpt-4o`, `anthropic/claude-3.5-sonnet`, `org/Model-GGUF`.
    let name = name.rsplit('/').next().unwrap_or(&name);
    const TEXT_ONLY: [&str; 7] = [
        "claude-2",
        "claude-instant",
        "gpt-3.5",
        "o1-mini",
        "o3-mini",
        "gemma3:1b",
        "coder",
    ];
    if TEXT_ONLY.iter().any(|t| name.contains(t)) || name == "gpt-4" || name.starts_with("gpt-4-0")
    {
        return false;
    }
    const READS: [&str; 22] = [
        "claude",
        "gpt-4o",
        "gpt-4.1",
        "gpt-4.5",
        "gpt-4-turbo",
        "gpt-4-vision",
        "gpt-5",
        "chatgpt-4o",
        "llava",
        "vision",
        "pixtral",
        "gemma3",
        "gemma-3",
        "minicpm-v",
        "moondream",
        "internvl",
        "llama4",
        "llama-4",
        "mistral-small3",
        "mistral-small-3",
        "gemini",
        "-vl",
    ];
    READS.iter().any(|r| name.contains(r))
        || name.contains("vl-")
        || name.contains("vl:")
        || ["o1", "o3", "o4"]
            .iter()
            .any(|o| name == *o || name.starts_with(&format!("{o}-")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_families_default_correctly() {
        for reads in [
            "claude-sonnet-4-5",
            "claude-3-5-haiku-latest",
            "gpt-4o-mini",
            "gpt-4.1",
            "gpt-5",
            "o3",
            "o4-mini",
            "llava:13b",
            "qwen2.5vl:7b",
            "Qwen2.5-VL-7B-Instruct",
            "llama3.2-vision",
            "gemma3:12b",
            "openai/gpt-4o",
            "anthropic/claude-3.5-sonnet",
            "minicpm-v",
        ] {
            assert!(reads_images_by_name(reads), "{reads} reads images");
        }
        for text_only in [
            "claude-2.1",
            "gpt-3.5-turbo",
            "gpt-4",
            "o1-mini",
            "o3-mini",
            "qwen2.5-coder:7b",
            "Qwen2.5-Coder-1.5B-Instruct",
            "llama3.1:8b",
            "local-model",
            "gemma3:1b",
            "mistral",
        ] {
            assert!(!reads_images_by_name(text_only), "{text_only} is text only");
        }
    }

    struct OneStored;
    impl ImageSource for OneStored {
        fn image_bytes(&self, image: &ImageRef) -> Option<Vec<u8>> {
            (image.sha256 == "kept").then(|| b"PNG!".to_vec())
        }
    }

    fn image(sha256: &str) -> ImageRef {
        ImageRef {
            media_type: "image/png".into(),
            sha256: sha256.into(),
            width: 1,
            height: 1,
        }
    }

    #[test]
    fn pictures_are_sent_to_readers_and_named_for_others() {
        let budget = &mut PictureBudget::default();
        let sent = pictures(&[image("kept"), image("gone")], &OneStored, true, budget);
        assert_eq!(sent.sent.len(), 1);
        assert_eq!(sent.sent[0].data_url(), "data:image/png;base64,UE5HIQ==");
        assert_eq!(sent.note.as_deref(), Some("[1 picture no longer stored]"));
        let text_only = pictures(&[image("kept"), image("kept")], &OneStored, false, budget);
        assert!(text_only.sent.is_empty());
        let note = text_only.note.expect("a note");
        assert!(
            note.starts_with("[2 pictures left out: this model does not read images"),
            "{note}"
        );
        assert!(pictures(&[], &OneStored, true, budget).note.is_none());
    }

    #[test]
    fn only_the_latest_pictures_are_sent() {
        let result = |n: usize| Message::ToolResult {
            call_id: format!("c{n}"),
            content: String::new(),
            is_error: false,
            images: vec![image("kept"); n],
        };
        let conversation = [result(15), result(10)];
        let mut budget = PictureBudget::for_conversation(&conversation);
        let first = pictures(&vec![image("kept"); 15], &OneStored, true, &mut budget);
        assert_eq!(first.sent.len(), 10);
        let note = first.note.expect("a note");
        assert!(
            note.starts_with("[5 pictures left out: only the latest 20"),
            "{note}"
        );
        let second = pictures(&vec![image("kept"); 10], &OneStored, true, &mut budget);
        assert_eq!(second.sent.len(), 10);
        assert!(second.note.is_none());
    }
}
