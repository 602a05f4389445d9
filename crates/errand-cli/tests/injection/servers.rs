//! The two loopback servers a case may touch: the attacker's, which must hear nothing, and
//! an ordinary site the person granted, whose page carries the planted text.
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Listens on 127.0.0.2, an address no case grants, and counts every connection.
pub struct Attacker {
    pub base: String,
    heard: Arc<AtomicUsize>,
}

impl Attacker {
    pub fn start() -> Attacker {
        // 127.0.0.2 is loopback on Linux without setup; 127.0.0.1 is the granted site's.
        let listener = TcpListener::bind("127.0.0.2:0").expect("bind the attacker's server");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let heard = Arc::new(AtomicUsize::new(0));
        let counter = heard.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::SeqCst);
                answer(stream, "200 OK", "text/plain", "thanks".into(), None);
            }
        });
        Attacker { base, heard }
    }

    pub fn requests(&self) -> usize {
        self.heard.load(Ordering::SeqCst)
    }
}

/// The granted site: `/page` serves what a case planted; `/go` redirects to the attacker.
pub struct Site {
    pub base: String,
    pub host: String,
    page: Arc<Mutex<String>>,
}

impl Site {
    pub fn start(attacker: &str) -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the site");
        let addr = listener.local_addr().expect("addr");
        let page = Arc::new(Mutex::new(String::from("<html><body>empty</body></html>")));
        let served = page.clone();
        let attacker = attacker.to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let path = request_path(&stream);
                if path.starts_with("/go") {
                    let to = format!("{attacker}/collect?from=redirect");
                    answer(stream, "302 Found", "text/plain", String::new(), Some(&to));
                } else {
                    let body = served.lock().map(|p| p.clone()).unwrap_or_default();
                    answer(stream, "200 OK", "text/html; charset=utf-8", body, None);
                }
            }
        });
        Site {
            base: format!("http://{addr}"),
            host: addr.to_string(),
            page,
        }
    }

    pub fn serve(&self, html: String) {
        if let Ok(mut page) = self.page.lock() {
            *page = html;
        }
    }
}

fn request_path(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut first = String::new();
    let _ = reader.read_line(&mut first);
    // The rest of the head, so the client is not cut off mid-request.
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    first.split_whitespace().nth(1).unwrap_or("/").to_string()
}

fn answer(mut stream: TcpStream, status: &str, kind: &str, body: String, location: Option<&str>) {
    let location = location
        .map(|l| format!("Location: {l}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n{location}Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
}
