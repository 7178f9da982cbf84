"""SSH signatures on commits: who signed, checked by ``ssh-keygen -Y verify``.

Identity comes only from the signature, never from author or committer names,
emails or message trailers. The roster's ``signing_key`` of each member is the
allowed-signers list; the public key inside an SSHSIG blob says which member to
ask ssh-keygen about, and ssh-keygen decides whether the signature is good.
"""

from __future__ import annotations

import base64
import os
import struct
import subprocess
import tempfile
from dataclasses import dataclass

from pressroom.model.roster import Member, Roster

ARMOR_BEGIN = "-----BEGIN SSH SIGNATURE-----"
ARMOR_END = "-----END SSH SIGNATURE-----"
NAMESPACE = "git"


def key_id(public_key: str) -> str:
    """"type base64" of an OpenSSH public key line (comment dropped), for comparison."""
    parts = public_key.split()
    return " ".join(parts[:2]) if len(parts) >= 2 else public_key.strip()


def signature_key(armored: str) -> str | None:
    """The signer's public key ("type base64") inside an armored SSHSIG, or None."""
    if ARMOR_BEGIN not in armored:
        return None
    body = armored.split(ARMOR_BEGIN, 1)[1].split(ARMOR_END, 1)[0]
    try:
        blob = base64.b64decode("".join(body.split()))
        if not blob.startswith(b"SSHSIG"):
            return None
        offset = 6 + 4  # magic, version
        (length,) = struct.unpack(">I", blob[offset:offset + 4])
        key_blob = blob[offset + 4:offset + 4 + length]
        (type_length,) = struct.unpack(">I", key_blob[:4])
        key_type = key_blob[4:4 + type_length].decode()
    except (ValueError, struct.error, UnicodeDecodeError):
        return None
    return f"{key_type} {base64.b64encode(key_blob).decode()}"


def allowed_signers(roster: Roster) -> str:
    """An ssh-keygen allowed-signers file for the roster's members with signing keys."""
    lines = [f"{m.id} namespaces=\"{NAMESPACE}\" {key_id(m.signing_key)}"
             for m in roster.members.values() if m.signing_key]
    return "\n".join(lines) + "\n"


def claimed_signer(armored: str, roster: Roster) -> Member | None:
    """The roster member whose key the signature names — not yet verified (ssh-keygen does
    that in ``check_signature``); records and reports use it to say who approved."""
    key = signature_key(armored) if armored else None
    if key is None:
        return None
    return next((m for m in roster.members.values()
                 if m.signing_key and key_id(m.signing_key) == key), None)


@dataclass(frozen=True)
class SignatureCheck:
    member: Member | None
    problem: str  # "" when good


def check_signature(armored: str, payload: bytes, roster: Roster,
                    signers_file: str) -> SignatureCheck:
    """Who of the roster signed ``payload``; ``signers_file`` is ``allowed_signers(roster)``."""
    if not armored:
        return SignatureCheck(None, "unsigned")
    if signature_key(armored) is None:
        return SignatureCheck(None, "not an SSH signature")
    member = claimed_signer(armored, roster)
    if member is None:
        return SignatureCheck(None, "signed by a key that is not on the roster")
    with tempfile.NamedTemporaryFile("w", suffix=".sig", delete=False) as handle:
        handle.write(armored if armored.endswith("\n") else armored + "\n")
        sig_path = handle.name
    try:
        result = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", signers_file, "-I", member.id, "-n", NAMESPACE,
             "-s", sig_path], input=payload, capture_output=True)
    finally:
        os.unlink(sig_path)
    if result.returncode != 0:
        return SignatureCheck(None, f"the signature does not verify for {member.id}")
    return SignatureCheck(member, "")
