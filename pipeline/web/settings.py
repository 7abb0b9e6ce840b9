"""How one web server runs: its store, its data directory, who may use it, how big an upload may be."""
from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = "congvan-data"
DEFAULT_MAX_UPLOAD_MB = 50
LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    """True when only this machine can reach the address (127.0.0.0/8, ::1, localhost)."""
    if host.strip("[]").lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Settings:
    db: str | None = None  # as `--db`: a path, a URL, or None for $CONGVAN_DB / ./congvan.db
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    host: str = "127.0.0.1"
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1024 * 1024
    login: bool | None = None  # None: required exactly when the host is reachable from other machines
    org_file: str | None = None  # as `--org`: the sending organisation's TOML (None: $CONGVAN_ORG / ./congvan.toml)
    https: bool = False  # served to browsers over HTTPS by a proxy: the session cookie is then sent over HTTPS only

    def __post_init__(self):
        self.data_dir = Path(self.data_dir).expanduser().resolve()

    @property
    def login_required(self) -> bool:
        return self.login if self.login is not None else not is_loopback(self.host)

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def outgoing_dir(self) -> Path:
        return self.data_dir / "outgoing"

    @property
    def users_file(self) -> Path:
        return self.data_dir / "users.json"

    @property
    def allowed_hosts(self) -> list[str] | None:
        """Host headers accepted on a loopback server, against DNS rebinding; None: any."""
        if not is_loopback(self.host):
            return None
        return sorted({"127.0.0.1", "localhost", self.host})

    def secret_key(self) -> str:
        """The key that signs session cookies: made once, kept in the data directory (mode 600)."""
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Written aside, then linked into place: two servers starting at once agree on one key.
            draft = self.data_dir / f".secret.{secrets.token_hex(4)}"
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return path.read_text().strip()
