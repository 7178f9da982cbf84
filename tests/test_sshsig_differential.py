"""The in-process SSH signature verifier agrees with ``ssh-keygen -Y verify`` on every case.

Real keys of every implemented type made by ssh-keygen, real signatures made by
``ssh-keygen -Y sign``, and well over a thousand mutated ones (seeded, so a failure
reproduces): every field of the SSHSIG blob — some re-signed, so that only the structural
rule decides — truncations, trailing bytes, wrong namespace, wrong key, wrong hash algorithm,
armour damage, a changed message. For each case, the verdict of
``pressroom.approvals.sshsig.verify`` must equal ssh-keygen's (both good or both bad).

``PRESSROOM_DIFF_LONG=1`` runs ten times as many random mutations.
"""

from __future__ import annotations

import functools
import hashlib
import os
import random
import shutil
import struct
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import require_tool
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from pressroom.approvals import sshsig
from pressroom.approvals.signatures import allowed_signers, check_signature
from pressroom.model.roster import parse_roster

SEED = 16
RANDOM_PER_KEY = 240 * (10 if os.environ.get("PRESSROOM_DIFF_LONG") == "1" else 1)
KEY_TYPES = {  # name -> ssh-keygen arguments
    "ed25519": ["-t", "ed25519"],
    "ecdsa256": ["-t", "ecdsa", "-b", "256"],
    "ecdsa384": ["-t", "ecdsa", "-b", "384"],
    "ecdsa521": ["-t", "ecdsa", "-b", "521"],
    "rsa3072": ["-t", "rsa", "-b", "3072"],
}
MESSAGE = b"tree 0123456789abcdef\nauthor Pat <pio1@pd.example> 1764000000 +0000\n\nA post\n"
EC_HASH = {"ecdsa256": hashes.SHA256(), "ecdsa384": hashes.SHA384(),
           "ecdsa521": hashes.SHA512()}


