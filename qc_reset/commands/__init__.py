"""CLI subcommands, one module each, registered in :data:`qc_reset.cli.COMMAND_MODULES`."""
