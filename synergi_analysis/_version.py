"""The package version, in one place (read by the package, reports and exports)."""

__version__ = "0.1.0"