def string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def mpint(value: int) -> bytes:
    return string(value.to_bytes((value.bit_length() + 8) // 8, "big") if value else b"")


def armor(blob: bytes, width: int = 70) -> bytes:
    import base64
    text = base64.b64encode(blob)
    lines = [text[i:i + width] for i in range(0, len(text), width)]
    return b"-----BEGIN SSH SIGNATURE-----\n" + b"\n".join(lines) + \
        b"\n-----END SSH SIGNATURE-----\n"


@dataclass(frozen=True)
class Key:
    name: str
    path: Path
    public: str  # "type base64 comment"
    private: object

    @property
    def blob(self) -> bytes:
        import base64
        return base64.b64decode(self.public.split()[1])


@dataclass
class Case:
    label: str
    signature: bytes
    key: Key  # the allowed key (roster's)
    message: bytes = MESSAGE


def keygen(folder: Path, name: str) -> Key:
    path = folder / name
    subprocess.run(["ssh-keygen", "-q", *KEY_TYPES[name.split("-")[0]], "-N", "", "-C", name,
                    "-f", str(path)], check=True)
    private = serialization.load_ssh_private_key(path.read_bytes(), None)
    return Key(name, path, (folder / f"{name}.pub").read_text().strip(), private)


@functools.cache
def ssh_sign(key: Key, message: bytes, namespace: str = "git", hashalg: str = "") -> bytes:
    extra = ["-O", f"hashalg={hashalg}"] if hashalg else []
    result = subprocess.run(["ssh-keygen", "-Y", "sign", "-q", "-n", namespace, "-f",
                             str(key.path), *extra], input=message, capture_output=True,
                            check=True)
    return result.stdout


def resign(key: Key, message: bytes = MESSAGE, *, version: int = 1, key_blob: bytes | None = None,
           namespace: bytes = b"git", reserved: bytes = b"", hash_name: bytes = b"sha512",
           signed_hash: bytes | None = None, sig_type: bytes | None = None,
           rsa_hash: hashes.HashAlgorithm | None = None, ec_hash: hashes.HashAlgorithm | None
           = None, tweak_raw=None, inner_extra: bytes = b"", sig_extra: bytes = b"",
           blob_extra: bytes = b"") -> bytes:
    """A signature made here (not by ssh-keygen) with one field set as asked: the signed data
    is what ssh-keygen would check (namespace "git", its hash name), so only the field's own
    rule decides."""
    algorithm = signed_hash or hash_name.split(b"\0")[0]
    digest = hashlib.new(algorithm.decode(errors="replace") or "sha512", message).digest()
    signed = b"SSHSIG" + string(b"git") + string(b"") + string(algorithm) + string(digest)
    private = key.private
    if isinstance(private, ed25519.Ed25519PrivateKey):
        raw = private.sign(signed)
        raw = tweak_raw(raw) if tweak_raw else raw
        signature = string(sig_type or b"ssh-ed25519") + string(raw)
    elif isinstance(private, ec.EllipticCurvePrivateKey):
        r_value, s_value = decode_dss_signature(
            private.sign(signed, ec.ECDSA(ec_hash or EC_HASH[key.name.split("-")[0]])))
        if tweak_raw:
            r_value, s_value = tweak_raw((r_value, s_value))
        inner = (mpint(r_value) + mpint(s_value)) if isinstance(r_value, int) else r_value
        signature = string(sig_type or key.public.split()[0].encode()) + \
            string(inner + inner_extra)
    else:
        assert isinstance(private, rsa.RSAPrivateKey)
        kind = sig_type or b"rsa-sha2-512"
        chosen = rsa_hash or {b"rsa-sha2-256": hashes.SHA256(),
                              b"ssh-rsa": hashes.SHA1()}.get(kind, hashes.SHA512())
        raw = private.sign(signed, padding.PKCS1v15(), chosen)
        raw = tweak_raw(raw) if tweak_raw else raw
        signature = string(kind) + string(raw)
    blob = b"SSHSIG" + struct.pack(">I", version) + string(key_blob or key.blob) + \
        string(namespace) + string(reserved) + string(hash_name) + \
        string(signature + sig_extra) + blob_extra
    return armor(blob)


# -- cases ---------------------------------------------------------------------------------

def structured_cases(key: Key, other: Key) -> list[Case]:
    """Every field of the blob, one at a time; valid signatures of every kind."""
    kind = key.name.split("-")[0]
    real = ssh_sign(key, MESSAGE)
    out = [Case("ssh-keygen sha512", real, key),
           Case("ssh-keygen sha256", ssh_sign(key, MESSAGE, hashalg="sha256"), key),
           Case("namespace file", ssh_sign(key, MESSAGE, "file"), key),
           Case("message changed", real, key, MESSAGE + b"x"),
           Case("message empty", real, key, b""),
           Case("another roster key", ssh_sign(other, MESSAGE), key),
           Case("re-signed", resign(key), key),
           Case("re-signed sha256", resign(key, hash_name=b"sha256"), key)]
    fields = {
        "version 0": {"version": 0}, "version 2": {"version": 2},
        "version huge": {"version": 0xFFFFFFFF},
        "reserved set": {"reserved": b"anything"},
        "namespace git NUL": {"namespace": b"git\0"}, "namespace NUL git": {"namespace": b"\0git"},
        "namespace git NUL x": {"namespace": b"git\0x"}, "namespace Git": {"namespace": b"Git"},
        "namespace empty": {"namespace": b""}, "namespace gitx": {"namespace": b"gitx"},
        "hash sha256 NUL": {"hash_name": b"sha256\0"}, "hash sha1": {"hash_name": b"sha1"},
        "hash md5": {"hash_name": b"md5"}, "hash sha384": {"hash_name": b"sha384"},
        "hash SHA256": {"hash_name": b"SHA256", "signed_hash": b"sha256"},
        "hash NUL sha256": {"hash_name": b"\0sha256", "signed_hash": b"sha256"},
        "hash mismatch": {"hash_name": b"sha256", "signed_hash": b"sha512"},
        "trailing blob": {"blob_extra": b"\0"}, "trailing sig": {"sig_extra": b"\0\0\0\0"},
        "key trailing": {"key_blob": key.blob + b"\0"},
        "key type NUL": {"key_blob": _retype(key.blob, key.blob[4:4 + _u32(key.blob)] + b"\0")},
        "key of other": {"key_blob": other.blob},
    }
    if kind == "ed25519":
        fields |= {
            "sig type NUL": {"sig_type": b"ssh-ed25519\0"},
            "sig type rsa": {"sig_type": b"rsa-sha2-512"},
            "S plus L": {"tweak_raw": lambda raw: raw[:32] + _add_order(raw[32:], 1)},
            "S plus 8L": {"tweak_raw": lambda raw: raw[:32] + _add_order(raw[32:], 8)},
            "S plus 15L": {"tweak_raw": lambda raw: raw[:32] + _add_order(raw[32:], 15)},
            "sig short": {"tweak_raw": lambda raw: raw[:63]},
            "sig long": {"tweak_raw": lambda raw: raw + b"\0"},
            "R flipped": {"tweak_raw": lambda raw: bytes([raw[0] ^ 1]) + raw[1:]},
        }
    elif kind.startswith("ecdsa"):
        order = key.private.curve.key_size  # noqa: F841 - kept for readability of the cases
        n = _ec_order(kind)
        fields |= {
            "sig type NUL": {"sig_type": key.public.split()[0].encode() + b"\0"},
            "sig type other curve": {"sig_type": b"ecdsa-sha2-nistp256" if kind != "ecdsa256"
                                     else b"ecdsa-sha2-nistp384"},
            "wrong ec hash": {"ec_hash": hashes.SHA1()},
            "wrong ec hash sha512": {"ec_hash": hashes.SHA512() if kind != "ecdsa521"
                                     else hashes.SHA256()},
            "s negated": {"tweak_raw": lambda rs: (rs[0], n - rs[1])},
            "r zero": {"tweak_raw": lambda rs: (0, rs[1])},
            "s plus n": {"tweak_raw": lambda rs: (rs[0], rs[1] + n)},
            "r leading zero": {"tweak_raw": lambda rs: (string(b"\0\0" + mpint(rs[0])[4:])
                                                        + mpint(rs[1]), None)},
            "r negative": {"tweak_raw": lambda rs: (string(b"\x80" + mpint(rs[0])[4:])
                                                    + mpint(rs[1]), None)},
            "inner trailing": {"inner_extra": b"\0"},
            "compressed key": {"key_blob": _compressed(key)},
        }
    else:
        fields |= {
            "rsa-sha2-256": {"sig_type": b"rsa-sha2-256"},
            "ssh-rsa sha1": {"sig_type": b"ssh-rsa"},
            "rsa-sha2-512 NUL": {"sig_type": b"rsa-sha2-512\0"},
            "rsa type says 256 hash 512": {"sig_type": b"rsa-sha2-256",
                                           "rsa_hash": hashes.SHA512()},
            "rsa sig long": {"tweak_raw": lambda raw: b"\0" + raw},
            "rsa sig short": {"tweak_raw": lambda raw: raw[1:]},
            "rsa sig stripped zero": {"tweak_raw": lambda raw: raw.lstrip(b"\0")},
            "rsa key e leading zero": {"key_blob": _rsa_blob(key, pad_e=b"\0\0")},
            "rsa key n extra zero": {"key_blob": _rsa_blob(key, pad_n=b"\0")},
        }
    for label, changes in fields.items():
        out.append(Case(label, resign(key, **changes), key))
    return out


def _u32(data: bytes, at: int = 0) -> int:
    return struct.unpack(">I", data[at:at + 4])[0]


def _retype(blob: bytes, new_type: bytes) -> bytes:
    return string(new_type) + blob[4 + _u32(blob):]


def _add_order(s_bytes: bytes, times: int) -> bytes:
    value = int.from_bytes(s_bytes, "little") + times * sshsig.ED25519_ORDER
    return (value % 2**256).to_bytes(32, "little")


def _ec_order(kind: str) -> int:
    return {"ecdsa256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
            "ecdsa384": int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
                            "581A0DB248B0A77AECEC196ACCC52973", 16),
            "ecdsa521": int("01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
                            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9"
                            "B8899C47AEBB6FB71E91386409", 16)}[kind]


def _compressed(key: Key) -> bytes:
    public = key.private.public_key()
    point = public.public_bytes(serialization.Encoding.X962,
                                serialization.PublicFormat.CompressedPoint)
    kind = key.public.split()[0].encode()
    return string(kind) + string(kind.rsplit(b"-", 1)[1]) + string(point)


def _rsa_blob(key: Key, pad_e: bytes = b"", pad_n: bytes = b"") -> bytes:
    numbers = key.private.public_key().public_numbers()
    e_bytes = mpint(numbers.e)[4:]
    n_bytes = mpint(numbers.n)[4:]
    return string(b"ssh-rsa") + string(pad_e + e_bytes) + string(pad_n + n_bytes)


ARMOUR_DAMAGE = {
    "no header": lambda t: t.split(b"\n", 1)[1],
    "header lowercase": lambda t: t.replace(b"BEGIN SSH", b"begin SSH", 1),
    "space before header": lambda t: b" " + t,
    "newline before header": lambda t: b"\n" + t,
    "header without newline": lambda t: t.replace(b"-----\n", b"----- ", 1),
    "no footer": lambda t: t.rsplit(b"-----END", 1)[0],
    "footer damaged": lambda t: t.replace(b"END SSH", b"END SSX"),
    "footer on body line": lambda t: t.replace(b"\n-----END", b"-----END"),
    "text after footer": lambda t: t + b"anything at all\n\0",
    "second signature after footer": lambda t: t + t,
    "crlf": lambda t: t.replace(b"\n", b"\r\n"),
    "crlf header only": lambda t: t.replace(b"-----\n", b"-----\r\n", 1),
    "one line": lambda t: _body_map(t, lambda b: b.replace(b"\n", b"")),
    "spaces in body": lambda t: _body_map(t, lambda b: b.replace(b"A", b" A")),
    "tabs and vt": lambda t: _body_map(t, lambda b: b[:10] + b"\t\v\f" + b[10:]),
    "garbage char": lambda t: _body_map(t, lambda b: b[:20] + b"*" + b[20:]),
    "dot in body": lambda t: _body_map(t, lambda b: b[:5] + b"." + b[5:]),
    "nul at end of body": lambda t: _body_map(t, lambda b: b + b"\0"),
    "nul inside body": lambda t: _body_map(t, lambda b: b[:9] + b"\0" + b[9:]),
    "high byte": lambda t: _body_map(t, lambda b: b[:9] + b"\xa0" + b[9:]),
    "padding removed": lambda t: _body_map(t, lambda b: b.rstrip(b"=")),
    "padding added": lambda t: _body_map(t, lambda b: b + b"="),
    "padding extra ==": lambda t: _body_map(t, lambda b: b + b"=="),
    "padding spaced": lambda t: _body_map(t, lambda b: b.replace(b"=", b"= ")),
    "char after padding": lambda t: _body_map(t, lambda b: b + b"A" if b.endswith(b"=")
                                              else b + b"=A"),
    "stray bits": lambda t: _body_map(t, _stray_bits),
    "empty body": lambda t: b"-----BEGIN SSH SIGNATURE-----\n\n-----END SSH SIGNATURE-----\n",
    "header only": lambda t: b"-----BEGIN SSH SIGNATURE-----\n",
    "body truncated": lambda t: _body_map(t, lambda b: b[:len(b) // 2]),
    "body one char less": lambda t: _body_map(t, lambda b: b.rstrip(b"=")[:-1]),
}


def _body_map(text: bytes, change) -> bytes:
    head, rest = text.split(b"\n", 1)
    body, foot = rest.split(b"\n-----END", 1)
    return head + b"\n" + change(body) + b"\n-----END" + foot


def _stray_bits(body: bytes) -> bytes:
    stripped = body.rstrip(b"=")
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    if len(stripped) % 4 in (2, 3):
        last = alphabet.index(stripped[-1]) | 1
        return stripped[:-1] + alphabet[last:last + 1] + body[len(stripped):]
    return body + b"A="  # no partial byte here: make one, also wrong


def armour_cases(key: Key) -> list[Case]:
    real = ssh_sign(key, MESSAGE)
    return [Case(f"armour: {label}", damage(real), key) for label, damage in ARMOUR_DAMAGE.items()]


def random_cases(key: Key, other: Key, rng: random.Random, count: int) -> list[Case]:
    """Seeded random damage to the blob of a real signature: flips, inserts, deletes,
    truncations, trailing bytes, and length fields changed."""
    import base64
    real = ssh_sign(key, MESSAGE)
    blob = base64.b64decode(b"".join(real.split(b"\n")[1:-2]))
    out = []
    for number in range(count):
        data = bytearray(blob)
        operation = rng.choice(["flip", "set", "insert", "delete", "truncate", "append",
                                "length", "splice"])
        at = rng.randrange(len(data))
        if operation == "flip":
            data[at] ^= 1 << rng.randrange(8)
        elif operation == "set":
            data[at] = rng.randrange(256)
        elif operation == "insert":
            data[at:at] = bytes([rng.randrange(256)])
        elif operation == "delete":
            del data[at]
        elif operation == "truncate":
            del data[at:]
        elif operation == "append":
            data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif operation == "length":  # a uint32 length somewhere made larger or smaller
            starts = _length_offsets(bytes(data))
            at = rng.choice(starts)
            value = _u32(data, at) + rng.choice([-2, -1, 1, 2, 1 << 31])
            data[at:at + 4] = struct.pack(">I", value % 2**32)
        else:  # the part of another key's signature at the same place
            other_blob = base64.b64decode(b"".join(ssh_sign(other, MESSAGE).split(b"\n")[1:-2]))
            data[at:] = other_blob[at:]
        out.append(Case(f"random {number} {operation}@{at}", armor(bytes(data)), key))
    return out


def _length_offsets(blob: bytes) -> list[int]:
    """Offsets of the blob's length fields (outer fields, and the first level inside)."""
    offsets, pos = [], 10
    while pos + 4 <= len(blob):
        offsets.append(pos)
        pos += 4 + _u32(blob, pos)
    return offsets or [6]


# -- running both ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, Key]:
    require_tool(shutil.which("ssh-keygen") is not None, "ssh-keygen")
    folder = tmp_path_factory.mktemp("sshsig-keys")
    with ThreadPoolExecutor(max_workers=4) as pool:
        names = [*KEY_TYPES, *(f"{name}-other" for name in KEY_TYPES)]
        return dict(zip(names, pool.map(lambda n: keygen(folder, n), names), strict=True))


def ssh_keygen_verdict(case: Case, folder: Path, number: int) -> bool:
    signers = folder / f"{number}.allowed"
    signature = folder / f"{number}.sig"
    signers.write_text(f'p namespaces="git" {case.key.public}\n')
    signature.write_bytes(case.signature)
    result = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", "p",
                             "-n", "git", "-s", str(signature)], input=case.message,
                            capture_output=True)
    return result.returncode == 0


def disagreements(cases: list[Case], folder: Path) -> list[str]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        theirs = list(pool.map(lambda nc: ssh_keygen_verdict(nc[1], folder, nc[0]),
                               enumerate(cases)))
    out = []
    for case, their in zip(cases, theirs, strict=True):
        ours = sshsig.verify(case.signature, case.message, case.key.public)
        assert ours is not None, case.label
        if (ours == "") != their:
            out.append(f"{case.key.name} {case.label}: ssh-keygen {'good' if their else 'bad'}, "
                       f"builtin {ours or 'good'}")
    return out


def test_builtin_agrees_with_ssh_keygen(keys: dict[str, Key], tmp_path: Path) -> None:
    rng = random.Random(SEED)
    cases: list[Case] = []
    for name in KEY_TYPES:
        key, other = keys[name], keys[f"{name}-other"]
        cases += structured_cases(key, other) + armour_cases(key)
        cases += random_cases(key, other, rng, RANDOM_PER_KEY)
        cases.append(Case("key of another type", ssh_sign(key, MESSAGE),
                          keys["ed25519" if name != "ed25519" else "rsa3072"]))
    assert len(cases) >= 1000
    assert disagreements(cases, tmp_path) == []
    # The test can fail: it holds good and bad signatures of every key type.
    verdicts = {(c.key.name, sshsig.verify(c.signature, c.message, c.key.public) == "")
                for c in cases}
    assert verdicts == {(name, good) for name in KEY_TYPES for good in (True, False)}


# -- keys not implemented in process ---------------------------------------------------------

SK_TYPE = b"sk-ssh-ed25519@openssh.com"


def sk_signature(private: ed25519.Ed25519PrivateKey, message: bytes, application: bytes,
                 flags: int = 1, claimed_counter: int = 7) -> tuple[str, bytes]:
    """A security-key (sk-ssh-ed25519) public key line and SSHSIG for ``message``, made by hand
    as the key's hardware would: the Ed25519 signature covers H(application), the flags, the
    counter and H(signed data), per OpenSSH's PROTOCOL.u2f."""
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw,
                                                   serialization.PublicFormat.Raw)
    key_blob = string(SK_TYPE) + string(raw_public) + string(application)
    digest = hashlib.sha512(message).digest()
    signed = b"SSHSIG" + string(b"git") + string(b"") + string(b"sha512") + string(digest)
    counter = struct.pack(">I", 7)
    covered = hashlib.sha256(application).digest() + bytes([flags]) + counter + \
        hashlib.sha256(signed).digest()
    signature = string(SK_TYPE) + string(private.sign(covered)) + bytes([flags]) + \
        struct.pack(">I", claimed_counter)
    blob = b"SSHSIG" + struct.pack(">I", 1) + string(key_blob) + string(b"git") + string(b"") + \
        string(b"sha512") + string(signature)
    import base64
    return f"{SK_TYPE.decode()} {base64.b64encode(key_blob).decode()} pio1", armor(blob)


