"""SSH signatures (OpenSSH's PROTOCOL.sshsig) verified in process, as ``ssh-keygen -Y verify``.

Verifying 2,000 merges by running ``ssh-keygen`` once per signature took ~14 s; checking a
signature here takes well under a millisecond. The rule is that this module agrees with
``ssh-keygen -Y verify`` (OpenSSH 9.2's ``sshsig.c``, ``sshkey.c``, ``sshbuf-getput-basic.c``)
on every input: ``tests/test_sshsig_differential.py`` runs both on real signatures of every key
type and on thousands of mutated ones. Where the protocol text and ssh-keygen differ, ssh-keygen
wins, so the two verifiers can never disagree about a merge:

- armour: the file must begin with the header line; the body ends at the first
  ``"\\n-----END SSH SIGNATURE-----"`` (what follows it is ignored); base64 as OpenBSD's
  ``b64_pton``: whitespace anywhere is skipped, padding must be exact, leftover bits zero;
- blob: magic ``SSHSIG``, a version of at most 1 (ssh-keygen takes 0 too: the version is not
  signed), the signer's public key, namespace, reserved (any content: it is not signed either),
  hash algorithm ``sha256`` or ``sha512``, signature; trailing bytes anywhere are refused;
  C strings (namespace, hash algorithm, type names) may carry one final NUL, as in sshbuf;
- the key must be the roster's key (compared as keys, like ``sshkey_equal``), of the same type;
- signature over ``SSHSIG || string(namespace) || string("") || string(hash alg) || string(H(m))``:
  Ed25519; ECDSA nistp256/384/521 with SHA-256/384/512 (r, s as SSH mpints); RSA with
  ``rsa-sha2-256`` or ``rsa-sha2-512`` only (``ssh-rsa`` SHA-1 is refused, as ssh-keygen does),
  a short RSA signature left-padded to the modulus size, as ssh-keygen does;
- Ed25519's S must be below 2^253 and is then reduced modulo the group order, as OpenSSH's
  ed25519 code does (OpenSSL alone would refuse S + L, which ssh-keygen accepts).

Why not the ``sshsig`` package (0.3.1, the first candidate): run through the same differential
cases it disagreed with ssh-keygen on 171 of 1,550 — 102 of them signatures it ACCEPTS and
ssh-keygen refuses (hash sha1/md5/sha384, trailing bytes in the blob, key or signature, armour
without footer or with junk before the header) — and it refuses every ECDSA signature (no ECDSA).
It also reads past short strings and checks the Ed25519 signature type with ``assert``. So this
small module stands on ``cryptography`` (already pinned) alone.

One deliberate difference: a roster key with which anyone can sign (RSA exponent 1, an Ed25519
point of small order) is refused (``weak_key``), where ssh-keygen accepts the forgeries.

Keys of any other type (security keys ``sk-ssh-ed25519@openssh.com``, ``sk-ecdsa-...``,
certificates, types yet to come) are not judged here: ``verify`` answers ``None`` and the caller
asks ``ssh-keygen`` (``pressroom.approvals.signatures``) — never "unverified", never accepted.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

HEADER = b"-----BEGIN SSH SIGNATURE-----\n"
FOOTER = b"\n-----END SSH SIGNATURE-----"
MAGIC = b"SSHSIG"
HASHES = {b"sha256": hashlib.sha256, b"sha512": hashlib.sha512}
CURVES = {  # key type -> (curve name in the key, curve, hash of the signature)
    b"ecdsa-sha2-nistp256": (b"nistp256", ec.SECP256R1(), hashes.SHA256()),
    b"ecdsa-sha2-nistp384": (b"nistp384", ec.SECP384R1(), hashes.SHA384()),
    b"ecdsa-sha2-nistp521": (b"nistp521", ec.SECP521R1(), hashes.SHA512()),
}
RSA_SIGNATURES = {b"rsa-sha2-256": hashes.SHA256(), b"rsa-sha2-512": hashes.SHA512()}
IMPLEMENTED = frozenset({"ssh-ed25519", "ssh-rsa", *(t.decode() for t in CURVES)})
ED25519_ORDER = 2**252 + 27742317777372353535851937790883648493
MAX_BIGNUM = 16384 // 8  # SSHBUF_MAX_BIGNUM
RSA_MIN_BITS, RSA_MAX_BITS = 1024, 16384
_WHITESPACE = re.compile(rb"[ \t\n\v\f\r]")  # C isspace()
_BASE64 = re.compile(rb"[A-Za-z0-9+/]*")


class Malformed(ValueError):
    """The signature (or key) is not what ssh-keygen would read; the message says where."""


class _Reader:
    """SSH wire format (RFC 4251) as OpenSSH's sshbuf reads it, refusing short input."""

    def __init__(self, data: bytes, what: str) -> None:
        self.data, self.pos, self.what = data, 0, what

    def take(self, length: int) -> bytes:
        if len(self.data) - self.pos < length:
            raise Malformed(f"{self.what} is truncated")
        out = self.data[self.pos:self.pos + length]
        self.pos += length
        return out

    def u32(self) -> int:
        return struct.unpack(">I", self.take(4))[0]

    def string(self) -> bytes:
        return self.take(self.u32())

    def cstring(self) -> bytes:
        """A string that must hold text: a NUL only as its last byte, which is dropped."""
        value = self.string()
        nul = value.find(b"\0")
        if nul != -1 and nul != len(value) - 1:
            raise Malformed(f"{self.what} has a NUL inside a name")
        return value[:nul] if nul != -1 else value

    def mpint(self) -> int:
        """sshbuf_get_bignum2: no sign bit, not over-long, leading zeros ignored."""
        value = self.string()
        if value and value[0] & 0x80:
            raise Malformed(f"{self.what} has a negative number")
        if len(value) > MAX_BIGNUM + 1 or (len(value) == MAX_BIGNUM + 1 and value[0]):
            raise Malformed(f"{self.what} has a number too large")
        return int.from_bytes(value, "big")

    def end(self) -> None:
        if self.pos != len(self.data):
            raise Malformed(f"{self.what} has trailing bytes")


