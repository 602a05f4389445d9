//! An incremental Server-Sent Events parser: bytes in, as they arrive, events out. Handles
//! events split across network chunks, CRLF and LF line ends, multi-line `data:`, comments.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// The `event:` field; empty for the default `message`.
    pub event: String,
    pub data: String,
}

#[derive(Debug, Default)]
pub struct SseParser {
    buffer: Vec<u8>,
    event: String,
    data: Vec<String>,
}

impl SseParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds a chunk; returns the events it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        self.buffer.extend_from_slice(chunk);
        let mut events = Vec::new();
        // Lines are read in place and the consumed bytes dropped once: draining per line
        // would shift the rest of the buffer every time.
        let buffer = std::mem::take(&mut self.buffer);
        let mut start = 0;
        while let Some(offset) = memchr::memchr(b'\n', &buffer[start..]) {
            let mut line = &buffer[start..start + offset];
            start += offset + 1;
            if let [rest @ .., b'\r'] = line {
                line = rest;
            }
            self.line(&String::from_utf8_lossy(line), &mut events);
        }
        self.buffer = buffer;
        self.buffer.drain(..start);
        events
    }

    /// Ends the stream: an event still being built is dispatched if it has data.
    pub fn finish(&mut self) -> Option<SseEvent> {
        if !self.buffer.is_empty() {
            let rest = std::mem::take(&mut self.buffer);
            let mut events = Vec::new();
            self.line(&String::from_utf8_lossy(&rest), &mut events);
            if let Some(e) = events.pop() {
                return Some(e);
            }
        }
        self.dispatch()
    }

    fn line(&mut self, line: &str, events: &mut Vec<SseEvent>) {
        if line.is_empty() {
            events.extend(self.dispatch());
            return;
        }
        if line.starts_with(':') {
            return; // a comment, used as keep-alive
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = value.to_string(),
            "data" => self.data.push(value.to_string()),
            _ => {} // id, retry: not needed by model APIs
        }
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = std::mem::take(&mut self.event);
        if self.data.is_empty() {
            return None;
        }
        let data = std::mem::take(&mut self.data).join("\n");
        Some(SseEvent { event, data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_anywhere_come_out_whole() {
        let stream = b"event: ping\ndata: {\"type\": \"ping\"}\n\n: keep-alive\r\nevent: delta\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\ndata: [DONE]\n\n";
        for split in 0..stream.len() {
            let mut parser = SseParser::new();
            let mut events = parser.push(&stream[..split]);
            events.extend(parser.push(&stream[split..]));
            events.extend(parser.finish());
            assert_eq!(
                events,
                vec![
                    SseEvent {
                        event: "ping".into(),
                        data: "{\"type\": \"ping\"}".into()
                    },
                    SseEvent {
                        event: "delta".into(),
                        data: "{\"a\":\n1}".into()
                    },
                    SseEvent {
                        event: String::new(),
                        data: "[DONE]".into()
                    },
                ],
                "split at {split}"
            );
        }
    }

    #[test]
    fn a_last_event_without_blank_line_is_kept() {
        let mut parser = SseParser::new();
        assert!(parser.push(b"data: tail").is_empty());
        assert_eq!(
            parser.finish(),
            Some(SseEvent {
                event: String::new(),
                data: "tail".into()
            })
        );
    }
}