def roster_with(public_key: str):
    text = (f'[members.pio1]\nname = "Pat Rivera"\nemail = "pio1@pd.example"\nroles = ["pio"]\n'
            f'signing_key = "{public_key}"\ntrained = 2026-06-01\n')
    roster, problems = parse_roster(text)
    assert not problems
    return roster


def test_security_key_signatures_go_to_ssh_keygen(tmp_path: Path) -> None:
    require_tool(shutil.which("ssh-keygen") is not None, "ssh-keygen")
    private = ed25519.Ed25519PrivateKey.generate()
    public, armored = sk_signature(private, MESSAGE, b"ssh:")
    assert sshsig.verify(armored, MESSAGE, public) is None  # not judged in process
    roster = roster_with(public)
    signers = tmp_path / "allowed_signers"
    signers.write_text(allowed_signers(roster))
    text = armored.decode()
    # ssh-keygen accepts the hand-made signature: the builtin verifier handed it over...
    assert check_signature(text, MESSAGE, roster, str(signers)).member.id == "pio1"
    # ...and ssh-keygen alone decides: no allowed-signers file for it, no approval,
    assert check_signature(text, MESSAGE, roster, str(tmp_path / "missing")).member is None
    # A changed message, or a counter changed after signing, is refused by ssh-keygen.
    changed = check_signature(text, MESSAGE + b"x", roster, str(signers))
    assert changed.member is None and "does not verify" in changed.problem
    same_key, replayed = sk_signature(private, MESSAGE, b"ssh:", claimed_counter=8)
    assert same_key == public and sshsig.verify(replayed, MESSAGE, public) is None
    refused = check_signature(replayed.decode(), MESSAGE, roster, str(signers))
    assert refused.member is None and "does not verify" in refused.problem


