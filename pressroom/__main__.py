from pressroom.cli import cli

cli()
