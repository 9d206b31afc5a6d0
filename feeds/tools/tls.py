"""The certificate and key `ardoise serve` serves https with, checked before it starts: a mistake
(a missing file, a file that is not PEM, an encrypted key, a key of another certificate) is said
in one line naming the file, instead of uvicorn's traceback or OpenSSL's password prompt."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path


class TlsError(ValueError):
    """A certificate or key that cannot serve https (the message names the file and why)."""


@dataclass(frozen=True)
class Tls:
    """The certificate chain (PEM) and its private key that `ardoise serve` serves https with."""

    cert: Path
    key: Path | None = None
    """None: the key is in the certificate's file."""

    def check(self) -> None:
        """Load both as the server will: `TlsError` saying what is wrong, before it starts."""
        key = self.key or self.cert
        for path, holds, marker in (
            (self.cert, "a PEM certificate", b"-----BEGIN CERTIFICATE-----"),
            (key, "a PEM private key", b"PRIVATE KEY-----"),
        ):
            try:
                text = path.read_bytes()
            except OSError as error:
                raise TlsError(f"cannot read {path}: {error.strerror or error}") from None
            if marker not in text:
                raise TlsError(f"{path}: not {holds}")

        def no_password() -> str:
            # Else OpenSSL would ask for the password on the terminal, and wait.
            raise TlsError(f"{key}: the private key is encrypted; give one without a password")

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            context.load_cert_chain(self.cert, self.key, password=no_password)
        except ssl.SSLError as error:
            if error.reason == "KEY_VALUES_MISMATCH":
                raise TlsError(f"{key} is not the private key of {self.cert}") from None
            raise TlsError(f"{self.cert}, {key}: {error.reason or error}") from None