@pytest.mark.parametrize("verifier", ["builtin", "ssh-keygen"])
def test_check_signature_with_either_verifier(keys: dict[str, Key], tmp_path: Path,
                                              verifier: str) -> None:
    """Every implemented key type through ``check_signature``: the verdict is the same
    whichever verifier gives it, and ``ssh-keygen`` really runs ssh-keygen (it needs the
    allowed-signers file; the builtin verifier reads the roster)."""
    signers_missing = str(tmp_path / "missing")
    for name in KEY_TYPES:
        roster = roster_with(keys[name].public)
        signers = tmp_path / f"{name}.allowed"
        signers.write_text(allowed_signers(roster))
        good = ssh_sign(keys[name], MESSAGE).decode()
        wrong = ssh_sign(keys[name], MESSAGE, "file").decode()
        check = check_signature(good, MESSAGE, roster, str(signers), verifier)
        assert check.member is not None and check.member.id == "pio1", name
        assert check_signature(good, MESSAGE + b"!", roster, str(signers), verifier).member \
            is None
        assert check_signature(wrong, MESSAGE, roster, str(signers), verifier).member is None
        without_file = check_signature(good, MESSAGE, roster, signers_missing, verifier)
        assert (without_file.member is None) == (verifier == "ssh-keygen"), name
    with pytest.raises(ValueError, match="unknown verifier"):
        check_signature(good, MESSAGE, roster, str(signers), "gpg")


