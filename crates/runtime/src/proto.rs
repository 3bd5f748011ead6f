//! The wire format between a container's monitor and its clients (`run`,
//! `start -a`, `attach`, `stop`, `wait`, `rm -f`) over the monitor's unix
//! socket.
//!
//! Contract: every message is a frame `[kind: u8][len: u32 LE][payload]`.
//! A client's first frame is [`HELLO`], saying which streams it wants; the
//! monitor never blocks on a client, and a client learns the container's
//! exit code from one [`EXIT`] frame, sent after the state file says
//! `exited` (and after removal for `--rm`).

use std::io::{self, Read};

/// Client → monitor: one byte of [`WANT_STDIN`] | [`WANT_STDOUT`] | [`WANT_STDERR`].
pub const HELLO: u8 = 0;
/// Client → monitor: bytes for the container's stdin.
pub const STDIN: u8 = 1;
/// Client → monitor: the client's stdin ended.
pub const STDIN_EOF: u8 = 2;
/// Client → monitor: terminal size, rows and columns as two u16 LE.
pub const RESIZE: u8 = 3;
/// Client → monitor: the container is being stopped by the user; do not
/// apply the restart policy when it exits.
pub const STOPPING: u8 = 4;

/// Client → monitor: connect the container to a user-defined network
/// (payload: a JSON [`NetRequest`]); answered with [`NET_REPLY`].
pub const CONNECT: u8 = 5;
/// Client → monitor: disconnect it (payload: a JSON [`NetRequest`]).
pub const DISCONNECT: u8 = 6;

/// What `network connect` and `disconnect` ask of a monitor.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct NetRequest {
    pub network: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub ip: Option<std::net::Ipv4Addr>,
}

/// Monitor → client: container output.
pub const STDOUT: u8 = 1;
pub const STDERR: u8 = 2;
/// Monitor → client: the container exited; payload is the code, i32 LE.
pub const EXIT: u8 = 3;
/// Monitor → client: [`STOPPING`] is recorded; no restart will follow.
pub const STOP_ACK: u8 = 4;
/// Monitor → client: the answer to [`CONNECT`] or [`DISCONNECT`]: empty
/// when done, else why not.
pub const NET_REPLY: u8 = 5;

pub const WANT_STDIN: u8 = 1;
pub const WANT_STDOUT: u8 = 2;
pub const WANT_STDERR: u8 = 4;

/// Largest payload accepted; a bigger length means a broken peer.
pub const MAX_FRAME: usize = 1 << 20;

pub fn encode(kind: u8, payload: &[u8], out: &mut Vec<u8>) {
    out.push(kind);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
}

/// Takes one complete frame off the front of `buf`, if there is one.
pub fn take_frame(buf: &mut Vec<u8>) -> io::Result<Option<(u8, Vec<u8>)>> {
    if buf.len() < 5 {
        return Ok(None);
    }
    let len = u32::from_le_bytes([buf[1], buf[2], buf[3], buf[4]]) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "oversized frame from peer",
        ));
    }
    if buf.len() < 5 + len {
        return Ok(None);
    }
    let kind = buf[0];
    let payload = buf[5..5 + len].to_vec();
    buf.drain(..5 + len);
    Ok(Some((kind, payload)))
}

/// Blocking read of one frame; None at a clean end of stream.
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<(u8, Vec<u8>)>> {
    let mut head = [0u8; 5];
    match r.read_exact(&mut head) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "oversized frame from the monitor",
        ));
    }
    let mut payload = vec![0u8; len];
    r.read_exact(&mut payload)?;
    Ok(Some((head[0], payload)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_split() {
        let mut buf = Vec::new();
        encode(STDIN, b"hello", &mut buf);
        encode(RESIZE, &[1, 0, 2, 0], &mut buf);
        let mut partial = buf[..3].to_vec();
        assert!(take_frame(&mut partial).unwrap().is_none());
        assert_eq!(
            take_frame(&mut buf).unwrap(),
            Some((STDIN, b"hello".to_vec()))
        );
        assert_eq!(
            take_frame(&mut buf).unwrap(),
            Some((RESIZE, vec![1, 0, 2, 0]))
        );
        assert!(buf.is_empty());
        let mut bad = vec![STDIN, 0xff, 0xff, 0xff, 0xff];
        assert!(take_frame(&mut bad).is_err());
    }
}
