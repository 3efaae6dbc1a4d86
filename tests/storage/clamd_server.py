"""A small clamd stand-in for the tests: a real Unix-socket server speaking clamd's INSTREAM protocol.

Debian's clamd runs here but its virus database cannot be downloaded (no internet), so the tests
use this server, which reports the EICAR test string the way clamd does and everything else as
clean. It reads the stream exactly as clamd does: ``zINSTREAM\\0``, then chunks each preceded by a
4-byte big-endian length, until a zero length.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from pathlib import Path

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Eicar-Test-Signature"


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\0"):
            byte = self.rfile.read(1)
            if not byte:
                return
            command += byte
        if command != b"zINSTREAM\0":
            self.wfile.write(b"UNKNOWN COMMAND\0")
            return
        seen, tail, found = 0, b"", False
        while True:
            header = self.rfile.read(4)
            if len(header) < 4:
                return
            (length,) = struct.unpack(">I", header)
            if length == 0:
                break
            chunk = self.rfile.read(length)
            seen += len(chunk)
            found = found or EICAR in tail + chunk
            tail = chunk[-len(EICAR) :]
        self.wfile.write(f"stream: {SIGNATURE} FOUND\0".encode() if found else b"stream: OK\0")


class ClamdServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path: Path) -> None:
        super().__init__(str(path), _Handler)
        self.path = path
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> ClamdServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self.path.unlink(missing_ok=True)


def answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as conn:
        try:
            conn.connect(str(path))
        except OSError:
            return False
    return True