# -- pressroom verify --verifier -------------------------------------------------------------

def test_verify_command_with_either_verifier(tmp_path: Path, keys_dir: Path) -> None:
    """``--verifier ssh-keygen`` audits: it re-checks every merge even after a builtin run
    remembered them, and both verifiers refuse the same merge signed by a stranger."""
    from click.testing import CliRunner
    from gitdept import Department

    from pressroom.cli import cli

    def run(*args: str):
        return CliRunner().invoke(cli, ["verify", "--repo", str(dept.root), *args],
                                  catch_exceptions=False)

    dept = Department(tmp_path / "dept", keys_dir)
    dept.post_branch("closure")
    dept.merge_as("sup1", "post/closure")
    dept.post_branch("fire")
    dept.merge_as("sup2", "post/fire")
    builtin = run()
    assert builtin.exit_code == 0 and "(0 remembered" in builtin.output, builtin.output
    assert "(2 remembered" in run().output
    audit = run("--verifier", "ssh-keygen")
    assert audit.exit_code == 0 and "(0 remembered" in audit.output, audit.output
    dept.post_branch("forged")
    forged = dept.merge_as("stranger", "post/forged")
    for verifier in ("builtin", "ssh-keygen"):
        refused = run("--verifier", verifier)
        assert refused.exit_code == 1, refused.output
        assert refused.output.startswith(f"{forged[:7]}: APPROVAL-"), refused.output
    assert run("--verifier", "gpg").exit_code == 2


