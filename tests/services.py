"""Services of our own that a test (or the chaos run) may stop and start.

The machine's PostgreSQL and Redis are never touched: a fault is played on a
private instance, on a free port and in a temporary folder.
"""

import fcntl
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server")
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


# Ports for private servers come from below the kernel's ephemeral range, so
# no outgoing connection takes one between the choice and the server's start;
# a lock file per port keeps parallel test processes (pytest-xdist) apart.
PRIVATE_PORTS = range(20000, 30000)
PORT_LOCKS = Path(tempfile.gettempdir()) / "aidportal-test-ports"
_held_ports = []


def free_port() -> int:
    """A port nothing listens on, held by this process until it ends."""
    PORT_LOCKS.mkdir(exist_ok=True)
    for port in random.sample(PRIVATE_PORTS, 500):
        lock = open(PORT_LOCKS / f"{port}.lock", "w")  # noqa: SIM115 (held)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", port))
        except OSError:
            lock.close()
            continue
        _held_ports.append(lock)
        return port
    raise RuntimeError("no free port for a private server")


def wait_for_port(port: int, *, up: bool = True, timeout: float = 20) -> None:
    """Until something listens on ``port`` (``up``) or nothing does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            listening = True
        except OSError:
            listening = False
        if listening == up:
            return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} still {'closed' if up else 'open'}")


class PrivateRedis:
    """A redis-server of our own on a free port, keeping nothing on disk."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def freeze(self) -> None:
        """The server keeps its data and its port but answers nobody (as
        over a broken network), until ``thaw()``."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        wait_for_port(self.port, up=False)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


class PrivatePostgres:
    """A PostgreSQL cluster of our own (initdb into ``directory``) on a free
    port, run as the ``postgres`` user when we are root (initdb refuses root).
    """

    def __init__(self, directory: Path, port: int | None = None):
        self.directory = Path(directory)
        self.port = port or free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self.data = self.directory / "data"

    def _run(self, *command: str) -> None:
        if os.geteuid() == 0:
            command = ("runuser", "-u", "postgres", "--", *command)
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c fsync=off"
            " -c listen_addresses=127.0.0.1"
        )
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.directory / "log"), "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"
        )

    def __enter__(self):
        if not self.data.exists():
            self.init()
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


class StalledServer:
    """A TCP server that accepts connections and never answers: a cache or
    database that hangs rather than refuses."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.accepted = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def connections(self, expected: int, timeout: float = 5) -> int:
        """How many connections were accepted, once ``expected`` were (the
        accepting thread may lag the client) or ``timeout`` has passed."""
        deadline = time.monotonic() + timeout
        while len(self.accepted) < expected and time.monotonic() < deadline:
            time.sleep(0.01)
        return len(self.accepted)

    def close(self) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
