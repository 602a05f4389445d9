//! When to try a model request again, and how long to wait first.
use std::time::Duration;

/// What to do after a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Try again after this long.
    Retry(Duration),
    /// Give up: the cause will not go away by waiting.
    Fail,
}

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// Statuses worth waiting out: rate limits, overload, and gateway trouble.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429 | 500 | 502 | 503 | 504 | 529)
}

impl RetryPolicy {
    /// For tests: the same number of attempts, millisecond waits.
    #[cfg(test)]
    pub(crate) fn fast() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        }
    }

    /// The verdict for attempt `attempt` (1-based) that failed with `status` (or a dropped
    /// connection when `None`), honouring a server's `retry-after` seconds.
    pub fn verdict(&self, attempt: u32, status: Option<u16>, retry_after: Option<&str>) -> Verdict {
        if attempt >= self.max_attempts || status.is_some_and(|s| !retryable_status(s)) {
            return Verdict::Fail;
        }
        if let Some(wait) = retry_after.and_then(parse_retry_after) {
            // The server knows best, within reason.
            return Verdict::Retry(wait.min(Duration::from_secs(120)));
        }
        let exponential = self.base.saturating_mul(1u32 << (attempt - 1).min(16));
        let capped = exponential.min(self.max_delay);
        // Full jitter keeps many clients from retrying in lockstep.
        Verdict::Retry(capped.mul_f64(0.5 + jitter() * 0.5))
    }
}

/// `retry-after` as seconds (HTTP dates are rare from model APIs and treated as absent).
fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
}

/// A number in [0, 1) that differs between calls and processes; no RNG crate needed.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_what_waiting_can_fix_and_nothing_else() {
        let policy = RetryPolicy {
            max_attempts: 4,
            base: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        };
        for status in [429, 500, 502, 503, 504, 529] {
            assert!(
                matches!(policy.verdict(1, Some(status), None), Verdict::Retry(_)),
                "{status}"
            );
        }
        for status in [400, 401, 403, 404, 413] {
            assert_eq!(
                policy.verdict(1, Some(status), None),
                Verdict::Fail,
                "{status}"
            );
        }
        assert!(
            matches!(policy.verdict(1, None, None), Verdict::Retry(_)),
            "a dropped connection"
        );
        assert_eq!(
            policy.verdict(4, Some(503), None),
            Verdict::Fail,
            "attempts run out"
        );
        assert_eq!(
            policy.verdict(1, Some(429), Some("3")),
            Verdict::Retry(Duration::from_secs(3))
        );
        let Verdict::Retry(third) = policy.verdict(3, Some(503), None) else {
            panic!("retry")
        };
        assert!(
            third >= Duration::from_millis(200) && third <= Duration::from_millis(400),
            "{third:?}"
        );
    }
}