def test_a_roster_key_whose_type_is_not_its_blob_is_refused(keys: dict[str, Key]) -> None:
    """ssh-keygen refuses an allowed-signers line naming one type for another type's key;
    so does the builtin verifier (it never judges by the blob alone)."""
    good = ssh_sign(keys["rsa3072"], MESSAGE)
    assert sshsig.verify(good, MESSAGE, keys["rsa3072"].public) == ""
    relabelled = "ssh-ed25519 " + keys["rsa3072"].public.split()[1]
    assert sshsig.verify(good, MESSAGE, relabelled) == "the roster's key is not a valid public key"


def _forgery(key_blob: bytes, sig_type: bytes, signature: bytes,
             extra: bytes = b"") -> tuple[str, bytes]:
    """A roster key line and an armoured signature of MESSAGE made without a private key."""
    import base64
    blob = b"SSHSIG" + struct.pack(">I", 1) + string(key_blob) + string(b"git") + \
        string(b"") + string(b"sha512") + string(string(sig_type) + string(signature) + extra)
    key_type = key_blob[4:4 + _u32(key_blob)].decode()
    return f"{key_type} {base64.b64encode(key_blob).decode()} forged", armor(blob)


SK = b"sk-ssh-ed25519@openssh.com"


def _forgeries() -> dict[str, tuple[str, bytes]]:
    signed = b"SSHSIG" + string(b"git") + string(b"") + string(b"sha512") + \
        string(hashlib.sha512(MESSAGE).digest())
    modulus = rsa.generate_private_key(65537, 2048).public_key().public_numbers().n
    digest_info = bytes.fromhex("3051300d060960864801650304020305000440") + \
        hashlib.sha512(signed).digest()
    padded = b"\x00\x01" + b"\xff" * (256 - len(digest_info) - 3) + b"\x00" + digest_info
    identity = b"\x01" + b"\x00" * 31
    return {
        # e = 1: the signature is the padded hash itself.
        "rsa-e1": _forgery(string(b"ssh-rsa") + mpint(1) + mpint(modulus), b"rsa-sha2-512",
                           padded),
        # The identity point: R = identity, S = 0 verifies every message.
        "ed25519-identity": _forgery(string(b"ssh-ed25519") + string(identity),
                                     b"ssh-ed25519", identity + b"\x00" * 32),
        # The same point in a security key (flags: user present; counter 1).
        "sk-ed25519-identity": _forgery(
            string(SK) + string(identity) + string(b"ssh:"), SK, identity + b"\x00" * 32,
            b"\x01" + struct.pack(">I", 1)),
    }


