"""SSH signatures on commits: who signed, checked in process or by ``ssh-keygen -Y verify``.

Identity comes only from the signature, never from author or committer names,
emails or message trailers. The roster's ``signing_key`` of each member is the
allowed-signers list; the public key inside an SSHSIG blob says which member it claims
to be, and the verifier decides whether the signature is good:

- ``builtin`` (the default, and what the server's pre-receive hook uses): Ed25519, ECDSA and
  RSA (SHA-2) keys are checked in process by ``pressroom.approvals.sshsig``, which agrees with
  ssh-keygen on every case of the differential test; any other key type (security keys
  ``sk-...@openssh.com``, certificates) is handed to ssh-keygen, never left unverified;
- ``ssh-keygen``: every signature goes to ``ssh-keygen -Y verify`` (``pressroom verify
  --verifier ssh-keygen``, for audits).
"""

from __future__ import annotations

import base64
import os
import struct
import subprocess
import tempfile
from dataclasses import dataclass

from pressroom.approvals import sshsig
from pressroom.model.roster import Member, Roster

ARMOR_BEGIN = "-----BEGIN SSH SIGNATURE-----"
ARMOR_END = "-----END SSH SIGNATURE-----"
NAMESPACE = "git"
VERIFIERS = ("builtin", "ssh-keygen")


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


def check_signature(armored: str, payload: bytes, roster: Roster, signers_file: str,
                    verifier: str = "builtin") -> SignatureCheck:
    """Who of the roster signed ``payload``; ``signers_file`` is ``allowed_signers(roster)``.

    ``verifier`` is one of ``VERIFIERS``; with ``builtin``, key types not implemented in
    process still go to ssh-keygen.
    """
    if verifier not in VERIFIERS:
        raise ValueError(f"unknown verifier {verifier!r}: one of {', '.join(VERIFIERS)}")
    if not armored:
        return SignatureCheck(None, "unsigned")
    if signature_key(armored) is None:
        return SignatureCheck(None, "not an SSH signature")
    member = claimed_signer(armored, roster)
    if member is None:
        return SignatureCheck(None, "signed by a key that is not on the roster")
    weak = sshsig.weak_key(member.signing_key)
    if weak:  # ssh-keygen would accept forgeries by this key: refused whichever verifier
        return SignatureCheck(None, f"the roster's signing_key of {member.id} {weak}")
    # Both verifiers read the very bytes ssh-keygen is given as its signature file.
    data = armored.encode() + (b"" if armored.endswith("\n") else b"\n")
    verdict = sshsig.verify(data, payload, member.signing_key, NAMESPACE) \
        if verifier == "builtin" else None
    if verdict is None:
        verdict = "" if ssh_keygen_verify(data, payload, signers_file, member.id) else "bad"
    if verdict:
        return SignatureCheck(None, f"the signature does not verify for {member.id}")
    return SignatureCheck(member, "")


def ssh_keygen_verify(signature: bytes, payload: bytes, signers_file: str,
                      principal: str) -> bool:
    """``ssh-keygen -Y verify`` of one signature file's bytes for ``principal``."""
    with tempfile.NamedTemporaryFile("wb", suffix=".sig", delete=False) as handle:
        handle.write(signature)
        sig_path = handle.name
    try:
        result = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", signers_file, "-I", principal, "-n", NAMESPACE,
             "-s", sig_path], input=payload, capture_output=True)
    finally:
        os.unlink(sig_path)
    return result.returncode == 0