def dearmor(armored: bytes) -> bytes:
    """The SSHSIG blob of an armoured signature, read exactly as ``sshsig_dearmor`` does."""
    if not armored.startswith(HEADER):
        raise Malformed("the signature does not begin with the SSH SIGNATURE header")
    rest = armored[len(HEADER):]
    end = rest.find(FOOTER)
    if end == -1:
        raise Malformed("the signature has no SSH SIGNATURE footer")
    body = rest[:end]
    nul = body.find(b"\0")
    if nul != -1:  # sshbuf_dup_string: a NUL only as the last byte
        if nul != len(body) - 1:
            raise Malformed("the signature's armour holds a NUL byte")
        body = body[:nul]
    return _b64_pton(body)


def _b64_pton(text: bytes) -> bytes:
    """OpenBSD's b64_pton: whitespace skipped, exact padding, the bits past the end zero."""
    text = _WHITESPACE.sub(b"", text)
    pad = text.find(b"=")
    data, tail = (text, b"") if pad == -1 else (text[:pad], text[pad:])
    if not _BASE64.fullmatch(data):
        raise Malformed("the signature's armour is not base64")
    state = len(data) % 4
    if (pad == -1 and state != 0) or (pad != -1 and tail != b"=" * (4 - state)) \
            or (pad != -1 and state < 2):
        raise Malformed("the signature's base64 is not padded correctly")
    if state:
        last = _alphabet_value(data[-1])
        if last & (0x0F if state == 2 else 0x03):
            raise Malformed("the signature's base64 has stray bits")
    try:
        return base64.b64decode(data + tail, validate=True)
    except binascii.Error as exc:  # pragma: no cover - the checks above make it valid
        raise Malformed("the signature's armour is not base64") from exc


def _alphabet_value(char: int) -> int:
    return b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".index(char)


def parse_key(blob: bytes) -> tuple:
    """A public key blob as comparable parts (what ``sshkey_equal`` compares), or
    ``("other", type)`` for a type this module does not implement. Raises Malformed."""
    reader = _Reader(blob, "the public key")
    key_type = reader.cstring()
    if key_type == b"ssh-ed25519":
        point = reader.string()
        if len(point) != 32:
            raise Malformed("the Ed25519 key is not 32 bytes")
        parts: tuple = (key_type, point)
    elif key_type in CURVES:
        if reader.cstring() != CURVES[key_type][0]:
            raise Malformed("the ECDSA key names another curve")
        parts = (key_type, reader.string())
    elif key_type == b"ssh-rsa":
        exponent, modulus = reader.mpint(), reader.mpint()
        if not RSA_MIN_BITS <= modulus.bit_length() <= RSA_MAX_BITS:
            raise Malformed("the RSA key's size is not allowed")
        parts = (key_type, exponent, modulus)
    else:
        return ("other", key_type)
    reader.end()
    return parts


