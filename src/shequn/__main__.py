"""``python -m shequn`` runs the command-line interface."""

from shequn.cli import main

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
