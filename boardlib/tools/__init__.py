"""Small command-line tools run with ``python -m boardlib.tools.<name>``."""
