"""``pressroom deploy``: the published site copied to S3-compatible object storage.

A police site's traffic jumps by orders of magnitude during an incident: one machine
builds (``pressroom publish``), and a bucket (AWS S3, MinIO, Ceph RGW, Cloudflare R2)
behind a CDN serves. This package copies the live published release there.

Why this design. A bucket website or a CDN origin serves keys in place: there is no
symlink to flip, and R2 has no object versioning. So a deploy keeps its own history in
the bucket, under ``<prefix>.pressroom/``: every version of every file by the sha256 of
its bytes (``objects/``), each release's manifest (``releases/<id>.json``), and a
pointer (``manifest.json``) naming the release served. Only bytes the bucket lacks are
uploaded (deploying the same release twice sends nothing); public keys are written by
server-side copies from the store in an order that never serves a page linking to a
missing object (``plan``); the pointer is written last; removed files are deleted only
after CDNs have let go of the pages that linked them. A rollback is the same switch
with bytes already in the store, so it works on any S3-compatible store.

Modules: ``plan`` (manifests and the safe order, pure), ``store`` (boto3: the only
importer), ``run`` (the steps).
"""
