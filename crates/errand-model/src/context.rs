//! Keeping what is sent to a model lean: large tool results are clipped to their head and
//! tail, with a note saying how to read the rest. The full result stays in the task's log.
use errand_core::ToolSpec;
use std::borrow::Cow;

/// Tool results longer than this many bytes are clipped before they reach a model.
pub const MAX_TOOL_RESULT_BYTES: usize = 24_000;

/// `content` if short enough, else its head and tail around a note of what was left out.
pub fn clip_tool_result(content: &str, max_bytes: usize) -> Cow<'_, str> {
    if content.len() <= max_bytes {
        return Cow::Borrowed(content);
    }
    let head_len = floor_boundary(content, max_bytes * 3 / 4);
    let tail_start = ceil_boundary(content, content.len() - max_bytes / 4);
    let omitted = tail_start - head_len;
    Cow::Owned(format!(
        "{}\n[… {omitted} bytes left out of a {}-byte result; narrow the call (a path, a glob, \
         offset/limit) to see them …]\n{}",
        &content[..head_len],
        content.len(),
        &content[tail_start..]
    ))
}

/// A tool's input schema as the APIs take it: an object schema, `{}` properties at least.
pub fn object_schema(spec: &ToolSpec) -> Cow<'_, serde_json::Value> {
    if spec.input_schema.is_object() {
        Cow::Borrowed(&spec.input_schema)
    } else {
        Cow::Owned(serde_json::json!({"type": "object", "properties": {}}))
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_results_pass_and_long_ones_keep_head_and_tail() {
        assert!(matches!(
            clip_tool_result("small", 100),
            Cow::Borrowed("small")
        ));
        let long = format!("{}{}", "é".repeat(5000), "END");
        let clipped = clip_tool_result(&long, 1000);
        assert!(clipped.len() < 1300, "{}", clipped.len());
        assert!(clipped.starts_with('é') && clipped.ends_with("END"));
        assert!(
            clipped.contains("bytes left out of a 10003-byte result"),
            "{clipped}"
        );
    }
}