ED25519_P = 2**255 - 19
_ED25519_D = -121665 * pow(121666, -1, ED25519_P) % ED25519_P
_SQRT_MINUS_ONE = pow(2, (ED25519_P - 1) // 4, ED25519_P)
SK_ED25519 = "sk-ssh-ed25519@openssh.com"
CERT_SUFFIX = "-cert-v01@openssh.com"


@functools.lru_cache(maxsize=256)
def weak_key(public_key: str) -> str:
    """Why the roster key ``public_key`` lets anyone forge its signatures, or "".

    ``ssh-keygen -Y verify`` accepts signatures nobody needs a private key to make when the
    allowed key is an RSA key with exponent 1 (the signature is the padded hash itself) or
    an Ed25519 key of small order (the identity point: R = identity, S = 0 verifies any
    message) — plain, in a security key (``sk-ssh-ed25519``) or in a certificate anyone's
    own CA signed. No real key is either; pressroom refuses such a roster key for every
    verifier, the one place where it is stricter than ssh-keygen. Keys it cannot read
    answer "" (the verifiers refuse them on their own). Remembered per key: a roster has a
    few keys, a history thousands of signatures, and the Ed25519 test takes ~0.2 ms.
    """
    fields = public_key.split()
    try:
        reader = _Reader(base64.b64decode(fields[1], validate=True), "the public key")
        key_type = reader.cstring().decode("ascii")
        if key_type.endswith(CERT_SUFFIX):
            reader.string()  # the certificate's nonce; the key's own fields follow
            key_type = key_type.removesuffix(CERT_SUFFIX)
        if key_type in ("ssh-ed25519", "sk-ssh-ed25519", SK_ED25519):
            return _small_order(reader.string())
        if key_type == "ssh-rsa":
            exponent, modulus = reader.mpint(), reader.mpint()
            if exponent < 3 or exponent % 2 == 0 or exponent >= modulus:
                return "is an RSA key whose exponent makes every signature forgeable"
    except (IndexError, binascii.Error, UnicodeDecodeError, Malformed):
        return ""
    return ""


def _small_order(point: bytes) -> str:
    """"" unless the Ed25519 point (as OpenSSH decodes it: y reduced modulo p) has order
    dividing 8, found by doubling it three times."""
    if len(point) != 32:
        return ""
    p = ED25519_P
    y = (int.from_bytes(point, "little") & ((1 << 255) - 1)) % p
    u, v = (y * y - 1) % p, (_ED25519_D * y * y + 1) % p
    x = u * pow(v, 3, p) * pow(u * pow(v, 7, p), (p - 5) // 8, p) % p
    if (v * x * x - u) % p:
        x = x * _SQRT_MINUS_ONE % p
        if (v * x * x - u) % p:
            return ""  # not a point: every signature is refused anyway
    for _ in range(3):
        product = _ED25519_D * x * x * y * y % p
        x, y = (2 * x * y * pow(1 + product, -1, p) % p,
                (y * y + x * x) * pow(1 - product, -1, p) % p)
    if (x, y) == (0, 1):
        return "is an Ed25519 key of small order, with which anyone can sign"
    return ""


def _signed_data(namespace: bytes, hash_name: bytes, message: bytes) -> bytes:
    digest = HASHES[hash_name](message).digest()
    return MAGIC + b"".join(struct.pack(">I", len(part)) + part
                            for part in (namespace, b"", hash_name, digest))


def verify(armored: str | bytes, message: bytes, public_key: str,
           namespace: str = "git") -> str | None:
    """Whether ``armored`` is ``public_key``'s signature of ``message`` in ``namespace``.

    ``public_key`` is an OpenSSH public key line ("type base64 [comment]"). Answers "" when
    the signature is good, one line saying why when it is not, and None when the key's type
    is not implemented here (the caller must ask ``ssh-keygen``).
    """
    fields = public_key.split()
    if not fields or fields[0] not in IMPLEMENTED:
        return None
    try:
        allowed = parse_key(base64.b64decode(fields[1], validate=True))
    except (IndexError, binascii.Error, Malformed):
        return "the roster's key is not a valid public key"
    if allowed[0] != fields[0].encode():  # ssh-keygen refuses a line whose type is not its key's
        return "the roster's key is not a valid public key"
    weak = weak_key(public_key)
    if weak:
        return f"the roster's key {weak}"
    data = armored.encode() if isinstance(armored, str) else armored
    try:
        _check(dearmor(data), message, allowed, namespace.encode())
    except Malformed as exc:
        return str(exc)
    return ""


def _check(blob: bytes, message: bytes, allowed: tuple, namespace: bytes) -> None:
    """Raise Malformed unless ``blob`` is a good SSHSIG by the ``allowed`` key."""
    reader = _Reader(blob, "the signature")
    if reader.take(6) != MAGIC:
        raise Malformed("the signature does not begin with SSHSIG")
    if reader.u32() > 1:
        raise Malformed("the signature's version is not supported")
    key_blob, got_namespace = reader.string(), reader.cstring()
    reader.string()  # reserved: not signed, ignored by ssh-keygen
    hash_name, signature = reader.cstring(), reader.string()
    reader.end()
    if hash_name not in HASHES:
        raise Malformed("the signature's hash algorithm is not sha256 or sha512")
    key = parse_key(key_blob)
    if got_namespace != namespace:
        raise Malformed("the signature is for another namespace")
    if key != allowed:
        raise Malformed("the signature is by another key")
    signed = _signed_data(namespace, hash_name, message)
    try:
        _verify_raw(key, signature, signed)
    except (InvalidSignature, ValueError, OverflowError) as exc:  # never a traceback
        if isinstance(exc, Malformed):
            raise
        raise Malformed("the signature does not match") from exc


def _verify_raw(key: tuple, signature: bytes, signed: bytes) -> None:
    """The key's signature blob (``string type, string bytes``) over ``signed``."""
    reader = _Reader(signature, "the signature's value")
    sig_type = reader.cstring()
    if key[0] == b"ssh-ed25519":
        raw = reader.string()
        reader.end()
        if sig_type != key[0] or len(raw) != 64 or raw[63] & 0xE0:
            raise Malformed("the Ed25519 signature is malformed")
        s_value = int.from_bytes(raw[32:], "little") % ED25519_ORDER  # as OpenSSH's sc25519
        raw = raw[:32] + s_value.to_bytes(32, "little")
        ed25519.Ed25519PublicKey.from_public_bytes(key[1]).verify(raw, signed)
    elif key[0] in CURVES:
        inner = _Reader(reader.string(), "the ECDSA signature")
        reader.end()
        if sig_type != key[0]:
            raise Malformed("the ECDSA signature is of another type")
        r_value, s_value = inner.mpint(), inner.mpint()
        inner.end()
        _, curve, digest = CURVES[key[0]]
        try:
            point = ec.EllipticCurvePublicKey.from_encoded_point(curve, key[1])
        except ValueError as exc:
            raise Malformed("the ECDSA key is not a point of its curve") from exc
        if key[1][:1] != b"\x04":
            raise Malformed("the ECDSA key is not an uncompressed point")
        point.verify(encode_dss_signature(r_value, s_value), signed, ec.ECDSA(digest))
    else:
        raw = reader.string()
        reader.end()
        if sig_type not in RSA_SIGNATURES:
            raise Malformed("the RSA signature is not rsa-sha2-256 or rsa-sha2-512")
        _, exponent, modulus = key
        size = (modulus.bit_length() + 7) // 8
        if len(raw) > size:
            raise Malformed("the RSA signature is longer than the key")
        try:
            public = rsa.RSAPublicNumbers(exponent, modulus).public_key()
        except ValueError as exc:
            raise Malformed("the RSA key is not usable") from exc
        public.verify(raw.rjust(size, b"\0"), signed, padding.PKCS1v15(),
                      RSA_SIGNATURES[sig_type])
