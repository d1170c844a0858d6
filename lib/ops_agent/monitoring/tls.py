"""When a server's certificate expires, read from its DER bytes (no verification needed, so
a self-signed certificate can be watched too). A minimal DER walk of X.509's validity."""

from __future__ import annotations

from datetime import UTC, datetime


def _read(data: bytes, i: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the TLV at i."""
    tag = data[i]
    length = data[i + 1]
    i += 2
    if length & 0x80:
        n = length & 0x7F
        length = int.from_bytes(data[i : i + n], "big")
        i += n
    return tag, i, i + length


def _time(tag: int, raw: bytes) -> datetime:
    text = raw.decode("ascii").rstrip("Z")
    if tag == 0x17:  # UTCTime: YYMMDDHHMMSS
        year = int(text[:2])
        text = ("19" if year >= 50 else "20") + text
    return datetime.strptime(text[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def not_after(der: bytes) -> datetime:
    """The certificate's notAfter; ValueError when the bytes are not an X.509 certificate."""
    try:
        _, cert, _ = _read(der, 0)  # Certificate SEQUENCE
        _, i, _ = _read(der, cert)  # TBSCertificate SEQUENCE, into its content
        if der[i] == 0xA0:  # [0] version
            i = _read(der, i)[2]
        for index in range(4):  # serialNumber, signature, issuer; then validity
            _, start, end = _read(der, i)
            if index == 3:
                _, _, before_end = _read(der, start)  # notBefore
                tag, value, value_end = _read(der, before_end)  # notAfter
                return _time(tag, der[value:value_end])
            i = end
    except (IndexError, ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"not an X.509 certificate: {exc}") from None
    raise ValueError("not an X.509 certificate")
