"""Command line interface: a thin shell over the domain functions."""
