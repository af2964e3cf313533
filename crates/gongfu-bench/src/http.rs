//! A minimal HTTP/1.1 client on tokio TCP, just enough for a load generator: keep-alive GET,
//! bodies framed by `Content-Length` or `Transfer-Encoding: chunked` (or by close). Bodies are
//! counted and discarded. By default no `Accept-Encoding` is sent, so the server answers
//! uncompressed; with `gzip` the request asks for gzip as a browser does, and the compressed
//! bytes are counted (not decoded).

use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Largest response head accepted.
const MAX_HEAD: usize = 64 * 1024;

/// One response, with its body already consumed.
#[derive(Debug, Clone, Copy)]
pub struct Response {
    pub status: u16,
    /// Body bytes after de-chunking.
    pub body_bytes: u64,
}

static TOKEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The API token every request carries (`Authorization: Bearer …`).
pub fn set_token(token: String) {
    let _ = TOKEN.set(token);
}

pub struct Conn {
    stream: TcpStream,
    host: String,
    buf: Vec<u8>,
    /// Unconsumed bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    /// The server asked to close after the last response.
    closed: bool,
    /// Send `Accept-Encoding: gzip`.
    gzip: bool,
}

fn bad(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

impl Conn {
    pub async fn connect(addr: SocketAddr, gzip: bool) -> io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            host: addr.to_string(),
            buf: vec![0; 256 * 1024],
            start: 0,
            end: 0,
            closed: false,
            gzip,
        })
    }

    /// Whether the connection can carry another request.
    pub fn is_reusable(&self) -> bool {
        !self.closed
    }

    /// Reads more bytes into the buffer, compacting first; `Ok(0)` is end of stream.
    async fn fill(&mut self) -> io::Result<usize> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let n = self.buf.len();
            self.buf.resize(n * 2, 0);
        }
        let n = self.stream.read(&mut self.buf[self.end..]).await?;
        self.end += n;
        Ok(n)
    }

    async fn fill_or_eof(&mut self) -> io::Result<()> {
        if self.fill().await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed mid-response",
            ));
        }
        Ok(())
    }

    /// Discards exactly `n` body bytes.
    async fn skip(&mut self, mut n: u64) -> io::Result<()> {
        loop {
            let avail = (self.end - self.start) as u64;
            let take = avail.min(n);
            self.start += take as usize;
            n -= take;
            if n == 0 {
                return Ok(());
            }
            // Buffer is empty: read straight into it from the start, no compaction needed.
            self.start = 0;
            self.end = 0;
            self.fill_or_eof().await?;
        }
    }

    /// One CRLF-terminated line (without the CRLF), consumed.
    async fn line(&mut self) -> io::Result<String> {
        loop {
            if let Some(i) = find(&self.buf[self.start..self.end], b"\r\n") {
                let s = String::from_utf8_lossy(&self.buf[self.start..self.start + i]).into_owned();
                self.start += i + 2;
                return Ok(s);
            }
            if self.end - self.start > MAX_HEAD {
                return Err(bad("line too long"));
            }
            self.fill_or_eof().await?;
        }
    }

    /// Sends `GET path` and reads the whole response.
    pub async fn get(&mut self, path: &str) -> io::Result<Response> {
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: gongfu-bench\r\nAccept: */*\r\nAuthorization: Bearer {}\r\n{}\r\n",
            self.host,
            TOKEN.get().map(String::as_str).unwrap_or(""),
            if self.gzip {
                "Accept-Encoding: gzip\r\n"
            } else {
                ""
            }
        );
        self.stream.write_all(req.as_bytes()).await?;

        // Head.
        let head_len = loop {
            if let Some(i) = find(&self.buf[self.start..self.end], b"\r\n\r\n") {
                break i + 4;
            }
            if self.end - self.start > MAX_HEAD {
                return Err(bad("response head too large"));
            }
            self.fill_or_eof().await?;
        };
        let head =
            String::from_utf8_lossy(&self.buf[self.start..self.start + head_len]).into_owned();
        self.start += head_len;
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or("");
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or("");
        let status: u16 = parts
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad(format!("bad status line {status_line:?}")))?;
        let mut content_length: Option<u64> = None;
        let mut chunked = false;
        let mut close = version == "HTTP/1.0";
        for l in lines {
            let Some((k, v)) = l.split_once(':') else {
                continue;
            };
            let v = v.trim();
            if k.eq_ignore_ascii_case("content-length") {
                content_length = Some(v.parse().map_err(|_| bad("bad content-length"))?);
            } else if k.eq_ignore_ascii_case("transfer-encoding") {
                chunked = v.to_ascii_lowercase().contains("chunked");
            } else if k.eq_ignore_ascii_case("connection") {
                let v = v.to_ascii_lowercase();
                if v.contains("close") {
                    close = true;
                } else if v.contains("keep-alive") {
                    close = false;
                }
            } else if k.eq_ignore_ascii_case("content-encoding")
                && !self.gzip
                && !v.eq_ignore_ascii_case("identity")
            {
                return Err(bad(format!("unexpected content-encoding {v}")));
            }
        }

        // Body.
        let mut body_bytes = 0u64;
        if status == 204 || status == 304 || (100..200).contains(&status) {
            // No body.
        } else if chunked {
            loop {
                let size_line = self.line().await?;
                let hex = size_line.split(';').next().unwrap_or("").trim();
                let size = u64::from_str_radix(hex, 16)
                    .map_err(|_| bad(format!("bad chunk size {size_line:?}")))?;
                if size == 0 {
                    // Trailers, up to the empty line.
                    while !self.line().await?.is_empty() {}
                    break;
                }
                self.skip(size).await?;
                body_bytes += size;
                if !self.line().await?.is_empty() {
                    return Err(bad("missing CRLF after chunk"));
                }
            }
        } else if let Some(n) = content_length {
            self.skip(n).await?;
            body_bytes = n;
        } else {
            // Delimited by close.
            body_bytes += (self.end - self.start) as u64;
            self.start = 0;
            self.end = 0;
            while self.fill().await? > 0 {
                body_bytes += self.end as u64;
                self.end = 0;
            }
            close = true;
        }
        self.closed = close;
        Ok(Response { status, body_bytes })
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
