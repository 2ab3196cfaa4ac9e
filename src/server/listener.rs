//! Where the plugin listens: a unix socket in a fresh directory only this user can enter, or, when unix
//! sockets cannot be used, TCP on 127.0.0.1. Nothing else is ever bound.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
#[cfg(unix)]
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
#[cfg(unix)]
use tokio::net::UnixListener;
use tonic::transport::server::Connected;

/// go-plugin lets the host choose where sockets go; Terraform normally leaves it unset.
#[cfg(unix)]
const SOCKET_DIR_ENV: &str = "PLUGIN_UNIX_SOCKET_DIR";
/// Ports Terraform allows for the TCP fallback.
const MIN_PORT_ENV: &str = "PLUGIN_MIN_PORT";
const MAX_PORT_ENV: &str = "PLUGIN_MAX_PORT";

/// A bound listener plus what to announce for it.
pub enum PluginListener {
    #[cfg(unix)]
    Unix {
        listener: UnixListener,
        path: PathBuf,
        /// Removed (with the socket) when the listener is dropped.
        _dir: PrivateDir,
    },
    Tcp {
        listener: TcpListener,
        addr: SocketAddr,
    },
}

impl PluginListener {
    /// Binds a private unix socket, falling back to TCP 127.0.0.1 in Terraform's port range.
    pub fn bind() -> io::Result<Self> {
        #[cfg(unix)]
        match Self::bind_unix() {
            Ok(listener) => return Ok(listener),
            Err(err) => {
                tracing::debug!(error = %err, "unix socket unavailable, falling back to TCP on 127.0.0.1");
            }
        }
        Self::bind_tcp(port_range(
            std::env::var(MIN_PORT_ENV).ok().as_deref(),
            std::env::var(MAX_PORT_ENV).ok().as_deref(),
        ))
    }

    /// Unix socket only (debug mode, where the reattach address should be a socket).
    #[cfg(unix)]
    pub fn bind_unix() -> io::Result<Self> {
        let parent = std::env::var_os(SOCKET_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map_or_else(std::env::temp_dir, PathBuf::from);
        let dir = PrivateDir::create(&parent)?;
        let path = dir.path().join("plugin.sock");
        let listener = UnixListener::bind(&path)?;
        Ok(Self::Unix {
            listener,
            path,
            _dir: dir,
        })
    }

    fn bind_tcp(range: Option<(u16, u16)>) -> io::Result<Self> {
        let listener = match range {
            None => std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?,
            Some((min, max)) => {
                // Ports are tried in order, as go-plugin does.
                let mut last_err = None;
                let mut bound = None;
                for port in min..=max {
                    match std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
                        Ok(l) => {
                            bound = Some(l);
                            break;
                        }
                        Err(e) => last_err = Some(e),
                    }
                }
                match bound {
                    Some(l) => l,
                    None => {
                        return Err(last_err.unwrap_or_else(|| {
                            io::Error::new(io::ErrorKind::AddrInUse, "no port available")
                        }));
                    }
                }
            }
        };
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        Ok(Self::Tcp {
            listener: TcpListener::from_std(listener)?,
            addr,
        })
    }

    /// `unix` or `tcp`, as the handshake line spells it.
    pub fn network(&self) -> &'static str {
        match self {
            #[cfg(unix)]
            Self::Unix { .. } => "unix",
            Self::Tcp { .. } => "tcp",
        }
    }

    /// The socket path or `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        match self {
            #[cfg(unix)]
            Self::Unix { path, .. } => path.display().to_string(),
            Self::Tcp { addr, .. } => addr.to_string(),
        }
    }

    /// Waits for the next connection.
    pub async fn accept(&self) -> io::Result<Conn> {
        match self {
            #[cfg(unix)]
            Self::Unix { listener, .. } => {
                let (stream, _) = listener.accept().await?;
                Ok(Conn::new(stream))
            }
            Self::Tcp { listener, .. } => {
                let (stream, _) = listener.accept().await?;
                // gRPC sends many small frames; Nagle would only add latency.
                stream.set_nodelay(true)?;
                Ok(Conn::new(stream))
            }
        }
    }
}

