"""The bucket, through boto3: the only module that imports it (a test holds it to that).

Every failure of the network, the credentials or the bucket becomes one ``StoreError``
line that says what to do; no boto3 exception or traceback reaches the command line.
Credentials come only from boto3's standard chain (environment, ``~/.aws``, an instance
role): pressroom never reads or stores them, so they are never in the repository.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from pressroom.deploy.plan import STATE  # under the prefix: the pointer, manifests, the store

POINTER = f"{STATE}manifest.json"
RELEASES = f"{STATE}releases/"
OBJECTS = f"{STATE}objects/"
STATE_CACHE = "no-store"  # the pointer must never be served stale to the next deploy


def _missing(exc: Exception) -> bool:
    """Whether a boto3 ``ClientError`` says the object is not there (GET and HEAD differ)."""
    return getattr(exc, "response", {}).get("Error", {}).get("Code") in ("NoSuchKey", "404")


class StoreError(Exception):
    """Object storage refused or could not be reached: one line for the person at the
    console (exit 2)."""


@dataclass(frozen=True)
class Target:
    """Where a deploy goes: a bucket, a folder in it, and how to reach it."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def normal_prefix(prefix: str) -> str:
    """``prefix`` as a folder of the bucket ("" or "a/b/"), or ``ValueError`` saying why.

    A key is not a path: ``../www/index.html`` or ``www//index.html`` are keys of their own,
    which a CDN or the bucket's website never serves at ``/www/index.html`` (it normalises
    the URL first), so the deploy would succeed and the site stay unreachable; a prefix in
    ``.pressroom/`` would put the site among another deploy's state.
    """
    text = prefix.strip("/")
    if not text:
        return ""
    parts = text.split("/")
    if any(part in ("", ".", "..") for part in parts) or parts[0] == STATE.rstrip("/") \
            or any(ord(char) < 32 or char in "\\?#%" for char in text):
        raise ValueError(f"--prefix {prefix!r}: give a folder of the bucket such as www/ "
                         f"(no empty, . or .. parts, no \\ ? # % or control characters, "
                         f"not {STATE})")
    return text + "/"


@contextlib.contextmanager
def _errors(target: Target, what: str) -> Iterator[None]:
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
    )

    try:
        yield
    except NoCredentialsError as exc:
        raise StoreError(_NO_CREDENTIALS) from exc
    except EndpointConnectionError as exc:
        raise StoreError(f"{target}: cannot reach the object storage endpoint while {what} "
                         f"({exc.kwargs.get('endpoint_url', '')}); check --endpoint-url "
                         f"and the network") from exc
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "?"))
        if code in ("NoSuchBucket", "404") and what == "opening the bucket":
            raise StoreError(f"{target}: no such bucket (create it first, or check "
                             f"--bucket and --endpoint-url)") from exc
        if code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
            raise StoreError(f"{target}: access denied while {what} ({code}): the "
                             f"credentials may not read and write this bucket") from exc
        raise StoreError(f"{target}: {what} failed: {code}: "
                         f"{error.get('Message', '')}".rstrip(": ")) from exc
    except BotoCoreError as exc:
        raise StoreError(f"{target}: {what} failed: {exc}") from exc


_NO_CREDENTIALS = ("no credentials for object storage: set AWS_ACCESS_KEY_ID and "
                   "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (~/.aws/credentials), or give the "
                   "machine an instance role; never put them in the repository")


class Bucket:
    """One bucket and prefix: reads and writes of the site's objects and pressroom's state."""

    def __init__(self, target: Target) -> None:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError

        self.target = target
        session = boto3.session.Session()
        with _errors(target, "reading the credentials"):
            if session.get_credentials() is None:
                raise StoreError(_NO_CREDENTIALS)
        config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5,
                        read_timeout=60, s3={"addressing_style": "path"}
                        if target.endpoint_url else {})
        try:
            self.client = session.client("s3", endpoint_url=target.endpoint_url,
                                         region_name=target.region, config=config)
        except (ValueError, BotoCoreError) as exc:  # a malformed endpoint URL or region
            raise StoreError(f"{target}: cannot use --endpoint-url {target.endpoint_url!r} "
                             f"and --region {target.region!r}: {exc} (an endpoint is a URL "
                             f"like https://s3.example.net)") from exc
        with _errors(target, "opening the bucket"):
            self.client.head_bucket(Bucket=target.bucket)

    def key(self, path: str) -> str:
        return f"{self.target.prefix}{path}"

    def read_json(self, path: str) -> tuple[object, str] | None:
        """The JSON document at ``path`` and its ETag, or None when there is none."""
        from botocore.exceptions import ClientError

        with _errors(self.target, f"reading {self.key(path)}"):
            try:
                answer = self.client.get_object(Bucket=self.target.bucket, Key=self.key(path))
            except ClientError as exc:
                if _missing(exc):
                    return None
                raise
            body = answer["Body"].read()
        try:
            return json.loads(body), str(answer.get("ETag", ""))
        except ValueError as exc:
            raise StoreError(f"{self.target}{path}: not JSON; was it written by another "
                             f"tool?") from exc

    def etag(self, path: str) -> str | None:
        from botocore.exceptions import ClientError

        with _errors(self.target, f"reading {self.key(path)}"):
            try:
                head = self.client.head_object(Bucket=self.target.bucket, Key=self.key(path))
            except ClientError as exc:
                if _missing(exc):
                    return None
                raise
        return str(head.get("ETag", ""))

    def write_json(self, path: str, data: object) -> None:
        body = (json.dumps(data, indent=1, sort_keys=True) + "\n").encode()
        self.put(path, body, "application/json", STATE_CACHE)

    def put(self, path: str, body: bytes, content_type: str, cache_control: str) -> None:
        with _errors(self.target, f"writing {self.key(path)}"):
            self.client.put_object(Bucket=self.target.bucket, Key=self.key(path), Body=body,
                                   ContentType=content_type, CacheControl=cache_control)

    def copy(self, source: str, path: str, content_type: str, cache_control: str) -> None:
        """A server-side copy of ``source`` to ``path`` with these headers (nothing is sent
        but the request: the bytes stay in the bucket)."""
        with _errors(self.target, f"copying to {self.key(path)}"):
            self.client.copy_object(
                Bucket=self.target.bucket, Key=self.key(path),
                CopySource={"Bucket": self.target.bucket, "Key": self.key(source)},
                MetadataDirective="REPLACE", ContentType=content_type,
                CacheControl=cache_control)

    def delete(self, paths: list[str]) -> None:
        with _errors(self.target, "deleting removed files"):
            for start in range(0, len(paths), 1000):
                batch = [{"Key": self.key(path)} for path in paths[start:start + 1000]]
                answer = self.client.delete_objects(Bucket=self.target.bucket,
                                                    Delete={"Objects": batch, "Quiet": True})
                failed = answer.get("Errors") or []
                if failed:
                    first = failed[0]
                    raise StoreError(f"{self.target}: deleting {first.get('Key')} failed: "
                                     f"{first.get('Code')}: {first.get('Message', '')}")

    def names(self, folder: str) -> list[str]:
        """The names of the objects under ``folder`` (relative to it)."""
        start = self.key(folder)
        found = []
        with _errors(self.target, f"listing {start}"):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.target.bucket, Prefix=start)
            for page in pages:
                found += [item["Key"][len(start):] for item in page.get("Contents", [])]
        return found
