"""``pressroom nginx-config``: the department's own web server for the published site."""

from __future__ import annotations

import click

from pressroom.cli.common import UsageProblem
from pressroom.model.violations import InputError


@click.command("nginx-config")
@click.option("--target", required=True, metavar="PATH",
              help="The path `pressroom publish --target` publishes to (the release link), "
                   "e.g. /var/www/pd.")
@click.option("--server-name", required=True, metavar="HOST",
              help="The site's host name, e.g. pd.example.gov.")
@click.option("--listen", default="80", show_default=True, metavar="[ADDRESS:]PORT",
              help="Where nginx listens (put TLS in front, or add it to the file).")
def nginx_config_command(target: str, server_name: str, listen: str) -> None:
    """Print an nginx site file serving the published site with pressroom's headers.

    The root is the release link `pressroom publish` switches atomically, opened anew
    on every request, so a publish needs no reload and a reader never gets a mix of two
    releases. Content-Type and Cache-Control are pressroom's (pages and feeds a minute,
    fingerprinted CSS a year, immutable); with nosniff, a Content-Security-Policy
    allowing only the site's own host, and no directory listing. Tested against
    Debian's nginx.

    \b
    Example (Debian):
      pressroom nginx-config --target /var/www/pd --server-name pd.example.gov \\
          > /etc/nginx/sites-available/pd.example.gov
      ln -s ../sites-available/pd.example.gov /etc/nginx/sites-enabled/
      nginx -t && systemctl reload nginx
    """
    from pressroom.publishing.nginx import nginx_config

    try:
        click.echo(nginx_config(target, server_name, listen), nl=False)
    except InputError as exc:
        raise UsageProblem(str(exc)) from exc
