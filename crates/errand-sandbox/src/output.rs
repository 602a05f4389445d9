//! Bounded output capture: the head and the tail of a stream are kept, the middle is
//! counted, so a command that prints gigabytes costs a few kilobytes.

pub struct Capture {
    limit: usize,
    head: Vec<u8>,
    /// A ring of the latest bytes once the head is full.
    tail: std::collections::VecDeque<u8>,
    dropped: u64,
}

impl Capture {
    pub fn new(limit: usize) -> Self {
        Capture {
            limit: limit.max(2),
            head: Vec::new(),
            tail: std::collections::VecDeque::new(),
            dropped: 0,
        }
    }

    pub fn push(&mut self, mut bytes: &[u8]) {
        let head_room = (self.limit / 2).saturating_sub(self.head.len());
        let taken = head_room.min(bytes.len());
        self.head.extend_from_slice(&bytes[..taken]);
        bytes = &bytes[taken..];
        let tail_limit = self.limit - self.limit / 2;
        for &b in bytes {
            if self.tail.len() == tail_limit {
                self.tail.pop_front();
                self.dropped += 1;
            }
            self.tail.push_back(b);
        }
    }

    pub fn finish(self) -> String {
        let head = String::from_utf8_lossy(&self.head).into_owned();
        let tail: Vec<u8> = self.tail.into_iter().collect();
        let tail = String::from_utf8_lossy(&tail);
        if self.dropped == 0 {
            return format!("{head}{tail}");
        }
        format!(
            "{head}\n[… {} bytes of output left out …]\n{tail}",
            self.dropped
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_middle_is_counted_not_kept() {
        let mut c = Capture::new(10);
        c.push(b"abcde");
        c.push(&[b'x'; 1000]);
        c.push(b"vwxyz");
        let out = c.finish();
        assert!(out.starts_with("abcde"), "{out}");
        assert!(out.ends_with("vwxyz"), "{out}");
        assert!(out.contains("1000 bytes of output left out"), "{out}");
        let mut short = Capture::new(10);
        short.push(b"hello");
        assert_eq!(short.finish(), "hello");
    }
}
