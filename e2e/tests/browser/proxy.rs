//! A TCP proxy in front of the server that can cut its connections and refuse new ones: a
//! network failure as the browser sees it, on loopback. It can also send new connections to
//! another server (a load balancer moving a client to another node).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// See the module docs.
pub struct Proxy {
    /// Where browsers connect.
    pub addr: SocketAddr,
    down: Arc<AtomicBool>,
    pipes: Arc<Mutex<Vec<AbortHandle>>>,
    accept: AbortHandle,
    target: Arc<Mutex<SocketAddr>>,
}

impl Proxy {
    /// A listener for [`Proxy::start`] on a port of its own, known before the server starts
    /// (which must be told the proxy's origin: `Config::public_origin`).
    pub async fn listener() -> TcpListener {
        TcpListener::bind("127.0.0.1:0").await.unwrap()
    }

    /// Starts forwarding from `listener` to `target`.
    pub fn start(listener: TcpListener, target: SocketAddr) -> Proxy {
        let addr = listener.local_addr().unwrap();
        let down = Arc::new(AtomicBool::new(false));
        let pipes = Arc::new(Mutex::new(Vec::new()));
        let target = Arc::new(Mutex::new(target));
        let accept = {
            let (down, pipes, target) = (down.clone(), pipes.clone(), target.clone());
            tokio::spawn(async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    if down.load(Ordering::SeqCst) {
                        continue; // dropped: the connection fails at once
                    }
                    let target = *target.lock().unwrap();
                    let pipe = tokio::spawn(async move {
                        if let Ok(mut server) = TcpStream::connect(target).await {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                    });
                    pipes.lock().unwrap().push(pipe.abort_handle());
                }
            })
            .abort_handle()
        };
        Proxy {
            addr,
            down,
            pipes,
            accept,
            target,
        }
    }

    /// Sends new connections to `target` from now on.
    pub fn retarget(&self, target: SocketAddr) {
        *self.target.lock().unwrap() = target;
    }

    /// Cuts every open connection and refuses new ones until [`Proxy::restore`].
    pub fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for pipe in self.pipes.lock().unwrap().drain(..) {
            pipe.abort();
        }
    }

    /// Accepts connections again.
    pub fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}
