//! A loopback HTTP/1.1 server for provider tests: replays recorded responses in the APIs'
//! real wire formats, chunk by chunk, and records what the client sent.
pub mod office;
pub mod wire;

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One scripted response.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Sent as separate HTTP chunks, so the client sees them arrive one by one.
    pub chunks: Vec<Vec<u8>>,
    /// Close the connection after this many chunks, without ending the body.
    pub drop_after: Option<usize>,
    pub chunk_delay: Duration,
}

impl Reply {
    /// 200 with an SSE body split into `pieces` chunks of roughly equal size.
    pub fn sse(body: &str, pieces: usize) -> Reply {
        let bytes = body.as_bytes();
        let size = bytes.len().div_ceil(pieces.max(1)).max(1);
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "text/event-stream".into())],
            chunks: bytes.chunks(size).map(<[u8]>::to_vec).collect(),
            drop_after: None,
            chunk_delay: Duration::ZERO,
        }
    }

    /// A JSON error response.
    pub fn error(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            chunks: vec![body.as_bytes().to_vec()],
            drop_after: None,
            chunk_delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn dropping_after(mut self, chunks: usize) -> Reply {
        self.drop_after = Some(chunks);
        self
    }
}

/// What the client sent.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Lower-cased names.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_default()
    }
}

pub struct ReplayServer {
    pub url: String,
    recorded: Arc<Mutex<Vec<Recorded>>>,
}

impl ReplayServer {
    /// Serves `replies` in order, one per connection; further connections get a 500.
    pub async fn start(replies: Vec<Reply>) -> ReplayServer {
        Self::start_with_gets(replies, Vec::new()).await
    }

    /// As `start`, and answers `GET path` with the JSON body given. Any other GET (a
    /// client probing `/props` or `/models`) gets a 404 and takes no reply: the replies are
    /// for the API calls, which are POSTs.
    pub async fn start_with_gets(replies: Vec<Reply>, gets: Vec<(String, String)>) -> ReplayServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let log = recorded.clone();
        tokio::spawn(async move {
            let mut replies = replies.into_iter();
            while let Ok((mut socket, _)) = listener.accept().await {
                let Some(request) = read_request(&mut socket).await else {
                    continue;
                };
                if request.method == "GET" {
                    let reply = match gets.iter().find(|(path, _)| *path == request.path) {
                        Some((_, body)) => Reply::error(200, body),
                        None => Reply::error(404, "{\"error\":\"not found\"}"),
                    };
                    let _ = write_reply(&mut socket, &reply).await;
                    continue;
                }
                if let Ok(mut log) = log.lock() {
                    log.push(request);
                }
                let reply = replies
                    .next()
                    .unwrap_or_else(|| Reply::error(500, "{\"error\":\"replay ran out\"}"));
                let _ = write_reply(&mut socket, &reply).await;
            }
        });
        ReplayServer { url, recorded }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.recorded.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Recorded> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split_whitespace();
    let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < header_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[header_end..]).into_owned();
    Some(Recorded {
        method,
        path,
        headers,
        body,
    })
}

async fn write_reply(socket: &mut tokio::net::TcpStream, reply: &Reply) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} X\r\ntransfer-encoding: chunked\r\nconnection: close\r\n",
        reply.status
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    socket.write_all(head.as_bytes()).await?;
    for (i, chunk) in reply.chunks.iter().enumerate() {
        if reply.drop_after == Some(i) {
            return socket.shutdown().await;
        }
        socket
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await?;
        socket.write_all(chunk).await?;
        socket.write_all(b"\r\n").await?;
        socket.flush().await?;
        if !reply.chunk_delay.is_zero() {
            tokio::time::sleep(reply.chunk_delay).await;
        }
    }
    socket.write_all(b"0\r\n\r\n").await?;
    socket.shutdown().await
}