def _cert_forgery(folder: Path) -> tuple[str, bytes]:
    """The identity point in a certificate signed by a CA anyone can make."""
    import base64
    identity = b"\x01" + b"\x00" * 31
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / "ca")],
                   check=True)
    blob = string(b"ssh-ed25519") + string(identity)
    (folder / "id.pub").write_text(f"ssh-ed25519 {base64.b64encode(blob).decode()} id\n")
    subprocess.run(["ssh-keygen", "-q", "-s", str(folder / "ca"), "-I", "x", "-n", "pio1",
                    str(folder / "id.pub")], check=True, capture_output=True)
    cert = base64.b64decode((folder / "id-cert.pub").read_text().split()[1])
    return _forgery(cert, b"ssh-ed25519", identity + b"\x00" * 32)


@pytest.mark.parametrize("verifier", ["builtin", "ssh-keygen"])
@pytest.mark.parametrize("kind", ["rsa-e1", "ed25519-identity", "sk-ed25519-identity",
                                  "cert-ed25519-identity"])
def test_a_roster_key_anyone_can_sign_with_is_refused(tmp_path: Path, verifier: str,
                                                      kind: str) -> None:
    """OpenSSH 9.2's ``ssh-keygen -Y verify`` accepts both forgeries (no private key made
    them): a roster key like this lets anyone approve as its member. Whichever verifier,
    pressroom refuses the key and says why; real keys are never weak."""
    require_tool(shutil.which("ssh-keygen") is not None, "ssh-keygen")
    public, armored = _cert_forgery(tmp_path) if kind.startswith("cert") else \
        _forgeries()[kind]
    roster = roster_with(public)
    signers = tmp_path / "allowed_signers"
    signers.write_text(allowed_signers(roster))
    check = check_signature(armored.decode(), MESSAGE, roster, str(signers), verifier)
    assert check.member is None, check
    assert "anyone can sign" in check.problem or "forgeable" in check.problem, check
    assert sshsig.verify(armored, MESSAGE, public) != ""
    assert sshsig.weak_key(public)


def test_real_keys_of_every_type_are_not_weak(keys: dict[str, Key]) -> None:
    for name in KEY_TYPES:
        assert sshsig.weak_key(keys[name].public) == "", name
    for number in range(200):  # random Ed25519 keys: small order is 8 points in 2^252
        key = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        assert sshsig._small_order(key) == "", number
