"""CLI command ``deploy``: the published site to S3-compatible object storage and a CDN."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pressroom.cli.common import REPO_HELP, UsageProblem, repo_or_here
from pressroom.model.violations import InputError
from pressroom.model.wording import plural


def _settings(repo: Path | None, site: Path | None) -> dict[str, str]:
    """``[deploy]`` of policy/site.toml as the commit publish verified for the live release
    of the site holds it (main's names the site when no --site is given, and serves when
    this clone lacks that commit); {} outside a repository when none given."""
    from pressroom.deploy.run import deploy_settings, live_published_release

    try:
        root = repo_or_here(repo)
    except UsageProblem:
        return {}  # run outside a clone: every setting comes from the options
    if repo is not None and not repo.is_dir():
        raise UsageProblem(f"{repo}: no such folder")
    try:
        config = deploy_settings(root)
        folder = site or (Path(config["site"]) if config.get("site") else None)
        try:
            commit = live_published_release(folder)[2] if folder else None
        except InputError:
            return config  # not a published site: deploy refuses it with its own line
        verified = deploy_settings(root, commit) or config
        return {**verified, "site": str(folder)} if folder else verified
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc


@click.command("deploy")
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"{REPO_HELP}; [deploy] in policy/site.toml gives the defaults of the options "
                   f"below, as the commit publish verified for the live release holds it "
                   f"(main's names the site).")
@click.option("--site", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder `pressroom publish --target` serves  [default: [deploy] site]")
@click.option("--bucket", default=None, help="The bucket  [default: [deploy] bucket]")
@click.option("--prefix", default=None,
              help='A folder in the bucket ending in "/"  [default: [deploy] prefix, or none]')
@click.option("--endpoint-url", default=None,
              help="An S3-compatible endpoint (MinIO, Ceph, R2)  [default: [deploy] "
                   "endpoint_url, or AWS]")
@click.option("--region", default=None, help="The region  [default: [deploy] region]")
@click.option("--site-url", default=None,
              help="The public address the CDN serves, for the changed URLs  [default: "
                   "[deploy] site_url, or [site] url]")
@click.option("--rollback", "roll_back", is_flag=True,
              help="Serve the release deployed before the current one again.")
@click.option("--to", "to", metavar="RELEASE", default=None,
              help="With --rollback: the release to serve again.")
@click.option("--dry-run", is_flag=True,
              help="Show what a deploy would change; change nothing (not with --rollback).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the result as JSON on stdout (the changed URLs for the CDN).")
@click.option("--grace", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="Delete files that left the site only this long after (CDNs may still "
                   "hold pages linking them)  [default: 60]")
@click.option("--keep-releases", "keep", type=click.IntRange(min=0), default=None, metavar="N",
              help="Earlier deployed releases the bucket keeps for --rollback; older ones "
                   "and the bytes only they used are deleted  [default: 5]")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr (--json too).")
def deploy_command(repo: Path | None, site: Path | None, bucket: str | None,
                   prefix: str | None, endpoint_url: str | None, region: str | None,
                   site_url: str | None, roll_back: bool, to: str | None, dry_run: bool,
                   as_json: bool, grace: float | None, keep: int | None, quiet: bool) -> None:
    """Copy the live published site to S3-compatible object storage (S3, MinIO, R2 ...).

    Copies the release `pressroom publish` made live at --site (never a working
    folder) to the bucket: only files whose bytes changed are uploaded, pages are
    written after the files they link, the bucket's pointer last, and files that
    left the site are deleted a grace period later. Content-Type and Cache-Control
    are set on every object. Credentials come from the AWS environment variables,
    ~/.aws or an instance role, never from the repository. Prints the changed
    URLs (with --json, as JSON) for a CDN invalidation. Exit 0 deployed (or
    nothing to do), 2 refused or failed (one line; the bucket's pointer still
    names the release it served).

    \b
    Examples:
      pressroom publish -q --target /var/www/pd && pressroom deploy --site /var/www/pd
      pressroom deploy --bucket pd-site --endpoint-url https://s3.example.net --dry-run
      pressroom deploy --json | jq -r '.paths[]'      # for aws cloudfront create-invalidation
      pressroom deploy --rollback                     # the previous release again
    """
    from pressroom.deploy.run import GRACE, KEEP, StoreError, Target, deploy, rollback
    from pressroom.deploy.store import normal_prefix

    if to is not None and not roll_back:
        raise UsageProblem("--to RELEASE goes with --rollback")
    config = _settings(repo, site)
    bucket = bucket or config.get("bucket")
    if not bucket:
        raise UsageProblem("no bucket: pass --bucket NAME or set bucket in [deploy] of "
                           "policy/site.toml on main (the working folder's copy is not read)")
    prefix = config.get("prefix", "") if prefix is None else prefix
    try:
        prefix = normal_prefix(prefix)
    except ValueError as exc:
        raise UsageProblem(str(exc)) from exc
    target = Target(bucket, prefix, endpoint_url or config.get("endpoint_url"),
                    region or config.get("region"))
    say = (lambda message: None) if quiet or as_json else \
        (lambda message: click.echo(message, err=True))
    wait = GRACE if grace is None else grace
    kept = KEEP if keep is None else keep
    try:
        if roll_back:
            if dry_run:
                raise UsageProblem("--dry-run does not go with --rollback")
            done = rollback(target, to, grace=wait, keep=kept, progress=say)
        else:
            folder = site or (Path(config["site"]) if config.get("site") else None)
            if folder is None:
                raise UsageProblem("no site: pass --site DIR (the folder pressroom publish "
                                   "--target serves) or set site in [deploy] of "
                                   "policy/site.toml on main")
            done = deploy(target, folder, dry_run=dry_run, grace=wait, keep=kept,
                          progress=say)
    except (InputError, StoreError) as exc:
        raise UsageProblem(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(done.to_json(site_url or config.get("site_url", "")), indent=1))
        return
    plan = done.plan
    verb = "Would serve" if dry_run else "Serving"
    if plan.empty and done.previous == done.release and not dry_run:
        click.echo(f"{target} already serves release {done.release}: nothing to send.")
    else:
        click.echo(f"{verb} release {done.release} from {target} (was "
                   f"{done.previous or 'nothing'}): {plural(done.uploaded, 'new file')} "
                   f"uploaded, {plural(len(plan.writes), 'file')} written, "
                   f"{len(plan.deletions)} deleted, {len(plan.pending)} awaiting deletion.")
    if done.changed_urls:
        click.echo(f"Changed URLs ({len(done.changed_urls)}), for the CDN:")
        for path in done.changed_urls:
            click.echo(f"  {path}")