/// `PLUGIN_MIN_PORT`..=`PLUGIN_MAX_PORT` when both are valid, otherwise any free port.
pub fn port_range(min: Option<&str>, max: Option<&str>) -> Option<(u16, u16)> {
    let min = min?.trim().parse::<u16>().ok()?;
    let max = max?.trim().parse::<u16>().ok()?;
    (min > 0 && min <= max).then_some((min, max))
}

/// A directory created for this process with mode 0700, removed on drop.
#[cfg(unix)]
pub struct PrivateDir {
    path: PathBuf,
}

#[cfg(unix)]
impl PrivateDir {
    pub fn create(parent: &Path) -> io::Result<Self> {
        use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
        let mut builder = std::fs::DirBuilder::new();
        builder.mode(0o700);
        // A random name; creation fails rather than reusing anything that already exists.
        for _ in 0..16 {
            let path = parent.join(format!(
                "tf-proton-{}-{:016x}",
                std::process::id(),
                fastrand::u64(..)
            ));
            match builder.create(&path) {
                Ok(()) => {
                    // The umask can only remove bits; make the mode exact anyway.
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700))?;
                    return Ok(Self { path });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "could not create a fresh socket directory",
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(unix)]
impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Any byte stream the server speaks HTTP/2 over: plain or TLS, unix or TCP.
pub trait ByteStream: AsyncRead + AsyncWrite + Send {}
impl<T: AsyncRead + AsyncWrite + Send> ByteStream for T {}

/// One accepted connection, type-erased so plain and TLS streams share one server.
pub struct Conn(Pin<Box<dyn ByteStream>>);

impl Conn {
    pub fn new(stream: impl ByteStream + 'static) -> Self {
        Self(Box::pin(stream))
    }
}

impl Connected for Conn {
    // The peer is always Terraform on this machine; there is nothing useful to expose.
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.0.as_mut().poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.0.as_mut().poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.0.as_mut().poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.0.as_mut().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.0.as_mut().poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_range_parsing() {
        assert_eq!(
            port_range(Some("10000"), Some("25000")),
            Some((10000, 25000))
        );
        assert_eq!(port_range(Some("5"), Some("4")), None);
        assert_eq!(port_range(None, Some("4")), None);
        assert_eq!(port_range(Some("0"), Some("4")), None);
        assert_eq!(port_range(Some("x"), Some("4")), None);
        assert_eq!(port_range(Some("1"), Some("70000")), None);
    }

    #[cfg(unix)]
    #[test]
    fn private_dir_is_0700_and_removed() {
        use std::os::unix::fs::PermissionsExt as _;
        let parent = tempfile::tempdir().unwrap();
        let dir = PrivateDir::create(parent.path()).unwrap();
        let path = dir.path().to_path_buf();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        std::fs::write(path.join("f"), b"x").unwrap();
        drop(dir);
        assert!(!path.exists());
    }

    #[tokio::test]
    async fn tcp_fallback_binds_loopback_in_range() {
        let probe = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let taken = probe.local_addr().unwrap().port();
        // The first port of the range is taken, so the next one must be used (or a later one if a
        // neighbour happens to be busy too).
        let l = PluginListener::bind_tcp(Some((taken, taken.saturating_add(20)))).unwrap();
        assert_eq!(l.network(), "tcp");
        let addr: SocketAddr = l.address().parse().unwrap();
        assert_eq!(addr.ip(), Ipv4Addr::LOCALHOST);
        assert!(addr.port() > taken && addr.port() <= taken.saturating_add(20));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn unix_listener_accepts_and_cleans_up() {
        let l = PluginListener::bind_unix().unwrap();
        assert_eq!(l.network(), "unix");
        let path = PathBuf::from(l.address());
        let client = tokio::net::UnixStream::connect(&path);
        let (accepted, connected) = tokio::join!(l.accept(), client);
        assert!(accepted.is_ok() && connected.is_ok());
        let dir = path.parent().unwrap().to_path_buf();
        drop(l);
        assert!(!dir.exists());
    }
}
