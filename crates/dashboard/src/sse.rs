//! The `/events` stream: server-sent events, a `snapshot` first, then one `delta` per published change, and
//! a comment every few seconds so proxies and browsers keep the connection open. A page that falls behind
//! gets a `resync` event and fetches the whole state again.

use std::{
    convert::Infallible,
    pin::Pin,
    sync::{Arc, atomic::Ordering},
    task::{Context, Poll},
    time::Duration,
};

use alloy_primitives::bytes::Bytes;
use http_body::{Body, Frame};
use tokio::sync::{broadcast::error::RecvError, mpsc};

use crate::dashboard::Shared;

/// How often an idle stream sends a keep-alive comment.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// One server-sent event.
pub(crate) fn event(name: &str, data: &str) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

/// A response body fed by a channel; it ends when the sender goes.
#[derive(Debug)]
pub(crate) struct ChannelBody {
    frames: mpsc::Receiver<Bytes>,
}

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        self.frames.poll_recv(cx).map(|chunk| chunk.map(|bytes| Ok(Frame::data(bytes))))
    }
}

/// Counts a stream while it lives.
struct StreamSlot(Arc<Shared>);

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.0.streams.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Opens an event stream, or `None` when `max_streams` are open already.
pub(crate) fn open(shared: Arc<Shared>) -> Option<ChannelBody> {
    if shared.streams.fetch_add(1, Ordering::SeqCst) >= shared.max_streams {
        shared.streams.fetch_sub(1, Ordering::SeqCst);
        return None;
    }
    let slot = StreamSlot(shared);
    // Subscribe before the snapshot so no change falls in between; the page skips deltas the snapshot holds.
    let mut deltas = slot.0.deltas.subscribe();
    let snapshot = serde_json::to_string(&slot.0.tracker().snapshot()).unwrap_or_else(|_| "null".into());
    let (sender, frames) = mpsc::channel(16);
    tokio::spawn(async move {
        let _slot = slot;
        if sender.send(event("snapshot", &snapshot)).await.is_err() {
            return;
        }
        loop {
            let chunk = tokio::select! {
                delta = deltas.recv() => match delta {
                    Ok(json) => event("delta", &json),
                    Err(RecvError::Lagged(_)) => event("resync", "{}"),
                    Err(RecvError::Closed) => return,
                },
                () = tokio::time::sleep(KEEP_ALIVE) => Bytes::from_static(b": keep-alive\n\n"),
                () = sender.closed() => return,
            };
            if sender.send(chunk).await.is_err() {
                return;
            }
        }
    });
    Some(ChannelBody { frames })
}
