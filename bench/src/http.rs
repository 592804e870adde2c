//! One keep-alive HTTP/1.1 connection to a server on the loopback (hyper's client connection
//! over a tokio socket), for the load generator's posts and the driver's status reads.

use std::net::SocketAddr;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Why a request got no answer.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// An open connection; requests on it go one at a time, each waiting for its answer.
pub struct Connection {
    address: SocketAddr,
    sender: SendRequest<Full<Bytes>>,
}

impl Connection {
    /// Connects to `address`; the connection's I/O runs as a task on the current runtime.
    pub async fn open(address: SocketAddr) -> Result<Connection, Error> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(Connection { address, sender })
    }

    /// Sends `method path` with `body`; the answer's status and whole body.
    pub async fn request(&mut self, method: Method, path: &str, body: Bytes) -> Result<(StatusCode, Bytes), Error> {
        self.sender.ready().await?;
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, self.address.to_string())
            .header(CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Full::new(body))?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }

    pub async fn get(&mut self, path: &str) -> Result<(StatusCode, Bytes), Error> {
        self.request(Method::GET, path, Bytes::new()).await
    }

    pub async fn post(&mut self, path: &str, body: Bytes) -> Result<(StatusCode, Bytes), Error> {
        self.request(Method::POST, path, body).await
    }
}
